/**
 * Alert delivery over SNS: topic policies for budgets.amazonaws.com and costalerts.amazonaws.com scoped to the
 * account, TLS only, KMS key grants (aws-cost-facts §2 and §4; AWS Cost Management user guide,
 * "Creating an Amazon SNS topic for budget notifications" / "... for anomaly notifications").
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CustomerService } from '../../src/customer-service';
import { CostAlertTarget } from '../../src/reporting/cost-alert-target';
import { testApp } from '../util';
import { DECLARATION, ENV } from './helpers';

const BUDGETS_STATEMENT = (topicRef: unknown) => ({
  Sid: 'AWSBudgetsPublish',
  Effect: 'Allow',
  Principal: { Service: 'budgets.amazonaws.com' },
  Action: 'sns:Publish',
  Resource: topicRef,
  Condition: {
    StringEquals: { 'aws:SourceAccount': '111111111111' },
    ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::111111111111:*']] } },
  },
});
/** The key grant of one alerting service (one statement per service, shared with anomaly detection). */
const KEY_GRANT = (sid: string, service: string) => ({
  Sid: sid,
  Effect: 'Allow',
  Principal: { Service: service },
  Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
  Resource: '*',
  // no condition: the documented grant (aws-cost-facts §2, §4); the topic policy scopes publishing
});
/**
 * CloudWatch alarms of the account, in the stack's region (AWS re:Post knowledge center,
 * https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger): a topic policy replaces SNS's default
 * one, so without it every alarm notification fails, visible only in the alarm history.
 */
const CLOUDWATCH_STATEMENT = (topicRef: unknown) => ({
  Sid: 'CloudWatchAlarmsPublish',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: 'sns:Publish',
  Resource: topicRef,
  Condition: {
    StringEquals: { 'aws:SourceAccount': '111111111111' },
    ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111111111111:alarm:*']] } },
  },
});
const ANOMALY_STATEMENT = (topicRef: unknown) => ({
  Sid: 'AWSCostAnomalyDetectionPublish',
  Effect: 'Allow',
  Principal: { Service: 'costalerts.amazonaws.com' },
  Action: 'sns:Publish',
  Resource: topicRef,
  Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
});

function stackWith(): { stack: Stack } {
  return { stack: new Stack(testApp(), 'Shop', { env: ENV }) };
}

function policyOf(template: Template, topicId: string): any[] {
  const policies = template.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topicId }] } });
  const [only] = Object.values(policies);
  return only.Properties.PolicyDocument.Statement;
}

describe('your own topic as a target', () => {
  test('gets the budgets and cost-anomaly publish statements, scoped to the account, once even when shared by two services', () => {
    // GIVEN a topic of the app used by two services
    const { stack } = stackWith();
    const topic = new sns.Topic(stack, 'Chat', { enforceSSL: true });
    for (const name of ['checkout', 'returns']) {
      const costReporting = { monthlyBudget: 10, notify: [CostAlertTarget.topic(topic)] };
      new CustomerService(stack, name, { ...DECLARATION, serviceName: name, costReporting });
    }

    // THEN
    const template = Template.fromStack(stack);
    const ref = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
    const statements = policyOf(template, ref.Ref);
    expect(statements).toEqual([
      expect.objectContaining({ Sid: 'AllowPublishThroughSSLOnly', Effect: 'Deny' }),
      BUDGETS_STATEMENT(ref),
      ANOMALY_STATEMENT(ref),
      // the publisher's health alarms notify the topic too (issue 25)
      CLOUDWATCH_STATEMENT(ref),
    ]);
    // the library creates no topic of its own for budget notifications
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('an encrypted topic: its key lets the alerting services use it (kms:GenerateDataKey*, kms:Decrypt)', () => {
    const { stack } = stackWith();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'Chat', { enforceSSL: true, masterKey: key });
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { monthlyBudget: 10, notify: [CostAlertTarget.topic(topic)] } });

    const keyPolicy = Template.fromStack(stack).findResources('AWS::KMS::Key')[stack.getLogicalId(key.node.defaultChild as kms.CfnKey)]
      .Properties.KeyPolicy.Statement;
    expect(keyPolicy).toContainEqual(KEY_GRANT('AWSBudgetsUseKey', 'budgets.amazonaws.com'));
    expect(keyPolicy).toContainEqual(KEY_GRANT('AWSCostAnomalyDetectionUseKey', 'costalerts.amazonaws.com'));
  });

  test('an imported topic or key cannot be changed: acknowledgeable warnings say what to add', () => {
    const { stack } = stackWith();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const topic = sns.Topic.fromTopicAttributes(stack, 'Chat', { topicArn: 'arn:aws:sns:eu-west-1:111111111111:chat', keyArn: key.keyArn });
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { monthlyBudget: 10, notify: [CostAlertTarget.topic(topic)] } });

    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Shop/Checkout/CostReporting', Match.stringLikeRegexp(
      'is imported, so its policy cannot be changed here: allow sns:Publish to budgets.amazonaws.com .*and costalerts.amazonaws.com .*\\[ack: cdk-customer-value:alerts.topicPolicyNotManaged\\]'));
    annotations.hasWarning('/Shop/Checkout/CostReporting', Match.stringLikeRegexp(
      'kms:GenerateDataKey\\* and kms:Decrypt to budgets.amazonaws.com, costalerts.amazonaws.com.*\\[ack: cdk-customer-value:alerts.keyPolicyNotManaged\\]'));
  });
});

describe('the service\'s own alert topic', () => {
  test('is created for a unit-cost alarm with e-mail targets: TLS only, publish grants, e-mail subscriptions, alarm action', () => {
    // GIVEN
    const { stack } = stackWith();
    const svc = new CustomerService(stack, 'Checkout', {
      ...DECLARATION,
      costReporting: { monthlyBudget: 10, notify: [CostAlertTarget.email('payments@example.com')], unitCostAlarm: {} },
    });
    svc.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' }));

    // THEN
    const template = Template.fromStack(stack);
    const reporting = svc.costReporting!;
    const topicId = stack.getLogicalId(reporting.alertTopic!.node.defaultChild as sns.CfnTopic);
    expect(policyOf(template, topicId)).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      BUDGETS_STATEMENT({ Ref: topicId }),
      ANOMALY_STATEMENT({ Ref: topicId }),
      // the unit-cost alarm and the publisher's health alarms notify it (issue 25)
      CLOUDWATCH_STATEMENT({ Ref: topicId }),
    ]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'payments@example.com', TopicArn: { Ref: topicId } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topicId }] });
    // budget e-mails go straight from AWS Budgets (no subscription to confirm), not through the topic
    const budget = Object.values(template.findResources('AWS::Budgets::Budget'))[0] as any;
    expect(budget.Properties.NotificationsWithSubscribers[0].Subscribers).toEqual([{ SubscriptionType: 'EMAIL', Address: 'payments@example.com' }]);
  });

  test('is encrypted with alertTopicKey, whose policy grants budgets, cost anomaly detection and CloudWatch alarms', () => {
    const { stack } = stackWith();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new CustomerService(stack, 'Checkout', {
      ...DECLARATION,
      costReporting: { monthlyBudget: 10, notify: [CostAlertTarget.email('payments@example.com')], unitCostAlarm: {}, alertTopicKey: key },
    }).addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders' }));

    const template = Template.fromStack(stack);
    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const keyPolicy = template.findResources('AWS::KMS::Key')[keyId].Properties.KeyPolicy.Statement;
    expect(keyPolicy).toContainEqual(KEY_GRANT('AWSBudgetsUseKey', 'budgets.amazonaws.com'));
    expect(keyPolicy).toContainEqual(KEY_GRANT('AWSCostAnomalyDetectionUseKey', 'costalerts.amazonaws.com'));
    expect(keyPolicy).toContainEqual(KEY_GRANT('CloudWatchAlarmsUseKey', 'cloudwatch.amazonaws.com'));
  });

  test('is not created without a unit-cost alarm; alertTopicKey then warns that it is unused', () => {
    const { stack } = stackWith();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new CustomerService(stack, 'Checkout', {
      ...DECLARATION,
      costReporting: { monthlyBudget: 10, notify: [CostAlertTarget.email('payments@example.com')], alertTopicKey: key },
    });
    // the only topic is the stack's publisher health topic, not the service's alert topic
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::SNS::Topic'))).toEqual([expect.stringMatching(/^CustomerValueCostPublisherHealthTopic/)]);
    Annotations.fromStack(stack).hasWarning('/Shop/Checkout/CostReporting',
      Match.stringLikeRegexp('alertTopicKey is set but the service "checkout" has no alert topic to encrypt.*\\[ack: cdk-customer-value:CostReporting.alertTopicKeyUnused\\]'));
  });
});
