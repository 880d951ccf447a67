import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';

/**
 * What running Athena queries on the tables of a `CostAndUsageExport` takes, written once for `grantQuery` (of the
 * export and of each `ExportedTable`) and for the value-review function's policy: named resources, no `*`.
 *
 * - Athena, on the workgroup: StartQueryExecution, GetQueryExecution, GetQueryResults, StopQueryExecution and
 *   GetWorkGroup (Service Authorization Reference, Amazon Athena: these actions' resource type is `workgroup`,
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonathena.html); GetTableMetadata, on
 *   the data catalog `AwsDataCatalog` (its resource type is `datacatalog`): the Athena source reads the table's
 *   columns first to tell CUR 2.0 from FOCUS.
 * - Glue, on the catalog, the database and each table: GetDatabase, GetTable, GetTables, GetPartition, GetPartitions.
 *   Athena checks a Glue action on the resource and its parents, so each statement names all three ("Configure access
 *   to databases and tables in the AWS Glue Data Catalog",
 *   https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html; ARN formats: "Specifying
 *   AWS Glue resource ARNs", https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html).
 * - S3, the export: GetObject on each table's data prefix (`<prefix>/<exportName>/data/*`), ListBucket on the bucket
 *   with `s3:prefix` limited to those prefixes (Athena lists each partition's folder under the table's location), and
 *   GetBucketLocation (no `s3:prefix` condition: that key is absent from it, and a condition on an absent key denies).
 * - S3, the query results (the workgroup enforces `s3://<results bucket>/results/`): PutObject, GetObject (GetQueryResults
 *   reads the result file with the caller's permissions: "To stream query results successfully, the IAM principal with
 *   permission to call GetQueryResults also must have permissions to the Amazon S3 GetObject action for the Athena
 *   query results location", Athena API reference, GetQueryResults), AbortMultipartUpload, ListMultipartUploadParts on
 *   `results/*`; ListBucket, ListBucketMultipartUploads, GetBucketLocation on the bucket (AWS re:Post knowledge
 *   center, "athena-output-bucket-error").
 * - KMS: none. The export bucket is SSE-S3 and the workgroup writes results SSE_S3, so no key is used.
 */

/** The data catalog the Athena table is in (the Glue Data Catalog). */
export const ATHENA_CATALOG = 'AwsDataCatalog';
/** The key prefix the workgroup writes its query results under, in the results bucket. */
export const RESULTS_PREFIX = 'results/';

/** One table Athena reads. */
export interface QueriedTable {
  readonly tableName: string;
  /** The key prefix of its data in the export bucket, `<prefix>/<exportName>/data/`. */
  readonly dataPrefix: string;
}

/** Where the queries run and what they read. */
export interface QueryTarget {
  readonly workGroupName: string;
  readonly databaseName: string;
  readonly bucket: s3.IBucket;
  readonly resultsBucket: s3.IBucket;
  readonly tables: QueriedTable[];
}

/** The statements, in a fixed order, each with its `Sid` (unique in one policy). */
export function queryStatements(scope: IConstruct, target: QueryTarget): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const { bucket, resultsBucket, databaseName } = target;
  return [
    new iam.PolicyStatement({
      sid: 'Athena',
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
      resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: target.workGroupName })],
    }),
    new iam.PolicyStatement({
      sid: 'AthenaTableMetadata',
      actions: ['athena:GetTableMetadata'],
      resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: ATHENA_CATALOG })],
    }),
    new iam.PolicyStatement({
      sid: 'GlueTable',
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
      resources: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
        ...target.tables.map((t) => stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/${t.tableName}` })),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ReadExport',
      actions: ['s3:GetObject', 's3:GetBucketLocation'],
      resources: [bucket.bucketArn, ...target.tables.map((t) => bucket.arnForObjects(`${t.dataPrefix}*`))],
    }),
    new iam.PolicyStatement({
      sid: 'ListExport',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': target.tables.flatMap((t) => [t.dataPrefix.replace(/\/$/, ''), `${t.dataPrefix}*`]) } },
    }),
    new iam.PolicyStatement({
      sid: 'QueryResults',
      actions: [
        's3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts',
        's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:GetBucketLocation',
      ],
      resources: [resultsBucket.bucketArn, resultsBucket.arnForObjects(`${RESULTS_PREFIX}*`)],
    }),
  ];
}

/**
 * Grants `grantee` the statements (without their `Sid`s, which must be unique in the grantee's policy), and
 * acknowledges on the grantee the object-level wildcards AwsSolutions-IAM5 reports.
 */
export function grantQueryTo(grantee: iam.IGrantable, scope: IConstruct, target: QueryTarget): iam.Grant {
  const grants = queryStatements(scope, target).map((s) => {
    const conditions = Object.keys(s.conditions).length > 0 ? s.conditions : undefined;
    return iam.Grant.addToPrincipal({ grantee, actions: s.actions, resourceArns: s.resources, conditions, scope });
  });
  const principal = grantee.grantPrincipal;
  if (Construct.isConstruct(principal)) {
    acknowledgeObjectWildcards(principal, target);
  }
  return grants.slice(1).reduce((all, g) => all.combine(g), grants[0]);
}

/**
 * The object-level wildcards of the statements, acknowledged on `on` with their reason (cdk-nag names each after
 * the bucket's logical id; a bucket of another stack or an imported one has no finding id to name).
 */
export function acknowledgeObjectWildcards(on: IConstruct, target: QueryTarget): void {
  const reason = 'Object-level wildcards only: Athena reads every object of the exported table\'s data prefix (its partitions are '
    + 'folders named by billing period) and writes and reads its query results under keys it chooses, under results/';
  const findings = [
    ...target.tables.map((t) => objectsFinding(on, target.bucket, `${t.dataPrefix}*`)),
    objectsFinding(on, target.resultsBucket, `${RESULTS_PREFIX}*`),
  ];
  for (const id of findings) {
    if (id) {
      Validations.of(on).acknowledge({ id, reason });
    }
  }
}

/** The id of cdk-nag's finding for `<bucket>/<suffix>` in a policy of `on`'s stack. */
export function objectsFinding(on: IConstruct, bucket: s3.IBucket, suffix: string): string | undefined {
  const cfn = bucket.node.defaultChild as s3.CfnBucket | undefined;
  if (!cfn || Stack.of(cfn) !== Stack.of(on)) {
    return undefined;
  }
  return `AwsSolutions-IAM5[Resource::<${Stack.of(cfn).getLogicalId(cfn)}.Arn>/${suffix}]`;
}
