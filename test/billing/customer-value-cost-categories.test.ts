import { createHash } from 'crypto';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  CostGrouping, Customer, CustomerService, CustomerValueCostCategories, ServiceValueDeclaration,
} from '../../src';
import { synthFindings, testApp, VALID } from '../util';

// The Rules JSON shape, the raw tag key (no "user:" prefix), EQUALS, RuleVersion, the 50-character name/value
// limit and pattern, and 500 rules at most come from aws-cost-facts §5 and the ce API model (CostCategoryRule,
// CostCategoryValue, CostCategoryRulesList).

const CATEGORY_VALUE = /^(?! )[\p{L}\p{N}\p{Z}\-_]*(?<! )$/u;

const DECLARATIONS: ServiceValueDeclaration[] = [
  { serviceName: 'checkout', customerNeed: 'Shoppers pay for their basket in one step', team: 'payments', businessUnit: 'retail' },
  { serviceName: 'wishlist', customerNeed: 'Shoppers keep a list of products they want to buy later', team: 'discovery', businessUnit: 'retail' },
  { serviceName: 'invoicing', customerNeed: 'Finance sends correct invoices every month', team: 'billing', businessUnit: 'finance' },
  { serviceName: 'refunds', customerNeed: 'Shoppers pay for their basket in one step', team: 'payments', businessUnit: 'retail' },
];

/**
 * The invoicing team's service owns the cost of the categories in these tests: one of the declared services, so the
 * rules are those of the declarations (an owner that is not declared is categorised too, see below).
 */
const INVOICING: ServiceValueDeclaration = { ...DECLARATIONS[2], customer: Customer.internal('Finance controlling') };

function stack(context: Record<string, unknown> = {}) {
  const app = testApp({ context });
  return { app, stack: new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } }) };
}

function categories(template: Template): Record<string, { DefaultValue: string; RuleVersion: string; Rules: any[] }> {
  const out: Record<string, any> = {};
  for (const r of Object.values(template.findResources('AWS::CE::CostCategory'))) {
    out[r.Properties.Name] = { ...r.Properties, Rules: JSON.parse(r.Properties.Rules) };
  }
  return out;
}

function rule(key: string, tagValue: string, value = tagValue) {
  return { Value: value, Type: 'REGULAR', Rule: { Tags: { Key: key, Values: [tagValue], MatchOptions: ['EQUALS'] } } };
}

describe('CustomerValueCostCategories', () => {
  test('team, business unit and need categories with one REGULAR rule per declared value', () => {
    // GIVEN
    const { stack: s } = stack();

    // WHEN
    const c = new CustomerValueCostCategories(s, 'Categories', { owner: INVOICING, declarations: DECLARATIONS });

    // THEN
    const all = categories(Template.fromStack(s));
    expect(Object.keys(all).sort()).toEqual(['customer-value-business-unit', 'customer-value-need', 'customer-value-team']);
    expect(c.categoryNames).toEqual(['customer-value-team', 'customer-value-business-unit', 'customer-value-need']);
    for (const category of Object.values(all)) {
      expect(category.RuleVersion).toBe('CostCategoryExpression.v1');
      expect(category.DefaultValue).toBe('Unallocated');
    }
    expect(all['customer-value-team'].Rules).toEqual([
      rule('team', 'billing'), rule('team', 'discovery'), rule('team', 'payments'),
    ]);
    expect(all['customer-value-business-unit'].Rules).toEqual([rule('business-unit', 'finance'), rule('business-unit', 'retail')]);
    const needHash = createHash('sha256').update('Shoppers keep a list of products they want to buy later').digest('hex').slice(0, 8);
    expect(all['customer-value-need'].Rules).toEqual([
      rule('customer-need', 'Finance sends correct invoices every month'),
      rule('customer-need', 'Shoppers keep a list of products they want to buy later', `Shoppers keep a list of products they wan ${needHash}`),
      rule('customer-need', 'Shoppers pay for their basket in one step'),
    ]);
    for (const category of Object.values(all)) {
      for (const r of category.Rules) {
        expect(r.Value.length).toBeLessThanOrEqual(50);
        expect(r.Value).toMatch(CATEGORY_VALUE);
      }
    }
    expect(c.category(CostGrouping.TEAM).name).toBe('customer-value-team');
    expect(() => c.category(CostGrouping.CUSTOMER)).toThrow(/no customer cost category: categories are team, business-unit, need/);
  });

  test('defaults to every service of the app, using the app tag keys', () => {
    // GIVEN services in the app, and renamed tag keys
    const { app, stack: s } = stack({ 'customer-value:tagKeys': { team: 'owner-team', need: 'need' } });
    const workload = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
    const checkout = new CustomerService(workload, 'Checkout', VALID);

    // WHEN (its cost belongs to the checkout service, which include()s it after it was created)
    const c = new CustomerValueCostCategories(s, 'Categories', { categories: [CostGrouping.TEAM, CostGrouping.NEED, CostGrouping.CUSTOMER, CostGrouping.SERVICE] });
    checkout.include(c);

    // THEN
    const all = categories(Template.fromStack(s));
    expect(all['customer-value-team'].Rules).toEqual([rule('owner-team', 'payments')]);
    expect(all['customer-value-need'].Rules).toEqual([rule('need', 'Shoppers pay for their basket in one step')]);
    // "external:Online shoppers" holds ":", which a category value cannot: it becomes "-"
    expect(all['customer-value-customer'].Rules).toEqual([rule('customer', 'external:Online shoppers', 'external-Online shoppers')]);
    expect(all['customer-value-service'].Rules).toEqual([rule('customer-service', 'checkout')]);
  });

  test('names and default value are configurable', () => {
    const { stack: s } = stack();
    new CustomerValueCostCategories(s, 'Categories', {
      owner: INVOICING,
      declarations: DECLARATIONS,
      categories: [CostGrouping.TEAM],
      names: { team: 'Owning team' },
      defaultValue: 'No team',
    });
    Template.fromStack(s).hasResourceProperties('AWS::CE::CostCategory', { Name: 'Owning team', DefaultValue: 'No team' });
    Template.fromStack(s).resourceCountIs('AWS::CE::CostCategory', 1);
  });

  test('characters of a tag value that a category value cannot hold (. : / = +) become "-"', () => {
    const { stack: s } = stack();
    const a = { serviceName: 'a', customerNeed: 'Kunden bezahlen: Warenkorb/Kasse = sofort.', team: 'team a', businessUnit: 'x_y' };
    new CustomerValueCostCategories(s, 'Categories', {
      owner: { ...a, customer: Customer.external('Kunden') },
      declarations: [a],
      categories: [CostGrouping.NEED, CostGrouping.TEAM, CostGrouping.BUSINESS_UNIT],
    });
    const all = categories(Template.fromStack(s));
    expect(all['customer-value-need'].Rules).toEqual([rule('customer-need', 'Kunden bezahlen: Warenkorb/Kasse = sofort.', 'Kunden bezahlen- Warenkorb-Kasse - sofort-')]);
    expect(all['customer-value-team'].Rules).toEqual([rule('team', 'team a')]);
    expect(all['customer-value-business-unit'].Rules).toEqual([rule('business-unit', 'x_y')]);
  });

  test('two tag values that would become the same category value are refused', () => {
    const { app, stack: s } = stack();
    new CustomerValueCostCategories(s, 'Categories', {
      owner: INVOICING,
      categories: [CostGrouping.NEED],
      declarations: [
        { serviceName: 'a', customerNeed: 'Shoppers pay for their basket.', team: 'payments', businessUnit: 'retail' },
        { serviceName: 'b', customerNeed: 'Shoppers pay for their basket:', team: 'payments', businessUnit: 'retail' },
      ],
    });
    expect(() => app.synth()).toThrow(/need tag values "Shoppers pay for their basket." and "Shoppers pay for their basket:" both become the cost category value "Shoppers pay for their basket-": rename one/);
  });

  test('a value equal to the default value is refused', () => {
    const { app, stack: s } = stack();
    new CustomerValueCostCategories(s, 'Categories', {
      owner: INVOICING,
      declarations: [{ serviceName: 'a', customerNeed: 'Shoppers pay for their basket', team: 'Unallocated', businessUnit: 'retail' }],
    });
    expect(() => app.synth()).toThrow(/team tag value "Unallocated" \(services a\) becomes the category value "Unallocated", which is the defaultValue/);
  });

  test('more than 500 rules is refused', () => {
    const { app, stack: s } = stack();
    const many = Array.from({ length: 501 }, (_, i) => ({
      serviceName: `svc-${i}`, customerNeed: `Customers get thing number ${i} done`, team: `team-${i}`, businessUnit: 'retail',
    }));
    new CustomerValueCostCategories(s, 'Categories', { owner: { ...many[0], customer: Customer.external('Shoppers') }, declarations: many, categories: [CostGrouping.TEAM] });
    expect(() => app.synth()).toThrow(/the team cost category would have 501 rules: AWS accepts at most 500 per category/);
  });

  test('a team name is checked by the same rule as CustomerService: "retail/payments" is refused here too', () => {
    const { app, stack: s } = stack();
    new CustomerValueCostCategories(s, 'Categories', {
      owner: INVOICING,
      declarations: [{ serviceName: 'a', customerNeed: 'Shoppers pay for their basket', team: 'retail/payments', businessUnit: 'retail' }],
    });
    expect(() => app.synth()).toThrow('[Billing/Categories] declarations[0].team is "retail/payments": it is used as-is as a tag value and cost category value, so it must be 1-50 ASCII letters, digits, spaces, _ and -, starting with a letter or digit, no trailing space; "/" is not allowed');
  });

  test.each([
    [{ declarations: [], owner: undefined }, /no customer service to categorise/],
    [{ declarations: DECLARATIONS, defaultValue: ' Unallocated' }, /defaultValue is " Unallocated": a cost category value is 1-50 letters/],
    [{ declarations: DECLARATIONS, defaultValue: 'x'.repeat(51) }, /defaultValue is "x{51}"/],
    [{ declarations: DECLARATIONS, names: { team: 'team:x' } }, /names.team is "team:x": a cost category name is/],
    [{ declarations: DECLARATIONS, names: { team: 'same', need: 'same' } }, /names.need is "same", the name of another category/],
    [{ declarations: DECLARATIONS, categories: [] }, /categories is \[\]: pass at least one of/],
    [{ declarations: DECLARATIONS, categories: ['owner'] }, /categories\[0\] is "owner": accepted values are service, need, team, business-unit, customer/],
    [{ declarations: DECLARATIONS, categories: [CostGrouping.CUSTOMER] }, /declarations\[0\] \(checkout\) has no customer: a customer cost category needs the customer/],
    [{ declarations: [{ serviceName: 'a', customerNeed: 'TBD', team: 'payments', businessUnit: 'retail' }] }, /declarations\[0\].customerNeed is "TBD": a placeholder/],
    [{ declarations: [{ serviceName: 'a', customerNeed: 'Payments', team: 'payments', businessUnit: 'retail' }] }, /declarations\[0\].customerNeed is "Payments": a label, not a need/],
    [{ declarations: [{ serviceName: 'a b', customerNeed: 'Shoppers pay for things', team: 'payments', businessUnit: 'retail' }] }, /declarations\[0\].serviceName is "a b": .*1-50 ASCII letters/],
    [{ declarations: [{ serviceName: 'a', customerNeed: 'Shoppers pay for things', team: 'pay@ments', businessUnit: 'retail' }] }, /declarations\[0\].team is "pay@ments"/],
    [{ declarations: [{ serviceName: 'a', customerNeed: 'Shoppers pay for things', team: 'payments' }] }, /declarations\[0\].businessUnit is missing/],
    [{ declarations: [DECLARATIONS[0], DECLARATIONS[0]] }, /service "checkout" is declared twice \(declarations\[0\] and declarations\[1\]\)/],
  ])('refuses %p', (props, message) => {
    const { app, stack: s } = stack();
    new CustomerValueCostCategories(s, 'Categories', { owner: INVOICING, ...props } as any);
    expect(() => app.synth()).toThrow(message);
  });

  test('errors name the construct path and list every problem', () => {
    const { app, stack: s } = stack();
    new CustomerValueCostCategories(s, 'Categories', {
      owner: INVOICING,
      declarations: [{ serviceName: 'a', customerNeed: 'TODO', team: '', businessUnit: 'retail' }],
    });
    expect(() => app.synth()).toThrow(/\[Billing\/Categories\] declarations\[0\].customerNeed is "TODO"[^]*\[Billing\/Categories\] declarations\[0\].team is empty/);
  });

  test('a service declared after the construct (with the default list) fails synthesis instead of being left out', () => {
    // GIVEN
    const { app, stack: s } = stack();
    const workload = new Stack(app, 'Shop');
    new CustomerService(workload, 'Checkout', VALID);
    new CustomerValueCostCategories(s, 'Categories', { owner: INVOICING });

    // WHEN a service comes later
    new CustomerService(workload, 'Wishlist', { ...VALID, customerNeed: 'Shoppers keep a list of products', team: 'discovery' });

    // THEN
    expect(() => app.synth()).toThrow(/1 customer service\(s\) were declared after this construct was created and are not part of it: wishlist \(Shop\/Wishlist\)/);
  });

  test('services and declarations combine; duplicates across them are refused', () => {
    const { app, stack: s } = stack();
    const workload = new Stack(app, 'Shop');
    const checkout = new CustomerService(workload, 'Checkout', VALID);
    new CustomerValueCostCategories(s, 'Categories', { owner: INVOICING, services: [checkout], declarations: [DECLARATIONS[2]], categories: [CostGrouping.BUSINESS_UNIT] });
    expect(categories(Template.fromStack(s))['customer-value-business-unit'].Rules).toEqual([rule('business-unit', 'finance'), rule('business-unit', 'retail')]);
    const other = stack();
    const elsewhere = new CustomerService(new Stack(other.app, 'Shop'), 'Checkout', VALID);
    new CustomerValueCostCategories(other.stack, 'Again', { services: [elsewhere], declarations: [DECLARATIONS[0]] });
    expect(() => other.app.synth()).toThrow(/service "checkout" is declared twice \(Shop\/Checkout and declarations\[0\]\)/);
  });

  test('warns when the stack is not the management account; synthesizes clean otherwise', () => {
    const app = testApp();
    const member = new Stack(app, 'Member', { env: { account: '210987654321', region: 'us-east-1' } });
    new CustomerValueCostCategories(member, 'Categories', { owner: INVOICING, declarations: DECLARATIONS, managementAccountId: '123456789012' });
    Annotations.fromStack(member).hasWarning('/Member/Categories', Match.stringLikeRegexp('Only the management \\(payer\\) account 123456789012 \\(or a standalone account\\) can use cost categories'));

    const { app: app2, stack: s } = stack();
    new CustomerValueCostCategories(s, 'Categories', { owner: INVOICING, declarations: DECLARATIONS, managementAccountId: '123456789012' });
    expect(synthFindings(app2)).toEqual({ findings: [] });
  });
});
