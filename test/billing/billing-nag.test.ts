import { Annotations as CoreAnnotations, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  AnomalyAlertTarget, CostAllocationTags, CostAndUsageExport, CostGrouping, Customer, CustomerValueChecks,
  CustomerValueCostCategories, CurTimeGranularity, ServiceAnomalyDetection, ServiceValueDeclaration,
} from '../../src';
import { synthFindings, testApp, VALID } from '../util';
import { OWNER } from './owner';

const DECLARATIONS: ServiceValueDeclaration[] = [
  { serviceName: 'checkout', ...VALID },
  { serviceName: 'invoicing', customerNeed: 'Finance sends correct invoices every month', team: 'ledger', businessUnit: 'finance', customer: Customer.internal('Finance controlling') },
];

function allFour(stack: Stack, topicScope?: Construct) {
  new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, backfillMonths: 3, deactivateOnDelete: true, additionalTagKeys: ['cost-center'] });
  new CustomerValueCostCategories(stack, 'CostCategories', {
    owner: OWNER,
    declarations: DECLARATIONS,
    categories: [CostGrouping.TEAM, CostGrouping.BUSINESS_UNIT, CostGrouping.NEED, CostGrouping.CUSTOMER],
  });
  const targets = [AnomalyAlertTarget.email('ledger@example.com'), AnomalyAlertTarget.immediateEmail('ledger-oncall@example.com')];
  if (topicScope) {
    const topic = new sns.Topic(topicScope, 'Topic', { enforceSSL: true, masterKey: new kms.Key(topicScope, 'Key', { enableKeyRotation: true }) });
    targets.push(AnomalyAlertTarget.topic(topic));
  }
  new ServiceAnomalyDetection(stack, 'Anomalies', {
    owner: OWNER,
    declarations: DECLARATIONS,
    serviceMonitorAlert: { targets: [AnomalyAlertTarget.email('finops@example.com')] },
    teamAlerts: [{ team: 'ledger', targets }],
    customMonitors: [{ name: 'retail', tagKey: 'business-unit', values: ['retail'] }],
  });
  new CostAndUsageExport(stack, 'Cur', { owner: OWNER, timeGranularity: CurTimeGranularity.HOURLY });
}

describe('the four billing constructs together', () => {
  test('pass AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator with no finding', () => {
    // GIVEN
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const alerting = new Construct(stack, 'Alerting');
    Validations.of(alerting).acknowledge({ id: 'CustomerValue-ResourceOutsideService', reason: 'a FinOps alert topic serving every service' });

    // WHEN
    allFour(stack, alerting);

    // THEN
    expect(synthFindings(app)).toEqual({ findings: [] });
  });

  test('the only acknowledgements: the Resource::* of Cost Explorer, the access-log bucket and the untagged (free, create-only) anomaly monitors and subscriptions, with reasons', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });

    // WHEN
    allFour(stack);

    // THEN
    const acks: Record<string, Record<string, string>> = {};
    for (const c of stack.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          acks[c.node.path] = { ...acks[c.node.path], ...m.data };
        }
      }
    }
    const anomalies = Object.keys(acks).filter((p) => p.startsWith('Billing/Anomalies/'));
    expect(anomalies.map((p) => (stack.node.findChild('Anomalies').node.findChild(p.split('/')[2]) as CfnResource).cfnResourceType).sort())
      .toEqual([...Array(3).fill('AWS::CE::AnomalyMonitor'), ...Array(3).fill('AWS::CE::AnomalySubscription')]);
    for (const p of anomalies) {
      expect(Object.keys(acks[p])).toEqual(['Annotation::CustomerValue-TagsMissingOrOverridden']);
      expect(acks[p]['Annotation::CustomerValue-TagsMissingOrOverridden']).toMatch(/free, and their ResourceTags are create-only/);
    }
    expect(Object.keys(acks).filter((p) => !anomalies.includes(p)).sort()).toEqual(['Billing/Cur/AccessLogs', 'Billing/TagActivation/Policy']);
    expect(Object.keys(acks['Billing/TagActivation/Policy'])).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::*]',
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:us-east-1:123456789012:parameter/cdk-customer-value/cost-allocation-tags/*]',
    ]);
    expect(acks['Billing/TagActivation/Policy']['Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:us-east-1:123456789012:parameter/cdk-customer-value/cost-allocation-tags/*]'])
      .toMatch(/registry of live CostAllocationTags declarations: one SSM parameter per custom resource/);
    expect(acks['Billing/TagActivation/Policy']['Annotation::AwsSolutions-IAM5[Resource::*]'])
      .toMatch(/Cost Explorer cost-allocation-tag actions .* need Resource "\*".*cloudwatch:namespace condition/);
    expect(Object.keys(acks['Billing/Cur/AccessLogs'])).toEqual(['Annotation::AwsSolutions-S1']);
    expect(acks['Billing/Cur/AccessLogs']['Annotation::AwsSolutions-S1']).toMatch(/receives the S3 server access logs/);
  });

  test('in an environment-agnostic stack: only acknowledgeable warnings, that the partition (and the export\'s region) cannot be checked', () => {
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Billing');
    allFour(stack);
    expect(synthFindings(app)).toEqual({ findings: [] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => `${w.id}: ${w.entry.data}`);
    expect(warnings).toEqual([
      ...['TagActivation', 'CostCategories', 'Anomalies'].map((id) => expect.stringMatching(
        new RegExp(`^/Billing/${id}: The stack is environment-agnostic, so the partition cannot be checked at synth: .* works in the aws partition only .*\\[ack: cdk-customer-value:billing.partitionUnknown\\]$`))),
      expect.stringMatching(/^\/Billing\/Cur: .*us-east-1 of the aws partition.*\[ack: cdk-customer-value:billing.exportRegionUnknown\]$/),
    ]);
  });

  test('the warnings can be acknowledged', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '210987654321', region: 'us-east-1' } });
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, managementAccountId: '123456789012' });
    Annotations.fromStack(stack).hasWarning('/Billing/TagActivation', Match.anyValue());
    const app2 = testApp();
    const stack2 = new Stack(app2, 'Billing', { env: { account: '210987654321', region: 'us-east-1' } });
    CoreAnnotations.of(stack2).acknowledgeWarning('cdk-customer-value:billing.notManagementAccount', 'standalone sandbox account, not in an Organization');
    new CostAllocationTags(stack2, 'TagActivation', { owner: OWNER, managementAccountId: '123456789012' });
    expect(Annotations.fromStack(stack2).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
