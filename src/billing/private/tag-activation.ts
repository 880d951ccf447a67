/**
 * The activation itself (Cost Explorer `UpdateCostAllocationTagsStatus`, the backfill, the inactive-keys metric), used
 * by the cost allocation tag function for its custom resource and its daily run. The AWS facts it is built on are in
 * the header of `../cost-allocation-tags.lambda.ts`.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CostAllocationTag,
  CostAllocationTagBackfillRequest,
  CostExplorerClient,
  ListCostAllocationTagBackfillHistoryCommand,
  ListCostAllocationTagsCommand,
  StartCostAllocationTagBackfillCommand,
  UpdateCostAllocationTagsStatusCommand,
  UpdateCostAllocationTagsStatusError,
} from '@aws-sdk/client-cost-explorer';

/** Keys per `UpdateCostAllocationTagsStatus` call (API maximum). */
export const UPDATE_BATCH_SIZE = 20;
/** Keys per `ListCostAllocationTags` call (API maximum of the `TagKeys` filter). */
export const LIST_BATCH_SIZE = 100;
/** Metric published after every run: the number of keys that are not active yet. */
export const INACTIVE_METRIC_NAME = 'InactiveCostAllocationTags';
/** What the scheduled EventBridge rule sends. */
export const SCHEDULE_SOURCE = 'customer-value.cost-allocation-tags';

const DAY_MS = 86_400_000;

let ceClient: CostExplorerClient | undefined;
let cwClient: CloudWatchClient | undefined;

function ce(): CostExplorerClient {
  // Cost Explorer has a single endpoint, in us-east-1 (facts §3).
  ceClient ??= new CostExplorerClient({ region: 'us-east-1' });
  return ceClient;
}

function cloudwatch(): CloudWatchClient {
  cwClient ??= new CloudWatchClient({});
  return cwClient;
}

/** A per-key failure reported inside a 200 response. */
export interface KeyError {
  readonly tagKey: string;
  readonly code: string;
  readonly message: string;
}

/** What happened to a backfill request in this run. */
export type BackfillOutcome =
  | 'not-requested' // no backfill configured
  | 'waiting-for-activation' // some keys are not active yet: a backfill now would backfill "inactive"
  | 'done' // a successful backfill already covers the current activation
  | 'in-progress' // a backfill is running
  | 'rate-limited' // one backfill per 24 h: the last request is too recent
  | 'requested'; // started in this run

/** The outcome of one activation run. */
export interface ActivationReport {
  /** Keys that were already active. */
  readonly active: string[];
  /** Keys this run asked AWS to activate without a per-key error (active within up to 24 h). */
  readonly requested: string[];
  /** Keys AWS has not seen on any resource yet (absent from ListCostAllocationTags). */
  readonly notSeenYet: string[];
  /** Per-key errors from UpdateCostAllocationTagsStatus. */
  readonly errors: KeyError[];
  /** Keys that are not active yet (requested, not seen yet or failed): the metric value. */
  readonly inactive: string[];
  /** Number of UpdateCostAllocationTagsStatus calls made. */
  readonly updateCalls: number;
  readonly backfill: BackfillOutcome;
  /** The BackfillFrom date used or wanted, when a backfill is configured. */
  readonly backfillFrom?: string;
}

export interface ActivationOptions {
  /** Backfill the activation this many months back (0-12), once every key is active. */
  readonly backfillMonths?: number;
  /** CloudWatch namespace of the inactive-keys metric; no metric when absent. */
  readonly metricNamespace?: string;
  /** The current time (tests). */
  readonly now?: Date;
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/**
 * The `BackfillFrom` date for a backfill `months` months back: the first day of that month, 00:00 UTC
 * (the API takes only the first day of a month, at most 12 months back).
 */
export function backfillFrom(now: Date, months: number): string {
  if (!Number.isInteger(months) || months < 0 || months > 12) {
    throw new Error(`backfill months is ${months}: expected a whole number from 0 to 12`);
  }
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The type of a cost allocation tag key (`ListCostAllocationTags` `Type`): keys with the reserved `aws:` prefix are
 * AWS-generated (`aws:cloudformation:stack-name`, `aws:createdBy`), every other key is user-defined. Cost Explorer API
 * reference, `CostAllocationTag`: "AWSGenerated type tags are tags that AWS defines and applies to support AWS
 * resources for cost allocation purposes"; both types are activated with `UpdateCostAllocationTagsStatus` (AWS Billing
 * user guide, "Using AWS cost allocation tags": "You must activate both types of tags separately").
 */
export function tagKeyType(key: string): 'AWSGenerated' | 'UserDefined' {
  return key.toLowerCase().startsWith('aws:') ? 'AWSGenerated' : 'UserDefined';
}

/** Current status of each key AWS knows (keys AWS has not seen yet are absent), listed by type. */
export async function listTagStatuses(keys: readonly string[]): Promise<Map<string, CostAllocationTag>> {
  const found = new Map<string, CostAllocationTag>();
  const batches = (['UserDefined', 'AWSGenerated'] as const)
    .flatMap((type) => chunk(keys.filter((k) => tagKeyType(k) === type), LIST_BATCH_SIZE).map((batch) => ({ type, batch })));
  for (const { type, batch } of batches) {
    let nextToken: string | undefined;
    do {
      const res = await ce().send(new ListCostAllocationTagsCommand({
        TagKeys: batch,
        Type: type,
        MaxResults: 1000,
        NextToken: nextToken,
      }));
      for (const tag of res.CostAllocationTags ?? []) {
        if (tag.TagKey && batch.includes(tag.TagKey)) {
          found.set(tag.TagKey, tag);
        }
      }
      nextToken = res.NextToken;
    } while (nextToken);
  }
  return found;
}

/** Sets `status` on `keys`, 20 at a time; returns the per-key errors and the number of calls. */
export async function updateStatus(keys: readonly string[], status: 'Active' | 'Inactive'): Promise<{ errors: KeyError[]; calls: number }> {
  const errors: KeyError[] = [];
  let calls = 0;
  for (const batch of chunk(keys, UPDATE_BATCH_SIZE)) {
    const res = await ce().send(new UpdateCostAllocationTagsStatusCommand({
      CostAllocationTagsStatus: batch.map((TagKey) => ({ TagKey, Status: status })),
    }));
    calls++;
    for (const e of (res.Errors ?? []) as UpdateCostAllocationTagsStatusError[]) {
      errors.push({ tagKey: e.TagKey ?? '(unknown)', code: e.Code ?? 'Unknown', message: e.Message ?? '' });
    }
  }
  return { errors, calls };
}

async function backfillHistory(): Promise<CostAllocationTagBackfillRequest[]> {
  const out: CostAllocationTagBackfillRequest[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const res = await ce().send(new ListCostAllocationTagBackfillHistoryCommand({ NextToken: nextToken, MaxResults: 1000 }));
    out.push(...(res.BackfillRequests ?? []));
    nextToken = res.NextToken;
    pages++;
  } while (nextToken && pages < 10);
  return out;
}

function time(value: string | undefined): number {
  const t = value ? Date.parse(value) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Starts a backfill when every key is active and no earlier backfill covers the current activation
 * (a SUCCEEDED request made after the keys' last status change, from the same month or earlier), no backfill
 * is running and none was requested in the last 24 h. The decision is made from the backfill history, so the
 * function keeps no state.
 */
export async function maybeBackfill(
  statuses: Map<string, CostAllocationTag>, keys: readonly string[], months: number, now: Date,
): Promise<BackfillOutcome> {
  const from = backfillFrom(now, months);
  const activatedAt = Math.max(0, ...keys.map((k) => time(statuses.get(k)?.LastUpdatedDate)));
  const history = await backfillHistory();
  if (history.some((r) => r.BackfillStatus === 'PROCESSING')) {
    return 'in-progress';
  }
  const covered = history.some((r) => r.BackfillStatus === 'SUCCEEDED'
    && time(r.RequestedAt) >= activatedAt
    && time(r.BackfillFrom) > 0 && time(r.BackfillFrom) <= time(from));
  if (covered) {
    return 'done';
  }
  if (history.some((r) => now.getTime() - time(r.RequestedAt) < DAY_MS)) {
    return 'rate-limited';
  }
  try {
    await ce().send(new StartCostAllocationTagBackfillCommand({ BackfillFrom: from }));
    return 'requested';
  } catch (e) {
    if ((e as Error).name === 'BackfillLimitExceededException') {
      return 'in-progress';
    }
    throw e;
  }
}

/**
 * One activation run: reads the keys' status, activates those that are not active (20 per call), starts a
 * backfill when configured and due, logs a summary and publishes the number of inactive keys.
 */
export async function activate(keys: readonly string[], options: ActivationOptions = {}): Promise<ActivationReport> {
  const now = options.now ?? new Date();
  const statuses = await listTagStatuses(keys);
  const active = keys.filter((k) => statuses.get(k)?.Status === 'Active');
  const toActivate = keys.filter((k) => !active.includes(k));
  const { errors, calls } = await updateStatus(toActivate, 'Active');
  const failed = new Set(errors.map((e) => e.tagKey));
  const requested = toActivate.filter((k) => !failed.has(k));
  const notSeenYet = toActivate.filter((k) => !statuses.has(k));

  let backfill: BackfillOutcome = 'not-requested';
  let from: string | undefined;
  if (options.backfillMonths !== undefined) {
    from = backfillFrom(now, options.backfillMonths);
    backfill = toActivate.length > 0
      ? 'waiting-for-activation'
      : await maybeBackfill(statuses, keys, options.backfillMonths, now);
  }

  const report: ActivationReport = {
    active, requested, notSeenYet, errors, inactive: toActivate, updateCalls: calls, backfill, backfillFrom: from,
  };
  log(report);
  if (options.metricNamespace) {
    await publishMetric(options.metricNamespace, toActivate.length);
  }
  return report;
}

function log(report: ActivationReport): void {
  const summary = report.inactive.length === 0
    ? `all ${report.active.length} cost allocation tag key(s) are active`
    : `${report.inactive.length} cost allocation tag key(s) not active yet: ${report.inactive.join(', ')}`
      + (report.notSeenYet.length > 0
        ? ` (not seen on any resource yet, AWS lists a key up to 24 h after its first use: ${report.notSeenYet.join(', ')})`
        : '')
      + (report.requested.length > 0 ? ` (activation requested, takes up to 24 h: ${report.requested.join(', ')})` : '');
  console.log(JSON.stringify({ level: report.inactive.length === 0 ? 'INFO' : 'WARN', message: summary, ...report }));
}

async function publishMetric(namespace: string, inactive: number): Promise<void> {
  try {
    await cloudwatch().send(new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [{ MetricName: INACTIVE_METRIC_NAME, Value: inactive, Unit: 'Count' }],
    }));
  } catch (e) {
    // The metric is a report; failing to publish it must not fail the activation.
    console.log(JSON.stringify({ level: 'ERROR', message: `could not publish ${namespace}/${INACTIVE_METRIC_NAME}: ${(e as Error).message}` }));
  }
}
