import { absentTagKeys, curCostSql, curCostTable, curKeyCollisions, curNotes, explainAbsentKeys, firstNonFinite, nonFiniteMessage } from './cur-query';
import { describe, FILE_COLUMN, readError, VIEW, viewSql } from './cur-view';
import { describePaths, describeRead, describeReading, emptyPeriodMessage, FileSourceOptions, openSession, periodFiles } from './data-files';
import { DuckDbSession } from './duckdb-loader';
import { periodRows, readsEveryRow } from './undated';
import { CUR_REGION_COLUMN, curRuleColumns, fileSourceCoverage, fileSourceMatches, runScan, scanKeysOf, ScanTarget } from '../attribution/file-sources';
import { CostDataError } from '../errors';
import { curMetric } from '../metrics';
import { CostQuery, CostResult, CostSource } from '../query';
import { SqlDialect } from '../query-terms';
import { CUR_2_0_SCHEMA } from '../schemas/cur-schema';
import { CurQueries } from '../schemas/cur-sql';
import { sqlLiteral } from '../schemas/sql-util';

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
  constructor(private readonly options: FileSourceOptions) {}

  public async fetch(query: CostQuery, progress: (message: string) => void): Promise<CostResult> {
    const paths = this.options.paths;
    if (paths.length === 0) {
      throw new CostDataError('no CUR 2.0 data given: pass a Parquet or CSV(.gz) file, an export folder or a glob');
    }
    const collision = curKeyCollisions(query.tagKeys);
    if (collision) {
      throw new CostDataError(collision);
    }
    const session = await openSession(this.options);
    try {
      const read = await periodFiles(session, paths, query, 'CUR');
      const { files, format, warnings } = read;
      progress(`reading ${describeReading(read, query)}`);

      const schema = await describe(session, files, format, paths);
      const columns = schema.columns;
      const required = CurQueries.requiredColumns(curMetric(query.metric, describePaths(paths)), query.dimension);
      const missing = required.filter((c) => !columns.has(c));
      if (missing.length > 0) {
        throw new CostDataError(`${describePaths(paths)} is not a CUR 2.0 export this command can read: missing column${missing.length === 1 ? '' : 's'} `
          + `${missing.join(', ')} (CUR 2.0 names, e.g. line_item_unblended_cost; the CostAndUsageExport construct selects them all)`);
      }
      const estimated = columns.has('bill_invoice_id');
      const identity = IDENTITY_COLUMNS.every((c) => columns.has(c));
      const ruleColumns = curRuleColumns(query, columns, describePaths(paths));
      const wanted = [...new Set([...required, ...(estimated ? ['bill_invoice_id'] : []), ...(identity ? IDENTITY_COLUMNS : []), ...ruleColumns])];
      await session.run(viewSql(files, format, wanted, schema)).catch((e) => {
        throw readError(e, paths);
      });

      const everyRow = readsEveryRow(format);
      // with rules or coverage, one scan also groups the line items no service owns by the columns they read
      const region = columns.has(CUR_REGION_COLUMN) ? CUR_REGION_COLUMN : undefined;
      const scan = scanKeysOf(query, CUR_2_0_SCHEMA, region);
      const sql = curCostSql(query, { table: VIEW, dialect: SqlDialect.DUCKDB, estimatedFlag: estimated, everyRow, scan });
      const onProgress = (p: number) => progress(`scanning CUR line items: ${Math.floor(p)}%`);
      const interval = this.options.progressIntervalMs ?? 1000;
      const scanning = scan ? runScan(session, sql, scan, onProgress, interval) : session.rowsWithProgress(sql, onProgress, interval);
      const scanned = await scanning.catch((e) => {
        throw readError(e, paths);
      });
      // line items without a date are left out of every period: reported with their cost (undated.ts)
      const { rows: raw, undated } = await periodRows(session, {
        view: VIEW,
        schema: CUR_2_0_SCHEMA,
        amount: CurQueries.metricExpression(curMetric(query.metric, describePaths(paths))),
        row: 'line item',
        where: describePaths(paths),
      },
      scanned, query, everyRow).catch((e) => {
        throw readError(e, paths);
      });
      if (raw.length === 0) {
        throw new CostDataError(await emptyPeriodMessage(session, query, paths,
          { view: VIEW, schema: CUR_2_0_SCHEMA, what: 'CUR line items', rows: 'line items' }) + (undated ? `; ${undated}` : ''));
      }
      const bad = firstNonFinite(raw);
      if (bad) {
        const file = await fileWithNonFinite(session, query, String(bad.row.usage_date));
        throw new CostDataError(nonFiniteMessage(bad, file ?? describePaths(paths), query));
      }
      const table = curCostTable(raw, query, describePaths(paths));
      if (identity) {
        await refuseDuplicates(session, query, paths, files.map((f) => f.file));
      }
      const absent = absentTagKeys(query, table.rows);
      const notes = absent.length === 0 ? [] : explainAbsentKeys(query, absent, await tagKeysPresent(session), `in ${describePaths(paths)}`);
      notes.push(...curNotes(table));
      const target: ScanTarget | undefined = scan
        ? { schema: CUR_2_0_SCHEMA, provider: false, monthly: query.granularity === 'month', view: VIEW, scan } : undefined;
      const attributed = target && await fileSourceMatches(session, query, target).catch((e) => {
        throw readError(e, paths);
      });
      const coverage = target && await fileSourceCoverage(session, query, target).catch((e) => {
        throw readError(e, paths);
      });
      return {
        rows: table.rows,
        ...(coverage ? { coverage } : {}),
        ...(attributed ? { attributionMatches: attributed.matches, attributionWarnings: attributed.warnings } : {}),
        source: `CUR 2.0 files (${describeRead(read)})`,
        bytesScanned: read.bytes,
        notes,
        warnings: undated ? [...warnings, undated] : warnings,
        files: files.map((f) => f.file),
        ...(query.dimension !== undefined ? { groupedBy: `CUR 2.0 ${CurQueries.dimensionColumn(query.dimension)}` } : {}),
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

/** The columns that identify a CUR 2.0 line item: the same pair twice means the data holds it twice. */
const IDENTITY_COLUMNS = ['identity_line_item_id', 'identity_time_interval'];

/** Line items read from the start of each file to look for the same line item in two places. */
const SAMPLE_ROWS = 1000;

/**
 * Refuses data that holds a line item twice (the same identity_line_item_id and identity_time_interval), e.g. a copied
 * file or two deliveries of a billing period: its cost would be counted twice. A full check reads every id (about as
 * long as the report itself), so it runs only when the first line items of the files share one: a copy, or a second
 * delivery, repeats them from its first row on.
 */
async function refuseDuplicates(session: DuckDbSession, query: CostQuery, paths: string[], files: string[]): Promise<void> {
  const seen = new Set<string>();
  let suspect = false;
  for (const file of files) {
    const sample = await session.rows(`SELECT identity_line_item_id AS id, identity_time_interval AS t FROM ${VIEW}
      WHERE ${FILE_COLUMN} = ${sqlLiteral(file)} AND COALESCE(identity_line_item_id, '') <> '' LIMIT ${SAMPLE_ROWS}`);
    for (const r of sample) {
      const key = `${r.id}\u0000${r.t}`;
      if (seen.has(key)) {
        suspect = true;
        break;
      }
      seen.add(key);
    }
    if (suspect) {
      break;
    }
  }
  if (!suspect) {
    return;
  }
  const period = `line_item_usage_start_date >= TIMESTAMP '${query.from} 00:00:00' AND line_item_usage_start_date < TIMESTAMP '${query.to} 00:00:00'`
    + " AND COALESCE(identity_line_item_id, '') <> ''";
  const [count] = await session.rows(`SELECT count(*) - count(DISTINCT (identity_line_item_id, identity_time_interval)) AS extra
    FROM ${VIEW} WHERE ${period}`);
  const extra = Number(count?.extra ?? 0);
  if (extra === 0) {
    return;
  }
  const [first] = await session.rows(`SELECT identity_line_item_id AS id, count(*) AS n, string_agg(DISTINCT ${FILE_COLUMN}, ', ' ORDER BY ${FILE_COLUMN}) AS files
    FROM ${VIEW} WHERE ${period} GROUP BY identity_line_item_id, identity_time_interval HAVING count(*) > 1 ORDER BY id LIMIT 1`);
  throw new CostDataError(`${describePaths(paths)} holds ${extra} line item${extra === 1 ? '' : 's'} more than once (e.g. identity_line_item_id `
    + `${first.id}, ${first.n} times, in ${first.files}): their cost would be counted twice; remove the copied files, or pass one delivery `
    + 'of each billing period');
}

/** The file of the first line item of `day` whose cost is not a finite number. */
async function fileWithNonFinite(session: DuckDbSession, query: CostQuery, day: string): Promise<string | undefined> {
  const [row] = await session.rows(`SELECT ${FILE_COLUMN} AS file FROM ${VIEW} WHERE CAST(line_item_usage_start_date AS DATE) = ${sqlLiteral(day)}
    AND NOT isfinite(${CurQueries.metricExpression(curMetric(query.metric, 'the CUR files'))}) LIMIT 1`);
  return row ? String(row.file) : undefined;
}
