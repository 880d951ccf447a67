import * as path from 'path';
import { assemblyPaths, metricAndCurrency, SOURCE_OPTIONS, FILE_SOURCES, helpOr, sourceFromArgs, sourceKindOf, positiveNumber, timeoutOption, warnOnce } from './common';
import { tagKeysOf, readAssemblies } from '../../cost-data/declarations/cloud-assembly';
import { render } from '../../cost-data/format/render';
import { REPORT_METRICS } from '../../cost-data/metrics';
import { makeFolder, writeFile } from '../../cost-data/output-file';
import { refuseOutputOverInput, relativePath } from '../../cost-data/paths';
import { MonthlyUsage } from '../../cost-data/review/review';
import { consumptionDeclared, reviewAllocation, reviewValueChain } from '../../cost-data/review/review-allocation';
import { monthsBetween, packFileName, reviewPacks, reviewQuery, trendMonths } from '../../cost-data/review/review-run';
import { checkUsageServices, readMonthlyUsage, readUsageFile } from '../../cost-data/review/review-usage';
import { GLOB_CHARS } from '../../cost-data/sources/data-files';
import { CallLimits, DEFAULT_MAX_PAGES, StoppedError } from '../../cost-data/sources/limits';
import { usageRequests, CloudWatchUsageReader } from '../../cost-data/sources/unit-usage';
import { isIsoDate } from '../../private/iso-date';
import { CommandSpec, parseArgs } from '../args';
import { EXIT_OK, UsageError } from '../errors';
import { REVIEW_HELP } from '../help';
import { CliIo, oneLine, PROGRAM } from '../io';
import { contextTagKeys, parseTagKeyFlags, readingTagKeys } from '../tag-mapping';
import { parseThresholds } from '../thresholds';

const NAME = 'review';
const OUTPUTS = ['markdown', 'html', 'json'];
const EXTENSIONS: Record<string, string> = { markdown: 'md', html: 'html', json: 'json' };
/** Longest trend: Cost Explorer keeps 13 months (38 with the extended history), a CUR export as many as it holds. */
const MAX_MONTHS = 36;

export const REVIEW_SPEC: CommandSpec = {
  name: NAME,
  positionals: true,
  options: {
    'business-unit': { kind: 'list', placeholder: 'NAME' },
    'months': { kind: 'string', placeholder: 'N' },
    'from': { kind: 'string', placeholder: 'YYYY-MM-01' },
    'to': { kind: 'string', placeholder: 'YYYY-MM-01' },
    'metric': { kind: 'string', values: REPORT_METRICS },
    'currency': { kind: 'string', placeholder: 'CODE' },
    'assembly': { kind: 'list', placeholder: 'DIR', short: 'a' },
    'output': { kind: 'string', values: OUTPUTS, short: 'o' },
    'out': { kind: 'string', placeholder: 'FILE' },
    'out-dir': { kind: 'string', placeholder: 'DIR' },
    'allocate': { kind: 'boolean' },
    'tag-key': { kind: 'list', placeholder: 'FIELD=KEY' },
    'usage': { kind: 'boolean' },
    'usage-file': { kind: 'string', placeholder: 'FILE' },
    'threshold': { kind: 'list', placeholder: 'NAME=VALUE' },
    ...SOURCE_OPTIONS,
    'quiet': { kind: 'boolean', short: 'q' },
  },
};

/** The months of the review: `--months N` ending with the last full month, or `--from`/`--to` on month boundaries. */
export function reviewMonths(from: string | undefined, to: string | undefined, months: string | undefined, today: Date): string[] {
  if (months !== undefined && (from !== undefined || to !== undefined)) {
    throw new UsageError('--months and --from/--to both set the trend: give --months N (ending with the last full month), or --from and --to', NAME);
  }
  if (from === undefined && to === undefined) {
    const n = positiveNumber(months, 'months', true, NAME) ?? 6;
    if (n > MAX_MONTHS) {
      throw new UsageError(`--months is ${n}: at most ${MAX_MONTHS}`, NAME);
    }
    return trendMonths(today, n);
  }
  if (from === undefined || to === undefined) {
    throw new UsageError(`--${from === undefined ? 'to' : 'from'} is given without --${from === undefined ? 'from' : 'to'}: give both (--to is exclusive)`, NAME);
  }
  for (const [flag, value] of [['from', from], ['to', to]] as const) {
    if (!isIsoDate(value) || !value.endsWith('-01')) {
      throw new UsageError(`--${flag} is ${JSON.stringify(value)}: a review covers whole months, so give the first day of a month, e.g. 2026-05-01`, NAME);
    }
  }
  if (from >= to) {
    throw new UsageError(`--from ${from} is not before --to ${to}: the trend starts at --from and ends before --to (exclusive)`, NAME);
  }
  const list = monthsBetween(from, to);
  if (list.length > MAX_MONTHS) {
    throw new UsageError(`--from ${from} --to ${to} is ${list.length} months: at most ${MAX_MONTHS}`, NAME);
  }
  return list;
}

/** `customer-value review`: the business units' value-review packs. */
export async function reviewCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(REVIEW_SPEC, argv);
  if (helpOr(args, REVIEW_HELP, io)) return EXIT_OK;
  const s = (k: string) => args.strings.get(k);
  const kind = sourceKindOf(args, NAME);
  const { metric, currency } = metricAndCurrency(args, kind, NAME);
  const files = FILE_SOURCES.includes(kind);
  const flagKeys = parseTagKeyFlags(args.lists.get('tag-key') ?? [], NAME);
  if (s('out') !== undefined && s('out-dir') !== undefined) {
    throw new UsageError('--out and --out-dir both say where to write: --out FILE writes one pack of every business unit, '
      + '--out-dir DIR one file per business unit', NAME);
  }
  if (s('usage-file') !== undefined && args.booleans.get('usage') === true) {
    throw new UsageError('--usage (CloudWatch) and --usage-file both give usage: choose one', NAME);
  }
  if (s('usage-file') !== undefined && args.booleans.get('usage') === false) {
    throw new UsageError('--usage-file and --no-usage contradict each other: --usage-file reads usage from a file, --no-usage reads none; '
      + 'give one of them', NAME);
  }
  const now = io.now();
  const months = reviewMonths(s('from'), s('to'), s('months'), now);
  const thresholds = parseThresholds(args.lists.get('threshold') ?? [], NAME);
  const output = s('output') ?? 'markdown';
  const quiet = args.booleans.get('quiet') === true;
  const progress = quiet ? () => undefined : (m: string) => io.stderr(`${PROGRAM}: ${oneLine(m)}\n`);
  const maxPages = positiveNumber(s('max-pages'), 'max-pages', true, NAME) ?? DEFAULT_MAX_PAGES;
  const timeoutSeconds = timeoutOption(s('timeout'), NAME);

  // The review is about declared services: the assemblies are required (default ./cdk.out).
  const set = readAssemblies(assemblyPaths(args), io.cwd);
  warnOnce(set.warnings, io);
  const paths = args.positionals.map((p) => path.resolve(io.cwd, p));
  const inputs = [
    ...paths.filter((p) => !GLOB_CHARS.test(p)).map((p) => ({ path: p, what: 'the cost data' })),
    ...set.assemblies.map((a) => ({ path: a, what: 'the cloud assembly' })),
    ...(s('usage-file') ? [{ path: path.resolve(io.cwd, s('usage-file')!), what: 'the usage file' }] : []),
  ];
  const out = s('out') ?? (output === 'html' && s('out-dir') === undefined ? 'customer-value-review.html' : undefined);
  if (out && out !== '-') {
    refuseOutputOverInput(out, io.cwd, inputs);
  }
  if (s('out-dir')) {
    refuseOutputOverInput(s('out-dir')!, io.cwd, inputs);
  }
  const usageFile = s('usage-file') ? readUsageFile(path.resolve(io.cwd, s('usage-file')!), s('usage-file')!) : undefined;
  if (usageFile) {
    checkUsageServices(usageFile, set.services.map((d) => d.record.serviceName));
  }

  const limits = new CallLimits({ maxPages, timeoutSeconds, interrupt: io.interrupt });
  try {
    const { keys: tagKeys, mapped } = readingTagKeys(tagKeysOf(set), contextTagKeys(io.cwd), flagKeys, NAME);
    if (mapped.length > 0) {
      progress(`reading the cost data's tag keys: ${mapped.join(', ')}`);
    }
    // the value chain (fully-loaded cost): on with --allocate, or by default when a service consumes another
    const allocateFlag = args.booleans.get('allocate');
    const chain = (allocateFlag ?? consumptionDeclared(set.services))
      ? reviewValueChain(set.services, io.cwd, allocateFlag === undefined ? 'or review direct cost only with --no-allocate' : undefined)
      : undefined;
    // the review's query with the metric and currency of this command (FOCUS data: a FOCUS cost column, one currency);
    // local files are read by day (free): the days without data inside a month are named too
    const query = { ...reviewQuery(months, tagKeys, metric, files), currency };
    const source = sourceFromArgs(args, kind, paths, limits);
    const result = await source.fetch(query, progress);
    warnOnce(result.warnings ?? [], io);
    if (out && out !== '-' && result.files) {
      refuseOutputOverInput(out, io.cwd, result.files.map((f) => ({ path: f, what: 'the cost data file' })));
    }

    let usage: Map<string, MonthlyUsage> | undefined = usageFile?.usage;
    let usageSkipped: string | undefined;
    const usageNotes: string[] = [];
    if (usageFile) {
      usageNotes.push(`usage per month from ${s('usage-file')}`);
    } else if (args.booleans.get('usage') ?? !files) {
      const requests = usageRequests(set);
      const reader = io.usageReader
        ? io.usageReader({ profile: s('profile'), region: s('region') })
        : new CloudWatchUsageReader({ profile: s('profile'), region: s('region'), limits });
      usage = requests.length > 0 ? await readMonthlyUsage(reader, requests, months, progress) : new Map();
      const count = (reader as { requests?: number }).requests;
      if (count) {
        usageNotes.push(`CloudWatch: ${count} GetMetricData request${count === 1 ? '' : 's'} (one per month) for ${requests.length} usage metric${requests.length === 1 ? '' : 's'}`);
      }
      usageSkipped = 'no usage published for the service (is its cost reporting on?)';
    } else {
      usageSkipped = args.booleans.has('usage') ? 'turned off with --no-usage' : `the source is ${kind === 'cur' ? 'CUR' : 'FOCUS'} files; add --usage-file or --usage`;
    }
    limits.check();
    const allocation = chain ? reviewAllocation(result.rows, set.services, months, chain) : undefined;
    warnOnce(allocation?.warnings ?? [], io);

    const packs = reviewPacks({
      result,
      services: set.services,
      months,
      today: now.toISOString().slice(0, 10),
      businessUnits: [...new Set(args.lists.get('business-unit') ?? [])],
      thresholds,
      usage,
      usageSkipped,
      usageNotes,
      fullyLoaded: allocation?.fullyLoaded,
      allocationNotes: allocation?.notes,
      byDay: query.granularity === 'day',
      declarations: set.assemblies.map((a) => relativePath(a, io.cwd)).join(', '),
    });
    warnOnce(packs.result.warnings, io);
    const dir = s('out-dir');
    if (dir) {
      makeFolder(dir, '--out-dir', io.cwd);
      const taken = new Set<string>();
      for (const p of packs.perUnit) {
        const file = path.join(dir, packFileName(p.businessUnit, EXTENSIONS[output], taken));
        writeFile(file, render(p.report, output), io.cwd);
        io.stderr(`${PROGRAM}: wrote ${file} (${p.businessUnit})\n`);
      }
    } else if (out && out !== '-') {
      writeFile(out, render(packs.combined, output), io.cwd);
      io.stderr(`${PROGRAM}: wrote ${out}\n`);
    } else {
      io.stdout(render(packs.combined, output));
    }
    return EXIT_OK;
  } catch (e) {
    throw limits.stoppedBy && !(e instanceof StoppedError) ? limits.stoppedBy : e;
  } finally {
    limits.dispose();
  }
}
