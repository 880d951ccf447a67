import * as fs from 'fs';
import * as path from 'path';
import {
  assemblyPaths, focusCapable, metricAndCurrency, SOURCE_OPTIONS, FILE_SOURCES, helpOr, OUTPUTS, positiveNumber, sourceFromArgs, sourceKindOf,
  timeoutOption, warnOnce,
} from './common';
import { AssemblySet, readAssemblies, tagKeysOf } from '../../cost-data/declarations/cloud-assembly';
import { BY_PROVIDER, BY_VALUES, dimensionRefusal, isDimension } from '../../cost-data/grouping';
import { REPORT_METRICS } from '../../cost-data/metrics';
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
import { CommandSpec, ParsedArgs, parseArgs } from '../args';
import { EXIT_OK, UsageError } from '../errors';
import { COST_HELP } from '../help';
import { CliIo, oneLine, PROGRAM } from '../io';
import { emit } from '../output';
import { resolvePeriod } from '../period';
import { contextTagKeys, parseTagKeyFlags, readingTagKeys } from '../tag-mapping';


export const COST_SPEC: CommandSpec = {
  name: 'cost',
  positionals: true,
  options: {
    'from': { kind: 'string', placeholder: 'YYYY-MM-DD' },
    'to': { kind: 'string', placeholder: 'YYYY-MM-DD' },
    'by': { kind: 'string', values: BY_VALUES },
    'metric': { kind: 'string', values: REPORT_METRICS },
    'tag-key': { kind: 'list', placeholder: 'FIELD=KEY' },
    'currency': { kind: 'string', placeholder: 'CODE' },
    'assembly': { kind: 'list', placeholder: 'DIR', short: 'a' },
    'output': { kind: 'string', values: [...OUTPUTS, 'html'], short: 'o' },
    'out': { kind: 'string', placeholder: 'FILE' },
    ...SOURCE_OPTIONS,
    'usage': { kind: 'boolean' },
    'allocate': { kind: 'boolean' },
    'spread-untagged': { kind: 'boolean' },
    'quiet': { kind: 'boolean', short: 'q' },
  },
};

/** What the cost command was asked, once the command line is checked. */
interface CostRun {
  readonly args: ParsedArgs;
  readonly kind: SourceKind;
  readonly query: CostQuery;
  readonly set: AssemblySet;
  readonly paths: string[];
  readonly output: string;
  readonly out?: string;
  readonly progress: (message: string) => void;
}

/** `customer-value cost`: cost per customer value, from one source, joined with the declarations. */
export async function costCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(COST_SPEC, argv);
  if (helpOr(args, COST_HELP, io)) return EXIT_OK;
  const s = (k: string) => args.strings.get(k);
  const kind = sourceKindOf(args, 'cost');
  const { metric, currency } = metricAndCurrency(args, kind, 'cost');
  if (s('by') === BY_PROVIDER && !focusCapable(kind)) {
    throw new UsageError('--by provider only applies to FOCUS data (--source focus, or a FOCUS table with --source athena)', 'cost');
  }
  const by = s('by') ?? CostGrouping.SERVICE;
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
  const output = s('output') ?? 'table';
  const maxPages = positiveNumber(s('max-pages'), 'max-pages', true) ?? DEFAULT_MAX_PAGES;
  const timeoutSeconds = timeoutOption(s('timeout'), 'cost');
  const quiet = args.booleans.get('quiet') === true;
  const allocate = args.booleans.get('allocate') === true;
  if (args.booleans.get('spread-untagged') === true && !allocate) {
    throw new UsageError('--spread-untagged spreads untagged spend over the fully-loaded rows: add --allocate', 'cost');
  }
  const progress = quiet ? () => undefined : (m: string) => io.stderr(`${PROGRAM}: ${oneLine(m)}\n`);

  // Declarations: --assembly, or ./cdk.out when it exists.
  let set: AssemblySet = { assemblies: [], services: [], warnings: [] };
  if (args.lists.has('assembly') || fs.existsSync(path.resolve(io.cwd, 'cdk.out'))) {
    set = readAssemblies(assemblyPaths(args), io.cwd);
    warnOnce(set.warnings, io);
  } else if (allocate) {
    throw new UsageError('--allocate passes shared cost on over the value chain the services declare: pass their cloud assemblies with '
      + '--assembly (or run it where ./cdk.out is)', 'cost');
  } else {
    progress('no --assembly and no ./cdk.out: reporting tag values without their declarations');
  }
  const { keys: tagKeys, mapped } = readingTagKeys(tagKeysOf(set), contextTagKeys(io.cwd), flagKeys, 'cost');
  if (mapped.length > 0) {
    progress(`reading the cost data's tag keys: ${mapped.join(', ')}`);
  }
  const query: CostQuery = { from: period.from, to: period.to, groupBy, metric, tagKeys, currency, byProvider, dimension };
  const paths = args.positionals.map((p) => path.resolve(io.cwd, p));
  const out = s('out') ?? (output === 'html' ? 'customer-value-cost.html' : undefined);
  if (out && out !== '-') {
    // before any request: a report must never overwrite what it is made from
    refuseOutputOverInput(out, io.cwd, [
      ...paths.filter((p) => !GLOB_CHARS.test(p)).map((p) => ({ path: p, what: kind === 'focus' ? 'the FOCUS data' : 'the CUR data' })),
      ...set.assemblies.map((a) => ({ path: a, what: 'the cloud assembly' })),
    ]);
  }
  const limits = new CallLimits({ maxPages, timeoutSeconds, interrupt: io.interrupt });
  try {
    return await runCost({ args, kind, query, set, paths, output, out, progress }, limits, io);
  } catch (e) {
    // stopped (deadline, signal) while something that does not know it failed: the reason is the stop
    throw limits.stoppedBy && !(e instanceof StoppedError) ? limits.stoppedBy : e;
  } finally {
    limits.dispose();
  }
}

async function runCost(run: CostRun, limits: CallLimits, io: CliIo): Promise<number> {
  const { args, kind, query, set, out } = run;
  const s = (k: string) => args.strings.get(k);
  const source = sourceFromArgs(args, kind, run.paths, limits);
  const result = await source.fetch(query, run.progress);
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
  const report = args.booleans.get('allocate') === true
    ? allocatedCostReport({ ...input, cwd: io.cwd, spreadUntagged: args.booleans.get('spread-untagged') === true })
    : costReport(input);
  warnOnce(report.warnings ?? [], io);
  emit(report, run.output, out, io);
  return EXIT_OK;
}
