/**
 * What a registration event does to the entry at its key: a pure function of the entry as read and the event, so the
 * CloudFormation lifecycle cases are decided in one place and tested as a table (test/registry/lifecycle.test.ts).
 * The handler (`registration.lambda.ts`) reads the entry with its ETag, asks `decide`, and writes the answer with a
 * conditional write (If-Match the ETag read, or If-None-Match `*` when there was none): when another writer got there
 * first, S3 answers 412 and the handler reads and decides again.
 *
 * The cases (docs/registry.md):
 * - Create and Update write the stack's services under the registration's physical id (the entry's `owner`).
 * - Retried and duplicate events: Lambda invokes a custom resource's function asynchronously, retries it, and "even if
 *   your function doesn't return an error, it's possible for it to receive the same event from Lambda multiple times"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). Each entry keeps the ids of the
 *   last `MAX_REQUESTS` requests it applied; a request seen again changes nothing.
 * - Out of order (a create after a delete): each entry keeps the physical ids withdrawn at its key; a Create or an
 *   Update of a withdrawn physical id is a late event of a deleted registration and changes nothing. A physical id is
 *   made from its Create's request id, so a late copy of a Create names the id its Delete withdrew.
 * - An update that fails and rolls back: CloudFormation sends an Update with the old properties again
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html): a new request
 *   id, so it is applied, and the entry holds the old services again.
 * - A physical id change (the registry moved: another bucket or prefix): the Update writes under the new key with a new
 *   physical id, and CloudFormation then deletes the old physical id (crpg-ref-requesttypes-delete.html: "If the value
 *   returned is different, AWS CloudFormation recognizes the update as a replacement"). A Delete withdraws an entry
 *   only when the entry's `owner` is the physical id deleted: the Delete of an older registration at the same key
 *   records the id as withdrawn and leaves the newer entry live.
 * - A withdrawal keeps a tombstone (state `withdrawn`, no services) instead of deleting the object, so that the
 *   history above survives it; the registry's lifecycle rule removes tombstones, which no heartbeat refreshes.
 */
import {
  ENTRY_KIND, EntryIdentity, schemaOf, MAX_REQUESTS, MAX_WITHDRAWN, RegistryAddress, RegistryEntry, remember, entryKey,
} from './entry';
import { AttributionRulesRecord } from '../declaration/attribution-record';
import { ServiceDeclarationRecord } from '../declaration/record';

/** A CloudFormation event, as the lifecycle needs it. */
export interface RegistrationEvent {
  readonly type: 'Create' | 'Update' | 'Delete';
  readonly requestId: string;
  /** The physical id the event is about (for a Create: the one the handler gives it). */
  readonly physicalId: string;
  readonly identity: EntryIdentity;
  readonly stackId: string;
  /** The stack's services (Create and Update). */
  readonly services?: ServiceDeclarationRecord[];
  /** The stack's attribution rule sets (Create and Update). @default - none */
  readonly attribution?: AttributionRulesRecord[];
  /** ISO 8601. */
  readonly now: string;
}

/** What to do: write `entry`, or nothing; `reason` says why, for the log and the CloudFormation response. */
export interface Decision {
  readonly entry?: RegistryEntry;
  readonly reason: string;
}

/** Decides what `event` does to `current` (the entry at its key, undefined when there is none or it is unreadable). */
export function decide(current: RegistryEntry | undefined, event: RegistrationEvent): Decision {
  const requests = current?.requests ?? [];
  const withdrawn = current?.withdrawn ?? [];
  if (requests.includes(event.requestId)) {
    return { reason: `request ${event.requestId} was already applied (a duplicate or retried event): nothing to do` };
  }
  const base = {
    kind: ENTRY_KIND,
    schemaVersion: schemaOf(event.type === 'Delete' ? undefined : event.attribution),
    ...event.identity,
    stackId: event.stackId,
    requests: remember(requests, event.requestId, MAX_REQUESTS),
  } as const;
  if (event.type !== 'Delete') {
    if (withdrawn.includes(event.physicalId)) {
      return { reason: `the registration ${event.physicalId} was withdrawn already: this ${event.type} is a late event of a deleted registration, nothing to do` };
    }
    const services = event.services ?? [];
    const ruleSets = event.attribution ?? [];
    return {
      entry: {
        ...base,
        state: 'live',
        owner: event.physicalId,
        registeredAt: event.now,
        heartbeatAt: event.now,
        services,
        ...(ruleSets.length > 0 ? { attribution: ruleSets } : {}),
        withdrawn: [...withdrawn],
      },
      reason: `registered ${services.length} service(s)${services.length > 0 ? ` (${services.map((s) => s.serviceName).join(', ')})` : ''}`
        + `${ruleSets.length > 0 ? ` and ${ruleSets.length} attribution rule set(s) (${ruleSets.map((r) => r.ruleSet).join(', ')})` : ''}`,
    };
  }
  if (withdrawn.includes(event.physicalId)) {
    return { reason: `the registration ${event.physicalId} was withdrawn already: nothing to do` };
  }
  if (current !== undefined && current.state === 'live' && current.owner !== event.physicalId) {
    // an older registration at the same key (the registry moved and back, a replaced resource): the entry belongs to
    // the newer one, which stays live; the old id is remembered so that a late event of it changes nothing
    return {
      entry: { ...current, ...base, schemaVersion: schemaOf(current.attribution), withdrawn: remember(withdrawn, event.physicalId, MAX_WITHDRAWN) },
      reason: `the entry belongs to the registration ${current.owner}, not to ${event.physicalId}: left live`,
    };
  }
  return {
    entry: {
      ...base,
      state: 'withdrawn',
      owner: event.physicalId,
      registeredAt: event.now,
      heartbeatAt: event.now,
      services: [],
      withdrawn: remember(withdrawn, event.physicalId, MAX_WITHDRAWN),
    },
    reason: current?.state === 'live' ? `withdrew ${current.services.length} service(s)` : 'nothing was registered; the withdrawal is recorded',
  };
}

/**
 * What the daily heartbeat does: confirms a live entry (its `heartbeatAt`), or says why it cannot (the reader then
 * reports the entry stale once the heartbeat is older than its limit, and the function's error alarm goes off).
 */
export function heartbeat(current: RegistryEntry | undefined, now: string): { entry?: RegistryEntry; problem?: string } {
  if (current === undefined) {
    return {
      problem: 'there is no registry entry for this stack: the stack\'s registration was not written, or the entry was deleted by hand '
      + '(restore its previous version in the versioned registry bucket, or deploy a change of the stack\'s declarations)',
    };
  }
  if (current.state !== 'live') {
    return { problem: `the registry entry of this stack is withdrawn (by ${current.owner}) while the stack still runs its registration function` };
  }
  return { entry: { ...current, heartbeatAt: now } };
}

/** The physical id of a registration: where it writes, and the request that created it. */
export function physicalIdOf(address: RegistryAddress, identity: EntryIdentity, requestId: string): string {
  return `${locationOf(address, identity)}#${requestId}`;
}

/** The location part of a physical id (`s3://bucket/key`). */
export function locationOf(address: RegistryAddress, identity: EntryIdentity): string {
  return `s3://${address.bucket}/${entryKey(address.prefix, identity)}`;
}

/** The bucket and key a physical id writes to, or undefined when it is not one of ours. */
export function locationOfPhysicalId(physicalId: string | undefined): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)#[^#]+$/.exec(physicalId ?? '');
  return m ? { bucket: m[1], key: m[2] } : undefined;
}
