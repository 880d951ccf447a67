import {
  AttributionPlan, coverageSql, CUR_RULE_COLUMNS, CUR_RULE_SOURCE_COLUMNS, FOCUS_RULE_COLUMNS, FOCUS_RULE_SOURCE_COLUMNS, MatchQueryParts, matchSql,
  ruleColumnsOf,
} from './rules';
import { Decimal } from '../../private/decimal';
import { CostDataError } from '../errors';
import { groupTagKey } from '../grouping';
import { CostQuery, CoverageScan, RuleMatch } from '../query';
import { CostGrouping, SqlDialect } from '../query-terms';
import { CostSchema } from '../schemas/schema';
import { mapValueSql, sqlLiteral } from '../schemas/sql-util';
import { DuckDbSession } from '../sources/duckdb-loader';

/**
 * The attribution rules on the file sources (CUR 2.0 and FOCUS files through DuckDB): the columns their view selects
 * for the rules, and the one extra scan of the untagged line items that tells what each rule matched.
 */

/** The FOCUS text columns the view adds when rules are declared (absent columns read as NULL). */
export const FOCUS_RULE_TEXT_COLUMNS = FOCUS_RULE_SOURCE_COLUMNS;

/** The CUR 2.0 columns the view must select for the rules; refuses files without them, naming the columns. */
export function curRuleColumns(query: CostQuery, columns: { has(c: string): boolean }, where: string): string[] {
  if ((!query.attribution || query.attribution.rules.length === 0) && !query.coverage) {
    return [];
  }
  const missing = CUR_RULE_SOURCE_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    throw new CostDataError(`${where} cannot be matched against the attribution rules${query.coverage ? ' (coverage)' : ''}: missing column${missing.length === 1 ? '' : 's'} `
      + `${missing.join(', ')} (CUR 2.0 names; the CostAndUsageExport construct selects them all, with INCLUDE_RESOURCES for `
      + 'line_item_resource_id)');
  }
  // the region is optional for coverage (its resources table shows it when the export has it)
  return [...CUR_RULE_SOURCE_COLUMNS, ...(query.coverage && columns.has(CUR_REGION_COLUMN) ? [CUR_REGION_COLUMN] : [])];
}

/** CUR 2.0's region column (coverage's resources table). */
export const CUR_REGION_COLUMN = 'product_region_code';

/** The FOCUS text columns the view adds for the rules or the coverage scan. */
export function focusRuleTextColumns(query: CostQuery): string[] {
  const rules = query.attribution !== undefined && query.attribution.rules.length > 0;
  return [...(rules || query.coverage ? FOCUS_RULE_TEXT_COLUMNS : []), ...(query.coverage ? ['RegionId'] : [])];
}

/** Where the match query runs. */
export interface MatchTarget {
  readonly view: string;
  readonly schema: CostSchema<any>;
  /** The metric's SQL expression. */
  readonly cost: string;
  readonly provider?: string;
  /** Copy the unowned line items once for the match and coverage scans (text files; see `scanSource`). @default false */
  readonly materialize?: boolean;
}

/** The temporary table of a session's line items no declared service owns, once made (coverage only). */
const UNOWNED = new WeakMap<DuckDbSession, string>();
const UNOWNED_TABLE = 'cv_unowned_items';

/**
 * Where the match and coverage scans read: the view; or, when the query asks for coverage and the files are text
 * (`materialize`), a temporary table of the period's line items without a declared service tag (untagged, or an
 * undeclared value), made with one pass over the view, so both scans aggregate the same rows instead of parsing the
 * files twice. Measured (CPU time, 2 runs, `process.cpuUsage`): on 500,000 CSV line items with 20 % unowned, coverage
 * took 5.2 s with the table and 6.7 s with two passes; on 1,000,000 Parquet line items, 1.7 s with the table and 1.3 s
 * with two passes (Parquet is read by column and filtered cheaply; copying the rows costs more than a second read).
 */
async function scanSource(session: DuckDbSession, query: CostQuery, t: MatchTarget): Promise<string> {
  if (!query.coverage || !t.materialize) {
    return t.view;
  }
  const made = UNOWNED.get(session);
  if (made) {
    return made;
  }
  const tag = `COALESCE(CAST(${t.schema.tagColumn}[${sqlLiteral(t.schema.tagMapKey(query.tagKeys.service))}] AS VARCHAR), '')`;
  const declared = query.coverage.declaredServices;
  const owned = declared.length === 0 ? 'FALSE' : `${tag} IN (${declared.map(sqlLiteral).join(', ')})`;
  await session.run(`CREATE OR REPLACE TEMP TABLE ${UNOWNED_TABLE} AS SELECT * FROM ${t.view} WHERE NOT (${owned})
    AND ${t.schema.timeColumn} >= TIMESTAMP '${query.from} 00:00:00' AND ${t.schema.timeColumn} < TIMESTAMP '${query.to} 00:00:00'`);
  UNOWNED.set(session, UNOWNED_TABLE);
  return UNOWNED_TABLE;
}

/**
 * The parts of a match or coverage query on `view` (files through DuckDB, tables in Athena): the schema's rule columns
 * and the untagged condition (the service key absent or empty, as the cost query reads it), in the source's dialect.
 */
function queryParts(query: CostQuery, t: MatchTarget, view: string, dialect: SqlDialect = SqlDialect.DUCKDB,
  where?: readonly string[]): MatchQueryParts {
  return {
    view,
    columns: ruleColumnsOf(t.schema.label === 'CUR 2.0' ? 'CUR 2.0' : 'FOCUS', dialect),
    serviceTag: mapValueSql(t.schema.tagColumn, t.schema.tagMapKey(query.tagKeys.service), dialect),
    time: t.schema.timeColumn,
    currency: t.schema.currencyColumn,
    cost: t.cost,
    category: t.schema.categoryColumn,
    nonResource: t.schema.nonResourceCategories,
    provider: t.provider,
    // grouped by another tag (the review: the business unit), the matches are per value of it
    ...(query.groupBy !== CostGrouping.SERVICE && query.dimension === undefined
      ? { group: mapValueSql(t.schema.tagColumn, t.schema.tagMapKey(groupTagKey(query.groupBy, query.tagKeys)), dialect) } : {}),
    from: query.from,
    to: query.to,
    dialect,
    ...(where ? { where } : {}),
  };
}

/** The match query of a source (files through DuckDB, tables in Athena), in the source's dialect. */
export function sourceMatchSql(plan: AttributionPlan, query: CostQuery, t: MatchTarget, dialect: SqlDialect = SqlDialect.DUCKDB,
  where?: readonly string[]): { sql: string; warnings: string[] } {
  return matchSql(plan, queryParts(query, t, t.view, dialect, where));
}

/** What each rule matched in the period (undefined when the query has no rules). */
export async function fileSourceMatches(session: DuckDbSession, query: CostQuery, t: MatchTarget)
  : Promise<{ matches: RuleMatch[]; warnings: string[] } | undefined> {
  const plan = query.attribution;
  if (!plan || plan.rules.length === 0) {
    return undefined;
  }
  const { sql, warnings } = matchSql(plan, queryParts(query, t, await scanSource(session, query, t)));
  const mapped = matchesOfRows(await session.rows(sql), plan.rules.length, t.provider !== undefined);
  // a cost table by month (the review's): its matches by month too
  return { matches: query.granularity === 'month' ? matchesByMonth(mapped) : mapped, warnings };
}

/**
 * The rows of a match query (`matchSql`, read by DuckDB or returned by Athena as text) as `RuleMatch`es: amounts exact
 * decimals from their text, the overlap with later rules from the `also_` columns.
 */
export function matchesOfRows(rows: ReadonlyArray<Record<string, unknown>>, ruleCount: number, provider: boolean): RuleMatch[] {
  return rows.map((r) => ({
    rule: Number(r.rule_index),
    stack: String(r.stack ?? ''),
    day: String(r.usage_date),
    currency: String(r.currency ?? ''),
    ...(provider ? { provider: String(r.provider ?? '') } : {}),
    ...('group_value' in r ? { group: String(r.group_value ?? '') } : {}),
    amount: Decimal.of(String(r.amount)),
    nonResource: Decimal.of(String(r.non_resource)),
    also: Array.from({ length: ruleCount }, (_x, j) => j)
      .filter((j) => j > Number(r.rule_index) && Number(r[`also_count_${j}`] ?? 0) > 0)
      .map((j) => ({ rule: j, amount: Decimal.of(String(r[`also_amount_${j}`])) })),
  }));
}

/** Matches by calendar month (`day` the month's first day), for a cost table whose rows are by month (the review's query). */
export function matchesByMonth(matches: readonly RuleMatch[]): RuleMatch[] {
  return matches.map((m) => ({ ...m, day: `${m.day.slice(0, 7)}-01` }));
}

/**
 * The coverage scan (docs/attribution.md section 9): the line items of the period that no rule attributes (untagged,
 * no rule matches) or whose service tag holds a value no declaration carries, summed per resource, account, region,
 * product, usage type, stack and type over the period; and whether any line item of the period holds the stack key. One
 * aggregation over the table of unowned line items the match scan also reads (`scanSource`), and a probe of the view
 * that stops at the first line item with a stack tag (a whole pass only when no line item has one). Undefined when the
 * query does not ask for coverage.
 */
export async function fileSourceCoverage(session: DuckDbSession, query: CostQuery, t: MatchTarget & { region?: string })
  : Promise<CoverageScan | undefined> {
  if (!query.coverage) {
    return undefined;
  }
  const parts = queryParts(query, t, await scanSource(session, query, t));
  const columns = parts.columns;
  const sql = coverageSql({ rules: query.attribution?.rules ?? [], declaredStacks: query.coverage.declaredStacks }, parts, {
    declaredServices: query.coverage.declaredServices,
    region: t.region,
    itemType: columns.recordType ?? t.schema.categoryColumn,
    probeView: t.view,
  });
  const rows = await session.rows(sql.items);
  const [probe] = await session.rows(sql.stackKeyProbe);
  return {
    items: rows.map((r) => ({
      currency: String(r.currency ?? ''),
      ...(t.provider ? { provider: String(r.provider ?? '') } : {}),
      tag: String(r.tag ?? ''),
      resource: String(r.resource ?? ''),
      account: String(r.account ?? ''),
      region: String(r.region ?? ''),
      product: String(r.product ?? ''),
      usageType: String(r.usage_type ?? ''),
      stack: String(r.stack ?? ''),
      itemType: String(r.item_type ?? ''),
      nonResource: r.non_resource === true,
      amount: Decimal.of(String(r.amount)),
    })),
    stackKeyActive: probe !== undefined,
    stackColumn: columns.stack,
  };
}

/** The warnings a schema gives for rules it cannot fully apply (charge types it has no column for). */
export function fileSourceRuleWarnings(query: CostQuery, label: 'CUR 2.0' | 'FOCUS'): string[] {
  const plan = query.attribution;
  if (!plan || plan.rules.length === 0) {
    return [];
  }
  return matchSql(plan, {
    view: 'v',
    columns: label === 'CUR 2.0' ? CUR_RULE_COLUMNS : FOCUS_RULE_COLUMNS,
    serviceTag: 't',
    time: 't',
    currency: 'c',
    cost: 'c',
    category: 'c',
    nonResource: [],
    from: query.from,
    to: query.to,
  }).warnings;
}
