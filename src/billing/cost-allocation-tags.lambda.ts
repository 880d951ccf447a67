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
 *
 * With `DeactivateOnDelete`, a Delete deactivates only the keys no other live declaration needs: every custom resource
 * records its keys in a registry (`private/tag-key-registry.ts`), because a moved or renamed construct is created anew
 * before the old one is deleted.
 */
import { activate, ActivationReport, updateStatus } from './private/tag-activation';
import { entryName, keysStillDeclared, register, unregister } from './private/tag-key-registry';
import type { CustomResourceEvent } from '../private/custom-resource-event';
import { CustomResourceResult, sendResponse } from '../private/custom-resource-response';

export * from './private/tag-activation';

// ---------------------------------------------------------------------------------------------------------
// CloudFormation custom resource protocol

export type { CustomResourceEvent };

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
    const entry = entryName(event.StackId, event.LogicalResourceId);
    if (event.RequestType === 'Delete') {
      return await onDelete(props, physicalResourceId, entry);
    }
    // Recorded before anything is activated, so that no other declaration's Delete deactivates these keys.
    await register(entry, props.tagKeys);
    const removed = event.RequestType === 'Update' && props.deactivateOnDelete
      ? parseProperties(event.OldResourceProperties).tagKeys.filter((k) => !props.tagKeys.includes(k))
      : [];
    if (removed.length > 0) {
      await deactivateUnlessDeclared(removed, 'no longer declared by this resource');
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

/**
 * Deactivates the keys of `keys` that no live declaration (registry entry) still declares; returns those deactivated.
 * When the registry cannot be read, deactivates nothing (a key wrongly deactivated disappears from cost data).
 */
export async function deactivateUnlessDeclared(keys: readonly string[], why: string): Promise<{ deactivated: string[]; kept: string[] }> {
  let declared: Set<string>;
  try {
    declared = await keysStillDeclared();
  } catch (e) {
    console.log(JSON.stringify({ level: 'ERROR', message: `left ${keys.join(', ')} active: the registry of live declarations could not be read (${(e as Error).message})` }));
    return { deactivated: [], kept: [...keys] };
  }
  const kept = keys.filter((k) => declared.has(k));
  const deactivated = keys.filter((k) => !declared.has(k));
  if (deactivated.length > 0) {
    const { errors } = await updateStatus(deactivated, 'Inactive');
    console.log(JSON.stringify({ level: 'INFO', message: `deactivated ${deactivated.join(', ')} (${why})`, errors }));
  }
  if (kept.length > 0) {
    console.log(JSON.stringify({ level: 'INFO', message: `left ${kept.join(', ')} active: another CostAllocationTags declaration still needs them` }));
  }
  return { deactivated, kept };
}

async function onDelete(props: ResourceProperties, physicalResourceId: string, entry: string): Promise<CustomResourceResult> {
  try {
    await unregister(entry);
    if (!props.deactivateOnDelete || props.tagKeys.length === 0) {
      // By default the keys stay active: other stacks, budgets, categories and reports rely on them.
      return { status: 'SUCCESS', reason: 'cost allocation tag keys left active', physicalResourceId, data: {} };
    }
    // A move or rename creates the new declaration before deleting this one: its keys are in the registry by now.
    const { deactivated, kept } = await deactivateUnlessDeclared(props.tagKeys, 'deleted with their declaration');
    return {
      status: 'SUCCESS',
      reason: `deactivated: ${deactivated.join(', ') || 'none'}; still declared elsewhere: ${kept.join(', ') || 'none'}`,
      physicalResourceId,
      data: { DeactivatedTagKeys: deactivated.join(','), KeptTagKeys: kept.join(',') },
    };
  } catch (e) {
    // Never block a stack deletion on a report-only action.
    console.log(JSON.stringify({ level: 'ERROR', message: `could not deactivate the keys: ${(e as Error).message}` }));
    return { status: 'SUCCESS', reason: 'cost allocation tag keys left active (see the function logs)', physicalResourceId, data: {} };
  }
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
  if (process.env.REGISTRY_ENTRY) {
    try {
      // records the declaration again every day (e.g. after a registry entry was deleted by hand)
      await register(process.env.REGISTRY_ENTRY, keys);
    } catch (e) {
      console.log(JSON.stringify({ level: 'ERROR', message: `could not record the declaration in ${process.env.REGISTRY_ENTRY}: ${(e as Error).message}` }));
    }
  }
  const months = process.env.BACKFILL_MONTHS ? Number(process.env.BACKFILL_MONTHS) : undefined;
  return activate(keys, { backfillMonths: months, metricNamespace: process.env.METRIC_NAMESPACE });
}
