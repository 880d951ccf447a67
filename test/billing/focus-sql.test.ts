import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CostDimension, CostGrouping, CurQueries, FocusMetric, FocusQueries, SqlDialect, TagKeys } from '../../src';

/*
 * FocusQueries: the SQL over FOCUS data (columns and charge categories of the FOCUS specification; the FOCUS 1.2 with
 * AWS columns table dictionary for the export's columns), run on real DuckDB over a small hand-made table.
 */

let instance: DuckDBInstance;
let db: DuckDBConnection;

async function rows(sql: string): Promise<Array<Record<string, any>>> {
  return (await db.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>;
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  await db.run("SET TimeZone = 'UTC'");
  await db.run(`CREATE TABLE f AS SELECT * FROM (VALUES
    (TIMESTAMP '2026-10-01 00:00:00', 'Usage', NULL, 'USD', 10.0, 9.0, 12.0, 11.0, MAP {'customer-service': 'checkout', 'team': 'payments'}, 'AWS', 'INV-1'),
    (TIMESTAMP '2026-10-01 05:00:00', 'Usage', NULL, 'USD', 5.0, 4.5, 6.0, 5.5, MAP {'Customer-Service': 'checkout'}, 'Microsoft', ''),
    (TIMESTAMP '2026-10-02 00:00:00', 'Tax', NULL, 'USD', 1.5, 1.5, 1.5, 1.5, NULL, 'AWS', 'INV-1'),
    (TIMESTAMP '2026-10-02 00:00:00', 'Credit', NULL, 'USD', -2.0, -2.0, -2.0, -2.0, NULL, 'AWS', 'INV-1'),
    (TIMESTAMP '2026-10-03 00:00:00', 'Purchase', NULL, 'USD', 30.0, 0.0, 30.0, 30.0, NULL, 'AWS', 'INV-1'),
    (TIMESTAMP '2026-10-03 00:00:00', 'Adjustment', NULL, 'USD', -0.5, -0.5, -0.5, -0.5, NULL, 'AWS', 'INV-1'),
    (TIMESTAMP '2026-09-30 00:00:00', 'Usage', 'Correction', 'USD', -1.0, -1.0, -1.0, -1.0, MAP {'customer-service': 'checkout'}, 'AWS', 'INV-1'),
    (TIMESTAMP '2026-10-04 00:00:00', 'Usage', 'Correction', 'USD', -0.25, -0.25, -0.25, -0.25, MAP {' customer-service': 'search'}, 'Google Cloud', 'INV-2'),
    (TIMESTAMP '2026-11-01 00:00:00', 'Usage', NULL, 'USD', 100.0, 100.0, 100.0, 100.0, MAP {'customer-service': 'checkout'}, 'AWS', 'INV-3')
  ) AS t(ChargePeriodStart, ChargeCategory, ChargeClass, BillingCurrency, BilledCost, EffectiveCost, ListCost, ContractedCost, Tags, ProviderName, InvoiceId)`);
});

afterAll(() => {
  db.closeSync();
  instance.closeSync();
});

describe('FocusQueries', () => {
  test('the export selects explicit FOCUS 1.2 columns (Data Exports rejects SELECT *), every column a query reads among them', () => {
    const statement = FocusQueries.exportQueryStatement();
    expect(statement).toMatch(/^SELECT BilledCost, BillingAccountId, .* FROM FOCUS_1_2_AWS$/);
    expect(statement).not.toContain('*');
    const names = FocusQueries.EXPORT_COLUMNS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const metric of Object.values(FocusMetric)) {
      for (const c of [...FocusQueries.requiredColumns(metric), 'ProviderName', 'InvoiceId', 'ChargeClass']) {
        expect(names).toContain(c);
      }
    }
    expect(new Set(FocusQueries.EXPORT_COLUMNS.map((c) => c.type))).toEqual(new Set(['double', 'string', 'timestamp', 'map<string,string>']));
  });

  test('costBy on DuckDB: every charge category in the amount, each named; corrections; near-duplicate keys; provider; estimated', async () => {
    const sql = FocusQueries.costBy({
      table: 'f', dialect: SqlDialect.DUCKDB, groupBy: CostGrouping.SERVICE, from: '2026-10-01', to: '2026-11-01', estimatedFlag: true, keyVariants: true,
    });
    const result = await rows(sql);
    const total = result.reduce((s, r) => s + Number(r.amount), 0);
    // October only: the 2026-09-30 correction and November are outside [from, to)
    expect(total).toBeCloseTo(10 + 5 + 1.5 - 2 + 30 - 0.5 - 0.25, 9);
    const untagged = result.filter((r) => r.service === '');
    expect(untagged.reduce((s, r) => s + Number(r.tax_amount), 0)).toBe(1.5);
    expect(untagged.reduce((s, r) => s + Number(r.credit_amount), 0)).toBe(-2);
    expect(untagged.reduce((s, r) => s + Number(r.purchase_amount), 0)).toBe(30);
    expect(untagged.reduce((s, r) => s + Number(r.adjustment_amount), 0)).toBe(-0.5);
    expect(result.reduce((s, r) => s + Number(r.correction_amount), 0)).toBe(-0.25);
    const microsoft = result.find((r) => r.provider === 'Microsoft')!;
    expect(microsoft).toMatchObject({ service: '', service_variant: 'Customer-Service', estimated: 1 });
    expect(result.find((r) => r.provider === 'Google Cloud')!.service_variant).toBe(' customer-service');
    expect(result.find((r) => r.service === 'checkout')).toMatchObject({ provider: 'AWS', service_variant: null, estimated: 0 });
  });

  test('each metric sums its column', async () => {
    const cases = [[FocusMetric.EFFECTIVE, 9 + 4.5 + 1.5 - 2 + 0 - 0.5 - 0.25], [FocusMetric.LIST, 12 + 6 + 1.5 - 2 + 30 - 0.5 - 0.25],
      [FocusMetric.CONTRACTED, 11 + 5.5 + 1.5 - 2 + 30 - 0.5 - 0.25]] as const;
    for (const [metric, expected] of cases) {
      const result = await rows(FocusQueries.costBy({
        table: 'f', dialect: SqlDialect.DUCKDB, groupBy: CostGrouping.TEAM, metric, from: '2026-10-01', to: '2026-11-01',
      }));
      expect(result.reduce((s, r) => s + Number(r.amount), 0)).toBeCloseTo(expected, 9);
      expect(result.find((r) => r.group_value === 'payments')!.service).toBe('checkout');
    }
  });

  test('untaggedShare per currency: resource spend leaves Tax, Credit, Adjustment and Purchase out', async () => {
    const [share] = await rows(FocusQueries.untaggedShare({
      table: 'f', dialect: SqlDialect.DUCKDB, groupBy: CostGrouping.SERVICE, from: '2026-10-01', to: '2026-11-01',
    }));
    expect(Number(share.resource_amount)).toBeCloseTo(10 + 5 - 0.25, 9);
    expect(Number(share.untagged_resource_amount)).toBeCloseTo(5 - 0.25, 9);
  });

  test('tagKeysPresent lists every key as written', async () => {
    const keys = (await rows(FocusQueries.tagKeysPresent('f', SqlDialect.DUCKDB))).map((r) => r.tag_key);
    expect(keys).toEqual([' customer-service', 'Customer-Service', 'customer-service', 'team']);
  });

  test('the Athena dialect: element_at, filter, billing-period partition pruning; named queries with every grouping', () => {
    const sql = FocusQueries.costBy({
      table: '"db"."focus"',
      groupBy: CostGrouping.NEED,
      from: '2026-10-01',
      to: '2026-12-01',
      billingPeriodColumn: 'billing_period',
      keyVariants: true,
      tagKeys: TagKeys.custom({ need: 'Need' }),
      providerExpression: "COALESCE(NULLIF(ServiceProviderName, ''), ProviderName)",
    });
    expect(sql).toContain("element_at(Tags, 'Need')");
    expect(sql).toContain("element_at(filter(map_keys(Tags), k -> k <> 'Need' AND regexp_replace(lower(k), '[^a-z0-9]', '') IN ('need', 'userneed'");
    expect(sql).toContain("billing_period >= '2026-10'");
    expect(sql).toContain("billing_period <= '2026-11'");
    expect(sql).toContain("COALESCE(COALESCE(NULLIF(ServiceProviderName, ''), ProviderName), '') AS provider");
    expect(sql).not.toContain('[1]');
    const named = FocusQueries.namedQueries({ table: '"db"."focus"' });
    expect(named.map((q) => q.name)).toEqual(['focus-cost-per-service', 'focus-cost-per-need', 'focus-cost-per-team', 'focus-cost-per-business-unit',
      'focus-cost-per-customer', 'focus-untagged-share', 'focus-tag-keys-present']);
  });

  test('a dimension groups by its FOCUS column; unused commitment and empty cost cells in the same scan', async () => {
    await db.run(`CREATE TABLE g AS SELECT * FROM (VALUES
      (TIMESTAMP '2026-10-01 00:00:00', 'Usage', CAST(NULL AS VARCHAR), 'USD', 0.0, 7.5, 0.0, 0.0, NULL, 'AWS', 'eu-west-1', 'Unused'),
      (TIMESTAMP '2026-10-01 00:00:00', 'Usage', NULL, 'USD', 4.0, 4.0, 5.0, NULL, MAP {'customer-service': 'checkout'}, 'AWS', 'eu-west-1', 'Used'),
      (TIMESTAMP '2026-10-02 00:00:00', 'Usage', NULL, 'USD', 2.0, 2.0, 2.0, NULL, NULL, 'Oracle', NULL, NULL),
      (TIMESTAMP '2026-10-02 00:00:00', 'Purchase', NULL, 'USD', 30.0, 0.0, 30.0, 30.0, NULL, 'AWS', 'us-east-1', NULL)
    ) AS t(ChargePeriodStart, ChargeCategory, ChargeClass, BillingCurrency, BilledCost, EffectiveCost, ListCost, ContractedCost, Tags, ProviderName,
      RegionId, CommitmentDiscountStatus)`);
    const result = await rows(FocusQueries.costBy({
      table: 'g',
      dialect: SqlDialect.DUCKDB,
      groupBy: CostGrouping.SERVICE,
      dimension: CostDimension.REGION,
      metric: FocusMetric.CONTRACTED,
      keyVariants: true,
      unusedCommitment: true,
      emptyCostRows: true,
    }));
    const by = (k: string, c: string) => result.filter((r) => r.group_value === k).reduce((s, r) => s + Number(r[c]), 0);
    expect([by('eu-west-1', 'amount'), by('us-east-1', 'amount'), by('', 'amount')]).toEqual([0, 30, 0]);
    expect(result.find((r) => r.service === 'checkout')!.group_value).toBe('eu-west-1');
    expect(result.reduce((s, r) => s + Number(r.unused_commitment_amount), 0)).toBe(7.5);
    expect(result.reduce((s, r) => s + Number(r.empty_cost_rows), 0)).toBe(2);
    expect(result.reduce((s, r) => s + Number(r.empty_cost_billed), 0)).toBe(6);
    expect(FocusQueries.requiredColumns(FocusMetric.BILLED, CostDimension.SERVICE_CATEGORY)).toContain('ServiceCategory');
    expect(Object.values(CostDimension).map((d) => FocusQueries.dimensionColumn(d))).toEqual(['BillingAccountId', 'SubAccountId', 'ChargeCategory',
      'RegionId', 'ServiceCategory']);
    // CUR 2.0 has every column but the service category
    expect(CurQueries.costBy({ table: 't', groupBy: CostGrouping.SERVICE, dimension: CostDimension.SUB_ACCOUNT }))
      .toContain("COALESCE(CAST(line_item_usage_account_id AS VARCHAR), '') AS group_value");
    expect(CurQueries.requiredColumns(undefined, CostDimension.REGION)).toContain('product_region_code');
    expect(() => CurQueries.dimensionColumn(CostDimension.SERVICE_CATEGORY)).toThrow(/CUR 2\.0 has no service category column/);
    // a dimension replaces the grouped tag
    expect(() => FocusQueries.costBy({ table: 'g', groupBy: CostGrouping.TEAM, dimension: CostDimension.REGION }))
      .toThrow(/dimension region replaces the grouped tag: pass groupBy CostGrouping.SERVICE/);
    expect(() => CurQueries.costBy({ table: 't', groupBy: CostGrouping.SERVICE, dimension: 'zone' as any })).toThrow(/dimension is "zone": accepted values are billing-account/);
  });

  test('refuses what a caller must not pass', () => {
    expect(() => FocusQueries.costBy({ table: 'f; DROP TABLE f', groupBy: CostGrouping.SERVICE })).toThrow(/table is "f; DROP TABLE f"/);
    expect(() => FocusQueries.costBy({ table: 'f', groupBy: CostGrouping.SERVICE, from: '2026-02-30' })).toThrow(/from is "2026-02-30": expected a calendar date/);
    expect(() => FocusQueries.costBy({ table: 'f', groupBy: CostGrouping.SERVICE, metric: 'net' as any })).toThrow(/metric is "net": accepted values are billed/);
    expect(() => FocusQueries.costBy({ table: 'f', groupBy: CostGrouping.SERVICE, billingPeriodColumn: 'a b' })).toThrow(/billingPeriodColumn is "a b"/);
    expect(FocusQueries.foldTagKey(' Customer_Service ')).toBe('customerservice');
  });
});
