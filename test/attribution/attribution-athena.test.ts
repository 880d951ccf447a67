import * as path from 'path';
import {
  AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, GetTableMetadataCommand, QueryExecutionState, StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { buildRulesAssembly, EXPECTED, RULES, writeCur, writeFocus } from './rules-fixture';
import { sourceMatchSql } from '../../src/cost-data/attribution/file-sources';
import { AttributionPlan } from '../../src/cost-data/attribution/rules';
import { CostQuery } from '../../src/cost-data/query';
import { CostGrouping, CostMetric, FocusMetric, SqlDialect } from '../../src/cost-data/query-terms';
import { CUR_2_0_SCHEMA } from '../../src/cost-data/schemas/cur-schema';
import { FOCUS_1_2_SCHEMA } from '../../src/cost-data/schemas/focus-schema';
import { AthenaSource } from '../../src/cost-data/sources/athena';
import { DuckDbSession } from '../../src/cost-data/sources/duckdb-loader';
import { TagKeys } from '../../src/tag-keys';
import { runCli } from '../cli/fixtures';
import { tempDir } from '../util';

/*
 * The attribution rules on the Athena source (docs/attribution.md section 7): the rules' CASE is sent to Athena in its
 * dialect (element_at on the tag maps, the day as a cast, the billing-period partitions of the period), and the
 * results path gives the same report as the file sources. Athena cannot run here, and DuckDB cannot run the Athena
 * SQL as is (its element_at on a map returns a list), so the Athena mock is fed the very rows DuckDB computes for the
 * file source's SQL (the cost query and the rules' match query, which differ from Athena's only at those dialect
 * points, checked below): the same rows must give the same figures, to the cent, through the Athena source.
 */

const athena = mockClient(AthenaClient);
const SUCCEEDED = { QueryExecution: { Status: { State: QueryExecutionState.SUCCEEDED }, Statistics: { DataScannedInBytes: 1 } } };
afterAll(() => athena.restore());

const CUR_TABLE_COLUMNS = ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost',
  'resource_tags', 'line_item_usage_account_id', 'line_item_product_code', 'line_item_usage_type', 'line_item_resource_id', 'bill_billing_entity',
  'bill_invoice_id', 'billing_period'];
const FOCUS_TABLE_COLUMNS = ['BilledCost', 'EffectiveCost', 'BillingCurrency', 'ChargeCategory', 'ChargeClass', 'ChargePeriodStart', 'ProviderName', 'Tags',
  'SubAccountId', 'x_ServiceCode', 'SkuMeter', 'ResourceId', 'InvoiceId', 'billing_period'];

let cwd: string;
let files: Record<'cur' | 'focus', string>;
beforeAll(() => {
  cwd = tempDir();
  buildRulesAssembly(path.join(cwd, 'cdk.out'));
  files = { cur: writeCur(path.join(cwd, 'data', 'cur.csv')), focus: writeFocus(path.join(cwd, 'data', 'focus.csv')) };
});

/** Runs the CLI on the file source and keeps the rows DuckDB returned for the cost query and the rules' match query. */
async function fileRun(kind: 'cur' | 'focus', extra: string[])
  : Promise<{ json: any; stderr: string; cost: Array<Record<string, unknown>>; match: Array<Record<string, unknown>> }> {
  const rows = jest.spyOn(DuckDbSession.prototype, 'rows');
  try {
    const res = await runCli(['cost', '--source', kind, files[kind], '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--quiet', ...extra], { cwd });
    expect(res.code).toBe(0);
    const results = await Promise.all(rows.mock.results.map((r) => r.value as Promise<Array<Record<string, unknown>>>));
    const cost = results.find((r) => r.length > 0 && 'group_value' in r[0])!;
    const match = results.find((r) => r.length > 0 && 'rule_index' in r[0])!;
    return { json: JSON.parse(res.stdout), stderr: res.stderr, cost, match };
  } finally {
    rows.mockRestore();
  }
}

/** Athena's answer to a query: every value as text, NULL as a cell without a value, the header row first. */
function athenaResult(rows: Array<Record<string, unknown>>) {
  const columns = Object.keys(rows[0]);
  const text = (v: unknown) => (v === null || v === undefined ? {} : { VarCharValue: typeof v === 'object' ? JSON.stringify(v) : String(v) });
  return {
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c, Type: 'varchar' })) },
      Rows: [{ Data: columns.map((c) => ({ VarCharValue: c })) }, ...rows.map((r) => ({ Data: columns.map((c) => text(r[c])) }))],
    },
  };
}

function mockAthena(columns: string[], cost: Array<Record<string, unknown>>, match: Array<Record<string, unknown>>): void {
  athena.reset();
  athena.on(GetTableMetadataCommand).resolves({ TableMetadata: { Name: 't', Columns: columns.map((Name) => ({ Name, Type: 'string' })) } });
  athena.on(StartQueryExecutionCommand).callsFake((input) => ({ QueryExecutionId: /AS rule_index/.test(input.QueryString) ? 'q-match' : 'q-cost' }));
  athena.on(GetQueryExecutionCommand).callsFake((input) => ({
    QueryExecution: {
      QueryExecutionId: input.QueryExecutionId, Status: { State: QueryExecutionState.SUCCEEDED }, Statistics: { DataScannedInBytes: 2048 },
    },
  }));
  athena.on(GetQueryResultsCommand).callsFake((input) => athenaResult(input.QueryExecutionId === 'q-match' ? match : cost));
}

/** What the cost report says per service, and what the rules did: the figures the two sources must agree on. */
function figures(json: any) {
  return {
    rows: Object.fromEntries(json.rows.map((r: any) => [r.group, [r.cost, r.tagged, r.attributed, r.direct, r.fullyLoaded]])),
    total: json.total,
    untagged: json.untagged?.amount,
    attribution: { ...json.attribution, warnings: [...json.attribution.warnings].sort() },
  };
}

const PLAN = (): AttributionPlan => ({
  rules: RULES.rules.map((rule) => ({ id: `shared/${rule.name}`, rule: rule as any })),
  declaredStacks: ['Billing', 'Reports', 'Search', 'Shop'],
});

describe.each([
  ['cur', CUR_TABLE_COLUMNS, 'cur2'],
  ['focus', FOCUS_TABLE_COLUMNS, 'focus'],
] as const)('--source athena over a %s table', (kind, columns, table) => {
  test.each([[[] as string[]], [['--allocate']]])('gives the figures of the file source on the same rows (%j)', async (extra) => {
    const file = await fileRun(kind, extra);
    mockAthena(columns, file.cost, file.match);
    const res = await runCli(['cost', '--source', 'athena', '--athena-table', table, '--region', 'eu-west-1', '--from', '2026-10-01', '--to', '2026-12-01',
      '--no-usage', '-o', 'json', '--quiet', ...extra], { cwd });
    expect(res.code).toBe(0);
    // the same warnings: the rules' (overlap, a rule matching nothing), the days without data
    expect(res.stderr.split('\n').filter((l) => !/no cost data for/.test(l))).toEqual(file.stderr.split('\n').filter((l) => !/no cost data for/.test(l)));
    expect(res.stderr).toMatch(/rules shared\/acct and shared\/bucket both match 12\.00 USD of 2026-10/);
    const json = JSON.parse(res.stdout);
    expect(figures(json)).toEqual(figures(file.json));
    // the hand-worked figures of the fixture, to the cent
    for (const [service, amount] of Object.entries(EXPECTED)) {
      expect(json.rows.find((r: any) => r.group === service)[extra.length > 0 ? 'fullyLoaded' : 'cost']).toBeCloseTo(amount, 5);
    }
    // tagged is a declared service's tag, as coverage counts it: "ghost"'s 3.00 is unattributed
    expect([json.attribution.tagged, json.attribution.attributed, json.attribution.unattributed]).toEqual([170, 64, 8]);
    expect(json.notes).toContain('attribution: tagged 170.00 USD (70.2 %), attributed by rules 64.00 USD (26.4 %), unattributed 8.00 USD (3.3 %) '
      + 'of 242.00 USD');
    expect(json.notes.join('\n')).not.toMatch(/does not apply attribution rules/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(2);
  });
});

describe('the SQL the Athena source sends for the rules', () => {
  const query: CostQuery = {
    from: '2026-10-01', to: '2026-12-01', groupBy: CostGrouping.SERVICE, metric: CostMetric.UNBLENDED, tagKeys: TagKeys.DEFAULT, attribution: PLAN(),
  };
  const result = (rows: Array<Record<string, string>>) => athenaResult(rows);

  test('CUR 2.0: the rules CASE in Athena\'s dialect, over the untagged line items of the period\'s partitions', async () => {
    athena.reset();
    athena.on(GetTableMetadataCommand).resolves({ TableMetadata: { Name: 'cur2', Columns: CUR_TABLE_COLUMNS.map((Name) => ({ Name, Type: 'string' })) } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(SUCCEEDED);
    athena.on(GetQueryResultsCommand)
      .resolvesOnce(result([{ service: '', group_value: '', usage_date: '2026-10-07', currency: 'USD', amount: '10', tax_amount: '10', credit_amount: '0', line_items: '1', estimated: '0' },
        { service: 'checkout', group_value: 'checkout', usage_date: '2026-10-07', currency: 'USD', amount: '5', tax_amount: '0', credit_amount: '0', line_items: '1', estimated: '0' }]))
      .resolves(result([{ rule_index: '2', stack: '', usage_date: '2026-10-07', currency: 'USD', amount: '10.000000000000000000', non_resource: '10.000000000000000000' }]));
    const out = await new AthenaSource({ region: 'eu-west-1', pollIntervalMs: 1 }).fetch(query, () => undefined);
    const sql = athena.commandCalls(StartQueryExecutionCommand)[1].args[0].input.QueryString!;
    expect(sql).toBe(sourceMatchSql(PLAN(), query, { view: '"customer_value"."cur2"', schema: CUR_2_0_SCHEMA, cost: 'line_item_unblended_cost' },
      SqlDialect.ATHENA, ["billing_period >= '2026-10'", "billing_period <= '2026-11'"]).sql);
    // the rules read the columns once per distinct criteria (k_<field>), each taken from the CUR 2.0 column
    expect(sql).toContain("COALESCE(CAST(line_item_usage_account_id AS VARCHAR), '') AS k_account");
    expect(sql).toContain("CASE WHEN (COALESCE(CAST(k_account AS VARCHAR), '') = '222233334444') THEN 0 WHEN ");
    expect(sql).toContain("COALESCE(CAST(element_at(resource_tags, 'aws_cloudformation_stack_name') AS VARCHAR), '') AS k_stack");
    expect(sql).toContain("COALESCE(CAST(k_stack AS VARCHAR), '') = 'Shop'");
    expect(sql).toContain("COALESCE(CAST(line_item_line_item_type AS VARCHAR), '') AS k_recordType");
    expect(sql).toContain("(COALESCE(CAST(k_recordType AS VARCHAR), '') = 'Tax')");
    expect(sql).toContain("COALESCE(CAST(line_item_resource_id AS VARCHAR), '') AS k_resource");
    expect(sql).toContain("COALESCE(CAST(k_resource AS VARCHAR), '') LIKE 'arn:aws:s3:::shop-%' ESCAPE '\\'");
    expect(sql).toContain("WHERE COALESCE(element_at(resource_tags, 'user_customer_service'), '') = ''");
    expect(sql).toContain('CAST(CAST(line_item_usage_start_date AS DATE) AS VARCHAR) AS usage_date');
    expect(sql).toContain("AND billing_period >= '2026-10'\n      AND billing_period <= '2026-11'");
    // nothing of DuckDB's dialect reaches Athena
    expect(sql).not.toMatch(/\w\['|strftime/);
    expect(out.attributionMatches).toEqual([expect.objectContaining({ rule: 2, day: '2026-10-07', currency: 'USD' })]);
    expect(out.attributionMatches![0].amount.toString()).toBe('10');
    expect(out.requests).toBe(2);
    expect(out.notes).toContain('Athena: 2 queries in workgroup customer-value, 0.0 KB scanned (Athena bills per byte scanned; 0.0 KB of it by the '
      + 'attribution rules\' query)');
  });

  test('FOCUS: the same CASE on the FOCUS columns, the stack key of Tags, grouped by provider', async () => {
    athena.reset();
    athena.on(GetTableMetadataCommand).resolves({ TableMetadata: { Name: 'focus', Columns: FOCUS_TABLE_COLUMNS.map((Name) => ({ Name, Type: 'string' })) } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(SUCCEEDED);
    athena.on(GetQueryResultsCommand)
      .resolvesOnce(result(['', 'checkout'].map((service) => ({
        service,
        group_value: service,
        usage_date: '2026-10-07',
        provider: 'AWS',
        currency: 'USD',
        amount: '10',
        tax_amount: service ? '0' : '10',
        credit_amount: '0',
        adjustment_amount: '0',
        purchase_amount: '0',
        correction_amount: '0',
        line_items: '1',
        empty_cost_rows: '0',
        empty_cost_billed: '0',
      }))))
      .resolves(result([{ rule_index: '2', stack: '', usage_date: '2026-10-07', currency: 'USD', provider: 'AWS', amount: '10', non_resource: '10' }]));
    const out = await new AthenaSource({ region: 'eu-west-1', pollIntervalMs: 1, table: 'focus' })
      .fetch({ ...query, metric: FocusMetric.BILLED }, () => undefined);
    const sql = athena.commandCalls(StartQueryExecutionCommand)[1].args[0].input.QueryString!;
    expect(sql).toBe(sourceMatchSql(PLAN(), query, { view: '"customer_value"."focus"', schema: FOCUS_1_2_SCHEMA, cost: 'BilledCost', provider: 'ProviderName' },
      SqlDialect.ATHENA, ["billing_period >= '2026-10'", "billing_period <= '2026-11'"]).sql);
    expect(sql).toContain("COALESCE(CAST(element_at(Tags, 'aws:cloudformation:stack-name') AS VARCHAR), '') AS k_stack");
    expect(sql).toContain("COALESCE(CAST(k_stack AS VARCHAR), '') = 'Shop'");
    expect(sql).toContain("COALESCE(CAST(ChargeCategory AS VARCHAR), '') AS k_chargeCategory");
    expect(sql).toContain("(COALESCE(CAST(k_chargeCategory AS VARCHAR), '') = 'Tax')");
    expect(sql).toContain('GROUP BY rule_index, stack, usage_date, currency, provider');
    expect(out.attributionMatches).toEqual([expect.objectContaining({ rule: 2, provider: 'AWS' })]);
  });

  test('a table without a column the rules read is refused naming it, before the rules\' query runs', async () => {
    athena.reset();
    athena.on(GetTableMetadataCommand).resolves({
      TableMetadata: { Name: 'cur2', Columns: CUR_TABLE_COLUMNS.filter((c) => c !== 'line_item_resource_id').map((Name) => ({ Name, Type: 'string' })) },
    });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: QueryExecutionState.SUCCEEDED } } });
    athena.on(GetQueryResultsCommand).resolves(result([{
      service: 'checkout',
      group_value: 'checkout',
      usage_date: '2026-10-07',
      currency: 'USD',
      amount: '10',
      tax_amount: '0',
      credit_amount: '0',
      line_items: '1',
      estimated: '0',
    }]));
    await expect(new AthenaSource({ region: 'eu-west-1', pollIntervalMs: 1 }).fetch(query, () => undefined)).rejects
      .toThrow('Athena table customer_value.cur2 cannot be matched against the attribution rules: missing column line_item_resource_id (CUR 2.0 names; '
        + 'the CostAndUsageExport construct selects them all)');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });
});
