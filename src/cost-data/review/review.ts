import { reviewFlags, ReviewFlag, ReviewThresholds, unitFlags } from './review-flags';
import { DataGaps, dataGaps } from './review-gaps';
import { daysFrom, reviewStatusOn } from '../../declaration/review-dates';
import { closest } from '../../private/placeholders';
import { DeclaredService } from '../declarations/cloud-assembly';
import { CostDataError } from '../errors';
import { CostResult } from '../query';
import { MergedService, mergeServices, serviceTagOf } from '../report/aggregate';
import { customerLabel, declaredUnitLabel } from '../report/labels';

/**
 * The business unit's value review: the source's cost table per month, joined with the declarations, per business
 * unit. This module computes (months, trends, budget vs actual, unit cost, attribution, flags); `review-pack.ts` turns
 * the result into the report model the formats render. The CLI (`review`) and the scheduled `ValueReviewReports`
 * function both call `reviewBusinessUnits`, so a pack is the same whoever makes it.
 *
 * The cost table is the normalized one every source returns (`CostRow`, grouped by the business-unit tag with the
 * service tag alongside, one bucket per month). A transformation of that table (e.g. shared cost passed on over a
 * consumption graph) fits between the source and this module: see `FullyLoadedCost`.
 */

/** Usage of a service's demand driver per month (`YYYY-MM` to units), or why it is not known. */
export interface MonthlyUsage {
  readonly byMonth?: ReadonlyMap<string, number>;
  /** Where the units come from, when known (e.g. `the usage file usage.csv`, `CloudWatch (CustomerValue UnitUsage, ...)`). */
  readonly source?: string;
  /** Why usage is not known, when it is not. */
  readonly reason?: string;
}

/**
 * Cost passed on between services by a declared allocation (the value chain), per service and month: filled by
 * `review --allocate` (`review-allocation.ts`), and the review then shows fully-loaded cost next to direct cost.
 */
export interface FullyLoadedCost {
  /** Service name to cost received from the services it consumes, per month (`YYYY-MM`). */
  readonly receivedByService: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Service name to cost that left it, per month: passed on to its consumers, or left unallocated by its provider rule. */
  readonly passedOnByService: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export interface ReviewInput {
  /** The source's cost table: grouped by the business-unit tag (`group`), the service tag alongside, one row per month. */
  readonly result: CostResult;
  readonly services: DeclaredService[];
  /** The trend months, `YYYY-MM`, oldest first. */
  readonly months: string[];
  /** The date the review is made (`YYYY-MM-DD`): review statuses are computed on it. */
  readonly today: string;
  /** Business units to review; empty: every unit that declares a service or carries cost. */
  readonly businessUnits: string[];
  readonly thresholds: ReviewThresholds;
  /** Usage per service name, when read (`--usage`, `--usage-file`). */
  readonly usage?: ReadonlyMap<string, MonthlyUsage>;
  /** Why usage was not read, when it was not. */
  readonly usageSkipped?: string;
  /** The value-chain allocation (`--allocate`). @default - direct cost only */
  readonly fullyLoaded?: FullyLoadedCost;
  /**
   * Whether the rows are days (the source was read by day): the days without data inside a month are then named.
   * @default false (rows are months)
   */
  readonly byDay?: boolean;
}

/** Where a service stands against its review schedule on the review date. */
export interface ReviewState {
  readonly status: 'ok' | 'due-soon' | 'overdue' | 'not-scheduled';
  readonly lastReviewed?: string;
  readonly reviewer?: string;
  readonly outcome?: string;
  readonly note?: string;
  readonly nextReview?: string;
  readonly everyDays?: number;
  /** Days past the next review date (0 when not overdue). */
  readonly daysOverdue: number;
}

/** Month-over-month and trend changes of a monthly series, as ratios (0.25 = +25 %); null when the base is 0. */
export interface Changes {
  /** The last month against the one before. */
  readonly lastVsPrevious: number | null;
  /** The last month against the first month of the trend. */
  readonly lastVsFirst: number | null;
}

export interface ServiceReview {
  readonly name: string;
  readonly service: MergedService;
  readonly need: string;
  readonly customer: string;
  readonly team: string;
  readonly review: ReviewState;
  /** Direct cost per trend month (0 for a month without cost). */
  readonly cost: number[];
  readonly total: number;
  readonly costChanges: Changes;
  /** Fully-loaded cost per month, when the allocation provided it. */
  readonly fullyLoaded?: number[];
  /** The declared fixed monthly budget (USD), if any. */
  readonly budget?: number;
  /** Per month: cost above the budget. */
  readonly overBudget: boolean[];
  /**
   * `per 1000 orders`; `per unit` when no usage metric is declared but a usage file gives the units; undefined when
   * neither.
   */
  readonly unit?: string;
  /** Where the units come from, when usage is known. */
  readonly usageSource?: string;
  readonly unitScale: number;
  /** Units per month (undefined where not known). */
  readonly usage?: Array<number | undefined>;
  /** Cost per unit (times the unit scale) per month (undefined where usage is unknown or zero). */
  readonly unitCost?: Array<number | undefined>;
  readonly unitCostChanges?: Changes;
  readonly usageReason?: string;
  readonly flags: ReviewFlag[];
}

/** Cost of a service tag value no declaration carries, attributed to the unit by its business-unit tag. */
export interface UndeclaredCost {
  readonly value: string;
  readonly cost: number[];
  readonly total: number;
}

export interface BusinessUnitReview {
  readonly businessUnit: string;
  readonly months: string[];
  /** Per month: whether the cost data covers it (a month without data, or after the review date, has no amounts). */
  readonly withData: boolean[];
  readonly currency: string;
  /** Declared services, most urgent review first. */
  readonly services: ServiceReview[];
  readonly undeclared: UndeclaredCost[];
  /** Cost with the unit's business-unit tag and no service tag, per month. */
  readonly untagged: number[];
  /** The unit's services' cost per month that the attribution rules gave them (untagged spend, docs/attribution.md). */
  readonly attributed: number[];
  /** All the unit's cost per month: its services', undeclared tag values' and untagged. */
  readonly cost: number[];
  readonly total: number;
  readonly costChanges: Changes;
  /** The part of `total` that carries a service tag (declared or not); what the rules attributed is not in it. */
  readonly tagged: number;
  /** Services flags and the unit's own (cost without declaration). */
  readonly flags: ReviewFlag[];
}

export interface ReviewResult {
  readonly units: BusinessUnitReview[];
  readonly currency: string;
  /** Cost of the period no unit can claim: no service tag a unit declares, and no business-unit tag. */
  readonly unattributed: number;
  /** Cost of the whole table in the trend months. */
  readonly total: number;
  readonly notes: string[];
  /** The months and days the cost data does not cover. */
  readonly gaps: DataGaps;
  /** What the command also says on stderr (months and days without data). */
  readonly warnings: string[];
}

/** The unit of a service that declares no usage metric, when a usage file gives its units. */
const UNDECLARED_UNIT = 'per unit';

/** Turns `YYYY-MM-DD` (a bucket's first day) into its month `YYYY-MM`. */
const monthOf = (day: string) => day.slice(0, 7);

/** The changes of a series; null where the base month is 0 (or negative). */
export function changes(series: ReadonlyArray<number | undefined>): Changes {
  const n = series.length;
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b <= 0 ? null : (a - b) / b);
  return {
    lastVsPrevious: n >= 2 ? ratio(series[n - 1], series[n - 2]) : null,
    lastVsFirst: n >= 2 ? ratio(series[n - 1], series[0]) : null,
  };
}

/** Where a declared review stands on `today` (statuses follow the declaration rules, not the status at synth). */
export function reviewState(s: MergedService, today: string): ReviewState {
  const r = s.decl.record.valueReview;
  if (!r) {
    return { status: 'not-scheduled', daysOverdue: 0 };
  }
  const status = reviewStatusOn(r.nextReview, today);
  return {
    status,
    lastReviewed: r.lastReviewed,
    reviewer: r.reviewer,
    outcome: r.outcome,
    note: r.note,
    nextReview: r.nextReview,
    everyDays: r.everyDays,
    daysOverdue: status === 'overdue' ? daysFrom(r.nextReview, today) : 0,
  };
}

const URGENCY = { 'overdue': 0, 'due-soon': 1, 'ok': 2, 'not-scheduled': 3 };

/** Most urgent first: overdue (longest overdue first), due soon, on schedule (by next date), not scheduled; then by name. */
export function byUrgency(a: ServiceReview, b: ServiceReview): number {
  return URGENCY[a.review.status] - URGENCY[b.review.status]
    || (a.review.status === 'overdue' ? b.review.daysOverdue - a.review.daysOverdue : 0)
    || (a.review.nextReview ?? '').localeCompare(b.review.nextReview ?? '')
    || a.name.localeCompare(b.name);
}

/**
 * Reviews every requested business unit. Refuses a table that mixes currencies or holds amounts that are not numbers,
 * and business units that neither declare a service nor carry cost (a typo in `--business-unit`).
 */
export function reviewBusinessUnits(input: ReviewInput): ReviewResult {
  const { result, months } = input;
  const bad = result.rows.find((r) => !Number.isFinite(r.amount));
  if (bad) {
    throw new CostDataError(`${result.source} returned a cost that is not a number (${bad.amount}) in ${monthOf(bad.day)} for service tag `
      + `"${bad.service}": refusing to add it up`);
  }
  const currencies = [...new Set(result.rows.map((r) => r.currency))].sort();
  if (currencies.length > 1) {
    throw new CostDataError(`the cost data mixes currencies (${currencies.join(', ')}) in ${result.source}: amounts in different currencies `
      + 'cannot be added up; review one billing currency (e.g. one payer account) at a time');
  }
  const currency = currencies[0] ?? 'USD';
  const { services, notes } = mergeServices(input.services);
  const gaps = dataGaps(result.rows, months, input.today, input.byDay === true, result.source);
  const masked = (series: ReadonlyArray<number | undefined>) => series.map((v, i) => (gaps.withData[i] ? v : undefined));
  const index = new Map(months.map((m, i) => [m, i]));
  const zeros = () => months.map(() => 0);

  // declared service tag value -> service; every row to (unit, service tag) per month
  const byTag = new Map<string, MergedService>();
  for (const s of services) {
    byTag.set(serviceTagOf(s), s);
  }
  const serviceCost = new Map<string, number[]>();
  const undeclared = new Map<string, Map<string, number[]>>();
  const untagged = new Map<string, number[]>();
  const attributed = new Map<string, number[]>();
  const unitsWithCost = new Set<string>();
  let unattributed = 0;
  let total = 0;
  for (const row of result.rows) {
    const i = index.get(monthOf(row.day));
    if (i === undefined) {
      continue;
    }
    total += row.amount;
    const declared = row.service === '' ? undefined : byTag.get(row.service);
    if (declared) {
      const series = serviceCost.get(declared.name) ?? zeros();
      series[i] += row.amount;
      serviceCost.set(declared.name, series);
      unitsWithCost.add(declared.decl.record.businessUnit);
      if (row.attributed) {
        const unit = declared.decl.record.businessUnit;
        const by = attributed.get(unit) ?? zeros();
        by[i] += row.amount;
        attributed.set(unit, by);
      }
      continue;
    }
    if (row.group === '') {
      unattributed += row.amount;
      continue;
    }
    unitsWithCost.add(row.group);
    if (row.service === '') {
      const series = untagged.get(row.group) ?? zeros();
      series[i] += row.amount;
      untagged.set(row.group, series);
    } else {
      const values = undeclared.get(row.group) ?? new Map<string, number[]>();
      const series = values.get(row.service) ?? zeros();
      series[i] += row.amount;
      values.set(row.service, series);
      undeclared.set(row.group, values);
    }
  }

  const declaredUnits = new Set(services.map((s) => s.decl.record.businessUnit));
  const requested = input.businessUnits.length > 0 ? input.businessUnits : [...new Set([...declaredUnits, ...unitsWithCost])].sort();
  const unknown = input.businessUnits.filter((u) => !declaredUnits.has(u) && !unitsWithCost.has(u));
  if (unknown.length > 0) {
    const known = [...new Set([...declaredUnits, ...unitsWithCost])].sort();
    const near = unknown.map((u) => [u, closest(u, known)] as const).filter(([, c]) => c !== undefined);
    throw new CostDataError(`no service declares the business unit ${unknown.map((u) => JSON.stringify(u)).join(', ')} and no cost carries it`
      + `${near.map(([u, c]) => `; did you mean ${JSON.stringify(c)}${unknown.length > 1 ? ` for ${JSON.stringify(u)}` : ''}?`).join('')}`
      + ` (the business units are ${known.length > 0 ? known.join(', ') : '(none)'})`);
  }

  const units = requested.map((unit): BusinessUnitReview => {
    const reviews = services.filter((s) => s.decl.record.businessUnit === unit)
      .map((s) => serviceReview(s, serviceCost.get(s.name) ?? zeros(), input, currency, gaps.withData))
      .sort(byUrgency);
    const undeclaredCosts = [...(undeclared.get(unit) ?? new Map<string, number[]>()).entries()]
      .map(([value, cost]) => ({ value, cost, total: sum(cost) }))
      .sort((a, b) => b.total - a.total || a.value.localeCompare(b.value));
    const untaggedCost = untagged.get(unit) ?? zeros();
    const cost = zeros();
    for (const series of [...reviews.map((r) => r.cost), ...undeclaredCosts.map((u) => u.cost), untaggedCost]) {
      series.forEach((v, i) => { cost[i] += v; });
    }
    const unitTotal = sum(cost);
    const attributedCost = attributed.get(unit) ?? zeros();
    return {
      businessUnit: unit,
      months,
      withData: gaps.withData,
      currency,
      services: reviews,
      undeclared: undeclaredCosts,
      untagged: untaggedCost,
      attributed: attributedCost,
      cost,
      total: unitTotal,
      costChanges: changes(masked(cost)),
      tagged: unitTotal - sum(untaggedCost) - sum(attributedCost),
      flags: [...reviews.flatMap((r) => r.flags), ...unitFlags(undeclaredCosts, input.thresholds, currency)],
    };
  });
  return { units, currency, unattributed, total, notes: [...notes, ...gaps.warnings, ...gaps.notes], gaps, warnings: gaps.warnings };
}

function serviceReview(s: MergedService, cost: number[], input: ReviewInput, currency: string, withData: boolean[]): ServiceReview {
  const r = s.decl.record;
  const review = reviewState(s, input.today);
  const budget = r.costReporting.monthlyBudgetUsd;
  // a budget is in USD: it is compared only with USD cost
  const overBudget = cost.map((c) => budget !== undefined && currency === 'USD' && c > budget);
  const declaredUnit = declaredUnitLabel(s.decl);
  const u = input.usage?.get(s.name);
  // a usage file is the business's own count of units: it gives a unit cost to a service that declares no metric too
  const unit = declaredUnit ?? (u?.byMonth ? UNDECLARED_UNIT : undefined);
  const unitScale = declaredUnit ? r.costReporting.unitScale ?? 1 : 1;
  let usage: Array<number | undefined> | undefined;
  let unitCost: Array<number | undefined> | undefined;
  let usageReason: string | undefined;
  // a service declared by value in another app (ValueReviewReports `declarations`): its usage metrics are not known
  const elsewhere = r.constructPath.startsWith('declarations[');
  if (!unit && elsewhere) {
    usageReason = 'declared in another app: its usage metric is not known here';
  }
  if (unit) {
    if (u?.byMonth) {
      usage = input.months.map((m) => u.byMonth!.get(m));
      // no unit cost for a month without cost data (its cost is not known, not 0)
      unitCost = cost.map((c, i) => (usage![i] && withData[i] ? (c / usage![i]!) * unitScale : undefined));
    } else {
      usageReason = u?.reason ?? input.usageSkipped ?? 'usage not read';
    }
  }
  const fl = input.fullyLoaded;
  const fullyLoaded = fl ? input.months.map((m, i) => cost[i] + (fl.receivedByService.get(s.name)?.get(m) ?? 0)
    - (fl.passedOnByService.get(s.name)?.get(m) ?? 0)) : undefined;
  const partial = {
    name: s.name,
    service: s,
    need: r.customerNeed,
    customer: customerLabel(r.customer),
    team: r.team,
    review,
    cost,
    total: sum(cost),
    costChanges: changes(cost.map((c, i) => (withData[i] ? c : undefined))),
    fullyLoaded,
    budget,
    overBudget,
    unit,
    unitScale,
    usage,
    usageSource: u?.byMonth ? `${u.source ?? 'usage read'}${declaredUnit ? '' : ' (the service declares no usage metric: the units the file counts)'}` : undefined,
    unitCost,
    unitCostChanges: unitCost ? changes(unitCost) : undefined,
    usageReason,
  };
  return { ...partial, flags: reviewFlags({ ...partial, unitUnknown: elsewhere, withData }, input.months, input.thresholds, currency) };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
