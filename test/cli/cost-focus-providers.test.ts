import * as fs from 'fs';
import * as path from 'path';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAssembly, CHECKOUT, record, runCli, WISHLIST, withoutMissingDays } from './fixtures';
import {
  AZURE_EXTRA, awsCharges, azureCharges, gcpCharges, multiCharges, plainQuery, writeContractCommitment, writeFocus05, writeFocusCsv,
  writeFocusParquet,
} from './focus-provider-files';
import { COST_SPEC } from '../../src/cli/commands/cost';
import { REVIEW_SPEC } from '../../src/cli/commands/review';
import { tempDir } from '../util';

/*
 * FOCUS as a FinOps practitioner reads it, from files shaped like other providers' (focus-provider-files.ts: Microsoft
 * FOCUS 1.0 CSV, Google Cloud 1.1 Parquet, AWS 1.2 Parquet in billing-period folders, three providers in one 1.3 CSV
 * with two currencies): every figure the CLI reports is compared, to the cent, with a plain DuckDB query over the same
 * files, per provider, charge category, column and tag.
 */

jest.setTimeout(240_000);

const OCT = ['--from', '2026-10-01', '--to', '2026-11-01'];
const OCT_NOV = ['--from', '2026-10-01', '--to', '2026-12-01'];

let work: string;
let cwd: string;
let azure: string;
let gcp: string;
let aws: string;
let multi: string;

beforeAll(async () => {
  work = tempDir('cv-focus-providers-');
  cwd = tempDir();
  azure = writeFocusCsv(path.join(work, 'azure', 'FocusCost_1.0.csv'), '1.0', azureCharges(),
    { timestamp: (d) => `${d}T00:00Z`, extra: AZURE_EXTRA });
  gcp = await writeFocusParquet(path.join(work, 'gcp', 'gcp_billing_export_focus.parquet'), '1.1', gcpCharges());
  aws = path.join(work, 'aws', 'focus-export');
  for (const period of ['2026-10', '2026-11']) {
    await writeFocusParquet(path.join(aws, 'data', `BILLING_PERIOD=${period}`, 'focus-export-00001.snappy.parquet'), '1.2',
      awsCharges().filter((c) => c.billingPeriod === period));
  }
  multi = writeFocusCsv(path.join(work, 'multi', 'focus-1.3.csv'), '1.3', multiCharges());
});

/** Cents, to compare amounts to the cent. */
const cents = (n: number) => Math.round(n * 100);

/** A plain DuckDB query over the files, without the CLI. */
const direct = plainQuery;

/**
 * The rows of a file as a plain query sees them: costs as decimals, the provider (ServiceProviderName from 1.3),
 * a row's tags as JSON (Tags with AllocatedTags over them, from 1.3).
 */
function rowsOf(target: string): string {
  if (target === azure || target === multi) {
    const v13 = target === multi;
    return `(SELECT *, CAST(BilledCost AS DECIMAL(38, 18)) AS billed, CAST(EffectiveCost AS DECIMAL(38, 18)) AS effective,
      CAST(ContractedCost AS DECIMAL(38, 18)) AS contracted,
      CAST(regexp_replace(ChargePeriodStart, 'T(\\d{2}:\\d{2})Z$', 'T\\1:00Z') AS TIMESTAMPTZ) AS start,
      ${v13 ? "COALESCE(NULLIF(ServiceProviderName, ''), ProviderName)" : 'ProviderName'} AS provider,
      ${v13 ? 'json_merge_patch(COALESCE(Tags, \'{}\'), COALESCE(AllocatedTags, \'{}\'))' : "COALESCE(Tags, '{}')"} AS tags_json
      FROM read_csv('${target}', all_varchar = true, nullstr = ['', 'NULL']))`;
  }
  const files = target === aws ? `${aws}/data/*/*.parquet` : target;
  return `(SELECT *, BilledCost AS billed, EffectiveCost AS effective, ContractedCost AS contracted, ChargePeriodStart AS start,
    ProviderName AS provider, CAST(to_json(Tags) AS VARCHAR) AS tags_json FROM read_parquet('${files}'))`;
}

/** `tag` of a row in the plain query. */
const tagOf = (key: string) => `json_extract_string(tags_json, '$."${key}"')`;

function inRange(args: string[]): string {
  const from = args[args.indexOf('--from') + 1];
  const to = args[args.indexOf('--to') + 1];
  return `start >= TIMESTAMPTZ '${from} 00:00:00+00' AND start < TIMESTAMPTZ '${to} 00:00:00+00'`;
}

/** Totals per key of a plain query, in cents. */
async function truth(target: string, key: string, range: string[],
  o: { metric?: string; currency?: string; where?: string } = {}): Promise<Record<string, number>> {
  const rows = await direct(`SELECT COALESCE(CAST(${key} AS VARCHAR), '') AS k, SUM(${o.metric ?? 'billed'}) AS c FROM ${rowsOf(target)}
    WHERE ${inRange(range)}${o.currency ? ` AND BillingCurrency = '${o.currency}'` : ''}${o.where ? ` AND ${o.where}` : ''} GROUP BY 1`);
  return Object.fromEntries(rows.map((r) => [String(r.k), cents(Number(r.c ?? 0))]));
}

async function focus(target: string, args: string[], dir = cwd) {
  return runCli(['cost', '--source', 'focus', target, ...args], { cwd: dir });
}

async function json(target: string, args: string[]) {
  const res = await focus(target, [...args, '--output', 'json', '--quiet']);
  // the fixtures have no charge on some days of the period, which the report says in a warning
  expect(res.stderr.replace(/^customer-value: warning: no cost data for \d+ of \d+ days: .*\n/gm, '')).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout);
}

/** The report's rows, `group` to cost in cents. */
const byGroup = (data: any) => Object.fromEntries(data.rows.map((r: any) => [r.group, cents(r.cost)]));

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |unexpected error/);
}

describe('other clouds\' files: provider and charge category need no service tag, and equal a plain query to the cent', () => {
  const cases = (): Array<[string, string, string[]]> => [
    ['Microsoft FOCUS 1.0 CSV', azure, OCT],
    ['Google Cloud FOCUS 1.1 Parquet', gcp, OCT],
    ['AWS FOCUS 1.2 Parquet folders', aws, OCT_NOV],
    ['three providers FOCUS 1.3 CSV, USD', multi, [...OCT, '--currency', 'USD']],
    ['three providers FOCUS 1.3 CSV, EUR', multi, [...OCT, '--currency', 'EUR']],
  ];

  test.each(['billed', 'effective'])('--by provider and --by charge-category, --metric %s', async (metric) => {
    for (const [name, target, range] of cases()) {
      const currency = range.includes('--currency') ? range[range.indexOf('--currency') + 1] : undefined;
      const providers = await json(target, [...range, '--by', 'provider', '--metric', metric]);
      expect({ name, rows: byGroup(providers) }).toEqual({ name, rows: await truth(target, 'provider', range, { metric, currency }) });
      expect(cents(providers.total)).toBe(Object.values(await truth(target, "''", range, { metric, currency }))[0]);
      const categories = await json(target, [...range, '--by', 'charge-category', '--metric', metric]);
      expect({ name, rows: byGroup(categories) }).toEqual({ name, rows: await truth(target, 'ChargeCategory', range, { metric, currency }) });
      expect(categories.groupColumn).toBe('FOCUS ChargeCategory');
    }
  });

  test('without the service tag: a report, not a refusal, naming the keys the data has and how to map one', async () => {
    // the Microsoft file carries no customer-value key at all
    const res = await focus(azure, [...OCT, '--by', 'provider', '--metric', 'effective', '--quiet']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Microsoft .* 0\.0 %/);
    const data = await json(azure, [...OCT, '--by', 'provider']);
    const note = data.notes.find((n: string) => n.startsWith('no charge between'));
    expect(note).toMatch(/carries the "customer-service" tag in Tags .* every row is reported without a service/);
    expect(note).toContain('"Owner" (32 rows)');
    expect(note).toContain('" org" (32 rows)');
    expect(note).toMatch(/read it with --tag-key service=CostCenter /);
    expect(data.tagged).toEqual({ tagKey: 'customer-service', basis: 'resource-spend', amount: 0, share: 0 });
    // mapped as the note says, the service is read
    const mapped = await json(azure, [...OCT, '--by', 'provider', '--tag-key', 'service=Owner']);
    expect(cents(mapped.tagged.amount)).toBe(Object.values(await truth(azure, "''", OCT, { where: `${tagOf('Owner')} IS NOT NULL` }))[0]);
  });

  test('a tag grouping over a key found on no row is still refused, listing the keys', async () => {
    const res = await focus(azure, [...OCT, '--by', 'team', '--quiet']);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/carries the tag "team" in Tags \(found: "CostCenter" \(40 rows\), .*"Owner" \(32 rows\).*\): keys are compared exactly/);
  });
});

describe('tags, columns and the JSON figures', () => {
  test('per tag value, with the grouped tag\'s figures named in the JSON (groupTag) and the service tag\'s in tagged/untagged', async () => {
    for (const [target, range, key, args] of [
      [azure, OCT, 'Owner', ['--by', 'team', '--tag-key', 'team=Owner']],
      [gcp, OCT, 'team', ['--by', 'team']],
      [aws, OCT_NOV, 'business_unit', ['--by', 'business-unit', '--tag-key', 'business-unit=business_unit']],
      [multi, [...OCT, '--currency', 'EUR'], 'team', ['--by', 'team']],
    ] as Array<[string, string[], string, string[]]>) {
      const currency = range.includes('--currency') ? 'EUR' : undefined;
      const data = await json(target, [...range, ...args]);
      const expected = await truth(target, tagOf(key), range, { currency });
      expect(byGroup(data)).toEqual(expected);
      expect(data.tagKey).toBe(key);
      expect(data.groupTag.tagKey).toBe(key);
      expect(cents(data.groupTag.untagged.amount)).toBe(expected[''] ?? 0);
      expect(data.untagged.tagKey).toBe('customer-service');
      const noService = await truth(target, "''", range, { currency, where: `${tagOf('customer-service')} IS NULL` });
      expect(cents(data.untagged.amount)).toBe(Object.values(noService)[0] ?? 0);
    }
  });

  test('FOCUS keys are exact strings: team read from business_unit leaves business-unit apart (the CUR 2.0 rule is CUR 2.0\'s)', async () => {
    const team = await json(aws, [...OCT_NOV, '--by', 'team', '--tag-key', 'team=business_unit']);
    expect(byGroup(team)).toEqual(await truth(aws, tagOf('business_unit'), OCT_NOV));
    expect(Object.keys(byGroup(team)).sort()).toEqual(['', 'retail-eu', 'retail-us']);
    const unit = await json(aws, [...OCT_NOV, '--by', 'business-unit', '--tag-key', 'team=business_unit']);
    expect(byGroup(unit)).toEqual(await truth(aws, tagOf('business-unit'), OCT_NOV));
    // CUR 2.0 turns both keys into user_business_unit: there the mapping is refused, naming the rule
    const sample = path.join(__dirname, '..', '..', 'examples', 'data', 'cur2', 'customer-value-cur');
    const cur = await runCli(['cost', '--source', 'cur', sample, ...OCT, '--by', 'team', '--tag-key', 'team=business_unit', '--quiet'], { cwd });
    expect(cur.code).toBe(1);
    expectOneLine(cur.stderr);
    expect(cur.stderr).toMatch(/team and businessUnit keys both become the CUR 2\.0 column "user_business_unit".*FOCUS and Cost Explorer keys are compared exactly/);
    // two fields may read one key (teams that are business units); keys with spaces are read as they are
    const same = await json(aws, [...OCT_NOV, '--by', 'team', '--tag-key', 'team=business-unit', '--tag-key', 'business-unit=business-unit']);
    expect(byGroup(same)).toEqual(await truth(aws, tagOf('business-unit'), OCT_NOV));
    const spaced = await json(azure, [...OCT, '--by', 'team', '--tag-key', 'team= org']);
    expect(byGroup(spaced)).toEqual(await truth(azure, tagOf(' org'), OCT));
  });

  test('--by billing-account, sub-account, region, service-category: each value equals a plain query', async () => {
    for (const [by, column] of [['billing-account', 'BillingAccountId'], ['sub-account', 'SubAccountId'], ['region', 'RegionId'],
      ['service-category', 'ServiceCategory']]) {
      for (const [target, range] of [[aws, OCT_NOV], [multi, [...OCT, '--currency', 'USD']], [gcp, OCT]] as Array<[string, string[]]>) {
        const data = await json(target, [...range, '--by', by]);
        expect({ by, rows: byGroup(data) }).toEqual({ by, rows: await truth(target, column, range, { currency: range.includes('USD') ? 'USD' : undefined }) });
        expect(data.groupBy).toBe(by);
        expect(data.tagKey).toBeNull();
        expect(data.groupColumn).toBe(`FOCUS ${column}`);
        for (const row of data.rows) {
          expect(row.status).toBe('column');
        }
      }
    }
    const table = await focus(aws, [...OCT_NOV, '--by', 'region', '--quiet']);
    expect(table.stdout).toMatch(/grouped by region \(FOCUS RegionId\)/);
    expect(table.stdout).toMatch(/Region +Services +Cost \(USD\) +Share +Tagged share/);
    // a column the file lacks is named with the grouping
    const file = path.join(work, 'no-region.csv');
    fs.writeFileSync(file, 'BilledCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName,Tags\n'
      + '1.5,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,AWS,{}\n');
    const missing = await focus(file, [...OCT, '--by', 'region', '--quiet']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/lacks the column RegionId that --metric billed \(BilledCost\) and --by region \(RegionId\) per customer value needs/);
    // --allocate passes cost between services: a column grouping is refused with it
    const allocate = await focus(aws, [...OCT_NOV, '--by', 'region', '--allocate', '--quiet']);
    expect(allocate.code).toBe(2);
    expect(allocate.stderr).toMatch(/--allocate passes cost between the declared services, and --by region groups by a column/);
  });
});

describe('what the practitioner is told', () => {
  test('corrections in a later billing period count in the charge period they correct: cost of October equals the review\'s October', async () => {
    const dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
    const res = await focus(aws, [...OCT, '--by', 'service', '--output', 'json'], dir);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/reading 2 FOCUS 1\.2 Parquet files \([\d.]+ KB\), including 1 file of the later billing period 2026-11 for the corrections/);
    const october = JSON.parse(res.stdout);
    // the plain query over every file: the correction delivered in November's folder counts in October
    expect(cents(october.total)).toBe(Object.values(await truth(aws, "''", OCT))[0]);
    const [correction] = await direct(`SELECT SUM(BilledCost) AS c FROM read_parquet('${aws}/data/BILLING_PERIOD=2026-11/*.parquet')
      WHERE ChargeClass = 'Correction' AND ChargePeriodStart < TIMESTAMP '2026-11-01'`);
    expect(Number(correction.c)).toBeCloseTo(-21.43, 6);
    expect(cents(byGroup(october).wishlist / 100)).toBe((await truth(aws, tagOf('customer-service'), OCT)).wishlist);

    const review = await runCli(['review', '--source', 'focus', aws, ...OCT_NOV, '--output', 'json', '--quiet'],
      { cwd: dir, now: new Date('2026-12-03T00:00:00Z') });
    // the fixture has days without rows: review names them, as cost does (issue 20); nothing else is said
    expect(withoutMissingDays(review.stderr)).toBe('');
    const services = JSON.parse(review.stdout).businessUnits.flatMap((u: any) => u.services);
    for (const name of ['checkout', 'wishlist']) {
      expect(cents(services.find((s: any) => s.serviceName === name).cost[0])).toBe(byGroup(october)[name]);
    }
  });

  test('split cost allocation (FOCUS 1.3): the allocated share under its AllocatedTags; a key found only there is not absent', async () => {
    const teams = await json(multi, [...OCT, '--currency', 'EUR', '--by', 'team']);
    // the cluster's cost allocated to workloads is reported under their teams, not the parent's "platform"
    expect(byGroup(teams).payments).toBeGreaterThan(0);
    expect(byGroup(teams)).toEqual(await truth(multi, tagOf('team'), OCT, { currency: 'EUR' }));
    expect(teams.notes).toContainEqual(expect.stringMatching(/^split cost allocation: [\d.]+ EUR on \d+ rows with AllocatedTags \(FOCUS 1\.3\)/));
    const workloads = await json(multi, [...OCT, '--currency', 'USD', '--by', 'customer', '--tag-key', 'customer=workload']);
    expect(byGroup(workloads)).toEqual(await truth(multi, tagOf('workload'), OCT, { currency: 'USD' }));
    expect(Object.keys(byGroup(workloads))).toContain('checkout');
  });

  test('empty ContractedCost: the rows named per provider and charge category, with their billed cost', async () => {
    const data = await json(multi, [...OCT, '--currency', 'USD', '--metric', 'contracted']);
    const rows = await direct(`SELECT provider, ChargeCategory AS category, count(*) AS n, SUM(billed) AS billed FROM ${rowsOf(multi)}
      WHERE ContractedCost IS NULL AND BillingCurrency = 'USD' GROUP BY ALL ORDER BY n DESC`);
    expect(rows.map((r) => `${r.provider} ${r.category} ${r.n}`)).toEqual(['Oracle Usage 7', 'Oracle Adjustment 2']);
    const total = rows.reduce((s, r) => s + Number(r.billed), 0);
    expect(data.notes).toContain(`ContractedCost is empty on 9 rows (BilledCost ${total.toFixed(2)} USD), counted as 0 in the totals: `
      + `Oracle Usage 7 rows (BilledCost ${Number(rows[0].billed).toFixed(2)} USD), Oracle Adjustment 2 rows (BilledCost ${Number(rows[1].billed).toFixed(2)} USD); `
      + 'the provider left ContractedCost empty there, so the totals leave those charges out');
    expect(cents(data.total)).toBe(Object.values(await truth(multi, "''", OCT, { metric: 'contracted', currency: 'USD' }))[0]);
  });

  test('an empty BilledCost (which FOCUS says MUST NOT be null) is named too', async () => {
    const file = writeFocusCsv(path.join(work, 'empty-billed', 'focus-1.2.csv'), '1.2',
      [...awsCharges().slice(0, 3), { ...awsCharges()[3], billed: '' }]);
    const data = await json(file, [...OCT, '--by', 'provider']);
    expect(data.notes).toContain('BilledCost is empty on 1 row, counted as 0 in the totals: AWS Usage 1 row; the provider left BilledCost empty '
      + 'there, so the totals leave those charges out (FOCUS says BilledCost MUST NOT be null: check the export)');
  });

  test('unused commitment: the EffectiveCost of CommitmentDiscountStatus Unused, in the notes', async () => {
    const [unused] = await direct(`SELECT SUM(EffectiveCost) AS c FROM read_parquet('${aws}/data/*/*.parquet') WHERE CommitmentDiscountStatus = 'Unused'`);
    for (const metric of ['billed', 'effective']) {
      const data = await json(aws, [...OCT_NOV, '--metric', metric]);
      expect(data.notes).toContainEqual(expect.stringMatching(new RegExp(`^unused commitment: ${Number(unused.c).toFixed(2).replace('.', '\\.')} USD of `
        + 'EffectiveCost is commitment discount paid for and not used in the period \\(CommitmentDiscountStatus Unused\\)')));
    }
  });

  test('timestamps that are not ISO 8601 are refused, naming the column, the file and a value', async () => {
    const file = writeFocusCsv(path.join(work, 'dates', 'focus-1.2.csv'), '1.2', awsCharges().slice(0, 3),
      { timestamp: (d) => `${Number(d.slice(5, 7))}/${Number(d.slice(8, 10))}/${d.slice(2, 4)}` });
    const res = await focus(file, [...OCT, '--quiet']);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toBe(`customer-value: cannot read ${file} as FOCUS data: ChargePeriodStart holds "10/1/26", which is not an ISO 8601 date and `
      + 'time (the FOCUS Date/Time Format is YYYY-MM-DDTHH:mm:ssZ, in UTC; a value such as 4/1/25 is ambiguous): export the data with ISO 8601 '
      + 'timestamps, or convert ChargePeriodStart before reading it\n');
  });

  test('files that are not FOCUS cost and usage data: every missing column, and what they are', async () => {
    const v05 = writeFocus05(path.join(work, 'v05', 'focus-0.5.csv'));
    const res = await focus(v05, [...OCT, '--quiet']);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toContain(`${v05} is not FOCUS data this command can read: missing columns ChargeCategory, Tags (it looks like FOCUS 0.5 `
      + '(ChargeType, AmortizedCost), whose ChargeType became ChargeCategory and AmortizedCost became EffectiveCost in FOCUS 1.0, which also added '
      + 'Tags: export FOCUS 1.0 or later)');
    const effective = await focus(v05, [...OCT, '--metric', 'effective', '--quiet']);
    expect(effective.stderr).toContain('missing columns ChargeCategory, EffectiveCost, Tags (it looks like FOCUS 0.5');
    const contract = writeContractCommitment(path.join(work, 'contract', 'focus_contractcommitment.csv'));
    const res2 = await focus(contract, [...OCT, '--quiet']);
    expect(res2.code).toBe(1);
    expectOneLine(res2.stderr);
    expect(res2.stderr).toContain(`${contract} is not FOCUS data this command can read: missing columns BilledCost, ChargeCategory, `
      + 'ChargePeriodStart, ChargePeriodEnd, Tags, ProviderName (it is a FOCUS 1.3 Contract Commitment dataset');
  });

  test('custom columns with spaces, dots, dashes and commas in their names are read', async () => {
    const header = fs.readFileSync(azure, 'utf8').split('\n')[0];
    expect(header.endsWith(',x_Custom Column,x_Billing-Profile.Id,"x_Cost, adjusted"')).toBe(true);
    const data = await json(azure, [...OCT, '--by', 'provider']);
    expect(data.source).toBe('FOCUS 1.0 files (1 CSV file)');
  });

  test('review --source focus over two currencies: the message names --currency, and review accepts it', async () => {
    const dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{
      id: 'Shop',
      services: [record({
        serviceName: 'reports',
        customerNeed: 'Finance closes the month on time',
        customer: { kind: 'internal', name: 'Finance controlling' },
        team: 'finance',
        businessUnit: 'finance',
        stackName: 'Shop',
      })],
    }]);
    // the file has no business-unit key: the unit is read from the team key (both "finance" in the declaration)
    const review = (extra: string[]) => runCli(['review', '--source', 'focus', multi, ...OCT, '--output', 'json', '--quiet',
      '--tag-key', 'business-unit=team', ...extra],
    { cwd: dir, now: new Date('2026-11-03T00:00:00Z') });
    const refused = await review([]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/report one at a time with --currency EUR or --currency USD/);
    const usd = await review(['--currency', 'USD']);
    expect(withoutMissingDays(usd.stderr)).toBe('');
    expect(usd.code).toBe(0);
    const reports = JSON.parse(usd.stdout).businessUnits.flatMap((u: any) => u.services).find((s: any) => s.serviceName === 'reports');
    expect(cents(reports.cost[0])).toBe((await truth(multi, tagOf('customer-service'), OCT, { currency: 'USD' })).reports);
    const effective = await review(['--currency', 'USD', '--metric', 'effective']);
    expect(effective.code).toBe(0);
  });

  test('every option a FOCUS message names exists on the command that printed it', async () => {
    const dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
    const runs: Array<[string, string[]]> = [
      ['cost', [azure, ...OCT, '--by', 'provider', '--metric', 'unblended']],
      ['cost', [azure, ...OCT, '--by', 'team']],
      ['cost', [multi, ...OCT]],
      ['cost', [multi, ...OCT, '--currency', 'USD', '--metric', 'amortized']],
      ['cost', [aws, ...OCT_NOV, '--by', 'team']],
      ['review', [multi, ...OCT]],
      ['review', [multi, ...OCT, '--currency', 'EUR']],
      ['review', [azure, ...OCT]],
      ['review', [aws, ...OCT_NOV]],
    ];
    const named = new Map<string, Set<string>>([['cost', new Set()], ['review', new Set()]]);
    for (const [command, args] of runs) {
      const res = await runCli([command, '--source', 'focus', ...args, '--output', 'json'], { cwd: dir, now: new Date('2026-12-03T00:00:00Z') });
      const text = `${res.stderr}\n${res.code === 0 ? JSON.stringify(JSON.parse(res.stdout).notes ?? []) : ''}`;
      // options named as advice (`--x`), not inside the commands quoted for another command ("customer-value cost --by")
      for (const m of text.replace(/customer-value (cost|review)( --[a-z-]+)+/g, '').matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)) {
        named.get(command)!.add(m[1]);
      }
    }
    for (const [command, spec] of [['cost', COST_SPEC], ['review', REVIEW_SPEC]] as const) {
      const options = new Set(Object.keys(spec.options));
      expect({ command, unknown: [...named.get(command)!].filter((o) => !options.has(o)) }).toEqual({ command, unknown: [] });
      expect(named.get(command)!.size).toBeGreaterThan(0);
    }
    expect(named.get('review')).toContain('currency');
  });
});

describe('the same column groupings from CUR 2.0 and Cost Explorer', () => {
  const sample = path.join(__dirname, '..', '..', 'examples', 'data', 'cur2', 'customer-value-cur');

  test('CUR 2.0: region, sub-account, billing-account, charge-category from its columns; no service category', async () => {
    for (const [by, column] of [['region', 'product_region_code'], ['sub-account', 'line_item_usage_account_id'],
      ['billing-account', 'bill_payer_account_id'], ['charge-category', 'line_item_line_item_type']]) {
      const res = await runCli(['cost', '--source', 'cur', sample, ...OCT, '--by', by, '--output', 'json', '--quiet'], { cwd });
      expect({ by, stderr: res.stderr }).toEqual({ by, stderr: '' });
      const data = JSON.parse(res.stdout);
      const rows = await direct(`SELECT COALESCE(CAST(${column} AS VARCHAR), '') AS k, SUM(line_item_unblended_cost) AS c
        FROM read_parquet('${sample}/data/*/*.parquet') WHERE line_item_usage_start_date >= TIMESTAMP '2026-10-01'
        AND line_item_usage_start_date < TIMESTAMP '2026-11-01' GROUP BY 1`);
      expect({ by, rows: byGroup(data) }).toEqual({ by, rows: Object.fromEntries(rows.map((r) => [String(r.k), cents(Number(r.c))])) });
      expect(data.groupColumn).toBe(`CUR 2.0 ${column}`);
    }
    const refused = await runCli(['cost', '--source', 'cur', sample, ...OCT, '--by', 'service-category', '--quiet'], { cwd });
    expect(refused.code).toBe(2);
    expectOneLine(refused.stderr);
    expect(refused.stderr).toMatch(/--by service-category: CUR 2\.0 data has no service category column \(FOCUS ServiceCategory\); read FOCUS data/);
  });

  test('Cost Explorer: sub-account (LINKED_ACCOUNT) and charge-category (RECORD_TYPE); the others refused naming the source', async () => {
    const ce = mockClient(CostExplorerClient);
    try {
      ce.on(GetCostAndUsageCommand).resolves({
        ResultsByTime: [{
          TimePeriod: { Start: '2026-10-01', End: '2026-10-02' },
          Estimated: false,
          Groups: [
            { Keys: ['customer-service$checkout', '111111111111'], Metrics: { UnblendedCost: { Amount: '4.5', Unit: 'USD' } } },
            { Keys: ['customer-service$', '222222222222'], Metrics: { UnblendedCost: { Amount: '1.25', Unit: 'USD' } } },
          ],
        }],
      });
      const res = await runCli(['cost', '--source', 'ce', '--from', '2026-10-01', '--to', '2026-10-02', '--by', 'sub-account', '--no-usage',
        '--output', 'json', '--quiet'], { cwd });
      expect(res.stderr).toBe('');
      expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.GroupBy).toEqual([{ Type: 'TAG', Key: 'customer-service' },
        { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }]);
      const data = JSON.parse(res.stdout);
      expect(byGroup(data)).toEqual({ 111111111111: 450, 222222222222: 125 });
      expect(data.groupColumn).toBe('Cost Explorer LINKED_ACCOUNT');
      await runCli(['cost', '--source', 'ce', '--from', '2026-10-01', '--to', '2026-10-02', '--by', 'charge-category', '--no-usage', '--quiet'], { cwd });
      expect(ce.commandCalls(GetCostAndUsageCommand)[1].args[0].input.GroupBy).toEqual([{ Type: 'TAG', Key: 'customer-service' },
        { Type: 'DIMENSION', Key: 'RECORD_TYPE' }]);
      for (const by of ['region', 'billing-account', 'service-category']) {
        const refused = await runCli(['cost', '--source', 'ce', '--by', by, '--quiet'], { cwd });
        expect(refused.code).toBe(2);
        expectOneLine(refused.stderr);
        expect(refused.stderr).toMatch(new RegExp(`^customer-value cost: --by ${by}: Cost Explorer`));
      }
      expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(2);
    } finally {
      ce.restore();
    }
  });
});
