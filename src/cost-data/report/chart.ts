import { CostGroup } from './aggregate';
import { groupingLabel } from './labels';
import { Chart, ChartSeries, Decimal, round } from './model';
import { uniq } from './rows';
import { addDays, daysBetween } from '../../private/iso-date';
import { ReportGrouping } from '../grouping';

/** Series drawn individually in the chart; the rest is summed as "(other)". */
const CHART_SERIES = 8;

/** Labels of the summed series. */
export const UNTAGGED_SERIES = '(untagged)';
export const OTHER_SERIES = '(other)';

/** The cost chart: daily buckets up to 62 days, weekly (Monday starts) up to ~2 years, monthly beyond. */
export function costChart(groups: CostGroup[], from: string, to: string, currency: string, grouping: ReportGrouping): Chart {
  const days = daysBetween(from, to);
  const bucketOf = bucketing(days.length);
  const buckets = uniq(days.map(bucketOf));
  const index = new Map(buckets.map((b, i) => [b, i]));
  const labelled = groups.filter((g) => g.status !== 'untagged');
  const top = labelled.slice(0, CHART_SERIES);
  const rest = labelled.slice(CHART_SERIES);
  const untagged = groups.filter((g) => g.status === 'untagged');
  const seriesOf = (label: string, kind: ChartSeries['kind'], gs: CostGroup[]): ChartSeries => {
    const values = buckets.map(() => Decimal.ZERO);
    for (const g of gs) {
      for (const [day, v] of g.exact.byDay) {
        const i = index.get(bucketOf(day));
        if (i !== undefined) {
          values[i] = values[i].plus(v);
        }
      }
    }
    return { label, kind, values: values.map((v) => round(v.toNumber())), exactValues: values };
  };
  const series = top.map((g) => seriesOf(shorten(g.label, 48), 'group', [g]));
  if (rest.length > 0) {
    series.push(seriesOf(OTHER_SERIES, 'other', rest));
  }
  if (untagged.length > 0) {
    series.push(seriesOf(UNTAGGED_SERIES, 'untagged', untagged));
  }
  const granularity = days.length <= 62 ? 'day' : days.length <= 740 ? 'week' : 'month';
  return {
    title: `Cost per ${groupingLabel(grouping)} and ${granularity} (${currency})`,
    unit: currency,
    buckets,
    series,
  };
}

function bucketing(dayCount: number): (day: string) => string {
  if (dayCount <= 62) {
    return (d) => d;
  }
  if (dayCount <= 740) {
    return (d) => {
      const weekday = (new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7;
      return addDays(d, -weekday);
    };
  }
  return (d) => d.slice(0, 7);
}

function shorten(s: string, n: number): string {
  const chars = Array.from(s);
  return chars.length > n ? `${chars.slice(0, n - 1).join('').trimEnd()}…` : s;
}
