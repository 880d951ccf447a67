/**
 * The first step of `npx projen package:js`: jsii-pacmak packs lib/ and .jsii, which `npx projen compile` (jsii)
 * writes. On a fresh clone there are none, and packing used to fail after its other steps with the reason deep in a
 * stack trace. So this compiles first when the compiled package is missing or older than a file under src/, and
 * does nothing otherwise (the build compiles just before; the release workflow re-packs an extracted tarball, which
 * holds lib/ and .jsii but no src/).
 *
 *   tsx scripts/ensure-compiled.ts     exit 0 when lib/ and .jsii are current (compiling them if needed); exit 1 with
 *                                      one line when they cannot be made
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

/** Why `root` needs a jsii compile before packing, or undefined when lib/ and .jsii are current. */
export function compileNeeded(root: string): string | undefined {
  const assembly = path.join(root, '.jsii');
  if (!fs.existsSync(assembly) || !fs.existsSync(path.join(root, 'lib'))) {
    return 'lib/ and .jsii are missing';
  }
  const compiled = fs.statSync(assembly).mtimeMs;
  const newer = newestFile(path.join(root, 'src'));
  return newer && newer.mtimeMs > compiled ? `${path.relative(root, newer.file)} changed since the last compile` : undefined;
}

function newestFile(dir: string): { file: string; mtimeMs: number } | undefined {
  if (!fs.existsSync(dir)) {
    return undefined;
  }
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    const found = entry.isDirectory() ? newestFile(file) : { file, mtimeMs: fs.statSync(file).mtimeMs };
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) {
      newest = found;
    }
  }
  return newest;
}

function main(): number {
  const reason = compileNeeded(ROOT);
  if (!reason) {
    return 0;
  }
  if (!fs.existsSync(path.join(ROOT, 'src'))) {
    process.stderr.write(`cannot pack cdk-customer-value: ${reason} and there is no src/ to compile them from\n`);
    return 1;
  }
  process.stdout.write(`${reason}: compiling first (npx projen compile)\n`);
  const res = spawnSync('npx', ['projen', 'compile'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) {
    process.stderr.write(`cannot pack cdk-customer-value: npx projen compile failed (exit ${res.status ?? res.signal}); see its output above\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main();
}
