/**
 * The main job (`npx projen demo`, after `bundle`): no AWS account needed.
 *
 * 1. Synthesizes every example app in examples/*.ts into cdk.out/<example>/ (examples are discovered, so a new example is
 *    picked up; a failing example fails the demo with its error): in this process, one after the other, with the context
 *    the cdk CLI gives an app (the assembly `cdk synth` writes; one aws-cdk-lib and one CloudFormation validator engine
 *    for all of them). Examples named `refused*.ts` declare services that must be refused: they run under the cdk CLI
 *    meanwhile, and the demo shows its messages and fails if one of them synthesizes.
 * 2. Lists the declared services read back from the cloud assemblies: `customer-value services`.
 * 3. Reads cost per customer value from the committed synthetic CUR 2.0 export (examples/data/cur2/), joined
 *    with the declarations: `customer-value cost --source cur ... --by service` and `--by business-unit`,
 *    then fully-loaded cost per need (`--allocate`: the online shop's network and data platform passed on to the
 *    services that consume them), then the same from the committed FOCUS data of three clouds
 *    (examples/data/focus/, `--source focus`, and `--by provider`), plus HTML reports and a Backstage catalog
 *    written to cdk.out/.
 * 4. The business units' value review: a 7-month sample with trends is generated into cdk.out/review-data/
 *    (scripts/review-sample.ts, ending with the last full month, so the default trend of `review` covers it), and
 *    `customer-value review` prints the retail unit's pack and writes every unit's HTML pack to cdk.out/value-review/.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { format } from 'util';
import { App, AppProps } from 'aws-cdk-lib';
import { generateReviewSample } from './review-sample';
import { run } from '../src/cli/main';

const ROOT = path.resolve(__dirname, '..');
const OUT = 'cdk.out';
const bold = (s: string) => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[0m` : s);

function heading(text: string): void {
  process.stdout.write(`\n${bold(`== ${text}`)}\n\n`);
}

interface SynthResult { readonly ok: boolean; readonly output: string; readonly seconds: number }

/**
 * The context the cdk CLI hands every app it runs (`cdk synth` sets it in CDK_CONTEXT_JSON): construct paths and asset
 * metadata in the templates, version reporting, every stack's assets bundled. The examples read nothing else (no
 * cdk.json, no lookups), so an example synthesized here writes the cloud assembly `cdk synth --app 'tsx examples/<x>.ts'`
 * writes.
 */
export const CDK_CLI_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
};

/**
 * An example synthesized in this process: its `createApp` with the cdk CLI's context and `outdir`, then `synth()`
 * (which runs the validation plugins the example registers, AwsSolutionsChecks and CustomerValueChecks, and throws when
 * one reports a finding or a declaration is refused). One process for every example instead of a `cdk synth` each: the
 * examples share one load of aws-cdk-lib and src/ and one CloudFormation validator engine (4 to 6 s of CPU time each
 * time it is built), about 60 s of CPU time less for the eight. The cdk CLI runs the refused example (below), and
 * `test:slow` runs it on the README's refused example and the pipeline example.
 */
export function synthInProcess(example: string, outdir: string): SynthResult {
  const started = Date.now();
  // what the synthesis prints (the validation plugins' report of warnings, say) is kept, as the cdk CLI's output was:
  // shown only when the example fails
  let printed = '';
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((s) => s.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof stream.write;
  }
  // aws-cdk-lib prints the validation report with console.error (a console of its own under jest)
  const methods = ['log', 'info', 'warn', 'error'] as const;
  const consoles = methods.map((m) => console[m]);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => { printed += `${format(...args)}\n`; };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createApp } = require(path.join(ROOT, 'examples', example)) as { createApp?: (props: AppProps) => App };
    if (typeof createApp !== 'function') {
      return { ok: false, output: `examples/${example} exports no createApp(props) function`, seconds: (Date.now() - started) / 1000 };
    }
    createApp({ outdir, context: CDK_CLI_CONTEXT }).synth();
    return { ok: true, output: printed, seconds: (Date.now() - started) / 1000 };
  } catch (e) {
    return { ok: false, output: `${printed}${(e as Error).stack ?? String(e)}`, seconds: (Date.now() - started) / 1000 };
  } finally {
    streams.forEach((stream, i) => { stream.write = writes[i]; });
    methods.forEach((m, i) => { console[m] = consoles[i]; });
  }
}

/** An example synthesized by the cdk CLI, as a user runs it (`cdk synth --app 'tsx examples/<x>.ts'`), in a child process. */
function synthWithCdkCli(example: string, outdir: string): Promise<SynthResult> {
  const started = Date.now();
  // the cdk CLI and tsx of node_modules/.bin, as `npx cdk synth --app 'npx tsx ...'` finds them, without two npx
  // processes per example (about 1.4 s of CPU time each time)
  const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);
  return new Promise((resolve) => {
    const child = spawn(bin('cdk'), ['synth', '--no-notices', '-q', '--app', `${bin('tsx')} examples/${example}`, '-o', outdir], {
      cwd: ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => { output += t; });
    child.stderr.setEncoding('utf8').on('data', (t: string) => { output += t; });
    child.on('error', (e) => resolve({ ok: false, output: `${output}${String(e)}`, seconds: (Date.now() - started) / 1000 }));
    child.on('close', (code) => resolve({ ok: code === 0, output, seconds: (Date.now() - started) / 1000 }));
  });
}

/** Runs the CLI in-process, printing the command line first. Returns its exit code. */
async function cli(args: string[]): Promise<number> {
  process.stdout.write(`$ customer-value ${args.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  const code = await run(args, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: ROOT,
    env: process.env,
    now: () => new Date(),
  });
  process.stdout.write('\n');
  return code;
}

async function main(): Promise<void> {
  // `tsx scripts/demo.ts minimal pipeline` runs only those examples (while working on one); default: all of them.
  const only = process.argv.slice(2).map((a) => a.replace(/^examples\//, '').replace(/\.ts$/, ''));
  const examples = fs.readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')))
    .sort();
  for (const name of only) {
    if (!examples.includes(`${name}.ts`)) {
      throw new DemoFailure(`no example examples/${name}.ts`);
    }
  }
  const refused = examples.filter((f) => f.startsWith('refused'));
  const apps = examples.filter((f) => !refused.includes(f));

  fs.rmSync(path.join(ROOT, OUT), { recursive: true, force: true });

  heading(`Synthesizing ${apps.length} example app${apps.length === 1 ? '' : 's'} (no AWS account needed)`);
  // the refused examples under the cdk CLI, in child processes, while this process synthesizes the others: the results
  // are printed in order below
  const refusedDir = (example: string) => path.join(os.tmpdir(), `cv-demo-${example.replace(/\.ts$/, '')}-${process.pid}`);
  for (const example of refused) {
    fs.rmSync(refusedDir(example), { recursive: true, force: true });
  }
  const refusedResults = Promise.all(refused.map((example) => synthWithCdkCli(example, refusedDir(example))));
  const results = apps.map((example) => synthInProcess(example, path.join(ROOT, OUT, example.replace(/\.ts$/, ''))));
  results.push(...await refusedResults);
  apps.forEach((example, i) => {
    const name = example.replace(/\.ts$/, '');
    const res = results[i];
    if (!res.ok) {
      process.stdout.write(`  FAILED  examples/${example} (${res.seconds.toFixed(1)} s)\n\n${readable(res.output)}\n`);
      throw new DemoFailure(`examples/${example} did not synthesize`);
    }
    process.stdout.write(`  ok      examples/${example} -> ${OUT}/${name} (${res.seconds.toFixed(1)} s)\n`);
  });

  refused.forEach((example, i) => {
    heading(`examples/${example} declares a service that is refused (expected to fail)`);
    const res = results[apps.length + i];
    if (res.ok) {
      throw new DemoFailure(`examples/${example} synthesized, but its declaration should have been refused`);
    }
    fs.rmSync(refusedDir(example), { recursive: true, force: true });
    // the cdk CLI prints each problem as an error ("ERROR <problem>", the construct path below it) and exits 1
    const lines = res.output.split(/\r?\n/).filter((l) => /^ERROR |^Synthesis finished with errors/.test(l)).slice(0, 20);
    if (!lines.some((l) => l.startsWith('ERROR '))) {
      throw new DemoFailure(`examples/${example} was refused without the problems being printed:\n${res.output.split(/\r?\n/).slice(0, 20).join('\n')}`);
    }
    process.stdout.write(`${lines.map((l) => `  ${l.trim()}`).join('\n')}\n`);
    process.stdout.write('  -> cdk synth printed the problems and exited 1, as intended (cdk deploy refuses such an app).\n');
  });

  heading('Declared services, read back from the cloud assemblies');
  let code = await cli(['services', '--assembly', OUT]);
  if (code !== 0) {
    throw new DemoFailure('customer-value services failed');
  }

  const exportDir = findCurExport();
  if (!exportDir) {
    heading('Cost per customer value');
    process.stdout.write('  skipped: no sample CUR 2.0 export under examples/data/cur2/ yet (scripts/generate-cur.ts writes one)\n');
    return;
  }
  const period = samplePeriod(exportDir);
  const common = ['--source', 'cur', path.relative(ROOT, exportDir), ...period, '--assembly', OUT];
  heading('Cost per service, from the sample CUR 2.0 export, joined with the declarations');
  code = await cli(['cost', ...common, '--by', 'service']);
  if (code === 2) {
    process.stdout.write('  skipped: this build has no CUR 2.0 file source\n');
    return;
  }
  if (code !== 0) {
    throw new DemoFailure('customer-value cost --by service failed');
  }
  heading('Cost per business unit');
  code = await cli(['cost', ...common, '--by', 'business-unit', '--quiet']);
  if (code !== 0) {
    throw new DemoFailure('customer-value cost --by business-unit failed');
  }
  heading('Fully-loaded cost per customer need: shared cost passed on over the declared value chain');
  code = await cli(['cost', ...common, '--by', 'need', '--allocate', '--quiet']);
  if (code !== 0) {
    throw new DemoFailure('customer-value cost --by need --allocate failed');
  }
  const focusDir = path.join(ROOT, 'examples', 'data', 'focus', 'customer-value-focus');
  if (fs.existsSync(focusDir)) {
    const focus = ['--source', 'focus', path.relative(ROOT, focusDir), ...samplePeriod(focusDir), '--assembly', OUT];
    heading('The same from FOCUS data of three clouds (AWS, Microsoft, Google Cloud), next to the CUR 2.0 report');
    code = await cli(['cost', ...focus, '--by', 'service']);
    if (code !== 0) {
      throw new DemoFailure('customer-value cost --source focus failed');
    }
    heading('FOCUS: cost and tagged share per provider');
    code = await cli(['cost', ...focus, '--by', 'provider', '--quiet']);
    if (code !== 0) {
      throw new DemoFailure('customer-value cost --source focus --by provider failed');
    }
  }
  heading('Reports to open or import');
  code = await cli(['cost', ...common, '--by', 'team', '--quiet', '--output', 'html', '--out', `${OUT}/customer-value-cost.html`]);
  code = code || await cli(['cost', ...common, '--by', 'need', '--allocate', '--quiet', '--output', 'html', '--out', `${OUT}/customer-value-fully-loaded.html`]);
  code = code || await cli(['catalog', '--assembly', OUT, '--out', `${OUT}/catalog-info.yaml`]);
  if (code !== 0) {
    throw new DemoFailure('writing the HTML report or the catalog failed');
  }
  await valueReview();
}

/** The value review over a generated sample whose last month is the last full month (so the default trend fits). */
async function valueReview(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, OUT, 'value-review'))) {
    return;
  }
  heading('The business units\' value review, from a generated 7-month sample (cdk.out/review-data/)');
  const now = new Date();
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const sample = await generateReviewSample({ out: path.join(ROOT, OUT, 'review-data'), end });
  const common = ['--source', 'cur', path.relative(ROOT, sample.exportDir), '--assembly', `${OUT}/value-review`,
    '--usage-file', path.relative(ROOT, sample.usageFile), '--quiet'];
  let code = await cli(['review', ...common, '--business-unit', 'retail']);
  code = code || await cli(['review', ...common, '--output', 'html', '--out-dir', `${OUT}/value-review-packs`]);
  code = code || await cli(['review', ...common, '--output', 'json', '--out-dir', `${OUT}/value-review-packs`]);
  if (code !== 0) {
    throw new DemoFailure('customer-value review failed');
  }
}

/**
 * The error of a failed synth, readable: the last 60 lines, each cut at 300 characters (a stack trace can quote a
 * whole minified source line of aws-cdk-lib).
 */
function readable(output: string): string {
  const lines = output.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const tail = lines.slice(-60).map((l) => (l.length > 300 ? `${l.slice(0, 300)} …` : l));
  return `${lines.length > 60 ? `  (${lines.length - 60} earlier lines not shown)\n` : ''}${tail.map((l) => `  ${l}`).join('\n')}`;
}

/** The first CUR 2.0 export folder of the sample (a folder holding `data/BILLING_PERIOD=...`). */
function findCurExport(): string | undefined {
  const base = path.join(ROOT, 'examples', 'data', 'cur2');
  if (!fs.existsSync(base)) {
    return undefined;
  }
  for (const entry of fs.readdirSync(base).sort()) {
    const dir = path.join(base, entry);
    if (fs.statSync(dir).isDirectory() && fs.existsSync(path.join(dir, 'data'))) {
      return dir;
    }
  }
  return undefined;
}

/** The period the sample covers, from the totals file written next to it (`--from`/`--to`), if any. */
function samplePeriod(exportDir: string): string[] {
  const totals = `${exportDir}-totals.json`;
  if (!fs.existsSync(totals)) {
    return [];
  }
  const t = JSON.parse(fs.readFileSync(totals, 'utf8'));
  return typeof t.from === 'string' && typeof t.to === 'string' ? ['--from', t.from, '--to', t.to] : [];
}

class DemoFailure extends Error {}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`\ndemo failed: ${e instanceof DemoFailure ? e.message : (e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
