import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CostAndUsageExport, CurQueries } from '../../src';
import { testApp } from '../util';
import { OWNER } from './owner';

/**
 * The Athena named queries of CostAndUsageExport read the current billing period only (issue 12, item 6): a query over
 * every partition of a large organisation's export is cancelled by the workgroup's bytes-scanned cutoff.
 *
 * The SQL the template holds is executed in DuckDB over a table laid out like the Glue table (the export's columns plus
 * the `billing_period` partition column). Two Trino functions DuckDB lacks are shimmed with macros of the same
 * documented behaviour: `date_format(date, '%Y-%m')` (MySQL-style format, as DuckDB's `strftime`) and
 * `element_at(map, key)` (NULL for a missing key, as DuckDB's `map[key]`).
 */

const DUCK_TYPES: Record<string, string> = {
  'string': 'VARCHAR', 'double': 'DOUBLE', 'timestamp': 'TIMESTAMP', 'map<string,string>': 'MAP(VARCHAR, VARCHAR)',
};

let instance: DuckDBInstance;
let db: DuckDBConnection;
let queries: Record<string, string>;
let months: string[];

async function rows(sql: string): Promise<Record<string, any>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, any>[];
}

function monthBefore(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 - n, 1));
  return d.toISOString().slice(0, 7);
}

beforeAll(async () => {
  // GIVEN the named queries of a synthesized export
  const app = testApp();
  const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
  new CostAndUsageExport(stack, 'Cur', { owner: OWNER });
  queries = {};
  for (const q of Object.values(Template.fromStack(stack).findResources('AWS::Athena::NamedQuery'))) {
    queries[q.Properties.Name] = q.Properties.QueryString;
  }

  // and a Glue-like table with line items of the current month and of the two months before
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  await db.run("SET TimeZone = 'UTC'");
  await db.run('CREATE MACRO date_format(d, f) AS strftime(d, f)');
  await db.run('CREATE OR REPLACE MACRO element_at(m, k) AS m[k]');
  await db.run('CREATE SCHEMA customer_value');
  const columns = CurQueries.EXPORT_COLUMNS.map((c) => `${c.name} ${DUCK_TYPES[c.type]}`);
  await db.run(`CREATE TABLE customer_value.cur2 (${columns.join(', ')}, billing_period VARCHAR)`);
  const current = String((await rows("SELECT strftime(current_date, '%Y-%m') AS m"))[0].m);
  months = [current, monthBefore(current, 1), monthBefore(current, 2)];
  const line = (month: string, type: string, cost: number, tags: Record<string, string> | null) =>
    `(TIMESTAMP '${month}-01 10:00:00', '${type}', 'USD', ${cost}, ${cost}, `
    + `${tags ? `MAP {${Object.entries(tags).map(([k, v]) => `'${k}': '${v}'`).join(', ')}}` : 'NULL'}, '${month}')`;
  await db.run(`INSERT INTO customer_value.cur2 (line_item_usage_start_date, line_item_line_item_type, line_item_currency_code,
    line_item_unblended_cost, line_item_net_unblended_cost, resource_tags, billing_period) VALUES
    ${[
      line(months[0], 'Usage', 10, { user_customer_service: 'checkout', user_team: 'payments' }),
      line(months[0], 'Usage', 5, null),
      line(months[1], 'Usage', 1000, { user_customer_service: 'checkout', user_team: 'payments' }),
      line(months[2], 'Usage', 50, { user_customer_service: 'search', user_team: 'discovery', user_cost_center: 'x' }),
    ].join(',\n')}`);
});

afterAll(() => {
  db?.closeSync();
  instance?.closeSync();
});

describe('CostAndUsageExport named queries', () => {
  test('every query filters on the billing_period partition, the current UTC month, and says how to change it', () => {
    expect(Object.keys(queries)).toHaveLength(7);
    for (const [name, sql] of Object.entries(queries)) {
      expect({ name, filters: sql.split("billing_period = date_format(current_date, '%Y-%m')").length - 1 }).toEqual({ name, filters: 1 });
      expect(sql.split('\n')[0]).toMatch(/^-- The current billing period \(UTC month\) only\. For another month, replace .* with e\.g\. '\d{4}-\d{2}'\.$/);
    }
  });

  test('cost per service counts this month only, untagged spend included', async () => {
    const result = await rows(queries['customer-value-cost-per-service']);
    expect(result.map((r) => [r.service, Number(r.amount)])).toEqual([['checkout', 10], ['', 5]]);
  });

  test('the other queries run over the same month', async () => {
    for (const name of Object.keys(queries)) {
      expect(name).toMatch(/^customer-value-/);
    }
    // each cost-per-X query reads this month's line items only (10 tagged, 5 untagged; not the 1000 and 50 of the two
    // months before), grouped by its own tag: team is tagged on checkout, the other fields on no line item
    const per = async (grouping: string) => (await rows(queries[`customer-value-cost-per-${grouping}`]))
      .map((r) => [r.service, r.group_value, Number(r.amount), Number(r.line_items)]);
    expect(await per('service')).toEqual([['checkout', 'checkout', 10, 1], ['', '', 5, 1]]);
    expect(await per('team')).toEqual([['checkout', 'payments', 10, 1], ['', '', 5, 1]]);
    for (const grouping of ['need', 'business-unit', 'customer']) {
      expect({ grouping, rows: await per(grouping) }).toEqual({ grouping, rows: [['checkout', '', 10, 1], ['', '', 5, 1]] });
    }
    const share = await rows(queries['customer-value-untagged-share']);
    expect(share.map((r) => [Number(r.amount), Number(r.untagged_amount)])).toEqual([[15, 5]]);
    const keys = await rows(queries['customer-value-tag-keys-present']);
    // user_cost_center only appears two months back
    expect(keys.map((r) => r.tag_key)).toEqual(['user_customer_service', 'user_team']);
  });
});
