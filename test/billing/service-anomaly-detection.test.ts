import { Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AnomalyAlertFrequency, AnomalyAlertTarget, AnomalyThreshold, CostAlertTarget, ServiceAnomalyDetection,
  ServiceValueDeclaration,
} from '../../src';
import { synthFindings, testApp } from '../util';
import { OWNER } from './owner';

// aws-cost-facts §4: DIMENSIONAL/TAG monitors take {"Tags":{"Key":k}}; CUSTOM monitors {"Tags":{"Key":k,"Values":[<=10]}}
// with no MonitorDimension; the key is raw (no "user:"); IMMEDIATE goes over SNS, e-mail needs DAILY or WEEKLY;
// ThresholdExpression (not the deprecated Threshold) with GREATER_THAN_OR_EQUAL and string values; the topic policy
// must let costalerts.amazonaws.com publish and a KMS-encrypted topic's key must grant it GenerateDataKey*/Decrypt.

const DECLARATIONS: ServiceValueDeclaration[] = [
  { serviceName: 'checkout', customerNeed: 'Shoppers pay for their basket in one step', team: 'payments', businessUnit: 'retail' },
  { serviceName: 'refunds', customerNeed: 'Shoppers get their money back quickly', team: 'payments', businessUnit: 'retail' },
  { serviceName: 'wishlist', customerNeed: 'Shoppers keep a list of products', team: 'discovery', businessUnit: 'retail' },
];
const ABS_100 = { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['100'] } };

function billing() {
  const app = testApp();
  return { app, stack: new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } }) };
}

function byName(template: Template, type: string, nameProp: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [logicalId, r] of Object.entries(template.findResources(type))) {
    out[r.Properties[nameProp]] = { logicalId, ...r.Properties, DependsOn: r.DependsOn };
  }
  return out;
}

describe('ServiceAnomalyDetection', () => {
  test('an AWS-managed TAG monitor on the service key by default', () => {
    const { stack } = billing();
    const d = new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER });
    const monitors = byName(Template.fromStack(stack), 'AWS::CE::AnomalyMonitor', 'MonitorName');
    expect(Object.keys(monitors)).toEqual(['customer-value-services']);
    const m = monitors['customer-value-services'];
    expect(m.MonitorType).toBe('DIMENSIONAL');
    expect(m.MonitorDimension).toBe('TAG');
    expect(JSON.parse(m.MonitorSpecification)).toEqual({ Tags: { Key: 'customer-service' } });
    // the construct's serviceMonitor is that monitor (alerts and users' subscriptions reference it)
    expect(stack.resolve(d.serviceMonitor?.attrMonitorArn)).toEqual({ 'Fn::GetAtt': [m.logicalId, 'MonitorArn'] });
    Template.fromStack(stack).resourceCountIs('AWS::CE::AnomalySubscription', 0);
  });

  test('monitors and subscriptions carry no tags by default (ResourceTags is create-only); tagMonitorsAndSubscriptions keeps them', () => {
    // GIVEN an app-wide tag, as organisations add (aws-cost-facts §4: ResourceTags create-only, tagUpdatable false)
    const resourceTags = (tagged?: boolean) => {
      const { app, stack } = billing();
      Tags.of(app).add('cost-center', 'cc-42');
      new ServiceAnomalyDetection(stack, 'Anomalies', {
        owner: OWNER,
        declarations: DECLARATIONS,
        serviceMonitorAlert: { targets: [AnomalyAlertTarget.email('finops@example.com')] },
        teamAlerts: [{ team: 'payments', targets: [AnomalyAlertTarget.email('payments@example.com')] }],
        tagMonitorsAndSubscriptions: tagged,
      });
      const template = Template.fromStack(stack);
      return ['AWS::CE::AnomalyMonitor', 'AWS::CE::AnomalySubscription'].flatMap((type) =>
        Object.values(template.findResources(type)).map((r) => [type, r.Properties.ResourceTags]));
    };

    // THEN by default: two monitors and two subscriptions, none with ResourceTags (a tag change would replace them)
    expect(resourceTags()).toEqual([
      ['AWS::CE::AnomalyMonitor', undefined], ['AWS::CE::AnomalyMonitor', undefined],
      ['AWS::CE::AnomalySubscription', undefined], ['AWS::CE::AnomalySubscription', undefined],
    ]);
    // and when asked for, every one carries the app's tag (and the owner's five)
    const tagged = resourceTags(true);
    expect(tagged).toHaveLength(4);
    for (const [, tags] of tagged) {
      expect(tags).toContainEqual({ Key: 'cost-center', Value: 'cc-42' });
      expect(tags).toContainEqual({ Key: 'customer-service', Value: OWNER.serviceName });
      expect(tags).toHaveLength(6);
    }
    // a value that is not a boolean is refused
    const refused = billing();
    new ServiceAnomalyDetection(refused.stack, 'Anomalies', { tagMonitorsAndSubscriptions: 'yes' as unknown as boolean });
    expect(() => refused.app.synth()).toThrow(/tagMonitorsAndSubscriptions is "yes": pass true or false/);
  });

  test('the service key follows the app tag keys', () => {
    const app = testApp({ context: { 'customer-value:tagKeys': { service: 'app' } } });
    const stack = new Stack(app, 'Billing');
    new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER });
    const m = Object.values(Template.fromStack(stack).findResources('AWS::CE::AnomalyMonitor'))[0];
    expect(JSON.parse(m.Properties.MonitorSpecification)).toEqual({ Tags: { Key: 'app' } });
  });

  test('team alerts: a CUSTOM monitor on the team services, e-mail DAILY and topics IMMEDIATE', () => {
    // GIVEN
    const { stack } = billing();
    const topic = new sns.Topic(stack, 'PaymentsOnCall', { enforceSSL: true, masterKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });

    // WHEN
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      declarations: DECLARATIONS,
      serviceMonitorAlert: { targets: [AnomalyAlertTarget.email('finops@example.com')], frequency: AnomalyAlertFrequency.WEEKLY },
      teamAlerts: [
        { team: 'payments', targets: [AnomalyAlertTarget.email('payments@example.com'), AnomalyAlertTarget.topic(topic)], threshold: AnomalyThreshold.absoluteAndPercentage(50, 20) },
        { team: 'discovery', targets: [AnomalyAlertTarget.email('discovery@example.com')] },
      ],
    });

    // THEN monitors
    const template = Template.fromStack(stack);
    const monitors = byName(template, 'AWS::CE::AnomalyMonitor', 'MonitorName');
    expect(Object.keys(monitors).sort()).toEqual(['customer-value-services', 'customer-value-team-discovery', 'customer-value-team-payments']);
    expect(monitors['customer-value-team-payments'].MonitorType).toBe('CUSTOM');
    expect(monitors['customer-value-team-payments'].MonitorDimension).toBeUndefined();
    expect(JSON.parse(monitors['customer-value-team-payments'].MonitorSpecification)).toEqual({ Tags: { Key: 'customer-service', Values: ['checkout', 'refunds'] } });
    expect(JSON.parse(monitors['customer-value-team-discovery'].MonitorSpecification)).toEqual({ Tags: { Key: 'customer-service', Values: ['wishlist'] } });

    // THEN subscriptions
    const subs = byName(template, 'AWS::CE::AnomalySubscription', 'SubscriptionName');
    expect(Object.keys(subs).sort()).toEqual([
      'customer-value-services-weekly', 'customer-value-team-discovery-daily', 'customer-value-team-payments-daily', 'customer-value-team-payments-immediate',
    ]);
    for (const s of Object.values(subs)) {
      expect(s.Threshold).toBeUndefined();
      expect(typeof s.ThresholdExpression).toBe('string');
    }
    const monitorArn = (name: string) => ({ 'Fn::GetAtt': [monitors[name].logicalId, 'MonitorArn'] });
    expect(subs['customer-value-services-weekly']).toMatchObject({
      Frequency: 'WEEKLY', MonitorArnList: [monitorArn('customer-value-services')], Subscribers: [{ Type: 'EMAIL', Address: 'finops@example.com' }],
    });
    expect(JSON.parse(subs['customer-value-services-weekly'].ThresholdExpression)).toEqual(ABS_100);
    expect(subs['customer-value-team-payments-daily']).toMatchObject({
      Frequency: 'DAILY', MonitorArnList: [monitorArn('customer-value-team-payments')], Subscribers: [{ Type: 'EMAIL', Address: 'payments@example.com' }],
    });
    expect(subs['customer-value-team-payments-immediate']).toMatchObject({
      Frequency: 'IMMEDIATE',
      MonitorArnList: [monitorArn('customer-value-team-payments')],
      Subscribers: [{ Type: 'SNS', Address: { Ref: stack.getLogicalId(topic.node.defaultChild as any) } }],
    });
    expect(JSON.parse(subs['customer-value-team-payments-immediate'].ThresholdExpression)).toEqual({
      And: [
        { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['50'] } },
        { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_PERCENTAGE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['20'] } },
      ],
    });
    // the subscription waits for the topic policy
    expect(subs['customer-value-team-payments-immediate'].DependsOn).toEqual([expect.stringMatching(/^PaymentsOnCallPolicy/)]);

    // THEN the user's topic and key let Cost Anomaly Detection publish, scoped to the account
    const topicPolicy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0];
    expect(topicPolicy.Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'AWSCostAnomalyDetectionPublish',
      Effect: 'Allow',
      Principal: { Service: 'costalerts.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as any) },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'AWSCostAnomalyDetectionUseKey',
      Effect: 'Allow',
      Principal: { Service: 'costalerts.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      // no condition: the documented grant (aws-cost-facts §2, §4); the topic policy scopes publishing
    });
  });

  test('a team with more than 10 services gets one monitor per 10 services, all on one subscription', () => {
    const { stack } = billing();
    const many = Array.from({ length: 23 }, (_, i) => ({
      serviceName: `svc-${String(i).padStart(2, '0')}`, customerNeed: 'Shoppers find products fast', team: 'search', businessUnit: 'retail',
    }));
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      declarations: many,
      serviceMonitor: false,
      teamAlerts: [{ team: 'search', targets: [AnomalyAlertTarget.email('search@example.com')] }],
    });
    const template = Template.fromStack(stack);
    const monitors = byName(template, 'AWS::CE::AnomalyMonitor', 'MonitorName');
    expect(Object.keys(monitors)).toEqual(['customer-value-team-search-1', 'customer-value-team-search-2', 'customer-value-team-search-3']);
    const values = Object.values(monitors).map((m) => JSON.parse(m.MonitorSpecification).Tags.Values);
    expect(values.map((v) => v.length)).toEqual([10, 10, 3]);
    expect(values.flat()).toEqual(many.map((s) => s.serviceName));
    const sub = Object.values(template.findResources('AWS::CE::AnomalySubscription'))[0];
    expect(sub.Properties.MonitorArnList).toHaveLength(3);
  });

  test('immediate e-mail: the construct creates an encrypted, TLS-only topic that costalerts may publish to', () => {
    const { stack } = billing();
    const d = new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      declarations: DECLARATIONS,
      teamAlerts: [{ team: 'discovery', targets: [AnomalyAlertTarget.immediateEmail('oncall@example.com')], threshold: AnomalyThreshold.percentage(40) }],
    });
    const template = Template.fromStack(stack);
    expect(d.alertTopics).toHaveLength(1);
    const topicId = stack.getLogicalId(d.alertTopics[0].node.defaultChild as any);
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: topicId } });
    const statements = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Sid: 'AllowPublishThroughSSLOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AWSCostAnomalyDetectionPublish',
        Effect: 'Allow',
        Principal: { Service: 'costalerts.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      },
    ]);
    const keyStatements = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
    expect(keyStatements.filter((s: any) => s.Principal?.Service === 'costalerts.amazonaws.com')).toHaveLength(1);
    const sub = Object.values(template.findResources('AWS::CE::AnomalySubscription'))[0];
    expect(sub.Properties).toMatchObject({ Frequency: 'IMMEDIATE', Subscribers: [{ Type: 'SNS', Address: { Ref: topicId } }] });
    expect(JSON.parse(sub.Properties.ThresholdExpression)).toEqual({
      Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_PERCENTAGE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['40'] },
    });
  });

  test('custom monitors: up to 10 values of a tag key, with their own alert', () => {
    const { stack } = billing();
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      serviceMonitor: false,
      customMonitors: [{
        name: 'retail-unit',
        tagKey: 'business-unit',
        values: ['retail'],
        alert: { targets: [AnomalyAlertTarget.email('retail@example.com')], threshold: AnomalyThreshold.absoluteOrPercentage(500, 25) },
      }],
    });
    const template = Template.fromStack(stack);
    const m = Object.values(template.findResources('AWS::CE::AnomalyMonitor'))[0].Properties;
    expect(m.MonitorName).toBe('customer-value-retail-unit');
    expect(JSON.parse(m.MonitorSpecification)).toEqual({ Tags: { Key: 'business-unit', Values: ['retail'] } });
    const sub = Object.values(template.findResources('AWS::CE::AnomalySubscription'))[0].Properties;
    expect(JSON.parse(sub.ThresholdExpression)).toEqual({
      Or: [
        { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['500'] } },
        { Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_PERCENTAGE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['25'] } },
      ],
    });
  });

  describe('refuses combinations AWS cannot deliver', () => {
    const topicOf = (stack: Stack) => new sns.Topic(stack, 'T', { enforceSSL: true });
    test.each([
      ['IMMEDIATE e-mail', (_s: Stack) => ({ team: 'payments', targets: [AnomalyAlertTarget.email('a@example.com')], frequency: AnomalyAlertFrequency.IMMEDIATE }),
        /teamAlerts\[0\]: frequency IMMEDIATE is delivered over SNS only, but the targets include e-mail "a@example.com".*use frequency DAILY or WEEKLY for e-mail, or AnomalyAlertTarget.immediateEmail/],
      ['a DAILY topic', (s: Stack) => ({ team: 'payments', targets: [AnomalyAlertTarget.topic(topicOf(s))], frequency: AnomalyAlertFrequency.DAILY }),
        /frequency DAILY is delivered by e-mail only, but the targets include an SNS topic \(SNS topics receive IMMEDIATE alerts only\)/],
      ['a WEEKLY immediate e-mail', (_s: Stack) => ({ team: 'payments', targets: [AnomalyAlertTarget.immediateEmail('a@example.com')], frequency: AnomalyAlertFrequency.WEEKLY }),
        /frequency WEEKLY is delivered by e-mail only, but the targets include immediate e-mail/],
      ['no target', () => ({ team: 'payments', targets: [] }), /teamAlerts\[0\].targets is \[\]: add at least one/],
      ['a bad address', () => ({ team: 'payments', targets: [AnomalyAlertTarget.email('not an address')] }), /teamAlerts\[0\].targets\[0\]: AnomalyAlertTarget.email: address is "not an address": expected one well-formed e-mail address such as "payments@example.com"/],
      ['a bad threshold', () => ({ team: 'payments', targets: [AnomalyAlertTarget.email('a@example.com')], threshold: AnomalyThreshold.absolute(-1) }),
        /teamAlerts\[0\].threshold: AnomalyThreshold.absolute: amountUsd is -1: expected a number from 0 to 10000000000/],
      ['a duplicate address', () => ({ team: 'payments', targets: [AnomalyAlertTarget.email('a@example.com'), AnomalyAlertTarget.immediateEmail('a@example.com')] }), /"a@example.com" is listed twice/],
      ['an unknown team', () => ({ team: 'paymnets', targets: [AnomalyAlertTarget.email('a@example.com')] }), /teamAlerts\[0\].team is "paymnets", which no service declares: known teams are discovery, finops, payments/],
      ['a plain object target', () => ({ team: 'payments', targets: [{ type: 'EMAIL', address: 'a@example.com' }] }), /targets\[0\] is .*: use AnomalyAlertTarget.email/],
    ])('%s', (_name, alert, message) => {
      const { app, stack } = billing();
      new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER, declarations: DECLARATIONS, teamAlerts: [alert(stack) as any] });
      expect(() => app.synth()).toThrow(message);
    });

    test('every problem is reported at once', () => {
      const { app, stack } = billing();
      new ServiceAnomalyDetection(stack, 'Anomalies', {
        owner: OWNER,
        declarations: DECLARATIONS,
        teamAlerts: [
          { team: 'payments', targets: [AnomalyAlertTarget.email('a@example.com')], frequency: AnomalyAlertFrequency.IMMEDIATE },
          { team: 'nobody', targets: [AnomalyAlertTarget.email('b@example.com')] },
        ],
        customMonitors: [{ name: 'too-many', values: Array.from({ length: 11 }, (_, i) => `v${i}`) }],
      });
      let message = '';
      try {
        app.synth();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/\[Billing\/Anomalies\] /);
      expect(message).toMatch(/frequency IMMEDIATE is delivered over SNS only/);
      expect(message).toMatch(/teamAlerts\[1\].team is "nobody"/);
      expect(message).toMatch(/customMonitors\[0\].values has 11 value\(s\): a customer-managed monitor watches 1 to 10 tag values/);
    });

    test.each([
      [{ serviceMonitor: false }, /nothing to monitor/],
      [{ serviceMonitor: false, serviceMonitorAlert: { targets: [AnomalyAlertTarget.email('a@example.com')] } }, /serviceMonitorAlert is set but serviceMonitor is false/],
      [{ customMonitors: [{ name: 'x', values: ['a', 'a'] }] }, /customMonitors\[0\].values is \["a","a"\]: expected distinct, non-empty tag values/],
      [{ customMonitors: [{ name: 'x', values: ['a'], tagKey: 'user:team' }] }, /customMonitors\[0\].tagKey is "user:team": anomaly monitors take the raw tag key, without the "user:" prefix/],
    ])('refuses %p', (props, message) => {
      const { app, stack } = billing();
      new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER, ...props } as any);
      expect(() => app.synth()).toThrow(message);
    });
  });

  test('budget alert targets can be reused: e-mail stays e-mail, a topic stays a topic', () => {
    const { stack } = billing();
    const topic = new sns.Topic(stack, 'T', { enforceSSL: true });
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      serviceMonitorAlert: {
        targets: [
          AnomalyAlertTarget.fromCostAlertTarget(CostAlertTarget.email('payments@example.com')),
          AnomalyAlertTarget.fromCostAlertTarget(CostAlertTarget.topic(topic)),
        ],
      },
    });
    const subs = Object.values(Template.fromStack(stack).findResources('AWS::CE::AnomalySubscription')).map((r) => r.Properties);
    expect(subs.map((p) => [p.Frequency, p.Subscribers])).toEqual([
      ['DAILY', [{ Type: 'EMAIL', Address: 'payments@example.com' }]],
      ['IMMEDIATE', [{ Type: 'SNS', Address: { Ref: stack.getLogicalId(topic.node.defaultChild as any) } }]],
    ]);
    const refused = billing();
    new ServiceAnomalyDetection(refused.stack, 'Anomalies', {
      serviceMonitorAlert: { targets: [AnomalyAlertTarget.fromCostAlertTarget({ type: 'EMAIL', address: 'a@example.com' } as any)] },
    });
    expect(() => refused.app.synth()).toThrow(/serviceMonitorAlert.targets\[0\]: AnomalyAlertTarget.fromCostAlertTarget: target is .*: expected CostAlertTarget.email/);
  });

  test('a workload team\'s topic in another account: the statement names the management account as aws:SourceAccount', () => {
    // GIVEN the payments team's topic in their workload account (a physical name, so other accounts can refer to it)
    const { app, stack } = billing();
    const workload = new Stack(app, 'PaymentsAlerts', { env: { account: '111111111111', region: 'us-east-1' } });
    const topic = new sns.Topic(workload, 'OnCall', { topicName: 'payments-on-call', enforceSSL: true });
    // WHEN the management account's anomaly detection alerts it
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      declarations: DECLARATIONS,
      teamAlerts: [{ team: 'payments', targets: [AnomalyAlertTarget.topic(topic)] }],
    });
    // THEN Cost Anomaly Detection, publishing for the management account, may publish to the workload topic
    const statements = Object.values(Template.fromStack(workload).findResources('AWS::SNS::TopicPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Sid: 'AWSCostAnomalyDetectionPublish123456789012',
      Effect: 'Allow',
      Principal: { Service: 'costalerts.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: workload.getLogicalId(topic.node.defaultChild as any) },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
  });

  test('thresholds are numbers from 0 to 10 000 000 000', () => {
    expect(AnomalyThreshold.absolute(-1)._problems('threshold')).toEqual([expect.stringMatching(/^threshold: AnomalyThreshold.absolute: amountUsd is -1: expected a number from 0 to 10000000000/)]);
    expect(AnomalyThreshold.percentage(Number.NaN)._problems('threshold')).toEqual([expect.stringMatching(/percent is null/)]);
    expect(AnomalyThreshold.absoluteAndPercentage(5, 20)._problems('threshold')).toEqual([]);
    expect(JSON.parse(AnomalyThreshold.absolute(12.5).toThresholdExpression()).Dimensions.Values).toEqual(['12.5']);
    // plain decimals, never exponent notation (String(1e-7) is "1e-7")
    expect(JSON.parse(AnomalyThreshold.percentage(0.0000001).toThresholdExpression()).Dimensions.Values).toEqual(['0.0000001']);
    expect(JSON.parse(AnomalyThreshold.absolute(10_000_000_000).toThresholdExpression()).Dimensions.Values).toEqual(['10000000000']);
    expect(JSON.parse(AnomalyThreshold.absolute(0).toThresholdExpression()).Dimensions.Values).toEqual(['0']);
  });

  test('an imported topic gets a warning: its policy cannot be changed here', () => {
    const { stack } = billing();
    const topic = sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:us-east-1:123456789012:finops');
    new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER, serviceMonitorAlert: { targets: [AnomalyAlertTarget.topic(topic)] } });
    Annotations.fromStack(stack).hasWarning('/Billing/Anomalies', Match.stringLikeRegexp(
      'The SNS topic arn:aws:sns:us-east-1:123456789012:finops is imported, so its policy cannot be changed here: allow sns:Publish to costalerts.amazonaws.com \\(condition aws:SourceAccount = 123456789012\\)'));
  });

  test('a topic used by several alerts gets one policy statement', () => {
    const { stack } = billing();
    const topic = new sns.Topic(stack, 'Shared', { enforceSSL: true });
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      declarations: DECLARATIONS,
      serviceMonitorAlert: { targets: [AnomalyAlertTarget.topic(topic)] },
      teamAlerts: [{ team: 'payments', targets: [AnomalyAlertTarget.topic(topic)] }],
    });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::SNS::TopicPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements.filter((s: any) => s.Sid === 'AWSCostAnomalyDetectionPublish')).toHaveLength(1);
  });

  test('synthesizes with no validator finding', () => {
    const { app, stack } = billing();
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      declarations: DECLARATIONS,
      managementAccountId: '123456789012',
      serviceMonitorAlert: { targets: [AnomalyAlertTarget.email('finops@example.com')] },
      teamAlerts: [{ team: 'payments', targets: [AnomalyAlertTarget.immediateEmail('oncall@example.com'), AnomalyAlertTarget.email('payments@example.com')] }],
    });
    expect(synthFindings(app)).toEqual({ findings: [] });
  });
});
