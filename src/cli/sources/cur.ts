import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { DuckDbSession, DuckDbSessionOptions, firstLine } from './duckdb-loader';
import { CliError, CostQuery, CostResult, CostRow, CostSource } from './types';
import { CostGrouping, CurQueries, SqlDialect } from '../../billing/cur-sql';
import { lastMonthBefore, sqlLiteral } from '../../private/sql-util';
import { TagKeys } from '../../tag-keys';

export interface CurFileSourceOptions extends DuckDbSessionOptions {
  /** CUR 2.0 data: Parquet or CSV(.gz) files, export folders (with `BILLING_PERIOD=YYYY-MM` partitions) or globs. */
  readonly paths: string[];
  /**
   * How often progress is reported during the scan, in milliseconds.
   * @default 1000
   */
  readonly progressIntervalMs?: number;
}

type Format = 'parquet' | 'csv';

interface CurFile {
  readonly file: string;
  readonly format: Format;
  readonly billingPeriod?: string;
  readonly bytes: number;
}

/** The view every query reads: the CUR columns a cost query needs, with CUR 2.0 types whatever the file format. */
const VIEW = 'cur_line_items';
const PARTITION = /(?:^|[\\/])BILLING_PERIOD=(\d{4}-\d{2})(?:[\\/]|$)/;
const DATA_FILE = /\.(parquet|csv|csv\.gz|csv\.gzip)$/i;
const GLOB_CHARS = /[*?[\]{}]/;

/** The column types the view normalises to. */
const TIMESTAMP_COLUMNS = new Set(['line_item_usage_start_date']);
const MAP_COLUMNS = new Set(['resource_tags']);
const DOUBLE_COLUMNS = new Set(CurQueries.EXPORT_COLUMNS.filter((c) => c.type === 'double').map((c) => c.name));

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
    try {
      const all = await this.listFiles(session, paths);
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

      const sql = CurQueries.costBy({
        table: VIEW,
        dialect: SqlDialect.DUCKDB,
        groupBy: query.groupBy,
        metric: query.metric,
        tagKeys: query.tagKeys,
        from: query.from,
        to: query.to,
        daily: true,
        estimatedFlag: estimated,
      });
      const raw = await session.rowsWithProgress(sql, (p) => progress(`scanning CUR line items: ${Math.floor(p)}%`),
        this.options.progressIntervalMs ?? 1000).catch((e) => {
        throw readError(e, paths);
      });

      if (raw.length === 0) {
        throw new CliError(await emptyPeriodMessage(session, query, paths));
      }
      const currencies = [...new Set(raw.map((r) => String(r.currency ?? '')))].sort();
      if (currencies.length > 1) {
        throw new CliError(`the CUR data mixes currencies (${currencies.join(', ')}) between ${query.from} and ${query.to}: `
          + 'amounts in different currencies cannot be added; report on one payer account (one currency) at a time');
      }
      const rows: CostRow[] = raw.map((r) => ({
        service: String(r.service ?? ''),
        group: String(r.group_value ?? ''),
        day: String(r.usage_date),
        amount: Number(r.amount),
        nonResourceAmount: Number(r.tax_amount ?? 0) + Number(r.credit_amount ?? 0),
        currency: String(r.currency ?? ''),
        estimated: Number(r.estimated ?? 0) === 1,
      }));

      const notes: string[] = [];
      await checkTagKeys(session, query, rows, paths, notes);
      const tax = raw.reduce((s, r) => s + Number(r.tax_amount), 0);
      const credits = raw.reduce((s, r) => s + Number(r.credit_amount), 0);
      if (tax !== 0 || credits !== 0) {
        notes.push(`totals include tax (${tax.toFixed(2)} ${currencies[0]}) and credits/refunds (${credits.toFixed(2)} ${currencies[0]}), `
          + 'which belong to no resource: they are in the untagged row and left out of the tagged share');
      }
      const periods = [...new Set(files.map((f) => f.billingPeriod).filter((p): p is string => p !== undefined))].sort();
      if (rows.some((r) => r.estimated)) {
        notes.push('part of the period is not invoiced yet (no bill_invoice_id): those amounts are estimates and can still change');
      }
      return {
        rows,
        source: `CUR 2.0 files (${files.length} ${format === 'parquet' ? 'Parquet' : 'CSV'} file${files.length === 1 ? '' : 's'}`
          + `${periods.length > 0 ? `, billing period${periods.length === 1 ? '' : 's'} ${periods.join(', ')}` : ''})`,
        bytesScanned: bytes,
        notes,
      };
    } finally {
      session.close();
    }
  }

  private async listFiles(session: DuckDbSession, paths: string[]): Promise<CurFile[]> {
    const out: CurFile[] = [];
    for (const p of paths) {
      const found = GLOB_CHARS.test(p) && !fs.existsSync(p) ? await expandGlob(session, p) : listPath(p);
      if (found.length === 0) {
        throw new CliError(GLOB_CHARS.test(p)
          ? `no CUR files match ${p} (expected .parquet, .csv or .csv.gz files)`
          : `no CUR files in ${p} (expected .parquet, .csv or .csv.gz files, e.g. <export>/data/BILLING_PERIOD=YYYY-MM/*.parquet)`);
      }
      out.push(...found);
    }
    const seen = new Set<string>();
    return out.filter((f) => (seen.has(f.file) ? false : (seen.add(f.file), true))).sort((a, b) => a.file.localeCompare(b.file));
  }
}

/** The files of one path argument: a file, or every data file under a folder (manifests and other files ignored). */
function listPath(p: string): CurFile[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch (e) {
    throw new CliError(`cannot read ${p}: ${describeFsError(e)}`);
  }
  if (stat.isFile()) {
    const format = formatOf(p);
    if (!format) {
      throw new CliError(`cannot read ${p}: not a CUR data file (expected .parquet, .csv or .csv.gz)`);
    }
    checkReadable(p);
    return [curFile(p, format, stat.size)];
  }
  if (!stat.isDirectory()) {
    throw new CliError(`cannot read ${p}: not a file or folder`);
  }
  const out: CurFile[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      throw new CliError(`cannot read ${dir}: ${describeFsError(e)}`);
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'metadata') {
          walk(full);
        }
      } else if (entry.isFile() && formatOf(entry.name)) {
        checkReadable(full);
        out.push(curFile(full, formatOf(entry.name)!, fs.statSync(full).size));
      }
    }
  };
  walk(p);
  return out;
}

async function expandGlob(session: DuckDbSession, pattern: string): Promise<CurFile[]> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await session.rows(`SELECT file FROM glob(${sqlLiteral(pattern)}) ORDER BY file`);
  } catch (e) {
    throw new CliError(`cannot expand ${pattern}: ${firstLine(e instanceof Error ? e.message : String(e))}`);
  }
  return rows.map((r) => String(r.file)).filter((f) => formatOf(f)).map((f) => {
    checkReadable(f);
    return curFile(f, formatOf(f)!, fs.statSync(f).size);
  });
}

function curFile(file: string, format: Format, bytes: number): CurFile {
  const m = PARTITION.exec(file);
  return { file, format, bytes, billingPeriod: m ? m[1] : undefined };
}

function formatOf(name: string): Format | undefined {
  const m = DATA_FILE.exec(name);
  if (!m) {
    return undefined;
  }
  return m[1].toLowerCase() === 'parquet' ? 'parquet' : 'csv';
}

function checkReadable(file: string): void {
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${describeFsError(e)}`);
  }
}

function describeFsError(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT': return 'no such file or folder';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    default: return firstLine(e instanceof Error ? e.message : String(e));
  }
}

/** Keeps the files whose billing period overlaps [from, to); files outside partitions are always read. */
function selectPeriod(files: CurFile[], from: string, to: string, paths: string[]): CurFile[] {
  const first = from.slice(0, 7);
  const last = lastMonthBefore(to);
  const selected = files.filter((f) => f.billingPeriod === undefined || (f.billingPeriod >= first && f.billingPeriod <= last));
  if (selected.length === 0) {
    const periods = [...new Set(files.map((f) => f.billingPeriod))].sort();
    throw new CliError(`no CUR data between ${from} and ${to} (exclusive) in ${describePaths(paths)}: `
      + `its billing periods are ${periods.join(', ')}; choose --from/--to inside them`);
  }
  return selected;
}

function singleFormat(files: CurFile[], paths: string[]): Format {
  const formats = [...new Set(files.map((f) => f.format))];
  if (formats.length > 1) {
    throw new CliError(`${describePaths(paths)} mixes Parquet and CSV files: pass one export (one format) at a time`);
  }
  return formats[0];
}

interface FileSchema {
  /** Column name to DuckDB type (`VARCHAR` for every CSV column until typed by the view). */
  readonly columns: Map<string, string>;
  /** The CSV header shared by every file, when it is: the files are then read without DuckDB's (slow) sniffing. */
  readonly csvHeader?: string[];
}

/** The columns of the files. */
async function describe(session: DuckDbSession, files: CurFile[], format: Format, paths: string[]): Promise<FileSchema> {
  if (format === 'csv') {
    const headers = files.map((f) => csvHeader(f.file));
    const first = headers[0];
    if (first && headers.every((h) => h !== undefined && h.join(',') === first.join(','))) {
      return { columns: new Map(first.map((c) => [c, 'VARCHAR'])), csvHeader: first };
    }
  }
  try {
    const rows = await session.rows(`DESCRIBE SELECT * FROM ${reader(files, format)}`);
    return { columns: new Map(rows.map((r) => [String(r.column_name), String(r.column_type)])) };
  } catch (e) {
    throw readError(e, paths);
  }
}

/** The header line of a CSV or CSV.gz file (read from its first 64 KB), or undefined when it cannot be read simply. */
function csvHeader(file: string): string[] | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(65536);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    let text: string;
    if (n >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) {
      text = zlib.gunzipSync(buffer.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
    } else {
      text = buffer.subarray(0, n).toString('utf8');
    }
    const end = text.search(/\r?\n/);
    if (end < 0) {
      return undefined;
    }
    const names = text.slice(0, end).replace(/^\uFEFF/, '').split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    return names.every((c) => /^[A-Za-z0-9_]+$/.test(c)) ? names : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

function reader(files: CurFile[], format: Format, schema?: FileSchema, types: Record<string, string> = {}): string {
  const list = `[${files.map((f) => sqlLiteral(f.file)).join(', ')}]`;
  if (format === 'parquet') {
    return `read_parquet(${list}, union_by_name = true, hive_partitioning = false)`;
  }
  if (schema?.csvHeader) {
    const columns = schema.csvHeader.map((c) => `${sqlLiteral(c)}: ${sqlLiteral(types[c] ?? 'VARCHAR')}`).join(', ');
    return `read_csv(${list}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', `
      + `hive_partitioning = false, columns = {${columns}})`;
  }
  const typeSpec = Object.keys(types).length > 0
    ? `, types = {${Object.entries(types).map(([k, v]) => `${sqlLiteral(k)}: ${sqlLiteral(v)}`).join(', ')}}`
    : '';
  return `read_csv(${list}, header = true, union_by_name = true, hive_partitioning = false${typeSpec})`;
}

/** The view over the files: only the needed columns, in CUR 2.0 types (MAP tags, UTC TIMESTAMP, DOUBLE costs). */
function viewSql(files: CurFile[], format: Format, wanted: string[], schema: FileSchema): string {
  // CSV: read the columns the queries need with the types below, every other column as text.
  const csvTypes: Record<string, string> = {};
  if (format === 'csv') {
    for (const name of wanted) {
      csvTypes[name] = DOUBLE_COLUMNS.has(name) ? 'DOUBLE' : 'VARCHAR';
    }
  }
  const select = wanted.map((name) => {
    const type = (format === 'csv' ? csvTypes[name] : schema.columns.get(name)!).toUpperCase();
    const col = `"${name}"`;
    if (MAP_COLUMNS.has(name)) {
      if (type === 'MAP(VARCHAR, VARCHAR)') {
        return col;
      }
      if (type.startsWith('MAP(')) {
        return `CAST(${col} AS MAP(VARCHAR, VARCHAR)) AS ${name}`;
      }
      if (/^STRUCT\("?KEY"? [A-Z]+, "?VALUE"? [A-Z]+\)\[\]$/.test(type)) {
        // Some writers store a map as a list of key/value structs.
        return `map_from_entries(${col}) AS ${name}`;
      }
      if (type !== 'VARCHAR' && type !== 'JSON') {
        throw new CliError(`the resource_tags column of ${files[0].file} has type ${type}: expected a map of tag keys to values `
          + '(MAP in Parquet, a JSON object in CSV)');
      }
      // CUR 2.0 CSV writes a map as a JSON object string; an empty cell means no tags.
      return `CASE WHEN ${col} IS NULL OR trim(${col}) IN ('', '{}') THEN NULL ELSE CAST(CAST(${col} AS JSON) AS MAP(VARCHAR, VARCHAR)) END AS ${name}`;
    }
    const target = TIMESTAMP_COLUMNS.has(name) ? 'TIMESTAMP' : DOUBLE_COLUMNS.has(name) ? 'DOUBLE' : 'VARCHAR';
    return type === target ? col : `CAST(${col} AS ${target}) AS ${name}`;
  });
  return `CREATE OR REPLACE TEMP VIEW ${VIEW} AS SELECT ${select.join(', ')} FROM ${reader(files, format, schema, csvTypes)}`;
}

/** Says which period the data covers when the asked one is empty. */
async function emptyPeriodMessage(session: DuckDbSession, query: CostQuery, paths: string[]): Promise<string> {
  const [span] = await session.rows(`SELECT CAST(CAST(min(line_item_usage_start_date) AS DATE) AS VARCHAR) AS first,
    CAST(CAST(max(line_item_usage_start_date) AS DATE) AS VARCHAR) AS last, count(*) AS n FROM ${VIEW}`);
  const covered = Number(span?.n ?? 0) === 0 ? 'the files hold no line items' : `the data covers ${span.first} to ${span.last}`;
  return `no CUR line items between ${query.from} and ${query.to} (exclusive) in ${describePaths(paths)}: ${covered}`;
}

/**
 * When no line item carries the grouped tag (or the service tag), finds out whether the key exists at all in
 * `resource_tags`: a key that is nowhere was probably never activated as a cost allocation tag.
 */
async function checkTagKeys(session: DuckDbSession, query: CostQuery, rows: CostRow[], paths: string[], notes: string[]): Promise<void> {
  const keys = query.tagKeys ?? TagKeys.DEFAULT;
  const groupKey = CurQueries.groupingTagKey(query.groupBy, keys);
  const checks: Array<[string, boolean]> = [[groupKey, rows.some((r) => r.group !== '')]];
  if (query.groupBy !== CostGrouping.SERVICE) {
    checks.push([keys.service, rows.some((r) => r.service !== '')]);
  }
  const absent = checks.filter(([, seen]) => !seen).map(([key]) => key);
  if (absent.length === 0) {
    return;
  }
  const present = new Set((await session.rows(CurQueries.tagKeysPresent(VIEW, SqlDialect.DUCKDB))).map((r) => String(r.tag_key)));
  const never = absent.filter((key) => !present.has(TagKeys.curMapKey(key)));
  if (never.includes(groupKey)) {
    const mapKeys = never.map((k) => `${TagKeys.curMapKey(k)} (tag "${k}")`).join(', ');
    const found = [...present].sort();
    throw new CliError(`no line item in ${describePaths(paths)} carries ${mapKeys} in resource_tags`
      + ` (found: ${found.length > 0 ? found.join(', ') : 'no user tag keys at all'}): `
      + `${never.length === 1 ? 'the key was probably never activated as a cost allocation tag' : 'the keys were probably never activated as cost allocation tags'}; `
      + 'activate the customer-value tag keys in the management account (Billing console > Cost allocation tags, or the CostAllocationTags '
      + 'construct); CUR 2.0 includes a key only from its activation on');
  }
  for (const key of absent) {
    notes.push(never.includes(key)
      ? `no line item carries the "${key}" tag (${TagKeys.curMapKey(key)}): it was probably never activated as a cost allocation tag`
      : `no line item between ${query.from} and ${query.to} carries the "${key}" tag (${TagKeys.curMapKey(key)}), though other periods do`);
  }
}

function readError(e: unknown, paths: string[]): Error {
  if (e instanceof CliError) {
    return e;
  }
  const message = firstLine(e instanceof Error ? e.message : String(e)).replace(/^(Error: )+/, '');
  return new CliError(`cannot read ${describePaths(paths)} as CUR 2.0 data: ${message}`);
}

function describePaths(paths: string[]): string {
  return paths.length === 1 ? paths[0] : `${paths[0]} (and ${paths.length - 1} more)`;
}


function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
