import { CostExplorerClient, GetCostAndUsageCommand, GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';

/*
 * Reading daily cost from Cost Explorer for the cost publisher: `GetCostAndUsage`, DAILY, grouped by tag keys, one
 * request per result page (each costs 0.01 USD). Pages are bounded: a response that repeats its NextPageToken, or more
 * than MAX_PAGES pages, stops the run with an error instead of requesting (and paying) for ever.
 */

/** The cost metric: what the line items were charged (the budget and the `customer-value` CLI use the same). */
export const COST_METRIC = 'UnblendedCost';
/** More pages than a 14-day window of two grouped tag keys needs by far; beyond it the run stops. */
export const MAX_PAGES = 100;

const NOT_CREDITS = { Not: { Dimensions: { Key: 'RECORD_TYPE' as const, Values: ['Credit', 'Refund'] } } };

/** Tag values of a group, joined (a tag value cannot hold NUL). */
export const SEP = '\u0000';

/** Cost Explorer results grouped by one or two tag keys. */
export interface Grouped {
  /** Day (YYYY-MM-DD) -> tag values (one per key, joined by NUL) -> cost. Every day Cost Explorer returned. */
  readonly days: Map<string, Map<string, number>>;
  readonly estimated: Set<string>;
  readonly requests: number;
  readonly groups: number;
  /** Per key: whether any group carried a non-empty value. */
  readonly tagged: boolean[];
}

/**
 * GetCostAndUsage, DAILY, grouped by tag keys, following NextPageToken (one request per page); with `region`, only the
 * cost Cost Explorer attributes to that region (dimension REGION).
 */
export async function readGrouped(ce: CostExplorerClient, tagKeys: string[], start: Date, end: Date, region?: string): Promise<Grouped> {
  const days = new Map<string, Map<string, number>>();
  const estimated = new Set<string>();
  const tagged = tagKeys.map(() => false);
  let requests = 0;
  let groups = 0;
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    if (requests >= MAX_PAGES) {
      throw new Error(`Cost Explorer returned more than ${MAX_PAGES} result pages for ${isoDay(start)}..${isoDay(end)}: stopped after ${requests} requests (${(requests * 0.01).toFixed(2)} USD) instead of reading on`);
    }
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: { Start: isoDay(start), End: isoDay(end) },
      Granularity: 'DAILY',
      Metrics: [COST_METRIC],
      GroupBy: tagKeys.map((Key) => ({ Type: 'TAG', Key })),
      // Same scope as the budget (CostTypes IncludeCredit/IncludeRefund false): what the services consume.
      Filter: region === undefined ? NOT_CREDITS : { And: [NOT_CREDITS, { Dimensions: { Key: 'REGION', Values: [region] } }] },
      NextPageToken: token,
    };
    const page = await ce.send(new GetCostAndUsageCommand(input));
    requests++;
    for (const r of page.ResultsByTime ?? []) {
      const day = r.TimePeriod?.Start;
      if (!day) {
        continue;
      }
      let byValues = days.get(day);
      if (!byValues) {
        byValues = new Map();
        days.set(day, byValues);
      }
      if (r.Estimated) {
        estimated.add(day);
      }
      for (const g of r.Groups ?? []) {
        // each key comes back as "<tag key>$<value>", "<tag key>$" when untagged
        const values = tagKeys.map((k, i) => {
          const key = g.Keys?.[i] ?? '';
          return key.startsWith(`${k}$`) ? key.slice(k.length + 1) : undefined;
        });
        if (values.some((v) => v === undefined)) {
          continue;
        }
        groups++;
        values.forEach((v, i) => {
          if (v) {
            tagged[i] = true;
          }
        });
        const amount = Number(g.Metrics?.[COST_METRIC]?.Amount ?? 0);
        const id = values.join(SEP);
        byValues.set(id, (byValues.get(id) ?? 0) + (Number.isFinite(amount) ? amount : 0));
      }
    }
    token = page.NextPageToken || undefined;
    if (token !== undefined && seen.has(token)) {
      throw new Error(`Cost Explorer returned the same NextPageToken twice: stopped after ${requests} requests (${(requests * 0.01).toFixed(2)} USD) instead of requesting the same page for ever`);
    }
    if (token !== undefined) {
      seen.add(token);
    }
  } while (token);
  return { days, estimated, requests, groups, tagged };
}

/** Day -> value of the `index`th key -> cost (untagged cost left out). */
export function sumBy(grouped: Grouped, index: number): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [day, byValues] of grouped.days) {
    const sums = new Map<string, number>();
    for (const [id, amount] of byValues) {
      const value = id.split(SEP)[index];
      if (value) {
        sums.set(value, (sums.get(value) ?? 0) + amount);
      }
    }
    out.set(day, sums);
  }
  return out;
}

export function valuesSeen(byDay: Map<string, Map<string, number>>): string[] {
  const seen = new Set<string>();
  for (const m of byDay.values()) {
    for (const v of m.keys()) {
      seen.add(v);
    }
  }
  return [...seen].sort();
}


export function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
