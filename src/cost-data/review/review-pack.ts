import { BusinessUnitReview, Changes, ReviewResult, ServiceReview } from './review';
import { FLAG_RULES, ReviewThresholds, significant } from './review-flags';
import { Cell, Column, formatMoney, formatPercent, Report, round, Section, TrendChart } from '../report/model';

/** The review packs as report models: one per business unit (`--out-dir`), or one holding them all. */

/** What the pack says about how it was made. */
export interface PackContext {
  readonly months: string[];
  /** The review date, `YYYY-MM-DD`. */
  readonly today: string;
  /** Human description of the source. */
  readonly source: string;
  /** Billable requests the source made, when it counts them, and what they cost (USD). */
  readonly requests?: number;
  readonly requestCostUsd?: number;
  readonly bytesScanned?: number;
  /** Where the declarations come from (assembly folders, or the shipped declarations). */
  readonly declarations: string;
  readonly thresholds: ReviewThresholds;
  /**
   * How the thresholds are set, e.g. `thresholds with --threshold NAME=VALUE` (the CLI); the scheduled packs name the
   * construct's property, as their readers have no command line. @default - not said
   */
  readonly thresholdsHow?: string;
  /** Notes of the source and of reading usage. */
  readonly notes: string[];
}

/** The cost cell of a month without cost data. */
const NO_DATA = 'no data';

/** A month of the trend as the tables show it: named when the cost data does not cover it. */
function monthLabel(i: number, u: BusinessUnitReview, ctx: PackContext): string {
  const m = ctx.months[i];
  if (u.withData[i]) {
    return m;
  }
  return m > ctx.today.slice(0, 7) ? `${m} (after the review date)` : `${m} (no cost data)`;
}

/** A change as a signed percentage, `n/a` without a base. */
export function changeLabel(c: number | null): string {
  return c === null ? 'n/a' : `${c >= 0 ? '+' : ''}${(Math.round(c * 1000) / 10).toFixed(1)} %`;
}

/** `2026-05 to 2026-10` */
function span(months: string[]): string {
  return months.length === 1 ? months[0] : `${months[0]} to ${months[months.length - 1]}`;
}

/** The pack of `units` (all of the result's units when several are written to one file). */
export function reviewReport(result: ReviewResult, units: BusinessUnitReview[], ctx: PackContext): Report {
  const one = units.length === 1 ? units[0] : undefined;
  const title = `Value review${one ? `: ${one.businessUnit}` : ''}, ${span(ctx.months)}`;
  const flags = units.reduce((n, u) => n + u.flags.length, 0);
  const summary = [
    `review of ${ctx.today}: ${ctx.months.length} month${ctx.months.length === 1 ? '' : 's'} of cost (${span(ctx.months)}), `
      + `${units.length === 1 ? 'business unit' : 'business units'} ${units.map((u) => u.businessUnit).join(', ')}`,
    `source: ${ctx.source}${requestsLabel(ctx)}`,
    `declarations: ${ctx.declarations}`,
    ...units.map((u) => `${u.businessUnit}: ${u.services.length} declared service${u.services.length === 1 ? '' : 's'}, `
      + `${formatMoney(u.total)} ${u.currency} over the trend, ${u.withData[u.withData.length - 1]
        ? `last month ${formatMoney(u.cost[u.cost.length - 1] ?? 0)} (${changeLabel(u.costChanges.lastVsPrevious)} on the month before, `
          + `${changeLabel(u.costChanges.lastVsFirst)} on ${ctx.months[0]})`
        : `last month (${monthLabel(ctx.months.length - 1, u, ctx)}) without amounts`}; `
      + `${u.flags.length} flag${u.flags.length === 1 ? '' : 's'}`),
    `${flags} flag${flags === 1 ? '' : 's'} to look at`,
  ];
  const sections: Section[] = [];
  for (const u of units) {
    sections.push(...unitSections(u, ctx, one === undefined));
  }
  const notes = [
    `how flags are raised${ctx.thresholdsHow ? ` (${ctx.thresholdsHow})` : ''}:`,
    ...FLAG_RULES.map((r) => r.describe(ctx.thresholds)),
    'changes compare the last month of the trend with the month before and with the first month; a month with cost data but no cost for a '
      + 'service is 0 for it; a month without cost data (or after the review date) has no amounts, and no change is computed against it',
    ...ctx.notes,
    ...result.notes,
  ];
  if (result.unattributed !== 0) {
    notes.push(`${formatMoney(result.unattributed)} ${result.currency} of the period carries neither a declared service tag nor a `
      + 'business-unit tag (shared infrastructure, tax, credits, support): no business unit is shown it');
  }
  return { title, summary, sections, notes, data: reviewJson(result, units, ctx) };
}

function requestsLabel(ctx: PackContext): string {
  if (ctx.requests === undefined) {
    return '';
  }
  return `; ${ctx.requests} billable request${ctx.requests === 1 ? '' : 's'}`
    + `${ctx.requestCostUsd !== undefined ? ` (${ctx.requestCostUsd.toFixed(2)} USD)` : ''}`;
}

function unitSections(u: BusinessUnitReview, ctx: PackContext, prefixed: boolean): Section[] {
  const h = (s: string) => (prefixed ? `${u.businessUnit}: ${s}` : s);
  const last = ctx.months[ctx.months.length - 1];
  const columns: Column[] = [
    { key: 'service', header: 'Service' },
    { key: 'review', header: 'Review', maxWidth: 30 },
    { key: 'last', header: 'Last review', maxWidth: 36 },
    { key: 'cost', header: `Cost ${last} (${u.currency})`, type: 'money' },
    { key: 'mom', header: 'vs month before' },
    { key: 'trend', header: `vs ${ctx.months[0]}` },
    { key: 'budget', header: 'Budget (USD)', type: 'money' },
    { key: 'unitCost', header: `Unit cost ${last}`, maxWidth: 32 },
    { key: 'flags', header: 'Flags', type: 'number' },
  ];
  const lastCovered = u.withData[u.withData.length - 1];
  const rows: Record<string, Cell>[] = u.services.map((s) => ({
    service: s.name,
    review: reviewCell(s),
    last: lastReviewCell(s),
    cost: lastCovered ? s.cost[s.cost.length - 1] : NO_DATA,
    mom: changeLabel(s.costChanges.lastVsPrevious),
    trend: changeLabel(s.costChanges.lastVsFirst),
    budget: s.budget,
    unitCost: unitCostCell(s, s.unitCost?.[s.unitCost.length - 1], u.currency),
    flags: s.flags.length,
  }));
  const sections: Section[] = [
    { heading: h('Services by review urgency'), table: { columns, rows, rowKinds: u.services.map((s) => s.review.status) } },
    { heading: h('Flags'), lines: u.flags.length > 0 ? u.flags.map((f) => `${f.rule}: ${f.message}`) : ['none'] },
  ];
  for (const s of u.services) {
    sections.push(...serviceSections(s, u, ctx, h));
  }
  sections.push(dataQualitySection(u, ctx, h));
  return sections;
}

function reviewCell(s: ServiceReview): string {
  const r = s.review;
  if (r.status === 'not-scheduled') return 'not scheduled';
  if (r.status === 'overdue') return `overdue ${r.daysOverdue} days (due ${r.nextReview})`;
  return `${r.status} (next ${r.nextReview})`;
}

function lastReviewCell(s: ServiceReview): string {
  const r = s.review;
  if (!r.lastReviewed) return '';
  return [r.lastReviewed, r.reviewer, r.outcome].filter((x) => x).join(', ');
}

function unitCostCell(s: ServiceReview, value: number | undefined, currency: string): string {
  if (!s.unit) return 'n/a (no usage metric)';
  if (value === undefined) return `n/a (${s.usageReason ?? 'no usage'})`;
  return `${significant(value)} ${currency} ${s.unit}`;
}

function serviceSections(s: ServiceReview, u: BusinessUnitReview, ctx: PackContext, h: (s: string) => string): Section[] {
  const r = s.review;
  const lines = [
    `need: ${s.need}`,
    `customer: ${s.customer}; team: ${s.team}`,
    r.lastReviewed
      ? `last review: ${r.lastReviewed}${r.reviewer ? ` by ${r.reviewer}` : ''}${r.outcome ? `, outcome ${r.outcome}` : ''}${r.note ? `: ${r.note}` : ''}`
      : 'last review: none recorded',
    r.nextReview ? `next review: ${r.nextReview} (${reviewCell(s)}, every ${r.everyDays} days)` : 'next review: not scheduled',
    `cost: ${formatMoney(s.total)} ${u.currency} over the trend; last month ${changeLabel(s.costChanges.lastVsPrevious)} on the month before, `
      + `${changeLabel(s.costChanges.lastVsFirst)} on ${ctx.months[0]}`,
  ];
  if (s.unitCostChanges) {
    lines.push(`unit cost (${s.unit}): ${changeLabel(s.unitCostChanges.lastVsPrevious)} on the month before, `
      + `${changeLabel(s.unitCostChanges.lastVsFirst)} on ${ctx.months[0]}`);
  } else {
    lines.push(s.unit ? `unit cost (${s.unit}): not available (${s.usageReason})` : 'unit cost: no usage metric declared');
  }
  if (s.usageSource) {
    lines.push(`units: from ${s.usageSource}`);
  }
  const columns: Column[] = [
    { key: 'month', header: 'Month' },
    { key: 'cost', header: `Cost (${u.currency})`, type: 'money' },
    ...(s.fullyLoaded ? [{ key: 'fullyLoaded', header: `Fully loaded (${u.currency})`, type: 'money' as const }] : []),
    { key: 'budget', header: 'Budget (USD)', type: 'money' },
    { key: 'vsBudget', header: 'Of budget', type: 'percent' },
    { key: 'usage', header: 'Usage (units)', type: 'number' },
    { key: 'unitCost', header: `Unit cost (${u.currency} ${s.unit ?? ''})`.replace(' )', ')') },
  ];
  const rows = ctx.months.map((_m, i) => ({
    month: `${monthLabel(i, u, ctx)}${s.overBudget[i] ? ' (over budget)' : ''}`,
    cost: u.withData[i] ? s.cost[i] : undefined,
    fullyLoaded: u.withData[i] ? s.fullyLoaded?.[i] : undefined,
    budget: s.budget,
    vsBudget: s.budget && u.withData[i] ? s.cost[i] / s.budget : undefined,
    usage: s.usage?.[i],
    unitCost: s.unitCost?.[i] !== undefined ? significant(s.unitCost[i]!) : '',
  }));
  const charts: TrendChart[] = [{
    title: `${s.name}: cost per month (${u.currency})`,
    unit: u.currency,
    buckets: ctx.months,
    bars: s.cost.map((c) => round(c, 2)),
    limit: s.budget !== undefined ? { value: s.budget, label: `budget ${formatMoney(s.budget)} USD` } : undefined,
  }];
  if (s.unitCost) {
    charts.push({ title: `${s.name}: cost ${s.unit} (${u.currency})`, unit: u.currency, buckets: ctx.months, line: s.unitCost.map((c) => c ?? null) });
  }
  return [
    { heading: h(`${s.name}: ${s.need}`), lines },
    { table: { columns, rows, rowKinds: s.overBudget.map((o) => (o ? 'over-budget' : '')) }, trendCharts: charts },
  ];
}

function dataQualitySection(u: BusinessUnitReview, ctx: PackContext, h: (s: string) => string): Section {
  // what the attribution rules gave the unit's services (docs/attribution.md section 8): tagged / attributed / unattributed
  const attributed = u.attributed.reduce((a, x) => a + x, 0);
  const rules = u.attributed.some((x) => x !== 0);
  const untagged = u.total - u.tagged - attributed;
  const lines = [
    u.total > 0 && rules
      ? `tagged share: ${formatPercent(u.tagged / u.total)} of the unit's ${formatMoney(u.total)} ${u.currency} carries a service tag `
        + `(${formatMoney(u.tagged)} ${u.currency}); attributed by rules ${formatPercent(attributed / u.total)} (${formatMoney(attributed)} ${u.currency}); `
        + `unattributed ${formatPercent(untagged / u.total)} (${formatMoney(untagged)} ${u.currency} carries the business-unit tag "${u.businessUnit}" `
        + 'and no service tag, and no rule took it)'
      : u.total > 0
        ? `tagged share: ${formatPercent(u.tagged / u.total)} of the unit's ${formatMoney(u.total)} ${u.currency} carries a service tag; `
          + `${formatMoney(u.total - u.tagged)} ${u.currency} carries the business-unit tag "${u.businessUnit}" and no service tag`
        : `tagged share: not available (the unit's cost over the trend is ${formatMoney(u.total)} ${u.currency})`,
    u.undeclared.length > 0
      ? `${u.undeclared.length} service tag value${u.undeclared.length === 1 ? '' : 's'} with the unit's business-unit tag and no declaration: `
        + u.undeclared.map((x) => `${x.value} (${formatMoney(x.total)} ${u.currency})`).join(', ')
      : 'every service tag value with the unit\'s business-unit tag is declared',
  ];
  const columns: Column[] = [
    { key: 'month', header: 'Month' },
    { key: 'total', header: `${u.businessUnit} (${u.currency})`, type: 'money' },
    { key: 'undeclared', header: 'Undeclared tag values', type: 'money' },
    { key: 'untagged', header: 'No service tag', type: 'money' },
    ...(rules ? [{ key: 'attributed', header: 'Attributed by rules', type: 'money' } as Column] : []),
    { key: 'tagged', header: 'Tagged share', type: 'percent' },
    ...(rules ? [{ key: 'attributedShare', header: 'Attributed share', type: 'percent' } as Column] : []),
  ];
  const rows = ctx.months.map((_m, i) => {
    const undeclared = u.undeclared.reduce((a, x) => a + x.cost[i], 0);
    return u.withData[i] ? {
      month: monthLabel(i, u, ctx),
      total: u.cost[i],
      undeclared,
      untagged: u.untagged[i],
      ...(rules ? { attributed: u.attributed[i] } : {}),
      tagged: u.cost[i] > 0 ? (u.cost[i] - u.untagged[i] - u.attributed[i]) / u.cost[i] : undefined,
      ...(rules ? { attributedShare: u.cost[i] > 0 ? u.attributed[i] / u.cost[i] : undefined } : {}),
    } : { month: monthLabel(i, u, ctx) };
  });
  return { heading: h('Data quality: the unit\'s spend and its tags'), lines, table: { columns, rows } };
}

function changesJson(c: Changes | undefined): unknown {
  const r = (x: number | null) => (x === null ? null : round(x));
  return c ? { lastVsPrevious: r(c.lastVsPrevious), lastVsFirst: r(c.lastVsFirst) } : null;
}

function reviewJson(result: ReviewResult, units: BusinessUnitReview[], ctx: PackContext): unknown {
  // a month without cost data (or after the review date) is null, not 0
  const covered = result.gaps.withData;
  const series = (xs: ReadonlyArray<number | undefined> | undefined) =>
    (xs ? xs.map((x, i) => (x === undefined || !covered[i] ? null : round(x))) : null);
  return {
    reviewDate: ctx.today,
    months: ctx.months,
    monthsWithoutData: result.gaps.withoutData,
    monthsAfterReviewDate: result.gaps.future,
    monthInProgress: result.gaps.inProgress ?? null,
    source: ctx.source,
    requests: ctx.requests ?? null,
    requestCostUsd: ctx.requestCostUsd ?? null,
    bytesScanned: ctx.bytesScanned ?? null,
    currency: result.currency,
    thresholds: ctx.thresholds,
    unattributed: round(result.unattributed),
    businessUnits: units.map((u) => ({
      businessUnit: u.businessUnit,
      cost: series(u.cost),
      total: round(u.total),
      changes: changesJson(u.costChanges),
      taggedShare: u.total > 0 ? round(u.tagged / u.total) : null,
      attributedShare: u.total > 0 ? round(u.attributed.reduce((a, x) => a + x, 0) / u.total) : null,
      untagged: series(u.untagged),
      attributed: series(u.attributed),
      undeclared: u.undeclared.map((x) => ({ value: x.value, cost: series(x.cost), total: round(x.total) })),
      flags: u.flags,
      services: u.services.map((s) => ({
        serviceName: s.name,
        customerNeed: s.need,
        customer: s.service.decl.record.customer,
        team: s.team,
        review: s.review,
        cost: series(s.cost),
        total: round(s.total),
        changes: changesJson(s.costChanges),
        fullyLoaded: series(s.fullyLoaded),
        monthlyBudgetUsd: s.budget ?? null,
        overBudget: s.overBudget,
        unit: s.unit ?? null,
        usage: series(s.usage),
        usageSource: s.usageSource ?? null,
        unitCost: series(s.unitCost),
        unitCostChanges: changesJson(s.unitCostChanges),
        usageNotAvailable: s.usageReason ?? null,
        flags: s.flags,
      })),
    })),
    notes: [...ctx.notes, ...result.notes],
  };
}
