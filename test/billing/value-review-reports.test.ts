import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  Allocation, CostAndUsageExport, CostReporting, Customer, CustomerService, CustomerValueChecks, ValueReviewOutcome, ValueReviewReports,
  ValueReviewReportsProps,
} from '../../src';
import { serviceMetadata, synthFindings, testApp, VALID } from '../util';
import { describeFindings, validatorFindings } from '../validator-report';
import { OWNER } from './owner';

/*
 * ValueReviewReports: the monthly value-review packs in the management account (template, IAM, the shipped
 * declarations, the alarm), AwsSolutions and CustomerValue clean, no CloudFormation validator finding, props refused
 * through the one channel.
 */

const ENV = { account: '123456789012', region: 'us-east-1' };

function billingApp(extra: (stack: Stack, cur: CostAndUsageExport) => void = () => undefined, plugins = true) {
  const app = testApp();
  if (plugins) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
  }
  const workload = new Stack(app, 'Retail', { env: { account: '111111111111', region: 'eu-west-1' } });
  const checkout = new CustomerService(workload, 'Checkout', {
    ...VALID,
    valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'retail-board', outcome: ValueReviewOutcome.INVEST, note: 'Grow it' },
    costReporting: CostReporting.disabled('value review tests'),
  });
  checkout.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' }), { unitScale: 1000 });
  new sns.Topic(checkout, 'Events', { enforceSSL: true, masterKey: undefined });
  Validations.of(checkout).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'test topic' });
  Validations.of(checkout).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'test service' });
  const billing = new Stack(app, 'Billing', { env: ENV });
  const cur = new CostAndUsageExport(billing, 'Cur', { owner: OWNER });
  extra(billing, cur);
  return { app, billing, cur, checkout };
}

test('a monthly rule runs the function; packs go to a private, encrypted, versioned bucket; e-mails filtered by business unit; an alarm on failures', () => {
  // GIVEN
  const { app, billing } = billingApp((stack, cur) => {
    const chat = sns.Topic.fromTopicArn(stack, 'Chat', 'arn:aws:sns:us-east-1:123456789012:retail-chat');
    new ValueReviewReports(stack, 'ValueReview', {
      owner: OWNER,
      costAndUsageExport: cur,
      recipients: [{ businessUnit: 'retail', emails: ['retail-board@example.com'], topic: chat }],
      thresholds: { costIncreasePercent: 25 },
    });
  });
  // WHEN
  expect(synthFindings(app)).toEqual({ findings: [] });
  const t = Template.fromStack(billing);
  // THEN
  // the 15th: AWS may update the last month's CUR data during the first two weeks after it ends (issue 25: was the 3rd)
  t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 7 15 * ? *)', State: 'ENABLED' });
  t.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    VersioningConfiguration: { Status: 'Enabled' },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'value-review/' }),
  });
  t.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email', Endpoint: 'retail-board@example.com', FilterPolicy: { businessUnit: ['retail'] },
  });
  t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue(), DisplayName: 'Value review packs' });
  t.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
  });
  // least privilege: the workgroup, the table, the two buckets, the declarations object, the topics, the log group
  const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p).includes('athena:StartQueryExecution')) as any;
  const sids = policy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid);
  // issue 22: the export is read under the table's data prefix only, and ListBucket (limited by s3:prefix) is a statement of its own
  expect(sids).toEqual(['Athena', 'AthenaTableMetadata', 'GlueTable', 'ReadExport', 'ListExport', 'QueryResults', 'ReadDeclarations', 'WritePacks', 'Notify', 'Logs']);
  expect(JSON.stringify(policy)).not.toMatch(/"Resource":"\*"/);
  expect(JSON.stringify(policy.Properties.PolicyDocument.Statement[8].Resource)).toContain('retail-chat');
  // the configuration of the function
  const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment?.Variables?.CONFIG) as any;
  const config = JSON.stringify(fn.Properties.Environment.Variables.CONFIG);
  expect(config).toContain('\\"months\\":6');
  expect(config).toContain('\\"costIncreasePercent\\":25');
  expect(fn.Properties.Timeout).toBe(900);
  expect(fn.Properties.Runtime).toMatch(/^nodejs2\d\.x$/);
});

/** The declarations file shipped as an asset of the billing stack. */
function shippedFile(assembly: CloudAssembly, billing: Stack): any {
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${billing.artifactId}.assets.json`), 'utf8'));
  const files = Object.values(manifest.files) as Array<{ source: { path: string } }>;
  const declarations = files.map((f) => path.join(assembly.directory, f.source.path)).find((p) => p.endsWith('.json') && fs.statSync(p).isFile()
    && fs.readFileSync(p, 'utf8').includes('"services"'));
  expect(declarations).toBeDefined();
  return JSON.parse(fs.readFileSync(declarations!, 'utf8'));
}

test('the declarations are shipped as an asset: the services of the app with their review outcome, note, budget and unit', () => {
  // GIVEN
  const { app, billing } = billingApp((stack, cur) => new ValueReviewReports(stack, 'ValueReview', { owner: OWNER, costAndUsageExport: cur }), false);
  // WHEN
  const assembly = app.synth();
  // THEN the asset is in the manifest, and its file holds the records
  const shipped = shippedFile(assembly, billing);
  expect(shipped.tagKeys.service).toBe('customer-service');
  expect(shipped.services.map((s: any) => s.serviceName)).toEqual(['checkout']);
  expect(shipped.services[0]).toMatchObject({
    businessUnit: 'retail',
    valueReview: { everyDays: 90, lastReviewed: '2026-10-01', nextReview: '2026-12-30', reviewer: 'retail-board', outcome: 'invest', note: 'Grow it' },
    costReporting: { enabled: false, unitMetric: 'orders', unitScale: 1000 },
    usageMetrics: [expect.objectContaining({ name: 'orders', origin: 'declared', metricName: 'Orders' })],
  });
  // no status computed at synth: the function computes it on the review date (and the asset does not change every day)
  expect(shipped.services[0].valueReview.status).toBeUndefined();
});

test('a shipped record is the service\'s metadata record without what only synthesis knows; the value chain goes with it', () => {
  // GIVEN checkout consumes the private network, which shares its cost evenly
  const { app, billing } = billingApp((stack, cur) => {
    const network = new CustomerService(stack, 'Network', {
      ...VALID,
      serviceName: 'private-network',
      customerNeed: 'Teams reach their services privately',
      customer: Customer.internal('Product teams'),
      team: 'platform',
      businessUnit: 'technology',
      costAllocation: Allocation.even(),
      costReporting: CostReporting.disabled('value review tests'),
    });
    Validations.of(network).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'test service' });
    CustomerService.all(stack.node.root).find((s) => s.serviceName === 'checkout')!.consumes(network);
    new ValueReviewReports(stack, 'ValueReview', { owner: OWNER, costAndUsageExport: cur });
  }, false);
  // WHEN
  const assembly = app.synth();
  // THEN
  const shipped = shippedFile(assembly, billing);
  const metadata = Object.fromEntries(Object.values(serviceMetadata(assembly)).map((r) => [r.serviceName, r]));
  expect(shipped.services.map((s: any) => s.serviceName)).toEqual(['checkout', 'private-network']);
  for (const record of shipped.services) {
    const { resources, valueReview, ...rest } = metadata[record.serviceName] as any;
    // the metadata counts the service's resources (known only once synthesis has tagged them); the shipped record
    // leaves the counts out
    expect(resources).toMatchObject({ total: expect.any(Number), taggable: expect.any(Number), tagged: expect.any(Number) });
    const { status, checkedOn, ...review } = valueReview ?? {};
    expect(record).toEqual(JSON.parse(JSON.stringify({ ...rest, ...(valueReview ? { valueReview: review } : {}) })));
  }
  expect(shipped.services[0]).toMatchObject({ consumes: ['private-network'], consumedBy: [] });
  expect(shipped.services[1]).toMatchObject({ consumes: [], consumedBy: ['checkout'], costAllocation: { method: 'even' } });
});

test('declarations of other apps are shipped with their value chain: what they consume, their consumers among the shipped, their allocation', () => {
  // GIVEN the platform team's services, declared in another app
  const { app, billing } = billingApp((stack, cur) => new ValueReviewReports(stack, 'ValueReview', {
    owner: OWNER,
    costAndUsageExport: cur,
    services: [],
    declarations: [
      {
        serviceName: 'private-network',
        customerNeed: 'Teams reach their services privately',
        customer: Customer.internal('Product teams'),
        team: 'platform',
        businessUnit: 'technology',
      },
      {
        serviceName: 'data-platform',
        customerNeed: 'Teams analyse events without their own pipelines',
        customer: Customer.internal('Product teams'),
        team: 'data',
        businessUnit: 'technology',
        consumes: ['private-network'],
        costAllocation: Allocation.fixed({ 'checkout': 60, 'product-search': 40 }),
      },
    ],
  }), false);
  // WHEN
  const shipped = shippedFile(app.synth(), billing);
  // THEN
  expect(shipped.services.map((s: any) => [s.serviceName, s.consumes, s.consumedBy, s.costAllocation])).toEqual([
    ['private-network', [], ['data-platform'], undefined],
    ['data-platform', ['private-network'], [], { method: 'fixed', percentages: { 'checkout': 60, 'product-search': 40 } }],
  ]);
});

test('with every option: AwsSolutions and CustomerValue clean, no CloudFormation validator finding', () => {
  const { app } = billingApp((stack, cur) => {
    const alarms = new sns.Topic(stack, 'OpsAlarms', { enforceSSL: true, masterKey: undefined });
    Validations.of(alarms).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'test topic' });
    Validations.of(alarms).acknowledge({ id: 'CustomerValue-ResourceOutsideService', reason: 'test topic' });
    new ValueReviewReports(stack, 'ValueReview', {
      owner: OWNER,
      managementAccountId: ENV.account,
      costAndUsageExport: cur,
      recipients: [{ businessUnit: 'retail', emails: ['a@example.com', 'b@example.com'] }, { businessUnit: 'finance', topic: alarms }],
      businessUnits: ['retail', 'finance'],
      months: 12,
      schedule: events.Schedule.cron({ day: '5', hour: '6', minute: '30' }),
      thresholds: { costIncreasePercent: 15, unitCostIncreasePercent: 5, overdueDays: 14, minimumCost: 10 },
      alarmTopic: alarms,
      retention: Duration.days(365),
    });
  });
  expect(synthFindings(app)).toEqual({ findings: [] });
  expect(describeFindings(validatorFindings(app))).toEqual([]);
});

test('bad props are reported at synth, all at once, naming the field, the value and what is accepted', () => {
  const { app } = billingApp((stack, cur) => new ValueReviewReports(stack, 'ValueReview', {
    owner: OWNER,
    costAndUsageExport: cur,
    months: 0,
    recipients: [{ businessUnit: 'retail', emails: ['not-an-address'] }, { businessUnit: 'finance' }],
    thresholds: { costIncreasePercent: -5 },
    businessUnits: ['re/tail'],
  }), false);
  expect(() => app.synth()).toThrow(/months is number 0: expected a whole number of months from 1 to 36/);
  const messages = Stack.of(app.node.findChild('Billing')).node.findChild('ValueReview').node.validate();
  expect(messages).toEqual([
    'months is number 0: expected a whole number of months from 1 to 36',
    'thresholds.costIncreasePercent is number -5: expected a number >= 0',
    'recipients[0].emails has "not-an-address": expected e-mail addresses',
    'recipients[1] (finance) has neither emails nor a topic: give one, or leave the unit out of recipients',
    'businessUnits is an array (["re/tail"]): pass the business units as the services declare them, e.g. ["retail"]',
  ]);
});

test('a service changed after the construct was created is refused, naming it (no stale declarations)', () => {
  const { app, checkout } = billingApp((stack, cur) => new ValueReviewReports(stack, 'ValueReview', { owner: OWNER, costAndUsageExport: cur }), false);
  // WHEN a usage metric is added afterwards
  checkout.addUsageMetric('refunds', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Refunds', statistic: 'Sum' }));
  // THEN
  expect(() => app.synth()).toThrow(/the declaration of checkout changed after this construct was created/);
});

test('a service declared after the construct is refused, naming it', () => {
  const { app, billing } = billingApp((stack, cur) => new ValueReviewReports(stack, 'ValueReview', { owner: OWNER, costAndUsageExport: cur }), false);
  new CustomerService(billing, 'Late', { ...VALID, serviceName: 'late', customer: Customer.internal('Finance'), costReporting: CostReporting.disabled('test') });
  expect(() => app.synth()).toThrow(/1 customer service\(s\) were declared after this construct was created and are not part of it: late/);
});

describe('issue 25: deployed faults', () => {
  /** The synthesized billing stack of an app with a ValueReviewReports built by `props`. */
  function reviewTemplate(props: (stack: Stack, cur: CostAndUsageExport) => Partial<ValueReviewReportsProps> = () => ({})) {
    const { app, billing } = billingApp((stack, cur) => new ValueReviewReports(stack, 'ValueReview', { owner: OWNER, costAndUsageExport: cur, ...props(stack, cur) }), false);
    app.synth();
    return { t: Template.fromStack(billing), billing };
  }
  const policyOf = (t: Template) => (Object.values(t.findResources('AWS::IAM::Policy'))
    .find((p: any) => JSON.stringify(p).includes('athena:StartQueryExecution')) as any).Properties.PolicyDocument.Statement as any[];

  test('a failed run is not retried (Lambda retries an asynchronous invocation twice by default): no unit is mailed twice; the failure alarm counts the one failed invocation', () => {
    const { t } = reviewTemplate();
    const fnId = Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { CONFIG: Match.anyValue() } } } }))[0];
    // AWS::Lambda::EventInvokeConfig: MaximumRetryAttempts 0 on the version the rule invokes ($LATEST)
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId }, Qualifier: '$LATEST', MaximumRetryAttempts: 0 });
    t.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })] });
    // the alarm: the function's Errors, summed over 6 hours, at least 1: one failed invocation is enough
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Statistic: 'Sum',
      Period: 21600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('the function\'s policy grants every Athena action the Athena source calls, each on its resource (GetTableMetadata: the data catalog)', () => {
    // GIVEN the actions the Athena source sends, read from its code (a new call without a grant fails this test)
    const source = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'cost-data', 'sources', 'athena.ts'), 'utf8');
    const called = [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => `athena:${m[1]}`))].sort();
    expect(called).toEqual(expect.arrayContaining(['athena:GetTableMetadata', 'athena:StartQueryExecution']));
    const catalog = /GetTableMetadataCommand\(\{ CatalogName: '([^']+)'/.exec(source)![1];
    // the resource type of each action (Service Authorization Reference, Amazon Athena: actions, resource types)
    const RESOURCE: Record<string, string> = {
      'athena:StartQueryExecution': 'workgroup/customer-value',
      'athena:GetQueryExecution': 'workgroup/customer-value',
      'athena:GetQueryResults': 'workgroup/customer-value',
      'athena:StopQueryExecution': 'workgroup/customer-value',
      'athena:GetTableMetadata': `datacatalog/${catalog}`,
    };
    // WHEN
    const { t } = reviewTemplate();
    const statements = policyOf(t).filter((s) => s.Effect === 'Allow');
    // THEN
    for (const action of called) {
      expect([action, RESOURCE[action] !== undefined]).toEqual([action, true]);
      const arn = `arn:aws:athena:us-east-1:123456789012:${RESOURCE[action]}`;
      const grants = statements.filter((s) => [s.Action].flat().includes(action)).map((s) => [s.Resource].flat()
        .map((r: any) => (typeof r === 'string' ? r : r['Fn::Join'][1].map((x: any) => (x?.Ref === 'AWS::Partition' ? 'aws' : x)).join(''))));
      expect([action, grants.some((rs) => rs.includes(arn))]).toEqual([action, true]);
    }
  });

  test('one subscription per address with all its units (a list), FilterPolicyScope MessageAttributes set explicitly', () => {
    // GIVEN the same address under two units (another case the second time), one under one
    const { t } = reviewTemplate(() => ({
      recipients: [
        { businessUnit: 'retail', emails: ['cfo@example.com', 'retail-board@example.com'] },
        { businessUnit: 'finance', emails: ['CFO@example.com'] },
      ],
      declarations: [{ serviceName: 'ledger', customerNeed: 'Finance closes the books every month', team: 'finops', businessUnit: 'finance' }],
    }));
    // THEN
    const subscriptions = Object.values(t.findResources('AWS::SNS::Subscription')).map((r: any) => r.Properties);
    expect(subscriptions.map((p) => [p.Endpoint, p.FilterPolicy, p.FilterPolicyScope])).toEqual([
      ['cfo@example.com', { businessUnit: ['retail', 'finance'] }, 'MessageAttributes'],
      ['retail-board@example.com', { businessUnit: ['retail'] }, 'MessageAttributes'],
    ]);
  });

  test('a recipients[].businessUnit no declared service carries: a warning with the nearest declared unit', () => {
    const { billing } = reviewTemplate(() => ({ recipients: [{ businessUnit: 'Retail', emails: ['retail-board@example.com'] }, { businessUnit: 'retail', emails: ['b@example.com'] }] }));
    const warnings = Annotations.fromStack(billing).findWarning('/Billing/ValueReview', Match.stringLikeRegexp('unknownRecipientUnit'));
    expect(warnings.map((w) => w.entry.data)).toEqual([
      'recipients[0].businessUnit is "Retail", which no declared service carries (business units: finance, retail); did you mean "retail"? Packs are sent '
      + 'to the unit exactly as the services\' tags name it, so these recipients receive one only if the bill carries that unit in its tags. '
      + '[ack: cdk-customer-value:ValueReviewReports.unknownRecipientUnit]',
    ]);
  });

  test('the function\'s environment is checked against Lambda\'s 4 KB at synth: too many topics of their own is refused, naming the size and what to do', () => {
    // GIVEN 40 units with a topic each (ARNs of 81 characters)
    const { app } = billingApp((stack, cur) => new ValueReviewReports(stack, 'ValueReview', {
      owner: OWNER,
      costAndUsageExport: cur,
      recipients: Array.from({ length: 40 }, (_, i) => ({
        businessUnit: `unit-${i}`,
        topic: sns.Topic.fromTopicArn(stack, `T${i}`, `arn:aws:sns:us-east-1:123456789012:value-review-packs-of-business-unit-number-${String(i).padStart(3, '0')}`),
      })),
    }), false);
    // THEN
    expect(() => app.synth()).toThrow(/the environment of the value-review function would be about \d{4} bytes once deployed .* the ARNs of 40 recipients' own topics\), over the 4096 bytes Lambda allows for all environment variables: give fewer recipients a topic of their own/);
  });

  test('the default configuration is far below Lambda\'s 4 KB', () => {
    const { t } = reviewTemplate();
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment?.Variables?.CONFIG) as any;
    const length = JSON.stringify(fn.Properties.Environment.Variables).length;
    expect(length).toBeLessThan(2048);
  });

  test('lifecycle: packs expire after retention; expired delete markers and unfinished uploads are cleaned up; the access logs expire with the packs', () => {
    const { t } = reviewTemplate(() => ({ retention: Duration.days(400) }));
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'value-review/' }),
      LifecycleConfiguration: {
        Rules: [
          { Id: 'ExpirePacks', Prefix: 'value-review/', ExpirationInDays: 400, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
          { Id: 'CleanUp', ExpiredObjectDeleteMarker: true, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
        ],
      },
    });
    const logs = Object.entries(t.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('ValueReviewAccessLogs'));
    expect(logs.map(([, b]: [string, any]) => b.Properties.LifecycleConfiguration)).toEqual([
      { Rules: [{ Id: 'ExpireAccessLogs', ExpirationInDays: 400, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }] },
    ]);
  });
});
