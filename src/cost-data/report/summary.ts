import { CostAggregate, MergedService, serviceTagOf } from './aggregate';
import { groupingLabel } from './labels';
import { Decimal, formatMoney, formatPercent, round, Section } from './model';
import { showsUnitCost, uniq, UsageInput } from './rows';
import { addDays, daysBetween } from '../../private/iso-date';
import { groupTagKey, reportGrouping } from '../grouping';
import { CostQuery, CostResult } from '../query';
import { CostGrouping } from '../query-terms';

/** Totals, the tagged share (data quality), declared services without cost, undeclared tag values, and notes. */

/** What the data says about tagging: the tagged share and the mismatches between declarations and tag values. */
export interface DataQuality {
  /** The spend the tagged share is a share of (resource spend where the source tells it apart, else all spend). */
  readonly taggedBase: number;
  /** The part of `taggedBase` that carries the service tag. */
  readonly taggedAmount: number;
  /** Declared services without cost in the period. */
  readonly idle: MergedService[];
  /** Service tag values with cost that no declared service carries, largest first (exact amounts). */
  readonly undeclared: Array<[string, Decimal]>;
}

export function dataQuality(agg: CostAggregate, services: MergedService[]): DataQuality {
  const names = new Set(services.map((s) => s.name));
  const tags = new Set(services.map(serviceTagOf));
  return {
    taggedBase: agg.resourceTotal,
    taggedAmount: agg.resourceTotal - agg.untaggedResource,
    idle: services.filter((s) => !agg.costByService.has(serviceTagOf(s))),
    undeclared: [...agg.exact.costByService.entries()]
      .filter(([name]) => name !== '' && !names.has(name) && !tags.has(name))
      .sort((a, b) => b[1].compare(a[1])),
  };
}

export interface SummaryInput extends UsageInput {
  readonly query: CostQuery;
  readonly result: CostResult;
  /** Assembly directories read (for display), empty when none was read. */
  readonly assemblies: string[];
  /** Lines about how usage was read (e.g. number of CloudWatch requests). */
  readonly usageNotes?: string[];
}

/** The summary lines under the title. */
export function summaryLines(input: SummaryInput, agg: CostAggregate, dq: DataQuality, services: MergedService[]): string[] {
  const { query, result } = input;
  const grouping = reportGrouping(query);
  const currency = agg.currency;
  const days = daysBetween(query.from, query.to);
  const by = query.byProvider ? 'FOCUS ProviderName' : query.dimension !== undefined ? (result.groupedBy ?? query.dimension)
    : `tag "${groupTagKey(query.groupBy, query.tagKeys)}"`;
  const lines = [
    `period ${query.from} to ${addDays(query.to, -1)} (${days.length} day${days.length === 1 ? '' : 's'}), ${query.metric} cost, `
      + `grouped by ${groupingLabel(grouping)} (${by}), source: ${result.source}`,
  ];
  const gaps = missingDays(query, agg);
  if (gaps) {
    lines.push(gaps);
  }
  lines.push(`total ${formatMoney(agg.exact.total)} ${currency}`);
  if (dq.taggedBase > 0) {
    const untagged = dq.taggedBase - dq.taggedAmount;
    lines.push(`tagged share (data quality): ${formatPercent(dq.taggedAmount / dq.taggedBase)} of `
      + `${agg.byResource ? 'resource spend (tax, credits, refunds and other charges of no resource left out)' : 'spend'} carries the "${query.tagKeys.service}" tag; `
      + `untagged ${formatMoney(agg.exact.untaggedResource)} ${currency} (${formatPercent(untagged / dq.taggedBase)})`);
  }
  const grouped = groupedTag(query, agg);
  if (grouped && grouped.base > 0) {
    lines.push(`grouped tag: ${formatPercent(grouped.tagged / grouped.base)} of that spend carries the "${grouped.tagKey}" tag; `
      + `untagged ${formatMoney(grouped.untagged)} ${currency}${grouped.untaggedShare === undefined ? '' : ` (${formatPercent(grouped.untaggedShare)})`}, `
      + `the "${grouped.label}" row`);
  }
  if (input.assemblies.length > 0) {
    lines.push(`${services.length} declared service${services.length === 1 ? '' : 's'} read from ${input.assemblies.join(', ')}`);
  } else {
    lines.push('no cloud assembly read: tag values are shown without their declarations (pass --assembly cdk.out)');
  }
  if (showsUnitCost(grouping)) {
    lines.push(input.usageSkipped ? `unit cost: not available (${input.usageSkipped})`
      : 'unit cost: cost divided by the usage recorded in CloudWatch (CustomerValue/UnitUsage per service)');
  }
  if (agg.estimated) {
    lines.push('includes estimated cost: the most recent days can still change');
  }
  return lines;
}

/**
 * Which days of the period have no cost at all, when some have none (a period wider than the data, a gap in an
 * export): `no cost data for 61 of 122 days: 2026-09-01 to 2026-09-30, 2026-12-01 to 2026-12-31`.
 */
export function missingDays(query: CostQuery, agg: CostAggregate): string | undefined {
  return missingDaysOf(daysBetween(query.from, query.to), agg.days);
}

/** Which of `days` have no cost (none of `present`), as `missingDays` says it; undefined when every day has some. */
export function missingDaysOf(days: readonly string[], present: ReadonlySet<string>): string | undefined {
  const missing = days.filter((d) => !present.has(d));
  if (missing.length === 0) {
    return undefined;
  }
  const ranges: string[] = [];
  let start = missing[0];
  for (let i = 1; i <= missing.length; i++) {
    if (i === missing.length || missing[i] !== addDays(missing[i - 1], 1)) {
      const end = missing[i - 1];
      ranges.push(start === end ? start : `${start} to ${end}`);
      start = missing[i];
    }
  }
  const shown = ranges.length > 6 ? [...ranges.slice(0, 6), `and ${ranges.length - 6} more`] : ranges;
  return `no cost data for ${missing.length} of ${days.length} days: ${shown.join(', ')} (the source holds no line item for them)`;
}

/** The sections after the main table: declared services without cost, tag values nobody declared. */
export function qualitySections(query: CostQuery, agg: CostAggregate, dq: DataQuality): Section[] {
  const sections: Section[] = [];
  if (dq.idle.length > 0) {
    sections.push({
      heading: 'Declared services without cost in the period',
      lines: dq.idle.map((s) => `${s.name}: ${s.decl.record.customerNeed}`),
    });
  }
  if (dq.undeclared.length > 0) {
    sections.push({
      heading: `"${query.tagKeys.service}" tag values with cost that no declared service carries`,
      lines: dq.undeclared.map(([name, cost]) => `${name}: ${formatMoney(cost)} ${agg.currency}`),
    });
  }
  return sections;
}

/** The notes, in order: declarations, totals, the source's, usage, untagged spend. */
export function reportNotes(input: SummaryInput, agg: CostAggregate, declarationNotes: string[]): string[] {
  const notes = [...declarationNotes];
  if (agg.total <= 0) {
    notes.push(`total spend is ${formatMoney(agg.exact.total)} ${agg.currency} (credits exceed charges): shares are not shown`);
  }
  const usageReasons = input.usage
    ? uniq([...input.usage.values()].map((u) => u.reason).filter((r): r is string => !!r && !/datapoints/.test(r)))
    : [];
  notes.push(...(input.result.warnings ?? []), ...input.result.notes, ...(input.usageNotes ?? []), ...usageReasons);
  if (agg.untagged > 0) {
    notes.push('untagged spend includes tax, credits, refunds and support (never tagged), resources created outside CDK or '
      + 'before the tags were activated as cost allocation tags, and untaggable resource types');
  }
  return notes;
}

/**
 * The tagged share of the grouped tag, when the report groups by a tag other than the service's (`--by team` over a
 * key `Owner`): its spend (resource spend where the source tells it apart), the part carrying the key, and the cost of
 * the untagged row.
 */
export function groupedTag(query: CostQuery, agg: CostAggregate):
{ tagKey: string; base: number; tagged: number; untagged: number; untaggedShare?: number; label: string } | undefined {
  if (query.byProvider || query.dimension !== undefined || query.groupBy === CostGrouping.SERVICE) {
    return undefined;
  }
  const none = agg.groups.find((g) => g.status === 'untagged');
  const untaggedResource = none ? (agg.byResource ? none.resourceCost : none.cost) : 0;
  return {
    tagKey: groupTagKey(query.groupBy, query.tagKeys),
    base: agg.resourceTotal,
    tagged: agg.resourceTotal - untaggedResource,
    untagged: none?.cost ?? 0,
    untaggedShare: agg.total > 0 ? (none?.cost ?? 0) / agg.total : undefined,
    label: none?.label ?? '',
  };
}

/** The parts of the report's JSON that differ between the reports. */
export interface ReportDataParts {
  readonly groupBy: string;
  readonly tagKey: string | null;
  readonly rows: unknown[];
  readonly notes: string[];
  readonly allocation?: unknown;
}

function groupTagData(query: CostQuery, agg: CostAggregate): Record<string, unknown> {
  const g = groupedTag(query, agg);
  if (!g) {
    return {};
  }
  return {
    groupTag: {
      tagKey: g.tagKey,
      tagged: { basis: agg.byResource ? 'resource-spend' : 'all-spend', amount: round(g.tagged), share: g.base > 0 ? round(g.tagged / g.base) : null },
      untagged: { amount: round(g.untagged), share: g.untaggedShare === undefined ? null : round(g.untaggedShare) },
    },
  };
}

/**
 * The report's JSON (`--output json`): the period, the source and what it cost to read, the totals, the tagged
 * share, the rows and the data quality. `tagKey` is the grouped tag key (null when grouped by provider or a column,
 * `groupColumn` naming the column); `tagged` and `untagged` describe the service tag (named in `tagKey`), and
 * `groupTag` the grouped tag when it is another;
 * `allocation` (the value chain's flows, `--allocate`) goes before the rows.
 */
export function reportData(input: SummaryInput, agg: CostAggregate, dq: DataQuality, o: ReportDataParts): Record<string, unknown> {
  const { query, result } = input;
  return {
    period: { from: query.from, to: query.to, toExclusive: true },
    metric: query.metric,
    groupBy: o.groupBy,
    tagKey: o.tagKey,
    ...(result.groupedBy !== undefined ? { groupColumn: result.groupedBy } : {}),
    source: result.source,
    requests: result.requests ?? null,
    bytesScanned: result.bytesScanned ?? null,
    currency: agg.currency,
    total: agg.exact.total.round(6),
    ...(agg.providers.size > 0 ? { providers: Object.fromEntries([...agg.exact.providers].map(([p, c]) => [p, c.round(6)])) } : {}),
    // the service tag's figures, named; and, grouped by another tag, that tag's as well (groupTag)
    tagged: {
      tagKey: query.tagKeys.service,
      basis: agg.byResource ? 'resource-spend' : 'all-spend',
      amount: agg.exact.resourceTotal.minus(agg.exact.untaggedResource).round(6),
      share: dq.taggedBase > 0 ? round(dq.taggedAmount / dq.taggedBase) : null,
    },
    untagged: { tagKey: query.tagKeys.service, amount: agg.exact.untagged.round(6), share: agg.total > 0 ? round(agg.untagged / agg.total) : null },
    ...groupTagData(query, agg),
    estimated: agg.estimated,
    assemblies: input.assemblies,
    ...(o.allocation !== undefined ? { allocation: o.allocation } : {}),
    rows: o.rows,
    declaredWithoutCost: dq.idle.map((s) => s.name),
    undeclaredTagValues: dq.undeclared.map(([value, cost]) => ({ value, cost: cost.round(6) })),
    notes: o.notes,
  };
}
