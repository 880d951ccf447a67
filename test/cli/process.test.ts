import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../util';

/**
 * The CLI as a process (what `bin/customer-value` runs: `main(process.argv.slice(2))`), through tsx so that the
 * test does not need a jsii build: exit codes and stderr as a user sees them.
 */
const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

/** Root reads every file; `unprivileged` runs the CLI without the capabilities that allow it (setpriv, util-linux). */
function cli(args: string[], env: Record<string, string> = {}, options: { unprivileged?: boolean } = {}) {
  const argv = [TSX, '-e', `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1))`, '--', ...args];
  const asRoot = options.unprivileged && process.getuid?.() === 0;
  const [command, ...rest] = asRoot ? ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--', ...argv] : argv;
  const res = spawnSync(command, rest, {
    cwd: tempDir(),
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test('a usage error exits 2 with one line on stderr', () => {
  const res = cli(['cost', '--by', 'owner']);
  expect(res.code).toBe(2);
  expect(res.stderr).toBe('customer-value cost: --by is "owner": accepted values are service, need, team, business-unit, customer, provider, '
    + 'billing-account, sub-account, charge-category, region, service-category (see "customer-value cost --help")\n');
  expect(res.stdout).toBe('');
});

test('a runtime error exits 1 with one line, no stack trace; CUSTOMER_VALUE_DEBUG=1 adds the stack', () => {
  const res = cli(['services', '--assembly', 'missing.out']);
  expect(res.code).toBe(1);
  expect(res.stderr).toBe('customer-value: no cloud assembly at "missing.out": the path does not exist; run "cdk synth" first, '
    + 'or pass --assembly <cdk.out directory>\n');

  const debug = cli(['services', '--assembly', 'missing.out'], { CUSTOMER_VALUE_DEBUG: '1' });
  expect(debug.code).toBe(1);
  expect(debug.stderr.split('\n')[0]).toBe(res.stderr.trimEnd());
  expect(debug.stderr).toMatch(/\n\s+at /);
});

test('--version prints the package version, --help the usage', () => {
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  expect(cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  const help = cli(['cost', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: customer-value cost \[options\]/);
  const none = cli([]);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/^customer-value: read the customer value/);
});

test('an unreadable CUR file: one line naming the file, exit 1', () => {
  // GIVEN a Parquet file nobody may read (as root: a process without CAP_DAC_OVERRIDE, so the mode applies)
  const file = path.join(tempDir(), 'secret.parquet');
  fs.writeFileSync(file, 'PAR1');
  fs.chmodSync(file, 0o000);

  // WHEN
  const res = cli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '--by', 'service', '--quiet'], {}, { unprivileged: true });

  // THEN
  expect(res.stderr).toBe(`customer-value: cannot read ${file}: permission denied\n`);
  expect(res.code).toBe(1);
  expect(res.stdout).toBe('');
});
