import { DeclaredService } from './assembly';
import { addDays, daysBetween } from './dates';
import { Chart, ChartSeries, Column, formatMoney, formatPercent, Report, round, Section, Table } from './document';
import { OTHER_SERIES, UNTAGGED_SERIES } from './format/html';
import { groupField, groupTagKey } from './grouping';
import { customerLabel, unitLabel } from './services';
import { CostQuery, CostResult, CliError } from './sources/types';
import { UsageOutcome } from './unit-usage';
import { CostGrouping } from '../billing/cur-sql';

/** Review statuses from best to worst. */
const REVIEW_ORDER = ['ok', 'not-scheduled', 'due-soon', 'overdue'];
/** Series drawn individually in the chart; the rest is summed as "(other)". */
const CHART_SERIES = 8;

export interface CostReportInput {
  readonly query: CostQuery;
  readonly result: CostResult;
  readonly services: DeclaredService[];
  /** Assembly directories read (relative, for display), empty when none was read. */
  readonly assemblies: string[];
  /** Unit usage per service name, when it was read. */
  readonly usage?: Map<string, UsageOutcome>;
  /** Why usage was not read, when it was not (e.g. "source is CUR files: add --usage"). */
  readonly usageSkipped?: string;
  /** Lines about how usage was read (e.g. number of CloudWatch requests). */
  readonly usageNotes?: string[];
}

/** One service, merged over the stages it is declared in. */
interface Service {
  readonly name: string;
  readonly decl: DeclaredService;
  readonly stages: string[];
}

interface Group {
  readonly value: string;
  readonly label: string;
  readonly status: 'declared' | 'not-declared' | 'untagged';
  readonly services: Service[];
  cost: number;
  estimated: boolean;
  readonly servicesWithCost: Set<string>;
  readonly byDay: Map<string, number>;
}

/**
 * Joins cost rows with the declarations: one row per value of the grouped tag (declared or not), a row for
 * untagged spend, the tagged share of spend (resource spend where the source tells tax, credits and refunds apart), declared services without cost, tag values not declared,
 * unit cost per service where usage is known, and the daily series for the chart.
 */
export function costReport(input: CostReportInput): Report {
  const { query, result } = input;
  const grouping = query.groupBy;
  const field = groupField(grouping);
  const groupKey = groupTagKey(grouping, query.tagKeys);
  const serviceKey = query.tagKeys.service;
  const notes: string[] = [];

  // --- Validate the rows.
  if (result.rows.length === 0) {
    throw new CliError(`no cost between ${query.from} and ${query.to} (exclusive) in ${result.source}: check the period, `
      + 'and that the data covers it');
  }
  const currencies = [...new Set(result.rows.map((r) => r.currency))].sort();
  if (currencies.length > 1) {
    throw new CliError(`the cost data mixes currencies (${currencies.join(', ')}) in ${result.source}: amounts in different currencies `
      + 'cannot be added up; report on one billing currency (e.g. one payer account) at a time');
  }
  const currency = currencies[0] || 'USD';

  // --- Services, merged over stages.
  const services = mergeServices(input.services, notes);
  const byName = new Map(services.map((s) => [s.name, s]));
  const tagOf = (s: Service) => s.decl.record.tags[s.decl.record.tagKeys[field]] ?? '';

  // --- Aggregate.
  const groups = new Map<string, Group>();
  let total = 0;
  let untaggedService = 0;
  // the data-quality figure covers resource spend when the source can tell tax, credits and refunds apart (as the
  // untagged-share named query does); Cost Explorer cannot, so there it covers all spend
  const byResource = result.rows.every((r) => r.nonResourceAmount !== undefined);
  let resourceTotal = 0;
  let untaggedResource = 0;
  const costByService = new Map<string, number>();
  for (const row of result.rows) {
    total += row.amount;
    const resourceAmount = row.amount - (row.nonResourceAmount ?? 0);
    resourceTotal += resourceAmount;
    if (row.service === '') {
      untaggedService += row.amount;
      untaggedResource += resourceAmount;
    }
    costByService.set(row.service, (costByService.get(row.service) ?? 0) + row.amount);
    let g = groups.get(row.group);
    if (!g) {
      const declared = services.filter((s) => tagOf(s) === row.group && row.group !== '');
      g = {
        value: row.group,
        label: row.group === '' ? `(no ${groupKey} tag)` : groupLabel(grouping, row.group, declared),
        status: row.group === '' ? 'untagged' : declared.length > 0 ? 'declared' : 'not-declared',
        services: declared,
        cost: 0,
        estimated: false,
        servicesWithCost: new Set(),
        byDay: new Map(),
      };
      groups.set(row.group, g);
    }
    g.cost += row.amount;
    g.estimated = g.estimated || row.estimated;
    if (row.service !== '') {
      g.servicesWithCost.add(row.service);
    }
    g.byDay.set(row.day, (g.byDay.get(row.day) ?? 0) + row.amount);
  }
  const share = (n: number) => (total > 0 ? n / total : undefined);
  if (total <= 0) {
    notes.push(`total spend is ${formatMoney(total)} ${currency} (credits exceed charges): shares are not shown`);
  }

  const ordered = [...groups.values()].sort((a, b) => {
    const rank = (g: Group) => (g.status === 'untagged' ? 2 : g.status === 'not-declared' ? 1 : 0);
    return rank(a) - rank(b) || b.cost - a.cost || a.value.localeCompare(b.value);
  });

  // --- Unit cost (per service).
  const unitCost = (s: Service | undefined, cost: number): { cell: string; json: unknown } => {
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
  };
  const showUnitCost = grouping === CostGrouping.SERVICE;

  // --- Rows.
  const columns = columnsFor(grouping, currency, showUnitCost);
  const rows: Record<string, string | number | undefined>[] = [];
  const rowKinds: string[] = [];
  const jsonRows: unknown[] = [];
  for (const g of ordered) {
    const decls = g.services.map((s) => s.decl.record);
    const serviceNames = g.status === 'declared'
      ? g.services.map((s) => s.name)
      : [...g.servicesWithCost].sort();
    const review = reviewOf(g.services);
    const unit = showUnitCost && g.status === 'declared' ? unitCost(g.services[0], g.cost) : undefined;
    const declared = g.status === 'declared';
    rows.push({
      group: g.label,
      services: serviceNames.join(', '),
      need: declared ? distinct(decls.map((d) => d.customerNeed)) : '',
      customer: declared ? distinct(decls.map((d) => customerLabel(d.customer))) : '',
      team: declared ? distinct(decls.map((d) => d.team)) : '',
      businessUnit: declared ? distinct(decls.map((d) => d.businessUnit)) : '',
      cost: g.cost,
      share: share(g.cost),
      review: declared ? review.label : g.status === 'not-declared' ? '(not declared)' : '(untagged)',
      unitCost: declared ? unit?.cell : '',
    });
    rowKinds.push(g.status === 'declared' ? 'declared' : g.status);
    jsonRows.push({
      group: g.value,
      label: g.label,
      status: g.status,
      services: serviceNames,
      customerNeeds: uniq(decls.map((d) => d.customerNeed)),
      customers: uniq(decls.map((d) => customerLabel(d.customer))),
      teams: uniq(decls.map((d) => d.team)),
      businessUnits: uniq(decls.map((d) => d.businessUnit)),
      cost: round(g.cost),
      share: total > 0 ? round(g.cost / total) : null,
      estimated: g.estimated,
      valueReview: g.status === 'declared' ? review.worst : null,
      ...(showUnitCost ? { unitCost: g.status === 'declared' ? unit?.json ?? null : null } : {}),
    });
  }
  const table: Table = { columns, rows, rowKinds };

  // --- Data quality: declared without cost, tag values without declaration.
  const idle = services.filter((s) => !costByService.has(tagOfService(s)));
  const undeclared = [...costByService.entries()]
    .filter(([name]) => name !== '' && !byName.has(name) && !services.some((s) => tagOfService(s) === name))
    .sort((a, b) => b[1] - a[1]);

  // --- Summary.
  const days = daysBetween(query.from, query.to);
  const summary = [
    `period ${query.from} to ${addDays(query.to, -1)} (${days.length} day${days.length === 1 ? '' : 's'}), ${query.metric} cost, `
      + `grouped by ${groupingLabel(grouping)} (tag "${groupKey}"), source: ${result.source}`,
    `total ${formatMoney(total)} ${currency}`,
  ];
  const taggedBase = byResource ? resourceTotal : total;
  const taggedAmount = taggedBase - (byResource ? untaggedResource : untaggedService);
  if (taggedBase > 0) {
    summary.push(`tagged share (data quality): ${formatPercent(taggedAmount / taggedBase)} of `
      + `${byResource ? 'resource spend (tax, credits and refunds left out)' : 'spend'} carries the "${serviceKey}" tag; `
      + `untagged ${formatMoney(taggedBase - taggedAmount)} ${currency} (${formatPercent((taggedBase - taggedAmount) / taggedBase)})`);
  }
  if (input.assemblies.length > 0) {
    summary.push(`${services.length} declared service${services.length === 1 ? '' : 's'} read from ${input.assemblies.join(', ')}`);
  } else {
    summary.push('no cloud assembly read: tag values are shown without their declarations (pass --assembly cdk.out)');
  }
  if (showUnitCost) {
    summary.push(input.usageSkipped ? `unit cost: not available (${input.usageSkipped})`
      : 'unit cost: cost divided by the usage recorded in CloudWatch (CustomerValue/UnitUsage per service)');
  }
  if (result.rows.some((r) => r.estimated)) {
    summary.push('includes estimated cost: the most recent days can still change');
  }

  // --- Sections.
  const sections: Section[] = [{ table }];
  if (idle.length > 0) {
    sections.push({
      heading: 'Declared services without cost in the period',
      lines: idle.map((s) => `${s.name}: ${s.decl.record.customerNeed}`),
    });
  }
  if (undeclared.length > 0) {
    sections.push({
      heading: `"${serviceKey}" tag values with cost that no declared service carries`,
      lines: undeclared.map(([name, cost]) => `${name}: ${formatMoney(cost)} ${currency}`),
    });
  }
  const usageReasons = input.usage
    ? uniq([...input.usage.values()].map((u) => u.reason).filter((r): r is string => !!r && !/datapoints/.test(r)))
    : [];
  notes.push(...result.notes, ...(input.usageNotes ?? []), ...usageReasons);
  if (untaggedService > 0) {
    notes.push('untagged spend includes tax, credits, refunds and support (never tagged), resources created outside CDK or '
      + 'before the tags were activated as cost allocation tags, and untaggable resource types');
  }

  return {
    title: `Cost per ${groupingLabel(grouping)}, ${query.from} to ${addDays(query.to, -1)}`,
    summary,
    sections,
    notes,
    chart: chartOf(ordered, query.from, query.to, currency, grouping),
    data: {
      period: { from: query.from, to: query.to, toExclusive: true },
      metric: query.metric,
      groupBy: grouping,
      tagKey: groupKey,
      source: result.source,
      requests: result.requests ?? null,
      bytesScanned: result.bytesScanned ?? null,
      currency,
      total: round(total),
      tagged: {
        tagKey: serviceKey,
        basis: byResource ? 'resource-spend' : 'all-spend',
        amount: round(taggedAmount),
        share: taggedBase > 0 ? round(taggedAmount / taggedBase) : null,
      },
      untagged: { amount: round(untaggedService), share: total > 0 ? round(untaggedService / total) : null },
      estimated: result.rows.some((r) => r.estimated),
      assemblies: input.assemblies,
      rows: jsonRows,
      declaredWithoutCost: idle.map((s) => s.name),
      undeclaredTagValues: undeclared.map(([value, cost]) => ({ value, cost: round(cost) })),
      notes,
    },
  };
}

function groupingLabel(grouping: CostGrouping): string {
  switch (grouping) {
    case CostGrouping.NEED: return 'customer need';
    case CostGrouping.BUSINESS_UNIT: return 'business unit';
    default: return grouping;
  }
}

function tagOfService(s: Service): string {
  return s.decl.record.tags[s.decl.record.tagKeys.service] ?? s.name;
}

function mergeServices(declared: DeclaredService[], notes: string[]): Service[] {
  const byName = new Map<string, Service>();
  for (const d of declared) {
    const name = d.record.serviceName;
    const existing = byName.get(name);
    if (!existing) {
      byName.set(name, { name, decl: d, stages: d.stage ? [d.stage] : [] });
      continue;
    }
    if (d.stage) {
      existing.stages.push(d.stage);
    }
    const a = existing.decl.record;
    const b = d.record;
    if (JSON.stringify(a.tags) !== JSON.stringify(b.tags)) {
      notes.push(`service ${name} is declared with different tags in ${existing.decl.stage ?? existing.decl.stack} and `
        + `${d.stage ?? d.stack}: the report uses the first declaration`);
    }
  }
  return [...byName.values()].sort((x, y) => x.name.localeCompare(y.name));
}

function groupLabel(grouping: CostGrouping, value: string, declared: Service[]): string {
  if (declared.length === 0) {
    return value;
  }
  const r = declared[0].decl.record;
  switch (grouping) {
    case CostGrouping.NEED: return r.customerNeed;
    case CostGrouping.CUSTOMER: return customerLabel(r.customer);
    default: return value;
  }
}

function reviewOf(services: Service[]): { label: string; worst: string } {
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

function columnsFor(grouping: CostGrouping, currency: string, unitCost: boolean): Column[] {
  const cost: Column[] = [
    { key: 'cost', header: `Cost (${currency})`, type: 'money' },
    { key: 'share', header: 'Share', type: 'percent' },
  ];
  const review: Column = { key: 'review', header: 'Value review', maxWidth: 28 };
  const need: Column = { key: 'need', header: 'Customer need', maxWidth: 44 };
  const customer: Column = { key: 'customer', header: 'Customer', maxWidth: 28 };
  const team: Column = { key: 'team', header: 'Team' };
  const unit: Column = { key: 'businessUnit', header: 'Business unit' };
  const services: Column = { key: 'services', header: 'Services', maxWidth: 36 };
  switch (grouping) {
    case CostGrouping.SERVICE:
      return [{ key: 'group', header: 'Service' }, need, customer, team, unit, ...cost, review,
        ...(unitCost ? [{ key: 'unitCost', header: 'Unit cost', maxWidth: 44 }] : [])];
    case CostGrouping.NEED:
      return [{ key: 'group', header: 'Customer need', maxWidth: 52 }, services, customer, team, unit, ...cost, review];
    case CostGrouping.CUSTOMER:
      return [{ key: 'group', header: 'Customer', maxWidth: 32 }, services, need, team, unit, ...cost, review];
    case CostGrouping.TEAM:
      return [{ key: 'group', header: 'Team' }, services, unit, ...cost, review];
    case CostGrouping.BUSINESS_UNIT:
      return [{ key: 'group', header: 'Business unit' }, services, { key: 'team', header: 'Teams' }, ...cost, review];
    default:
      throw new Error(`unknown grouping ${String(grouping)}`);
  }
}

/** Daily buckets up to 62 days, weekly (Monday starts) up to ~2 years, monthly beyond. */
function chartOf(groups: Group[], from: string, to: string, currency: string, grouping: CostGrouping): Chart {
  const days = daysBetween(from, to);
  const bucketOf = bucketing(days.length);
  const buckets = uniq(days.map(bucketOf));
  const index = new Map(buckets.map((b, i) => [b, i]));
  const labelled = groups.filter((g) => g.status !== 'untagged');
  const top = labelled.slice(0, CHART_SERIES);
  const rest = labelled.slice(CHART_SERIES);
  const untagged = groups.filter((g) => g.status === 'untagged');
  const seriesOf = (label: string, gs: Group[]): ChartSeries => {
    const values = buckets.map(() => 0);
    for (const g of gs) {
      for (const [day, v] of g.byDay) {
        const i = index.get(bucketOf(day));
        if (i !== undefined) {
          values[i] += v;
        }
      }
    }
    return { label, values: values.map((v) => round(v)) };
  };
  const series = top.map((g) => seriesOf(shorten(g.label, 48), [g]));
  if (rest.length > 0) {
    series.push(seriesOf(OTHER_SERIES, rest));
  }
  if (untagged.length > 0) {
    series.push(seriesOf(UNTAGGED_SERIES, untagged));
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

function uniq<T>(xs: T[]): T[] {
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
