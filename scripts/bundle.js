#!/usr/bin/env node
// @ts-check
/**
 * The `bundle` task (.projenrc.ts): esbuild with the arguments given, into a scratch folder under .tmp/, then each file it
 * wrote moved into `--outdir` with a rename.
 *
 * esbuild truncates and rewrites an output file in place, so a process reading a bundle meanwhile (a test staging the
 * Lambda asset, npm pack, cdk synth) could read half a file. CI builds the package while the slow test tier
 * synthesizes (.ci/run), and each bundles: a rename replaces the file whole, so a reader gets the old bundle or the new
 * one. Plain JavaScript, run by node: the task runs five times in CI, and esbuild itself needs 0.2 s.
 *
 *   node scripts/bundle.js <esbuild arguments, one of them --outdir=DIR>
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ESBUILD = path.join(__dirname, '..', 'node_modules', '.bin', 'esbuild');

/** @param {string} dir @returns {string[]} the files under dir, relative to it */
function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
    ? files(path.join(dir, e.name)).map((f) => path.join(e.name, f))
    : [e.name]));
}

/**
 * @param {string[]} args esbuild's arguments
 * @param {string} cwd
 * @returns {number} the exit status
 */
function bundle(args, cwd = process.cwd()) {
  const outArg = args.find((a) => a.startsWith('--outdir='));
  if (!outArg) {
    process.stderr.write('scripts/bundle.js: esbuild\'s arguments need --outdir=DIR\n');
    return 2;
  }
  const outdir = path.resolve(cwd, outArg.slice('--outdir='.length));
  // .tmp/ is ignored by git and npm, and on the file system of the clone: the renames below stay renames
  fs.mkdirSync(path.join(cwd, '.tmp'), { recursive: true });
  const scratch = fs.mkdtempSync(path.join(cwd, '.tmp', 'bundle-'));
  try {
    const res = spawnSync(ESBUILD, args.map((a) => (a === outArg ? `--outdir=${scratch}` : a)), { cwd, stdio: 'inherit' });
    if (res.status !== 0) {
      if (res.error) {
        process.stderr.write(`scripts/bundle.js: ${res.error.message}\n`);
      }
      return res.status ?? 1;
    }
    for (const file of files(scratch)) {
      fs.mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
      fs.renameSync(path.join(scratch, file), path.join(outdir, file));
    }
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { bundle };

if (require.main === module) {
  process.exitCode = bundle(process.argv.slice(2));
}
