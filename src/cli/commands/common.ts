import { parseRegistryUrl, RegistryUrl } from '../../cost-data/declarations/declaration-sources';
import { REPORT_FORMATS } from '../../cost-data/format/render';
import { FOCUS_DEFAULT_METRIC, isFocusMetric, REPORT_METRICS, ReportMetric } from '../../cost-data/metrics';
import { CostSource } from '../../cost-data/query';
import { CostMetric } from '../../cost-data/query-terms';
import { DUCKDB_INSTALL } from '../../cost-data/sources/duckdb-version';
import { createSource, SourceKind } from '../../cost-data/sources/factory';
import { CallLimits, DEFAULT_MAX_PAGES, DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS } from '../../cost-data/sources/limits';
import { OptionSpec, ParsedArgs } from '../command-spec';
import { UsageError } from '../errors';
import { CliIo, oneLine, PROGRAM } from '../io';

/** The formats of the reports of `services` and `cost` (`cost` adds html). */
export const OUTPUTS = REPORT_FORMATS.filter((f) => f !== 'html');

/** The `--assembly` values, or `cdk.out` (none when `--registry` alone names the declarations). */
export function assemblyPaths(args: ParsedArgs): string[] {
  return args.lists.get('assembly') ?? (args.strings.has('registry') ? [] : ['cdk.out']);
}

/** `--registry s3://bucket[/prefix]`: the organization's declaration registry, read alone or with `--assembly` (issue 24). */
export const REGISTRY_OPTION: OptionSpec = {
  type: 'string',
  placeholder: 's3://BUCKET/PREFIX/',
  description: 'the organization\'s declaration registry (DeclarationRegistry): the services every deployed stack registered, alone or '
    + 'combined with --assembly (the same service from both is one; where they differ, the assembly\'s is used and the difference '
    + 'reported); without --assembly, ./cdk.out is not read. Stale entries (no heartbeat for 3 days: stack gone; account no longer '
    + 'active in the organization) are left out and reported. Needs s3:ListBucket and s3:GetObject on the prefix '
    + '(DeclarationRegistry.grantRead); organizations:ListAccounts where allowed.',
};

/** The `--registry` of a command, checked; undefined when not given. */
export function registryOf(args: ParsedArgs, command: string): RegistryUrl | undefined {
  const value = args.strings.get('registry');
  const url = value === undefined ? undefined : parseRegistryUrl(value);
  if (typeof url === 'string') {
    throw new UsageError(`--registry: ${url}`, command);
  }
  return url;
}

/** `-a, --assembly DIR`, as every command reads declarations. */
export const ASSEMBLY_OPTION: OptionSpec = {
  type: 'string',
  repeatable: true,
  placeholder: 'DIR',
  short: 'a',
  description: 'a cloud assembly (cdk.out, or its manifest.json), or a directory of cloud assemblies (e.g. cdk.out/<app>/ per app, '
    + 'at most 200). Nested assemblies (CDK Pipelines stages) are included.',
  default: 'cdk.out',
};

/** `--out FILE`: a report written to a file. */
export const OUT_OPTION: OptionSpec = {
  type: 'string',
  placeholder: 'FILE',
  description: 'write to FILE instead of stdout: atomically (a temporary file in the same folder, then a rename), never over an input '
    + '(a CUR or FOCUS file or folder, a file of a cloud assembly); "-" is stdout.',
};

/**
 * `-o, --output FORMAT` of a report that also has an HTML form: `html` is one self-contained file, written to
 * `htmlFile` unless `--out` says otherwise. `chart` says what the HTML draws.
 */
export function htmlReportOutputOption(chart: string, htmlFile: string): OptionSpec {
  return {
    type: 'string',
    values: [...OUTPUTS, 'html'],
    placeholder: 'FORMAT',
    short: 'o',
    description: `the format of the report; html is one self-contained file with ${chart}: without --out it is written to `
      + `${htmlFile} ("--out -" prints it).`,
    default: 'table',
    section: 'Output',
  };
}

/** `-q, --quiet`. */
export const QUIET_OPTION: OptionSpec = {
  type: 'boolean',
  short: 'q',
  description: 'no progress lines on stderr (warnings still print; the report\'s notes always say how many requests were made and what '
    + 'they cost).',
};

/** The `--athena-*` options: only with `--source athena`. */
function athenaOption(name: string, placeholder: string, description: string, defaultValue?: string): OptionSpec {
  return {
    type: 'string',
    placeholder,
    description,
    default: defaultValue,
    section: 'Source',
    requires: { option: 'source', value: 'athena', message: `--${name} only applies to --source athena` },
  };
}

/** The options of a command that reads cost (`cost`, `review`): where the cost is read. */
export const SOURCE_OPTIONS: Record<string, OptionSpec> = {
  'source': {
    type: 'string',
    values: ['ce', 'cur', 'focus', 'athena'],
    placeholder: 'KIND',
    description: 'where the cost is read (the CUR and FOCUS files, export folders or globs follow the options).',
    valueHelp: {
      'ce': 'Cost Explorer GetCostAndUsage; one request per page, 0.01 USD each',
      'cur PATH...': 'CUR 2.0 data export files read locally with DuckDB: a Parquet or CSV(.gz) file, an export folder (with '
        + `BILLING_PERIOD= partitions) or a glob; needs "${DUCKDB_INSTALL}". Links are followed; where the export's manifest exists, only `
        + 'the files it lists are read (others: a warning); line items found twice are refused',
      'focus PATH...': 'FOCUS 1.0 to 1.3 Cost and Usage data of any provider (AWS, Azure, Google Cloud, OCI...) read locally with '
        + 'DuckDB: Parquet or CSV(.gz) files, export folders or globs; the version is read from the columns (one version at a time); Tags '
        + 'a map (Parquet) or a JSON object (CSV), with 1.3\'s AllocatedTags; empty and NULL cells are null; timestamps ISO 8601. Billing '
        + 'periods after --to are read too: they hold the corrections of earlier charge periods',
      'athena': 'Athena over a table of the CostAndUsageExport construct: CUR 2.0 or FOCUS 1.2, detected from the table\'s columns; '
        + 'the region is --region or the SDK\'s; the defaults below are the construct\'s',
    },
    default: 'ce',
    section: 'Source',
  },
  'athena-database': athenaOption('athena-database', 'NAME', 'Glue database of the export\'s table.', 'customer_value'),
  'athena-table': athenaOption('athena-table', 'NAME', 'Glue table over the export (the FOCUS table: focus).', 'cur2'),
  'athena-workgroup': athenaOption('athena-workgroup', 'NAME', 'Athena workgroup.', 'customer-value'),
  'athena-output': athenaOption('athena-output', 's3://bucket/prefix/', 'query result location, unless the workgroup enforces one.'),
};

/** `--profile`, `--region`: AWS access of a command that reads cost. */
export const AWS_OPTIONS: Record<string, OptionSpec> = {
  profile: {
    type: 'string',
    placeholder: 'NAME',
    description: 'named profile, like the AWS CLI.',
    default: 'the SDK\'s credential chain',
    section: 'AWS',
  },
  region: {
    type: 'string',
    placeholder: 'NAME',
    description: 'region of the Athena workgroup, and of CloudWatch usage for stacks synthesized without a region (Cost Explorer is always '
      + 'us-east-1).',
    section: 'AWS',
  },
};

/** `--max-pages`, `--timeout`: a misbehaving endpoint is stopped with one line, never retried for ever. */
export const LIMIT_OPTIONS: Record<string, OptionSpec> = {
  'max-pages': {
    type: 'string',
    placeholder: 'N',
    description: 'most pages read from one paginated call (GetCostAndUsage, Athena GetQueryResults, CloudWatch GetMetricData; '
      + `${DEFAULT_MAX_PAGES} is at most ${(DEFAULT_MAX_PAGES * 0.01).toFixed(2)} USD of Cost Explorer requests); a page token that repeats `
      + 'stops the call at once.',
    default: String(DEFAULT_MAX_PAGES),
    section: 'Limits',
  },
  'timeout': {
    type: 'string',
    placeholder: 'SECONDS',
    description: `total time allowed, at most ${MAX_TIMEOUT_SECONDS}; each request also has a 10 s connection timeout, 20 s per attempt `
      + 'and 60 s with its retries (at most 5 attempts, each retry announced).',
    default: String(DEFAULT_TIMEOUT_SECONDS),
    section: 'Limits',
  },
};

/** `--tag-key FIELD=KEY` of `cost` and `review`. */
export const TAG_KEY_OPTION: OptionSpec = {
  type: 'string',
  repeatable: true,
  placeholder: 'FIELD=KEY',
  description: 'read FIELD (service, need, customer, team, business-unit) from the data\'s tag KEY, when its keys are not the app\'s; '
    + 'every source. Set it once in cdk.json: "context": {"customer-value:costDataTagKeys": {"businessUnit": "business_unit"}}; a flag '
    + 'wins over cdk.json, cdk.json over the keys the assembly declares.',
};

/** `--metric` of `cost` and `review`. */
export const METRIC_OPTION: OptionSpec = {
  type: 'string',
  values: REPORT_METRICS,
  placeholder: 'METRIC',
  description: 'the cost column. CUR 2.0 and Cost Explorer: unblended (default), amortized or net-unblended; FOCUS: billed (BilledCost, '
    + 'default), effective (EffectiveCost, amortized), list (ListCost) or contracted (ContractedCost); unblended and amortized are read '
    + 'as billed and effective, and the report says so.',
};

/** `--currency` of `cost` and `review`. */
export const CURRENCY_OPTION: OptionSpec = {
  type: 'string',
  placeholder: 'CODE',
  description: 'FOCUS data in several billing currencies: report the charges billed in CODE, an ISO 4217 code (the others are left out, '
    + 'with a note); without it such data is refused, as amounts in different currencies are never added up.',
};

/** The arguments of a command that reads cost: the files of `--source cur` and `--source focus`. */
export const DATA_PATHS = { placeholder: 'PATH', description: 'the CUR 2.0 or FOCUS data of --source cur and --source focus: files, export folders or globs.' };

/** The sources that read files given as arguments. */
export const FILE_SOURCES: SourceKind[] = ['cur', 'focus'];

/**
 * The `--source` of a command that reads cost (`cost`, `review`), checked against its arguments: the file sources
 * need paths and the others take none (that the Athena options only apply to Athena, their declaration says).
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
