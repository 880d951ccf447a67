import { describe } from '../private/describe';
import { closest, isPlaceholder, words } from '../private/placeholders';
// type-only use of aws-cdk-lib there: loading it loads no CDK (test/lambda-bundles.test.ts)
import { ValueReviewOutcome } from '../value-review';

/**
 * The value rules of each declared field, without the CDK: what a field accepts and the message when it does not.
 * `rules.ts` (the construct, the billing declarations, the nag pack, the assertions) and `record-rules.ts` (the
 * records the CLI and the scheduled value review read back) both apply these functions, so a value is accepted or
 * refused the same way whoever checks it. Kept free of aws-cdk-lib so that code running outside synthesis (the CLI,
 * the Lambda handlers) can load it: a check that must tell an unresolved CDK token is given `unresolved`
 * (`Token.isUnresolved`) by `rules.ts`; values read back from JSON are never tokens.
 */

/** Tells an unresolved CDK token (`Token.isUnresolved` at synth). */
export type Unresolved = (value: unknown) => boolean;

/** Values read back from a cloud assembly or a JSON file: never tokens. */
export const NO_TOKENS: Unresolved = () => false;

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
/** Longest review note. */
export const REVIEW_NOTE_MAX = 500;
/** Budget amounts are sent as decimal strings (`([0-9]*\.)?[0-9]+`): keep them out of exponent notation. */
export const MIN_BUDGET = 0.01;
export const MAX_BUDGET = 1e12;
/** Percentages of a fixed allocation add up to 100 within this tolerance. */
const PERCENT_TOLERANCE = 1e-6;

export const TEAM_WHAT = 'the owning team, e.g. "payments"';
export const BUSINESS_UNIT_WHAT = 'the business unit that reviews its value, e.g. "retail"';

/** A value as it appears in a message (one implementation, in src/private/ where every layer may use it). */
export { describe };

/** The problem of a required text field that is missing, not a string, a token or blank; undefined when fine. */
export function textProblem(field: string, value: unknown, hint: string, unresolved: Unresolved = NO_TOKENS): string | undefined {
  if (value === undefined || value === null) {
    return `${field} is missing: ${hint}`;
  }
  if (typeof value !== 'string') {
    return `${field} is ${describe(value)}, not a string: ${hint}`;
  }
  if (unresolved(value)) {
    return `${field} is an unresolved token (${value}): declarations must be known at synth, because budgets, cost categories and reports depend on them; pass a literal string`;
  }
  if (value.trim().length === 0) {
    return `${field} is ${value.length === 0 ? 'empty' : 'blank'}: ${hint}`;
  }
  return undefined;
}

/** The problem of a text that is missing, not a string, a token, blank or a placeholder; undefined when it is real. */
function notRealText(field: string, value: unknown, hint: string, unresolved: Unresolved): string | undefined {
  return textProblem(field, value, hint, unresolved)
    ?? (isPlaceholder(value as string) ? `${field} is ${JSON.stringify(value)}: a placeholder; ${hint}` : undefined);
}

/** The customer need: a statement of at least three words, any text, at most 1 024 characters. */
export function needProblems(field: string, value: unknown, unresolved: Unresolved = NO_TOKENS): string[] {
  const hint = `declare the customer need this service fulfils, as a sentence ${NEED_EXAMPLE}`;
  const common = textProblem(field, value, hint, unresolved);
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

/** The name of an external or internal customer (`kind` is `external` or `internal`). */
export function customerNameProblems(field: string, kind: string, name: unknown, unresolved: Unresolved = NO_TOKENS): string[] {
  const nameHint = `name the ${kind} customer, e.g. Customer.${kind}(${kind === 'external' ? '"Online shoppers"' : '"Finance controlling"'})`;
  return realTextProblems(field, name, nameHint, unresolved,
    { max: CUSTOMER_NAME_MAX, tooLong: (n) => `${n} characters long: at most ${CUSTOMER_NAME_MAX} characters; ${nameHint}` });
}

/**
 * A text that must be real: not missing, a token, blank or a placeholder, and at most `max` characters (`tooLong`
 * says what follows "is" when it is longer).
 */
function realTextProblems(field: string, value: unknown, hint: string, unresolved: Unresolved,
  limit: { readonly max: number; readonly tooLong: (length: number) => string }): string[] {
  const common = textProblem(field, value, hint, unresolved);
  if (common) {
    return [common];
  }
  const text = value as string;
  if (isPlaceholder(text)) {
    return [`${field} is ${JSON.stringify(text)}: a placeholder; ${hint}`];
  }
  if (text.length > limit.max) {
    return [`${field} is ${limit.tooLong(text.length)}`];
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
export function ownerNameProblems(field: string, value: unknown, what: string, registry?: NameRegistry,
  unresolved: Unresolved = NO_TOKENS): string[] {
  const hint = `declare ${what}`;
  const unreal = notRealText(field, value, hint, unresolved);
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

/** A service name given explicitly. */
export function serviceNameProblems(field: string, value: unknown, hint: string, unresolved: Unresolved = NO_TOKENS): string[] {
  const unreal = notRealText(field, value, hint, unresolved);
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

/** Whether a review interval in days is accepted: whole days from 1 to `REVIEW_EVERY_MAX_DAYS`. */
export function isReviewInterval(days: number): boolean {
  return Number.isInteger(days) && days >= 1 && days <= REVIEW_EVERY_MAX_DAYS;
}

/** Whether a unit scale (cost per how many units) is accepted: a positive, finite number. */
export function isUnitScale(scale: number): boolean {
  return Number.isFinite(scale) && scale > 0;
}

/** Who reviews the value: any real text, at most `REVIEWER_MAX` characters, or absent. */
export function reviewerProblems(field: string, value: unknown, unresolved: Unresolved = NO_TOKENS): string[] {
  return value === undefined ? [] : realTextProblems(field, value, 'name who reviews the value (e.g. "retail-board"), or leave reviewer out',
    unresolved, { max: REVIEWER_MAX, tooLong: (n) => `${n} characters long: at most ${REVIEWER_MAX}` });
}

/** The note on the last review: any text, at most `REVIEW_NOTE_MAX` characters, or absent. */
export function noteProblems(field: string, value: unknown, unresolved: Unresolved = NO_TOKENS): string[] {
  return value === undefined ? [] : realTextProblems(field, value, 'write what the review decided and why in a sentence, or leave note out',
    unresolved, {
      max: REVIEW_NOTE_MAX,
      tooLong: (n) => `${n} characters long: a note is short (at most ${REVIEW_NOTE_MAX} characters); keep the minutes elsewhere and link them`,
    });
}

/** The names of the outcomes of a value review (`ValueReviewOutcome.name`), as records hold them. */
export function reviewOutcomeNames(): string[] {
  return ValueReviewOutcome.all().map((o) => o.name);
}

/**
 * The percentages of a fixed allocation: keyed by service names, each greater than 0 and at most 100, adding up to
 * 100.
 */
export function fixedSharesProblems(field: string, shares: unknown, unresolved: Unresolved = NO_TOKENS): string[] {
  if (shares === null || typeof shares !== 'object' || Array.isArray(shares)) {
    return [`${field} is Allocation.fixed(${describe(shares)}): pass the percentages keyed by service name, e.g. Allocation.fixed({ checkout: 60, search: 40 })`];
  }
  const entries = Object.entries(shares as Record<string, unknown>);
  if (entries.length === 0) {
    return [`${field} is Allocation.fixed({}): name at least one service and its percentage, e.g. Allocation.fixed({ checkout: 60, search: 40 })`];
  }
  const problems: string[] = [];
  let sum = 0;
  for (const [name, pct] of entries) {
    const at = `${field} share of ${JSON.stringify(name)}`;
    if (unresolved(name)) {
      problems.push(`${field} names a service with an unresolved token (${name}): declarations must be known at synth; use the literal service name`);
      continue;
    }
    if (!SERVICE_NAME_PATTERN.test(name)) {
      problems.push(`${field} names ${JSON.stringify(name)}, which is not a service name (${SERVICE_NAME_DESCRIPTION}): key each percentage by the name of a consuming service`);
    }
    if (typeof pct !== 'number' || !Number.isFinite(pct)) {
      problems.push(`${at} is ${describe(pct)}: give a percentage, a number greater than 0 and at most 100`);
    } else if (unresolved(pct)) {
      problems.push(`${at} is an unresolved token: declarations must be known at synth; give a literal percentage`);
    } else if (pct <= 0 || pct > 100) {
      problems.push(`${at} is ${pct}: a percentage is greater than 0 and at most 100${pct <= 0 ? '; leave a service without a share out' : ''}`);
    } else {
      sum += pct;
    }
  }
  if (problems.length === 0 && Math.abs(sum - 100) > PERCENT_TOLERANCE) {
    const listed = entries.map(([n, v]) => `${n} ${v}`).join(' + ');
    problems.push(`${field} percentages add up to ${Math.round(sum * 1e6) / 1e6} (${listed}), not 100: the whole cost is shared, `
      + 'so make them add up to 100');
  }
  return problems;
}

/** A fixed monthly budget in USD: positive and finite, from `MIN_BUDGET` to `MAX_BUDGET`, or absent. */
export function monthlyBudgetProblems(field: string, value: unknown, unresolved: Unresolved = NO_TOKENS): string[] {
  if (value === undefined) {
    return [];
  }
  if (typeof value !== 'number' || unresolved(value) || !Number.isFinite(value) || value < MIN_BUDGET || value > MAX_BUDGET) {
    return [`${field} is ${describe(value)}: expected an amount in USD, positive and finite, from ${MIN_BUDGET} to ${MAX_BUDGET} (e.g. 500), or leave it out for an auto-adjusting budget`];
  }
  return [];
}
