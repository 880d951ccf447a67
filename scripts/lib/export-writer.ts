/**
 * What the synthetic export generators share (scripts/generate-cur.ts, scripts/generate-focus.ts): their common
 * options and checks, the billing periods, the layout of an export as Data Exports delivers it
 * (`<out>/<export-name>/data/<partition>=YYYY-MM/<export-name>-00001.<ext>` and
 * `<out>/<export-name>/metadata/<partition>=YYYY-MM/<export-name>-Manifest.json`, the partition folder from the
 * schema), the files streamed from DuckDB with COPY ... TO, and the command line. Each generator keeps what is its
 * own: the rows, the manifest's fields and the totals.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { SchemaPartitionFolder } from '../../src/cost-data/schemas/schema';

export type ExportFileFormat = 'parquet' | 'csv' | 'csv.gz';

/** The options every generator takes. */
export interface ExportOptions {
  readonly rows: number;
  readonly out: string;
  readonly format: ExportFileFormat;
  readonly months: number;
  readonly start: string;
  readonly seed: number;
  readonly exportName: string;
  readonly rowsPerFile: number;
  readonly threads?: number;
}

/** The defaults of the common options (the export name is each generator's). */
export const EXPORT_DEFAULTS = {
  format: 'parquet' as ExportFileFormat,
  months: 2,
  start: '2026-10',
  seed: 1,
  rowsPerFile: 2_000_000,
};

/**
 * The problems of the common options, in the order the generators list them (`exportNameHint` follows the export
 * name's rule, e.g. ` (Data Exports names)`).
 */
export function commonProblems(o: ExportOptions, exportNameHint: string = ''): { readonly first: string[]; readonly last: string[] } {
  const first: string[] = [];
  if (!Number.isInteger(o.rows) || o.rows < 1) first.push(`rows is ${o.rows}: expected a whole number >= 1`);
  if (!Number.isInteger(o.months) || o.months < 1 || o.months > 36) first.push(`months is ${o.months}: expected 1-36`);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(o.start)) first.push(`start is ${JSON.stringify(o.start)}: expected YYYY-MM`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 1_000_000) first.push(`seed is ${o.seed}: expected a whole number 0-1000000`);
  if (!['parquet', 'csv', 'csv.gz'].includes(o.format)) first.push(`format is ${JSON.stringify(o.format)}: expected parquet, csv or csv.gz`);
  const last: string[] = [];
  if (!/^[0-9A-Za-z\-_]{1,128}$/.test(o.exportName)) last.push(`export-name is ${JSON.stringify(o.exportName)}: expected 1-128 of 0-9 A-Z a-z - _${exportNameHint}`);
  if (!Number.isInteger(o.rowsPerFile) || o.rowsPerFile < 1) last.push(`rows-per-file is ${o.rowsPerFile}: expected a whole number >= 1`);
  return { first, last };
}

/** The billing periods (`YYYY-MM`) from `start`, `months` of them. */
export function billingPeriods(start: string, months: number): string[] {
  const [y, mo] = start.split('-').map(Number);
  return Array.from({ length: months }, (_, i) => new Date(Date.UTC(y, mo - 1 + i, 1)).toISOString().slice(0, 7));
}

/** `total` split into `parts` whole numbers, the first ones one larger. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/** A SQL string literal. */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The first day of the month after `period` (`YYYY-MM-DD`). */
export function nextMonthStart(period: string): string {
  return new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 1)).toISOString().slice(0, 10);
}

/** Runs `work` on an in-memory DuckDB (UTC, 1 GB, insertion order kept), closed afterwards. */
export async function withDuckDb<T>(threads: number | undefined, work: (db: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', {
    ...(threads ? { threads: String(threads) } : {}),
    memory_limit: '1GB',
    preserve_insertion_order: 'true',
  });
  const db = await instance.connect();
  try {
    await db.run("SET TimeZone = 'UTC'");
    return await work(db);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** How one export is written. */
export interface ExportLayout {
  readonly options: ExportOptions;
  readonly periods: readonly string[];
  /** The schema's billing-period folders. */
  readonly partitionFolder: SchemaPartitionFolder;
  /** The SELECT of rows `lo` to `hi` - 1, in billing period `month` (0-based). */
  select(lo: number, hi: number, month: number): string;
  /** The manifest of a billing period, given its data files (relative to `out`, with `/`). */
  manifest(period: string, dataFiles: string[]): Record<string, unknown>;
}

/**
 * Writes an export: per billing period, its rows in files of at most `rowsPerFile` rows, and its manifest. Returns the
 * data files, relative to `out` and written with `/` on every system.
 */
export async function writeExport(db: DuckDBConnection, layout: ExportLayout): Promise<string[]> {
  const o = layout.options;
  const exportDir = path.join(o.out, o.exportName);
  const relative = (f: string) => path.relative(o.out, f).split(path.sep).join('/');
  const folder = (period: string) => `${layout.partitionFolder.name}=${period}`;
  const files: string[] = [];
  const perMonth = splitEvenly(o.rows, o.months);
  let lo = 0;
  for (let m = 0; m < o.months; m++) {
    const period = layout.periods[m];
    const dataDir = path.join(exportDir, 'data', folder(period));
    fs.mkdirSync(dataDir, { recursive: true });
    const chunks = Math.max(1, Math.ceil(perMonth[m] / o.rowsPerFile));
    const perChunk = splitEvenly(perMonth[m], chunks);
    const monthFiles: string[] = [];
    for (let c = 0; c < chunks; c++) {
      const file = path.join(dataDir, `${o.exportName}-${String(c + 1).padStart(5, '0')}.${o.format === 'parquet' ? 'snappy.parquet' : o.format}`);
      await db.run(`COPY (${layout.select(lo, lo + perChunk[c], m)}) TO ${lit(file)} ${copyOptions(o.format)}`);
      monthFiles.push(relative(file));
      lo += perChunk[c];
    }
    files.push(...monthFiles);
    const metadataDir = path.join(exportDir, 'metadata', folder(period));
    fs.mkdirSync(metadataDir, { recursive: true });
    fs.writeFileSync(path.join(metadataDir, `${o.exportName}-Manifest.json`), `${JSON.stringify(layout.manifest(period, monthFiles), null, 2)}\n`);
  }
  return files;
}

function copyOptions(format: ExportFileFormat): string {
  switch (format) {
    case 'parquet': return '(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)';
    case 'csv': return '(FORMAT csv, HEADER true)';
    case 'csv.gz': return '(FORMAT csv, HEADER true, COMPRESSION gzip)';
  }
}

/**
 * The command line of a generator: `--name value` or `--name=value` for each of `known`; `--help` prints the
 * header comment of `file` and exits. `--rows` and `--out` are required. Returns the values as given.
 */
export function parseCommandLine(argv: readonly string[], command: string, file: string, known: readonly string[]): Record<string, string> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${fs.readFileSync(file, 'utf8').split('*/')[0].replace(/^\/\*\*\n/, '').replace(/^ \* ?/gm, '')}\n`);
      process.exit(0);
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`${command}: unexpected argument ${JSON.stringify(a)} (see --help)`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`${command}: --${m[1]} needs a value`);
    opts[m[1]] = value;
  }
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${command}: unknown option(s) ${unknown.map((u) => `--${u}`).join(', ')}; accepted: ${known.map((k) => `--${k}`).join(', ')}`);
  if (!opts.rows || !opts.out) throw new Error(`${command}: --rows N and --out DIR are required (see --help)`);
  return opts;
}

/** A whole-number option (`_` allowed as a digit separator), undefined when not given. */
export function intOption(opts: Record<string, string>, name: string): number | undefined {
  return opts[name] === undefined ? undefined : Number(opts[name].replace(/_/g, ''));
}

/**
 * Runs a generator from the command line: parses, drops the options not given, generates, prints the summary on
 * stderr and the totals file on stdout; an error is one line on stderr and exit code 1.
 */
export function runGenerator<O extends { readonly out: string }, T extends { readonly exportName: string }>(argv: readonly string[],
  parse: (argv: readonly string[]) => O, generate: (options: O) => Promise<T>, summary: (totals: T) => string): void {
  (async () => {
    const options = parse(argv);
    const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as unknown as O;
    const totals = await generate(clean);
    process.stderr.write(`${summary(totals)}\n`);
    process.stdout.write(`${path.join(clean.out, `${totals.exportName}-totals.json`)}\n`);
  })().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

/**
 * The "untagged mix" both generators can add (`--untagged-mix`, off by default so that the default output is
 * unchanged): untagged spend made of the things attribution rules are declared for (docs/attribution.md), not only
 * shared infrastructure in one account. Untagged usage is spread over the services' accounts and part of it carries
 * the AWS-generated tag `aws:cloudformation:stack-name`, half of that naming a stack of the benchmark's assembly
 * (`bench/attribution.ts`: resources created before the tags were activated), half a stack outside every assembly.
 */
export const UNTAGGED_MIX = {
  /** Stacks on untagged usage: the first two hold declared services in bench/attribution.ts, the others none. */
  stacks: ['ShopStack', 'PlatformStack', 'legacy-batch-prod', 'sandbox-orders-dev'],
  /** Share of the untagged usage that carries a stack name. */
  stackShare: 0.5,
  /** Accounts the untagged usage is spread over (the shared-infrastructure account first, with the largest share). */
  accounts: ['444444444444', '444444444444', '111111111111', '222222222222', '333333333333'],
};

/**
 * The SQL of a value picked from `values` by a draw in [0, 1) (an expression), each value equally likely.
 */
export function pickSql(values: readonly string[], draw: string): string {
  return `[${values.map(lit).join(', ')}][1 + CAST(floor((${draw}) * ${values.length}) AS INTEGER)]`;
}

/** The stack name of an untagged usage row under the untagged mix, or NULL, from two draws in [0, 1). */
export function untaggedStackSql(hasStackDraw: string, whichDraw: string): string {
  return `CASE WHEN (${hasStackDraw}) < ${UNTAGGED_MIX.stackShare} THEN ${pickSql(UNTAGGED_MIX.stacks, whichDraw)} END`;
}
