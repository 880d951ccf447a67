import * as fs from 'fs';
import * as path from 'path';
import {
  ASSEMBLY_OPTION, assemblyPaths, AWS_OPTIONS, CURRENCY_OPTION, DATA_PATHS, FILE_SOURCES, focusCapable, LIMIT_OPTIONS, METRIC_OPTION,
  metricAndCurrency, OUT_OPTION, htmlReportOutputOption, positiveNumber, QUIET_OPTION, REGISTRY_OPTION, registryOf, SOURCE_OPTIONS, sourceFromArgs,
  sourceKindOf, TAG_KEY_OPTION, timeoutOption, warnOnce,
} from './common';
import { attributeResult, attributionApplies, attributionPlanOf, withAttribution } from '../../cost-data/attribution/attribute';
import { tagKeysOf } from '../../cost-data/declarations/cloud-assembly';
import { DeclarationSet, localAssemblies, readDeclarations, withNotes } from '../../cost-data/declarations/declaration-sources';
import { BY_PROVIDER, BY_VALUES, dimensionRefusal, isDimension } from '../../cost-data/grouping';
import { refuseOutputOverInput, relativePath } from '../../cost-data/paths';
import { CostQuery } from '../../cost-data/query';
import { CostGrouping } from '../../cost-data/query-terms';
import { allocatedCostReport } from '../../cost-data/report/allocated-report';
import { costReport } from '../../cost-data/report/cost-report';
import { unitLabel } from '../../cost-data/report/labels';
import { GLOB_CHARS } from '../../cost-data/sources/data-files';
import { SourceKind } from '../../cost-data/sources/factory';
import { CallLimits, DEFAULT_MAX_PAGES, StoppedError } from '../../cost-data/sources/limits';
import { CloudWatchUsageReader, UsageOutcome, usageRequests } from '../../cost-data/sources/unit-usage';
import { CommandSpec, ParsedArgs } from '../command-spec';
import { EXIT_OK, UsageError } from '../errors';
import { CliIo, oneLine, PROGRAM } from '../io';
import { emit } from '../output';
import { resolvePeriod } from '../period';
import { contextTagKeys, parseTagKeyFlags, readingTagKeys } from '../tag-mapping';


/** Where `--output html` is written without `--out`. */
const HTML_FILE = 'customer-value-cost.html';

/** `customer-value cost`: cost per customer value, from one source, joined with the declarations. */
export const COST_SPEC: CommandSpec = {
  name: 'cost',
  summary: 'cost per service, need, team, business unit or customer, joined with the declarations; --allocate: fully-loaded cost, '
    + 'shared cost passed on over the declared value chain',
  description: 'Cost per customer value: cost grouped by a customer-value tag, joined with the declarations in the cloud assembly (need '
    + 'statement, customer, team, business unit, value review), with untagged spend as its own row, the tagged share of resource spend '
    + '(data quality), declared services without cost, tag values nobody declared, and unit cost per service where usage is known.',
  positionals: DATA_PATHS,
  options: {
    ...SOURCE_OPTIONS,
    'from': {
      type: 'string',
      placeholder: 'YYYY-MM-DD',
      description: 'first day (inclusive); --from and --to both default to the last full calendar month (UTC).',
      section: 'Period and grouping',
    },
    'to': { type: 'string', placeholder: 'YYYY-MM-DD', description: 'end day (exclusive).', section: 'Period and grouping' },
    'by': {
      type: 'string',
      values: BY_VALUES,
      placeholder: 'KEY',
      description: 'service, need, team, business-unit or customer (a tag); provider (FOCUS data: cost and tagged share per provider); a '
        + 'column of the data, with the tagged share of each value: billing-account, sub-account, charge-category, region, '
        + 'service-category (FOCUS BillingAccountId, SubAccountId, ChargeCategory, RegionId, ServiceCategory; CUR 2.0 '
        + 'bill_payer_account_id, line_item_usage_account_id, line_item_line_item_type, product_region_code, no service category; Cost '
        + 'Explorer LINKED_ACCOUNT for sub-account and RECORD_TYPE for charge-category only). Only a tag grouping needs the tag: grouped '
        + 'by provider or a column, data without the service tag is reported with a note naming the tag keys it has.',
      default: CostGrouping.SERVICE,
      section: 'Period and grouping',
    },
    'metric': { ...METRIC_OPTION, section: 'Period and grouping' },
    'tag-key': { ...TAG_KEY_OPTION, section: 'Period and grouping' },
    'currency': { ...CURRENCY_OPTION, section: 'Period and grouping' },
    'allocate': {
      type: 'boolean',
      description: 'fully-loaded cost: each provider\'s cost (its direct cost plus what it received) passed on to the services that '
        + 'consume it, by its declared costAllocation (proportional to their direct cost in the period, even, or fixed percentages), in '
        + 'dependency order across every --assembly. Per row: direct, received, passed on, unallocated and fully loaded cost; cost a '
        + 'provider cannot pass on (no consumer, no consumer with cost, a share for a service that does not consume it) is listed as '
        + 'unallocated shared cost with the reason, so fully loaded + unallocated = the total. Needs the assemblies; a cycle of '
        + 'consumption across them is refused, naming it.',
      section: 'Value chain',
    },
    'spread-untagged': {
      type: 'boolean',
      description: 'with --allocate: spread untagged spend over the rows in proportion to their fully-loaded cost (off by default: '
        + 'untagged spend is its own row).',
      section: 'Value chain',
      requires: { option: 'allocate', value: true, message: '--spread-untagged spreads untagged spend over the fully-loaded rows: add --allocate' },
    },
    'assembly': {
      ...ASSEMBLY_OPTION,
      description: `${ASSEMBLY_OPTION.description} Without --assembly, --registry and ./cdk.out, tag values are reported without `
        + 'declarations.',
      section: 'Declarations and usage',
    },
    'registry': { ...REGISTRY_OPTION, section: 'Declarations and usage' },
    'usage': {
      type: 'boolean',
      negatable: true,
      description: 'read usage for unit cost from CloudWatch (CustomerValue/UnitUsage per service).',
      default: 'on for ce and athena, off for cur and focus',
      section: 'Declarations and usage',
    },
    ...AWS_OPTIONS,
    ...LIMIT_OPTIONS,
    'output': htmlReportOutputOption('a chart', HTML_FILE),
    'out': { ...OUT_OPTION, section: 'Output' },
    'quiet': { ...QUIET_OPTION, section: 'Output' },
  },
  epilogue: 'Tag values are untrusted text: bidi controls are shown as <U+202E>, long values are cut with an ellipsis in the table (whole '
    + 'in json and csv), markup is escaped in markdown and html.',
  run: (args, io) => costCommand(args, io),
};

/** How the notes name a source that applies no attribution rules. */
const SOURCE_NAMES: Record<SourceKind, string> = { ce: 'Cost Explorer', athena: 'the Athena source', cur: 'the CUR 2.0 file source', focus: 'the FOCUS file source' };

/** What the cost command was asked, once the command line is checked. */
interface CostRun {
  readonly args: ParsedArgs;
  readonly kind: SourceKind;
  readonly query: CostQuery;
  readonly set: DeclarationSet;
  readonly paths: string[];
  readonly output: string;
  readonly out?: string;
  readonly progress: (message: string) => void;
}

/** Runs `customer-value cost` once its command line is parsed. */
async function costCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const s = (k: string) => args.strings.get(k);
  const kind = sourceKindOf(args, 'cost');
  const { metric, currency } = metricAndCurrency(args, kind, 'cost');
  if (s('by') === BY_PROVIDER && !focusCapable(kind)) {
    throw new UsageError('--by provider only applies to FOCUS data (--source focus, or a FOCUS table with --source athena)', 'cost');
  }
  const by = s('by') ?? COST_SPEC.options.by.default!;
  const dimension = isDimension(by) ? by : undefined;
  if (dimension !== undefined && (kind === 'ce' || kind === 'cur')) {
    const refused = dimensionRefusal(kind, dimension);
    if (refused) {
      throw new UsageError(refused, 'cost');
    }
  }
  if (dimension !== undefined && args.booleans.get('allocate') === true) {
    throw new UsageError(`--allocate passes cost between the declared services, and --by ${dimension} groups by a column of the data, which no `
      + 'declaration names: group by service, need, team, business-unit or customer with --allocate', 'cost');
  }
  const period = resolvePeriod(s('from'), s('to'), io.now(), 'cost');
  const byProvider = by === BY_PROVIDER;
  const groupBy = (byProvider || dimension !== undefined ? CostGrouping.SERVICE : by) as CostGrouping;
  const flagKeys = parseTagKeyFlags(args.lists.get('tag-key') ?? [], 'cost');
  const output = s('output') ?? COST_SPEC.options.output.default!;
  const maxPages = positiveNumber(s('max-pages'), 'max-pages', true) ?? DEFAULT_MAX_PAGES;
  const timeoutSeconds = timeoutOption(s('timeout'), 'cost');
  const quiet = args.booleans.get('quiet') === true;
  const allocate = args.booleans.get('allocate') === true;
  const progress = quiet ? () => undefined : (m: string) => io.stderr(`${PROGRAM}: ${oneLine(m)}\n`);

  // Declarations: --assembly and/or --registry, or ./cdk.out when it exists.
  const registry = registryOf(args, 'cost');
  const withAssemblies = args.lists.has('assembly') || (!registry && fs.existsSync(path.resolve(io.cwd, 'cdk.out')));
  if (!withAssemblies && !registry) {
    if (allocate) {
      throw new UsageError('--allocate passes shared cost on over the value chain the services declare: pass their cloud assemblies with '
        + '--assembly or the registry with --registry (or run it where ./cdk.out is)', 'cost');
    }
    progress('no --assembly and no ./cdk.out (nor --registry): reporting tag values without their declarations');
  }
  const limits = new CallLimits({ maxPages, timeoutSeconds, interrupt: io.interrupt });
  try {
    const set = await readDeclarations({
      assemblies: withAssemblies ? assemblyPaths(args) : [], registry, cwd: io.cwd, limits, profile: s('profile'), region: s('region'), progress, now: io.now(),
    });
    warnOnce(set.warnings, io);
    const run = { args, kind, set, period, groupBy, metric, currency, byProvider, dimension, flagKeys, output, progress };
    return await costWithDeclarations(run, limits, io);
  } catch (e) {
    // stopped (deadline, signal) while something that does not know it failed: the reason is the stop
    throw limits.stoppedBy && !(e instanceof StoppedError) ? limits.stoppedBy : e;
  } finally {
    limits.dispose();
  }
}

/** The cost command once its declarations are read. */
async function costWithDeclarations(o: {
  args: ParsedArgs;
  kind: SourceKind;
  set: DeclarationSet;
  period: { from: string; to: string };
  groupBy: CostGrouping;
  metric: CostQuery['metric'];
  currency?: string;
  byProvider: boolean;
  dimension: CostQuery['dimension'];
  flagKeys: ReturnType<typeof parseTagKeyFlags>;
  output: string;
  progress: (m: string) => void;
}, limits: CallLimits, io: CliIo): Promise<number> {
  const { args, kind, set, period, groupBy, metric, currency, byProvider, dimension, flagKeys, output, progress } = o;
  const s = (k: string) => args.strings.get(k);
  const { keys: tagKeys, mapped } = readingTagKeys(tagKeysOf(set), contextTagKeys(io.cwd), flagKeys, 'cost');
  if (mapped.length > 0) {
    progress(`reading the cost data's tag keys: ${mapped.join(', ')}`);
  }
  // attribution rules (docs/attribution.md): matched by the source, applied before the value chain
  const { plan, warnings: ruleWarnings } = attributionPlanOf(set);
  warnOnce(ruleWarnings, io);
  const attribution = plan && attributionApplies({ groupBy, dimension }) ? plan : undefined;
  const query: CostQuery = {
    from: period.from,
    to: period.to,
    groupBy,
    metric,
    tagKeys,
    currency,
    byProvider,
    dimension,
    ...(attribution ? { attribution } : {}),
  };
  const paths = args.positionals.map((p) => path.resolve(io.cwd, p));
  const out = s('out') ?? (output === 'html' ? HTML_FILE : undefined);
  if (out && out !== '-') {
    // before any request: a report must never overwrite what it is made from
    refuseOutputOverInput(out, io.cwd, [
      ...paths.filter((p) => !GLOB_CHARS.test(p)).map((p) => ({ path: p, what: kind === 'focus' ? 'the FOCUS data' : 'the CUR data' })),
      ...localAssemblies(set).map((a) => ({ path: a, what: 'the cloud assembly' })),
    ]);
  }
  return runCost({ args, kind, query, set, paths, output, out, progress }, limits, io);
}

async function runCost(run: CostRun, limits: CallLimits, io: CliIo): Promise<number> {
  const { args, kind, query, set, out } = run;
  const s = (k: string) => args.strings.get(k);
  const source = sourceFromArgs(args, kind, run.paths, limits);
  const fetched = await source.fetch(query, run.progress);
  const attributed = attributeResult(query, fetched, set, SOURCE_NAMES[kind]);
  const result = attributed.result;
  warnOnce(result.warnings ?? [], io);
  if (out && out !== '-' && result.files) {
    // a glob is known only once expanded: the files read are inputs too
    refuseOutputOverInput(out, io.cwd, result.files.map((f) => ({ path: f, what: kind === 'focus' ? 'the FOCUS file' : 'the CUR file' })));
  }

  // Usage for unit cost (per service only).
  let usage: Map<string, UsageOutcome> | undefined;
  let usageSkipped: string | undefined;
  const usageNotes: string[] = [];
  if (query.groupBy === CostGrouping.SERVICE) {
    const wanted = args.booleans.get('usage') ?? !FILE_SOURCES.includes(kind);
    if (!wanted) {
      usageSkipped = FILE_SOURCES.includes(kind) && !args.booleans.has('usage')
        ? `the source is ${kind === 'cur' ? 'CUR' : 'FOCUS'} files; add --usage to read usage from CloudWatch`
        : 'turned off with --no-usage';
    } else {
      const requests = usageRequests(set);
      usage = new Map();
      if (requests.length > 0) {
        const reader = io.usageReader
          ? io.usageReader({ profile: s('profile'), region: s('region') })
          : new CloudWatchUsageReader({ profile: s('profile'), region: s('region'), limits });
        usage = await reader.read(requests, query.from, query.to, run.progress);
        const count = (reader as { requests?: number }).requests;
        if (count) {
          usageNotes.push(`CloudWatch: ${count} GetMetricData request${count === 1 ? '' : 's'} for ${requests.length} service usage metric`
            + `${requests.length === 1 ? '' : 's'}`);
        }
      }
      for (const d of set.services) {
        if (!d.record.costReporting.enabled && unitLabel(d) && !usage.has(d.record.serviceName)) {
          usage.set(d.record.serviceName, {
            short: 'reporting off',
            reason: `cost reporting is off for ${d.record.serviceName}, so no usage is published for it`,
          });
        }
      }
    }
  }
  limits.check();

  const input = {
    query,
    result,
    services: set.services,
    assemblies: set.assemblies.map((a) => relativePath(a, io.cwd)),
    usage,
    usageSkipped,
    usageNotes,
  };
  const built = args.booleans.get('allocate') === true
    ? allocatedCostReport({ ...input, cwd: io.cwd, spreadUntagged: args.booleans.get('spread-untagged') === true })
    : costReport(input);
  // what each rule attributed, in the JSON output (docs/attribution.md section 8); the notes carry it in every format;
  // the declarations' notes (the registry's) first
  const report = withNotes(withAttribution(built, attributed), set.notes);
  warnOnce(report.warnings ?? [], io);
  emit(report, run.output, out, io);
  return EXIT_OK;
}
