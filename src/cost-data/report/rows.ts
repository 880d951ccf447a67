import { CostAggregate, CostGroup, MergedService, serviceTagOf } from './aggregate';
import { customerLabel, dimensionLabel, unitLabel } from './labels';
import { Cell, Column, Decimal, formatPercent, round, Table } from './model';
import { customerValueField, findCustomerValueField } from '../customer-value-fields';
import { BY_PROVIDER, isDimension, ReportGrouping } from '../grouping';
import { CostGrouping } from '../query-terms';
import { UsageOutcome } from '../sources/unit-usage';

/** Groups to the rows of the main table (people) and of the JSON `rows` (machines). */

/** Review statuses from best to worst. */
const REVIEW_ORDER = ['ok', 'not-scheduled', 'due-soon', 'overdue'];

/** Usage read for unit cost, or why it was not read. */
export interface UsageInput {
  /** Unit usage per service name, when it was read. */
  readonly usage?: ReadonlyMap<string, UsageOutcome>;
  /** Why usage was not read, when it was not (e.g. "source is CUR files: add --usage"). */
  readonly usageSkipped?: string;
}

export interface CostRows {
  readonly table: Table;
  /** One object per group, in the table's order. */
  readonly json: unknown[];
}

/** Whether the table has a unit cost column: unit cost is per service. */
export function showsUnitCost(grouping: ReportGrouping): boolean {
  return grouping === CostGrouping.SERVICE;
}

/** The main table: one row per group, with what the declarations say about it. */
export function costRows(grouping: ReportGrouping, agg: CostAggregate, usage: UsageInput): CostRows {
  const showUnitCost = showsUnitCost(grouping);
  // Several providers (FOCUS data): which providers each row's cost comes from.
  const providerColumn = agg.providers.size > 1 && grouping !== BY_PROVIDER;
  const columns = columnsFor(grouping, agg.currency, showUnitCost, providerColumn);
  const rows: Record<string, Cell>[] = [];
  const rowKinds: string[] = [];
  const json: unknown[] = [];
  const share = (n: number) => (agg.total > 0 ? n / agg.total : undefined);
  for (const g of agg.groups) {
    const decls = g.services.map((s) => s.decl.record);
    const { withCost, withoutCost } = servicesOf(g);
    const serviceNames = withCost;
    const declared = g.status === 'declared';
    const review = reviewOf(g.services);
    const unit = showUnitCost && declared ? unitCost(g.services[0], g.cost, agg.currency, usage) : undefined;
    rows.push({
      group: g.label,
      services: [...withCost, ...withoutCost.map((n) => `${n} (no cost)`)].join(', '),
      need: declared ? distinct(decls.map((d) => d.customerNeed)) : '',
      customer: declared ? distinct(decls.map((d) => customerLabel(d.customer))) : '',
      team: declared ? distinct(decls.map((d) => d.team)) : '',
      businessUnit: declared ? distinct(decls.map((d) => d.businessUnit)) : '',
      cost: g.exact.cost,
      share: share(g.cost),
      review: declared ? review.label : g.status === 'not-declared' ? '(not declared)' : g.status === 'untagged' ? '(untagged)' : '',
      unitCost: declared ? unit?.cell : '',
      providers: providerColumn ? providerCell(g) : undefined,
      taggedShare: g.resourceCost > 0 ? (g.resourceCost - g.untaggedResourceCost) / g.resourceCost : undefined,
    });
    rowKinds.push(g.status);
    json.push({
      group: g.value,
      label: g.label,
      status: g.status,
      services: serviceNames,
      customerNeeds: uniq(decls.map((d) => d.customerNeed)),
      customers: uniq(decls.map((d) => customerLabel(d.customer))),
      teams: uniq(decls.map((d) => d.team)),
      businessUnits: uniq(decls.map((d) => d.businessUnit)),
      cost: g.exact.cost.round(6),
      share: agg.total > 0 ? round(g.cost / agg.total) : null,
      estimated: g.estimated,
      valueReview: declared ? review.worst : null,
      ...(agg.providers.size > 0 ? { providers: providerAmounts(g) } : {}),
      ...(grouping === BY_PROVIDER || isDimension(grouping) ? { taggedShare: taggedShareOf(g) } : {}),
      ...(showUnitCost ? { unitCost: declared ? unit?.json ?? null : null } : { servicesWithoutCost: withoutCost }),
    });
  }
  return { table: { columns, rows, rowKinds }, json };
}

/**
 * The services of a group: the service tag values that carry its cost (declared or not), and its declared services
 * that have no cost in it (shown marked, so that a declared name never stands for cost that other tag values carry).
 */
function servicesOf(g: CostGroup): { withCost: string[]; withoutCost: string[] } {
  const withCost = [...g.costByService.keys()].filter((s) => s !== '').sort();
  const withoutCost = g.services.filter((s) => !g.costByService.has(serviceTagOf(s))).map((s) => s.name);
  return { withCost, withoutCost };
}

/** Cost per unit of usage of a service, for the table cell and the JSON. */
function unitCost(s: MergedService | undefined, cost: number, currency: string, input: UsageInput): { cell: string; json: unknown } {
  if (!s) {
    return { cell: '', json: null };
  }
  const unit = unitLabel(s.decl);
  if (!unit) {
    return { cell: 'n/a (no usage metric declared)', json: { notAvailable: 'no usage metric declared (addUsageMetric)' } };
  }
  if (input.usageSkipped || !input.usage) {
    return { cell: 'n/a (usage not read)', json: { notAvailable: input.usageSkipped ?? 'usage not read' } };
  }
  const u = input.usage.get(s.name);
  if (!u || u.units === undefined) {
    return { cell: `n/a (${u?.short ?? 'no usage'})`, json: { notAvailable: u?.reason ?? 'no usage' } };
  }
  if (u.units === 0) {
    return { cell: 'n/a (zero usage)', json: { notAvailable: 'zero usage in the period', units: 0 } };
  }
  const scale = s.decl.record.costReporting.unitScale ?? 1;
  const value = (cost / u.units) * scale;
  return {
    cell: `${significant(value)} ${currency} ${unit}`,
    json: {
      amount: round(value, 8),
      currency,
      per: scale,
      unit: s.decl.record.costReporting.unitMetric ?? s.decl.record.usageMetrics[0]?.name,
      units: u.units,
    },
  };
}

/** The worst value review status of the services (with the next review date when there is one service). */
function reviewOf(services: MergedService[]): { label: string; worst: string } {
  if (services.length === 0) {
    return { label: '', worst: '' };
  }
  const statuses = services.map((s) => s.decl.record.valueReview?.status ?? 'not-scheduled');
  const worst = statuses.reduce((w, s) => (REVIEW_ORDER.indexOf(s) > REVIEW_ORDER.indexOf(w) ? s : w), statuses[0]);
  if (services.length === 1 || statuses.every((s) => s === worst)) {
    const next = services.length === 1 ? services[0].decl.record.valueReview?.nextReview : undefined;
    return { label: next ? `${worst} (next ${next})` : worst, worst };
  }
  const which = services.filter((_, i) => statuses[i] === worst).map((s) => s.name);
  return { label: `${worst}: ${which.join(', ')}`, worst };
}

/** A group's cost per provider, largest first (JSON). */
function providerAmounts(g: CostGroup): Record<string, Decimal> {
  return Object.fromEntries([...g.exact.byProvider].sort((a, b) => b[1].compare(a[1])).map(([p, c]) => [p, c.round(6)]));
}

/** The part of a group's resource spend that carries the service tag (JSON; null without resource spend). */
function taggedShareOf(g: CostGroup): number | null {
  return g.resourceCost > 0 ? round((g.resourceCost - g.untaggedResourceCost) / g.resourceCost) : null;
}

/** `AWS 80.0 %, Microsoft 20.0 %`: the providers of a group's cost, largest first. */
function providerCell(g: CostGroup): string {
  const list = [...g.byProvider].sort((a, b) => b[1] - a[1]);
  if (list.length <= 1) {
    return list[0]?.[0] ?? '';
  }
  return list.map(([p, c]) => `${p || '(no provider name)'} ${g.cost !== 0 ? formatPercent(c / g.cost) : ''}`.trim()).join(', ');
}

function columnsFor(grouping: ReportGrouping, currency: string, unitCostColumn: boolean, providerColumn: boolean): Column[] {
  const base = columnsOfGrouping(grouping, currency, unitCostColumn);
  if (!providerColumn) {
    return base;
  }
  const at = base.findIndex((c) => c.key === 'cost');
  return [...base.slice(0, at), { key: 'providers', header: 'Providers', maxWidth: 36 }, ...base.slice(at)];
}

/** Widths of the customer-value columns (as the group, and beside it). */
const GROUP_WIDTH: Partial<Record<CostGrouping, number>> = { [CostGrouping.NEED]: 52, [CostGrouping.CUSTOMER]: 32 };
const BESIDE_WIDTH: Partial<Record<CostGrouping, number>> = { [CostGrouping.NEED]: 44, [CostGrouping.CUSTOMER]: 28 };

/** The column of a customer-value field, keyed by its `TagKeys` field, headed by the field table's header. */
function fieldColumn(grouping: CostGrouping, width: Partial<Record<CostGrouping, number>>, key?: string, header?: string): Column {
  const f = customerValueField(grouping);
  const maxWidth = width[grouping];
  return { key: key ?? f.tagKeyField, header: header ?? f.header, ...(maxWidth !== undefined ? { maxWidth } : {}) };
}

/** The customer-value fields shown beside the group, per grouping: what the group's services declare, coarser levels only. */
const BESIDE: Record<CostGrouping, () => Column[]> = {
  [CostGrouping.SERVICE]: () => [CostGrouping.NEED, CostGrouping.CUSTOMER, CostGrouping.TEAM, CostGrouping.BUSINESS_UNIT]
    .map((g) => fieldColumn(g, BESIDE_WIDTH)),
  [CostGrouping.NEED]: () => [CostGrouping.CUSTOMER, CostGrouping.TEAM, CostGrouping.BUSINESS_UNIT].map((g) => fieldColumn(g, BESIDE_WIDTH)),
  [CostGrouping.CUSTOMER]: () => [CostGrouping.NEED, CostGrouping.TEAM, CostGrouping.BUSINESS_UNIT].map((g) => fieldColumn(g, BESIDE_WIDTH)),
  [CostGrouping.TEAM]: () => [fieldColumn(CostGrouping.BUSINESS_UNIT, BESIDE_WIDTH)],
  // a business unit has several teams
  [CostGrouping.BUSINESS_UNIT]: () => [fieldColumn(CostGrouping.TEAM, BESIDE_WIDTH, undefined, 'Teams')],
};

function columnsOfGrouping(grouping: ReportGrouping, currency: string, unitCostColumn: boolean): Column[] {
  const cost: Column[] = [
    { key: 'cost', header: `Cost (${currency})`, type: 'money' },
    { key: 'share', header: 'Share', type: 'percent' },
  ];
  const review: Column = { key: 'review', header: 'Value review', maxWidth: 28 };
  const services: Column = { key: 'services', header: 'Services', maxWidth: 36 };
  const taggedShare: Column = { key: 'taggedShare', header: 'Tagged share', type: 'percent' };
  const field = findCustomerValueField(grouping);
  if (field) {
    const group = fieldColumn(field.grouping, GROUP_WIDTH, 'group');
    return field.grouping === CostGrouping.SERVICE
      ? [group, ...BESIDE[field.grouping](), ...cost, review, ...(unitCostColumn ? [{ key: 'unitCost', header: 'Unit cost', maxWidth: 44 }] : [])]
      : [group, services, ...BESIDE[field.grouping](), ...cost, review];
  }
  if (grouping === BY_PROVIDER) {
    return [{ key: 'group', header: 'Provider' }, services, ...cost, taggedShare];
  }
  if (isDimension(grouping)) {
    const label = dimensionLabel(grouping);
    return [{ key: 'group', header: `${label[0].toUpperCase()}${label.slice(1)}`, maxWidth: 40 }, services, ...cost, taggedShare];
  }
  throw new Error(`unknown grouping ${String(grouping)}`);
}

export function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function distinct(xs: string[]): string {
  return uniq(xs).join('; ');
}

/** Four significant digits, no exponent: 0.0004213, 12.35, 1235. */
function significant(n: number): string {
  if (n === 0) return '0';
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(n))));
  return n.toFixed(Math.min(digits, 10));
}
