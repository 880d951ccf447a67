import { CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CostReporting, CustomerService, CustomerServiceProps, CustomerValueAssertions } from '../../src';
import { budgetSelectsTag } from '../../src/assertions/private/cost-resources';
import { testApp, VALID } from '../util';

const ORDERS = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' });

const CHECKOUT: CustomerServiceProps = { ...VALID, costReporting: { monthlyBudget: 500 } };

/** An app whose services have everything: reporting on (budget and dashboard), tags, no loose resource. */
function goodApp() {
  const app = testApp();
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  const checkout = new CustomerService(stack, 'Checkout', CHECKOUT);
  new s3.Bucket(checkout, 'Receipts', { enforceSSL: true });
  checkout.addUsageMetric('orders', ORDERS);
  return { app, stack, checkout };
}

function errorOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('CustomerValueAssertions', () => {
  test('a sound app passes every assertion', () => {
    // GIVEN
    const { app, stack } = goodApp();
    // WHEN
    const assertions = CustomerValueAssertions.fromApp(app);
    // THEN
    expect(assertions.findProblems()).toEqual([]);
    expect(() => assertions.assertAll()).not.toThrow();
    expect(() => CustomerValueAssertions.fromStack(stack).assertAll()).not.toThrow();
  });

  test('assertAll lists everything missing in one readable error', () => {
    // GIVEN: a loose bucket, a bucket whose tags an escape hatch removed, and a service with reporting disabled
    const { app, stack, checkout } = goodApp();
    new s3.Bucket(stack, 'Loose', { enforceSSL: true });
    const stripped = new s3.Bucket(checkout, 'Stripped', { enforceSSL: true });
    (stripped.node.defaultChild as s3.CfnBucket).addPropertyOverride('Tags', [{ Key: 'team', Value: 'growth' }]);
    const search = new CustomerService(stack, 'Search', {
      ...CHECKOUT, customerNeed: 'Shoppers find the product they look for', team: 'discovery', costReporting: CostReporting.disabled('sandbox'),
    });
    new s3.Bucket(search, 'Index', { enforceSSL: true });
    // WHEN
    const message = errorOf(() => CustomerValueAssertions.fromApp(app).assertAll());
    // THEN
    expect(message).toBe([
      'Customer-value assertions failed for App: 4 problem(s)',
      '',
      'Resources outside any customer service (declare them inside a CustomerService or include() them; '
      + 'acknowledge CustomerValue-ResourceOutsideService for shared infrastructure) (2):',
      '  - Shop/Loose/Resource (AWS::S3::Bucket)',
      '  - Shop/Loose/Policy/Resource (AWS::S3::BucketPolicy)',
      '',
      'Resources without the customer-value tags of their service (1):',
      '  - Shop/Checkout/Stripped/Resource (AWS::S3::Bucket, service "checkout"): customer-service is missing (expected "checkout"), '
      + 'customer-need is missing (expected "Shoppers pay for their basket in one step"), customer is missing (expected "external:Online shoppers"), '
      + 'team is "growth" instead of "payments", business-unit is missing (expected "retail")',
      '',
      'Services with cost reporting disabled, so without budget and dashboard (turn it back on, or acknowledge it on the service: '
      + "Validations.of(service).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: '...' })) (1):",
      '  - "search" (Shop/Search): cost reporting is disabled (reason: "sandbox")',
    ].join('\n'));
  });

  test('each assertion reports only its own problems; findProblems returns them as lines', () => {
    // GIVEN: a loose bucket only
    const { app, stack } = goodApp();
    new s3.Bucket(stack, 'Loose', { enforceSSL: true });
    const assertions = CustomerValueAssertions.fromApp(app);
    // THEN
    expect(() => assertions.everyResourceIsTagged()).not.toThrow();
    expect(() => assertions.everyServiceHasBudgetAndDashboard()).not.toThrow();
    expect(errorOf(() => assertions.everyResourceBelongsToAService())).toMatch(/^Customer-value assertions failed for App: 2 problem\(s\)\n\nResources outside any customer service/);
    expect(assertions.findProblems()).toEqual([
      expect.stringMatching(/^Resources outside any customer service .*: Shop\/Loose\/Resource \(AWS::S3::Bucket\)$/),
      expect.stringMatching(/^Resources outside any customer service .*: Shop\/Loose\/Policy\/Resource \(AWS::S3::BucketPolicy\)$/),
    ]);
  });

  test('fromStack judges that stack only', () => {
    // GIVEN: a loose bucket in another stack
    const { app, stack } = goodApp();
    new s3.Bucket(new Stack(app, 'Other'), 'Loose', { enforceSSL: true });
    // THEN
    expect(() => CustomerValueAssertions.fromStack(stack).assertAll()).not.toThrow();
    expect(errorOf(() => CustomerValueAssertions.fromStack(app.node.findChild('Other') as Stack).assertAll()))
      .toMatch(/^Customer-value assertions failed for Stack Other: 2 problem\(s\)/);
  });

  test('services in nested stages (a pipeline app) are judged against the budgets of their own stage', () => {
    // GIVEN: the same service in two stages
    const app = testApp();
    for (const id of ['Beta', 'Prod']) {
      const stage = new Stage(app, id, { env: { account: id === 'Beta' ? '222222222222' : '333333333333', region: 'eu-west-1' } });
      const svc = new CustomerService(new Stack(stage, 'Shop'), 'Checkout', CHECKOUT);
      new s3.Bucket(svc, 'Receipts', { enforceSSL: true });
      svc.addUsageMetric('orders', ORDERS);
    }
    // THEN
    expect(CustomerValueAssertions.fromApp(app).findProblems()).toEqual([]);
  });

  test('a budget in another stage (another account) does not count', () => {
    // GIVEN: Prod's checkout lost its own budget; Beta has a budget filtered to the same tag
    const app = testApp();
    const services = ['Beta', 'Prod'].map((id) => {
      const stage = new Stage(app, id, { env: { account: id === 'Beta' ? '222222222222' : '333333333333', region: 'eu-west-1' } });
      const svc = new CustomerService(new Stack(stage, 'Shop'), 'Checkout', CHECKOUT);
      new s3.Bucket(svc, 'Receipts', { enforceSSL: true });
      svc.addUsageMetric('orders', ORDERS);
      return svc;
    });
    services[1].node.findChild('CostReporting').node.tryRemoveChild('Budget');
    // THEN
    expect(CustomerValueAssertions.fromApp(app).findProblems()).toEqual([
      'Services without a budget filtered to their service tag: "checkout" (Prod/Shop/Checkout): no budget filters on customer-service=checkout '
      + '(e.g. CostFilters {"TagKeyValue": ["user:customer-service$checkout"]})',
    ]);
  });

  test('acknowledged findings are accepted, as in CustomerValueChecks', () => {
    // GIVEN
    const { app, stack } = goodApp();
    const shared = new s3.Bucket(stack, 'PlatformLogs', { enforceSSL: true });
    Validations.of(shared).acknowledge({ id: 'CustomerValue-ResourceOutsideService', reason: 'Access logs of every bucket in the shop' });
    const sandbox = new CustomerService(stack, 'Sandbox', {
      ...CHECKOUT, customerNeed: 'Teams try new product ideas safely', costReporting: CostReporting.disabled('torn down nightly'),
    });
    new s3.Bucket(sandbox, 'Scratch', { enforceSSL: true });
    Validations.of(sandbox).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'Sandbox account, torn down every night' });
    // THEN
    expect(CustomerValueAssertions.fromApp(app).findProblems()).toEqual([]);
  });

  test('a service with reporting disabled is reported once, with the acknowledgement that accepts it', () => {
    // GIVEN: a sandbox service without cost reporting (and no reason recorded)
    const { app, stack } = goodApp();
    const sandbox = new CustomerService(stack, 'Sandbox', {
      ...CHECKOUT, customerNeed: 'Teams try new product ideas safely', costReporting: { enabled: false },
    });
    new s3.Bucket(sandbox, 'Scratch', { enforceSSL: true });
    // WHEN
    const message = errorOf(() => CustomerValueAssertions.fromApp(app).everyServiceHasBudgetAndDashboard());
    // THEN: the finding names the rule id to acknowledge and where, like the CustomerValueChecks finding
    expect(message).toBe([
      'Customer-value assertions failed for App: 1 problem(s)',
      '',
      'Services with cost reporting disabled, so without budget and dashboard (turn it back on, or acknowledge it on the service: '
      + "Validations.of(service).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: '...' })) (1):",
      '  - "sandbox" (Shop/Sandbox): cost reporting is disabled (no reason recorded)',
    ].join('\n'));
  });

  test('a service whose dashboard is turned off has no dashboard', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
    const svc = new CustomerService(stack, 'Checkout', { ...CHECKOUT, costReporting: { monthlyBudget: 500, dashboard: false } });
    new s3.Bucket(svc, 'Receipts', { enforceSSL: true });
    // THEN
    expect(CustomerValueAssertions.fromApp(app).findProblems())
      .toEqual(['Services without a dashboard: "checkout" (Shop/Checkout): no dashboard inside the service or named after it']);
  });

  test('bad input is refused with a clear error', () => {
    const app = testApp();
    expect(() => CustomerValueAssertions.fromApp(new Stack(app, 'Shop') as any)).toThrow('CustomerValueAssertions.fromApp: expected an App or a Stage, got a Stack');
    expect(() => CustomerValueAssertions.fromStack(app as any)).toThrow('CustomerValueAssertions.fromStack: expected a Stack, got an App');
    expect(() => CustomerValueAssertions.fromStack(new Stack(new Construct(undefined as any, ''), 'Loose')))
      .toThrow(/is not in an App \(its root is not a Stage\)/);
  });
});

describe('budget filter detection (aws-cost-facts §2)', () => {
  function budget(data: Partial<budgets.CfnBudget.BudgetDataProperty>): CfnResource {
    const stack = new Stack(testApp(), 'Shop');
    return new budgets.CfnBudget(stack, 'Budget', { budget: { budgetType: 'COST', timeUnit: 'MONTHLY', ...data } });
  }

  test.each([
    ['legacy CostFilters with the user: prefix', { costFilters: { TagKeyValue: ['user:customer-service$checkout'] } }, true],
    ['legacy CostFilters without the user: prefix (tracks $0)', { costFilters: { TagKeyValue: ['customer-service$checkout'] } }, false],
    ['FilterExpression on the raw key', { filterExpression: { tags: { key: 'customer-service', values: ['checkout'] } } }, true],
    ['FilterExpression on the user: key, inside And', {
      filterExpression: { and: [{ tags: { key: 'user:customer-service', values: ['checkout'] } }, { dimensions: { key: 'REGION', values: ['eu-west-1'] } }] },
    }, true],
    ['FilterExpression excluding the service (Not)', { filterExpression: { not: { tags: { key: 'customer-service', values: ['checkout'] } } } }, false],
    ['another service', { costFilters: { TagKeyValue: ['user:customer-service$search'] } }, false],
    ['no filter', {}, false],
  ])('%s', (_name, data, selects) => {
    expect(budgetSelectsTag(budget(data as any), 'customer-service', 'checkout')).toBe(selects);
  });
});
