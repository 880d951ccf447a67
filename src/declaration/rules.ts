import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ContextKeys } from '../context-keys';
import { Customer, CustomerKind } from '../customer';
import { reviewStatusOn } from './review-dates';
import { addDays, isIsoDate } from '../private/iso-date';
import { closest, isPlaceholder, words } from '../private/placeholders';
import { ValueReviewOutcome } from '../value-review';

/**
 * The rules of a customer-service declaration: every field, what it accepts and the message when it does not.
 *
 * This module is the only owner of those rules. `CustomerService`, the billing constructs (`declarations` of
 * services deployed from other apps), the nag pack and the assertions all check declarations here, so a value is
 * accepted or refused the same way everywhere. Each check returns its problems as messages that name the field
 * (with the caller's prefix, e.g. `declarations[2].team`), the value received and what is accepted.
 */

/** Team and business unit: used as-is as a tag value and a cost category value. */
export const OWNER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _-]*$/;
export const OWNER_NAME_MAX = 50;
export const OWNER_NAME_DESCRIPTION = '1-50 ASCII letters, digits, spaces, _ and -, starting with a letter or digit, no trailing space';
/** Service name: the service tag value, and part of budget, dashboard and metric names. */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;
export const SERVICE_NAME_DESCRIPTION = '1-50 ASCII letters, digits, _ and -, starting with a letter or digit';
export const NEED_EXAMPLE = '(e.g. "Shoppers pay for their basket in one step")';
export const NEED_MAX = 1024;
export const CUSTOMER_NAME_MAX = 200;
export const REVIEWER_MAX = 256;
export const REVIEW_EVERY_MAX_DAYS = 731;
export { DUE_SOON_DAYS, daysFrom, reviewStatusOn } from './review-dates';
/** Longest review note. */
export const REVIEW_NOTE_MAX = 500;
/** Days a service whose last review outcome is "retire" may stay in the app (context `customer-value:retirementGraceDays`). */
export const RETIREMENT_GRACE_DAYS = 90;
export const RETIREMENT_GRACE_MAX_DAYS = 731;


/** A value as it appears in a message: strings quoted, other types named. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array (${safeJson(value).slice(0, 60)})`;
  if (typeof value === 'function') return 'a function';
  return `an object (${safeJson(value).slice(0, 60)})`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}


/** The problem of a required text field that is missing, not a string, a token or blank; undefined when fine. */
export function textProblem(field: string, value: unknown, hint: string): string | undefined {
  if (value === undefined || value === null) {
    return `${field} is missing: ${hint}`;
  }
  if (typeof value !== 'string') {
    return `${field} is ${describe(value)}, not a string: ${hint}`;
  }
  if (Token.isUnresolved(value)) {
    return `${field} is an unresolved token (${value}): declarations must be known at synth, because budgets, cost categories and reports depend on them; pass a literal string`;
  }
  if (value.trim().length === 0) {
    return `${field} is ${value.length === 0 ? 'empty' : 'blank'}: ${hint}`;
  }
  return undefined;
}

/** The problem of a text that is missing, not a string, a token, blank or a placeholder; undefined when it is real. */
function notRealText(field: string, value: unknown, hint: string): string | undefined {
  return textProblem(field, value, hint)
    ?? (isPlaceholder(value as string) ? `${field} is ${JSON.stringify(value)}: a placeholder; ${hint}` : undefined);
}

/** The customer need: a statement of at least three words, any text, at most 1 024 characters. */
export function needProblems(field: string, value: unknown): string[] {
  const hint = `declare the customer need this service fulfils, as a sentence ${NEED_EXAMPLE}`;
  const common = textProblem(field, value, hint);
  if (common) {
    return [common];
  }
  const need = value as string;
  if (isPlaceholder(need)) {
    return [`${field} is ${JSON.stringify(need)}: a placeholder, not a need; ${hint}`];
  }
  if (words(need).length < 3) {
    return [`${field} is ${JSON.stringify(need)}: a label, not a need; describe what the customer gets done in a sentence of at least three words ${NEED_EXAMPLE}`];
  }
  if (need.length > NEED_MAX) {
    return [`${field} is ${need.length} characters long: a need is one sentence (at most ${NEED_MAX} characters); move the details to the service's documentation`];
  }
  return [];
}

/** The customer: `Customer.external(name)` or `Customer.internal(name)` with a real name. */
export function customerProblems(field: string, value: unknown): string[] {
  const hint = 'declare who the customer is with Customer.external("Online shoppers") or Customer.internal("Finance controlling")';
  if (value === undefined || value === null) {
    return [`${field} is missing: ${hint}`];
  }
  if (typeof value === 'string') {
    return [`${field} is ${JSON.stringify(value)} (a string): ${hint}, which also says whether the customer is external or internal`];
  }
  if (!Customer.isCustomer(value)) {
    return [`${field} is ${describe(value)}: ${hint}`];
  }
  const kind = value.kind === CustomerKind.EXTERNAL ? 'external' : 'internal';
  const nameHint = `name the ${kind} customer, e.g. Customer.${kind}(${kind === 'external' ? '"Online shoppers"' : '"Finance controlling"'})`;
  const nameField = `${field} name`;
  const common = textProblem(nameField, value.name, nameHint);
  if (common) {
    return [common];
  }
  if (isPlaceholder(value.name)) {
    return [`${nameField} is ${JSON.stringify(value.name)}: a placeholder; ${nameHint}`];
  }
  if (value.name.length > CUSTOMER_NAME_MAX) {
    return [`${nameField} is ${value.name.length} characters long: at most ${CUSTOMER_NAME_MAX} characters; ${nameHint}`];
  }
  return [];
}

/** A registry of known names from the context (teams or business units). */
export interface NameRegistry {
  /** The context key it comes from. */
  readonly key: string;
  readonly names: string[];
}

/**
 * The team or the business unit: tag-safe as-is (it is a tag value and a cost category value), and in the registry
 * when one is given.
 *
 * @param what e.g. `the owning team, e.g. "payments"`
 */
export function ownerNameProblems(field: string, value: unknown, what: string, registry?: NameRegistry): string[] {
  const hint = `declare ${what}`;
  const unreal = notRealText(field, value, hint);
  if (unreal) {
    return [unreal];
  }
  const name = value as string;
  if (name.length > OWNER_NAME_MAX) {
    return [`${field} is ${JSON.stringify(name)} (${name.length} characters): at most ${OWNER_NAME_MAX} characters, the limit of AWS cost category values`];
  }
  if (!OWNER_NAME_PATTERN.test(name) || name !== name.trim()) {
    return [`${field} is ${JSON.stringify(name)}: it is used as-is as a tag value and cost category value, so it must be ${OWNER_NAME_DESCRIPTION}${notAllowed(name, /[A-Za-z0-9 _-]/)}`];
  }
  if (registry && !registry.names.includes(name)) {
    const suggestion = closest(name, registry.names);
    return [`${field} is ${JSON.stringify(name)}, which is not in the registry "${registry.key}" (${registry.names.join(', ')})${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''} Use a registered name, or add it to the registry in cdk.json`];
  }
  return [];
}

export const TEAM_WHAT = 'the owning team, e.g. "payments"';
export const BUSINESS_UNIT_WHAT = 'the business unit that reviews its value, e.g. "retail"';

/** A service name given explicitly. */
export function serviceNameProblems(field: string, value: unknown, hint: string): string[] {
  const unreal = notRealText(field, value, hint);
  if (unreal) {
    return [unreal];
  }
  const name = value as string;
  if (!SERVICE_NAME_PATTERN.test(name)) {
    return [`${field} is ${JSON.stringify(name)}: it names the service's tag value, budget, dashboard and metrics, so it must be ${SERVICE_NAME_DESCRIPTION}${name.length > 50 ? ` (it has ${name.length} characters)` : ''}${notAllowed(name, /[A-Za-z0-9_-]/)}`];
  }
  return [];
}

/** `; "&", "/" are not allowed` for the characters of `value` outside `allowed`, or ''. */
function notAllowed(value: string, allowed: RegExp): string {
  const bad = [...new Set([...value].filter((c) => !allowed.test(c)))];
  return bad.length > 0 ? `; ${bad.map((c) => JSON.stringify(c)).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not allowed` : '';
}

const RESOURCE_TYPE = /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/;

/** A list of CloudFormation resource types, e.g. `["AWS::AppRunner::Service"]`. */
export function resourceTypesProblems(field: string, value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    return [`${field} is ${describe(value)}: pass a list of CloudFormation resource types, e.g. ["AWS::AppRunner::Service"]`];
  }
  return value.flatMap((t, i) => (typeof t === 'string' && RESOURCE_TYPE.test(t) ? []
    : [`${field}[${i}] is ${describe(t)}: expected a CloudFormation resource type such as "AWS::AppRunner::Service"`]));
}

/** Where a service stands against its review schedule. */
export interface ReviewSchedule {
  readonly everyDays: number;
  readonly lastReviewed: string;
  readonly nextReview: string;
  /** `ok`, `due-soon` or `overdue` on `today`. */
  readonly status: 'ok' | 'due-soon' | 'overdue';
}

/** The review's schedule on `today`, or undefined when the review is absent or unusable (see `reviewProblems`). */
export function reviewSchedule(review: unknown, today: string): ReviewSchedule | undefined {
  if (!review || typeof review !== 'object') {
    return undefined;
  }
  const r = review as { every?: unknown; lastReviewed?: unknown };
  const days = everyDays(r.every);
  if (days === undefined || typeof r.lastReviewed !== 'string' || !isIsoDate(r.lastReviewed)) {
    return undefined;
  }
  const next = addDays(r.lastReviewed, days);
  return {
    everyDays: days,
    lastReviewed: r.lastReviewed,
    nextReview: next,
    status: reviewStatusOn(next, today),
  };
}


/**
 * The date by which a service whose last review decided to retire it should be gone: the review date plus the grace
 * period; undefined when the last outcome is not "retire".
 */
export function retireBy(review: { readonly lastReviewed: string; readonly outcome?: string } | undefined, graceDays: number): string | undefined {
  return review?.outcome === ValueReviewOutcome.RETIRE.name && isIsoDate(review.lastReviewed) ? addDays(review.lastReviewed, graceDays) : undefined;
}

/** Whole days of a resolved Duration, or undefined. */
function everyDays(every: unknown): number | undefined {
  const d = every as Duration | undefined;
  if (!d || typeof (d as any).toSeconds !== 'function') {
    return undefined;
  }
  const seconds = d.toSeconds({ integral: false });
  return Token.isUnresolved(seconds) ? undefined : Math.round(seconds / 86_400);
}

/** The value review: `{ every, lastReviewed, reviewer?, outcome?, note? }`, not in the future. */
export function reviewProblems(field: string, value: unknown, today: string): string[] {
  if (value === undefined) {
    return [];
  }
  if (value === null || typeof value !== 'object') {
    return [`${field} is ${describe(value)}: pass { every: Duration.days(90), lastReviewed: "2026-10-01", reviewer: "retail-board" }`];
  }
  const problems: string[] = [];
  const r = value as { every?: unknown; lastReviewed?: unknown; reviewer?: unknown; outcome?: unknown; note?: unknown };
  const every = r.every as any;
  if (every === undefined || every === null || typeof every.toDays !== 'function') {
    problems.push(`${field}.every is ${describe(every)}: pass a Duration such as Duration.days(90)`);
  } else if (Token.isUnresolved(every.toSeconds({ integral: false }))) {
    problems.push(`${field}.every is an unresolved token: declarations must be known at synth; pass a literal such as Duration.days(90)`);
  } else {
    const days = every.toSeconds({ integral: false }) / 86400;
    if (!Number.isInteger(days) || days < 1 || days > REVIEW_EVERY_MAX_DAYS) {
      problems.push(`${field}.every is ${every.toHumanString()}: use whole days between 1 and ${REVIEW_EVERY_MAX_DAYS} (e.g. Duration.days(90))`);
    }
  }
  const last = r.lastReviewed;
  if (typeof last !== 'string' || Token.isUnresolved(last)) {
    problems.push(`${field}.lastReviewed is ${describe(last)}: give the date of the last review as YYYY-MM-DD (e.g. "2026-10-01")`);
  } else if (!isIsoDate(last)) {
    problems.push(`${field}.lastReviewed is ${JSON.stringify(last)}: not a date; give the date of the last review as YYYY-MM-DD (e.g. "2026-10-01")`);
  } else if (last > today) {
    problems.push(`${field}.lastReviewed is ${JSON.stringify(last)}, after today (${today}): a review cannot be in the future; give the date of the last review`);
  }
  if (r.reviewer !== undefined) {
    const hint = 'name who reviews the value (e.g. "retail-board"), or leave reviewer out';
    const common = textProblem(`${field}.reviewer`, r.reviewer, hint);
    if (common) {
      problems.push(common);
    } else if (isPlaceholder(r.reviewer as string)) {
      problems.push(`${field}.reviewer is ${JSON.stringify(r.reviewer)}: a placeholder; ${hint}`);
    } else if ((r.reviewer as string).length > REVIEWER_MAX) {
      problems.push(`${field}.reviewer is ${(r.reviewer as string).length} characters long: at most ${REVIEWER_MAX}`);
    }
  }
  problems.push(...outcomeProblems(`${field}.outcome`, r.outcome), ...noteProblems(`${field}.note`, r.note));
  return problems;
}

const OUTCOME_NAMES = () => ValueReviewOutcome.all().map((o) => o.name);

/** The outcome of the last review: a `ValueReviewOutcome`, or absent. */
function outcomeProblems(field: string, value: unknown): string[] {
  if (value === undefined || ValueReviewOutcome.isValueReviewOutcome(value)) {
    return [];
  }
  const names = OUTCOME_NAMES();
  const hint = `pass one of ${names.map((n) => `ValueReviewOutcome.${n.toUpperCase()}`).join(', ')}, or leave outcome out`;
  if (typeof value === 'string' && names.includes(value.trim().toLowerCase())) {
    return [`${field} is ${JSON.stringify(value)} (a string): pass ValueReviewOutcome.${value.trim().toUpperCase()}`];
  }
  return [`${field} is ${describe(value)}: ${hint}`];
}

/** The note on the last review: any text, at most `REVIEW_NOTE_MAX` characters, or absent. */
function noteProblems(field: string, value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  const hint = 'write what the review decided and why in a sentence, or leave note out';
  const common = textProblem(field, value, hint);
  if (common) {
    return [common];
  }
  const note = value as string;
  if (isPlaceholder(note)) {
    return [`${field} is ${JSON.stringify(note)}: a placeholder; ${hint}`];
  }
  if (note.length > REVIEW_NOTE_MAX) {
    return [`${field} is ${note.length} characters long: a note is short (at most ${REVIEW_NOTE_MAX} characters); keep the minutes elsewhere and link them`];
  }
  return [];
}

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
