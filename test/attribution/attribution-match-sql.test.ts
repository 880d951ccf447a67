import { DuckDBInstance } from '@duckdb/node-api';
import { runScan, SCAN_TABLE } from '../../src/cost-data/attribution/file-sources';
import { CUR_RULE_COLUMNS, matchSql, OrderedRule } from '../../src/cost-data/attribution/rules';
import { CostGrouping, SqlDialect } from '../../src/cost-data/query-terms';
import { CurQueries } from '../../src/cost-data/schemas/cur-sql';
import { DuckDbSession } from '../../src/cost-data/sources/duckdb-loader';

/**
 * The match query of the file sources sums the untagged line items per distinct criteria first and evaluates the
 * rules once per group (bench/RESULTS.md, "Attribution rules at scale"): what it returns must be what one evaluation
 * per line item gives, worked out by hand here: exact sums, and overlap counts in line items, not in groups.
 */
const RULES: OrderedRule[] = [
  { id: 'x/account', rule: { name: 'account', kind: 'accounts', match: { accounts: ['111111111111'] }, target: { kind: 'service', services: ['a'] } } },
  { id: 'x/ec2', rule: { name: 'ec2', kind: 'charges', match: { serviceCodes: ['AmazonEC2'] }, target: { kind: 'service', services: ['b'] } } },
  { id: 'x/tax', rule: { name: 'tax', kind: 'charges', match: { chargeTypes: ['tax'] }, target: { kind: 'service', services: ['b'] } } },
  { id: 'x/stack', rule: { name: 'stack', kind: 'stacks', match: { stacks: ['legacy-*'] }, target: { kind: 'service', services: ['a'] } } },
];

test('sums are exact and overlaps count line items when line items share their criteria', async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`CREATE TABLE v (resource_tags MAP(VARCHAR, VARCHAR), line_item_usage_start_date TIMESTAMP, line_item_currency_code VARCHAR,
      line_item_unblended_cost DOUBLE, line_item_line_item_type VARCHAR, line_item_usage_account_id VARCHAR, line_item_product_code VARCHAR,
      line_item_usage_type VARCHAR, line_item_resource_id VARCHAR, bill_billing_entity VARCHAR)`);
    const item = (tags: string, day: string, cost: string, type: string, account: string | null, product: string) =>
      `(${tags}, TIMESTAMP '${day} 00:00:00', 'USD', ${cost}, '${type}', ${account === null ? 'NULL' : `'${account}'`}, '${product}', 'BoxUsage', 'i-1', 'AWS')`;
    const none = 'MAP {}::MAP(VARCHAR, VARCHAR)';
    await c.run(`INSERT INTO v VALUES
      ${item(none, '2026-10-03', '0.1', 'Usage', '111111111111', 'AmazonEC2')},
      ${item(none, '2026-10-03', '0.1', 'Usage', '111111111111', 'AmazonEC2')},
      ${item(none, '2026-10-03', '0.1', 'Usage', '111111111111', 'AmazonEC2')},
      ${item("MAP {'user_customer_service': 'a'}", '2026-10-03', '5', 'Usage', '111111111111', 'AmazonEC2')},
      ${item(none, '2026-10-03', '0.2', 'Tax', null, 'AmazonEC2')},
      ${item(none, '2026-10-03', '0.2', 'Tax', null, 'AmazonEC2')},
      ${item("MAP {'aws_cloudformation_stack_name': 'legacy-batch'}", '2026-10-04', '0.7', 'Usage', null, 'AmazonS3')},
      ${item(none, '2026-10-04', '9', 'Usage', '999999999999', 'AmazonS3')}`);
    const { sql } = matchSql({ rules: RULES, declaredStacks: [] }, {
      view: 'v',
      columns: CUR_RULE_COLUMNS,
      serviceTag: "resource_tags['user_customer_service']",
      time: 'line_item_usage_start_date',
      currency: 'line_item_currency_code',
      cost: 'line_item_unblended_cost',
      category: 'line_item_line_item_type',
      nonResource: ['Tax', 'Credit', 'Refund'],
      from: '2026-10-01',
      to: '2026-11-01',
    });
    const rows = (await c.runAndReadAll(sql)).getRowObjectsJson().map((r) => ({
      rule: Number(r.rule_index),
      stack: r.stack,
      day: r.usage_date,
      amount: r.amount,
      nonResource: r.non_resource,
      alsoEc2: [r.also_count_1, r.also_amount_1].map(String),
      alsoTax: [r.also_count_2, r.also_amount_2].map(String),
    }));
    expect(rows).toEqual([
      // three line items of 0.1: 0.3 exactly (not the double 0.30000000000000004); the EC2 rule also matches 3 line items
      { rule: 0, stack: '', day: '2026-10-03', amount: '0.300000000000000000', nonResource: '0.000000000000000000', alsoEc2: ['3', '0.300000000000000000'], alsoTax: ['0', '0.000000000000000000'] },
      // the tax line items: no account, matched by the EC2 rule first (product AmazonEC2); the tax rule also matches both
      { rule: 1, stack: '', day: '2026-10-03', amount: '0.400000000000000000', nonResource: '0.400000000000000000', alsoEc2: ['2', '0.400000000000000000'], alsoTax: ['2', '0.400000000000000000'] },
      { rule: 3, stack: 'legacy-batch', day: '2026-10-04', amount: '0.700000000000000000', nonResource: '0.000000000000000000', alsoEc2: ['0', '0.000000000000000000'], alsoTax: ['0', '0.000000000000000000'] },
    ]);
  } finally {
    c.closeSync();
  }
});

test('the one scan: owned line items keep the plain query\'s rows; the packed keys of the others read back as written', async () => {
  // docs/attribution.md section 7, "One scan": two untagged line items whose stack and product would pack to the same
  // text if the separator (chr(31) chr(29)) were not escaped inside values
  const session = await DuckDbSession.open({});
  try {
    await session.run(`CREATE TABLE v (resource_tags MAP(VARCHAR, VARCHAR), line_item_usage_start_date TIMESTAMP, line_item_currency_code VARCHAR,
      line_item_unblended_cost DOUBLE, line_item_line_item_type VARCHAR, line_item_product_code VARCHAR)`);
    const sep = 'chr(31) || chr(29)';
    await session.run(`INSERT INTO v VALUES
      (MAP {'user_customer_service': 'a'}, TIMESTAMP '2026-10-03 00:00:00', 'USD', 0.1, 'Usage', 'AmazonEC2'),
      (MAP {'user_customer_service': 'a'}, TIMESTAMP '2026-10-03 00:00:00', 'USD', 0.2, 'Usage', 'AmazonEC2'),
      (MAP {'aws_cloudformation_stack_name': 'p' || ${sep} || 'q'}, TIMESTAMP '2026-10-03 00:00:00', 'USD', 1.5, 'Usage', 'r'),
      (MAP {'aws_cloudformation_stack_name': 'p'}, TIMESTAMP '2026-10-03 00:00:00', 'USD', 2.25, 'Usage', 'q' || ${sep} || 'r')`);
    const options = { table: 'v', dialect: SqlDialect.DUCKDB, groupBy: CostGrouping.SERVICE, daily: true };
    const scan = { keys: [{ name: 'stack', expression: CUR_RULE_COLUMNS.stack }, { name: 'product', expression: 'line_item_product_code' }] };
    const rows = await runScan(session, CurQueries._costBy(options, scan), scan, () => undefined, 1000);
    const plain = await session.rows(CurQueries.costBy(options));
    // the tagged row is the plain query's, to the bit (0.1 + 0.2 as a double); the untagged row is the exact sum
    expect(rows.find((r) => r.service === 'a')).toEqual(plain.find((r) => r.service === 'a'));
    expect(Number(rows.find((r) => r.service === '')!.amount)).toBe(3.75);
    const keys = await session.rows(`SELECT k_stack, k_product, CAST(exact_amount AS VARCHAR) AS amount FROM ${SCAN_TABLE}
      WHERE k_keys IS NOT NULL ORDER BY exact_amount`);
    const us = String.fromCharCode(31, 29);
    expect(keys).toEqual([
      { k_stack: `p${us}q`, k_product: 'r', amount: '1.500000000000000000' },
      { k_stack: 'p', k_product: `q${us}r`, amount: '2.250000000000000000' },
    ]);
  } finally {
    session.close();
  }
});
