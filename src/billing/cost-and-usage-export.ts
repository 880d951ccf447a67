// Over 400 lines on purpose: one concept (the CUR 2.0 and FOCUS exports with the Glue tables and Athena workgroup that
// read them), a third of it the documented props; the buckets' settings, the named queries' period and each table's
// export, Glue table and named queries (private/table-export.ts, the same code for CUR 2.0 and FOCUS) live in private/.
import { Aws, Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BillingOwnerOptions, ManagementAccountOptions } from './billing-options';
import { BillingDataTable, ExportedTable } from './exported-table';
import { CostMetric, FocusMetric } from '../cost-data/query-terms';
import { FocusQueries } from '../cost-data/schemas/focus-sql';
import { resolveTagKeys, TagKeys } from '../tag-keys';
import { accessLogsBucket, logAccess, privateBucket } from './private/buckets';
import { checkManagementAccount, DATA_EXPORTS_REGION, requireAwsPartition, requireDataExportsRegion } from './private/guard-rails';
import { attributeCost } from './private/ownership';
import { grantQueryTo } from './private/query-grants';
import { createTableExport, ExportPlace, PARTITION_FOLDERS, TableExport } from './private/table-export';
import { CurQueries } from '../cost-data/schemas/cur-sql';
import { reportProblems } from '../private/problems';

/**
 * Time granularity of the CUR 2.0 line items (`TIME_GRANULARITY`).
 */
export enum CurTimeGranularity {
  /** One line item per resource and hour (largest files). */
  HOURLY = 'HOURLY',
  /** One line item per resource and day. */
  DAILY = 'DAILY',
  /** One line item per resource and month. */
  MONTHLY = 'MONTHLY',
}

/**
 * Properties of `CostAndUsageExport`.
 */
export interface CostAndUsageExportProps extends ManagementAccountOptions, BillingOwnerOptions {
  /**
   * Name of the data export (1-128 letters, digits, `-` and `_`; unique in the account; changing it replaces the
   * export). It is also a folder of the S3 layout: `<prefix>/<exportName>/data/BILLING_PERIOD=YYYY-MM/` (CUR 2.0).
   *
   * @default "customer-value-cur2"
   */
  readonly exportName?: string;

  /**
   * Which tables to export: CUR 2.0, FOCUS 1.2, or both (one data export each, in the same bucket, prefix, Glue
   * database and Athena workgroup, each with its Glue table and named queries).
   *
   * @default [BillingDataTable.CUR_2_0]
   */
  readonly tables?: BillingDataTable[];

  /**
   * Name of the FOCUS 1.2 data export (1-128 letters, digits, `-` and `_`; unique in the account), when `tables`
   * includes `BillingDataTable.FOCUS_1_2`.
   *
   * @default "customer-value-focus"
   */
  readonly focusExportName?: string;

  /**
   * Glue table name over the FOCUS 1.2 export (lower-case letters, digits and `_`).
   *
   * @default "focus"
   */
  readonly focusTableName?: string;

  /**
   * The cost column of the FOCUS named queries.
   *
   * @default FocusMetric.BILLED
   */
  readonly focusMetric?: FocusMetric;

  /**
   * Time granularity of the line items (of every exported table).
   *
   * @default CurTimeGranularity.DAILY
   */
  readonly timeGranularity?: CurTimeGranularity;

  /**
   * S3 prefix of the export in the bucket (no leading or trailing `/`).
   *
   * @default "cur2"
   */
  readonly s3Prefix?: string;

  /**
   * What happens to the export, query-results and access-log buckets when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN (billing data outlives the stack)
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Bucket that receives the S3 server access logs of the export and query-results buckets.
   *
   * @default - a bucket is created for them
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * How long the S3 server access logs of the export and query-results buckets are kept, when the construct creates
   * their bucket (`serverAccessLogsBucket` not given). Their older versions expire after `noncurrentVersionExpiration`
   * and incomplete uploads are aborted after 7 days, as in the export bucket.
   *
   * @default Duration.days(365)
   */
  readonly serverAccessLogsRetention?: Duration;

  /**
   * How long old versions of export files are kept (the export overwrites its files up to three times a day).
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Glue database name (lower-case letters, digits and `_`).
   *
   * @default "customer_value"
   */
  readonly databaseName?: string;

  /**
   * Glue table name (lower-case letters, digits and `_`).
   *
   * @default "cur2"
   */
  readonly tableName?: string;

  /**
   * First billing period (`YYYY-MM`) the table's partition projection covers; data before it is not read.
   *
   * @default - the last 3 years (`NOW-3YEARS`)
   */
  readonly firstBillingPeriod?: string;

  /**
   * Name of the Athena workgroup (1-128 letters, digits, `.`, `_` and `-`).
   *
   * @default "customer-value"
   */
  readonly workGroupName?: string;

  /**
   * The most data one query may scan; a query that would scan more is cancelled.
   *
   * @default Size.gibibytes(10)
   */
  readonly bytesScannedCutoffPerQuery?: Size;

  /**
   * How long Athena query results are kept.
   *
   * @default Duration.days(30)
   */
  readonly queryResultsExpiration?: Duration;

  /**
   * The cost figure of the named queries.
   *
   * @default CostMetric.UNBLENDED
   */
  readonly metric?: CostMetric;

  /**
   * The tag keys of the named queries.
   *
   * @default TagKeys.of(this)
   */
  readonly tagKeys?: TagKeys;
}

const EXPORT_NAME = /^[0-9A-Za-z\-_]{1,128}$/;
const GLUE_NAME = /^[a-z0-9_]{1,255}$/;
const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;
const S3_PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
const BILLING_PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
/** Incomplete multipart uploads to the export and access-log buckets are aborted after this long. */
const EXPORT_UPLOAD_ABORT = Duration.days(7);
/** Athena's lower limit for BytesScannedCutoffPerQuery. */
const MIN_CUTOFF_BYTES = 10_000_000;

/**
 * A CUR 2.0 data export (`AWS::BCMDataExports::Export`) to a secure S3 bucket, with a Glue table and an Athena
 * workgroup over it and named queries for cost per service, need, team, business unit and customer, and the untagged
 * share: the same SQL the `customer-value cost --source cur|athena` CLI runs (`CurQueries`). The named queries read the
 * current billing period (UTC month) only, `billing_period = date_format(current_date, '%Y-%m')`, so Athena scans one
 * month's partition; edit that condition in a saved query for another month.
 *
 * - The export selects an explicit column list including `resource_tags` (Data Exports rejects `SELECT *`), with
 *   resource ids, as Parquet, overwriting each billing period's files, refreshed as AWS updates the data.
 * - The bucket is private, SSE-S3 encrypted, TLS-only, versioned (old versions expire), access-logged, and its
 *   policy lets `billingreports.amazonaws.com` and `bcm-data-exports.amazonaws.com` write, scoped by
 *   `aws:SourceAccount` and `aws:SourceArn` on the us-east-1 export ARNs (the superset of AWS's documented policies).
 * - The Glue table reads `<prefix>/<exportName>/data/`, partitioned by `billing_period` through partition projection
 *   over the export's billing-period folders (no crawler): `BILLING_PERIOD=YYYY-MM` for CUR 2.0, as AWS documents it,
 *   and `billing_period=YYYY-MM` for FOCUS 1.2, as FOCUS exports are reported delivered (AWS documents CUR 2.0's only).
 * - The Athena workgroup enforces its configuration: results encrypted in their own bucket, a bytes-scanned limit.
 *   When the stack is deleted (or `workGroupName` changes), the workgroup is deleted with what it holds: its saved
 *   queries (the named queries and any query saved in it by hand), its query history and notebooks. Query result files
 *   are not: they stay in the results bucket, which follows `removalPolicy`.
 *
 * Each exported table is an `ExportedTable` with the same attributes, `cur` and `focus` (set when that table is
 * exported): its export, data location and partition folder, Glue table and named queries. `grantQuery` (of the export,
 * or of one table) lets a principal run Athena queries on the tables and nothing more.
 *
 * Data Exports exports are created in us-east-1: the construct refuses another region, and warns when the stack has
 * no region at synth. A management-account export covers every account of the Organization. The first data arrives
 * within 24 h of creation; `resource_tags` holds a tag key only once it is activated (`CostAllocationTags`).
 */
export class CostAndUsageExport extends Construct {
  /** The bucket holding the export (of every exported table). */
  public readonly bucket: s3.IBucket;
  /** The bucket holding Athena query results. */
  public readonly resultsBucket: s3.IBucket;
  /** The CUR 2.0 table (its export, data, Glue table and named queries), when CUR 2.0 is exported. */
  public readonly cur?: ExportedTable;
  /** The FOCUS 1.2 table (its export, data, Glue table and named queries), when FOCUS 1.2 is exported. */
  public readonly focus?: ExportedTable;
  /** Glue database name (of every exported table). */
  public readonly databaseName: string;
  /** The tables exported. */
  public readonly tables: BillingDataTable[];
  /** Name of the Athena workgroup (of every exported table). */
  public readonly workGroupName: string;
  /** The Athena named queries of every exported table (each table's are also in its `namedQueries`). */
  public readonly namedQueries: athena.CfnNamedQuery[] = [];
  /**
   * The name of the data export: of the CUR 2.0 export, or of the FOCUS export when it is the only one.
   * @deprecated use `cur.exportName` or `focus.exportName`
   */
  public readonly exportName: string;
  /**
   * The ARN of the data export: of the CUR 2.0 export, or of the FOCUS export when it is the only one.
   * @deprecated use `cur.exportArn` or `focus.exportArn`
   */
  public readonly exportArn: string;
  /**
   * The S3 URI of the export's data (`s3://bucket/prefix/exportName/data/`): of the CUR 2.0 table, or of the FOCUS table
   * when it is the only one.
   * @deprecated use `cur.dataLocation` or `focus.dataLocation`
   */
  public readonly dataLocation: string;
  /**
   * Glue table name: of the CUR 2.0 table, or of the FOCUS table when it is the only one.
   * @deprecated use `cur.tableName` or `focus.tableName`
   */
  public readonly tableName: string;
  /**
   * The quoted Athena table reference, `"database"."table"` (as `tableName`).
   * @deprecated use `cur.tableReference` or `focus.tableReference`
   */
  public readonly tableReference: string;
  /**
   * The name of the FOCUS 1.2 data export, when FOCUS is exported.
   * @deprecated use `focus.exportName`
   */
  public readonly focusExportName?: string;
  /**
   * The ARN of the FOCUS 1.2 data export, when FOCUS is exported.
   * @deprecated use `focus.exportArn`
   */
  public readonly focusExportArn?: string;
  /**
   * The S3 URI of the FOCUS export's data, when FOCUS is exported.
   * @deprecated use `focus.dataLocation`
   */
  public readonly focusDataLocation?: string;
  /**
   * The Glue table over the FOCUS export, when FOCUS is exported.
   * @deprecated use `focus.tableName`
   */
  public readonly focusTableName?: string;
  /**
   * The quoted Athena reference of the FOCUS table, when FOCUS is exported.
   * @deprecated use `focus.tableReference`
   */
  public readonly focusTableReference?: string;

  constructor(scope: Construct, id: string, props: CostAndUsageExportProps = {}) {
    super(scope, id);
    const ownership = attributeCost(this, 'CUR 2.0 data export', 'buckets, export, Glue database and table, Athena workgroup', props.owner);
    // the region warning of an environment-agnostic stack covers the partition too
    const partition = requireAwsPartition(this, 'a CUR 2.0 data export', false);
    const errors = [
      ...ownership.problems,
      ...(partition.length > 0 ? partition : requireDataExportsRegion(this)),
      ...checkManagementAccount(this, 'an Organization-wide CUR 2.0 export', props.managementAccountId),
    ];
    // A value that is refused is reported at synth; the construct is still built, from the default, so that every
    // other problem of the app is reported too.
    const exportName = check(errors, 'exportName', props.exportName, 'customer-value-cur2', EXPORT_NAME, '1-128 letters, digits, - and _');
    const prefix = check(errors, 's3Prefix', props.s3Prefix, 'cur2', S3_PREFIX, 'letters, digits and ! _ . * \' ( ) -, in segments separated by /, without a leading or trailing /');
    const databaseName = check(errors, 'databaseName', props.databaseName, 'customer_value', GLUE_NAME, '1-255 lower-case letters, digits and _ (Athena lower-cases names)');
    const tableName = check(errors, 'tableName', props.tableName, 'cur2', GLUE_NAME, '1-255 lower-case letters, digits and _ (Athena lower-cases names)');
    const workGroupName = check(errors, 'workGroupName', props.workGroupName, 'customer-value', WORKGROUP_NAME, '1-128 letters, digits, ., _ and -');
    const firstBillingPeriod = props.firstBillingPeriod === undefined ? undefined
      : check(errors, 'firstBillingPeriod', props.firstBillingPeriod, undefined, BILLING_PERIOD, 'a billing period YYYY-MM, e.g. "2025-01"');
    let tables = props.tables ?? [BillingDataTable.CUR_2_0];
    if (!Array.isArray(tables) || tables.length === 0 || tables.some((t) => !Object.values(BillingDataTable).includes(t))
      || new Set(tables).size !== tables.length) {
      errors.push(`tables is ${JSON.stringify(tables)}: pass one or both of BillingDataTable.CUR_2_0 and BillingDataTable.FOCUS_1_2, each once`);
      tables = [BillingDataTable.CUR_2_0];
    }
    const withCur = tables.includes(BillingDataTable.CUR_2_0);
    const withFocus = tables.includes(BillingDataTable.FOCUS_1_2);
    const focusExportName = check(errors, 'focusExportName', props.focusExportName, 'customer-value-focus', EXPORT_NAME, '1-128 letters, digits, - and _');
    const focusTableName = check(errors, 'focusTableName', props.focusTableName, 'focus', GLUE_NAME, '1-255 lower-case letters, digits and _ (Athena lower-cases names)');
    if (withCur && withFocus && focusExportName === exportName) {
      errors.push(`focusExportName is ${JSON.stringify(focusExportName)}, the same as exportName: the two exports need different names`);
    }
    if (withCur && withFocus && focusTableName === tableName) {
      errors.push(`focusTableName is ${JSON.stringify(focusTableName)}, the same as tableName: the two Glue tables need different names`);
    }
    let metric = props.metric;
    if (metric !== undefined && !Object.values(CostMetric).includes(metric)) {
      errors.push(`metric is ${JSON.stringify(metric)}: accepted values are ${Object.values(CostMetric).join(', ')}`);
      metric = undefined;
    }
    let focusMetric = props.focusMetric;
    if (focusMetric !== undefined && !Object.values(FocusMetric).includes(focusMetric)) {
      errors.push(`focusMetric is ${JSON.stringify(focusMetric)}: accepted values are ${Object.values(FocusMetric).join(', ')}`);
      focusMetric = undefined;
    }
    let granularity = props.timeGranularity ?? CurTimeGranularity.DAILY;
    if (!Object.values(CurTimeGranularity).includes(granularity)) {
      errors.push(`timeGranularity is ${JSON.stringify(granularity)}: accepted values are ${Object.values(CurTimeGranularity).join(', ')}`);
      granularity = CurTimeGranularity.DAILY;
    }
    let cutoff = props.bytesScannedCutoffPerQuery ?? Size.gibibytes(10);
    const cutoffBytes = cutoff.toBytes();
    if (!Token.isUnresolved(cutoffBytes) && cutoffBytes < MIN_CUTOFF_BYTES) {
      errors.push(`bytesScannedCutoffPerQuery is ${cutoffBytes} bytes: Athena's minimum is ${MIN_CUTOFF_BYTES} bytes (10 MB)`);
      cutoff = Size.gibibytes(10);
    }
    let logsRetention = props.serverAccessLogsRetention;
    const logsDays = logsRetention === undefined || Token.isUnresolved(logsRetention.toSeconds()) ? 1 : logsRetention.toDays({ integral: false });
    if (logsRetention !== undefined && (logsDays < 1 || !Number.isInteger(logsDays))) {
      errors.push(`serverAccessLogsRetention is ${logsRetention.toHumanString()}: expected whole days, at least Duration.days(1)`);
      logsRetention = undefined;
    }
    const { keys: tagKeys, problems: keyProblems } = resolveTagKeys(this, props.tagKeys);
    errors.push(...keyProblems);
    reportProblems(this, errors);

    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const noncurrentVersionExpiration = props.noncurrentVersionExpiration ?? Duration.days(90);
    // the access logs expire (the export's own files are kept), with the export bucket's clean-up of old versions and uploads
    const accessLogs = props.serverAccessLogsBucket ?? accessLogsBucket(this, removalPolicy, logsRetention ?? Duration.days(365), {
      noncurrentVersionExpiration,
      abortIncompleteMultipartUploadAfter: EXPORT_UPLOAD_ABORT,
    });

    // -- the export bucket
    const bucket = privateBucket(this, 'Bucket', {
      versioned: true,
      lifecycleRules: [{
        id: 'ExpireOverwrittenVersions',
        noncurrentVersionExpiration,
        abortIncompleteMultipartUploadAfter: EXPORT_UPLOAD_ABORT,
      }],
      removalPolicy,
    });
    this.bucket = bucket;
    // The superset of the old and new documented policies (both principals, both actions, both ARN patterns);
    // SourceArn is always us-east-1. https://docs.aws.amazon.com/cur/latest/userguide/dataexports-s3-bucket.html
    const account = stack.account;
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowDataExportsDelivery',
      principals: [new iam.ServicePrincipal('billingreports.amazonaws.com'), new iam.ServicePrincipal('bcm-data-exports.amazonaws.com')],
      actions: ['s3:PutObject', 's3:GetBucketPolicy'],
      resources: [bucket.bucketArn, bucket.arnForObjects('*')],
      conditions: {
        StringLike: {
          'aws:SourceAccount': account,
          'aws:SourceArn': [
            `arn:${Aws.PARTITION}:cur:${DATA_EXPORTS_REGION}:${account}:definition/*`,
            `arn:${Aws.PARTITION}:bcm-data-exports:${DATA_EXPORTS_REGION}:${account}:export/*`,
          ],
        },
      },
    }));

    this.databaseName = databaseName;
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: {
        name: databaseName,
        description: `${withFocus ? (withCur ? 'CUR 2.0 and FOCUS 1.2 data exports' : 'FOCUS 1.2 data export') : 'CUR 2.0 data export'} (cdk-customer-value)`,
      },
    });
    // -- Athena workgroup with its own encrypted results location
    const resultsBucket = privateBucket(this, 'QueryResults', {
      lifecycleRules: [{
        id: 'ExpireQueryResults',
        expiration: props.queryResultsExpiration ?? Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      removalPolicy,
    });
    this.resultsBucket = resultsBucket;
    logAccess(this, accessLogs, { 'cur2-export/': bucket, 'athena-results/': resultsBucket });
    this.workGroupName = workGroupName;
    const workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: workGroupName,
      description: 'Cost per customer value over the CUR 2.0 export (cdk-customer-value)',
      state: 'ENABLED',
      // Athena refuses to delete a workgroup that holds named queries, query executions or notebooks ("WorkGroup is not
      // empty") unless RecursiveDeleteOption is set (Athena API reference, DeleteWorkGroup): without it, deleting the
      // stack or renaming the workgroup fails once anyone ran a query. What the recursive delete removes is metadata
      // only (saved queries, query history, notebooks); the result files stay in the results bucket.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoffBytes,
        resultConfiguration: {
          outputLocation: `s3://${resultsBucket.bucketName}/results/`,
          expectedBucketOwner: account,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    // -- the exports, each with its Glue table and named queries
    const place: ExportPlace = {
      bucket,
      bucketPolicy: bucket.policy!,
      prefix,
      region: stack.region,
      account,
      databaseName,
      database,
      firstBillingPeriod,
      workGroup,
      workGroupName,
    };
    const cur = withCur ? createTableExport(this, place, {
      ids: { export: 'Export', table: 'Table' },
      exportName,
      exportDescription: 'CUR 2.0 with resource tags, for cost per customer value (cdk-customer-value)',
      queryStatement: CurQueries.exportQueryStatement(),
      tableConfigurations: {
        [CurQueries.TABLE_NAME]: {
          TIME_GRANULARITY: granularity,
          INCLUDE_RESOURCES: 'TRUE',
          INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
          INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
        },
      },
      tableName,
      tableDescription: `CUR 2.0 data export ${exportName}, partitioned by billing period (cdk-customer-value)`,
      partitionFolder: PARTITION_FOLDERS.CUR_2_0,
      columns: CurQueries.EXPORT_COLUMNS,
      namedQueries: (table) => [
        ...CurQueries.namedQueries({ table, tagKeys, metric }),
        {
          name: 'tag-keys-present',
          description: 'Which user tag keys appear in resource_tags: a customer-value key missing here is not activated (customer-value)',
          queryString: CurQueries.tagKeysPresent(table),
        },
      ],
    }) : undefined;
    // FOCUS 1.2 with AWS columns: https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws.html
    const focus = withFocus ? createTableExport(this, place, {
      ids: { export: 'FocusExport', table: 'FocusTable' },
      exportName: focusExportName,
      exportDescription: 'FOCUS 1.2 with AWS columns, with tags, for cost per customer value (cdk-customer-value)',
      queryStatement: FocusQueries.exportQueryStatement(),
      tableConfigurations: { [FocusQueries.TABLE_NAME]: { TIME_GRANULARITY: granularity } },
      tableName: focusTableName,
      tableDescription: `FOCUS 1.2 data export ${focusExportName}, partitioned by billing period (cdk-customer-value)`,
      partitionFolder: PARTITION_FOLDERS.FOCUS_1_2,
      // Athena names columns in lower case; Parquet columns are matched by name, whatever their case.
      columns: FocusQueries.EXPORT_COLUMNS.map((c) => ({ name: c.name.toLowerCase(), type: c.type })),
      namedQueries: (table) => FocusQueries.namedQueries({ table, tagKeys, metric: focusMetric }),
    }) : undefined;

    this.tables = [...tables];
    const exported = (table: BillingDataTable, name: string, glueTable: string, folder: string, t: TableExport) => ExportedTable._create({
      scope: this,
      table,
      exportName: name,
      exportArn: t.exportArn,
      bucket,
      dataPrefix: t.dataPrefix,
      partitionFolder: folder,
      databaseName,
      tableName: glueTable,
      tableReference: t.tableReference,
      workGroupName,
      resultsBucket,
      namedQueries: t.namedQueries,
    });
    this.cur = cur ? exported(BillingDataTable.CUR_2_0, exportName, tableName, PARTITION_FOLDERS.CUR_2_0.name, cur) : undefined;
    this.focus = focus ? exported(BillingDataTable.FOCUS_1_2, focusExportName, focusTableName, PARTITION_FOLDERS.FOCUS_1_2.name, focus) : undefined;
    this.namedQueries.push(...this.cur?.namedQueries ?? [], ...this.focus?.namedQueries ?? []);
    // the deprecated attributes: the CUR 2.0 table when exported, else FOCUS; and FOCUS's own copies
    if (this.focus) {
      this.focusExportName = this.focus.exportName;
      this.focusExportArn = this.focus.exportArn;
      this.focusDataLocation = this.focus.dataLocation;
      this.focusTableName = this.focus.tableName;
      this.focusTableReference = this.focus.tableReference;
    }
    const main = (this.cur ?? this.focus)!;
    this.exportName = main.exportName;
    this.exportArn = main.exportArn;
    this.dataLocation = main.dataLocation;
    this.tableName = main.tableName;
    this.tableReference = main.tableReference;
  }

  /**
   * Lets `grantee` run Athena queries on every exported table, and nothing more (as `ExportedTable.grantQuery`, for
   * all the tables at once): the Athena query actions and `GetWorkGroup` on the workgroup, `athena:GetTableMetadata`
   * on the `AwsDataCatalog` data catalog, the Glue reads on the catalog, the database and the tables, `s3:GetObject` on
   * the tables' data prefixes and `s3:ListBucket` limited to them, and the workgroup's results under `results/`.
   * Named resources only, no `*`; no KMS permission, as both buckets are SSE-S3.
   *
   * @param grantee the principal (a role, a user, a function...)
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    const tables = [this.cur, this.focus].filter((t): t is ExportedTable => t !== undefined);
    const target = tables[0]._queryTarget();
    return grantQueryTo(grantee, this, { ...target, tables: tables.flatMap((t) => t._queryTarget().tables) });
  }
}

/** `value` when given and accepted, `fallback` when absent or refused (the problem is added to `errors`). */
function check<T extends string | undefined>(
  errors: string[], field: string, value: unknown, fallback: T, pattern: RegExp, accepted: string,
): string | T {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'string' || Token.isUnresolved(value) || !pattern.test(value)) {
    errors.push(`${field} is ${JSON.stringify(value)}: expected ${accepted}`);
    return fallback;
  }
  return value;
}
