/**
 * One service deployed more than once where its cost cannot be told apart (cost allocation tags are the same on every
 * deployment): one budget per service and account (or account and region with CostScope.REGION), a warning naming the
 * deployments, and dashboards that say what the numbers cover.
 */
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CustomerValueAssertions } from '../../src/assertions/customer-value-assertions';
import { CustomerService } from '../../src/customer-service';
import { CostReportingOptions, CostScope } from '../../src/reporting/cost-reporting-options';
import { PublisherConfig } from '../../src/reporting/private/publisher-config';
import { testApp } from '../util';
import { DECLARATION, flatten, only } from './helpers';

const ACCOUNT = '111111111111';
const WARNING = 'cdk-customer-value:CostReporting.sharedAccount';

/** A stage with one stack holding "checkout". */
function deploy(app: App, stage: string, env: { account?: string; region?: string }, costReporting: CostReportingOptions = { monthlyBudget: 100 }) {
  const stack = new Stack(new Stage(app, stage, { env }), 'Shop');
  const service = new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting });
  return { stack, service };
}

function budgets(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::Budgets::Budget')).map((r) => r.Properties.Budget);
}

function warnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNING)).map((w) => String(w.entry.data));
}

function dashboardText(stack: Stack): { declaration: string; costTitle: string } {
  const body = JSON.parse(flatten(only(Template.fromStack(stack), 'AWS::CloudWatch::Dashboard').props.DashboardBody));
  const widgets: any[] = body.widgets;
  return {
    declaration: widgets.find((w) => String(w.properties.markdown ?? '').startsWith('# checkout'))!.properties.markdown,
    costTitle: widgets.find((w) => String(w.properties.title ?? '').startsWith('Daily cost of'))!.properties.title,
  };
}

describe('Beta and Prod in one account (and one region)', () => {
  test.each([
    ['Beta first', ['Beta', 'Prod']],
    ['Prod first', ['Prod', 'Beta']],
  ])('one budget, kept by the first stack in path order, whatever the declaration order (%s)', (_label, order) => {
    // GIVEN
    const app = testApp();
    const byStage: Record<string, { stack: Stack; service: CustomerService }> = {};
    for (const stage of order) {
      byStage[stage] = deploy(app, stage, { account: ACCOUNT, region: 'eu-west-1' }, { monthlyBudget: stage === 'Prod' ? 500 : 100 });
    }
    const { Beta: beta, Prod: prod } = byStage;

    // THEN Beta/Shop comes first: its budget is the only one
    expect(budgets(beta.stack).map((b) => b.BudgetName)).toEqual([expect.stringMatching(/^checkout-Beta-Shop-eu-west-1-/)]);
    expect(budgets(prod.stack)).toEqual([]);
    expect(beta.service.costReporting!.budget).toBeDefined();
    expect(prod.service.costReporting!.budget).toBeUndefined();

    // and both say so, naming the deployments and what the numbers mean
    for (const { stack } of [beta, prod]) {
      expect(warnings(stack)).toEqual([expect.stringMatching(
        /^The service "checkout" is deployed 2 times where its cost cannot be told apart \(all deployments in account 111111111111\): Beta-Shop \(eu-west-1\), Prod-Shop \(eu-west-1\)\. .*the budget \(one, kept by Beta-Shop \(eu-west-1\)\), the daily cost metric and the dashboards of each show the cost of all of them/)]);
      expect(dashboardText(stack).costTitle).toBe('Daily cost of checkout (USD), all deployments in account 111111111111');
    }
    expect(dashboardText(prod.stack).declaration).toMatch(/\*\*Budget:\*\* kept by the deployment in stack Beta\\-Shop .*\(one budget for all deployments in account 111111111111\)/);
  });

  test('the warning is decided once the deployments are known, not by validation: it is there when synthesis skips validation', () => {
    const app = testApp();
    const beta = deploy(app, 'Beta', { account: ACCOUNT, region: 'eu-west-1' });
    const prod = deploy(app, 'Prod', { account: ACCOUNT, region: 'eu-west-1' });
    const assembly = app.synth({ skipValidation: true });
    for (const { stack } of [beta, prod]) {
      const messages = assembly.getNestedAssembly(`assembly-${stack.node.scope!.node.id}`).getStackByName(stack.stackName).messages;
      expect(messages.filter((m) => m.level === 'warning' && String(m.entry.data).includes(WARNING)).map((m) => String(m.entry.data)))
        .toEqual([expect.stringMatching(/^The service "checkout" is deployed 2 times where its cost cannot be told apart/)]);
    }
  });

  test('the metadata records the scope and which stack keeps the budget', () => {
    const app = testApp();
    deploy(app, 'Prod', { account: ACCOUNT, region: 'eu-west-1' });
    deploy(app, 'Beta', { account: ACCOUNT, region: 'eu-west-1' });
    const assembly = app.synth();
    const record = (stage: string) => assembly.getNestedAssembly(`assembly-${stage}`).getStackByName(`${stage}-Shop`)
      .findMetadataByType('customer-value:service')[0].data as any;
    expect(record('Beta').costReporting).toMatchObject({ costScope: 'account', budgetName: expect.stringMatching(/^checkout-Beta-Shop-/) });
    expect(record('Beta').costReporting.budgetOwnerStack).toBeUndefined();
    expect(record('Prod').costReporting).toMatchObject({ costScope: 'account', budgetOwnerStack: 'Beta/Shop' });
    expect(record('Prod').costReporting.budgetName).toBeUndefined();
  });
});

test('Beta and Prod in two accounts: a budget each, no warning', () => {
  const app = testApp();
  const beta = deploy(app, 'Beta', { account: '111111111111', region: 'eu-west-1' });
  const prod = deploy(app, 'Prod', { account: '222222222222', region: 'eu-west-1' });
  expect([budgets(beta.stack).length, budgets(prod.stack).length]).toEqual([1, 1]);
  expect([...warnings(beta.stack), ...warnings(prod.stack)]).toEqual([]);
});

describe('one account, two regions', () => {
  test('CostScope.ACCOUNT (default): one budget for both regions, and a warning', () => {
    const app = testApp();
    const eu = deploy(app, 'Eu', { account: ACCOUNT, region: 'eu-west-1' });
    const us = deploy(app, 'Us', { account: ACCOUNT, region: 'us-east-1' });
    expect([budgets(eu.stack).length, budgets(us.stack).length]).toEqual([1, 0]);
    expect(budgets(eu.stack)[0].CostFilters).toStrictEqual({ TagKeyValue: ['user:customer-service$checkout'] });
    expect(warnings(us.stack)).toHaveLength(1);
  });

  test('CostScope.REGION: a budget per region, filtered by region as well; the publisher reads the region\'s cost', () => {
    const app = testApp();
    const eu = deploy(app, 'Eu', { account: ACCOUNT, region: 'eu-west-1' }, { monthlyBudget: 100, costScope: CostScope.REGION });
    const us = deploy(app, 'Us', { account: ACCOUNT, region: 'us-east-1' }, { monthlyBudget: 100, costScope: CostScope.REGION });
    expect(budgets(eu.stack).map((b) => b.CostFilters)).toStrictEqual([{ TagKeyValue: ['user:customer-service$checkout'], Region: ['eu-west-1'] }]);
    expect(budgets(us.stack).map((b) => b.CostFilters)).toStrictEqual([{ TagKeyValue: ['user:customer-service$checkout'], Region: ['us-east-1'] }]);
    expect([...warnings(eu.stack), ...warnings(us.stack)]).toEqual([]);
    expect(dashboardText(us.stack).costTitle).toBe('Daily cost of checkout (USD), the deployments in account 111111111111, region us-east-1');
    const rule = only(Template.fromStack(us.stack), 'AWS::Events::Rule').props;
    const config = JSON.parse(flatten(rule.Targets[0].Input)) as PublisherConfig;
    expect(config.region).toBe('us-east-1');
    expect(config.services).toEqual([{ name: 'checkout', scope: 'region' }]);
  });

  test('CostScope.REGION twice in the same region: one budget, and a warning', () => {
    const app = testApp();
    const beta = deploy(app, 'Beta', { account: ACCOUNT, region: 'eu-west-1' }, { costScope: CostScope.REGION });
    const prod = deploy(app, 'Prod', { account: ACCOUNT, region: 'eu-west-1' }, { costScope: CostScope.REGION });
    expect([budgets(beta.stack).length, budgets(prod.stack).length]).toEqual([1, 0]);
    expect(warnings(prod.stack)).toEqual([expect.stringMatching(/\(the deployments in account 111111111111, region eu-west-1\)/)]);
  });
});

test('accounts only known at deploy cannot be compared: a budget each', () => {
  const app = testApp();
  const beta = deploy(app, 'Beta', {});
  const prod = deploy(app, 'Prod', {});
  expect([budgets(beta.stack).length, budgets(prod.stack).length]).toEqual([1, 1]);
  expect(dashboardText(beta.stack).costTitle).toBe('Daily cost of checkout (USD), all deployments in this account');
});

test('costScope must be a CostScope', () => {
  const app = testApp();
  deploy(app, 'Beta', { account: ACCOUNT }, { costScope: 'STAGE' as CostScope });
  expect(() => app.synth()).toThrow('costReporting.costScope is "STAGE": accepted values are CostScope.ACCOUNT, CostScope.REGION');
});

test('the assertions find the shared budget in the other stage of the same account', () => {
  const app = testApp();
  deploy(app, 'Beta', { account: ACCOUNT, region: 'eu-west-1' });
  deploy(app, 'Prod', { account: ACCOUNT, region: 'eu-west-1' });
  expect(() => CustomerValueAssertions.fromApp(app).everyServiceHasBudgetAndDashboard()).not.toThrow();
});
