import type { Dimension, Expression } from '@aws-sdk/client-cost-explorer';
import { AttributionPlan, OrderedRule } from './rules';
import { chargeTypeDefinition } from '../../declaration/attribution-charges';
import { matchesPattern } from '../../declaration/attribution-record-rules';
import { Decimal } from '../../private/decimal';
import { RuleMatch } from '../query';

/**
 * The attribution rules on Cost Explorer (docs/attribution.md section 7): GetCostAndUsage matches dimension values
 * exactly and groups by at most two of them ("up to two different groups", ce API model `GetCostAndUsageRequest.GroupBy`),
 * so the source asks for the untagged spend grouped by the dimensions the rules need, and the rules are matched here,
 * in the client, first match wins. What Cost Explorer cannot tell is named in one warning per rule, never dropped
 * silently: resource ids (only GetCostAndUsageWithResources, 14 days), Marketplace (BILLING_ENTITY is no GroupBy
 * dimension), service codes without a known SERVICE name, and rules needing a dimension beyond the two group-bys.
 */

/** The tag AWS gives the resources of a CloudFormation stack (an AWS-generated cost allocation tag). */
export const STACK_TAG = 'aws:cloudformation:stack-name';

/** What a rule is matched on: a GroupBy of GetCostAndUsage. */
export interface CeDimension {
  readonly type: 'DIMENSION' | 'TAG';
  readonly key: string;
}

/**
 * Cost Explorer's SERVICE names of the product codes the rules use (SERVICE_CODE "can only be used in
 * CostCategoryRule", ce API model `Dimension`; queries group by SERVICE, the name). AmazonEC2 is two names in Cost
 * Explorer (compute, and "EC2 - Other": volumes, NAT gateways, data transfer...). [unverified: names as the Cost
 * Explorer console shows them, not an AWS table]
 */
export const CE_SERVICE_NAMES: Readonly<Record<string, readonly string[]>> = {
  AmazonEC2: ['Amazon Elastic Compute Cloud - Compute', 'EC2 - Other'],
  AmazonS3: ['Amazon Simple Storage Service'],
  AWSLambda: ['AWS Lambda'],
  AmazonRDS: ['Amazon Relational Database Service'],
  AmazonDynamoDB: ['Amazon DynamoDB'],
  AmazonCloudWatch: ['AmazonCloudWatch'],
  AmazonVPC: ['Amazon Virtual Private Cloud'],
  AWSSupportBusiness: ['AWS Support (Business)'],
  AWSSupportEnterprise: ['AWS Support (Enterprise)'],
  AWSSupportEnterpriseOnRamp: ['AWS Support (Enterprise On-Ramp)'],
  AWSDeveloperSupport: ['AWS Support (Developer)'],
};

const ACCOUNT: CeDimension = { type: 'DIMENSION', key: 'LINKED_ACCOUNT' };
const SERVICE: CeDimension = { type: 'DIMENSION', key: 'SERVICE' };
const USAGE_TYPE: CeDimension = { type: 'DIMENSION', key: 'USAGE_TYPE' };
const RECORD_TYPE: CeDimension = { type: 'DIMENSION', key: 'RECORD_TYPE' };
const STACK: CeDimension = { type: 'TAG', key: STACK_TAG };

const id = (d: CeDimension) => `${d.type}:${d.key}`;

/** The values of one group, by dimension id. */
type GroupValues = ReadonlyMap<string, string>;

/** A rule as Cost Explorer can match it: the dimensions it needs and its test on a group's values. */
interface CeRule {
  readonly index: number;
  readonly dimensions: CeDimension[];
  readonly test: (values: GroupValues) => boolean;
  /** The rule as a filter: every criterion (AND), each any of its alternatives (OR): a dimension and its patterns. */
  readonly criteria: ReadonlyArray<ReadonlyArray<{ d: CeDimension; patterns: readonly string[] }>>;
}

type Criterion = { d: CeDimension; test: (v: GroupValues) => boolean; alts?: Array<{ d: CeDimension; patterns: readonly string[] }> };

/** A criterion: a dimension and what its value must be (any of `values`, patterns with `*`). */
function anyOf(d: CeDimension, values: readonly string[]): Criterion {
  return { d, test: (g) => values.some((p) => matchesPattern(p, g.get(id(d)) ?? '')), alts: [{ d, patterns: values }] };
}

/** How Cost Explorer matches a rule, or why it cannot. */
function ceRule(r: OrderedRule, index: number, declaredStacks: readonly string[]): CeRule | { reason: string } {
  const m = r.rule.match;
  const all: Criterion[] = [];
  switch (r.rule.kind) {
    case 'accounts':
      all.push(anyOf(ACCOUNT, m.accounts ?? []));
      break;
    case 'stacks':
      all.push(anyOf(STACK, m.stacks ?? []));
      break;
    case 'declared-stacks':
      // exact names: a stack name holding `*` is matched literally
      all.push({ d: STACK, test: (g) => declaredStacks.includes(g.get(id(STACK)) ?? ''), alts: [{ d: STACK, patterns: declaredStacks.filter((n) => !n.includes('*')) }] });
      break;
    case 'resources':
      return { reason: 'resource ids are not in GetCostAndUsage (only GetCostAndUsageWithResources has them, opt-in, for the last 14 days)' };
    case 'charges': {
      for (const name of m.chargeTypes ?? []) {
        const def = chargeTypeDefinition(name);
        if (def?.billingEntities) {
          return { reason: `charge type "${name}" is told by BILLING_ENTITY, which GetCostAndUsage cannot group by` };
        }
      }
      if (m.chargeTypes && m.chargeTypes.length > 0) {
        // a charge type is any of its criteria; the criteria of one rule's types span these dimensions
        const parts: Array<{ d: CeDimension; values: string[] }> = [];
        const codes: string[] = [];
        for (const name of m.chargeTypes) {
          const def = chargeTypeDefinition(name);
          if (def?.recordTypes) parts.push({ d: RECORD_TYPE, values: [...def.recordTypes] });
          if (def?.usageTypes) parts.push({ d: USAGE_TYPE, values: [...def.usageTypes] });
          if (def?.serviceCodes) codes.push(...def.serviceCodes);
        }
        if (codes.length > 0) {
          const names = serviceNames(codes);
          if ('reason' in names) return names;
          parts.push({ d: SERVICE, values: names.names });
        }
        const dims = [...new Map(parts.map((p) => [id(p.d), p.d])).values()];
        const alts = parts.map((p) => ({ d: p.d, patterns: p.values }));
        if (dims.length === 1) {
          all.push({ d: dims[0], test: (g) => parts.some((p) => p.values.some((v) => matchesPattern(v, g.get(id(p.d)) ?? ''))), alts });
        } else {
          // several dimensions in one OR: each needs its own group-by; the test reads them all
          for (const d of dims.slice(1)) {
            all.push({ d, test: () => true });
          }
          all.push({ d: dims[0], test: (g) => parts.some((p) => p.values.some((v) => matchesPattern(v, g.get(id(p.d)) ?? ''))), alts });
        }
      }
      if (m.serviceCodes && m.serviceCodes.length > 0) {
        const names = serviceNames(m.serviceCodes);
        if ('reason' in names) return names;
        all.push(anyOf(SERVICE, names.names));
      }
      if (m.usageTypes && m.usageTypes.length > 0) {
        all.push(anyOf(USAGE_TYPE, m.usageTypes));
      }
      break;
    }
  }
  const dimensions = [...new Map(all.map((a) => [id(a.d), a.d])).values()];
  return { index, dimensions, test: (g) => all.every((a) => a.test(g)), criteria: all.flatMap((a) => (a.alts ? [a.alts] : [])) };
}

/** The SERVICE names of product codes, or why one has none. */
function serviceNames(codes: readonly string[]): { names: string[] } | { reason: string } {
  const unknown = codes.filter((c) => c.includes('*') || !CE_SERVICE_NAMES[c]);
  if (unknown.length > 0) {
    return {
      reason: `Cost Explorer groups by the service's name, not its code, and the code${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} `
      + `ha${unknown.length === 1 ? 's' : 've'} no known name (known: ${Object.keys(CE_SERVICE_NAMES).join(', ')})`,
    };
  }
  return { names: codes.flatMap((c) => CE_SERVICE_NAMES[c]) };
}

/** The plan of the rules' query: its group-bys, the rules it can match, and a warning per rule it cannot. */
export interface CeRulePlan {
  /** The GroupBy of the query (at most `slots`); empty: no query is needed. */
  readonly groupBy: CeDimension[];
  readonly rules: CeRule[];
  readonly warnings: string[];
}

/**
 * The group-bys of the rules' query, taken in rule order (first match wins, so earlier rules come first): a rule whose
 * dimensions do not fit in the `slots` left is named in a warning and not matched on Cost Explorer.
 */
export function ceRulePlan(plan: AttributionPlan, slots: number): CeRulePlan {
  const warnings: string[] = [];
  const groupBy: CeDimension[] = [];
  const rules: CeRule[] = [];
  plan.rules.forEach((r, index) => {
    const c = ceRule(r, index, plan.declaredStacks);
    if ('reason' in c) {
      warnings.push(`rule ${r.id} is not applied on Cost Explorer: ${c.reason}; its spend stays untagged (the CUR 2.0, FOCUS and Athena sources apply it)`);
      return;
    }
    const more = c.dimensions.filter((d) => !groupBy.some((g) => id(g) === id(d)));
    if (groupBy.length + more.length > slots) {
      warnings.push(`rule ${r.id} is not applied on Cost Explorer: it needs ${c.dimensions.map(describe).join(' and ')}, and the query's `
        + `${slots === 2 ? 'two group-bys' : 'one group-by left'} (GetCostAndUsage groups by at most two) hold${groupBy.length === 1 ? 's' : ''} `
        + `${groupBy.map(describe).join(' and ') || 'the grouped tag'} for earlier rules; its spend stays untagged (the CUR 2.0, FOCUS and Athena `
        + 'sources apply it)');
      return;
    }
    groupBy.push(...more);
    rules.push(c);
  });
  return { groupBy: rules.length > 0 ? groupBy : [], rules, warnings };
}

function describe(d: CeDimension): string {
  return d.type === 'TAG' ? `the tag ${d.key}` : d.key;
}

/** One group of one day of the rules' query: its keys in the order of the group-bys, its amount. */
export interface CeGroupRow {
  readonly day: string;
  readonly keys: readonly string[];
  readonly amount: Decimal;
  readonly currency: string;
}

/**
 * The rules matched on the groups of the untagged spend, first match wins; `grouped` when the last key is the value of
 * the report's grouped tag (the review's business unit). Cost Explorer cannot tell non-resource charges apart: their
 * part is 0, as on its cost rows.
 */
export function ceMatches(p: CeRulePlan, rows: readonly CeGroupRow[], grouped: boolean,
  tagValue: (key: string | undefined, tag: string) => string): RuleMatch[] {
  const out = new Map<string, { m: RuleMatch; also: Map<number, Decimal> }>();
  for (const row of rows) {
    const values = new Map<string, string>(p.groupBy.map((d, i) => [id(d), d.type === 'TAG' ? tagValue(row.keys[i], d.key) : row.keys[i] ?? '']));
    const hits = p.rules.filter((r) => r.test(values)).map((r) => r.index);
    if (hits.length === 0) {
      continue;
    }
    const [rule, ...later] = hits;
    const stack = values.get(id(STACK)) ?? '';
    const group = grouped ? tagValue(row.keys[p.groupBy.length], '') : undefined;
    const key = [rule, stack, row.day, row.currency, group ?? ''].join('\u0000');
    const prev = out.get(key);
    const amount = (prev?.m.amount ?? Decimal.ZERO).plus(row.amount);
    const also = prev?.also ?? new Map<number, Decimal>();
    for (const j of later) {
      also.set(j, (also.get(j) ?? Decimal.ZERO).plus(row.amount));
    }
    out.set(key, {
      m: { rule, stack, day: row.day, currency: row.currency, amount, nonResource: Decimal.ZERO, ...(group !== undefined ? { group } : {}) },
      also,
    });
  }
  return [...out.values()].map(({ m, also }) => ({ ...m, also: [...also].sort(([a], [b]) => a - b).map(([r, amount]) => ({ rule: r, amount })) }));
}

/** The record types of Cost Explorer that belong to a resource; every other one (tax, credits, refunds, fees, support) belongs to none. */
export const CE_USAGE_RECORD_TYPES: readonly string[] = ['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation'];

/** The GetCostAndUsage filter expression of a dimension or tag and its exact values. */
export function ceValuesExpression(d: CeDimension, values: readonly string[]): Expression {
  return d.type === 'TAG' ? { Tags: { Key: d.key, Values: [...values] } } : { Dimensions: { Key: d.key as Dimension, Values: [...values] } };
}

/**
 * What the rules Cost Explorer applies match, as a GetCostAndUsage filter (the coverage query takes the untagged spend
 * NOT matching it: what no rule attributed): each rule its criteria (AND), each criterion its values (OR); GetCostAndUsage
 * matches values exactly, so a pattern stands for the values of the rules' query that it matches (`seen`, per
 * dimension: every value a rule could have matched). Undefined when no rule can match anything.
 */
export function ceRulesExpression(p: CeRulePlan, seen: ReadonlyMap<string, ReadonlySet<string>>): Expression | undefined {
  const rules: Expression[] = [];
  for (const r of p.rules) {
    const criteria: Expression[] = [];
    for (const alts of r.criteria) {
      const parts = alts.map((a) => {
        const values = new Set(a.patterns.filter((x) => !x.includes('*')));
        for (const v of seen.get(id(a.d)) ?? []) {
          if (a.patterns.some((x) => x.includes('*') && matchesPattern(x, v))) {
            values.add(v);
          }
        }
        return values.size > 0 ? ceValuesExpression(a.d, [...values].sort()) : undefined;
      }).filter((e): e is Expression => e !== undefined);
      if (parts.length === 0) {
        criteria.length = 0;
        break;
      }
      criteria.push(parts.length === 1 ? parts[0] : { Or: parts });
    }
    if (criteria.length > 0 && criteria.length === r.criteria.length) {
      rules.push(criteria.length === 1 ? criteria[0] : { And: criteria });
    }
  }
  return rules.length === 0 ? undefined : rules.length === 1 ? rules[0] : { Or: rules };
}

/** The values seen per dimension in the rules' query's groups (what a pattern can stand for in a filter). */
export function ceSeenValues(p: CeRulePlan, rows: readonly CeGroupRow[],
  tagValue: (key: string | undefined, tag: string) => string): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>(p.groupBy.map((d) => [id(d), new Set<string>()]));
  for (const row of rows) {
    p.groupBy.forEach((d, i) => seen.get(id(d))!.add(d.type === 'TAG' ? tagValue(row.keys[i], d.key) : row.keys[i] ?? ''));
  }
  return seen;
}
