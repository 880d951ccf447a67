import * as fs from 'fs';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateCur, SERVICES } from '../../../scripts/generate-cur';
import { CostMetric } from '../../../src/cost-data/query-terms';
import { CurQueries } from '../../../src/cost-data/schemas/cur-sql';
import { CUR2_COLUMNS } from '../../billing/cur2-columns';
import { tempDir } from '../../util';

/*
 * scripts/generate-cur.ts: the synthetic CUR 2.0 export is laid out like a real one (aws-cost-facts.md §6:
 * <export>/data/BILLING_PERIOD=YYYY-MM/ and <export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json), has the
 * CUR 2.0 columns, is deterministic for a seed, and the committed sample under examples/data/ is what it generates.
 */

jest.setTimeout(120_000);

const REPO = path.join(__dirname, '..', '..', '..');

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(full);
      } else {
        out.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return out.sort();
}

test('export layout, manifests, CUR 2.0 columns and types', async () => {
  // GIVEN / WHEN
  const out = tempDir('cv-gen-');
  const totals = await generateCur({ rows: 1000, out, months: 2, start: '2026-12', rowsPerFile: 300, threads: 1 });
  // THEN the layout of a Data Exports delivery, one manifest per billing period
  expect(listFiles(out)).toEqual([
    'customer-value-cur-totals.json',
    ...['2026-12', '2027-01'].flatMap((p) => [1, 2].map((n) => `customer-value-cur/data/BILLING_PERIOD=${p}/customer-value-cur-0000${n}.snappy.parquet`)),
    'customer-value-cur/metadata/BILLING_PERIOD=2026-12/customer-value-cur-Manifest.json',
    'customer-value-cur/metadata/BILLING_PERIOD=2027-01/customer-value-cur-Manifest.json',
  ]);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'customer-value-cur/metadata/BILLING_PERIOD=2026-12/customer-value-cur-Manifest.json'), 'utf8'));
  expect(manifest.billingPeriod).toBe('2026-12');
  // the columns: CUR 2.0 columns as AWS documents them, the ones the query statement selects, and together every
  // column the CLI's cost queries read, whatever the metric
  const columnNames: string[] = manifest.columns.map((c: { name: string }) => c.name);
  expect(columnNames.filter((c) => !CUR2_COLUMNS.includes(c))).toEqual([]);
  expect(manifest.queryStatement).toBe(`SELECT ${columnNames.join(', ')} FROM COST_AND_USAGE_REPORT`);
  for (const metric of Object.values(CostMetric)) {
    expect(columnNames).toEqual(expect.arrayContaining(CurQueries.requiredColumns(metric)));
  }
  expect(manifest.dataFiles).toEqual([
    'customer-value-cur/data/BILLING_PERIOD=2026-12/customer-value-cur-00001.snappy.parquet',
    'customer-value-cur/data/BILLING_PERIOD=2026-12/customer-value-cur-00002.snappy.parquet',
  ]);
  expect(totals.billingPeriods).toEqual(['2026-12', '2027-01']);
  expect(totals.openBillingPeriods).toEqual(['2027-01']);
  expect(totals.from).toBe('2026-12-01');
  expect(totals.to).toBe('2027-02-01');
  expect(Object.values(totals.lineItemTypes).reduce((a, b) => a + b, 0)).toBe(1000);

  // the Parquet files have exactly the manifest's columns, with its CUR 2.0 types, and resource_tags is a map
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const described = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${out}/customer-value-cur/data/*/*.parquet', hive_partitioning = false)`)).getRowObjectsJson();
    const glue: Record<string, string> = { 'VARCHAR': 'string', 'DOUBLE': 'double', 'TIMESTAMP': 'timestamp', 'MAP(VARCHAR, VARCHAR)': 'map<string,string>' };
    expect(described.map((d) => ({ name: d.column_name, type: glue[String(d.column_type)] }))).toEqual(manifest.columns);
    expect(manifest.columns.find((c: { name: string }) => c.name === 'resource_tags').type).toBe('map<string,string>');
    const [counts] = (await db.runAndReadAll(`SELECT count(*) AS n,
        count(*) FILTER (WHERE resource_tags['user_customer_service'] IS NOT NULL) AS tagged,
        count(DISTINCT line_item_line_item_type) AS types
      FROM read_parquet('${out}/customer-value-cur/data/*/*.parquet')`)).getRowObjectsJson();
    expect(Number(counts.n)).toBe(1000);
    expect(Number(counts.tagged)).toBeGreaterThan(700);
    expect(Number(counts.tagged)).toBeLessThan(950);
    expect(Number(counts.types)).toBeGreaterThanOrEqual(7);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
});

test('deterministic for a seed; another seed gives another bill', async () => {
  const [a, b, c] = [tempDir('cv-gen-a-'), tempDir('cv-gen-b-'), tempDir('cv-gen-c-')];
  const ta = await generateCur({ rows: 500, out: a, seed: 7 });
  const tb = await generateCur({ rows: 500, out: b, seed: 7 });
  const tc = await generateCur({ rows: 500, out: c, seed: 8 });
  const file = 'customer-value-cur/data/BILLING_PERIOD=2026-10/customer-value-cur-00001.snappy.parquet';
  expect(fs.readFileSync(path.join(a, file)).equals(fs.readFileSync(path.join(b, file)))).toBe(true);
  expect({ ...ta, elapsedMs: 0 }).toEqual({ ...tb, elapsedMs: 0 });
  expect(tc.unblended.total).not.toBe(ta.unblended.total);
});

test.each([
  ['cur2', 'parquet'],
  ['cur2-csv', 'csv.gz'],
] as const)('the committed sample examples/data/%s is what the generator makes', async (name, format) => {
  // GIVEN the committed totals
  const committed = JSON.parse(fs.readFileSync(path.join(REPO, 'examples', 'data', name, 'customer-value-cur-totals.json'), 'utf8'));
  // WHEN the generator runs with the sample's settings
  const out = tempDir('cv-gen-sample-');
  const totals = await generateCur({
    rows: committed.rows, out, format, seed: committed.seed, months: committed.billingPeriods.length, start: committed.billingPeriods[0],
  });
  // THEN the totals are the same (regenerate with: npx tsx scripts/generate-cur.ts --rows 4000 --out examples/data/<name> [--format csv.gz])
  expect(JSON.parse(fs.readFileSync(path.join(out, 'customer-value-cur-totals.json'), 'utf8'))).toEqual(committed);
  expect(totals.rows).toBe(4000);
  for (const f of committed.files) {
    expect(fs.statSync(path.join(REPO, 'examples', 'data', name, f)).size).toBeLessThan(1024 * 1024);
  }
});

test.each([
  [{ rows: 0 }, /rows is 0: expected a whole number >= 1/],
  [{ months: 0 }, /months is 0: expected 1-36/],
  [{ start: '2026-13' }, /start is "2026-13": expected YYYY-MM/],
  [{ format: 'json' }, /format is "json": expected parquet, csv or csv\.gz/],
  [{ exportName: 'bad name' }, /export-name is "bad name"/],
])('refuses bad options: %j', async (override, message) => {
  await expect(generateCur({ rows: 10, out: tempDir('cv-gen-bad-'), ...override } as any)).rejects.toThrow(message);
});

test('the sample tags each need as the README and the examples word it: one wording, or `--by need` shows a declared need as "(not declared)"', () => {
  // GIVEN every need statement the README's snippets and the examples declare
  const texts = [path.join(REPO, 'README.md'), ...fs.readdirSync(path.join(REPO, 'examples')).filter((f) => f.endsWith('.ts')).map((f) => path.join(REPO, 'examples', f))]
    .map((f) => fs.readFileSync(f, 'utf8'));
  const declared = new Set(texts.flatMap((t) => [...t.matchAll(/customerNeed: '([^']+)'/g)].map((m) => m[1])));
  // THEN none is another wording of a need the sample carries (one extends the other: cut to a column, they look alike)
  const variants = SERVICES.flatMap((s) => [...declared]
    .filter((d) => d !== s.need && (d.startsWith(s.need) || s.need.startsWith(d)))
    .map((d) => `${s.service}: the sample says "${s.need}", a declaration says "${d}"`));
  expect(variants).toEqual([]);
});
