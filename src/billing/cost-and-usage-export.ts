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
import { CostMetric, FocusMetric } from '../cost-data/query-terms';
import { FocusQueries } from '../cost-data/schemas/focus-sql';
import { TagKeys } from '../tag-keys';
import { accessLogsBucket, logAccess, privateBucket } from './private/buckets';
import { checkManagementAccount, DATA_EXPORTS_REGION, requireAwsPartition, requireDataExportsRegion } from './private/guard-rails';
import { attributeCost } from './private/ownership';
import { createTableExport, ExportPlace, PARTITION_FOLDERS } from './private/table-export';
import { CurQueries } from '../cost-data/schemas/cur-sql';
import { describe } from '../declaration/rules';
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
 * A Data Exports table the `CostAndUsageExport` exports.
 */
export enum BillingDataTable {
  /** CUR 2.0 (`COST_AND_USAGE_REPORT`), with `resource_tags`. */
  CUR_2_0 = 'COST_AND_USAGE_REPORT',
  /** FOCUS 1.2 with AWS columns (`FOCUS_1_2_AWS`), with `Tags`: the FinOps Foundation's format every major cloud exports. */
  FOCUS_1_2 = 'FOCUS_1_2_AWS',
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
 * Data Exports exports are created in us-east-1: the construct refuses another region, and warns when the stack has
 * no region at synth. A management-account export covers every account of the Organization. The first data arrives
 * within 24 h of creation; `resource_tags` holds a tag key only once it is activated (`CostAllocationTags`).
 */
export class CostAndUsageExport extends Construct {
  /** The bucket holding the export. */
  public readonly bucket: s3.IBucket;
  /** The bucket holding Athena query results. */
  public readonly resultsBucket: s3.IBucket;
  /** The name of the data export (of the CUR 2.0 export; of the FOCUS export when it is the only one). */
  public readonly exportName: string;
  /** The ARN of the data export (of the CUR 2.0 export; of the FOCUS export when it is the only one). */
  public readonly exportArn: string;
  /** The S3 URI of the export's data (`s3://bucket/prefix/exportName/data/`), the Glue table location. */
  public readonly dataLocation: string;
  /** Glue database name. */
  public readonly databaseName: string;
  /** Glue table name (of the CUR 2.0 table; of the FOCUS table when it is the only one). */
  public readonly tableName: string;
  /** The quoted Athena table reference, `"database"."table"` (as `tableName`). */
  public readonly tableReference: string;
  /** The tables exported. */
  public readonly tables: BillingDataTable[];
  /** The name of the FOCUS 1.2 data export, when FOCUS is exported. */
  public readonly focusExportName?: string;
  /** The ARN of the FOCUS 1.2 data export, when FOCUS is exported. */
  public readonly focusExportArn?: string;
  /** The S3 URI of the FOCUS export's data, when FOCUS is exported. */
  public readonly focusDataLocation?: string;
  /** The Glue table over the FOCUS export, when FOCUS is exported. */
  public readonly focusTableName?: string;
  /** The quoted Athena reference of the FOCUS table, when FOCUS is exported. */
  public readonly focusTableReference?: string;
  /** Name of the Athena workgroup. */
  public readonly workGroupName: string;
  /** The Athena named queries. */
  public readonly namedQueries: athena.CfnNamedQuery[] = [];

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
    let tagKeys = TagKeys.DEFAULT;
    if (props.tagKeys !== undefined && !(props.tagKeys instanceof TagKeys)) {
      errors.push(`tagKeys is ${describe(props.tagKeys)}: pass TagKeys.custom({...}) or TagKeys.DEFAULT`);
    } else {
      try {
        tagKeys = props.tagKeys ?? TagKeys.of(this);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    reportProblems(this, errors);

    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const accessLogs = props.serverAccessLogsBucket ?? accessLogsBucket(this, removalPolicy);

    // -- the export bucket
    const bucket = privateBucket(this, 'Bucket', {
      versioned: true,
      lifecycleRules: [{
        id: 'ExpireOverwrittenVersions',
        noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
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
        ...CurQueries.namedQueries({ table, tagKeys, metric: props.metric }),
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
    this.namedQueries.push(...cur?.namedQueries ?? [], ...focus?.namedQueries ?? []);
    if (focus) {
      this.focusExportName = focusExportName;
      this.focusExportArn = focus.exportArn;
      this.focusDataLocation = focus.dataLocation;
      this.focusTableName = focusTableName;
      this.focusTableReference = focus.tableReference;
    }
    // the main table: CUR 2.0 when exported, else FOCUS
    const main = cur ?? focus!;
    this.exportName = cur ? exportName : focusExportName;
    this.exportArn = main.exportArn;
    this.dataLocation = main.dataLocation;
    this.tableName = cur ? tableName : focusTableName;
    this.tableReference = main.tableReference;
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
