/**
 * The daily cost publisher handler, against mocked Cost Explorer and CloudWatch clients (aws-sdk-client-mock).
 *
 * AWS behaviour relied on (../shared/reference/aws-cost-facts.md §7): GetCostAndUsage pages through
 * NextPageToken (no SDK paginator), each page is a billable request; TAG groups come back as
 * "<key>$<value>", untagged cost as "<key>$"; recent days can be `Estimated`.
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand, GetCostAndUsageCommandOutput, ResultByTime } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, Logger, parseConfig, publishAndReportHealth, PublisherDeps, publishCosts } from '../../src/reporting/cost-publisher.lambda';
import { PublishedService, PublisherConfig } from '../../src/reporting/private/publisher-config';

const ce = mockClient(CostExplorerClient);
const cw = mockClient(CloudWatchClient);

// A run on 2026-11-25 at 06:00 UTC: "today" (excluded) is 2026-11-25.
const NOW = new Date('2026-11-25T06:00:00Z');

interface Captured {
  readonly infos: string[];
  readonly warnings: string[];
}

function deps(): PublisherDeps & { captured: Captured } {
  const captured: Captured = { infos: [], warnings: [] };
  const log: Logger = {
    info: (m) => { captured.infos.push(m); },
    warn: (m) => { captured.warnings.push(m); },
  };
  return {
    ce: new CostExplorerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    cloudwatch: () => new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    now: NOW,
    log,
    captured,
  };
}

const TAG_KEYS = { service: 'customer-service', team: 'team', businessUnit: 'business-unit' };

function config(services: PublishedService[], overrides: Partial<PublisherConfig> = {}): PublisherConfig {
  return { version: 1, tagKeys: TAG_KEYS, namespace: 'CustomerValue', republishDays: 13, stackName: 'Shop', services, ...overrides };
}

const CHECKOUT: PublishedService = { name: 'checkout' };
const SEARCH: PublishedService = { name: 'search' };
/** Which team owns which service in these tests (the tags on the resources). */
const TEAM_OF: Record<string, string> = { 'checkout': 'payments', 'search': 'discovery', 'ledger': 'payments', 'legacy-app': '' };

/**
 * One day of Cost Explorer results for the first query (GroupBy service tag, team tag): service tag value ->
 * amount, the team tag value following TEAM_OF ("" = untagged).
 */
function day(date: string, amounts: Record<string, number>, estimated = false): ResultByTime {
  return resultByTime(date, Object.entries(amounts).map(([svc, amount]) => [[`customer-service$${svc}`, `team$${TEAM_OF[svc] ?? ''}`], amount]), estimated);
}

/** One day of results for the second query (GroupBy business-unit tag). */
function unitDay(date: string, amounts: Record<string, number>): ResultByTime {
  return resultByTime(date, Object.entries(amounts).map(([bu, amount]) => [[`business-unit$${bu}`], amount]), false);
}

function resultByTime(date: string, groups: [string[], number][], estimated: boolean): ResultByTime {
  const next = new Date(Date.parse(date) + 86_400_000).toISOString().slice(0, 10);
  return {
    TimePeriod: { Start: date, End: next },
    Total: {},
    Groups: groups.map(([keys, amount]) => ({ Keys: keys, Metrics: { UnblendedCost: { Amount: String(amount), Unit: 'USD' } } })),
    Estimated: estimated,
  };
}

/**
 * Mocks both queries: the service x team query answers `pages` (by NextPageToken, '' for the first), the
 * business-unit query `units` (by default: every service's cost under business unit "retail").
 */
function costs(pages: Record<string, GetCostAndUsageCommandOutput>, units?: GetCostAndUsageCommandOutput): void {
  const byUnit = units ?? page(Object.values(pages).flatMap((p) => p.ResultsByTime ?? []).map((r) => {
    const tagged = (r.Groups ?? []).filter((g) => g.Keys![0] !== 'customer-service$');
    const total = tagged.reduce((sum, g) => sum + Number(g.Metrics!.UnblendedCost.Amount), 0);
    return unitDay(r.TimePeriod!.Start!, tagged.length > 0 ? { retail: total } : {});
  }));
  ce.on(GetCostAndUsageCommand).callsFake(async (input) => {
    if (input.GroupBy.length === 1) {
      return byUnit;
    }
    return pages[input.NextPageToken ?? ''];
  });
}

function serviceQueries() {
  return ce.commandCalls(GetCostAndUsageCommand).filter((c) => c.args[0].input.GroupBy!.length === 2);
}

/** Every day from..to (inclusive) with the same amounts. */
function days(from: string, to: string, amounts: (d: string) => Record<string, number>, estimatedFrom?: string): ResultByTime[] {
  const out: ResultByTime[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    out.push(day(d, amounts(d), estimatedFrom !== undefined && d >= estimatedFrom));
  }
  return out;
}

function page(results: ResultByTime[], next?: string): GetCostAndUsageCommandOutput {
  return { ResultsByTime: results, NextPageToken: next, $metadata: {} } as GetCostAndUsageCommandOutput;
}

function published(): NonNullable<PutMetricDataCommandInput['MetricData']> {
  return cw.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData ?? []);
}

function point(metric: string, dim: string, value: string, date: string) {
  return published().find((d) => d.MetricName === metric && d.Dimensions?.[0]?.Name === dim && d.Dimensions?.[0]?.Value === value
    && (d.Timestamp as Date).toISOString().slice(0, 10) === date);
}

beforeEach(() => {
  ce.reset();
  cw.reset();
  cw.on(PutMetricDataCommand).resolves({});
});

describe('Cost Explorer requests', () => {
  test('follows NextPageToken, one request per page, and adds up a day split over several pages', async () => {
    // GIVEN three pages; 2026-11-20 appears on the first and the second page with different groups
    costs({
      '': page([...days('2026-11-12', '2026-11-19', () => ({ checkout: 1 })), day('2026-11-20', { checkout: 2 })], 'page-2'),
      'page-2': page([day('2026-11-20', { search: 5 }), ...days('2026-11-21', '2026-11-23', () => ({ checkout: 3, search: 4 }))], 'page-3'),
      'page-3': page([day('2026-11-24', { 'checkout': 7, 'search': 1, '': 9 })]),
    });
    const d = deps();

    // WHEN
    const result = await publishCosts(config([CHECKOUT, SEARCH]), d);

    // THEN three requests for the service x team query, each with the next token; one for the business units
    const calls = serviceQueries();
    expect(calls.map((c) => c.args[0].input.NextPageToken)).toEqual([undefined, 'page-2', 'page-3']);
    expect(result.costExplorerRequests).toBe(4);
    expect(calls[0].args[0].input).toEqual({
      TimePeriod: { Start: '2026-11-12', End: '2026-11-25' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'TAG', Key: 'customer-service' }, { Type: 'TAG', Key: 'team' }],
      Filter: { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } },
      NextPageToken: undefined,
    });
    // the split day: checkout from page 1, search from page 2
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-20')?.Value).toBe(2);
    expect(point('Cost', 'ServiceName', 'search', '2026-11-20')?.Value).toBe(5);
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(7);
    expect(result.outcome).toBe('published');
  });

  test('a NextPageToken that comes back again stops the run (a bounded cost) instead of requesting for ever', async () => {
    // GIVEN a Cost Explorer that answers every page with the same token
    ce.on(GetCostAndUsageCommand).resolves(page([day('2026-11-24', { checkout: 1 })], 'same-token'));
    // WHEN / THEN: the first page, the page the token names, and the repeat is noticed
    await expect(publishCosts(config([CHECKOUT]), deps())).rejects.toThrow(/returned the same NextPageToken twice: stopped after 2 requests \(0.02 USD\)/);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(2);
  });

  test('more than 100 pages stops the run', async () => {
    let n = 0;
    ce.on(GetCostAndUsageCommand).callsFake(async () => page([day('2026-11-24', { checkout: 1 })], `token-${++n}`));
    await expect(publishCosts(config([CHECKOUT]), deps())).rejects.toThrow(/more than 100 result pages for 2026-11-12\.\.2026-11-25: stopped after 100 requests \(1.00 USD\)/);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(100);
  });

  test('uses the us-east-1 endpoint with SDK retries when run as the Lambda handler', async () => {
    // GIVEN
    costs({ '': page([day('2026-11-24', { checkout: 1 })]) });
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'] });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const region = process.env.AWS_REGION;
    process.env.AWS_REGION = 'eu-west-1';
    try {
      // WHEN
      const result = await handler(config([CHECKOUT]));

      // THEN
      const client = ce.commandCalls(GetCostAndUsageCommand)[0].thisValue as CostExplorerClient;
      expect(await client.config.region()).toBe('us-east-1');
      expect(await client.config.maxAttempts()).toBe(8);
      // every request has a timeout (a hanging endpoint cannot hold the function until its own timeout)
      const handlerConfig = await (client.config.requestHandler as any).configProvider;
      expect(handlerConfig).toMatchObject({ requestTimeout: 30_000, connectionTimeout: 5_000 });
      // and the run reported its health
      expect(health().map((d) => [d.MetricName, d.Dimensions, d.Value])).toEqual([
        ['PublisherRuns', [{ Name: 'Stack', Value: 'Shop' }, { Name: 'Outcome', Value: 'published' }], 1],
        ['CostDatapoints', [{ Name: 'Stack', Value: 'Shop' }], 1],
      ]);
      expect(result.outcome).toBe('published');
      expect(log.mock.calls.map((c) => JSON.parse(c[0]).level)).toContain('INFO');
    } finally {
      process.env.AWS_REGION = region;
      if (region === undefined) delete process.env.AWS_REGION;
      log.mockRestore();
      jest.useRealTimers();
    }
  });
});

/** The health data points (timestamp = the run). */
function health() {
  return published().filter((d) => ['PublisherRuns', 'CostDatapoints'].includes(d.MetricName!));
}

describe('health: every outcome becomes a signal', () => {
  const runs = () => health().filter((d) => d.MetricName === 'PublisherRuns').map((d) => d.Dimensions!.find((x) => x.Name === 'Outcome')!.Value);
  const costPoints = () => health().find((d) => d.MetricName === 'CostDatapoints')!.Value;

  test('a published run: outcome "published", the number of service cost data points, stamped with the run time', async () => {
    costs({ '': page(days('2026-11-12', '2026-11-24', () => ({ checkout: 1, search: 2 }))) });
    await publishAndReportHealth(config([CHECKOUT, SEARCH]), deps());
    expect(runs()).toEqual(['published']);
    expect(costPoints()).toBe(26);
    expect(health().every((d) => (d.Timestamp as Date).getTime() === NOW.getTime())).toBe(true);
  });

  test.each<[string, () => void, string[]]>([
    ['no data', () => costs({ '': page([]) }), ['no-data']],
    ['an inactive service tag key', () => costs({ '': page(days('2026-11-12', '2026-11-24', () => ({ '': 42 }))) }), ['inactive-tag-key']],
    ['Cost Explorer data not available yet', () => {
      ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('not yet'), { name: 'DataUnavailableException' }));
    }, ['data-unavailable']],
  ])('%s: 0 cost data points and the outcome, without failing the run', async (_label, given, outcomes) => {
    given();
    await publishAndReportHealth(config([CHECKOUT]), deps());
    expect(runs()).toEqual(outcomes);
    expect(costPoints()).toBe(0);
  });

  test('an inactive team key and an unreadable unit metric are reported next to "published"', async () => {
    // GIVEN no cost carries a team tag (the team key is not active), and the unit metric cannot be read
    TEAM_OF.checkout = '';
    try {
      costs({ '': page(days('2026-11-12', '2026-11-24', () => ({ 'legacy-app': 1, 'checkout': 2 }))) });
    } finally {
      TEAM_OF.checkout = 'payments';
    }
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await publishAndReportHealth(config([{ ...CHECKOUT, unit: { metric: lambdaInvocations() } }]), deps());
    expect(runs()).toEqual(['published', 'inactive-tag-key', 'usage-unreadable']);
    expect(costPoints()).toBe(13);
  });

  test.each([
    ['AccessDeniedException', 'access-denied'],
    ['LimitExceededException', 'error'],
  ])('%s: reported as %s, then the run fails (the Errors alarm sees it)', async (name, outcome) => {
    ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error('User is not authorized to perform: ce:GetCostAndUsage'), { name }));
    const d = deps();
    await expect(publishAndReportHealth(config([CHECKOUT]), d)).rejects.toThrow(/not authorized/);
    expect(runs()).toEqual([outcome]);
    expect(costPoints()).toBe(0);
    expect(d.captured.warnings.join('\n')).toMatch(new RegExp(`The run failed \\(${outcome}\\): ${name}`));
  });

  test('a failure to write the health metrics is logged and does not hide the run\'s result', async () => {
    costs({ '': page([day('2026-11-24', { checkout: 1 })]) });
    cw.on(PutMetricDataCommand).callsFake(async (input) => {
      if (input.MetricData.some((m: any) => m.MetricName === 'PublisherRuns')) {
        throw Object.assign(new Error('throttled'), { name: 'Throttling' });
      }
      return {};
    });
    const d = deps();
    expect((await publishAndReportHealth(config([CHECKOUT]), d)).outcome).toBe('published');
    expect(d.captured.warnings.join('\n')).toMatch(/Could not write the publisher's health metrics \(Throttling: throttled\)/);
  });
});

describe('grouping and aggregation', () => {
  test('publishes cost per service of the stack, and per team and business unit of the account from their tags', async () => {
    // GIVEN one day: checkout and search (this stack), ledger (another stack or app, team payments), an
    // untagged-team service and untagged cost; business units from the second query
    costs(
      { '': page([day('2026-11-24', { 'checkout': 10, 'search': 3, 'ledger': 5, 'legacy-app': 100, '': 50 })]) },
      page([unitDay('2026-11-24', { 'retail': 13, 'finance': 5, '': 150 })]),
    );

    // WHEN
    await publishCosts(config([CHECKOUT, SEARCH]), deps());

    // THEN the business-unit query groups by the business-unit tag only
    const unitQuery = ce.commandCalls(GetCostAndUsageCommand).find((c) => c.args[0].input.GroupBy!.length === 1)!;
    expect(unitQuery.args[0].input.GroupBy).toEqual([{ Type: 'TAG', Key: 'business-unit' }]);
    // per service, only the services of this stack
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(10);
    expect(point('Cost', 'ServiceName', 'search', '2026-11-24')?.Value).toBe(3);
    expect(point('Cost', 'ServiceName', 'ledger', '2026-11-24')).toBeUndefined();
    // team payments = checkout + ledger; discovery = search; untagged cost is in no total
    expect(point('Cost', 'Team', 'payments', '2026-11-24')?.Value).toBe(15);
    expect(point('Cost', 'Team', 'discovery', '2026-11-24')?.Value).toBe(3);
    expect(published().filter((p) => p.Dimensions?.[0]?.Name === 'Team')).toHaveLength(2);
    expect(point('Cost', 'BusinessUnit', 'retail', '2026-11-24')?.Value).toBe(13);
    expect(point('Cost', 'BusinessUnit', 'finance', '2026-11-24')?.Value).toBe(5);
    expect(published().filter((p) => p.Dimensions?.[0]?.Name === 'BusinessUnit')).toHaveLength(2);
    // every data point: namespace CustomerValue, timestamp = the cost day at 00:00 UTC, no unit (USD)
    const call = cw.commandCalls(PutMetricDataCommand)[0].args[0].input;
    expect(call.Namespace).toBe('CustomerValue');
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-24')).toMatchObject({
      Timestamp: new Date('2026-11-24T00:00:00Z'),
      Unit: 'None',
    });
  });

  test('an inactive team tag key: service and business-unit costs are published, team totals are not (and say why)', async () => {
    // GIVEN no cost carries a team value
    const untaggedTeam = resultByTime('2026-11-24', [[['customer-service$checkout', 'team$'], 4]], false);
    costs({ '': page([untaggedTeam]) }, page([unitDay('2026-11-24', { retail: 4 })]));
    const d = deps();

    // WHEN
    const summary = await publishCosts(config([CHECKOUT]), d);

    // THEN
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(4);
    expect(point('Cost', 'BusinessUnit', 'retail', '2026-11-24')?.Value).toBe(4);
    expect(published().filter((p) => p.Dimensions?.[0]?.Name === 'Team')).toHaveLength(0);
    expect(summary.inactiveTagKeys).toEqual(['team']);
    expect(d.captured.warnings).toEqual([expect.stringMatching(/^The tag key "team" is not active as a cost allocation tag .* no cost per team is published/)]);
  });

  test('a service without cost on a day gets 0 for that day (the tag key is active)', async () => {
    costs({ '': page([day('2026-11-24', { search: 3 })]) });
    await publishCosts(config([CHECKOUT, SEARCH]), deps());
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(0);
  });

  test('more than 500 data points are sent in several PutMetricData requests', async () => {
    // GIVEN 60 services over 13 days: 60*13 service points plus team and business-unit points
    const many = Array.from({ length: 60 }, (_, i) => ({ name: `svc-${i}` }));
    many.forEach((m, i) => { TEAM_OF[m.name] = `team-${i}`; });
    costs({ '': page(days('2026-11-12', '2026-11-24', () => Object.fromEntries(many.map((s) => [s.name, 1])))) });

    // WHEN
    const result = await publishCosts(config(many), deps());

    // THEN
    const calls = cw.commandCalls(PutMetricDataCommand);
    expect(result.datapoints).toBe(13 * (60 + 60 + 1));
    expect(calls.length).toBe(Math.ceil(result.datapoints / 500));
    expect(calls.every((c) => (c.args[0].input.MetricData ?? []).length <= 500)).toBe(true);
  });
});

describe('services counted per region (CostScope.REGION)', () => {
  test('their cost comes from a query filtered by the stack\'s region; the others keep the account\'s', async () => {
    // GIVEN checkout costs 10 a day in the account, 4 of it in eu-west-1
    const account = page(days('2026-11-12', '2026-11-24', () => ({ checkout: 10, search: 3 })));
    const inRegion = page(days('2026-11-12', '2026-11-24', () => ({ checkout: 4 })).map((r) => ({
      ...r, Groups: r.Groups!.map((g) => ({ ...g, Keys: [g.Keys![0]] })),
    })));
    ce.on(GetCostAndUsageCommand).callsFake(async (input) => {
      if (input.GroupBy.length === 2) return account;
      return JSON.stringify(input.Filter).includes('REGION') ? inRegion : page([]);
    });

    // WHEN
    const result = await publishCosts(config([{ ...CHECKOUT, scope: 'region' }, SEARCH], { region: 'eu-west-1' }), deps());

    // THEN one more request, filtered by region as well as credits and refunds
    const regional = ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input).filter((i) => JSON.stringify(i.Filter).includes('REGION'));
    expect(regional.map((i) => [i.GroupBy, i.Filter])).toEqual([[
      [{ Type: 'TAG', Key: 'customer-service' }],
      { And: [{ Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } }, { Dimensions: { Key: 'REGION', Values: ['eu-west-1'] } }] },
    ]]);
    expect(result.costExplorerRequests).toBe(3);
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(4);
    expect(point('Cost', 'ServiceName', 'search', '2026-11-24')?.Value).toBe(3);
  });
});

describe('re-publish window', () => {
  test('asks for the last 13 days (today excluded) and publishes each of them with the day as timestamp', async () => {
    // GIVEN
    costs({ '': page(days('2026-11-12', '2026-11-24', () => ({ checkout: 1 }))) });

    // WHEN
    const result = await publishCosts(config([CHECKOUT]), deps());

    // THEN
    expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.TimePeriod).toEqual({ Start: '2026-11-12', End: '2026-11-25' });
    const stamps = published().filter((d) => d.Dimensions?.[0]?.Name === 'ServiceName').map((d) => (d.Timestamp as Date).toISOString());
    expect(stamps).toHaveLength(13);
    expect(stamps[0]).toBe('2026-11-12T00:00:00.000Z');
    expect(stamps[12]).toBe('2026-11-24T00:00:00.000Z');
    // CloudWatch accepts data points up to two weeks old: the oldest is 13 days and 6 hours before the run
    expect(NOW.getTime() - Date.parse(stamps[0])).toBeLessThan(14 * 86_400_000);
    expect(result).toMatchObject({ from: '2026-11-12', to: '2026-11-24' });
  });

  test('a unit-cost comparison of 7 days widens the Cost Explorer window to 14 days but publishes only 13', async () => {
    costs({ '': page(days('2026-11-11', '2026-11-24', () => ({ checkout: 1 }))) });
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await publishCosts(config([{ ...CHECKOUT, unit: { metric: lambdaInvocations() }, unitScale: 1, compareDays: 7 }]), deps());
    expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.TimePeriod).toEqual({ Start: '2026-11-11', End: '2026-11-25' });
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-11')).toBeUndefined();
    // the 13 days from the 12th are published, each with its day's cost
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-12')?.Value).toBe(1);
  });
});

describe('what Cost Explorer may return', () => {
  test('no data: nothing published, a clear log line', async () => {
    costs({ '': page([]) });
    const d = deps();
    const result = await publishCosts(config([CHECKOUT]), d);
    expect(result.outcome).toBe('no-data');
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    expect(d.captured.warnings.join('\n')).toMatch(/returned no cost for 2026-11-12\.\.2026-11-24/);
  });

  test('days without any group count as no data', async () => {
    costs({ '': page(days('2026-11-12', '2026-11-24', () => ({}))) });
    const result = await publishCosts(config([CHECKOUT]), deps());
    expect(result.outcome).toBe('no-data');
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  test('an inactive tag key (only "customer-service$" groups): nothing published, the log says how to activate it', async () => {
    // GIVEN every cost lands in the untagged group
    costs({ '': page(days('2026-11-12', '2026-11-24', () => ({ '': 42 }))) });
    const d = deps();

    // WHEN
    const result = await publishCosts(config([CHECKOUT]), d);

    // THEN no zeros are published as if the services cost nothing
    expect(result.outcome).toBe('inactive-tag-key');
    expect(result.inactiveTagKeys).toEqual(['customer-service', 'team', 'business-unit']);
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    expect(d.captured.warnings[0]).toMatch(/^The tag key "customer-service" is not active as a cost allocation tag/);
    expect(d.captured.warnings[0]).toMatch(/Activate "customer-service" in the management \(payer\) account/);
  });

  test('estimated days are published and reported', async () => {
    // GIVEN the last three days are estimated
    costs({ '': page(days('2026-11-12', '2026-11-24', () => ({ checkout: 2 }), '2026-11-22')) });
    const d = deps();

    // WHEN
    const result = await publishCosts(config([CHECKOUT]), d);

    // THEN
    expect(result.estimatedDays).toEqual(['2026-11-22', '2026-11-23', '2026-11-24']);
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(2);
    expect(d.captured.infos.join('\n')).toMatch(/3 day\(s\) as estimated \(2026-11-22\.\.2026-11-24\)/);
  });

  test('DataUnavailableException: nothing published, a clear log line, no failure', async () => {
    const error = Object.assign(new Error('Data is not available'), { name: 'DataUnavailableException' });
    ce.on(GetCostAndUsageCommand).rejects(error);
    const d = deps();
    const result = await publishCosts(config([CHECKOUT]), d);
    expect(result.outcome).toBe('data-unavailable');
    expect(d.captured.warnings[0]).toMatch(/Cost Explorer must be enabled/);
  });

  test('throttling that outlasts the SDK retries fails the run before anything is published', async () => {
    // (the SDK's own retry of LimitExceededException is exercised in cost-publisher-retry.test.ts)
    const error = Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' });
    ce.on(GetCostAndUsageCommand).rejects(error);
    await expect(publishCosts(config([CHECKOUT]), deps())).rejects.toThrow(/Rate exceeded/);
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });
});

function lambdaInvocations() {
  return { ns: 'AWS/Lambda', name: 'Invocations', dims: { FunctionName: 'checkout-api' }, stat: 'Sum' };
}

function usageResult(from: string, to: string, value: (d: string) => number) {
  const stamps: Date[] = [];
  const values: number[] = [];
  for (let t = Date.parse(to); t >= Date.parse(from); t -= 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    stamps.push(new Date(t));
    values.push(value(d));
  }
  return { MetricDataResults: [{ Id: 'usage', Timestamps: stamps, Values: values, StatusCode: 'Complete' as const }] };
}

describe('usage and unit cost', () => {
  test('reads the unit metric by day and publishes UnitUsage, UnitCost and the week-over-week change', async () => {
    // GIVEN cost 10 USD a day; 1000 orders a day in the week before, 800 a day in the last week
    costs({ '': page(days('2026-11-11', '2026-11-24', () => ({ checkout: 10 }))) });
    cw.on(GetMetricDataCommand).resolves(usageResult('2026-11-11', '2026-11-24', (d) => (d >= '2026-11-18' ? 800 : 1000)));
    const d = deps();

    // WHEN
    await publishCosts(config([{ ...CHECKOUT, unit: { metric: lambdaInvocations() }, unitScale: 1000, compareDays: 7 }]), d);

    // THEN the query: the metric, daily, over the Cost Explorer window
    const q = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(q).toMatchObject({
      StartTime: new Date('2026-11-11T00:00:00Z'),
      EndTime: new Date('2026-11-25T00:00:00Z'),
      MetricDataQueries: [{
        Id: 'usage',
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'checkout-api' }] },
          Period: 86400,
          Stat: 'Sum',
        },
      }],
    });
    // per day: usage, and cost per 1000 units
    expect(point('UnitUsage', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(800);
    expect(point('UnitCost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(12.5);
    expect(point('UnitCost', 'ServiceName', 'checkout', '2026-11-17')?.Value).toBe(10);
    // the change: 12.5 against 10 is +25 %, stamped with the run time (what the alarm sees)
    const change = published().find((p) => p.MetricName === 'UnitCostChange');
    expect(change).toMatchObject({ Value: 25, Unit: 'Percent', Timestamp: NOW, Dimensions: [{ Name: 'ServiceName', Value: 'checkout' }] });
  });

  test('no usage in a comparison period: no change published, logged', async () => {
    costs({ '': page(days('2026-11-11', '2026-11-24', () => ({ checkout: 10 }))) });
    cw.on(GetMetricDataCommand).resolves(usageResult('2026-11-18', '2026-11-24', () => 5));
    const d = deps();
    await publishCosts(config([{ ...CHECKOUT, unit: { metric: lambdaInvocations() }, unitScale: 1, compareDays: 7 }]), d);
    expect(published().find((p) => p.MetricName === 'UnitCostChange')).toBeUndefined();
    expect(d.captured.infos.join('\n')).toMatch(/No unit-cost change for "checkout": no usage/);
  });

  test('a math-expression unit metric is queried with its metrics hidden and the expression returned', async () => {
    costs({ '': page([day('2026-11-24', { checkout: 6 })]) });
    cw.on(GetMetricDataCommand).resolves(usageResult('2026-11-24', '2026-11-24', () => 3));
    await publishCosts(config([{
      ...CHECKOUT,
      unit: { expression: 'm1 + m2', using: { m1: lambdaInvocations(), m2: { ...lambdaInvocations(), account: '222222222222' } } },
    }]), deps());
    const q = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
    expect(q.map((x) => [x.Id, x.ReturnData, x.Expression, x.AccountId])).toEqual([
      ['m1', false, undefined, undefined],
      ['m2', false, undefined, '222222222222'],
      ['usage', true, 'm1 + m2', undefined],
    ]);
    expect(point('UnitCost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(2);
  });

  test('GetMetricData follows NextToken', async () => {
    costs({ '': page([day('2026-11-23', { checkout: 6 }), day('2026-11-24', { checkout: 6 })]) });
    cw.on(GetMetricDataCommand, { NextToken: undefined }).resolves({ ...usageResult('2026-11-24', '2026-11-24', () => 2), NextToken: 't2' });
    cw.on(GetMetricDataCommand, { NextToken: 't2' }).resolves(usageResult('2026-11-23', '2026-11-23', () => 3));
    await publishCosts(config([{ ...CHECKOUT, unit: { metric: lambdaInvocations() } }]), deps());
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(point('UnitCost', 'ServiceName', 'checkout', '2026-11-23')?.Value).toBe(2);
    expect(point('UnitCost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(3);
  });

  test('a unit metric that cannot be read does not stop the cost from being published', async () => {
    costs({ '': page([day('2026-11-24', { checkout: 6 })]) });
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const d = deps();
    const result = await publishCosts(config([{ ...CHECKOUT, unit: { metric: lambdaInvocations() } }]), d);
    expect(result.usageErrors).toEqual({ checkout: 'not authorized' });
    expect(point('Cost', 'ServiceName', 'checkout', '2026-11-24')?.Value).toBe(6);
    expect(d.captured.warnings.join('\n')).toMatch(/Could not read the unit metric of "checkout"/);
  });
});

describe('configuration', () => {
  test('a malformed event is refused with every problem named', () => {
    expect(() => parseConfig({ version: 2, tagKeys: { service: 'customer-service' }, namespace: 'CustomerValue', republishDays: 14 }))
      .toThrow(/version is 2, expected 1; tagKeys is \{"service":"customer-service"\}, expected the service, team and businessUnit tag keys; republishDays is 14, expected a whole number of days from 1 to 13; services is not a list/);
    expect(() => parseConfig(undefined)).toThrow(/expected the publisher configuration the schedule passes/);
  });
});
