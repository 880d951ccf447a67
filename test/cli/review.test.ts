import * as fs from 'fs';
import * as path from 'path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAssembly, CHECKOUT, record, REPORTS, runCli, SEARCH, WISHLIST } from './fixtures';
import { generateReviewSample, ReviewSample } from '../../scripts/review-sample';
import { provisionalNote as scheduledProvisionalNote } from '../../src/billing/value-review-reports.lambda';
import { trendMonths } from '../../src/cost-data/review/review-run';
import { tempDir } from '../util';

/*
 * customer-value review over real data: a 7-month CUR 2.0 sample generated with trends (scripts/review-sample.ts),
 * read through DuckDB and checked against a direct DuckDB query of the same files; Cost Explorer through
 * aws-sdk-client-mock (one MONTHLY request per page for the whole trend); the files it writes.
 */

jest.setTimeout(120_000);

const NOW = new Date('2026-12-03T09:00:00Z');
const RETURNS = record({
  serviceName: 'returns',
  customerNeed: 'Shoppers send back what does not fit and get refunded',
  customer: { kind: 'external', name: 'Online shoppers' },
  team: 'payments',
  businessUnit: 'retail',
  review: { status: 'ok', next: '2027-04-18', last: '2026-10-20', outcome: 'retire', note: 'Moved to the marketplace partner' },
  reporting: { enabled: true, budget: 100 },
  stackName: 'Shop',
});

let sample: ReviewSample;
let cwd: string;

beforeAll(async () => {
  cwd = tempDir('cv-review-');
  sample = await generateReviewSample({ out: path.join(cwd, 'data'), end: '2026-11', months: 7, threads: 1 });
  buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST, RETURNS] }, { id: 'Search', services: [{ ...SEARCH, serviceName: 'product-search', tags: { ...SEARCH.tags, 'customer-service': 'product-search' } }] }, { id: 'Reports', services: [REPORTS] }]);
});

const cur = () => ['--source', 'cur', path.relative(cwd, sample.exportDir)];

test('a review made before the 15th marks its last month provisional, as the scheduled packs do; from the 15th it is final', async () => {
  const args = ['review', ...cur(), '--output', 'json', '--quiet', '--no-usage', '--from', '2026-10-01', '--to', '2026-12-01'];
  const early = await runCli(args, { cwd, now: new Date('2026-12-14T23:59:59Z') });
  expect(early.code).toBe(0);
  expect(JSON.parse(early.stdout).notes).toEqual(expect.arrayContaining([
    expect.stringMatching(/^2026-11 is provisional: AWS can update .* until 2026-12-15 \(review again then for final figures\)$/),
  ]));
  const final = await runCli(args, { cwd, now: new Date('2026-12-15T00:00:00Z') });
  expect(final.code).toBe(0);
  expect(JSON.parse(final.stdout).notes.filter((n: string) => n.includes('provisional'))).toEqual([]);
});

test('for the same dates, the CLI\'s review and the scheduled packs agree on whether the last month is provisional, and until when', async () => {
  // one rule (src/cost-data/review/provisional.ts): each says what to do in its own words, the month and the date agree
  const args = ['review', ...cur(), '--output', 'json', '--quiet', '--no-usage', '--months', '2'];
  for (const day of ['2026-12-01T00:00:00Z', '2026-12-14T23:59:59Z', '2026-12-15T00:00:00Z', '2027-01-14T12:00:00Z']) {
    const now = new Date(day);
    const res = await runCli(args, { cwd, now });
    expect([day, res.code]).toEqual([day, 0]);
    const cliNote = (JSON.parse(res.stdout).notes as string[]).find((n) => n.includes('is provisional'));
    const months = trendMonths(now, 2);
    const packNote = scheduledProvisionalNote(months[months.length - 1], now);
    const gist = (n: string | undefined) => n?.replace(/ \([^()]*\)$/, '');
    expect([day, gist(cliNote)]).toEqual([day, gist(packNote)]);
    expect([day, packNote === undefined]).toEqual([day, day >= '2026-12-15' && day < '2027-01']);
  }
});

test('the monthly trend per service equals a direct DuckDB query of the same files; months ending with the last full month', async () => {
  // WHEN
  const res = await runCli(['review', ...cur(), '--output', 'json', '--quiet', '--usage-file', path.relative(cwd, sample.usageFile)], { cwd, now: NOW });
  // THEN
  expect(res.code).toBe(0);
  const data = JSON.parse(res.stdout);
  expect(data.months).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
  expect(data.businessUnits.map((u: any) => u.businessUnit)).toEqual(['finance', 'retail', 'technology']);

  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const reader = await db.runAndReadAll(`SELECT resource_tags['user_customer_service'] AS service,
      strftime(line_item_usage_start_date, '%Y-%m') AS month, CAST(SUM(line_item_unblended_cost) AS DOUBLE) AS cost
    FROM read_parquet('${sample.exportDir}/data/*/*.parquet')
    WHERE line_item_usage_start_date >= TIMESTAMP '2026-06-01' AND line_item_usage_start_date < TIMESTAMP '2026-12-01'
    GROUP BY ALL`);
  const direct = new Map<string, number>();
  for (const r of reader.getRowObjectsJson() as Array<Record<string, any>>) {
    direct.set(`${r.service ?? ''} ${r.month}`, Number(r.cost));
  }
  db.closeSync();
  const retail = data.businessUnits.find((u: any) => u.businessUnit === 'retail');
  for (const s of retail.services.filter((x: any) => x.serviceName !== 'returns')) {
    expect(s.cost).toEqual(data.months.map((m: string) => expect.closeTo(direct.get(`${s.serviceName} ${m}`) ?? 0, 5)));
  }
  // and the generator's own totals agree
  expect(retail.services.find((s: any) => s.serviceName === 'product-search').cost[5]).toBeCloseTo(sample.totals.byBillingPeriod['2026-11'].unblended.byService['product-search'], 5);
  // no cost at all is a series of zeros, not an absent series
  expect(retail.services.find((s: any) => s.serviceName === 'returns').cost).toEqual([0, 0, 0, 0, 0, 0]);
  // services by urgency: wishlist (due 2026-12-01) and product-search (due 2026-11-01) are overdue on 2026-12-03
  expect(retail.services.map((s: any) => [s.serviceName, s.review.status])).toEqual([
    ['product-search', 'overdue'], ['wishlist', 'overdue'], ['checkout', 'ok'], ['returns', 'ok'],
  ]);
  expect(retail.services.find((s: any) => s.serviceName === 'returns').review).toMatchObject({ outcome: 'retire', note: 'Moved to the marketplace partner' });
  // the sample's trends come out as flags (the fixture's checkout has a 500 USD budget); product-search declares no
  // usage metric, but the usage file counts its units: its unit cost is known, and rises (issue 20: the file is used)
  expect(retail.flags.map((f: any) => `${f.rule} ${f.service}`).sort()).toEqual([
    'cost-up-usage-flat product-search', 'cost-without-declaration gift-cards', 'no-cost returns', 'no-usage-metric returns',
    'over-budget checkout', 'review-overdue product-search', 'review-overdue wishlist', 'unit-cost-up product-search',
  ]);
  // unit cost per month where usage is known (checkout: cost per 1000 orders)
  const checkout = retail.services.find((s: any) => s.serviceName === 'checkout');
  expect(checkout.unitCost[0]).toBeCloseTo((checkout.cost[0] / checkout.usage[0]) * 1000, 6);
  // the unit's own spend without a service tag, and the tagged share
  expect(retail.untagged.every((v: number) => v > 0)).toBe(true);
  expect(retail.taggedShare).toBeGreaterThan(0.9);
  expect(retail.undeclared.map((u: any) => u.value)).toEqual(['gift-cards']);
});

test('Cost Explorer: one request per page, MONTHLY, for the whole trend, grouped by the service and business-unit tags; requests and their cost in the pack', async () => {
  // GIVEN
  const ce = mockClient(CostExplorerClient);
  const month = (start: string, end: string, amount: string) => ({
    TimePeriod: { Start: start, End: end },
    Estimated: false,
    Groups: [
      { Keys: ['customer-service$checkout', 'business-unit$retail'], Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } } },
      { Keys: ['customer-service$', 'business-unit$retail'], Metrics: { UnblendedCost: { Amount: '3', Unit: 'USD' } } },
    ],
  });
  ce.on(GetCostAndUsageCommand).callsFake((input) => (input.NextPageToken
    ? { ResultsByTime: [month('2026-10-01', '2026-11-01', '260')] }
    : { ResultsByTime: [month('2026-09-01', '2026-10-01', '200')], NextPageToken: 'p2' }));
  const cw = mockClient(CloudWatchClient);
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  try {
    // WHEN
    const res = await runCli(['review', '--months', '3', '--business-unit', 'retail', '--output', 'json', '--quiet', '--no-usage'], { cwd, now: NOW });
    // THEN
    expect(res.code).toBe(0);
    const all = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input);
    // the review's own query (2 pages); then the coverage section's (issue 23: Cost Explorer tells what it can), MONTHLY too:
    // the period by service, the unattributed spend by account and record type (2 pages each; the mock's untagged
    // spend is of no resource, so the tagged spend by account is not asked for)
    const calls = all.filter((c) => c.GroupBy?.some((g) => g.Key === 'business-unit'));
    expect(calls).toHaveLength(2);
    expect(all.filter((c) => !calls.includes(c)).map((c) => c.Granularity)).toEqual(Array(4).fill('MONTHLY'));
    expect(calls[0]).toMatchObject({
      TimePeriod: { Start: '2026-09-01', End: '2026-12-01' },
      Granularity: 'MONTHLY',
      GroupBy: [{ Type: 'TAG', Key: 'customer-service' }, { Type: 'TAG', Key: 'business-unit' }],
    });
    const data = JSON.parse(res.stdout);
    expect([data.requests, data.requestCostUsd]).toEqual([2, 0.02]);
    expect(data.coverage.notes).toContain('the coverage section made 4 more GetCostAndUsage requests (0.04 USD)');
    const retail = data.businessUnits[0];
    // November has no data: no amount and no change against it (issue 20: it was 0 and -100 %), and it is named
    expect(retail.services.find((s: any) => s.serviceName === 'checkout').cost).toEqual([200, 260, null]);
    expect(retail.services.find((s: any) => s.serviceName === 'checkout').changes).toEqual({ lastVsPrevious: null, lastVsFirst: null });
    expect(retail.untagged).toEqual([3, 3, null]);
    expect(data.monthsWithoutData).toEqual(['2026-11']);
    expect(res.stderr).toContain('customer-value: warning: no cost data for 2026-11 in Cost Explorer (the source holds no line item for it: ');
    expect(data.notes).toContain('days without data inside a month are not checked: Cost Explorer was read by month');
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  } finally {
    ce.restore();
    cw.restore();
  }
});

test('--out-dir writes one file per business unit with stable names; markdown holds the sections', async () => {
  const res = await runCli(['review', ...cur(), '--out-dir', 'packs', '--quiet'], { cwd, now: NOW });
  expect(res.code).toBe(0);
  expect(fs.readdirSync(path.join(cwd, 'packs')).sort()).toEqual(['value-review-finance.md', 'value-review-retail.md', 'value-review-technology.md']);
  const md = fs.readFileSync(path.join(cwd, 'packs', 'value-review-retail.md'), 'utf8');
  expect(md).toMatch(/^# Value review: retail, 2026-06 to 2026-11$/m);
  for (const heading of ['## Services by review urgency', '## Flags', '## checkout: Shoppers pay for their basket in one step',
    '## Data quality: the unit\'s spend and its tags']) {
    expect(md).toContain(heading);
  }
  expect(md).toContain('last review: 2026-10-20, outcome retire: Moved to the marketplace partner');
  // the CLI's pack says how to change the thresholds with its flag (the scheduled packs name the construct's property)
  expect(md).toContain('how flags are raised (thresholds with --threshold NAME=VALUE):');
  expect(res.stderr).toContain(`wrote ${path.join('packs', 'value-review-retail.md')} (retail)`);
});

test.each([
  [['--from', '2026-06-15', '--to', '2026-12-01'], /--from is "2026-06-15": a review covers whole months, so give the first day of a month/],
  [['--months', '3', '--from', '2026-06-01', '--to', '2026-09-01'], /--months and --from\/--to both set the trend/],
  [['--months', '0'], /--months is "0": expected a whole number greater than 0/],
  [['--out', 'a.md', '--out-dir', 'packs'], /--out and --out-dir both say where to write/],
  [['--threshold', 'cost-up=lots'], /--threshold is "cost-up=lots": expected NAME=NUMBER with NAME one of cost-up, unit-cost-up, overdue-days, min-cost/],
  [['--output', 'csv'], /--output is "csv": accepted values are markdown, html, json/],
])('usage errors: %j', async (args, message) => {
  const res = await runCli(['review', ...cur(), ...args], { cwd, now: NOW });
  expect(res.code).toBe(2);
  expect(res.stderr).toMatch(message);
});

test('a business unit that does not exist, and a usage file that does not parse, are one-line errors', async () => {
  const unknown = await runCli(['review', ...cur(), '--business-unit', 'retial', '--quiet'], { cwd, now: NOW });
  expect([unknown.code, unknown.stderr]).toEqual([1, 'customer-value: no service declares the business unit "retial" and no cost carries it; '
    + 'did you mean "retail"? (the business units are finance, retail, technology)\n']);
  fs.writeFileSync(path.join(cwd, 'usage.csv'), 'service,month,units\ncheckout,2026-13,5\n');
  const bad = await runCli(['review', ...cur(), '--usage-file', 'usage.csv', '--quiet'], { cwd, now: NOW });
  expect([bad.code, bad.stderr]).toEqual([1, 'customer-value: --usage-file usage.csv line 2: month is "2026-13": expected YYYY-MM, e.g. 2026-10\n']);
});

test('--usage-file gives units to every service it names, a service without a usage metric too, and says where they came from', async () => {
  // GIVEN product-search declares no usage metric; the file counts its searches
  const res = await runCli(['review', ...cur(), '--output', 'json', '--quiet', '--usage-file', path.relative(cwd, sample.usageFile)], { cwd, now: NOW });
  expect(res.code).toBe(0);
  const services = JSON.parse(res.stdout).businessUnits.flatMap((u: any) => u.services);
  const search = services.find((s: any) => s.serviceName === 'product-search');
  const file = path.relative(cwd, sample.usageFile);
  expect(search).toMatchObject({
    unit: 'per unit',
    usage: [1_800_000, 1_800_000, 1_800_000, 1_800_000, 1_800_000, 1_800_000],
    usageSource: `the usage file ${file} (the service declares no usage metric: the units the file counts)`,
    usageNotAvailable: null,
  });
  expect(search.unitCost[5]).toBeCloseTo(search.cost[5] / 1_800_000, 6);
  expect(services.find((s: any) => s.serviceName === 'checkout').usageSource).toBe(`the usage file ${file}`);
  const md = await runCli(['review', ...cur(), '--quiet', '--usage-file', file, '--business-unit', 'retail'], { cwd, now: NOW });
  expect(md.stdout).toContain(`- units: from the usage file ${file} (the service declares no usage metric: the units the file counts)`);
});

test('--usage-file naming a service no assembly declares is refused, naming the line and the nearest declared name', async () => {
  fs.writeFileSync(path.join(cwd, 'typo.csv'), 'service,month,units\ncheckout,2026-10,5\nchekout,2026-11,7\n');
  const res = await runCli(['review', ...cur(), '--usage-file', 'typo.csv', '--quiet'], { cwd, now: NOW });
  expect([res.code, res.stderr]).toEqual([1, 'customer-value: --usage-file typo.csv line 3: service "chekout" is declared in no cloud assembly read; '
    + 'did you mean "checkout"? (the declared services: checkout, product-search, reports, returns, wishlist; pass the assembly that declares it '
    + 'with --assembly, or correct the name)\n']);
});
