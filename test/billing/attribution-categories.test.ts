import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  Allocation, AttributionRule, AttributionRules, AttributionTarget, ChargeType, CostGrouping, CostReporting, Customer, CustomerService,
  CustomerValueCostCategories, ServiceRef, ServiceValueDeclaration,
} from '../../src';
import { synthFindings, testApp, VALID } from '../util';
import { describeFindings, validatorFindings } from '../validator-report';
import { OWNER } from './owner';

// What AWS cost categories can express (docs/attribution.md, "Cost categories"): REGULAR rules, first match wins, in
// order (AWS Billing user guide, "Creating cost categories"); dimensions LINKED_ACCOUNT, SERVICE_CODE, RECORD_TYPE,
// LINKED_ACCOUNT_NAME, REGION, USAGE_TYPE and tags (ce API model, CostCategoryRule.Rule); "Contains, Starts with, and
// Ends with are only supported with Accounts and Tag dimensions" (user guide); split charge rules: at most 10, 500
// targets, no chains (ce API model, CostCategorySplitChargeRule).

const NEEDS = {
  checkout: 'Shoppers pay for their basket in one step',
  refunds: 'Shoppers get their money back without calling support',
  wishlist: 'Shoppers keep a list of products they want to buy later',
  invoicing: 'Finance sends correct invoices every month',
};

const DECLARATIONS: ServiceValueDeclaration[] = [
  { serviceName: 'checkout', customerNeed: NEEDS.checkout, team: 'payments', businessUnit: 'retail' },
  { serviceName: 'refunds', customerNeed: NEEDS.refunds, team: 'payments', businessUnit: 'retail' },
  { serviceName: 'wishlist', customerNeed: NEEDS.wishlist, team: 'discovery', businessUnit: 'retail' },
  { serviceName: 'invoicing', customerNeed: NEEDS.invoicing, team: 'ledger', businessUnit: 'finance' },
];
const ALL = [CostGrouping.SERVICE, CostGrouping.TEAM, CostGrouping.BUSINESS_UNIT, CostGrouping.NEED];
const SUPPORT_CODES = ['AWSSupportBusiness', 'AWSSupportEnterprise', 'AWSSupportEnterpriseOnRamp', 'AWSDeveloperSupport'];

function billing(context: Record<string, unknown> = {}) {
  const app = testApp({ context });
  return { app, stack: new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } }) };
}

/** Each category's rules after the tag rules, and its split charge rules. */
function attribution(stack: Stack, tagRules: Record<string, number>) {
  const out: Record<string, { rules: any[]; splits: any[] }> = {};
  for (const r of Object.values(Template.fromStack(stack).findResources('AWS::CE::CostCategory'))) {
    const name = r.Properties.Name as string;
    out[name] = {
      rules: JSON.parse(r.Properties.Rules).slice(tagRules[name]),
      splits: r.Properties.SplitChargeRules ? JSON.parse(r.Properties.SplitChargeRules) : [],
    };
  }
  return out;
}

const dim = (key: string, values: string[]) => ({ Dimensions: { Key: key, Values: values, MatchOptions: ['EQUALS'] } });
const stackTag = (option: string, values: string[]) => ({ Tags: { Key: 'aws:cloudformation:stack-name', Values: values, MatchOptions: [option] } });
const regular = (value: string, rule: unknown) => ({ Value: value, Type: 'REGULAR', Rule: rule });

function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('/Billing/Categories', Match.anyValue()).map((w) => String(w.entry.data));
}

describe('CustomerValueCostCategories with attribution rules', () => {
  test('each rule becomes a REGULAR rule after the tag rules, or a value of its own split over the targets, where AWS can express it', () => {
    // GIVEN the rules of the app's rule set
    const { app, stack } = billing();
    const rules = new AttributionRules(stack, 'Shared', {
      rules: [
        AttributionRule.accounts({ accountIds: ['444455556666', 'azure-sub-01'], to: AttributionTarget.service(ServiceRef.named('checkout')) }),
        AttributionRule.charges({ chargeTypes: [ChargeType.TAX, ChargeType.SUPPORT], to: AttributionTarget.everyone() }),
        AttributionRule.charges({ chargeTypes: [ChargeType.DATA_TRANSFER], to: AttributionTarget.businessUnit('retail') }),
        AttributionRule.stacks({ stackNames: ['Legacy-*', 'Wishlist'], to: AttributionTarget.service(ServiceRef.named('wishlist')) }),
        AttributionRule.resources({ resourceIds: ['arn:aws:s3:::shop-assets'], to: AttributionTarget.service(ServiceRef.named('checkout')) }),
      ],
    });

    // WHEN (a rule added after the categories counts: they are read at synth)
    new CustomerValueCostCategories(stack, 'Categories', { owner: OWNER, declarations: DECLARATIONS, categories: ALL });
    rules.addRule(
      AttributionRule.charges({
        name: 'cdn',
        serviceCodes: ['AmazonCloudFront'],
        to: AttributionTarget.services([ServiceRef.named('checkout'), ServiceRef.named('refunds')], Allocation.fixed({ checkout: 70, refunds: 30 })),
      }),
      AttributionRule.charges({ name: 'nat', usageTypes: ['USE1-NatGateway-Hours'], to: AttributionTarget.businessUnit('retail', Allocation.even()) }),
    );

    // THEN
    const taxOrSupport = { Or: [dim('RECORD_TYPE', ['Tax']), dim('SERVICE_CODE', SUPPORT_CODES)] };
    const account = dim('LINKED_ACCOUNT', ['444455556666']);
    const legacy = { Or: [stackTag('STARTS_WITH', ['Legacy-']), stackTag('EQUALS', ['Wishlist'])] };
    const cdn = dim('SERVICE_CODE', ['AmazonCloudFront']);
    const nat = dim('USAGE_TYPE', ['USE1-NatGateway-Hours']);
    const everyService = ['checkout', 'refunds', 'wishlist', 'invoicing', 'cost-reporting'];
    const all = attribution(stack, { 'customer-value-service': 5, 'customer-value-team': 4, 'customer-value-business-unit': 2, 'customer-value-need': 5 });
    expect(all['customer-value-service']).toEqual({
      rules: [
        regular('checkout', account),
        regular('shared tax-support', taxOrSupport),
        regular('wishlist', legacy),
        regular('shared cdn', cdn),
        regular('shared nat', nat),
      ],
      splits: [
        { Source: 'shared tax-support', Targets: everyService, Method: 'PROPORTIONAL' },
        { Source: 'shared cdn', Targets: ['checkout', 'refunds'], Method: 'FIXED', Parameters: [{ Type: 'ALLOCATION_PERCENTAGES', Values: ['70', '30'] }] },
        { Source: 'shared nat', Targets: ['checkout', 'refunds', 'wishlist'], Method: 'EVEN' },
      ],
    });
    expect(all['customer-value-team']).toEqual({
      rules: [regular('payments', account), regular('shared tax-support', taxOrSupport), regular('discovery', legacy), regular('payments', cdn)],
      // every service: each team whole, so AWS weighs the teams as the rule weighs their services
      splits: [{ Source: 'shared tax-support', Targets: ['payments', 'discovery', 'ledger', 'finops'], Method: 'PROPORTIONAL' }],
    });
    expect(all['customer-value-business-unit']).toEqual({
      rules: [regular('retail', account), regular('shared tax-support', taxOrSupport), regular('retail', legacy), regular('retail', cdn), regular('retail', nat)],
      splits: [{ Source: 'shared tax-support', Targets: ['retail', 'finance'], Method: 'PROPORTIONAL' }],
    });
    const need = all['customer-value-need'];
    expect(need.rules.map((r) => r.Value)).toEqual([NEEDS.checkout, 'shared tax-support', expect.stringMatching(/^Shoppers keep a list of products they wan [0-9a-f]{8}$/),
      'shared cdn', 'shared nat']);
    expect(need.splits.map((s) => [s.Source, s.Method, s.Targets.length])).toEqual([
      ['shared tax-support', 'PROPORTIONAL', 5], ['shared cdn', 'FIXED', 2], ['shared nat', 'EVEN', 3],
    ]);

    // and what a category cannot express is named at synth: the rule, the category and why
    const found = warnings(stack);
    for (const category of ['customer-value-service', 'customer-value-team', 'customer-value-business-unit', 'customer-value-need']) {
      expect(found).toContainEqual(expect.stringContaining(`the ${category} cost category cannot express the attribution rule shared/data-transfer (the charge `
        + 'type data-transfer is a set of usage type patterns (*DataTransfer*, *-AWS-In-Bytes, *-AWS-Out-Bytes): cost category rules match a service code or '
        + 'usage type exactly ("contains", "starts with" and "ends with" are only supported with the account and tag dimensions'));
      expect(found).toContainEqual(expect.stringContaining(`the ${category} cost category cannot express the attribution rule shared/resources (it matches `
        + 'resource ids: cost category rules match on LINKED_ACCOUNT, SERVICE_CODE, RECORD_TYPE, LINKED_ACCOUNT_NAME, REGION, USAGE_TYPE and tags only'));
    }
    // an even split over services of several teams: AWS would split evenly over the teams
    expect(found).toContainEqual(expect.stringContaining('the customer-value-team cost category cannot express the attribution rule shared/nat (its 3 services '
      + 'belong to 2 team values (payments, discovery): AWS would split evenly over the values, the rule splits evenly over the services)'));
    expect(found).toHaveLength(9);
    expect(synthFindings(app).error).toBeUndefined();
    expect(describeFindings(validatorFindings(app))).toEqual([]);
  });

  test('rule sets in the CLI\'s order: by precedence, then name; attributionRules chooses them, [] turns them off', () => {
    const { stack } = billing();
    const later = new AttributionRules(stack, 'B', { precedence: 5, rules: [AttributionRule.accounts({ accountIds: ['111111111111'], to: AttributionTarget.service(ServiceRef.named('refunds')) })] });
    new AttributionRules(stack, 'C', { precedence: 0, rules: [AttributionRule.accounts({ accountIds: ['222222222222'], to: AttributionTarget.service(ServiceRef.named('wishlist')) })] });
    new AttributionRules(stack, 'A', { precedence: 5, rules: [AttributionRule.accounts({ accountIds: ['333333333333'], to: AttributionTarget.service(ServiceRef.named('checkout')) })] });
    new CustomerValueCostCategories(stack, 'Categories', { owner: OWNER, declarations: DECLARATIONS, categories: [CostGrouping.SERVICE] });
    new CustomerValueCostCategories(stack, 'Only', { owner: OWNER, declarations: DECLARATIONS, categories: [CostGrouping.TEAM], names: { team: 'only-b' }, attributionRules: [later] });
    new CustomerValueCostCategories(stack, 'None', { owner: OWNER, declarations: DECLARATIONS, categories: [CostGrouping.TEAM], names: { team: 'none' }, attributionRules: [] });
    const all = attribution(stack, { 'customer-value-service': 5, 'only-b': 4, 'none': 4 });
    expect(all['customer-value-service'].rules.map((r) => [r.Value, r.Rule.Dimensions.Values[0]])).toEqual([
      ['wishlist', '222222222222'], ['checkout', '333333333333'], ['refunds', '111111111111'],
    ]);
    expect(all['only-b'].rules.map((r) => r.Value)).toEqual(['payments']);
    expect(all.none.rules).toEqual([]);
  });

  test('declared stacks: the stacks of this app\'s services, split among the services of each stack', () => {
    // GIVEN two services in the Shop stack, one in the Search stack, and the categories inside the FinOps service
    const app = testApp();
    const disabled = { costReporting: CostReporting.disabled('attribution tests') };
    const shop = new Stack(app, 'Shop', { env: { account: '111122223333', region: 'eu-west-1' } });
    const search = new Stack(app, 'Search', { env: { account: '111122223333', region: 'eu-west-1' } });
    const checkout = new CustomerService(shop, 'Checkout', { ...VALID, ...disabled });
    new CustomerService(shop, 'Refunds', { ...VALID, customerNeed: NEEDS.refunds, ...disabled });
    const catalog = new CustomerService(search, 'Catalog', { ...VALID, team: 'discovery', customerNeed: NEEDS.wishlist, ...disabled });
    new sns.Topic(checkout, 'Events', { enforceSSL: true });
    new sns.Topic(catalog, 'Events', { enforceSSL: true });
    const billingStack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const finops = new CustomerService(billingStack, 'CostReporting', { ...OWNER, customer: Customer.internal('Business units'), ...disabled });
    new AttributionRules(billingStack, 'Shared', { rules: [AttributionRule.declaredStacks({ allocation: Allocation.even() })] });

    // WHEN
    new CustomerValueCostCategories(finops, 'Categories', { categories: [CostGrouping.SERVICE, CostGrouping.TEAM] });

    // THEN one rule per stack holding a service (the billing stack's cost-reporting included)
    const all = attribution(billingStack, { 'customer-value-service': 4, 'customer-value-team': 3 });
    expect(all['customer-value-service']).toEqual({
      rules: [
        regular('cost-reporting', stackTag('EQUALS', ['Billing'])),
        regular('catalog', stackTag('EQUALS', ['Search'])),
        regular('shared declared-stacks Shop', stackTag('EQUALS', ['Shop'])),
      ],
      splits: [{ Source: 'shared declared-stacks Shop', Targets: ['checkout', 'refunds'], Method: 'EVEN' }],
    });
    // in the team category, Shop holds payments' services only
    expect(all['customer-value-team'].rules.map((r) => [r.Value, r.Rule.Tags.Values[0]])).toEqual([
      ['finops', 'Billing'], ['discovery', 'Search'], ['payments', 'Shop'],
    ]);
    expect(Annotations.fromStack(billingStack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('declared stacks with services of other apps: a warning says the CLI covers their stacks', () => {
    const { stack } = billing();
    new AttributionRules(stack, 'Shared', { rules: [AttributionRule.declaredStacks()] });
    new CustomerValueCostCategories(stack, 'Categories', { owner: OWNER, declarations: DECLARATIONS, categories: [CostGrouping.SERVICE] });
    expect(attribution(stack, { 'customer-value-service': 5 })['customer-value-service'].rules).toEqual([]);
    expect(warnings(stack)).toEqual([expect.stringContaining('cannot express the attribution rule shared/declared-stacks (it covers the stacks of this app\'s '
      + 'services only (none): the stacks of services declared in other apps are known from their cloud assemblies, which the customer-value CLI reads)')]);
  });

  test('split charge limits: a target that is a value-chain source, and more than 10 split charge rules, are named', () => {
    // GIVEN network is a provider of the value chain (a split charge source), and 10 rules that split
    const { stack } = billing();
    const declarations: ServiceValueDeclaration[] = [
      ...DECLARATIONS.map((d) => ({ ...d, consumes: d.serviceName === 'checkout' ? ['network'] : [] })),
      { serviceName: 'network', customerNeed: 'Teams reach each other over a private network', team: 'platform', businessUnit: 'retail' },
    ];
    new AttributionRules(stack, 'Shared', {
      rules: [
        AttributionRule.accounts({ accountIds: ['444455556666'], to: AttributionTarget.services([ServiceRef.named('network'), ServiceRef.named('wishlist')]) }),
        ...Array.from({ length: 10 }, (_, i) => AttributionRule.charges({
          name: `code-${i}`, serviceCodes: [`Code${i}`], to: AttributionTarget.services([ServiceRef.named('checkout'), ServiceRef.named('refunds')]),
        })),
      ],
    });
    new CustomerValueCostCategories(stack, 'Categories', { owner: OWNER, declarations, categories: [CostGrouping.SERVICE], splitCharges: true });
    const service = attribution(stack, { 'customer-value-service': 6 })['customer-value-service'];
    // the value chain's rule, then 9 of the 10 rules: 10 in all
    expect(service.splits.map((s) => s.Source)).toEqual(['network', ...Array.from({ length: 9 }, (_, i) => `shared code-${i}`)]);
    expect(warnings(stack)).toEqual([
      expect.stringContaining('rule shared/account-444455556666 (a target (network) is the source of a split charge rule of the value chain'),
      expect.stringContaining('rule shared/code-9 (AWS accepts at most 10 split charge rules per cost category'),
    ]);
  });

  test('a target these categories do not know is named, not silently dropped', () => {
    const { stack } = billing();
    new AttributionRules(stack, 'Shared', {
      rules: [
        AttributionRule.accounts({ accountIds: ['444455556666'], to: AttributionTarget.service(ServiceRef.named('chekout')) }),
        AttributionRule.accounts({ accountIds: ['555566667777'], to: AttributionTarget.businessUnit('logistics') }),
      ],
    });
    new CustomerValueCostCategories(stack, 'Categories', { owner: OWNER, declarations: DECLARATIONS, categories: [CostGrouping.SERVICE] });
    expect(warnings(stack)).toEqual([
      expect.stringContaining('rule shared/account-444455556666 (it attributes to chekout, which is not among the services these cost categories know'),
      expect.stringContaining('rule shared/account-555566667777 (its target has no service these cost categories know (business unit "logistics"))'),
    ]);
  });
});
