import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ASSET_REF, assetRefs, missingAssets } from '../scripts/check-package-assets';
import { compileNeeded } from '../scripts/ensure-compiled';

const ROOT = path.resolve(__dirname, '..');

function files(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const f = path.join(dir, e.name);
    return e.isDirectory() ? files(f, suffix) : e.name.endsWith(suffix) ? [f] : [];
  });
}

describe('the pre-pack check of the Lambda bundles', () => {
  test('finds the bundles compiled code loads, and names the missing ones with the file that loads them', () => {
    // GIVEN: a package whose lib/ loads two bundles, one of them missing
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-check-'));
    fs.mkdirSync(path.join(root, 'lib', 'reporting'), { recursive: true });
    fs.writeFileSync(path.join(root, 'lib', 'reporting', 'publisher-function.js'),
      "code: lambda.Code.fromAsset(path.join(__dirname, '../../assets/reporting/publisher.lambda')),\n"
      + "other: lambda.Code.fromAsset(path.join(__dirname, '../../assets/reporting/other.lambda')),\n");
    fs.mkdirSync(path.join(root, 'assets', 'reporting', 'publisher.lambda'), { recursive: true });
    fs.writeFileSync(path.join(root, 'assets', 'reporting', 'publisher.lambda', 'index.js'), '');
    // WHEN
    const refs = assetRefs(root);
    // THEN
    expect(refs.map((r) => r.asset)).toEqual(['assets/reporting/other.lambda', 'assets/reporting/publisher.lambda']);
    expect(missingAssets(refs, (f) => fs.existsSync(path.join(root, f))))
      .toEqual(['assets/reporting/other.lambda/index.js (loaded by lib/reporting/publisher-function.js)']);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('every bundle projen writes is loaded the way the check reads it, and nothing else is', () => {
    // The bundles projen's bundle tasks write (esbuild --outfile=assets/<handler>/index.js) ...
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    const written = Object.values<{ name: string; steps?: Array<{ execArgs?: string[] }> }>(tasks)
      .filter((t) => /^bundle:.*\.lambda$/.test(t.name))
      .flatMap((t) => (t.steps ?? []).flatMap((s) => s.execArgs ?? []))
      .filter((a) => a.startsWith('--outfile='))
      .map((a) => path.dirname(a.slice('--outfile='.length)))
      .sort();
    // ... are the ones the source loads, each through path.join(__dirname, '../../assets/...')
    const loaded = files(path.join(ROOT, 'src'), '.ts').flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(ASSET_REF)]
      .map((m) => path.relative(ROOT, path.resolve(path.dirname(f), m[1])).split(path.sep).join('/'))).sort();
    expect(written.length).toBeGreaterThan(0);
    expect(loaded).toEqual(written);
    // ... and the `bundle` task (one esbuild process for all of them, .projenrc.ts) writes the same files:
    // src/<dir>/<name>.ts to assets/<dir>/<name>/index.js, with every other flag of the per-handler tasks
    const [bundle] = tasks.bundle.steps as Array<{ execArgs: string[] }>;
    expect(bundle.execArgs).toEqual(expect.arrayContaining(['--outbase=src', '--outdir=assets', '--entry-names=[dir]/[name]/index']));
    expect(bundle.execArgs.filter((a) => a.endsWith('.ts')).map((e) => `assets/${e.replace(/^src\//, '').replace(/\.ts$/, '')}`).sort())
      .toEqual(written);
    const perHandler = tasks[`bundle:${written[0].replace(/^assets\//, '')}`].steps[0].execArgs as string[];
    // (the command is scripts/bundle.js, which runs esbuild: below)
    expect(bundle.execArgs).toEqual(expect.arrayContaining(perHandler.filter((a) => a !== 'esbuild' && !a.startsWith('--outfile=') && !a.endsWith('.ts'))));
    expect(perHandler[0]).toBe('esbuild');
  });
});

describe('npx projen package:js on a fresh clone', () => {
  test('compiles first when lib/ and .jsii are missing or older than src/, and not otherwise', () => {
    // GIVEN: a clone without lib/ and .jsii
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-compile-'));
    fs.mkdirSync(path.join(root, 'src', 'reporting'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src', 'reporting', 'budget.ts'), '');
    expect(compileNeeded(root)).toBe('lib/ and .jsii are missing');
    // WHEN compiled
    fs.mkdirSync(path.join(root, 'lib'));
    fs.writeFileSync(path.join(root, '.jsii'), '{}');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(root, '.jsii'), later, later);
    // THEN nothing to do, until a source changes
    expect(compileNeeded(root)).toBeUndefined();
    const latest = new Date(Date.now() + 120_000);
    fs.utimesSync(path.join(root, 'src', 'reporting', 'budget.ts'), latest, latest);
    expect(compileNeeded(root)).toBe(`${path.join('src', 'reporting', 'budget.ts')} changed since the last compile`);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the package:js task runs that step before jsii-pacmak packs', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    const steps: string[] = tasks['package:js'].steps.map((s: { exec?: string; execArgs?: string[]; spawn?: string }) => s.exec ?? s.execArgs?.join(' ') ?? `spawn ${s.spawn}`);
    expect(steps.indexOf('tsx scripts/ensure-compiled.ts')).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf('tsx scripts/ensure-compiled.ts')).toBeLessThan(steps.findIndex((s) => s.startsWith('jsii-pacmak')));
  });
});

test('what the demo, the tests and the CLI write in a clone is kept out of the npm package', () => {
  // npm packs what .npmignore does not exclude, whatever .gitignore says: a clone's cdk.out (the demo's) was packed
  const npmignore = fs.readFileSync(path.join(ROOT, '.npmignore'), 'utf8').split('\n');
  for (const written of ['/cdk.out/', '*.cdk.out/', '/cdk.context.json', '/customer-value-sample/', '/.tmp/', '/dist-code-only/']) {
    expect(npmignore).toContain(written);
  }
});

describe('the bundle task (scripts/bundle.js)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { bundle } = require('../scripts/bundle') as { bundle: (args: string[], cwd?: string) => number };
  const ARGS = ['--bundle', '--platform=node', '--log-level=error', 'src/x.lambda.ts', '--outbase=src', '--outdir=assets', '--entry-names=[dir]/[name]/index'];

  function clone(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'x.lambda.ts'), 'export const handler = async () => "new bundle";\n');
    fs.mkdirSync(path.join(root, 'assets', 'x.lambda'), { recursive: true });
    fs.writeFileSync(path.join(root, 'assets', 'x.lambda', 'index.js'), 'the old bundle, whole');
    return root;
  }

  test('replaces each bundle whole: a reader that opened the old one reads it to the end, then finds the new one', () => {
    // GIVEN: a reader holds the old bundle open (a test staging the asset while CI's build bundles again)
    const root = clone();
    const bundleFile = path.join(root, 'assets', 'x.lambda', 'index.js');
    const reader = fs.openSync(bundleFile, 'r');
    // WHEN
    const status = bundle(ARGS, root);
    // THEN: esbuild writing in place would have truncated the file under the reader
    expect(status).toBe(0);
    expect(fs.readFileSync(reader, 'utf8')).toBe('the old bundle, whole');
    fs.closeSync(reader);
    expect(fs.readFileSync(bundleFile, 'utf8')).toContain('new bundle');
    // and the scratch folder is gone
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('when esbuild fails: its exit status, and the old bundle left as it was', () => {
    // GIVEN: a handler that does not compile
    const root = clone();
    fs.writeFileSync(path.join(root, 'src', 'x.lambda.ts'), 'export const handler = (;\n');
    // WHEN
    const status = bundle(ARGS, root);
    // THEN
    expect(status).toBe(1);
    expect(fs.readFileSync(path.join(root, 'assets', 'x.lambda', 'index.js'), 'utf8')).toBe('the old bundle, whole');
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('is the bundle task\'s command', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
    expect(tasks.bundle.steps[0].execArgs.slice(0, 2)).toEqual(['node', 'scripts/bundle.js']);
  });
});
