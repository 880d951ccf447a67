import { FOCUS_DEFAULT_METRIC, isFocusMetric, ReportMetric } from '../../cost-data/metrics';
import { CostSource } from '../../cost-data/query';
import { CostMetric } from '../../cost-data/query-terms';
import { createSource, SourceKind } from '../../cost-data/sources/factory';
import { CallLimits, DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS } from '../../cost-data/sources/limits';
import { OptionSpec, ParsedArgs } from '../args';
import { UsageError } from '../errors';
import { CliIo, oneLine, PROGRAM } from '../io';

/** The text formats every report command writes. */
export const OUTPUTS = ['table', 'json', 'csv', 'markdown'];

/** Prints the help text when `--help` was given; returns whether it was. */
export function helpOr(args: ParsedArgs, text: string, io: CliIo): boolean {
  if (args.help) {
    io.stdout(text);
    return true;
  }
  return false;
}

/** The `--assembly` values, or `cdk.out`. */
export function assemblyPaths(args: ParsedArgs): string[] {
  return args.lists.get('assembly') ?? ['cdk.out'];
}

/** The options of a command that reads cost: the source, AWS access, Athena, and the call limits. */
export const SOURCE_OPTIONS: Record<string, OptionSpec> = {
  'source': { kind: 'string', values: ['ce', 'cur', 'focus', 'athena'] },
  'profile': { kind: 'string', placeholder: 'NAME' },
  'region': { kind: 'string', placeholder: 'NAME' },
  'athena-database': { kind: 'string', placeholder: 'NAME' },
  'athena-table': { kind: 'string', placeholder: 'NAME' },
  'athena-workgroup': { kind: 'string', placeholder: 'NAME' },
  'athena-output': { kind: 'string', placeholder: 's3://bucket/prefix/' },
  'max-pages': { kind: 'string', placeholder: 'N' },
  'timeout': { kind: 'string', placeholder: 'SECONDS' },
};

/** The sources that read files given as arguments. */
export const FILE_SOURCES: SourceKind[] = ['cur', 'focus'];

/**
 * The `--source` of a command that reads cost (`cost`, `review`), checked against its arguments: the file sources
 * need paths and the others take none; the Athena options only apply to Athena.
 */
export function sourceKindOf(args: ParsedArgs, command: string): SourceKind {
  const kind = (args.strings.get('source') ?? 'ce') as SourceKind;
  if (FILE_SOURCES.includes(kind) && args.positionals.length === 0) {
    const what = kind === 'cur' ? 'CUR 2.0' : 'FOCUS';
    throw new UsageError(`--source ${kind} needs the ${what} data: a Parquet or CSV(.gz) file, an export folder or a glob, `
      + `e.g. --source ${kind} ./${kind}-export/`, command);
  }
  if (!FILE_SOURCES.includes(kind) && args.positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}: only --source cur and --source focus take paths`, command);
  }
  const athenaFlags = ['athena-database', 'athena-table', 'athena-workgroup', 'athena-output'].filter((k) => args.strings.has(k));
  if (kind !== 'athena' && athenaFlags.length > 0) {
    throw new UsageError(`--${athenaFlags[0]} only applies to --source athena`, command);
  }
  return kind;
}

/** The source a command's options name (`--profile`, `--region`, the Athena options), with its call limits. */
export function sourceFromArgs(args: ParsedArgs, kind: SourceKind, paths: string[], limits: CallLimits): CostSource {
  const s = (k: string) => args.strings.get(k);
  return createSource({
    kind,
    paths,
    limits,
    profile: s('profile'),
    region: s('region'),
    athenaDatabase: s('athena-database'),
    athenaTable: s('athena-table'),
    athenaWorkgroup: s('athena-workgroup'),
    athenaOutput: s('athena-output'),
  });
}

/** Whether a source can hold FOCUS data (several providers, several currencies, FOCUS cost columns). */
export function focusCapable(kind: SourceKind): boolean {
  return kind === 'focus' || kind === 'athena';
}

/**
 * `--metric` and `--currency` of a command that reads cost (`cost`, `review`), checked against the source: a FOCUS cost
 * column and `--currency` need FOCUS data (the AWS-only sources hold one currency); `--currency` is an ISO 4217
 * code. The metric defaults to FOCUS BilledCost for `--source focus`, to unblended cost otherwise.
 */
export function metricAndCurrency(args: ParsedArgs, kind: SourceKind, command: string): { metric: ReportMetric; currency?: string } {
  const currency = args.strings.get('currency');
  const metric = args.strings.get('metric');
  if (currency !== undefined && !focusCapable(kind)) {
    throw new UsageError('--currency only applies to FOCUS data (--source focus, or a FOCUS table with --source athena)', command);
  }
  if (metric !== undefined && isFocusMetric(metric as ReportMetric) && !focusCapable(kind)) {
    throw new UsageError(`--metric ${metric} is a FOCUS cost column: --source ${kind} accepts ${Object.values(CostMetric).join(', ')}`, command);
  }
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
    throw new UsageError(`--currency is ${JSON.stringify(currency)}: expected an ISO 4217 code in capitals, e.g. USD or EUR`, command);
  }
  return { metric: (metric ?? (kind === 'focus' ? FOCUS_DEFAULT_METRIC : CostMetric.UNBLENDED)) as ReportMetric, currency };
}

/** Prints warnings on stderr, each once (also under --quiet: they are not progress). */
export function warnOnce(warnings: readonly string[], io: CliIo): void {
  for (const w of new Set(warnings)) {
    io.stderr(`${PROGRAM}: warning: ${oneLine(w)}\n`);
  }
}

/**
 * A `--max-pages` / `--timeout` value: a positive number (an integer where `integer`), at most `max` when given
 * (`max.what` says why, e.g. the longest timer Node.js can set).
 */
export function positiveNumber(value: string | undefined, flag: string, integer: boolean, command = 'cost',
  max?: { readonly value: number; readonly what: string }): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} is ${JSON.stringify(value)}: expected a ${integer ? 'whole ' : ''}number greater than 0`
      + `${max ? ` and at most ${max.value} (${max.what})` : ''}`, command);
  }
  if (max && n > max.value) {
    throw new UsageError(`--${flag} is ${JSON.stringify(value)}: at most ${max.value} (${max.what})`, command);
  }
  return n;
}

/** The `--timeout` of a command, in seconds: at most `MAX_TIMEOUT_SECONDS`. */
export function timeoutOption(value: string | undefined, command: string): number {
  return positiveNumber(value, 'timeout', false, command, { value: MAX_TIMEOUT_SECONDS, what: 'seconds, 24.8 days: the longest timer Node.js can set' })
    ?? DEFAULT_TIMEOUT_SECONDS;
}
