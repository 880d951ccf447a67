import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fc from 'fast-check';
import {
  Allocation, CostGrouping, CostReporting, Customer, CustomerService, CustomerServiceProps, CustomerValueCostCategories, ServiceRef,
  ServiceValueDeclaration,
} from '../../src';
import { allocationPercentages } from '../../src/billing/private/split-charges';
import { synthFindings, testApp, VALID } from '../util';

/*
 * The AWS contract of split charge rules (Cost Explorer API model, ce-2017-10-25: CostCategorySplitChargeRule,
 * CostCategorySplitChargeRulesList, CostCategorySplitChargeRuleTargetsList, CostCategorySplitChargeMethod,
 * CostCategorySplitChargeRuleParameter(s); API reference
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_CostCategorySplitChargeRule.html), and its
 * JSON in CloudFormation's SplitChargeRules string (the resource provider's test fixture JSON_SPLIT_CHARGE_RULE_FIXED:
 * {"Source":..., "Targets":[...], "Method":"FIXED", "Parameters":[{"Type":"ALLOCATION_PERCENTAGES","Values":["80","20"]}]}).
 */
const CONTRACT = {
  methods: ['FIXED', 'PROPORTIONAL', 'EVEN'],
  maxRules: 10,
  maxTargets: 500,
  parameterTypes: ['ALLOCATION_PERCENTAGES'],
  maxParameters: 10,
  maxParameterValues: 500,
};

/** Checks the SplitChargeRules JSON against the contract above; returns the rules. */
function expectContract(json: string): any[] {
  const rules = JSON.parse(json);
  expect(Array.isArray(rules)).toBe(true);
  expect(rules.length).toBeGreaterThanOrEqual(1);
  expect(rules.length).toBeLessThanOrEqual(CONTRACT.maxRules);
  const sources = rules.map((r: any) => r.Source);
  for (const r of rules) {
    expect(Object.keys(r).sort()).toEqual(r.Method === 'FIXED' ? ['Method', 'Parameters', 'Source', 'Targets'] : ['Method', 'Source', 'Targets']);
    expect(CONTRACT.methods).toContain(r.Method);
    expect(typeof r.Source).toBe('string');
    expect(r.Targets.length).toBeGreaterThanOrEqual(1);
    expect(r.Targets.length).toBeLessThanOrEqual(CONTRACT.maxTargets);
    // "That value can't be used as a source or a target in other split charge rules"; targets "can't be used as a source"
    expect(sources.filter((s: string) => s === r.Source)).toHaveLength(1);
    for (const other of rules) {
      if (other !== r) expect(other.Targets).not.toContain(r.Source);
    }
    for (const t of r.Targets) {
      expect(sources).not.toContain(t);
    }
    if (r.Method === 'FIXED') {
      expect(r.Parameters.length).toBeGreaterThanOrEqual(1);
      expect(r.Parameters.length).toBeLessThanOrEqual(CONTRACT.maxParameters);
      for (const p of r.Parameters) {
        expect(CONTRACT.parameterTypes).toContain(p.Type);
        expect(p.Values.every((v: unknown) => typeof v === 'string')).toBe(true);
        expect(p.Values).toHaveLength(r.Targets.length);
        // at most 2 decimals, adding up to exactly 100 (in hundredths, no floating-point error)
        expect(p.Values.filter((v: string) => !/^\d{1,3}(\.\d{1,2})?$/.test(v))).toEqual([]);
        expect(p.Values.reduce((s: number, v: string) => s + Math.round(Number(v) * 100), 0)).toBe(10_000);
      }
    }
  }
  return rules;
}

const OFF = CostReporting.disabled('split charge tests');

function billing() {
  const app = testApp();
  const workloads = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
  const svc = (name: string, props: Partial<CustomerServiceProps> = {}) => {
    const s = new CustomerService(workloads, name, { ...VALID, costReporting: OFF, serviceName: name, ...props });
    new sns.Topic(s, 'Events', { enforceSSL: true });
    return s;
  };
  const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
  return { app, svc, stack };
}

const FINOPS: ServiceValueDeclaration = {
  serviceName: 'finops',
  customerNeed: 'Business units see what their services cost',
  team: 'finops',
  businessUnit: 'technology',
  customer: Customer.internal('Business units'),
};

function serviceCategory(stack: Stack): any {
  const found = Object.values(Template.fromStack(stack).findResources('AWS::CE::CostCategory'))
    .find((r: any) => r.Properties.Name === 'customer-value-service') as any;
  return found.Properties;
}

describe('CustomerValueCostCategories splitCharges', () => {
  test('one rule per provider in the service category: PROPORTIONAL, EVEN, FIXED with the declared percentages', () => {
    // GIVEN network (proportional) and mail (even) serve checkout and search; data (fixed) serves checkout and search
    const { app, svc, stack } = billing();
    const network = svc('private-network');
    const mail = svc('mail', { costAllocation: Allocation.even() });
    const data = svc('data-platform', { costAllocation: Allocation.fixed({ search: 40, checkout: 60 }) });
    svc('checkout').consumes(network, data, mail);
    svc('search').consumes(ServiceRef.named('private-network'), data);

    // WHEN
    new CustomerValueCostCategories(stack, 'Categories', {
      owner: FINOPS, categories: [CostGrouping.TEAM, CostGrouping.SERVICE], splitCharges: true,
    });

    // THEN
    const category = serviceCategory(stack);
    const rules = expectContract(category.SplitChargeRules);
    expect(rules).toEqual([
      { Source: 'data-platform', Targets: ['search', 'checkout'], Method: 'FIXED', Parameters: [{ Type: 'ALLOCATION_PERCENTAGES', Values: ['40', '60'] }] },
      { Source: 'mail', Targets: ['checkout'], Method: 'EVEN' },
      { Source: 'private-network', Targets: ['checkout', 'search'], Method: 'PROPORTIONAL' },
    ]);
    // every source and target is a value of the category
    const values = JSON.parse(category.Rules).map((r: any) => r.Value);
    for (const r of rules) {
      expect(values).toContain(r.Source);
      for (const t of r.Targets) expect(values).toContain(t);
    }
    // only the service category splits
    const team = Object.values(Template.fromStack(stack).findResources('AWS::CE::CostCategory')).find((r: any) => r.Properties.Name === 'customer-value-team') as any;
    expect(team.Properties.SplitChargeRules).toBeUndefined();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('splitChargeNotExpressible'));
    // and AWS's validator accepts the template
    expect(synthFindings(app)).toEqual({ findings: [] });
  });

  test('what AWS cannot express gets no rule and a warning: a chain, a share kept for its own need', () => {
    // GIVEN network -> data-platform -> checkout (a chain), search keeps 70 % for its own need, mail alone is fine
    const { svc, stack } = billing();
    const network = svc('private-network');
    const data = svc('data-platform');
    const search = svc('search', { costAllocation: Allocation.fixed({ search: 70, checkout: 30 }) });
    const mail = svc('mail');
    data.consumes(network);
    svc('checkout').consumes(data, search, mail);

    // WHEN
    new CustomerValueCostCategories(stack, 'Categories', { owner: FINOPS, categories: [CostGrouping.SERVICE], splitCharges: true });

    // THEN
    expect(expectContract(serviceCategory(stack).SplitChargeRules)).toEqual([{ Source: 'mail', Targets: ['checkout'], Method: 'PROPORTIONAL' }]);
    const warnings = Annotations.fromStack(stack).findWarning('/Billing/Categories', Match.stringLikeRegexp('splitChargeNotExpressible'))
      .map((w) => String(w.entry.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^no split charge rule for "data-platform": it is part of a chain of providers \(private-network → data-platform\): in AWS a split charge source cannot be the source or target of another rule, and a target cannot be a source\. Its cost stays under its own value of the service category; customer-value cost --allocate passes it on as declared/),
      expect.stringMatching(/^no split charge rule for "private-network": it is part of a chain of providers \(private-network → data-platform\)/),
      expect.stringMatching(/^no split charge rule for "search": its fixed allocation keeps 70 % for its own need: in AWS a source cannot be its own target/),
    ]);
  });

  test('at most 10 rules: the first 10 providers by name, a warning for the others', () => {
    const { svc, stack } = billing();
    const providers = Array.from({ length: 12 }, (_, i) => svc(`shared-${String(i).padStart(2, '0')}`));
    svc('checkout').consumes(...providers);
    new CustomerValueCostCategories(stack, 'Categories', { owner: FINOPS, categories: [CostGrouping.SERVICE], splitCharges: true });
    const rules = expectContract(serviceCategory(stack).SplitChargeRules);
    expect(rules.map((r) => r.Source)).toEqual(providers.slice(0, 10).map((p) => p.serviceName));
    Annotations.fromStack(stack).hasWarning('/Billing/Categories', Match.stringLikeRegexp(
      'no split charge rule for "shared-10": AWS accepts at most 10 split charge rules per cost category'));
    Annotations.fromStack(stack).hasWarning('/Billing/Categories', Match.stringLikeRegexp('no split charge rule for "shared-11"'));
  });

  test('declarations of other apps carry consumes and costAllocation', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const need = 'Shoppers pay for their basket in one step';
    new CustomerValueCostCategories(stack, 'Categories', {
      owner: FINOPS,
      categories: [CostGrouping.SERVICE],
      splitCharges: true,
      declarations: [
        {
          serviceName: 'private-network',
          customerNeed: 'Service teams run workloads in a private network',
          team: 'platform',
          businessUnit: 'technology',
          costAllocation: Allocation.fixed({ checkout: 75, search: 25 }),
        },
        { serviceName: 'checkout', customerNeed: need, team: 'payments', businessUnit: 'retail', consumes: ['private-network'] },
        { serviceName: 'search', customerNeed: 'Shoppers find the product they want', team: 'discovery', businessUnit: 'retail', consumes: ['private-network'] },
      ],
    });
    expect(expectContract(serviceCategory(stack).SplitChargeRules)).toEqual([
      { Source: 'private-network', Targets: ['checkout', 'search'], Method: 'FIXED', Parameters: [{ Type: 'ALLOCATION_PERCENTAGES', Values: ['75', '25'] }] },
    ]);
    expect(synthFindings(app)).toEqual({ findings: [] });
  });

  test('refused at synth: no service category, bad consumes and costAllocation in declarations', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    new CustomerValueCostCategories(stack, 'Categories', {
      owner: FINOPS,
      splitCharges: true,
      declarations: [
        {
          serviceName: 'checkout',
          customerNeed: 'Shoppers pay for their basket in one step',
          team: 'payments',
          businessUnit: 'retail',
          consumes: ['checkout', 'TBD'],
          costAllocation: Allocation.fixed({ search: 50 }),
        },
      ],
    });
    const { error } = synthFindings(app);
    expect(error).toContain('[Billing/Categories] splitCharges is true, but categories (team, business-unit, need) has no service category: '
      + 'split charge rules pass a provider\'s cost on to its consumers, which are values of the service category; add CostGrouping.SERVICE to categories');
    expect(error).toContain('[Billing/Categories] declarations[0].consumes[0] is "checkout", the service itself: a service cannot consume itself');
    expect(error).toContain('[Billing/Categories] declarations[0].consumes[1] is "TBD": a placeholder');
    expect(error).toContain('[Billing/Categories] declarations[0].costAllocation percentages add up to 50 (search 50), not 100');
  });

  test('without splitCharges no rule is emitted', () => {
    const { svc, stack } = billing();
    svc('checkout').consumes(svc('private-network'));
    new CustomerValueCostCategories(stack, 'Categories', { owner: FINOPS, categories: [CostGrouping.SERVICE] });
    expect(serviceCategory(stack).SplitChargeRules).toBeUndefined();
  });
});

describe('fixed percentages (issue 25)', () => {
  test('100 / 3 each: "33.33", "33.33", "33.34" (2 decimals, the remainder on the last target, exactly 100)', () => {
    // GIVEN a fixed allocation in thirds
    const { app, svc, stack } = billing();
    const third = 100 / 3;
    const data = svc('data-platform', { costAllocation: Allocation.fixed({ checkout: third, search: third, returns: third }) });
    for (const name of ['checkout', 'search', 'returns']) svc(name).consumes(data);
    // WHEN
    new CustomerValueCostCategories(stack, 'Categories', { owner: FINOPS, categories: [CostGrouping.SERVICE], splitCharges: true });
    app.synth();
    // THEN (before: String(100 / 3), "33.333333333333336", three times: 100.00000000000001 in all)
    const [rule] = expectContract(serviceCategory(stack).SplitChargeRules);
    expect(rule.Parameters).toEqual([{ Type: 'ALLOCATION_PERCENTAGES', Values: ['33.33', '33.33', '33.34'] }]);
  });

  test('property: any declared shares become values with at most 2 decimals adding up to exactly 100, each as declared to 0.005 but the last', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 60 }), (weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      const shares = weights.map((w) => (w * 100) / total);
      const values = allocationPercentages(shares);
      if (values === undefined) {
        // only when a share cannot be written with 2 decimals
        return shares.some((p) => p < 0.01 * weights.length);
      }
      const hundredths = values.map((v) => Math.round(Number(v) * 100));
      return values.every((v) => /^\d{1,3}(\.\d{1,2})?$/.test(v))
        && hundredths.reduce((a, b) => a + b, 0) === 10_000
        && hundredths.every((h) => h > 0)
        && shares.slice(0, -1).every((p, i) => Math.abs(Number(values[i]) - p) <= 0.005 + 1e-9);
    }), { numRuns: 500 });
  });
});
