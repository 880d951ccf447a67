import { attributeResult, attributionPlanOf, UNDECLARED_NOTE } from './attribute';
import { Coverage, coverageOf } from './coverage';
import { TagKeys } from '../../tag-keys';
import { AssemblySet } from '../declarations/cloud-assembly';
import { CostQuery, CostResult, CostSource, ReportMetric } from '../query';
import { CostGrouping } from '../query-terms';

/**
 * The one path from a source to the coverage (docs/attribution.md section 9), shared by `customer-value coverage` and
 * the review pack's coverage section: one fetch of the period per service with the rules' match scan and the coverage
 * scan, the rules applied as `cost` applies them (the same figures), then the reasons.
 */

/** What a source that cannot tell resources says instead of a coverage (never a smaller report without saying so). */
export const COVERAGE_UNAVAILABLE: Record<'ce' | 'athena', string> = {
  ce: 'coverage needs line items with resource ids: Cost Explorer\'s GetCostAndUsage has none (GetCostAndUsageWithResources is opt-in, '
    + 'daily, for the last 14 days only), so it cannot tell the reasons of untagged spend, its resources nor their owners; read the '
    + 'CUR 2.0 or FOCUS export files instead (--source cur PATH, --source focus PATH)',
  athena: 'coverage does not run on Athena yet: read the export\'s CUR 2.0 or FOCUS files with --source cur PATH or --source focus PATH '
    + '(the same scan, with DuckDB)',
};

export interface CoverageRunInput {
  readonly source: CostSource;
  readonly set: AssemblySet;
  readonly from: string;
  readonly to: string;
  readonly tagKeys: TagKeys;
  readonly metric: ReportMetric;
  readonly currency?: string;
  /** How the notes name the source. */
  readonly sourceName: string;
  readonly progress: (message: string) => void;
}

export interface CoverageRun {
  readonly coverage: Coverage;
  /** The source's result after the rules (its notes, warnings and files). */
  readonly result: CostResult;
}

/** Reads the period from the source and tells its coverage. */
export async function runCoverage(input: CoverageRunInput): Promise<CoverageRun> {
  const { plan } = attributionPlanOf(input.set);
  const declaredStacks = [...new Set(input.set.services.map((s) => s.stack))].sort();
  const query: CostQuery = {
    from: input.from,
    to: input.to,
    groupBy: CostGrouping.SERVICE,
    metric: input.metric,
    tagKeys: input.tagKeys,
    currency: input.currency,
    ...(plan ? { attribution: plan } : {}),
    coverage: { declaredServices: [...new Set(input.set.services.map((s) => s.record.serviceName))].sort(), declaredStacks },
  };
  const fetched = await input.source.fetch(query, input.progress);
  if (!fetched.coverage) {
    throw new Error(`${input.sourceName} returned no coverage scan`);
  }
  const attributed = attributeResult(query, fetched, input.set, input.sourceName);
  const coverage = coverageOf({
    from: input.from,
    to: input.to,
    rows: fetched.rows,
    scan: fetched.coverage,
    outcome: attributed.outcome,
    rules: plan?.rules ?? [],
    services: input.set.services,
    currency: input.currency,
  });
  // the cost command's attribution line counts undeclared tag values as tagged (and a note of its own says how much);
  // coverage's summary line gives the same period with docs/attribution.md section 1's terms (tagged = a declared
  // service's tag), so it replaces both
  const notes = attributed.result.notes.filter((n) => !n.startsWith('attribution: tagged ') && !n.startsWith(UNDECLARED_NOTE));
  return { coverage, result: { ...attributed.result, notes } };
}
