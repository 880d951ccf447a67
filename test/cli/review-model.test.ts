import { CHECKOUT, record, SEARCH, WISHLIST } from './fixtures';
import { parseThresholds } from '../../src/cli/thresholds';
import { DeclaredService } from '../../src/cost-data/declarations/cloud-assembly';
import { CostRow } from '../../src/cost-data/query';
import { changes, MonthlyUsage, reviewBusinessUnits, ReviewInput } from '../../src/cost-data/review/review';
import { DEFAULT_THRESHOLDS, FLAG_RULES, FlagRule } from '../../src/cost-data/review/review-flags';
import { monthsBetween, packFileName, trendMonths } from '../../src/cost-data/review/review-run';
import { ServiceDeclarationRecord } from '../../src/declaration/record';

/*
 * The value review's arithmetic and flags on small, hand-made cost tables: each flag rule both ways (raised and not
 * raised), missing months as zero, changes, urgency order, attribution of undeclared and untagged cost to a unit.
 */

const MONTHS = ['2026-06', '2026-07', '2026-08'];
const decl = (r: ServiceDeclarationRecord): DeclaredService => ({ record: r, assembly: 'cdk.out', stack: r.stackName });

/** Rows of `service` (business-unit tag `unit`): one per month with the given amounts (undefined: no row at all). */
function rows(service: string, unit: string, amounts: Array<number | undefined>): CostRow[] {
  return amounts.flatMap((amount, i) => (amount === undefined ? []
    : [{ service, group: unit, day: `${MONTHS[i]}-01`, amount, currency: 'USD', estimated: false }]));
}

function review(costRows: CostRow[], extra: Partial<ReviewInput> = {}) {
  return reviewBusinessUnits({
    result: { rows: costRows, source: 'test', notes: [] },
    services: [decl(CHECKOUT), decl(WISHLIST), decl(SEARCH)],
    months: MONTHS,
    today: '2026-11-25',
    businessUnits: ['retail'],
    thresholds: DEFAULT_THRESHOLDS,
    ...extra,
  });
}

const usageOf = (units: Record<string, number[]>): Map<string, MonthlyUsage> => new Map(Object.entries(units)
  .map(([service, list]) => [service, { byMonth: new Map(list.map((u, i) => [MONTHS[i], u])) }]));

function flagsOf(r: ReturnType<typeof review>, rule: FlagRule): string[] {
  return r.units[0].flags.filter((f) => f.rule === rule).map((f) => f.service);
}

const BASE = [...rows('wishlist', 'retail', [10, 10, 10]), ...rows('search', 'retail', [10, 10, 10])];

describe('flags, each both ways', () => {
  test('cost-up-usage-flat: cost +50 % with usage flat is flagged; with usage up 60 % it is not; +15 % is below the threshold', () => {
    const up = [...BASE.filter((r) => r.service !== 'checkout'), ...rows('checkout', 'retail', [100, 100, 150])];
    expect(flagsOf(review(up, { usage: usageOf({ checkout: [1000, 1000, 1000] }) }), 'cost-up-usage-flat')).toEqual(['checkout']);
    expect(flagsOf(review(up, { usage: usageOf({ checkout: [1000, 1000, 1600] }) }), 'cost-up-usage-flat')).toEqual([]);
    // without usage the rule says so, and still flags
    const unknown = review(up, { usageSkipped: 'not read' }).units[0].flags.find((f) => f.rule === 'cost-up-usage-flat');
    expect(unknown?.message).toBe('checkout: cost +50.0 % in 2026-08 against 2026-07 (100.00 to 150.00 USD), and usage is not known');
    const small = [...BASE, ...rows('checkout', 'retail', [100, 100, 115])];
    expect(flagsOf(review(small), 'cost-up-usage-flat')).toEqual([]);
    // the threshold is configurable
    expect(flagsOf(review(small, { thresholds: parseThresholds(['cost-up=10'], 'review') }), 'cost-up-usage-flat')).toEqual(['checkout']);
  });

  test('cost-up-usage-flat: a month before below min-cost is too small to judge', () => {
    const tiny = [...BASE, ...rows('checkout', 'retail', [0.2, 0.5, 3])];
    expect(flagsOf(review(tiny), 'cost-up-usage-flat')).toEqual([]);
    expect(flagsOf(review(tiny, { thresholds: { ...DEFAULT_THRESHOLDS, minimumCost: 0.1 } }), 'cost-up-usage-flat')).toEqual(['checkout']);
  });

  test('unit-cost-up: cost per 1000 orders +25 % is flagged; +5 % is not', () => {
    const costs = [...BASE, ...rows('checkout', 'retail', [100, 100, 125])];
    const flagged = review(costs, { usage: usageOf({ checkout: [1000, 1000, 1000] }) });
    expect(flagsOf(flagged, 'unit-cost-up')).toEqual(['checkout']);
    expect(flagged.units[0].flags.find((f) => f.rule === 'unit-cost-up')?.message)
      .toBe('checkout: cost per 1000 orders +25.0 % in 2026-08 against 2026-07 (100.0 to 125.0 USD)');
    expect(flagsOf(review(costs, { usage: usageOf({ checkout: [1000, 1000, 1190] }) }), 'unit-cost-up')).toEqual([]);
  });

  test('over-budget: a month above the 500 USD budget is flagged, naming it; at or below the budget it is not', () => {
    const over = review([...BASE, ...rows('checkout', 'retail', [400, 500.01, 450])]);
    expect(over.units[0].flags.find((f) => f.rule === 'over-budget')?.message)
      .toBe('checkout: over its budget of 500.00 USD a month in 1 of 3 months (2026-07)');
    expect(flagsOf(review([...BASE, ...rows('checkout', 'retail', [400, 500, 450])]), 'over-budget')).toEqual([]);
    // a budget is in USD: cost in another currency is not compared with it
    const eur = rows('checkout', 'retail', [900, 900, 900]).map((r) => ({ ...r, currency: 'EUR' }));
    expect(flagsOf(review(eur), 'over-budget')).toEqual([]);
  });

  test('review-overdue: overdue by more than overdue-days (search was due 2026-11-01, 24 days before the review)', () => {
    expect(flagsOf(review(BASE), 'review-overdue')).toEqual(['search']);
    expect(flagsOf(review(BASE, { thresholds: { ...DEFAULT_THRESHOLDS, overdueDays: 30 } }), 'review-overdue')).toEqual([]);
    // the status is computed on the review date, not taken from the synth-time record
    expect(flagsOf(review(BASE, { today: '2026-10-30' }), 'review-overdue')).toEqual([]);
  });

  test('no-usage-metric: a service without a declared usage metric is flagged; one with a metric is not', () => {
    expect(flagsOf(review(BASE), 'no-usage-metric')).toEqual(['search']);
    const discovered = record({ ...props(SEARCH), stackName: 'Search' });
    const withDiscoveredOnly = {
      ...discovered,
      usageMetrics: [{ ...CHECKOUT.usageMetrics[0], name: 'invocations', origin: 'discovered' as const }],
    };
    // a metric discovered from the resources is not a declared demand driver
    expect(flagsOf(review(BASE, { services: [decl(CHECKOUT), decl(WISHLIST), decl(withDiscoveredOnly)] }), 'no-usage-metric')).toEqual(['search']);
  });

  test('cost-without-declaration: a service tag value nobody declares, with the unit tag, is flagged; under min-cost it is not', () => {
    const extra = [...BASE, ...rows('gift-cards', 'retail', [5, 0, 0]), ...rows('coupons', 'retail', [0.4, 0.4, 0])];
    const r = review(extra);
    expect(flagsOf(r, 'cost-without-declaration')).toEqual(['gift-cards']);
    expect(r.units[0].undeclared.map((u) => [u.value, u.total])).toEqual([['gift-cards', 5], ['coupons', 0.8]]);
  });

  test('no-cost: a declared service without cost in any month is flagged (checkout has no rows); with cost in one month it is not', () => {
    expect(flagsOf(review(BASE), 'no-cost')).toEqual(['checkout']);
    expect(flagsOf(review([...BASE, ...rows('checkout', 'retail', [undefined, undefined, 3])]), 'no-cost')).toEqual([]);
  });

  test('every rule is documented with its threshold', () => {
    expect(FLAG_RULES.map((r) => r.rule).sort())
      .toEqual(['cost-up-usage-flat', 'cost-without-declaration', 'no-cost', 'no-usage-metric', 'over-budget', 'review-overdue', 'unit-cost-up']);
    expect(FLAG_RULES.find((r) => r.rule === 'cost-up-usage-flat')!.describe({ ...DEFAULT_THRESHOLDS, costIncreasePercent: 35 })).toContain('35 %');
  });
});

describe('trend arithmetic', () => {
  test('a month without cost is 0, not absent; changes against the month before and the first month', () => {
    // GIVEN checkout has cost in June and August only
    const r = review([...BASE, ...rows('checkout', 'retail', [200, undefined, 300])]);
    const checkout = r.units[0].services.find((s) => s.name === 'checkout')!;
    // THEN
    expect(checkout.cost).toEqual([200, 0, 300]);
    expect(checkout.costChanges).toEqual({ lastVsPrevious: null, lastVsFirst: 0.5 });
    expect(r.units[0].cost).toEqual([220, 20, 320]);
  });

  test('changes', () => {
    expect(changes([100, 80, 120])).toEqual({ lastVsPrevious: 0.5, lastVsFirst: 0.2 });
    expect(changes([0, 10, 5])).toEqual({ lastVsPrevious: -0.5, lastVsFirst: null });
    expect(changes([7])).toEqual({ lastVsPrevious: null, lastVsFirst: null });
    expect(changes([10, undefined, 20])).toEqual({ lastVsPrevious: null, lastVsFirst: 1 });
  });

  test('cost is attributed by declaration first, then by the business-unit tag; the rest is unattributed', () => {
    const r = review([
      ...rows('checkout', '', [1, 1, 1]), // a declared service without the unit tag: still the unit's
      ...rows('', 'retail', [2, 2, 2]), // the unit tag without a service tag: the unit's untagged spend
      ...rows('ledger', 'finance', [4, 4, 4]), // another unit
      ...rows('', '', [8, 8, 8]), // nobody's
    ], { businessUnits: [] });
    expect(r.units.map((u) => u.businessUnit)).toEqual(['finance', 'retail']);
    const retail = r.units[1];
    expect([retail.cost, retail.untagged, retail.tagged]).toEqual([[3, 3, 3], [2, 2, 2], 3]);
    expect(r.unattributed).toBe(24);
  });

  test('services by urgency: overdue first (longest first), due soon, on schedule, not scheduled', () => {
    const late = record({ ...props(CHECKOUT), serviceName: 'late', review: { status: 'ok', next: '2026-10-01' } });
    const unscheduled = record({ ...props(CHECKOUT), serviceName: 'free' });
    const r = review(BASE, { services: [decl(CHECKOUT), decl(WISHLIST), decl(SEARCH), decl(late), decl(unscheduled)] });
    expect(r.units[0].services.map((s) => [s.name, s.review.status, s.review.daysOverdue])).toEqual([
      ['late', 'overdue', 55], ['search', 'overdue', 24], ['wishlist', 'due-soon', 0], ['checkout', 'ok', 0], ['free', 'not-scheduled', 0],
    ]);
  });

  test('a business unit nobody declares and no cost carries is refused, suggesting the nearest and naming the known ones', () => {
    expect(() => review(BASE, { businessUnits: ['retial'] }))
      .toThrow('no service declares the business unit "retial" and no cost carries it; did you mean "retail"? (the business units are retail)');
    // nothing near: the list only
    expect(() => review(BASE, { businessUnits: ['logistics'] }))
      .toThrow('no service declares the business unit "logistics" and no cost carries it (the business units are retail)');
    expect(() => review(BASE, { businessUnits: ['Retail', 'fnance'] }))
      .toThrow('no service declares the business unit "Retail", "fnance" and no cost carries it; did you mean "retail" for "Retail"? (the business units are retail)');
  });

  test('months, file names', () => {
    expect(trendMonths(new Date('2026-11-25T00:00:00Z'), 6)).toEqual(['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    expect(trendMonths(new Date('2026-02-01T00:00:00Z'), 2)).toEqual(['2025-12', '2026-01']);
    expect(monthsBetween('2026-11-01', '2027-02-01')).toEqual(['2026-11', '2026-12', '2027-01']);
    const taken = new Set<string>();
    expect([packFileName('Retail', 'md', taken), packFileName('retail ', 'md', taken), packFileName('Éco/Bio', 'html', taken)])
      .toEqual(['value-review-retail.md', 'value-review-retail-2.md', 'value-review-co-bio.html']);
  });
});

/** The props `record()` was built from, enough to build a variant. */
function props(r: ServiceDeclarationRecord) {
  return {
    serviceName: r.serviceName,
    customerNeed: r.customerNeed,
    customer: r.customer,
    team: r.team,
    businessUnit: r.businessUnit,
    stackName: r.stackName,
  };
}
