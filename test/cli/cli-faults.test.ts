import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildAssembly, CHECKOUT, curCsv, line, runCli, WISHLIST, withoutMissingDays } from './fixtures';
import { stderrLine } from '../../src/cli/io';
import { tempDir } from '../util';

/*
 * Issue 21, "CLI faults": hostile input and misbehaving data through the CLI (real DuckDB on real files). Every case
 * ends in one line on stderr that says what to do: never a stack trace, "unexpected error" or a raw engine message.
 */

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const TSX_CJS = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs');

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

describe('review --out-dir', () => {
  const REVIEW = ['review', '--source', 'cur', 'cur.csv', ...OCTOBER, '--quiet'];
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
    curCsv(path.join(dir, 'cur.csv'), [
      line('2026-10-03', 5, { user_customer_service: 'checkout', user_business_unit: 'retail' }),
      line('2026-10-04', 7, { user_customer_service: 'other', user_business_unit: 'b'.repeat(100_000) }),
    ]);
    fs.writeFileSync(path.join(dir, 'a-file'), 'x');
  });

  test.each([
    ['a-file', 'EEXIST: a file of that name exists, not a folder'],
    ['a-file/packs', 'ENOTDIR: a part of the path is a file, not a folder'],
  ])('%s cannot be created: one line, exit 1', async (outDir, why) => {
    const res = await runCli([...REVIEW, '--out-dir', outDir], { cwd: dir });
    expect(res.code).toBe(1);
    expect(withoutMissingDays(res.stderr)).toBe(`customer-value: cannot create the folder ${outDir} (--out-dir): ${why}; give another folder\n`);
  });

  test('no permission to create it (EACCES): one line, exit 1', () => {
    // GIVEN a folder the CLI may not write into (as root, the CLI runs as "nobody", for whom the permissions count)
    const parent = path.join(dir, 'read-only');
    fs.mkdirSync(parent, { mode: 0o555 });
    fs.chmodSync(parent, 0o555);
    fs.chmodSync(dir, 0o755);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

    // WHEN
    const res = spawnSync(process.execPath, ['-r', TSX_CJS, '-e', `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1))`, '--',
      ...REVIEW, '--out-dir', 'read-only/packs'],
    { cwd: dir, env: { PATH: process.env.PATH!, HOME: '/tmp', TSX_DISABLE_CACHE: '1' }, encoding: 'utf8', ...asNobody });

    // THEN
    expect(withoutMissingDays(res.stderr)).toBe('customer-value: cannot create the folder read-only/packs (--out-dir): EACCES: permission denied; give another folder\n');
    expect(res.status).toBe(1);
  });

  test('a 100 kB business-unit tag value: the pack is written under a capped name made unique by a hash, in one short line', async () => {
    const res = await runCli([...REVIEW, '--out-dir', 'packs'], { cwd: dir });
    expect(res.code).toBe(0);
    const files = fs.readdirSync(path.join(dir, 'packs')).sort();
    expect(files).toEqual([`value-review-${'b'.repeat(55)}-${createHash('sha256').update('b'.repeat(100_000)).digest('hex').slice(0, 8)}.md`,
      'value-review-retail.md']);
    for (const l of res.stderr.trimEnd().split('\n')) {
      expect(l.length).toBeLessThan(1000);
    }
    expect(withoutMissingDays(res.stderr)).toMatch(/^customer-value: wrote packs\/value-review-b{55}-[0-9a-f]{8}\.md \(b{510}…\n/);
  });
});

/** A small FOCUS CSV (FOCUS 1.0 columns the CLI reads; Tags a JSON object, as Microsoft and AWS write it in CSV). */
interface FocusRow { day: string; cost: string; tags?: Record<string, string>; extra?: string }

function focusCsv(file: string, rows: FocusRow[], extraColumn?: string): string {
  const header = ['BilledCost', 'BillingCurrency', 'ChargeCategory', 'ChargePeriodStart', 'ChargePeriodEnd', 'ProviderName', 'Tags',
    ...(extraColumn ? [extraColumn] : [])];
  const lines = rows.map((r) => [r.cost, 'USD', 'Usage', `${r.day}T00:00:00Z`, `${r.day}T23:59:59Z`, 'AWS',
    `"${JSON.stringify(r.tags ?? { 'customer-service': 'checkout' }).replace(/"/g, '""')}"`, ...(extraColumn ? [r.extra ?? 'x'] : [])].join(','));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${[header.join(','), ...lines].join('\n')}\n`);
  return file;
}

describe('data files the CLI reads with DuckDB', () => {
  test('a CUR column named "filename" (the column DuckDB adds for the CLI has a private name)', async () => {
    const file = curCsv(path.join(tempDir(), 'cur.csv'), [{ ...line('2026-10-03', 5, { user_customer_service: 'checkout' }), filename: 'x.pdf' }],
      ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags', 'filename']);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-03', '--to', '2026-10-04', '--quiet', '-o', 'json'], { cwd });
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout).total).toBe(5);
  });

  test('a FOCUS column named "filename"', async () => {
    const file = focusCsv(path.join(tempDir(), 'focus.csv'), [{ day: '2026-10-03', cost: '5' }], 'filename');
    const res = await runCli(['cost', '--source', 'focus', file, '--from', '2026-10-03', '--to', '2026-10-04', '--quiet', '-o', 'json'], { cwd });
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout).total).toBe(5);
  });

  test('two cost columns whose names differ only in letter case: refused naming both', async () => {
    const file = curCsv(path.join(tempDir(), 'cur.csv'), [{ ...line('2026-10-03', 5, {}), Line_Item_Unblended_Cost: 7 }],
      ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags', 'Line_Item_Unblended_Cost']);
    const res = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: ${file} has two columns whose names differ only in letter case ("line_item_unblended_cost" and `
      + '"Line_Item_Unblended_Cost"): column names are read without regard to case, so they cannot be told apart; remove or rename one of them\n');
  });

  test('FOCUS: two cost columns whose names differ only in letter case', async () => {
    const file = focusCsv(path.join(tempDir(), 'focus.csv'), [{ day: '2026-10-03', cost: '5', extra: '7' }], 'billedcost');
    const res = await runCli(['cost', '--source', 'focus', file, ...OCTOBER, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    // named by the header (both spellings), no longer by DuckDB's "Duplicate struct entry" (one of them)
    expect(res.stderr).toBe(`customer-value: ${file} has two columns whose names differ only in letter case ("BilledCost" and "billedcost"): `
      + 'column names are read without regard to case, so they cannot be told apart; remove or rename one of them\n');
  });

  test('FOCUS: CSV files with different headers, one with two names differing only in case: refused naming that file (was read silently)', async () => {
    const dir = tempDir();
    const plain = focusCsv(path.join(dir, 'a.csv'), [{ day: '2026-10-03', cost: '5' }]);
    const twice = focusCsv(path.join(dir, 'b.csv'), [{ day: '2026-10-04', cost: '5', extra: '7' }], 'billedcost');
    const res = await runCli(['cost', '--source', 'focus', plain, twice, ...OCTOBER, '--quiet', '-o', 'json'], { cwd });
    expect([res.code, res.stdout]).toEqual([1, '']);
    expect(res.stderr).toBe(`customer-value: ${twice} has two columns whose names differ only in letter case ("BilledCost" and "billedcost"): `
      + 'column names are read without regard to case, so they cannot be told apart; remove or rename one of them\n');
  });

  /** A FOCUS Parquet file written by DuckDB; `rename` then renames columns in its footer (same length: DuckDB writes no duplicate names). */
  async function focusParquet(file: string, rows: string, rename: Record<string, string> = {}): Promise<string> {
    return parquetFile(file, `SELECT * FROM (VALUES ${rows}) AS t(BilledCost, BillingCurrency, ChargeCategory, ChargePeriodStart, `
      + 'ChargePeriodEnd, ProviderName, Tags, QilledCost)', rename);
  }

  /** A Parquet file of `select`, written by DuckDB, with `rename` applied to the names in its footer. */
  async function parquetFile(file: string, select: string, rename: Record<string, string>): Promise<string> {
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    try {
      await connection.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      db.closeSync();
    }
    const bytes = fs.readFileSync(file);
    for (const [from, to] of Object.entries(rename)) {
      expect(to.length).toBe(from.length);
      let n = 0;
      for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 1), n++) {
        bytes.write(to, i);
      }
      expect(n).toBeGreaterThan(0);
    }
    fs.writeFileSync(file, bytes);
    return file;
  }
  const PARQUET_ROWS = "(5.0, 'USD', 'Usage', TIMESTAMP '2026-10-03 00:00:00', TIMESTAMP '2026-10-04 00:00:00', 'AWS', MAP {'customer-service': 'checkout'}, 7.0), "
    + "(2.5, 'USD', 'Usage', NULL, NULL, 'AWS', MAP {'customer-service': 'checkout'}, 1.0)";

  test('FOCUS Parquet with two columns whose names differ only in case: refused naming both (DuckDB renamed one, read silently)', async () => {
    const file = await focusParquet(path.join(tempDir(), 'focus.parquet'), PARQUET_ROWS, { QilledCost: 'billedcost' });
    const res = await runCli(['cost', '--source', 'focus', file, ...OCTOBER, '--quiet', '-o', 'json'], { cwd });
    expect([res.code, res.stdout]).toEqual([1, '']);
    expect(res.stderr).toBe(`customer-value: ${file} has two columns whose names differ only in letter case ("BilledCost" and "billedcost"): `
      + 'column names are read without regard to case, so they cannot be told apart; remove or rename one of them\n');
  });

  test('CUR 2.0 Parquet with two columns whose names differ only in case: refused naming both, as in CSV (DuckDB renamed one, read silently)', async () => {
    const file = await parquetFile(path.join(tempDir(), 'cur.parquet'), "SELECT TIMESTAMP '2026-10-03 10:00:00' AS line_item_usage_start_date, "
      + "'Usage' AS line_item_line_item_type, 'USD' AS line_item_currency_code, 5.0::DOUBLE AS line_item_unblended_cost, "
      + "MAP {'user_customer_service': 'checkout'} AS resource_tags, 7.0::DOUBLE AS QINE_ITEM_UNBLENDED_COST",
    { QINE_ITEM_UNBLENDED_COST: 'Line_Item_Unblended_Cost' });
    const res = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--quiet', '-o', 'json'], { cwd });
    expect([res.code, res.stdout]).toEqual([1, '']);
    expect(res.stderr).toBe(`customer-value: ${file} has two columns whose names differ only in letter case ("line_item_unblended_cost" and `
      + '"Line_Item_Unblended_Cost"): column names are read without regard to case, so they cannot be told apart; remove or rename one of them\n');
  });

  test('FOCUS Parquet: a row without ChargePeriodStart is named with its cost and file, as in CSV', async () => {
    const file = await focusParquet(path.join(tempDir(), 'focus.parquet'), PARQUET_ROWS);
    const res = await runCli(['cost', '--source', 'focus', file, '--from', '2026-10-03', '--to', '2026-10-04', '--quiet', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(`customer-value: warning: 1 FOCUS row of ${file} has no ChargePeriodStart (2.50 USD; e.g. in ${file}): without a date they `
      + 'belong to no period, so they are left out of this report with their cost; fix the data, or ask its provider\n');
    expect(JSON.parse(res.stdout).total).toBe(5);
  });

  test('a CSV line with too few columns: DuckDB\'s reason is kept', async () => {
    const file = path.join(tempDir(), 'cur.csv');
    fs.writeFileSync(file, 'line_item_usage_start_date,line_item_line_item_type,line_item_currency_code,line_item_unblended_cost,resource_tags\n'
      + '2026-10-03 10:00:00,Usage,USD,5,{}\n2026-10-03 10:00:00,Usage,USD\n');
    const res = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: cannot read ${file} as CUR 2.0 data: line 3: Expected Number of Columns: 5 Found: 3: fix or remove that line\n`);
  });

  test('a cost of 1e25: refused saying the range the CLI adds up', async () => {
    const file = focusCsv(path.join(tempDir(), 'focus.csv'), [{ day: '2026-10-03', cost: '1e25' }]);
    const res = await runCli(['cost', '--source', 'focus', file, ...OCTOBER, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: cannot read ${file} as FOCUS data: line 2 has 1e25 in BilledCost, outside what the CLI adds up: `
      + 'costs read from text are added up exactly as decimals of 38 digits with 18 places, which holds amounts and sums below '
      + '100,000,000,000,000,000,000 (1e20) in absolute value; check that line\n');
  });

  test.each([['cur'], ['focus']])('--source %s: a sum beyond the range: refused saying the range, not a raw "Overflow in HUGEINT addition"', async (source) => {
    const dir = tempDir();
    const file = source === 'cur'
      ? curCsv(path.join(dir, 'cur.csv'), [line('2026-10-03', 0, { user_customer_service: 'checkout' }), line('2026-10-03', 0, { user_customer_service: 'checkout' })]
        .map((r) => ({ ...r, line_item_unblended_cost: '99999999999999999999' })))
      : focusCsv(path.join(dir, 'focus.csv'), [{ day: '2026-10-03', cost: '99999999999999999999' }, { day: '2026-10-03', cost: '99999999999999999999' }]);
    const res = await runCli(['cost', '--source', source, file, ...OCTOBER, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^customer-value: cannot add up the costs of ${file}: an amount or a sum of them is larger than the CLI adds `
      + 'up exactly: costs read from text are added up exactly as decimals of 38 digits with 18 places, which holds amounts and sums below '
      + '100,000,000,000,000,000,000 \\(1e20\\) in absolute value; check the data for amounts that large \\(DuckDB: .*Overflow.*\\)\n$'));
  });
});

describe('amounts of 9e13 and more keep their cents in every format (summed and formatted as exact decimals)', () => {
  // 123456789012345.67 + 70368744177664.07 = 193825533190009.74; as floats the sum is 193825533190009.75 and
  // Math.round(n * 100) / 100 of the first is 123456789012345.69.
  const A = '123456789012345.67';
  const B = '70368744177664.07';
  const SUM = '193825533190009.74';
  const FORMATTED = '193,825,533,190,009.74';
  const SOURCES: Array<[string, () => string]> = [
    ['cur', () => curCsv(path.join(tempDir(), 'cur.csv'), [line('2026-10-03', 0, { user_customer_service: 'checkout' }), line('2026-10-04', 0, { user_customer_service: 'checkout' })]
      .map((r, i) => ({ ...r, line_item_unblended_cost: i === 0 ? A : B })))],
    ['focus', () => focusCsv(path.join(tempDir(), 'focus.csv'), [{ day: '2026-10-03', cost: A }, { day: '2026-10-04', cost: B }])],
  ];

  test.each(SOURCES)('--source %s', async (source, make) => {
    const file = make();
    const out = async (format: string) => {
      const res = await runCli(['cost', '--source', source, file, '--from', '2026-10-03', '--to', '2026-10-05', '--quiet', '-o', format, '--out', '-'], { cwd });
      expect(res.stderr).toBe('');
      return res.stdout;
    };
    const table = await out('table');
    expect(table).toContain(`total ${FORMATTED} USD`);
    expect(table).toMatch(new RegExp(`checkout .* ${FORMATTED} +100\\.0 %`));
    const json = await out('json');
    expect(json).toContain(`"total": ${SUM},`);
    expect(json).toMatch(new RegExp(`"cost": ${SUM.replace('.', '\\.')},`));
    expect(json).toContain(`"amount": ${SUM},`);
    expect(JSON.parse(json).total).toBe(Number(SUM));
    expect(await out('csv')).toContain(`,${SUM},100.0,`);
    const markdown = await out('markdown');
    expect(markdown).toContain(`- total ${FORMATTED} USD`);
    expect(markdown).toContain(`| ${FORMATTED} | 100.0 % |`);
    const html = await out('html');
    expect(html).toContain(`>${FORMATTED}<`);
    expect(html).toContain('checkout, 2026-10-03: 123,456,789,012,345.67 USD');
    expect(html).toContain('checkout, 2026-10-04: 70,368,744,177,664.07 USD');
    for (const text of [table, json, markdown, html]) {
      expect(text).not.toMatch(/193,?825,?533,?190,?009\.75|123,?456,?789,?012,?345\.69/);
    }
  });
});

describe('a cloud assembly whose manifest.json holds null where an artifact or its metadata belongs', () => {
  test.each([
    ['a null artifact', (m: any) => { m.artifacts.Shop = null; }, 'manifest.json\'s artifact "Shop" is null, not an artifact (an object with a "type")'],
    ['a null metadata list', (m: any) => { m.artifacts.Shop.metadata['/Shop/checkout'] = null; },
      'the metadata of manifest.json\'s artifact "Shop" for /Shop/checkout is null, not a list of entries'],
    ['a null metadata entry', (m: any) => { m.artifacts.Shop.metadata['/Shop/checkout'] = [null]; },
      'the metadata of manifest.json\'s artifact "Shop" for /Shop/checkout holds null, not an entry (an object with a "type")'],
  ])('%s: one line naming it, exit 1', async (_, change, what) => {
    const dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT] }]);
    const file = path.join(dir, 'cdk.out', 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    change(manifest);
    fs.writeFileSync(file, JSON.stringify(manifest));
    const res = await runCli(['services'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: cannot read the cloud assembly in "${path.join(dir, 'cdk.out')}": ${what}; run "cdk synth" again\n`);
  });
});

describe('rows without a date are reported with their cost, never dropped silently', () => {
  test('CUR 2.0 CSV: a line item with an empty line_item_usage_start_date', async () => {
    const file = curCsv(path.join(tempDir(), 'cur.csv'), [
      line('2026-10-03', 5, { user_customer_service: 'checkout' }),
      { ...line('2026-10-03', 2.5, { user_customer_service: 'checkout' }), line_item_usage_start_date: '' },
      { ...line('2026-10-03', 1.25, {}), line_item_usage_start_date: '' },
    ]);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-03', '--to', '2026-10-04', '--quiet', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    const warning = `2 line items of ${file} have no line_item_usage_start_date (3.75 USD; e.g. in ${file}): without a date they belong to no `
      + 'period, so they are left out of this report with their cost; fix the data, or ask its provider';
    expect(res.stderr).toBe(`customer-value: warning: ${warning}\n`);
    const data = JSON.parse(res.stdout);
    expect(data.total).toBe(5);
    expect(data.notes).toContain(warning);
  });

  test('CUR 2.0 Parquet: a NULL line_item_usage_start_date', async () => {
    const dir = tempDir();
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const row = (day: string, amount: string) => `SELECT ${day} AS line_item_usage_start_date, 'Usage' AS line_item_line_item_type, `
      + `'USD' AS line_item_currency_code, ${amount}::DOUBLE AS line_item_unblended_cost, MAP {'user_customer_service': 'checkout'} AS resource_tags`;
    await db.run(`COPY (${row("TIMESTAMP '2026-10-03 10:00:00'", '3')} UNION ALL ${row('NULL::TIMESTAMP', '4')}) TO '${path.join(dir, 'a.parquet')}' (FORMAT parquet)`);
    db.closeSync();
    instance.closeSync();
    const res = await runCli(['cost', '--source', 'cur', dir, '--from', '2026-10-03', '--to', '2026-10-04', '--quiet', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^customer-value: warning: 1 line item of .* has no line_item_usage_start_date \(4\.00 USD; e\.g\. in .*a\.parquet\)/);
    expect(JSON.parse(res.stdout).total).toBe(3);
  });

  test('FOCUS: a row with an empty ChargePeriodStart', async () => {
    const file = path.join(tempDir(), 'focus.csv');
    focusCsv(file, [{ day: '2026-10-03', cost: '5' }, { day: '2026-10-03', cost: '7.5' }]);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\n([^\n]*)2026-10-03T00:00:00Z([^\n]*\n)$/, '\n$1$2'));
    const res = await runCli(['cost', '--source', 'focus', file, '--from', '2026-10-03', '--to', '2026-10-04', '--quiet', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(`customer-value: warning: 1 FOCUS row of ${file} has no ChargePeriodStart (7.50 USD; e.g. in ${file}): without a date they `
      + 'belong to no period, so they are left out of this report with their cost; fix the data, or ask its provider\n');
    expect(JSON.parse(res.stdout).total).toBe(5);
  });

  test('a period with no dated data says so, and names the undated rows', async () => {
    const file = curCsv(path.join(tempDir(), 'cur.csv'), [{ ...line('2026-10-03', 2.5, {}), line_item_usage_start_date: '' }]);
    const res = await runCli(['cost', '--source', 'cur', file, ...OCTOBER, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/: the files hold no line items with a date; 1 line item of .* has no line_item_usage_start_date \(2\.50 USD;/);
  });
});

test('review --out-dir where Node\'s recursive mkdir never returns (/proc/1/x/y): one line, exit 1', async () => {
  const dir = tempDir();
  buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT] }]);
  curCsv(path.join(dir, 'cur.csv'), [line('2026-10-03', 5, { user_customer_service: 'checkout', user_business_unit: 'retail' })]);
  const res = await runCli(['review', '--source', 'cur', 'cur.csv', ...OCTOBER, '--quiet', '--out-dir', '/proc/1/x/y'], { cwd: dir });
  expect(res.code).toBe(1);
  expect(withoutMissingDays(res.stderr)).toBe('customer-value: cannot create the folder /proc/1/x/y (--out-dir): ENOENT: no such file or folder; give another folder\n');
});
