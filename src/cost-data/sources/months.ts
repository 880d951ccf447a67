import { Decimal } from '../../private/decimal';
import { CostRow, exactAmountOf, exactNonResourceOf } from '../query';

/**
 * Daily cost rows added up per calendar month (`day` becomes the month's first day), for a source that reads days
 * and a query with `granularity: 'month'`. Every other part of the row (service, group, currency, provider) is kept;
 * a month is estimated when any of its days is. Amounts are added up exactly (the rows' decimals).
 */
export function rowsByMonth(rows: readonly CostRow[]): CostRow[] {
  const out = new Map<string, { row: CostRow; amount: Decimal; nonResource?: Decimal; estimated: boolean }>();
  for (const r of rows) {
    const day = `${r.day.slice(0, 7)}-01`;
    const key = JSON.stringify([r.service, r.group, day, r.currency, r.provider ?? null]);
    const nonResource = r.nonResourceAmount !== undefined ? exactNonResourceOf(r) : undefined;
    const seen = out.get(key);
    if (!seen) {
      out.set(key, { row: { ...r, day }, amount: exactAmountOf(r), nonResource, estimated: r.estimated });
      continue;
    }
    seen.amount = seen.amount.plus(exactAmountOf(r));
    if (nonResource !== undefined) {
      seen.nonResource = (seen.nonResource ?? Decimal.ZERO).plus(nonResource);
    }
    seen.estimated = seen.estimated || r.estimated;
  }
  return [...out.values()].map(({ row, amount, nonResource, estimated }) => ({
    ...row,
    amount: amount.toNumber(),
    exactAmount: amount.toString(),
    ...(nonResource !== undefined ? { nonResourceAmount: nonResource.toNumber(), exactNonResourceAmount: nonResource.toString() } : {}),
    estimated,
  }));
}
