import { IConstruct } from 'constructs';
import { NameRegistry } from './field-rules';
import { ContextKeys } from '../context-keys';
import { isIsoDate } from '../private/iso-date';

/**
 * The context settings a declaration is checked with (`cdk.json` or `-c`): the team and business-unit registries,
 * the date reviews are checked against, the retirement grace period and strict reviews. Each reading gives the value
 * and, for a setting that is not usable, the problem naming the key, the value and what is accepted.
 */

/** Days a service whose last review outcome is "retire" may stay in the app (context `customer-value:retirementGraceDays`). */
export const RETIREMENT_GRACE_DAYS = 90;
export const RETIREMENT_GRACE_MAX_DAYS = 731;

/** The outcome of reading a context setting: its value, or the problem with it. */
export interface ContextReading<T> {
  readonly value?: T;
  readonly problem?: string;
}

/** The team or business-unit registry from the context, if the app declares one. */
export function readRegistry(scope: IConstruct, key: string): ContextReading<NameRegistry> {
  const raw = scope.node.tryGetContext(key);
  if (raw === undefined || raw === null) {
    return {};
  }
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : raw;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string') || list.length === 0) {
    return { problem: `context "${key}" is ${JSON.stringify(raw)}: expected a non-empty list of names, e.g. ["payments", "search"] (or "payments,search")` };
  }
  return { value: { key, names: list as string[] } };
}

/** The date reviews are checked against: the `customer-value:today` context, or today (UTC). */
export function readToday(scope: IConstruct): ContextReading<string> & { readonly value: string } {
  const ctx = scope.node.tryGetContext(ContextKeys.TODAY);
  const today = new Date().toISOString().slice(0, 10);
  if (ctx === undefined || ctx === null) {
    return { value: today };
  }
  if (typeof ctx === 'string' && isIsoDate(ctx)) {
    return { value: ctx };
  }
  return { value: today, problem: `context "${ContextKeys.TODAY}" is ${JSON.stringify(ctx)}: expected a date YYYY-MM-DD` };
}

/** Days a service whose last review decided to retire it may stay in the app: the context, or 90. */
export function readRetirementGraceDays(scope: IConstruct): ContextReading<number> & { readonly value: number } {
  const raw = scope.node.tryGetContext(ContextKeys.RETIREMENT_GRACE_DAYS);
  if (raw === undefined || raw === null) {
    return { value: RETIREMENT_GRACE_DAYS };
  }
  const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= RETIREMENT_GRACE_MAX_DAYS) {
    return { value: n };
  }
  return {
    value: RETIREMENT_GRACE_DAYS,
    problem: `context "${ContextKeys.RETIREMENT_GRACE_DAYS}" is ${JSON.stringify(raw)}: expected whole days from 0 to ${RETIREMENT_GRACE_MAX_DAYS} (e.g. 90)`,
  };
}

/** Whether an overdue value review refuses synthesis (context `customer-value:strictReviews`). */
export function strictReviews(scope: IConstruct): boolean {
  const v = scope.node.tryGetContext(ContextKeys.STRICT_REVIEWS);
  return v === true || v === 'true';
}
