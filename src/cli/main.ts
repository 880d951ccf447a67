import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, CommandSpec, ParsedArgs } from './args';
import { AssemblySet, readAssemblies } from './assembly';
import { costReport } from './cost-report';
import { resolvePeriod } from './dates';
import { Report } from './document';
import { EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, firstLine, UsageError } from './errors';
import { renderCsv } from './format/csv';
import { renderHtml } from './format/html';
import { renderJson } from './format/json';
import { renderMarkdown } from './format/markdown';
import { renderText } from './format/text';
import { CATALOG_HELP, COST_HELP, GENERAL_HELP, SERVICES_HELP } from './help';
import { relativePath, servicesReport, unitLabel } from './services';
import { createSource, SourceKind } from './sources/factory';
import { CliError, CostQuery } from './sources/types';
import { CloudWatchUsageReader, DAILY_STATISTIC, UNIT_USAGE_METRIC, USAGE_NAMESPACE, UsageOutcome, UsageReader, UsageRequest } from './unit-usage';
import { CostGrouping, CostMetric } from '../billing/cur-sql';
import { TagKeys } from '../tag-keys';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  /** "Today", for the default period. */
  readonly now: () => Date;
  /** Reads usage for unit cost; default: CloudWatch. */
  readonly usageReader?: (o: { profile?: string; region?: string }) => UsageReader;
}

const PROGRAM = 'customer-value';
const OUTPUTS = ['table', 'json', 'csv', 'markdown'];
const BY = Object.values(CostGrouping) as string[];
const METRICS = Object.values(CostMetric) as string[];

const SERVICES_SPEC: CommandSpec = {
  name: 'services',
  options: {
    assembly: { kind: 'list', placeholder: 'DIR' },
    output: { kind: 'string', values: OUTPUTS },
    out: { kind: 'string', placeholder: 'FILE' },
  },
};

const COST_SPEC: CommandSpec = {
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

const CATALOG_SPEC: CommandSpec = {
  name: 'catalog',
  options: {
    assembly: { kind: 'list', placeholder: 'DIR' },
    out: { kind: 'string', placeholder: 'FILE' },
  },
};

/** The process entry point used by `bin/customer-value`: runs the CLI and sets `process.exitCode`. */
export async function main(argv: string[]): Promise<void> {
  // The SDK warns on every run under Node 20 about a future Node 22 requirement: keep stderr to one line per problem.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `customer-value services | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  process.exitCode = await run(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
  });
}

/** Runs the CLI; returns the exit code (0 success, 1 runtime error, 2 usage error). Never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const command = argv[0];
  try {
    if (command === undefined) {
      io.stderr(GENERAL_HELP);
      return EXIT_USAGE;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      const topic = argv[1];
      io.stdout(topic === 'services' ? SERVICES_HELP : topic === 'cost' ? COST_HELP : topic === 'catalog' ? CATALOG_HELP : GENERAL_HELP);
      return EXIT_OK;
    }
    if (command === '--version' || command === '-V') {
      io.stdout(`${version()}\n`);
      return EXIT_OK;
    }
    const rest = argv.slice(1);
    switch (command) {
      case 'services':
        return await services(rest, io);
      case 'cost':
        return await cost(rest, io);
      case 'catalog':
        return await catalogCommand(rest, io);
      default:
        throw new UsageError(command.startsWith('-')
          ? `unknown option ${command}: give a command first (services, cost, catalog)`
          : `unknown command ${JSON.stringify(command)}: commands are services, cost, catalog`);
    }
  } catch (e) {
    return reportError(e, io, command && ['services', 'cost', 'catalog'].includes(command) ? command : undefined);
  }
}

function reportError(e: unknown, io: CliIo, command: string | undefined): number {
  const debug = io.env.CUSTOMER_VALUE_DEBUG === '1' || io.env.CUSTOMER_VALUE_DEBUG === 'true';
  let code: number;
  if (e instanceof UsageError) {
    const cmd = e.command ?? command;
    io.stderr(`${PROGRAM}${cmd ? ` ${cmd}` : ''}: ${oneLine(e.message)} (see "${PROGRAM}${cmd ? ` ${cmd}` : ''} --help")\n`);
    code = EXIT_USAGE;
  } else if (e instanceof CliError) {
    io.stderr(`${PROGRAM}: ${oneLine(e.message)}\n`);
    code = EXIT_RUNTIME;
  } else {
    const message = e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e);
    io.stderr(`${PROGRAM}: unexpected error: ${oneLine(firstLine(message))}${debug ? '' : ' (set CUSTOMER_VALUE_DEBUG=1 for the stack trace)'}\n`);
    code = EXIT_RUNTIME;
  }
  if (debug && e instanceof Error && e.stack) {
    io.stderr(`${e.stack}\n`);
  }
  return code;
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function helpOr(args: ParsedArgs, text: string, io: CliIo): boolean {
  if (args.help) {
    io.stdout(text);
    return true;
  }
  return false;
}

async function services(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(SERVICES_SPEC, argv);
  if (helpOr(args, SERVICES_HELP, io)) return EXIT_OK;
  const set = readAssemblies(assemblyPaths(args), io.cwd);
  if (set.services.length === 0) {
    io.stderr(`${PROGRAM}: no customer services declared in ${set.assemblies.map((a) => relativePath(a, io.cwd)).join(', ')}\n`);
  }
  emit(servicesReport(set, io.cwd), args.strings.get('output') ?? 'table', args.strings.get('out'), io);
  return EXIT_OK;
}

async function catalogCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(CATALOG_SPEC, argv);
  if (helpOr(args, CATALOG_HELP, io)) return EXIT_OK;
  const set = readAssemblies(assemblyPaths(args), io.cwd);
  if (set.services.length === 0) {
    throw new CliError(`no customer services declared in ${set.assemblies.map((a) => relativePath(a, io.cwd)).join(', ')}: nothing to catalog`);
  }
  // the catalog (and the YAML library) is loaded only for this command
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { catalog } = require('./catalog') as typeof import('./catalog');
  const result = catalog(set, io.cwd);
  for (const w of result.warnings) {
    io.stderr(`${PROGRAM}: warning: ${w}\n`);
  }
  const out = args.strings.get('out');
  if (out && out !== '-') {
    writeFile(out, result.yaml, io);
    io.stderr(`${PROGRAM}: wrote ${result.entities} entities to ${out}\n`);
  } else {
    io.stdout(result.yaml);
  }
  return EXIT_OK;
}

async function cost(argv: string[], io: CliIo): Promise<number> {
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

function assemblyPaths(args: ParsedArgs): string[] {
  return args.lists.get('assembly') ?? ['cdk.out'];
}

function emit(report: Report, output: string, out: string | undefined, io: CliIo): void {
  let text: string;
  switch (output) {
    case 'json': text = renderJson(report); break;
    case 'csv': text = renderCsv(report); break;
    case 'markdown': text = renderMarkdown(report); break;
    case 'html': text = renderHtml(report); break;
    default: text = renderText(report);
  }
  if (out && out !== '-') {
    writeFile(out, text, io);
    io.stderr(`${PROGRAM}: wrote ${out}\n`);
  } else {
    io.stdout(text);
  }
}

function writeFile(file: string, content: string, io: CliIo): void {
  try {
    fs.writeFileSync(path.resolve(io.cwd, file), content, 'utf8');
  } catch (e) {
    throw new CliError(`cannot write ${file}: ${firstLine((e as Error).message)}`);
  }
}
