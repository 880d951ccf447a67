/**
 * Writes optional peer dependencies into the package.json of packed tarballs (step of `npx projen package:js`):
 *
 *   tsx scripts/add-optional-peers.ts dist/js '@duckdb/node-api@~1.5.6-r.1'
 *
 * jsii refuses a peer dependency that is not a jsii module ("Unable to locate jsii assembly"), so a non-jsii
 * optional peer (DuckDB, which the CLI loads on demand) cannot be in the project's package.json while jsii compiles.
 * Each tarball is unpacked, its package.json gets `peerDependencies[name]` and `peerDependenciesMeta[name].optional`,
 * and it is packed again with tar as npm packs (`package/` at the top, owner 0, npm's fixed mtime). Not with
 * `npm pack`: it would pick the bundled dependencies' files again by its own rules (it drops their CHANGELOGs).
 * The file list must come out unchanged.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** `@scope/name@range` or `name@range`. */
export function parsePeer(spec: string): { name: string; range: string } {
  const at = spec.indexOf('@', 1);
  if (at < 0 || at === spec.length - 1) {
    throw new Error(`expected NAME@RANGE, got ${JSON.stringify(spec)}`);
  }
  return { name: spec.slice(0, at), range: spec.slice(at + 1) };
}

function list(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    .split('\n').filter((l) => l.length > 0 && !l.endsWith('/')).sort();
}

function addPeers(tarball: string, peers: Array<{ name: string; range: string }>): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'customer-value-pack-'));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', work]);
    const pkgFile = path.join(work, 'package', 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
    for (const { name, range } of peers) {
      if (pkg.dependencies?.[name] || pkg.bundledDependencies?.includes(name)) {
        throw new Error(`${name} is a dependency of ${pkg.name}: it cannot also be an optional peer`);
      }
      pkg.peerDependencies = { ...pkg.peerDependencies, [name]: range };
      pkg.peerDependenciesMeta = { ...pkg.peerDependenciesMeta, [name]: { optional: true } };
    }
    fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    const repacked = path.join(work, 'repacked.tgz');
    execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=1985-10-26 08:15:00Z', '--use-compress-program=gzip -9',
      '-cf', repacked, '-C', work, 'package']);
    const before = list(tarball);
    const after = list(repacked);
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      const lost = before.filter((f) => !after.includes(f));
      const gained = after.filter((f) => !before.includes(f));
      throw new Error(`repacking ${tarball} changed its files: lost ${lost.slice(0, 5).join(', ') || 'none'}; gained ${gained.slice(0, 5).join(', ') || 'none'}`);
    }
    fs.copyFileSync(repacked, tarball);
    process.stdout.write(`${tarball}: optional peer dependencies ${peers.map((p) => `${p.name}@${p.range}`).join(', ')}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  const [target, ...specs] = argv;
  if (!target || specs.length === 0 || !fs.existsSync(target)) {
    process.stderr.write('usage: tsx scripts/add-optional-peers.ts TARBALL|DIR NAME@RANGE...\n');
    return 2;
  }
  const tarballs = fs.statSync(target).isDirectory()
    ? fs.readdirSync(target).filter((f) => f.endsWith('.tgz')).map((f) => path.join(target, f))
    : [target];
  if (tarballs.length === 0) {
    process.stderr.write(`no .tgz file in ${target}\n`);
    return 2;
  }
  const peers = specs.map(parsePeer);
  for (const t of tarballs) {
    addPeers(t, peers);
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`add-optional-peers: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
