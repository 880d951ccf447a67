/**
 * The frame every cost export schema fills in (CUR 2.0, FOCUS 1.2; the next one, another provider's export or a later
 * FOCUS version, is one more `CostSchema` object): its table, columns, partition folder, tag map, metric expressions
 * and dimension columns. One resolver and one set of checks turn the options of a cost query into the parts of its SQL
 * for any schema; `CurQueries` and `FocusQueries` are the public faces of the two schema objects.
 */
import { NamedQuery } from './named-query';
import { checkDimension, lastMonthBefore, mapValueSql, sqlLiteral, tagKeysSql, untaggedShareSql } from './sql-util';
import { isIsoDate } from '../../private/iso-date';
import { TagKeys } from '../../tag-keys';
import { customerValueField } from '../customer-value-fields';
import { CostDimension, CostGrouping, SqlDialect } from '../query-terms';

/** A column of an export's table: name and Glue / Hive type (`string`, `double`, `timestamp`, `map<string,string>`). */
export interface SchemaColumn {
  readonly name: string;
  readonly type: string;
}

/** How an export names its billing-period folders: `<name>=YYYY-MM`, and where that comes from. */
export interface SchemaPartitionFolder {
  /** The folder name before `=`, as delivered (`BILLING_PERIOD`, `billing_period`). */
  readonly name: string;
  /** Where that comes from, for comments and docs. */
  readonly source: string;
}

/** One export's schema, as the frame reads it. */
export interface CostSchema<M extends string = string> {
  /** The public class whose name starts the messages (`CurQueries`, `FocusQueries`). */
  readonly owner: string;
  /** The name people know the data by (`CUR 2.0`, `FOCUS`). */
  readonly label: string;
  /** The Data Exports table (`COST_AND_USAGE_REPORT`, `FOCUS_1_2_AWS`). */
  readonly tableName: string;
  /** The columns its export selects, in order. */
  readonly exportColumns: readonly SchemaColumn[];
  /** Its billing-period folders. */
  readonly partitionFolder: SchemaPartitionFolder;
  /** The timestamp a row is dated by (`from`/`to` compare it). */
  readonly timeColumn: string;
  readonly currencyColumn: string;
  /** The column saying what kind of charge a row is (usage, tax, credit...). */
  readonly categoryColumn: string;
  /** The values of `categoryColumn` that belong to no resource (so never carry resource tags). */
  readonly nonResourceCategories: readonly string[];
  /** The map column holding the tags. */
  readonly tagColumn: string;
  /** The key of `tagColumn` a tag key is found under (CUR 2.0: `user_...`; FOCUS: the key itself). */
  readonly tagMapKey: (key: string) => string;
  /** The filter on `tag_key` of `tagKeysPresent`, if any. */
  readonly tagKeysFilter?: string;
  /** The default metric. */
  readonly defaultMetric: M;
  /** The SQL expression of each metric (the argument of `SUM`), in the order messages list them. */
  readonly metricExpressions: Readonly<Record<M, string>>;
  /** The column of each dimension the schema has. */
  readonly dimensionColumns: Readonly<Partial<Record<CostDimension, string>>>;
  /** Why the schema has no column for a dimension (and where to find one). */
  readonly noDimensionColumn: (dimension: CostDimension) => string;
  /** The alias of the inner query of its SQL (`line_items`, `charges`). */
  readonly rowsAlias: string;
}

/** The options every schema's cost query has (documented on `CostQueryOptions` and `FocusCostQueryOptions`). */
export type SchemaQueryOptions<M extends string> = Readonly<
  { table: string; groupBy: CostGrouping; tagKeys?: TagKeys; metric?: M; dialect?: SqlDialect }
  & { from?: string; to?: string; daily?: boolean; monthly?: boolean; billingPeriodColumn?: string; dimension?: CostDimension }>;

/** The SQL expression of a metric of a schema, the default one when undefined; an unknown one throws. */
export function metricExpressionOf<M extends string>(schema: CostSchema<M>, metric: M | undefined): string {
  const m = metric ?? schema.defaultMetric;
  if (!Object.prototype.hasOwnProperty.call(schema.metricExpressions, m)) {
    return refuseValue(schema, 'metric', metric, Object.keys(schema.metricExpressions));
  }
  return schema.metricExpressions[m];
}

/** The column of a dimension in a schema; an unknown dimension, or one the schema has no column for, throws. */
export function dimensionColumnOf(schema: CostSchema<any>, dimension: CostDimension): string {
  if (!Object.values(CostDimension).includes(dimension)) {
    return refuseValue(schema, 'dimension', dimension, Object.values(CostDimension));
  }
  const column = schema.dimensionColumns[dimension];
  if (column === undefined) {
    throw new Error(schema.noDimensionColumn(dimension));
  }
  return column;
}

/** A cost query's options, checked, as parts of its SQL. */
export interface ResolvedQuery {
  readonly table: string;
  readonly dialect: SqlDialect;
  readonly keys: TagKeys;
  readonly groupBy: CostGrouping;
  /** The tag key of `groupBy`. */
  readonly groupKey: string;
  /** The metric's SQL expression. */
  readonly metric: string;
  readonly daily: boolean;
  readonly monthly: boolean;
  /** `WHERE ...` / `  AND ...` lines. */
  readonly where: string[];
  /** The SQL expression of a tag's value (NULL when absent). */
  tag(key: string): string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks a cost query's options against a schema and turns them into the parts of its SQL. */
export function resolveQuery<M extends string>(schema: CostSchema<M>, options: SchemaQueryOptions<M>, method: string): ResolvedQuery {
  const where = `${schema.owner}.${method}`;
  checkTable(schema, options.table, method);
  const dialect = checkDialect(schema, options.dialect ?? SqlDialect.ATHENA, method);
  const keys = options.tagKeys ?? TagKeys.DEFAULT;
  const groupKey = keys[customerValueField(options.groupBy, where).tagKeyField];
  const metric = metricExpressionOf(schema, options.metric);
  if (options.daily && options.monthly) {
    throw new Error(`${where}: daily and monthly are both true: group by day or by month, not both`);
  }
  checkDimension(options.dimension, Object.values(CostDimension), options.groupBy === CostGrouping.SERVICE, where);
  const from = options.from === undefined ? undefined : checkDate(schema, options.from, 'from', method);
  const to = options.to === undefined ? undefined : checkDate(schema, options.to, 'to', method);
  if (from && to && from >= to) {
    throw new Error(`${where}: from (${from}) must be before to (${to}); to is exclusive`);
  }
  const conditions: string[] = [];
  if (from) {
    conditions.push(`${schema.timeColumn} >= TIMESTAMP '${from} 00:00:00'`);
  }
  if (to) {
    conditions.push(`${schema.timeColumn} < TIMESTAMP '${to} 00:00:00'`);
  }
  if (options.billingPeriodColumn !== undefined) {
    if (!IDENTIFIER.test(options.billingPeriodColumn)) {
      throw new Error(`${where}: billingPeriodColumn is ${JSON.stringify(options.billingPeriodColumn)}: expected a column name (letters, digits, _)`);
    }
    if (from) {
      conditions.push(`${options.billingPeriodColumn} >= '${from.slice(0, 7)}'`);
    }
    if (to) {
      conditions.push(`${options.billingPeriodColumn} <= '${lastMonthBefore(to)}'`);
    }
  }
  const tag = (key: string) => mapValueSql(schema.tagColumn, schema.tagMapKey(key), dialect);
  return {
    table: options.table,
    dialect,
    keys,
    groupBy: options.groupBy,
    groupKey,
    metric,
    daily: options.daily ?? false,
    monthly: options.monthly ?? false,
    where: conditions.map((w, i) => `${i === 0 ? 'WHERE' : '  AND'} ${w}`),
    tag,
  };
}

/** Tagged versus untagged spend per currency over a schema (`CurQueries.untaggedShare`, `FocusQueries.untaggedShare`). */
export function untaggedShareOf<M extends string>(schema: CostSchema<M>, options: SchemaQueryOptions<M>): string {
  const q = resolveQuery(schema, options, 'untaggedShare');
  const untagged = `CASE WHEN COALESCE(${q.tag(q.groupKey)}, '') = '' THEN 1 ELSE 0 END AS untagged`;
  const categories = schema.nonResourceCategories.map(sqlLiteral).join(', ');
  const resource = `CASE WHEN ${schema.categoryColumn} IN (${categories}) THEN 0 ELSE 1 END AS resource`;
  return untaggedShareSql({
    currency: schema.currencyColumn, untagged, resource, metric: q.metric, table: q.table, where: q.where, alias: schema.rowsAlias,
  });
}

/** The keys of a schema's tag map with the rows carrying each (`tag_key`, `line_items`). */
export function tagKeysPresentOf(schema: CostSchema<any>, table: string, dialect: SqlDialect | undefined): string {
  checkTable(schema, table, 'tagKeysPresent');
  checkDialect(schema, dialect ?? SqlDialect.ATHENA, 'tagKeysPresent');
  return tagKeysSql(table, schema.tagColumn, schema.tagKeysFilter);
}

/** The Data Exports `QueryStatement` of a schema's export: its columns, listed (Data Exports rejects `SELECT *`). */
export function exportQueryStatementOf(schema: CostSchema<any>): string {
  return `SELECT ${schema.exportColumns.map((c) => c.name).join(', ')} FROM ${schema.tableName}`;
}

/**
 * The columns every cost query over a schema reads: time, category, currency, the cost column, tags, and the
 * dimension's column (when it is not the category).
 */
export function baseColumnsOf(schema: CostSchema<any>, dimension: CostDimension | undefined, costColumn: () => string): string[] {
  const column = dimension === undefined ? undefined : dimensionColumnOf(schema, dimension);
  return [schema.timeColumn, schema.categoryColumn, schema.currencyColumn, costColumn(), schema.tagColumn,
    ...(column !== undefined && column !== schema.categoryColumn ? [column] : [])];
}

/** The grouping part of a cost query: the columns of the inner query, the group keys and the selected columns. */
export interface GroupColumns {
  readonly inner: string[];
  readonly keys: string[];
  readonly selected: string[];
}

/**
 * The one scan for the cost, the attribution rules and the coverage (docs/attribution.md section 7): the cost query
 * also groups the line items no service owns by the columns the rules and the coverage read, packed into one key
 * (`k_keys`, NULL on owned line items, so those group as in the plain query; `scanKeyValueSql` reads each value back)
 * and sums their cost exactly (`exact_amount`, DECIMAL(38, 18)). The plain report's rows, the rules' matches and the
 * coverage's items are then read from that one aggregate.
 */
export interface ScanKeys {
  /** The extra keys: `k_<name>` holds the expression's text (`''` when empty) on line items no service owns. */
  readonly keys: ReadonlyArray<{ readonly name: string; readonly expression: string }>;
  /**
   * The declared services (coverage): a line item is owned when its service tag holds one of them; undefined: when it
   * holds any value (the rules apply to untagged line items only).
   */
  readonly declaredServices?: readonly string[];
}

/** What separates the values in the scan's packed key (`chr(31)` followed by `chr(29)`). */
const SCAN_SEPARATOR = 'chr(31) || chr(29)';
/** How `chr(31)` is written inside a value of the packed key (so the separator appears nowhere else: the packing is injective). */
const SCAN_ESCAPED_US = 'chr(31) || chr(30)';

/**
 * The scan's extra inner column and group key: `k_keys`, the values of `scan.keys` packed into one text (one key hashes
 * and compares several times cheaper in the aggregation than one column per value: CPU 0.42-0.52 s against 0.89 s for
 * the cost query over 1 M line items with the bench's rules); none without a `ScanKeys`.
 */
export function scanKeyColumns(q: ResolvedQuery, scan: ScanKeys | undefined): { inner: string[]; keys: string[] } {
  if (!scan) {
    return { inner: [], keys: [] };
  }
  const tag = `COALESCE(${q.tag(q.keys.service)}, '')`;
  const declared = scan.declaredServices;
  const owned = declared === undefined ? `${tag} <> ''` : declared.length === 0 ? 'FALSE' : `${tag} IN (${declared.map(sqlLiteral).join(', ')})`;
  const values = scan.keys.map((k) => `replace(COALESCE(CAST(${k.expression} AS VARCHAR), ''), chr(31), ${SCAN_ESCAPED_US})`);
  return {
    inner: [`CASE WHEN ${owned} THEN NULL ELSE concat_ws(${SCAN_SEPARATOR}, ${values.join(', ')}) END AS k_keys`],
    keys: ['k_keys'],
  };
}

/** The value of the `index`-th key of `ScanKeys.keys` (from 0) read back from the packed `k_keys` (NULL on owned rows). */
export function scanKeyValueSql(index: number): string {
  return `replace(split_part(k_keys, ${SCAN_SEPARATOR}, ${index + 1}), ${SCAN_ESCAPED_US}, chr(31))`;
}

/**
 * The scan's exact sum of the cost of the line items no service owns (the matches and the coverage add it up; owned
 * line items keep the plain query's sum only). `TRY_CAST`: a cost that is not a finite number is left to the cost
 * table's check.
 */
export const SCAN_EXACT_SUM = 'SUM(CASE WHEN k_keys IS NOT NULL THEN TRY_CAST(cost AS DECIMAL(38, 18)) END) AS exact_amount';

/**
 * `service`, `group_value` (the grouped tag, the dimension's column, or the service itself) and, by day or month,
 * `usage_date`: the start of every schema's `costBy` (and, with `scan`, the scan's keys).
 */
export function groupColumnsOf(schema: CostSchema<any>, q: ResolvedQuery, dimension: CostDimension | undefined,
  scan?: ScanKeys): GroupColumns {
  const inner = [`COALESCE(${q.tag(q.keys.service)}, '') AS service`];
  const keys = ['service'];
  // Grouped by service, the group is the service: read and group the map value once.
  const ownGroup = q.groupBy !== CostGrouping.SERVICE || dimension !== undefined;
  const selected = ownGroup ? ['service', 'group_value'] : ['service', 'service AS group_value'];
  if (dimension !== undefined) {
    inner.push(`COALESCE(CAST(${dimensionColumnOf(schema, dimension)} AS VARCHAR), '') AS group_value`);
    keys.push('group_value');
  } else if (q.groupBy !== CostGrouping.SERVICE) {
    inner.push(`COALESCE(${q.tag(q.groupKey)}, '') AS group_value`);
    keys.push('group_value');
  }
  if (q.daily || q.monthly) {
    selected.push('usage_date');
    inner.push(q.monthly ? `CAST(date_trunc('month', ${schema.timeColumn}) AS DATE) AS usage_date`
      : `CAST(${schema.timeColumn} AS DATE) AS usage_date`);
    keys.push('usage_date');
  }
  const extra = scanKeyColumns(q, scan);
  inner.push(...extra.inner);
  keys.push(...extra.keys);
  selected.push(...extra.keys);
  return { inner, keys, selected };
}

/** One scan, one aggregation: `SELECT outer FROM (SELECT inner FROM table WHERE ...) AS alias GROUP BY keys` (no ORDER BY). */
export function aggregateLines(schema: CostSchema<any>, q: ResolvedQuery, outer: readonly string[], inner: readonly string[],
  keys: readonly string[]): string[] {
  return [
    'SELECT',
    `  ${outer.join(',\n  ')}`,
    'FROM (',
    '  SELECT',
    `    ${inner.join(',\n    ')}`,
    `  FROM ${q.table}`,
    ...q.where.map((w) => `  ${w}`),
    `) AS ${schema.rowsAlias}`,
    `GROUP BY ${keys.join(', ')}`,
  ];
}

/** An unknown enum value: `<owner>: <field> is "x": accepted values are a, b, c`. */
export function refuseValue(schema: CostSchema<any>, field: string, value: unknown, accepted: readonly string[]): never {
  throw new Error(`${schema.owner}: ${field} is ${JSON.stringify(value)}: accepted values are ${accepted.join(', ')}`);
}

function checkTable(schema: CostSchema<any>, table: string, method: string): void {
  if (typeof table !== 'string' || table.trim().length === 0 || table.includes(';')) {
    throw new Error(`${schema.owner}.${method}: table is ${JSON.stringify(table)}: expected a table name or table expression without ';'`);
  }
}

function checkDialect(schema: CostSchema<any>, dialect: SqlDialect, method: string): SqlDialect {
  if (!Object.values(SqlDialect).includes(dialect)) {
    throw new Error(`${schema.owner}.${method}: dialect is ${JSON.stringify(dialect)}: accepted values are ${Object.values(SqlDialect).join(', ')}`);
  }
  return dialect;
}

function checkDate(schema: CostSchema<any>, value: string, field: string, method: string): string {
  if (typeof value === 'string' && isIsoDate(value)) {
    return value;
  }
  throw new Error(`${schema.owner}.${method}: ${field} is ${JSON.stringify(value)}: expected a calendar date YYYY-MM-DD`);
}

/** What differs between the named queries of two schemas: names, descriptions and the SQL of each. */
export interface NamedQueriesSpec {
  /** Prefix of the names (`''`, `focus-`). */
  readonly prefix: string;
  readonly costDescription: (groupBy: CostGrouping) => string;
  readonly costBy: (groupBy: CostGrouping) => string;
  readonly untaggedDescription: string;
  readonly untaggedShare: () => string;
}

/** Cost per customer-value field (in `CostGrouping` order), then the untagged share. */
export function namedQueriesOf(spec: NamedQueriesSpec): NamedQuery[] {
  return [
    ...Object.values(CostGrouping).map((groupBy) => ({
      name: `${spec.prefix}cost-per-${groupBy}`,
      description: spec.costDescription(groupBy),
      queryString: spec.costBy(groupBy),
    })),
    { name: `${spec.prefix}untagged-share`, description: spec.untaggedDescription, queryString: spec.untaggedShare() },
  ];
}
