/**
 * The figures of README.md's "Package size and the CLI": the packed package (dist/js, `npx projen package:js`) and the
 * same package without its bundled dependencies (the CLI's AWS SDK clients and yaml), each installed from the npm
 * cache into an empty app next to aws-cdk-lib, constructs and cdk-nag at the versions this repo is tested with, three
 * times (the median CPU time counts). Prints the section's table and the sentence under it, to paste into the README;
 * the Install section's "The package is N MB packed and N MB installed, N % of it ..." is checked against the package
 * by scripts/consumer-app.ts.
 *
 *   npx tsx scripts/measure-package.ts [TARBALL]     default: the one tarball in dist/js
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const RUNS = 3;

function sh(cwd: string, command: string): { stdout: string; cpuSeconds: number } {
  // bash's `time` counts the CPU time of every process the command starts
  const res = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; { time ${command} >/dev/null 2>&1 ; } 2>&1`], { cwd, encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`${command} failed in ${cwd}: ${res.stdout}${res.stderr}`);
  }
  const [user, sys] = res.stdout.trim().split('\n').pop()!.split(' ').map(Number);
  return { stdout: res.stdout, cpuSeconds: user + sys };
}

/** Apparent bytes and files under `dir`, and its size on disk (1 KiB blocks, as `du -sk` counts them). */
function size(dir: string): { bytes: number; files: number; diskBytes: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(f);
      } else if (e.isFile()) {
        bytes += fs.statSync(f).size;
        files++;
      }
    }
  };
  walk(dir);
  const du = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  return { bytes, files, diskBytes: Number(du.stdout.split('\t')[0]) * 1024 };
}

function repoVersion(name: string): string {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** The tarball without its bundled dependencies: package/node_modules removed, dependencies and bundledDependencies emptied. */
function withoutBundled(tarball: string, work: string): string {
  const dir = path.join(work, 'unpacked');
  fs.mkdirSync(dir);
  spawnSync('tar', ['-xzf', tarball, '-C', dir]);
  fs.rmSync(path.join(dir, 'package', 'node_modules'), { recursive: true, force: true });
  const pkgFile = path.join(dir, 'package', 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  pkg.dependencies = {};
  pkg.bundledDependencies = [];
  fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  const out = path.join(work, 'without-bundled.tgz');
  spawnSync('tar', ['-czf', out, '-C', dir, 'package']);
  return out;
}

interface Install {
  readonly cpuSeconds: number;
  readonly app: { bytes: number; diskBytes: number };
  readonly pkg?: { bytes: number; files: number; diskBytes: number };
  readonly bundled?: { bytes: number; files: number; diskBytes: number };
}

function install(work: string, name: string, tarball: string | undefined): Install {
  const peers = ['aws-cdk-lib', 'constructs', 'cdk-nag'].map((n) => `${n}@${repoVersion(n)}`);
  const cpu: number[] = [];
  let last: Install | undefined;
  for (let i = 0; i <= RUNS; i++) {
    const app = path.join(work, `${name}-${i}`);
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0"}\n');
    const run = sh(app, `npm install --prefer-offline --no-audit --no-fund ${[...peers, ...(tarball ? [tarball] : [])].join(' ')}`);
    if (i > 0) { // the first run fills the cache
      cpu.push(run.cpuSeconds);
    }
    const installed = path.join(app, 'node_modules', 'cdk-customer-value');
    last = {
      cpuSeconds: 0,
      app: size(path.join(app, 'node_modules')),
      pkg: tarball ? size(installed) : undefined,
      bundled: tarball && fs.existsSync(path.join(installed, 'node_modules')) ? size(path.join(installed, 'node_modules')) : undefined,
    };
    fs.rmSync(app, { recursive: true, force: true });
  }
  return { ...last!, cpuSeconds: cpu.sort((a, b) => a - b)[Math.floor(cpu.length / 2)] };
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const n = (x: number) => x.toLocaleString('en-US').replace(/,/g, ' ');

function main(): void {
  const dist = path.join(ROOT, 'dist', 'js');
  const tarball = path.resolve(process.argv[2] ?? path.join(dist, fs.readdirSync(dist).find((f) => f.endsWith('.tgz'))!));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'measure-package-'));
  try {
    const lean = withoutBundled(tarball, work);
    const base = install(work, 'base', undefined);
    const full = install(work, 'with', tarball);
    const bare = install(work, 'without', lean);
    const versions = ['aws-cdk-lib', 'constructs', 'cdk-nag'].map((x) => `${x} ${repoVersion(x)}`).join(', ');
    const load = os.loadavg()[0].toFixed(1);
    const share = (part: number, whole: number) => Math.round((100 * part) / whole);
    process.stdout.write([
      `Measured by \`npx tsx scripts/measure-package.ts\` on ${new Date().toISOString().slice(0, 10)}: the packed package, and the same`,
      `without its bundled dependencies, each installed from the npm cache next to ${versions} (Node ${process.versions.node},`,
      `${os.cpus().length} cores, load average ${load} at the end):`,
      '',
      '| | with the bundled clients (today) | without them |',
      '|---|---|---|',
      `| tarball | ${(fs.statSync(tarball).size / 1e6).toFixed(2)} MB | ${(fs.statSync(lean).size / 1e6).toFixed(2)} MB |`,
      `| \`node_modules/cdk-customer-value\` | ${mb(full.pkg!.bytes)} MB in ${n(full.pkg!.files)} files, ${mb(full.pkg!.diskBytes)} MB on disk `
        + `| ${mb(bare.pkg!.bytes)} MB in ${n(bare.pkg!.files)} files, ${mb(bare.pkg!.diskBytes)} MB on disk |`,
      `| the app's \`node_modules\` (${mb(base.app.bytes)} MB, ${mb(base.app.diskBytes)} MB on disk, without this package) `
        + `| ${mb(full.app.bytes)} MB (+${mb(full.app.bytes - base.app.bytes)}), ${mb(full.app.diskBytes)} MB on disk (+${mb(full.app.diskBytes - base.app.diskBytes)}) `
        + `| ${mb(bare.app.bytes)} MB (+${mb(bare.app.bytes - base.app.bytes)}), ${mb(bare.app.diskBytes)} MB on disk (+${mb(bare.app.diskBytes - base.app.diskBytes)}) |`,
      `| \`npm install\` of the app, CPU time (user + sys, median of ${RUNS}; ${base.cpuSeconds.toFixed(1)} s without this package) `
        + `| ${full.cpuSeconds.toFixed(1)} s | ${bare.cpuSeconds.toFixed(1)} s |`,
      '',
      `The bundled clients are ${share(full.bundled!.bytes, full.pkg!.bytes)} % of the installed package `
        + `(${share(full.bundled!.diskBytes, full.pkg!.diskBytes)} % on disk, ${n(full.bundled!.files)} files) and add about `
        + `${Math.round(full.cpuSeconds - bare.cpuSeconds)} s of CPU time to every install of every app that uses the constructs.`,
      '',
    ].join('\n'));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main();
}
