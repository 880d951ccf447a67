import * as path from 'path';
import { AssemblySet, DeclaredService } from './assembly';
import { Column, Report } from './document';

/** `Online shoppers (external)` */
export function customerLabel(c: { kind: string; name: string }): string {
  return `${c.name} (${c.kind})`;
}

export function reviewLabel(s: DeclaredService): string {
  return s.record.valueReview?.status ?? 'not-scheduled';
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

/** `pipeline runs` → `pipeline run` (for "per pipeline run"); names that do not end in a plain `s` are kept. */
function singular(name: string): string {
  return /[^su]s$/i.test(name) && !/(ss|is|us)$/i.test(name) ? name.slice(0, -1) : name;
}

/** `dir` relative to `cwd` when it is inside it, else absolute; always with `/`. */
export function relativePath(dir: string, cwd: string): string {
  const rel = path.relative(cwd, dir);
  if (rel === '') {
    return '.';
  }
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    return dir.split(path.sep).join('/');
  }
  return rel.split(path.sep).join('/');
}

/** The `services` report: every declared service in the assemblies. */
export function servicesReport(set: AssemblySet, cwd: string): Report {
  const services = [...set.services].sort((a, b) =>
    a.record.serviceName.localeCompare(b.record.serviceName) || (a.stage ?? '').localeCompare(b.stage ?? ''));
  const assemblies = set.assemblies.map((a) => relativePath(a, cwd));
  const withStage = services.some((s) => s.stage);
  const withAssembly = set.assemblies.length > 1;
  const columns: Column[] = [
    { key: 'service', header: 'Service' },
    { key: 'need', header: 'Customer need', maxWidth: 44 },
    { key: 'customer', header: 'Customer', maxWidth: 28 },
    { key: 'team', header: 'Team' },
    { key: 'businessUnit', header: 'Business unit' },
    { key: 'review', header: 'Value review' },
    { key: 'costReporting', header: 'Cost reporting', maxWidth: 28 },
    { key: 'coverage', header: 'Tag coverage' },
    { key: 'unit', header: 'Unit metric', maxWidth: 28 },
    ...(withStage ? [{ key: 'stage', header: 'Stage' }] : []),
    { key: 'stack', header: 'Stack' },
    ...(withAssembly ? [{ key: 'assembly', header: 'Assembly' }] : []),
  ];
  const rows = services.map((s) => ({
    service: s.record.serviceName,
    need: s.record.customerNeed,
    customer: customerLabel(s.record.customer),
    team: s.record.team,
    businessUnit: s.record.businessUnit,
    review: s.record.valueReview ? `${reviewLabel(s)} (next ${s.record.valueReview.nextReview})` : reviewLabel(s),
    costReporting: costReportingLabel(s),
    coverage: coverageLabel(s),
    unit: unitLabel(s) ?? 'none declared',
    stage: s.stage ?? '',
    stack: s.stack,
    assembly: relativePath(s.assembly, cwd),
  }));
  const overdue = services.filter((s) => reviewLabel(s) === 'overdue').length;
  const dueSoon = services.filter((s) => reviewLabel(s) === 'due-soon').length;
  const partial = services.filter((s) => s.record.resources.tagged < s.record.resources.taggable).length;
  const summary = [
    `${services.length} service${services.length === 1 ? '' : 's'} declared in ${assemblies.join(', ')}`,
  ];
  if (overdue + dueSoon > 0) {
    summary.push(`value reviews: ${overdue} overdue, ${dueSoon} due within 14 days`);
  }
  if (partial > 0) {
    summary.push(`${partial} service${partial === 1 ? ' has' : 's have'} taggable resources without the customer-value tags`);
  }
  return {
    title: 'Customer services',
    summary,
    sections: [{ table: { columns, rows } }],
    notes: [],
    data: {
      assemblies,
      services: services.map((s) => ({
        serviceName: s.record.serviceName,
        customerNeed: s.record.customerNeed,
        customer: s.record.customer,
        team: s.record.team,
        businessUnit: s.record.businessUnit,
        valueReview: s.record.valueReview ?? null,
        costReporting: s.record.costReporting,
        tagCoverage: {
          tagged: s.record.resources.tagged,
          taggable: s.record.resources.taggable,
          total: s.record.resources.total,
          untaggableByType: s.record.resources.untaggableByType,
        },
        unitMetric: unitLabel(s) ?? null,
        tagKeys: s.record.tagKeys,
        tags: s.record.tags,
        usageMetrics: s.record.usageMetrics,
        stage: s.stage ?? null,
        stack: s.stack,
        account: s.account ?? null,
        region: s.region ?? null,
        constructPath: s.record.constructPath,
        includedScopes: s.record.includedScopes,
        assembly: relativePath(s.assembly, cwd),
      })),
    },
  };
}
