/**
 * The registration function of a stack (`DeclarationRegistration`): writes the stack's service declarations into the
 * organization's declaration registry when CloudFormation creates or updates the registration, withdraws them when it
 * deletes it, and, once a day, confirms the entry (its heartbeat), so that a reader in the management account can tell
 * an entry whose stack is gone (docs/registry.md).
 *
 * Every remote call has a timeout and bounded retries, and the function answers CloudFormation before its own timeout:
 * a Create or Update that cannot write fails the deployment with the reason; a Delete never blocks a stack's
 * deletion (what it could not withdraw goes stale: no heartbeat refreshes it, readers leave it out, and the registry's
 * lifecycle rule removes it).
 */
import { S3Client } from '@aws-sdk/client-s3';
import {
  addressProblems, EntryIdentity, HEARTBEAT_ACTION, entryKey, entryProblems, identityOfStack, MAX_ENTRY_BYTES, RegistryAddress, RegistryEntry,
  ruleSetsProblems, servicesProblems, splitEntryKey,
} from './entry';
import { decide, Decision, heartbeat, locationOf, locationOfPhysicalId, physicalIdOf } from './lifecycle';
import { AttributionRulesRecord } from '../declaration/attribution-record';
import { ServiceDeclarationRecord } from '../declaration/record';
import { errorText, readObject, Sender, writeIfUnchanged } from './private/store';

import type { CustomResourceEvent } from '../private/custom-resource-event';
import { CustomResourceResult, sendResponse } from '../private/custom-resource-response';
export type { CustomResourceEvent };

/** The event of the daily heartbeat rule. */
export interface HeartbeatEvent {
  readonly action: typeof HEARTBEAT_ACTION;
  readonly bucket: string;
  readonly region: string;
  readonly prefix: string;
  readonly stackId: string;
  readonly logicalId: string;
}

/** What the handler calls out to (tests give their own). */
export interface RegistrationDeps {
  /** The S3 client for the registry's region. */
  readonly s3: (region: string) => Sender;
  readonly now: () => Date;
  /** Aborts every call when it fires (the function's deadline). */
  readonly signal?: AbortSignal;
}

/** Reads and decides again at most this many times when another writer changed the entry meanwhile (412/409). */
export const MAX_WRITE_ATTEMPTS = 5;
/** Time kept back from the function's timeout to answer CloudFormation. */
const ANSWER_MARGIN_MS = 15_000;
/** Time one attempt at sending the answer to CloudFormation may take, and the attempts. */

/** The registry address of the custom resource's properties (CloudFormation passes every value as a string). */
export function addressOf(props: Record<string, any> | undefined): RegistryAddress | string {
  const p = props ?? {};
  const address = { bucket: p.Bucket, region: p.Region, prefix: p.Prefix ?? '' };
  const problems = addressProblems({ bucket: address.bucket, region: address.region, prefix: address.prefix }, 'registry');
  return problems.length > 0 ? problems[0] : address as RegistryAddress;
}

/** The services of the custom resource's properties (one JSON string), or the first problem, naming the service and field. */
export function servicesOf(props: Record<string, any> | undefined, stackName: string): ServiceDeclarationRecord[] | string {
  let services: unknown;
  try {
    services = JSON.parse(String(props?.Services ?? ''));
  } catch (e) {
    return `the Services property is not JSON (${errorText(e)})`;
  }
  if (!Array.isArray(services)) {
    return 'the Services property is not a list of service records';
  }
  const problems = servicesProblems(services, stackName);
  return problems.length > 0 ? `the declaration is refused: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}` : services;
}

/**
 * The attribution rule sets of the custom resource's properties (one JSON string; absent when the stack has none), or
 * the first problem, naming the rule set and field, by the rules the CLI applies to the cloud assembly's records.
 */
export function ruleSetsOf(props: Record<string, any> | undefined, stackName: string): AttributionRulesRecord[] | string {
  if (props?.AttributionRules === undefined) {
    return [];
  }
  let sets: unknown;
  try {
    sets = JSON.parse(String(props.AttributionRules));
  } catch (e) {
    return `the AttributionRules property is not JSON (${errorText(e)})`;
  }
  if (!Array.isArray(sets)) {
    return 'the AttributionRules property is not a list of rule set records';
  }
  const problems = ruleSetsProblems(sets, stackName);
  return problems.length > 0 ? `the attribution rules are refused: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}` : sets;
}

/** Handles a custom resource event; never throws (a failure is a FAILED answer with the reason). */
export async function onCustomResource(event: CustomResourceEvent, deps: RegistrationDeps): Promise<CustomResourceResult> {
  const fallbackId = event.PhysicalResourceId ?? `customer-value-registration-${event.RequestId}`;
  const identity = identityOfStack(event.StackId, event.LogicalResourceId);
  if (typeof identity === 'string') {
    return { status: event.RequestType === 'Delete' ? 'SUCCESS' : 'FAILED', reason: identity, physicalResourceId: fallbackId };
  }
  if (event.RequestType === 'Delete') {
    return onDelete(event, identity, deps);
  }
  const address = addressOf(event.ResourceProperties);
  if (typeof address === 'string') {
    return { status: 'FAILED', reason: address, physicalResourceId: fallbackId };
  }
  // the same location keeps the physical id; a new one (the registry moved) is a replacement: CloudFormation then
  // deletes the old physical id, which withdraws the old location's entry
  const samePlace = event.RequestType === 'Update' && event.PhysicalResourceId?.startsWith(`${locationOf(address, identity)}#`);
  const physicalId = samePlace ? event.PhysicalResourceId! : physicalIdOf(address, identity, event.RequestId);
  const services = servicesOf(event.ResourceProperties, identity.stackName);
  if (typeof services === 'string') {
    return { status: 'FAILED', reason: services, physicalResourceId: physicalId };
  }
  const attribution = ruleSetsOf(event.ResourceProperties, identity.stackName);
  if (typeof attribution === 'string') {
    return { status: 'FAILED', reason: attribution, physicalResourceId: physicalId };
  }
  try {
    const decision = await apply(deps, address, entryKey(address.prefix, identity), (current) => decide(current, {
      type: event.RequestType,
      requestId: event.RequestId,
      physicalId,
      identity,
      stackId: event.StackId,
      services,
      attribution,
      now: deps.now().toISOString(),
    }));
    return { status: 'SUCCESS', reason: decision.reason, physicalResourceId: physicalId };
  } catch (e) {
    return {
      status: 'FAILED',
      reason: `could not write the registry entry s3://${address.bucket}/${entryKey(address.prefix, identity)}: `
      + `${errorText(e)}${hint(e)}`,
      physicalResourceId: physicalId,
    };
  }
}

async function onDelete(event: CustomResourceEvent, identity: EntryIdentity, deps: RegistrationDeps): Promise<CustomResourceResult> {
  const physicalId = event.PhysicalResourceId ?? '';
  const where = locationOfPhysicalId(physicalId);
  const props = addressOf(event.ResourceProperties);
  if (!where || typeof props === 'string') {
    return { status: 'SUCCESS', reason: `nothing to withdraw: ${where ? props : `${JSON.stringify(physicalId)} never wrote an entry`}`, physicalResourceId: physicalId };
  }
  const address: RegistryAddress = { ...props, bucket: where.bucket };
  try {
    const decision = await apply(deps, address, where.key, (current) => decide(current, {
      type: 'Delete', requestId: event.RequestId, physicalId, identity, stackId: event.StackId, now: deps.now().toISOString(),
    }));
    return { status: 'SUCCESS', reason: decision.reason, physicalResourceId: physicalId };
  } catch (e) {
    // never block a stack's deletion on the registry: the entry goes stale (no heartbeat) and readers leave it out
    log('ERROR', `could not withdraw the registry entry s3://${where.bucket}/${where.key}: ${errorText(e)}; readers report it stale `
      + 'once its heartbeat is older than their limit, and the registry\'s lifecycle rule removes it');
    return { status: 'SUCCESS', reason: `not withdrawn (${errorText(e)}): the entry goes stale`, physicalResourceId: physicalId };
  }
}

/**
 * Reads the entry at `key`, decides, and writes the decision on the condition that the entry did not change meanwhile;
 * reads and decides again when it did (at most `MAX_WRITE_ATTEMPTS` times).
 */
async function apply(deps: RegistrationDeps, address: RegistryAddress, key: string,
  choose: (current: RegistryEntry | undefined) => Decision | { entry?: RegistryEntry; problem?: string; reason?: string }): Promise<Decision> {
  const s3 = deps.s3(address.region);
  const identity = splitEntryKey(key)?.identity;
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const read = await readObject(s3, address.bucket, key, MAX_ENTRY_BYTES, deps.signal);
    const current = read.absent ? undefined : parsed(read.text, identity, `s3://${address.bucket}/${key}`);
    const decision = choose(current);
    if ('problem' in decision && decision.problem) {
      throw new Error(decision.problem);
    }
    if (!decision.entry) {
      log('INFO', decision.reason ?? 'nothing to do');
      return { reason: decision.reason ?? 'nothing to do' };
    }
    const body = `${JSON.stringify(decision.entry, null, 1)}\n`;
    const problems = identity ? entryProblems(decision.entry, identity) : [];
    if (problems.length > 0) {
      throw new Error(`the entry would be refused by its readers: ${problems[0]}`);
    }
    if (Buffer.byteLength(body) > MAX_ENTRY_BYTES) {
      throw new Error(`the entry is ${Buffer.byteLength(body)} bytes, over the ${MAX_ENTRY_BYTES} bytes of a registry entry: spread the services over more stacks`);
    }
    if (await writeIfUnchanged(s3, address.bucket, key, body, read.etag, deps.signal)) {
      const reason = decision.reason ?? 'written';
      log('INFO', `s3://${address.bucket}/${key}: ${reason}`);
      return { entry: decision.entry, reason };
    }
    log('INFO', `s3://${address.bucket}/${key} changed while it was being written (attempt ${attempt} of ${MAX_WRITE_ATTEMPTS}): reading it again`);
  }
  throw new Error(`the entry kept changing while it was being written (${MAX_WRITE_ATTEMPTS} attempts)`);
}

/** The entry read, or undefined when it is unreadable (it is then overwritten: the key is this stack's own). */
function parsed(text: string | undefined, identity: EntryIdentity | undefined, where: string): RegistryEntry | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text ?? '');
  } catch (e) {
    log('WARN', `${where} is not JSON (${errorText(e)}): it is replaced`);
    return undefined;
  }
  const problems = identity ? entryProblems(data, identity) : [];
  if (problems.length > 0) {
    log('WARN', `${where} is refused (${problems[0]}): it is replaced`);
    return undefined;
  }
  return data as RegistryEntry;
}

/** The daily heartbeat: confirms the stack's live entry; throws (the function's error alarm) when it cannot. */
export async function onHeartbeat(event: HeartbeatEvent, deps: RegistrationDeps): Promise<string> {
  const identity = identityOfStack(event.stackId, event.logicalId);
  const address = addressOf({ Bucket: event.bucket, Region: event.region, Prefix: event.prefix });
  if (typeof identity === 'string' || typeof address === 'string') {
    throw new Error(`the heartbeat's input is refused: ${typeof identity === 'string' ? identity : address}`);
  }
  const key = entryKey(address.prefix, identity);
  const decision = await apply(deps, address, key, (current) => {
    const beat = heartbeat(current, deps.now().toISOString());
    return beat.problem ? { problem: `s3://${address.bucket}/${key}: ${beat.problem}` } : { entry: beat.entry, reason: 'heartbeat' };
  });
  return decision.reason;
}

/** What to add to a failure message for the usual causes. */
function hint(e: unknown): string {
  const name = (e as Error)?.name;
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'Forbidden') {
    return ' (the registry\'s bucket policy lets principals of its organization write under their own account\'s folder only: check the '
      + 'organization id given to DeclarationRegistry, and that this account is in that organization)';
  }
  if (name === 'NoSuchBucket') {
    return ' (the registry bucket does not exist: check the context customer-value:registry or the registration\'s registry prop)';
  }
  return '';
}

function log(level: 'INFO' | 'WARN' | 'ERROR', message: string): void {
  console.log(JSON.stringify({ level, message }));
}

function isCustomResourceEvent(event: any): event is CustomResourceEvent {
  return event !== null && typeof event === 'object' && typeof event.RequestType === 'string' && typeof event.ResponseURL === 'string';
}

const clients = new Map<string, S3Client>();
function s3For(region: string): S3Client {
  let client = clients.get(region);
  if (!client) {
    client = new S3Client({
      region, maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    });
    clients.set(region, client);
  }
  return client;
}

/** The Lambda context, as used here. */
interface LambdaContext {
  getRemainingTimeInMillis?(): number;
}

/** Lambda entry point: a CloudFormation custom resource event, or the daily heartbeat. */
export async function handler(event: CustomResourceEvent | HeartbeatEvent, context?: LambdaContext): Promise<string | void> {
  const remaining = context?.getRemainingTimeInMillis?.() ?? 120_000;
  const deadline = AbortSignal.timeout(Math.max(1_000, remaining - ANSWER_MARGIN_MS));
  const deps: RegistrationDeps = { s3: s3For, now: () => new Date(), signal: deadline };
  if (isCustomResourceEvent(event)) {
    let result: CustomResourceResult;
    try {
      result = await onCustomResource(event, deps);
    } catch (e) {
      result = { status: event.RequestType === 'Delete' ? 'SUCCESS' : 'FAILED', reason: errorText(e), physicalResourceId: event.PhysicalResourceId ?? `customer-value-registration-${event.RequestId}` };
    }
    if (deadline.aborted && result.status === 'FAILED') {
      result = { ...result, reason: `the registry did not answer in time (${result.reason})` };
    }
    log(result.status === 'SUCCESS' ? 'INFO' : 'ERROR', `${event.RequestType} ${result.physicalResourceId}: ${result.status}: ${result.reason}`);
    await sendResponse(event, result);
    return;
  }
  if ((event as HeartbeatEvent)?.action === HEARTBEAT_ACTION) {
    return onHeartbeat(event as HeartbeatEvent, deps);
  }
  throw new Error(`unexpected event: ${JSON.stringify(event).slice(0, 200)}`);
}
