import { findCustomerValueField } from '../customer-value-fields';
import { DeclaredService } from '../declarations/cloud-assembly';
import { isDimension, ReportGrouping } from '../grouping';
import { CostDimension } from '../query-terms';

/** How the reports name a declaration's fields for people. */

/** `Online shoppers (external)` */
export function customerLabel(c: { kind: string; name: string }): string {
  return `${c.name} (${c.kind})`;
}

export function reviewLabel(s: DeclaredService): string {
  return s.record.valueReview?.status ?? 'not-scheduled';
}

/** `, last outcome sustain` when the last review recorded an outcome, else ''. */
export function lastOutcomeLabel(review: { readonly outcome?: string; readonly lastReviewed: string }): string {
  return review.outcome ? `; ${review.lastReviewed}: ${review.outcome}` : '';
}

export function costReportingLabel(s: DeclaredService): string {
  const c = s.record.costReporting;
  if (!c.enabled) {
    return c.disabledReason ? `off (${c.disabledReason})` : 'off';
  }
  return c.monthlyBudgetUsd !== undefined ? `on, budget ${c.monthlyBudgetUsd} USD/month` : 'on';
}

export function coverageLabel(s: DeclaredService): string {
  const r = s.record.resources;
  const untaggable = Object.values(r.untaggableByType ?? {}).reduce((a, b) => a + b, 0);
  return `${r.tagged}/${r.taggable} tagged${untaggable > 0 ? `, ${untaggable} untaggable` : ''}`;
}

/** The unit of the unit-cost metric, e.g. `per 1000 wishlist requests`, or undefined when none is declared. */
export function unitLabel(s: DeclaredService): string | undefined {
  const name = s.record.costReporting.unitMetric ?? s.record.usageMetrics[0]?.name;
  if (!name) {
    return undefined;
  }
  const scale = s.record.costReporting.unitScale ?? 1;
  return scale === 1 ? `per ${singular(name)}` : `per ${scale} ${name}`;
}

/**
 * The unit of the service's declared demand driver (the unit metric, or the first metric added with `addUsageMetric`),
 * ignoring metrics discovered from its resources; undefined when it declares none.
 */
export function declaredUnitLabel(s: DeclaredService): string | undefined {
  const declared = s.record.usageMetrics.filter((u) => u.origin === 'declared');
  return s.record.costReporting.unitMetric || declared.length > 0
    ? unitLabel({ ...s, record: { ...s.record, usageMetrics: declared } }) : undefined;
}

/** `pipeline runs` → `pipeline run` (for "per pipeline run"); names that do not end in a plain `s` are kept. */
function singular(name: string): string {
  return /[^su]s$/i.test(name) && !/(ss|is|us)$/i.test(name) ? name.slice(0, -1) : name;
}

/** `customer need`, `business unit`, `team`, `region`, ... */
export function groupingLabel(grouping: ReportGrouping): string {
  const field = findCustomerValueField(grouping);
  if (field) {
    return field.label;
  }
  return isDimension(grouping) ? dimensionLabel(grouping) : grouping;
}

/** `billing account`, `sub-account`, `charge category`, `region`, `service category`. */
export function dimensionLabel(dimension: CostDimension): string {
  return dimension === CostDimension.SUB_ACCOUNT ? 'sub-account' : dimension.replace(/-/g, ' ');
}
