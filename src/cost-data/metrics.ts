import { CostDataError } from './errors';
import { ReportMetric } from './query';
import { CostMetric, FocusMetric } from './query-terms';

export type { ReportMetric } from './query';

/** Every `--metric` value, CUR ones first. */
export const REPORT_METRICS: string[] = [...Object.values(CostMetric), ...Object.values(FocusMetric)];

export function isFocusMetric(metric: ReportMetric): metric is FocusMetric {
  return (Object.values(FocusMetric) as string[]).includes(metric);
}

/** The CUR 2.0 figure of a `--metric` (a FOCUS cost column has none: refused, naming what is accepted). */
export function curMetric(metric: ReportMetric, where: string): CostMetric {
  if (isFocusMetric(metric)) {
    throw new CostDataError(`--metric ${metric} is a FOCUS cost column, but ${where} is CUR 2.0 data: accepted values there are `
      + `${Object.values(CostMetric).join(', ')}`);
  }
  return metric;
}

/**
 * The FOCUS cost column of a `--metric`: `unblended` is read as `BilledCost` and `amortized` as `EffectiveCost` (their
 * FOCUS equivalents), with a note saying so; `net-unblended` has no FOCUS column and is refused.
 */
export function focusMetric(metric: ReportMetric): { metric: FocusMetric; note?: string } {
  if (isFocusMetric(metric)) {
    return { metric };
  }
  switch (metric) {
    case CostMetric.UNBLENDED:
      return { metric: FocusMetric.BILLED, note: '--metric unblended is read as FOCUS BilledCost (--metric billed), its FOCUS equivalent' };
    case CostMetric.AMORTIZED:
      return { metric: FocusMetric.EFFECTIVE, note: '--metric amortized is read as FOCUS EffectiveCost (--metric effective), its FOCUS equivalent' };
    default:
      throw new CostDataError(`--metric ${metric} has no FOCUS equivalent (FOCUS has BilledCost, EffectiveCost, ListCost and ContractedCost): `
        + `use --metric ${Object.values(FocusMetric).join(', ')} (or unblended / amortized, read as billed / effective)`);
  }
}

/** The metric a FOCUS report is made with when none is given. */
export const FOCUS_DEFAULT_METRIC = FocusMetric.BILLED;
