import * as athena from 'aws-cdk-lib/aws-athena';
import * as bcm from 'aws-cdk-lib/aws-bcmdataexports';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { BILLING_PERIOD_COLUMN, currentBillingPeriod } from './current-billing-period';
import { CUR_2_0_SCHEMA } from '../../cost-data/schemas/cur-schema';
import { CurNamedQuery, CurQueries } from '../../cost-data/schemas/cur-sql';
import { FOCUS_1_2_SCHEMA } from '../../cost-data/schemas/focus-schema';

/**
 * One Data Exports table of `CostAndUsageExport` (CUR 2.0 or FOCUS 1.2): the export (Parquet, overwritten per billing
 * period, refreshed as AWS updates the data), the Glue table over its data with partition projection on the billing
 * period, and its named queries on the current billing period. Data Exports writes an export's data to
 * `<prefix>/<exportName>/data/<partition>/`, where "the partition corresponds to the table that is being queried"
 * (AWS Data Exports user guide, "Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html): the partition folder is a
 * property of each table (`PartitionFolder`). S3 keys are case-sensitive, so a table over the wrong spelling reads an
 * empty folder, and so do its named queries and `customer-value cost --source athena`.
 */

/** How a Data Exports table's export names its billing-period folders: `<name>=YYYY-MM`. */
export interface PartitionFolder {
  /** The folder name before `=`, as delivered. */
  readonly name: string;
  /** Where that comes from, for the Glue table's comment and the docs. */
  readonly source: string;
}

/**
 * The partition folder of each table `CostAndUsageExport` exports: the schema's (`CUR_2_0_SCHEMA.partitionFolder`:
 * AWS documents `BILLING_PERIOD=YYYY-MM` for CUR 2.0; `FOCUS_1_2_SCHEMA.partitionFolder`: FOCUS exports are reported
 * delivered under `billing_period=YYYY-MM`; the sources are in src/cost-data/schemas/).
 */
export const PARTITION_FOLDERS: { readonly CUR_2_0: PartitionFolder; readonly FOCUS_1_2: PartitionFolder } = {
  CUR_2_0: CUR_2_0_SCHEMA.partitionFolder,
  FOCUS_1_2: FOCUS_1_2_SCHEMA.partitionFolder,
};

export interface TableExportOptions {
  /** Construct ids of the export and of the Glue table. */
  readonly ids: { readonly export: string; readonly table: string };
  readonly exportName: string;
  readonly exportDescription: string;
  /** The export's SQL (`CurQueries.exportQueryStatement()`, `FocusQueries.exportQueryStatement()`). */
  readonly queryStatement: string;
  /** The table's configuration, by Data Exports table name (`TIME_GRANULARITY`, ...). */
  readonly tableConfigurations: Record<string, Record<string, string>>;
  readonly tableName: string;
  readonly tableDescription: string;
  /** How the table's export names its billing-period folders (`PARTITION_FOLDERS`). */
  readonly partitionFolder: PartitionFolder;
  /** The table's columns, as Athena names them. */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  /** The named queries, given the current billing period's table expression. */
  readonly namedQueries: (periodTable: string) => CurNamedQuery[];
}

/** What the table exports share: the bucket, the Glue database and the Athena workgroup. */
export interface ExportPlace {
  readonly bucket: s3.IBucket;
  /** The bucket's policy: Data Exports checks it when the export is created. */
  readonly bucketPolicy: IConstruct;
  readonly prefix: string;
  readonly region: string;
  readonly account: string;
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  /** The first billing period of the partition projection (`YYYY-MM`). @default NOW-3YEARS */
  readonly firstBillingPeriod?: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly workGroupName: string;
}

export interface TableExport {
  readonly exportArn: string;
  /** `prefix/exportName/data/`, the key prefix of the data in the bucket. */
  readonly dataPrefix: string;
  /** `s3://bucket/prefix/exportName/data/` */
  readonly dataLocation: string;
  /** The table as Athena SQL names it. */
  readonly tableReference: string;
  readonly namedQueries: athena.CfnNamedQuery[];
}

export function createTableExport(scope: Construct, place: ExportPlace, o: TableExportOptions): TableExport {
  const cfnExport = new bcm.CfnExport(scope, o.ids.export, {
    export: {
      name: o.exportName,
      description: o.exportDescription,
      dataQuery: { queryStatement: o.queryStatement, tableConfigurations: o.tableConfigurations },
      destinationConfigurations: {
        s3Destination: {
          s3Bucket: place.bucket.bucketName,
          s3Prefix: place.prefix,
          s3Region: place.region,
          s3OutputConfigurations: { outputType: 'CUSTOM', format: 'PARQUET', compression: 'PARQUET', overwrite: 'OVERWRITE_REPORT' },
        },
      },
      refreshCadence: { frequency: 'SYNCHRONOUS' },
    },
  });
  // Data Exports checks the bucket policy when the export is created.
  cfnExport.node.addDependency(place.bucketPolicy);

  const exportRoot = `s3://${place.bucket.bucketName}/${place.prefix}/${o.exportName}`;
  const dataPrefix = `${place.prefix}/${o.exportName}/data/`;
  const dataLocation = `${exportRoot}/data/`;
  const table = new glue.CfnTable(scope, o.ids.table, {
    catalogId: place.account,
    databaseName: place.databaseName,
    tableInput: {
      name: o.tableName,
      description: o.tableDescription,
      tableType: 'EXTERNAL_TABLE',
      parameters: {
        'classification': 'parquet',
        'EXTERNAL': 'TRUE',
        'projection.enabled': 'true',
        'projection.billing_period.type': 'date',
        'projection.billing_period.format': 'yyyy-MM',
        'projection.billing_period.range': `${place.firstBillingPeriod ?? 'NOW-3YEARS'},NOW`,
        'projection.billing_period.interval': '1',
        'projection.billing_period.interval.unit': 'MONTHS',
        // The table's own folder name (S3 keys are case-sensitive): see PARTITION_FOLDERS.
        'storage.location.template': `${exportRoot}/data/${o.partitionFolder.name}=\${${BILLING_PERIOD_COLUMN}}/`,
      },
      partitionKeys: [{ name: BILLING_PERIOD_COLUMN, type: 'string' }],
      storageDescriptor: {
        location: dataLocation,
        columns: o.columns.map((c) => ({ name: c.name, type: c.type })),
        inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        serdeInfo: {
          serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
          parameters: { 'serialization.format': '1' },
        },
      },
    },
  });
  table.node.addDependency(place.database);

  // the SQL of the shared query modules, over the current billing period only
  const tableReference = CurQueries.athenaTable(place.databaseName, o.tableName);
  const period = currentBillingPeriod(tableReference);
  const namedQueries = o.namedQueries(period.table).map((q) => {
    const named = new athena.CfnNamedQuery(scope, `Query${q.name.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('')}`, {
      name: `${place.workGroupName}-${q.name}`.slice(0, 128),
      description: `${q.description} - current billing period`.slice(0, 1024),
      database: place.databaseName,
      workGroup: place.workGroup.name,
      queryString: `${period.comment}\n${q.queryString}`,
    });
    named.node.addDependency(place.workGroup);
    named.node.addDependency(table);
    return named;
  });
  return { exportArn: cfnExport.attrExportArn, dataPrefix, dataLocation, tableReference, namedQueries };
}
