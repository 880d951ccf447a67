/**
 * The benchmarks of cdk-customer-value (issue 7): synth overhead at scale, and report speed against the physical
 * limit (a bare DuckDB query over the same CUR 2.0 files).
 *
 *   npx projen bench                     full sizes: N = 10, 100, 500 services; CUR exports of 1 M and 10 M line
 *                                        items; writes bench/RESULTS.md and bench/results.json
 *   npx projen bench -- --quick          small sizes (N = 10, 50; 100 k line items, 3 runs); writes
 *                                        bench/out/RESULTS.quick.md and bench/out/results.quick.json
 *   npx tsx bench/run.ts --only synth    one part (synth, report, ce); see --help
 *
 * Every measurement runs in a child process of its own (peak RSS per run); medians of several runs. The synth
 * children run the TypeScript sources through tsx (the library's Lambda assets are resolved from src/); the report
 * children run compiled JavaScript: the CLI compiled with tsc into bench/out/cli-build (as `bin/customer-value`
 * runs lib/), the DuckDB baseline bundled with esbuild.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { Variant, VARIANTS } from './app';
import { cePagesRun, CePagesResult } from './ce-pages';
import { analyse, BenchResults, PartRun, renderResults } from './render';
import type { SynthSample } from './synth-child';
import { CostGrouping, CostMetric, SqlDialect } from '../src/cost-data/query-terms';
import { CurQueries } from '../src/cost-data/schemas/cur-sql';
import { TagKeys } from '../src/tag-keys';

export type Part = 'synth' | 'report' | 'ce' | 'allocate' | 'attribution';

export interface BenchOptions {
  /** Services per app. */
  readonly sizes: number[];
  /** Runs per (size, variant). */
  readonly runs: number;
  readonly variants: Variant[];
  /** Sizes at which variant f (built-in CloudFormation validation) also runs. */
  readonly validationSizes: number[];
  readonly perStack: number;
  /** CUR line items per export. */
  readonly curRows: number[];
  readonly reportRuns: number;
  /** DuckDB memory limit of the bounded-memory runs. */
  readonly memoryLimit: string;
  /** Cost Explorer result pages. */
  readonly cePages: number[];
  /** Scratch directory (apps, CUR exports, builds). */
  readonly outDir: string;
  /** How the CLI runs: compiled JavaScript (as installed) or the TypeScript sources through tsx (smoke test). */
  readonly cli: 'compiled' | 'tsx';
  /** Skip the tsc build of the CLI (reuse bench/out/cli-build). */
  readonly noCompile: boolean;
  readonly parts: Part[];
  /** Also write CPU profiles of the synth children to <outDir>/prof. */
  readonly profile: boolean;
  /** Where RESULTS.md and results.json go; undefined: not written. */
  readonly resultsDir?: string;
  readonly resultsSuffix: string;
  /** Wait up to this many minutes for a 1-minute load average below 1.0 before measuring. */
  readonly waitQuietMinutes: number;
  readonly quick: boolean;
  /** Keep the parts of the existing results that are not rerun. */
  readonly merge?: boolean;
  /**
   * The attribution part's `coverage` variant: 'auto' runs it when the CLI has a `coverage` command, 'off' never,
   * 'on' requires it (fails when the CLI has none).
   */
  readonly coverage?: 'auto' | 'on' | 'off';
  /** The sources of the attribution part (generated with the untagged mix). @default ['cur'] */
  readonly attributionSources?: Array<'cur' | 'focus'>;
  readonly log: (message: string) => void;
}

const ROOT = path.resolve(__dirname, '..');
/** `--import tsx`, resolved from the repository (children may run in another working directory). */
const TSX = ['--import', pathToFileURL(require.resolve('tsx')).href];
const CUR_EXPORT = 'customer-value-cur';

export const FULL: Omit<BenchOptions, 'log'> = {
  sizes: [10, 100, 500],
  runs: 5,
  variants: ['a', 'b', 'c', 'd', 'e', 'g'],
  validationSizes: [10],
  perStack: 10,
  curRows: [1_000_000, 10_000_000],
  reportRuns: 5,
  memoryLimit: '128MB',
  cePages: [1, 3, 10],
  outDir: path.join(ROOT, 'bench', 'out'),
  cli: 'compiled',
  noCompile: false,
  parts: ['synth', 'report', 'ce', 'allocate', 'attribution'],
  profile: false,
  resultsDir: path.join(ROOT, 'bench'),
  resultsSuffix: '',
  waitQuietMinutes: 0,
  quick: false,
};

export const QUICK: Omit<BenchOptions, 'log'> = {
  ...FULL,
  sizes: [10, 50],
  runs: 3,
  validationSizes: [],
  curRows: [100_000],
  reportRuns: 3,
  resultsDir: path.join(ROOT, 'bench', 'out'),
  resultsSuffix: '.quick',
  quick: true,
};

// ------------------------------------------------------------------------------------------------ helpers

export function median(values: number[]): number {
  if (values.length === 0) {
    return NaN;
  }
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function load1(): number {
  return os.loadavg()[0];
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

interface ChildResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  readonly ms: number;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildResult {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) {
    throw r.error;
  }
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, ms };
}

/** An environment without anything that changes what is measured (CDK validation switches, DuckDB debug...). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CDK_VALIDATION;
  delete env.NODE_OPTIONS;
  // the helpers bundled into <outDir>/js load @duckdb/node-api from the repository, wherever outDir is
  return { ...env, NODE_PATH: path.join(ROOT, 'node_modules'), ...extra };
}

// ------------------------------------------------------------------------------------------------ synth

/** The runs of one size and variant: medians of the timings, the rest (the same in every run) from the first run. */
export interface SynthSummary extends Omit<SynthSample, 'variant' | 'warmupMs'> {
  readonly variant: Variant;
  readonly runs: number;
  readonly wallMsMin: number;
  readonly wallMsMax: number;
}

function synthOnce(o: BenchOptions, variant: Variant, services: number, perStack = o.perStack, profileTag?: string, resources = 'full'): SynthSample {
  const outdir = path.join(o.outDir, 'synth', `${variant}-${services}-${perStack}-${resources}`);
  const nodeArgs = [...TSX];
  if (profileTag) {
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', path.join(o.outDir, 'prof'), '--cpu-prof-name', `${profileTag}.cpuprofile`);
  }
  const r = run(process.execPath, [...nodeArgs, path.join(ROOT, 'bench', 'synth-child.ts'),
    '--variant', variant, '--services', String(services), '--per-stack', String(perStack), '--resources', resources, '--outdir', outdir], { env: cleanEnv() });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH '));
  if (r.status !== 0 || !line) {
    throw new Error(`synth child ${variant}/${services} failed (exit ${r.status}): ${r.stderr.split('\n').slice(-15).join('\n')}`);
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return JSON.parse(line.slice('BENCH '.length)) as SynthSample;
}

function summarise(samples: SynthSample[]): SynthSummary[] {
  const groups = new Map<string, SynthSample[]>();
  for (const s of samples) {
    const k = `${s.services}/${s.variant}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  return [...groups.values()].map((g) => {
    const { warmupMs: _warmup, ...first } = g[0];
    const m = (f: (s: SynthSample) => number) => median(g.map(f));
    return {
      ...first,
      variant: first.variant as Variant,
      runs: g.length,
      wallMs: m((s) => s.wallMs),
      cpuMs: m((s) => s.cpuMs),
      buildMs: m((s) => s.buildMs),
      synthMs: m((s) => s.synthMs),
      maxRssKb: m((s) => s.maxRssKb),
      loadMs: m((s) => s.loadMs),
      wallMsMin: Math.min(...g.map((s) => s.wallMs)),
      wallMsMax: Math.max(...g.map((s) => s.wallMs)),
    };
  }).sort((x, y) => x.services - y.services || x.variant.localeCompare(y.variant));
}

export interface SynthResults {
  readonly samples: SynthSample[];
  readonly summary: SynthSummary[];
  /** One app of 25 services in one stack, variant c: how far the biggest stack is from CloudFormation's limits. */
  readonly stack25?: SynthSample;
}

function synthBench(o: BenchOptions, loads: number[]): SynthResults {
  const samples: SynthSample[] = [];
  for (const services of o.sizes) {
    const variants = [...o.variants, ...(o.validationSizes.includes(services) ? ['f' as Variant] : [])];
    for (let r = 0; r < o.runs; r++) {
      // rotate the order from run to run, so that a slow period of the machine does not always hit the same variant
      const order = variants.map((_, i) => variants[(i + r) % variants.length]);
      for (const variant of order) {
        const s = synthOnce(o, variant, services);
        loads.push(load1());
        samples.push(s);
        o.log(`synth N=${services} ${variant} run ${r + 1}/${o.runs}: ${(s.wallMs / 1000).toFixed(2)} s wall, ${(s.cpuMs / 1000).toFixed(2)} s CPU, `
          + `${Math.round(s.maxRssKb / 1024)} MB peak RSS, ${s.resources} resources${s.synthError ? ` (synth failed: ${s.synthError})` : ''}`);
      }
    }
  }
  // 25 full services would hold 500 user resources, CloudFormation's limit on their own: small services (a function
  // with its role, policy and log group) show what reporting adds to a stack of 25
  const stack25 = synthOnce(o, 'c', 25, 25, undefined, 'small');
  o.log(`stack of 25 small services (c): ${stack25.maxStackResources} resources, ${stack25.maxStackBytes} bytes`);
  if (o.profile) {
    const n = o.sizes[o.sizes.length - 1];
    for (const variant of o.variants) {
      synthOnce(o, variant, n, o.perStack, `${variant}-${n}`);
      o.log(`profile ${variant}-${n}: ${path.join(o.outDir, 'prof', `${variant}-${n}.cpuprofile`)}`);
    }
  }
  return { samples, summary: summarise(samples), stack25 };
}

// ------------------------------------------------------------------------------------------------ report

interface ChildUsage {
  readonly wallMs: number;
  readonly maxRssKb: number;
  readonly cpuMs: number;
}

export interface ReportMeasure {
  readonly runs: ChildUsage[];
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
}

export interface ReportSize {
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
  readonly cli: ReportMeasure;
  readonly bare: ReportMeasure;
  /** cli / bare, medians of wall time. */
  readonly ratio: number;
  /** The CLI's CUR source with a lowered memory limit, and the bare query with the same limit. */
  readonly cliLimited: ReportMeasure;
  readonly bareLimited: ReportMeasure;
  /** Both give the same rows and total (checked). */
  readonly rowsOut: number;
  readonly total: number;
}

/** `cost --allocate` against the same report without it, over one CUR export. */
export interface AllocateSize {
  readonly rows: number;
  readonly plain: ReportMeasure;
  readonly allocated: ReportMeasure;
  /** allocated / plain: medians of wall time, of CPU time, and the fastest runs of each. */
  readonly ratio: number;
  readonly cpuRatio: number;
  readonly ratioFastest: number;
  readonly cpuRatioFastest: number;
  /** The report's total, and fully loaded + unallocated of the allocated one (checked equal to the cent). */
  readonly total: number;
  readonly fullyLoaded: number;
  readonly unallocated: number;
}

export interface AllocateResults {
  readonly command: string;
  readonly sizes: AllocateSize[];
}

export interface ReportResults {
  readonly cli: 'compiled' | 'tsx';
  readonly memoryLimit: string;
  readonly command: string;
  readonly sizes: ReportSize[];
}

function measure(label: string, o: BenchOptions, args: string[], cwd: string): { usage: ChildUsage; stdout: string } {
  const usageFile = path.join(o.outDir, 'js', `usage-${process.pid}.json`);
  fs.rmSync(usageFile, { force: true });
  const r = run(process.execPath, ['--require', path.join(o.outDir, 'js', 'usage-preload.js'), ...args], {
    cwd,
    env: cleanEnv({ BENCH_USAGE_FILE: usageFile }),
  });
  if (r.status !== 0) {
    throw new Error(`${label} failed (exit ${r.status}): ${r.stderr.split('\n').slice(-10).join('\n')}`);
  }
  const u = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as { maxRssKb: number; userMs: number; systemMs: number };
  return { usage: { wallMs: r.ms, maxRssKb: u.maxRssKb, cpuMs: u.userMs + u.systemMs }, stdout: r.stdout };
}

function summariseRuns(runs: ChildUsage[]): ReportMeasure {
  return {
    runs,
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    maxRssKb: median(runs.map((r) => r.maxRssKb)),
  };
}

async function ensureCur(o: BenchOptions, rows: number): Promise<string> {
  const dir = path.join(o.outDir, `cur-${rows}`);
  if (!fs.existsSync(path.join(dir, `${CUR_EXPORT}-totals.json`))) {
    o.log(`generating a CUR 2.0 export of ${rows} line items in ${dir} (once; reused afterwards)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generateCur } = require('../scripts/generate-cur') as typeof import('../scripts/generate-cur');
    await generateCur({ rows, out: dir, format: 'parquet', seed: 1 });
  }
  return dir;
}

function buildHelpers(o: BenchOptions): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: ['usage-preload.ts', 'duckdb-bare.ts', 'cur-source-child.ts'].map((f) => path.join(ROOT, 'bench', f)),
    outdir: path.join(o.outDir, 'js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@duckdb/node-api'],
    logLevel: 'error',
  });
  if (o.cli === 'compiled') {
    const build = path.join(o.outDir, 'cli-build');
    if (!o.noCompile || !fs.existsSync(path.join(build, 'cli', 'main.js'))) {
      o.log('compiling the library with tsc into bench/out/cli-build (the CLI as bin/customer-value runs it)');
      fs.rmSync(build, { recursive: true, force: true });
      const r = run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json'),
        '--outDir', build, '--declaration', 'false', '--noEmitOnError', 'false']);
      if (!fs.existsSync(path.join(build, 'cli', 'main.js'))) {
        throw new Error(`tsc did not emit the CLI: ${r.stdout}${r.stderr}`);
      }
    }
    // the same launcher as bin/customer-value
    fs.writeFileSync(path.join(o.outDir, 'customer-value.js'), 'require("./cli-build/cli/main.js").main(process.argv.slice(2));\n');
  }
}

async function reportBench(o: BenchOptions, loads: number[]): Promise<ReportResults> {
  fs.mkdirSync(path.join(o.outDir, 'js'), { recursive: true });
  buildHelpers(o);
  const cwd = path.join(o.outDir, 'report-cwd');
  fs.mkdirSync(cwd, { recursive: true }); // no cdk.out here: the CLI reports tag values without reading assemblies
  const js = (f: string) => path.join(o.outDir, 'js', f);
  const tsx = o.cli === 'tsx' ? TSX : [];
  const cliEntry = o.cli === 'compiled' ? [path.join(o.outDir, 'customer-value.js')] : [...TSX, path.join(ROOT, 'bench', 'cli.ts')];
  const lib = o.cli === 'compiled' ? path.join(o.outDir, 'cli-build') : path.join(ROOT, 'src');
  const sizes: ReportSize[] = [];
  let command = '';
  for (const rows of o.curRows) {
    const dir = await ensureCur(o, rows);
    const totals = JSON.parse(fs.readFileSync(path.join(dir, `${CUR_EXPORT}-totals.json`), 'utf8')) as { from: string; to: string; files: string[] };
    const files = totals.files.map((f) => path.join(dir, f));
    const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);
    const exportDir = path.join(dir, CUR_EXPORT);
    const cliArgs = ['cost', '--source', 'cur', exportDir, '--from', totals.from, '--to', totals.to, '--by', 'service', '--output', 'json', '--quiet'];
    command = `customer-value ${cliArgs.join(' ').replace(exportDir, `bench/out/cur-${rows}/${CUR_EXPORT}`)}`;
    const sql = CurQueries.costBy({
      table: 'cur_line_items',
      dialect: SqlDialect.DUCKDB,
      groupBy: CostGrouping.SERVICE,
      metric: CostMetric.UNBLENDED,
      tagKeys: TagKeys.DEFAULT,
      from: totals.from,
      to: totals.to,
      daily: true,
      estimatedFlag: true,
    });
    const bareConfig = path.join(o.outDir, 'js', `bare-${rows}.json`);
    fs.writeFileSync(bareConfig, JSON.stringify({ files, sql }));
    const bareLimitedConfig = path.join(o.outDir, 'js', `bare-${rows}-limited.json`);
    fs.writeFileSync(bareLimitedConfig, JSON.stringify({ files, sql, memoryLimit: o.memoryLimit }));
    const sourceConfig = path.join(o.outDir, 'js', `source-${rows}.json`);
    fs.writeFileSync(sourceConfig, JSON.stringify({ paths: [exportDir], from: totals.from, to: totals.to, memoryLimit: o.memoryLimit }));

    const runs: Record<'cli' | 'bare' | 'cliLimited' | 'bareLimited', ChildUsage[]> = { cli: [], bare: [], cliLimited: [], bareLimited: [] };
    // every reader must find the same total (and the readers of daily rows the same number of rows)
    let check: { rows?: number; total: number } | undefined;
    const agree = (label: string, got: { rows?: number; total: number }) => {
      if (!Number.isFinite(got.total)) {
        throw new Error(`${label} gave no total: ${JSON.stringify(got)}`);
      }
      if (!check || check.rows === undefined) {
        check = { rows: got.rows ?? check?.rows, total: check?.total ?? got.total };
      }
      const rowsDiffer = got.rows !== undefined && check.rows !== undefined && got.rows !== check.rows;
      if (rowsDiffer || Math.abs(got.total - check.total) > 1e-6 * Math.max(1, Math.abs(check.total))) {
        throw new Error(`${label} disagrees with the other readers: ${JSON.stringify(got)} vs ${JSON.stringify(check)}`);
      }
    };
    // warm the page cache once, so that the first measured run does not pay for reading the files from disk
    measure('bare DuckDB (warm-up)', o, [...tsx, js('duckdb-bare.js'), bareConfig], cwd);
    for (let r = 0; r < o.reportRuns; r++) {
      const order: Array<keyof typeof runs> = r % 2 === 0 ? ['cli', 'bare', 'cliLimited', 'bareLimited'] : ['bare', 'cli', 'bareLimited', 'cliLimited'];
      for (const which of order) {
        if (which === 'cli') {
          const m = measure('customer-value cost', o, [...cliEntry, ...cliArgs], cwd);
          runs.cli.push(m.usage);
          agree('the CLI', cliTotals(JSON.parse(m.stdout)));
        } else if (which === 'bare') {
          const m = measure('bare DuckDB', o, [...tsx, js('duckdb-bare.js'), bareConfig], cwd);
          runs.bare.push(m.usage);
          agree('bare DuckDB', JSON.parse(m.stdout));
        } else if (which === 'cliLimited') {
          const m = measure('CurFileSource (memory limit)', o, [...tsx, js('cur-source-child.js'), lib, sourceConfig], cwd);
          runs.cliLimited.push(m.usage);
          agree('CurFileSource', JSON.parse(m.stdout));
        } else {
          const m = measure('bare DuckDB (memory limit)', o, [...tsx, js('duckdb-bare.js'), bareLimitedConfig], cwd);
          runs.bareLimited.push(m.usage);
          agree('bare DuckDB (memory limit)', JSON.parse(m.stdout));
        }
        loads.push(load1());
      }
      o.log(`report ${rows} rows run ${r + 1}/${o.reportRuns}: CLI ${runs.cli[r].wallMs.toFixed(0)} ms, bare ${runs.bare[r].wallMs.toFixed(0)} ms, `
        + `source at ${o.memoryLimit} ${runs.cliLimited[r].wallMs.toFixed(0)} ms, bare at ${o.memoryLimit} ${runs.bareLimited[r].wallMs.toFixed(0)} ms`);
    }
    const cli = summariseRuns(runs.cli);
    const bare = summariseRuns(runs.bare);
    sizes.push({
      rows,
      files: files.length,
      bytes,
      cli,
      bare,
      ratio: cli.wallMs / bare.wallMs,
      cliLimited: summariseRuns(runs.cliLimited),
      bareLimited: summariseRuns(runs.bareLimited),
      rowsOut: check!.rows ?? 0,
      total: check!.total,
    });
  }
  return { cli: o.cli, memoryLimit: o.memoryLimit, command, sizes };
}

/**
 * `customer-value cost --allocate` against the same report without it (same source, period, grouping, assembly),
 * runs interleaved; the allocated report must conserve the total to the cent.
 */
async function allocateBench(o: BenchOptions, loads: number[]): Promise<AllocateResults> {
  fs.mkdirSync(path.join(o.outDir, 'js'), { recursive: true });
  buildHelpers(o);
  const cwd = path.join(o.outDir, 'allocate-cwd');
  fs.mkdirSync(cwd, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeChainAssembly } = require('./value-chain') as typeof import('./value-chain');
  writeChainAssembly(path.join(cwd, 'cdk.out'));
  const cliEntry = o.cli === 'compiled' ? [path.join(o.outDir, 'customer-value.js')] : [...TSX, path.join(ROOT, 'bench', 'cli.ts')];
  const sizes: AllocateSize[] = [];
  let command = '';
  for (const rows of o.curRows) {
    const dir = await ensureCur(o, rows);
    const totals = JSON.parse(fs.readFileSync(path.join(dir, `${CUR_EXPORT}-totals.json`), 'utf8')) as { from: string; to: string };
    const exportDir = path.join(dir, CUR_EXPORT);
    const args = ['cost', '--source', 'cur', exportDir, '--from', totals.from, '--to', totals.to, '--by', 'service', '--output', 'json', '--quiet'];
    command = `customer-value ${args.join(' ').replace(exportDir, `bench/out/cur-${rows}/${CUR_EXPORT}`)} [--allocate]`;
    // warm the page cache
    measure('customer-value cost (warm-up)', o, [...cliEntry, ...args], cwd);
    const plain: ChildUsage[] = [];
    const allocated: ChildUsage[] = [];
    let total = NaN;
    let loaded = NaN;
    let unallocated = NaN;
    for (let r = 0; r < o.reportRuns; r++) {
      for (const which of r % 2 === 0 ? ['plain', 'allocated'] : ['allocated', 'plain']) {
        const m = measure(`customer-value cost${which === 'allocated' ? ' --allocate' : ''}`, o,
          [...cliEntry, ...args, ...(which === 'allocated' ? ['--allocate'] : [])], cwd);
        const report = JSON.parse(m.stdout) as { total: number; rows: Array<{ cost: number }>; allocation?: { unallocated: number } };
        if (which === 'plain') {
          plain.push(m.usage);
          total = report.total;
        } else {
          allocated.push(m.usage);
          loaded = report.rows.reduce((sum, x) => sum + x.cost, 0);
          unallocated = report.allocation!.unallocated;
          if (report.allocation === undefined || Math.abs(loaded + unallocated - report.total) > 0.005) {
            throw new Error(`--allocate did not conserve the total: ${loaded} + ${unallocated} vs ${report.total}`);
          }
        }
        loads.push(load1());
      }
      o.log(`allocate ${rows} rows run ${r + 1}/${o.reportRuns}: plain ${plain[r].wallMs.toFixed(0)} ms, --allocate ${allocated[r].wallMs.toFixed(0)} ms`);
    }
    if (Math.abs(loaded + unallocated - total) > 0.005) {
      throw new Error(`--allocate: ${loaded} + ${unallocated} differs from the plain report's total ${total}`);
    }
    const p = summariseRuns(plain);
    const a = summariseRuns(allocated);
    const min = (xs: ChildUsage[], f: (x: ChildUsage) => number) => Math.min(...xs.map(f));
    sizes.push({
      rows,
      plain: p,
      allocated: a,
      ratio: a.wallMs / p.wallMs,
      cpuRatio: a.cpuMs / p.cpuMs,
      ratioFastest: min(allocated, (x) => x.wallMs) / min(plain, (x) => x.wallMs),
      cpuRatioFastest: min(allocated, (x) => x.cpuMs) / min(plain, (x) => x.cpuMs),
      total,
      fullyLoaded: loaded,
      unallocated,
    });
  }
  return { command, sizes };
}

/** The CUR 2.0 export with the untagged mix (scripts/generate-cur.ts `untaggedMix`), generated once and reused. */
async function ensureCurMix(o: BenchOptions, rows: number): Promise<string> {
  const dir = path.join(o.outDir, `cur-mix-${rows}`);
  if (!fs.existsSync(path.join(dir, `${CUR_EXPORT}-totals.json`))) {
    o.log(`generating a CUR 2.0 export of ${rows} line items with the untagged mix in ${dir} (once; reused afterwards)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generateCur } = require('../scripts/generate-cur') as typeof import('../scripts/generate-cur');
    await generateCur({ rows, out: dir, format: 'parquet', seed: 1, untaggedMix: true });
  }
  return dir;
}

/** The FOCUS export with the untagged mix (scripts/generate-focus.ts `untaggedMix`), generated once and reused. */
async function ensureFocusMix(o: BenchOptions, rows: number): Promise<string> {
  const dir = path.join(o.outDir, `focus-mix-${rows}`);
  if (!fs.existsSync(path.join(dir, 'customer-value-focus-totals.json'))) {
    o.log(`generating ${rows} FOCUS rows with the untagged mix in ${dir} (once; reused afterwards)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generateFocus } = require('../scripts/generate-focus') as typeof import('../scripts/generate-focus');
    await generateFocus({ rows, out: dir, format: 'parquet', seed: 1, untaggedMix: true });
  }
  return dir;
}

/** One export of the attribution part: the plain report, the report with the rules, and `coverage` when run. */
export interface AttributionSize {
  readonly source?: 'cur' | 'focus';
  readonly rows: number;
  readonly plain: ReportMeasure;
  readonly rules: ReportMeasure;
  readonly coverage?: ReportMeasure;
  /** rules / plain (and coverage / plain): medians of CPU time, of wall time, and the fastest runs of each. */
  readonly cpuRatio: number;
  readonly ratio: number;
  readonly cpuRatioFastest: number;
  readonly ratioFastest: number;
  readonly coverageCpuRatio?: number;
  readonly coverageRatio?: number;
  /** The report's total and untagged spend; what the rules attributed and left (tagged + attributed + unattributed = total, checked). */
  readonly total: number;
  readonly untagged: number;
  readonly attributed: number;
  readonly unattributed: number;
  readonly rulesMatched: number;
}

export interface AttributionResults {
  readonly command: string;
  readonly coverageCommand?: string;
  readonly rules: number;
  readonly sizes: AttributionSize[];
}

/**
 * `customer-value cost` with the 20 attribution rules of bench/attribution.ts against the same report without them
 * (same export, period and services; the plain folder's assembly declares the same services without the rule set),
 * over a CUR 2.0 export with the untagged mix; `customer-value coverage` too when the CLI has it. Runs interleaved
 * (the order rotates); CPU time (user + system) of each child is recorded next to its wall time.
 */
async function attributionBench(o: BenchOptions, loads: number[]): Promise<AttributionResults> {
  fs.mkdirSync(path.join(o.outDir, 'js'), { recursive: true });
  buildHelpers(o);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeAttributionAssembly, BENCH_RULES } = require('./attribution') as typeof import('./attribution');
  const plainCwd = path.join(o.outDir, 'attribution-plain-cwd');
  const rulesCwd = path.join(o.outDir, 'attribution-rules-cwd');
  fs.mkdirSync(plainCwd, { recursive: true });
  fs.mkdirSync(rulesCwd, { recursive: true });
  writeAttributionAssembly(path.join(plainCwd, 'cdk.out'), false);
  writeAttributionAssembly(path.join(rulesCwd, 'cdk.out'), true);
  const cliEntry = o.cli === 'compiled' ? [path.join(o.outDir, 'customer-value.js')] : [...TSX, path.join(ROOT, 'bench', 'cli.ts')];
  const help = run(process.execPath, [...cliEntry, 'coverage', '--help'], { cwd: plainCwd, env: cleanEnv() });
  const hasCoverage = help.status === 0 && /coverage/.test(help.stdout + help.stderr);
  const withCoverage = o.coverage === 'on' || (o.coverage !== 'off' && hasCoverage);
  if (o.coverage === 'on' && !hasCoverage) {
    throw new Error('--coverage on: the CLI has no coverage command (customer-value coverage --help failed)');
  }
  o.log(withCoverage ? 'the CLI has a coverage command: measuring it too' : `coverage not measured (${hasCoverage ? '--coverage off' : 'the CLI has no coverage command'})`);
  const sizes: AttributionSize[] = [];
  let command = '';
  let coverageCommand: string | undefined;
  for (const [source, rows] of (o.attributionSources ?? ['cur']).flatMap((src) => o.curRows.map((n) => [src, n] as const))) {
    const dir = source === 'cur' ? await ensureCurMix(o, rows) : await ensureFocusMix(o, rows);
    const name = source === 'cur' ? CUR_EXPORT : 'customer-value-focus';
    const totals = JSON.parse(fs.readFileSync(path.join(dir, `${name}-totals.json`), 'utf8')) as { from: string; to: string };
    const exportDir = path.join(dir, name);
    const common = ['--source', source, exportDir, '--from', totals.from, '--to', totals.to];
    const args = ['cost', ...common, '--by', 'service', '--output', 'json', '--quiet'];
    const coverageArgs = ['coverage', ...common, '--output', 'json', '--quiet'];
    const shown = (a: string[]) => `customer-value ${a.join(' ').replace(exportDir, `bench/out/${source}-mix-${rows}/${name}`)}`;
    command = `${command ? `${command}; ` : ''}${shown(args)}`;
    coverageCommand = withCoverage ? shown(coverageArgs) : undefined;
    measure('customer-value cost (warm-up)', o, [...cliEntry, ...args], plainCwd);
    const runs: Record<'plain' | 'rules' | 'coverage', ChildUsage[]> = { plain: [], rules: [], coverage: [] };
    const which: Array<keyof typeof runs> = withCoverage ? ['plain', 'rules', 'coverage'] : ['plain', 'rules'];
    let plainTotal = NaN;
    let outcome: { total: number; untagged: number; attributed: number; unattributed: number; rulesMatched: number } | undefined;
    for (let r = 0; r < o.reportRuns; r++) {
      // rotate the order, so that a slow period of the machine does not always hit the same variant
      const order = which.map((_, i) => which[(i + r) % which.length]);
      for (const w of order) {
        if (w === 'coverage') {
          const m = measure('customer-value coverage', o, [...cliEntry, ...coverageArgs], rulesCwd);
          runs.coverage.push(m.usage);
        } else {
          const m = measure(`customer-value cost${w === 'rules' ? ' (rules)' : ''}`, o, [...cliEntry, ...args], w === 'rules' ? rulesCwd : plainCwd);
          runs[w].push(m.usage);
          const report = JSON.parse(m.stdout) as {
            total: number;
            attribution?: { tagged: number; attributed: number; unattributed: number; rules: Array<{ matched: boolean }> };
          };
          if (w === 'plain') {
            if (report.attribution) throw new Error('the plain report applied attribution rules: its assembly must declare none');
            plainTotal = report.total;
          } else {
            const a = report.attribution;
            if (!a) throw new Error('the report with rules has no attribution: the rule set was not read');
            if (Math.abs(a.tagged + a.attributed + a.unattributed - report.total) > 0.005) {
              throw new Error(`attribution does not conserve the total: ${a.tagged} + ${a.attributed} + ${a.unattributed} vs ${report.total}`);
            }
            outcome = {
              total: report.total,
              untagged: report.total - a.tagged,
              attributed: a.attributed,
              unattributed: a.unattributed,
              rulesMatched: a.rules.filter((x) => x.matched).length,
            };
          }
        }
        loads.push(load1());
      }
      o.log(`attribution ${source} ${rows} rows run ${r + 1}/${o.reportRuns}: ` + which.map((w) =>
        `${w} ${runs[w][r].wallMs.toFixed(0)} ms wall / ${runs[w][r].cpuMs.toFixed(0)} ms CPU`).join(', '));
    }
    if (!outcome || Math.abs(outcome.total - plainTotal) > 0.005) {
      throw new Error(`the report with rules totals ${outcome?.total}, the plain report ${plainTotal}`);
    }
    const p = summariseRuns(runs.plain);
    const ru = summariseRuns(runs.rules);
    const cov = withCoverage ? summariseRuns(runs.coverage) : undefined;
    const min = (xs: ChildUsage[], f: (x: ChildUsage) => number) => Math.min(...xs.map(f));
    sizes.push({
      source,
      rows,
      plain: p,
      rules: ru,
      ...(cov ? { coverage: cov, coverageCpuRatio: cov.cpuMs / p.cpuMs, coverageRatio: cov.wallMs / p.wallMs } : {}),
      cpuRatio: ru.cpuMs / p.cpuMs,
      ratio: ru.wallMs / p.wallMs,
      cpuRatioFastest: min(runs.rules, (x) => x.cpuMs) / min(runs.plain, (x) => x.cpuMs),
      ratioFastest: min(runs.rules, (x) => x.wallMs) / min(runs.plain, (x) => x.wallMs),
      ...outcome,
    });
  }
  return { command, ...(coverageCommand ? { coverageCommand } : {}), rules: BENCH_RULES.length, sizes };
}

/** The total of the CLI's JSON report (its rows are per service; the other readers' per service and day). */
function cliTotals(report: unknown): { rows?: number; total: number } {
  return { total: Number((report as { total?: unknown }).total) };
}

// ------------------------------------------------------------------------------------------------ main

function machine(): BenchResults['machine'] {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  const version = (pkg: string) => {
    try {
      return (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  const git = (args: string[]) => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : 'unknown';
  };
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3 * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    awsCdkLib: version('aws-cdk-lib'),
    cdkNag: version('cdk-nag'),
    duckdb: version('@duckdb/node-api'),
    commit: git(['rev-parse', '--short', 'HEAD']),
  };
}

function waitQuiet(o: BenchOptions): void {
  const deadline = Date.now() + o.waitQuietMinutes * 60_000;
  while (load1() >= 1.0 && Date.now() < deadline) {
    o.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}: waiting for it to drop below 1.0`);
    sleep(60_000);
  }
}

function loadSummary(before: number[], loads: number[]): PartRun['loadAverage'] {
  return { before, after: os.loadavg(), during: { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) } };
}

export async function runBench(o: BenchOptions): Promise<BenchResults> {
  fs.mkdirSync(o.outDir, { recursive: true });
  if (o.waitQuietMinutes > 0) {
    waitQuiet(o);
  }
  const json = o.resultsDir ? path.join(o.resultsDir, `results${o.resultsSuffix}.json`) : undefined;
  const previous = o.merge && json && fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) as BenchResults : undefined;
  const started = new Date();
  const options = {
    sizes: o.sizes,
    runs: o.runs,
    variants: o.variants,
    validationSizes: o.validationSizes,
    perStack: o.perStack,
    curRows: o.curRows,
    reportRuns: o.reportRuns,
    memoryLimit: o.memoryLimit,
    cePages: o.cePages,
    cli: o.cli,
  };
  const results: BenchResults = {
    date: started.toISOString(),
    quick: o.quick,
    machine: machine(),
    options,
    variants: VARIANTS,
    runs: { ...(previous?.runs ?? {}) },
    synth: previous?.synth,
    report: previous?.report,
    ce: previous?.ce,
    allocate: previous?.allocate,
    attribution: previous?.attribution,
  };
  const part = async (name: Part, fn: (loads: number[]) => Promise<void>) => {
    if (!o.parts.includes(name)) {
      return;
    }
    const t0 = new Date();
    const before = os.loadavg();
    const loads: number[] = [load1()];
    await fn(loads);
    results.runs[name] = {
      date: t0.toISOString(),
      elapsedS: Math.round((Date.now() - t0.getTime()) / 1000),
      commit: results.machine.commit,
      options,
      loadAverage: loadSummary(before, loads),
    };
  };
  await part('synth', async (loads) => {
    results.synth = synthBench(o, loads);
  });
  await part('report', async (loads) => {
    results.report = await reportBench(o, loads);
  });
  await part('allocate', async (loads) => {
    results.allocate = await allocateBench(o, loads);
  });
  await part('attribution', async (loads) => {
    const fresh = await attributionBench(o, loads);
    // with --merge, the sizes (source, line items) not measured again are kept
    const kept = (previous?.attribution?.sizes ?? []).filter((k) => !fresh.sizes.some((f) => (f.source ?? 'cur') === (k.source ?? 'cur') && f.rows === k.rows));
    results.attribution = o.merge && kept.length > 0
      // the commands of the sizes kept and rerun, each once
      ? { ...fresh, command: [...new Set([...previous!.attribution!.command.split('; '), ...fresh.command.split('; ')])].join('; '), sizes: [...kept, ...fresh.sizes] }
      : fresh;
  });
  await part('ce', async () => {
    const ce: CePagesResult[] = [];
    for (const pages of o.cePages) {
      ce.push(await cePagesRun(pages));
    }
    results.ce = ce;
  });
  results.elapsedS = Math.round((Date.now() - started.getTime()) / 1000);
  results.analysis = analyse(results);
  if (o.resultsDir && json) {
    const md = path.join(o.resultsDir, `RESULTS${o.resultsSuffix}.md`);
    const previousMd = fs.existsSync(md) ? fs.readFileSync(md, 'utf8') : '';
    fs.writeFileSync(md, renderResults(results, previousMd));
    fs.writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
    o.log(`wrote ${path.relative(ROOT, md)} and ${path.relative(ROOT, json)}`);
  }
  return results;
}

const HELP = `Usage: npx tsx bench/run.ts [--quick] [options]   (or: npx projen bench -- [options])

  --quick              small sizes (N = 10, 50; 100 k line items; 3 runs); results in bench/out/RESULTS.quick.md
  --only PARTS         comma-separated parts: synth, report, ce, allocate, attribution (default: all)
  --sizes 10,100,500   services per app
  --runs N             runs per size and variant (default 5; --quick 3)
  --cur-rows 1e6,1e7   CUR line items per export
  --report-runs N      runs per report measurement (default 5)
  --cli tsx            run the CLI from the TypeScript sources instead of compiling it
  --no-compile         reuse bench/out/cli-build
  --profile            also write CPU profiles of the largest size to bench/out/prof (see bench/profile.ts)
  --wait-quiet MIN     wait up to MIN minutes for a load average below 1.0 first
  --coverage on|off    the attribution part's coverage variant (default: auto, when the CLI has a coverage command)
  --attribution-sources cur,focus   the attribution part's sources (default: cur)
  --merge              keep the parts of the existing results.json that are not rerun (with --only)
  --no-write           do not write RESULTS.md / results.json
  --render             measure nothing: write RESULTS.md again from results.json (after a change to bench/render.ts)
`;

export function parseOptions(argv: string[], log: (m: string) => void): BenchOptions {
  const quick = argv.includes('--quick');
  let o: BenchOptions = { ...(quick ? QUICK : FULL), log };
  const nums = (v: string) => v.split(',').map((x) => Number(x)).filter((x) => Number.isFinite(x) && x > 0).map((x) => Math.round(x));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--quick': break;
      case '--only': o = { ...o, parts: next().split(',') as Part[] }; break;
      case '--sizes': o = { ...o, sizes: nums(next()) }; break;
      case '--runs': o = { ...o, runs: Number(next()) }; break;
      case '--cur-rows': o = { ...o, curRows: nums(next()) }; break;
      case '--report-runs': o = { ...o, reportRuns: Number(next()) }; break;
      case '--cli': o = { ...o, cli: next() === 'tsx' ? 'tsx' : 'compiled' }; break;
      case '--no-compile': o = { ...o, noCompile: true }; break;
      case '--profile': o = { ...o, profile: true }; break;
      case '--wait-quiet': o = { ...o, waitQuietMinutes: Number(next()) }; break;
      case '--no-write': o = { ...o, resultsDir: undefined }; break;
      case '--merge': o = { ...o, merge: true }; break;
      case '--coverage': o = { ...o, coverage: next() === 'off' ? 'off' : 'on' }; break;
      case '--attribution-sources': o = { ...o, attributionSources: next().split(',').filter((x) => x === 'cur' || x === 'focus') as Array<'cur' | 'focus'> }; break;
      case '--render': o = { ...o, parts: [], merge: true }; break;
      case '--help': case '-h': process.stdout.write(HELP); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${HELP}`);
    }
  }
  return o;
}

if (require.main === module) {
  const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
  runBench(parseOptions(process.argv.slice(2), log)).catch((e) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
