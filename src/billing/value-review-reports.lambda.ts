/* eslint-disable import/no-extraneous-dependencies */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { attributeReview, attributionPlanOf } from '../cost-data/attribution/attribute';
import { ReadRuleSet } from '../cost-data/attribution/rules';
import { DeclaredService } from '../cost-data/declarations/cloud-assembly';
import { mergeRegistry, withNotes } from '../cost-data/declarations/registry-merge';
import { tagKeysOf } from '../cost-data/declarations/tag-keys-of';
import { render } from '../cost-data/format/render';
import { CostQuery, CostSource } from '../cost-data/query';
import { provisionalNote as reviewProvisionalNote } from '../cost-data/review/provisional';
import { consumptionDeclared, reviewAllocation, reviewValueChain } from '../cost-data/review/review-allocation';
import { ReviewThresholds } from '../cost-data/review/review-flags';
import { packFileName, reviewPacks, reviewQuery, trendMonths } from '../cost-data/review/review-run';
import { AthenaSource } from '../cost-data/sources/athena';
import { CallLimits, LimitAdvice, MAX_ATTEMPTS } from '../cost-data/sources/limits';
import { ChainReading } from '../cost-data/value-chain/declared-chain';
import { ShippedRuleSets } from '../declaration/attribution-record';
import { attributionRecordProblems, refusedAttributionRecord } from '../declaration/attribution-record-rules';
import { ShippedDeclarations } from '../declaration/record';
import { recordProblems, refusedRecord } from '../declaration/record-rules';
import { RegistryAddress } from '../registry/entry';
import { errorText, readRegistry, RegistryError } from '../registry/reader';
import { TagKeys } from '../tag-keys';

/**
 * The scheduled value review (`ValueReviewReports`): the same report code as `customer-value review --source athena`,
 * run monthly in the management account. It reads the declarations shipped with the construct (an S3 asset written
 * at synth), queries the CUR 2.0 table of `CostAndUsageExport` once (grouped by month), passes the cost of consumed
 * services on to their consumers when the declarations hold a value chain (fully-loaded cost, as the CLI), writes each business unit's
 * pack (HTML, markdown, JSON) to the reports bucket, and publishes each unit's summary to its targets. Any failure
 * (the query, a pack, a notification) fails the invocation after the other units are done: the construct's alarm on
 * the function's errors is the signal. The construct turns Lambda's retries of the invocation off, so the units that
 * succeeded are not mailed again. A pack made in the first two weeks of a month marks its last month provisional.
 */

/** How the construct configures the function (environment variable `CONFIG`, JSON). */
export interface ValueReviewConfig {
  readonly declarationsBucket: string;
  readonly declarationsKey: string;
  readonly reportsBucket: string;
  /** Key prefix of the packs, ending in `/`. */
  readonly reportsPrefix: string;
  readonly database: string;
  readonly table: string;
  readonly workgroup: string;
  readonly months: number;
  /** Units to review; empty: every unit of the declarations or the bill. */
  readonly businessUnits: string[];
  readonly thresholds: ReviewThresholds;
  /** The construct's topic, whose e-mail subscriptions filter on the `businessUnit` message attribute. */
  readonly topicArn?: string;
  /** Topics of particular units. */
  readonly unitTopics: Record<string, string>;
  /** Seconds the function may take (its timeout), kept for the deadline of the query. */
  readonly timeoutSeconds: number;
  /**
   * The organization's declaration registry (issue 24): its live services are the declarations of the packs, the shipped
   * ones the fallback when it cannot be read (noted in each pack).
   */
  readonly registry?: RegistryAddress;
}

export interface ReviewRunSummary {
  readonly months: string[];
  readonly written: string[];
  readonly notified: string[];
  readonly failures: string[];
}

const FORMATS: Array<[string, string]> = [['html', 'html'], ['markdown', 'md'], ['json', 'json']];
/** Longest SNS message we send (SNS allows 256 KB; e-mail readers want a short one). */
const MESSAGE_MAX = 12_000;

export async function handler(event: { readonly today?: string } = {}): Promise<ReviewRunSummary> {
  const config = JSON.parse(process.env.CONFIG ?? '{}') as ValueReviewConfig;
  const limits = reviewLimits(config);
  const summary = await runReview(config, event.today ? new Date(`${event.today}T00:00:00Z`) : new Date(), {
    s3: new S3Client({}),
    sns: new SNSClient({}),
    log: (m) => console.log(m),
    // the registry's bucket may be in another region (S3 redirects to it); every call within the run's timeouts
    registryS3: config.registry ? new S3Client({
      region: config.registry.region, followRegionRedirects: true, maxAttempts: MAX_ATTEMPTS, requestHandler: limits.requestHandler(),
    }) : undefined,
  }, limits);
  if (summary.failures.length > 0) {
    throw new Error(`value review: ${summary.failures.length} failure(s): ${summary.failures.join('; ')}`);
  }
  return summary;
}

export interface ReviewClients {
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly log: (message: string) => void;
  /** The cost source; default: the CUR 2.0 table of the configuration in Athena. */
  readonly source?: CostSource;
  /** The S3 client of the registry's bucket. @default - `s3` */
  readonly registryS3?: S3Client;
}

/** Runs the review for `today`; returns what was written and notified, and every failure (never throws for one unit). */
export async function runReview(config: ValueReviewConfig, today: Date, clients: ReviewClients,
  limits: CallLimits = reviewLimits(config)): Promise<ReviewRunSummary> {
  const { s3, sns, log } = clients;
  try {
    const shipped = await readDeclarations(s3, config);
    const { services, ruleSets, notes: declarationNotes, description, tagKeys } = await declarationsOf(config, shipped, today, clients, limits);
    const months = trendMonths(today, config.months);
    // the value chain: checked before the query (synth refuses cycles in one app; declarations of other apps may close one)
    const chain = consumptionDeclared(services) ? reviewValueChain(services, '/', undefined, SCHEDULED_CHAIN_READING) : undefined;
    const source = clients.source ?? new AthenaSource({ database: config.database, table: config.table, workgroup: config.workgroup, limits });
    // the attribution rules shipped with the declarations and those the registry's stacks carry, applied month by month
    // before the value chain as the CLI's review does
    const rules = { services, ruleSets };
    const { plan, warnings: ruleWarnings } = attributionPlanOf(rules);
    for (const w of ruleWarnings) {
      log(`attribution rules: ${w}`);
    }
    const query: CostQuery = { ...reviewQuery(months, tagKeys), ...(plan ? { attribution: plan } : {}) };
    const read = await source.fetch(query, log);
    const attributed = attributeReview(query, read, rules, read.source).result;
    // what reading the rules gave to warn about (a target no declaration holds...) is in the packs, not only in the log
    const fetched = ruleWarnings.length > 0 ? { ...attributed, warnings: [...ruleWarnings, ...(attributed.warnings ?? [])] } : attributed;
    const provisional = provisionalNote(months[months.length - 1], today);
    const result = provisional ? { ...fetched, notes: [...fetched.notes, provisional] } : fetched;
    // fully-loaded cost when a shipped service consumes another, as the CLI's review shows it
    const allocation = chain ? reviewAllocation(result.rows, services, months, chain) : undefined;
    for (const w of allocation?.warnings ?? []) {
      log(`value chain: ${w}`);
    }
    const packs = reviewPacks({
      result,
      fullyLoaded: allocation?.fullyLoaded,
      allocationNotes: [...(allocation?.notes ?? []), ...(allocation?.warnings ?? [])],
      services,
      months,
      today: today.toISOString().slice(0, 10),
      businessUnits: config.businessUnits,
      thresholds: config.thresholds,
      // the CLI names its flag; a pack's reader has no command line
      thresholdsHow: 'thresholds set on the ValueReviewReports construct that makes these packs (its thresholds property)',
      usageSkipped: 'the scheduled review reads no usage (run customer-value review --usage for unit cost)',
      declarations: description,
    });
    const written: string[] = [];
    const notified: string[] = [];
    const failures: string[] = [];
    const folder = `${config.reportsPrefix}${months[months.length - 1]}/`;
    const taken = new Set<string>();
    for (const unitPack of packs.perUnit) {
      const pack = { ...unitPack, report: withNotes(unitPack.report, declarationNotes) };
      const unit = pack.businessUnit;
      const base = packFileName(unit, '', taken).slice(0, -1);
      const keys: string[] = [];
      try {
        for (const [format, ext] of FORMATS) {
          const key = `${folder}${base}.${ext}`;
          await s3.send(new PutObjectCommand({
            Bucket: config.reportsBucket,
            Key: key,
            Body: render(pack.report, format),
            ContentType: format === 'html' ? 'text/html; charset=utf-8' : format === 'json' ? 'application/json' : 'text/markdown; charset=utf-8',
          }));
          keys.push(key);
          written.push(key);
        }
      } catch (e) {
        failures.push(`writing the pack of ${unit}: ${(e as Error).message}`);
        continue;
      }
      const message = notification(pack.report.title, pack.report.summary, packs.result.units.find((u) => u.businessUnit === unit)!.flags
        .map((f) => `${f.rule}: ${f.message}`), config.reportsBucket, keys, provisional ? [provisional] : []);
      const targets = [
        ...(config.topicArn ? [{ arn: config.topicArn, filtered: true }] : []),
        ...(config.unitTopics[unit] ? [{ arn: config.unitTopics[unit], filtered: false }] : []),
      ];
      for (const t of targets) {
        try {
          await sns.send(new PublishCommand({
            TopicArn: t.arn,
            Subject: subject(pack.report.title),
            Message: message,
            MessageAttributes: { businessUnit: { DataType: 'String', StringValue: unit } },
          }));
          notified.push(`${unit} -> ${t.arn}`);
        } catch (e) {
          failures.push(`notifying ${unit} on ${t.arn}: ${(e as Error).message}`);
        }
      }
    }
    log(`value review ${months[0]}..${months[months.length - 1]}: ${written.length} files, ${notified.length} notifications, `
      + `${failures.length} failures; ${result.requests ?? 0} Athena queries, ${result.bytesScanned ?? 0} bytes scanned`);
    return { months, written, notified, failures };
  } finally {
    limits.dispose();
  }
}

/**
 * How the readers of the scheduled packs get the declarations the value chain lacks: they have no command line, the
 * packs read the registry and the declarations shipped with the construct.
 */
export const SCHEDULED_CHAIN_READING: ChainReading = {
  read: 'declaration read (the registry\'s, or those shipped with ValueReviewReports)',
  declaring: 'register the app that declares it (deploy it with the context customer-value:registry) or declare it in the '
    + 'ValueReviewReports app, and the next pack reads it',
  consumers: 'register the apps of its consumers (deploy them with the context customer-value:registry), and the next pack reads them',
};

/**
 * What to do when the registered apps (or this app's shipped services) use different tag keys: the packs query one set,
 * and their readers have no command line.
 */
export const SCHEDULED_TAG_KEYS_ADVICE = 'the scheduled packs query one set of tag keys: declare the same tag keys (context customer-value:tagKeys) '
  + 'in every app registered under this prefix, or register the apps with other tag keys under a prefix of their own (the registry '
  + 'location of context customer-value:registry) and review them with a ValueReviewReports of their own (registryLocation with that prefix)';

/**
 * The services of the packs: the registry's live services when the configuration names a registry, with the shipped
 * declarations of services the registry does not hold (this app's own, not registered); the shipped ones alone when
 * the registry cannot be read, which each pack notes (and the log says).
 */
async function declarationsOf(config: ValueReviewConfig, shipped: ShippedDeclarations & ShippedRuleSets, today: Date, clients: ReviewClients,
  limits: CallLimits):
  Promise<{ services: DeclaredService[]; ruleSets: ReadRuleSet[]; notes: string[]; description: string; tagKeys: TagKeys }> {
  const shippedRuleSets: ReadRuleSet[] = (shipped.ruleSets ?? [])
    .map((record) => ({ record, where: 'the declarations shipped with ValueReviewReports' }));
  const fromShipped: DeclaredService[] = shipped.services.map((record) => ({ record: record as DeclaredService['record'], assembly: 'declarations', stack: record.stackName }));
  const shippedText = `${fromShipped.length} declared service${fromShipped.length === 1 ? '' : 's'} shipped with the ValueReviewReports construct`;
  const shippedKeys = TagKeys.custom(shipped.tagKeys);
  const r = config.registry;
  if (!r) {
    return { services: fromShipped, ruleSets: shippedRuleSets, notes: [], description: shippedText, tagKeys: shippedKeys };
  }
  const source = `s3://${r.bucket}/${r.prefix}`;
  let read;
  try {
    // no organizations:ListAccounts here (it takes no resource-level permission): an account that left the organization
    // can no longer write (the registry's bucket policy), so its entries lose their heartbeat and go stale
    read = await readRegistry({
      bucket: r.bucket, prefix: r.prefix, s3: clients.registryS3 ?? clients.s3, now: today, maxPages: limits.maxPages, signal: limits.signal,
    });
  } catch (e) {
    limits.check();
    const note = `the declaration registry ${source} could not be read (${e instanceof RegistryError ? e.message : errorText(e)}): this pack uses the ${shippedText} instead`;
    clients.log(note);
    return { services: fromShipped, ruleSets: shippedRuleSets, notes: [note], description: shippedText, tagKeys: shippedKeys };
  }
  // the shipped rule sets first: a rule set the registry also holds (this app's own, registered) counts once
  const merged = mergeRegistry({ assemblies: [], services: [], warnings: [], ruleSets: shippedRuleSets }, read);
  const names = new Set(merged.services.map((s) => s.record.serviceName));
  const kept = fromShipped.filter((s) => !names.has(s.record.serviceName));
  const notes = [...merged.notes];
  if (kept.length > 0) {
    notes.push(`${kept.length} shipped declaration${kept.length === 1 ? '' : 's'} of services the registry does not hold kept: ${kept.map((s) => s.record.serviceName).join(', ')}`);
  }
  for (const w of merged.warnings) {
    clients.log(w);
  }
  const total = merged.services.length + kept.length;
  return {
    // the query reads the tags the registered services declare (their apps' tag keys, which must agree with each other
    // and with the shipped services kept), not only the shipped ones
    tagKeys: merged.services.length > 0 ? tagKeysOf({ services: [...merged.services, ...kept] }, SCHEDULED_TAG_KEYS_ADVICE) : shippedKeys,
    services: [...merged.services, ...kept],
    ruleSets: merged.ruleSets ?? [],
    notes,
    description: `${total} declared service${total === 1 ? '' : 's'}: the registry ${source}${kept.length > 0 ? ' and the declarations shipped with the ValueReviewReports construct' : ''}`,
  };
}

async function readDeclarations(s3: S3Client, config: ValueReviewConfig): Promise<ShippedDeclarations & ShippedRuleSets> {
  const res = await s3.send(new GetObjectCommand({ Bucket: config.declarationsBucket, Key: config.declarationsKey }));
  const text = await res.Body!.transformToString();
  const parsed = JSON.parse(text) as ShippedDeclarations & ShippedRuleSets;
  const where = `s3://${config.declarationsBucket}/${config.declarationsKey}`;
  if (!Array.isArray(parsed.services) || typeof parsed.tagKeys !== 'object') {
    throw new Error(`the declarations ${where} are not a ValueReviewReports declarations file`);
  }
  // checked with the rules the construct applied when it wrote them, as the CLI checks the records it reads
  parsed.services.forEach((record, i) => {
    const problems = recordProblems(record, { shipped: true });
    if (problems.length > 0) {
      throw new Error(refusedRecord(problems, (record as { serviceName?: unknown } | null)?.serviceName, `${where} (services[${i}])`));
    }
  });
  if (parsed.ruleSets !== undefined && !Array.isArray(parsed.ruleSets)) {
    throw new Error(`the declarations ${where} are not a ValueReviewReports declarations file: ruleSets is not a list`);
  }
  // the attribution records with the one validator of the construct and the CLI
  (parsed.ruleSets ?? []).forEach((record, i) => {
    const problems = attributionRecordProblems(record);
    if (problems.length > 0) {
      throw new Error(refusedAttributionRecord(problems, (record as { ruleSet?: unknown } | null)?.ruleSet, `${where} (ruleSets[${i}])`));
    }
  });
  return parsed;
}

/** An SNS subject: at most 100 printable ASCII characters. */
function subject(title: string): string {
  // eslint-disable-next-line no-control-regex
  return title.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}

/**
 * The limits of a run: the function's timeout less a minute (to write what was done and fail with a message), the page
 * cap of the CLI; stopped calls say what to change in the construct's props, the function has no flags.
 */
export function reviewLimits(config: ValueReviewConfig): CallLimits {
  const advice: LimitAdvice = {
    timeout: `a minute before the value-review function's ${config.timeoutSeconds} s Lambda timeout (the most Lambda allows): `
      + `set fewer months in the ValueReviewReports props (now ${config.months})`,
    maxPages: 'the page limit of the value-review function: the query\'s result is too large for one run; set fewer months in the '
      + `ValueReviewReports props (now ${config.months})`,
  };
  return new CallLimits({ timeoutSeconds: Math.max(60, config.timeoutSeconds - 60), advice });
}

/** The note of a pack made while AWS may still update its last month, or undefined. */
export function provisionalNote(lastMonth: string, today: Date): string | undefined {
  return reviewProvisionalNote(lastMonth, today, "the construct's default schedule makes the packs then");
}

/** The summary and flags of a pack, its notes that matter to a reader, and where it is; cut to `MESSAGE_MAX`. */
export function notification(title: string, summary: string[], flags: string[], bucket: string, keys: string[], notes: string[] = []): string {
  const lines = [
    title,
    '',
    ...summary.map((l) => `- ${l}`),
    ...notes.map((n) => `Note: ${n}`),
    '',
    flags.length > 0 ? 'Flags:' : 'No flags.',
    ...flags.map((f) => `- ${f}`),
    '',
    'The pack (HTML, markdown, JSON) is in the reports bucket (sign in to the management account to open it):',
    ...keys.map((k) => `  s3://${bucket}/${k}`),
  ];
  const text = lines.join('\n');
  return text.length <= MESSAGE_MAX ? text : `${text.slice(0, MESSAGE_MAX - 80)}\n... (cut: the full list is in the pack)`;
}
