import * as fs from 'fs';
import * as path from 'path';
import {
  AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, GetTableMetadataCommand, QueryExecutionState, StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DuckDBInstance } from '@duckdb/node-api';
import { Stack } from 'aws-cdk-lib';
import { mockClient } from 'aws-sdk-client-mock';
import { buildRulesAssembly, RULES, writeCur } from './rules-fixture';
import {
  AttributionRule, AttributionRules, AttributionTarget, ChargeType, CostAndUsageExport, CostReporting, CustomerService, ValueReviewReports,
} from '../../src';
import { runReview, ValueReviewConfig } from '../../src/billing/value-review-reports.lambda';
import { DEFAULT_THRESHOLDS } from '../../src/cost-data/review/review-flags';
import { OWNER } from '../billing/owner';
import { CHECKOUT, REPORTS, runCli, SEARCH, WISHLIST } from '../cli/fixtures';
import { tempDir, testApp, VALID } from '../util';

/*
 * The attribution rules in the review, three ways over the same fixture (rules-fixture.ts: every rule kind, hand-worked
 * figures): `cost --allocate` (CUR 2.0 files), `review` (the same files) and the scheduled packs (the ValueReviewReports
 * function, the rules shipped with its declarations, reading Athena). Athena is answered by DuckDB running the SQL the
 * function sends over the same CUR 2.0 file, rewritten at the one dialect point DuckDB cannot read (element_at on a
 * map returns a list in DuckDB: Athena's element_at(m, k) becomes m[k]), as the function's own tests do. The same
 * months must give the same figures to the cent in all three, month by month.
 */

const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
afterAll(() => {
  athena.restore();
  s3.restore();
  sns.restore();
});

const MONTHS = ['2026-10', '2026-11'];
const SERVICES = [CHECKOUT, WISHLIST, SEARCH, REPORTS];
const cents = (x: number) => Math.round(x * 100);

let cwd: string;
let cur: string;
beforeAll(() => {
  cwd = tempDir();
  buildRulesAssembly(path.join(cwd, 'cdk.out'));
  cur = writeCur(path.join(cwd, 'data', 'cur.csv'));
});

/** The function's declarations file: the services as shipped (no resource counts, no review status) and the rule sets. */
function shipped(): unknown {
  return {
    schemaVersion: 1,
    tagKeys: CHECKOUT.tagKeys,
    services: SERVICES.map((r) => {
      const { resources: _r, valueReview, ...rest } = r as any;
      const { status: _s, checkedOn: _c, ...review } = valueReview ?? {};
      return { ...rest, ...(valueReview ? { valueReview: review } : {}), consumes: [], consumedBy: [] };
    }),
    ruleSets: [RULES],
  };
}

/** Athena answered by DuckDB over the CUR 2.0 file: the SQL the function sent, at the one dialect point rewritten. */
function athenaOverTheFile(): string[] {
  const sent: string[] = [];
  const results = new Map<string, Array<Record<string, unknown>>>();
  athena.reset();
  athena.on(GetTableMetadataCommand).resolves({
    TableMetadata: {
      Name: 'cur2',
      Columns: [
        'line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags',
        'line_item_usage_account_id', 'line_item_product_code', 'line_item_usage_type', 'line_item_resource_id', 'bill_billing_entity', 'billing_period',
      ].map((Name) => ({ Name, Type: 'string' })),
    },
  });
  athena.on(StartQueryExecutionCommand).callsFake(async (input) => {
    const id = `q-${sent.length + 1}`;
    sent.push(input.QueryString);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(`CREATE VIEW cur2 AS SELECT * REPLACE (CAST(CAST(resource_tags AS JSON) AS MAP(VARCHAR, VARCHAR)) AS resource_tags,
      CAST(line_item_usage_start_date AS TIMESTAMP) AS line_item_usage_start_date, CAST(line_item_unblended_cost AS DOUBLE) AS line_item_unblended_cost),
      strftime(CAST(line_item_usage_start_date AS TIMESTAMP), '%Y-%m') AS billing_period, 'INV-1' AS bill_invoice_id
      FROM read_csv('${cur}', header = true, all_varchar = true)`);
    const duck = input.QueryString.replace('"customer_value"."cur2"', 'cur2').replace(/element_at\((resource_tags), ('[^']+')\)/g, '$1[$2]');
    results.set(id, (await db.runAndReadAll(duck)).getRowObjectsJson() as Array<Record<string, unknown>>);
    db.closeSync();
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).callsFake((input) => ({
    QueryExecution: {
      QueryExecutionId: input.QueryExecutionId, Status: { State: QueryExecutionState.SUCCEEDED }, Statistics: { DataScannedInBytes: 1024 },
    },
  }));
  athena.on(GetQueryResultsCommand).callsFake((input) => {
    const rows = results.get(input.QueryExecutionId)!;
    const columns = Object.keys(rows[0]);
    const cell = (v: unknown) => (v === null || v === undefined ? {} : { VarCharValue: String(v) });
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c, Type: 'varchar' })) },
        Rows: [{ Data: columns.map((c) => ({ VarCharValue: c })) }, ...rows.map((r) => ({ Data: columns.map((c) => cell(r[c])) }))],
      },
    };
  });
  return sent;
}

const CONFIG: ValueReviewConfig = {
  declarationsBucket: 'assets',
  declarationsKey: 'declarations.json',
  reportsBucket: 'reports',
  reportsPrefix: 'value-review/',
  database: 'customer_value',
  table: 'cur2',
  workgroup: 'customer-value',
  months: 2,
  businessUnits: [],
  thresholds: DEFAULT_THRESHOLDS,
  unitTopics: {},
  timeoutSeconds: 900,
};

/** A review's JSON as cents per (service, month), and the units' attributed series. */
function reviewCents(json: any): { services: Record<string, number[]>; attributed: Record<string, number[]> } {
  const services: Record<string, number[]> = {};
  const attributed: Record<string, number[]> = {};
  for (const u of json.businessUnits) {
    attributed[u.businessUnit] = u.attributed.map(cents);
    for (const s of u.services) {
      services[s.serviceName] = s.cost.map(cents);
    }
  }
  return { services, attributed };
}

test('cost --allocate, review and the scheduled packs give the same months the same figures, to the cent', async () => {
  // 1. cost --allocate over the files: direct cost per month (tagged + attributed; no value chain in the fixture)
  const cost = await runCli(['cost', '--source', 'cur', cur, '--from', '2026-10-01', '--to', '2026-12-01', '--allocate', '-o', 'json', '--quiet'], { cwd });
  expect(cost.code).toBe(0);
  const allocated = Object.fromEntries(JSON.parse(cost.stdout).rows.filter((r: any) => SERVICES.some((s) => s.serviceName === r.group))
    .map((r: any) => [r.group, MONTHS.map((m) => cents(r.months[m]?.direct ?? 0))]));
  // the hand-worked figures (rules-fixture.ts): October and November per service
  expect(allocated).toEqual({ checkout: [8586, 1100], wishlist: [4518, 4400], search: [2596, 0], reports: [2200, 0] });

  // 2. review over the same files
  const review = await runCli(['review', '--source', 'cur', cur, '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--no-usage', '--quiet'], { cwd });
  expect(review.code).toBe(0);
  expect(review.stdout).not.toMatch(/does not apply attribution rules/);
  const reviewed = reviewCents(JSON.parse(review.stdout));
  expect(reviewed.services).toEqual(allocated);

  // 3. the scheduled packs: the function, its shipped declarations with the rule sets, Athena over the same file
  s3.reset();
  sns.reset();
  s3.on(GetObjectCommand, { Bucket: 'assets', Key: 'declarations.json' })
    .callsFake(() => ({ Body: { transformToString: async () => JSON.stringify(shipped()) } as any }));
  s3.on(PutObjectCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  const sent = athenaOverTheFile();
  const log: string[] = [];
  const run = await runReview(CONFIG, new Date('2026-12-20T00:00:00Z'), { s3: new S3Client({}), sns: new SNSClient({}), log: (m) => log.push(m) });
  expect(run.failures).toEqual([]);
  expect(sent).toHaveLength(2);
  expect(sent[1]).toMatch(/CASE WHEN .* THEN 0 WHEN/);
  const packs = s3.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.Key!.endsWith('.json'))
    .map((c) => JSON.parse(c.args[0].input.Body as string));
  const scheduled = { services: {} as Record<string, number[]>, attributed: {} as Record<string, number[]> };
  for (const p of packs) {
    const r = reviewCents(p);
    Object.assign(scheduled.services, r.services);
    Object.assign(scheduled.attributed, r.attributed);
  }
  expect(scheduled.services).toEqual(allocated);
  expect(scheduled.attributed).toEqual(reviewed.attributed);
  // what the rules gave each unit, month by month: retail 4 (acct 12, stacks 9, tax 10, nat 20, bucket 6 of 8) in October,
  // the November tax (5); finance the bucket's 2
  expect(reviewed.attributed).toEqual({ retail: [5700, 500], finance: [200, 0] });
});

test('the pack shows the unit\'s tagged, attributed and unattributed shares', async () => {
  const res = await runCli(['review', '--source', 'cur', cur, '--from', '2026-10-01', '--to', '2026-12-01', '--business-unit', 'retail', '-o', 'markdown',
    '--no-usage', '--quiet'], { cwd });
  expect(res.code).toBe(0);
  // retail: tagged 150 (checkout 70, wishlist 70, search 10), attributed 57 in October and 5 in November
  expect(res.stdout).toContain('tagged share: 70.8 % of the unit\'s 212.00 USD carries a service tag (150.00 USD); attributed by rules 29.2 % (62.00 USD); '
    + 'unattributed 0.0 % (0.00 USD carries the business-unit tag "retail" and no service tag, and no rule took it)');
  expect(res.stdout).toContain('| Month | retail (USD) | Undeclared tag values | No service tag | Attributed by rules | Tagged share | Attributed share |');
  expect(res.stdout).toContain('| 2026-10 | 157.00 | 0.00 | 0.00 | 57.00 | 63.7 % | 36.3 % |');
  expect(res.stdout).toMatch(/attribution: tagged 170\.00 USD \(70\.2 %\), attributed by rules 64\.00 USD/);
});

describe('the rules reach the scheduled packs with the declarations', () => {
  /** An app with a service, a rule set and the packs; `late` adds a rule after the packs' construct. */
  function app(late: boolean) {
    const a = testApp();
    const billing = new Stack(a, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const checkout = new CustomerService(billing, 'Checkout', { ...VALID, costReporting: CostReporting.disabled('attribution tests') });
    const exportOf = new CostAndUsageExport(billing, 'Cur', { owner: OWNER });
    const rules = new AttributionRules(billing, 'SharedCosts', {
      rules: [AttributionRule.charges({ chargeTypes: [ChargeType.TAX], to: AttributionTarget.service(checkout) })],
    });
    new ValueReviewReports(billing, 'ValueReview', { owner: OWNER, costAndUsageExport: exportOf });
    if (late) {
      rules.addRule(AttributionRule.accounts({ accountIds: ['444455556666'], to: AttributionTarget.service(checkout) }));
    }
    return { app: a, billing };
  }

  test('shipped at synth as the assembly\'s customer-value:attribution records', () => {
    const { app: a, billing } = app(false);
    const assembly = a.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${billing.artifactId}.assets.json`), 'utf8'));
    const file = (Object.values(manifest.files) as Array<{ source: { path: string } }>).map((f) => path.join(assembly.directory, f.source.path))
      .find((p) => p.endsWith('.json') && fs.statSync(p).isFile() && fs.readFileSync(p, 'utf8').includes('"services"'))!;
    const shippedRules = JSON.parse(fs.readFileSync(file, 'utf8')).ruleSets;
    const records = assembly.getStackArtifact(billing.artifactId).findMetadataByType('customer-value:attribution').map((m) => m.data);
    expect(records).toHaveLength(1);
    expect(shippedRules).toEqual(records);
    expect(shippedRules[0]).toMatchObject({ ruleSet: 'shared-costs', rules: [{ kind: 'charges', match: { chargeTypes: ['tax'] } }] });
  });

  test('a rule added after the packs\' construct fails synthesis, never a stale rule set', () => {
    const { app: a } = app(true);
    expect(() => a.synth()).toThrow(/the attribution rules of the app changed after this construct was created/);
  });

  test('the function refuses a shipped rule set the validator refuses, naming the file, the rule set and the field', async () => {
    s3.reset();
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: {
        transformToString: async () => JSON.stringify({
          ...(shipped() as object), ruleSets: [{ ...RULES, rules: [{ ...RULES.rules[0], match: { accounts: ['12'] } }] }],
        }),
      } as any,
    }));
    await expect(runReview(CONFIG, new Date('2026-12-20T00:00:00Z'), { s3: new S3Client({}), sns: new SNSClient({}), log: () => undefined }))
      .rejects.toThrow(/the customer-value:attribution record of rule set "shared" in s3:\/\/assets\/declarations\.json \(ruleSets\[0\]\) is refused: rules\[0\] \("acct"\).*accounts/);
  });
});
