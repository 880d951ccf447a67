import { RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BillingDataTable, CostAndUsageExport, CostGrouping, CostMetric, CurQueries, CurTimeGranularity, FocusQueries, SqlDialect, TagKeys } from '../../src';
import { synthFindings, testApp } from '../util';
import { OWNER } from './owner';

// aws-cost-facts §6 (export properties, string table configuration values, bucket policy with both principals and
// us-east-1 SourceArn patterns, the BILLING_PERIOD=YYYY-MM layout) and §8 (Athena over CUR 2.0).

function billing(env: { account?: string; region?: string } = { account: '123456789012', region: 'us-east-1' }, context: Record<string, unknown> = {}) {
  const app = testApp({ context });
  return { app, stack: new Stack(app, 'Billing', { env }) };
}

function only(template: Template, type: string): { logicalId: string; props: any; resource: any } {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  return { logicalId: found[0][0], props: found[0][1].Properties, resource: found[0][1] };
}

describe('CostAndUsageExport', () => {
  // GIVEN a stack with the default export, WHEN synthesized once: the tests that only read it share the synthesis
  let shared: { stack: Stack; cur: CostAndUsageExport; template: Template };
  beforeAll(() => {
    const { stack } = billing();
    const cur = new CostAndUsageExport(stack, 'Cur', { owner: OWNER });
    shared = { stack, cur, template: Template.fromStack(stack) };
  });

  test('a CUR 2.0 export with an explicit column list, resources, Parquet, overwrite, synchronous refresh', () => {
    // THEN
    const { stack, cur, template } = shared;
    const exportResource = only(template, 'AWS::BCMDataExports::Export');
    const exp = exportResource.props.Export;
    expect(exp.Name).toBe('customer-value-cur2');
    expect(exp.DataQuery.QueryStatement).toBe(CurQueries.exportQueryStatement());
    expect(exp.DataQuery.QueryStatement).toMatch(/^SELECT .*\bresource_tags\b.* FROM COST_AND_USAGE_REPORT$/);
    expect(exp.DataQuery.QueryStatement).not.toMatch(/\*/);
    expect(exp.DataQuery.TableConfigurations).toEqual({
      COST_AND_USAGE_REPORT: {
        TIME_GRANULARITY: 'DAILY',
        INCLUDE_RESOURCES: 'TRUE',
        INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
        INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
      },
    });
    for (const v of Object.values(exp.DataQuery.TableConfigurations.COST_AND_USAGE_REPORT)) {
      expect(typeof v).toBe('string');
    }
    const bucketId = stack.getLogicalId(cur.bucket.node.defaultChild as any);
    expect(exp.DestinationConfigurations.S3Destination).toEqual({
      S3Bucket: { Ref: bucketId },
      S3Prefix: 'cur2',
      S3Region: 'us-east-1',
      S3OutputConfigurations: { OutputType: 'CUSTOM', Format: 'PARQUET', Compression: 'PARQUET', Overwrite: 'OVERWRITE_REPORT' },
    });
    expect(exp.RefreshCadence).toEqual({ Frequency: 'SYNCHRONOUS' });
    // the export is created after the bucket policy, which Data Exports checks
    expect(exportResource.resource.DependsOn).toEqual([expect.stringMatching(/^CurBucketPolicy/)]);
    expect(cur.exportArn).toMatch(/\$\{Token/);
  });

  test('hourly granularity is a string too', () => {
    const { stack } = billing();
    new CostAndUsageExport(stack, 'Cur', { owner: OWNER, timeGranularity: CurTimeGranularity.HOURLY });
    const exp = only(Template.fromStack(stack), 'AWS::BCMDataExports::Export').props.Export;
    expect(exp.DataQuery.TableConfigurations.COST_AND_USAGE_REPORT.TIME_GRANULARITY).toBe('HOURLY');
  });

  test('the export bucket: private, encrypted, TLS-only, versioned, access-logged, with the Data Exports policy', () => {
    const { stack, cur, template } = shared;
    const bucketId = stack.getLogicalId(cur.bucket.node.defaultChild as any);
    const b = template.findResources('AWS::S3::Bucket')[bucketId].Properties;
    expect(b.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(b.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(b.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^CurAccessLogs/) }, LogFilePrefix: 'cur2-export/' });
    expect(b.LifecycleConfiguration.Rules[0]).toMatchObject({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' });
    expect(template.findResources('AWS::S3::Bucket')[bucketId].DeletionPolicy).toBe('Retain');

    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === bucketId)!;
    const statements = policy.Properties.PolicyDocument.Statement;
    const arns = [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }];
    expect(statements).toContainEqual({
      Sid: 'AllowDataExportsDelivery',
      Effect: 'Allow',
      Principal: { Service: ['billingreports.amazonaws.com', 'bcm-data-exports.amazonaws.com'] },
      Action: ['s3:PutObject', 's3:GetBucketPolicy'],
      Resource: arns,
      Condition: {
        StringLike: {
          'aws:SourceAccount': '123456789012',
          'aws:SourceArn': [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cur:us-east-1:123456789012:definition/*']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bcm-data-exports:us-east-1:123456789012:export/*']] },
          ],
        },
      },
    });
    expect(statements).toContainEqual({
      Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: arns, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test('the access-log bucket lets S3 logging write for the two source buckets only', () => {
    const { stack, cur, template } = shared;
    const logsId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('CurAccessLogs'))!;
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === logsId)!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Sid: 'S3ServerAccessLogs',
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logsId, 'Arn'] }, '/*']] },
      Condition: {
        ArnLike: {
          'aws:SourceArn': [
            { 'Fn::GetAtt': [stack.getLogicalId(cur.bucket.node.defaultChild as any), 'Arn'] },
            { 'Fn::GetAtt': [stack.getLogicalId(cur.resultsBucket.node.defaultChild as any), 'Arn'] },
          ],
        },
        StringEquals: { 'aws:SourceAccount': '123456789012' },
      },
    });
  });

  test('a Glue table over the data prefix: Parquet, export columns, partition projection on BILLING_PERIOD folders', () => {
    const { stack, cur, template } = shared;
    const bucketId = stack.getLogicalId(cur.bucket.node.defaultChild as any);
    const db = only(template, 'AWS::Glue::Database');
    expect(db.props).toEqual({ CatalogId: '123456789012', DatabaseInput: { Name: 'customer_value', Description: expect.any(String) } });
    const table = only(template, 'AWS::Glue::Table');
    expect(table.resource.DependsOn).toEqual([db.logicalId]);
    expect(table.props.DatabaseName).toBe('customer_value');
    const input = table.props.TableInput;
    expect(input.Name).toBe('cur2');
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.PartitionKeys).toEqual([{ Name: 'billing_period', Type: 'string' }]);
    expect(input.StorageDescriptor.Columns).toEqual(CurQueries.EXPORT_COLUMNS.map((c) => ({ Name: c.name, Type: c.type })));
    expect(input.StorageDescriptor.Columns).toContainEqual({ Name: 'resource_tags', Type: 'map<string,string>' });
    expect(input.StorageDescriptor).toMatchObject({
      Location: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/cur2/customer-value-cur2/data/']] },
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    });
    expect(input.Parameters).toEqual({
      'classification': 'parquet',
      'EXTERNAL': 'TRUE',
      'projection.enabled': 'true',
      'projection.billing_period.type': 'date',
      'projection.billing_period.format': 'yyyy-MM',
      'projection.billing_period.range': 'NOW-3YEARS,NOW',
      'projection.billing_period.interval': '1',
      'projection.billing_period.interval.unit': 'MONTHS',
      'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/cur2/customer-value-cur2/data/BILLING_PERIOD=${billing_period}/']] },
    });
  });

  test('the location template matches the folders the export writes (s3://bucket/prefix/export/data/BILLING_PERIOD=YYYY-MM/)', () => {
    // GIVEN the layout Data Exports documents, for a concrete bucket, and a billing period the projection generates
    const { stack } = billing();
    new CostAndUsageExport(stack, 'Cur', { owner: OWNER, s3Prefix: 'billing/cur', exportName: 'org-cur' });
    const params = only(Template.fromStack(stack), 'AWS::Glue::Table').props.TableInput.Parameters;
    const [, parts] = params['storage.location.template']['Fn::Join'];
    const template = parts.map((p: any) => (typeof p === 'string' ? p : 'my-bucket')).join('');

    // WHEN Athena substitutes the value its projection generates for August 2026: the date formatted with the table's
    // projection format, a Java DateTimeFormatter pattern (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html)
    const javaFormat = (pattern: string, d: Date) => pattern.replace(/yyyy|MM|[A-Za-z]/g, (letter) => {
      const field: Record<string, string> = { yyyy: String(d.getUTCFullYear()), MM: String(d.getUTCMonth() + 1).padStart(2, '0') };
      if (!(letter in field)) throw new Error(`pattern letter ${letter} of ${pattern} is not a year or a month`);
      return field[letter];
    });
    const location = template.replace('${billing_period}', javaFormat(params['projection.billing_period.format'], new Date(Date.UTC(2026, 7, 1))));

    // THEN it is exactly the delivery folder of that period
    expect(location).toBe('s3://my-bucket/billing/cur/org-cur/data/BILLING_PERIOD=2026-08/');
  });

  test('an Athena workgroup that enforces encrypted results in their own bucket and a bytes-scanned limit', () => {
    const { stack } = billing();
    const cur = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, bytesScannedCutoffPerQuery: Size.gibibytes(5) });
    const template = Template.fromStack(stack);
    const resultsId = stack.getLogicalId(cur.resultsBucket.node.defaultChild as any);
    const wg = only(template, 'AWS::Athena::WorkGroup');
    expect(wg.props).toEqual({
      Name: 'customer-value',
      Description: expect.any(String),
      State: 'ENABLED',
      RecursiveDeleteOption: true,
      Tags: expect.arrayContaining([{ Key: 'customer-service', Value: OWNER.serviceName }]),
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 5 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsId }, '/results/']] },
          ExpectedBucketOwner: '123456789012',
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
    expect(resultsId).not.toBe(stack.getLogicalId(cur.bucket.node.defaultChild as any));
    const results = template.findResources('AWS::S3::Bucket')[resultsId].Properties;
    expect(results.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(results.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 30 });
    expect(results.LoggingConfiguration.LogFilePrefix).toBe('athena-results/');
  });

  test('the workgroup can be deleted once queries ran in it: RecursiveDeleteOption (Athena DeleteWorkGroup)', () => {
    // GIVEN the default removal policy (buckets retained) and a custom one
    for (const removalPolicy of [undefined, RemovalPolicy.DESTROY]) {
      const { stack } = billing();
      new CostAndUsageExport(stack, 'Cur', { owner: OWNER, removalPolicy });

      // WHEN
      const wg = only(Template.fromStack(stack), 'AWS::Athena::WorkGroup');

      // THEN deleting the stack (or renaming the workgroup, which replaces it) deletes the workgroup with its saved
      // queries and query history instead of failing with "WorkGroup is not empty"
      expect(wg.props.RecursiveDeleteOption).toBe(true);
      expect(wg.resource.DeletionPolicy).toBeUndefined();
    }
  });

  test('named queries carry the SQL of the shared module', () => {
    // GIVEN renamed tag keys and amortized cost
    const { stack } = billing(undefined, { 'customer-value:tagKeys': { team: 'owner-team' } });
    const cur = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, metric: CostMetric.AMORTIZED });
    const template = Template.fromStack(stack);
    const queries: Record<string, any> = {};
    for (const q of Object.values(template.findResources('AWS::Athena::NamedQuery'))) {
      queries[q.Properties.Name] = q;
    }
    expect(Object.keys(queries).sort()).toEqual([
      'customer-value-cost-per-business-unit', 'customer-value-cost-per-customer', 'customer-value-cost-per-need',
      'customer-value-cost-per-service', 'customer-value-cost-per-team', 'customer-value-tag-keys-present', 'customer-value-untagged-share',
    ]);
    expect(cur.tableReference).toBe('"customer_value"."cur2"');
    const table = '(SELECT * FROM "customer_value"."cur2" WHERE billing_period = date_format(current_date, \'%Y-%m\')) AS cur';
    const keys = TagKeys.custom({ team: 'owner-team' });
    const opts = { table, tagKeys: keys, metric: CostMetric.AMORTIZED, dialect: SqlDialect.ATHENA };
    const sql = (name: string) => (queries[name].Properties.QueryString as string).split('\n').slice(1).join('\n');
    expect(sql('customer-value-cost-per-team')).toBe(CurQueries.costBy({ ...opts, groupBy: CostGrouping.TEAM }));
    expect(sql('customer-value-cost-per-team')).toContain("'user_owner_team'");
    expect(sql('customer-value-cost-per-need')).toBe(CurQueries.costBy({ ...opts, groupBy: CostGrouping.NEED }));
    expect(sql('customer-value-untagged-share')).toBe(CurQueries.untaggedShare({ ...opts, groupBy: CostGrouping.SERVICE }));
    expect(sql('customer-value-tag-keys-present')).toBe(CurQueries.tagKeysPresent(table));
    for (const q of Object.values(queries)) {
      expect(q.Properties).toMatchObject({ Database: 'customer_value', WorkGroup: 'customer-value' });
      expect(q.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^CurWorkGroup/), expect.stringMatching(/^CurTable/)]));
    }
  });

  test('names, prefix, removal policy and a bring-your-own access-log bucket', () => {
    const { stack } = billing();
    const logs = new s3.Bucket(stack, 'OrgLogs', { enforceSSL: true });
    new CostAndUsageExport(stack, 'Cur', {
      owner: OWNER,
      exportName: 'org_cur',
      s3Prefix: 'exports/cur',
      databaseName: 'billing',
      tableName: 'cur_org',
      workGroupName: 'finops',
      firstBillingPeriod: '2025-01',
      removalPolicy: RemovalPolicy.DESTROY,
      serverAccessLogsBucket: logs,
    });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('CurAccessLogs'))).toEqual([]);
    const table = only(template, 'AWS::Glue::Table').props.TableInput;
    expect(table.Parameters['projection.billing_period.range']).toBe('2025-01,NOW');
    expect(table.StorageDescriptor.Location['Fn::Join'][1][2]).toBe('/exports/cur/org_cur/data/');
    template.hasResourceProperties('AWS::Athena::NamedQuery', { Name: 'finops-cost-per-service', Database: 'billing' });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }) });
    const logsPolicy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref.startsWith('OrgLogs'))!;
    expect(logsPolicy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toContain('S3ServerAccessLogs');
  });

  test('an imported access-log bucket gets a warning', () => {
    const { stack } = billing();
    new CostAndUsageExport(stack, 'Cur', { owner: OWNER, serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'org-access-logs') });
    Annotations.fromStack(stack).hasWarning('/Billing/Cur', Match.stringLikeRegexp('serverAccessLogsBucket org-access-logs is imported'));
  });

  describe('region guard rail', () => {
    test('refuses a region other than us-east-1, with the reason', () => {
      const { app, stack } = billing({ account: '123456789012', region: 'eu-west-1' });
      new CostAndUsageExport(stack, 'Cur', { owner: OWNER });
      expect(() => app.synth()).toThrow(
        /\[Billing\/Cur\] the stack region is eu-west-1: AWS Data Exports \(CUR 2.0\) exports are created in us-east-1 only .*env: \{ region: 'us-east-1' \}/);
    });

    test('warns when the stack is environment-agnostic', () => {
      const { app, stack } = billing({});
      new CostAndUsageExport(stack, 'Cur', { owner: OWNER });
      Annotations.fromStack(stack).hasWarning('/Billing/Cur', Match.stringLikeRegexp(
        'environment-agnostic.*deploy this stack to us-east-1.*\\[ack: cdk-customer-value:billing.exportRegionUnknown\\]'));
      // the us-east-1 ARNs of the bucket policy do not depend on the stack's region
      const policy = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement).find((s: any) => s.Sid === 'AllowDataExportsDelivery');
      expect(JSON.stringify(policy.Condition.StringLike['aws:SourceArn'])).toContain(':bcm-data-exports:us-east-1:');
      expect(synthFindings(app).findings).toEqual([]);
    });

    test('warns when the stack is not the declared management account', () => {
      const { stack } = billing({ account: '210987654321', region: 'us-east-1' });
      new CostAndUsageExport(stack, 'Cur', { owner: OWNER, managementAccountId: '123456789012' });
      Annotations.fromStack(stack).hasWarning('/Billing/Cur', Match.stringLikeRegexp('can use an Organization-wide CUR 2.0 export'));
    });
  });

  test.each([
    [{ exportName: 'bad name' }, /exportName is "bad name": expected 1-128 letters, digits, - and _/],
    [{ s3Prefix: '/cur' }, /s3Prefix is "\/cur": expected .*without a leading or trailing \//],
    [{ databaseName: 'Billing-DB' }, /databaseName is "Billing-DB": expected 1-255 lower-case letters/],
    [{ tableName: 'cur 2' }, /tableName is "cur 2"/],
    [{ workGroupName: 'a b' }, /workGroupName is "a b"/],
    [{ firstBillingPeriod: '2025-13' }, /firstBillingPeriod is "2025-13": expected a billing period YYYY-MM/],
    [{ bytesScannedCutoffPerQuery: Size.mebibytes(1) }, /bytesScannedCutoffPerQuery is 1048576 bytes: Athena's minimum is 10000000 bytes/],
    [{ timeGranularity: 'WEEKLY' }, /timeGranularity is "WEEKLY": accepted values are HOURLY, DAILY, MONTHLY/],
    // reported at synth with the construct's path, not thrown at construction by the SQL builder
    [{ metric: 'net' }, /\[Billing\/Cur\] metric is "net": accepted values are unblended, amortized, net-unblended/],
  ])('refuses %p', (props, message) => {
    const { app, stack } = billing();
    new CostAndUsageExport(stack, 'Cur', { owner: OWNER, ...props } as any);
    expect(() => app.synth()).toThrow(message);
  });

  test('synthesizes with no validator finding', () => {
    const { app, stack } = billing();
    new CostAndUsageExport(stack, 'Cur', { owner: OWNER, managementAccountId: '123456789012', timeGranularity: CurTimeGranularity.HOURLY });
    expect(synthFindings(app)).toEqual({ findings: [] });
  });
});

describe('CostAndUsageExport with FOCUS 1.2', () => {
  // The FOCUS 1.2 with AWS columns table: SQL name FOCUS_1_2_AWS, one table configuration TIME_GRANULARITY
  // (HOURLY | DAILY | MONTHLY); docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws.html
  test('beside CUR 2.0: a second export of FOCUS_1_2_AWS with its explicit columns, a Glue table and FOCUS named queries', () => {
    // GIVEN
    const { stack } = billing();

    // WHEN
    const cur = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, tables: [BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2] });

    // THEN two exports in the same bucket and prefix, after the bucket policy
    const template = Template.fromStack(stack);
    const exports = Object.values(template.findResources('AWS::BCMDataExports::Export')) as any[];
    expect(exports.map((e) => e.Properties.Export.Name).sort()).toEqual(['customer-value-cur2', 'customer-value-focus']);
    const focus = exports.find((e) => e.Properties.Export.Name === 'customer-value-focus');
    expect(focus.Properties.Export.DataQuery).toEqual({
      QueryStatement: FocusQueries.exportQueryStatement(),
      TableConfigurations: { FOCUS_1_2_AWS: { TIME_GRANULARITY: 'DAILY' } },
    });
    expect(focus.Properties.Export.DataQuery.QueryStatement).toMatch(/^SELECT BilledCost, .*\bTags\b.* FROM FOCUS_1_2_AWS$/);
    expect(focus.Properties.Export.DataQuery.QueryStatement).not.toMatch(/\*/);
    expect(focus.Properties.Export.DestinationConfigurations.S3Destination).toMatchObject({ S3Prefix: 'cur2', S3Region: 'us-east-1' });
    expect(focus.DependsOn).toEqual([expect.stringMatching(/^CurBucketPolicy/)]);
    // the Glue table reads the FOCUS export's billing_period=YYYY-MM folders (issue 25: FOCUS exports are delivered under
    // lower-case folders; AWS documents BILLING_PERIOD= for CUR 2.0 only), lower-case column names, Tags a map
    const tables = Object.values(template.findResources('AWS::Glue::Table')) as any[];
    expect(tables.map((t) => t.Properties.TableInput.Name).sort()).toEqual(['cur2', 'focus']);
    const focusTable = tables.find((t) => t.Properties.TableInput.Name === 'focus').Properties.TableInput;
    expect(focusTable.StorageDescriptor.Columns).toContainEqual({ Name: 'tags', Type: 'map<string,string>' });
    expect(focusTable.StorageDescriptor.Columns).toContainEqual({ Name: 'chargeperiodstart', Type: 'timestamp' });
    expect(focusTable.StorageDescriptor.Columns).toHaveLength(FocusQueries.EXPORT_COLUMNS.length);
    expect(JSON.stringify(focusTable.Parameters['storage.location.template'])).toContain('/cur2/customer-value-focus/data/billing_period=${billing_period}/');
    const curTable = tables.find((t) => t.Properties.TableInput.Name === 'cur2').Properties.TableInput;
    expect(JSON.stringify(curTable.Parameters['storage.location.template'])).toContain('/cur2/customer-value-cur2/data/BILLING_PERIOD=${billing_period}/');
    expect(focusTable.PartitionKeys).toEqual([{ Name: 'billing_period', Type: 'string' }]);
    // named queries: the CUR ones and the FOCUS ones, on the current billing period of the FOCUS table
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q: any) => q.Properties);
    const focusQueries = queries.filter((q) => q.Name.startsWith('customer-value-focus-'));
    expect(focusQueries.map((q) => q.Name).sort()).toEqual([
      'customer-value-focus-cost-per-business-unit', 'customer-value-focus-cost-per-customer', 'customer-value-focus-cost-per-need',
      'customer-value-focus-cost-per-service', 'customer-value-focus-cost-per-team', 'customer-value-focus-tag-keys-present',
      'customer-value-focus-untagged-share',
    ]);
    const perService = focusQueries.find((q) => q.Name === 'customer-value-focus-cost-per-service');
    expect(perService.QueryString).toContain('FROM (SELECT * FROM "customer_value"."focus" WHERE billing_period = date_format(current_date, \'%Y-%m\')) AS cur');
    expect(perService.QueryString).toContain("element_at(Tags, 'customer-service')");
    expect(perService.QueryString).toContain('SUM(cost) AS amount');
    expect(queries.filter((q) => !q.Name.startsWith('customer-value-focus-'))).toHaveLength(7);
    expect(cur.focusTableReference).toBe('"customer_value"."focus"');
    expect(cur.tableReference).toBe('"customer_value"."cur2"');
    expect(cur.tables).toEqual([BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2]);
  });

  test('instead of CUR 2.0: one FOCUS export, and the construct\'s export fields describe it', () => {
    const { stack } = billing();
    const focus = new CostAndUsageExport(stack, 'Cur', { owner: OWNER, tables: [BillingDataTable.FOCUS_1_2], timeGranularity: CurTimeGranularity.HOURLY });
    const template = Template.fromStack(stack);
    const exp = only(template, 'AWS::BCMDataExports::Export').props.Export;
    expect(exp.Name).toBe('customer-value-focus');
    expect(exp.DataQuery.TableConfigurations).toEqual({ FOCUS_1_2_AWS: { TIME_GRANULARITY: 'HOURLY' } });
    expect(only(template, 'AWS::Glue::Table').props.TableInput.Name).toBe('focus');
    expect(focus.tableName).toBe('focus');
    expect(focus.exportName).toBe('customer-value-focus');
    expect(focus.tableReference).toBe(focus.focusTableReference);
    const names = Object.values(template.findResources('AWS::Athena::NamedQuery')).map((q: any) => q.Properties.Name);
    expect(names.every((n) => n.startsWith('customer-value-focus-'))).toBe(true);
  });

  test('refused at synth, all at once: no table, an unknown table, the same names for both exports, an unknown FOCUS metric', () => {
    const { app, stack } = billing();
    new CostAndUsageExport(stack, 'Cur', {
      owner: OWNER,
      tables: [BillingDataTable.CUR_2_0, BillingDataTable.FOCUS_1_2],
      focusExportName: 'same',
      exportName: 'same',
      focusTableName: 'cur2',
      focusMetric: 'net' as any,
    });
    new CostAndUsageExport(stack, 'Empty', { owner: OWNER, tables: [], workGroupName: 'other', exportName: 'other' });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('focusExportName is "same", the same as exportName');
    expect(message).toContain('focusTableName is "cur2", the same as tableName');
    expect(message).toContain('focusMetric is "net": accepted values are billed, effective, list, contracted');
    expect(message).toContain('tables is []: pass one or both of BillingDataTable.CUR_2_0 and BillingDataTable.FOCUS_1_2');
  });
});
