import { daysBetween } from '../../private/iso-date';
import { CostRow } from '../query';
import { missingDaysOf } from '../report/summary';

/**
 * The months and days of a review the cost data does not cover: months without any data (before the data starts, a
 * gap in an export, a month not exported yet), months after the review date, the month in progress, and, when the
 * source was read by day, the days without data inside the other months. A month without data is shown without
 * amounts and no change is computed against it, rather than as a cost of 0.00 that fell by 100 %.
 */
export interface DataGaps {
  /** Per trend month: whether the cost table holds any row for it. */
  readonly withData: boolean[];
  /** Months up to the review date without any data. */
  readonly withoutData: string[];
  /** Months after the month of the review date. */
  readonly future: string[];
  /** The month of the review date, when the trend holds it (its cost is still growing). */
  readonly inProgress?: string;
  /** What to tell the reader (the pack's notes, and the command's warnings). */
  readonly warnings: string[];
  /** What the pack notes besides (e.g. that days were not checked). */
  readonly notes: string[];
}

/** `2026-06, 2026-07 and 2026-09`; runs of more than two months as `2026-06 to 2026-09`. */
export function monthList(months: readonly string[], all: readonly string[]): string {
  const runs: string[][] = [];
  for (const m of months) {
    const last = runs[runs.length - 1];
    if (last && all.indexOf(last[last.length - 1]) === all.indexOf(m) - 1) {
      last.push(m);
    } else {
      runs.push([m]);
    }
  }
  const parts = runs.flatMap((r) => (r.length > 2 ? [`${r[0]} to ${r[r.length - 1]}`] : r));
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0] ?? '';
}

/**
 * The gaps of the cost table over the trend `months` on the review date `today` (`YYYY-MM-DD`). `byDay`: the rows
 * are days (the source was read by day), so days without data inside a month can be named.
 */
export function dataGaps(rows: readonly CostRow[], months: readonly string[], today: string, byDay: boolean, source: string): DataGaps {
  const present = new Set(rows.map((r) => r.day));
  const monthsWithRows = new Set(rows.map((r) => r.day.slice(0, 7)));
  const current = today.slice(0, 7);
  const future = months.filter((m) => m > current);
  const withoutData = months.filter((m) => m <= current && !monthsWithRows.has(m));
  const inProgress = months.includes(current) ? current : undefined;
  const warnings: string[] = [];
  const notes: string[] = [];
  const them = (list: readonly string[]) => (list.length === 1 ? 'it' : 'them');
  if (withoutData.length > 0) {
    warnings.push(`no cost data for ${monthList(withoutData, months)} in ${source} (the source holds no line item for ${them(withoutData)}: before `
      + `the data starts, a gap in the export, or not exported yet): ${withoutData.length === 1 ? 'that month is' : 'those months are'} shown `
      + 'without amounts, and no change is computed against them');
  }
  if (future.length > 0) {
    warnings.push(`${monthList(future, months)} ${future.length === 1 ? 'is' : 'are'} after the review date (${today}): no cost yet, shown without `
      + 'amounts, and no change is computed against them');
  }
  if (inProgress && monthsWithRows.has(inProgress)) {
    warnings.push(`${inProgress} is in progress on the review date (${today}): its cost is the cost so far, not a whole month's`);
  }
  if (byDay) {
    const checked = months.filter((m) => monthsWithRows.has(m))
      .flatMap((m) => daysBetween(`${m}-01`, monthEnd(m)))
      .filter((d) => d < today);
    const gaps = missingDaysOf(checked, present);
    if (gaps) {
      warnings.push(`${gaps.replace(/^no cost data for (\d+) of (\d+) days/, 'no cost data for $1 of the $2 days of the months with data')}: `
        + 'a month with missing days shows less than its cost');
    }
  } else if (months.some((m) => monthsWithRows.has(m))) {
    notes.push(`days without data inside a month are not checked: ${source} was read by month`);
  }
  return { withData: months.map((m) => m <= current && monthsWithRows.has(m)), withoutData, future, inProgress, warnings, notes };
}

/** The first day after `month` (`YYYY-MM`), `YYYY-MM-DD`. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}
