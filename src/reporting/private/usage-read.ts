import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { isoDay, MAX_PAGES, startOfDay } from './cost-explorer-read';
import { MetricStatSpec, UsageQuerySpec } from './publisher-config';

/* Reading a service's unit metric (GetMetricData, daily) and the unit-cost change, for the cost publisher. */

const DAY_MS = 86_400_000;

/** The daily usage of a unit metric: GetMetricData, period one day, following NextToken. */
export async function readUsage(cw: CloudWatchClient, spec: UsageQuerySpec, start: Date, end: Date): Promise<Map<string, number>> {
  const queries: MetricDataQuery[] = [];
  if (spec.expression) {
    for (const [id, m] of Object.entries(spec.using ?? {})) {
      queries.push({ Id: id, MetricStat: metricStat(m), ReturnData: false, ...(m.account ? { AccountId: m.account } : {}) });
    }
    queries.push({ Id: 'usage', Expression: spec.expression, Period: 86_400, ReturnData: true });
  } else if (spec.metric) {
    const m = spec.metric;
    queries.push({ Id: 'usage', MetricStat: metricStat(m), ReturnData: true, ...(m.account ? { AccountId: m.account } : {}) });
  } else {
    throw new Error('the unit metric has neither a metric nor an expression');
  }
  const out = new Map<string, number>();
  let token: string | undefined;
  const seen = new Set<string>();
  let requests = 0;
  do {
    if (requests++ >= MAX_PAGES) {
      throw new Error(`GetMetricData returned more than ${MAX_PAGES} result pages: stopped reading`);
    }
    const page = await cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken: token }));
    for (const r of page.MetricDataResults ?? []) {
      if (r.Id !== 'usage') {
        continue;
      }
      (r.Timestamps ?? []).forEach((t, i) => {
        const v = r.Values?.[i];
        if (v !== undefined && Number.isFinite(v)) {
          const day = isoDay(startOfDay(new Date(t)));
          out.set(day, (out.get(day) ?? 0) + v);
        }
      });
    }
    token = page.NextToken || undefined;
    if (token !== undefined && seen.has(token)) {
      throw new Error('GetMetricData returned the same NextToken twice: stopped reading');
    }
    if (token !== undefined) {
      seen.add(token);
    }
  } while (token);
  return out;
}

function metricStat(m: MetricStatSpec) {
  return {
    Metric: { Namespace: m.ns, MetricName: m.name, Dimensions: Object.entries(m.dims ?? {}).map(([Name, Value]) => ({ Name, Value })) },
    Period: 86_400,
    Stat: m.stat,
  };
}

/**
 * Unit cost over the last `n` days against the `n` days before: 100 * (now - before) / before.
 * Both periods need usage, cost data for every day, and a non-zero unit cost before.
 */
export function unitCostChange(
  name: string, services: Map<string, Map<string, number>>, usage: Map<string, number>, today: Date, n: number,
): { value?: number; reason?: string } {
  const period = (fromDaysAgo: number) => {
    let cost = 0;
    let units = 0;
    for (let i = fromDaysAgo; i > fromDaysAgo - n; i--) {
      const day = isoDay(new Date(today.getTime() - i * DAY_MS));
      const byService = services.get(day);
      if (!byService) {
        return undefined;
      }
      cost += byService.get(name) ?? 0;
      units += usage.get(day) ?? 0;
    }
    return { cost, units };
  };
  const now = period(n);
  const before = period(2 * n);
  if (!now || !before) {
    return { reason: `Cost Explorer returned fewer than ${2 * n} days` };
  }
  if (now.units <= 0 || before.units <= 0) {
    return { reason: `no usage in the last ${n} days or the ${n} days before` };
  }
  const unitNow = now.cost / now.units;
  const unitBefore = before.cost / before.units;
  if (unitBefore <= 0) {
    return { reason: `no cost in the ${n} days before the last ${n}` };
  }
  return { value: 100 * (unitNow - unitBefore) / unitBefore };
}

