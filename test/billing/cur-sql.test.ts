import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CUR2_COLUMNS } from './cur2-columns';
import { CostGrouping, CostMetric, CurQueries, SqlDialect, TagKeys } from '../../src';

/*
 * The SQL of CurQueries, checked two ways: the text (structure, dialects, filters, injection safety) and the
 * results, executed for real in DuckDB over a small CUR 2.0 table whose totals are known by hand.
 *
 * AWS behaviour relied on (../shared/reference/aws-cost-facts.md §6, §8):
 * - resource_tags is a map<string,string>; a key appears as user_<normalised key>, only on line items carrying it;
 * - Athena reads a map key with element_at (NULL when missing); DuckDB 1.5 with map['key'] (NULL when missing);
 * - a Data Exports query must list its columns (SELECT * is rejected) from COST_AND_USAGE_REPORT.
 */

// Every line item type of the amortization logic, with values chosen so each branch moves the total.
// [day, type, currency, unblended, net, tags, product, ri arn, ri effective, ri unused upfront, ri unused recurring,
//  sp effective, sp commitment to date, sp used, invoice]
type Row = [string, string, string, number, number | null, Record<string, string> | null, string,
  string, number | null, number | null, number | null, number | null, number | null, number | null, string];
const ROWS: Row[] = [
  ['2026-08-01', 'Usage', 'USD', 10, 9, { user_customer_service: 'wishlist', user_team: 'discovery', user_business_unit: 'retail', user_customer_need: 'keep list', user_customer: 'external:Online shoppers' }, 'AmazonDynamoDB', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-01', 'Usage', 'USD', 20, 18, { user_customer_service: 'checkout', user_team: 'payments', user_business_unit: 'retail' }, 'AWSLambda', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-02', 'SavingsPlanCoveredUsage', 'USD', 8, 8, { user_customer_service: 'checkout', user_team: 'payments', user_business_unit: 'retail' }, 'AmazonEC2', '', null, null, null, 5, null, null, 'INV-1'],
  ['2026-08-02', 'SavingsPlanNegation', 'USD', -8, -8, { user_customer_service: 'checkout', user_team: 'payments', user_business_unit: 'retail' }, 'AmazonEC2', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-01', 'SavingsPlanRecurringFee', 'USD', 7, 7, null, 'ComputeSavingsPlans', '', null, null, null, null, 7, 5, 'INV-1'],
  ['2026-08-01', 'SavingsPlanUpfrontFee', 'USD', 100, 100, null, 'ComputeSavingsPlans', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-03', 'DiscountedUsage', 'USD', 0, 0, { user_customer_service: 'search', user_team: 'discovery', user_business_unit: 'retail', user_customer_need: '' }, 'AmazonEC2', 'arn:aws:ec2:ri', 3, null, null, null, null, null, 'INV-1'],
  ['2026-08-01', 'RIFee', 'USD', 4, 4, null, 'AmazonEC2', 'arn:aws:ec2:ri', null, 0.5, 0.25, null, null, null, 'INV-1'],
  ['2026-08-01', 'Fee', 'USD', 50, 50, null, 'AmazonEC2', 'arn:aws:ec2:ri', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-01', 'Fee', 'USD', 2, 2, null, 'AWSSupportBusiness', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-31', 'Tax', 'USD', 1.5, 1.5, null, 'AmazonEC2', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-31', 'Credit', 'USD', -2, -2, { user_customer_service: 'wishlist', user_team: 'discovery', user_business_unit: 'retail' }, 'AmazonDynamoDB', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-31', 'Refund', 'USD', -1, -1, null, 'ComputeSavingsPlans', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-08-15', 'Usage', 'USD', 6, null, { user_team: 'data' }, 'AmazonS3', '', null, null, null, null, null, null, 'INV-1'],
  ['2026-09-01', 'Usage', 'USD', 1000, 900, { user_customer_service: 'wishlist', user_team: 'discovery', user_business_unit: 'retail' }, 'AmazonDynamoDB', '', null, null, null, null, null, null, ''],
  ['2026-07-31', 'Usage', 'USD', 500, 500, { user_customer_service: 'wishlist', user_team: 'discovery', user_business_unit: 'retail' }, 'AmazonDynamoDB', '', null, null, null, null, null, null, 'INV-0'],
];

// Totals for August 2026, worked out by hand from ROWS.
const AUGUST_UNBLENDED = 10 + 20 + 8 - 8 + 7 + 100 + 0 + 4 + 50 + 2 + 1.5 - 2 - 1 + 6; // 197.5
// amortized: usage 10 + 20; SP covered 5; negation 0; SP recurring 7 - 5 = 2; SP upfront 0; RI usage 3;
// RI fee 0.5 + 0.25; RI upfront Fee 0; other Fee 2; tax 1.5; credit -2; CSP refund 0; S3 6
const AUGUST_AMORTIZED = 10 + 20 + 5 + 0 + 2 + 0 + 3 + 0.75 + 0 + 2 + 1.5 - 2 + 0 + 6; // 48.25
// net: COALESCE(net, unblended): 9 + 18 + 8 - 8 + 7 + 100 + 0 + 4 + 50 + 2 + 1.5 - 2 - 1 + 6 (S3 net is NULL)
const AUGUST_NET = 9 + 18 + 8 - 8 + 7 + 100 + 0 + 4 + 50 + 2 + 1.5 - 2 - 1 + 6; // 194.5

let instance: DuckDBInstance;
let db: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  await db.run(`CREATE TABLE cur (
    line_item_usage_start_date TIMESTAMP, line_item_line_item_type VARCHAR, line_item_currency_code VARCHAR,
    line_item_unblended_cost DOUBLE, line_item_net_unblended_cost DOUBLE, resource_tags MAP(VARCHAR, VARCHAR),
    line_item_product_code VARCHAR, reservation_reservation_a_r_n VARCHAR, reservation_effective_cost DOUBLE,
    reservation_unused_amortized_upfront_fee_for_billing_period DOUBLE, reservation_unused_recurring_fee DOUBLE,
    savings_plan_savings_plan_effective_cost DOUBLE, savings_plan_total_commitment_to_date DOUBLE,
    savings_plan_used_commitment DOUBLE, bill_invoice_id VARCHAR, billing_period VARCHAR)`);
  const values = ROWS.map((r) => {
    const [day, type, currency, unblended, net, tags, product, riArn, riEff, riUpfront, riRecurring, spEff, spTotal, spUsed, invoice] = r;
    const map = tags === null ? 'NULL' : `MAP {${Object.entries(tags).map(([k, v]) => `'${k}': '${v.replace(/'/g, "''")}'`).join(', ')}}::MAP(VARCHAR, VARCHAR)`;
    const num = (n: number | null) => (n === null ? 'NULL' : String(n));
    return `(TIMESTAMP '${day} 10:00:00', '${type}', '${currency}', ${unblended}, ${num(net)}, ${map}, '${product}', '${riArn}', ${num(riEff)}, `
      + `${num(riUpfront)}, ${num(riRecurring)}, ${num(spEff)}, ${num(spTotal)}, ${num(spUsed)}, '${invoice}', '${day.slice(0, 7)}')`;
  });
  await db.run(`INSERT INTO cur VALUES ${values.join(',\n')}`);
});

afterAll(() => {
  db?.closeSync();
  instance?.closeSync();
});

async function rows(sql: string): Promise<Record<string, any>[]> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJson().map((row) => {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(row)) {
      out[k] = typeof v === 'string' && /^-?\d+(\.\d+)?(e-?\d+)?$/.test(v) && k !== 'service' && k !== 'group_value' ? Number(v) : v;
    }
    return out;
  });
}

const AUGUST = { table: 'cur', dialect: SqlDialect.DUCKDB, from: '2026-08-01', to: '2026-09-01' };

describe('EXPORT_COLUMNS and exportQueryStatement', () => {
  test('list every column the queries read, with CUR 2.0 names and Glue types', () => {
    // GIVEN the export columns
    const names = CurQueries.EXPORT_COLUMNS.map((c) => c.name);
    // THEN every column any metric needs is exported, once
    for (const metric of Object.values(CostMetric)) {
      for (const col of CurQueries.requiredColumns(metric)) {
        expect(names).toContain(col);
      }
    }
    expect(names).toContain('bill_invoice_id');
    expect(names).toContain('line_item_resource_id');
    expect(names).toContain('line_item_usage_account_id');
    expect(names).toContain('bill_billing_period_start_date');
    expect(new Set(names).size).toBe(names.length);
    expect(CurQueries.EXPORT_COLUMNS.find((c) => c.name === 'resource_tags')?.type).toBe('map<string,string>');
    expect(CurQueries.EXPORT_COLUMNS.find((c) => c.name === 'line_item_usage_start_date')?.type).toBe('timestamp');
    expect(CurQueries.EXPORT_COLUMNS.find((c) => c.name === 'line_item_unblended_cost')?.type).toBe('double');
    for (const c of CurQueries.EXPORT_COLUMNS) {
      expect(c.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(['string', 'double', 'timestamp', 'map<string,string>']).toContain(c.type);
    }
  });

  test('the Data Exports statement lists the columns (no SELECT *) from COST_AND_USAGE_REPORT', () => {
    // WHEN
    const sql = CurQueries.exportQueryStatement();
    // THEN (facts §6: SELECT * is rejected; names are case-sensitive; at most 36,000 characters)
    expect(sql).toMatch(/^SELECT [a-z_, ]+ FROM COST_AND_USAGE_REPORT$/);
    expect(sql).not.toContain('*');
    expect(sql.length).toBeLessThanOrEqual(36000);
    const listed = sql.replace(/^SELECT /, '').replace(/ FROM COST_AND_USAGE_REPORT$/, '').split(', ');
    // each one a column of the CUR 2.0 table as AWS documents it (Data Exports refuses an unknown name), once
    expect(listed.filter((c) => !CUR2_COLUMNS.includes(c))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
    // and together every column a cost query reads, whatever the metric
    for (const metric of Object.values(CostMetric)) {
      expect(listed).toEqual(expect.arrayContaining(CurQueries.requiredColumns(metric)));
    }
  });
});

describe('costBy: SQL text', () => {
  test('Athena reads tags with element_at and the CUR map keys of TagKeys.curMapKey', () => {
    // WHEN
    const sql = CurQueries.costBy({ table: '"cur"."data"', groupBy: CostGrouping.TEAM });
    // THEN
    expect(sql).toContain("COALESCE(element_at(resource_tags, 'user_customer_service'), '') AS service");
    expect(sql).toContain("COALESCE(element_at(resource_tags, 'user_team'), '') AS group_value");
    expect(sql).toContain('FROM "cur"."data"');
    expect(sql).toContain('SUM(line_item_unblended_cost)'.replace('line_item_unblended_cost', 'cost'));
    expect(sql).not.toContain('WHERE');
    expect(sql).not.toContain('usage_date');
    expect(sql).not.toContain("resource_tags['");
  });

  test('DuckDB reads tags with map[key]', () => {
    const sql = CurQueries.costBy({ table: 'cur', groupBy: CostGrouping.BUSINESS_UNIT, dialect: SqlDialect.DUCKDB });
    expect(sql).toContain("COALESCE(resource_tags['user_business_unit'], '') AS group_value");
    expect(sql).not.toContain('element_at');
  });

  test.each([
    [CostGrouping.SERVICE, 'user_customer_service'],
    [CostGrouping.NEED, 'user_customer_need'],
    [CostGrouping.TEAM, 'user_team'],
    [CostGrouping.BUSINESS_UNIT, 'user_business_unit'],
    [CostGrouping.CUSTOMER, 'user_customer'],
  ])('grouping %s reads %s', (groupBy, mapKey) => {
    const sql = CurQueries.costBy({ table: 't', groupBy });
    if (groupBy === CostGrouping.SERVICE) {
      // the group is the service: the map value is read and grouped once
      expect(sql).toContain(`COALESCE(element_at(resource_tags, '${mapKey}'), '') AS service`);
      expect(sql).toContain('service AS group_value');
      expect(sql).toContain('GROUP BY service, currency');
    } else {
      expect(sql).toContain(`COALESCE(element_at(resource_tags, '${mapKey}'), '') AS group_value`);
      expect(sql).toContain('GROUP BY service, group_value, currency');
    }
  });

  test('custom tag keys go through TagKeys.curMapKey', () => {
    // GIVEN keys renamed by the organisation
    const tagKeys = TagKeys.custom({ team: 'OwnerTeam', service: 'app:service' });
    // WHEN
    const sql = CurQueries.costBy({ table: 't', groupBy: CostGrouping.TEAM, tagKeys });
    // THEN
    expect(sql).toContain("element_at(resource_tags, 'user_owner_team')");
    expect(sql).toContain("element_at(resource_tags, 'user_app_service')");
  });

  test('dates become a half-open timestamp range; a billing-period column adds partition pruning', () => {
    // WHEN
    const sql = CurQueries.costBy({ table: 't', groupBy: CostGrouping.SERVICE, from: '2026-07-15', to: '2026-09-01', billingPeriodColumn: 'billing_period' });
    // THEN
    expect(sql).toContain("line_item_usage_start_date >= TIMESTAMP '2026-07-15 00:00:00'");
    expect(sql).toContain("line_item_usage_start_date < TIMESTAMP '2026-09-01 00:00:00'");
    expect(sql).toContain("billing_period >= '2026-07'");
    expect(sql).toContain("billing_period <= '2026-08'");
  });

  test('daily adds usage_date; estimatedFlag reads bill_invoice_id', () => {
    const sql = CurQueries.costBy({ table: 't', groupBy: CostGrouping.SERVICE, daily: true, estimatedFlag: true });
    expect(sql).toContain('CAST(line_item_usage_start_date AS DATE) AS usage_date');
    expect(sql).toContain('GROUP BY service, usage_date, currency');
    expect(sql).toContain('bill_invoice_id');
  });

  test.each([
    ['from', { from: '2026-13-01' }, /from is "2026-13-01": expected a calendar date YYYY-MM-DD/],
    ['from', { from: '2026-02-30' }, /from is "2026-02-30"/],
    ['to', { to: "2026-01-01' OR 1=1 --" }, /to is .*expected a calendar date/],
    ['range', { from: '2026-09-01', to: '2026-09-01' }, /from \(2026-09-01\) must be before to \(2026-09-01\)/],
    ['table', { table: 'cur; DROP TABLE cur' }, /table is .*without ';'/],
    ['table', { table: ' ' }, /table is/],
    ['billingPeriodColumn', { billingPeriodColumn: 'x = x OR 1' }, /billingPeriodColumn is "x = x OR 1"/],
    ['groupBy', { groupBy: 'owner' }, /groupBy is "owner": accepted values are service, need, team, business-unit, customer/],
    ['metric', { metric: 'blended' }, /metric is "blended": accepted values are unblended, amortized, net-unblended/],
    ['dialect', { dialect: 'presto' }, /dialect is "presto": accepted values are athena, duckdb/],
  ])('refuses a bad %s with a message naming it', (_field, override, message) => {
    const options = { table: 't', groupBy: CostGrouping.SERVICE, ...override } as any;
    expect(() => CurQueries.costBy(options)).toThrow(message);
    expect(() => CurQueries.untaggedShare(options)).toThrow(message);
  });

  test('tag keys cannot inject SQL: custom keys are validated, map keys are [a-z0-9_]', () => {
    expect(() => TagKeys.custom({ team: "team') OR 1=1 --" })).toThrow(/team key is/);
    for (const key of TagKeys.DEFAULT.all()) {
      expect(TagKeys.curMapKey(key)).toMatch(/^user_[a-z0-9_]+$/);
    }
  });

  test('athenaTable quotes and validates Glue names', () => {
    expect(CurQueries.athenaTable('CustomerValue_cur', 'data')).toBe('"customervalue_cur"."data"');
    expect(() => CurQueries.athenaTable('db"; drop', 'data')).toThrow(/database is "db\\"; drop": a Glue name is 1-255 letters, digits and _/);
    expect(() => CurQueries.athenaTable('db', '')).toThrow(/table is ""/);
  });
});

describe('costBy executed in DuckDB', () => {
  test('unblended per service: tagged services, untagged as its own group, other months excluded', async () => {
    // WHEN
    const result = await rows(CurQueries.costBy({ ...AUGUST, groupBy: CostGrouping.SERVICE }));
    // THEN
    const by = Object.fromEntries(result.map((r) => [r.group_value, r]));
    expect(Object.keys(by).sort()).toEqual(['', 'checkout', 'search', 'wishlist']);
    expect(by.wishlist.amount).toBeCloseTo(10 - 2, 9);
    expect(by.wishlist.credit_amount).toBeCloseTo(-2, 9);
    expect(by.checkout.amount).toBeCloseTo(20 + 8 - 8, 9);
    expect(by.search.amount).toBeCloseTo(0, 9);
    expect(by[''].amount).toBeCloseTo(7 + 100 + 4 + 50 + 2 + 1.5 - 1 + 6, 9);
    expect(by[''].tax_amount).toBeCloseTo(1.5, 9);
    expect(by[''].credit_amount).toBeCloseTo(-1, 9);
    expect(result.reduce((s, r) => s + r.amount, 0)).toBeCloseTo(AUGUST_UNBLENDED, 9);
    expect(result.reduce((s, r) => s + r.line_items, 0)).toBe(14);
    expect(result.every((r) => r.currency === 'USD')).toBe(true);
    // ordered by amount, largest first
    expect(result.map((r) => r.amount)).toEqual([...result.map((r) => r.amount)].sort((a, b) => b - a));
  });

  test.each([
    [CostGrouping.TEAM, { discovery: 8, payments: 20, data: 6 }],
    [CostGrouping.BUSINESS_UNIT, { retail: 28 }],
    [CostGrouping.NEED, { 'keep list': 10 }],
    [CostGrouping.CUSTOMER, { 'external:Online shoppers': 10 }],
  ])('grouping %s sums per tag value, with the service alongside', async (groupBy, expected) => {
    const result = await rows(CurQueries.costBy({ ...AUGUST, groupBy }));
    const sums: Record<string, number> = {};
    for (const r of result) {
      sums[r.group_value] = (sums[r.group_value] ?? 0) + r.amount;
    }
    for (const [value, amount] of Object.entries(expected)) {
      expect(sums[value]).toBeCloseTo(amount, 9);
    }
    // the empty need value counts as untagged, like a missing key
    expect(Object.keys(sums).filter((k) => !(k in expected))).toEqual(['']);
    expect(Object.values(sums).reduce((a, b) => a + b, 0)).toBeCloseTo(AUGUST_UNBLENDED, 9);
    // the service column is there to join with declarations
    expect(result.some((r) => r.service === 'wishlist' || r.service === 'checkout')).toBe(true);
  });

  test('the S3 line item tagged with a team but no service keeps service "" and its team', async () => {
    const result = await rows(CurQueries.costBy({ ...AUGUST, groupBy: CostGrouping.TEAM }));
    const data = result.filter((r) => r.group_value === 'data');
    expect(data).toEqual([expect.objectContaining({ service: '', group_value: 'data', amount: 6 })]);
  });

  test('amortized follows the line-item-type logic', async () => {
    const result = await rows(CurQueries.costBy({ ...AUGUST, groupBy: CostGrouping.SERVICE, metric: CostMetric.AMORTIZED }));
    const by = Object.fromEntries(result.map((r) => [r.group_value, r.amount]));
    expect(by.checkout).toBeCloseTo(20 + 5, 9); // SP-covered usage at its effective cost, negation at 0
    expect(by.search).toBeCloseTo(3, 9); // RI-covered usage at the effective cost
    expect(by['']).toBeCloseTo(2 + 0.75 + 2 + 1.5 + 6, 9); // unused SP and RI fees, support fee, tax, S3; upfront fees and CSP refund at 0
    expect(result.reduce((s, r) => s + r.amount, 0)).toBeCloseTo(AUGUST_AMORTIZED, 9);
  });

  test('net unblended falls back to unblended where the net cost is empty', async () => {
    const result = await rows(CurQueries.costBy({ ...AUGUST, groupBy: CostGrouping.SERVICE, metric: CostMetric.NET_UNBLENDED }));
    expect(result.reduce((s, r) => s + r.amount, 0)).toBeCloseTo(AUGUST_NET, 9);
  });

  test('daily splits by UTC usage day; the date range is half-open', async () => {
    const result = await rows(CurQueries.costBy({ table: 'cur', dialect: SqlDialect.DUCKDB, groupBy: CostGrouping.SERVICE, daily: true, from: '2026-08-31', to: '2026-09-02' }));
    expect(result.map((r) => [r.usage_date, r.group_value, r.amount])).toEqual(expect.arrayContaining([
      ['2026-09-01', 'wishlist', 1000],
      ['2026-08-31', 'wishlist', -2],
      ['2026-08-31', '', 0.5],
    ]));
    expect(result).toHaveLength(3);
  });

  test('estimated is 1 where the billing period has no invoice yet', async () => {
    const result = await rows(CurQueries.costBy({ table: 'cur', dialect: SqlDialect.DUCKDB, groupBy: CostGrouping.SERVICE, from: '2026-08-01', estimatedFlag: true }));
    const wishlist = result.find((r) => r.group_value === 'wishlist')!;
    expect(wishlist.estimated).toBe(1);
    expect(result.find((r) => r.group_value === 'checkout')!.estimated).toBe(0);
  });

  test('billingPeriodColumn filters partitions without changing the result', async () => {
    const plain = await rows(CurQueries.costBy({ ...AUGUST, groupBy: CostGrouping.SERVICE }));
    const pruned = await rows(CurQueries.costBy({ ...AUGUST, groupBy: CostGrouping.SERVICE, billingPeriodColumn: 'billing_period' }));
    expect(pruned).toEqual(plain);
  });

  test('an empty period returns no rows', async () => {
    expect(await rows(CurQueries.costBy({ table: 'cur', dialect: SqlDialect.DUCKDB, groupBy: CostGrouping.SERVICE, from: '2020-01-01', to: '2020-02-01' }))).toEqual([]);
  });

  test('currencies are never added together', async () => {
    // GIVEN a second currency
    await db.run('CREATE TEMP TABLE cur_eur AS SELECT * FROM cur');
    await db.run("UPDATE cur_eur SET line_item_currency_code = 'EUR' WHERE line_item_product_code = 'AmazonS3'");
    // WHEN
    const result = await rows(CurQueries.costBy({ ...AUGUST, table: 'cur_eur', groupBy: CostGrouping.TEAM }));
    // THEN
    expect(result.find((r) => r.group_value === 'data')).toEqual(expect.objectContaining({ currency: 'EUR', amount: 6 }));
    expect(new Set(result.map((r) => r.currency))).toEqual(new Set(['USD', 'EUR']));
  });
});

describe('untaggedShare executed in DuckDB', () => {
  test('splits spend into untagged and tagged, with and without tax, credits and refunds', async () => {
    const [share] = await rows(CurQueries.untaggedShare({ ...AUGUST, groupBy: CostGrouping.SERVICE }));
    expect(share.currency).toBe('USD');
    expect(share.amount).toBeCloseTo(AUGUST_UNBLENDED, 9);
    expect(share.untagged_amount).toBeCloseTo(7 + 100 + 4 + 50 + 2 + 1.5 - 1 + 6, 9);
    expect(share.resource_amount).toBeCloseTo(AUGUST_UNBLENDED - 1.5 + 2 + 1, 9);
    expect(share.untagged_resource_amount).toBeCloseTo(7 + 100 + 4 + 50 + 2 + 6, 9);
    expect(share.line_items).toBe(14);
    expect(share.untagged_line_items).toBe(8);
  });

  test('untagged is relative to the grouped key', async () => {
    const [share] = await rows(CurQueries.untaggedShare({ ...AUGUST, groupBy: CostGrouping.NEED }));
    // only the wishlist usage (10) carries a non-empty need
    expect(share.untagged_amount).toBeCloseTo(AUGUST_UNBLENDED - 10, 9);
  });
});

describe('tagKeysPresent', () => {
  test('lists the user_ keys found in resource_tags, in DuckDB', async () => {
    const result = await rows(CurQueries.tagKeysPresent('cur', SqlDialect.DUCKDB));
    expect(result.map((r) => r.tag_key)).toEqual(['user_business_unit', 'user_customer', 'user_customer_need', 'user_customer_service', 'user_team']);
    expect(result.find((r) => r.tag_key === 'user_team')!.line_items).toBe(9);
  });

  test('is the documented UNNEST(map_keys(...)) query for Athena', () => {
    const sql = CurQueries.tagKeysPresent('"cur"."data"');
    expect(sql).toContain('FROM "cur"."data"\nCROSS JOIN UNNEST(map_keys(resource_tags)) AS t (tag_key)');
    expect(() => CurQueries.tagKeysPresent('x;y')).toThrow(/without ';'/);
    expect(() => CurQueries.tagKeysPresent('x', 'presto' as SqlDialect)).toThrow(/dialect is "presto"/);
  });
});

describe('namedQueries', () => {
  test('one per grouping plus the untagged share, Athena SQL, partition-agnostic', () => {
    const queries = CurQueries.namedQueries({ table: CurQueries.athenaTable('cur', 'data') });
    expect(queries.map((q) => q.name)).toEqual([
      'cost-per-service', 'cost-per-need', 'cost-per-team', 'cost-per-business-unit', 'cost-per-customer', 'untagged-share',
    ]);
    for (const q of queries) {
      expect(q.queryString).toContain('FROM "cur"."data"');
      expect(q.queryString).toContain('element_at(resource_tags');
      expect(q.description.length).toBeLessThanOrEqual(1024);
    }
    expect(queries[2].queryString).toBe(CurQueries.costBy({ table: '"cur"."data"', groupBy: CostGrouping.TEAM }));
  });
});
