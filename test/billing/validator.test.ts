import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  AnomalyAlertFrequency, AnomalyAlertTarget, AnomalyThreshold, BillingDataTable, CostAllocationTags, CostAndUsageExport, CostGrouping,
  CostMetric, FocusMetric,
  CurTimeGranularity, Customer, CustomerService, CustomerValueCostCategories, ServiceAnomalyDetection, ServiceValueDeclaration, TagKeys,
} from '../../src';
import { testApp } from '../util';
import { describeFindings, validatorFindings } from '../validator-report';
import { OWNER } from './owner';

/**
 * The billing constructs' own templates, with every option, have no finding of AWS's offline CloudFormation validator
 * as aws-cdk-lib's plugin counts them, acknowledged ones included (issue 12, item 9).
 */

const DECLARATIONS: ServiceValueDeclaration[] = [
  { serviceName: 'checkout', customerNeed: 'Shoppers pay for their basket in one step', team: 'payments', businessUnit: 'retail', customer: Customer.external('Online shoppers') },
  { serviceName: 'invoicing', customerNeed: 'Finance sends correct invoices every month', team: 'ledger', businessUnit: 'finance', customer: Customer.internal('Finance controlling') },
];

/** Every construct with every option that changes the template. */
function everyOption(scope: Construct, owner?: ServiceValueDeclaration): void {
  const guard = { owner, managementAccountId: '123456789012' };
  new CostAllocationTags(scope, 'TagActivation', {
    ...guard,
    tagKeys: TagKeys.DEFAULT,
    additionalTagKeys: ['cost-center'],
    retrySchedule: events.Schedule.rate(Duration.hours(12)),
    backfillMonths: 12,
    deactivateOnDelete: true,
    logRetention: logs.RetentionDays.THREE_MONTHS,
  });
  new CustomerValueCostCategories(scope, 'CostCategories', {
    ...guard,
    declarations: DECLARATIONS,
    categories: Object.values(CostGrouping),
    names: { team: 'Owning team', businessUnit: 'Business unit', need: 'Customer need', customer: 'Customer', service: 'Service' },
    defaultValue: 'Not allocated',
  });
  const key = new kms.Key(scope, 'ChatKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  const chat = new sns.Topic(scope, 'Chat', { masterKey: key, enforceSSL: true });
  new ServiceAnomalyDetection(scope, 'Anomalies', {
    ...guard,
    declarations: DECLARATIONS,
    namePrefix: 'org',
    serviceMonitorAlert: {
      targets: [AnomalyAlertTarget.email('finops@example.com'), AnomalyAlertTarget.immediateEmail('oncall@example.com'), AnomalyAlertTarget.topic(chat)],
      threshold: AnomalyThreshold.absoluteOrPercentage(50, 20),
    },
    teamAlerts: [
      { team: 'payments', targets: [AnomalyAlertTarget.email('payments@example.com')], frequency: AnomalyAlertFrequency.WEEKLY, threshold: AnomalyThreshold.percentage(30) },
      { team: 'ledger', targets: [AnomalyAlertTarget.topic(chat)], threshold: AnomalyThreshold.absoluteAndPercentage(10, 5) },
    ],
    customMonitors: [{ name: 'retail', tagKey: 'business-unit', values: ['retail'], alert: { targets: [AnomalyAlertTarget.email('retail@example.com')] } }],
    tagMonitorsAndSubscriptions: true,
    alertKeyRemovalPolicy: RemovalPolicy.RETAIN,
  });
  const accessLogs = new s3.Bucket(scope, 'OrgAccessLogs', {
    enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED,
  });
  new CostAndUsageExport(scope, 'Cur', {
    ...guard,
    exportName: 'org-cur2',
    timeGranularity: CurTimeGranularity.HOURLY,
    s3Prefix: 'exports/cur2',
    removalPolicy: RemovalPolicy.DESTROY,
    serverAccessLogsBucket: accessLogs,
    noncurrentVersionExpiration: Duration.days(30),
    databaseName: 'billing',
    tableName: 'cur_org',
    firstBillingPeriod: '2025-01',
    workGroupName: 'finops',
    bytesScannedCutoffPerQuery: Size.gibibytes(100),
    queryResultsExpiration: Duration.days(7),
    metric: CostMetric.AMORTIZED,
    tagKeys: TagKeys.DEFAULT,
    // CUR 2.0 and FOCUS 1.2 side by side
    tables: [BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2],
    focusExportName: 'org-focus',
    focusTableName: 'focus_org',
    focusMetric: FocusMetric.EFFECTIVE,
  });
  // and the defaults, with the construct's own access-log bucket
  new CostAndUsageExport(scope, 'DefaultCur', { owner, exportName: 'default-cur2', workGroupName: 'default', databaseName: 'default_cv' });
  // FOCUS 1.2 instead of CUR 2.0
  new CostAndUsageExport(scope, 'FocusOnly', {
    owner, tables: [BillingDataTable.FOCUS_1_2], focusExportName: 'only-focus', workGroupName: 'focus-only', databaseName: 'focus_cv',
  });
}

/** The synthesized template of `stack` holds every construct (not a vacuous pass). */
function expectEverything(stack: Stack): void {
  const types = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
  for (const type of ['Custom::CostAllocationTags', 'AWS::CE::CostCategory', 'AWS::CE::AnomalyMonitor', 'AWS::CE::AnomalySubscription',
    'AWS::KMS::Key', 'AWS::BCMDataExports::Export', 'AWS::Athena::WorkGroup', 'AWS::Athena::NamedQuery', 'AWS::Glue::Table']) {
    expect(types).toContain(type);
  }
  expect(types.length).toBeGreaterThan(60);
}

describe('billing constructs with every option: no CloudFormation validator finding, acknowledged ones included', () => {
  test('with an owner, in us-east-1 of the management account', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    everyOption(stack, OWNER);
    app.synth();
    expectEverything(stack);
    expect(describeFindings(validatorFindings(app))).toEqual([]);
  });

  test('inside the FinOps team\'s CustomerService', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const finops = new CustomerService(stack, 'CostReporting', { ...OWNER, customer: OWNER.customer!, costReporting: { monthlyBudget: 100 } });
    everyOption(finops);
    app.synth();
    expectEverything(stack);
    expect(describeFindings(validatorFindings(app))).toEqual([]);
  });

  test('in an environment-agnostic stack', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing');
    everyOption(stack, OWNER);
    app.synth();
    expectEverything(stack);
    expectEverything(stack);
    expect(describeFindings(validatorFindings(app))).toEqual([]);
  });
});
