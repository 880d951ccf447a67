import { costReportingLabel, coverageLabel, customerLabel, lastOutcomeLabel, reviewLabel, unitLabel } from './labels';
import { Column, Report } from './model';
import { AssemblySet } from '../declarations/cloud-assembly';
import { relativePath } from '../paths';
import { estimateRunningCost, REPORTING_PRICES } from './running-cost';
import { allocationLabel, allocationOf, cycleMessage, isProvider, valueChain } from '../value-chain/declared-chain';

/**
 * The `services` report: every declared service in the assemblies, with the value chain across them (what each
 * consumes, what consumes it, how a provider shares its cost) when any service declares one.
 */
export function servicesReport(set: AssemblySet, cwd: string): Report {
  const services = [...set.services].sort((a, b) =>
    a.record.serviceName.localeCompare(b.record.serviceName) || (a.stage ?? '').localeCompare(b.stage ?? ''));
  const assemblies = set.assemblies.map((a) => relativePath(a, cwd));
  const withStage = services.some((s) => s.stage);
  const withAssembly = set.assemblies.length > 1;
  const chain = valueChain(set.services, cwd);
  const withChain = [...chain.nodes.values()].some((n) => n.consumes.length > 0 || n.declaredAllocation !== undefined);
  const nodeOf = (name: string) => chain.nodes.get(name)!;
  const allocation = (name: string) => (isProvider(nodeOf(name)) ? allocationOf(nodeOf(name)) : undefined);
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
    { key: 'reportingCost', header: 'Reporting USD/month', type: 'money' },
    ...(withChain ? [
      { key: 'consumes', header: 'Consumes', maxWidth: 36 },
      { key: 'allocation', header: 'Cost allocation', maxWidth: 56 },
    ] : []),
    ...(withStage ? [{ key: 'stage', header: 'Stage' }] : []),
    { key: 'stack', header: 'Stack' },
    ...(withAssembly ? [{ key: 'assembly', header: 'Assembly' }] : []),
  ];
  const running = estimateRunningCost(services);
  const rows = services.map((s, i) => ({
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
    reportingCost: running.services[i].usd,
    consumes: (s.record.consumes ?? []).join(', '),
    allocation: allocation(s.record.serviceName) ? `${allocationLabel(allocation(s.record.serviceName)!)} to `
      + `${nodeOf(s.record.serviceName).consumers.join(', ') || '(no consumer declared)'}` : '',
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
  if (running.totalUsd > 0) {
    const accountUsd = running.accountItems.reduce((n, i) => n + i.usd, 0);
    const values = running.accountItems.reduce((n, i) => n + Math.round(i.usd / REPORTING_PRICES.metricMonth), 0);
    summary.push(`the cost and usage reporting itself: about ${running.totalUsd.toFixed(2)} USD a month (${REPORTING_PRICES.region} prices of `
      + `${REPORTING_PRICES.checked}, before the free tier): ${(running.totalUsd - accountUsd).toFixed(2)} for the services (their own metrics `
      + `and their share of their stack's publisher and dashboard: the "Reporting USD/month" column) and ${accountUsd.toFixed(2)} for the cost metrics `
      + `per team and per business unit (${values} value${values === 1 ? '' : 's'}, ${REPORTING_PRICES.metricMonth.toFixed(2)} USD each, `
      + 'one per account whichever stack publishes it)');
  }
  if (partial > 0) {
    summary.push(`${partial} service${partial === 1 ? ' has' : 's have'} taggable resources without the customer-value tags`);
  }
  const providers = [...chain.nodes.values()].filter(isProvider);
  if (withChain) {
    summary.push(`value chain: ${providers.length} provider${providers.length === 1 ? '' : 's'} pass${providers.length === 1 ? 'es' : ''} `
      + 'cost on to the services that consume them (customer-value cost --allocate)');
  }
  const notes = [...chain.warnings, ...chain.cycles.map((c) => cycleMessage(chain, c))];
  return {
    title: 'Customer services',
    summary,
    sections: [{ table: { columns, rows } }],
    notes,
    warnings: notes,
    data: {
      assemblies,
      reportingCost: {
        usdPerMonth: round2(running.totalUsd),
        prices: REPORTING_PRICES,
        stacks: running.stacks,
        accounts: running.accountItems,
      },
      services: services.map((s, i) => ({
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
        reportingCost: {
          usdPerMonth: round2(running.services[i].usd),
          items: running.services[i].items,
          publisherShare: round2(running.services[i].publisherShare),
        },
        tagKeys: s.record.tagKeys,
        tags: s.record.tags,
        usageMetrics: s.record.usageMetrics,
        stage: s.stage ?? null,
        stack: s.stack,
        account: s.account ?? null,
        region: s.region ?? null,
        constructPath: s.record.constructPath,
        includedScopes: s.record.includedScopes,
        consumes: s.record.consumes ?? [],
        consumedBy: nodeOf(s.record.serviceName).consumers,
        costAllocation: allocation(s.record.serviceName) ?? null,
        assembly: relativePath(s.assembly, cwd),
      })),
    },
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
