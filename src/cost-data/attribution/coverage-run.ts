import { attributeResult, attributionPlanOf, UNDECLARED_NOTE } from './attribute';
import { AccountTagged, Coverage, coverageOf, taggedByAccount } from './coverage';
import { TagKeys } from '../../tag-keys';
import { AssemblySet } from '../declarations/cloud-assembly';
import { stackServices } from '../declarations/stack-services';
import { CostQuery, CostResult, CostSource, CoverageItem, ReportMetric } from '../query';
import { CostDimension, CostGrouping } from '../query-terms';

/**
 * The one path from a source to the coverage (docs/attribution.md section 9), shared by `customer-value coverage` and
 * the review pack's coverage section: one fetch of the period per service with the rules' match scan and the coverage
 * scan, the rules applied as `cost` applies them (the same figures), then the reasons.
 */

/**
 * What a source without coverage says instead of one (never a smaller report without saying so). Cost Explorer tells
 * what it can (`CE_COVERAGE_NOTE`); Athena's coverage SQL is not built yet (docs/attribution.md section 12).
 */
export const COVERAGE_UNAVAILABLE: Record<'athena', string> = {
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
  /** The rows' time buckets: `month` on Cost Explorer (fewer requests; coverage needs months only). @default 'day' */
  readonly granularity?: 'day' | 'month';
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
  const declaredStacks = [...new Set(stackServices(input.set).map((s) => s.stack))].sort();
  const query: CostQuery = {
    from: input.from,
    to: input.to,
    groupBy: CostGrouping.SERVICE,
    metric: input.metric,
    tagKeys: input.tagKeys,
    currency: input.currency,
    ...(input.granularity ? { granularity: input.granularity } : {}),
    ...(plan ? { attribution: plan } : {}),
    coverage: { declaredServices: [...new Set(input.set.services.map((s) => s.record.serviceName))].sort(), declaredStacks },
  };
  const fetched = await input.source.fetch(query, input.progress);
  if (!fetched.coverage) {
    throw new Error(`${input.sourceName} returned no coverage scan`);
  }
  const attributed = attributeResult(query, fetched, input.set, input.sourceName);
  const owners = await accountOwnersQuery(input, query, fetched);
  const accountTagged = owners?.tagged;
  const coverage = coverageOf({
    from: input.from,
    to: input.to,
    rows: fetched.rows,
    scan: fetched.coverage,
    outcome: attributed.outcome,
    rules: plan?.rules ?? [],
    services: input.set.services,
    ...(input.set.members ? { members: input.set.members } : {}),
    currency: input.currency,
    ...(accountTagged ? { accountTagged } : {}),
  });
  // the cost command's attribution line counts undeclared tag values as tagged (and a note of its own says how much);
  // coverage's summary line gives the same period with docs/attribution.md section 1's terms (tagged = a declared
  // service's tag), so it replaces both
  const notes = attributed.result.notes.filter((n) => !n.startsWith('attribution: tagged ') && !n.startsWith(UNDECLARED_NOTE));
  if (owners?.requests) {
    notes.push(`${input.sourceName}: ${owners.requests} more request${owners.requests === 1 ? '' : 's'} for the tagged spend of accounts without declared stacks (their owner hint)`);
  }
  const requests = (attributed.result.requests ?? 0) + (owners?.requests ?? 0);
  return { coverage, result: { ...attributed.result, notes, ...(requests > 0 ? { requests } : {}) } };
}

/**
 * The owner hint of accounts without declared stacks (docs/attribution.md section 9): the tagged spend of the period
 * per account and service, one more query of the source grouped by service and account (`--by sub-account`, by month),
 * made only when some unattributed spend is in such an account.
 */
async function accountOwnersQuery(input: CoverageRunInput, query: CostQuery, fetched: CostResult)
  : Promise<{ tagged: AccountTagged; requests: number } | undefined> {
  const declaredAccounts = new Set(input.set.services.map((s) => s.account));
  const stacks = new Set(query.coverage!.declaredStacks);
  // an untagged resource (Cost Explorer: untagged usage) outside the declared stacks, in an account without them
  const needs = (i: CoverageItem) => i.tag === '' && i.account !== '' && !declaredAccounts.has(i.account) && !stacks.has(i.stack) && !i.nonResource
    && (i.resource !== '' || fetched.coverage!.resourceLevel === false);
  if (!fetched.coverage!.items.some(needs)) {
    return undefined;
  }
  const byAccount = await input.source.fetch({
    from: query.from,
    to: query.to,
    groupBy: CostGrouping.SERVICE,
    dimension: CostDimension.SUB_ACCOUNT,
    granularity: 'month',
    metric: query.metric,
    tagKeys: query.tagKeys,
    currency: query.currency,
  }, input.progress);
  const currency = input.currency ?? fetched.rows[0]?.currency ?? fetched.coverage!.items[0]?.currency ?? '';
  return { tagged: taggedByAccount(byAccount.rows, query.coverage!.declaredServices, currency), requests: byAccount.requests ?? 0 };
}
