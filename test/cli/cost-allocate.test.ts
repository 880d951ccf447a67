import * as fs from 'fs';
import * as path from 'path';
import {
  AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, QueryExecutionState, StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import * as YAML from 'yaml';
import { cePages, DAYS, FACTORS, SPEND } from './ce-data';
import { buildAssembly, CHECKOUT, curCsv, expectGolden, line, REPORTS, runCli, SEARCH, WISHLIST } from './fixtures';
import { CHAIN_CHECKOUT, chainAssemblies, chainCur, DATA_PLATFORM, EXPECTED, NETWORK } from './value-chain-fixtures';
import { tempDir } from '../util';

function expectOneLine(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

const PERIOD = ['--from', '2026-10-01', '--to', '2026-10-03'];
/** The two days of the fixture are part of October: the report says the month is split by the shares of those days. */
const PARTIAL = 'customer-value: warning: the period covers 2026-10 (2026-10-01 to 2026-10-02 read) in part: the providers\' cost of that month '
  + 'is split by the shares of the days read, which can differ from the split of the whole month (the value review\'s, and AWS split charge '
  + 'rules\'); report whole months (--from YYYY-MM-01 --to YYYY-MM-01) for figures that add up with theirs\n';

let cwd: string;
let cur: string;
let assemblies: string[];

beforeAll(() => {
  cwd = tempDir();
  const a = chainAssemblies(cwd);
  assemblies = ['--assembly', path.relative(cwd, a.platform), '--assembly', path.relative(cwd, a.shop)];
  cur = chainCur(path.join(cwd, 'cur', 'chain.csv'));
});

async function costJson(extra: string[]): Promise<any> {
  const res = await runCli(['cost', '--source', 'cur', cur, ...PERIOD, ...assemblies, '--output', 'json', '--quiet', ...extra], { cwd });
  expect(res.stderr).toBe(extra.includes('--allocate') ? PARTIAL : '');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout);
}

function byGroup(data: any, field = 'cost'): Record<string, number> {
  return Object.fromEntries(data.rows.map((r: any) => [r.group, Math.round(r[field] * 1e6) / 1e6]));
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

function conserved(data: any): number {
  return data.rows.reduce((s: number, r: any) => s + r.cost, 0) + data.allocation.unallocated;
}

describe('customer-value cost --allocate over CUR 2.0 files, two apps\' assemblies', () => {
  test('--by service: direct, received, passed on and fully-loaded cost per row; chains resolve; conserved to the cent', async () => {
    // WHEN
    const plain = await costJson([]);
    const data = await costJson(['--allocate']);

    // THEN
    expect(data.total).toBe(EXPECTED.total);
    expect(plain.total).toBe(EXPECTED.total);
    expect(byGroup(data)).toEqual(EXPECTED.fullyLoaded);
    expect(Math.abs(conserved(data) - plain.total)).toBeLessThan(0.005);
    const checkout = data.rows.find((r: any) => r.group === 'checkout');
    expect(checkout).toMatchObject({
      direct: 800,
      received: 376,
      passedOn: 0,
      unallocated: 0,
      fullyLoaded: 1176,
      cost: 1176,
      receivedFrom: { 'private-network': 160, 'data-platform': 216 },
      composition: { direct: 800, providers: { 'private-network': 196, 'data-platform': 180 }, untagged: 0 },
    });
    expect(data.rows.find((r: any) => r.group === 'data-platform')).toMatchObject({
      direct: 300, received: 60, passedOn: 360, fullyLoaded: 0, passedOnTo: { checkout: 216, search: 144 },
    });
    // untagged spend stays its own row
    expect(data.rows.find((r: any) => r.group === '')).toMatchObject({ status: 'untagged', direct: 50, fullyLoaded: 50 });
    expect(data.allocation.providers.map((p: any) => [p.service, p.method, p.cost])).toEqual([
      ['private-network', 'proportional', 280],
      ['data-platform', 'fixed: checkout 60 %, search 40 %', 360],
    ]);
    expect(data.allocation.unallocatedShared).toEqual([]);
  });

  test.each([
    ['business-unit', { 'technology': 0, 'retail': 1680, '': 50 }],
    ['team', { 'platform': 0, 'data': 0, 'payments': 1176, 'discovery': 504, '': 50 }],
    ['customer', { 'internal:Service teams': 0, 'internal:Product teams': 0, 'external:Online shoppers': 1680, '': 50 }],
  ])('--by %s groups fully-loaded cost', async (by, expected) => {
    const data = await costJson(['--allocate', '--by', by]);
    expect(byGroup(data)).toEqual(expected);
    expect(Math.abs(conserved(data) - EXPECTED.total)).toBeLessThan(0.005);
  });

  test('--by need: moves between the services of one need are not received; the need\'s statement is the label', async () => {
    const data = await costJson(['--allocate', '--by', 'need']);
    expect(Object.fromEntries(data.rows.map((r: any) => [r.label, r.cost]))).toEqual({
      'Shoppers pay for their basket in one step': 1176,
      'Shoppers find the product they are looking for': 384,
      'Shoppers keep a list of products they want to buy later': 120,
      'Service teams run their workloads in a private network': 0,
      'Product teams query shop events without running a warehouse': 0,
      '(no customer-need tag)': 50,
    });
  });

  test('--spread-untagged spreads untagged spend by fully-loaded cost; the total stays', async () => {
    const data = await costJson(['--allocate', '--spread-untagged']);
    const spread = (n: number) => Math.round((n + (50 * n) / 1680) * 1e6) / 1e6;
    expect(byGroup(data)).toMatchObject({ 'checkout': spread(1176), 'search': spread(384), 'wishlist': spread(120), '': 0 });
    expect(data.allocation.spreadUntagged).toEqual({ amount: 50, skipped: null, skippedMonths: [] });
    expect(Math.abs(conserved(data) - EXPECTED.total)).toBeLessThan(0.005);
    // "Received" stays what came from providers; the spread untagged spend has a column of its own (issue 20)
    expect(data.rows.find((r: any) => r.group === 'checkout')).toMatchObject({
      received: 376, untaggedSpread: 35, receivedFrom: { 'private-network': 160, 'data-platform': 216 },
    });
    expect(data.rows.find((r: any) => r.group === '')).toMatchObject({ direct: 50, passedOn: 0, untaggedSpread: -50, fullyLoaded: 0 });
    const table = await runCli(['cost', '--source', 'cur', cur, ...PERIOD, ...assemblies, '--allocate', '--spread-untagged', '-q'], { cwd });
    expect(table.stdout).toMatch(/Direct \(USD\)  Received  Passed on  Untagged spread  Fully loaded \(USD\)/);
    expect(table.stdout).toMatch(/^checkout .* 800\.00 +376\.00 +0\.00 +35\.00 +1,211\.00 /m);
    expect(table.stdout).toContain('note: untagged spread: untagged spend spread onto the row (--spread-untagged), each month\'s over that month\'s '
      + 'tagged rows in proportion to their fully-loaded cost; the untagged row shows what it gave away. It is not in "Received", which is what came from providers');
  });

  test('shares that cannot be given are unallocated shared cost with the reason; fully loaded + unallocated = total', async () => {
    // GIVEN data-platform gives 20 % to "ads", which no assembly declares
    const dir = tempDir();
    const dp = { ...DATA_PLATFORM, costAllocation: { method: 'fixed' as const, percentages: { checkout: 50, search: 30, ads: 20 } } };
    const a = chainAssemblies(dir, [NETWORK, dp]);

    // WHEN
    const res = await runCli(['cost', '--source', 'cur', cur, ...PERIOD, '-a', a.platform, '-a', a.shop, '--allocate', '--quiet'], { cwd });

    // THEN
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Unallocated shared cost \(counted in the total, in no row's fully-loaded cost\)\ndata-platform: 72\.00 USD, not passed on: its fixed share of 20 % for ads, which no cloud assembly read declares$/m);
    expect(res.stdout).toMatch(/^fully-loaded cost: the cost of private-network, data-platform passed on to the services that consume them, by their declared allocation, month by month; fully loaded 1,658\.00 \+ unallocated shared cost 72\.00 = total 1,730\.00 USD$/m);
    const json = JSON.parse((await runCli(['cost', '--source', 'cur', cur, ...PERIOD, '-a', a.platform, '-a', a.shop, '--allocate', '-q', '-o', 'json'], { cwd })).stdout);
    expect(json.allocation.unallocatedShared).toEqual([{
      service: 'data-platform', amount: 72, reason: 'its fixed share of 20 % for ads, which no cloud assembly read declares', months: { '2026-10': 72 },
    }]);
    expect(json.rows.find((r: any) => r.group === 'data-platform')).toMatchObject({ direct: 300, received: 60, passedOn: 288, unallocated: 72, fullyLoaded: 0 });
    expect(Math.abs(conserved(json) - EXPECTED.total)).toBeLessThan(0.005);
  });

  test('a provider no assembly read declares: a warning; its cost stays on its own row', async () => {
    // only the shop's assembly: private-network and data-platform are declared nowhere
    const res = await runCli(['cost', '--source', 'cur', cur, ...PERIOD, '-a', assemblies[3], '--allocate', '-q', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('customer-value: warning: checkout (Shop, shop.out) consumes "private-network", which no cloud assembly read declares: '
      + 'pass the assembly that declares it with --assembly (until then its cost, if any, is not passed on)\n');
    const data = JSON.parse(res.stdout);
    expect(byGroup(data)).toMatchObject({ 'private-network': 280, 'data-platform': 300, 'checkout': 800 });
    expect(data.allocation.unknownProviders).toContainEqual({ consumer: 'search', provider: 'data-platform' });
  });

  test('a cycle of consumption across two apps is refused, naming it and where each service is declared', async () => {
    const dir = tempDir();
    const a = chainAssemblies(dir, [{ ...NETWORK, consumes: ['checkout'] }, DATA_PLATFORM]);
    const res = await runCli(['cost', '--source', 'cur', cur, ...PERIOD, '-a', a.platform, '-a', a.shop, '--allocate', '-q'], { cwd: dir });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toBe('customer-value: the declared services consume each other in a cycle: private-network → checkout → private-network '
      + '(private-network in Platform, platform.out, checkout in Shop, shop.out): a service cannot consume itself, even through services of other apps, '
      + 'or its cost would be passed on around the cycle for ever; remove one of these consumes() declarations\n');
  });

  test('the outputs: table, csv, markdown and html carry the flows', async () => {
    const run = async (output: string, by = 'service') => {
      const res = await runCli(['cost', '--source', 'cur', cur, ...PERIOD, ...assemblies, '--allocate', '-q', '--by', by, '-o', output,
        ...(output === 'html' ? ['--out', '-'] : [])], { cwd });
      expect(res.code).toBe(0);
      return res.stdout;
    };
    expectGolden('cost.allocate.service.txt', await run('table'));
    expectGolden('cost.allocate.need.md', await run('markdown', 'need'));
    const csv = (await run('csv')).split('\r\n');
    expect(csv[0]).toBe('Service,Customer need,Customer,Team,Business unit,Direct (USD),Received,Passed on,Fully loaded (USD),Share,Value review,Unit cost');
    expect(csv).toContainEqual(expect.stringMatching(/^checkout,Shoppers pay for their basket in one step,Online shoppers \(external\),payments,retail,800\.00,376\.00,0\.00,1176\.00,68\.0,/));
    const html = await run('html', 'need');
    expect(html).toContain('<figcaption>What each customer need&#39;s fully-loaded cost is made of (USD)</figcaption>');
    expect(html).toContain('<figcaption>Fully-loaded cost per customer need and day (USD)</figcaption>');
  });

  test('usage errors', async () => {
    for (const [argv, message] of [
      [['--spread-untagged'], 'customer-value cost: --spread-untagged spreads untagged spend over the fully-loaded rows: add --allocate'],
      [['--allocate'], 'customer-value cost: --allocate passes shared cost on over the value chain the services declare: pass their cloud assemblies with --assembly'],
    ] as Array<[string[], string]>) {
      const res = await runCli(['cost', '--source', 'cur', cur, ...PERIOD, ...argv], { cwd: tempDir() });
      expect(res.code).toBe(2);
      expectOneLine(res.stderr);
      expect(res.stderr.startsWith(message)).toBe(true);
    }
  });
});

describe('customer-value cost --allocate from every source', () => {
  /** The Cost Explorer fixture's services, with search consumed by checkout and keeping 70 % for its own need. */
  function ceAssembly(dir: string): void {
    buildAssembly(path.join(dir, 'cdk.out'), [{
      id: 'Shop',
      services: [
        { ...CHECKOUT, consumes: ['search'] },
        { ...SEARCH, costAllocation: { method: 'fixed', percentages: { search: 70, checkout: 30 } } },
        WISHLIST,
        REPORTS,
      ],
    }]);
  }

  test('Cost Explorer', async () => {
    const ce = mockClient(CostExplorerClient);
    ce.on(GetCostAndUsageCommand).callsFake((input) => cePages(input.GroupBy.map((g: any) => g.Key))[input.NextPageToken ? 1 : 0]);
    const cw = mockClient(CloudWatchClient);
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    try {
      const dir = tempDir();
      ceAssembly(dir);
      const res = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-05', '--allocate', '-q', '-o', 'json'], { cwd: dir });
      expect(res.code).toBe(0);
      const data = JSON.parse(res.stdout);
      const days = FACTORS.reduce((a, b) => a + b, 0);
      const spend = (s: string) => SPEND.find((x) => x.service === s)!.daily * days;
      expect(byGroup(data).search).toBeCloseTo(spend('search') * 0.7, 6);
      expect(byGroup(data).checkout).toBeCloseTo(spend('checkout') + spend('search') * 0.3, 6);
      expect(Math.abs(conserved(data) - data.total)).toBeLessThan(0.005);
      // the figures are the fixture's days: the period asked of Cost Explorer is --from .. --to, by day
      expect(ce.commandCalls(GetCostAndUsageCommand).map((c) => [c.args[0].input.TimePeriod, c.args[0].input.Granularity]))
        .toEqual([[{ Start: DAYS[0], End: '2026-10-05' }, 'DAILY'], [{ Start: DAYS[0], End: '2026-10-05' }, 'DAILY']]);
    } finally {
      ce.restore();
      cw.restore();
    }
  });

  test('Cost Explorer by day (cost) and by month (review): each month is split by its own shares, the same in both', async () => {
    // GIVEN checkout and search consume the network; October: checkout 300, search 100; November: checkout 10, search 30
    const spend: Array<[string, string, string, number]> = [
      ['2026-10-10', 'private-network', 'technology', 100], ['2026-10-10', 'checkout', 'retail', 300], ['2026-10-20', 'search', 'retail', 100],
      ['2026-11-10', 'private-network', 'technology', 40], ['2026-11-10', 'checkout', 'retail', 10], ['2026-11-20', 'search', 'retail', 30],
    ];
    const ce = mockClient(CostExplorerClient);
    ce.on(GetCostAndUsageCommand).callsFake((input) => {
      const keys: string[] = input.GroupBy.map((g: any) => g.Key);
      const bucket = (day: string) => (input.Granularity === 'MONTHLY' ? `${day.slice(0, 7)}-01` : day);
      const results = new Map<string, Map<string, { keys: string[]; amount: number }>>();
      for (const [day, service, unit, amount] of spend) {
        if (day < input.TimePeriod.Start || day >= input.TimePeriod.End) continue;
        const groupKeys = keys.map((k) => `${k}$${k === 'customer-service' ? service : unit}`);
        const groups = results.get(bucket(day)) ?? new Map();
        const g = groups.get(groupKeys.join('|')) ?? { keys: groupKeys, amount: 0 };
        g.amount += amount;
        groups.set(groupKeys.join('|'), g);
        results.set(bucket(day), groups);
      }
      return {
        ResultsByTime: [...results.entries()].map(([start, groups]) => ({
          TimePeriod: { Start: start, End: start },
          Estimated: false,
          Groups: [...groups.values()].map((g) => ({ Keys: g.keys, Metrics: { UnblendedCost: { Amount: String(g.amount), Unit: 'USD' } } })),
        })),
      };
    });
    try {
      const dir = tempDir();
      buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Platform', services: [NETWORK] },
        { id: 'Shop', services: [{ ...CHECKOUT, consumes: ['private-network'] }, { ...SEARCH, consumes: ['private-network'] }] }]);

      // WHEN
      const cost = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-12-01', '--allocate', '--no-usage', '-q', '-o', 'json'], { cwd: dir });
      const pack = await runCli(['review', '--from', '2026-10-01', '--to', '2026-12-01', '--no-usage', '-q', '-o', 'json'],
        { cwd: dir, now: new Date('2026-12-05T00:00:00Z') });

      // THEN October's 100 go 3:1, November's 40 go 1:3 (over the period's shares, 310:130, checkout would get 98.64)
      expect(cost.code).toBe(0);
      expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.Granularity).toBe('DAILY');
      expect(byGroup(JSON.parse(cost.stdout))).toEqual({ 'checkout': 395, 'search': 185, 'private-network': 0 });
      expect(pack.code).toBe(0);
      expect(ce.commandCalls(GetCostAndUsageCommand)[1].args[0].input.Granularity).toBe('MONTHLY');
      const services = JSON.parse(pack.stdout).businessUnits.flatMap((u: any) => u.services);
      expect(Object.fromEntries(services.map((s: any) => [s.serviceName, s.fullyLoaded]))).toEqual({
        'checkout': [375, 20], 'search': [125, 60], 'private-network': [0, 0],
      });
    } finally {
      ce.restore();
    }
  });

  test('Athena', async () => {
    const athena = mockClient(AthenaClient);
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-1', Status: { State: QueryExecutionState.SUCCEEDED }, Statistics: { DataScannedInBytes: 1024 } },
    });
    const columns = ['service', 'group_value', 'usage_date', 'currency', 'amount', 'tax_amount', 'credit_amount', 'line_items', 'estimated'];
    const rows = [
      ['checkout', 'checkout', '2026-10-01', 'USD', '100', '0', '0', '1', '0'],
      ['search', 'search', '2026-10-01', 'USD', '50', '0', '0', '1', '0'],
      ['', '', '2026-10-01', 'USD', '5', '5', '0', '1', '0'],
    ];
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c, Type: 'varchar' })) },
        Rows: [columns, ...rows].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })),
      },
    });
    try {
      const dir = tempDir();
      ceAssembly(dir);
      const res = await runCli(['cost', '--source', 'athena', '--athena-output', 's3://results/x/', '--region', 'eu-west-1', '--from', '2026-10-01',
        '--to', '2026-10-02', '--allocate', '--no-usage', '-q', '-o', 'json'], { cwd: dir });
      expect(res.stderr).toMatch(/^customer-value: warning: the period covers 2026-10 \(2026-10-01 read\) in part: /);
      expect(res.code).toBe(0);
      const data = JSON.parse(res.stdout);
      expect(byGroup(data)).toEqual({ 'checkout': 115, 'search': 35, '': 5 });
      expect(conserved(data)).toBe(155);
    } finally {
      athena.restore();
    }
  });
});

describe('the value chain in services and catalog', () => {
  test('services: what each consumes, its consumers across apps, how a provider shares its cost', async () => {
    const res = await runCli(['services', ...assemblies, '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const services = Object.fromEntries(JSON.parse(res.stdout).services.map((s: any) => [s.serviceName, s]));
    expect(services['private-network']).toMatchObject({
      consumes: [],
      consumedBy: ['checkout', 'data-platform', 'search', 'wishlist'],
      costAllocation: { method: 'proportional' },
    });
    expect(services['data-platform']).toMatchObject({
      consumes: ['private-network'],
      consumedBy: ['checkout', 'search'],
      costAllocation: { method: 'fixed', percentages: { checkout: 60, search: 40 } },
    });
    expect(services.checkout).toMatchObject({ consumes: ['private-network', 'data-platform'], consumedBy: [], costAllocation: null });

    const table = await runCli(['services', ...assemblies], { cwd });
    expect(table.stdout).toMatch(/^data-platform .* private-network\s+fixed: checkout 60 %, search 40 % to checkout, search\s/m);
    expect(table.stdout).toContain('value chain: 2 providers pass cost on to the services that consume them (customer-value cost --allocate)');
  });

  test('services warns about a provider no assembly declares and a cycle across apps', async () => {
    const dir = tempDir();
    const a = chainAssemblies(dir, [{ ...NETWORK, consumes: ['checkout'] }]);
    const res = await runCli(['services', '-a', a.platform, '-a', a.shop], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('customer-value: warning: checkout (Shop, shop.out) consumes "data-platform", which no cloud assembly read declares');
    expect(res.stderr).toContain('customer-value: warning: the declared services consume each other in a cycle: private-network → checkout → private-network');
  });

  test('a misspelt provider name: the warning names the nearest service the assemblies declare', async () => {
    const dir = tempDir();
    const a = chainAssemblies(dir, [NETWORK, DATA_PLATFORM], [{ ...CHAIN_CHECKOUT, consumes: ['private-network', 'data-platfrom'] }]);
    const res = await runCli(['services', '-a', a.platform, '-a', a.shop], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('customer-value: warning: checkout (Shop, shop.out) consumes "data-platfrom", which no cloud assembly read declares: '
      + 'did you mean "data-platform"? Otherwise pass the assembly that declares it with --assembly (until then its cost, if any, is not passed on)\n');
  });

  test('catalog: dependsOn and dependencyOf relations, also to a service of an app not read', async () => {
    const res = await runCli(['catalog', '-a', assemblies[3]], { cwd });
    expect(res.code).toBe(0);
    const components = Object.fromEntries(YAML.parseAllDocuments(res.stdout).map((d) => d.toJS()).filter((e) => e.kind === 'Component')
      .map((c) => [c.metadata.name, c]));
    expect(components.checkout.spec.dependsOn).toEqual(['component:private-network', 'component:data-platform']);
    expect(components.checkout.spec.dependencyOf).toBeUndefined();

    const both = await runCli(['catalog', ...assemblies], { cwd });
    const all = Object.fromEntries(YAML.parseAllDocuments(both.stdout).map((d) => d.toJS()).filter((e) => e.kind === 'Component')
      .map((c) => [c.metadata.name, c]));
    expect(all['private-network'].spec.dependencyOf).toEqual(['component:checkout', 'component:data-platform', 'component:search', 'component:wishlist']);
    expect(all['data-platform'].spec).toMatchObject({ dependsOn: ['component:private-network'], dependencyOf: ['component:checkout', 'component:search'] });
    expect(all['data-platform'].metadata.annotations['customer-value/cost-allocation']).toBe('fixed: checkout 60 %, search 40 %');
    // every relation points at a component of the file
    for (const c of Object.values(all) as any[]) {
      for (const ref of [...(c.spec.dependsOn ?? []), ...(c.spec.dependencyOf ?? [])]) {
        expect(all[ref.replace(/^component:/, '')]).toBeDefined();
      }
    }
    expect(fs.existsSync(path.join(cwd, 'catalog-info.yaml'))).toBe(false);
    // dependsOn keeps the order of each declaration's consumes (checkout: network first; search: data platform first)
    expect(all.checkout.spec.dependsOn).toEqual(['component:private-network', 'component:data-platform']);
    expect(all.search.spec.dependsOn).toEqual(['component:data-platform', 'component:private-network']);
  });
});

describe('customer-value review --allocate: fully-loaded cost per month in the pack', () => {
  /**
   * Three months of the chain. October: the fixture (fully loaded as EXPECTED). November: network 60, data-platform
   * 40, checkout 100, wishlist 100, no search: the network's 60 go by November's direct cost (checkout 25,
   * data-platform 10, wishlist 25), data-platform passes on 50 (60 %: 30 to checkout, 40 %: 20 to search).
   * December: the network's 50 and nobody else's cost: proportional shares of nothing, so it stays unallocated.
   */
  const FULLY_LOADED: Record<string, number[]> = {
    'checkout': [1176, 155, 0],
    'search': [384, 20, 0],
    'wishlist': [120, 125, 0],
    'private-network': [0, 0, 0],
    'data-platform': [0, 0, 0],
  };
  const DIRECT: Record<string, number[]> = {
    'checkout': [800, 100, 0],
    'search': [200, 0, 0],
    'wishlist': [100, 100, 0],
    'private-network': [280, 60, 50],
    'data-platform': [300, 40, 0],
  };
  let months: string;

  beforeAll(() => {
    const tags = (r: typeof NETWORK) => Object.fromEntries(Object.entries(r.tags).map(([k, v]) => [`user_${k.replace(/-/g, '_')}`, v]));
    const october = fs.readFileSync(cur, 'utf8').trimEnd().split('\n');
    const extra = curCsv(path.join(cwd, 'cur-extra.csv'), [
      line('2026-11-10', 60, tags(NETWORK)), line('2026-11-10', 40, tags(DATA_PLATFORM)),
      line('2026-11-10', 100, tags(CHAIN_CHECKOUT)), line('2026-11-11', 100, tags(WISHLIST)),
      line('2026-12-05', 50, tags(NETWORK)),
    ]);
    months = path.join(cwd, 'cur', 'months', 'chain.csv');
    fs.mkdirSync(path.dirname(months), { recursive: true });
    fs.writeFileSync(months, [...october, ...fs.readFileSync(extra, 'utf8').trimEnd().split('\n').slice(1)].join('\n') + '\n');
  });

  async function review(extra: string[]): Promise<any> {
    const res = await runCli(['review', '--source', 'cur', path.relative(cwd, months), '--from', '2026-10-01', '--to', '2027-01-01',
      ...assemblies, '--output', 'json', '--quiet', ...extra], { cwd, now: new Date('2027-01-05T00:00:00Z') });
    expect(res.code).toBe(0);
    return { data: JSON.parse(res.stdout), stderr: res.stderr };
  }

  const perService = (data: any, field: string) => Object.fromEntries(data.businessUnits.flatMap((u: any) => u.services)
    .map((s: any) => [s.serviceName, s[field] === null ? null : s[field].map((v: number) => Math.round(v * 1e6) / 1e6)]));

  test('each month passes the providers\' cost on by that month\'s consumption; direct cost is unchanged; conserved per month', async () => {
    // WHEN
    const plain = await review(['--no-allocate']);
    const { data } = await review([]);
    const explicit = await review(['--allocate']);

    // THEN the chain is declared, so the review shows fully-loaded cost unless told not to
    expect(perService(plain.data, 'fullyLoaded')).toEqual(Object.fromEntries(Object.keys(DIRECT).map((k) => [k, null])));
    expect(explicit.data.businessUnits).toEqual(data.businessUnits);
    expect(perService(data, 'cost')).toEqual(DIRECT);
    expect(perService(data, 'fullyLoaded')).toEqual(FULLY_LOADED);
    // October equals the period allocation of "cost --allocate" over the same rows
    const cost = await costJson(['--allocate']);
    for (const [name, series] of Object.entries(FULLY_LOADED)) {
      expect(series[0]).toBeCloseTo(cost.rows.find((r: any) => r.group === name).cost, 6);
    }
    // per month: fully loaded + unallocated + untagged = total
    const untagged = [50, 0, 0];
    const unallocated = [0, 0, 50];
    [0, 1, 2].forEach((i) => {
      const direct = Object.values(DIRECT).reduce((s, d) => s + d[i], 0) + untagged[i];
      const loaded = Object.values(FULLY_LOADED).reduce((s, d) => s + d[i], 0);
      expect(loaded + unallocated[i] + untagged[i]).toBeCloseTo(direct, 6);
    });
    expect(data.notes).toEqual(expect.arrayContaining([
      expect.stringMatching(/^fully-loaded cost \(the value chain; --no-allocate for direct cost only\): the cost of private-network, data-platform passed on each month/),
      expect.stringMatching(/^2026-12: 50\.00 of private-network not passed on \(.+\)/),
    ]));
    expect(data.notes.filter((n: string) => /^2026-1[01]:/.test(n))).toEqual([]);
  });

  test('cost --allocate over the three months = the sum of three one-month runs = the review pack\'s columns, to the cent', async () => {
    // GIVEN the months' fully-loaded cost worked out by hand above (FULLY_LOADED); the whole period's shares would give
    // other figures: the network's 390 by 900 : 340 : 200 : 200 would give checkout 214.02, not 160 + 25
    const run = async (from: string, to: string) => {
      const res = await runCli(['cost', '--source', 'cur', path.relative(cwd, months), '--from', from, '--to', to, ...assemblies, '--allocate',
        '-o', 'json', '-q'], { cwd });
      expect(res.code).toBe(0);
      return JSON.parse(res.stdout);
    };

    // WHEN
    const period = await run('2026-10-01', '2027-01-01');
    const oneMonth = [await run('2026-10-01', '2026-11-01'), await run('2026-11-01', '2026-12-01'), await run('2026-12-01', '2027-01-01')];
    const { data: pack } = await review([]);

    // THEN
    for (const [service, series] of Object.entries(FULLY_LOADED)) {
      const total = series.reduce((a, b) => a + b, 0);
      expect(byGroup(period)[service]).toBeCloseTo(total, 2);
      oneMonth.forEach((m, i) => expect(byGroup(m)[service] ?? 0).toBeCloseTo(series[i], 2));
      expect(perService(pack, 'fullyLoaded')[service]).toEqual(series);
    }
    expect(byGroup(period)).toEqual({ 'checkout': 1331, 'search': 404, 'wishlist': 245, 'private-network': 0, 'data-platform': 0, '': 50 });
    expect(period.allocation.unallocatedShared).toEqual([{
      service: 'private-network',
      amount: 50,
      reason: 'none of its consumers (checkout, data-platform, search, wishlist) has cost in the month to share it by',
      months: { '2026-12': 50 },
    }]);
    expect(period.allocation.providers.find((p: any) => p.service === 'private-network').months).toEqual({
      '2026-10': { cost: 280, shares: { 'checkout': round(800 / 1400), 'data-platform': round(300 / 1400), 'search': round(200 / 1400), 'wishlist': round(100 / 1400) } },
      '2026-11': { cost: 60, shares: { 'checkout': round(100 / 240), 'data-platform': round(40 / 240), 'wishlist': round(100 / 240) } },
      '2026-12': { cost: 50, shares: {} },
    });
    expect(period.rows.find((r: any) => r.group === 'checkout').months).toEqual({
      '2026-10': { direct: 800, received: 376, passedOn: 0, unallocated: 0, untaggedSpread: 0, fullyLoaded: 1176 },
      '2026-11': { direct: 100, received: 55, passedOn: 0, unallocated: 0, untaggedSpread: 0, fullyLoaded: 155 },
    });
    expect(Math.abs(conserved(period) - period.total)).toBeLessThan(0.005);
    expect(period.notes.join('\n')).not.toMatch(/in part/);
  });

  test('the markdown pack shows the fully-loaded column', async () => {
    const md = await runCli(['review', '--source', 'cur', path.relative(cwd, months), '--from', '2026-10-01', '--to', '2027-01-01',
      ...assemblies, '--quiet'], { cwd, now: new Date('2027-01-05T00:00:00Z') });
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('Fully loaded (USD)');
    expect(md.stdout).toContain('1,176.00');
  });

  test.each([
    ['--allocate', ['--allocate'], false],
    ['the default', [], true],
  ])('a cycle is refused before the cost is read and any pack is written (%s)', async (_name, flags, hinted) => {
    const dir = tempDir();
    const a = chainAssemblies(dir, [{ ...NETWORK, consumes: ['checkout'] }, DATA_PLATFORM]);
    // a path that does not exist: reading the cost would fail with another message
    const res = await runCli(['review', '--source', 'cur', path.join(dir, 'no-such-export'), '--from', '2026-10-01', '--to', '2027-01-01',
      '-a', a.platform, '-a', a.shop, '--quiet', ...flags, '--out-dir', 'packs'], { cwd: dir, now: new Date('2027-01-05T00:00:00Z') });
    expect(res.code).not.toBe(0);
    expectOneLine(res.stderr);
    expect(res.stderr).toContain('consume each other in a cycle');
    expect(res.stderr.includes('--no-allocate')).toBe(hinted);
    expect(fs.existsSync(path.join(dir, 'packs'))).toBe(false);
  });

  test('--no-allocate reviews direct cost even when the chain has a cycle', async () => {
    const dir = tempDir();
    const a = chainAssemblies(dir, [{ ...NETWORK, consumes: ['checkout'] }, DATA_PLATFORM]);
    const res = await runCli(['review', '--source', 'cur', months, '--from', '2026-10-01', '--to', '2027-01-01', '-a', a.platform, '-a', a.shop,
      '--quiet', '--no-allocate', '--output', 'json'], { cwd: dir, now: new Date('2027-01-05T00:00:00Z') });
    expect(res.code).toBe(0);
    expect(perService(JSON.parse(res.stdout), 'cost')).toEqual(DIRECT);
  });
});
