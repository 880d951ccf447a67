import { CostDimension, CostGrouping, SqlDialect } from '../../src/cost-data/query-terms';
import { CostSchema, dimensionColumnOf, resolveQuery, untaggedShareOf } from '../../src/cost-data/schemas/schema';
import { TagKeys } from '../../src/tag-keys';

/*
 * src/cost-data/schemas/schema.ts: one resolver and one set of checks for every export schema. The next schema
 * (another provider's export, a later FOCUS version) is an object, and the frame serves it without a new copy of the
 * checks: shown here with a schema the library does not ship.
 */

const OTHER: CostSchema<'cost'> = {
  owner: 'OtherQueries',
  label: 'Other',
  tableName: 'OTHER_EXPORT',
  exportColumns: [{ name: 'day', type: 'timestamp' }],
  partitionFolder: { name: 'month', source: 'test' },
  timeColumn: 'day',
  currencyColumn: 'cur',
  categoryColumn: 'kind',
  nonResourceCategories: ['tax'],
  tagColumn: 'labels',
  tagMapKey: (key) => `label:${key}`,
  defaultMetric: 'cost',
  metricExpressions: { cost: 'amount' },
  dimensionColumns: { [CostDimension.REGION]: 'location' },
  noDimensionColumn: (d) => `OtherQueries: no ${d} column`,
  rowsAlias: 'rows_',
};

test('a new schema object gets the checks, the date filter and the tag access of the frame', () => {
  const q = resolveQuery(OTHER, {
    table: 't',
    groupBy: CostGrouping.TEAM,
    from: '2026-10-01',
    to: '2026-11-01',
    dialect: SqlDialect.DUCKDB,
    tagKeys: TagKeys.custom({ team: 'owner' }),
  }, 'costBy');
  expect(q.where).toEqual(["WHERE day >= TIMESTAMP '2026-10-01 00:00:00'", "  AND day < TIMESTAMP '2026-11-01 00:00:00'"]);
  expect(q.tag(q.groupKey)).toBe("labels['label:owner']");
  expect(q.metric).toBe('amount');
  expect(() => resolveQuery(OTHER, { table: 't', groupBy: CostGrouping.TEAM, from: '2026-02-30' }, 'costBy'))
    .toThrow('OtherQueries.costBy: from is "2026-02-30": expected a calendar date YYYY-MM-DD');
  expect(() => resolveQuery(OTHER, { table: 't;', groupBy: CostGrouping.TEAM }, 'costBy')).toThrow(/^OtherQueries\.costBy: table is "t;"/);
  expect(() => resolveQuery(OTHER, { table: 't', groupBy: CostGrouping.TEAM, metric: 'list' as 'cost' }, 'costBy'))
    .toThrow('OtherQueries: metric is "list": accepted values are cost');
  expect(() => dimensionColumnOf(OTHER, CostDimension.SUB_ACCOUNT)).toThrow('OtherQueries: no sub-account column');
  expect(untaggedShareOf(OTHER, { table: 't', groupBy: CostGrouping.SERVICE, dialect: SqlDialect.ATHENA }))
    .toContain("CASE WHEN kind IN ('tax') THEN 0 ELSE 1 END AS resource");
});
