import { DuckDBInstance } from '@duckdb/node-api';
import * as fc from 'fast-check';
import { applyAttribution, splitExactly, TargetService } from '../../src/cost-data/attribution/apply';
import { attributeResult } from '../../src/cost-data/attribution/attribute';
import { CUR_RULE_COLUMNS, FOCUS_RULE_COLUMNS, likePattern, OrderedRule, ruleCondition } from '../../src/cost-data/attribution/rules';
import { RuleMatch, CostQuery, CostRow, exactAmountOf } from '../../src/cost-data/query';
import { CostGrouping, CostMetric } from '../../src/cost-data/query-terms';
import { matchesPattern } from '../../src/declaration/attribution-record-rules';
import { Decimal } from '../../src/private/decimal';
import { TagKeys } from '../../src/tag-keys';

const SERVICES: TargetService[] = [
  { name: 'a', businessUnit: 'retail', stacks: ['S1'] },
  { name: 'b', businessUnit: 'retail', stacks: ['S1', 'S2'] },
  { name: 'c', businessUnit: 'finance', stacks: ['S3'] },
];

const RULES: OrderedRule[] = [
  { id: 'x/one', rule: { name: 'one', kind: 'accounts', match: { accounts: ['111111111111'] }, target: { kind: 'service', services: ['c'] } } },
  { id: 'x/unit', rule: { name: 'unit', kind: 'charges', match: { chargeTypes: ['tax'] }, target: { kind: 'business-unit', businessUnit: 'retail' } } },
  { id: 'x/all', rule: { name: 'all', kind: 'charges', match: { chargeTypes: ['support'] }, target: { kind: 'everyone', allocation: { method: 'even' } } } },
  { id: 'x/stack', rule: { name: 'stack', kind: 'declared-stacks', match: {}, target: { kind: 'stack-services' } } },
  {
    id: 'x/fixed',
    rule: {
      name: 'fixed',
      kind: 'resources',
      match: { resources: ['i-*'] },
      target: { kind: 'services', services: ['a', 'c'], allocation: { method: 'fixed', percentages: { a: 33.3, c: 66.7 } } },
    },
  },
];

const cents = fc.integer({ min: -50_000, max: 500_000 }).map((n) => Decimal.of(`${n}e-2`));
const day = fc.constantFrom('2026-10-03', '2026-10-20', '2026-11-05', '2026-12-31');

describe('applyAttribution', () => {
  test('property: tagged + attributed + unattributed = the total, per month, to the unit; each rule\'s amount is the sum of its shares', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ service: fc.constantFrom('a', 'b', 'c', 'ghost'), day, amount: cents }), { maxLength: 12 }),
      fc.array(fc.record({
        rule: fc.integer({ min: 0, max: RULES.length - 1 }),
        stack: fc.constantFrom('', 'S1', 'S2', 'S9'),
        day,
        amount: cents,
        nonResource: cents,
      }), { maxLength: 12 }),
      (tagged, matches) => {
        // the untagged rows of the cost table hold at least what the rules matched (plus some unmatched spend)
        const untagged = new Map<string, Decimal>();
        for (const m of matches) {
          untagged.set(m.day, (untagged.get(m.day) ?? Decimal.of('1.23')).plus(m.amount));
        }
        const rows: CostRow[] = [
          ...tagged.map((t) => row(t.service, t.day, t.amount)),
          ...[...untagged].map(([d, amount]) => row('', d, amount)),
        ];
        const ms: RuleMatch[] = matches.map((m) => ({ ...m, currency: 'USD' }));
        const out = applyAttribution(rows, ms, RULES, SERVICES);
        for (const month of ['2026-10', '2026-11', '2026-12']) {
          const before = Decimal.sum(rows.filter((r) => r.day.startsWith(month)).map(exactAmountOf));
          const after = Decimal.sum(out.rows.filter((r) => r.day.startsWith(month)).map(exactAmountOf));
          expect(after.toString()).toBe(before.toString());
        }
        expect(out.tagged.plus(out.attributed).plus(out.unattributed).toString()).toBe(Decimal.sum(rows.map(exactAmountOf)).toString());
        for (const o of out.rules) {
          expect(Decimal.sum(Object.values(o.targets)).toString()).toBe(o.amount.toString());
          expect(Decimal.sum(Object.values(o.months)).toString()).toBe(o.amount.toString());
        }
        // what the services gained is what the rules attributed
        const gained = Decimal.sum(out.rows.filter((r) => r.service !== '').map(exactAmountOf))
          .minus(Decimal.sum(rows.filter((r) => r.service !== '').map(exactAmountOf)));
        expect(gained.toString()).toBe(out.attributed.toString());
      },
    ), { numRuns: 300 });
  });

  test('a month where no target has a positive base leaves the amount unattributed, with the reason', () => {
    const rows = [row('a', '2026-10-03', Decimal.of('-5')), row('', '2026-10-04', Decimal.of('7'))];
    const out = applyAttribution(rows, [{ rule: 1, stack: '', day: '2026-10-04', currency: 'USD', amount: Decimal.of('7'), nonResource: Decimal.of('7') }],
      RULES, SERVICES);
    expect(out.attributed.toString()).toBe('0');
    expect(out.unattributed.toString()).toBe('7');
    expect(out.rules[1].reasons).toEqual(['rule x/unit: no target had cost in 2026-10']);
    expect(out.warnings).toContain('rule x/one matched no untagged spend in the period: check its criteria, or remove it');
  });
});

describe('splitExactly (largest remainder in units of 10^-18)', () => {
  test('1 over three equal weights: the unit left goes to the first name', () => {
    const s = splitExactly(Decimal.of('1'), [{ name: 'b', weight: 1n }, { name: 'a', weight: 1n }, { name: 'c', weight: 1n }]);
    expect(Object.fromEntries([...s].map(([k, v]) => [k, v.toString()]))).toEqual({ a: '0.333333333333333334', b: '0.333333333333333333', c: '0.333333333333333333' });
  });

  test('negative amounts (credits) split the same way', () => {
    const s = splitExactly(Decimal.of('-10'), [{ name: 'a', weight: 60n }, { name: 'b', weight: 30n }, { name: 'c', weight: 22n }]);
    expect([...s.values()].map(String)).toEqual(['-5.357142857142857143', '-2.678571428571428571', '-1.964285714285714286']);
  });
});

describe('likePattern (SQL) agrees with matchesPattern (the reference)', () => {
  test('property, on DuckDB', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const chars = fc.constantFrom('a', 'B', '%', '_', '\\', '*', '-', "'");
      const samples = fc.sample(fc.tuple(fc.string({ unit: chars, minLength: 1, maxLength: 5 }), fc.string({ unit: chars, maxLength: 6 })), 300);
      for (const [pattern, value] of samples) {
        const r = await c.runAndReadAll(`SELECT ${likePattern(`'${value.replace(/'/g, "''")}'`, pattern)} AS m`);
        expect([pattern, value, r.getRowObjects()[0].m]).toEqual([pattern, value, matchesPattern(pattern, value)]);
      }
    } finally {
      c.closeSync();
    }
  });
});

describe('a source result without matches', () => {
  test('a warning names every rule; the rows are unchanged', () => {
    const query: CostQuery = {
      from: '2026-10-01',
      to: '2026-11-01',
      groupBy: CostGrouping.SERVICE,
      metric: CostMetric.UNBLENDED,
      tagKeys: TagKeys.DEFAULT,
      attribution: { rules: RULES, declaredStacks: ['S1'] },
    };
    const rows = [row('', '2026-10-03', Decimal.of('4'))];
    const out = attributeResult(query, { rows, source: 'Cost Explorer', notes: [] }, { assemblies: [], services: [], warnings: [] }, 'Cost Explorer');
    // every source returns its matches now (Athena and Cost Explorer too): a result without them is a fault, still named, never silent
    const message = 'Cost Explorer returned no attribution matches: rules x/one, x/unit, x/all, x/stack, x/fixed are not applied, their spend stays untagged';
    expect(out.result.notes).toEqual([]); // the report puts the source's warnings in its notes
    expect(out.result.warnings).toEqual([message]);
    expect(out.result.rows).toBe(rows);
  });
});

function row(service: string, d: string, amount: Decimal): CostRow {
  return { service, group: service, day: d, amount: amount.toNumber(), exactAmount: amount.toString(), currency: 'USD', estimated: false };
}

describe('charge types a schema cannot tell', () => {
  test('marketplace on FOCUS (no billing-entity column): the rule does not match it there, with a warning naming the rule', () => {
    const rule: OrderedRule = {
      id: 'x/market', rule: { name: 'market', kind: 'charges', match: { chargeTypes: ['marketplace'] }, target: { kind: 'everyone' } },
    };
    const focus = ruleCondition(rule, FOCUS_RULE_COLUMNS, []);
    expect(focus.sql).toBe('(FALSE)');
    expect(focus.warnings).toEqual([expect.stringMatching(/^rule x\/market: FOCUS data has no column telling charge type "marketplace" \(how a FOCUS 1\.2 export/)]);
    const cur = ruleCondition(rule, CUR_RULE_COLUMNS, []);
    expect(cur.warnings).toEqual([]);
    expect(cur.sql).toBe("(((COALESCE(CAST(bill_billing_entity AS VARCHAR), '') = 'AWS Marketplace')))");
  });
});
