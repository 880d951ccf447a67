import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAssembly, CHECKOUT, record, runCli, WISHLIST } from './fixtures';
import { plainQuery } from './focus-provider-files';
import { generateFocus, FocusTotals } from '../../scripts/generate-focus';
import { tempDir } from '../util';

/*
 * customer-value cost --source focus, through the CLI with real DuckDB on real files: the committed samples
 * (scripts/generate-focus.ts, Parquet and CSV.gz) and data generated per test. FOCUS facts: the specification's
 * columns per version (focus.finops.org changelog), AWS's FOCUS 1.0/1.2 table dictionaries, Microsoft's FOCUS file
 * schema (Tags a JSON object in CSV); the messy parts (keys with spaces and casing variants, several providers) are
 * those the FinOps Foundation's sample data shows (aws-cost-facts §11).
 */

jest.setTimeout(120_000);

const SAMPLE = path.join(__dirname, '..', '..', 'examples', 'data', 'focus', 'customer-value-focus');
const SAMPLE_CSV = path.join(__dirname, '..', '..', 'examples', 'data', 'focus-csv', 'customer-value-focus');
const TOTALS: FocusTotals = JSON.parse(fs.readFileSync(`${SAMPLE}-totals.json`, 'utf8'));
const TOTALS_CSV: FocusTotals = JSON.parse(fs.readFileSync(`${SAMPLE_CSV}-totals.json`, 'utf8'));
const PERIOD = ['--from', TOTALS.from, '--to', TOTALS.to];

/** A declared service that has no cost in the data. */
const LOYALTY = record({
  serviceName: 'loyalty',
  customerNeed: 'Shoppers collect points on every order they place',
  customer: { kind: 'external', name: 'Online shoppers' },
  team: 'payments',
  businessUnit: 'retail',
  stackName: 'Shop',
});

let cwd: string;
let work: string;
beforeAll(() => {
  cwd = tempDir();
  work = tempDir();
  buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST, LOYALTY] }]);
});

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

/** Cents, to compare amounts to the cent. */
const cents = (n: number) => Math.round(n * 100);

/** A query straight over the files with DuckDB, without the CLI. */
const direct = plainQuery;

async function focus(target: string | string[], extra: string[] = [], dir = cwd) {
  const period = extra.includes('--from') ? [] : PERIOD;
  return runCli(['cost', '--source', 'focus', ...(Array.isArray(target) ? target : [target]), ...period, '--quiet', ...extra], { cwd: dir });
}

async function json(target: string | string[], extra: string[] = []) {
  const res = await focus(target, ['--output', 'json', ...extra]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout);
}

async function generate(name: string, options: Partial<Parameters<typeof generateFocus>[0]> = {}): Promise<{ dir: string; totals: FocusTotals }> {
  const out = path.join(work, name);
  const totals = await generateFocus({ rows: 1200, out, ...options });
  return { dir: path.join(out, totals.exportName), totals };
}

describe('the committed samples: totals to the cent, against a direct DuckDB query over the same files', () => {
  test('Parquet (Tags a map): per service, untagged, total; the join with the declarations', async () => {
    const data = await json(SAMPLE);
    const [truth] = await direct(`SELECT SUM(BilledCost) AS total, SUM(CASE WHEN Tags['customer-service'] IS NULL THEN BilledCost ELSE 0 END) AS untagged
      FROM read_parquet('${SAMPLE}/data/*/*.parquet') WHERE ChargePeriodStart >= TIMESTAMP '${TOTALS.from}' AND ChargePeriodStart < TIMESTAMP '${TOTALS.to}'`);
    const byService = await direct(`SELECT Tags['customer-service'] AS service, SUM(BilledCost) AS cost FROM read_parquet('${SAMPLE}/data/*/*.parquet')
      WHERE Tags['customer-service'] IS NOT NULL GROUP BY 1`);
    expect(cents(data.total)).toBe(cents(Number(truth.total)));
    expect(cents(data.total)).toBe(cents(TOTALS.byCurrency.USD.billed.total));
    expect(cents(data.untagged.amount)).toBe(cents(Number(truth.untagged)));
    const rows = Object.fromEntries(data.rows.map((r: any) => [r.group, r]));
    for (const r of byService) {
      expect(cents(rows[String(r.service)].cost)).toBe(cents(Number(r.cost)));
      expect(cents(rows[String(r.service)].cost)).toBe(cents(TOTALS.byCurrency.USD.billed.byService[String(r.service)]));
    }
    // declared services are joined (need, team, review); the others are tag values nobody declared
    expect(rows.checkout.status).toBe('declared');
    expect(rows.checkout.customerNeeds).toEqual(['Shoppers pay for their basket in one step']);
    expect(rows.wishlist.teams).toEqual(['discovery']);
    expect(rows[''].status).toBe('untagged');
    expect(data.declaredWithoutCost).toEqual(['loyalty']);
    expect(data.undeclaredTagValues.map((u: any) => u.value).sort()).toEqual(['data-platform', 'private-network', 'product-search', 'reports']);
    // the tagged share leaves Tax, Credit, Adjustment and Purchase out; every row names its providers
    const t = TOTALS.byCurrency.USD.billed;
    const nonResource = t.byCategory.Tax + t.byCategory.Credit + t.byCategory.Adjustment + t.byCategory.Purchase;
    expect(data.tagged.basis).toBe('resource-spend');
    expect(cents(data.tagged.amount)).toBe(cents(t.total - t.untagged));
    expect(data.tagged.share).toBeCloseTo((t.total - t.untagged) / (t.total - nonResource), 6);
    const providers = await direct(`SELECT DISTINCT ProviderName AS provider FROM read_parquet('${SAMPLE}/data/*/*.parquet')
      WHERE Tags['customer-service'] = 'checkout' AND ChargePeriodStart >= TIMESTAMP '${TOTALS.from}' AND ChargePeriodStart < TIMESTAMP '${TOTALS.to}'`);
    expect(providers.length).toBeGreaterThan(1);
    expect(Object.keys(rows.checkout.providers).sort()).toEqual(providers.map((r) => String(r.provider)).sort());
    expect(data.source).toBe('FOCUS 1.2 files (2 Parquet files, billing periods 2026-10, 2026-11)');
    expect(data.metric).toBe('billed');
    expect(data.notes).toContainEqual(expect.stringMatching(/^totals include tax \([\d.]+ USD\), credits \(-[\d.]+ USD\), adjustments .* and purchases/));
    expect(data.notes).toContainEqual(`${t.corrections.toFixed(2)} USD of corrections (ChargeClass Correction) count in the charge period they correct `
      + '(ChargePeriodStart), which may be in an earlier billing period');
  });

  test('CSV.gz (Tags a JSON string; empty, {} and NULL cells; 18 decimals): the same against a direct query of the text', async () => {
    const data = await json(SAMPLE_CSV, ['--from', TOTALS_CSV.from, '--to', TOTALS_CSV.to]);
    const rows = await direct(`SELECT json_extract_string(Tags, '$."customer-service"') AS service, SUM(CAST(BilledCost AS DECIMAL(38, 18))) AS cost
      FROM read_csv('${SAMPLE_CSV}/data/*/*.csv.gz', all_varchar = true, nullstr = ['', 'NULL']) GROUP BY 1`);
    const total = rows.reduce((s, r) => s + Number(r.cost), 0);
    expect(cents(data.total)).toBe(cents(total));
    expect(cents(data.total)).toBe(cents(TOTALS_CSV.byCurrency.USD.billed.total));
    const byGroup = Object.fromEntries(data.rows.map((r: any) => [r.group, r.cost]));
    for (const r of rows.filter((x) => x.service !== null)) {
      expect(cents(byGroup[String(r.service)])).toBe(cents(Number(r.cost)));
    }
    expect(cents(byGroup[''])).toBe(cents(Number(rows.find((r) => r.service === null)?.cost)));
    // the file really holds the messy parts
    const text = zlib.gunzipSync(fs.readFileSync(`${SAMPLE_CSV}/data/billing_period=2026-10/customer-value-focus-00001.csv.gz`)).toString();
    expect(text).toMatch(/,NULL,/);
    expect(text).toMatch(/,\{\}\n/);
    expect(text).toMatch(/\d\.\d{18},/);
    expect(text).toContain('""Customer-Service""');
  });
});

test('a glob and a data folder read the same files as the export folder', async () => {
  const whole = await json(SAMPLE);
  const glob = await json(`${SAMPLE}/data/billing_period=*/*.parquet`);
  const data = await json(path.join(SAMPLE, 'data'));
  expect(cents(glob.total)).toBe(cents(whole.total));
  expect(cents(data.total)).toBe(cents(whole.total));
});

describe('FOCUS versions, read from the columns', () => {
  test.each(['1.0', '1.1', '1.3'])('FOCUS %s', async (version) => {
    const { dir, totals } = await generate(`v${version}`, { focusVersion: version, format: version === '1.1' ? 'csv' : 'parquet' });
    const data = await json(dir, ['--from', totals.from, '--to', totals.to]);
    expect(data.source).toMatch(new RegExp(`^FOCUS ${version.replace('.', '\\.')} files`));
    expect(cents(data.total)).toBe(cents(totals.byCurrency.USD.billed.total));
    expect(Object.keys(data.providers).sort()).toEqual(['AWS', 'Google Cloud', 'Microsoft']);
    // 1.0 and 1.1 have no InvoiceId: nothing is marked estimated
    expect(data.estimated).toBe(version === '1.3');
  });

  test('every metric: billed (default), effective, list, contracted; unblended and amortized read as their FOCUS equivalents', async () => {
    const t = TOTALS.byCurrency.USD;
    for (const [metric, expected] of [['effective', t.effective], ['list', t.list], ['contracted', t.contracted], ['amortized', t.effective], ['unblended', t.billed]] as const) {
      const data = await json(SAMPLE, ['--metric', metric]);
      expect(cents(data.total)).toBe(cents(expected.total));
      expect(cents(data.untagged.amount)).toBe(cents(expected.untagged));
    }
    const amortized = await json(SAMPLE, ['--metric', 'amortized']);
    expect(amortized.notes).toContain('--metric amortized is read as FOCUS EffectiveCost (--metric effective), its FOCUS equivalent');
    const res = await focus(SAMPLE, ['--metric', 'net-unblended']);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/--metric net-unblended has no FOCUS equivalent/);
  });

  test('ChargePeriodStart within [--from, --to): one month of two, against a direct query', async () => {
    const data = await json(SAMPLE, ['--from', '2026-11-01', '--to', '2026-12-01']);
    const [truth] = await direct(`SELECT SUM(BilledCost) AS total FROM read_parquet('${SAMPLE}/data/*/*.parquet')
      WHERE ChargePeriodStart >= TIMESTAMP '2026-11-01' AND ChargePeriodStart < TIMESTAMP '2026-12-01'`);
    expect(cents(data.total)).toBe(cents(Number(truth.total)));
    // October corrections delivered in November's files count in October
    const [oct] = await direct(`SELECT SUM(BilledCost) AS c FROM read_parquet('${SAMPLE}/data/billing_period=2026-11/*.parquet')
      WHERE ChargeClass = 'Correction' AND ChargePeriodStart < TIMESTAMP '2026-11-01'`);
    expect(Number(oct.c)).toBeLessThan(0);
  });
});

describe('tags: near-duplicate keys, key mapping', () => {
  test('near-duplicate keys are reported with their cost, never merged', async () => {
    const data = await json(SAMPLE);
    const near = TOTALS.nearDuplicateKeys.USD;
    for (const [key, amount] of Object.entries(near)) {
      const note = data.notes.find((n: string) => n.includes(`carries ${JSON.stringify(key)} but not "customer-service"`));
      expect(note).toMatch(new RegExp(`^near-duplicate tag key \\(data quality\\): ${amount.toFixed(2).replace('.', '\\.')} USD on \\d+ rows`));
    }
    // their cost stays untagged
    expect(cents(data.untagged.amount)).toBe(cents(TOTALS.byCurrency.USD.billed.untagged));
  });

  test('--tag-key reads another key; the same mapping from cdk.json context', async () => {
    const mapped = await json(SAMPLE, ['--tag-key', 'service=Customer-Service']);
    const [truth] = await direct(`SELECT SUM(BilledCost) AS c FROM read_parquet('${SAMPLE}/data/*/*.parquet') WHERE Tags['Customer-Service'] IS NOT NULL`);
    expect(cents(mapped.total - mapped.untagged.amount)).toBe(cents(Number(truth.c)));
    expect(mapped.tagged.tagKey).toBe('Customer-Service');

    const dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: { 'customer-value:costDataTagKeys': { service: 'Customer-Service' } } }));
    const fromContext = await focus(SAMPLE, ['--output', 'json'], dir);
    expect(fromContext.code).toBe(0);
    expect(cents(JSON.parse(fromContext.stdout).untagged.amount)).toBe(cents(mapped.untagged.amount));
    // a flag wins over cdk.json
    const flag = await focus(SAMPLE, ['--output', 'json', '--tag-key', 'service=customer-service'], dir);
    expect(cents(JSON.parse(flag.stdout).untagged.amount)).toBe(cents(TOTALS.byCurrency.USD.billed.untagged));
    // a wrong context value is one line
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: { 'customer-value:costDataTagKeys': { owner: 'x' } } }));
    const bad = await focus(SAMPLE, [], dir);
    expect(bad.code).toBe(1);
    expectOneLine(bad.stderr);
    expect(bad.stderr).toMatch(/context "customer-value:costDataTagKeys" has the field "owner": accepted fields are service, need/);
  });

  test('--tag-key for --source cur: the mapped key is read from resource_tags', async () => {
    const sample = path.join(__dirname, '..', '..', 'examples', 'data', 'cur2', 'customer-value-cur');
    const cur = JSON.parse(fs.readFileSync(`${sample}-totals.json`, 'utf8'));
    const res = await runCli(['cost', '--source', 'cur', sample, '--from', cur.from, '--to', cur.to, '--by', 'team', '--tag-key', 'team=business-unit',
      '--tag-key', 'business-unit=team', '--output', 'json', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.tagKey).toBe('business-unit');
    const groups = Object.fromEntries(data.rows.map((r: any) => [r.group, r.cost]));
    for (const [unit, amount] of Object.entries(cur.unblended.byBusinessUnit)) {
      expect(groups[unit]).toBeCloseTo(amount as number, 4);
    }
  });

  test('--tag-key for --source ce: Cost Explorer groups by the mapped keys', async () => {
    const ce = mockClient(CostExplorerClient);
    try {
      ce.on(GetCostAndUsageCommand).resolves({
        ResultsByTime: [{
          TimePeriod: { Start: '2026-10-01', End: '2026-10-02' },
          Estimated: false,
          Groups: [
            { Keys: ['application$checkout', 'owner$payments'], Metrics: { UnblendedCost: { Amount: '4.5', Unit: 'USD' } } },
          ],
        }],
      });
      const res = await runCli(['cost', '--source', 'ce', '--from', '2026-10-01', '--to', '2026-10-02', '--by', 'team', '--tag-key', 'service=application',
        '--tag-key', 'team=owner', '--no-usage', '--output', 'json', '--quiet'], { cwd });
      expect(res.code).toBe(0);
      expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.GroupBy).toEqual([{ Type: 'TAG', Key: 'application' }, { Type: 'TAG', Key: 'owner' }]);
      expect(JSON.parse(res.stdout).rows[0]).toMatchObject({ group: 'payments', services: ['checkout'], status: 'declared' });
    } finally {
      ce.restore();
    }
  });

  test('a grouped key found nowhere: one line naming the keys the data has and --tag-key', async () => {
    const res = await focus(SAMPLE, ['--by', 'team', '--tag-key', 'team=owner']);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/carries the tag "owner" in Tags \(found: .*"Cost department".*\): keys are compared exactly; .*--tag-key team=KEY/);
  });
});

describe('providers and currencies', () => {
  test('--by provider: cost and tagged share per provider; the table shows a Providers column otherwise', async () => {
    const data = await json(SAMPLE, ['--by', 'provider']);
    expect(data.groupBy).toBe('provider');
    const rows = Object.fromEntries(data.rows.map((r: any) => [r.group, r]));
    for (const [provider, amount] of Object.entries(TOTALS.byCurrency.USD.billed.byProvider)) {
      expect(cents(rows[provider].cost)).toBe(cents(amount));
      expect(rows[provider].status).toBe('provider');
      expect(rows[provider].taggedShare).toBeGreaterThan(0);
    }
    const table = await focus(SAMPLE, ['--by', 'team']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Providers/);
    expect(table.stdout).toMatch(/AWS \d+\.\d %, Microsoft/);
  });

  test('several billing currencies: refused in one line naming each, or one reported with --currency (the others left out, said)', async () => {
    const { dir, totals } = await generate('eur', { currencies: { Microsoft: 'EUR' } });
    const range = ['--from', totals.from, '--to', totals.to];
    const refused = await focus(dir, range);
    expect(refused.code).toBe(1);
    expectOneLine(refused.stderr);
    expect(refused.stderr).toMatch(/holds charges in 2 billing currencies .*: EUR \([\d.]+ over \d+ rows, Microsoft\), USD \([\d.]+ over \d+ rows, AWS, Google Cloud\); amounts in different currencies are never added up: report one at a time with --currency EUR or --currency USD/);
    const eur = await json(dir, [...range, '--currency', 'EUR']);
    expect(eur.currency).toBe('EUR');
    expect(cents(eur.total)).toBe(cents(totals.byCurrency.EUR.billed.total));
    expect(eur.notes).toContainEqual(expect.stringMatching(/^only charges billed in EUR are reported \(--currency\); left out, never converted or added: USD/));
    const usd = await json(dir, [...range, '--currency', 'USD']);
    expect(cents(usd.total)).toBe(cents(totals.byCurrency.USD.billed.total));
    const none = await focus(dir, [...range, '--currency', 'GBP']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--currency GBP: .* holds no charges billed in GBP/);
  });
});

describe('every output format', () => {
  test.each(['table', 'csv', 'markdown', 'html'])('%s', async (format) => {
    const res = await focus(SAMPLE, ['--output', format, ...(format === 'html' ? ['--out', '-'] : [])]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/checkout/);
    // the main table names the providers of each row; the notes (all but CSV, which holds the table only) the near-duplicates
    expect(res.stdout).toMatch(/Providers/);
    if (format !== 'csv') {
      expect(res.stdout).toMatch(/near-duplicate tag key/);
    }
  });
});

describe('bad inputs: one clear line and a non-zero exit', () => {
  test('not FOCUS data (a CUR 2.0 export)', async () => {
    const res = await focus(path.join(__dirname, '..', '..', 'examples', 'data', 'cur2', 'customer-value-cur'));
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/is not FOCUS data: it has none of the FOCUS columns BilledCost, BillingCurrency, .* \(it is CUR 2.0 data: use --source cur\)/);
  });

  test('missing columns', async () => {
    const file = path.join(work, 'partial.csv');
    fs.writeFileSync(file, 'BilledCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName\n1.5,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,AWS\n');
    const res = await focus(file);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/partial\.csv \(FOCUS 1\.0\) lacks the column Tags that --metric billed \(BilledCost\) per customer value needs \(select Tags in the export\)/);
    const core = path.join(work, 'core.csv');
    fs.writeFileSync(core, 'BilledCost,BillingCurrency,Tags\n1.5,USD,{}\n');
    const res2 = await focus(core);
    expect(res2.stderr).toMatch(/core\.csv is not FOCUS data this command can read: missing columns ChargeCategory, ChargePeriodStart, ChargePeriodEnd/);
  });

  test('mixed versions in one folder', async () => {
    const a = await generate('mix-a', { focusVersion: '1.0' });
    const b = await generate('mix-b', { focusVersion: '1.2' });
    const mixed = path.join(work, 'mixed');
    fs.mkdirSync(mixed, { recursive: true });
    fs.copyFileSync(path.join(a.dir, 'data', 'billing_period=2026-10', 'customer-value-focus-00001.snappy.parquet'), path.join(mixed, 'a.parquet'));
    fs.copyFileSync(path.join(b.dir, 'data', 'billing_period=2026-10', 'customer-value-focus-00001.snappy.parquet'), path.join(mixed, 'b.parquet'));
    const res = await focus(mixed);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/mixes FOCUS versions \(1\.0: .*a\.parquet; 1\.2: .*b\.parquet\): pass the files of one export \(one FOCUS version\) at a time/);
  });

  test('an unreadable file, and a value that is not a number', async () => {
    const broken = path.join(work, 'broken.parquet');
    fs.writeFileSync(broken, 'this is not parquet');
    const res = await focus(broken);
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: cannot read .*broken\.parquet as FOCUS data: /);
    const text = path.join(work, 'text.csv');
    fs.writeFileSync(text, 'BilledCost,BillingCurrency,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName,Tags\n'
      + '1.5,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,AWS,{}\nabc,USD,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,AWS,{}\n');
    const res2 = await focus(text);
    expect(res2.code).toBe(1);
    expectOneLine(res2.stderr);
    expect(res2.stderr).toMatch(/cannot read .*text\.csv as FOCUS data: line 3 has "abc" in BilledCost, which is not /);
  });

  test('FOCUS-only options with other sources are usage errors (exit 2)', async () => {
    for (const args of [['--source', 'cur', SAMPLE, '--currency', 'USD'], ['--source', 'ce', '--by', 'provider'], ['--source', 'ce', '--metric', 'billed'],
      ['--source', 'focus', SAMPLE, '--tag-key', 'owner=x'], ['--source', 'focus', SAMPLE, '--currency', 'usd'], ['--source', 'focus']]) {
      const res = await runCli(['cost', ...args], { cwd });
      expect(res.code).toBe(2);
      expectOneLine(res.stderr);
    }
  });
});

describe('customer-value review --source focus', () => {
  test('the monthly cost per declared service equals a direct DuckDB query of the same files, per charge-period month', async () => {
    // WHEN
    const res = await runCli(['review', '--source', 'focus', SAMPLE, '--from', '2026-10-01', '--to', '2026-12-01', '--output', 'json', '--quiet'],
      { cwd, now: new Date('2026-12-03T00:00:00Z') });

    // THEN
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.months).toEqual(['2026-10', '2026-11']);
    expect(data.source).toMatch(/FOCUS/);
    const truth = await direct(`SELECT Tags['customer-service'] AS service, strftime(ChargePeriodStart, '%Y-%m') AS month, SUM(BilledCost) AS cost
      FROM read_parquet('${SAMPLE}/data/*/*.parquet') WHERE Tags['customer-service'] IN ('checkout', 'wishlist') GROUP BY ALL`);
    expect(truth).toHaveLength(4);
    const retail = data.businessUnits.find((u: any) => u.businessUnit === 'retail');
    for (const r of truth) {
      const s = retail.services.find((x: any) => x.serviceName === r.service);
      expect(cents(s.cost[data.months.indexOf(r.month)])).toBe(cents(Number(r.cost)));
    }
    // a declared service without cost is a series of zeros and a flag; FOCUS files give no usage unless asked
    expect(retail.services.find((x: any) => x.serviceName === 'loyalty').cost).toEqual([0, 0]);
    expect(retail.services.find((x: any) => x.serviceName === 'checkout').usageNotAvailable).toBe('the source is FOCUS files; add --usage-file or --usage');
    expect(retail.flags.map((f: any) => `${f.rule} ${f.service}`)).toContain('no-cost loyalty');
  });

  test('--tag-key and cdk.json context map the keys as for cost', async () => {
    const review = (extra: string[], dir = cwd) => runCli(['review', '--source', 'focus', SAMPLE, '--from', '2026-10-01', '--to', '2026-12-01',
      '--output', 'json', '--quiet', ...extra], { cwd: dir, now: new Date('2026-12-03T00:00:00Z') });
    const truth = await direct(`SELECT Tags['Customer-Service'] AS service, SUM(BilledCost) AS cost FROM read_parquet('${SAMPLE}/data/*/*.parquet')
      WHERE Tags['Customer-Service'] IN ('checkout', 'wishlist') GROUP BY ALL`);
    expect(truth.length).toBeGreaterThan(0);
    const totalOf = (data: any, name: string) => data.businessUnits.flatMap((u: any) => u.services).find((x: any) => x.serviceName === name).total;

    const flag = await review(['--tag-key', 'service=Customer-Service']);
    expect(flag.code).toBe(0);
    for (const r of truth) {
      expect(cents(totalOf(JSON.parse(flag.stdout), String(r.service)))).toBe(cents(Number(r.cost)));
    }
    const dir = tempDir();
    buildAssembly(path.join(dir, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST, LOYALTY] }]);
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: { 'customer-value:costDataTagKeys': { service: 'Customer-Service' } } }));
    const context = await review([], dir);
    expect(context.code).toBe(0);
    expect(JSON.parse(context.stdout).businessUnits).toEqual(JSON.parse(flag.stdout).businessUnits);

    const bad = await review(['--tag-key', 'owner=x']);
    expect(bad.code).toBe(2);
    expectOneLine(bad.stderr);
  });
});
