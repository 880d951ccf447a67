/**
 * The daily cost metric publisher: one per stack, least-privilege IAM, daily schedule, its configuration.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DECLARATION, ENV, flatten, only } from './helpers';
import { CustomerService } from '../../src/customer-service';
import { SHARED_METADATA_TYPE, sharedPurpose } from '../../src/private/shared-marker';
import { CostAlertTarget } from '../../src/reporting/cost-alert-target';
import { CostMetricPublisher } from '../../src/reporting/cost-metric-publisher';
import { CostReporting } from '../../src/reporting/cost-reporting-options';
import { PublisherConfig } from '../../src/reporting/private/publisher-config';
import { testApp } from '../util';

function services(stack: Stack, names: string[], team = 'payments'): CustomerService[] {
  return names.map((name) => new CustomerService(stack, name, { ...DECLARATION, serviceName: name, team, costReporting: { monthlyBudget: 10 } }));
}

function inputOf(template: Template): PublisherConfig {
  const rule = only(template, 'AWS::Events::Rule').props;
  return JSON.parse(flatten(rule.Targets[0].Input));
}

describe('one publisher per stack', () => {
  test('three services in one stack create exactly one publisher, at the stack root, marked as shared', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    services(stack, ['checkout', 'search', 'returns']);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::Budgets::Budget', 3);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1); // the stack's (DashboardLayout.STACK)
    const publisher = CostMetricPublisher.of(stack);
    expect(publisher.node.path).toBe('Shop/CustomerValueCostPublisher');
    expect(publisher.serviceNames).toEqual(['checkout', 'search', 'returns']);
    expect(sharedPurpose(publisher.function)).toBe('daily cost metric publisher');
    expect(publisher.node.metadata.find((m) => m.type === SHARED_METADATA_TYPE)?.data).toEqual({ purpose: 'daily cost metric publisher' });
  });

  test('two stacks create two publishers; a stack whose services all opted out has none', () => {
    const app = testApp();
    const eu = new Stack(app, 'ShopEu', { env: ENV });
    const us = new Stack(app, 'ShopUs', { env: { ...ENV, region: 'us-east-1' } });
    const sandbox = new Stack(app, 'Sandbox', { env: ENV });
    services(eu, ['checkout-eu', 'search-eu']);
    services(us, ['checkout-us']);
    const playground = new CustomerService(sandbox, 'Playground', { ...DECLARATION, serviceName: 'playground', costReporting: CostReporting.disabled('sandbox') });
    new sqs.Queue(playground, 'Scratch', { enforceSSL: true });
    expect([eu, us, sandbox].map((s) => Template.fromStack(s).findResources('AWS::Lambda::Function'))
      .map((r) => Object.keys(r).length)).toEqual([1, 1, 0]);
    expect(CostMetricPublisher.isCreated(sandbox)).toBe(false);
  });

  test('the publisher id at the stack root is reserved', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    new lambda.Function(stack, CostMetricPublisher.ID, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'i.h', code: lambda.Code.fromInline('x') });
    services(stack, ['checkout']);
    expect(() => app.synth()).toThrow(/\[Shop\] the construct id "CustomerValueCostPublisher" at the root of the stack is taken by another construct/);
  });
});

describe('the function and its schedule', () => {
  let template: Template;
  let stack: Stack;
  beforeAll(() => {
    const app = testApp();
    stack = new Stack(app, 'Shop', { env: ENV });
    services(stack, ['checkout']);
    template = Template.fromStack(stack);
  });

  test('runs daily at 06:00 UTC and passes its configuration as the event input', () => {
    const rule = only(template, 'AWS::Events::Rule').props;
    expect(rule.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(rule.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CustomerValueCostPublisherFunction/), 'Arn'] });
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 2 });
  });

  test('a current Node.js runtime (not the deprecated nodejs20.x), arm64, its own log group with retention', () => {
    const fn = only(template, 'AWS::Lambda::Function').props;
    expect(['nodejs22.x', 'nodejs24.x']).toContain(fn.Runtime);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.Handler).toBe('index.handler');
    expect(fn.Timeout).toBe(300);
    const logs = only(template, 'AWS::Logs::LogGroup');
    expect(logs.props.RetentionInDays).toBe(90);
    expect(fn.LoggingConfig).toEqual({ LogGroup: { Ref: logs.id } });
  });

  test('least privilege: its own log group, ce:GetCostAndUsage, PutMetricData only into CustomerValue, GetMetricData', () => {
    const policy = only(template, 'AWS::IAM::Policy').props.PolicyDocument.Statement;
    const logGroup = only(template, 'AWS::Logs::LogGroup').id;
    expect(policy).toEqual([
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
      { Sid: 'ReadDailyCost', Effect: 'Allow', Action: 'ce:GetCostAndUsage', Resource: '*' },
      {
        Sid: 'PublishCustomerValueMetrics',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'CustomerValue' } },
      },
      { Sid: 'ReadUnitMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
    ]);
    // no AWS managed policy on the role (AwsSolutions-IAM4)
    expect(only(template, 'AWS::IAM::Role').props.ManagedPolicyArns).toBeUndefined();
  });
});

describe('the configuration', () => {
  test('the services of the stack with reporting, their unit metric (resolved at deploy), and the app\'s tag keys', () => {
    // GIVEN two services in the stack (one without reporting), one in another stack, custom tag keys
    const app = testApp({ context: { 'customer-value:tagKeys': { team: 'owner-team' } } });
    const shop = new Stack(app, 'Shop', { env: ENV });
    const ledger = new Stack(app, 'Ledger', { env: ENV });
    const [checkout, returns] = services(shop, ['checkout', 'returns']);
    new CustomerService(shop, 'Search', { ...DECLARATION, serviceName: 'search', team: 'discovery', costReporting: CostReporting.disabled('no budget yet') });
    new CustomerService(ledger, 'Ledger', { ...DECLARATION, serviceName: 'ledger', businessUnit: 'finance', costReporting: { monthlyBudget: 5 } });
    const api = new lambda.Function(checkout, 'Api', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'i.h', code: lambda.Code.fromInline('x') });
    checkout.addUsageMetric('orders', api.metricInvocations(), { unitScale: 1000 });
    expect(returns.unitMetric).toBeUndefined();

    // WHEN
    const config = inputOf(Template.fromStack(shop));

    // THEN team and business-unit totals need no declarations: the publisher groups by their tags
    const fnRef = `@Ref:${shop.getLogicalId(api.node.defaultChild as lambda.CfnFunction)}@`;
    expect(config).toEqual({
      version: 1,
      tagKeys: { service: 'customer-service', team: 'owner-team', businessUnit: 'business-unit' },
      namespace: 'CustomerValue',
      republishDays: 13,
      stackName: 'Shop',
      services: [
        {
          name: 'checkout',
          unit: { metric: { ns: 'AWS/Lambda', name: 'Invocations', dims: { FunctionName: fnRef }, stat: 'Sum' } },
          unitScale: 1000,
        },
        { name: 'returns' },
      ],
    });
  });

  test('a unit-cost alarm asks the publisher for the change over its comparison period', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const svc = new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { unitCostAlarm: {} } });
    svc.addUsageMetric('orders', new cloudwatch.MathExpression({
      expression: 'a + b',
      usingMetrics: {
        a: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'WebOrders', statistic: 'Sum' }),
        b: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'AppOrders', statistic: 'Sum', region: 'us-east-1' }),
      },
    }));
    const [service] = inputOf(Template.fromStack(stack)).services;
    expect(service.compareDays).toBe(7);
    expect(service.unit).toEqual({
      expression: 'a + b',
      using: {
        a: { ns: 'Shop', name: 'WebOrders', stat: 'Sum' },
        b: { ns: 'Shop', name: 'AppOrders', stat: 'Sum' },
      },
      region: 'us-east-1',
    });
  });

  test('a configuration too large for an EventBridge input (8 192 characters) fails synthesis with advice', () => {
    // GIVEN 40 services in one stack, each with a unit metric holding several deploy-time names
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    for (let i = 0; i < 40; i++) {
      const svc = new CustomerService(stack, `Svc${i}`, { ...DECLARATION, serviceName: `service-number-${i}`, costReporting: { monthlyBudget: 1, dashboard: false } });
      const f = new lambda.Function(svc, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'i.h', code: lambda.Code.fromInline('x') });
      svc.addUsageMetric('requests', f.metricInvocations());
    }

    // WHEN / THEN
    const errors = CostMetricPublisher.of(stack).node.validate();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^the cost publisher configuration of stack Shop \(40 services with reporting\) would be about \d+ characters once deployed, over the 8192 characters an EventBridge target input accepts: spread the services over more stacks/);
  });
});

describe('the publisher\'s health: a failing publisher is never invisible', () => {
  function alarms(template: Template) {
    const found = template.findResources('AWS::CloudWatch::Alarm');
    const byId = (prefix: string) => Object.entries(found).find(([id]) => id.startsWith(prefix))![1].Properties;
    return { errors: byId('CustomerValueCostPublisherErrorsAlarm'), costData: byId('CustomerValueCostPublisherCostDataAlarm') };
  }

  test('an errors alarm on the function and a cost-data alarm that treats missing data as breaching', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    services(stack, ['checkout']);
    const { errors, costData } = alarms(Template.fromStack(stack));
    expect(errors).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 86400,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(costData).toMatchObject({
      Namespace: 'CustomerValue',
      MetricName: 'CostDatapoints',
      Dimensions: [{ Name: 'Stack', Value: 'Shop' }],
      Statistic: 'Maximum',
      Period: 86400,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
  });

  test('the cost-data alarm window follows the context; a bad value is refused at synth', () => {
    const app = testApp({ context: { 'customer-value:costDataAlarmDays': 3 } });
    const stack = new Stack(app, 'Shop', { env: ENV });
    services(stack, ['checkout']);
    expect(alarms(Template.fromStack(stack)).costData).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    const bad = testApp({ context: { 'customer-value:costDataAlarmDays': 0 } });
    services(new Stack(bad, 'Shop', { env: ENV }), ['checkout']);
    // issue 25: 2 to 7 (was 1 to 14): at most 7 days of evaluation range, and 1 day flaps on a daily run
    expect(() => bad.synth()).toThrow(/context "customer-value:costDataAlarmDays" is 0: expected a whole number of days from 2 to 7/);
  });

  test('both alarms notify every service\'s topics, and e-mail-only services through one health topic', () => {
    // GIVEN one service alerting a topic, two alerting e-mail addresses (one address shared)
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const chat = new sns.Topic(stack, 'Chat', { enforceSSL: true });
    new CustomerService(stack, 'Checkout', { ...DECLARATION, serviceName: 'checkout', costReporting: { notify: [CostAlertTarget.topic(chat)] } });
    new CustomerService(stack, 'Search', { ...DECLARATION, serviceName: 'search', costReporting: { notify: [CostAlertTarget.email('discovery@example.com'), CostAlertTarget.email('finops@example.com')] } });
    new CustomerService(stack, 'Returns', { ...DECLARATION, serviceName: 'returns', costReporting: { notify: [CostAlertTarget.email('FinOps@example.com')] } });

    // THEN
    const template = Template.fromStack(stack);
    const health = Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('CustomerValueCostPublisherHealthTopic'))!;
    const expected = [{ Ref: stack.getLogicalId(chat.node.defaultChild as sns.CfnTopic) }, { Ref: health }];
    for (const alarm of Object.values(alarms(template))) {
      expect(alarm.AlarmActions).toEqual(expected);
      expect(alarm.OKActions).toEqual(expected);
    }
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map((r) => r.Properties);
    expect(subscriptions.map((p) => [p.Endpoint, p.TopicArn])).toEqual([['discovery@example.com', { Ref: health }], ['finops@example.com', { Ref: health }]]);
  });

  test('every service\'s dashboard shows the publisher\'s alarms and its runs per outcome', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    services(stack, ['checkout']);
    const body = JSON.parse(flatten(only(Template.fromStack(stack), 'AWS::CloudWatch::Dashboard').props.DashboardBody));
    const status = body.widgets.find((w: any) => w.properties.title === 'Cost publisher of stack Shop');
    expect(status.type).toBe('alarm');
    expect(status.properties.alarms).toHaveLength(2);
    const runs = body.widgets.find((w: any) => w.properties.title === 'Cost publisher runs per outcome');
    expect(runs.properties.metrics.map((m: any[]) => m.slice(0, 6))).toEqual(CostMetricPublisher.OUTCOMES.map((o) => ['CustomerValue', 'PublisherRuns', 'Outcome', o, 'Stack', 'Shop']));
  });
});

describe('the cost of cost reporting is attributed, never untagged', () => {
  const tagsOf = (template: Template, type: string) => {
    const [resource] = Object.values(template.findResources(type));
    return Object.fromEntries((resource.Properties.Tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
  };

  test('by default the publisher\'s function, role, log group and schedule carry the tags of the stack\'s first service', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    services(stack, ['checkout']);
    services(stack, ['search'], 'discovery');
    const template = Template.fromStack(stack);
    for (const type of ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::Logs::LogGroup']) {
      expect(tagsOf(template, type)).toMatchObject({ 'customer-service': 'checkout', 'team': 'payments', 'business-unit': 'retail' });
    }
  });

  test('the context customer-value:reportingOwner names the service that owns it, in another stack too', () => {
    const app = testApp({ context: { 'customer-value:reportingOwner': 'finops-reports' } });
    const stack = new Stack(app, 'Shop', { env: ENV });
    services(stack, ['checkout']);
    services(new Stack(app, 'Platform', { env: ENV }), ['finops-reports'], 'platform');
    expect(tagsOf(Template.fromStack(stack), 'AWS::Lambda::Function')).toMatchObject({ 'customer-service': 'finops-reports', 'team': 'platform' });
  });

  test('an owner no service declares is refused at synth', () => {
    const app = testApp({ context: { 'customer-value:reportingOwner': 'finops' } });
    services(new Stack(app, 'Shop', { env: ENV }), ['checkout']);
    expect(() => app.synth()).toThrow(/context "customer-value:reportingOwner" is "finops", which no service of this app declares \(services: checkout\)/);
  });
});
