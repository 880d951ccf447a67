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
  // GIVEN the value chain of examples/online-shop.ts: checkout consumes private-network and data-platform,
  // product-search consumes data-platform, data-platform consumes private-network and gives 60 % to checkout, 40 %
  // to product-search; the network shares in proportion to its consumers' direct cost, month by month
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    const data = { ...DATA_PLATFORM, costAllocation: { method: 'fixed' as const, percentages: { 'checkout': 60, 'product-search': 40 } } };
    const search = { ...SEARCH, serviceName: 'product-search', tags: { ...SEARCH.tags, 'customer-service': 'product-search' }, consumes: ['data-platform'] };
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [NETWORK, data, { ...CHECKOUT, consumes: ['private-network', 'data-platform'] }, search, WISHLIST] }]);
  });

  /** Fully-loaded cost of a month, worked out from the generator's own totals of that month (not from the CLI). */
  function expectedMonth(month: string): Record<string, number> {
    const direct = TOTALS.byBillingPeriod[month].unblended.byService;
    const toCheckout = direct.checkout / (direct.checkout + direct['data-platform']);
    const dataOut = direct['data-platform'] + direct['private-network'] * (1 - toCheckout);
    return {
      'checkout': direct.checkout + direct['private-network'] * toCheckout + dataOut * 0.6,
      'product-search': direct['product-search'] + dataOut * 0.4,
      'wishlist': direct.wishlist,
      'reports': direct.reports,
      'private-network': 0,
      'data-platform': 0,
      '': direct[''],
    };
  }

  async function allocated(from: string, to: string): Promise<any> {
    const res = await runCli(['cost', '--source', 'cur', SAMPLE, '--from', from, '--to', to, '--allocate', '-o', 'json', '-q'], { cwd: dir });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    return JSON.parse(res.stdout);
  }
  const loadedOf = (data: any): Record<string, number> => Object.fromEntries(data.rows.map((r: any) => [r.group, r.cost]));

  test('each month by its own shares: two months = the sum of two one-month runs = the review pack\'s columns, to the cent', async () => {
    // WHEN
    const period = await allocated(TOTALS.from, TOTALS.to);
    const october = await allocated('2026-10-01', '2026-11-01');
    const november = await allocated('2026-11-01', '2026-12-01');
    const review = await runCli(['review', '--source', 'cur', SAMPLE, '--from', '2026-10-01', '--to', '2026-12-01', '--allocate', '-o', 'json', '-q'],
      { cwd: dir, now: new Date('2026-12-05T00:00:00Z') });

    // THEN every figure is worked out from the generator's totals of each month
    expect(TOTALS.billingPeriods).toEqual(['2026-10', '2026-11']);
    const [oct, nov] = [expectedMonth('2026-10'), expectedMonth('2026-11')];
    for (const [service, amount] of Object.entries(oct)) {
      expect(loadedOf(october)[service]).toBeCloseTo(amount, 2);
      expect(loadedOf(november)[service]).toBeCloseTo(nov[service], 2);
      expect(loadedOf(period)[service]).toBeCloseTo(amount + nov[service], 2);
      // the period's row carries its months
      expect(period.rows.find((r: any) => r.group === service).months).toMatchObject({
        '2026-10': { fullyLoaded: expect.closeTo(amount, 2) }, '2026-11': { fullyLoaded: expect.closeTo(nov[service], 2) },
      });
    }
    // the proportions change between the months, so the split of the whole period would give other figures
    const direct = (m: string, s: string) => TOTALS.byBillingPeriod[m].unblended.byService[s];
    expect(Math.abs(direct('2026-10', 'checkout') / direct('2026-10', 'data-platform') - direct('2026-11', 'checkout') / direct('2026-11', 'data-platform')))
      .toBeGreaterThan(0.01);
    // conserved to the cent
    const sum = period.rows.reduce((s: number, r: any) => s + r.cost, 0) + period.allocation.unallocated;
    expect(Math.abs(sum - TOTALS.unblended.total)).toBeLessThan(0.005);
    expect(period.total).toBeCloseTo(TOTALS.unblended.total, 4);
    // the review pack's fully-loaded columns are the same months
    expect(review.code).toBe(0);
    const services = JSON.parse(review.stdout).businessUnits.flatMap((u: any) => u.services);
    for (const s of services) {
      expect(s.fullyLoaded).toEqual([expect.closeTo(oct[s.serviceName], 2), expect.closeTo(nov[s.serviceName], 2)]);
    }
    expect(services.map((s: any) => s.serviceName).sort()).toEqual(['checkout', 'data-platform', 'private-network', 'product-search', 'wishlist']);
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
