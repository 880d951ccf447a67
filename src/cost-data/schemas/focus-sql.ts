// One public API, the SQL over FOCUS data (`FocusQueries`) with the option types it takes, documented for API.md (the
// enums it takes are in ../query-terms.ts). The schema itself (columns, metric columns, tag map) is the object in
// ./focus-schema.ts; the resolver and the checks every schema shares are in ./schema.ts.
import { FOCUS_1_2_SCHEMA } from './focus-schema';
import { NamedQuery } from './named-query';
import {
  aggregateLines, baseColumnsOf, dimensionColumnOf, exportQueryStatementOf, groupColumnsOf, metricExpressionOf, namedQueriesOf, ResolvedQuery,
  resolveQuery, SCAN_EXACT_SUM, ScanKeys, scanKeyColumns, tagKeysPresentOf,
  untaggedShareOf,
} from './schema';
import { sqlLiteral } from './sql-util';
import { TagKeys } from '../../tag-keys';
import { CostDimension, CostGrouping, FocusMetric, SqlDialect } from '../query-terms';

/**
 * A column of a FOCUS table.
 */
export interface FocusColumn {
  /** The column name as FOCUS spells it (Pascal case; `x_` for provider columns). */
  readonly name: string;
  /** The Glue / Hive type: `string`, `double`, `timestamp`, `map<string,string>`. */
  readonly type: string;
}

/**
 * A cost query over FOCUS data.
 */
export interface FocusCostQueryOptions {
  /**
   * The table (or view, or table expression) the query reads, inserted into the SQL as given. It must not contain `;`.
   */
  readonly table: string;

  /** What cost is grouped by. */
  readonly groupBy: CostGrouping;

  /**
   * The tag keys, looked up in the `Tags` map exactly as written (FOCUS keeps the provider's key; no `user_` form).
   * @default TagKeys.DEFAULT
   */
  readonly tagKeys?: TagKeys;

  /**
   * The cost column summed.
   * @default FocusMetric.BILLED
   */
  readonly metric?: FocusMetric;

  /**
   * The SQL engine.
   * @default SqlDialect.ATHENA
   */
  readonly dialect?: SqlDialect;

  /**
   * First charge day included (`YYYY-MM-DD`, UTC, inclusive), compared with `ChargePeriodStart`.
   * @default - no lower bound
   */
  readonly from?: string;

  /**
   * First charge day excluded (`YYYY-MM-DD`, UTC, exclusive).
   * @default - no upper bound
   */
  readonly to?: string;

  /**
   * Also group by charge day (adds the `usage_date` column).
   * @default false
   */
  readonly daily?: boolean;

  /**
   * The partition column holding the billing period as `YYYY-MM`; with `from` or `to`, the query also filters on it so
   * Athena reads only the months concerned.
   * @default - no partition filter
   */
  readonly billingPeriodColumn?: string;

  /**
   * The SQL expression of the provider of a row.
   * @default "ProviderName"
   */
  readonly providerExpression?: string;

  /**
   * Also return the `estimated` column: 1 when a row of the group has no `InvoiceId` yet (FOCUS 1.2 and later).
   * @default false
   */
  readonly estimatedFlag?: boolean;

  /**
   * Also return, for the service tag and the grouped tag, the first key of the row's `Tags` that differs from the
   * wanted key only in letter case, spaces, punctuation or a provider prefix, on rows without the wanted key
   * (`service_variant`, `group_variant`): cost that would otherwise silently look untagged.
   * @default false
   */
  readonly keyVariants?: boolean;

  /**
   * Group by this FOCUS column instead of the grouped tag (`FocusQueries.dimensionColumn`): `group_value` holds the
   * column's value (`''` when null), `service` the service tag as always. `groupBy` must then be `CostGrouping.SERVICE`.
   * @default - group by the tag of `groupBy`
   */
  readonly dimension?: CostDimension;

  /**
   * Also return `unused_commitment_amount`: the `EffectiveCost` of rows whose `CommitmentDiscountStatus` is `Unused`
   * (the part of a commitment discount paid for and not used in the charge period), whatever the metric. Reads
   * `CommitmentDiscountStatus` and `EffectiveCost` (FOCUS 1.0 and later).
   * @default false
   */
  readonly unusedCommitment?: boolean;

  /**
   * Also return `allocated_amount` and `allocated_rows`: the part of `amount` on rows with FOCUS 1.3's `AllocatedTags`
   * (split cost allocation), and their number. Reads `AllocatedTags`.
   * @default false
   */
  readonly allocatedCharges?: boolean;

  /**
   * Also return `empty_cost_rows` and `empty_cost_billed`: the rows whose metric column is null (counted as 0 in
   * `amount`) and their `BilledCost`, so that a caller can name them rather than count them as 0 silently.
   * @default false
   */
  readonly emptyCostRows?: boolean;
}

/**
 * Options for `FocusQueries.namedQueries`.
 */
export interface FocusNamedQueriesOptions {
  /** The Athena table, e.g. `"customer_value"."focus"` (see `CurQueries.athenaTable`). */
  readonly table: string;
  /**
   * The tag keys.
   * @default TagKeys.DEFAULT
   */
  readonly tagKeys?: TagKeys;
  /**
   * The cost column summed.
   * @default FocusMetric.BILLED
   */
  readonly metric?: FocusMetric;
}

/**
 * Provider prefixes a tag key may carry in a cost export (AWS's CUR 2.0 `tags` column: `resourceTags/`,
 * `accountTag/`, `costCategory/`, `userAttribute/`; AWS cost allocation reports: `user:`).
 */
const KEY_PREFIXES = ['', 'user', 'resourcetags', 'resourcetagsuser', 'accounttag', 'costcategory', 'userattribute'];

/**
 * The SQL the library runs over FOCUS (FinOps Open Cost and Usage Specification) data: the column list of the
 * `CostAndUsageExport` FOCUS 1.2 export (`FOCUS_1_2_AWS`), its Athena named queries, and the
 * `customer-value cost --source focus|athena` CLI.
 *
 * A customer-value tag key is looked up in the `Tags` map exactly as written. Rows are filtered on
 * `ChargePeriodStart` (corrections count in the period they correct); costs in different `BillingCurrency` values are
 * never added together (every result row has one currency).
 *
 * Result columns of `costBy`: `service`, `group_value`, [`usage_date`], `provider`, `currency`, `amount` (every
 * charge category), `tax_amount`, `credit_amount`, `adjustment_amount`, `purchase_amount` (the parts of `amount`
 * from those charge categories, which belong to no resource), `correction_amount` (rows with `ChargeClass`
 * `Correction`), `line_items`, [`estimated`], [`service_variant`, `group_variant`].
 *
 * @see https://focus.finops.org/focus-specification/
 * @see https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws.html
 */
export class FocusQueries {
  /**
   * The Data Exports table of FOCUS 1.2 with AWS columns.
   */
  public static readonly TABLE_NAME = FOCUS_1_2_SCHEMA.tableName;

  /**
   * The columns the `CostAndUsageExport` FOCUS export selects (and its Glue table declares), in this order: the
   * columns a `FocusQueries` query reads, and what identifies a charge (account, service, region, resource, SKU,
   * commitment discount). Names and types as in the FOCUS 1.2 with AWS columns table dictionary.
   *
   * @see https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html
   */
  public static readonly EXPORT_COLUMNS: FocusColumn[] = FOCUS_1_2_SCHEMA.exportColumns.map((c) => ({ ...c }));

  /**
   * The Data Exports `QueryStatement` of the FOCUS export: the `EXPORT_COLUMNS`, listed, from `FOCUS_1_2_AWS`.
   *
   * @see https://docs.aws.amazon.com/cur/latest/userguide/dataexports-data-query.html
   */
  public static exportQueryStatement(): string {
    return exportQueryStatementOf(FOCUS_1_2_SCHEMA);
  }

  /**
   * The FOCUS column of a metric (`BilledCost`, `EffectiveCost`, `ListCost`, `ContractedCost`).
   *
   * @param metric the cost column, default `FocusMetric.BILLED`
   */
  public static metricColumn(metric?: FocusMetric): string {
    return metricExpressionOf(FOCUS_1_2_SCHEMA, metric);
  }

  /**
   * The columns a cost query with this metric reads (a table without one of them cannot answer it). The provider
   * column (`ProviderName`, or FOCUS 1.3's `ServiceProviderName`) is not listed: a caller picks the one its data has.
   *
   * @param metric the cost column, default `FocusMetric.BILLED`
   * @param dimension the column grouped by instead of a tag, if any
   */
  public static requiredColumns(metric?: FocusMetric, dimension?: CostDimension): string[] {
    return baseColumnsOf(FOCUS_1_2_SCHEMA, dimension, () => FocusQueries.metricColumn(metric));
  }

  /**
   * The FOCUS column of a dimension: `BillingAccountId`, `SubAccountId`, `ChargeCategory`, `RegionId`,
   * `ServiceCategory` (columns of every FOCUS version from 1.0 on).
   *
   * @param dimension the dimension
   */
  public static dimensionColumn(dimension: CostDimension): string {
    return dimensionColumnOf(FOCUS_1_2_SCHEMA, dimension);
  }

  /**
   * Cost per value of the grouped tag, with the service tag, provider and currency alongside, untagged spend as its
   * own group (`''`). One scan, one aggregation. Rows are ordered by `amount`, largest first.
   */
  public static costBy(options: FocusCostQueryOptions): string {
    return FocusQueries._costBy(options);
  }

  /**
   * `costBy`, and with `scan` the one scan of the file sources for the cost, the rules and the coverage (`ScanKeys`).
   * @internal
   */
  public static _costBy(options: FocusCostQueryOptions, scan?: ScanKeys): string {
    const q = resolveQuery(FOCUS_1_2_SCHEMA, options, 'costBy');
    const serviceKey = q.keys.service;
    const groupKey = q.groupKey;
    const groupTag = q.groupBy !== CostGrouping.SERVICE;
    const { inner, keys, selected } = groupColumnsOf(FOCUS_1_2_SCHEMA, q, options.dimension, scan);
    inner.push(`COALESCE(${options.providerExpression ?? 'ProviderName'}, '') AS provider`, 'BillingCurrency AS currency',
      'ChargeCategory AS charge_category', "CASE WHEN ChargeClass = 'Correction' THEN 1 ELSE 0 END AS correction",
      `${q.metric} AS cost`);
    keys.push('provider', 'currency');
    selected.push('provider', 'currency');
    // Near-duplicate keys, Athena: per row. DuckDB: the keys of the rows that lack a wanted key are grouped by their
    // hash, and the variant is looked for once per group of the first aggregation rather than once per row (a regular
    // expression per key of every untagged row cost a third of the report's scan).
    const twoLevel = options.keyVariants === true && q.dialect === SqlDialect.DUCKDB;
    const variantOf = (column: string, key: string) => `CASE WHEN ${column} = '' THEN ${firstVariant(q, 'tag_keys', key)} END`;
    if (options.keyVariants && !twoLevel) {
      inner.push(`CASE WHEN ${q.tag(serviceKey)} IS NULL AND Tags IS NOT NULL THEN ${firstVariant(q, 'map_keys(Tags)', serviceKey)} END AS service_variant`);
      keys.push('service_variant');
      selected.push('service_variant');
      if (groupTag) {
        inner.push(`CASE WHEN ${q.tag(groupKey)} IS NULL AND Tags IS NOT NULL THEN ${firstVariant(q, 'map_keys(Tags)', groupKey)} END AS group_variant`);
        keys.push('group_variant');
        selected.push('group_variant');
      }
    }
    if (twoLevel) {
      const missing = [...new Set([serviceKey, ...(groupTag ? [groupKey] : [])])].map((k) => `${q.tag(k)} IS NULL`).join(' OR ');
      const tagKeys = `CASE WHEN (${missing}) AND Tags IS NOT NULL THEN map_keys(Tags) END`;
      inner.push(`${tagKeys} AS tag_keys`, `hash(${tagKeys}) AS key_set`);
      keys.push('key_set');
    }
    const extraSums: string[] = [];
    if (options.unusedCommitment) {
      inner.push("CASE WHEN CommitmentDiscountStatus = 'Unused' THEN EffectiveCost ELSE 0 END AS unused_commitment");
      extraSums.push('SUM(unused_commitment) AS unused_commitment_amount');
    }
    if (options.allocatedCharges) {
      inner.push('CASE WHEN AllocatedTags IS NOT NULL THEN 1 ELSE 0 END AS allocated');
      extraSums.push('SUM(CASE WHEN allocated = 1 THEN cost ELSE 0 END) AS allocated_amount', 'SUM(allocated) AS allocated_rows');
    }
    if (options.emptyCostRows) {
      inner.push(`CASE WHEN ${q.metric} IS NULL THEN 1 ELSE 0 END AS empty_cost`, `CASE WHEN ${q.metric} IS NULL THEN BilledCost ELSE 0 END AS empty_cost_billed`);
      extraSums.push('SUM(empty_cost) AS empty_cost_rows', 'SUM(empty_cost_billed) AS empty_cost_billed');
    }
    const outer = [
      ...selected,
      'SUM(cost) AS amount',
      ...['Tax', 'Credit', 'Adjustment', 'Purchase'].map((c) =>
        `SUM(CASE WHEN charge_category = '${c}' THEN cost ELSE 0 END) AS ${c.toLowerCase()}_amount`),
      'SUM(CASE WHEN correction = 1 THEN cost ELSE 0 END) AS correction_amount',
      'COUNT(*) AS line_items',
      ...(scan ? [SCAN_EXACT_SUM] : []),
      ...extraSums,
      ...(twoLevel ? ['any_value(tag_keys) AS tag_keys'] : []),
    ];
    if (options.estimatedFlag) {
      inner.push("CASE WHEN COALESCE(InvoiceId, '') = '' THEN 1 ELSE 0 END AS uninvoiced");
      outer.push('MAX(uninvoiced) AS estimated');
    }
    const first = aggregateLines(FOCUS_1_2_SCHEMA, q, outer, inner, keys);
    if (!twoLevel) {
      return [...first, `ORDER BY amount DESC, ${keys.join(', ')}`].join('\n');
    }
    const names = ['service', 'group_value', ...(q.daily ? ['usage_date'] : []), ...scanKeyColumns(q, scan).keys, 'provider', 'currency'];
    const variants = [`${variantOf('service', serviceKey)} AS service_variant`,
      ...(groupTag ? [`${variantOf('group_value', groupKey)} AS group_variant`] : [])];
    const sums = ['amount', 'tax_amount', 'credit_amount', 'adjustment_amount', 'purchase_amount', 'correction_amount', 'line_items',
      ...(scan ? ['exact_amount'] : []),
      ...(options.unusedCommitment ? ['unused_commitment_amount'] : []), ...(options.allocatedCharges ? ['allocated_amount', 'allocated_rows'] : []),
      ...(options.emptyCostRows ? ['empty_cost_rows', 'empty_cost_billed'] : [])];
    const second = [...names, ...variants, ...sums.map((c) => `SUM(${c}) AS ${c}`), ...(options.estimatedFlag ? ['MAX(estimated) AS estimated'] : [])];
    const groupKeys = [...names, 'service_variant', ...(groupTag ? ['group_variant'] : [])];
    return [
      'SELECT',
      `  ${second.join(',\n  ')}`,
      'FROM (',
      ...first.map((l) => `  ${l}`),
      ') AS groups',
      `GROUP BY ${groupKeys.join(', ')}`,
      `ORDER BY amount DESC, ${groupKeys.join(', ')}`,
    ].join('\n');
  }

  /**
   * Tagged versus untagged spend, per currency (never added across currencies): a row is untagged when `Tags` lacks
   * the grouped key or its value is empty.
   *
   * Columns: `currency`, `amount`, `untagged_amount`, `resource_amount` and `untagged_resource_amount` (the same
   * without Tax, Credit, Adjustment and Purchase rows, which belong to no resource), `line_items`, `untagged_line_items`.
   */
  public static untaggedShare(options: FocusCostQueryOptions): string {
    return untaggedShareOf(FOCUS_1_2_SCHEMA, options);
  }

  /**
   * Every key of the `Tags` map with the number of rows carrying it (provider keys included: FOCUS has no
   * user-key prefix). Scans the whole column: run it to explain an empty result, not on every report.
   *
   * Columns: `tag_key`, `line_items`.
   *
   * @param table the table, as in `FocusCostQueryOptions.table`
   * @param dialect the SQL engine, default `SqlDialect.ATHENA`
   */
  public static tagKeysPresent(table: string, dialect?: SqlDialect): string {
    return tagKeysPresentOf(FOCUS_1_2_SCHEMA, table, dialect);
  }

  /**
   * Athena named queries over a FOCUS table: cost per service, need, team, business unit and customer (per provider
   * and currency), and the untagged share.
   */
  public static namedQueries(options: FocusNamedQueriesOptions): NamedQuery[] {
    const base = { table: options.table, tagKeys: options.tagKeys, metric: options.metric, dialect: SqlDialect.ATHENA };
    const column = FocusQueries.metricColumn(options.metric);
    return [
      ...namedQueriesOf({
        prefix: 'focus-',
        costDescription: (groupBy) => `FOCUS ${column} per ${groupBy} tag value, service, provider and currency, untagged as '' (customer-value)`,
        costBy: (groupBy) => FocusQueries.costBy({ ...base, groupBy }),
        untaggedDescription: `FOCUS ${column} without a service tag versus total, per currency (customer-value)`,
        untaggedShare: () => FocusQueries.untaggedShare({ ...base, groupBy: CostGrouping.SERVICE }),
      }),
      {
        name: 'focus-tag-keys-present',
        description: 'Which keys appear in the FOCUS Tags column, as the export writes them (customer-value)',
        queryString: FocusQueries.tagKeysPresent(options.table),
      },
    ];
  }

  /**
   * The folded form of a tag key the near-duplicate check compares: lower case, letters and digits only
   * (`Customer Service ` and `customer-service` both become `customerservice`).
   *
   * @param key a tag key
   */
  public static foldTagKey(key: string): string {
    return key.toLowerCase().replace(/[^a-z0-9]/g, '');
  }

  private constructor() {}
}

/** The first key of a list (SQL expression) that is a near-duplicate of `key` (not `key` itself), else NULL. */
function firstVariant(q: ResolvedQuery, list: string, key: string): string {
  const folded = FocusQueries.foldTagKey(key);
  const forms = KEY_PREFIXES.map((p) => sqlLiteral(p + folded)).join(', ');
  const fold = q.dialect === SqlDialect.ATHENA ? "regexp_replace(lower(k), '[^a-z0-9]', '')" : "regexp_replace(lower(k), '[^a-z0-9]', '', 'g')";
  return q.dialect === SqlDialect.ATHENA
    ? `element_at(filter(${list}, k -> k <> ${sqlLiteral(key)} AND ${fold} IN (${forms})), 1)`
    : `list_filter(${list}, k -> k <> ${sqlLiteral(key)} AND ${fold} IN (${forms}))[1]`;
}
