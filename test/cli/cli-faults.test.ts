import * as fs from 'fs';
import * as path from 'path';
import { buildAssembly, CHECKOUT, curCsv, line, runCli, WISHLIST } from './fixtures';
import { stderrLine } from '../../src/cli/io';
import { tempDir } from '../util';

/*
 * Issue 21, "CLI faults": hostile input and misbehaving data through the CLI (real DuckDB on real files). Every case
 * ends in one line on stderr that says what to do: never a stack trace, "unexpected error" or a raw engine message.
 */

jest.setTimeout(60_000);

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
  buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
});

const OCTOBER = ['--from', '2026-10-01', '--to', '2026-11-01'];
const ESC = '\u001b';
const BEL = '\u0007';
/** What a terminal acts on: ESC, BEL, other C0/C1 controls, line breaks inside a line, bidi controls. */
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Every line of `stderr` is free of what a terminal acts on, and each message is one line. */
function expectInert(stderr: string): void {
  expect(stderr).not.toMatch(ACTIVE);
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
}

describe('control and bidi characters never reach the terminal raw on stderr', () => {
  const HOSTILE = `a${ESC}]0;pwned${BEL}b${ESC}[2Jc\u202Ed\ne\rf`;

  test('stderrLine: the escaping of table cells, on one line', () => {
    expect(stderrLine(`customer-value: ${HOSTILE}\n`)).toBe('customer-value: a ]0;pwned b [2Jc<U+202E>d e f');
    expect(stderrLine(`x ${'y'.repeat(100_000)}`)).toHaveLength(2 + 512);
  });

  test('an error line naming tag keys of the data', async () => {
    // GIVEN a CUR file whose only tag key holds ESC sequences, BEL, U+202E and a line break
    const file = curCsv(path.join(tempDir(), 'cur.csv'), [line('2026-10-03', 5, { [`user_${HOSTILE}`]: 'x' })]);

    // WHEN grouping by a key no line item has: the error lists the keys found
    const res = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--by', 'team', '--quiet'], { cwd });

    // THEN one line, the key shown inert
    expect(res.code).toBe(1);
    expectInert(res.stderr);
    expect(res.stderr.split('\n')).toHaveLength(2);
    expect(res.stderr).toContain('found: user_a ]0;pwned b [2Jc<U+202E>d e f');
  });

  test('a usage error quoting the value given', async () => {
    const res = await runCli(['cost', '--source', 'cur', 'x.csv', '--tag-key', `team=${HOSTILE}`], { cwd });
    expect(res.code).toBe(2);
    expectInert(res.stderr);
    expect(res.stderr.split('\n')).toHaveLength(2);
  });

  test('progress and "wrote ..." lines', async () => {
    const file = curCsv(path.join(tempDir(), 'cur.csv'), [line('2026-10-03', 5, { user_customer_service: 'checkout' })]);
    const dir = tempDir();
    const out = `report${ESC}[2J\u202E.json`;
    const res = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--output', 'json', '--out', out], { cwd: dir });
    expect(res.code).toBe(0);
    expectInert(res.stderr);
    expect(res.stderr).toContain('customer-value: wrote report [2J<U+202E>.json\n');
    expect(fs.existsSync(path.join(dir, out))).toBe(true);
  });

  test('a warning naming a file', async () => {
    const dir = tempDir();
    curCsv(path.join(dir, 'cur.csv'), [line('2026-10-03', 5, { user_customer_service: 'checkout' })]);
    fs.symlinkSync(path.join(dir, 'missing.csv'), path.join(dir, `dangling${ESC}]0;x${BEL}.csv`));
    const res = await runCli(['cost', '--source', 'cur', dir, ...OCTOBER, '--output', 'json', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    expectInert(res.stderr);
    expect(res.stderr).toMatch(/warning: .*dangling ]0;x \.csv is a symbolic link that leads nowhere/);
  });
});

describe('flags that contradict each other are refused, naming both', () => {
  test.each([
    [['cost', '--allocate', '--no-allocate'], '--allocate and --no-allocate'],
    [['cost', '--no-usage', '--usage'], '--no-usage and --usage'],
    [['cost', '--usage=false', '--usage'], '--usage=false and --usage'],
    [['review', '--allocate', '--no-allocate'], '--allocate and --no-allocate'],
  ])('%j', async (argv, both) => {
    const res = await runCli([...argv, '--quiet'], { cwd });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`customer-value ${argv[0]}: ${both} contradict each other: give one of them (see "customer-value ${argv[0]} --help")\n`);
  });

  test('--usage-file with --no-usage', async () => {
    const res = await runCli(['review', '--usage-file', 'usage.json', '--no-usage'], { cwd });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^customer-value review: --usage-file and --no-usage contradict each other/);
  });

  test('the same flag twice the same way is no conflict', async () => {
    const file = curCsv(path.join(tempDir(), 'cur.csv'), [line('2026-10-03', 5, { user_customer_service: 'checkout' })]);
    const res = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--no-usage', '--no-usage', '--quiet', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
  });
});

describe('an empty path or value (an unset shell variable) is refused', () => {
  test('cost --source cur "" does not read the current folder', async () => {
    // GIVEN a current folder holding CUR data
    const dir = tempDir();
    curCsv(path.join(dir, 'cur.csv'), [line('2026-10-03', 5, { user_customer_service: 'checkout' })]);

    // WHEN the path is an empty string
    const res = await runCli(['cost', '--source', 'cur', '', ...OCTOBER, '--quiet'], { cwd: dir });

    // THEN a usage error, nothing read
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('customer-value cost: an argument is empty (""; an unset shell variable?): give the path of the data, '
      + 'e.g. ./cur-export/ (use . for the current folder) (see "customer-value cost --help")\n');
  });

  test.each([['--out'], ['--assembly'], ['--usage-file']])('review %s ""', async (flag) => {
    const res = await runCli(['review', flag, ''], { cwd });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`^customer-value review: option ${flag} is empty \\(""; an unset shell variable\\?\\): expected `));
  });
});

describe('values outside what is accepted say what is', () => {
  test('--timeout above the longest timer Node.js can set: refused, naming the maximum (not stopped at once)', async () => {
    const res = await runCli(['cost', '--source', 'cur', 'x.csv', '--timeout', '3000000'], { cwd });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('customer-value cost: --timeout is "3000000": at most 2147483 (seconds, 24.8 days: the longest timer Node.js '
      + 'can set) (see "customer-value cost --help")\n');
  });

  test('--timeout at the maximum is accepted', async () => {
    const file = curCsv(path.join(tempDir(), 'cur.csv'), [line('2026-10-03', 5, { user_customer_service: 'checkout' })]);
    const res = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--timeout', '2147483', '--quiet', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).total).toBe(5);
  });

  test('--threshold cost-up=-10: the value must be at least 0', async () => {
    const res = await runCli(['review', '--threshold', 'cost-up=-10'], { cwd });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('customer-value review: --threshold cost-up=-10: cost-up must be at least 0 (e.g. --threshold cost-up=25) '
      + '(see "customer-value review --help")\n');
  });
});
