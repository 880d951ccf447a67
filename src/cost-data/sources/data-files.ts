import * as fs from 'fs';
import * as path from 'path';
import { DuckDbSession, DuckDbSessionOptions, firstLine } from './duckdb-loader';
import { CallLimits } from './limits';
import { CostDataError } from '../errors';
import { describeFsCode } from '../paths';
import { CostQuery } from '../query';
import { CUR_2_0_SCHEMA } from '../schemas/cur-schema';
import { FOCUS_1_2_SCHEMA } from '../schemas/focus-schema';
import { CostSchema } from '../schemas/schema';
import { lastMonthBefore, sqlLiteral } from '../schemas/sql-util';

/**
 * Finding the data files of a billing export (CUR 2.0 or FOCUS): files, export folders (with partitions), globs; and
 * what the two DuckDB file sources share around them (the session, the period's files, the source line).
 */

export type Format = 'parquet' | 'csv';

export interface CurFile {
  readonly file: string;
  readonly format: Format;
  readonly billingPeriod?: string;
  readonly bytes: number;
}

/**
 * A billing-period folder of an export, in the spelling of any schema: AWS documents `BILLING_PERIOD=YYYY-MM` for
 * CUR 2.0, and FOCUS exports are reported delivered under `billing_period=YYYY-MM` (each schema's `partitionFolder`).
 */
const PARTITION = new RegExp(`(?:^|[\\\\/])(?:${[...new Set([CUR_2_0_SCHEMA, FOCUS_1_2_SCHEMA].map((s) => s.partitionFolder.name))].join('|')})`
  + '=(\\d{4}-\\d{2})(?:[\\\\/]|$)');
const DATA_FILE = /\.(parquet|csv|csv\.gz|csv\.gzip)$/i;
export const GLOB_CHARS = /[*?[\]{}]/;

/** The data files to read, and what the user should know about the ones left out. */
export interface FileList {
  readonly files: CurFile[];
  readonly warnings: string[];
}

/**
 * Every data file of the path arguments, each once (by real path: a link and its target are one file), sorted.
 * Folders are walked following symbolic links; where an export's manifest exists for a billing period, the files it
 * lists are read and any other data file of that period is left out with a warning.
 */
export async function listFiles(session: DuckDbSession, paths: string[], what: string = 'CUR'): Promise<FileList> {
  const out: CurFile[] = [];
  const warnings: string[] = [];
  for (const p of paths) {
    const found = GLOB_CHARS.test(p) && !fs.existsSync(p) ? await expandGlob(session, p) : listPath(p, warnings, what);
    if (found.length === 0) {
      throw new CostDataError(GLOB_CHARS.test(p)
        ? `no ${what} files match ${p} (expected .parquet, .csv or .csv.gz files)`
        : `no ${what} files in ${p} (expected .parquet, .csv or .csv.gz files, e.g. <export>/data/BILLING_PERIOD=YYYY-MM/*.parquet)`);
    }
    out.push(...found);
  }
  const byReal = new Map<string, CurFile>();
  for (const f of out) {
    const real = realPath(f.file);
    const first = byReal.get(real);
    if (!first) {
      byReal.set(real, f);
    } else if (first.file !== f.file) {
      warnings.push(`${f.file} and ${first.file} are the same file (a symbolic link): read once`);
    }
  }
  return { files: [...byReal.values()].sort((a, b) => a.file.localeCompare(b.file)), warnings };
}

/** The files of one path argument: a file, or every data file under a folder (following links), as its manifests say. */
function listPath(p: string, warnings: string[], what: string): CurFile[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch (e) {
    throw new CostDataError(`cannot read ${p}: ${describeFsError(e)}`);
  }
  if (stat.isFile()) {
    const format = formatOf(p);
    if (!format) {
      throw new CostDataError(`cannot read ${p}: not a ${what} data file (expected .parquet, .csv or .csv.gz)`);
    }
    checkReadable(p);
    return [curFile(p, format, stat.size)];
  }
  if (!stat.isDirectory()) {
    throw new CostDataError(`cannot read ${p}: not a file or folder`);
  }
  const out: CurFile[] = [];
  const metadata: string[] = [];
  const visited = new Set<string>();
  const walk = (dir: string) => {
    const real = realPath(dir);
    if (visited.has(real)) {
      return;
    }
    visited.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      throw new CostDataError(`cannot read ${dir}: ${describeFsError(e)}`);
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = fs.statSync(full);
          isDir = target.isDirectory();
          isFile = target.isFile();
        } catch (e) {
          warnings.push(`${full} is a symbolic link that leads nowhere (${describeFsError(e)}): skipped`);
          continue;
        }
      }
      if (isDir) {
        if (entry.name === 'metadata') {
          metadata.push(full);
        } else {
          walk(full);
        }
      } else if (isFile && formatOf(entry.name)) {
        checkReadable(full);
        out.push(curFile(full, formatOf(entry.name)!, fs.statSync(full).size));
      }
    }
  };
  walk(p);
  // a data folder given directly: its export's manifests are beside it
  const base = path.basename(p);
  const exportRoot = base === 'data' ? path.dirname(p)
    : PARTITION.test(`/${base}`) && path.basename(path.dirname(p)) === 'data' ? path.dirname(path.dirname(p)) : undefined;
  if (exportRoot && fs.existsSync(path.join(exportRoot, 'metadata'))) {
    metadata.push(path.join(exportRoot, 'metadata'));
  }
  return applyManifests(out, metadata, warnings);
}

/**
 * Keeps, for each billing period that has an export manifest (`<export>/metadata/BILLING_PERIOD=YYYY-MM/*Manifest.json`,
 * whose `dataFiles` lists the files of the delivery), only the files it lists; the others are left out with a
 * warning (an extra copy, or a file of an earlier delivery, would otherwise be counted twice).
 */
function applyManifests(files: CurFile[], metadataDirs: string[], warnings: string[]): CurFile[] {
  let kept = files;
  for (const metadata of [...new Set(metadataDirs.map(realPath))]) {
    const root = path.dirname(metadata);
    let partitions: string[];
    try {
      partitions = fs.readdirSync(metadata).filter((d) => PARTITION.test(`/${d}`)).sort();
    } catch {
      continue;
    }
    for (const partition of partitions) {
      const dir = path.join(metadata, partition);
      let manifests: string[];
      try {
        manifests = fs.readdirSync(dir).filter((f) => /manifest\.json$/i.test(f)).sort();
      } catch {
        continue;
      }
      if (manifests.length === 0) {
        continue;
      }
      if (manifests.length > 1) {
        throw new CostDataError(`${dir} holds ${manifests.length} export manifests (${manifests.join(', ')}): one delivery per billing period `
          + 'is expected; pass the data files of one delivery (a file list or a glob) instead of the export folder');
      }
      const manifest = path.join(dir, manifests[0]);
      const listed = manifestFiles(manifest, path.join(root, 'data'), partition);
      const dataDir = realPath(path.join(root, 'data', partition)) + path.sep;
      const inPartition = (f: CurFile) => realPath(f.file).startsWith(dataDir);
      const present = new Set(kept.filter(inPartition).map((f) => realPath(f.file)));
      const missing = [...listed].filter((f) => !present.has(f) && !fs.existsSync(f));
      if (missing.length > 0) {
        throw new CostDataError(`the export manifest ${manifest} lists ${missing.length} data file${missing.length === 1 ? '' : 's'} that `
          + `${missing.length === 1 ? 'is' : 'are'} not there (${missing.slice(0, 3).map((f) => path.basename(f)).join(', ')}`
          + `${missing.length > 3 ? ', ...' : ''}): the copy of the export is incomplete; download it again`);
      }
      const extra = kept.filter((f) => inPartition(f) && !listed.has(realPath(f.file)));
      if (extra.length > 0) {
        warnings.push(`${extra.length} data file${extra.length === 1 ? '' : 's'} in ${path.join(root, 'data', partition)} `
          + `${extra.length === 1 ? 'is' : 'are'} not listed in the export manifest ${manifests[0]} and ${extra.length === 1 ? 'was' : 'were'} `
          + `left out (${extra.slice(0, 3).map((f) => path.basename(f.file)).join(', ')}${extra.length > 3 ? ', ...' : ''}): `
          + 'a copy, or a file of an earlier delivery? Remove it, or the manifest to read every file');
        kept = kept.filter((f) => !extra.includes(f));
      }
    }
  }
  return kept;
}

/**
 * The real paths of the data files a manifest lists. `dataFiles` holds S3 URIs
 * (`s3://bucket/prefix/<export>/data/BILLING_PERIOD=YYYY-MM/<file>`); each maps to the same path under the local
 * export's `data` folder.
 */
function manifestFiles(manifest: string, dataDir: string, partition: string): Set<string> {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  } catch (e) {
    throw new CostDataError(`cannot read the export manifest ${manifest}: ${e instanceof SyntaxError ? `not JSON (${firstLine(e.message)})` : describeFsError(e)}`);
  }
  const list = (data as { dataFiles?: unknown }).dataFiles;
  if (!Array.isArray(list) || list.some((f) => typeof f !== 'string')) {
    throw new CostDataError(`the export manifest ${manifest} has no "dataFiles" list of file names: is it a Data Exports manifest?`);
  }
  return new Set((list as string[]).map((uri) => {
    const m = /(?:^|\/)data\/((?:BILLING_PERIOD|billing_period)=[^/]+\/.+)$/.exec(uri);
    return realPath(m ? path.join(dataDir, ...m[1].split('/')) : path.join(dataDir, partition, path.posix.basename(uri)));
  }));
}

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

async function expandGlob(session: DuckDbSession, pattern: string): Promise<CurFile[]> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await session.rows(`SELECT file FROM glob(${sqlLiteral(pattern)}) ORDER BY file`);
  } catch (e) {
    throw new CostDataError(`cannot expand ${pattern}: ${firstLine(e instanceof Error ? e.message : String(e))}`);
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
    throw new CostDataError(`cannot read ${file}: ${describeFsError(e)}`);
  }
}

function describeFsError(e: unknown): string {
  return describeFsCode(e) ?? firstLine(e instanceof Error ? e.message : String(e));
}

/**
 * Keeps the files whose billing period overlaps [from, to); files outside partitions are always read. With
 * `laterPeriods`, the files of every later billing period are kept too (FOCUS: a correction of a charge period is
 * delivered with a later billing period).
 */
export function selectPeriod(files: CurFile[], from: string, to: string, paths: string[], what: string = 'CUR', laterPeriods = false): CurFile[] {
  const first = from.slice(0, 7);
  const last = laterPeriods ? '9999-12' : lastMonthBefore(to);
  const selected = files.filter((f) => f.billingPeriod === undefined || (f.billingPeriod >= first && f.billingPeriod <= last));
  if (selected.length === 0) {
    const periods = [...new Set(files.map((f) => f.billingPeriod))].sort();
    throw new CostDataError(`no ${what} data between ${from} and ${to} (exclusive) in ${describePaths(paths)}: `
      + `its billing periods are ${periods.join(', ')}; choose --from/--to inside them`);
  }
  return selected;
}

export function singleFormat(files: CurFile[], paths: string[]): Format {
  const formats = [...new Set(files.map((f) => f.format))];
  if (formats.length > 1) {
    throw new CostDataError(`${describePaths(paths)} mixes Parquet and CSV files: pass one export (one format) at a time`);
  }
  return formats[0];
}

export function describePaths(paths: string[]): string {
  return paths.length === 1 ? paths[0] : `${paths[0]} (and ${paths.length - 1} more)`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** The options of the DuckDB file sources (`--source cur`, `--source focus`). */
export interface FileSourceOptions extends DuckDbSessionOptions {
  /** The data: Parquet or CSV(.gz) files, export folders (`BILLING_PERIOD=YYYY-MM` partitions are used) or globs. */
  readonly paths: string[];
  /** How often progress is reported during the scan, in milliseconds. @default 1000 */
  readonly progressIntervalMs?: number;
  /** Deadline and cancellation: they interrupt the scan. @default - none */
  readonly limits?: CallLimits;
}

/** A DuckDB session for the file sources: interrupted by the deadline and cancellation of `limits`. */
export async function openSession(options: FileSourceOptions): Promise<DuckDbSession> {
  const paths = options.paths;
  const session = await DuckDbSession.open(options);
  if (options.limits) {
    session.interruptOn(options.limits, `reading ${describePaths(paths)}`);
  }
  return session;
}

/** The files a query reads: those of its billing periods, all of one format. */
export interface PeriodFiles extends FileList {
  readonly format: Format;
  readonly bytes: number;
  /** How many files were left out, outside the query's billing periods. */
  readonly skipped: number;
}

/**
 * Lists the files of `paths` and keeps those of the query's period (`what` names the data in messages), and with
 * `laterPeriods` those of every later billing period (see `selectPeriod`).
 */
export async function periodFiles(session: DuckDbSession, paths: string[], query: CostQuery, what: string,
  laterPeriods = false): Promise<PeriodFiles> {
  const { files: all, warnings } = await listFiles(session, paths, what);
  const files = selectPeriod(all, query.from, query.to, paths, what, laterPeriods);
  return {
    files,
    warnings,
    format: singleFormat(files, paths),
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    skipped: all.length - files.length,
  };
}

/** `Parquet` or `CSV`. */
export function formatName(format: Format): string {
  return format === 'parquet' ? 'Parquet' : 'CSV';
}

/**
 * `3 Parquet files (12.0 MB), skipping 2 outside 2026-10-01..2026-12-01`: the progress line's part on the files;
 * `kind` goes before the format (`FOCUS 1.2`).
 */
export function describeReading(p: PeriodFiles, query: CostQuery, kind?: string): string {
  return `${p.files.length} ${kind ? `${kind} ` : ''}${formatName(p.format)} file${p.files.length === 1 ? '' : 's'} (${formatBytes(p.bytes)})`
    + (p.skipped > 0 ? `, skipping ${p.skipped} outside ${query.from}..${query.to}` : '');
}

/** `2 Parquet files, billing periods 2026-10, 2026-11`: the result's source line's part on the files. */
export function describeRead(p: PeriodFiles): string {
  const periods = [...new Set(p.files.map((f) => f.billingPeriod).filter((b): b is string => b !== undefined))].sort();
  return `${p.files.length} ${formatName(p.format)} file${p.files.length === 1 ? '' : 's'}`
    + `${periods.length > 0 ? `, billing period${periods.length === 1 ? '' : 's'} ${periods.join(', ')}` : ''}`;
}

/**
 * The error when the query's period has no data: which days the data covers. `view` and the schema's `timeColumn` say where the
 * dates are, `what` names what was looked for (`CUR line items`, `FOCUS charges`), `rows` what the files hold.
 */
export async function emptyPeriodMessage(session: DuckDbSession, query: CostQuery, paths: string[],
  o: { readonly view: string; readonly schema: Pick<CostSchema, 'timeColumn'>; readonly what: string; readonly rows: string; readonly by?: string }): Promise<string> {
  const [span] = await session.rows(`SELECT CAST(CAST(min(${o.schema.timeColumn}) AS DATE) AS VARCHAR) AS first,
    CAST(CAST(max(${o.schema.timeColumn}) AS DATE) AS VARCHAR) AS last, count(${o.schema.timeColumn}) AS n FROM ${o.view}`);
  const covered = Number(span?.n ?? 0) === 0 ? `the files hold no ${o.rows} with a date` : `the data covers ${span.first} to ${span.last}`;
  return `no ${o.what} between ${query.from} and ${query.to} (exclusive${o.by ? `, ${o.by}` : ''}) in ${describePaths(paths)}: ${covered}`;
}
