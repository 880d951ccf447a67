import { costReportingLabel, coverageLabel, customerLabel, lastOutcomeLabel, reviewLabel, unitLabel } from './labels';
import { Column, Report } from './model';
import { AssemblySet } from '../assembly';
import { relativePath } from '../paths';

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
    review: s.record.valueReview
      ? `${reviewLabel(s)} (next ${s.record.valueReview.nextReview}${lastOutcomeLabel(s.record.valueReview)})` : reviewLabel(s),
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
