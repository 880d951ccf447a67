/**
 * The FOCUS report benchmark: `customer-value cost --source focus` against a bare DuckDB query over the same FOCUS
 * Parquet files, each a child process of its own (issue 16: within 1.3 times the bare query at 10 M rows).
 *
 *   npx tsx bench/focus.ts [--rows 10000000] [--runs 5] [--no-compile]
 *
 * - The data: scripts/generate-focus.ts (three providers, messy keys, every charge category), generated once into
 *   bench/out/focus-<rows>/ and reused.
 * - The CLI runs compiled (tsc into bench/out/cli-build, launched like bin/customer-value), as in bench/run.ts.
 * - Two bare queries, in a Node process that loads DuckDB like the CLI (bench/duckdb-bare.ts): "same SQL" runs the
 *   SQL the CLI runs (`FocusQueries.costBy`, near-duplicate keys and charge categories included) over a plain
 *   read_parquet view; "minimal" only sums BilledCost per service tag, day, provider and currency.
 * - Runs alternate their order; every reader must find the same total. Wall time, CPU time and peak RSS per run, and
 *   the 1-minute load average around the runs (the machine is shared).
 *
 * Prints a JSON summary (and writes it to bench/focus-results.json at 10 M rows and more); bench/RESULTS.md's notes
 * quote it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateFocus, FocusTotals } from '../scripts/generate-focus';
import { CostGrouping, SqlDialect, FocusMetric } from '../src/cost-data/query-terms';
import { FocusQueries } from '../src/cost-data/schemas/focus-sql';
import { TagKeys } from '../src/tag-keys';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');

interface Usage { readonly wallMs: number; readonly cpuMs: number; readonly maxRssKb: number }

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1].replace(/_/g, '')) : fallback;
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), ...extra };
  delete e.NODE_OPTIONS;
  return e;
}

function measure(label: string, args: string[], cwd: string): { usage: Usage; stdout: string } {
  const usageFile = path.join(OUT, 'js', `focus-usage-${process.pid}.json`);
  fs.rmSync(usageFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', path.join(OUT, 'js', 'usage-preload.js'), ...args],
    { cwd, env: env({ BENCH_USAGE_FILE: usageFile }), encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${label} failed (exit ${r.status}): ${r.stderr.split('\n').slice(-10).join('\n')}`);
  }
  const u = JSON.parse(fs.readFileSync(usageFile, 'utf8')) as { maxRssKb: number; userMs: number; systemMs: number };
  return { usage: { wallMs, cpuMs: u.userMs + u.systemMs, maxRssKb: u.maxRssKb }, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const rows = arg('rows', 10_000_000);
  const runs = arg('runs', 5);
  fs.mkdirSync(path.join(OUT, 'js'), { recursive: true });
  const dir = path.join(OUT, `focus-${rows}`);
  if (!fs.existsSync(path.join(dir, 'customer-value-focus-totals.json'))) {
    process.stderr.write(`generating ${rows} FOCUS rows in ${dir} (once; reused afterwards)\n`);
    await generateFocus({ rows, out: dir, rowsPerFile: 2_000_000 });
  }
  const totals = JSON.parse(fs.readFileSync(path.join(dir, 'customer-value-focus-totals.json'), 'utf8')) as FocusTotals;
  const files = totals.files.map((f) => path.join(dir, f));
  const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: ['usage-preload.ts', 'duckdb-bare.ts'].map((f) => path.join(ROOT, 'bench', f)),
    outdir: path.join(OUT, 'js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@duckdb/node-api'],
    logLevel: 'error',
  });
  const build = path.join(OUT, 'cli-build');
  if (!process.argv.includes('--no-compile') || !fs.existsSync(path.join(build, 'cli', 'main.js'))) {
    process.stderr.write('compiling the library with tsc into bench/out/cli-build\n');
    fs.rmSync(build, { recursive: true, force: true });
    spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', build,
      '--declaration', 'false', '--noEmitOnError', 'false'], { cwd: ROOT, encoding: 'utf8' });
  }
  fs.writeFileSync(path.join(OUT, 'customer-value.js'), 'require("./cli-build/cli/main.js").main(process.argv.slice(2));\n');

  const cwd = path.join(OUT, 'report-cwd');
  fs.mkdirSync(cwd, { recursive: true });
  const exportDir = path.join(dir, 'customer-value-focus');
  const cli = [path.join(OUT, 'customer-value.js'), 'cost', '--source', 'focus', exportDir, '--from', totals.from, '--to', totals.to, '--by', 'service',
    '--output', 'json', '--quiet'];
  const same = FocusQueries.costBy({
    table: 'cur_line_items',
    dialect: SqlDialect.DUCKDB,
    groupBy: CostGrouping.SERVICE,
    metric: FocusMetric.BILLED,
    tagKeys: TagKeys.DEFAULT,
    from: totals.from,
    to: totals.to,
    daily: true,
    estimatedFlag: true,
    keyVariants: true,
  });
  const minimal = `SELECT Tags['customer-service'] AS service, CAST(ChargePeriodStart AS DATE) AS usage_date, ProviderName, BillingCurrency,
    SUM(BilledCost) AS amount FROM cur_line_items
    WHERE ChargePeriodStart >= TIMESTAMP '${totals.from} 00:00:00' AND ChargePeriodStart < TIMESTAMP '${totals.to} 00:00:00' GROUP BY ALL`;
  const config = (name: string, sql: string) => {
    const file = path.join(OUT, 'js', `focus-${name}-${rows}.json`);
    fs.writeFileSync(file, JSON.stringify({ files, sql }));
    return file;
  };
  const readers: Record<string, string[]> = {
    cli,
    same: [path.join(OUT, 'js', 'duckdb-bare.js'), config('same', same)],
    minimal: [path.join(OUT, 'js', 'duckdb-bare.js'), config('minimal', minimal)],
  };
  const expected = totals.byCurrency.USD.billed.total;
  const check = (label: string, total: number) => {
    if (Math.abs(total - expected) > 0.005) {
      throw new Error(`${label} total ${total} differs from the generator's ${expected}`);
    }
  };
  measure('warm-up', readers.same, cwd);
  const results: Record<string, Usage[]> = { cli: [], same: [], minimal: [] };
  const loads: number[] = [os.loadavg()[0]];
  for (let r = 0; r < runs; r++) {
    const order = r % 2 === 0 ? ['cli', 'same', 'minimal'] : ['minimal', 'same', 'cli'];
    for (const which of order) {
      const m = measure(which, readers[which], cwd);
      check(which, Number(JSON.parse(m.stdout).total));
      results[which].push(m.usage);
      loads.push(os.loadavg()[0]);
    }
    process.stderr.write(`run ${r + 1}/${runs}: CLI ${results.cli[r].wallMs.toFixed(0)} ms, same SQL ${results.same[r].wallMs.toFixed(0)} ms, `
      + `minimal ${results.minimal[r].wallMs.toFixed(0)} ms (load ${os.loadavg()[0].toFixed(2)})\n`);
  }
  const stat = (u: Usage[]) => ({
    fastestMs: Math.min(...u.map((x) => x.wallMs)),
    medianMs: median(u.map((x) => x.wallMs)),
    cpuMs: median(u.map((x) => x.cpuMs)),
    rssMb: median(u.map((x) => x.maxRssKb)) / 1024,
    runsMs: u.map((x) => Math.round(x.wallMs)),
  });
  const summary = {
    rows,
    files: files.length,
    bytes,
    total: expected,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    load: { min: Math.min(...loads), max: Math.max(...loads), median: median(loads) },
    cli: stat(results.cli),
    same: stat(results.same),
    minimal: stat(results.minimal),
  };
  const ratio = (a: string, b: string) => (summary as any)[a].fastestMs / (summary as any)[b].fastestMs;
  process.stdout.write(`${JSON.stringify({
    ...summary,
    ratioFastest: { vsSame: ratio('cli', 'same'), vsMinimal: ratio('cli', 'minimal') },
    ratioMedian: { vsSame: summary.cli.medianMs / summary.same.medianMs, vsMinimal: summary.cli.medianMs / summary.minimal.medianMs },
  }, null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
