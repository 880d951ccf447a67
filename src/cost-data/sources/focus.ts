import { describePaths, describeRead, describeReading, emptyPeriodMessage, FileSourceOptions, openSession, PeriodFiles, periodFiles } from './data-files';
import { DuckDbSession } from './duckdb-loader';
import { checkColumns, readLayouts } from './focus-layout';
import { absentFocusKeys, emptyCostNote, focusCostTable, FocusCostTable, groupAbsentMessage, PresentKey, serviceAbsentNote } from './focus-table';
import { FOCUS_VIEW, focusReadError, focusViewSql } from './focus-view';
import { rowsByMonth } from './months';
import { periodRows, readsEveryRow } from './undated';
import { fileSourceCoverage, fileSourceMatches, focusRuleTextColumns, runScan, scanKeysOf, ScanTarget } from '../attribution/file-sources';
import { CostDataError } from '../errors';
import { focusMetric } from '../metrics';
import { CostQuery, CostResult, CostSource } from '../query';
import { SqlDialect, FocusMetric } from '../query-terms';
import { FOCUS_1_2_SCHEMA } from '../schemas/focus-schema';
import { FocusQueries } from '../schemas/focus-sql';
import { sqlLiteral } from '../schemas/sql-util';

/**
 * Cost from FOCUS files (any provider's FOCUS 1.0 to 1.3 Cost and Usage data) through DuckDB: the
 * `customer-value cost --source focus PATH...` source. It returns the same normalized cost rows as the other sources
 * (with the provider), so the report, `--allocate` and the review need nothing FOCUS-specific.
 *
 * - The files are found as for CUR 2.0 (folders, globs, export manifests, billing-period partitions), except that the
 *   billing periods after the period are read too: a correction (`ChargeClass` Correction) is delivered with a later
 *   billing period than the charge period it corrects, and counts in that charge period. Their FOCUS version is read
 *   from their columns, and files of different versions are refused.
 * - A view normalises what providers write differently (`focus-view.ts`); one `FocusQueries.costBy` scan aggregates
 *   per service, group, day, provider and currency, finds near-duplicate tag keys, unused commitment and empty cost
 *   cells in the same pass.
 */
export class FocusFileSource implements CostSource {
  constructor(private readonly options: FileSourceOptions) {}

  public async fetch(query: CostQuery, progress: (message: string) => void): Promise<CostResult> {
    const paths = this.options.paths;
    if (paths.length === 0) {
      throw new CostDataError('no FOCUS data given: pass a Parquet or CSV(.gz) file, an export folder or a glob');
    }
    const { metric, note: metricNote } = focusMetric(query.metric);
    const session = await openSession(this.options);
    try {
      const read = await periodFiles(session, paths, query, 'FOCUS', true);
      const { files, format, warnings } = read;
      const layouts = await readLayouts(session, files, paths, FocusQueries.requiredColumns(metric, query.dimension));
      const version = layouts[0].version;
      progress(`reading ${describeReading(read, query, `FOCUS ${version}`)}${laterPeriods(read, query)}`);
      const columns = checkColumns(layouts, files, metric, query.dimension);
      const metricColumn = FocusQueries.metricColumn(metric);
      const unusedCommitment = columns.commitmentStatus;
      await session.run(focusViewSql(files, format, layouts, {
        metricColumn,
        provider: columns.provider,
        invoice: columns.invoice,
        costColumns: [...(unusedCommitment ? ['EffectiveCost'] : []), ...(metric !== FocusMetric.BILLED ? ['BilledCost'] : [])],
        textColumns: [...(unusedCommitment ? ['CommitmentDiscountStatus'] : []),
          ...(query.dimension !== undefined ? [FocusQueries.dimensionColumn(query.dimension)] : []),
          ...focusRuleTextColumns(query)],
        allocatedTags: columns.allocatedTags,
      })).catch((e) => {
        throw focusReadError(e, paths);
      });

      const everyRow = readsEveryRow(format);
      // with rules or coverage, one scan also groups the rows no service owns by the columns they read
      const scan = scanKeysOf(query, FOCUS_1_2_SCHEMA, 'RegionId');
      const sql = FocusQueries._costBy({
        table: FOCUS_VIEW,
        dialect: SqlDialect.DUCKDB,
        groupBy: query.groupBy,
        dimension: query.dimension,
        metric,
        tagKeys: query.tagKeys,
        from: everyRow ? undefined : query.from,
        to: everyRow ? undefined : query.to,
        daily: true,
        estimatedFlag: columns.invoice,
        keyVariants: true,
        unusedCommitment,
        allocatedCharges: columns.allocatedTags,
        // an empty cost cell counts as 0: named in a note (BilledCost MUST NOT be null, the other columns are left empty by some providers)
        emptyCostRows: true,
      }, scan);
      const onProgress = (p: number) => progress(`scanning FOCUS rows: ${Math.floor(p)}%`);
      const interval = this.options.progressIntervalMs ?? 1000;
      const scanning = scan ? runScan(session, sql, scan, onProgress, interval) : session.rowsWithProgress(sql, onProgress, interval);
      const scanned = await scanning.catch((e) => {
        throw focusReadError(e, paths);
      });
      // rows without a ChargePeriodStart are left out of every period: reported with their cost (undated.ts)
      const { rows: raw, undated } = await periodRows(session, {
        view: FOCUS_VIEW,
        schema: FOCUS_1_2_SCHEMA,
        amount: metricColumn,
        row: 'FOCUS row',
        where: describePaths(paths),
      }, scanned, query, everyRow).catch((e) => {
        throw focusReadError(e, paths);
      });
      if (raw.length === 0) {
        throw new CostDataError(await emptyPeriodMessage(session, query, paths,
          { view: FOCUS_VIEW, schema: FOCUS_1_2_SCHEMA, what: 'FOCUS charges', rows: 'rows', by: 'by ChargePeriodStart' })
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
      if (table.emptyCost.size > 0) {
        notes.push(...await emptyCostDetails(session, query, metricColumn, table));
      }
      if (table.rows.some((r) => r.estimated)) {
        notes.push('part of the period is not invoiced yet (no InvoiceId): those amounts are estimates and can still change');
      }
      const target: ScanTarget | undefined = scan ? { schema: FOCUS_1_2_SCHEMA, provider: true, view: FOCUS_VIEW, scan } : undefined;
      const attributed = target && await fileSourceMatches(session, query, target).catch((e) => {
        throw focusReadError(e, paths);
      });
      const coverage = target && await fileSourceCoverage(session, query, target).catch((e) => {
        throw focusReadError(e, paths);
      });
      return {
        ...(coverage ? { coverage } : {}),
        ...(attributed ? { attributionMatches: attributed.matches, attributionWarnings: attributed.warnings } : {}),
        // the FOCUS SQL groups by charge day; a monthly query (the value review) adds the days up per month
        rows: query.granularity === 'month' ? rowsByMonth(table.rows) : table.rows,
        source: `FOCUS ${version} files (${describeRead(read)})`,
        bytesScanned: read.bytes,
        notes,
        warnings: undated ? [...warnings, undated] : warnings,
        files: files.map((f) => f.file),
        ...(query.dimension !== undefined ? { groupedBy: `FOCUS ${FocusQueries.dimensionColumn(query.dimension)}` } : {}),
      };
    } finally {
      session.close();
    }
  }
}

/** `, including 1 file of the later billing period 2026-11 for the corrections ...`: the later files a period reads. */
function laterPeriods(read: PeriodFiles, query: CostQuery): string {
  const last = new Date(Date.parse(`${query.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 7);
  const later = read.files.filter((f) => f.billingPeriod !== undefined && f.billingPeriod > last);
  if (later.length === 0) {
    return '';
  }
  const periods = [...new Set(later.map((f) => f.billingPeriod))].sort();
  return `, including ${later.length} file${later.length === 1 ? '' : 's'} of the later billing period${periods.length === 1 ? '' : 's'} `
    + `${periods.join(', ')} for the corrections of the period ${periods.length === 1 ? 'it' : 'they'} may hold (ChargeClass Correction)`;
}

/**
 * Explains report keys that no row carries (one more scan of Tags, only then): a grouped key found nowhere is an
 * error naming the keys the data has; an absent service key is a note naming them and how to map one.
 */
async function absentKeyNotes(session: DuckDbSession, query: CostQuery, rows: ReadonlyArray<{ service: string; group: string }>,
  where: string): Promise<string[]> {
  const absent = absentFocusKeys(query, rows);
  if (!absent.group && !absent.service) {
    return [];
  }
  const found: PresentKey[] = (await session.rows(FocusQueries.tagKeysPresent(FOCUS_VIEW, SqlDialect.DUCKDB)))
    .map((r) => ({ key: String(r.tag_key), rows: Number(r.line_items) }));
  if (absent.group) {
    throw new CostDataError(groupAbsentMessage(query, where, found));
  }
  return [serviceAbsentNote(query, found)];
}

/** The period's condition on the view. */
function inPeriod(query: CostQuery): string {
  return `ChargePeriodStart >= TIMESTAMP '${query.from} 00:00:00' AND ChargePeriodStart < TIMESTAMP '${query.to} 00:00:00'`;
}

/** Names the rows whose metric column is empty, per provider and charge category (one more scan, only when there are). */
async function emptyCostDetails(session: DuckDbSession, query: CostQuery, metricColumn: string, table: FocusCostTable): Promise<string[]> {
  const rows = await session.rows(`SELECT ProviderName AS provider, ChargeCategory AS category, count(*) AS n, SUM(BilledCost) AS billed
    FROM ${FOCUS_VIEW} WHERE ${metricColumn} IS NULL AND BillingCurrency = ${sqlLiteral(table.currency)} AND ${inPeriod(query)}
    GROUP BY ALL ORDER BY n DESC, provider, category`);
  const note = emptyCostNote(metricColumn, rows.map((r) => ({
    provider: r.provider === null || r.provider === undefined ? '' : String(r.provider),
    category: r.category === null || r.category === undefined ? '(no ChargeCategory)' : String(r.category),
    rows: Number(r.n),
    billed: Number(r.billed ?? 0),
  })), table.currency);
  return note ? [note] : [];
}
