import * as fs from 'fs';
import * as path from 'path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAssembly, CHECKOUT, curCsv, line, record, runCli, SEARCH, WISHLIST } from './fixtures';
import { DATA_PLATFORM, NETWORK } from './value-chain-fixtures';
import { tempDir } from '../util';

/** The committed sample export (scripts/generate-cur.ts) and its known totals. */
const SAMPLE = path.join(__dirname, '..', '..', 'examples', 'data', 'cur2', 'customer-value-cur');
const TOTALS = JSON.parse(fs.readFileSync(`${SAMPLE}-totals.json`, 'utf8'));

function expectOneLine(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
  // The sample's services: checkout, wishlist declared; search and reports are not.
  buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
});

describe('customer-value cost --source cur (real DuckDB over the committed sample)', () => {
  test('totals per service match the generator\'s known totals; unit cost is not read without --usage', async () => {
    // WHEN
    const res = await runCli(['cost', '--source', 'cur', SAMPLE, '--from', TOTALS.from, '--to', TOTALS.to, '--output', 'json'], { cwd });

    // THEN
    expect(res.stderr).toMatch(/^customer-value: reading 2 Parquet files/);
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.total).toBeCloseTo(TOTALS.unblended.total, 4);
    expect(data.untagged.amount).toBeCloseTo(TOTALS.unblended.untagged, 4);
    const byService = Object.fromEntries(data.rows.map((r: any) => [r.group, r.cost]));
    for (const [service, amount] of Object.entries(TOTALS.unblended.byService)) {
      expect(byService[service]).toBeCloseTo(amount as number, 4);
    }
    expect(data.rows.find((r: any) => r.group === 'checkout').unitCost).toEqual({
      notAvailable: 'the source is CUR files; add --usage to read usage from CloudWatch',
    });
    expect(data.undeclaredTagValues.map((u: any) => u.value).sort()).toEqual(['data-platform', 'private-network', 'product-search', 'reports']);
    // the tagged share covers resource spend: tax, credits and refunds (never tagged) are left out, as in the
    // untagged-share named query; the untagged row keeps them
    const t = TOTALS.unblended;
    const resource = t.total - t.tax - t.credit;
    const untaggedResource = t.untagged - t.tax - t.credit;
    expect(data.tagged.basis).toBe('resource-spend');
    expect(data.tagged.amount).toBeCloseTo(resource - untaggedResource, 4);
    expect(data.tagged.share).toBeCloseTo((resource - untaggedResource) / resource, 4);
    expect(data.notes).toContainEqual(expect.stringMatching(/^totals include tax \(8\.03 USD\) and credits\/refunds \(-35\.19 USD\), which belong to no resource/));
  });

  test('--by business-unit', async () => {
    const res = await runCli(['cost', '--source', 'cur', SAMPLE, '--from', TOTALS.from, '--to', TOTALS.to, '--by', 'business-unit',
      '--output', 'json', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const byUnit = Object.fromEntries(JSON.parse(res.stdout).rows.map((r: any) => [r.group, r.cost]));
    for (const [unit, amount] of Object.entries(TOTALS.unblended.byBusinessUnit)) {
      expect(byUnit[unit]).toBeCloseTo(amount as number, 4);
    }
  });

  test('--usage reads usage from CloudWatch for unit cost', async () => {
    const cw = mockClient(CloudWatchClient);
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 's0', Values: [500_000, 588_000] }, { Id: 's1', Values: [] }] });
    try {
      const res = await runCli(['cost', '--source', 'cur', SAMPLE, '--from', TOTALS.from, '--to', TOTALS.to, '--usage', '--output', 'json', '--quiet'],
        { cwd });
      expect(res.code).toBe(0);
      const checkout = JSON.parse(res.stdout).rows.find((r: any) => r.group === 'checkout');
      expect(checkout.unitCost.units).toBe(1_088_000);
      expect(checkout.unitCost.amount).toBeCloseTo((TOTALS.unblended.byService.checkout / 1_088_000) * 1000, 6);
    } finally {
      cw.restore();
    }
  });
});

describe('customer-value cost --source cur --allocate over the committed sample (the online shop\'s value chain)', () => {
  test('fully-loaded cost per service as the declared chain gives it, conserved to the cent', async () => {
    // GIVEN the value chain of examples/online-shop.ts: checkout consumes private-network and data-platform,
    // product-search consumes data-platform, data-platform consumes private-network and gives 60 % to checkout, 40 %
    // to product-search; the network shares in proportion to its consumers' direct cost
    const dir = tempDir();
    const data = { ...DATA_PLATFORM, costAllocation: { method: 'fixed' as const, percentages: { 'checkout': 60, 'product-search': 40 } } };
    const search = { ...SEARCH, serviceName: 'product-search', tags: { ...SEARCH.tags, 'customer-service': 'product-search' }, consumes: ['data-platform'] };
    const network = NETWORK;
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [network, data, { ...CHECKOUT, consumes: ['private-network', 'data-platform'] }, search, WISHLIST] }]);

    // WHEN
    const res = await runCli(['cost', '--source', 'cur', SAMPLE, '--from', TOTALS.from, '--to', TOTALS.to, '--allocate', '-o', 'json', '-q'], { cwd: dir });

    // THEN
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const data2 = JSON.parse(res.stdout);
    const direct = TOTALS.unblended.byService;
    const toCheckout = direct.checkout / (direct.checkout + direct['data-platform']);
    const networkToData = direct['private-network'] * (1 - toCheckout);
    const dataOut = direct['data-platform'] + networkToData;
    const loaded = Object.fromEntries(data2.rows.map((r: any) => [r.group, r.cost]));
    expect(loaded.checkout).toBeCloseTo(direct.checkout + direct['private-network'] * toCheckout + dataOut * 0.6, 4);
    expect(loaded['product-search']).toBeCloseTo(direct['product-search'] + dataOut * 0.4, 4);
    expect(loaded.wishlist).toBeCloseTo(direct.wishlist, 4);
    expect(loaded['private-network']).toBeCloseTo(0, 6);
    expect(loaded['data-platform']).toBeCloseTo(0, 6);
    expect(loaded.reports).toBeCloseTo(direct.reports, 4);
    expect(loaded['']).toBeCloseTo(TOTALS.unblended.untagged, 4);
    const sum = data2.rows.reduce((s: number, r: any) => s + r.cost, 0) + data2.allocation.unallocated;
    expect(Math.abs(sum - TOTALS.unblended.total)).toBeLessThan(0.005);
    expect(data2.total).toBeCloseTo(TOTALS.unblended.total, 4);
  });
});

describe('customer-value cost --source cur: bad input gives one line and exit code 1', () => {
  test('missing file', async () => {
    const res = await runCli(['cost', '--source', 'cur', 'no-such-export.parquet', '--from', '2026-10-01', '--to', '2026-11-01'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: .*no-such-export\.parquet/);
  });

  test('a file that is not Parquet', async () => {
    const file = path.join(tempDir(), 'broken.parquet');
    fs.writeFileSync(file, 'this is not parquet');
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: .*broken\.parquet/);
  });

  test('wrong columns (not a CUR 2.0 export)', async () => {
    const file = curCsv(path.join(tempDir(), 'other.csv'), [{ date: '2026-10-01', cost: 1 }], ['date', 'cost']);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: .*missing column/);
  });

  test('an export without the tag column (the keys were never activated)', async () => {
    const cols = ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost'];
    const file = curCsv(path.join(tempDir(), 'untagged.csv'), [line('2026-10-01', 1, {})], cols);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: .*resource_tags/);
  });

  test('empty period', async () => {
    const file = curCsv(path.join(tempDir(), 'october.csv'), [line('2026-10-03', 5, { user_customer_service: 'checkout' })]);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-12-01', '--to', '2027-01-01', '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: no CUR line items between 2026-12-01 and 2027-01-01 .*covers 2026-10-03/);
  });

  test('mixed currencies', async () => {
    const file = curCsv(path.join(tempDir(), 'mixed.csv'), [
      line('2026-10-03', 5, { user_customer_service: 'checkout' }),
      line('2026-10-04', 7, { user_customer_service: 'wishlist' }, 'EUR'),
    ]);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: .*currenc.*EUR.*USD|^customer-value: .*currenc.*USD.*EUR/);
  });

  test('a small hand-written export reads back exactly', async () => {
    const file = curCsv(path.join(tempDir(), 'small.csv'), [
      line('2026-10-03', 5, { user_customer_service: 'checkout', user_team: 'payments' }),
      line('2026-10-04', 2.25, { user_customer_service: 'checkout', user_team: 'payments' }),
      line('2026-10-04', 1, {}),
    ]);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '--quiet', '--output', 'json'], { cwd });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.total).toBe(8.25);
    expect(data.rows.map((r: any) => [r.label, r.cost])).toEqual([['checkout', 7.25], ['(no customer-service tag)', 1]]);
    expect(data.declaredWithoutCost).toEqual(['wishlist']);
  });

  test('tag keys renamed in the app are used for the query', async () => {
    const custom = record({
      serviceName: 'ledger',
      customerNeed: 'Accountants post entries that balance',
      customer: { kind: 'internal', name: 'Accounting' },
      team: 'books',
      businessUnit: 'finance',
      stackName: 'Ledger',
    });
    const keys = { ...custom.tagKeys, service: 'cv:service' };
    const dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Ledger', services: [{ ...custom, tagKeys: keys, tags: { ...custom.tags, 'cv:service': 'ledger' } }] }]);
    const file = curCsv(path.join(dir, 'ledger.csv'), [line('2026-10-03', 4, { user_cv_service: 'ledger' })]);
    const res = await runCli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '--quiet', '--output', 'json'], { cwd: dir });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.tagKey).toBe('cv:service');
    expect(data.rows[0]).toMatchObject({ label: 'ledger', status: 'declared', cost: 4 });
  });
});
