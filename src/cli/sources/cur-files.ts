import * as fs from 'fs';
import * as path from 'path';
import { DuckDbSession, firstLine } from './duckdb-loader';
import { CliError } from './types';
import { lastMonthBefore, sqlLiteral } from '../../private/sql-util';

/** Finding the data files of a CUR 2.0 export: files, export folders (with partitions), globs. */

export type Format = 'parquet' | 'csv';

export interface CurFile {
  readonly file: string;
  readonly format: Format;
  readonly billingPeriod?: string;
  readonly bytes: number;
}

const PARTITION = /(?:^|[\\/])BILLING_PERIOD=(\d{4}-\d{2})(?:[\\/]|$)/;
const DATA_FILE = /\.(parquet|csv|csv\.gz|csv\.gzip)$/i;
export const GLOB_CHARS = /[*?[\]{}]/;

/** Every data file of the path arguments, each once, sorted. */
export async function listFiles(session: DuckDbSession, paths: string[]): Promise<CurFile[]> {
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
export function selectPeriod(files: CurFile[], from: string, to: string, paths: string[]): CurFile[] {
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

export function singleFormat(files: CurFile[], paths: string[]): Format {
  const formats = [...new Set(files.map((f) => f.format))];
  if (formats.length > 1) {
    throw new CliError(`${describePaths(paths)} mixes Parquet and CSV files: pass one export (one format) at a time`);
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
