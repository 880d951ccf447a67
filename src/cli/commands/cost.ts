import * as fs from 'fs';
import * as path from 'path';
import { assemblyPaths, helpOr, OUTPUTS } from './common';
import { CostGrouping, CostMetric } from '../../billing/cur-sql';
import { TagKeys } from '../../tag-keys';
import { CommandSpec, parseArgs } from '../args';
import { AssemblySet, readAssemblies } from '../assembly';
import { resolvePeriod } from '../dates';
import { EXIT_OK, firstLine, UsageError } from '../errors';
import { COST_HELP } from '../help';
import { CliIo, oneLine, PROGRAM } from '../io';
import { emit } from '../output';
import { relativePath } from '../paths';
import { costReport } from '../report/cost-report';
import { unitLabel } from '../report/labels';
import { createSource, SourceKind } from '../sources/factory';
import { CliError, CostQuery } from '../sources/types';
import { CloudWatchUsageReader, DAILY_STATISTIC, UNIT_USAGE_METRIC, USAGE_NAMESPACE, UsageOutcome, UsageRequest } from '../unit-usage';

const BY = Object.values(CostGrouping) as string[];
const METRICS = Object.values(CostMetric) as string[];

export const COST_SPEC: CommandSpec = {
  name: 'cost',
  positionals: true,
  options: {
    'source': { kind: 'string', values: ['ce', 'cur', 'athena'] },
    'from': { kind: 'string', placeholder: 'YYYY-MM-DD' },
    'to': { kind: 'string', placeholder: 'YYYY-MM-DD' },
    'by': { kind: 'string', values: BY },
    'metric': { kind: 'string', values: METRICS },
    'assembly': { kind: 'list', placeholder: 'DIR' },
    'output': { kind: 'string', values: [...OUTPUTS, 'html'] },
    'out': { kind: 'string', placeholder: 'FILE' },
    'profile': { kind: 'string', placeholder: 'NAME' },
    'region': { kind: 'string', placeholder: 'NAME' },
    'athena-database': { kind: 'string', placeholder: 'NAME' },
    'athena-table': { kind: 'string', placeholder: 'NAME' },
    'athena-workgroup': { kind: 'string', placeholder: 'NAME' },
    'athena-output': { kind: 'string', placeholder: 's3://bucket/prefix/' },
    'usage': { kind: 'boolean' },
    'quiet': { kind: 'boolean' },
  },
};

/** `customer-value cost`: cost per customer value, from one source, joined with the declarations. */
export async function costCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(COST_SPEC, argv);
  if (helpOr(args, COST_HELP, io)) return EXIT_OK;
  const s = (k: string) => args.strings.get(k);
  const kind = (s('source') ?? 'ce') as SourceKind;
  if (kind === 'cur' && args.positionals.length === 0) {
    throw new UsageError('--source cur needs the CUR 2.0 data: a Parquet or CSV(.gz) file, an export folder or a glob, '
      + 'e.g. --source cur ./cur-export/', 'cost');
  }
  if (kind !== 'cur' && args.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}: only --source cur takes paths`, 'cost');
  }
  const athenaFlags = ['athena-database', 'athena-table', 'athena-workgroup', 'athena-output'].filter((k) => args.strings.has(k));
  if (kind !== 'athena' && athenaFlags.length > 0) {
    throw new UsageError(`--${athenaFlags[0]} only applies to --source athena`, 'cost');
  }
  const period = resolvePeriod(s('from'), s('to'), io.now(), 'cost');
  const groupBy = (s('by') ?? CostGrouping.SERVICE) as CostGrouping;
  const metric = (s('metric') ?? CostMetric.UNBLENDED) as CostMetric;
  const output = s('output') ?? 'table';
  const quiet = args.booleans.get('quiet') === true;
  const progress = quiet ? () => undefined : (m: string) => io.stderr(`${PROGRAM}: ${oneLine(m)}\n`);

  // Declarations: --assembly, or ./cdk.out when it exists.
  let set: AssemblySet = { assemblies: [], services: [] };
  if (args.lists.has('assembly') || fs.existsSync(path.resolve(io.cwd, 'cdk.out'))) {
    set = readAssemblies(assemblyPaths(args), io.cwd);
  } else {
    progress('no --assembly and no ./cdk.out: reporting tag values without their declarations');
  }
  const tagKeys = tagKeysOf(set);
  const query: CostQuery = { from: period.from, to: period.to, groupBy, metric, tagKeys };

  const source = createSource({
    kind,
    paths: args.positionals.map((p) => path.resolve(io.cwd, p)),
    profile: s('profile'),
    region: s('region'),
    athenaDatabase: s('athena-database'),
    athenaTable: s('athena-table'),
    athenaWorkgroup: s('athena-workgroup'),
    athenaOutput: s('athena-output'),
  });
  const result = await source.fetch(query, progress);

  // Usage for unit cost (per service only).
  let usage: Map<string, UsageOutcome> | undefined;
  let usageSkipped: string | undefined;
  const usageNotes: string[] = [];
  if (groupBy === CostGrouping.SERVICE) {
    const wanted = args.booleans.get('usage') ?? kind !== 'cur';
    if (!wanted) {
      usageSkipped = kind === 'cur' && !args.booleans.has('usage')
        ? 'the source is CUR files; add --usage to read usage from CloudWatch'
        : 'turned off with --no-usage';
    } else {
      const requests = usageRequests(set);
      usage = new Map();
      if (requests.length > 0) {
        const reader = io.usageReader
          ? io.usageReader({ profile: s('profile'), region: s('region') })
          : new CloudWatchUsageReader({ profile: s('profile'), region: s('region') });
        usage = await reader.read(requests, period.from, period.to, progress);
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

  const report = costReport({
    query,
    result,
    services: set.services,
    assemblies: set.assemblies.map((a) => relativePath(a, io.cwd)),
    usage,
    usageSkipped,
    usageNotes,
  });
  const out = s('out') ?? (output === 'html' ? 'customer-value-cost.html' : undefined);
  emit(report, output, out, io);
  return EXIT_OK;
}

/**
 * One usage request per declared service with a unit metric and cost reporting on (only then does a publisher
 * write its usage); merged over stages, the first declaration's region is used.
 */
function usageRequests(set: AssemblySet): UsageRequest[] {
  const out = new Map<string, UsageRequest>();
  for (const d of set.services) {
    if (out.has(d.record.serviceName) || !unitLabel(d) || !d.record.costReporting.enabled) {
      continue;
    }
    out.set(d.record.serviceName, {
      service: d.record.serviceName,
      namespace: d.record.costReporting.metricNamespace ?? USAGE_NAMESPACE,
      metricName: d.record.costReporting.unitUsageMetricName ?? UNIT_USAGE_METRIC,
      statistic: d.record.costReporting.metricStatistic ?? DAILY_STATISTIC,
      region: d.region,
    });
  }
  return [...out.values()];
}

/** The tag keys the assemblies declare (they must agree), or the defaults. */
function tagKeysOf(set: AssemblySet): TagKeys {
  const distinct = new Map<string, { keys: Record<string, string>; where: string }>();
  for (const d of set.services) {
    const k = JSON.stringify(d.record.tagKeys);
    if (!distinct.has(k)) {
      distinct.set(k, { keys: d.record.tagKeys as unknown as Record<string, string>, where: `${d.record.serviceName} (${d.stack})` });
    }
  }
  if (distinct.size > 1) {
    const [a, b] = [...distinct.values()];
    throw new CliError(`the assemblies use different tag keys (${a.where}: ${JSON.stringify(a.keys)}, ${b.where}: ${JSON.stringify(b.keys)}): `
      + 'report on apps that share tag keys, one set at a time');
  }
  if (distinct.size === 0) {
    return TagKeys.DEFAULT;
  }
  const keys = [...distinct.values()][0].keys;
  try {
    return TagKeys.custom(keys);
  } catch (e) {
    throw new CliError(`the tag keys recorded in the assembly are invalid: ${firstLine((e as Error).message)}`);
  }
}
