/**
 * Where the attribution rules' time goes on the CUR 2.0 file source (issue 23): the cost query of the plain report
 * and the rules' match query (`matchSql`, with the 20 rules of bench/attribution.ts), each run on the same view over
 * the same Parquet files in one DuckDB, with the CPU time of this process (`process.cpuUsage`: DuckDB's threads
 * included) and optionally DuckDB's `EXPLAIN ANALYZE` of the match query.
 *
 *   npx tsx bench/attribution-profile.ts bench/out/cur-mix-1000000 [--runs 3] [--explain]
 */
import * as fs from 'fs';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';
import { BENCH_RULES } from './attribution';
import { CUR_RULE_COLUMNS, CUR_RULE_SOURCE_COLUMNS, matchSql } from '../src/cost-data/attribution/rules';
import { CostGrouping, CostMetric, SqlDialect } from '../src/cost-data/query-terms';
import { CUR_2_0_SCHEMA } from '../src/cost-data/schemas/cur-schema';
import { CurQueries } from '../src/cost-data/schemas/cur-sql';
import { sqlLiteral } from '../src/cost-data/schemas/sql-util';
import { TagKeys } from '../src/tag-keys';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 3) || 3;
  const explain = process.argv.includes('--explain');
  const totals = JSON.parse(fs.readFileSync(path.join(dir, 'customer-value-cur-totals.json'), 'utf8')) as { from: string; to: string; files: string[] };
  const files = totals.files.map((f) => path.join(dir, f));
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run("SET TimeZone = 'UTC'");
  const required = CurQueries.requiredColumns(CostMetric.UNBLENDED);
  const columns = [...new Set([...required, 'bill_invoice_id', ...CUR_RULE_SOURCE_COLUMNS])];
  await db.run(`CREATE VIEW cur_line_items AS SELECT ${columns.join(', ')} FROM read_parquet([${files.map(sqlLiteral).join(', ')}])`);
  const keys = TagKeys.DEFAULT;
  const cost = CurQueries.costBy({
    table: 'cur_line_items',
    dialect: SqlDialect.DUCKDB,
    groupBy: CostGrouping.SERVICE,
    metric: CostMetric.UNBLENDED,
    tagKeys: keys,
    from: totals.from,
    to: totals.to,
    daily: true,
    estimatedFlag: true,
  });
  const match = matchSql({ rules: BENCH_RULES.map((rule) => ({ id: `bench-rules/${rule.name}`, rule })), declaredStacks: ['PlatformStack', 'ShopStack'] }, {
    view: 'cur_line_items',
    columns: CUR_RULE_COLUMNS,
    serviceTag: `${CUR_2_0_SCHEMA.tagColumn}[${sqlLiteral(CUR_2_0_SCHEMA.tagMapKey(keys.service))}]`,
    time: CUR_2_0_SCHEMA.timeColumn,
    currency: CUR_2_0_SCHEMA.currencyColumn,
    cost: CurQueries.metricExpression(CostMetric.UNBLENDED),
    category: CUR_2_0_SCHEMA.categoryColumn,
    nonResource: CUR_2_0_SCHEMA.nonResourceCategories,
    from: totals.from,
    to: totals.to,
  }).sql;
  const time = async (label: string, sql: string) => {
    const cpu: number[] = [];
    let rows = 0;
    for (let r = 0; r < runs; r++) {
      const c0 = process.cpuUsage();
      const reader = await db.runAndReadAll(sql);
      const c = process.cpuUsage(c0);
      rows = reader.getRows().length;
      cpu.push((c.user + c.system) / 1000);
    }
    process.stdout.write(`${label}: ${rows} rows; CPU ms ${cpu.map((x) => x.toFixed(0)).join(', ')}\n`);
  };
  await time('cost query (plain report)', cost);
  await time('match query (20 rules)', match);
  if (explain) {
    const reader = await db.runAndReadAll(`EXPLAIN ANALYZE ${match}`);
    process.stdout.write(`${reader.getRows().map((r) => String(r[1])).join('\n')}\n`);
  }
  if (process.argv.includes('--sql')) {
    process.stdout.write(`${match}\n`);
  }
  db.closeSync();
  instance.closeSync();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
