import * as fc from 'fast-check';
import { allocate, AllocationInput, AllocationResult, dependencyOrder, ProviderRule } from '../../src/cli/report/allocation';
import { CostRow } from '../../src/cli/sources/types';

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
      reason: 'none of its consumers (checkout, search) has cost in the period to share it by',
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
    }]);
  });

  test('each day is split by the period\'s shares; the day, the estimated flag and the tax/credit part go with the amount', () => {
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

  test('untagged spend stays its own row; spreadUntagged spreads it by fully-loaded cost', () => {
    const rows = [row('', 30, '2026-10-01', ''), row('private-network', 10), row('checkout', 60), row('search', 20)];
    const providers: Record<string, ProviderRule> = { 'private-network': { method: 'proportional', consumers: ['checkout', 'search'] } };
    expect(fullyLoaded(run(rows, providers))).toEqual({ '': 30, 'private-network': 0, 'checkout': 67.5, 'search': 22.5 });

    const spread = run(rows, providers, { spreadUntagged: true });
    expect(fullyLoaded(spread)).toEqual({ '': 0, 'private-network': 0, 'checkout': 90, 'search': 30 });
    expect(spread.spread).toBe(30);
    expect(spread.groups.get('checkout')!.composition.untagged).toBe(22.5);
    expect(Object.fromEntries(spread.groups.get('checkout')!.receivedFrom)).toEqual({ 'private-network': 7.5, '': 22.5 });

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
      day: fc.constantFrom('2026-10-01', '2026-10-02', '2026-10-03'),
      cents: fc.integer({ min: -50_000, max: 10_000_000 }),
    }), { maxLength: 40 }),
    spread: fc.boolean(),
    grouped: fc.boolean(),
  }));

  test('fully-loaded cost of every row plus unallocated cost equals the total; every group balances', () => {
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

      const result = allocate({ rows, providers, groupOf, declared: (s) => c.names.includes(s), spreadUntagged: c.spread });

      const accounts = [...result.groups.values()];
      const loaded = accounts.reduce((s, a) => s + a.fullyLoaded, 0);
      const unallocated = result.unallocated.reduce((s, u) => s + u.amount, 0);
      expect(Math.abs(loaded + unallocated - total)).toBeLessThan(0.005);
      expect(Math.abs(result.rows.reduce((s, r) => s + r.amount, 0) - loaded)).toBeLessThan(1e-6);
      expect(Math.abs(accounts.reduce((s, a) => s + a.unallocated, 0) - unallocated)).toBeLessThan(1e-6);
      expect(Math.abs(accounts.reduce((s, a) => s + a.received, 0) - accounts.reduce((s, a) => s + a.passedOn, 0))).toBeLessThan(1e-6);
      for (const a of accounts) {
        expect(Math.abs(a.direct + a.received - a.passedOn - a.unallocated - a.fullyLoaded)).toBeLessThan(1e-6);
        const composed = a.composition.direct + a.composition.untagged + [...a.composition.providers.values()].reduce((s, x) => s + x, 0);
        expect(Math.abs(composed - a.fullyLoaded)).toBeLessThan(1e-6);
      }
      for (const u of result.unallocated) {
        expect(u.reason.length).toBeGreaterThan(10);
      }
      // a pure provider (no share of its own) ends with nothing but what it could not pass on
      for (const p of result.providers) {
        if (!p.shares.has(p.provider)) {
          expect(Math.abs(p.kept)).toBeLessThan(1e-9);
        }
      }
    }), { numRuns: 2000 });
    expect(cases).toBeGreaterThanOrEqual(2000);
  });
});
