import { describePaths, formatBytes, listFiles, selectPeriod, singleFormat } from './cur-files';
import { absentTagKeys, curCostSql, curCostTable, curNotes, explainAbsentKeys } from './cur-query';
import { describe, readError, VIEW, viewSql } from './cur-view';
import { DuckDbSession, DuckDbSessionOptions } from './duckdb-loader';
import { CallLimits } from './limits';
import { CliError, CostQuery, CostResult, CostSource } from './types';
import { CurQueries, SqlDialect } from '../../billing/cur-sql';

export interface CurFileSourceOptions extends DuckDbSessionOptions {
  /** CUR 2.0 data: Parquet or CSV(.gz) files, export folders (with `BILLING_PERIOD=YYYY-MM` partitions) or globs. */
  readonly paths: string[];
  /**
   * How often progress is reported during the scan, in milliseconds.
   * @default 1000
   */
  readonly progressIntervalMs?: number;
  /** Deadline and cancellation: they interrupt the scan. @default - none */
  readonly limits?: CallLimits;
}

/**
 * Cost from CUR 2.0 files through DuckDB: the `customer-value cost --source cur PATH...` source.
 *
 * - Reads a file, a whole export folder (only the `BILLING_PERIOD=YYYY-MM` partitions that overlap the period) or a
 *   glob; Parquet and CSV / CSV.gz (where `resource_tags` is a JSON object string).
 * - A view gives `resource_tags` as `MAP(VARCHAR, VARCHAR)` and the usage date as a UTC `TIMESTAMP` for every
 *   format, so the same `CurQueries` SQL as Athena runs (one scan, one aggregation in DuckDB, no per-row JavaScript).
 * - Memory stays bounded (DuckDB streams the files; `memory_limit` with spilling to a temporary directory), so files
 *   larger than RAM work; progress goes to the callback.
 */
export class CurFileSource implements CostSource {
  constructor(private readonly options: CurFileSourceOptions) {}

  public async fetch(query: CostQuery, progress: (message: string) => void): Promise<CostResult> {
    const paths = this.options.paths;
    if (paths.length === 0) {
      throw new CliError('no CUR 2.0 data given: pass a Parquet or CSV(.gz) file, an export folder or a glob');
    }
    const session = await DuckDbSession.open(this.options);
    const limits = this.options.limits;
    if (limits) {
      session.interruptOn(limits);
    }
    try {
      const all = await listFiles(session, paths);
      const files = selectPeriod(all, query.from, query.to, paths);
      const format = singleFormat(files, paths);
      const bytes = files.reduce((s, f) => s + f.bytes, 0);
      const skipped = all.length - files.length;
      progress(`reading ${files.length} ${format === 'parquet' ? 'Parquet' : 'CSV'} file${files.length === 1 ? '' : 's'} (${formatBytes(bytes)})`
        + (skipped > 0 ? `, skipping ${skipped} outside ${query.from}..${query.to}` : ''));

      const schema = await describe(session, files, format, paths);
      const columns = schema.columns;
      const required = CurQueries.requiredColumns(query.metric);
      const missing = required.filter((c) => !columns.has(c));
      if (missing.length > 0) {
        throw new CliError(`${describePaths(paths)} is not a CUR 2.0 export this command can read: missing column${missing.length === 1 ? '' : 's'} `
          + `${missing.join(', ')} (CUR 2.0 names, e.g. line_item_unblended_cost; the CostAndUsageExport construct selects them all)`);
      }
      const estimated = columns.has('bill_invoice_id');
      const wanted = [...required, ...(estimated ? ['bill_invoice_id'] : [])];
      await session.connection.run(viewSql(files, format, wanted, schema));

      const sql = curCostSql(query, { table: VIEW, dialect: SqlDialect.DUCKDB, estimatedFlag: estimated });
      const raw = await session.rowsWithProgress(sql, (p) => progress(`scanning CUR line items: ${Math.floor(p)}%`),
        this.options.progressIntervalMs ?? 1000).catch((e) => {
        throw limits?.stoppedError(`scanning ${describePaths(paths)}`) ?? readError(e, paths);
      });

      if (raw.length === 0) {
        throw new CliError(await emptyPeriodMessage(session, query, paths));
      }
      const table = curCostTable(raw, query);
      const absent = absentTagKeys(query, table.rows);
      const notes = absent.length === 0 ? [] : explainAbsentKeys(query, absent, await tagKeysPresent(session), `in ${describePaths(paths)}`);
      notes.push(...curNotes(table));
      const periods = [...new Set(files.map((f) => f.billingPeriod).filter((p): p is string => p !== undefined))].sort();
      return {
        rows: table.rows,
        source: `CUR 2.0 files (${files.length} ${format === 'parquet' ? 'Parquet' : 'CSV'} file${files.length === 1 ? '' : 's'}`
          + `${periods.length > 0 ? `, billing period${periods.length === 1 ? '' : 's'} ${periods.join(', ')}` : ''})`,
        bytesScanned: bytes,
        notes,
      };
    } finally {
      session.close();
    }
  }
}

/** The user tag keys in `resource_tags` (one more scan, run only to explain a key that no row carries). */
async function tagKeysPresent(session: DuckDbSession): Promise<Set<string>> {
  return new Set((await session.rows(CurQueries.tagKeysPresent(VIEW, SqlDialect.DUCKDB))).map((r) => String(r.tag_key)));
}

/** Says which period the data covers when the asked one is empty. */
async function emptyPeriodMessage(session: DuckDbSession, query: CostQuery, paths: string[]): Promise<string> {
  const [span] = await session.rows(`SELECT CAST(CAST(min(line_item_usage_start_date) AS DATE) AS VARCHAR) AS first,
    CAST(CAST(max(line_item_usage_start_date) AS DATE) AS VARCHAR) AS last, count(*) AS n FROM ${VIEW}`);
  const covered = Number(span?.n ?? 0) === 0 ? 'the files hold no line items' : `the data covers ${span.first} to ${span.last}`;
  return `no CUR line items between ${query.from} and ${query.to} (exclusive) in ${describePaths(paths)}: ${covered}`;
}
