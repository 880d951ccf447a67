import { UsageError } from './errors';
import { DEFAULT_THRESHOLDS, ReviewThresholds, THRESHOLD_NAMES } from '../cost-data/review/review-flags';

/** Parses `--threshold NAME=VALUE` values over the defaults. */
export function parseThresholds(values: readonly string[], command: string): ReviewThresholds {
  const t: Record<string, number> = { ...DEFAULT_THRESHOLDS };
  const accepted = Object.keys(THRESHOLD_NAMES).join(', ');
  for (const v of values) {
    const m = /^([a-z-]+)=(\d+(?:\.\d+)?)$/.exec(v.trim());
    const field = m ? THRESHOLD_NAMES[m[1]] : undefined;
    const negative = /^([a-z-]+)=-\s*\d+(?:\.\d+)?$/.exec(v.trim());
    if (negative && THRESHOLD_NAMES[negative[1]]) {
      throw new UsageError(`--threshold ${v}: ${negative[1]} must be at least 0 (e.g. --threshold ${negative[1]}=25)`, command);
    }
    if (!m || !field) {
      throw new UsageError(`--threshold is ${JSON.stringify(v)}: expected NAME=NUMBER with NAME one of ${accepted} (e.g. --threshold cost-up=25)`, command);
    }
    const n = Number(m[2]);
    if (field === 'overdueDays' && !Number.isInteger(n)) {
      throw new UsageError(`--threshold ${v}: overdue-days is whole days`, command);
    }
    t[field] = n;
  }
  return t as unknown as ReviewThresholds;
}
