import { chargeTypeNames } from './attribution-charges';
import {
  ATTRIBUTION_METADATA_SCHEMA, ATTRIBUTION_METADATA_TYPE, ATTRIBUTION_RULE_KINDS, ATTRIBUTION_TARGET_KINDS, AttributionMatchRecord,
  AttributionRuleKind, AttributionRuleRecord, AttributionTargetKind,
} from './attribution-record';
import {
  BUSINESS_UNIT_WHAT, describe, fixedSharesProblems, NameRegistry, NO_TOKENS, ownerNameProblems, serviceNameProblems, Unresolved,
} from './field-rules';
import { closest } from '../private/placeholders';

/**
 * The rules of an attribution rule set, free of aws-cdk-lib: what each field of a `customer-value:attribution` record
 * accepts. The `AttributionRules` construct builds its record from the declaration and checks it here (with
 * `unresolved` telling CDK tokens), and the CLI checks every record it reads back from a cloud assembly with the same
 * function: one implementation, so a rule is accepted or refused the same way wherever it is checked. The semantics:
 * docs/attribution.md.
 */

/** A rule set's or a rule's name: it names the rule in reports, warnings and cost category values. */
export const RULE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
export const RULE_NAME_DESCRIPTION = '1-40 ASCII letters, digits, _ and -, starting with a letter or digit';
/** Precedence of a rule set: whole numbers in this range. */
export const MAX_PRECEDENCE = 1000;
/** Rules in one rule set at most (a cost category holds 500 rules; a set beyond 1 000 is a mistake). */
export const MAX_RULES = 1000;
/** AWS account ids are 12 digits. */
const AWS_ACCOUNT_ID = /^\d{12}$/;
/** A FOCUS sub-account id of another provider: any printable text without `*` (exact match). */
const SUB_ACCOUNT_ID = /^[^\s*\u0000-\u001f\u007f][^*\u0000-\u001f\u007f]*$/;
const ALLOCATION_METHODS = ['proportional', 'even', 'fixed'];

/** What each pattern field accepts. */
interface PatternField {
  readonly what: string;
  readonly max: number;
  /** The characters a value may hold, `*` included. */
  readonly chars: RegExp;
  readonly charsDescription: string;
  readonly example: string;
}

const PATTERN_FIELDS: Record<'stacks' | 'serviceCodes' | 'usageTypes' | 'resources', PatternField> = {
  stacks: {
    what: 'a CloudFormation stack name',
    max: 128,
    chars: /^[A-Za-z*][A-Za-z0-9*-]*$/,
    charsDescription: 'ASCII letters, digits and -, starting with a letter (CloudFormation stack names), and * for any run of characters',
    example: '"Shop-Prod" or "Shop-*"',
  },
  serviceCodes: {
    what: 'a product / service code',
    max: 128,
    chars: /^[A-Za-z0-9._*-]+$/,
    charsDescription: 'ASCII letters, digits, . _ and -, and * for any run of characters',
    example: '"AmazonEC2" or "AWSSupport*"',
  },
  usageTypes: {
    what: 'a usage type',
    max: 256,
    chars: /^[\x21-\x7e]+$/,
    charsDescription: 'printable ASCII without spaces, and * for any run of characters',
    example: '"USE1-DataTransfer-Out-Bytes" or "*DataTransfer*"',
  },
  resources: {
    what: 'a resource id or ARN',
    max: 2048,
    chars: /^[\x21-\x7e]+$/,
    charsDescription: 'printable ASCII without spaces, and * for any run of characters',
    example: '"arn:aws:s3:::shop-assets" or "i-0abc*"',
  },
};

/** The options of a check. */
export interface AttributionCheckOptions {
  /** Tells an unresolved CDK token (at synth); records read back hold none. */
  readonly unresolved?: Unresolved;
  /** The business-unit registry (`customer-value:businessUnits`), when the app has one. */
  readonly businessUnits?: NameRegistry;
}

/**
 * Every problem of a `customer-value:attribution` record, each naming the field, the value and what is accepted; empty
 * when the record is sound. The shape comes first: when it is wrong, the values are not looked at.
 */
export function attributionRecordProblems(data: unknown, options: AttributionCheckOptions = {}): string[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [`the record is ${describe(data)}, expected an object`];
  }
  const r = data as Record<string, any>;
  if (typeof r.schemaVersion !== 'number') {
    return [`schemaVersion is ${describe(r.schemaVersion)}: expected the number of the record's schema (${ATTRIBUTION_METADATA_SCHEMA})`];
  }
  if (r.schemaVersion > ATTRIBUTION_METADATA_SCHEMA) {
    return [`schemaVersion is ${r.schemaVersion}, this version of cdk-customer-value reads up to ${ATTRIBUTION_METADATA_SCHEMA}: upgrade cdk-customer-value`];
  }
  const problems: string[] = [];
  for (const f of ['constructPath', 'stackName']) {
    if (typeof r[f] !== 'string') {
      problems.push(`${f} is ${r[f] === undefined ? 'missing' : `${describe(r[f])}, not a string`}`);
    }
  }
  problems.push(...ruleNameProblems('ruleSet', r.ruleSet, 'name the rule set, e.g. "shared-costs"', options.unresolved));
  problems.push(...precedenceProblems('precedence', r.precedence));
  if (!Array.isArray(r.rules)) {
    problems.push(`rules is ${describe(r.rules)}: expected the list of rules`);
    return problems;
  }
  if (r.rules.length > MAX_RULES) {
    problems.push(`rules holds ${r.rules.length} rules: a rule set holds at most ${MAX_RULES}; split it into several rule sets`);
  }
  const names = new Map<string, number>();
  r.rules.forEach((rule: unknown, i: number) => {
    const name = (rule as { name?: unknown } | null)?.name;
    const at = `rules[${i}]${typeof name === 'string' && name !== '' ? ` (${JSON.stringify(name)})` : ''}`;
    problems.push(...ruleProblems(at, rule, options));
    if (typeof name === 'string') {
      const first = names.get(name);
      if (first !== undefined) {
        problems.push(`${at}: the name ${JSON.stringify(name)} is already the name of rules[${first}]: a rule's name is unique in its rule set `
          + '(reports and warnings name rules by it); name one of them otherwise');
      } else {
        names.set(name, i);
      }
    }
  });
  return problems;
}

/** The message refusing a record read back: where, the rule set, and its first problem (with how many more). */
export function refusedAttributionRecord(problems: readonly string[], ruleSet: unknown, where: string): string {
  const set = typeof ruleSet === 'string' && ruleSet.trim() !== '' ? `rule set "${ruleSet}"` : 'a rule set';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})` : '';
  const newer = problems[0].startsWith('schemaVersion');
  return `the ${ATTRIBUTION_METADATA_TYPE} record of ${set} in ${where} is refused: ${problems[0]}${more}`
    + `${newer ? '' : '; records are written by "cdk synth": correct the rules in the app and synthesize it again, never edit them'}`;
}

/** A rule set's or a rule's name. */
export function ruleNameProblems(field: string, value: unknown, hint: string, unresolved: Unresolved = NO_TOKENS): string[] {
  if (typeof value !== 'string') {
    return [`${field} is ${describe(value)}: ${hint} (${RULE_NAME_DESCRIPTION})`];
  }
  if (unresolved(value)) {
    return [`${field} is an unresolved token (${value}): rules must be known at synth; ${hint}`];
  }
  if (!RULE_NAME_PATTERN.test(value)) {
    return [`${field} is ${JSON.stringify(value)}: a name is ${RULE_NAME_DESCRIPTION}; ${hint}`];
  }
  return [];
}

/** A rule set's precedence: a whole number from 0 to `MAX_PRECEDENCE`. */
export function precedenceProblems(field: string, value: unknown): string[] {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_PRECEDENCE ? []
    : [`${field} is ${describe(value)}: expected a whole number from 0 to ${MAX_PRECEDENCE} (rule sets with a lower precedence are evaluated first)`];
}

/** What kinds of target each kind of rule takes. */
const TARGETS_OF: Record<AttributionRuleKind, readonly AttributionTargetKind[]> = {
  'accounts': ['service', 'services', 'business-unit', 'everyone'],
  'stacks': ['service', 'services', 'business-unit', 'everyone', 'stack-services'],
  'declared-stacks': ['stack-services'],
  'charges': ['service', 'services', 'business-unit', 'everyone'],
  'resources': ['service', 'services', 'business-unit', 'everyone'],
};

/** The match fields each kind of rule takes (at least one of them is required). */
const FIELDS_OF: Record<AttributionRuleKind, ReadonlyArray<keyof AttributionMatchRecord>> = {
  'accounts': ['accounts'],
  'stacks': ['stacks'],
  'declared-stacks': [],
  'charges': ['chargeTypes', 'serviceCodes', 'usageTypes'],
  'resources': ['resources'],
};

function ruleProblems(at: string, rule: unknown, options: AttributionCheckOptions): string[] {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    return [`${at} is ${describe(rule)}: expected a rule {name, kind, match, target}`];
  }
  const r = rule as Record<string, any>;
  const problems = ruleNameProblems(`${at}.name`, r.name, 'name the rule, e.g. "support"', options.unresolved);
  if (!ATTRIBUTION_RULE_KINDS.includes(r.kind)) {
    problems.push(`${at}.kind is ${describe(r.kind)}: expected one of ${ATTRIBUTION_RULE_KINDS.join(', ')}`);
    return problems;
  }
  const kind = r.kind as AttributionRuleKind;
  problems.push(...matchProblems(`${at}.match`, kind, r.match, options.unresolved ?? NO_TOKENS));
  problems.push(...targetProblems(`${at}.target`, kind, r.target, options));
  return problems;
}

function matchProblems(at: string, kind: AttributionRuleKind, match: unknown, unresolved: Unresolved): string[] {
  if (typeof match !== 'object' || match === null || Array.isArray(match)) {
    return [`${at} is ${describe(match)}: expected the criteria of the rule`];
  }
  const m = match as Record<string, unknown>;
  const allowed = FIELDS_OF[kind];
  const problems: string[] = [];
  for (const [field, value] of Object.entries(m)) {
    if (value !== undefined && !(allowed as readonly string[]).includes(field)) {
      problems.push(`${at}.${field} is set, but a rule of kind ${kind} matches ${allowed.length === 0 ? 'nothing itself (every stack of the assemblies)' : `on ${allowed.join(', ')}`} only`);
    }
  }
  const given = allowed.filter((f) => m[f] !== undefined);
  if (allowed.length > 0 && given.length === 0) {
    problems.push(`${at} has no criterion: a rule of kind ${kind} matches on ${allowed.join(' and/or ')}; give at least one value`);
  }
  for (const field of given) {
    const list = m[field];
    const f = `${at}.${field}`;
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${f} is ${describe(list)}: expected a non-empty list`);
      continue;
    }
    const seen = new Set<unknown>();
    list.forEach((value, i) => {
      if (seen.has(value)) {
        problems.push(`${f}[${i}] is ${describe(value)}, listed twice: list each value once`);
      }
      seen.add(value);
      if (typeof value === 'string' && unresolved(value)) {
        problems.push(`${f}[${i}] is an unresolved token (${value}): rules must be known at synth, because cost categories and reports depend on them; pass a literal`);
        return;
      }
      if (field === 'accounts') {
        problems.push(...accountProblems(`${f}[${i}]`, value));
      } else if (field === 'chargeTypes') {
        problems.push(...chargeTypeProblems(`${f}[${i}]`, value));
      } else {
        problems.push(...patternProblems(`${f}[${i}]`, value, PATTERN_FIELDS[field as keyof typeof PATTERN_FIELDS]));
      }
    });
  }
  return problems;
}

/** An AWS account id (12 digits) or a FOCUS sub-account id of another provider. */
export function accountProblems(field: string, value: unknown): string[] {
  if (typeof value !== 'string') {
    return [`${field} is ${describe(value)}: pass an AWS account id as a string of 12 digits (e.g. "111122223333"), or a FOCUS sub-account id`];
  }
  if (/^\d+$/.test(value)) {
    return AWS_ACCOUNT_ID.test(value) ? []
      : [`${field} is ${JSON.stringify(value)} (${value.length} digits): an AWS account id has 12 digits, leading zeros included (e.g. "012345678901")`];
  }
  if (value.length > 256 || !SUB_ACCOUNT_ID.test(value) || value !== value.trim()) {
    return [`${field} is ${describe(value)}: expected an AWS account id (12 digits) or a FOCUS sub-account id (1-256 printable characters without * and `
      + 'without leading or trailing spaces, matched exactly)'];
  }
  return [];
}

function chargeTypeProblems(field: string, value: unknown): string[] {
  const names = chargeTypeNames();
  if (typeof value === 'string' && names.includes(value)) {
    return [];
  }
  const suggestion = typeof value === 'string' ? closest(value, names) : undefined;
  return [`${field} is ${describe(value)}: expected one of ${names.join(', ')} (ChargeType)${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}`];
}

function patternProblems(field: string, value: unknown, spec: PatternField): string[] {
  if (typeof value !== 'string' || value.length === 0) {
    return [`${field} is ${describe(value)}: expected ${spec.what}, e.g. ${spec.example}`];
  }
  if (value.length > spec.max) {
    return [`${field} is ${value.length} characters long: ${spec.what} has at most ${spec.max}`];
  }
  if (!spec.chars.test(value)) {
    return [`${field} is ${JSON.stringify(value)}: ${spec.what} holds ${spec.charsDescription} (e.g. ${spec.example})`];
  }
  if (/^\*+$/.test(value)) {
    return [`${field} is ${JSON.stringify(value)}: a pattern of * alone matches every line item; name what the rule is for (e.g. ${spec.example}), and `
      + 'leave the rest to the coverage report, which says why each dollar is unattributed'];
  }
  return [];
}

function targetProblems(at: string, kind: AttributionRuleKind, target: unknown, options: AttributionCheckOptions): string[] {
  if (typeof target !== 'object' || target === null || Array.isArray(target)) {
    return [`${at} is ${describe(target)}: expected where the spend goes {kind, services, businessUnit, allocation}`];
  }
  const t = target as Record<string, any>;
  if (!ATTRIBUTION_TARGET_KINDS.includes(t.kind)) {
    return [`${at}.kind is ${describe(t.kind)}: expected one of ${ATTRIBUTION_TARGET_KINDS.join(', ')}`];
  }
  const targetKind = t.kind as AttributionTargetKind;
  if (!TARGETS_OF[kind].includes(targetKind)) {
    return [`${at} is ${targetKind}, which a rule of kind ${kind} does not take: ${kind === 'declared-stacks'
      ? 'every declared stack goes to the services declared in it'
      : 'only a stack rule can send its spend to the services of the stack'}; accepted: ${TARGETS_OF[kind].join(', ')}`];
  }
  const problems: string[] = [];
  const services = t.services;
  const serviceList = (min: number) => {
    if (!Array.isArray(services) || services.length < min) {
      problems.push(`${at}.services is ${describe(services)}: expected ${min === 1 ? 'one service name' : `at least ${min} service names`}`);
      return [] as string[];
    }
    services.forEach((name: unknown, i: number) => {
      problems.push(...serviceNameProblems(`${at}.services[${i}]`, name, 'name a service, as its service tag value (e.g. "checkout")', options.unresolved));
      if (services.indexOf(name) !== i) {
        problems.push(`${at}.services[${i}] is ${describe(name)}, listed twice: list each service once`);
      }
    });
    return services as string[];
  };
  if (targetKind === 'service') {
    const list = serviceList(1);
    if (list.length > 1) {
      problems.push(`${at}.services holds ${list.length} names: a target of kind service is one service; split over several with kind services`);
    }
    if (t.allocation !== undefined) {
      problems.push(`${at}.allocation is set, but one service takes the whole amount: leave it out, or split over several services`);
    }
    return problems;
  }
  if (targetKind === 'services') {
    serviceList(2);
  } else if (services !== undefined) {
    problems.push(`${at}.services is set, but a target of kind ${targetKind} finds its services itself (in the cloud assemblies read)`);
  }
  if (targetKind === 'business-unit') {
    problems.push(...ownerNameProblems(`${at}.businessUnit`, t.businessUnit, BUSINESS_UNIT_WHAT, options.businessUnits, options.unresolved));
  } else if (t.businessUnit !== undefined) {
    problems.push(`${at}.businessUnit is set, but only a target of kind business-unit takes one`);
  }
  problems.push(...allocationRecordProblems(`${at}.allocation`, targetKind, t.allocation, Array.isArray(services) ? services : [], options.unresolved));
  return problems;
}

/**
 * The split: proportional or even for every target; fixed only among named services, with a share for each of them
 * and for nobody else (a business unit's or everyone's services are known only to the CLI, per billing month).
 */
function allocationRecordProblems(field: string, targetKind: AttributionTargetKind, a: unknown, services: readonly unknown[],
  unresolved: Unresolved = NO_TOKENS): string[] {
  if (typeof a !== 'object' || a === null || !ALLOCATION_METHODS.includes((a as { method?: unknown }).method as string)) {
    return [`${field} is ${describe(a)}: expected {method: proportional | even | fixed, percentages}`];
  }
  const { method, percentages } = a as { method: string; percentages?: unknown };
  if (method !== 'fixed') {
    return percentages === undefined ? [] : [`${field}.percentages is set, but the method is ${method}: only a fixed allocation has percentages`];
  }
  if (targetKind !== 'services') {
    return [`${field} is fixed, but the target is ${targetKind === 'business-unit' ? 'a business unit\'s services' : targetKind === 'everyone'
      ? 'every service' : 'the services of the stack'}, which are known only when the cost is read: name the services with their percentages `
      + '(AttributionTarget.services([...], Allocation.fixed({...}))), or split proportionally or evenly'];
  }
  const problems = fixedSharesProblems(field, percentages, unresolved);
  if (problems.length > 0) {
    return problems;
  }
  const keys = Object.keys(percentages as object);
  const missing = services.filter((s) => typeof s === 'string' && !keys.includes(s));
  const extra = keys.filter((k) => !services.includes(k));
  if (missing.length > 0 || extra.length > 0) {
    problems.push(`${field} gives percentages to ${keys.join(', ')} but the target's services are ${services.join(', ')}: give each `
      + 'service of the target its percentage, and nobody else');
  }
  return problems;
}

/** Whether the pattern (with `*` for any run of characters) matches the whole of `value`, case-sensitively. */
export function matchesPattern(pattern: string, value: string): boolean {
  return patternRegExp(pattern).test(value);
}

/** The regular expression of a pattern: `*` is any run of characters, everything else is literal; anchored. */
export function patternRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}

/** Whether a pattern holds a wildcard. */
export function isPattern(value: string): boolean {
  return value.includes('*');
}

/** Two rules of one rule set where the later one matches nothing the earlier one leaves, or some of it. */
export interface RuleOverlap {
  /** The earlier rule: it attributes what both match. */
  readonly first: string;
  /** The later rule. */
  readonly second: string;
  /** Whether everything the later rule matches is matched by the earlier one (it can never attribute anything). */
  readonly shadowed: boolean;
  /** What both match, for the message. */
  readonly what: string;
}

/**
 * Overlaps that can be told from the rules alone: a later rule whose every criterion is implied by an earlier rule's
 * (shadowed: it never attributes anything), and two rules of the same kind that name the same value in their one field.
 * Overlaps that depend on the data (an account rule and a charge rule that both match the tax of that account) are
 * found by the cost engine on the line items themselves.
 */
export function ruleOverlaps(rules: readonly AttributionRuleRecord[]): RuleOverlap[] {
  const found: RuleOverlap[] = [];
  for (let j = 1; j < rules.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = rules[i];
      const b = rules[j];
      if (a.kind !== b.kind || a.kind === 'declared-stacks') {
        if (a.kind === 'declared-stacks' && b.kind === 'declared-stacks') {
          found.push({ first: a.name, second: b.name, shadowed: true, what: 'every declared stack' });
        }
        continue;
      }
      const fields = FIELDS_OF[a.kind].filter((f) => a.match[f] !== undefined || b.match[f] !== undefined);
      if (fields.every((f) => implies(f, b.match[f], a.match[f]))) {
        found.push({ first: a.name, second: b.name, shadowed: true, what: fields.map((f) => `${f} ${(b.match[f] ?? []).join(', ')}`).join(' and ') });
        break;
      }
      if (fields.length === 1) {
        const f = fields[0];
        const common = (b.match[f] ?? []).filter((v) => (a.match[f] ?? []).some((p) => p === v || (f !== 'accounts' && f !== 'chargeTypes' && !isPattern(v) && matchesPattern(p, v))));
        if (common.length > 0) {
          found.push({ first: a.name, second: b.name, shadowed: false, what: `${f} ${common.join(', ')}` });
        }
      }
    }
  }
  return found;
}

/**
 * Whether a line item matching `later` on a field always matches `earlier` on it: the earlier rule does not constrain
 * the field, or each of the later values is one of the earlier values or a literal an earlier pattern matches.
 */
function implies(field: keyof AttributionMatchRecord, later: readonly string[] | undefined, earlier: readonly string[] | undefined): boolean {
  if (earlier === undefined) {
    return true;
  }
  if (later === undefined) {
    return false;
  }
  const exact = field === 'accounts' || field === 'chargeTypes';
  return later.every((v) => earlier.some((p) => p === v || (!exact && !isPattern(v) && matchesPattern(p, v))));
}
