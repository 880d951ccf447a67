/**
 * Refuses to pack cdk-customer-value without what its compiled code loads at run time: the Lambda bundles under
 * assets/ that `lambda.Code.fromAsset(path.join(__dirname, '../../assets/...'))` in lib/ points to. Without them
 * every service with cost reporting fails at synth in the user's app ("Cannot find asset").
 *
 *   tsx scripts/check-package-assets.ts                  the working tree (the package's `prepack` script: npm pack,
 *                                                        npm publish and jsii-pacmak all run it)
 *   tsx scripts/check-package-assets.ts --tarball PATH   a packed tarball, or every *.tgz in a directory (what
 *                                                        .npmignore let through); a failing tarball is removed
 *
 * The expected assets are read from lib/, so a new bundled handler is checked without changing this script.
 * Exit 1 with one line per missing asset and how to fix it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
/** How the compiled code (src/private/bundled-function.ts) names each bundle it loads: `path.join(__dirname, '../../assets/<handler>')`. */
export const ASSET_REF = /path\.join\(__dirname,\s*['"]([^'"]*\bassets\/[^'"]+)['"]\)/g;

export interface AssetRef {
  /** The asset directory, relative to the package root (`assets/reporting/cost-publisher.lambda`). */
  readonly asset: string;
  /** The compiled file that loads it, relative to the package root. */
  readonly usedBy: string;
}

/** Every asset directory the compiled code under `<root>/lib` loads, with the file that loads it. */
export function assetRefs(root: string): AssetRef[] {
  const refs: AssetRef[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
      } else if (entry.name.endsWith('.js')) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(ASSET_REF)) {
          const asset = path.relative(root, path.resolve(path.dirname(file), m[1])).split(path.sep).join('/');
          refs.push({ asset, usedBy: path.relative(root, file).split(path.sep).join('/') });
        }
      }
    }
  };
  walk(path.join(root, 'lib'));
  return refs.sort((a, b) => a.asset.localeCompare(b.asset));
}

/** The problems (one line each) of a package whose files are `has(relativePath)`. */
export function missingAssets(refs: AssetRef[], has: (file: string) => boolean): string[] {
  return refs
    .filter((r) => !has(`${r.asset}/index.js`))
    .map((r) => `${r.asset}/index.js (loaded by ${r.usedBy})`);
}

function main(argv: string[]): number {
  if (!fs.existsSync(path.join(ROOT, 'lib'))) {
    process.stderr.write('cannot pack cdk-customer-value: lib/ is missing; run `npx projen compile` first\n');
    return 1;
  }
  const refs = assetRefs(ROOT);
  if (refs.length === 0) {
    process.stderr.write('cannot pack cdk-customer-value: no Lambda asset reference found in lib/ (expected lambda.Code.fromAsset(path.join(__dirname, \'../../assets/...\'))); has the generated code changed?\n');
    return 1;
  }
  const i = argv.indexOf('--tarball');
  if (i < 0) {
    return check(refs, undefined);
  }
  const target = argv[i + 1];
  if (!target || !fs.existsSync(target)) {
    process.stderr.write(`--tarball: no such file or directory: ${target ?? '(none given)'}\n`);
    return 2;
  }
  const tarballs = fs.statSync(target).isDirectory()
    ? fs.readdirSync(target).filter((f) => f.endsWith('.tgz')).map((f) => path.join(target, f))
    : [target];
  if (tarballs.length === 0) {
    process.stderr.write(`--tarball: no .tgz file in ${target}\n`);
    return 2;
  }
  return Math.max(...tarballs.map((t) => check(refs, t)));
}

/** Checks the working tree (`tarball` undefined) or one tarball; prints the outcome; returns the exit code. */
function check(refs: AssetRef[], tarball: string | undefined): number {
  let missing: string[];
  let where: string;
  let fix: string;
  if (tarball !== undefined) {
    const entries = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
      .split('\n').map((l) => l.replace(/^package\//, '')));
    missing = missingAssets(refs, (f) => entries.has(f));
    where = `the tarball ${tarball}`;
    fix = 'check .npmignore (projen: npmignore in .projenrc.ts) lets assets/ through';
    if (missing.length > 0) {
      // Never leave a broken tarball where a release step could pick it up.
      fs.rmSync(tarball, { force: true });
      fix += `; ${tarball} was removed`;
    }
  } else {
    missing = missingAssets(refs, (f) => fs.existsSync(path.join(ROOT, f)));
    where = 'the working tree';
    fix = 'run `npx projen bundle` first (`npx projen package:js` bundles before it packs)';
  }
  if (missing.length > 0) {
    process.stderr.write(`cannot pack cdk-customer-value: ${missing.length} Lambda bundle(s) missing from ${where}:\n`
      + missing.map((m) => `  - ${m}\n`).join('')
      + `${fix}\n`);
    return 1;
  }
  process.stdout.write(`${where}: all ${refs.length} Lambda bundles present (${refs.map((r) => r.asset).join(', ')})\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
