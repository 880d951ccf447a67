/**
 * Reporting as a whole: opt-out, the metadata record, and AWS Solutions checks (cdk-nag v3) plus AWS's
 * CloudFormation validator over a stack with several reporting services.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomerService } from '../../src/customer-service';
import { SERVICE_METADATA_TYPE, ServiceDeclarationRecord } from '../../src/declaration/record';
import { BudgetAlert } from '../../src/reporting/budget-alert';
import { CostAlertTarget } from '../../src/reporting/cost-alert-target';
import { CostReporting } from '../../src/reporting/cost-reporting-options';
import { synthFindings, testApp } from '../util';
import { DECLARATION, ENV } from './helpers';

function recordOf(app: ReturnType<typeof testApp>, stackName: string, serviceName: string): ServiceDeclarationRecord {
  const assembly = app.synth();
  const entries = assembly.getStackByName(stackName).findMetadataByType(SERVICE_METADATA_TYPE);
  const records = entries.map((e) => e.data as unknown as ServiceDeclarationRecord);
  return records.find((r) => r.serviceName === serviceName)!;
}

describe('opting out', () => {
  test('CostReporting.disabled(reason): no budget, dashboard, alarm or publisher; the reason is recorded', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Sandbox', { env: ENV });
    const svc = new CustomerService(stack, 'Playground', { ...DECLARATION, costReporting: CostReporting.disabled('sandbox account, torn down nightly') });
    new sqs.Queue(svc, 'Scratch', { enforceSSL: true });

    // THEN
    const template = Template.fromStack(stack);
    for (const type of ['AWS::Budgets::Budget', 'AWS::CloudWatch::Dashboard', 'AWS::CloudWatch::Alarm', 'AWS::Lambda::Function', 'AWS::Events::Rule']) {
      template.resourceCountIs(type, 0);
    }
    expect(svc.costReporting).toBeUndefined();
    expect(recordOf(app, 'Sandbox', 'checkout').costReporting).toEqual({ enabled: false, disabledReason: 'sandbox account, torn down nightly' });
  });
});

describe('the metadata record', () => {
  test('describes the budget, alerts, dashboard, unit metric and metrics, for the CLI', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const svc = new CustomerService(stack, 'Checkout', {
      ...DECLARATION,
      costReporting: {
        monthlyBudget: 500,
        notify: [CostAlertTarget.email('payments@example.com')],
        alerts: [BudgetAlert.actual(90), BudgetAlert.forecast(110)],
        unitCostAlarm: { increasePercent: 25, comparePeriod: Duration.days(7) },
      },
    });
    svc.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' }), { unitScale: 1000 });

    // THEN
    expect(recordOf(app, 'Shop', 'checkout').costReporting).toEqual({
      enabled: true,
      monthlyBudgetUsd: 500,
      budgetKind: 'fixed',
      costScope: 'account',
      budgetName: expect.stringMatching(/^checkout-Shop-eu-west-1-[0-9a-f]{8}$/),
      dashboardName: 'customer-value-Shop-eu-west-1',
      dashboardLayout: 'stack',
      alerts: [{ type: 'ACTUAL', thresholdPercent: 90 }, { type: 'FORECASTED', thresholdPercent: 110 }],
      alertTargets: { emails: 1, topics: 0 },
      unitMetric: 'orders',
      unitScale: 1000,
      unitCostAlarm: { increasePercent: 25, comparePeriodDays: 7 },
      metricNamespace: 'CustomerValue',
      costMetricName: 'Cost',
      unitCostMetricName: 'UnitCost',
      unitUsageMetricName: 'UnitUsage',
      metricStatistic: 'Maximum',
      publisherPath: 'Shop/CustomerValueCostPublisher',
    });
  });

  test('an auto-adjusting budget in an environment-agnostic stack records the region placeholder', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    new CustomerService(stack, 'Checkout', { ...DECLARATION });
    const record = recordOf(app, 'Shop', 'checkout').costReporting;
    expect(record).toMatchObject({ budgetKind: 'auto-adjusting', autoAdjustMonths: 6, budgetName: 'checkout-Shop-${AWS::Region}-15978d66' });
    expect(record.monthlyBudgetUsd).toBeUndefined();
  });
});

describe('the unit-cost alarm', () => {
  test('alarms on CustomerValue/UnitCostChange (Maximum, one day) above the increase, missing data is not breaching', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const svc = new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { unitCostAlarm: { increasePercent: 20 } } });
    svc.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' }), { unitScale: 1000 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [{
        Id: 'm1',
        ReturnData: true,
        Label: 'Unit cost change of checkout (%)',
        MetricStat: {
          Metric: { Namespace: 'CustomerValue', MetricName: 'UnitCostChange', Dimensions: [{ Name: 'ServiceName', Value: 'checkout' }] },
          Stat: 'Maximum',
          Period: 86400,
        },
      }],
      Threshold: 20,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: 'The unit cost of checkout (USD per 1000 orders) over the last 7 day(s) is more than 20 % above the 7 day(s) before. Published daily by the cost publisher of stack Shop (metric CustomerValue/UnitCostChange).',
    });
  });

  test('without a usage metric, synthesis fails with what to add', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { unitCostAlarm: {} } });
    expect(() => app.synth()).toThrow(/costReporting.unitCostAlarm of "checkout" needs a usage metric to divide the cost by: register one with service.addUsageMetric/);
  });

  test('a unit metric the publisher cannot read (math over math) fails synthesis', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const svc = new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { unitCostAlarm: {} } });
    const inner = new cloudwatch.MathExpression({ expression: 'a * 2', usingMetrics: { a: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders' }) } });
    svc.addUsageMetric('orders', new cloudwatch.MathExpression({ expression: 'e1 + 1', usingMetrics: { e1: inner } }));
    expect(() => app.synth()).toThrow(/the cost publisher cannot read the unit metric "orders" \(the math expression uses another math expression \(e1\)/);
  });
});

describe('AWS Solutions checks and the CloudFormation validator', () => {
  test('a stack with several reporting services has no finding', () => {
    // GIVEN fixed and auto budgets, e-mail and topic targets, a KMS-encrypted alert topic, a unit-cost alarm
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Shop', { env: ENV });
    const key = new kms.Key(stack, 'AlertKey', { enableKeyRotation: true });
    const chat = new sns.Topic(stack, 'Chat', { enforceSSL: true, masterKey: key });
    const checkout = new CustomerService(stack, 'Checkout', {
      ...DECLARATION,
      costReporting: {
        monthlyBudget: 500,
        notify: [CostAlertTarget.email('payments@example.com'), CostAlertTarget.topic(chat)],
        unitCostAlarm: {},
        alertTopicKey: key,
      },
    });
    checkout.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' }), { unitScale: 1000 });
    const search = new CustomerService(stack, 'Search', {
      ...DECLARATION,
      serviceName: 'search',
      team: 'discovery',
      costReporting: { notify: [CostAlertTarget.email('discovery@example.com')], unitCostAlarm: { increasePercent: 30 } },
    });
    search.addUsageMetric('searches', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Searches', statistic: 'Sum' }));
    new CustomerService(stack, 'Returns', { ...DECLARATION, serviceName: 'returns', costReporting: { monthlyBudget: 50, notify: [CostAlertTarget.topic(chat)] } });

    // WHEN
    const result = synthFindings(app);

    // THEN
    expect(result.error).toBeUndefined();
    expect(result.findings).toEqual([]);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Budgets::Budget', 3);
    // two unit-cost alarms, and the publisher's two health alarms
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
  });
});
