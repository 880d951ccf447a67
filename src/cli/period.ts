import { UsageError } from './errors';
import { isIsoDate } from '../private/iso-date';

export interface Period {
  readonly from: string;
  /** Exclusive. */
  readonly to: string;
}

/**
 * The reporting period from `--from` / `--to` (`to` exclusive, like Cost Explorer's `TimePeriod.End`).
 * Neither given: the last full calendar month (UTC) before `today`.
 */
export function resolvePeriod(from: string | undefined, to: string | undefined, today: Date, command: string): Period {
  for (const [flag, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && !isIsoDate(value)) {
      throw new UsageError(`--${flag} is ${JSON.stringify(value)}: expected a calendar date written YYYY-MM-DD, e.g. 2026-10-01`, command);
    }
  }
  if (from === undefined && to === undefined) {
    const y = today.getUTCFullYear();
    const m = today.getUTCMonth();
    const start = new Date(Date.UTC(y, m - 1, 1)).toISOString().slice(0, 10);
    const end = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
    return { from: start, to: end };
  }
  if (from === undefined || to === undefined) {
    throw new UsageError(`--${from === undefined ? 'to' : 'from'} is given without --${from === undefined ? 'from' : 'to'}: `
      + 'give both (--to is exclusive), or neither for the last full month', command);
  }
  if (from >= to) {
    throw new UsageError(`--from ${from} is not before --to ${to}: the period starts at --from and ends before --to (exclusive)`, command);
  }
  return { from, to };
}
