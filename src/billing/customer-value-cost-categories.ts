import { Annotations, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ce from 'aws-cdk-lib/aws-ce';
import { Construct } from 'constructs';
import { BillingOwnerOptions, BillingServicesOptions, ManagementAccountOptions } from './billing-options';
import { AttributionCategory, attributionCategory, CategoryRule, orderRuleSets } from './private/attribution-categories';
import { CostGrouping } from '../cost-data/query-terms';
import { categoryValue, CATEGORY_TEXT_DESCRIPTION, isCategoryText } from './private/category-value';
import { checkNoLateServices, resolveServices, ResolvedService } from './private/declarations';
import { checkManagementAccount, requireAwsPartition } from './private/guard-rails';
import { attributeCost } from './private/ownership';
import { SplitChargeRule, splitCharges } from './private/split-charges';
import { AttributionRules } from '../attribution/attribution-rules';
import { customerValueField, findCustomerValueField, tagKeyOf } from '../cost-data/customer-value-fields';
import { CustomerService } from '../customer-service';
import { describe } from '../declaration/rules';
import { refuseOnProblems, reportProblems } from '../private/problems';

/**
 * Names of the cost categories (1-50 letters, numbers, spaces, `-` and `_`; unique in the account; changing a
 * name replaces the category).
 */
export interface CostCategoryNames {
  /** @default "customer-value-team" */
  readonly team?: string;
  /** @default "customer-value-business-unit" */
  readonly businessUnit?: string;
  /** @default "customer-value-need" */
  readonly need?: string;
  /** @default "customer-value-customer" */
  readonly customer?: string;
  /** @default "customer-value-service" */
  readonly service?: string;
}

/**
 * Properties of `CustomerValueCostCategories`.
 */
export interface CustomerValueCostCategoriesProps extends BillingServicesOptions, ManagementAccountOptions, BillingOwnerOptions {
  /**
   * Which cost categories to create, one per grouping.
   *
   * @default [CostGrouping.TEAM, CostGrouping.BUSINESS_UNIT, CostGrouping.NEED]
   */
  readonly categories?: CostGrouping[];

  /**
   * Names of the cost categories.
   *
   * @default - "customer-value-team", "customer-value-business-unit", "customer-value-need", ...
   */
  readonly names?: CostCategoryNames;

  /**
   * The value of spend that no rule matches (no customer-value tag, or a value no declared service uses).
   *
   * @default "Unallocated"
   */
  readonly defaultValue?: string;

  /**
   * Split charge rules in the service category that pass each provider's cost on to the services that consume it,
   * as the services declare it (`consumes()` and `costAllocation`, or `consumes` and `costAllocation` of
   * `declarations`): `PROPORTIONAL`, `EVEN` or `FIXED` with the declared percentages. Needs `CostGrouping.SERVICE`
   * in `categories`.
   *
   * AWS cannot split a provider that is part of a chain (a provider that consumes another provider, or is consumed
   * by one), a provider that keeps a share for its own need, more than 10 providers per category or more than 500
   * consumers per provider: such a provider gets no rule and synthesis warns, naming it and why
   * (`cdk-customer-value:CustomerValueCostCategories.splitChargeNotExpressible`); `customer-value cost --allocate`
   * reports the whole chain.
   *
   * @default false
   */
  readonly splitCharges?: boolean;

  /**
   * The attribution rule sets whose rules the categories reproduce, after the tag rules and in the order the
   * `customer-value` CLI evaluates them (by precedence, then name; each set's rules in order), so that Cost Explorer and
   * AWS Budgets attribute untagged spend as the CLI does: a rule whose target is one value of a category becomes a
   * REGULAR rule with that value; a split over several values becomes a REGULAR rule with a value of its own
   * (`<rule set> <rule>`) and a split charge rule from it to the targets' values, where AWS splits as declared.
   *
   * What a category cannot express (patterns on service codes or usage types, resource ids, Marketplace, the stacks of
   * services declared in other apps, splits AWS would weigh otherwise, more than 10 split charge rules) is a synth
   * warning naming the rule, the category and why (`cdk-customer-value:CustomerValueCostCategories.attributionNotExpressible`);
   * the CLI attributes it. docs/attribution.md, "Cost categories", has the whole mapping.
   *
   * @default - every `AttributionRules` of the app, read at synth (rules added later count)
   */
  readonly attributionRules?: AttributionRules[];
}

/** Warning id: a provider AWS split charge rules cannot split as declared. */
const SPLIT_CHARGE_WARNING = 'cdk-customer-value:CustomerValueCostCategories.splitChargeNotExpressible';
/** Warning id: an attribution rule a category cannot express. */
const ATTRIBUTION_WARNING = 'cdk-customer-value:CustomerValueCostCategories.attributionNotExpressible';

/** API maximum of rules per cost category (the console allows 100). */
const MAX_RULES = 500;

/**
 * One rule of a cost category, as the `Rules` JSON of `AWS::CE::CostCategory` holds it.
 */
type CostCategoryRule = CategoryRule;

/**
 * AWS cost categories for team, business unit and customer need (optionally customer and service), generated from
 * the service declarations, in the management (payer) account.
 *
 * Each category has one REGULAR rule per declared tag value, matching the raw tag key (no `user:` prefix) with
 * `EQUALS`: `{"Value":"payments","Type":"REGULAR","Rule":{"Tags":{"Key":"team","Values":["payments"],"MatchOptions":["EQUALS"]}}}`.
 * Spend no rule matches gets `defaultValue` ("Unallocated"). Rules are sorted by tag value; they never overlap, so
 * the first-match-wins order does not change the result.
 *
 * Why REGULAR rules rather than one INHERITED_VALUE rule (which copies any tag value into the category): the
 * declarations are the registry of teams, units and needs, so a stray or mistyped tag value lands in "Unallocated"
 * where it is visible instead of becoming a category value of its own; category values have a stricter character
 * set than tag values and a 50-character limit, which a need's tag value exceeds, so the value is derived (see
 * below) instead of copied; and the rules are known and tested at synth. The price: a new team or need appears in
 * the category after the next deployment of this stack.
 *
 * How a category value is derived from a tag value (deterministic, independent of the other values): characters a
 * category value cannot hold (anything but letters, numbers, spaces, `-` and `_`) become `-`; if the result has at most
 * 50 characters it is the value (`payments` stays `payments`); otherwise it is cut to 41 characters and followed by a
 * space and the first 8 hex digits of the SHA-256 of the tag value. Two tag values that end up with the same
 * category value, or a value equal to `defaultValue`, are refused at synth.
 *
 * Cost categories act on activated cost allocation tags (see `CostAllocationTags`); a new or changed category
 * applies from the start of the current month and takes up to 24 h to show in the data.
 *
 * With `splitCharges`, the service category also gets split charge rules that pass each provider's cost on to the
 * services that consume it, as declared, where AWS can express it (see `splitCharges`).
 */
export class CustomerValueCostCategories extends Construct {
  /** The names of the categories created, in the order of `categories`. */
  public readonly categoryNames: string[];
  private readonly byGrouping = new Map<CostGrouping, ce.CfnCostCategory>();
  private attribution?: Map<CostGrouping, AttributionCategory>;

  constructor(scope: Construct, id: string, props: CustomerValueCostCategoriesProps = {}) {
    super(scope, id);
    const ownership = attributeCost(this, 'cost categories', 'cost categories', props.owner);
    const resolved = resolveServices(this, props, undefined, ownership.owner);
    checkNoLateServices(this, resolved);
    const errors = [
      ...ownership.problems,
      ...requireAwsPartition(this, 'cost categories'),
      ...checkManagementAccount(this, 'cost categories', props.managementAccountId),
      ...resolved.problems,
    ];
    const groupings = props.categories ?? [CostGrouping.TEAM, CostGrouping.BUSINESS_UNIT, CostGrouping.NEED];
    const defaultValue = props.defaultValue ?? 'Unallocated';

    if (!Array.isArray(groupings) || groupings.length === 0) {
      errors.push(`categories is ${JSON.stringify(groupings)}: pass at least one of ${Object.values(CostGrouping).join(', ')}`);
    } else {
      groupings.forEach((g, i) => {
        if (!Object.values(CostGrouping).includes(g)) {
          errors.push(`categories[${i}] is ${JSON.stringify(g)}: accepted values are ${Object.values(CostGrouping).join(', ')}`);
        } else if (groupings.indexOf(g) !== i) {
          errors.push(`categories lists ${g} twice`);
        }
      });
    }
    if (typeof defaultValue !== 'string' || !isCategoryText(defaultValue)) {
      errors.push(`defaultValue is ${JSON.stringify(defaultValue)}: a cost category value is ${CATEGORY_TEXT_DESCRIPTION}`);
    }
    const names = new Map<CostGrouping, string>();
    for (const g of Array.isArray(groupings) ? groupings : []) {
      const known = findCustomerValueField(g);
      if (!known) {
        continue;
      }
      const field = known.tagKeyField;
      const name = props.names?.[field] ?? known.costCategoryName;
      if (typeof name !== 'string' || !isCategoryText(name)) {
        errors.push(`names.${field} is ${JSON.stringify(name)}: a cost category name is ${CATEGORY_TEXT_DESCRIPTION}`);
      } else if ([...names.values()].includes(name)) {
        errors.push(`names.${field} is ${JSON.stringify(name)}, the name of another category: names are unique in the account`);
      }
      names.set(g, name);
    }
    const withSplitCharges = props.splitCharges === true;
    if (props.splitCharges !== undefined && typeof props.splitCharges !== 'boolean') {
      errors.push(`splitCharges is ${JSON.stringify(props.splitCharges)}: pass true or false`);
    } else if (withSplitCharges && Array.isArray(groupings) && !groupings.includes(CostGrouping.SERVICE)) {
      errors.push(`splitCharges is true, but categories (${groupings.join(', ')}) has no service category: split charge rules pass a `
        + 'provider\'s cost on to its consumers, which are values of the service category; add CostGrouping.SERVICE to categories');
    }
    const ruleSets = props.attributionRules;
    if (ruleSets !== undefined && (!Array.isArray(ruleSets) || ruleSets.some((r) => !AttributionRules.isAttributionRules(r)))) {
      errors.push(`attributionRules is ${describe(ruleSets)}: pass AttributionRules constructs (or leave it out for every rule set of the app)`);
    }
    if (resolved.services.length === 0 && resolved.problems.length === 0) {
      errors.push('no customer service to categorise: pass services (e.g. CustomerService.all(app)) or declarations, or declare the services before this construct');
    }
    this.categoryNames = [];
    if (reportProblems(this, errors)) {
      return;
    }

    const split = withSplitCharges ? splitCharges(resolved.services) : undefined;
    const tagRules = new Map<CostGrouping, CostCategoryRule[]>();
    const chainSplits = (grouping: CostGrouping) => (grouping === CostGrouping.SERVICE && split ? split.rules : []);
    for (const [grouping, name] of names) {
      const rules = this.rules(grouping, resolved.services, tagKeyOf(grouping, resolved.tagKeys), defaultValue, errors);
      tagRules.set(grouping, rules);
      const attributed = () => this.attributed(names, resolved.services, ruleSets, tagRules, chainSplits, defaultValue).get(grouping)!;
      const category = new ce.CfnCostCategory(this, idOf(grouping), {
        name,
        ruleVersion: 'CostCategoryExpression.v1',
        rules: Lazy.string({ produce: () => JSON.stringify([...rules, ...attributed().rules]) }),
        splitChargeRules: Lazy.string({
          produce: () => {
            const all = [...chainSplits(grouping), ...attributed().splits];
            return all.length > 0 ? JSON.stringify(all) : undefined;
          },
        }),
        defaultValue,
      });
      this.byGrouping.set(grouping, category);
    }
    refuseOnProblems(this, () => {
      const byGrouping = this.attributed(names, resolved.services, ruleSets, tagRules, chainSplits, defaultValue);
      const problems: string[] = [];
      for (const [grouping, a] of byGrouping) {
        problems.push(...a.problems);
        const total = tagRules.get(grouping)!.length + a.rules.length;
        if (total > MAX_RULES) {
          problems.push(`the ${grouping} cost category would have ${total} rules (${a.rules.length} of them from attribution rules): AWS accepts at most `
            + `${MAX_RULES} per category`);
        }
      }
      return problems;
    });
    for (const { provider, reason } of split?.notExpressible ?? []) {
      Annotations.of(this).addWarningV2(SPLIT_CHARGE_WARNING, `no split charge rule for "${provider}": ${reason}. Its cost stays under its own value `
        + 'of the service category; customer-value cost --allocate passes it on as declared');
    }
    if (reportProblems(this, errors)) {
      return;
    }
    this.categoryNames = [...names.values()];
  }

  /**
   * The attribution rules each category reproduces, computed once, at synth (rule sets and rules added after this
   * construct count); what a category cannot express is warned about then, once.
   */
  private attributed(names: Map<CostGrouping, string>, services: ResolvedService[], ruleSets: AttributionRules[] | undefined,
    tagRules: Map<CostGrouping, CostCategoryRule[]>, chainSplits: (g: CostGrouping) => SplitChargeRule[],
    defaultValue: string): Map<CostGrouping, AttributionCategory> {
    if (this.attribution) {
      return this.attribution;
    }
    const sets = orderRuleSets((ruleSets ?? AttributionRules.all(this.node.root)).map((r) => r._record()));
    const stacks = stacksOfServices(this, services);
    const result = new Map<CostGrouping, AttributionCategory>();
    for (const grouping of names.keys()) {
      const a = attributionCategory({
        ruleSets: sets,
        services,
        valueOf: (s) => {
          const v = tagValueOf(grouping, s);
          return v === undefined ? undefined : categoryValue(v);
        },
        serviceCategory: grouping === CostGrouping.SERVICE,
        stacks,
        servicesOfOtherApps: services.some((s) => !isServiceOfApp(this, s)),
        takenValues: new Set([defaultValue, ...tagRules.get(grouping)!.map((r) => r.Value)]),
        existingSplits: chainSplits(grouping),
        category: grouping,
      });
      result.set(grouping, a);
      for (const { rule, reason } of a.notExpressible) {
        Annotations.of(this).addWarningV2(ATTRIBUTION_WARNING, `the ${names.get(grouping)} cost category cannot express the attribution rule ${rule} `
          + `(${reason}); the spend it matches shows there as it would without the rule, and customer-value cost attributes it`);
      }
    }
    this.attribution = result;
    return result;
  }

  /**
   * The cost category of a grouping.
   *
   * @param grouping one of the groupings in `categories`
   */
  public category(grouping: CostGrouping): ce.CfnCostCategory {
    const category = this.byGrouping.get(grouping);
    if (!category) {
      throw new Error(`[${this.node.path}] no ${grouping} cost category: categories are ${[...this.byGrouping.keys()].join(', ')}`);
    }
    return category;
  }

  private rules(grouping: CostGrouping, services: ResolvedService[], tagKey: string, defaultValue: string, errors: string[]): CostCategoryRule[] {
    const tagValues = new Map<string, string[]>();
    for (const s of services) {
      const value = tagValueOf(grouping, s);
      if (value === undefined) {
        errors.push(`${s.source} (${s.serviceName}) has no customer: a customer cost category needs the customer of every service`);
        continue;
      }
      tagValues.set(value, [...(tagValues.get(value) ?? []), s.serviceName]);
    }
    const byCategoryValue = new Map<string, string>();
    const rules: CostCategoryRule[] = [];
    for (const tagValue of [...tagValues.keys()].sort()) {
      const value = categoryValue(tagValue);
      const other = byCategoryValue.get(value);
      if (other !== undefined) {
        errors.push(`${grouping} tag values ${JSON.stringify(other)} and ${JSON.stringify(tagValue)} both become the cost category value ${JSON.stringify(value)}: rename one so that they differ in letters, digits, spaces, - or _`);
        continue;
      }
      if (value === defaultValue) {
        errors.push(`${grouping} tag value ${JSON.stringify(tagValue)} (services ${tagValues.get(tagValue)!.join(', ')}) becomes the category value ${JSON.stringify(value)}, which is the defaultValue for unallocated spend: rename it or choose another defaultValue`);
        continue;
      }
      byCategoryValue.set(value, tagValue);
      rules.push({
        Value: value,
        Type: 'REGULAR',
        Rule: { Tags: { Key: tagKey, Values: [tagValue], MatchOptions: ['EQUALS'] } },
      });
    }
    if (rules.length > MAX_RULES) {
      errors.push(`the ${grouping} cost category would have ${rules.length} rules: AWS accepts at most ${MAX_RULES} per category`);
    }
    return rules;
  }
}

function tagValueOf(grouping: CostGrouping, s: ResolvedService): string | undefined {
  return s[customerValueField(grouping).declaredValue];
}

/** Whether a served service is a `CustomerService` of this app (not a declaration of another app's). */
function isServiceOfApp(scope: Construct, s: ResolvedService): boolean {
  return CustomerService.all(scope.node.root).some((c) => c.node.path === s.source);
}

/**
 * The stacks of the served services of this app: stack name to the services declared in it (their own stack, and the
 * stacks of the scopes they include), as the CLI derives it from the cloud assembly.
 */
function stacksOfServices(scope: Construct, services: readonly ResolvedService[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (stack: Stack | undefined, name: string) => {
    if (!stack || Token.isUnresolved(stack.stackName)) {
      return;
    }
    const list = out.get(stack.stackName) ?? [];
    if (!list.includes(name)) {
      out.set(stack.stackName, [...list, name].sort());
    }
  };
  const stackOf = (c: Construct) => (c.node.scopes.some((x) => Stack.isStack(x)) ? Stack.of(c) : undefined);
  for (const c of CustomerService.all(scope.node.root)) {
    if (!services.some((s) => s.source === c.node.path)) {
      continue;
    }
    add(stackOf(c), c.serviceName);
    for (const included of c.includedScopes) {
      add(stackOf(included as Construct), c.serviceName);
    }
  }
  return out;
}

function idOf(grouping: CostGrouping): string {
  return grouping.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
