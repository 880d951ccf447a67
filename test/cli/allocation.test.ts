import * as fc from 'fast-check';
import { CostRow } from '../../src/cost-data/query';
import { allocate, AllocationInput, AllocationResult, dependencyOrder, Flows, ProviderRule } from '../../src/cost-data/value-chain/allocation';

const FIELDS = ['direct', 'received', 'passedOn', 'unallocated', 'spread', 'fullyLoaded'] as const;

/** A cost row of one service; `--by service` (the group is the service). */
function row(service: string, amount: number, day = '2026-10-01', group = service, extra: Partial<CostRow> = {}): CostRow {
  return { service, group, day, amount, currency: 'USD', estimated: false, ...extra };
}

function run(rows: CostRow[], providers: Record<string, ProviderRule>, options: Partial<AllocationInput> = {}): AllocationResult {
  return allocate({
    rows,
    providers: new Map(Object.entries(providers)),
    groupOf: (s) => s,
    declared: (s) => !s.startsWith('ghost'),
    ...options,
  });
}

function fullyLoaded(r: AllocationResult): Record<string, number> {
  return Object.fromEntries([...r.groups.entries()].map(([g, a]) => [g, round(a.fullyLoaded)]));
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

describe('allocate: shared cost passed on over the value chain', () => {
  test('a chain: network (even) -> data-platform (proportional) -> checkout, search; received, passed on and origins', () => {
    // GIVEN network serves data-platform and checkout; data-platform serves checkout and search
    const rows = [row('private-network', 100), row('data-platform', 200), row('checkout', 300), row('search', 100)];

    // WHEN
    const r = run(rows, {
      'private-network': { method: 'even', consumers: ['data-platform', 'checkout'] },
      'data-platform': { method: 'proportional', consumers: ['checkout', 'search'] },
    });

    // THEN network passes 50 + 50; data-platform passes on 200 + 50 by 300 : 100
    expect(fullyLoaded(r)).toEqual({ 'private-network': 0, 'data-platform': 0, 'checkout': 537.5, 'search': 162.5 });
    const checkout = r.groups.get('checkout')!;
    expect(checkout).toMatchObject({ direct: 300, received: 237.5, passedOn: 0, unallocated: 0 });
    expect(Object.fromEntries(checkout.receivedFrom)).toEqual({ 'private-network': 50, 'data-platform': 187.5 });
    // where it was incurred: 50 + 37.5 of the network (the second part through data-platform), 150 of data-platform
    expect(checkout.composition.direct).toBe(300);
    expect(Object.fromEntries(checkout.composition.providers)).toEqual({ 'private-network': 87.5, 'data-platform': 150 });
    const platform = r.groups.get('data-platform')!;
    expect(platform).toMatchObject({ direct: 200, received: 50, passedOn: 250, fullyLoaded: 0 });
    expect(Object.fromEntries(platform.passedOnTo)).toEqual({ checkout: 187.5, search: 62.5 });
    expect(r.providers.map((p) => [p.provider, round(p.fullyLoadedBefore), Object.fromEntries(p.shares)])).toEqual([
      ['private-network', 100, { 'data-platform': 0.5, 'checkout': 0.5 }],
      ['data-platform', 250, { checkout: 0.75, search: 0.25 }],
    ]);
    expect(r.unallocated).toEqual([]);
  });

  test('fixed: the provider keeps the share named after itself (its own need)', () => {
    const r = run([row('search', 100), row('checkout', 200)], {
      search: { method: 'fixed', consumers: ['checkout'], percentages: { search: 70, checkout: 30 } },
    });
    expect(fullyLoaded(r)).toEqual({ search: 70, checkout: 230 });
    expect(r.groups.get('search')).toMatchObject({ direct: 100, passedOn: 30, fullyLoaded: 70 });
    expect(r.groups.get('search')!.composition.direct).toBe(70);
  });

  test('fixed: shares for a service that does not consume it, or that no assembly declares, stay unallocated with the reason', () => {
    const r = run([row('private-network', 100), row('checkout', 10), row('wishlist', 10)], {
      'private-network': { method: 'fixed', consumers: ['checkout'], percentages: { 'checkout': 50, 'wishlist': 30, 'ghost-search': 20 } },
    });
    expect(fullyLoaded(r)).toEqual({ 'private-network': 0, 'checkout': 60, 'wishlist': 10 });
    expect(r.unallocated.map((u) => [u.provider, round(u.amount), u.reason])).toEqual([
      ['private-network', 30, 'its fixed share of 30 % for wishlist, which does not consume it'],
      ['private-network', 20, 'its fixed share of 20 % for ghost-search, which no cloud assembly read declares'],
    ]);
    expect(r.groups.get('private-network')).toMatchObject({ direct: 100, passedOn: 50, unallocated: 50, fullyLoaded: 0 });
  });

  test('proportional: consumers without cost get no share; when none has cost, the cost stays unallocated', () => {
    const some = run([row('private-network', 90), row('checkout', 0), row('search', 30)], {
      'private-network': { method: 'proportional', consumers: ['checkout', 'search', 'wishlist'] },
    });
    expect(fullyLoaded(some)).toEqual({ 'private-network': 0, 'checkout': 0, 'search': 120 });

    const none = run([row('private-network', 90), row('checkout', 0)], {
      'private-network': { method: 'proportional', consumers: ['checkout', 'search'] },
    });
    expect(fullyLoaded(none)).toEqual({ 'private-network': 0, 'checkout': 0 });
    expect(none.unallocated).toEqual([{
      provider: 'private-network',
      amount: 90,
      reason: 'none of its consumers (checkout, search) has cost in the month to share it by',
      byMonth: new Map([['2026-10', 90]]),
    }]);
  });

  test('proportional: a consumer whose credits exceed its charges gets no share', () => {
    const r = run([row('private-network', 100), row('checkout', -20), row('search', 50)], {
      'private-network': { method: 'proportional', consumers: ['checkout', 'search'] },
    });
    expect(fullyLoaded(r)).toEqual({ 'private-network': 0, 'checkout': -20, 'search': 150 });
  });

  test('even: zero-cost consumers get their equal part; no consumer at all: unallocated', () => {
    const r = run([row('private-network', 90), row('checkout', 0)], {
      'private-network': { method: 'even', consumers: ['checkout', 'search', 'wishlist'] },
    });
    expect(fullyLoaded(r)).toEqual({ 'private-network': 0, 'checkout': 30, 'search': 30, 'wishlist': 30 });

    const alone = run([row('private-network', 90)], { 'private-network': { method: 'even', consumers: [] } });
    expect(alone.unallocated).toEqual([{
      provider: 'private-network',
      amount: 90,
      reason: 'no declared service consumes private-network (pass the cloud assemblies of its consumers with --assembly)',
      byMonth: new Map([['2026-10', 90]]),
    }]);
  });

  test('each billing month is split by its own shares, as AWS split charge rules split a month: the period is the sum of its months', () => {
    // GIVEN checkout and search consume the network; October: checkout 300, search 100; November: checkout 100, search 300
    const rows = [
      row('private-network', 200, '2026-10-05'), row('checkout', 300, '2026-10-05'), row('search', 100, '2026-10-20'),
      row('private-network', 40, '2026-11-05'), row('checkout', 100, '2026-11-05'), row('search', 300, '2026-11-20'),
    ];

    // WHEN
    const r = run(rows, { 'private-network': { method: 'proportional', consumers: ['checkout', 'search'] } });

    // THEN October's 200 go 3:1 (150, 50), November's 40 go 1:3 (10, 30); over the period's shares (400:400) it would be 120 each
    expect(fullyLoaded(r)).toEqual({ 'private-network': 0, 'checkout': 560, 'search': 480 });
    expect(Object.fromEntries([...r.groups.get('checkout')!.byMonth].map(([m, f]) => [m, [f.direct, f.received, f.fullyLoaded]]))).toEqual({
      '2026-10': [300, 150, 450], '2026-11': [100, 10, 110],
    });
    const network = r.providers[0];
    expect([...network.months].map(([m, x]) => [m, x.fullyLoadedBefore, Object.fromEntries(x.shares)])).toEqual([
      ['2026-10', 200, { checkout: 0.75, search: 0.25 }],
      ['2026-11', 40, { checkout: 0.25, search: 0.75 }],
    ]);
    // the period's shares: the months' weighted by the network's cost in each (what each consumer got of its 240)
    expect(round(network.shares.get('checkout')!)).toBe(round(160 / 240));
    // a month whose consumers have no cost keeps its cost unallocated, that month only
    const december = run([...rows, row('private-network', 50, '2026-12-01')], { 'private-network': { method: 'proportional', consumers: ['checkout', 'search'] } });
    expect(fullyLoaded(december)).toEqual({ 'private-network': 0, 'checkout': 560, 'search': 480 });
    expect(december.unallocated.map((u) => [u.amount, Object.fromEntries(u.byMonth)])).toEqual([[50, { '2026-12': 50 }]]);
  });

  test('each day is split by its month\'s shares; the day, the estimated flag and the tax/credit part go with the amount', () => {
    const r = run([
      row('private-network', 10, '2026-10-01'),
      row('private-network', 30, '2026-10-02', 'private-network', { estimated: true, nonResourceAmount: 3 }),
      row('checkout', 75, '2026-10-01'),
      row('search', 25, '2026-10-02'),
    ], { 'private-network': { method: 'proportional', consumers: ['checkout', 'search'] } });
    const received = r.rows.filter((x) => x.origin === 'private-network' && x.service !== 'private-network')
      .map((x) => [x.service, x.day, round(x.amount), x.estimated, x.nonResourceAmount === undefined ? null : round(x.nonResourceAmount)]);
    expect(received).toEqual(expect.arrayContaining([
      ['checkout', '2026-10-01', 7.5, false, null],
      ['checkout', '2026-10-02', 22.5, true, 2.25],
      ['search', '2026-10-01', 2.5, false, null],
      ['search', '2026-10-02', 7.5, true, 0.75],
    ]));
  });

  test('grouped (--by need): received cost lands on the consumer\'s declared group; moves inside a group are not received', () => {
    const needOf: Record<string, string> = { 'private-network': 'run workloads', 'data-platform': 'run workloads', 'checkout': 'pay', 'search': 'find' };
    const r = run([
      row('private-network', 100, '2026-10-01', 'run workloads'),
      row('data-platform', 100, '2026-10-01', 'run workloads'),
      row('checkout', 100, '2026-10-01', 'pay'),
      row('search', 100, '2026-10-01', ''), // a search resource without the need tag
    ], {
      'private-network': { method: 'even', consumers: ['data-platform'] },
      'data-platform': { method: 'even', consumers: ['checkout', 'search'] },
    }, { groupOf: (s) => needOf[s] });
    expect(fullyLoaded(r)).toEqual({ 'run workloads': 0, 'pay': 200, 'find': 100, '': 100 });
    expect(r.groups.get('run workloads')).toMatchObject({ direct: 200, received: 0, passedOn: 200 });
    expect(Object.fromEntries(r.groups.get('pay')!.receivedFrom)).toEqual({ 'data-platform': 100 });
  });

  test('untagged spend stays its own row; spreadUntagged spreads it by fully-loaded cost, counted apart from what providers pass on', () => {
    const rows = [row('', 30, '2026-10-01', ''), row('private-network', 10), row('checkout', 60), row('search', 20)];
    const providers: Record<string, ProviderRule> = { 'private-network': { method: 'proportional', consumers: ['checkout', 'search'] } };
    expect(fullyLoaded(run(rows, providers))).toEqual({ '': 30, 'private-network': 0, 'checkout': 67.5, 'search': 22.5 });

    const spread = run(rows, providers, { spreadUntagged: true });
    expect(fullyLoaded(spread)).toEqual({ '': 0, 'private-network': 0, 'checkout': 90, 'search': 30 });
    expect(spread.spread).toBe(30);
    expect(spread.groups.get('checkout')!.composition.untagged).toBe(22.5);
    // "received" is what came from providers; the untagged spend spread onto a row is its own flow (issue 20)
    expect(Object.fromEntries(spread.groups.get('checkout')!.receivedFrom)).toEqual({ 'private-network': 7.5 });
    expect(spread.groups.get('checkout')).toMatchObject({ direct: 60, received: 7.5, spread: 22.5, fullyLoaded: 90 });
    expect(spread.groups.get('')).toMatchObject({ direct: 30, received: 0, passedOn: 0, spread: -30, fullyLoaded: 0 });

    const nothing = run([row('', 30, '2026-10-01', ''), row('checkout', -5)], {}, { spreadUntagged: true });
    expect(nothing.spreadSkipped).toBe('no tagged row has a positive cost to spread it by');
    expect(fullyLoaded(nothing)).toEqual({ '': 30, 'checkout': -5 });
  });

  test('a provider whose consumers consume each other is refused as a programming error (the CLI names cycles first)', () => {
    expect(() => dependencyOrder(new Map<string, ProviderRule>([
      ['a', { method: 'even', consumers: ['b'] }],
      ['b', { method: 'even', consumers: ['a'] }],
    ]))).toThrow(/cycle \(a, b\)/);
  });
});

describe('allocate: conservation to the cent on any acyclic value chain and any costs (property-based)', () => {
  /**
   * A property's check: throws (fast-check then shrinks the case and reports it) with the message. Plain comparisons
   * instead of jest's expect(), which builds an error with a stack on every call: 2000 cases of some 100 checks each
   * spent three quarters of the test's time there.
   */
  function holds(condition: boolean, what: () => string): void {
    if (!condition) {
      throw new Error(`does not hold: ${what()}`);
    }
  }

  /** A random value chain: service i may consume service j < i (acyclic by construction), names shuffled. */
  const chains = fc.integer({ min: 1, max: 9 }).chain((n) => fc.record({
    n: fc.constant(n),
    names: fc.shuffledSubarray(['network', 'data', 'pipeline', 'checkout', 'search', 'wishlist', 'reports', 'identity', 'mail', 'ads'],
      { minLength: n, maxLength: n }),
    edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: n * 3 }),
    methods: fc.array(fc.constantFrom('proportional', 'even', 'fixed') as fc.Arbitrary<ProviderRule['method']>, { minLength: n, maxLength: n }),
    shares: fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: n + 1 }), fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 4 }),
      { minLength: n, maxLength: n }),
    rows: fc.array(fc.record({
      who: fc.integer({ min: -1, max: n }),
      group: fc.constantFrom('a', 'b', ''),
      // three months, days or a month's first day (a source that reads months): the shares change month to month
      day: fc.constantFrom('2026-10-01', '2026-10-02', '2026-10-31', '2026-11-01', '2026-11-15', '2026-12-01'),
      cents: fc.integer({ min: -50_000, max: 10_000_000 }),
    }), { maxLength: 40 }),
    spread: fc.boolean(),
    grouped: fc.boolean(),
  }));

  test('fully-loaded cost of every row plus unallocated cost equals the total, over the period and in each month; every group balances; '
    + 'the period is the sum of one run per month', () => {
    let cases = 0;
    fc.assert(fc.property(chains, (c) => {
      cases++;
      const name = (i: number) => (i < 0 ? '' : i < c.n ? c.names[i] : 'ghost-undeclared');
      const consumersOf = new Map<string, Set<string>>();
      for (const [a, b] of c.edges) {
        if (a > b) {
          // names[a] consumes names[b]
          consumersOf.set(name(b), new Set([...(consumersOf.get(name(b)) ?? []), name(a)]));
        }
      }
      const providers = new Map<string, ProviderRule>();
      c.names.forEach((p, i) => {
        const consumers = [...(consumersOf.get(p) ?? [])];
        if (consumers.length === 0 && c.methods[i] !== 'fixed') {
          return;
        }
        // fixed: integer weights over random names (consumers, non-consumers, itself, an undeclared one), scaled to 100
        const picks = c.shares[i].map(([k, w]) => [k === c.n + 1 ? p : name(k % (c.n + 1)), w] as const).filter(([x]) => x !== '');
        const sum = picks.reduce((s, [, w]) => s + w, 0);
        const percentages: Record<string, number> = {};
        picks.forEach(([x, w]) => {
          percentages[x] = (percentages[x] ?? 0) + (100 * w) / sum;
        });
        providers.set(p, { method: c.methods[i], consumers, ...(c.methods[i] === 'fixed' ? { percentages } : {}) });
      });
      const groupOf = (s: string) => (c.grouped ? `g-${s.length % 3}` : s);
      const rows = c.rows.map((r) => {
        const service = name(r.who);
        return row(service, r.cents / 100, r.day, service === '' ? '' : c.grouped ? r.group : service);
      });
      const total = rows.reduce((s, r) => s + r.amount, 0);

      const input = { providers, groupOf, declared: (s: string) => c.names.includes(s), spreadUntagged: c.spread };
      const result = allocate({ rows, ...input });

      const accounts = [...result.groups.values()];
      const loaded = accounts.reduce((s, a) => s + a.fullyLoaded, 0);
      const unallocated = result.unallocated.reduce((s, u) => s + u.amount, 0);
      holds(Math.abs(loaded + unallocated - total) < 0.005, () => `fully loaded ${loaded} + unallocated ${unallocated} = total ${total}`);
      holds(Math.abs(result.rows.reduce((s, r) => s + r.amount, 0) - loaded) < 1e-6, () => 'the rows add up to the fully-loaded cost');
      holds(Math.abs(accounts.reduce((s, a) => s + a.unallocated, 0) - unallocated) < 1e-6, () => 'the groups\' unallocated cost is the unallocated list\'s');
      holds(Math.abs(accounts.reduce((s, a) => s + a.received, 0) - accounts.reduce((s, a) => s + a.passedOn, 0)) < 1e-6, () => 'received = passed on');
      holds(Math.abs(accounts.reduce((s, a) => s + a.spread, 0)) < 1e-6, () => 'the untagged spread adds up to 0');
      const balances = (a: Flows) => Math.abs(a.direct + a.received - a.passedOn - a.unallocated + a.spread - a.fullyLoaded) < 1e-6;
      for (const [g, a] of result.groups) {
        holds(balances(a), () => `group "${g}" balances: ${JSON.stringify(a)}`);
        const composed = a.composition.direct + a.composition.untagged + [...a.composition.providers.values()].reduce((s, x) => s + x, 0);
        holds(Math.abs(composed - a.fullyLoaded) < 1e-6, () => `group "${g}": its composition ${composed} is its fully-loaded cost ${a.fullyLoaded}`);
        // the period is the sum of its months, and each month balances
        for (const f of FIELDS) {
          holds(Math.abs([...a.byMonth.values()].reduce((s, m) => s + m[f], 0) - a[f]) < 1e-6, () => `group "${g}": ${f} is the sum of its months'`);
        }
        for (const [m, flows] of a.byMonth) {
          holds(balances(flows), () => `group "${g}" balances in ${m}: ${JSON.stringify(flows)}`);
        }
      }
      for (const u of result.unallocated) {
        holds(u.reason.length > 10, () => `unallocated cost of ${u.provider} has a reason: "${u.reason}"`);
        holds(Math.abs([...u.byMonth.values()].reduce((s, x) => s + x, 0) - u.amount) < 1e-6, () => `unallocated cost of ${u.provider} is the sum of its months'`);
      }
      // a pure provider (no share of its own) ends with nothing but what it could not pass on
      for (const p of result.providers) {
        if (!p.shares.has(p.provider)) {
          holds(Math.abs(p.kept) < 1e-9, () => `${p.provider} keeps ${p.kept} without a share of its own`);
        }
      }

      // each month alone gives that month's figures: a period is the sum of its months (as the review's columns are)
      const months = [...new Set(rows.map((r) => r.day.slice(0, 7)))];
      const perMonth = months.map((m) => allocate({ rows: rows.filter((r) => r.day.startsWith(m)), ...input }));
      for (const [g, a] of result.groups) {
        const summed = perMonth.reduce((s, r) => s + (r.groups.get(g)?.fullyLoaded ?? 0), 0);
        holds(Math.abs(summed - a.fullyLoaded) < 1e-6, () => `group "${g}": one run per month gives ${summed}, the period ${a.fullyLoaded}`);
        months.forEach((m, i) => {
          const alone = perMonth[i].groups.get(g)?.fullyLoaded ?? 0;
          holds(Math.abs(alone - (a.byMonth.get(m)?.fullyLoaded ?? 0)) < 1e-6, () => `group "${g}": ${m} alone gives ${alone}`);
        });
      }
      const unallocatedByMonth = perMonth.reduce((s, r) => s + r.unallocated.reduce((x, u) => x + u.amount, 0), 0);
      holds(Math.abs(unallocatedByMonth - unallocated) < 1e-6, () => `unallocated per month ${unallocatedByMonth}, over the period ${unallocated}`);
    }), { numRuns: 2000 });
    expect(cases).toBeGreaterThanOrEqual(2000);
  });
});
