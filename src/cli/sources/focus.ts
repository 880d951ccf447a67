import { describePaths, formatBytes, listFiles, selectPeriod, singleFormat } from './cur-files';
import { readError } from './cur-view';
import { DuckDbSession, DuckDbSessionOptions } from './duckdb-loader';
import { checkColumns, formatName, readLayouts } from './focus-layout';
import { focusCostTable } from './focus-table';
import { FOCUS_VIEW, focusViewSql } from './focus-view';
import { CallLimits } from './limits';
import { rowsByMonth } from './months';
import { CliError, CostQuery, CostResult, CostSource } from './types';
import { CurQueries, SqlDialect } from '../../billing/cur-sql';
import { FocusQueries } from '../../billing/focus-sql';
import { focusMetric } from '../metrics';

export interface FocusFileSourceOptions extends DuckDbSessionOptions {
  /** FOCUS data: Parquet or CSV(.gz) files, export folders (`BILLING_PERIOD=YYYY-MM` partitions are used) or globs. */
  readonly paths: string[];
  /** How often progress is reported during the scan, in milliseconds. @default 1000 */
  readonly progressIntervalMs?: number;
  /** Deadline and cancellation: they interrupt the scan. @default - none */
  readonly limits?: CallLimits;
}

/**
 * Cost from FOCUS files (any provider's FOCUS 1.0, 1.1, 1.2 export, 1.3 where compatible) through DuckDB: the
 * `customer-value cost --source focus PATH...` source. It returns the same normalized cost rows as the other sources
 * (with the provider), so the report, `--allocate` and the review need nothing FOCUS-specific.
 *
 * - The files are found as for CUR 2.0 (folders, globs, export manifests, billing-period partitions); their FOCUS
 *   version is read from their columns, and files of different versions are refused.
 * - A view normalises what providers write differently (`focus-view.ts`); one `FocusQueries.costBy` scan aggregates
 *   per service, group, day, provider and currency, and finds near-duplicate tag keys in the same pass.
 */
export class FocusFileSource implements CostSource {
  constructor(private readonly options: FocusFileSourceOptions) {}

  public async fetch(query: CostQuery, progress: (message: string) => void): Promise<CostResult> {
    const paths = this.options.paths;
    if (paths.length === 0) {
      throw new CliError('no FOCUS data given: pass a Parquet or CSV(.gz) file, an export folder or a glob');
    }
    const { metric, note: metricNote } = focusMetric(query.metric);
    const session = await DuckDbSession.open(this.options);
    const limits = this.options.limits;
    if (limits) {
      session.interruptOn(limits, `reading ${describePaths(paths)}`);
    }
    try {
      const { files: all, warnings } = await listFiles(session, paths, 'FOCUS');
      const files = selectPeriod(all, query.from, query.to, paths, 'FOCUS');
      const format = singleFormat(files, paths);
      const bytes = files.reduce((s, f) => s + f.bytes, 0);
      const skipped = all.length - files.length;
      const layouts = await readLayouts(session, files, paths);
      const version = layouts[0].version;
      progress(`reading ${files.length} FOCUS ${version} ${formatName(format)} file${files.length === 1 ? '' : 's'} (${formatBytes(bytes)})`
        + (skipped > 0 ? `, skipping ${skipped} outside ${query.from}..${query.to}` : ''));
      const { provider, invoice } = checkColumns(layouts, files, metric);
      const metricColumn = FocusQueries.metricColumn(metric);
      await session.run(focusViewSql(files, format, layouts, { metricColumn, provider, invoice })).catch((e) => {
        throw readError(e, paths, 'FOCUS');
      });

      const sql = FocusQueries.costBy({
        table: FOCUS_VIEW,
        dialect: SqlDialect.DUCKDB,
        groupBy: query.groupBy,
        metric,
        tagKeys: query.tagKeys,
        from: query.from,
        to: query.to,
        daily: true,
        estimatedFlag: invoice,
        keyVariants: true,
      });
      const raw = await session.rowsWithProgress(sql, (p) => progress(`scanning FOCUS rows: ${Math.floor(p)}%`),
        this.options.progressIntervalMs ?? 1000).catch((e) => {
        throw readError(e, paths, 'FOCUS');
      });
      if (raw.length === 0) {
        throw new CliError(await emptyPeriodMessage(session, query, paths));
      }
      const where = describePaths(paths);
      const table = focusCostTable(raw, query, where);
      const notes: string[] = [`FOCUS ${version}: ${metricColumn} (--metric ${metric}), by ChargePeriodStart`];
      if (metricNote) {
        notes.push(metricNote);
      }
      notes.push(...await absentKeyNotes(session, query, table.rows, where));
      notes.push(...table.notes);
      if (table.rows.some((r) => r.estimated)) {
        notes.push('part of the period is not invoiced yet (no InvoiceId): those amounts are estimates and can still change');
      }
      const periods = [...new Set(files.map((f) => f.billingPeriod).filter((p): p is string => p !== undefined))].sort();
      return {
        // the FOCUS SQL groups by charge day; a monthly query (the value review) adds the days up per month
        rows: query.granularity === 'month' ? rowsByMonth(table.rows) : table.rows,
        source: `FOCUS ${version} files (${files.length} ${formatName(format)} file${files.length === 1 ? '' : 's'}`
          + `${periods.length > 0 ? `, billing period${periods.length === 1 ? '' : 's'} ${periods.join(', ')}` : ''})`,
        bytesScanned: bytes,
        notes,
        warnings,
        files: files.map((f) => f.file),
      };
    } finally {
      session.close();
    }
  }
}

/**
 * Explains report keys that no row carries: a grouped key found nowhere is an error naming the keys the data has
 * (one more scan of Tags, only then); an absent service key is a note.
 */
async function absentKeyNotes(session: DuckDbSession, query: CostQuery, rows: ReadonlyArray<{ service: string; group: string }>,
  where: string): Promise<string[]> {
  const groupKey = CurQueries.groupingTagKey(query.groupBy, query.tagKeys);
  const groupAbsent = !rows.some((r) => r.group !== '');
  const serviceAbsent = !rows.some((r) => r.service !== '');
  if (!groupAbsent && !serviceAbsent) {
    return [];
  }
  if (groupAbsent) {
    const present = (await session.rows(FocusQueries.tagKeysPresent(FOCUS_VIEW, SqlDialect.DUCKDB))).map((r) => String(r.tag_key));
    const shown = present.length > 20 ? [...present.slice(0, 20), `and ${present.length - 20} more`] : present;
    const field = query.groupBy;
    throw new CliError(`no charge in ${where} between ${query.from} and ${query.to} carries the tag "${groupKey}" in Tags `
      + `(found: ${shown.length > 0 ? shown.map((k) => JSON.stringify(k)).join(', ') : 'no tag keys at all'}): keys are compared exactly; `
      + `if the data names it differently, pass --tag-key ${field}=KEY (or set it in cdk.json, context "customer-value:costDataTagKeys")`);
  }
  return [`no charge between ${query.from} and ${query.to} carries the "${query.tagKeys.service}" tag: every row is reported without a `
    + 'service (pass --tag-key service=KEY if the data names it differently)'];
}

/** Says which period the data covers when the asked one is empty. */
async function emptyPeriodMessage(session: DuckDbSession, query: CostQuery, paths: string[]): Promise<string> {
  const [span] = await session.rows(`SELECT CAST(CAST(min(ChargePeriodStart) AS DATE) AS VARCHAR) AS first,
    CAST(CAST(max(ChargePeriodStart) AS DATE) AS VARCHAR) AS last, count(*) AS n FROM ${FOCUS_VIEW}`);
  const covered = Number(span?.n ?? 0) === 0 ? 'the files hold no rows' : `the data covers ${span.first} to ${span.last}`;
  return `no FOCUS charges between ${query.from} and ${query.to} (exclusive, by ChargePeriodStart) in ${describePaths(paths)}: ${covered}`;
}
