import { Duration, Token } from 'aws-cdk-lib';
import { Customer, CustomerKind } from '../customer';
import * as fields from './field-rules';
import { describe, NameRegistry, REVIEW_EVERY_MAX_DAYS } from './field-rules';
import { ReviewSchedule, scheduleOn } from './review-dates';
import { isIsoDate } from '../private/iso-date';
import { ValueReviewOutcome } from '../value-review';

/**
 * The rules of a customer-service declaration: every field, what it accepts and the message when it does not.
 *
 * This module and `field-rules.ts` (the value rules of each field, without the CDK) are the only owners of those
 * rules. `CustomerService`, the billing constructs (`declarations` of services deployed from other apps), the nag
 * pack and the assertions all check declarations here; the CLI and the scheduled value review check the records they
 * read back with the same value rules (`record-rules.ts`), so a value is accepted or refused the same way everywhere.
 * Each check returns its problems as messages that name the field (with the caller's prefix, e.g.
 * `declarations[2].team`), the value received and what is accepted. Here the value rules also refuse unresolved
 * tokens (a declaration must be known at synth).
 */

export {
  BUSINESS_UNIT_WHAT, CUSTOMER_NAME_MAX, describe, NEED_EXAMPLE, NEED_MAX, OWNER_NAME_DESCRIPTION, OWNER_NAME_MAX, OWNER_NAME_PATTERN,
  REVIEW_EVERY_MAX_DAYS, REVIEW_NOTE_MAX, REVIEWER_MAX, SERVICE_NAME_DESCRIPTION, SERVICE_NAME_PATTERN, TEAM_WHAT,
} from './field-rules';
export type { NameRegistry } from './field-rules';

/** At synth, a value given as a token cannot be checked (and a declaration must be known then): the value rules refuse it. */
const unresolved = (value: unknown) => Token.isUnresolved(value);

/** The problem of a required text field that is missing, not a string, a token or blank; undefined when fine. */
export function textProblem(field: string, value: unknown, hint: string): string | undefined {
  return fields.textProblem(field, value, hint, unresolved);
}

/** The customer need: a statement of at least three words, any text, at most 1 024 characters. */
export function needProblems(field: string, value: unknown): string[] {
  return fields.needProblems(field, value, unresolved);
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
  return fields.customerNameProblems(`${field} name`, value.kind === CustomerKind.EXTERNAL ? 'external' : 'internal', value.name, unresolved);
}

/**
 * The team or the business unit: tag-safe as-is (it is a tag value and a cost category value), and in the registry
 * when one is given.
 *
 * @param what e.g. `the owning team, e.g. "payments"`
 */
export function ownerNameProblems(field: string, value: unknown, what: string, registry?: NameRegistry): string[] {
  return fields.ownerNameProblems(field, value, what, registry, unresolved);
}

/** A service name given explicitly. */
export function serviceNameProblems(field: string, value: unknown, hint: string): string[] {
  return fields.serviceNameProblems(field, value, hint, unresolved);
}

/** The percentages of a fixed allocation (see `field-rules.ts`). */
export function fixedSharesProblems(field: string, shares: unknown): string[] {
  return fields.fixedSharesProblems(field, shares, unresolved);
}

/** A fixed monthly budget in USD, or absent. */
export function monthlyBudgetProblems(field: string, value: unknown): string[] {
  return fields.monthlyBudgetProblems(field, value, unresolved);
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

/**
 * The schedule of a declared `valueReview` on `today`, or undefined when the review is absent or unusable (see
 * `reviewProblems`).
 */
export function reviewSchedule(review: unknown, today: string): ReviewSchedule | undefined {
  if (!review || typeof review !== 'object') {
    return undefined;
  }
  const r = review as { every?: unknown; lastReviewed?: unknown };
  const days = everyDays(r.every);
  if (days === undefined || typeof r.lastReviewed !== 'string' || !isIsoDate(r.lastReviewed)) {
    return undefined;
  }
  return scheduleOn(days, r.lastReviewed, today);
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
    if (!fields.isReviewInterval(days)) {
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
  problems.push(
    ...fields.reviewerProblems(`${field}.reviewer`, r.reviewer, unresolved),
    ...outcomeProblems(`${field}.outcome`, r.outcome),
    ...fields.noteProblems(`${field}.note`, r.note, unresolved),
  );
  return problems;
}

const OUTCOME_NAMES = fields.reviewOutcomeNames;

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

