import * as fs from 'fs';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildAssembly, CHECKOUT, curCsv, line, runCli, WISHLIST } from './fixtures';
import { tempDir } from '../util';

/*
 * CUR 2.0 data that would give wrong totals with exit 0 (issue 13, items 4, 5 and 6), through the CLI with real
 * DuckDB on real files. Export layout (aws-cost-facts §6, Data Exports manifest reference): data in
 * <export>/data/BILLING_PERIOD=YYYY-MM/, a manifest per billing period in <export>/metadata/BILLING_PERIOD=YYYY-MM/
 * whose `dataFiles` lists the S3 URIs of the delivered files; identity_line_item_id identifies a line item.
 */

jest.setTimeout(60_000);

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
  buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
});

const OCTOBER = ['--from', '2026-10-01', '--to', '2026-11-01'];

async function cost(target: string, extra: string[] = []) {
  return runCli(['cost', '--source', 'cur', target, ...OCTOBER, '--quiet', '--output', 'json', ...extra], { cwd });
}

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

const CHECKOUT_TAGS = { user_customer_service: 'checkout', user_team: 'payments' };
const WISHLIST_TAGS = { user_customer_service: 'wishlist', user_team: 'discovery' };

/** A CUR CSV with identity columns (as an export writes them). */
function identified(file: string, rows: Array<{ id: string; day: string; amount: number | string; tags: Record<string, string> }>): string {
  return curCsv(file, rows.map((r) => ({
    ...line(r.day, 0, r.tags),
    line_item_unblended_cost: r.amount,
    identity_line_item_id: r.id,
    identity_time_interval: `${r.day}T00:00:00Z/${r.day}T23:59:59Z`,
  })), ['identity_line_item_id', 'identity_time_interval',
    'line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags']);
}

/** An export folder: data files per billing period and, when `manifest` lists them, a Data Exports manifest. */
function exportFolder(root: string, period: string, files: Record<string, string>, manifest?: string[]): string {
  const data = path.join(root, 'cv-export', 'data', `BILLING_PERIOD=${period}`);
  fs.mkdirSync(data, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(data, name), content);
  }
  if (manifest) {
    const meta = path.join(root, 'cv-export', 'metadata', `BILLING_PERIOD=${period}`);
    fs.mkdirSync(meta, { recursive: true });
    fs.writeFileSync(path.join(meta, 'cv-export-Manifest.json'), JSON.stringify({
      executionId: 'e-1',
      exportArn: 'arn:aws:bcm-data-exports:us-east-1:111111111111:export/cv-export-1',
      dataFiles: manifest.map((f) => `s3://billing-bucket/cur/cv-export/data/BILLING_PERIOD=${period}/${f}`),
    }));
  }
  return path.join(root, 'cv-export');
}

function csvText(rows: Array<Record<string, string | number>>): string {
  const file = path.join(tempDir(), 'x.csv');
  curCsv(file, rows);
  return fs.readFileSync(file, 'utf8');
}

describe('item 4: amounts that are not numbers are refused, naming the file, the day and the group', () => {
  test('NaN in a CSV export', async () => {
    const file = curCsv(path.join(tempDir(), 'nan.csv'), [
      line('2026-10-03', 5, CHECKOUT_TAGS),
      { ...line('2026-10-04', 0, WISHLIST_TAGS), line_item_unblended_cost: 'NaN' },
    ]);
    const res = await cost(file, ['--by', 'team']);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    // Issue 21: CSV costs are read as exact decimals, so NaN is refused where it is read, naming its line (it was
    // found after the sum before, naming its day and group).
    expect(res.stderr).toBe(`customer-value: cannot read ${file} as CUR 2.0 data: line 3 has "NaN" in line_item_unblended_cost, which is `
      + 'not a number: fix or remove that line\n');
    expect(res.stdout).toBe('');
  });

  test('Infinity in one Parquet file of a folder: the message names that file', async () => {
    const dir = tempDir();
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const row = (day: string, amount: string, service: string) => `SELECT TIMESTAMP '${day} 10:00:00' AS line_item_usage_start_date, 'Usage' AS line_item_line_item_type, `
      + `'USD' AS line_item_currency_code, ${amount}::DOUBLE AS line_item_unblended_cost, MAP {'user_customer_service': '${service}'} AS resource_tags`;
    await db.run(`COPY (${row('2026-10-02', '3', 'checkout')}) TO '${path.join(dir, 'a.parquet')}' (FORMAT parquet)`);
    await db.run(`COPY (${row('2026-10-05', "'inf'", 'checkout')}) TO '${path.join(dir, 'b.parquet')}' (FORMAT parquet)`);
    db.closeSync();
    instance.closeSync();
    const res = await cost(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: ${path.join(dir, 'b.parquet')} holds a cost that is not a number (Infinity) on 2026-10-05 for `
      + 'customer-service "checkout": refusing to add it up; fix or remove those line items\n');
  });

  test('text that is not a number in a CSV cost column: one line naming the file', async () => {
    const file = curCsv(path.join(tempDir(), 'text.csv'), [{ ...line('2026-10-04', 0, CHECKOUT_TAGS), line_item_unblended_cost: 'abc' }]);
    const res = await cost(file);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toBe(`customer-value: cannot read ${file} as CUR 2.0 data: line 2 has "abc" in line_item_unblended_cost, which is not `
      + 'a number: fix or remove that line\n');
  });

  test('an empty currency is named as such, not as a mix of currencies', async () => {
    const file = curCsv(path.join(tempDir(), 'nocurrency.csv'), [line('2026-10-03', 5, CHECKOUT_TAGS), line('2026-10-04', 2, CHECKOUT_TAGS, '')]);
    const res = await cost(file);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: ${file} holds line items without a currency (line_item_currency_code is empty) on 2026-10-04: `
      + 'amounts without a currency cannot be added up; check the export\n');
  });
});

describe('item 5: what the export holds, read exactly once', () => {
  test('data files that are symbolic links are read (a file and a folder)', async () => {
    const root = tempDir();
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, 'wishlist.csv'), csvText([line('2026-10-04', 7, WISHLIST_TAGS)]));
    fs.mkdirSync(path.join(elsewhere, 'more'));
    fs.writeFileSync(path.join(elsewhere, 'more', 'checkout.csv'), csvText([line('2026-10-05', 1.5, CHECKOUT_TAGS)]));
    const data = path.join(root, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'checkout.csv'), csvText([line('2026-10-03', 5, CHECKOUT_TAGS)]));
    fs.symlinkSync(path.join(elsewhere, 'wishlist.csv'), path.join(data, 'linked.csv'));
    fs.symlinkSync(path.join(elsewhere, 'more'), path.join(data, 'linked-folder'));
    const res = await cost(data);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).total).toBe(13.5);
  });

  test('a link and its target in the same folder are one file', async () => {
    const data = tempDir();
    fs.writeFileSync(path.join(data, 'checkout.csv'), csvText([line('2026-10-03', 5, CHECKOUT_TAGS)]));
    fs.symlinkSync(path.join(data, 'checkout.csv'), path.join(data, 'alias.csv'));
    const res = await runCli(['cost', '--source', 'cur', data, ...OCTOBER, '--output', 'json', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).total).toBe(5);
    expect(res.stderr).toContain(`warning: ${path.join(data, 'checkout.csv')} and ${path.join(data, 'alias.csv')} are the same file`);
  });

  test('with a manifest, only the files it lists are read; another data file is left out with a warning, once', async () => {
    // GIVEN an export whose manifest lists one file, and a copy of it that the manifest does not list
    const text = csvText([line('2026-10-03', 5, CHECKOUT_TAGS), line('2026-10-04', 7, WISHLIST_TAGS)]);
    const exp = exportFolder(tempDir(), '2026-10', { 'cv-export-00001.csv': text, 'cv-export-00001 (copy).csv': text }, ['cv-export-00001.csv']);

    // WHEN
    const res = await runCli(['cost', '--source', 'cur', exp, ...OCTOBER, '--output', 'json'], { cwd });

    // THEN the total counts the listed file once
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.total).toBe(12);
    const warning = `customer-value: warning: 1 data file in ${path.join(exp, 'data', 'BILLING_PERIOD=2026-10')} is not listed in the export `
      + 'manifest cv-export-Manifest.json and was left out (cv-export-00001 (copy).csv): a copy, or a file of an earlier delivery? Remove it, '
      + 'or the manifest to read every file\n';
    expect(res.stderr.split(warning)).toHaveLength(2);
    expect(data.notes[0]).toBe(warning.replace(/^customer-value: warning: /, '').trimEnd());
  });

  test('the data folder of an export given directly still uses the manifest beside it', async () => {
    const text = csvText([line('2026-10-03', 5, CHECKOUT_TAGS)]);
    const exp = exportFolder(tempDir(), '2026-10', { 'a.csv': text, 'b.csv': text }, ['a.csv']);
    const res = await cost(path.join(exp, 'data'));
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).total).toBe(5);
  });

  test('a manifest listing a file that is not there: the copy is incomplete, exit 1', async () => {
    const exp = exportFolder(tempDir(), '2026-10', { 'a.csv': csvText([line('2026-10-03', 5, CHECKOUT_TAGS)]) }, ['a.csv', 'b.csv']);
    const res = await cost(exp);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^customer-value: the export manifest .*cv-export-Manifest\.json lists 1 data file that is not there \(b\.csv\): the copy of the export is incomplete; download it again\n$/);
  });

  test('duplicate identity_line_item_ids (a copied file, no manifest): refused, naming an id and the files', async () => {
    const dir = tempDir();
    const rows = [{ id: 'li-1', day: '2026-10-03', amount: 5, tags: CHECKOUT_TAGS }, { id: 'li-2', day: '2026-10-04', amount: 7, tags: WISHLIST_TAGS }];
    identified(path.join(dir, 'part-1.csv'), rows);
    identified(path.join(dir, 'part-1-copy.csv'), rows);
    const res = await cost(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: ${dir} holds 2 line items more than once (e.g. identity_line_item_id li-1, 2 times, in `
      + `${path.join(dir, 'part-1-copy.csv')}, ${path.join(dir, 'part-1.csv')}): their cost would be counted twice; remove the copied files, `
      + 'or pass one delivery of each billing period\n');
    // distinct ids read normally
    const ok = tempDir();
    identified(path.join(ok, 'part-1.csv'), rows);
    expect((await cost(ok)).code).toBe(0);
  });

  test('CSV timestamps with a UTC offset count in the UTC day they fall on', async () => {
    // 2026-10-31T23:30-02:00 is 2026-11-01 01:30 UTC (November); 2026-11-01T00:30+02:00 is 2026-10-31 22:30 UTC (October)
    const file = curCsv(path.join(tempDir(), 'offsets.csv'), [
      { ...line('2026-10-15', 1, CHECKOUT_TAGS), line_item_usage_start_date: '2026-10-31T23:30:00-02:00' },
      { ...line('2026-10-15', 10, CHECKOUT_TAGS), line_item_usage_start_date: '2026-11-01T00:30:00+02:00' },
    ]);
    const res = await cost(file);
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.total).toBe(10);
  });

  test('a period wider than the data says which days have no data (summary and stderr)', async () => {
    const file = curCsv(path.join(tempDir(), 'short.csv'), [line('2026-10-03', 5, CHECKOUT_TAGS), line('2026-10-04', 2, CHECKOUT_TAGS)]);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-10-08', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    const gap = 'no cost data for 5 of 7 days: 2026-10-01 to 2026-10-02, 2026-10-05 to 2026-10-07 (the source holds no line item for them)';
    expect(res.stderr).toBe(`customer-value: warning: ${gap}\n`);
    expect(res.stdout.split('\n').slice(2, 4)).toEqual([
      'period 2026-10-01 to 2026-10-07 (7 days), unblended cost, grouped by service (tag "customer-service"), source: CUR 2.0 files (1 CSV file)',
      gap,
    ]);
  });
});

describe('item 6: a tag key in another letter case is named', () => {
  test('USER_CUSTOMER_SERVICE instead of user_customer_service', async () => {
    const file = curCsv(path.join(tempDir(), 'upper.csv'), [line('2026-10-03', 5, { USER_CUSTOMER_SERVICE: 'checkout', user_environment: 'prod' })]);
    const res = await cost(file);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: no line item in ${file} carries user_customer_service (tag "customer-service") in resource_tags `
      + '(found: USER_CUSTOMER_SERVICE, user_environment): the data has USER_CUSTOMER_SERVICE, which differs from user_customer_service only '
      + 'in letter case, and keys are compared exactly: rename the key in the data to user_customer_service (or tag the resources with the '
      + 'key the app declares)\n');
    expect(res.stderr).not.toContain('no user tag keys at all');
  });

  test('the service key in another case while grouping by team: a note names it', async () => {
    const file = curCsv(path.join(tempDir(), 'upper-service.csv'), [line('2026-10-03', 5, { User_Customer_Service: 'checkout', user_team: 'payments' })]);
    const res = await cost(file, ['--by', 'team']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).notes).toContain('no line item between 2026-10-01 and 2026-11-01 carries the "customer-service" tag '
      + '(user_customer_service): the data has User_Customer_Service, which differs from user_customer_service only in letter case, and keys '
      + 'are compared exactly: rename the key in the data to user_customer_service (or tag the resources with the key the app declares)');
  });
});

describe('item 10: unclear messages made clear', () => {
  test('a path that is too long is named as such (ENAMETOOLONG), not "does not exist"', async () => {
    const long = path.join(tempDir(), `${'x'.repeat(300)}.parquet`);
    const res = await cost(long);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`customer-value: cannot read ${long}: the path is too long (ENAMETOOLONG)\n`);
  });
});
