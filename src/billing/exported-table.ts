import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { grantQueryTo, QueryTarget } from './private/query-grants';

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
 * What `ExportedTable` is made of (filled by `CostAndUsageExport`).
 * @internal
 */
export interface ExportedTableProps {
  readonly scope: IConstruct;
  readonly table: BillingDataTable;
  readonly exportName: string;
  readonly exportArn: string;
  readonly bucket: s3.IBucket;
  readonly dataPrefix: string;
  readonly partitionFolder: string;
  readonly databaseName: string;
  readonly tableName: string;
  readonly tableReference: string;
  readonly workGroupName: string;
  readonly resultsBucket: s3.IBucket;
  readonly namedQueries: athena.CfnNamedQuery[];
}

/**
 * One table a `CostAndUsageExport` exports (`export.cur`, `export.focus`): its data export, where the export writes it,
 * the Glue table over it, the Athena workgroup that queries it and its named queries. CUR 2.0 and FOCUS 1.2 have the
 * same attributes; only the values differ.
 *
 * @example
 * declare const costAndUsageExport: CostAndUsageExport;
 * declare const analyst: iam.IRole;
 * costAndUsageExport.cur?.grantQuery(analyst);
 * const table = costAndUsageExport.focus?.tableReference; // "customer_value"."focus"
 */
export class ExportedTable {
  /** @internal */
  public static _create(props: ExportedTableProps): ExportedTable {
    return new ExportedTable(props);
  }

  /** Which Data Exports table this is. */
  public readonly table: BillingDataTable;
  /** The name of the data export. */
  public readonly exportName: string;
  /** The ARN of the data export. */
  public readonly exportArn: string;
  /** The bucket the export writes to (shared by the tables of one `CostAndUsageExport`). */
  public readonly bucket: s3.IBucket;
  /** The key prefix of the table's data in `bucket`: `<s3Prefix>/<exportName>/data/`. */
  public readonly dataPrefix: string;
  /** The S3 URI of the table's data, `s3://<bucket>/<s3Prefix>/<exportName>/data/`: the Glue table's location. */
  public readonly dataLocation: string;
  /**
   * The name of the export's billing-period folders under `dataPrefix`, `<name>=YYYY-MM`: `BILLING_PERIOD` for CUR 2.0
   * (as AWS documents it), `billing_period` for FOCUS 1.2 (as FOCUS exports are delivered). S3 keys are case-sensitive.
   */
  public readonly partitionFolder: string;
  /** The Glue database name (shared by the tables of one `CostAndUsageExport`). */
  public readonly databaseName: string;
  /** The Glue table name. */
  public readonly tableName: string;
  /** The quoted Athena table reference, `"database"."table"`. */
  public readonly tableReference: string;
  /** The Athena workgroup that queries it (shared by the tables of one `CostAndUsageExport`). */
  public readonly workGroupName: string;
  /** The bucket of the workgroup's query results (shared). */
  public readonly resultsBucket: s3.IBucket;
  /** The table's Athena named queries (on the current billing period). */
  public readonly namedQueries: athena.CfnNamedQuery[];

  private readonly scope: IConstruct;

  private constructor(props: ExportedTableProps) {
    this.scope = props.scope;
    this.table = props.table;
    this.exportName = props.exportName;
    this.exportArn = props.exportArn;
    this.bucket = props.bucket;
    this.dataPrefix = props.dataPrefix;
    this.dataLocation = `s3://${props.bucket.bucketName}/${props.dataPrefix}`;
    this.partitionFolder = props.partitionFolder;
    this.databaseName = props.databaseName;
    this.tableName = props.tableName;
    this.tableReference = props.tableReference;
    this.workGroupName = props.workGroupName;
    this.resultsBucket = props.resultsBucket;
    this.namedQueries = [...props.namedQueries];
  }

  /**
   * Lets `grantee` run Athena queries on this table, and nothing more: the Athena query actions and `GetWorkGroup` on
   * the workgroup, `athena:GetTableMetadata` on the `AwsDataCatalog` data catalog, the Glue reads (database, table,
   * partitions) on the catalog, the database and this table, `s3:GetObject` on this table's data prefix and
   * `s3:ListBucket` limited to it by `s3:prefix`, and reading and writing the workgroup's results under `results/`
   * of the results bucket. Named resources only, no `*`; no KMS permission, as both buckets are SSE-S3. Query results
   * are shared by the workgroup: whoever may query may read the results of the workgroup's other queries.
   *
   * @param grantee the principal (a role, a user, a function...)
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    return grantQueryTo(grantee, this.scope, this._queryTarget());
  }

  /** @internal */
  public _queryTarget(): QueryTarget {
    return {
      workGroupName: this.workGroupName,
      databaseName: this.databaseName,
      bucket: this.bucket,
      resultsBucket: this.resultsBucket,
      tables: [{ tableName: this.tableName, dataPrefix: this.dataPrefix }],
    };
  }
}
