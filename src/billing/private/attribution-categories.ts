import { categoryValue } from './category-value';
import { ResolvedService } from './declarations';
import { allocationPercentages, MAX_SPLIT_CHARGE_RULES, MAX_SPLIT_CHARGE_TARGETS, SplitChargeRule } from './split-charges';
import { chargeTypeDefinition } from '../../declaration/attribution-charges';
import { AttributionRuleRecord, AttributionRulesRecord, STACK_NAME_TAG_KEY } from '../../declaration/attribution-record';
import { isPattern } from '../../declaration/attribution-record-rules';

/**
 * What AWS cost categories can express of the declared attribution rules, in one category (`CustomerValueCostCategories`).
 *
 * The AWS contract (docs/attribution.md, "Cost categories"):
 * - rules are evaluated in order and the first matching rule wins ("Rules aren't mutually exclusive, and you can
 *   control the order that the rules apply in", AWS Billing user guide, "Creating cost categories"; aws-cost-facts §5),
 *   so the attribution rules come after the tag rules, in the order the CLI evaluates them;
 * - a REGULAR rule's expression takes the dimensions LINKED_ACCOUNT, SERVICE_CODE, RECORD_TYPE, LINKED_ACCOUNT_NAME,
 *   REGION and USAGE_TYPE, tags and nested expressions (Cost Explorer API, `CostCategoryRule.Rule`); "Contains, Starts
 *   with, and Ends with are only supported with Accounts and Tag dimensions" (user guide, "Creating cost categories"):
 *   service codes and usage types match exactly;
 * - a split over several values is a split charge rule (at most 10 per category, 500 targets each; a source cannot be
 *   a source or target of another rule, a target cannot be a source), `PROPORTIONAL` by "the proportional weighted cost
 *   of each target", which is the value's cost in the category before any split.
 */

/** A cost category rule as the `Rules` JSON holds it. */
export interface CategoryRule {
  readonly Value: string;
  readonly Type: 'REGULAR';
  readonly Rule: Expression;
}

/** A Cost Explorer expression (the subset written here). */
export type Expression =
  | { readonly Dimensions: { readonly Key: string; readonly Values: string[]; readonly MatchOptions: string[] } }
  | { readonly Tags: { readonly Key: string; readonly Values: string[]; readonly MatchOptions: string[] } }
  | { readonly And: Expression[] }
  | { readonly Or: Expression[] };

/** A declared rule this category cannot express (or only in part), and why. */
export interface NotExpressible {
  /** `<rule set>/<rule>`. */
  readonly rule: string;
  readonly reason: string;
}

export interface AttributionCategory {
  /** REGULAR rules, after the tag rules, in evaluation order. */
  readonly rules: CategoryRule[];
  /** Split charge rules for targets of several values. */
  readonly splits: SplitChargeRule[];
  readonly notExpressible: NotExpressible[];
  /** Problems that refuse synthesis (a value this construct derives that collides with another). */
  readonly problems: string[];
}

export interface AttributionCategoryInput {
  /** The rule sets, in the order the CLI evaluates them (`orderRuleSets`). */
  readonly ruleSets: readonly AttributionRulesRecord[];
  /** The services the category knows. */
  readonly services: readonly ResolvedService[];
  /** The category value of a service in this category; undefined when it has none (no customer). */
  readonly valueOf: (service: ResolvedService) => string | undefined;
  /** Whether this is the service category (one value per service). */
  readonly serviceCategory: boolean;
  /** The stacks of this app's services: stack name to the services declared in it. */
  readonly stacks: ReadonlyMap<string, readonly string[]>;
  /** Whether some services are declared by value (other apps): their stacks are unknown here. */
  readonly servicesOfOtherApps: boolean;
  /** The values the tag rules and the default use. */
  readonly takenValues: ReadonlySet<string>;
  /** Split charge rules already in the category (the value chain's). */
  readonly existingSplits: readonly SplitChargeRule[];
  /** The category, for messages (e.g. "team"). */
  readonly category: string;
}

/** The rule sets in the order the CLI evaluates them: ascending precedence, then name. */
export function orderRuleSets(sets: readonly AttributionRulesRecord[]): AttributionRulesRecord[] {
  return [...sets].sort((a, b) => a.precedence - b.precedence || (a.ruleSet < b.ruleSet ? -1 : a.ruleSet > b.ruleSet ? 1 : 0));
}

const DIMENSIONS_NOTE = 'cost category rules match on LINKED_ACCOUNT, SERVICE_CODE, RECORD_TYPE, LINKED_ACCOUNT_NAME, REGION, USAGE_TYPE and tags only '
  + '(Cost Explorer API, CostCategoryRule)';
const EXACT_NOTE = 'cost category rules match a service code or usage type exactly ("contains", "starts with" and "ends with" are only supported '
  + 'with the account and tag dimensions: AWS Billing user guide, "Creating cost categories")';

/** A part of a rule: what it matches, and the services that share it. */
interface Piece {
  readonly expression: Expression;
  readonly services: readonly string[];
  readonly suffix: string;
}

/** The expressible part of every declared rule in one category, and what is not expressible. */
export function attributionCategory(input: AttributionCategoryInput): AttributionCategory {
  const rules: CategoryRule[] = [];
  const splits: SplitChargeRule[] = [];
  const notExpressible: NotExpressible[] = [];
  const problems: string[] = [];
  const byName = new Map(input.services.map((s) => [s.serviceName, s]));
  const sources = new Set(input.existingSplits.map((s) => s.Source));
  const used = new Set<string>(input.takenValues);
  for (const set of input.ruleSets) {
    for (const rule of set.rules) {
      const id = `${set.ruleSet}/${rule.name}`;
      const skip = (reason: string) => notExpressible.push({ rule: id, reason });
      const pieces = piecesOf(rule, input, skip);
      pieces.forEach((piece) => {
        const unknown = piece.services.filter((n) => !byName.has(n));
        if (piece.services.length === 0 || unknown.length > 0) {
          skip(piece.services.length === 0 ? `its target has no service these cost categories know${rule.target.businessUnit
            ? ` (business unit ${JSON.stringify(rule.target.businessUnit)})` : ''}`
            : `it attributes to ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not among the services these cost categories know: `
              + 'pass their declarations (declarations) or services');
          return;
        }
        const targets = piece.services.map((n) => byName.get(n)!);
        const values = targets.map(input.valueOf);
        if (values.some((v) => v === undefined)) {
          skip(`a service it attributes to has no ${input.category} value (a declaration without a customer)`);
          return;
        }
        const distinct = [...new Set(values as string[])];
        if (distinct.length === 1) {
          rules.push({ Value: distinct[0], Type: 'REGULAR', Rule: piece.expression });
          return;
        }
        const split = splitOf(rule, targets, values as string[], input);
        if (typeof split === 'string') {
          skip(split);
          return;
        }
        if (split.Targets.some((t) => sources.has(t))) {
          skip(`a target (${split.Targets.filter((t) => sources.has(t)).join(', ')}) is the source of a split charge rule of the value chain: in AWS a target `
            + 'cannot be a source of another rule');
          return;
        }
        if (input.existingSplits.length + splits.length >= MAX_SPLIT_CHARGE_RULES) {
          skip(`AWS accepts at most ${MAX_SPLIT_CHARGE_RULES} split charge rules per cost category, and earlier rules (and the value chain) have them`);
          return;
        }
        const source = categoryValue(`${set.ruleSet} ${rule.name}${piece.suffix}`);
        if (used.has(source)) {
          problems.push(`the ${input.category} cost category value ${JSON.stringify(source)} of rule ${id} (the amount it splits) is already a value of `
            + 'the category: rename the rule or the rule set');
          return;
        }
        used.add(source);
        rules.push({ Value: source, Type: 'REGULAR', Rule: piece.expression });
        splits.push({ ...split, Source: source });
      });
    }
  }
  return { rules, splits, notExpressible, problems };
}

/** The parts of a rule and their services; what cannot be expressed is reported through `skip`. */
function piecesOf(rule: AttributionRuleRecord, input: AttributionCategoryInput, skip: (reason: string) => void): Piece[] {
  const t = rule.target;
  if (t.kind === 'stack-services') {
    const stackNames = rule.kind === 'declared-stacks' ? [...input.stacks.keys()].sort() : rule.match.stacks ?? [];
    const pieces: Piece[] = [];
    const unknown: string[] = [];
    for (const name of stackNames) {
      const services = input.stacks.get(name);
      if (services === undefined || isPattern(name)) {
        unknown.push(name);
        continue;
      }
      pieces.push({ expression: tagExpression(STACK_NAME_TAG_KEY, [name]) as Expression, services, suffix: stackNames.length > 1 ? ` ${name}` : '' });
    }
    if (rule.kind === 'declared-stacks' && input.servicesOfOtherApps) {
      skip(`it covers the stacks of this app's services only (${pieces.length === 0 ? 'none' : stackNames.join(', ')}): the stacks of services declared in `
        + 'other apps are known from their cloud assemblies, which the customer-value CLI reads');
    } else if (unknown.length > 0) {
      skip(`the services of the stack${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} are not declared in this app: they are known from the cloud `
        + 'assemblies the customer-value CLI reads');
    }
    return pieces;
  }
  const expression = expressionOf(rule);
  if (typeof expression === 'string') {
    skip(expression);
    return [];
  }
  if (expression === undefined) {
    return [];
  }
  const services = t.kind === 'service' || t.kind === 'services' ? t.services ?? []
    : t.kind === 'business-unit' ? input.services.filter((s) => s.businessUnit === t.businessUnit).map((s) => s.serviceName)
      : input.services.map((s) => s.serviceName);
  return [{ expression, services, suffix: '' }];
}

/**
 * The expression of a rule's criteria; a string when a criterion cannot be expressed; undefined when it matches no AWS
 * spend at all (only FOCUS sub-accounts of another provider).
 */
export function expressionOf(rule: AttributionRuleRecord): Expression | string | undefined {
  const m = rule.match;
  switch (rule.kind) {
    case 'accounts': {
      const aws = (m.accounts ?? []).filter((a) => /^\d{12}$/.test(a));
      return aws.length === 0 ? undefined : dimension('LINKED_ACCOUNT', aws);
    }
    case 'stacks':
      return tagExpression(STACK_NAME_TAG_KEY, m.stacks ?? []);
    case 'resources':
      return `it matches resource ids: ${DIMENSIONS_NOTE}`;
    case 'charges': {
      const parts: Expression[] = [];
      if (m.chargeTypes) {
        const records: string[] = [];
        const codes: string[] = [];
        for (const name of m.chargeTypes) {
          const d = chargeTypeDefinition(name)!;
          if (d.usageTypes && d.usageTypes.some(isPattern)) {
            return `the charge type ${name} is a set of usage type patterns (${d.usageTypes.join(', ')}): ${EXACT_NOTE}`;
          }
          if (d.billingEntities) {
            return `the charge type ${name} is told by the billing entity: ${DIMENSIONS_NOTE}`;
          }
          records.push(...d.recordTypes ?? []);
          codes.push(...d.serviceCodes ?? []);
        }
        const any = [...(records.length > 0 ? [dimension('RECORD_TYPE', records)] : []), ...(codes.length > 0 ? [dimension('SERVICE_CODE', codes)] : [])];
        parts.push(any.length === 1 ? any[0] : { Or: any });
      }
      for (const [field, key] of [['serviceCodes', 'SERVICE_CODE'], ['usageTypes', 'USAGE_TYPE']] as const) {
        const values = m[field];
        if (values === undefined) {
          continue;
        }
        const patterns = values.filter(isPattern);
        if (patterns.length > 0) {
          return `it matches ${field === 'serviceCodes' ? 'service codes' : 'usage types'} by pattern (${patterns.join(', ')}): ${EXACT_NOTE}`;
        }
        parts.push(dimension(key, values));
      }
      return parts.length === 1 ? parts[0] : { And: parts };
    }
    default:
      return `a rule of kind ${rule.kind} has no cost category expression`;
  }
}

function dimension(key: string, values: readonly string[]): Expression {
  return { Dimensions: { Key: key, Values: [...new Set(values)], MatchOptions: ['EQUALS'] } };
}

/**
 * A tag expression for values that may be patterns: `x` EQUALS, `x*` STARTS_WITH, `*x` ENDS_WITH, `*x*` CONTAINS; a
 * string when a pattern has a wildcard elsewhere (a tag rule takes one at the start or the end).
 */
export function tagExpression(key: string, values: readonly string[]): Expression | string {
  const byOption = new Map<string, string[]>();
  for (const v of values) {
    const starts = v.startsWith('*');
    const ends = v.endsWith('*') && v.length > 1;
    const core = v.slice(starts ? 1 : 0, ends ? -1 : undefined);
    if (core.includes('*') || core.length === 0) {
      return `the pattern ${JSON.stringify(v)} has a wildcard inside: a cost category tag rule matches a value exactly, by its start, its end, or what it `
        + 'contains (AWS Billing user guide, "Creating cost categories")';
    }
    const option = starts && ends ? 'CONTAINS' : starts ? 'ENDS_WITH' : ends ? 'STARTS_WITH' : 'EQUALS';
    byOption.set(option, [...(byOption.get(option) ?? []), core]);
  }
  const parts: Expression[] = [...byOption].map(([option, list]) => ({ Tags: { Key: key, Values: list, MatchOptions: [option] } }));
  return parts.length === 1 ? parts[0] : { Or: parts };
}

/**
 * The split charge rule (without its source) that splits over the target services' values as declared, or why AWS
 * cannot: in the service category each value is one service; in another category a split is exact only when AWS's
 * weights are the declared ones.
 */
function splitOf(rule: AttributionRuleRecord, targets: readonly ResolvedService[], values: readonly string[], input: AttributionCategoryInput):
Omit<SplitChargeRule, 'Source'> | string {
  const allocation = rule.target.allocation ?? { method: 'proportional' as const };
  const distinct = [...new Set(values)];
  if (distinct.length > MAX_SPLIT_CHARGE_TARGETS) {
    return `it splits over ${distinct.length} ${input.category} values: AWS accepts at most ${MAX_SPLIT_CHARGE_TARGETS} targets per split charge rule`;
  }
  if (allocation.method === 'fixed') {
    const sums = distinct.map((v) => targets.reduce((sum, s, i) => sum + (values[i] === v ? allocation.percentages?.[s.serviceName] ?? 0 : 0), 0));
    const percentages = allocationPercentages(sums);
    if (!percentages) {
      return 'a fixed share is below 0.01 %: AWS split charge percentages are written with 2 decimals';
    }
    return { Targets: distinct, Method: 'FIXED', Parameters: [{ Type: 'ALLOCATION_PERCENTAGES', Values: percentages }] };
  }
  if (!input.serviceCategory) {
    // AWS weighs (or counts) the category's values, the rule weighs (or counts) the target services
    const servicesOf = (v: string) => input.services.filter((s) => input.valueOf(s) === v).map((s) => s.serviceName);
    const names = targets.map((s) => s.serviceName);
    const whole = distinct.every((v) => servicesOf(v).every((n) => names.includes(n)));
    const oneEach = distinct.length === targets.length && distinct.every((v) => servicesOf(v).length === 1);
    if (allocation.method === 'proportional' && !whole) {
      return `its services belong to ${distinct.length} ${input.category} values (${distinct.join(', ')}) that also hold other services: AWS would split `
        + 'by each value\'s whole cost, the rule splits by the cost of its services';
    }
    if (allocation.method === 'even' && !oneEach) {
      return `its ${targets.length} services belong to ${distinct.length} ${input.category} values (${distinct.join(', ')}): AWS would split evenly over the `
        + 'values, the rule splits evenly over the services';
    }
  }
  return { Targets: distinct, Method: allocation.method === 'even' ? 'EVEN' : 'PROPORTIONAL' };
}
