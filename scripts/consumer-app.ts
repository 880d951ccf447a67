/**
 * The npm user's first hour, run in CI on the packed tarball (`npx projen package:consumer-app`, after
 * `npx projen package:js`):
 *
 * 1. generates a fresh app with the repo's own `cdk init app --language typescript --generate-only` (offline), in a
 *    temporary folder named `shop`;
 * 2. installs the tarball into it with cdk-nag, as the README's Install section says; aws-cdk-lib, constructs,
 *    cdk-nag, the cdk CLI, tsx and @types/node at the versions this repo is tested with, so `--prefer-offline`
 *    takes them from the npm cache `npm ci` warmed (`cdk init`'s TypeScript is kept: it is the compiler users get);
 * 3. replaces bin/shop.ts with the README's quick-start app (the first ```ts block under "## Quick start");
 * 4. `npx cdk synth`: cdk init's app command type-checks with tsc, then runs the app with AwsSolutionsChecks and
 *    CustomerValueChecks; the template must hold the service's budget and the cost publisher, whose Lambda bundle
 *    must be staged from the package's assets/;
 * 5. runs the installed bin: `npx customer-value services` lists the service; `cost --source cur` without DuckDB
 *    says in one line which DuckDB to install;
 * 6. loads the installed package as jsii tools do (jsii-reflect: jsii-pacmak in the release workflow, jsii-docgen on
 *    Construct Hub, the packaging of jsii libraries that build on this one): a dependency or peer that is not a jsii
 *    module (DuckDB, say) would break them.
 *
 * Prints the time of each step. Keeps the folder when a step fails (its path is printed).
 *
 *   tsx scripts/consumer-app.ts [TARBALL | DIR]     default: dist/js
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TypeSystem } from 'jsii-reflect';
import { assetRefs, missingAssets } from './check-package-assets';

const ROOT = path.resolve(__dirname, '..');

class Failure extends Error {}

function findTarball(arg: string | undefined): string {
  const target = path.resolve(arg ?? path.join(ROOT, 'dist', 'js'));
  if (fs.existsSync(target) && fs.statSync(target).isFile()) {
    return target;
  }
  const tarballs = fs.existsSync(target) ? fs.readdirSync(target).filter((f) => /^cdk-customer-value@.*\.tgz$/.test(f)) : [];
  if (tarballs.length !== 1) {
    throw new Failure(`expected one cdk-customer-value tarball in ${target}, found ${tarballs.length}: `
      + 'run `npx projen compile && npx projen package:js` first');
  }
  return path.join(target, tarballs[0]);
}

/** The version of a package installed in this repo (what the tests run against, and what npm ci cached). */
function repoVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
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

function step<T>(title: string, fn: () => T): T {
  const started = Date.now();
  process.stdout.write(`- ${title} ... `);
  const result = fn();
  process.stdout.write(`${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

function run(cwd: string, command: string, args: string[], expectStatus: number | 'any' = 0): Run {
  const res = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}${res.error ? String(res.error) : ''}`;
  if (expectStatus !== 'any' && res.status !== expectStatus) {
    throw new Failure(`\`${[command, ...args].join(' ')}\` exited ${res.status} (expected ${expectStatus}):\n${output.split('\n').slice(-40).join('\n')}`);
  }
  return { status: res.status, stdout: res.stdout ?? '', output };
}

async function main(): Promise<void> {
  const tarball = findTarball(process.argv[2]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'customer-value-consumer-'));
  const app = path.join(work, 'shop');
  fs.mkdirSync(app);
  const started = Date.now();
  process.stdout.write(`A fresh CDK app in ${app}, with ${path.relative(ROOT, tarball)} (${(fs.statSync(tarball).size / 1e6).toFixed(2)} MB)\n`);
  try {
    step('cdk init app --language typescript --generate-only', () => {
      run(app, path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['init', 'app', '--language', 'typescript', '--generate-only', '--no-notices']);
    });

    const pkgFile = path.join(app, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    // cdk init's jest setup (jest, @swc/*) is not used here: the app is synthesized, not unit-tested.
    pkg.devDependencies = {
      'aws-cdk': repoVersion('aws-cdk'),
      'tsx': repoVersion('tsx'),
      'typescript': pkg.devDependencies.typescript,
      '@types/node': repoVersion('@types/node'),
      '@types/jest': repoVersion('@types/jest'),
    };
    pkg.dependencies = {
      'aws-cdk-lib': repoVersion('aws-cdk-lib'),
      'constructs': repoVersion('constructs'),
      'cdk-nag': repoVersion('cdk-nag'),
      'cdk-customer-value': `file:${tarball}`,
    };
    fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    step('npm install (the tarball, cdk-nag, aws-cdk-lib ...; --prefer-offline)', () => {
      run(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
    });
    const installed = path.join(app, 'node_modules', 'cdk-customer-value');
    const missing = missingAssets(assetRefs(installed), (f) => fs.existsSync(path.join(installed, f)));
    if (missing.length > 0) {
      throw new Failure(`the installed package lacks its Lambda bundles: ${missing.join(', ')}`);
    }

    fs.writeFileSync(path.join(app, 'bin', 'shop.ts'), quickStartApp(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')));
    step('npx cdk synth (tsc, then the README quick start with AwsSolutionsChecks and CustomerValueChecks)', () => {
      run(app, 'npx', ['cdk', 'synth', '--no-notices', '-q']);
    });
    const cdkOut = path.join(app, 'cdk.out');
    const templates = fs.readdirSync(cdkOut).filter((f) => f.endsWith('.template.json'));
    const resources = templates.flatMap((t) => Object.values<{ Type: string; Properties?: { Handler?: string } }>(
      JSON.parse(fs.readFileSync(path.join(cdkOut, t), 'utf8')).Resources ?? {}));
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

    const services = step('npx customer-value services --output json', () => run(app, 'npx', ['customer-value', 'services', '--output', 'json']));
    const declared = JSON.stringify(JSON.parse(services.stdout));
    if (!declared.includes('"checkout"')) {
      throw new Failure(`customer-value services does not list the quick start's "checkout" service:\n${services.output}`);
    }
    const cur = path.join(ROOT, 'examples', 'data', 'cur2', 'customer-value-cur');
    const noDuckDb = step('npx customer-value cost --source cur (DuckDB not installed)', () => run(app, 'npx', ['customer-value', 'cost', '--source', 'cur', cur], 'any'));
    if (noDuckDb.status !== 1 || !/npm install @duckdb\/node-api@\d/.test(noDuckDb.output)) {
      throw new Failure(`without DuckDB, cost --source cur should exit 1 naming the DuckDB to install; it exited ${noDuckDb.status}:\n${noDuckDb.output}`);
    }
    process.stdout.write(`  ${noDuckDb.output.trim().split('\n').pop()}\n`);

    const started6 = Date.now();
    process.stdout.write('- load the installed package with jsii-reflect (as jsii-pacmak and jsii-docgen do) ... ');
    try {
      const assembly = await new TypeSystem().loadModule(installed, { validate: false, supportedFeatures: ['intersection-types', 'class-covariant-overrides'] });
      process.stdout.write(`${((Date.now() - started6) / 1000).toFixed(1)} s (${assembly.name}: ${assembly.types.length} types)\n`);
    } catch (e) {
      throw new Failure(`jsii tools cannot load the installed package (is a dependency or peer not a jsii module?): ${(e as Error).message.split('\n')[0]}`);
    }
    process.stdout.write(`ok: installed, synthesized and read back in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    fs.rmSync(work, { recursive: true, force: true });
  } catch (e) {
    process.stdout.write('\n');
    process.stderr.write(`the app is kept in ${app}\n`);
    throw e;
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`consumer app check failed: ${e instanceof Failure ? e.message : (e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
