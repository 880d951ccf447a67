import * as path from 'path';
import {
  AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, QueryExecutionState, StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import { generateReviewSample, ReviewSample } from '../../scripts/review-sample';
import { handler, notification, provisionalNote, reviewLimits, runReview, ValueReviewConfig } from '../../src/billing/value-review-reports.lambda';
import { DEFAULT_THRESHOLDS } from '../../src/cost-data/review/review-flags';
import { AthenaSource } from '../../src/cost-data/sources/athena';
import { ShippedDeclarations } from '../../src/declaration/record';
import { tempDir } from '../util';

/*
 * The scheduled value review function with aws-sdk-client-mock for S3, SNS and Athena. The Athena answer is the real
 * result of the SQL the function sends, run by DuckDB over a generated 7-month CUR 2.0 sample (map access rewritten
 * from Athena's element_at(resource_tags, k) to DuckDB's resource_tags[k], the one dialect difference).
 */

jest.setTimeout(120_000);

const CONFIG: ValueReviewConfig = {
  declarationsBucket: 'assets-bucket',
  declarationsKey: 'abc123.json',
  reportsBucket: 'reports-bucket',
  reportsPrefix: 'value-review/',
  database: 'customer_value',
  table: 'cur2',
  workgroup: 'customer-value',
  months: 6,
  businessUnits: [],
  thresholds: DEFAULT_THRESHOLDS,
  topicArn: 'arn:aws:sns:us-east-1:123456789012:value-review',
  unitTopics: { retail: 'arn:aws:sns:us-east-1:123456789012:retail-chat' },
  timeoutSeconds: 900,
};

const KEYS = { service: 'customer-service', need: 'customer-need', customer: 'customer', team: 'team', businessUnit: 'business-unit' };

function service(serviceName: string, businessUnit: string, extra: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    serviceName,
    customerNeed: `People get ${serviceName} done`,
    customer: { kind: 'external', name: 'Online shoppers' },
    team: 'payments',
    businessUnit,
    tagKeys: KEYS,
    tags: { 'customer-service': serviceName, 'business-unit': businessUnit },
    costReporting: { enabled: true },
    usageMetrics: [],
    constructPath: `Retail/${serviceName}`,
    stackName: 'Retail',
    includedScopes: [],
    ...extra,
  };
}

const DECLARATIONS = {
  schemaVersion: 1,
  tagKeys: KEYS,
  services: [
    service('checkout', 'retail', {
      valueReview: { everyDays: 90, lastReviewed: '2026-08-14', nextReview: '2026-11-12', reviewer: 'retail-board', outcome: 'invest' },
      costReporting: { enabled: true, monthlyBudgetUsd: 2000 },
    }),
    service('product-search', 'retail'),
    service('private-network', 'technology'),
  ],
} as unknown as ShippedDeclarations;

let sample: ReviewSample;
beforeAll(async () => {
  sample = await generateReviewSample({ out: path.join(tempDir('cv-review-fn-'), 'data'), end: '2026-11', months: 7, rows: 20_000, threads: 1 });
});

const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const athena = mockClient(AthenaClient);

beforeEach(() => {
  s3.reset();
  sns.reset();
  athena.reset();
  s3.on(GetObjectCommand, { Bucket: 'assets-bucket', Key: 'abc123.json' })
    // the SDK's streaming body, as far as the function reads it
    .callsFake(() => ({ Body: { transformToString: async () => JSON.stringify(DECLARATIONS) } as any }));
  s3.on(PutObjectCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

/** Answers Athena with DuckDB's result of the SQL the function sent. */
async function athenaAnswersWithDuckDb(): Promise<{ sql: () => string }> {
  let sql = '';
  let rows: Array<Record<string, unknown>> = [];
  athena.on(StartQueryExecutionCommand).callsFake(async (input) => {
    sql = input.QueryString;
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(`CREATE VIEW cur2 AS SELECT *, "BILLING_PERIOD" AS billing_period
      FROM read_parquet('${sample.exportDir}/data/*/*.parquet', hive_partitioning = true)`);
    const duck = sql.replace('"customer_value"."cur2"', 'cur2').replace(/element_at\(resource_tags, ('[^']+')\)/g, 'resource_tags[$1]');
    rows = (await db.runAndReadAll(duck)).getRowObjectsJson() as Array<Record<string, unknown>>;
    db.closeSync();
    return { QueryExecutionId: 'q-1' };
  });
  athena.on(GetQueryExecutionCommand).resolves({
    QueryExecution: { QueryExecutionId: 'q-1', Status: { State: QueryExecutionState.SUCCEEDED }, Statistics: { DataScannedInBytes: 2_500_000 } },
  });
  athena.on(GetQueryResultsCommand).callsFake(() => {
    const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
    const data = [columns, ...rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? undefined : String(r[c]))))];
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c, Type: 'varchar' })) },
        Rows: data.map((r) => ({ Data: r.map((v) => (v === undefined ? {} : { VarCharValue: v })) })),
      },
    };
  });
  return { sql: () => sql };
}

function run(config = CONFIG, today = new Date('2026-12-03T07:00:00Z')) {
  const log: string[] = [];
  const source = new AthenaSource({ database: config.database, table: config.table, workgroup: config.workgroup, region: 'us-east-1', pollIntervalMs: 1, maxPollIntervalMs: 2 });
  return { log, result: runReview(config, today, { s3: new S3Client({ region: 'us-east-1' }), sns: new SNSClient({ region: 'us-east-1' }), log: (m) => log.push(m), source }) };
}

test('one Athena query grouped by month; a pack per business unit in three formats; each unit notified; the same numbers as the CLI', async () => {
  // GIVEN
  const athenaSql = await athenaAnswersWithDuckDb();
  // WHEN
  const { result, log } = run();
  const summary = await result;
  // THEN one query over the trend, by month, reading only the trend's partitions
  expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  expect(athenaSql.sql()).toContain("CAST(date_trunc('month', line_item_usage_start_date) AS DATE) AS usage_date");
  expect(athenaSql.sql()).toContain("billing_period >= '2026-06'");
  expect(athenaSql.sql()).toContain("billing_period <= '2026-11'");
  expect(summary.failures).toEqual([]);
  expect(summary.months).toEqual(['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
  // three units (finance only from the bill), three files each, in the folder of the last month
  expect(summary.written.sort()).toEqual(['finance', 'retail', 'technology'].flatMap((u) => ['html', 'json', 'md']
    .map((ext) => `value-review/2026-11/value-review-${u}.${ext}`)).sort());
  const put = (key: string) => s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === key)!.args[0].input;
  expect(put('value-review/2026-11/value-review-retail.html').ContentType).toBe('text/html; charset=utf-8');
  const pack = JSON.parse(String(put('value-review/2026-11/value-review-retail.json').Body));
  const search = pack.businessUnits[0].services.find((s: any) => s.serviceName === 'product-search');
  // the numbers are the generator's truth for the month
  expect(search.cost[5]).toBeCloseTo(sample.totals.byBillingPeriod['2026-11'].unblended.byService['product-search'], 4);
  expect([pack.requests, pack.bytesScanned]).toEqual([1, 2_500_000]);
  // notifications: every unit on the construct's topic (with the attribute the e-mail filters read), retail on its chat too
  const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
  expect(published.map((p) => `${p.MessageAttributes!.businessUnit.StringValue} ${p.TopicArn!.split(':').pop()}`)).toEqual([
    'finance value-review', 'retail value-review', 'retail retail-chat', 'technology value-review',
  ]);
  const retail = published.find((p) => p.TopicArn!.endsWith('retail-chat'))!;
  expect(retail.Subject).toBe('Value review: retail, 2026-06 to 2026-11');
  expect(retail.Message).toContain('review-overdue: checkout: the value review is 21 days overdue');
  expect(retail.Message).toContain('s3://reports-bucket/value-review/2026-11/value-review-retail.html');
  expect(log.join('\n')).toMatch(/9 files, 4 notifications, 0 failures; 1 Athena queries, 2500000 bytes scanned/);
});

test('a notification that fails does not stop the other units; the run reports it (the handler then fails: the alarm goes off)', async () => {
  await athenaAnswersWithDuckDb();
  sns.on(PublishCommand, { TopicArn: CONFIG.unitTopics.retail }).rejects(new Error('AuthorizationError: not allowed'));
  const summary = await run().result;
  expect(summary.failures).toEqual([`notifying retail on ${CONFIG.unitTopics.retail}: AuthorizationError: not allowed`]);
  expect(summary.written).toHaveLength(9);
  expect(summary.notified).toHaveLength(3);
});

test('only the configured business units', async () => {
  await athenaAnswersWithDuckDb();
  const summary = await run({ ...CONFIG, businessUnits: ['technology'], unitTopics: {} }).result;
  expect(summary.written).toEqual(['html', 'md', 'json'].map((ext) => `value-review/2026-11/value-review-technology.${ext}`));
  expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
});

test('the handler reads its configuration from CONFIG and fails the invocation when a part failed', async () => {
  await athenaAnswersWithDuckDb();
  sns.on(PublishCommand).rejects(new Error('KMS.AccessDeniedException'));
  const saved = { ...process.env };
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  process.env.CONFIG = JSON.stringify({ ...CONFIG, businessUnits: ['technology'] });
  process.env.AWS_REGION = 'us-east-1';
  try {
    await expect(handler({ today: '2026-12-03' })).rejects.toThrow(/value review: 1 failure\(s\): notifying technology on arn:aws:sns:us-east-1:123456789012:value-review: KMS.AccessDeniedException/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(3);
    expect(log.mock.calls.map((c) => String(c[0])).pop()).toMatch(/3 files, 0 notifications, 1 failures; 1 Athena queries/);
  } finally {
    process.env = saved;
    log.mockRestore();
  }
});

test('shipped declarations with a value chain: the packs show fully-loaded cost per month, conserved across the units', async () => {
  // GIVEN checkout and product-search (retail) consume private-network (technology), proportionally
  const chained = {
    ...DECLARATIONS,
    services: DECLARATIONS.services.map((s) => s.serviceName === 'private-network'
      ? { ...s, consumes: [], consumedBy: ['checkout', 'product-search'] }
      : { ...s, consumes: ['private-network'], consumedBy: [] }),
  };
  s3.on(GetObjectCommand, { Bucket: 'assets-bucket', Key: 'abc123.json' })
    .callsFake(() => ({ Body: { transformToString: async () => JSON.stringify(chained) } as any }));
  await athenaAnswersWithDuckDb();
  // WHEN
  const summary = await run().result;
  // THEN
  expect(summary.failures).toEqual([]);
  const pack = (unit: string) => JSON.parse(String(s3.commandCalls(PutObjectCommand)
    .find((c) => c.args[0].input.Key === `value-review/2026-11/value-review-${unit}.json`)!.args[0].input.Body));
  const services = ['retail', 'technology'].flatMap((u) => pack(u).businessUnits[0].services);
  const network = services.find((s: any) => s.serviceName === 'private-network');
  expect(network.cost[5]).toBeGreaterThan(0);
  expect(network.fullyLoaded[5]).toBeCloseTo(0, 6);
  const checkout = services.find((s: any) => s.serviceName === 'checkout');
  expect(checkout.fullyLoaded[5]).toBeGreaterThan(checkout.cost[5]);
  // every month: what the network cost is now in its consumers' fully-loaded cost
  for (let m = 0; m < 6; m++) {
    const direct = services.reduce((sum: number, s: any) => sum + s.cost[m], 0);
    const loaded = services.reduce((sum: number, s: any) => sum + s.fullyLoaded[m], 0);
    expect(loaded).toBeCloseTo(direct, 6);
  }
  expect(pack('retail').notes).toEqual(expect.arrayContaining([
    expect.stringMatching(/^fully-loaded cost \(the value chain\): the cost of private-network passed on/),
  ]));
  // a scheduled pack's reader has no command line: no note names a CLI flag
  expect(pack('retail').notes.filter((n: string) => /(^|[\s(])--[a-z]/.test(n))).toEqual([]);
  // nor the notes of its Markdown and HTML forms: the thresholds are the construct's, not --threshold's
  for (const ext of ['md', 'html']) {
    const text = String(s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === `value-review/2026-11/value-review-retail.${ext}`)!.args[0].input.Body);
    expect(text).not.toContain('--threshold');
    expect(text).toContain('how flags are raised (thresholds set on the ValueReviewReports construct that makes these packs (its thresholds property)):');
  }
});

test('a value chain the declarations read cannot complete: the packs say what to register, never the CLI\'s --assembly', async () => {
  // GIVEN checkout consumes a provider no declaration read holds (a typo), and private-network shares its cost evenly
  // with consumers none of which is declared
  const broken = {
    ...DECLARATIONS,
    services: DECLARATIONS.services.map((s) => (s.serviceName === 'checkout' ? { ...s, consumes: ['private-netwrk'], consumedBy: [] }
      : s.serviceName === 'private-network' ? { ...s, consumes: [], consumedBy: [], costAllocation: { method: 'even' } } : s)),
  };
  s3.on(GetObjectCommand, { Bucket: 'assets-bucket', Key: 'abc123.json' })
    .callsFake(() => ({ Body: { transformToString: async () => JSON.stringify(broken) } as any }));
  await athenaAnswersWithDuckDb();
  // WHEN
  const summary = await run().result;
  // THEN
  expect(summary.failures).toEqual([]);
  const notes = (unit: string) => JSON.parse(String(s3.commandCalls(PutObjectCommand)
    .find((c) => c.args[0].input.Key === `value-review/2026-11/value-review-${unit}.json`)!.args[0].input.Body)).notes as string[];
  expect(notes('retail')).toEqual(expect.arrayContaining([
    expect.stringMatching(/^checkout \(.*\) consumes "private-netwrk", which no declaration read \(the registry's, or those shipped with ValueReviewReports\) declares: did you mean "private-network"\? Otherwise register the app that declares it \(deploy it with the context customer-value:registry\) or declare it in the ValueReviewReports app, and the next pack reads it \(until then its cost, if any, is not passed on\)$/),
    expect.stringMatching(/^2026-\d\d: [\d,.]+ of private-network not passed on \(no declared service consumes private-network \(register the apps of its consumers \(deploy them with the context customer-value:registry\), and the next pack reads them\)\)/),
  ]));
  expect(notes('retail').filter((n) => /(^|[\s(])--[a-z]/.test(n))).toEqual([]);
});

test('the default declarations (no value chain): direct cost only', async () => {
  await athenaAnswersWithDuckDb();
  await run().result;
  const json = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === 'value-review/2026-11/value-review-retail.json')!;
  const pack = JSON.parse(String(json.args[0].input.Body));
  expect(pack.businessUnits[0].services.map((s: any) => s.fullyLoaded)).toEqual([null, null]);
});

describe('issue 25', () => {
  const packNotes = (unit: string) => JSON.parse(String(s3.commandCalls(PutObjectCommand)
    .find((c) => c.args[0].input.Key === `value-review/2026-11/value-review-${unit}.json`)!.args[0].input.Body)).notes as string[];

  test('a pack made in the first two weeks of a month marks its last month provisional (AWS may still update it), in the pack and the message', async () => {
    // GIVEN the 3rd of December: AWS can update November's data until two weeks after it ended
    await athenaAnswersWithDuckDb();
    // WHEN
    await run().result;
    // THEN
    const note = '2026-11 is provisional: AWS can update a billing period\'s cost and usage data during the first two weeks after it ends, '
      + 'so its figures may still change until 2026-12-15 (the construct\'s default schedule makes the packs then)';
    expect(packNotes('retail')).toContain(note);
    const message = sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Message!).find((m) => m.includes('retail'))!;
    expect(message).toContain(`Note: ${note}`);
  });

  test('a pack made on the 15th (the default schedule) or later: the last month is final, no note', async () => {
    await athenaAnswersWithDuckDb();
    await run(CONFIG, new Date('2026-12-15T07:00:00Z')).result;
    expect(packNotes('retail').filter((n) => /provisional/.test(n))).toEqual([]);
    expect(sns.commandCalls(PublishCommand).every((c) => !/provisional/.test(c.args[0].input.Message!))).toBe(true);
    expect(provisionalNote('2026-11', new Date('2026-12-14T23:59:59Z'))).toMatch(/^2026-11 is provisional/);
    expect(provisionalNote('2026-12', new Date('2027-01-15T00:00:00Z'))).toBeUndefined();
    expect(notification('t', ['s'], [], 'b', ['k'])).not.toMatch(/Note:/);
  });

  test('the function\'s deadline says what to change in the construct\'s props, not a CLI flag', () => {
    jest.useFakeTimers();
    try {
      const limits = reviewLimits(CONFIG);
      jest.advanceTimersByTime(840_000);
      expect(limits.stoppedBy?.message).toBe('stopped after 840 s, a minute before the value-review function\'s 900 s Lambda timeout (the most Lambda '
        + 'allows): set fewer months in the ValueReviewReports props (now 6)');
      limits.dispose();
    } finally {
      jest.useRealTimers();
    }
  });

  test('the function\'s page limit says what to change in the construct\'s props, not a CLI flag', async () => {
    // GIVEN an Athena result that never ends (a new page token every page)
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: QueryExecutionState.SUCCEEDED } } });
    let page = 0;
    athena.on(GetQueryResultsCommand).callsFake(() => ({
      NextToken: `t${++page}`,
      ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'cost', Type: 'varchar' }] }, Rows: page === 1 ? [{ Data: [{ VarCharValue: 'cost' }] }] : [] },
    }));
    // WHEN the function's own Athena source runs
    const failed = runReview({ ...CONFIG, unitTopics: {} }, new Date('2026-12-20T07:00:00Z'),
      { s3: new S3Client({ region: 'us-east-1' }), sns: new SNSClient({ region: 'us-east-1' }), log: () => undefined });
    // THEN
    await expect(failed).rejects.toThrow(/stopped after 100 pages, the page limit of the value-review function: the query's result is too large for one run; set fewer months in the ValueReviewReports props \(now 6\)$/);
    await expect(failed).rejects.not.toThrow(/--max-pages|--timeout/);
  });
});
