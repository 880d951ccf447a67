// Longer than 400 lines on purpose: this is one public API, the SQL over CUR 2.0 (`CurQueries`) with the option types
// it takes, documented for API.md (the enums it takes are in ../query-terms.ts); splitting it would spread one contract
// over several files. The private SQL helpers are at the end.
import { checkDimension, lastMonthBefore, sqlLiteral, tagKeysSql, untaggedShareSql } from './sql-util';
import { TagKeys } from '../../tag-keys';
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
 * A query to save as an Athena named query.
 */
export interface CurNamedQuery {
  /** Name of the query, e.g. `cost-per-service`. */
  readonly name: string;
  /** What the query answers. */
  readonly description: string;
  /** The SQL. */
  readonly queryString: string;
}

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

const LITERAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The line item types that carry no resource and so never carry resource tags. */
const NON_RESOURCE_TYPES = ['Tax', 'Credit', 'Refund'];

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
  public static readonly TABLE_NAME = 'COST_AND_USAGE_REPORT';

  /**
   * The columns the `CostAndUsageExport` data export selects (and the Glue table over it declares), in this order.
   *
   * Every column a `CurQueries` query reads is here: usage time and account, product, line item type, the unblended,
   * net unblended and amortized cost inputs (Savings Plans and reservation columns), currency, invoice id (for the
   * estimated flag), `resource_tags` and `cost_category`. Names and types are those of the CUR 2.0 table dictionary.
   *
   * @see https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html
   */
  public static readonly EXPORT_COLUMNS: CurColumn[] = [
    { name: 'bill_bill_type', type: 'string' },
    { name: 'bill_billing_entity', type: 'string' },
    { name: 'bill_billing_period_start_date', type: 'timestamp' },
    { name: 'bill_billing_period_end_date', type: 'timestamp' },
    { name: 'bill_invoice_id', type: 'string' },
    { name: 'bill_payer_account_id', type: 'string' },
    { name: 'identity_line_item_id', type: 'string' },
    { name: 'identity_time_interval', type: 'string' },
    { name: 'line_item_usage_account_id', type: 'string' },
    { name: 'line_item_line_item_type', type: 'string' },
    { name: 'line_item_usage_start_date', type: 'timestamp' },
    { name: 'line_item_usage_end_date', type: 'timestamp' },
    { name: 'line_item_product_code', type: 'string' },
    { name: 'line_item_usage_type', type: 'string' },
    { name: 'line_item_operation', type: 'string' },
    { name: 'line_item_resource_id', type: 'string' },
    { name: 'line_item_line_item_description', type: 'string' },
    { name: 'line_item_usage_amount', type: 'double' },
    { name: 'line_item_currency_code', type: 'string' },
    { name: 'line_item_unblended_rate', type: 'string' },
    { name: 'line_item_unblended_cost', type: 'double' },
    { name: 'line_item_net_unblended_cost', type: 'double' },
    { name: 'product_servicecode', type: 'string' },
    { name: 'product_region_code', type: 'string' },
    { name: 'pricing_public_on_demand_cost', type: 'double' },
    { name: 'reservation_reservation_a_r_n', type: 'string' },
    { name: 'reservation_effective_cost', type: 'double' },
    { name: 'reservation_unused_amortized_upfront_fee_for_billing_period', type: 'double' },
    { name: 'reservation_unused_recurring_fee', type: 'double' },
    { name: 'savings_plan_savings_plan_a_r_n', type: 'string' },
    { name: 'savings_plan_savings_plan_effective_cost', type: 'double' },
    { name: 'savings_plan_total_commitment_to_date', type: 'double' },
    { name: 'savings_plan_used_commitment', type: 'double' },
    { name: 'resource_tags', type: 'map<string,string>' },
    { name: 'cost_category', type: 'map<string,string>' },
  ];

  /**
   * The Data Exports `QueryStatement` of the `CostAndUsageExport`: the `EXPORT_COLUMNS`, listed (Data Exports
   * rejects `SELECT *`), from `COST_AND_USAGE_REPORT`.
   *
   * @see https://docs.aws.amazon.com/cur/latest/userguide/dataexports-data-query.html
   */
  public static exportQueryStatement(): string {
    return `SELECT ${CurQueries.EXPORT_COLUMNS.map((c) => c.name).join(', ')} FROM ${CurQueries.TABLE_NAME}`;
  }

  /**
   * The columns a cost query with this metric reads (a table without one of them cannot answer it).
   *
   * @param metric the cost figure, default `CostMetric.UNBLENDED`
   * @param dimension the column grouped by instead of a tag, if any
   */
  public static requiredColumns(metric?: CostMetric, dimension?: CostDimension): string[] {
    const base = ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags',
      ...(dimension !== undefined && dimension !== CostDimension.CHARGE_CATEGORY ? [CurQueries.dimensionColumn(dimension)] : [])];
    switch (metric ?? CostMetric.UNBLENDED) {
      case CostMetric.UNBLENDED:
        return base;
      case CostMetric.NET_UNBLENDED:
        return [...base, 'line_item_net_unblended_cost'];
      case CostMetric.AMORTIZED:
        return [...base, ...AMORTIZED_COLUMNS];
      default:
        throw new Error(`CurQueries: metric is ${JSON.stringify(metric)}: accepted values are ${Object.values(CostMetric).join(', ')}`);
    }
  }

  /**
   * The CUR 2.0 column a dimension reads: `bill_payer_account_id` (billing account), `line_item_usage_account_id`
   * (sub-account), `line_item_line_item_type` (charge category), `product_region_code` (region). CUR 2.0 has no
   * service category column: that one throws.
   *
   * @param dimension the dimension
   */
  public static dimensionColumn(dimension: CostDimension): string {
    switch (dimension) {
      case CostDimension.BILLING_ACCOUNT: return 'bill_payer_account_id';
      case CostDimension.SUB_ACCOUNT: return 'line_item_usage_account_id';
      case CostDimension.CHARGE_CATEGORY: return 'line_item_line_item_type';
      case CostDimension.REGION: return 'product_region_code';
      case CostDimension.SERVICE_CATEGORY:
        throw new Error('CurQueries: CUR 2.0 has no service category column (FOCUS ServiceCategory): group by service category over FOCUS data '
          + '(FocusQueries, the FOCUS_1_2_AWS export)');
      default:
        throw new Error(`CurQueries: dimension is ${JSON.stringify(dimension)}: accepted values are ${Object.values(CostDimension).join(', ')}`);
    }
  }

  /**
   * The tag key a grouping reads (`CostGrouping.TEAM` reads `tagKeys.team`, ...).
   *
   * @param groupBy the grouping
   * @param tagKeys the tag keys, default `TagKeys.DEFAULT`
   */
  public static groupingTagKey(groupBy: CostGrouping, tagKeys?: TagKeys): string {
    const keys = tagKeys ?? TagKeys.DEFAULT;
    switch (groupBy) {
      case CostGrouping.SERVICE: return keys.service;
      case CostGrouping.NEED: return keys.need;
      case CostGrouping.TEAM: return keys.team;
      case CostGrouping.BUSINESS_UNIT: return keys.businessUnit;
      case CostGrouping.CUSTOMER: return keys.customer;
      default:
        throw new Error(`CurQueries: groupBy is ${JSON.stringify(groupBy)}: accepted values are ${Object.values(CostGrouping).join(', ')}`);
    }
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
    switch (metric ?? CostMetric.UNBLENDED) {
      case CostMetric.UNBLENDED:
        return 'line_item_unblended_cost';
      case CostMetric.NET_UNBLENDED:
        return 'COALESCE(line_item_net_unblended_cost, line_item_unblended_cost)';
      case CostMetric.AMORTIZED:
        return [
          'CASE line_item_line_item_type',
          "WHEN 'SavingsPlanCoveredUsage' THEN COALESCE(savings_plan_savings_plan_effective_cost, 0)",
          "WHEN 'SavingsPlanRecurringFee' THEN COALESCE(savings_plan_total_commitment_to_date, 0) - COALESCE(savings_plan_used_commitment, 0)",
          "WHEN 'SavingsPlanNegation' THEN 0",
          "WHEN 'SavingsPlanUpfrontFee' THEN 0",
          "WHEN 'DiscountedUsage' THEN COALESCE(reservation_effective_cost, 0)",
          "WHEN 'RIFee' THEN COALESCE(reservation_unused_amortized_upfront_fee_for_billing_period, 0) + COALESCE(reservation_unused_recurring_fee, 0)",
          "WHEN 'Fee' THEN CASE WHEN COALESCE(reservation_reservation_a_r_n, '') <> '' THEN 0 ELSE line_item_unblended_cost END",
          "WHEN 'Refund' THEN CASE WHEN line_item_product_code = 'ComputeSavingsPlans' THEN 0 ELSE line_item_unblended_cost END",
          'ELSE line_item_unblended_cost END',
        ].join(' ');
      default:
        throw new Error(`CurQueries: metric is ${JSON.stringify(metric)}: accepted values are ${Object.values(CostMetric).join(', ')}`);
    }
  }

  /**
   * Cost per value of the grouped tag, with the service tag alongside (so a caller can join the rows with the
   * service declarations) and untagged spend as its own group (`''`). One scan, one aggregation.
   *
   * Columns: `service`, `group_value`, [`usage_date`], `currency`, `amount`, `tax_amount`, `credit_amount`,
   * `line_items`, [`estimated`] (see the class documentation). Rows are ordered by `amount`, largest first.
   */
  public static costBy(options: CostQueryOptions): string {
    const q = resolve(options, 'costBy');
    const inner = [`COALESCE(${q.tag(q.keys.service)}, '') AS service`];
    const keys = ['service'];
    // Grouped by service, the group is the service: read and group the map value once.
    const byTag = q.groupBy !== CostGrouping.SERVICE || options.dimension !== undefined;
    const selected = byTag ? ['service', 'group_value'] : ['service', 'service AS group_value'];
    if (options.dimension !== undefined) {
      inner.push(`COALESCE(CAST(${CurQueries.dimensionColumn(options.dimension)} AS VARCHAR), '') AS group_value`);
      keys.push('group_value');
    } else if (q.groupBy !== CostGrouping.SERVICE) {
      inner.push(`COALESCE(${q.tag(CurQueries.groupingTagKey(q.groupBy, q.keys))}, '') AS group_value`);
      keys.push('group_value');
    }
    if (q.daily || q.monthly) {
      selected.push('usage_date');
      inner.push(q.monthly ? "CAST(date_trunc('month', line_item_usage_start_date) AS DATE) AS usage_date"
        : 'CAST(line_item_usage_start_date AS DATE) AS usage_date');
      keys.push('usage_date');
    }
    inner.push('line_item_currency_code AS currency', 'line_item_line_item_type AS line_item_type', `${q.metric} AS cost`);
    keys.push('currency');
    selected.push('currency');
    const outer = [
      ...selected,
      'SUM(cost) AS amount',
      "SUM(CASE WHEN line_item_type = 'Tax' THEN cost ELSE 0 END) AS tax_amount",
      "SUM(CASE WHEN line_item_type IN ('Credit', 'Refund') THEN cost ELSE 0 END) AS credit_amount",
      'COUNT(*) AS line_items',
    ];
    if (options.estimatedFlag) {
      inner.push("CASE WHEN COALESCE(bill_invoice_id, '') = '' THEN 1 ELSE 0 END AS uninvoiced");
      outer.push('MAX(uninvoiced) AS estimated');
    }
    return [
      'SELECT',
      `  ${outer.join(',\n  ')}`,
      'FROM (',
      '  SELECT',
      `    ${inner.join(',\n    ')}`,
      `  FROM ${q.table}`,
      ...q.where.map((w) => `  ${w}`),
      ') AS line_items',
      `GROUP BY ${keys.join(', ')}`,
      `ORDER BY amount DESC, ${keys.join(', ')}`,
    ].join('\n');
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
    const q = resolve(options, 'untaggedShare');
    const untagged = `CASE WHEN COALESCE(${q.tag(CurQueries.groupingTagKey(q.groupBy, q.keys))}, '') = '' THEN 1 ELSE 0 END AS untagged`;
    const resource = `CASE WHEN line_item_line_item_type IN (${NON_RESOURCE_TYPES.map(sqlLiteral).join(', ')}) THEN 0 ELSE 1 END AS resource`;
    return untaggedShareSql({ currency: 'line_item_currency_code', untagged, resource, metric: q.metric, table: q.table, where: q.where, alias: 'line_items' });
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
    checkTable(table, 'tagKeysPresent');
    checkDialect(dialect ?? SqlDialect.ATHENA, 'tagKeysPresent');
    return tagKeysSql(table, 'resource_tags', "lower(substr(tag_key, 1, 5)) = 'user_'");
  }

  /**
   * Athena named queries over a CUR 2.0 table: cost per service, need, team, business unit and customer, and the
   * untagged share (all periods; Athena reads only the columns used).
   */
  public static namedQueries(options: CurNamedQueriesOptions): CurNamedQuery[] {
    const base = { table: options.table, tagKeys: options.tagKeys, metric: options.metric, dialect: SqlDialect.ATHENA };
    const metric = options.metric ?? CostMetric.UNBLENDED;
    const out: CurNamedQuery[] = [];
    for (const groupBy of Object.values(CostGrouping)) {
      out.push({
        name: `cost-per-${groupBy}`,
        description: `${metric} cost per ${groupBy} tag value and service, untagged as '' (customer-value)`,
        queryString: CurQueries.costBy({ ...base, groupBy }),
      });
    }
    out.push({
      name: 'untagged-share',
      description: `${metric} cost without a service tag versus total (customer-value)`,
      queryString: CurQueries.untaggedShare({ ...base, groupBy: CostGrouping.SERVICE }),
    });
    return out;
  }

  private constructor() {}
}

const AMORTIZED_COLUMNS = [
  'line_item_product_code',
  'reservation_reservation_a_r_n',
  'reservation_effective_cost',
  'reservation_unused_amortized_upfront_fee_for_billing_period',
  'reservation_unused_recurring_fee',
  'savings_plan_savings_plan_effective_cost',
  'savings_plan_total_commitment_to_date',
  'savings_plan_used_commitment',
];

interface Resolved {
  readonly table: string;
  readonly keys: TagKeys;
  readonly groupBy: CostGrouping;
  readonly metric: string;
  readonly daily: boolean;
  readonly monthly: boolean;
  readonly where: string[];
  tag(key: string): string;
}

function resolve(options: CostQueryOptions, method: string): Resolved {
  checkTable(options.table, method);
  const dialect = checkDialect(options.dialect ?? SqlDialect.ATHENA, method);
  const keys = options.tagKeys ?? TagKeys.DEFAULT;
  if (!Object.values(CostGrouping).includes(options.groupBy)) {
    throw new Error(`CurQueries.${method}: groupBy is ${JSON.stringify(options.groupBy)}: accepted values are ${Object.values(CostGrouping).join(', ')}`);
  }
  const metric = CurQueries.metricExpression(options.metric);
  if (options.daily && options.monthly) {
    throw new Error(`CurQueries.${method}: daily and monthly are both true: group by day or by month, not both`);
  }
  checkDimension(options.dimension, Object.values(CostDimension), options.groupBy === CostGrouping.SERVICE, `CurQueries.${method}`);
  const from = options.from === undefined ? undefined : checkDate(options.from, 'from', method);
  const to = options.to === undefined ? undefined : checkDate(options.to, 'to', method);
  if (from && to && from >= to) {
    throw new Error(`CurQueries.${method}: from (${from}) must be before to (${to}); to is exclusive`);
  }
  const where: string[] = [];
  if (from) {
    where.push(`line_item_usage_start_date >= TIMESTAMP '${from} 00:00:00'`);
  }
  if (to) {
    where.push(`line_item_usage_start_date < TIMESTAMP '${to} 00:00:00'`);
  }
  if (options.billingPeriodColumn !== undefined) {
    if (!IDENTIFIER.test(options.billingPeriodColumn)) {
      throw new Error(`CurQueries.${method}: billingPeriodColumn is ${JSON.stringify(options.billingPeriodColumn)}: expected a column name (letters, digits, _)`);
    }
    if (from) {
      where.push(`${options.billingPeriodColumn} >= '${from.slice(0, 7)}'`);
    }
    if (to) {
      where.push(`${options.billingPeriodColumn} <= '${lastMonthBefore(to)}'`);
    }
  }
  const tag = (key: string) => {
    const mapKey = sqlLiteral(TagKeys.curMapKey(key));
    return dialect === SqlDialect.ATHENA ? `element_at(resource_tags, ${mapKey})` : `resource_tags[${mapKey}]`;
  };
  return {
    table: options.table,
    keys,
    groupBy: options.groupBy,
    metric,
    daily: options.daily ?? false,
    monthly: options.monthly ?? false,
    where: where.map((w, i) => `${i === 0 ? 'WHERE' : '  AND'} ${w}`),
    tag,
  };
}

function checkTable(table: string, method: string): void {
  if (typeof table !== 'string' || table.trim().length === 0 || table.includes(';')) {
    throw new Error(`CurQueries.${method}: table is ${JSON.stringify(table)}: expected a table name or table expression without ';'`);
  }
}

function checkDialect(dialect: SqlDialect, method: string): SqlDialect {
  if (!Object.values(SqlDialect).includes(dialect)) {
    throw new Error(`CurQueries.${method}: dialect is ${JSON.stringify(dialect)}: accepted values are ${Object.values(SqlDialect).join(', ')}`);
  }
  return dialect;
}

function checkDate(value: string, field: string, method: string): string {
  const m = typeof value === 'string' ? LITERAL_DATE.exec(value) : null;
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d) {
      return value;
    }
  }
  throw new Error(`CurQueries.${method}: ${field} is ${JSON.stringify(value)}: expected a calendar date YYYY-MM-DD`);
}


