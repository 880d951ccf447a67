import { Coverage, CoverageEntry, REASONS } from './coverage';
import { UnitCoverage } from './coverage-units';
import { Chart, Column, formatMoney, formatPercent, Report, Section, TrendChart } from '../report/model';

/**
 * The coverage report (docs/attribution.md section 9) as the report model every format renders: the one renderer of
 * `customer-value coverage` and of the review pack's coverage section (`coverageSections`, shorter).
 */

/** What `--by` groups the main table by. */
export const COVERAGE_BY = ['reason', 'resource', 'account'] as const;
export type CoverageBy = typeof COVERAGE_BY[number];

/** Default and largest `--top`. */
export const DEFAULT_TOP = 20;
export const MAX_TOP = 1000;

const share = (part: { toNumber(): number }, whole: { toNumber(): number; sign(): number }) =>
  (whole.sign() === 0 ? undefined : part.toNumber() / whole.toNumber());
const label = (key: string) => REASONS.find((r) => r.key === key)!.label;

/** The line "tagged X (a %), attributed Y (b %), unattributed Z (c %) of T". */
export function coverageLine(c: Coverage): string {
  const p = (d: Coverage['total']) => {
    const s = share(d, c.total);
    return s === undefined ? '-' : formatPercent(s);
  };
  return `tagged ${formatMoney(c.tagged)} ${c.currency} (${p(c.tagged)}), attributed by rules ${formatMoney(c.attributed)} ${c.currency} `
    + `(${p(c.attributed)}), unattributed ${formatMoney(c.unattributed)} ${c.currency} (${p(c.unattributed)}) of ${formatMoney(c.total)} ${c.currency}`;
}

/** The attributed share (tagged + attributed) of each month, one line. */
export function monthlyShareLine(c: Coverage): string {
  return `attributed share (tagged + attributed) per month: ${c.months.map((m) => {
    const s = share(m.tagged.plus(m.attributed), m.total);
    return `${m.month} ${s === undefined ? '-' : formatPercent(s)}`;
  }).join(', ')}`;
}

function reasonsSection(c: Coverage, nonZeroOnly: boolean, withFix: boolean): Section {
  const columns: Column[] = [
    { key: 'reason', header: 'Reason' },
    { key: 'amount', header: 'Amount', type: 'money' },
    { key: 'share', header: 'Share of spend', type: 'percent' },
    { key: 'owner', header: 'Likely owner', maxWidth: 40 },
    ...(withFix ? [{ key: 'fix', header: 'Fix', maxWidth: 140 }] : []),
  ];
  return {
    heading: `Unattributed spend by reason (${c.currency})`,
    table: {
      columns,
      rows: c.reasons.filter((r) => !nonZeroOnly || r.amount.sign() !== 0)
        .map((r) => ({ reason: r.label, amount: r.amount, share: share(r.amount, c.total), owner: r.owner, fix: r.fix })),
    },
  };
}

function resourcesSection(c: Coverage, top: number, short: boolean): Section {
  const entries = c.entries.slice(0, top);
  const columns: Column[] = [
    { key: 'resource', header: 'Resource', maxWidth: 48 },
    { key: 'account', header: 'Account' },
    ...(short ? [] : [{ key: 'region', header: 'Region' }, { key: 'product', header: 'Product' }, { key: 'usageType', header: 'Usage type', maxWidth: 32 }]),
    { key: 'amount', header: 'Amount', type: 'money' },
    { key: 'share', header: 'Share of spend', type: 'percent' },
    { key: 'reason', header: 'Reason', maxWidth: 40 },
    { key: 'owner', header: 'Likely owner', maxWidth: 30 },
    ...(short ? [] : [{ key: 'ownerHow', header: 'Owner found by', maxWidth: 40 }]),
    // whole in the terminal too (a rule to copy and paste), up to 400 characters
    { key: 'fix', header: 'Fix', maxWidth: short ? 140 : 400 },
  ];
  return {
    heading: `Top ${entries.length} unattributed resource${entries.length === 1 ? '' : 's'} of ${c.entries.length} (${c.currency})`,
    table: {
      columns,
      rows: entries.map((e) => ({
        resource: e.resource,
        account: e.account,
        region: e.region,
        product: e.product,
        usageType: e.usageTypes > 1 ? `${e.usageType} (+${e.usageTypes - 1} more)` : e.usageType,
        amount: e.amount,
        share: share(e.amount, c.total),
        reason: label(e.reason),
        owner: e.owner,
        ownerHow: e.ownerHow,
        fix: e.fix,
      })),
    },
  };
}

function accountsSection(c: Coverage): Section {
  return {
    heading: `Unattributed spend by account (${c.currency})`,
    table: {
      columns: [
        { key: 'account', header: 'Account' },
        { key: 'amount', header: 'Amount', type: 'money' },
        { key: 'share', header: 'Share of spend', type: 'percent' },
        { key: 'entries', header: 'Resources', type: 'number' },
        { key: 'reason', header: 'Main reason', maxWidth: 40 },
        { key: 'owner', header: 'Services declared in it', maxWidth: 40 },
      ],
      rows: c.accounts.map((a) => ({
        account: a.account || '(rule splits)', amount: a.amount, share: share(a.amount, c.total), entries: a.entries, reason: label(a.mainReason), owner: a.owner,
      })),
    },
  };
}

/** The attributed share per month: a table, and (HTML) a bar chart of the share. */
function monthsSection(c: Coverage): Section {
  const chart: TrendChart = {
    title: 'Attributed share (tagged + attributed) per month',
    unit: '%',
    buckets: c.months.map((m) => m.month),
    bars: c.months.map((m) => Math.round((share(m.tagged.plus(m.attributed), m.total) ?? 0) * 1000) / 10),
  };
  return {
    heading: `Attributed share per month (${c.currency})`,
    table: {
      columns: [
        { key: 'month', header: 'Month' },
        { key: 'total', header: 'Total', type: 'money' },
        { key: 'tagged', header: 'Tagged', type: 'money' },
        { key: 'attributed', header: 'Attributed', type: 'money' },
        { key: 'unattributed', header: 'Unattributed', type: 'money' },
        { key: 'share', header: 'Attributed share', type: 'percent' },
      ],
      rows: c.months.map((m) => ({
        month: m.month,
        total: m.total,
        tagged: m.tagged,
        attributed: m.attributed,
        unattributed: m.unattributed,
        share: share(m.tagged.plus(m.attributed), m.total),
      })),
    },
    trendCharts: [chart],
  };
}

/** The monthly cost split into tagged, attributed and unattributed, drawn as the cost chart draws cost. */
function coverageChart(c: Coverage): Chart {
  const series = (name: string, kind: 'group' | 'untagged', pick: (m: Coverage['months'][number]) => Coverage['total']) => ({
    label: name, kind, values: c.months.map((m) => pick(m).toNumber()), exactValues: c.months.map(pick),
  });
  return {
    title: `Tagged, attributed and unattributed cost per month (${c.currency})`,
    unit: c.currency,
    buckets: c.months.map((m) => m.month),
    series: [series('tagged', 'group', (m) => m.tagged), series('attributed by rules', 'group', (m) => m.attributed),
      series('unattributed', 'untagged', (m) => m.unattributed)],
  };
}

/** What the JSON output holds: exact amounts as numbers (to 6 places), every entry. */
export function coverageJson(c: Coverage, top: number): Record<string, unknown> {
  const n = (d: Coverage['total']) => Number(d.toFixed(6));
  return {
    from: c.from,
    to: c.to,
    currency: c.currency,
    total: n(c.total),
    tagged: n(c.tagged),
    attributed: n(c.attributed),
    unattributed: n(c.unattributed),
    attributedShare: share(c.tagged.plus(c.attributed), c.total) ?? null,
    reasons: c.reasons.map((r) => ({
      reason: r.reason, label: r.label, amount: n(r.amount), share: share(r.amount, c.total) ?? null, owner: r.owner, fix: r.fix,
    })),
    resources: c.entries.slice(0, top).map((e: CoverageEntry) => ({
      resource: e.resource,
      account: e.account,
      region: e.region,
      product: e.product,
      usageType: e.usageType,
      usageTypes: e.usageTypes,
      stack: e.stack,
      ...(e.tag ? { tag: e.tag } : {}),
      amount: n(e.amount),
      share: share(e.amount, c.total) ?? null,
      reason: e.reason,
      owner: e.owner,
      ownerFoundBy: e.ownerHow,
      fix: e.fix,
    })),
    resourceCount: c.entries.length,
    accounts: c.accounts.map((a) => ({ account: a.account, amount: n(a.amount), resources: a.entries, mainReason: a.mainReason, services: a.owner })),
    months: c.months.map((m) => ({
      month: m.month,
      total: n(m.total),
      tagged: n(m.tagged),
      attributed: n(m.attributed),
      unattributed: n(m.unattributed),
      attributedShare: share(m.tagged.plus(m.attributed), m.total) ?? null,
    })),
    stackKeyActive: c.stackKeyActive,
    resourceLevel: c.resourceLevel,
    warnings: c.warnings,
    notes: c.notes,
  };
}

/** `customer-value coverage`'s report. */
export function coverageReport(c: Coverage, o: { by: CoverageBy; top: number; source: string; notes: string[]; warnings: string[] }): Report {
  const reasons = reasonsSection(c, false, true);
  const resources = resourcesSection(c, o.top, false);
  const months = monthsSection(c);
  const sections = o.by === 'resource' ? [resources, reasons, months]
    : o.by === 'account' ? [accountsSection(c), reasons, resources, months]
      : [reasons, resources, months];
  return {
    title: `Coverage: spend without a service tag, ${c.from} to ${c.to} (exclusive)`,
    summary: [
      `source: ${o.source}`,
      coverageLine(c),
      monthlyShareLine(c),
    ],
    sections,
    notes: [
      'every unattributed dollar has one reason, the first that applies in the order of the reasons table (docs/attribution.md, section 9); '
        + 'shares are of the period\'s whole spend',
      ...c.warnings,
      ...c.notes,
      ...o.notes,
    ],
    chart: coverageChart(c),
    data: { ...coverageJson(c, o.top), source: o.source, notes: [...c.notes, ...o.notes] },
    warnings: [...o.warnings, ...c.warnings],
  };
}

/**
 * The review pack's coverage section, short: the attributed share, the unattributed spend by reason (the reasons that
 * hold any) and the top 5 resources.
 */
export function coverageSections(c: Coverage): Section[] {
  const reasons = reasonsSection(c, true, false);
  return [
    { heading: 'Coverage: spend without a service tag (every business unit)', lines: [coverageLine(c), monthlyShareLine(c), ...c.warnings, ...c.notes] },
    { ...reasons, heading: `Coverage: unattributed spend by reason (${c.currency})` },
    { ...resourcesSection(c, 5, true), heading: `Coverage: top ${Math.min(5, c.entries.length)} unattributed resources (${c.currency})` },
  ];
}

/** The line of a unit's pack: what it likely owns of the period's unattributed spend, and the rest. */
export function unitCoverageLine(u: UnitCoverage): string {
  const c = u.coverage;
  return `${u.businessUnit} likely owns ${formatMoney(u.owned)} ${c.currency} of the period's unattributed ${formatMoney(c.unattributed)} `
    + `${c.currency} (by the owner hints: the services of the resource's stack, of its account); the rest, ${formatMoney(u.rest)} ${c.currency} `
    + `in ${u.restEntries} item${u.restEntries === 1 ? '' : 's'}, is owned by no single business unit (no resource, no owner, owners in several `
    + 'units, a rule\'s split): the organization-wide pack and customer-value coverage list it';
}

/**
 * A business unit's pack's coverage section, short: the period's line, what the unit likely owns by reason, its top 5
 * resources with their fixes, and one line for the rest.
 */
export function unitCoverageSections(u: UnitCoverage): Section[] {
  const c = u.coverage;
  const reasons = reasonsSection(c, true, false);
  return [
    { heading: `Coverage: spend without a service tag (${u.businessUnit})`, lines: [coverageLine(c), monthlyShareLine(c), unitCoverageLine(u), ...c.warnings, ...c.notes] },
    ...(c.entries.length === 0 ? [] : [
      { ...reasons, heading: `Coverage: unattributed spend ${u.businessUnit} likely owns, by reason (${c.currency})` },
      { ...resourcesSection(c, 5, true), heading: `Coverage: top ${Math.min(5, c.entries.length)} unattributed resources ${u.businessUnit} likely owns (${c.currency})` },
    ]),
  ];
}

/** A unit's coverage in JSON: the period's figures, the unit's reasons and resources, `likelyOwned` and `rest`. */
export function unitCoverageJson(u: UnitCoverage, top: number): Record<string, unknown> {
  return {
    ...coverageJson(u.coverage, top),
    businessUnit: u.businessUnit,
    likelyOwned: Number(u.owned.toFixed(6)),
    rest: Number(u.rest.toFixed(6)),
    restResources: u.restEntries,
  };
}

/**
 * A review pack with the coverage section added (and `coverage` in its JSON): the period's whole coverage (the
 * organization-wide pack), or a unit's (`UnitCoverage`: a business unit's pack).
 */
export function withCoverage(report: Report, c: Coverage | UnitCoverage | string | undefined): Report {
  if (c === undefined) {
    return report;
  }
  const data = (report.data && typeof report.data === 'object' ? report.data : {}) as Record<string, unknown>;
  if (typeof c === 'string') {
    // what the source cannot tell, said in the pack rather than a section silently missing
    return { ...report, sections: [...report.sections, { heading: 'Coverage: spend without a service tag', lines: [c] }], data: { ...data, coverage: { unavailable: c } } };
  }
  if ('businessUnit' in c) {
    return { ...report, sections: [...report.sections, ...unitCoverageSections(c)], data: { ...data, coverage: unitCoverageJson(c, 5) } };
  }
  return { ...report, sections: [...report.sections, ...coverageSections(c)], data: { ...data, coverage: coverageJson(c, 5) } };
}
