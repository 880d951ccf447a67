import { readError } from './cur-view';
import { describePaths, describeRead, describeReading, emptyPeriodMessage, FileSourceOptions, openSession, periodFiles } from './data-files';
import { DuckDbSession } from './duckdb-loader';
import { checkColumns, readLayouts } from './focus-layout';
import { focusCostTable } from './focus-table';
import { FOCUS_VIEW, focusViewSql } from './focus-view';
import { rowsByMonth } from './months';
import { CliError, CostQuery, CostResult, CostSource } from './types';
import { periodRows, readsEveryRow } from './undated';
import { CurQueries, SqlDialect } from '../../billing/cur-sql';
import { FocusQueries } from '../../billing/focus-sql';
import { focusMetric } from '../metrics';

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
  constructor(private readonly options: FileSourceOptions) {}

  public async fetch(query: CostQuery, progress: (message: string) => void): Promise<CostResult> {
    const paths = this.options.paths;
    if (paths.length === 0) {
      throw new CliError('no FOCUS data given: pass a Parquet or CSV(.gz) file, an export folder or a glob');
    }
    const { metric, note: metricNote } = focusMetric(query.metric);
    const session = await openSession(this.options);
    try {
      const read = await periodFiles(session, paths, query, 'FOCUS');
      const { files, format, warnings } = read;
      const layouts = await readLayouts(session, files, paths);
      const version = layouts[0].version;
      progress(`reading ${describeReading(read, query, `FOCUS ${version}`)}`);
      const { provider, invoice } = checkColumns(layouts, files, metric);
      const metricColumn = FocusQueries.metricColumn(metric);
      await session.run(focusViewSql(files, format, layouts, { metricColumn, provider, invoice })).catch((e) => {
        throw readError(e, paths, 'FOCUS');
      });

      const everyRow = readsEveryRow(format);
      const sql = FocusQueries.costBy({
        table: FOCUS_VIEW,
        dialect: SqlDialect.DUCKDB,
        groupBy: query.groupBy,
        metric,
        tagKeys: query.tagKeys,
        from: everyRow ? undefined : query.from,
        to: everyRow ? undefined : query.to,
        daily: true,
        estimatedFlag: invoice,
        keyVariants: true,
      });
      const scanned = await session.rowsWithProgress(sql, (p) => progress(`scanning FOCUS rows: ${Math.floor(p)}%`),
        this.options.progressIntervalMs ?? 1000).catch((e) => {
        throw readError(e, paths, 'FOCUS');
      });
      // rows without a ChargePeriodStart are left out of every period: reported with their cost (undated.ts)
      const { rows: raw, undated } = await periodRows(session, {
        view: FOCUS_VIEW,
        dateColumn: 'ChargePeriodStart',
        currency: 'BillingCurrency',
        amount: metricColumn,
        row: 'FOCUS row',
        where: describePaths(paths),
      }, scanned, query, everyRow).catch((e) => {
        throw readError(e, paths, 'FOCUS');
      });
      if (raw.length === 0) {
        throw new CliError(await emptyPeriodMessage(session, query, paths,
          { view: FOCUS_VIEW, dateColumn: 'ChargePeriodStart', what: 'FOCUS charges', rows: 'rows', by: 'by ChargePeriodStart' })
          + (undated ? `; ${undated}` : ''));
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
      return {
        // the FOCUS SQL groups by charge day; a monthly query (the value review) adds the days up per month
        rows: query.granularity === 'month' ? rowsByMonth(table.rows) : table.rows,
        source: `FOCUS ${version} files (${describeRead(read)})`,
        bytesScanned: read.bytes,
        notes,
        warnings: undated ? [...warnings, undated] : warnings,
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
