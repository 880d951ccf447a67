import { CostRow } from './types';

/**
 * Daily cost rows added up per calendar month (`day` becomes the month's first day), for a source that reads days
 * and a query with `granularity: 'month'`. Every other part of the row (service, group, currency, provider) is kept;
 * a month is estimated when any of its days is.
 */
export function rowsByMonth(rows: readonly CostRow[]): CostRow[] {
  const out = new Map<string, { row: CostRow; amount: number; nonResource?: number; estimated: boolean }>();
  for (const r of rows) {
    const day = `${r.day.slice(0, 7)}-01`;
    const key = JSON.stringify([r.service, r.group, day, r.currency, r.provider ?? null]);
    const seen = out.get(key);
    if (!seen) {
      out.set(key, { row: { ...r, day }, amount: r.amount, nonResource: r.nonResourceAmount, estimated: r.estimated });
      continue;
    }
    seen.amount += r.amount;
    if (r.nonResourceAmount !== undefined) {
      seen.nonResource = (seen.nonResource ?? 0) + r.nonResourceAmount;
    }
    seen.estimated = seen.estimated || r.estimated;
  }
  return [...out.values()].map(({ row, amount, nonResource, estimated }) => ({
    ...row,
    amount,
    ...(nonResource !== undefined ? { nonResourceAmount: nonResource } : {}),
    estimated,
  }));
}
