/**
 * The npm user's first hour, run in CI on the packed tarball (`npx projen package:consumer-app`, after
 * `npx projen package:js`), twice and side by side:
 *
 * - newest: the newest aws-cdk-lib, constructs, cdk-nag and aws-cdk CLI the registry offers, asked at run time
 *   (`npm view <name>@latest version`), so a new upstream release that breaks the quick start fails CI before a user
 *   meets it;
 * - lowest: the lowest versions the package's peer ranges allow (read from the tarball's package.json, each resolved
 *   against the registry with `npm view "<name>@<range>" version`), with the newest aws-cdk CLI (the CLI is not a peer:
 *   it reads the cloud assemblies of every older aws-cdk-lib, and `npx cdk` gives users the newest one).
 *
 * Before there is a tarball (`--prepare DIR`, which CI runs while the build packs), `cdk init app --language typescript
 * --generate-only` runs once, with the newest CLI (what `npx cdk init` gives a user today), and each run gets a copy of
 * that app with its packages installed (`cdk init`'s TypeScript, tsx and @types/node are kept: they are what users get;
 * its jest setup is dropped, nothing is unit-tested here; the cdk CLI runs from npx's cache). Then each run
 * 1. installs the tarball into its app (the lowest run checks its versions against the packed package.json first);
 * 2. replaces bin/shop.ts with the README's quick-start app (the first ```ts block under "## Quick start");
 * 3. `cdk synth`: cdk init's app command type-checks with tsc, then runs the app with AwsSolutionsChecks and
 *    CustomerValueChecks; the template must hold the service's budget and the cost publisher, whose Lambda bundle
 *    must be staged from the package's assets/;
 * 4. runs the installed bin as the README's quick start does: `customer-value services` lists the service and
 *    `customer-value sample` writes synthetic CUR 2.0 data for it; then
 *    - lowest run: `cost --source cur` without DuckDB says in one line which DuckDB to install;
 *    - newest run (DuckDB installed, the release the README names): `cost --source cur` reads the sample, the first
 *      cost report, offline; the installed package loads as jsii tools load it (jsii-reflect: jsii-pacmak in the
 *      release workflow, jsii-docgen on Construct Hub, the packaging of jsii libraries that build on this one: a
 *      dependency or peer that is not a jsii module, DuckDB say, would break them); the package size the README
 *      states is within 10 % of the tarball's and the installed package's.
 *
 * Prints each run's steps with their times when it ends. Keeps a failed run's folder (its path is printed).
 *
 *   tsx scripts/consumer-app.ts [--only newest|lowest] [TARBALL | DIR]     default: both runs, dist/js
 *   tsx scripts/consumer-app.ts --prepare DIR [--only ...]                 install the apps in DIR (no tarball yet)
 *   tsx scripts/consumer-app.ts --prepared DIR [--only ...] [TARBALL]      the checks, in the apps prepared in DIR
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TypeSystem } from 'jsii-reflect';
import { assetRefs, missingAssets } from './check-package-assets';
import { DUCKDB_RECOMMENDED } from '../src/cost-data/sources/duckdb-version';

const ROOT = path.resolve(__dirname, '..');

class Failure extends Error {}

/** The packages a run pins, by name. */
export type Versions = Record<'aws-cdk-lib' | 'constructs' | 'cdk-nag' | 'aws-cdk', string>;

export type RunName = 'newest' | 'lowest';

function findTarball(arg: string | undefined): string {
  const target = path.resolve(arg ?? path.join(ROOT, 'dist', 'js'));
  if (fs.existsSync(target) && fs.statSync(target).isFile()) {
    return target;
  }
  const tarballs = fs.existsSync(target) ? fs.readdirSync(target).filter((f) => /^cdk-customer-value@.*\.tgz$/.test(f)) : [];
  if (tarballs.length !== 1) {
    throw new Failure(`expected one cdk-customer-value tarball in ${target}, found ${tarballs.length}: run \`npx projen package:js\` first`);
  }
  return path.join(target, tarballs[0]);
}

/** The README's quick-start app: the first ```ts block of the "## Quick start" section. */
export function quickStartApp(readme: string): string {
  const section = readme.split(/^## /m).find((s) => /^Quick start\b/.test(s));
  const block = section?.match(/^```ts\b[^\n]*\n([\s\S]*?)^```$/m);
  if (!block) {
    throw new Failure('README.md has no ```ts block under "## Quick start"');
  }
  return block[1];
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  /** stdout and stderr */
  readonly output: string;
}

/** Runs a command without a shell; rejects with the tail of its output when its exit status is not the expected one. */
function run(cwd: string, command: string, args: string[], expectStatus: number | 'any' = 0, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0', NO_COLOR: '1', npm_config_update_notifier: 'false', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d) => { stdout += d; output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (e) => reject(new Failure(`\`${[command, ...args].join(' ')}\` could not start: ${e.message}`)));
    child.on('close', (status) => {
      if (expectStatus !== 'any' && status !== expectStatus) {
        reject(new Failure(`\`${[command, ...args].join(' ')}\` exited ${status} (expected ${expectStatus}):\n${output.split('\n').slice(-40).join('\n')}`));
      } else {
        resolve({ status, stdout, output });
      }
    });
  });
}

/** `npm view <spec> version --json`: one version, or the list of versions a range matches. */
async function registryVersions(spec: string): Promise<string[]> {
  const res = await run(ROOT, 'npm', ['view', spec, 'version', '--json']);
  const parsed = JSON.parse(res.stdout || 'null');
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter((v): v is string => typeof v === 'string');
  if (versions.length === 0) {
    throw new Failure(`the registry has no version of ${spec}`);
  }
  return versions;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    return typeof pa[i] === 'number' && typeof pb[i] === 'number' ? (pa[i] as number) - (pb[i] as number) : String(pa[i]).localeCompare(String(pb[i]));
  }
  return 0;
}

/** The newest release of each package, as the registry says today. */
async function newestVersions(): Promise<Versions> {
  const names = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'aws-cdk'] as const;
  const found = await Promise.all(names.map(async (n) => [n, (await registryVersions(`${n}@latest`))[0]] as const));
  return Object.fromEntries(found) as Versions;
}

/** The peer ranges of the packed package (its package.json inside the tarball). */
async function peerRanges(tarball: string): Promise<Record<string, string>> {
  const res = await run(ROOT, 'tar', ['-xzOf', tarball, 'package/package.json']);
  return checkedPeers(JSON.parse(res.stdout).peerDependencies ?? {}, 'the packed package.json');
}

function checkedPeers(peers: Record<string, string>, where: string): Record<string, string> {
  for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
    if (typeof peers[name] !== 'string') {
      throw new Failure(`${where} has no peer dependency on ${name}`);
    }
  }
  return peers;
}

/** The lowest release each peer range allows, and the newest CLI. */
async function lowestVersions(peers: Record<string, string>, cli: string): Promise<Versions> {
  const names = ['aws-cdk-lib', 'constructs', 'cdk-nag'] as const;
  const found = await Promise.all(names.map(async (n) => [n, (await registryVersions(`${n}@${peers[n]}`)).sort(compareVersions)[0]] as const));
  return { ...Object.fromEntries(found), 'aws-cdk': cli } as Versions;
}

/** A log of steps with their times, printed when the run ends (runs go side by side). */
class Log {
  private readonly lines: string[] = [];
  constructor(public readonly name: RunName) {}

  public async step<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      this.lines.push(`- ${title} ... ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  public note(line: string): void {
    this.lines.push(`  ${line}`);
  }

  public text(): string {
    return this.lines.join('\n');
  }
}

/**
 * The app's package.json: cdk init's TypeScript, tsx and @types/node (what users get; its jest setup is dropped, the app
 * is synthesized, not unit-tested; the cdk CLI runs from npx's cache, the one that ran cdk init), the run's versions,
 * DuckDB for the full run, and the tarball once there is one.
 */
function writeAppPackage(app: string, versions: Versions, full: boolean, tarball?: string): void {
  const pkgFile = path.join(app, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const keep = (name: string) => pkg.devDependencies[name] ?? (() => { throw new Failure(`cdk init's package.json has no ${name}`); })();
  pkg.devDependencies = {
    'tsx': keep('tsx'),
    'typescript': keep('typescript'),
    '@types/node': keep('@types/node'),
    ...(pkg.devDependencies['@types/jest'] ? { '@types/jest': pkg.devDependencies['@types/jest'] } : {}),
  };
  pkg.dependencies = {
    'aws-cdk-lib': versions['aws-cdk-lib'],
    'constructs': versions.constructs,
    'cdk-nag': versions['cdk-nag'],
    // the first cost report reads the sample with the DuckDB the README names
    ...(full ? { '@duckdb/node-api': DUCKDB_RECOMMENDED } : {}),
    ...(tarball ? { 'cdk-customer-value': `file:${tarball}` } : {}),
  };
  fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
}

function npmInstall(app: string): Promise<Run> {
  return run(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
}

/** The versions of each run and the apps prepared for them (`<dir>/<run>/shop`, installed without the tarball). */
interface Prepared {
  readonly versions: Partial<Record<RunName, Versions>>;
}

/**
 * Everything the runs need before there is a tarball: the versions, `cdk init` (once, with the newest CLI: what
 * `npx cdk init` gives a user today), an app per run with its packages installed. CI runs it while the build packs the
 * tarball (`--prepare DIR`), which keeps only one core busy.
 */
async function prepare(dir: string, runs: RunName[], peers: Record<string, string>): Promise<Prepared> {
  const started = Date.now();
  const newest = await newestVersions();
  const versions: Partial<Record<RunName, Versions>> = {};
  for (const name of runs) {
    versions[name] = name === 'newest' ? newest : await lowestVersions(peers, newest['aws-cdk']);
  }
  const template = path.join(dir, 'cdk-init', 'shop');
  fs.mkdirSync(template, { recursive: true });
  await run(template, 'npx', ['--yes', `aws-cdk@${newest['aws-cdk']}`, 'init', 'app', '--language', 'typescript', '--generate-only', '--no-notices']);
  await Promise.all(runs.map(async (name) => {
    const app = path.join(dir, name, 'shop');
    fs.cpSync(template, app, { recursive: true });
    writeAppPackage(app, versions[name]!, name === 'newest');
    await npmInstall(app);
  }));
  fs.writeFileSync(path.join(dir, 'prepared.json'), `${JSON.stringify({ versions }, null, 2)}\n`);
  process.stdout.write(`prepared in ${((Date.now() - started) / 1000).toFixed(1)} s (cdk init with aws-cdk@${newest['aws-cdk']}, then npm install): `
    + `${runs.map((n) => `${n}: ${Object.entries(versions[n]!).map(([k, v]) => `${k} ${v}`).join(', ')}`).join('; ')}\n`);
  return { versions };
}

/** One run: the prepared app at `versions` gets the tarball, then goes through the README's quick start and first cost report. */
async function checkApp(log: Log, app: string, tarball: string, versions: Versions, full: boolean): Promise<void> {
  log.note(`a fresh CDK app in ${app}: ${Object.entries(versions).map(([n, v]) => `${n} ${v}`).join(', ')}`);
  try {
    writeAppPackage(app, versions, full, tarball);
    await log.step('npm install (the tarball; --prefer-offline)', () => npmInstall(app));
    const installed = path.join(app, 'node_modules', 'cdk-customer-value');
    const missing = missingAssets(assetRefs(installed), (f) => fs.existsSync(path.join(installed, f)));
    if (missing.length > 0) {
      throw new Failure(`the installed package lacks its Lambda bundles: ${missing.join(', ')}`);
    }

    fs.writeFileSync(path.join(app, 'bin', 'shop.ts'), quickStartApp(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')));
    await log.step('npx cdk synth (tsc, then the README quick start with AwsSolutionsChecks and CustomerValueChecks)', () =>
      run(app, 'npx', ['--yes', `aws-cdk@${versions['aws-cdk']}`, 'synth', '--no-notices', '-q']));
    checkTemplates(path.join(app, 'cdk.out'));

    const services = await log.step('npx customer-value services --output json', () => run(app, 'npx', ['customer-value', 'services', '--output', 'json']));
    if (!JSON.stringify(JSON.parse(services.stdout)).includes('"checkout"')) {
      throw new Failure(`customer-value services does not list the quick start's "checkout" service:\n${services.output}`);
    }
    const sample = await log.step('npx customer-value sample', () => run(app, 'npx', ['customer-value', 'sample']));
    log.note(sample.output.trim().split('\n')[0]);
    if (!full) {
      const noDuckDb = await log.step('npx customer-value cost --source cur customer-value-sample (DuckDB not installed)', () =>
        run(app, 'npx', ['customer-value', 'cost', '--source', 'cur', 'customer-value-sample'], 'any'));
      if (noDuckDb.status !== 1 || !/npm install @duckdb\/node-api@\d/.test(noDuckDb.output) || noDuckDb.output.trim().split('\n').length !== 1) {
        throw new Failure(`without DuckDB, cost --source cur should exit 1 with one line naming the DuckDB to install; it exited ${noDuckDb.status}:\n${noDuckDb.output}`);
      }
      log.note(noDuckDb.output.trim());
    }
    if (full) {
      const report = await log.step('npx customer-value cost --source cur customer-value-sample (the first cost report)', () =>
        run(app, 'npx', ['customer-value', 'cost', '--source', 'cur', 'customer-value-sample', '--output', 'json']));
      const data = JSON.parse(report.stdout);
      const checkout = (data.rows ?? []).find((r: { group?: string }) => r.group === 'checkout');
      if (!(checkout?.cost > 0) || !(data.untagged?.amount > 0)) {
        throw new Failure(`the first cost report has no cost for "checkout" and untagged spend next to it:\n${report.output.slice(0, 2000)}`);
      }
      log.note(`first report: checkout ${checkout.cost.toFixed(2)} USD, untagged ${data.untagged.amount.toFixed(2)} USD, `
        + `total ${data.total.toFixed(2)} USD (${data.period?.from} to ${data.period?.to})`);

      await log.step('load the installed package with jsii-reflect (as jsii-pacmak and jsii-docgen do)', async () => {
        try {
          const assembly = await new TypeSystem().loadModule(installed, { validate: false, supportedFeatures: ['intersection-types', 'class-covariant-overrides'] });
          log.note(`${assembly.name}: ${assembly.types.length} types`);
        } catch (e) {
          throw new Failure(`jsii tools cannot load the installed package (is a dependency or peer not a jsii module?): ${(e as Error).message.split('\n')[0]}`);
        }
      });
      const problems = readmeSizeProblems(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), {
        packedBytes: fs.statSync(tarball).size,
        installedBytes: apparentSize(installed),
        bundledBytes: apparentSize(path.join(installed, 'node_modules')),
      });
      if (problems.length > 0) {
        throw new Failure(problems.join('\n'));
      }
      log.note(`package: ${(fs.statSync(tarball).size / 1e6).toFixed(2)} MB packed, ${(apparentSize(installed) / 1e6).toFixed(1)} MB installed, as README.md says`);
    }
  } catch (e) {
    log.note(`the app is kept in ${app}`);
    throw e;
  }
}

/**
 * The validation plugins that failed to run: `cdk synth` records a plugin that throws (cdk-nag 3 with an aws-cdk-lib
 * that gives it no construct tree, say) in the validation report and exits 0, so no check ran and nothing says so.
 */
export function failedPlugins(cdkOut: string): string[] {
  const failed: string[] = [];
  for (const file of ['validation-report.json', 'policy-validation-report.json']) {
    const report = path.join(cdkOut, file);
    if (!fs.existsSync(report)) {
      continue;
    }
    for (const r of JSON.parse(fs.readFileSync(report, 'utf8')).pluginReports ?? []) {
      const error = r.metadata?.error ?? r.summary?.metadata?.error;
      if (error !== undefined) {
        failed.push(`${r.pluginName ?? r.summary?.pluginName}: ${error}`);
      }
    }
  }
  return failed;
}

function checkTemplates(cdkOut: string): void {
  const failed = failedPlugins(cdkOut);
  if (failed.length > 0) {
    throw new Failure(`cdk synth exited 0, but validation plugins did not run (cdk.out's validation report):\n${failed.join('\n')}`);
  }
  const templates = fs.readdirSync(cdkOut).filter((f) => f.endsWith('.template.json'));
  const resources = templates.flatMap((t) => Object.values<{ Type: string }>(JSON.parse(fs.readFileSync(path.join(cdkOut, t), 'utf8')).Resources ?? {}));
  const types = new Set(resources.map((r) => r.Type));
  for (const type of ['AWS::Budgets::Budget', 'AWS::CloudWatch::Dashboard', 'AWS::Lambda::Function', 'AWS::Events::Rule']) {
    if (!types.has(type)) {
      throw new Failure(`the synthesized app has no ${type} (templates: ${templates.join(', ')})`);
    }
  }
  const staged = fs.readdirSync(cdkOut).filter((f) => f.startsWith('asset.') && fs.existsSync(path.join(cdkOut, f, 'index.js'))
    && /CostExplorer|GetCostAndUsage/.test(fs.readFileSync(path.join(cdkOut, f, 'index.js'), 'utf8')));
  if (staged.length === 0) {
    throw new Failure('cdk.out holds no staged cost-publisher bundle (asset.*/index.js calling Cost Explorer)');
  }
}

/** The bytes of the files under `dir` (their apparent size, as `du -sb` counts it). */
function apparentSize(dir: string): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    bytes += entry.isDirectory() ? apparentSize(file) : entry.isFile() ? fs.statSync(file).size : 0;
  }
  return bytes;
}

/** How far a figure the README states may be from the measured one. */
const SIZE_TOLERANCE = 0.1;

/**
 * What the README's Install section says about the package's size ("The package is 3.1 MB packed and 15 MB installed,
 * 68 % of it the AWS SDK clients of the CLI"), checked against the package: one line per figure off by more than 10 %
 * (5 points for the share).
 */
export function readmeSizeProblems(readme: string, measured: { packedBytes: number; installedBytes: number; bundledBytes: number }): string[] {
  const m = /The package is ([\d.]+) MB packed and ([\d.]+) MB installed, (\d+) % of it the AWS SDK clients/.exec(readme.replace(/\s+/g, ' '));
  if (!m) {
    return ['README.md no longer says "The package is N MB packed and N MB installed, N % of it the AWS SDK clients" (the Install section): '
      + 'the package size check cannot read it'];
  }
  const problems: string[] = [];
  for (const [what, stated, bytes] of [['packed', Number(m[1]), measured.packedBytes], ['installed', Number(m[2]), measured.installedBytes]] as const) {
    const actual = bytes / 1e6;
    if (Math.abs(stated - actual) > SIZE_TOLERANCE * actual) {
      problems.push(`README.md says the package is ${stated} MB ${what}; it is ${actual.toFixed(2)} MB: update the Install section `
        + '(and "Package size and the CLI": npx tsx scripts/measure-package.ts)');
    }
  }
  const share = (100 * measured.bundledBytes) / measured.installedBytes;
  if (Math.abs(Number(m[3]) - share) > 5) {
    problems.push(`README.md says ${m[3]} % of the installed package is the bundled AWS SDK clients; it is ${share.toFixed(0)} %: update the Install section`);
  }
  return problems;
}

async function main(args: string[]): Promise<void> {
  const argv = [...args];
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) {
      return undefined;
    }
    const value = argv[i + 1];
    if (value === undefined) {
      throw new Failure(`${name} needs a value`);
    }
    argv.splice(i, 2);
    return value;
  };
  const only = option('--only');
  const prepareDir = option('--prepare');
  const preparedDir = option('--prepared');
  const runs: RunName[] = only ? [only as RunName] : ['newest', 'lowest'];
  if (runs.some((r) => r !== 'newest' && r !== 'lowest')) {
    throw new Failure(`--only takes newest or lowest, not ${JSON.stringify(only)}`);
  }
  for (const d of [prepareDir, preparedDir]) {
    if (d && !path.relative(ROOT, path.resolve(d)).startsWith('..')) {
      // Node.js would find the packages an app lacks in this repository's node_modules (DuckDB, say)
      throw new Failure(`${d} is inside the repository: prepare the apps outside it (e.g. under ${os.tmpdir()}), as a user's app is`);
    }
  }
  if (prepareDir) {
    // no tarball yet: this repository's peer ranges, which the packed package.json repeats (checked when it is there)
    fs.rmSync(prepareDir, { recursive: true, force: true });
    fs.mkdirSync(prepareDir, { recursive: true });
    await prepare(path.resolve(prepareDir), runs, checkedPeers(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).peerDependencies ?? {}, 'package.json'));
    return;
  }
  const tarball = findTarball(argv[0]);
  const started = Date.now();
  process.stdout.write(`The packed tarball in fresh CDK apps: ${path.relative(ROOT, tarball)} (${(fs.statSync(tarball).size / 1e6).toFixed(2)} MB); `
    + `runs: ${runs.join(', ')}\n`);
  const dir = path.resolve(preparedDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'customer-value-consumer-')));
  const versions = preparedDir
    ? (JSON.parse(fs.readFileSync(path.join(dir, 'prepared.json'), 'utf8')) as Prepared).versions
    : (await prepare(dir, runs, await peerRanges(tarball))).versions;
  if (runs.some((name) => !versions[name])) {
    throw new Failure(`${dir} was prepared for ${Object.keys(versions).join(', ')}, not ${runs.join(', ')}`);
  }
  if (preparedDir && versions.lowest) {
    // the lowest versions are those of the packed package's peer ranges (the install below corrects the app if not)
    versions.lowest = await lowestVersions(await peerRanges(tarball), versions.lowest['aws-cdk']);
  }
  const results = await Promise.allSettled(runs.map(async (name) => {
    const log = new Log(name);
    const runStarted = Date.now();
    try {
      await checkApp(log, path.join(dir, name, 'shop'), tarball, versions[name]!, name === 'newest');
      process.stdout.write(`\n${name} versions: ok in ${((Date.now() - runStarted) / 1000).toFixed(1)} s\n${log.text()}\n`);
    } catch (e) {
      process.stdout.write(`\n${name} versions: FAILED after ${((Date.now() - runStarted) / 1000).toFixed(1)} s\n${log.text()}\n`);
      throw e;
    }
  }));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${runs[i]} versions: ${describe(r.reason)}`] : []));
  if (failed.length > 0) {
    throw new Failure(failed.join('\n'));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`\nok: installed, synthesized and read back with the ${runs.join(' and the ')} versions in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function describe(e: unknown): string {
  return e instanceof Failure ? e.message : (e as Error).stack ?? String(e);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`consumer app check failed: ${describe(e)}\n`);
    process.exitCode = 1;
  });
}
