import { AttributionPlan, CUR_RULE_COLUMNS, CUR_RULE_SOURCE_COLUMNS, FOCUS_RULE_COLUMNS, FOCUS_RULE_SOURCE_COLUMNS, matchSql, ruleColumnsOf } from './rules';
import { Decimal } from '../../private/decimal';
import { CostDataError } from '../errors';
import { groupTagKey } from '../grouping';
import { RuleMatch, CostQuery } from '../query';
import { CostGrouping, SqlDialect } from '../query-terms';
import { CostSchema } from '../schemas/schema';
import { mapValueSql } from '../schemas/sql-util';
import { DuckDbSession } from '../sources/duckdb-loader';

/**
 * The attribution rules on the file sources (CUR 2.0 and FOCUS files through DuckDB): the columns their view selects
 * for the rules, and the one extra scan of the untagged line items that tells what each rule matched.
 */

/** The FOCUS text columns the view adds when rules are declared (absent columns read as NULL). */
export const FOCUS_RULE_TEXT_COLUMNS = FOCUS_RULE_SOURCE_COLUMNS;

/** The CUR 2.0 columns the view must select for the rules; refuses files without them, naming the columns. */
export function curRuleColumns(query: CostQuery, columns: { has(c: string): boolean }, where: string): string[] {
  if (!query.attribution || query.attribution.rules.length === 0) {
    return [];
  }
  const missing = CUR_RULE_SOURCE_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    throw new CostDataError(`${where} cannot be matched against the attribution rules: missing column${missing.length === 1 ? '' : 's'} `
      + `${missing.join(', ')} (CUR 2.0 names; the CostAndUsageExport construct selects them all, with INCLUDE_RESOURCES for `
      + 'line_item_resource_id)');
  }
  return CUR_RULE_SOURCE_COLUMNS;
}

/** Where the match query runs. */
export interface MatchTarget {
  readonly view: string;
  readonly schema: CostSchema<any>;
  /** The metric's SQL expression. */
  readonly cost: string;
  readonly provider?: string;
}

/**
 * The match query of a source (files through DuckDB, tables in Athena): the schema's rule columns and the untagged
 * condition (the service key absent or empty, as the cost query reads it), in the source's dialect.
 */
export function sourceMatchSql(plan: AttributionPlan, query: CostQuery, t: MatchTarget, dialect: SqlDialect = SqlDialect.DUCKDB,
  where?: readonly string[]): { sql: string; warnings: string[] } {
  return matchSql(plan, {
    view: t.view,
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
  });
}

/** What each rule matched in the period (undefined when the query has no rules). */
export async function fileSourceMatches(session: DuckDbSession, query: CostQuery, t: MatchTarget)
  : Promise<{ matches: RuleMatch[]; warnings: string[] } | undefined> {
  const plan = query.attribution;
  if (!plan || plan.rules.length === 0) {
    return undefined;
  }
  const { sql, warnings } = sourceMatchSql(plan, query, t);
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
