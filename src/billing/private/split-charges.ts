import { categoryValue } from './category-value';
import { ResolvedService } from './declarations';
import { AllocationMethod } from '../../cost-allocation';

/**
 * Split charge rules (`SplitChargeRules` of `AWS::CE::CostCategory`, a JSON string holding a list of the Cost
 * Explorer API's `CostCategorySplitChargeRule`) that reproduce the declared value chain in the service cost
 * category, and what AWS cannot express.
 *
 * The AWS contract (ce API model `CostCategorySplitChargeRule` and its lists; API reference
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_CostCategorySplitChargeRule.html; JSON
 * shape as in the CloudFormation resource provider's tests, aws-cloudformation-resource-providers-cost-explorer
 * costcategory Fixtures `JSON_SPLIT_CHARGE_RULE_FIXED`):
 * - a rule is `{ Source, Targets, Method, Parameters? }`; `Method` is `FIXED`, `PROPORTIONAL` ("based on the
 *   proportional weighted cost of each target") or `EVEN`; `Parameters` only for `FIXED`:
 *   `[{ "Type": "ALLOCATION_PERCENTAGES", "Values": ["60", "40"] }]`, one percentage per target, in order;
 * - at most 10 rules per category (`CostCategorySplitChargeRulesList`), 1-500 targets per rule;
 * - a source "can't be used as a source or a target in other split charge rules", and targets "can't be used as a
 *   source in other split charge rules": no chains.
 * - `Values` are strings (the API model's GenericString, no pattern; CloudFormation's `SplitChargeRules` is a plain
 *   string): they are written with at most 2 decimals, as the console takes them, adding up to exactly 100
 *   (`allocationPercentages`).
 */

/** API maximum of split charge rules per cost category. */
export const MAX_SPLIT_CHARGE_RULES = 10;
/** API maximum of targets per split charge rule. */
export const MAX_SPLIT_CHARGE_TARGETS = 500;

/** One split charge rule, as the `SplitChargeRules` JSON holds it. */
export interface SplitChargeRule {
  readonly Source: string;
  readonly Targets: string[];
  readonly Method: 'FIXED' | 'PROPORTIONAL' | 'EVEN';
  readonly Parameters?: Array<{ readonly Type: 'ALLOCATION_PERCENTAGES'; readonly Values: string[] }>;
}

export interface SplitCharges {
  readonly rules: SplitChargeRule[];
  /** Providers AWS cannot split as declared, each with the reason. */
  readonly notExpressible: ReadonlyArray<{ readonly provider: string; readonly reason: string }>;
}

/**
 * The split charge rules for the providers among `services` (a service that some listed service consumes), in the
 * service cost category (one value per service: the declared allocation maps onto it exactly). A provider that
 * AWS cannot split as declared gets no rule and is listed with the reason.
 */
export function splitCharges(services: readonly ResolvedService[]): SplitCharges {
  const byName = new Map(services.map((s) => [s.serviceName, s]));
  const consumersOf = new Map<string, string[]>();
  for (const s of services) {
    for (const p of s.consumes) {
      if (byName.has(p)) {
        consumersOf.set(p, [...(consumersOf.get(p) ?? []), s.serviceName]);
      }
    }
  }
  const providers = [...consumersOf.keys()].sort();
  const isProvider = (name: string) => consumersOf.has(name);
  const notExpressible: Array<{ provider: string; reason: string }> = [];
  const rules: SplitChargeRule[] = [];
  for (const provider of providers) {
    const s = byName.get(provider)!;
    const consumers = [...new Set(consumersOf.get(provider))].sort();
    const upstream = s.consumes.filter(isProvider);
    const downstream = consumers.filter(isProvider);
    if (upstream.length > 0 || downstream.length > 0) {
      const links = [...upstream.map((u) => `${u} → ${provider}`), ...downstream.map((d) => `${provider} → ${d}`)];
      notExpressible.push({
        provider,
        reason: `it is part of a chain of providers (${links.join(', ')}): in AWS a split charge source cannot be the source or target of `
          + 'another rule, and a target cannot be a source',
      });
      continue;
    }
    const a = s.allocation;
    let rule: SplitChargeRule;
    if (a.method === AllocationMethod.FIXED) {
      const shares = Object.entries(a.percentages ?? {});
      if (shares.some(([n]) => n === provider)) {
        notExpressible.push({ provider, reason: `its fixed allocation keeps ${a.percentages![provider]} % for its own need: in AWS a source cannot be its own target` });
        continue;
      }
      const strangers = shares.filter(([n]) => !consumers.includes(n)).map(([n]) => n);
      if (strangers.length > 0) {
        notExpressible.push({
          provider,
          reason: `its fixed allocation gives shares to ${strangers.join(', ')}, which ${strangers.length === 1 ? 'is' : 'are'} `
          + 'not among the consumers these cost categories know: a target must be a value of the category',
        });
        continue;
      }
      const values = allocationPercentages(shares.map(([, p]) => p));
      if (!values) {
        notExpressible.push({ provider, reason: 'its fixed allocation has a share below 0.01 %: AWS split charge percentages are written with 2 decimals' });
        continue;
      }
      rule = {
        Source: categoryValue(provider),
        Targets: shares.map(([n]) => categoryValue(n)),
        Method: 'FIXED',
        Parameters: [{ Type: 'ALLOCATION_PERCENTAGES', Values: values }],
      };
    } else {
      rule = {
        Source: categoryValue(provider),
        Targets: consumers.map(categoryValue),
        Method: a.method === AllocationMethod.EVEN ? 'EVEN' : 'PROPORTIONAL',
      };
    }
    if (rule.Targets.length > MAX_SPLIT_CHARGE_TARGETS) {
      notExpressible.push({ provider, reason: `it has ${rule.Targets.length} consumers: AWS accepts at most ${MAX_SPLIT_CHARGE_TARGETS} targets per rule` });
      continue;
    }
    if (rules.length >= MAX_SPLIT_CHARGE_RULES) {
      notExpressible.push({
        provider,
        reason: `AWS accepts at most ${MAX_SPLIT_CHARGE_RULES} split charge rules per cost category, and the first `
        + `${MAX_SPLIT_CHARGE_RULES} providers (by name) have them`,
      });
      continue;
    }
    rules.push(rule);
  }
  return { rules, notExpressible };
}

/**
 * Fixed percentages as a split charge rule's `ALLOCATION_PERCENTAGES`: each rounded to 2 decimals, the remainder on the
 * last target, so that they add up to exactly 100 (100 / 3 each gives "33.33", "33.33", "33.34", not
 * "33.333333333333336"); undefined when a share would be 0 or less.
 */
export function allocationPercentages(percentages: readonly number[]): string[] | undefined {
  const hundredths = percentages.slice(0, -1).map((p) => Math.round(p * 100));
  hundredths.push(10_000 - hundredths.reduce((sum, h) => sum + h, 0));
  return hundredths.every((h) => h > 0) ? hundredths.map((h) => String(h / 100)) : undefined;
}
