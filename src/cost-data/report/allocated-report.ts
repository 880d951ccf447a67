import { aggregate, CostAggregate, groupTagOf, mergeServices, MergedService, serviceTagOf } from './aggregate';
import { costChart } from './chart';
import { CostReportInput } from './cost-report';
import { groupingLabel } from './labels';
import { Breakdown, Cell, Column, formatMoney, Report, round, Section, Table } from './model';
import { costRows } from './rows';
import { dataQuality, missingDays, qualitySections, reportData, reportNotes, summaryLines } from './summary';
import { addDays } from '../../private/iso-date';
import { groupTagKey } from '../grouping';
import { CostGrouping } from '../query-terms';
import { monthEnd } from '../review/review-run';
import { allocate, AllocationResult, billingMonth, Flows, GroupAccount, ProviderRule } from '../value-chain/allocation';
import { allocationLabel, allocationOf, isProvider, refuseCycles, ValueChain, valueChain } from '../value-chain/declared-chain';

export interface AllocatedReportInput extends CostReportInput {
  /** Spread untagged spend over the tagged rows (`--spread-untagged`). */
  readonly spreadUntagged?: boolean;
  /** Where relative paths in messages start. */
  readonly cwd: string;
}

/** Segments drawn individually in the breakdown; the other providers are summed. */
const BREAKDOWN_PROVIDERS = 8;
/** Bars drawn in the breakdown (the largest fully-loaded costs). */
const BREAKDOWN_BARS = 15;
const UNTAGGED = '(untagged)';

/**
 * The cost report with `--allocate`: the source's cost table with each provider's cost passed on to the services
 * that consume it (`allocation.ts`), over the value chain declared in every assembly read. Per row: direct cost,
 * cost received from providers, cost passed on to consumers, cost its providers could not pass on, and the
 * fully-loaded cost, which the share, the unit cost and the chart are computed on. Unallocated shared cost is a
 * section of its own, with the reason; the tagged share (data quality) is that of the data before allocation.
 */
export function allocatedCostReport(input: AllocatedReportInput): Report {
  const { query, result } = input;
  const grouping = query.groupBy;
  const { services, notes: declarationNotes } = mergeServices(input.services);
  const before = aggregate(query, result, services);
  const dq = dataQuality(before, services);
  const chain = valueChain(input.services, input.cwd);
  refuseCycles(chain);

  const allocation = allocate({
    rows: result.rows,
    providers: providerRules(chain, services),
    groupOf: groupOfService(services, grouping),
    declared: (tag) => services.some((s) => serviceTagOf(s) === tag),
    spreadUntagged: input.spreadUntagged,
  });
  const after = aggregate(query, { ...result, rows: allocation.rows }, services);
  const { table, json } = costRows(grouping, after, input);
  const unallocatedTotal = allocation.unallocated.reduce((s, u) => s + u.amount, 0);
  const partial = partialMonths(query.from, query.to);
  const notes = [
    ...reportNotes(input, before, declarationNotes), ...chain.warnings, ...partial,
    ...allocationNotes(chain, allocation, input.spreadUntagged === true),
  ];
  const gaps = missingDays(query, before);
  const providers = allocation.providers.map((p) => p.provider);
  const summary = summaryLines(input, before, dq, services);
  summary.splice(summary.findIndex((l) => l.startsWith('total ')) + 1, 0,
    `fully-loaded cost: ${providers.length === 0 ? 'no declared service consumes another, so it equals direct cost'
      : `the cost of ${providers.join(', ')} passed on to the services that consume them, by their declared allocation, month by month`}; `
    + `fully loaded ${formatMoney(after.total)} + unallocated shared cost ${formatMoney(unallocatedTotal)} = total ${formatMoney(before.total)} ${before.currency}`,
    ...(input.spreadUntagged ? [spreadLine(allocation, before.currency)] : []));
  const unitLine = summary.findIndex((l) => l.startsWith('unit cost: cost divided'));
  if (unitLine >= 0) {
    summary[unitLine] = summary[unitLine].replace('unit cost: cost divided', 'unit cost: fully-loaded cost divided');
  }
  // providers that passed everything on have nothing to draw
  const chart = costChart(after.groups.filter((g) => Math.abs(g.cost) >= 0.005), query.from, query.to, after.currency, grouping);
  return {
    warnings: [...(gaps ? [gaps] : []), ...chain.warnings, ...partial],
    title: `Fully-loaded cost per ${groupingLabel(grouping)}, ${query.from} to ${addDays(query.to, -1)}`,
    summary,
    sections: [
      { table: withFlows(table, after, allocation) },
      ...unallocatedSection(allocation, before.currency, new Set([...before.days].map(billingMonth)).size > 1),
      ...qualitySections(query, before, dq),
    ],
    notes,
    chart: { ...chart, title: chart.title.replace(/^Cost/, 'Fully-loaded cost') },
    breakdown: breakdown(after, allocation, grouping, services),
    data: reportData(input, before, dq, {
      groupBy: grouping,
      tagKey: groupTagKey(grouping, query.tagKeys),
      allocation: {
        basis: 'fully-loaded: rows[].cost is the fully-loaded cost (direct + received - passedOn - unallocated + untaggedSpread)',
        fullyLoaded: round(after.total),
        unallocated: round(unallocatedTotal),
        splitBy: 'billing month: each month by its own shares (a period is the sum of its months)',
        partialMonths: partial.length > 0 ? partialMonthList(query.from, query.to) : [],
        spreadUntagged: input.spreadUntagged === true ? {
          amount: round(allocation.spread),
          skipped: allocation.spreadSkipped ?? null,
          skippedMonths: allocation.spreadSkippedMonths,
        } : null,
        providers: allocation.providers.map((p) => ({
          service: p.provider,
          method: allocationLabel(allocationOf(chain.nodes.get(nameOf(services, p.provider))!)),
          cost: round(p.fullyLoadedBefore),
          shares: Object.fromEntries([...p.shares].map(([k, v]) => [k, round(v)])),
          months: Object.fromEntries([...p.months].map(([m, x]) => [m, {
            cost: round(x.fullyLoadedBefore),
            shares: Object.fromEntries([...x.shares].map(([k, v]) => [k, round(v)])),
          }])),
          passedOnTo: Object.fromEntries([...p.passedOnTo].map(([k, v]) => [k, round(v)])),
          kept: round(p.kept),
          unallocated: round(p.unallocated),
        })),
        unallocatedShared: allocation.unallocated.map((u) => ({
          service: u.provider,
          amount: round(u.amount),
          reason: u.reason,
          months: Object.fromEntries([...u.byMonth].map(([m, v]) => [m, round(v)])),
        })),
        unknownProviders: chain.unknownProviders,
      },
      rows: json.map((r, i) => ({ ...(r as object), ...flowsJson(allocation.groups.get(after.groups[i].value)) })),
      notes,
    }),
  };
}

/** The engine's rules: every provider of the value chain, keyed by service tag value. */
export function providerRules(chain: ValueChain, services: MergedService[]): Map<string, ProviderRule> {
  const tagOf = (name: string) => {
    const s = services.find((x) => x.name === name);
    return s ? serviceTagOf(s) : name;
  };
  const rules = new Map<string, ProviderRule>();
  for (const node of chain.nodes.values()) {
    if (!isProvider(node)) {
      continue;
    }
    const a = allocationOf(node);
    rules.set(tagOf(node.name), {
      method: a.method,
      consumers: node.consumers.map(tagOf),
      ...(chain.reading ? { readConsumers: chain.reading.consumers } : {}),
      ...(a.percentages ? { percentages: Object.fromEntries(Object.entries(a.percentages).map(([n, p]) => [tagOf(n), p])) } : {}),
    });
  }
  return rules;
}

/** The group a service's received cost lands on: its declared value of the grouped tag. */
function groupOfService(services: MergedService[], grouping: CostGrouping): (tag: string) => string {
  const byTag = new Map(services.map((s) => [serviceTagOf(s), s]));
  return (tag) => {
    const s = byTag.get(tag);
    return s ? groupTagOf(s, grouping) : grouping === CostGrouping.SERVICE ? tag : '';
  };
}

function nameOf(services: MergedService[], tag: string): string {
  return services.find((s) => serviceTagOf(s) === tag)?.name ?? tag;
}

/**
 * The main table with the flows: direct, received (from providers), passed on (to consumers), unallocated (when
 * any), untagged spread (with --spread-untagged, when any was spread), fully loaded.
 */
function withFlows(table: Table, after: CostAggregate, allocation: AllocationResult): Table {
  const currency = after.currency;
  const anyUnallocated = allocation.unallocated.length > 0;
  const anySpread = allocation.spread !== 0;
  const columns: Column[] = table.columns.flatMap((c) => (c.key !== 'cost' ? [c] : [
    { key: 'direct', header: `Direct (${currency})`, type: 'money' },
    { key: 'received', header: 'Received', type: 'money' },
    { key: 'passedOn', header: 'Passed on', type: 'money' },
    ...(anyUnallocated ? [{ key: 'unallocated', header: 'Unallocated', type: 'money' } as Column] : []),
    ...(anySpread ? [{ key: 'spread', header: 'Untagged spread', type: 'money' } as Column] : []),
    { key: 'cost', header: `Fully loaded (${currency})`, type: 'money' },
  ]));
  const rows = table.rows.map((row, i): Record<string, Cell> => {
    const a = allocation.groups.get(after.groups[i].value);
    return {
      ...row,
      direct: a?.direct ?? 0,
      received: a?.received ?? 0,
      passedOn: a?.passedOn ?? 0,
      unallocated: a?.unallocated ?? 0,
      spread: a?.spread ?? 0,
    };
  });
  return { ...table, columns, rows };
}

function flowsJson(a: GroupAccount | undefined): Record<string, unknown> {
  const map = (m: ReadonlyMap<string, number> | undefined) =>
    Object.fromEntries([...(m ?? new Map<string, number>())].map(([k, v]) => [k === '' ? UNTAGGED : k, round(v)]));
  const flows = (f: Flows | undefined) => ({
    direct: round(f?.direct ?? 0),
    received: round(f?.received ?? 0),
    passedOn: round(f?.passedOn ?? 0),
    unallocated: round(f?.unallocated ?? 0),
    untaggedSpread: round(f?.spread ?? 0),
    fullyLoaded: round(f?.fullyLoaded ?? 0),
  });
  return {
    ...flows(a),
    months: Object.fromEntries([...(a?.byMonth ?? new Map<string, Flows>())].sort((x, y) => x[0].localeCompare(y[0])).map(([m, f]) => [m, flows(f)])),
    receivedFrom: map(a?.receivedFrom),
    passedOnTo: map(a?.passedOnTo),
    composition: {
      direct: round(a?.composition.direct ?? 0),
      providers: map(a?.composition.providers),
      untagged: round(a?.composition.untagged ?? 0),
    },
  };
}

/** What providers could not pass on, with the reason (and the months, when the period has several). */
function unallocatedSection(allocation: AllocationResult, currency: string, severalMonths: boolean): Section[] {
  if (allocation.unallocated.length === 0) {
    return [];
  }
  return [{
    heading: 'Unallocated shared cost (counted in the total, in no row\'s fully-loaded cost)',
    lines: allocation.unallocated.map((u) => `${u.provider}: ${formatMoney(u.amount)} ${currency}, not passed on: ${u.reason}`
      + (severalMonths ? ` (${[...u.byMonth].map(([m, v]) => (u.byMonth.size === 1 ? m : `${m}: ${formatMoney(v)}`)).join(', ')})` : '')),
  }];
}

function allocationNotes(chain: ValueChain, allocation: AllocationResult, spreadAsked: boolean): string[] {
  const notes: string[] = [];
  if (allocation.providers.length > 0) {
    notes.push('received: what the services of a row got from the services they consume (their immediate providers); passed on: what they '
      + 'gave their consumers; fully loaded = direct + received - passed on - unallocated'
      + `${spreadAsked ? ' + untagged spread' : ''}. A provider passes on its fully-loaded cost (a chain resolves in dependency order), `
      + 'each billing month split by that month\'s shares (proportional shares follow the month\'s direct cost of the consumers), as the value '
      + 'review and AWS split charge rules split a month: the fully-loaded cost of a period is the sum of its months\'');
  }
  if (spreadAsked && allocation.spread !== 0) {
    notes.push('untagged spread: untagged spend spread onto the row (--spread-untagged), each month\'s over that month\'s tagged rows in proportion '
      + 'to their fully-loaded cost; the untagged row shows what it gave away. It is not in "Received", which is what came from providers');
  }
  const fixedWithoutShare = [...chain.nodes.values()].flatMap((n) => {
    const a = n.declaredAllocation;
    return a?.method === 'fixed' ? n.consumers.filter((c) => !(c in (a.percentages ?? {}))).map((c) => `${c} consumes ${n.name}`) : [];
  });
  if (fixedWithoutShare.length > 0) {
    notes.push(`consumers without a share in their provider's fixed allocation receive none of its cost: ${fixedWithoutShare.join('; ')}`);
  }
  return notes;
}

/**
 * One bar per group with a fully-loaded cost (the largest first): the part its own services incurred ("direct"), each
 * provider's share by where it was incurred (the largest providers, the others summed), and untagged spend spread
 * onto it.
 */
function breakdown(after: CostAggregate, allocation: AllocationResult, grouping: CostGrouping, services: MergedService[]): Breakdown | undefined {
  if (allocation.providers.length === 0 && allocation.spread === 0) {
    return undefined;
  }
  const groups = after.groups
    .map((g) => ({ g, a: allocation.groups.get(g.value) }))
    .filter((x) => x.a && Math.abs(x.a.fullyLoaded) >= 0.005)
    .sort((x, y) => y.a!.fullyLoaded - x.a!.fullyLoaded)
    .slice(0, BREAKDOWN_BARS);
  const byProvider = new Map<string, number>();
  for (const { a } of groups) {
    for (const [p, v] of a!.composition.providers) {
      byProvider.set(p, (byProvider.get(p) ?? 0) + Math.abs(v));
    }
  }
  const ranked = [...byProvider.entries()].sort((x, y) => y[1] - x[1]).map(([p]) => p);
  const shown = ranked.slice(0, BREAKDOWN_PROVIDERS);
  const others = ranked.length > shown.length;
  const withUntagged = groups.some(({ a }) => a!.composition.untagged !== 0);
  const segments = [
    { label: 'direct', kind: 'direct' as const },
    ...shown.map((p) => ({ label: `from ${nameOf(services, p)}`, kind: 'provider' as const })),
    ...(others ? [{ label: 'from other providers', kind: 'provider' as const }] : []),
    ...(withUntagged ? [{ label: 'untagged spend (spread)', kind: 'untagged' as const }] : []),
  ];
  return {
    title: `What each ${groupingLabel(grouping)}'s fully-loaded cost is made of (${after.currency})`,
    unit: after.currency,
    segments,
    bars: groups.map(({ g, a }) => {
      const c = a!.composition;
      const rest = [...c.providers].filter(([p]) => !shown.includes(p)).reduce((s, [, v]) => s + v, 0);
      return {
        label: g.label,
        values: [
          round(c.direct),
          ...shown.map((p) => round(c.providers.get(p) ?? 0)),
          ...(others ? [round(rest)] : []),
          ...(withUntagged ? [round(c.untagged)] : []),
        ],
      };
    }),
  };
}

/** The summary line of `--spread-untagged`: what was spread, and the months it could not be. */
function spreadLine(allocation: AllocationResult, currency: string): string {
  if (allocation.spreadSkipped) {
    return `untagged spend not spread: ${allocation.spreadSkipped}`;
  }
  const skipped = allocation.spreadSkippedMonths;
  return `untagged spend (${formatMoney(allocation.spread)} ${currency}) spread over the tagged rows in proportion to their fully-loaded cost, `
    + `month by month, in the column "Untagged spread" (--spread-untagged)${skipped.length > 0
      ? `; not in ${skipped.join(', ')}: no tagged row has a positive cost in ${skipped.length === 1 ? 'that month' : 'those months'}` : ''}`;
}

/** The months a period covers in part (it starts or ends inside them), each with the days read of it. */
function partialMonthList(from: string, to: string): Array<{ month: string; from: string; to: string }> {
  const last = addDays(to, -1);
  const out: Array<{ month: string; from: string; to: string }> = [];
  const firstMonth = billingMonth(from);
  const lastMonth = billingMonth(last);
  const monthStart = (m: string) => `${m}-01`;
  const monthLast = (m: string) => addDays(monthEnd(m), -1);
  if (from !== monthStart(firstMonth) || (firstMonth === lastMonth && last !== monthLast(lastMonth))) {
    out.push({ month: firstMonth, from, to: firstMonth === lastMonth ? last : monthLast(firstMonth) });
  }
  if (lastMonth !== firstMonth && last !== monthLast(lastMonth)) {
    out.push({ month: lastMonth, from: monthStart(lastMonth), to: last });
  }
  return out;
}

/** What to say about months the period covers in part: they are split by the shares of the days read. */
function partialMonths(from: string, to: string): string[] {
  const list = partialMonthList(from, to);
  if (list.length === 0) {
    return [];
  }
  const what = list.map((p) => `${p.month} (${p.from === p.to ? p.from : `${p.from} to ${p.to}`} read)`).join(' and ');
  return [`the period covers ${what} in part: the providers' cost of ${list.length === 1 ? 'that month is' : 'those months is'} split by the `
    + 'shares of the days read, which can differ from the split of the whole month (the value review\'s, and AWS split charge rules\'); '
    + 'report whole months (--from YYYY-MM-01 --to YYYY-MM-01) for figures that add up with theirs'];
}
