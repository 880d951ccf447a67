import * as fs from 'fs';
import * as path from 'path';
import { CloudWatchClient, GetMetricDataCommand, GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand, GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { cePages, TOTAL } from './ce-data';
import { buildAssembly, CHECKOUT, expectGolden, runCli, shopAssembly } from './fixtures';
import { tempDir } from '../util';

const ce = mockClient(CostExplorerClient);
const cw = mockClient(CloudWatchClient);

/** Daily UnitUsage data points per service (checkout: 13 800 orders in the period; wishlist: none). */
const USAGE: Record<string, number[]> = { checkout: [3000, 3300, 3600, 3900] };

function answerCe(options: { currency?: (s: any) => string } = {}): void {
  ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => {
    const pages = cePages((input.GroupBy ?? []).map((g) => g.Key!), { ...options, metric: input.Metrics![0] });
    return input.NextPageToken === 'page-2' ? pages[1] : pages[0];
  });
}

function answerCloudWatch(): void {
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
      Id: q.Id,
      Label: q.Id,
      Values: USAGE[q.MetricStat!.Metric!.Dimensions![0].Value!] ?? [],
      StatusCode: 'Complete',
    })),
  }));
}

const PERIOD = ['--from', '2026-10-01', '--to', '2026-10-05'];

function expectOneLine(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
  shopAssembly(path.join(cwd, 'cdk.out'));
});

beforeEach(() => {
  ce.reset();
  cw.reset();
  answerCe();
  answerCloudWatch();
});

afterAll(() => {
  ce.restore();
  cw.restore();
});

describe('customer-value cost --source ce', () => {
  test('follows NextPageToken, one request per page, grouped by the service tag only', async () => {
    // WHEN
    const res = await runCli(['cost', ...PERIOD, '--output', 'json'], { cwd });

    // THEN two pages, each one billable request
    expect(res.code).toBe(0);
    const calls = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({
      TimePeriod: { Start: '2026-10-01', End: '2026-10-05' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'TAG', Key: 'customer-service' }],
      NextPageToken: undefined,
    });
    expect(calls[1].NextPageToken).toBe('page-2');
    const data = JSON.parse(res.stdout);
    expect(data.requests).toBe(2);
    expect(data.notes).toContain('Cost Explorer: 2 GetCostAndUsage requests (0.01 USD each, 0.02 USD)');
    expect(res.stderr).toContain('Cost Explorer: GetCostAndUsage page 2');
  });

  test('joins cost with the declarations: untagged row, tagged share, undeclared tag values, idle services', async () => {
    const res = await runCli(['cost', ...PERIOD, '--output', 'json'], { cwd });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.total).toBeCloseTo(TOTAL, 6);
    expect(data.currency).toBe('USD');
    expect(data.estimated).toBe(true);
    // Untagged: the `customer-service$` group, 1.2 a day.
    expect(data.untagged.amount).toBeCloseTo(1.2 * 4.6, 6);
    expect(data.tagged.share).toBeCloseTo(1 - (1.2 * 4.6) / TOTAL, 6);
    const rows = Object.fromEntries(data.rows.map((r: any) => [r.label, r]));
    expect(rows.checkout).toMatchObject({
      status: 'declared',
      customerNeeds: ['Shoppers pay for their basket in one step'],
      customers: ['Online shoppers (external)'],
      teams: ['payments'],
      businessUnits: ['retail'],
      valueReview: 'ok',
    });
    expect(rows.checkout.cost).toBeCloseTo(46, 6);
    expect(rows['legacy-batch'].status).toBe('not-declared');
    expect(rows['(no customer-service tag)'].status).toBe('untagged');
    expect(data.rows.map((r: any) => r.label)).toEqual(['checkout', 'search', 'wishlist', 'legacy-batch', '(no customer-service tag)']);
    expect(data.declaredWithoutCost).toEqual(['reports']);
    expect(data.undeclaredTagValues).toEqual([{ value: 'legacy-batch', cost: 3.68 }]);
  });

  test('unit cost from CloudWatch UnitUsage (daily Maximum, per service, in the stack region)', async () => {
    const res = await runCli(['cost', ...PERIOD, '--output', 'json'], { cwd });
    expect(res.code).toBe(0);
    const queries = cw.commandCalls(GetMetricDataCommand).flatMap((c) => c.args[0].input.MetricDataQueries ?? []);
    expect(queries.map((q) => q.MetricStat)).toEqual([
      { Metric: { Namespace: 'CustomerValue', MetricName: 'UnitUsage', Dimensions: [{ Name: 'ServiceName', Value: 'checkout' }] }, Period: 86400, Stat: 'Maximum' },
      { Metric: { Namespace: 'CustomerValue', MetricName: 'UnitUsage', Dimensions: [{ Name: 'ServiceName', Value: 'wishlist' }] }, Period: 86400, Stat: 'Maximum' },
    ]);
    expect(await cw.send.getCall(0).thisValue.config.region()).toBe('eu-west-1');
    const rows = Object.fromEntries(JSON.parse(res.stdout).rows.map((r: any) => [r.label, r]));
    // 46 USD / 13 800 orders * 1000
    expect(rows.checkout.unitCost).toEqual({ amount: 3.33333333, currency: 'USD', per: 1000, unit: 'orders', units: 13800 });
    expect(rows.wishlist.unitCost.notAvailable).toMatch(/^no CustomerValue\/UnitUsage datapoints for ServiceName=wishlist in eu-west-1/);
    expect(rows.search.unitCost).toEqual({ notAvailable: 'no usage metric declared (addUsageMetric)' });
  });

  test('a service with cost reporting off has no published usage: no CloudWatch query, "reporting off"', async () => {
    const dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [{ ...CHECKOUT, costReporting: { ...CHECKOUT.costReporting, enabled: false } }] }]);
    const res = await runCli(['cost', ...PERIOD, '--quiet'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
    expect(res.stdout).toMatch(/^checkout .* n\/a \(reporting off\)$/m);
    expect(res.stdout).toContain('note: cost reporting is off for checkout, so no usage is published for it');
  });

  test('--no-usage reads no usage', async () => {
    const res = await runCli(['cost', ...PERIOD, '--no-usage'], { cwd });
    expect(res.code).toBe(0);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
    expect(res.stdout).toContain('unit cost: not available (turned off with --no-usage)');
  });

  test('--by team groups by the service tag and the team tag (two GroupBy)', async () => {
    const res = await runCli(['cost', ...PERIOD, '--by', 'team', '--output', 'json'], { cwd });
    expect(res.code).toBe(0);
    expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.GroupBy).toEqual([
      { Type: 'TAG', Key: 'customer-service' },
      { Type: 'TAG', Key: 'team' },
    ]);
    const data = JSON.parse(res.stdout);
    const rows = Object.fromEntries(data.rows.map((r: any) => [r.label, r]));
    expect(rows.discovery.services).toEqual(['search', 'wishlist']);
    expect(rows.discovery.cost).toBeCloseTo((2.5 + 7.25) * 4.6, 6);
    expect(rows.discovery.valueReview).toBe('overdue');
    // legacy-batch has a service tag but no team tag: it lands in the untagged team row.
    expect(rows['(no team tag)'].cost).toBeCloseTo((0.8 + 1.2) * 4.6, 6);
    // Unit cost is per service: no usage is read for other groupings.
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  test.each([
    ['unblended', 'UnblendedCost'],
    ['amortized', 'AmortizedCost'],
    ['net-unblended', 'NetUnblendedCost'],
  ])('--metric %s asks Cost Explorer for %s', async (metric, ceMetric) => {
    const res = await runCli(['cost', ...PERIOD, '--metric', metric, '--quiet', '--no-usage'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.Metrics).toEqual([ceMetric]);
  });

  test('--profile goes to the SDK client like the AWS CLI, the client is in us-east-1', async () => {
    const res = await runCli(['cost', ...PERIOD, '--profile', 'finance-readonly', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    const client = ce.send.getCall(0).thisValue as CostExplorerClient;
    expect(client.config.profile).toBe('finance-readonly');
    expect(await client.config.region()).toBe('us-east-1');
    expect((cw.send.getCall(0).thisValue as CloudWatchClient).config.profile).toBe('finance-readonly');
  });

  test('the default period is the last full calendar month', async () => {
    const res = await runCli(['cost', '--quiet', '--no-usage'], { cwd, now: new Date('2026-11-25T10:00:00Z') });
    expect(res.code).toBe(0);
    expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.TimePeriod).toEqual({ Start: '2026-10-01', End: '2026-11-01' });
  });

  test('--output json prints only JSON on stdout; progress goes to stderr', async () => {
    const res = await runCli(['cost', ...PERIOD, '--output', 'json'], { cwd });
    expect(() => JSON.parse(res.stdout)).not.toThrow();
    expect(res.stderr).toMatch(/^customer-value: Cost Explorer: GetCostAndUsage page 1\n/);
  });

  test('without an assembly, tag values are reported without declarations', async () => {
    const empty = tempDir();
    const res = await runCli(['cost', ...PERIOD, '--output', 'json'], { cwd: empty });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('no --assembly and no ./cdk.out');
    const data = JSON.parse(res.stdout);
    expect(data.rows.filter((r: any) => r.status === 'declared')).toEqual([]);
    expect(data.undeclaredTagValues.map((u: any) => u.value)).toEqual(['checkout', 'search', 'wishlist', 'legacy-batch']);
  });
});

describe('customer-value cost --source ce: a tag key that is not an active cost allocation tag', () => {
  /** One page: all cost of each day under the given group keys. */
  function answerWith(keys: string[][]): void {
    ce.reset();
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [{
        TimePeriod: { Start: '2026-10-01', End: '2026-10-02' },
        Estimated: false,
        Groups: keys.map((k, i) => ({ Keys: k, Metrics: { UnblendedCost: { Amount: String(10 + i), Unit: 'USD' } } })),
      }],
    });
  }

  test('all cost untagged under the grouped key: one line saying to activate it, exit 1', async () => {
    // GIVEN Cost Explorer answers "customer-service$" (untagged) for all cost, as it does before activation
    answerWith([['customer-service$']]);
    // WHEN
    const res = await runCli(['cost', ...PERIOD, '--quiet'], { cwd });
    // THEN
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toBe('customer-value: Cost Explorer reports all 10.00 USD of cost between 2026-10-01 and 2026-10-05 (exclusive) as '
      + 'untagged ("customer-service$"): the tag key "customer-service" is probably not an active cost allocation tag; activate the '
      + 'customer-value tag keys in the management account (Billing console > Cost allocation tags, or the CostAllocationTags construct): '
      + 'Cost Explorer groups cost by a tag only from its activation on\n');
  });

  test('grouped by team with the team tag active but the service tag not: the report, with a note', async () => {
    answerWith([['customer-service$', 'team$payments'], ['customer-service$', 'team$']]);
    const res = await runCli(['cost', ...PERIOD, '--by', 'team', '--output', 'json', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.rows.find((r: any) => r.group === 'payments').cost).toBe(10);
    expect(data.tagged).toEqual({ tagKey: 'customer-service', basis: 'all-spend', amount: 0, share: 0 });
    expect(data.notes).toContain('no cost between 2026-10-01 and 2026-10-05 carries the "customer-service" tag: the tag key "customer-service" '
      + 'is probably not an active cost allocation tag; activate the customer-value tag keys in the management account (Billing console > '
      + 'Cost allocation tags, or the CostAllocationTags construct): Cost Explorer groups cost by a tag only from its activation on');
  });
});

describe('customer-value cost: golden outputs', () => {
  test.each([
    ['service', 'table', 'cost.service.txt'],
    ['service', 'json', 'cost.service.json'],
    ['service', 'csv', 'cost.service.csv'],
    ['service', 'markdown', 'cost.service.md'],
    ['service', 'html', 'cost.service.html'],
    ['need', 'table', 'cost.need.txt'],
    ['customer', 'table', 'cost.customer.txt'],
    ['team', 'table', 'cost.team.txt'],
    ['business-unit', 'markdown', 'cost.business-unit.md'],
  ])('--by %s --output %s', async (by, output, golden) => {
    const res = await runCli(['cost', ...PERIOD, '--by', by, '--output', output, '--quiet', ...(output === 'html' ? ['--out', '-'] : [])],
      { cwd });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expectGolden(golden, res.stdout, { crlf: output === 'csv' });
  });
});

describe('customer-value cost: bad input gives one line and a non-zero exit code', () => {
  test.each([
    [['--from', '2026-10-05', '--to', '2026-10-01'], 'customer-value cost: --from 2026-10-05 is not before --to 2026-10-01'],
    [['--from', '2026-10-01', '--to', '2026-10-01'], 'customer-value cost: --from 2026-10-01 is not before --to 2026-10-01'],
    [['--from', '2026-02-30', '--to', '2026-03-01'], 'customer-value cost: --from is "2026-02-30": expected a calendar date written YYYY-MM-DD'],
    [['--from', '1.10.2026', '--to', '2026-11-01'], 'customer-value cost: --from is "1.10.2026": expected a calendar date written YYYY-MM-DD'],
    [['--from', '2026-10-01'], 'customer-value cost: --from is given without --to'],
    [['--by', 'owner'], 'customer-value cost: --by is "owner": accepted values are service, need, team, business-unit, customer'],
    [['--output', 'pdf'], 'customer-value cost: --output is "pdf": accepted values are table, json, csv, markdown, html'],
    [['--metric', 'blended'], 'customer-value cost: --metric is "blended": accepted values are unblended, amortized, net-unblended'],
    [['--source', 'billing'], 'customer-value cost: --source is "billing": accepted values are ce, cur, focus, athena'],
    [['--source', 'cur'], 'customer-value cost: --source cur needs the CUR 2.0 data'],
    [['export.parquet'], 'customer-value cost: unexpected argument "export.parquet": only --source cur and --source focus take paths'],
    [['--athena-table', 'cur'], 'customer-value cost: --athena-table only applies to --source athena'],
    [['--form', '2026-10-01'], 'customer-value cost: unknown option --form for "cost" (did you mean --from?)'],
  ])('usage error %j', async (argv, message) => {
    const res = await runCli(['cost', ...argv], { cwd });
    expect(res.code).toBe(2);
    expectOneLine(res.stderr);
    expect(res.stderr.startsWith(message)).toBe(true);
    expect(res.stderr).toMatch(/\(see "customer-value cost --help"\)\n$/);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);
  });

  test('empty period', async () => {
    ce.reset();
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [{ TimePeriod: { Start: '2026-10-01', End: '2026-10-02' }, Groups: [], Estimated: false }] });
    const res = await runCli(['cost', ...PERIOD, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toBe('customer-value: no cost between 2026-10-01 and 2026-10-05 (exclusive) in Cost Explorer: check the period, and that the data covers it\n');
  });

  test('mixed currencies', async () => {
    ce.reset();
    answerCe({ currency: (s) => (s.service === 'search' ? 'EUR' : 'USD') });
    const res = await runCli(['cost', ...PERIOD, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: the cost data mixes currencies \(EUR, USD\) in Cost Explorer: amounts in different currencies cannot be added up/);
    expect(res.stdout).toBe('');
  });

  test('throttling after the SDK retries', async () => {
    ce.reset();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException', $fault: 'client', $metadata: { httpStatusCode: 400, attempts: 5 } });
    ce.on(GetCostAndUsageCommand).rejects(throttled);
    const res = await runCli(['cost', ...PERIOD, '--quiet'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toBe('customer-value: Cost Explorer GetCostAndUsage was throttled (LimitExceededException) after 5 attempts: '
      + 'wait a minute and retry, or shorten the period\n');
  });

  test('access denied', async () => {
    ce.reset();
    ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('User: arn:aws:iam::1:user/x is not authorized to perform: ce:GetCostAndUsage'),
      { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    const res = await runCli(['cost', ...PERIOD, '--quiet', '--profile', 'dev'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: Cost Explorer GetCostAndUsage: access denied \(profile "dev"\): the identity needs ce:GetCostAndUsage/);
  });

  test('malformed assembly', async () => {
    const bad = tempDir();
    fs.mkdirSync(path.join(bad, 'cdk.out'));
    fs.writeFileSync(path.join(bad, 'cdk.out', 'manifest.json'), 'not json');
    const res = await runCli(['cost', ...PERIOD, '--quiet'], { cwd: bad });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: cannot read the cloud assembly in /);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);
  });

  test('an --out file that cannot be written', async () => {
    const res = await runCli(['cost', ...PERIOD, '--quiet', '--out', 'no/such/dir/report.txt'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: cannot write no\/such\/dir\/report.txt: ENOENT/);
  });
});
