// One public API, the SQL over CUR 2.0 (`CurQueries`) with the option types it takes, documented for API.md (the enums
// it takes are in ../query-terms.ts). The schema itself (columns, metric expressions, tag map) is the object in
// ./cur-schema.ts; the resolver and the checks every schema shares are in ./schema.ts.
import { CUR_2_0_SCHEMA, METRIC_COLUMNS } from './cur-schema';
import { NamedQuery } from './named-query';
import {
  aggregateLines, baseColumnsOf, dimensionColumnOf, exportQueryStatementOf, groupColumnsOf, metricExpressionOf, namedQueriesOf, resolveQuery,
  SCAN_EXACT_SUM, ScanKeys, tagKeysPresentOf,
  untaggedShareOf,
} from './schema';
import { TagKeys } from '../../tag-keys';
import { tagKeyOf } from '../customer-value-fields';
import { CostDimension, CostGrouping, CostMetric, SqlDialect } from '../query-terms';

/**
 * A column of the CUR 2.0 table (`COST_AND_USAGE_REPORT`).
 */
export interface CurColumn {
  /** The column name, exactly as in the CUR 2.0 table dictionary (case-sensitive in a Data Exports query). */
  readonly name: string;
  /** The Glue / Hive type: `string`, `double`, `timestamp`, `map<string,string>`. */
  readonly type: string;
}

/**
 * A query over CUR 2.0 data.
 */
export interface CostQueryOptions {
  /**
   * The table (or view, or table expression) the query reads, inserted into the SQL as given.
   *
   * Athena: a qualified, quoted name such as `"cur"."cost_and_usage"` (see `CurQueries.athenaTable`).
   * DuckDB: a table or view name, or a table function such as `read_parquet('export/data/*.parquet')`.
   * It must not contain `;`.
   */
  readonly table: string;

  /** What cost is grouped by. */
  readonly groupBy: CostGrouping;

  /**
   * The tag keys.
   * @default TagKeys.DEFAULT
   */
  readonly tagKeys?: TagKeys;

  /**
   * The cost figure summed.
   * @default CostMetric.UNBLENDED
   */
  readonly metric?: CostMetric;

  /**
   * The SQL engine.
   * @default SqlDialect.ATHENA
   */
  readonly dialect?: SqlDialect;

  /**
   * First usage day included (`YYYY-MM-DD`, UTC, inclusive), compared with `line_item_usage_start_date`.
   * @default - no lower bound
   */
  readonly from?: string;

  /**
   * First usage day excluded (`YYYY-MM-DD`, UTC, exclusive), like Cost Explorer's `TimePeriod.End`.
   * @default - no upper bound
   */
  readonly to?: string;

  /**
   * Also group by usage day (adds the `usage_date` column).
   * @default false
   */
  readonly daily?: boolean;

  /**
   * Also group by usage month (adds the `usage_date` column holding the first day of the month, UTC), for trends over
   * several months in one scan. Cannot be combined with `daily`.
   * @default false
   */
  readonly monthly?: boolean;

  /**
   * The partition column holding the billing period as `YYYY-MM` (the Glue table over a CUR 2.0 export is
   * partitioned by the `BILLING_PERIOD=YYYY-MM` folders). When set together with `from` or `to`, the query also
   * filters on it so Athena reads only the partitions of the months concerned (fewer bytes scanned, lower cost).
   * @default - no partition filter
   */
  readonly billingPeriodColumn?: string;

  /**
   * Also return the `estimated` column: 1 when a line item of the row has no `bill_invoice_id` yet (the billing
   * period is not invoiced, so its amounts can still change), else 0. Reads the `bill_invoice_id` column.
   * @default false
   */
  readonly estimatedFlag?: boolean;

  /**
   * Group by this column instead of the grouped tag: `group_value` holds the column's value (`''` when empty), and
   * `service` the service tag as always. `groupBy` must then be `CostGrouping.SERVICE`. See
   * `CurQueries.dimensionColumn` for the columns (CUR 2.0 has no service category).
   * @default - group by the tag of `groupBy`
   */
  readonly dimension?: CostDimension;
}

/**
 * A query to save as an Athena named query (the `NamedQuery` of `CurQueries.namedQueries`; the name is kept for
 * existing callers).
 */
export interface CurNamedQuery extends NamedQuery {}

/**
 * Options for `CurQueries.namedQueries`.
 */
export interface CurNamedQueriesOptions {
  /** The Athena table, e.g. `"cur"."cost_and_usage"` (see `CurQueries.athenaTable`). */
  readonly table: string;
  /**
   * The tag keys.
   * @default TagKeys.DEFAULT
   */
  readonly tagKeys?: TagKeys;
  /**
   * The cost figure summed.
   * @default CostMetric.UNBLENDED
   */
  readonly metric?: CostMetric;
}

/**
 * The SQL the library runs over CUR 2.0 data, in one place: the column list of the `CostAndUsageExport` data export,
 * the Athena named queries, and the `customer-value cost --source cur|athena` CLI all use it.
 *
 * A customer-value tag key becomes a key of the CUR 2.0 `resource_tags` map through `TagKeys.curMapKey`
 * (`customer-service` becomes `user_customer_service`); a key appears only once it is activated as a cost allocation
 * tag, and only on line items that carry a value for it.
 *
 * Result columns of `costBy`:
 * - `service`: the service tag value, `''` when the line item has none (untagged);
 * - `group_value`: the value of the grouped tag, `''` when untagged (same as `service` for `CostGrouping.SERVICE`);
 * - `usage_date` (only with `daily` or `monthly`): the UTC day of `line_item_usage_start_date`, or the first day of its
 *   month;
 * - `currency`: `line_item_currency_code` (rows never mix currencies; refuse to add up different ones);
 * - `amount`: the metric summed over every line item type, Tax, Credit and Refund included, so totals match the bill;
 * - `tax_amount`: the part of `amount` from `Tax` line items;
 * - `credit_amount`: the part of `amount` from `Credit` and `Refund` line items (usually negative);
 * - `line_items`: the number of line items;
 * - `estimated` (only with `estimatedFlag`): 1 when part of the row is not invoiced yet.
 *
 * @see https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html
 */
export class CurQueries {
  /**
   * The CUR 2.0 table name a Data Exports query reads.
   */
  public static readonly TABLE_NAME = CUR_2_0_SCHEMA.tableName;

  /**
   * The columns the `CostAndUsageExport` data export selects (and the Glue table over it declares), in this order.
   *
   * Every column a `CurQueries` query reads is here: usage time and account, product, line item type, the unblended,
   * net unblended and amortized cost inputs (Savings Plans and reservation columns), currency, invoice id (for the
   * estimated flag), `resource_tags` and `cost_category`. Names and types are those of the CUR 2.0 table dictionary.
   *
   * @see https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html
   */
  public static readonly EXPORT_COLUMNS: CurColumn[] = CUR_2_0_SCHEMA.exportColumns.map((c) => ({ ...c }));

  /**
   * The Data Exports `QueryStatement` of the `CostAndUsageExport`: the `EXPORT_COLUMNS`, listed (Data Exports
   * rejects `SELECT *`), from `COST_AND_USAGE_REPORT`.
   *
   * @see https://docs.aws.amazon.com/cur/latest/userguide/dataexports-data-query.html
   */
  public static exportQueryStatement(): string {
    return exportQueryStatementOf(CUR_2_0_SCHEMA);
  }

  /**
   * The columns a cost query with this metric reads (a table without one of them cannot answer it).
   *
   * @param metric the cost figure, default `CostMetric.UNBLENDED`
   * @param dimension the column grouped by instead of a tag, if any
   */
  public static requiredColumns(metric?: CostMetric, dimension?: CostDimension): string[] {
    const base = baseColumnsOf(CUR_2_0_SCHEMA, dimension, () => 'line_item_unblended_cost');
    CurQueries.metricExpression(metric); // refuses a metric that is not a CostMetric
    return [...base, ...METRIC_COLUMNS[metric ?? CostMetric.UNBLENDED]];
  }

  /**
   * The CUR 2.0 column a dimension reads: `bill_payer_account_id` (billing account), `line_item_usage_account_id`
   * (sub-account), `line_item_line_item_type` (charge category), `product_region_code` (region). CUR 2.0 has no
   * service category column: that one throws.
   *
   * @param dimension the dimension
   */
  public static dimensionColumn(dimension: CostDimension): string {
    return dimensionColumnOf(CUR_2_0_SCHEMA, dimension);
  }

  /**
   * The tag key a grouping reads (`CostGrouping.TEAM` reads `tagKeys.team`, ...).
   *
   * @param groupBy the grouping
   * @param tagKeys the tag keys, default `TagKeys.DEFAULT`
   */
  public static groupingTagKey(groupBy: CostGrouping, tagKeys?: TagKeys): string {
    return tagKeyOf(groupBy, tagKeys ?? TagKeys.DEFAULT, 'CurQueries');
  }

  /**
   * A quoted Athena table reference, `"database"."table"`.
   *
   * @param database Glue database name (letters, digits, `_`)
   * @param table Glue table name (letters, digits, `_`)
   */
  public static athenaTable(database: string, table: string): string {
    for (const [field, value] of [['database', database], ['table', table]]) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(value)) {
        throw new Error(`CurQueries.athenaTable: ${field} is ${JSON.stringify(value)}: a Glue name is 1-255 letters, digits and _`);
      }
    }
    return `"${database.toLowerCase()}"."${table.toLowerCase()}"`;
  }

  /**
   * The SQL expression of the cost figure of one line item (the argument of `SUM`).
   *
   * Amortized cost follows AWS's CUR 2.0 logic (Cloud Intelligence Dashboards `summary_view`): Savings Plan covered
   * usage at `savings_plan_savings_plan_effective_cost`; the unused part of the Savings Plan recurring fee
   * (`savings_plan_total_commitment_to_date - savings_plan_used_commitment`); Savings Plan negation and upfront fee
   * lines at 0 (the upfront fee is spread over the covered usage); reservation-covered usage (`DiscountedUsage`) at
   * `reservation_effective_cost`; the unused part of the RI fee (`reservation_unused_amortized_upfront_fee_for_billing_period
   * + reservation_unused_recurring_fee`); RI upfront `Fee` lines and Compute Savings Plans refunds at 0; every other
   * line item at `line_item_unblended_cost`.
   *
   * @param metric the cost figure, default `CostMetric.UNBLENDED`
   */
  public static metricExpression(metric?: CostMetric): string {
    return metricExpressionOf(CUR_2_0_SCHEMA, metric);
  }

  /**
   * Cost per value of the grouped tag, with the service tag alongside (so a caller can join the rows with the
   * service declarations) and untagged spend as its own group (`''`). One scan, one aggregation.
   *
   * Columns: `service`, `group_value`, [`usage_date`], `currency`, `amount`, `tax_amount`, `credit_amount`,
   * `line_items`, [`estimated`] (see the class documentation). Rows are ordered by `amount`, largest first.
   */
  public static costBy(options: CostQueryOptions): string {
    return CurQueries._costBy(options);
  }

  /**
   * `costBy`, and with `scan` the one scan of the file sources for the cost, the rules and the coverage (`ScanKeys`).
   * @internal
   */
  public static _costBy(options: CostQueryOptions, scan?: ScanKeys): string {
    const q = resolveQuery(CUR_2_0_SCHEMA, options, 'costBy');
    const { inner, keys, selected } = groupColumnsOf(CUR_2_0_SCHEMA, q, options.dimension, scan);
    inner.push('line_item_currency_code AS currency', 'line_item_line_item_type AS line_item_type', `${q.metric} AS cost`);
    keys.push('currency');
    selected.push('currency');
    const outer = [
      ...selected,
      'SUM(cost) AS amount',
      "SUM(CASE WHEN line_item_type = 'Tax' THEN cost ELSE 0 END) AS tax_amount",
      "SUM(CASE WHEN line_item_type IN ('Credit', 'Refund') THEN cost ELSE 0 END) AS credit_amount",
      'COUNT(*) AS line_items',
      ...(scan ? [SCAN_EXACT_SUM] : []),
    ];
    if (options.estimatedFlag) {
      inner.push("CASE WHEN COALESCE(bill_invoice_id, '') = '' THEN 1 ELSE 0 END AS uninvoiced");
      outer.push('MAX(uninvoiced) AS estimated');
    }
    return [...aggregateLines(CUR_2_0_SCHEMA, q, outer, inner, keys), `ORDER BY amount DESC, ${keys.join(', ')}`].join('\n');
  }

  /**
   * Tagged versus untagged spend, per currency: a line item is untagged when `resource_tags` lacks the key of
   * `options.groupBy` or its value is empty.
   *
   * Columns: `currency`, `amount` (all line items), `untagged_amount`, `resource_amount` and `untagged_resource_amount`
   * (the same without `Tax`, `Credit` and `Refund` line items, which belong to no resource and never carry tags: the
   * tagged share of `resource_amount` is the data-quality figure), `line_items`, `untagged_line_items`.
   */
  public static untaggedShare(options: CostQueryOptions): string {
    return untaggedShareOf(CUR_2_0_SCHEMA, options);
  }

  /**
   * Which user tag keys (`user_...`, in any letter case) appear in `resource_tags`, with the number of line items
   * carrying each.
   *
   * A customer-value key missing here was probably never activated as a cost allocation tag (CUR 2.0 only includes
   * activated keys). Scans the whole `resource_tags` column: run it to explain an empty result, not on every report.
   *
   * Columns: `tag_key`, `line_items`.
   *
   * @param table the table, as in `CostQueryOptions.table`
   * @param dialect the SQL engine, default `SqlDialect.ATHENA`
   */
  public static tagKeysPresent(table: string, dialect?: SqlDialect): string {
    return tagKeysPresentOf(CUR_2_0_SCHEMA, table, dialect);
  }

  /**
   * Athena named queries over a CUR 2.0 table: cost per service, need, team, business unit and customer, and the
   * untagged share (all periods; Athena reads only the columns used).
   */
  public static namedQueries(options: CurNamedQueriesOptions): CurNamedQuery[] {
    const base = { table: options.table, tagKeys: options.tagKeys, metric: options.metric, dialect: SqlDialect.ATHENA };
    const metric = options.metric ?? CostMetric.UNBLENDED;
    return namedQueriesOf({
      prefix: '',
      costDescription: (groupBy) => `${metric} cost per ${groupBy} tag value and service, untagged as '' (customer-value)`,
      costBy: (groupBy) => CurQueries.costBy({ ...base, groupBy }),
      untaggedDescription: `${metric} cost without a service tag versus total (customer-value)`,
      untaggedShare: () => CurQueries.untaggedShare({ ...base, groupBy: CostGrouping.SERVICE }),
    });
  }

  private constructor() {}
}
