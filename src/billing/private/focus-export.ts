import * as athena from 'aws-cdk-lib/aws-athena';
import * as bcm from 'aws-cdk-lib/aws-bcmdataexports';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { BILLING_PERIOD_COLUMN, currentBillingPeriod } from './current-billing-period';
import { TagKeys } from '../../tag-keys';
import { CurQueries } from '../cur-sql';
import { FocusMetric, FocusQueries } from '../focus-sql';

/**
 * The FOCUS 1.2 side of `CostAndUsageExport`: a Data Exports export of the `FOCUS_1_2_AWS` table (the
 * `FocusQueries.EXPORT_COLUMNS`, Parquet, overwritten per billing period, `TIME_GRANULARITY` its only table
 * configuration), the Glue table over it with the same partition projection as the CUR 2.0 table, and the FOCUS named
 * queries on the current billing period. Data Exports writes every table's export to the same layout,
 * `<prefix>/<exportName>/data/BILLING_PERIOD=YYYY-MM/`.
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws.html
 */

export interface FocusExportOptions {
  readonly bucket: s3.IBucket;
  readonly bucketPolicy: IConstruct;
  readonly prefix: string;
  readonly region: string;
  readonly account: string;
  readonly exportName: string;
  readonly granularity: string;
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  readonly tableName: string;
  readonly firstBillingPeriod?: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly workGroupName: string;
  readonly tagKeys: TagKeys;
  readonly metric?: FocusMetric;
}

export interface FocusExportParts {
  readonly exportArn: string;
  readonly dataLocation: string;
  readonly tableReference: string;
  readonly namedQueries: athena.CfnNamedQuery[];
}

export function createFocusExport(scope: Construct, o: FocusExportOptions): FocusExportParts {
  const cfnExport = new bcm.CfnExport(scope, 'FocusExport', {
    export: {
      name: o.exportName,
      description: 'FOCUS 1.2 with AWS columns, with tags, for cost per customer value (cdk-customer-value)',
      dataQuery: {
        queryStatement: FocusQueries.exportQueryStatement(),
        tableConfigurations: { [FocusQueries.TABLE_NAME]: { TIME_GRANULARITY: o.granularity } },
      },
      destinationConfigurations: {
        s3Destination: {
          s3Bucket: o.bucket.bucketName,
          s3Prefix: o.prefix,
          s3Region: o.region,
          s3OutputConfigurations: { outputType: 'CUSTOM', format: 'PARQUET', compression: 'PARQUET', overwrite: 'OVERWRITE_REPORT' },
        },
      },
      refreshCadence: { frequency: 'SYNCHRONOUS' },
    },
  });
  cfnExport.node.addDependency(o.bucketPolicy);

  const exportRoot = `s3://${o.bucket.bucketName}/${o.prefix}/${o.exportName}`;
  const dataLocation = `${exportRoot}/data/`;
  const table = new glue.CfnTable(scope, 'FocusTable', {
    catalogId: o.account,
    databaseName: o.databaseName,
    tableInput: {
      name: o.tableName,
      description: `FOCUS 1.2 data export ${o.exportName}, partitioned by billing period (cdk-customer-value)`,
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        'classification': 'parquet',
        'EXTERNAL': 'TRUE',
        'projection.enabled': 'true',
        'projection.billing_period.type': 'date',
        'projection.billing_period.format': 'yyyy-MM',
        'projection.billing_period.range': `${o.firstBillingPeriod ?? 'NOW-3YEARS'},NOW`,
        'projection.billing_period.interval': '1',
        'projection.billing_period.interval.unit': 'MONTHS',
        'storage.location.template': `${exportRoot}/data/BILLING_PERIOD=\${billing_period}/`,
      },
      partitionKeys: [{ name: BILLING_PERIOD_COLUMN, type: 'string' }],
      storageDescriptor: {
        location: dataLocation,
        // Athena names columns in lower case; Parquet columns are matched by name, whatever their case.
        columns: FocusQueries.EXPORT_COLUMNS.map((c) => ({ name: c.name.toLowerCase(), type: c.type })),
        inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        serdeInfo: {
          serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
          parameters: { 'serialization.format': '1' },
        },
      },
    },
  });
  table.node.addDependency(o.database);

  const tableReference = CurQueries.athenaTable(o.databaseName, o.tableName);
  const period = currentBillingPeriod(tableReference);
  const namedQueries: athena.CfnNamedQuery[] = [];
  for (const q of FocusQueries.namedQueries({ table: period.table, tagKeys: o.tagKeys, metric: o.metric })) {
    const named = new athena.CfnNamedQuery(scope, `Query${q.name.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('')}`, {
      name: `${o.workGroupName}-${q.name}`.slice(0, 128),
      description: `${q.description} - current billing period`.slice(0, 1024),
      database: o.databaseName,
      workGroup: o.workGroup.name,
      queryString: `${period.comment}\n${q.queryString}`,
    });
    named.node.addDependency(o.workGroup);
    named.node.addDependency(table);
    namedQueries.push(named);
  }
  return { exportArn: cfnExport.attrExportArn, dataLocation, tableReference, namedQueries };
}
