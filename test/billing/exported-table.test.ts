/**
 * CostAndUsageExport's per-table objects (`cur`, `focus`: one `ExportedTable` shape for both) and `grantQuery`: least
 * privilege for Athena queries on the exported tables, the same statements the value-review function gets (one
 * implementation, src/billing/private/query-grants.ts), named resources only, AwsSolutions and CustomerValue clean.
 *
 * AWS pages the statements follow (cited in query-grants.ts):
 * - Service Authorization Reference, Amazon Athena: StartQueryExecution, GetQueryExecution, GetQueryResults,
 *   StopQueryExecution, GetWorkGroup on `workgroup`; GetTableMetadata on `datacatalog`
 *   (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonathena.html);
 * - Athena user guide, "Configure access to databases and tables in the AWS Glue Data Catalog": a Glue action is
 *   authorized on the catalog, the database and the table together
 *   (https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html); Glue ARN formats
 *   (https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html);
 * - Athena API reference, GetQueryResults: the caller needs s3:GetObject on the query results location.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { BillingDataTable, CostAndUsageExport, CustomerValueChecks, ExportedTable, ValueReviewReports } from '../../src';
import { synthFindings, testApp } from '../util';
import { OWNER } from './owner';

const ENV = { account: '123456789012', region: 'us-east-1' };

function billing(plugins = false) {
  const app = testApp();
  if (plugins) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
  }
  const stack = new Stack(app, 'Billing', { env: ENV });
  const people = new Construct(stack, 'People');
  Validations.of(people).acknowledge({ id: 'CustomerValue-ResourceOutsideService', reason: 'the FinOps analysts\' role, serving every service' });
  const analysts = new iam.Role(people, 'Analysts', { assumedBy: new iam.AccountRootPrincipal() });
  return { app, stack, analysts };
}

/** A template value as text: `${AWS::Partition}` -> aws, a bucket's ARN -> `<Logical.Arn>`. */
function text(stack: Stack, value: unknown): unknown {
  const v = stack.resolve(value);
  if (Array.isArray(v)) return v.map((x) => text(stack, x));
  if (v && typeof v === 'object') {
    const o = v as Record<string, any>;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map((x) => text(stack, x)).join(o['Fn::Join'][0]);
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o.Ref) return `<${o.Ref}>`;
    if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, text(stack, x)]));
  }
  return v;
}

/** The statements of the grantee's default policy, as text. */
function statementsOf(stack: Stack, role: iam.Role): any[] {
  const policy = role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
  return (text(stack, policy.policyDocument) as any).Statement;
}

describe('cur and focus: one object per exported table, the same attributes', () => {
  test('both tables: each object holds its export, data location, partition folder, Glue table, workgroup and named queries', () => {
    // GIVEN
    const { stack } = billing();
    // WHEN
    const both = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, tables: [BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2], s3Prefix: 'billing' });
    // THEN
    const cur = both.cur!;
    const focus = both.focus!;
    const bucket = `<${stack.getLogicalId(both.bucket.node.defaultChild as any)}>`;
    const attributes = (t: ExportedTable) => text(stack, {
      table: t.table,
      exportName: t.exportName,
      exportArn: t.exportArn,
      dataPrefix: t.dataPrefix,
      dataLocation: t.dataLocation,
      partitionFolder: t.partitionFolder,
      databaseName: t.databaseName,
      tableName: t.tableName,
      tableReference: t.tableReference,
      workGroupName: t.workGroupName,
      namedQueries: t.namedQueries.length,
    });
    expect(attributes(cur)).toEqual({
      table: BillingDataTable.CUR_2_0,
      exportName: 'customer-value-cur2',
      exportArn: expect.stringMatching(/^<CurExport.*\.ExportArn>$/),
      dataPrefix: 'billing/customer-value-cur2/data/',
      dataLocation: `s3://${bucket}/billing/customer-value-cur2/data/`,
      partitionFolder: 'BILLING_PERIOD',
      databaseName: 'customer_value',
      tableName: 'cur2',
      tableReference: '"customer_value"."cur2"',
      workGroupName: 'customer-value',
      namedQueries: 7,
    });
    expect(attributes(focus)).toEqual({
      table: BillingDataTable.FOCUS_1_2,
      exportName: 'customer-value-focus',
      exportArn: expect.stringMatching(/^<CurFocusExport.*\.ExportArn>$/),
      dataPrefix: 'billing/customer-value-focus/data/',
      dataLocation: `s3://${bucket}/billing/customer-value-focus/data/`,
      partitionFolder: 'billing_period',
      databaseName: 'customer_value',
      tableName: 'focus',
      tableReference: '"customer_value"."focus"',
      workGroupName: 'customer-value',
      namedQueries: 7,
    });
    expect([cur.bucket, cur.resultsBucket, focus.bucket, focus.resultsBucket])
      .toEqual([both.bucket, both.resultsBucket, both.bucket, both.resultsBucket]);
    // the Glue tables read where the objects say (location and partition folder)
    const tables = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Table')).map((t: any) => text(stack, t.Properties.TableInput)) as any[];
    for (const table of [cur, focus]) {
      const input = tables.find((t) => t.Name === table.tableName);
      expect(input.StorageDescriptor.Location).toBe(text(stack, table.dataLocation));
      expect(input.Parameters['storage.location.template']).toBe(`${text(stack, table.dataLocation)}${table.partitionFolder}=\${billing_period}/`);
    }
    // each table's named queries are its own; the export's list holds both
    expect(cur.namedQueries.every((q) => q.queryString.includes('"customer_value"."cur2"'))).toBe(true);
    expect(focus.namedQueries.every((q) => q.queryString.includes('"customer_value"."focus"'))).toBe(true);
    expect(both.namedQueries).toEqual([...cur.namedQueries, ...focus.namedQueries]);
  });

  test('one table exported: only its object is set', () => {
    const { stack } = billing();
    const curOnly = new CostAndUsageExport(stack, 'Cur', { owner: OWNER });
    const focusOnly = new CostAndUsageExport(stack, 'Focus', {
      owner: OWNER, tables: [BillingDataTable.FOCUS_1_2], workGroupName: 'focus-only', databaseName: 'focus_only', s3Prefix: 'focus',
    });
    expect([curOnly.cur?.tableName, curOnly.focus]).toEqual(['cur2', undefined]);
    expect([focusOnly.cur, focusOnly.focus?.tableName, focusOnly.focus?.workGroupName]).toEqual([undefined, 'focus', 'focus-only']);
  });

  test('the deprecated attributes keep their meaning: the CUR 2.0 table, or the FOCUS table when it is the only one; focusXxx are focus.xxx', () => {
    const { stack } = billing();
    const both = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, tables: [BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2] });
    const focusOnly = new CostAndUsageExport(stack, 'Focus', {
      owner: OWNER, tables: [BillingDataTable.FOCUS_1_2], workGroupName: 'f', databaseName: 'f', s3Prefix: 'f',
    });
    const main = (e: CostAndUsageExport) => [e.exportName, e.exportArn, e.dataLocation, e.tableName, e.tableReference];
    const of = (t = {} as any) => [t.exportName, t.exportArn, t.dataLocation, t.tableName, t.tableReference];
    expect(main(both)).toEqual(of(both.cur));
    const focusAttributes = [both.focusExportName, both.focusExportArn, both.focusDataLocation, both.focusTableName, both.focusTableReference];
    expect(focusAttributes).toEqual(of(both.focus));
    expect(main(focusOnly)).toEqual(of(focusOnly.focus));
  });
});

describe('grantQuery', () => {
  /** The statements grantQuery gives for the CUR 2.0 table of the default export. */
  const CUR_STATEMENTS = (bucket: string, results: string) => [
    {
      Effect: 'Allow',
      Action: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
      Resource: 'arn:aws:athena:us-east-1:123456789012:workgroup/customer-value',
    },
    { Effect: 'Allow', Action: 'athena:GetTableMetadata', Resource: 'arn:aws:athena:us-east-1:123456789012:datacatalog/AwsDataCatalog' },
    {
      Effect: 'Allow',
      Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
      Resource: [
        'arn:aws:glue:us-east-1:123456789012:catalog',
        'arn:aws:glue:us-east-1:123456789012:database/customer_value',
        'arn:aws:glue:us-east-1:123456789012:table/customer_value/cur2',
      ],
    },
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetBucketLocation'], Resource: [`<${bucket}.Arn>`, `<${bucket}.Arn>/cur2/customer-value-cur2/data/*`] },
    {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `<${bucket}.Arn>`,
      Condition: { StringLike: { 's3:prefix': ['cur2/customer-value-cur2/data', 'cur2/customer-value-cur2/data/*'] } },
    },
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:GetBucketLocation'],
      Resource: [`<${results}.Arn>`, `<${results}.Arn>/results/*`],
    },
  ];

  test('cur.grantQuery: the Athena, Glue and S3 statements of that table, each on its named resources, no "*"', () => {
    // GIVEN
    const { stack, analysts } = billing();
    const cur = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, tables: [BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2] });
    // WHEN
    const grant = cur.cur!.grantQuery(analysts);
    // THEN
    expect(grant.success).toBe(true);
    const bucket = stack.getLogicalId(cur.bucket.node.defaultChild as any);
    const results = stack.getLogicalId(cur.resultsBucket.node.defaultChild as any);
    expect(statementsOf(stack, analysts)).toEqual(CUR_STATEMENTS(bucket, results));
    expect(JSON.stringify(statementsOf(stack, analysts))).not.toMatch(/"\*"|focus/);
  });

  test('the export\'s grantQuery covers every exported table: both Glue tables, both data prefixes, in one set of statements', () => {
    const { stack, analysts } = billing();
    const both = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, tables: [BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2] });
    both.grantQuery(analysts);
    const statements = statementsOf(stack, analysts);
    const bucket = stack.getLogicalId(both.bucket.node.defaultChild as any);
    expect(statements).toHaveLength(6);
    expect(statements[2].Resource).toEqual(expect.arrayContaining(['arn:aws:glue:us-east-1:123456789012:table/customer_value/cur2', 'arn:aws:glue:us-east-1:123456789012:table/customer_value/focus']));
    expect(statements[3].Resource).toEqual([`<${bucket}.Arn>`, `<${bucket}.Arn>/cur2/customer-value-cur2/data/*`, `<${bucket}.Arn>/cur2/customer-value-focus/data/*`]);
    expect(statements[4].Condition.StringLike['s3:prefix']).toEqual([
      'cur2/customer-value-cur2/data', 'cur2/customer-value-cur2/data/*', 'cur2/customer-value-focus/data', 'cur2/customer-value-focus/data/*',
    ]);
  });

  test('the value-review function gets the same statements (one implementation), with their Sids', () => {
    // GIVEN the same export, granted to a role and read by ValueReviewReports
    const { stack, analysts } = billing();
    const cur = new CostAndUsageExport(stack, 'Cur', { owner: OWNER });
    cur.grantQuery(analysts);
    const review = new ValueReviewReports(stack, 'ValueReview', { owner: OWNER, costAndUsageExport: cur, declarations: [] });
    // THEN
    const policy = (review.node.findChild('Policy') as iam.Policy).node.defaultChild as iam.CfnPolicy;
    const reviewStatements = (text(stack, policy.policyDocument) as any).Statement.slice(0, 6);
    expect(reviewStatements.map((s: any) => s.Sid)).toEqual(['Athena', 'AthenaTableMetadata', 'GlueTable', 'ReadExport', 'ListExport', 'QueryResults']);
    expect(reviewStatements.map(({ Sid, ...s }: any) => s)).toEqual(statementsOf(stack, analysts));
  });

  test('AwsSolutionsChecks and CustomerValueChecks pass: the object-level wildcards are acknowledged on the grantee, with a reason', () => {
    // GIVEN
    const { app, stack, analysts } = billing(true);
    const both = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, tables: [BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2] });
    // WHEN
    both.cur!.grantQuery(analysts);
    both.focus!.grantQuery(analysts);
    // THEN
    expect(synthFindings(app)).toEqual({ findings: [] });
    const acks = analysts.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.keys(m.data));
    const bucket = stack.getLogicalId(both.bucket.node.defaultChild as any);
    const results = stack.getLogicalId(both.resultsBucket.node.defaultChild as any);
    expect([...new Set(acks)].sort()).toEqual([
      `Annotation::AwsSolutions-IAM5[Resource::<${bucket}.Arn>/cur2/customer-value-cur2/data/*]`,
      `Annotation::AwsSolutions-IAM5[Resource::<${bucket}.Arn>/cur2/customer-value-focus/data/*]`,
      `Annotation::AwsSolutions-IAM5[Resource::<${results}.Arn>/results/*]`,
    ].sort());
  });
});

describe('issue 25: the export\'s access-log bucket expires its logs', () => {
  const rulesOf = (stack: Stack) => {
    const logs = Object.entries(Template.fromStack(stack).findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('CurAccessLogs'));
    expect(logs).toHaveLength(1);
    return (logs[0][1] as any).Properties.LifecycleConfiguration?.Rules;
  };

  test('by default after 365 days; older versions after the export bucket\'s noncurrentVersionExpiration, incomplete uploads after 7 days, as in the export bucket', () => {
    const { stack } = billing();
    new CostAndUsageExport(stack, 'Cur', { owner: OWNER, noncurrentVersionExpiration: Duration.days(45) });
    expect(rulesOf(stack)).toEqual([{
      Id: 'ExpireAccessLogs',
      Status: 'Enabled',
      ExpirationInDays: 365,
      NoncurrentVersionExpiration: { NoncurrentDays: 45 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    }]);
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpireOverwrittenVersions', NoncurrentVersionExpiration: { NoncurrentDays: 45 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } })] },
    });
  });

  test('serverAccessLogsRetention sets the expiration; a retention that is not whole days is refused with the others', () => {
    const { stack } = billing();
    new CostAndUsageExport(stack, 'Cur', { owner: OWNER, serverAccessLogsRetention: Duration.days(90) });
    expect(rulesOf(stack)[0]).toMatchObject({ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 90 } });
    const bad = billing();
    new CostAndUsageExport(bad.stack, 'Cur', { owner: OWNER, serverAccessLogsRetention: Duration.hours(36) });
    expect(() => bad.app.synth()).toThrow(/serverAccessLogsRetention is 1 day 12 hours: expected whole days, at least Duration.days\(1\)/);
  });
});

describe('issue 25: ValueReviewReports', () => {
  function review(props: (stack: Stack) => Partial<ConstructorParameters<typeof ValueReviewReports>[2]>) {
    const { app, stack } = billing();
    const cur = new CostAndUsageExport(stack, 'Cur', { owner: OWNER });
    new ValueReviewReports(stack, 'ValueReview', {
      owner: OWNER,
      costAndUsageExport: cur,
      declarations: [{ serviceName: 'checkout', customerNeed: 'Shoppers pay for their basket in one step', team: 'payments', businessUnit: 'retail' }],
      ...props(stack),
    });
    return { app, stack };
  }

  test('two recipients giving different topics for the same unit are refused, naming both entries and both topics', () => {
    const { app } = review((stack) => ({
      alarmTopic: new sns.Topic(stack, 'Alarms'),
      recipients: [
        { businessUnit: 'retail', topic: sns.Topic.fromTopicArn(stack, 'Chat', 'arn:aws:sns:us-east-1:123456789012:retail-chat') },
        { businessUnit: 'retail', emails: ['cfo@example.com'] },
        { businessUnit: 'retail', topic: sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:us-east-1:123456789012:retail-pager') },
      ],
    }));
    expect(() => app.synth()).toThrow(/recipients\[0\] and recipients\[2\] both give a topic for business unit "retail" \(arn:aws:sns:us-east-1:123456789012:retail-chat and arn:aws:sns:us-east-1:123456789012:retail-pager\): a unit has one topic of its own/);
  });

  test('two recipients giving the same topic for a unit (imported twice by its ARN) are one topic, not refused', () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:retail-chat';
    const { app, stack } = review((s) => ({
      alarmTopic: new sns.Topic(s, 'Alarms'),
      recipients: [
        { businessUnit: 'retail', topic: sns.Topic.fromTopicArn(s, 'Chat', arn) },
        { businessUnit: 'retail', topic: sns.Topic.fromTopicArn(s, 'SameChat', arn), emails: ['cfo@example.com'] },
      ],
    }));
    app.synth();
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .find((f: any) => f.Properties.Environment?.Variables?.CONFIG) as any;
    expect(JSON.stringify(fn.Properties.Environment.Variables.CONFIG)).toContain(`\\"unitTopics\\":{\\"retail\\":\\"${arn}\\"}`);
  });

  test('the same topic given twice for a unit is one topic (accepted)', () => {
    const { stack } = review((s) => {
      const chat = sns.Topic.fromTopicArn(s, 'Chat', 'arn:aws:sns:us-east-1:123456789012:retail-chat');
      return { alarmTopic: new sns.Topic(s, 'Alarms'), recipients: [{ businessUnit: 'retail', topic: chat }, { businessUnit: 'retail', topic: chat, emails: ['cfo@example.com'] }] };
    });
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment?.Variables?.CONFIG) as any;
    expect(JSON.stringify(fn.Properties.Environment.Variables.CONFIG)).toContain('\\"unitTopics\\":{\\"retail\\":\\"arn:aws:sns:us-east-1:123456789012:retail-chat\\"}');
  });

  test('without alarmTopic: a warning names the prop (the failure alarm would reach no one); with it, none', () => {
    const without = review(() => ({}));
    Annotations.fromStack(without.stack).hasWarning('/Billing/ValueReview',
      Match.stringLikeRegexp('^alarmTopic is not set, so failureAlarm .* notifies no one: pass alarmTopic .*\\[ack: cdk-customer-value:ValueReviewReports.noAlarmTopic\\]$'));
    const withTopic = review((s) => ({ alarmTopic: new sns.Topic(s, 'Alarms') }));
    expect(Annotations.fromStack(withTopic.stack).findWarning('/Billing/ValueReview', Match.stringLikeRegexp('alarmTopic'))).toEqual([]);
  });
});
