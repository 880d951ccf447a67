import { FILE_COLUMN } from './cur-view';
import { DuckDbSession } from './duckdb-loader';
import { Decimal } from '../../private/decimal';
import { CostQuery } from '../query';
import { CostSchema } from '../schemas/schema';

/**
 * Rows without a date (a CUR 2.0 line item whose `line_item_usage_start_date` is empty, a FOCUS row whose
 * `ChargePeriodStart` is empty) belong to no day, so a report by period leaves them out, and their cost with them.
 * They are never dropped silently: this finds them with one query of the date and cost columns (nearly free on
 * Parquet, whose statistics say where no value is missing) and says how many there are, what they cost per currency
 * and in which file.
 */
export interface UndatedQuery {
  /** The view the source reads (one row per line item / charge). */
  readonly view: string;
  /** The schema of its rows: their date column (`timeColumn`) and currency column. */
  readonly schema: Pick<CostSchema, 'timeColumn' | 'currencyColumn'>;
  /** The SQL expression of the reported cost, e.g. the `--metric` column. */
  readonly amount: string;
  /** What a row is called, e.g. `line item`, `FOCUS row` (an `s` makes the plural). */
  readonly row: string;
  /** How the data is named, e.g. the path given. */
  readonly where: string;
}

/** The result rows of a cost query (`CurQueries.costBy`, `FocusQueries.costBy`, daily or monthly). */
type ResultRow = Record<string, unknown>;

/**
 * Whether a DuckDB file source reads every row in its one scan (`everyRow`: CSV, which has no statistics to skip rows
 * by: the date filter saves nothing, and the scan also finds the rows without a date) or filters by date (Parquet: row
 * groups outside the period are skipped, and its statistics make the query for rows without a date nearly free).
 */
export function readsEveryRow(format: string): boolean {
  return format === 'csv';
}

/**
 * The rows of the query's period from a cost query's result, and the warning about rows without a date: from the
 * result itself when the query read every row (`everyRow`: its rows with a null `usage_date`), else from one query
 * of the view.
 */
export async function periodRows(session: DuckDbSession, q: UndatedQuery, scanned: readonly ResultRow[], query: CostQuery,
  everyRow: boolean): Promise<{ rows: ResultRow[]; undated?: string }> {
  if (!everyRow) {
    return { rows: [...scanned], undated: await undatedWarning(session, q) };
  }
  const dated = (r: ResultRow) => r.usage_date !== null && r.usage_date !== undefined;
  const from = query.granularity === 'month' ? `${query.from.slice(0, 7)}-01` : query.from;
  return {
    rows: scanned.filter((r) => dated(r) && String(r.usage_date) >= from && String(r.usage_date) < query.to),
    undated: await undatedFromRows(session, q, scanned.filter((r) => !dated(r))),
  };
}

/** The warning about the rows without a date, or undefined when every row has one (one query of the view). */
export async function undatedWarning(session: DuckDbSession, q: UndatedQuery): Promise<string | undefined> {
  const found = await session.rows(`SELECT CAST(${q.schema.currencyColumn} AS VARCHAR) AS currency, count(*) AS n, CAST(sum(${q.amount}) AS VARCHAR) AS total
    FROM ${q.view} WHERE ${q.schema.timeColumn} IS NULL GROUP BY 1 ORDER BY 1`);
  return found.length === 0 ? undefined : message(session, q, found.map((r) => ({ currency: r.currency, rows: r.n, amount: r.total })));
}

/**
 * The same warning from the result rows of a cost query run over every row of the files (no date filter), whose
 * `usage_date` is null for rows without a date: no more scan, unless there are some (then one, for a file to name).
 */
export async function undatedFromRows(session: DuckDbSession, q: UndatedQuery,
  undated: ReadonlyArray<Record<string, unknown>>): Promise<string | undefined> {
  if (undated.length === 0) {
    return undefined;
  }
  const byCurrency = new Map<string, { rows: number; amount: Decimal }>();
  for (const r of undated) {
    const c = byCurrency.get(String(r.currency ?? '')) ?? { rows: 0, amount: Decimal.ZERO };
    c.rows += Number(r.line_items ?? 0);
    c.amount = c.amount.plus(Decimal.parse(String(r.amount ?? '0')) ?? Decimal.ZERO);
    byCurrency.set(String(r.currency ?? ''), c);
  }
  return message(session, q, [...byCurrency].sort().map(([currency, c]) => ({ currency, rows: c.rows, amount: c.amount.toString() })));
}

/** Rows without a date in one currency: how many, and their amount as decimal text. */
interface Undated {
  readonly currency: unknown;
  readonly rows: unknown;
  readonly amount: unknown;
}

async function message(session: DuckDbSession, q: UndatedQuery, found: Undated[]): Promise<string> {
  const [first] = await session.rows(`SELECT min(${FILE_COLUMN}) AS file FROM ${q.view} WHERE ${q.schema.timeColumn} IS NULL`);
  const count = found.reduce((n, r) => n + Number(r.rows), 0);
  const amounts = found.map((r) => `${Decimal.parse(String(r.amount ?? '0'))?.toFixed(2) ?? String(r.amount)} ${r.currency || '(no currency)'}`);
  return `${count} ${q.row}${count === 1 ? '' : 's'} of ${q.where} ${count === 1 ? 'has' : 'have'} no ${q.schema.timeColumn} (${amounts.join(', ')}; `
    + `e.g. in ${String(first?.file)}): without a date they belong to no period, so they are left out of this report with their cost; fix `
    + 'the data, or ask its provider';
}
