// Over 400 lines on purpose: one concept (the CUR 2.0 and FOCUS exports with the Glue tables and Athena workgroup that
// read them), a third of it the documented props; the access-log bucket, the named queries' period and the FOCUS
// export live in private/.
import { Aws, Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as bcm from 'aws-cdk-lib/aws-bcmdataexports';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BillingOwnerOptions, ManagementAccountOptions } from './billing-options';
import { CostMetric, CurQueries } from './cur-sql';
import { FocusMetric } from './focus-sql';
import { TagKeys } from '../tag-keys';
import { accessLogsBucket, logAccess } from './private/access-logs';
import { BILLING_PERIOD_COLUMN, currentBillingPeriod } from './private/current-billing-period';
import { createFocusExport } from './private/focus-export';
import { checkManagementAccount, DATA_EXPORTS_REGION, requireAwsPartition, requireDataExportsRegion } from './private/guard-rails';
import { attributeCost } from './private/ownership';
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
   * export). It is also a folder of the S3 layout: `<prefix>/<exportName>/data/BILLING_PERIOD=YYYY-MM/`.
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
 *   over the `BILLING_PERIOD=YYYY-MM` folders (no crawler).
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
    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
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
    // -- the CUR 2.0 export, and the Glue table over its data
    let curTable: glue.CfnTable | undefined;
    let curExportArn = '';
    const curDataLocation = `s3://${bucket.bucketName}/${prefix}/${exportName}/data/`;
    const curTableReference = CurQueries.athenaTable(databaseName, tableName);
    if (withCur) {
      // -- the export
      const cfnExport = new bcm.CfnExport(this, 'Export', {
        export: {
          name: exportName,
          description: 'CUR 2.0 with resource tags, for cost per customer value (cdk-customer-value)',
          dataQuery: {
            queryStatement: CurQueries.exportQueryStatement(),
            tableConfigurations: {
              [CurQueries.TABLE_NAME]: {
                TIME_GRANULARITY: granularity,
                INCLUDE_RESOURCES: 'TRUE',
                INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE',
                INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE',
              },
            },
          },
          destinationConfigurations: {
            s3Destination: {
              s3Bucket: bucket.bucketName,
              s3Prefix: prefix,
              s3Region: stack.region,
              s3OutputConfigurations: {
                outputType: 'CUSTOM',
                format: 'PARQUET',
                compression: 'PARQUET',
                overwrite: 'OVERWRITE_REPORT',
              },
            },
          },
          refreshCadence: { frequency: 'SYNCHRONOUS' },
        },
      });
      // Data Exports checks the bucket policy when the export is created.
      cfnExport.node.addDependency(bucket.policy!);
      curExportArn = cfnExport.attrExportArn;

      // -- Glue database and table over the export's data
      const exportRoot = `s3://${bucket.bucketName}/${prefix}/${exportName}`;
      const table = new glue.CfnTable(this, 'Table', {
        catalogId: account,
        databaseName,
        tableInput: {
          name: tableName,
          description: `CUR 2.0 data export ${exportName}, partitioned by billing period (cdk-customer-value)`,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            'classification': 'parquet',
            'EXTERNAL': 'TRUE',
            'projection.enabled': 'true',
            'projection.billing_period.type': 'date',
            'projection.billing_period.format': 'yyyy-MM',
            'projection.billing_period.range': `${firstBillingPeriod ?? 'NOW-3YEARS'},NOW`,
            'projection.billing_period.interval': '1',
            'projection.billing_period.interval.unit': 'MONTHS',
            // The export writes BILLING_PERIOD=YYYY-MM folders (upper case): S3 keys are case-sensitive, so the
            // Hive-style default location (billing_period=...) would find nothing.
            'storage.location.template': `${exportRoot}/data/BILLING_PERIOD=\${billing_period}/`,
          },
          partitionKeys: [{ name: BILLING_PERIOD_COLUMN, type: 'string' }],
          storageDescriptor: {
            location: curDataLocation,
            columns: CurQueries.EXPORT_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: {
              serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
              parameters: { 'serialization.format': '1' },
            },
          },
        },
      });
      table.node.addDependency(database);
      curTable = table;
    }

    // -- Athena workgroup with its own encrypted results location
    const resultsBucket = new s3.Bucket(this, 'QueryResults', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
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

    if (withCur) {
      // -- named queries: the SQL of the shared module, over the current billing period only
      const period = currentBillingPeriod(curTableReference);
      const queries = [
        ...CurQueries.namedQueries({ table: period.table, tagKeys, metric: props.metric }),
        {
          name: 'tag-keys-present',
          description: 'Which user tag keys appear in resource_tags: a customer-value key missing here is not activated (customer-value)',
          queryString: CurQueries.tagKeysPresent(period.table),
        },
      ];
      for (const q of queries) {
        const named = new athena.CfnNamedQuery(this, `Query${q.name.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('')}`, {
          name: `${workGroupName}-${q.name}`.slice(0, 128),
          description: `${q.description} - current billing period`.slice(0, 1024),
          database: databaseName,
          workGroup: workGroup.name,
          queryString: `${period.comment}\n${q.queryString}`,
        });
        named.node.addDependency(workGroup);
        named.node.addDependency(curTable!);
        this.namedQueries.push(named);
      }
    }

    // -- the FOCUS 1.2 export, its Glue table and named queries
    this.tables = [...tables];
    this.exportName = exportName;
    this.exportArn = curExportArn;
    this.dataLocation = curDataLocation;
    this.tableName = tableName;
    this.tableReference = curTableReference;
    if (withFocus) {
      const focus = createFocusExport(this, {
        bucket,
        bucketPolicy: bucket.policy!,
        prefix,
        region: stack.region,
        account,
        exportName: focusExportName,
        granularity,
        databaseName,
        database,
        tableName: focusTableName,
        firstBillingPeriod,
        workGroup,
        workGroupName,
        tagKeys,
        metric: focusMetric,
      });
      this.focusExportName = focusExportName;
      this.focusExportArn = focus.exportArn;
      this.focusDataLocation = focus.dataLocation;
      this.focusTableName = focusTableName;
      this.focusTableReference = focus.tableReference;
      this.namedQueries.push(...focus.namedQueries);
      if (!withCur) {
        this.exportName = focusExportName;
        this.exportArn = focus.exportArn;
        this.dataLocation = focus.dataLocation;
        this.tableName = focusTableName;
        this.tableReference = focus.tableReference;
      }
    }
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
