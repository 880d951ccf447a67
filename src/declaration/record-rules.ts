import {
  BUSINESS_UNIT_WHAT, customerNameProblems, describe, fixedSharesProblems, isReviewInterval, isUnitScale, monthlyBudgetProblems, needProblems,
  noteProblems, ownerNameProblems, reviewerProblems, reviewOutcomeNames, SERVICE_NAME_DESCRIPTION, serviceNameProblems, TEAM_WHAT,
} from './field-rules';
import { SERVICE_METADATA_SCHEMA, SERVICE_METADATA_TYPE } from './record';
import { nextReviewDate, reviewStatusOn } from './review-dates';
import { isIsoDate } from '../private/iso-date';
import { isTagSafe, MAX_TAG_VALUE_LENGTH } from '../private/tag-safe';
import { TagKeys } from '../tag-keys';

/**
 * The `customer-value:service` records read back (from a cloud assembly by the CLI, from the declarations shipped to
 * the scheduled value review), checked with the rules the construct applied when it wrote them (`field-rules.ts`):
 * a record edited by hand, or written by a broken tool, is refused, never trusted. A fixed allocation of 90 % + 90 %
 * would make fully-loaded cost larger than the bill, 150 % / -50 % would give a consumer a negative cost, a review
 * date that is not a date would show as "ok". Free of aws-cdk-lib: the scheduled function loads it.
 */

/** What kind of record is checked. */
export interface RecordCheckOptions {
  /**
   * A record shipped to `ValueReviewReports`' function: no resource counts, a review without its synth-time status,
   * and services declared by value in another app (no stack, possibly no customer). @default false
   */
  readonly shipped?: boolean;
}

/** The review statuses a record holds (`ValueReviewRecord.status`). */
const REVIEW_STATUSES = ['ok', 'due-soon', 'overdue'];
/** The customer of a service declared by value in another app without one (`ValueReviewReports` declarations). */
const CUSTOMER_NOT_DECLARED = 'not declared';
const CUSTOMER_KINDS = ['external', 'internal'];
const ALLOCATION_METHODS = ['proportional', 'even', 'fixed'];

/**
 * Every problem of a record, each naming the field, the value and what is accepted; empty when the record is sound.
 * The shape comes first: when it is wrong, the values are not looked at.
 */
export function recordProblems(data: unknown, options: RecordCheckOptions = {}): string[] {
  const shape = shapeProblems(data, options);
  if (shape.length > 0) {
    return shape;
  }
  const r = data as Record<string, any>;
  return [
    ...serviceNameProblems('serviceName', r.serviceName, `the service's name, as its service tag value (${SERVICE_NAME_DESCRIPTION})`),
    ...needProblems('customerNeed', r.customerNeed),
    ...customerProblems(r.customer, options),
    ...ownerNameProblems('team', r.team, TEAM_WHAT),
    ...ownerNameProblems('businessUnit', r.businessUnit, BUSINESS_UNIT_WHAT),
    ...tagProblems(r),
    ...reviewProblems(r.valueReview, options),
    ...reportingProblems(r.costReporting),
    ...chainProblems(r),
    ...(options.shipped ? [] : resourceProblems(r.resources)),
  ];
}

/** The message refusing a record: where it was read, the service, and its first problem (with how many more). */
export function refusedRecord(problems: readonly string[], serviceName: unknown, where: string): string {
  const service = typeof serviceName === 'string' && serviceName.trim() !== '' ? `service "${serviceName}"` : 'a service';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})` : '';
  const newer = problems[0].startsWith('schemaVersion');
  return `the ${SERVICE_METADATA_TYPE} record of ${service} in ${where} is refused: ${problems[0]}${more}`
    + `${newer ? '' : '; records are written by "cdk synth": correct the declaration in the app and synthesize it again, never edit them'}`;
}

/** The structure: the fields a reader relies on exist with the right types. */
function shapeProblems(data: unknown, options: RecordCheckOptions): string[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [`the record is ${describe(data)}, expected an object`];
  }
  const r = data as Record<string, any>;
  if (typeof r.schemaVersion !== 'number') {
    return [`schemaVersion is ${describe(r.schemaVersion)}: expected the number of the record's schema (${SERVICE_METADATA_SCHEMA})`];
  }
  if (r.schemaVersion > SERVICE_METADATA_SCHEMA) {
    return [`schemaVersion is ${r.schemaVersion}, this version of cdk-customer-value reads up to ${SERVICE_METADATA_SCHEMA}: upgrade cdk-customer-value`];
  }
  const problems: string[] = [];
  for (const f of ['serviceName', 'customerNeed', 'team', 'businessUnit', 'stackName', 'constructPath']) {
    if (typeof r[f] !== 'string') {
      problems.push(`${f} is ${r[f] === undefined ? 'missing' : `${describe(r[f])}, not a string`}`);
    }
  }
  if (typeof r.customer !== 'object' || r.customer === null || typeof r.customer.name !== 'string' || typeof r.customer.kind !== 'string') {
    problems.push(`customer is ${describe(r.customer)}: expected {kind, name}`);
  }
  if (typeof r.tagKeys !== 'object' || r.tagKeys === null) {
    problems.push(`tagKeys is ${describe(r.tagKeys)}: expected {service, need, customer, team, businessUnit}`);
  } else {
    for (const f of ['service', 'need', 'customer', 'team', 'businessUnit']) {
      if (typeof r.tagKeys[f] !== 'string') {
        problems.push(`tagKeys.${f} is ${describe(r.tagKeys[f])}: expected the tag key`);
      }
    }
  }
  if (typeof r.tags !== 'object' || r.tags === null || Array.isArray(r.tags)) {
    problems.push(`tags is ${describe(r.tags)}: expected the tags (key to value) on the service's resources`);
  }
  const res = r.resources;
  if (!options.shipped && (typeof res !== 'object' || res === null || ['total', 'taggable', 'tagged'].some((f) => typeof res[f] !== 'number'))) {
    problems.push(`resources is ${describe(res)}: expected {total, taggable, tagged, untaggableByType}`);
  }
  if (typeof r.costReporting !== 'object' || r.costReporting === null || typeof r.costReporting.enabled !== 'boolean') {
    problems.push(`costReporting is ${describe(r.costReporting)}: expected {enabled, ...}`);
  }
  if (r.valueReview !== undefined && (typeof r.valueReview !== 'object' || r.valueReview === null)) {
    problems.push(`valueReview is ${describe(r.valueReview)}: expected {everyDays, lastReviewed, nextReview, ...}`);
  }
  for (const f of ['consumes', 'consumedBy', 'usageMetrics', 'includedScopes']) {
    if (r[f] !== undefined && !Array.isArray(r[f])) {
      problems.push(`${f} is ${describe(r[f])}: expected a list`);
    }
  }
  const a = r.costAllocation;
  if (a !== undefined && (typeof a !== 'object' || a === null || !ALLOCATION_METHODS.includes(a.method))) {
    problems.push(`costAllocation is ${describe(a)}: expected {method: proportional | even | fixed, percentages}`);
  }
  return problems;
}

function customerProblems(customer: { kind: string; name: string }, options: RecordCheckOptions): string[] {
  if (options.shipped && customer.kind === CUSTOMER_NOT_DECLARED) {
    return [];
  }
  if (!CUSTOMER_KINDS.includes(customer.kind)) {
    return [`customer.kind is ${describe(customer.kind)}: expected external or internal`];
  }
  return customerNameProblems('customer.name', customer.kind, customer.name);
}

/**
 * The tags: the service tag is the service name as-is, and so are the team and business-unit tags when the record
 * holds them; every value can be a tag value.
 */
function tagProblems(r: Record<string, any>): string[] {
  const problems: string[] = [];
  for (const [field, value] of [['service', r.serviceName], ['team', r.team], ['businessUnit', r.businessUnit]] as const) {
    const key = r.tagKeys[field];
    if (r.tags[key] !== value && (field === 'service' || r.tags[key] !== undefined)) {
      problems.push(`tags["${key}"] is ${describe(r.tags[key])}: the ${field === 'businessUnit' ? 'business-unit' : field} tag holds `
        + `${field === 'service' ? 'serviceName' : field} as-is (${describe(value)})`);
    }
  }
  for (const [key, value] of Object.entries(r.tags as Record<string, unknown>)) {
    if (typeof value !== 'string' || value.length > MAX_TAG_VALUE_LENGTH || (value !== '' && !isTagSafe(value))) {
      problems.push(`tags["${key}"] is ${describe(value)}: a tag value is at most ${MAX_TAG_VALUE_LENGTH} ASCII letters, digits, spaces and _ . : / = + -`);
    }
  }
  try {
    TagKeys.custom(r.tagKeys);
  } catch (e) {
    problems.push(`tagKeys: ${(e as Error).message.replace(/^TagKeys\.custom: /, '')}`);
  }
  return problems;
}

/** The value review: its dates are dates, the next one follows from the last one and the interval. */
function reviewProblems(review: Record<string, any> | undefined, options: RecordCheckOptions): string[] {
  if (review === undefined) {
    return [];
  }
  const problems: string[] = [];
  const f = (name: string) => `valueReview.${name}`;
  const date = (name: string, value: unknown) => {
    if (typeof value !== 'string' || !isIsoDate(value)) {
      problems.push(`${f(name)} is ${describe(value)}: not a date; expected YYYY-MM-DD (e.g. "2026-10-01")`);
      return false;
    }
    return true;
  };
  const every = review.everyDays;
  const everyOk = typeof every === 'number' && isReviewInterval(every);
  if (!everyOk) {
    problems.push(`${f('everyDays')} is ${describe(every)}: expected whole days from 1 to 731`);
  }
  const lastOk = date('lastReviewed', review.lastReviewed);
  if (date('nextReview', review.nextReview) && lastOk && everyOk && review.nextReview !== nextReviewDate(review.lastReviewed, every)) {
    problems.push(`${f('nextReview')} is ${describe(review.nextReview)}, but the last review (${review.lastReviewed}) plus ${every} days is `
      + `${nextReviewDate(review.lastReviewed, every)}`);
  }
  problems.push(...reviewerProblems(f('reviewer'), review.reviewer));
  if (review.outcome !== undefined && !reviewOutcomeNames().includes(review.outcome)) {
    problems.push(`${f('outcome')} is ${describe(review.outcome)}: expected one of ${reviewOutcomeNames().join(', ')}, or none`);
  }
  problems.push(...noteProblems(f('note'), review.note));
  if (review.retireBy !== undefined) {
    date('retireBy', review.retireBy);
  }
  if (!options.shipped) {
    const checkedOk = date('checkedOn', review.checkedOn);
    if (!REVIEW_STATUSES.includes(review.status)) {
      problems.push(`${f('status')} is ${describe(review.status)}: expected one of ${REVIEW_STATUSES.join(', ')}`);
    } else if (checkedOk && isIsoDate(String(review.nextReview)) && review.status !== reviewStatusOn(review.nextReview, review.checkedOn)) {
      problems.push(`${f('status')} is ${describe(review.status)}, but a review due ${review.nextReview} is `
        + `${reviewStatusOn(review.nextReview, review.checkedOn)} on ${review.checkedOn}, the date the record was written`);
    }
    if (checkedOk && lastOk && review.lastReviewed > review.checkedOn) {
      problems.push(`${f('lastReviewed')} is ${describe(review.lastReviewed)}, after the date the record was written (${review.checkedOn}): `
        + 'a review cannot be in the future');
    }
  }
  return problems;
}

function reportingProblems(reporting: Record<string, any>): string[] {
  const scale = reporting.unitScale;
  return [
    ...monthlyBudgetProblems('costReporting.monthlyBudgetUsd', reporting.monthlyBudgetUsd),
    ...(scale !== undefined && (typeof scale !== 'number' || !isUnitScale(scale))
      ? [`costReporting.unitScale is ${describe(scale)}: expected a positive number such as 1 or 1000`] : []),
  ];
}

/** What the service consumes, its consumers, and how it passes its cost on. */
function chainProblems(r: Record<string, any>): string[] {
  const names = (field: string, list: unknown[] | undefined) => (list ?? []).flatMap((name, i) => {
    const found = serviceNameProblems(`${field}[${i}]`, name, 'name a service, as its service tag value (e.g. "private-network")');
    return found.length > 0 ? found : name === r.serviceName ? [`${field}[${i}] is ${JSON.stringify(name)}, the service itself: a service cannot consume itself`] : [];
  });
  const a = r.costAllocation;
  return [
    ...names('consumes', r.consumes),
    ...names('consumedBy', r.consumedBy),
    ...(a?.method === 'fixed' ? fixedSharesProblems('costAllocation', a.percentages) : []),
  ];
}

function resourceProblems(res: Record<string, any>): string[] {
  return ['total', 'taggable', 'tagged'].filter((f) => !Number.isInteger(res[f]) || res[f] < 0)
    .map((f) => `resources.${f} is ${describe(res[f])}: expected a count (a whole number, 0 or more)`);
}
