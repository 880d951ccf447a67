import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { DECLARATION, ENV } from './helpers';
import { CostAlertTarget, CostAndUsageExport, CostReporting, CustomerService, ValueReviewReports } from '../../src';
import { alarmDeliveries, AlarmDelivery, evaluationRangeProblems } from '../alarm-delivery';
import { OWNER } from '../billing/owner';
import { exampleAppProps, testApp, VALID } from '../util';

/*
 * Every alarm of ours reaches a person, checked on the synthesized templates against AWS's documented contract
 * (test/alarm-delivery.ts): alarm action -> a topic policy statement that lets cloudwatch.amazonaws.com publish for the
 * alarm (aws:SourceAccount, aws:SourceArn) and no Deny that stops it -> the key policy when the topic is encrypted ->
 * a subscription. AWS re:Post knowledge center "cloudwatch-receive-sns-for-alarm-trigger": a topic policy without the
 * statement makes every notification fail, visible only in the alarm history.
 */

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts') && f !== 'refused.ts').sort();

/** The deliveries of every stack of a synthesized app. */
function deliveries(app: App): Array<AlarmDelivery & { stack: string }> {
  const assembly = app.synth();
  return assembly.stacksRecursively.flatMap((stack: CloudFormationStackArtifact) => {
    const env = {
      account: stack.environment.account === 'unknown-account' ? '123456789012' : stack.environment.account,
      region: stack.environment.region === 'unknown-region' ? 'us-east-1' : stack.environment.region,
      stackName: stack.stackName,
    };
    return alarmDeliveries(stack.template, env).map((d) => ({ ...d, stack: stack.stackName }));
  });
}

/**
 * Topics the library creates (by logical id): a person must be subscribed (the user's own topics are theirs to
 * subscribe, e.g. a chat integration).
 */
const LIBRARY_TOPIC = /(CostPublisherHealthTopic|CostReportingAlertTopic)[0-9A-F]{8}$/;

describe('the examples', () => {
  test.each(files)('examples/%s: every alarm notification is delivered (topic policy, key policy), library topics have subscribers; evaluation ranges PutMetricAlarm accepts', (file) => {
    // GIVEN the example's app
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createApp } = require(path.join(EXAMPLES, file)) as { createApp: (props?: AppProps) => App };
    const app = createApp(exampleAppProps());
    // WHEN
    const found = deliveries(app);
    // THEN
    expect(found.filter((d) => d.problems.length > 0).map((d) => `${d.stack} ${d.alarm} -> ${d.topic}: ${d.problems.join('; ')}`)).toEqual([]);
    expect(found.filter((d) => !d.inTemplate)).toEqual([]);
    expect(found.filter((d) => LIBRARY_TOPIC.test(d.topic) && d.subscriptions === 0)).toEqual([]);
    if (['full-reporting.ts', 'minimal.ts', 'online-shop.ts', 'pipeline.ts'].includes(file)) {
      expect(found.filter((d) => LIBRARY_TOPIC.test(d.topic)).length).toBeGreaterThan(0);
    }
    for (const stack of app.synth().stacksRecursively) {
      expect(evaluationRangeProblems(stack.template)).toEqual([]);
    }
  });
});

describe('the contract check itself', () => {
  test('finds a topic whose policy leaves CloudWatch out, an AWS managed key, a topic without subscribers; accepts SNS\'s default policy', () => {
    // GIVEN alarms on: a TLS-only topic (its policy holds only the SSL deny), a topic encrypted with alias/aws/sns, and a
    // topic without a policy of its own
    const app = testApp();
    const stack = new Stack(app, 'Control', { env: ENV });
    const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders' });
    const alarm = (id: string, topic: sns.ITopic) => new cloudwatch.Alarm(stack, id, { metric, threshold: 1, evaluationPeriods: 1 })
      .addAlarmAction(new cwActions.SnsAction(topic));
    alarm('TlsOnly', new sns.Topic(stack, 'TlsOnlyTopic', { enforceSSL: true }));
    alarm('Managed', new sns.Topic(stack, 'ManagedKeyTopic', { masterKey: kms.Alias.fromAliasName(stack, 'Aws', 'alias/aws/sns') }));
    const plain = new sns.Topic(stack, 'PlainTopic');
    plain.addSubscription(new subs.EmailSubscription('ops@example.com'));
    alarm('Plain', plain);
    // WHEN
    const found = deliveries(app);
    // THEN
    const byAlarm = (prefix: string) => found.find((d) => d.alarm.startsWith(prefix))!;
    expect(byAlarm('TlsOnly').problems).toEqual([expect.stringMatching(/^the topic policy of TlsOnlyTopic\w+ has no statement that lets cloudwatch.amazonaws.com publish/)]);
    expect(byAlarm('TlsOnly').subscriptions).toBe(0);
    expect(byAlarm('Managed').problems).toEqual([expect.stringMatching(/alias\/aws\/sns.*the AWS managed key: CloudWatch cannot use it/)]);
    expect(byAlarm('Plain')).toMatchObject({ problems: [], subscriptions: 1 });
  });

  test('finds an evaluation range PutMetricAlarm refuses (more than 7 days)', () => {
    const template = { Resources: { A: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 86400, EvaluationPeriods: 8 } } } };
    expect(evaluationRangeProblems(template)).toEqual(['A: 8 x 86400 s = 691200 s of evaluation range, over 604800 s']);
  });
});

describe('the publisher\'s health alarms', () => {
  test('reach e-mail-only services through the health topic: its policy lets CloudWatch publish for the account\'s alarms', () => {
    // GIVEN a service whose alerts go to an e-mail address only
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { notify: [CostAlertTarget.email('payments@example.com')] } });
    // WHEN
    const found = deliveries(app);
    // THEN both alarms, delivered to the health topic, which has the subscription
    expect(found.map((d) => [d.alarm, d.topic, d.problems, d.subscriptions].map((x) => (typeof x === 'string' ? x.replace(/[0-9A-F]{8}$/, '') : x)))).toEqual([
      ['CustomerValueCostPublisherErrorsAlarm', 'CustomerValueCostPublisherHealthTopic', [], 1],
      ['CustomerValueCostPublisherCostDataAlarm', 'CustomerValueCostPublisherHealthTopic', [], 1],
    ]);
  });

  test('an imported topic cannot get the statement: a warning says what to add', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const chat = sns.Topic.fromTopicArn(stack, 'Chat', 'arn:aws:sns:eu-west-1:111111111111:chat');
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { notify: [CostAlertTarget.topic(chat)] } });
    app.synth();
    Annotations.fromStack(stack).hasWarning('/Shop/Checkout/CostReporting', Match.stringLikeRegexp(
      'arn:aws:sns:eu-west-1:111111111111:chat is imported, so its policy cannot be changed here: allow sns:Publish to .*cloudwatch.amazonaws.com '
      + '\\(conditions aws:SourceAccount = 111111111111, aws:SourceArn like arn:<partition>:cloudwatch:<region>:<account>:alarm:\\*\\)'));
  });
});

describe('the unit-cost alarm', () => {
  test('reaches the e-mail targets through the service\'s encrypted alert topic: topic policy, key policy, subscription', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new CustomerService(stack, 'Checkout', {
      ...DECLARATION,
      costReporting: { monthlyBudget: 10, notify: [CostAlertTarget.email('payments@example.com')], unitCostAlarm: {}, alertTopicKey: key },
    }).addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders' }));
    const found = deliveries(app);
    const unitCost = found.filter((d) => d.alarm.startsWith('CheckoutCostReportingUnitCostAlarm'));
    expect(unitCost.map((d) => [d.topic.replace(/[0-9A-F]{8}$/, ''), d.problems, d.subscriptions])).toEqual([['CheckoutCostReportingAlertTopic', [], 1]]);
    expect(found.every((d) => d.problems.length === 0)).toBe(true);
  });
});

describe('the value-review packs\' failure alarm', () => {
  function reviewApp(alarmTopic: (stack: Stack) => sns.ITopic) {
    const app = testApp();
    const workload = new Stack(app, 'Retail', { env: { account: '111111111111', region: 'eu-west-1' } });
    const checkout = new CustomerService(workload, 'Checkout', { ...VALID, costReporting: CostReporting.disabled('alarm delivery tests') });
    new sns.Topic(checkout, 'Events', { enforceSSL: true });
    const billing = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const cur = new CostAndUsageExport(billing, 'Cur', { owner: OWNER });
    new ValueReviewReports(billing, 'ValueReview', { owner: OWNER, costAndUsageExport: cur, alarmTopic: alarmTopic(billing) });
    return { app, billing };
  }

  test('reaches alarmTopic: its policy lets CloudWatch publish, its key lets CloudWatch encrypt', () => {
    const { app } = reviewApp((stack) => {
      const topic = new sns.Topic(stack, 'FinOpsAlarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) });
      topic.addSubscription(new subs.EmailSubscription('finops@example.com'));
      return topic;
    });
    const found = deliveries(app).filter((d) => d.alarm.startsWith('ValueReviewFailureAlarm'));
    expect(found.map((d) => [d.topic.replace(/[0-9A-F]{8}$/, ''), d.problems, d.subscriptions])).toEqual([['FinOpsAlarms', [], 1]]);
  });

  test('an imported alarmTopic: a warning names the statement to add', () => {
    const { app, billing } = reviewApp((stack) => sns.Topic.fromTopicArn(stack, 'FinOpsAlarms', 'arn:aws:sns:us-east-1:123456789012:finops-alarms'));
    app.synth();
    Annotations.fromStack(billing).hasWarning('/Billing/ValueReview', Match.stringLikeRegexp(
      'arn:aws:sns:us-east-1:123456789012:finops-alarms is imported, so its policy cannot be changed here: allow sns:Publish to cloudwatch.amazonaws.com.*\\[ack: cdk-customer-value:alerts.topicPolicyNotManaged\\]'));
  });
});

describe('customer-value:costDataAlarmDays', () => {
  function publisherApp(days: unknown) {
    const app = testApp({ context: { 'customer-value:costDataAlarmDays': days } });
    const stack = new Stack(app, 'Shop', { env: ENV });
    const service = new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { notify: [CostAlertTarget.email('payments@example.com')] } });
    Validations.of(service).acknowledge({ id: 'CustomerValue-NoUsageMetric', reason: 'test' });
    return app;
  }

  test.each([2, 3, 7])('%d days: an evaluation range PutMetricAlarm accepts (at most 604 800 s), every period breaching', (days) => {
    const app = publisherApp(days);
    const [stack] = app.synth().stacksRecursively;
    expect(evaluationRangeProblems(stack.template)).toEqual([]);
    const alarm = Object.values(stack.template.Resources as Record<string, any>).find((r) => r.Properties?.AlarmDescription?.startsWith?.('No cost data'))!;
    expect(alarm.Properties).toMatchObject({ Period: Duration.days(1).toSeconds(), EvaluationPeriods: days, DatapointsToAlarm: days, TreatMissingData: 'breaching' });
  });

  test.each([
    [8, 'CloudWatch evaluates an alarm over at most 7 days'],
    [14, 'CloudWatch evaluates an alarm over at most 7 days'],
    // the daily-job case of CloudWatch's alarm evaluation page: a sliding 1-day window can miss a daily run and flap
    [1, 'over 1 day the once-a-day run would leave some 24-hour windows empty and flap between ALARM and OK'],
  ])('%d days is refused at synth, one line with the field, the value and the accepted range', (days, why) => {
    const app = publisherApp(days);
    expect(() => app.synth()).toThrow(`[Shop/CustomerValueCostPublisher] context "customer-value:costDataAlarmDays" is ${days}: expected a whole number of days from 2 to 7 (`);
    expect(() => app.synth()).toThrow(why);
  });
});
