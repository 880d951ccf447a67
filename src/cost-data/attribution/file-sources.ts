import {
  AttributionPlan, coverageSql, criterionFields, CUR_RULE_COLUMNS, CUR_RULE_SOURCE_COLUMNS, FOCUS_RULE_COLUMNS, FOCUS_RULE_SOURCE_COLUMNS,
  MatchQueryParts, matchSql, RuleColumns, ruleColumnsOf,
} from './rules';
import { Decimal } from '../../private/decimal';
import { CostDataError } from '../errors';
import { groupTagKey } from '../grouping';
import { CostQuery, CoverageScan, RuleMatch } from '../query';
import { CostGrouping, SqlDialect } from '../query-terms';
import { CostSchema, ScanKeys, scanKeyValueSql } from '../schemas/schema';
import { mapValueSql } from '../schemas/sql-util';
import { DuckDbSession } from '../sources/duckdb-loader';

/**
 * The attribution rules and the coverage on the file sources (CUR 2.0 and FOCUS files through DuckDB): the columns
 * their view selects for them, and the one scan of the files that gives the cost rows, what each rule matched and the
 * coverage's items (`runScan`); the match query in Athena's dialect (`sourceMatchSql`).
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
    ...(groupedByTag(query)
      ? { group: mapValueSql(t.schema.tagColumn, t.schema.tagMapKey(groupTagKey(query.groupBy, query.tagKeys)), dialect) } : {}),
    from: query.from,
    to: query.to,
    dialect,
    ...(where ? { where } : {}),
  };
}

/** Whether a query's cost table is grouped by another tag than the service's (the matches are then per value of it). */
function groupedByTag(query: CostQuery): boolean {
  return query.groupBy !== CostGrouping.SERVICE && query.dimension === undefined;
}

// ------------------------------------------------------------------------ the one scan (cost, rules, coverage)

/**
 * The table the file sources' one scan makes (docs/attribution.md section 7): the cost query's aggregate with the line
 * items no service owns also grouped by the columns the rules and the coverage read (`ScanKeys`). The cost rows, the
 * rules' matches and the coverage's items are read from it, so the files are read once for all three.
 */
export const SCAN_TABLE = 'cv_scan';

/** The criteria a scan key holds, with the name of its `k_` column (the charge category: `k_category`). */
type ScanField = Exclude<keyof RuleColumns, 'label'>;

const SCAN_KEY_NAMES: Record<ScanField, string> = {
  account: 'account',
  stack: 'stack',
  serviceCode: 'product',
  usageType: 'usage_type',
  resource: 'resource',
  recordType: 'category',
  chargeCategory: 'category',
  billingEntity: 'billing_entity',
};

/**
 * The keys of the one scan for a query over a schema (undefined when the query has neither rules nor coverage: the
 * plain cost query runs): the columns the rules read (`criterionFields`: the resource id only for a resource rule),
 * the charge category (what the match and the coverage tell non-resource charges by), and for coverage every column
 * of its items (resource, account, region, product, usage type, stack). Owned line items (a service tag; for coverage,
 * a declared one) keep NULL keys, so they group as in the plain query.
 */
export function scanKeysOf(query: CostQuery, schema: CostSchema<any>, region?: string): ScanKeys | undefined {
  const plan = query.attribution && query.attribution.rules.length > 0 ? query.attribution : undefined;
  if (!plan && !query.coverage) {
    return undefined;
  }
  const columns = ruleColumnsOf(schema.label === 'CUR 2.0' ? 'CUR 2.0' : 'FOCUS', SqlDialect.DUCKDB);
  const fields = new Set<ScanField>(plan ? criterionFields(plan, columns) : []);
  if (query.coverage) {
    for (const f of ['account', 'stack', 'serviceCode', 'usageType', 'resource'] as const) {
      fields.add(f);
    }
  }
  const keys = new Map<string, string>([['category', schema.categoryColumn]]);
  for (const f of ['account', 'stack', 'serviceCode', 'usageType', 'resource', 'billingEntity'] as const) {
    const expression = columns[f];
    if (fields.has(f) && expression !== undefined) {
      keys.set(SCAN_KEY_NAMES[f], expression);
    }
  }
  if (query.coverage && region) {
    keys.set('region', region);
  }
  return {
    keys: [...keys].map(([name, expression]) => ({ name, expression })),
    ...(query.coverage ? { declaredServices: query.coverage.declaredServices } : {}),
  };
}

/** What the derived queries read from the scan table. */
export interface ScanTarget {
  readonly schema: CostSchema<any>;
  /** Whether the scan's provider column is there (FOCUS). */
  readonly provider: boolean;
  /** Whether its `usage_date` is the month's first day (a cost query by month). @default false */
  readonly monthly?: boolean;
  /** The view the scan read: the coverage's probe for the stack key reads it. */
  readonly view: string;
  /** The scan's keys (`scanKeysOf`). */
  readonly scan: ScanKeys;
}

/** The parts of the match and coverage queries on the scan table: the `k_` keys, the exact cost and the line items. */
function scanParts(query: CostQuery, t: ScanTarget): MatchQueryParts {
  const keys = new Set(t.scan.keys.map((k) => k.name));
  const label = t.schema.label === 'CUR 2.0' ? 'CUR 2.0' : 'FOCUS';
  const raw = ruleColumnsOf(label, SqlDialect.DUCKDB);
  const key = (f: ScanField) => (keys.has(SCAN_KEY_NAMES[f]) ? `k_${SCAN_KEY_NAMES[f]}` : 'NULL');
  const columns: RuleColumns = {
    label,
    account: key('account'),
    stack: key('stack'),
    serviceCode: key('serviceCode'),
    usageType: key('usageType'),
    resource: key('resource'),
    ...(raw.recordType !== undefined ? { recordType: key('recordType') } : {}),
    ...(raw.chargeCategory !== undefined ? { chargeCategory: key('chargeCategory') } : {}),
    ...(raw.billingEntity !== undefined ? { billingEntity: key('billingEntity') } : {}),
  };
  return {
    view: SCAN_TABLE,
    columns,
    serviceTag: 'service',
    time: 'usage_date',
    currency: 'currency',
    cost: 'exact_amount',
    lineItems: 'line_items',
    category: 'k_category',
    nonResource: t.schema.nonResourceCategories,
    ...(t.provider ? { provider: 'provider' } : {}),
    ...(groupedByTag(query) ? { group: 'group_value' } : {}),
    // a scan by month dates its rows on the month's first day
    from: t.monthly ? `${query.from.slice(0, 7)}-01` : query.from,
    to: query.to,
    dialect: SqlDialect.DUCKDB,
  };
}

/**
 * Runs the scan (`costSql`: the source's cost query with `scanKeysOf`'s keys) into the scan table, and returns the cost
 * query's rows summed from it: the same columns and rows as the plain query. The rows of owned line items are the plain
 * query's groups, unchanged (one scan row each); the others' `amount` is the exact sum of their line items, as text
 * (when every cost is a finite number; the cost table refuses the others as from the plain query), so the matches and
 * the coverage, exact sums of the same line items, add up to it exactly.
 */
export async function runScan(session: DuckDbSession, costSql: string, scan: ScanKeys, progress: (percentage: number) => void,
  intervalMs: number): Promise<Array<Record<string, unknown>>> {
  await session.rowsWithProgress(`CREATE OR REPLACE TEMP TABLE ${SCAN_TABLE}_packed AS ${costSql}`, progress, intervalMs);
  // each key's value read back once per group of the aggregate (a few per thousand line items)
  await session.run(`CREATE OR REPLACE TEMP TABLE ${SCAN_TABLE} AS SELECT *, `
    + `${scan.keys.map((k, i) => `${scanKeyValueSql(i)} AS k_${k.name}`).join(', ')} FROM ${SCAN_TABLE}_packed`);
  const described = await session.rows(`DESCRIBE ${SCAN_TABLE}`);
  const numeric = /^(DOUBLE|FLOAT|REAL|DECIMAL|BIGINT|HUGEINT|INTEGER|SMALLINT|TINYINT|UBIGINT|UINTEGER|UHUGEINT)/i;
  const keys: string[] = [];
  const outer: string[] = [];
  for (const c of described) {
    const name = String(c.column_name);
    const type = String(c.column_type);
    if (name.startsWith('k_') || name === 'exact_amount') {
      continue;
    }
    if (name === 'amount') {
      outer.push('SUM(amount) AS amount', 'CASE WHEN COUNT(exact_amount) = COUNT(*) THEN CAST(SUM(exact_amount) AS VARCHAR) END AS exact_text');
    } else if (name === 'estimated') {
      outer.push('MAX(estimated) AS estimated');
    } else if (name === 'tag_keys') {
      outer.push('any_value(tag_keys) AS tag_keys');
    } else if (numeric.test(type)) {
      outer.push(`SUM(${name}) AS ${name}`);
    } else {
      keys.push(name);
      outer.push(name);
    }
  }
  const rows = await session.rows(`SELECT ${outer.join(', ')} FROM ${SCAN_TABLE} GROUP BY ALL ORDER BY SUM(amount) DESC${keys.map((k) => `, ${k}`).join('')}`);
  return rows.map(({ exact_text: exact, ...r }) =>
    (exact !== null && exact !== undefined && Number.isFinite(Number(r.amount)) ? { ...r, amount: exact } : r));
}

/** The match query of a source (files through DuckDB, tables in Athena), in the source's dialect. */
export function sourceMatchSql(plan: AttributionPlan, query: CostQuery, t: MatchTarget, dialect: SqlDialect = SqlDialect.DUCKDB,
  where?: readonly string[]): { sql: string; warnings: string[] } {
  return matchSql(plan, queryParts(query, t, t.view, dialect, where));
}

/** What each rule matched in the period (undefined when the query has no rules), from the scan table (`runScan`). */
export async function fileSourceMatches(session: DuckDbSession, query: CostQuery, t: ScanTarget)
  : Promise<{ matches: RuleMatch[]; warnings: string[] } | undefined> {
  const plan = query.attribution;
  if (!plan || plan.rules.length === 0) {
    return undefined;
  }
  const { sql, warnings } = matchSql(plan, scanParts(query, t));
  const mapped = matchesOfRows(await session.rows(sql), plan.rules.length, t.provider);
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
 * product, usage type, stack and type over the period; and whether any line item of the period holds the stack key.
 * One aggregation of the scan table (`runScan`: the files are not read again), and a probe of the view that stops at
 * the first line item with a stack tag (a whole pass only when no line item has one). Undefined when the query does
 * not ask for coverage.
 */
export async function fileSourceCoverage(session: DuckDbSession, query: CostQuery, t: ScanTarget): Promise<CoverageScan | undefined> {
  if (!query.coverage) {
    return undefined;
  }
  const parts = scanParts(query, t);
  const raw = ruleColumnsOf(t.schema.label === 'CUR 2.0' ? 'CUR 2.0' : 'FOCUS', SqlDialect.DUCKDB);
  const sql = coverageSql({ rules: query.attribution?.rules ?? [], declaredStacks: query.coverage.declaredStacks }, parts, {
    declaredServices: query.coverage.declaredServices,
    region: t.scan.keys.some((k) => k.name === 'region') ? 'k_region' : undefined,
    itemType: 'k_category',
    probeView: t.view,
    probe: { stack: raw.stack, time: t.schema.timeColumn, from: query.from },
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
    stackColumn: raw.stack,
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
