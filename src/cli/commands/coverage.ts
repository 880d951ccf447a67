import * as fs from 'fs';
import * as path from 'path';
import {
  ASSEMBLY_OPTION, assemblyPaths, AWS_OPTIONS, DATA_PATHS, LIMIT_OPTIONS, metricAndCurrency, OUT_OPTION,
  htmlReportOutputOption, positiveNumber, QUIET_OPTION, REGISTRY_OPTION, registryOf, SOURCE_OPTIONS, sourceFromArgs, sourceKindOf,
  timeoutOption, warnOnce,
} from './common';
import { COST_SPEC } from './cost';
import { attributionPlanOf } from '../../cost-data/attribution/attribute';
import { Coverage } from '../../cost-data/attribution/coverage';
import { COVERAGE_BY, CoverageBy, coverageReport, DEFAULT_TOP, MAX_TOP } from '../../cost-data/attribution/coverage-report';
import { COVERAGE_UNAVAILABLE, runCoverage } from '../../cost-data/attribution/coverage-run';
import { AssemblySet, tagKeysOf } from '../../cost-data/declarations/cloud-assembly';
import { localAssemblies, readDeclarations, withNotes } from '../../cost-data/declarations/declaration-sources';
import { CostDataError } from '../../cost-data/errors';
import { refuseOutputOverInput } from '../../cost-data/paths';
import { ReportMetric } from '../../cost-data/query';
import { CE_REQUEST_PRICE_USD } from '../../cost-data/sources/ce';
import { GLOB_CHARS } from '../../cost-data/sources/data-files';
import { SourceKind } from '../../cost-data/sources/factory';
import { CallLimits, DEFAULT_MAX_PAGES, StoppedError } from '../../cost-data/sources/limits';
import { TagKeys } from '../../tag-keys';
import { CommandSpec, ParsedArgs } from '../command-spec';
import { EXIT_OK, UsageError } from '../errors';
import { CliIo, oneLine, PROGRAM } from '../io';
import { emit } from '../output';
import { resolvePeriod } from '../period';
import { contextTagKeys, parseTagKeyFlags, readingTagKeys } from '../tag-mapping';

const NAME = 'coverage';
/** Where `--output html` is written without `--out`. */
const HTML_FILE = 'customer-value-coverage.html';

/** `customer-value coverage`: the spend no declared service owns yet, by reason and by resource, with the fix. */
export const COVERAGE_SPEC: CommandSpec = {
  name: NAME,
  summary: 'spend without a service tag that no attribution rule attributes, by reason, resource or account, with the likely owner and '
    + 'the fix; the attributed share month by month',
  description: 'Coverage of the declarations: every dollar of the period is tagged (a declared service\'s tag), attributed by a declared '
    + 'rule (as customer-value cost applies them), or unattributed with exactly one reason, the first of: no resource (tax, support, '
    + 'fees, credits); a resource of an untaggable type in a declared stack; a resource in a CDK stack without the tag; a resource '
    + 'outside every assembly\'s stacks; a tag value no declaration carries (with did-you-mean); the stack tag is not active; a rule '
    + 'could not split. Lists the top unattributed resources (resource id, account, region, product, usage type) with their likely '
    + 'owner (the services of their stack, else of their account) and the fix as a rule to paste, and the attributed share (tagged + '
    + 'attributed) month by month. Reads CUR 2.0 and FOCUS files; Cost Explorer (no resource ids) tells spend of no resource, untagged spend '
    + 'in accounts without declared stacks and undeclared tag values, by account and record type; Athena: not yet.',
  positionals: DATA_PATHS,
  options: {
    ...SOURCE_OPTIONS,
    'source': {
      ...SOURCE_OPTIONS.source,
      description: `${SOURCE_OPTIONS.source.description} The reasons of each resource need line items with resource ids (CUR 2.0 and FOCUS `
        + 'files); ce tells what it can by account and record type and says what it cannot; athena: not yet.',
    },
    // the period of cost, declared once
    'from': COST_SPEC.options.from,
    'to': COST_SPEC.options.to,
    'by': {
      type: 'string',
      values: COVERAGE_BY,
      placeholder: 'KEY',
      description: 'the main table (the one csv writes): the unattributed spend per reason, the top resources, or per account.',
      default: 'reason',
      section: 'Period and grouping',
    },
    'top': {
      type: 'string',
      placeholder: 'N',
      description: `how many unattributed resources are listed, largest first (1 to ${MAX_TOP}).`,
      default: String(DEFAULT_TOP),
      section: 'Period and grouping',
    },
    'metric': COST_SPEC.options.metric,
    'tag-key': COST_SPEC.options['tag-key'],
    'currency': COST_SPEC.options.currency,
    'assembly': { ...ASSEMBLY_OPTION, section: 'Declarations' },
    'registry': { ...REGISTRY_OPTION, section: 'Declarations' },
    ...AWS_OPTIONS,
    ...LIMIT_OPTIONS,
    'output': htmlReportOutputOption('the attributed share drawn per month', HTML_FILE),
    'out': { ...OUT_OPTION, section: 'Output' },
    'quiet': { ...QUIET_OPTION, section: 'Output' },
  },
  epilogue: 'Resource ids, tag values and account ids are untrusted text: escaped for the terminal, markdown, html and csv as in cost; '
    + 'the fixes quote them as TypeScript strings.',
  run: (args, io) => coverageCommand(args, io),
};

/** The `--top` of the command: a whole number from 1 to MAX_TOP. */
export function topOption(value: string | undefined): number {
  if (value !== undefined && (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_TOP)) {
    throw new UsageError(`--top is ${JSON.stringify(value)}: expected a whole number from 1 to ${MAX_TOP} (the unattributed resources listed)`, NAME);
  }
  return value === undefined ? DEFAULT_TOP : Number(value);
}

/**
 * The review pack's coverage (one more read of the period's files, by service), or the line saying why there is none:
 * what Cost Explorer and Athena cannot tell, or what the files lack. Never fails the review.
 */
export async function packCoverage(o: {
  kind: SourceKind;
  args: ParsedArgs;
  paths: string[];
  limits: CallLimits;
  set: AssemblySet;
  from: string;
  to: string;
  tagKeys: TagKeys;
  metric: ReportMetric;
  currency?: string;
}): Promise<Coverage | string> {
  if (o.kind === 'athena') {
    return COVERAGE_UNAVAILABLE[o.kind];
  }
  try {
    const run = await runCoverage({
      source: sourceFromArgs(o.args, o.kind, o.paths, o.limits),
      set: o.set,
      from: o.from,
      to: o.to,
      tagKeys: o.tagKeys,
      metric: o.metric,
      currency: o.currency,
      sourceName: sourceNameOf(o.kind),
      ...(o.kind === 'ce' ? { granularity: 'month' as const } : {}),
      progress: () => undefined,
    });
    // Cost Explorer's requests are billed: the section says how many it made (the pack's count is the review's own)
    const requests = run.result.requests ?? 0;
    return requests > 0
      ? {
        ...run.coverage,
        notes: [...run.coverage.notes, `the coverage section made ${requests} more GetCostAndUsage request${requests === 1 ? '' : 's'} `
        + `(${(requests * CE_REQUEST_PRICE_USD).toFixed(2)} USD)`],
      }
      : run.coverage;
  } catch (e) {
    if (e instanceof CostDataError) {
      return `coverage could not be told: ${e.message}`;
    }
    throw e;
  }
}

function sourceNameOf(kind: SourceKind): string {
  return kind === 'focus' ? 'the FOCUS file source' : kind === 'ce' ? 'Cost Explorer' : 'the CUR 2.0 file source';
}

async function coverageCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const s = (k: string) => args.strings.get(k);
  const kind = sourceKindOf(args, NAME);
  const { metric, currency } = metricAndCurrency(args, kind, NAME);
  const top = topOption(s('top'));
  const by = (s('by') ?? 'reason') as CoverageBy;
  if (kind === 'athena') {
    throw new UsageError(COVERAGE_UNAVAILABLE[kind], NAME);
  }
  const period = resolvePeriod(s('from'), s('to'), io.now(), NAME);
  const output = s('output') ?? 'table';
  const quiet = args.booleans.get('quiet') === true;
  const progress = quiet ? () => undefined : (m: string) => io.stderr(`${PROGRAM}: ${oneLine(m)}\n`);
  const flagKeys = parseTagKeyFlags(args.lists.get('tag-key') ?? [], NAME);
  const registry = registryOf(args, NAME);
  if (!registry && !args.lists.has('assembly') && !fs.existsSync(path.resolve(io.cwd, 'cdk.out'))) {
    throw new UsageError('coverage tells spend the declarations own from spend they do not: pass the cloud assemblies with --assembly or the '
      + 'registry with --registry (or run it where ./cdk.out is)', NAME);
  }
  const limits = new CallLimits({
    maxPages: positiveNumber(s('max-pages'), 'max-pages', true, NAME) ?? DEFAULT_MAX_PAGES,
    timeoutSeconds: timeoutOption(s('timeout'), NAME),
    interrupt: io.interrupt,
  });
  try {
    const set = await readDeclarations({
      assemblies: assemblyPaths(args), registry, cwd: io.cwd, limits, profile: s('profile'), region: s('region'), progress, now: io.now(),
    });
    warnOnce(set.warnings, io);
    warnOnce(attributionPlanOf(set).warnings, io);
    const { keys: tagKeys, mapped } = readingTagKeys(tagKeysOf(set), contextTagKeys(io.cwd), flagKeys, NAME);
    if (mapped.length > 0) {
      progress(`reading the cost data's tag keys: ${mapped.join(', ')}`);
    }
    const paths = args.positionals.map((p) => path.resolve(io.cwd, p));
    const out = s('out') ?? (output === 'html' ? HTML_FILE : undefined);
    const what = kind === 'focus' ? 'the FOCUS data' : 'the CUR data';
    if (out && out !== '-') {
      refuseOutputOverInput(out, io.cwd, [
        ...paths.filter((p) => !GLOB_CHARS.test(p)).map((p) => ({ path: p, what })),
        ...localAssemblies(set).map((a) => ({ path: a, what: 'the cloud assembly' })),
      ]);
    }
    const { coverage, result } = await runCoverage({
      source: sourceFromArgs(args, kind, paths, limits),
      set,
      from: period.from,
      to: period.to,
      tagKeys,
      metric,
      currency,
      sourceName: sourceNameOf(kind),
      ...(kind === 'ce' ? { granularity: 'month' as const } : {}),
      progress,
    });
    warnOnce(result.warnings ?? [], io);
    if (out && out !== '-' && result.files) {
      refuseOutputOverInput(out, io.cwd, result.files.map((f) => ({ path: f, what })));
    }
    const report = coverageReport(coverage, { by, top, source: result.source, notes: result.notes, warnings: [] });
    warnOnce(report.warnings ?? [], io);
    emit(withNotes(report, set.notes), output, out, io);
    return EXIT_OK;
  } catch (e) {
    throw limits.stoppedBy && !(e instanceof StoppedError) ? limits.stoppedBy : e;
  } finally {
    limits.dispose();
  }
}
