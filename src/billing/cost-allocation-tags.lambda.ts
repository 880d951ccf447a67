/**
 * Activates the customer-value tag keys as cost allocation tags (Cost Explorer
 * `UpdateCostAllocationTagsStatus`), as a CloudFormation custom resource and on a daily schedule.
 *
 * AWS facts this handler is built on (../shared/reference/aws-cost-facts.md §3):
 * - the Cost Explorer endpoint is us-east-1, whatever region the function runs in;
 * - `UpdateCostAllocationTagsStatus` takes 1-20 keys per call and is idempotent; per-key failures come back
 *   in `Errors[]` inside an HTTP 200 response;
 * - a key can only be activated once AWS has seen it on a resource (up to 24 h after first use), and an
 *   activated key takes up to another 24 h to become active;
 * - `StartCostAllocationTagBackfill` takes the first day of a month at most 12 months back, once per 24 h.
 *
 * So a deployment never fails because a key is not there yet: it reports what is pending, and the daily run
 * retries until every key is active, logging and publishing the number of inactive keys as a metric.
 */
import * as http from 'http';
import * as https from 'https';
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

/** Current status of each key AWS knows (keys AWS has not seen yet are absent). */
export async function listTagStatuses(keys: readonly string[]): Promise<Map<string, CostAllocationTag>> {
  const found = new Map<string, CostAllocationTag>();
  for (const batch of chunk(keys, LIST_BATCH_SIZE)) {
    let nextToken: string | undefined;
    do {
      const res = await ce().send(new ListCostAllocationTagsCommand({
        TagKeys: batch,
        Type: 'UserDefined',
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

// ---------------------------------------------------------------------------------------------------------
// CloudFormation custom resource protocol

/** The custom resource event fields this handler reads (a subset of CloudFormationCustomResourceEvent). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
}

/** The event the daily EventBridge rule sends. */
export interface ScheduledEvent {
  readonly source: string;
  readonly action: string;
}

interface ResourceProperties {
  readonly tagKeys: string[];
  readonly backfillMonths?: number;
  readonly deactivateOnDelete: boolean;
}

/** Reads the custom resource properties (CloudFormation passes every scalar as a string). */
export function parseProperties(props: Record<string, any> | undefined): ResourceProperties {
  const p = props ?? {};
  const tagKeys = Array.isArray(p.TagKeys) ? p.TagKeys.map(String) : [];
  const months = p.BackfillMonths === undefined || p.BackfillMonths === '' ? undefined : Number(p.BackfillMonths);
  return { tagKeys, backfillMonths: months, deactivateOnDelete: String(p.DeactivateOnDelete) === 'true' };
}

/** Errors that go away by themselves: the daily run retries, so they do not fail a deployment. */
function isTransient(e: unknown): boolean {
  const name = (e as Error)?.name ?? '';
  return ['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailableException']
    .includes(name);
}

export interface CustomResourceResult {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
  readonly physicalResourceId: string;
  readonly data: Record<string, string>;
}

/**
 * Why the function cannot activate keys where it runs, or undefined: the library supports the aws partition only (the
 * construct refuses other partitions at synth; this guards an environment-agnostic stack deployed elsewhere).
 */
export function partitionProblem(region: string | undefined): string | undefined {
  const partition = region?.startsWith('cn-') ? 'aws-cn' : region?.startsWith('us-gov-') ? 'aws-us-gov' : region?.startsWith('us-iso') ? 'aws-iso' : undefined;
  return partition === undefined ? undefined
    : `this function runs in ${region} (${partition} partition), but cdk-customer-value activates cost allocation tags in the aws partition only, `
      + 'through the Cost Explorer endpoint in us-east-1 (GovCloud billing lives in the commercial partition; the China partition is not supported): '
      + 'deploy CostAllocationTags to the management account in an aws region';
}

/** Handles a custom resource event and returns what to send back to CloudFormation. */
export async function onCustomResource(event: CustomResourceEvent, now?: Date): Promise<CustomResourceResult> {
  const physicalResourceId = event.PhysicalResourceId ?? `customer-value-cost-allocation-tags-${event.LogicalResourceId}`;
  const props = parseProperties(event.ResourceProperties);
  const unsupported = partitionProblem(process.env.AWS_REGION);
  if (unsupported) {
    // A deletion is never blocked (nothing was activated there); a creation or update fails with the reason.
    return event.RequestType === 'Delete'
      ? { status: 'SUCCESS', reason: 'nothing to deactivate outside the aws partition', physicalResourceId, data: {} }
      : { status: 'FAILED', reason: unsupported, physicalResourceId, data: {} };
  }
  try {
    if (event.RequestType === 'Delete') {
      return await onDelete(props, physicalResourceId);
    }
    const removed = event.RequestType === 'Update' && props.deactivateOnDelete
      ? parseProperties(event.OldResourceProperties).tagKeys.filter((k) => !props.tagKeys.includes(k))
      : [];
    if (removed.length > 0) {
      const { errors } = await updateStatus(removed, 'Inactive');
      console.log(JSON.stringify({ level: 'INFO', message: `deactivated keys no longer declared: ${removed.join(', ')}`, errors }));
    }
    const report = await activate(props.tagKeys, {
      backfillMonths: props.backfillMonths,
      metricNamespace: process.env.METRIC_NAMESPACE,
      now,
    });
    const reason = report.inactive.length === 0
      ? 'every cost allocation tag key is active'
      : `${report.inactive.length} key(s) not active yet (${report.inactive.join(', ')}); the daily run retries until they are`;
    return {
      status: 'SUCCESS',
      reason,
      physicalResourceId,
      data: {
        ActiveTagKeys: report.active.join(','),
        PendingTagKeys: report.inactive.join(','),
        NotSeenYetTagKeys: report.notSeenYet.join(','),
        Backfill: report.backfill,
      },
    };
  } catch (e) {
    const err = e as Error;
    if (isTransient(e)) {
      console.log(JSON.stringify({ level: 'WARN', message: `Cost Explorer throttled the activation (${err.name}); the daily run retries` }));
      return { status: 'SUCCESS', reason: `throttled (${err.name}); the daily run retries`, physicalResourceId, data: { PendingTagKeys: props.tagKeys.join(',') } };
    }
    const hint = err.name === 'AccessDeniedException'
      ? ' (cost allocation tags can only be activated from the management (payer) account or a standalone account)'
      : '';
    return { status: 'FAILED', reason: `${err.name}: ${err.message}${hint}`, physicalResourceId, data: {} };
  }
}

async function onDelete(props: ResourceProperties, physicalResourceId: string): Promise<CustomResourceResult> {
  if (!props.deactivateOnDelete || props.tagKeys.length === 0) {
    // By default the keys stay active: other stacks, budgets, categories and reports rely on them.
    return { status: 'SUCCESS', reason: 'cost allocation tag keys left active', physicalResourceId, data: {} };
  }
  try {
    const { errors } = await updateStatus(props.tagKeys, 'Inactive');
    console.log(JSON.stringify({ level: 'INFO', message: `deactivated ${props.tagKeys.join(', ')}`, errors }));
  } catch (e) {
    // Never block a stack deletion on a report-only action.
    console.log(JSON.stringify({ level: 'ERROR', message: `could not deactivate the keys: ${(e as Error).message}` }));
  }
  return { status: 'SUCCESS', reason: 'cost allocation tag keys deactivated', physicalResourceId, data: {} };
}

/** Sends the result to CloudFormation's pre-signed response URL. */
export async function sendResponse(event: CustomResourceEvent, result: CustomResourceResult): Promise<void> {
  const body = JSON.stringify({
    Status: result.status,
    Reason: result.reason.slice(0, 1000),
    PhysicalResourceId: result.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: Object.fromEntries(Object.entries(result.data).map(([k, v]) => [k, v.slice(0, 1000)])),
  });
  const url = new URL(event.ResponseURL);
  const transport = url.protocol === 'http:' ? http : https;
  await new Promise<void>((resolve, reject) => {
    const req = transport.request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

function isCustomResourceEvent(event: any): event is CustomResourceEvent {
  return event !== null && typeof event === 'object' && typeof event.RequestType === 'string' && typeof event.ResponseURL === 'string';
}

/** Lambda entry point: a CloudFormation custom resource event, or the daily scheduled run. */
export async function handler(event: CustomResourceEvent | ScheduledEvent): Promise<ActivationReport | void> {
  if (isCustomResourceEvent(event)) {
    let result: CustomResourceResult;
    try {
      result = await onCustomResource(event);
    } catch (e) {
      result = {
        status: 'FAILED',
        reason: `unexpected error: ${(e as Error).message}`,
        physicalResourceId: event.PhysicalResourceId ?? `customer-value-cost-allocation-tags-${event.LogicalResourceId}`,
        data: {},
      };
    }
    await sendResponse(event, result);
    return;
  }
  const unsupported = partitionProblem(process.env.AWS_REGION);
  if (unsupported) {
    // a failed invocation shows in the function's Errors metric
    throw new Error(unsupported);
  }
  const keys = JSON.parse(process.env.TAG_KEYS ?? '[]') as string[];
  const months = process.env.BACKFILL_MONTHS ? Number(process.env.BACKFILL_MONTHS) : undefined;
  return activate(keys, { backfillMonths: months, metricNamespace: process.env.METRIC_NAMESPACE });
}
