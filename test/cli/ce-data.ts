import { GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';

/** Daily cost of one (service, team, ...) combination, as the tags on the resources would give it. */
export interface Spend {
  readonly service: string;
  readonly need: string;
  readonly customer: string;
  readonly team: string;
  readonly businessUnit: string;
  readonly daily: number;
}

export const SPEND: Spend[] = [
  { service: 'checkout', need: 'Shoppers pay for their basket in one step', customer: 'external:Online shoppers', team: 'payments', businessUnit: 'retail', daily: 10 },
  { service: 'wishlist', need: 'Shoppers keep a list of products they want to buy later', customer: 'external:Online shoppers', team: 'discovery', businessUnit: 'retail', daily: 2.5 },
  { service: 'search', need: 'Shoppers find the product they are looking for', customer: 'external:Online shoppers', team: 'discovery', businessUnit: 'retail', daily: 7.25 },
  // A tag value nobody declared, without the other tags.
  { service: 'legacy-batch', need: '', customer: '', team: '', businessUnit: '', daily: 0.8 },
  // Untagged spend (tax, untaggable resources, resources created outside CDK).
  { service: '', need: '', customer: '', team: '', businessUnit: '', daily: 1.2 },
];

/** The four days of the fixture period 2026-10-01 .. 2026-10-05 (exclusive); the amounts grow 10 % a day. */
export const DAYS = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04'];
export const FACTORS = [1, 1.1, 1.2, 1.3];

const FIELD: Record<string, keyof Spend> = {
  'customer-service': 'service',
  'customer-need': 'need',
  'customer': 'customer',
  'team': 'team',
  'business-unit': 'businessUnit',
};

/**
 * What GetCostAndUsage returns for the fixture, grouped by the given tag keys (`key$value`, untagged as `key$`),
 * split into pages of two days; the last day is `Estimated`. Amounts are strings, as in the API.
 */
export function cePages(groupKeys: string[], options: { currency?: (s: Spend) => string; metric?: string } = {}): GetCostAndUsageCommandOutput[] {
  const results = DAYS.map((day, d) => {
    const groups = new Map<string, { keys: string[]; amount: number; unit: string }>();
    for (const s of SPEND) {
      const keys = groupKeys.map((k) => `${k}$${s[FIELD[k]]}`);
      const id = keys.join('|');
      const g = groups.get(id) ?? { keys, amount: 0, unit: options.currency?.(s) ?? 'USD' };
      g.amount += s.daily * FACTORS[d];
      groups.set(id, g);
    }
    return {
      TimePeriod: { Start: day, End: DAYS[d + 1] ?? '2026-10-05' },
      Total: {},
      Groups: [...groups.values()].map((g) => ({
        Keys: g.keys,
        Metrics: { [options.metric ?? 'UnblendedCost']: { Amount: g.amount.toFixed(10), Unit: g.unit } },
      })),
      Estimated: d === DAYS.length - 1,
    };
  });
  return [
    { ResultsByTime: results.slice(0, 2), NextPageToken: 'page-2', GroupDefinitions: [], $metadata: {} },
    { ResultsByTime: results.slice(2), GroupDefinitions: [], $metadata: {} },
  ];
}

/** Total of the fixture over the four days. */
export const TOTAL = SPEND.reduce((a, s) => a + s.daily, 0) * FACTORS.reduce((a, b) => a + b, 0);
