import * as path from 'path';
import {
  ASSEMBLY_OPTION, assemblyPaths, AWS_OPTIONS, CURRENCY_OPTION, DATA_PATHS, FILE_SOURCES, LIMIT_OPTIONS, METRIC_OPTION, metricAndCurrency, OUT_OPTION,
  positiveNumber, QUIET_OPTION, REGISTRY_OPTION, registryOf, SOURCE_OPTIONS, sourceFromArgs, sourceKindOf, TAG_KEY_OPTION, timeoutOption,
  warnOnce,
} from './common';
import { packCoverage } from './coverage';
import { attributeReview, attributionPlanOf } from '../../cost-data/attribution/attribute';
import { Coverage } from '../../cost-data/attribution/coverage';
import { withCoverage } from '../../cost-data/attribution/coverage-report';
import { unitCoverage, UnitCoverage } from '../../cost-data/attribution/coverage-units';
import { DeclaredService, tagKeysOf } from '../../cost-data/declarations/cloud-assembly';
import { localAssemblies, readDeclarations, withNotes } from '../../cost-data/declarations/declaration-sources';
import { render } from '../../cost-data/format/render';
import { makeFolder, writeFile } from '../../cost-data/output-file';
import { refuseOutputOverInput, relativePath } from '../../cost-data/paths';
import { CostQuery } from '../../cost-data/query';
import { provisionalNote } from '../../cost-data/review/provisional';
import { MonthlyUsage } from '../../cost-data/review/review';
import { consumptionDeclared, reviewAllocation, reviewValueChain } from '../../cost-data/review/review-allocation';
import { DEFAULT_THRESHOLDS, THRESHOLD_NAMES } from '../../cost-data/review/review-flags';
import { monthsBetween, packFileName, reviewPacks, reviewQuery, trendMonths } from '../../cost-data/review/review-run';
import { checkUsageServices, readMonthlyUsage, readUsageFile } from '../../cost-data/review/review-usage';
import { GLOB_CHARS } from '../../cost-data/sources/data-files';
import { CallLimits, DEFAULT_MAX_PAGES, StoppedError } from '../../cost-data/sources/limits';
import { usageRequests, CloudWatchUsageReader } from '../../cost-data/sources/unit-usage';
import { isIsoDate } from '../../private/iso-date';
import { CommandSpec, ParsedArgs } from '../command-spec';
import { EXIT_OK, UsageError } from '../errors';
import { CliIo, oneLine, PROGRAM } from '../io';
import { contextTagKeys, parseTagKeyFlags, readingTagKeys } from '../tag-mapping';
import { parseThresholds } from '../thresholds';

const NAME = 'review';
const OUTPUTS = ['markdown', 'html', 'json'];
/** Where `--output html` is written without `--out` or `--out-dir`. */
const HTML_FILE = 'customer-value-review.html';
const MONTHS_OR_PERIOD = '--months and --from/--to both set the trend: give --months N (ending with the last full month), or --from and --to';
/** The unit of each threshold in the help. */
const THRESHOLD_UNITS: Record<string, string> = { 'cost-up': ' (%)', 'unit-cost-up': ' (%)', 'min-cost': ' (currency units)' };
const EXTENSIONS: Record<string, string> = { markdown: 'md', html: 'html', json: 'json' };
/** Longest trend: Cost Explorer keeps 13 months (38 with the extended history), a CUR export as many as it holds. */
const MAX_MONTHS = 36;

/** `customer-value review`: the business units' value-review packs. */
export const REVIEW_SPEC: CommandSpec = {
  name: NAME,
  summary: 'the business units\' value-review packs: services by review urgency, monthly cost trend, unit cost, budget vs actual, '
    + 'data quality and flags',
  description: 'The value-review pack of each business unit, from the declarations and the bill: its services ordered by review urgency '
    + '(overdue first, then due soon), each with its need, customer, team, last review (date, reviewer, outcome, note) and next review; '
    + 'cost per month over the trend and its changes (last month against the month before and against the first month); unit cost per '
    + 'month where usage is known; budget against actual per month; the unit\'s tagged share, service tag values nobody declared and '
    + 'spend with the unit\'s business-unit tag but no service tag; and flags from documented rules.\n\n'
    + 'Each source reads the whole trend in one go: Cost Explorer one request per page with MONTHLY granularity, CUR and FOCUS files and '
    + 'Athena one query grouped by month.',
  positionals: DATA_PATHS,
  options: {
    ...SOURCE_OPTIONS,
    'months': {
      type: 'string',
      placeholder: 'N',
      description: `months in the trend, ending with the last full month (UTC), at most ${MAX_MONTHS}.`,
      default: '6',
      section: 'Trend and business units',
      conflicts: { from: MONTHS_OR_PERIOD, to: MONTHS_OR_PERIOD },
    },
    'from': {
      type: 'string',
      placeholder: 'YYYY-MM-01',
      description: 'first month (inclusive), instead of --months.',
      section: 'Trend and business units',
    },
    'to': {
      type: 'string',
      placeholder: 'YYYY-MM-01',
      description: 'first month after the trend (exclusive), with --from.',
      section: 'Trend and business units',
    },
    'business-unit': {
      type: 'string',
      repeatable: true,
      placeholder: 'NAME',
      description: 'a business unit to review.',
      default: 'every unit of the declarations or the bill',
      section: 'Trend and business units',
    },
    'metric': { ...METRIC_OPTION, section: 'Trend and business units' },
    'currency': { ...CURRENCY_OPTION, section: 'Trend and business units' },
    'tag-key': { ...TAG_KEY_OPTION, section: 'Trend and business units' },
    'allocate': {
      type: 'boolean',
      negatable: true,
      description: 'add each service\'s fully-loaded cost per month: the value chain\'s shared cost passed on month by month, by each '
        + 'provider\'s declared allocation (as "cost --allocate"; proportional shares follow the consumers\' direct cost of the month); '
        + 'what a provider cannot pass on is listed in the notes. Unit cost, budget and flags stay on direct cost.',
      default: 'on when a declared service consumes another',
      section: 'Trend and business units',
    },
    'assembly': { ...ASSEMBLY_OPTION, section: 'Declarations and usage' },
    'registry': { ...REGISTRY_OPTION, section: 'Declarations and usage' },
    'usage': {
      type: 'boolean',
      negatable: true,
      description: 'read each month\'s usage from CloudWatch (CustomerValue/UnitUsage per service, one GetMetricData request per month).',
      default: 'on for ce and athena, off for cur and focus',
      section: 'Declarations and usage',
    },
    'usage-file': {
      type: 'string',
      placeholder: 'FILE',
      description: 'usage per month from a CSV file: header "service,month,units", months YYYY-MM.',
      section: 'Declarations and usage',
      conflicts: {
        'usage': '--usage (CloudWatch) and --usage-file both give usage: choose one',
        'no-usage': '--usage-file and --no-usage contradict each other: --usage-file reads usage from a file, --no-usage reads none; '
          + 'give one of them',
      },
    },
    'threshold': {
      type: 'string',
      repeatable: true,
      placeholder: 'NAME=VALUE',
      description: 'a threshold of the flags, each raised by a documented rule (the pack\'s notes list them with the thresholds used): '
        + `${Object.entries(THRESHOLD_NAMES).map(([name, field]) => `${name}=${DEFAULT_THRESHOLDS[field]}${THRESHOLD_UNITS[name] ?? ''}`).join(', ')}.`,
      section: 'Flags',
    },
    ...AWS_OPTIONS,
    ...LIMIT_OPTIONS,
    'output': {
      type: 'string',
      values: OUTPUTS,
      placeholder: 'FORMAT',
      short: 'o',
      description: 'the format of the pack; html is one self-contained, printable file with a small trend chart per service: without --out '
        + `or --out-dir it is written to ${HTML_FILE}.`,
      default: 'markdown',
      section: 'Output',
    },
    'out': { ...OUT_OPTION, description: `${OUT_OPTION.description} One pack holding every business unit.`, section: 'Output' },
    'out-dir': {
      type: 'string',
      placeholder: 'DIR',
      description: 'one file per business unit, named value-review-<unit>.md|html|json (created if missing).',
      section: 'Output',
      conflicts: {
        out: '--out and --out-dir both say where to write: --out FILE writes one pack of every business unit, --out-dir DIR one file per '
          + 'business unit',
      },
    },
    'quiet': { ...QUIET_OPTION, section: 'Output' },
  },
  run: (args, io) => reviewCommand(args, io),
};

/** The months of the review: `--months N` ending with the last full month, or `--from`/`--to` on month boundaries. */
export function reviewMonths(from: string | undefined, to: string | undefined, months: string | undefined, today: Date): string[] {
  if (months !== undefined && (from !== undefined || to !== undefined)) {
    throw new UsageError(MONTHS_OR_PERIOD, NAME);
  }
  if (from === undefined && to === undefined) {
    const n = positiveNumber(months, 'months', true, NAME) ?? Number(REVIEW_SPEC.options.months.default);
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

/** Runs `customer-value review` once its command line is parsed. */
async function reviewCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const s = (k: string) => args.strings.get(k);
  const kind = sourceKindOf(args, NAME);
  const { metric, currency } = metricAndCurrency(args, kind, NAME);
  const files = FILE_SOURCES.includes(kind);
  const flagKeys = parseTagKeyFlags(args.lists.get('tag-key') ?? [], NAME);
  const now = io.now();
  const months = reviewMonths(s('from'), s('to'), s('months'), now);
  const thresholds = parseThresholds(args.lists.get('threshold') ?? [], NAME);
  const output = s('output') ?? REVIEW_SPEC.options.output.default!;
  const quiet = args.booleans.get('quiet') === true;
  const progress = quiet ? () => undefined : (m: string) => io.stderr(`${PROGRAM}: ${oneLine(m)}\n`);
  const maxPages = positiveNumber(s('max-pages'), 'max-pages', true, NAME) ?? DEFAULT_MAX_PAGES;
  const timeoutSeconds = timeoutOption(s('timeout'), NAME);

  const registry = registryOf(args, NAME);
  const limits = new CallLimits({ maxPages, timeoutSeconds, interrupt: io.interrupt });
  try {
    // The review is about declared services: the assemblies (default ./cdk.out) or the registry are required.
    const set = await readDeclarations({
      assemblies: assemblyPaths(args), registry, cwd: io.cwd, limits, profile: s('profile'), region: s('region'), progress, now,
    });
    warnOnce(set.warnings, io);
    const paths = args.positionals.map((p) => path.resolve(io.cwd, p));
    const inputs = [
      ...paths.filter((p) => !GLOB_CHARS.test(p)).map((p) => ({ path: p, what: 'the cost data' })),
      ...localAssemblies(set).map((a) => ({ path: a, what: 'the cloud assembly' })),
      ...(s('usage-file') ? [{ path: path.resolve(io.cwd, s('usage-file')!), what: 'the usage file' }] : []),
    ];
    const out = s('out') ?? (output === 'html' && s('out-dir') === undefined ? HTML_FILE : undefined);
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
    // the attribution rules, matched by the source and applied month by month before the value chain, as `cost` does
    const { plan, warnings: ruleWarnings } = attributionPlanOf(set);
    warnOnce(ruleWarnings, io);
    const query: CostQuery = { ...reviewQuery(months, tagKeys, metric, files), currency, ...(plan ? { attribution: plan } : {}) };
    const source = sourceFromArgs(args, kind, paths, limits);
    const read = await source.fetch(query, progress);
    const fetched = attributeReview(query, read, set, read.source).result;
    // a review made in the first two weeks after its last month: AWS may still update that month (as the packs say)
    const provisional = provisionalNote(months[months.length - 1], now, 'review again then for final figures');
    const result = {
      ...fetched,
      notes: provisional ? [...fetched.notes, provisional] : fetched.notes,
    };
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
    const allocation = chain ? reviewAllocation(result.rows, set.services, months, chain, '--no-allocate for direct cost only') : undefined;
    warnOnce(allocation?.warnings ?? [], io);

    const packs = reviewPacks({
      result,
      services: set.services,
      months,
      today: now.toISOString().slice(0, 10),
      businessUnits: [...new Set(args.lists.get('business-unit') ?? [])],
      thresholds,
      thresholdsHow: 'thresholds with --threshold NAME=VALUE',
      usage,
      usageSkipped,
      usageNotes,
      fullyLoaded: allocation?.fullyLoaded,
      allocationNotes: allocation?.notes,
      byDay: query.granularity === 'day',
      declarations: set.assemblies.map((a) => relativePath(a, io.cwd)).join(', '),
    });
    warnOnce(packs.result.warnings, io);
    // the coverage section (docs/attribution.md section 9), one renderer with customer-value coverage
    const coverage = await packCoverage({ kind, args, paths, limits, set, from: query.from, to: query.to, tagKeys, metric, currency });
    // the one pack of every unit: the period's coverage; of one unit (--business-unit X): that unit's
    const combinedCoverage = packs.perUnit.length === 1 && (args.lists.get('business-unit') ?? []).length > 0
      ? unitPart(coverage, packs.perUnit[0].businessUnit, set.services) : coverage;
    const dir = s('out-dir');
    if (dir) {
      makeFolder(dir, '--out-dir', io.cwd);
      const taken = new Set<string>();
      for (const p of packs.perUnit) {
        const file = path.join(dir, packFileName(p.businessUnit, EXTENSIONS[output], taken));
        // a unit's pack: the unattributed spend it likely owns, and one line for the rest
        writeFile(file, render(withNotes(withCoverage(p.report, unitPart(coverage, p.businessUnit, set.services)), set.notes), output), io.cwd);
        io.stderr(`${PROGRAM}: wrote ${file} (${p.businessUnit})\n`);
      }
    } else if (out && out !== '-') {
      writeFile(out, render(withNotes(withCoverage(packs.combined, combinedCoverage), set.notes), output), io.cwd);
      io.stderr(`${PROGRAM}: wrote ${out}\n`);
    } else {
      io.stdout(render(withNotes(withCoverage(packs.combined, combinedCoverage), set.notes), output));
    }
    return EXIT_OK;
  } catch (e) {
    throw limits.stoppedBy && !(e instanceof StoppedError) ? limits.stoppedBy : e;
  } finally {
    limits.dispose();
  }
}

/** A business unit's part of the pack's coverage (the line saying why there is none stays as it is). */
function unitPart(c: Coverage | string, unit: string, services: readonly DeclaredService[]): UnitCoverage | string {
  return typeof c === 'string' ? c : unitCoverage(c, unit, services);
}
