import { SqlDialect } from '../query-terms';

/** A SQL string literal (single quotes doubled), for DuckDB and Athena alike. */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The value of a map column under a key (NULL when absent), in a dialect: Athena (Trino) `element_at(map, key)` (its
 * subscript fails on a missing key), DuckDB `map[key]` (its `element_at` returns a list). The one place the two differ
 * for tags.
 */
export function mapValueSql(column: string, key: string, dialect: SqlDialect): string {
  return dialect === SqlDialect.ATHENA ? `element_at(${column}, ${sqlLiteral(key)})` : `${column}[${sqlLiteral(key)}]`;
}

/** A timestamp's day as text `YYYY-MM-DD`, in a dialect (DuckDB `strftime`, Athena a cast of the date). */
export function dayTextSql(timestamp: string, dialect: SqlDialect): string {
  return dialect === SqlDialect.ATHENA ? `CAST(CAST(${timestamp} AS DATE) AS VARCHAR)` : `strftime(CAST(${timestamp} AS DATE), '%Y-%m-%d')`;
}

/** The billing period (YYYY-MM) of the day before `to` (the last month an exclusive end date reaches). */
export function lastMonthBefore(to: string): string {
  const d = new Date(`${to}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 7);
}

/** The parts of the untagged-share query that differ between the CUR 2.0 and FOCUS schemas. */
export interface UntaggedShareParts {
  /** The currency column. */
  readonly currency: string;
  /** `... AS untagged`: 1 when the grouped tag is missing or empty. */
  readonly untagged: string;
  /** `... AS resource`: 0 for the charges that belong to no resource (tax, credits...). */
  readonly resource: string;
  /** The cost column of the metric. */
  readonly metric: string;
  readonly table: string;
  readonly where: readonly string[];
  /** The inner query's alias. */
  readonly alias: string;
}

/**
 * Tagged versus untagged spend per currency, the same for both schemas (`CurQueries.untaggedShare`,
 * `FocusQueries.untaggedShare`). Columns: `currency`, `amount`, `untagged_amount`, `resource_amount`,
 * `untagged_resource_amount`, `line_items`, `untagged_line_items`.
 */
export function untaggedShareSql(p: UntaggedShareParts): string {
  return [
    'SELECT',
    '  currency,',
    '  SUM(cost) AS amount,',
    '  SUM(CASE WHEN untagged = 1 THEN cost ELSE 0 END) AS untagged_amount,',
    '  SUM(CASE WHEN resource = 1 THEN cost ELSE 0 END) AS resource_amount,',
    '  SUM(CASE WHEN resource = 1 AND untagged = 1 THEN cost ELSE 0 END) AS untagged_resource_amount,',
    '  COUNT(*) AS line_items,',
    '  SUM(untagged) AS untagged_line_items',
    'FROM (',
    '  SELECT',
    `    ${p.currency} AS currency,`,
    `    ${p.untagged},`,
    `    ${p.resource},`,
    `    ${p.metric} AS cost`,
    `  FROM ${p.table}`,
    ...p.where.map((w) => `  ${w}`),
    `) AS ${p.alias}`,
    'GROUP BY currency',
    'ORDER BY currency',
  ].join('\n');
}

/**
 * The keys of a tag map column with the rows carrying each (`tag_key`, `line_items`), optionally filtered on
 * `tag_key`. The same text runs on both engines: DuckDB accepts Trino's CROSS JOIN UNNEST ... AS t (column).
 */
export function tagKeysSql(table: string, column: string, where?: string): string {
  return [
    'SELECT tag_key, COUNT(*) AS line_items',
    `FROM ${table}`,
    `CROSS JOIN UNNEST(map_keys(${column})) AS t (tag_key)`,
    ...(where ? [`WHERE ${where}`] : []),
    'GROUP BY tag_key',
    'ORDER BY tag_key',
  ].join('\n');
}

/**
 * A dimension (`CostDimension`) replaces the grouped tag of a cost query: it must be one of `accepted`, and the
 * query's `groupBy` the service tag (which is read in both cases).
 */
export function checkDimension(dimension: string | undefined, accepted: readonly string[], groupByService: boolean, where: string): void {
  if (dimension === undefined) {
    return;
  }
  if (!accepted.includes(dimension)) {
    throw new Error(`${where}: dimension is ${JSON.stringify(dimension)}: accepted values are ${accepted.join(', ')}`);
  }
  if (!groupByService) {
    throw new Error(`${where}: dimension ${dimension} replaces the grouped tag: pass groupBy CostGrouping.SERVICE (the service tag is read in both cases)`);
  }
}
