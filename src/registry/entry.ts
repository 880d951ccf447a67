/**
 * The declaration registry's entry: one JSON object per registered stack (per registration resource), written by the
 * stack's registration function (`registration.lambda.ts`) into the registry bucket, and read back by the readers
 * (`reader.ts`: the CLI and the scheduled value review). Free of aws-cdk-lib: both functions and the CLI load it.
 *
 * Where an entry lives (docs/registry.md):
 *
 *     <prefix>v1/<account>/<region>/<stack name>/<logical id>.json
 *
 * The account segment is the writer's own account: the registry's bucket policy lets a principal of the organization
 * write only under `<prefix>v1/${aws:PrincipalAccount}/`, so a reader trusts the key's account, not the body's.
 *
 * The services are the `customer-value:service` records of the stack, exactly as the cloud-assembly metadata holds
 * them (`declaration/record.ts`), checked with the same rules (`declaration/record-rules.ts`) by the writer before it
 * writes and by every reader. The stack's attribution rule sets travel the same way (`attribution`: its
 * `customer-value:attribution` records, checked with `attributionRecordProblems`); an entry holding any is schema 2,
 * so that a reader too old to apply them refuses the entry (naming the upgrade) instead of leaving the rules out.
 */
import { AttributionRulesRecord } from '../declaration/attribution-record';
import { attributionRecordProblems } from '../declaration/attribution-record-rules';
import { describe } from '../declaration/field-rules';
import { ServiceDeclarationRecord } from '../declaration/record';
import { recordProblems } from '../declaration/record-rules';

/** The `action` of the daily heartbeat's event (the registration function's input). */
export const HEARTBEAT_ACTION = 'customer-value.registry.heartbeat';
/** The `kind` of an entry. */
export const ENTRY_KIND = 'customer-value:registry-entry';
/**
 * The newest entry schema this version reads (bump on incompatible changes; readers refuse newer ones). Writers write
 * 1 for an entry of services only (every reader reads it) and 2 for one that holds attribution rule sets
 * (`schemaOf`).
 */
export const ENTRY_SCHEMA = 2;
/** The schema of an entry without attribution rule sets. */
export const SERVICES_ONLY_SCHEMA = 1;
/** The prefix entries are written under when none is given. */
export const DEFAULT_REGISTRY_PREFIX = 'customer-value/';
/** The folder of this entry schema under the registry's prefix. */
export const ENTRY_FOLDER = 'v1/';
/** Applied request ids kept in an entry (CloudFormation request ids are UUIDs): duplicates of these are ignored. */
export const MAX_REQUESTS = 50;
/** Withdrawn physical resource ids kept in an entry: late events of these resources are ignored. */
export const MAX_WITHDRAWN = 20;
/** The largest entry a writer writes and a reader reads (two copies travel in a CloudFormation event). */
export const MAX_ENTRY_BYTES = 200_000;

/** An AWS account id. */
export const ACCOUNT_PATTERN = /^\d{12}$/;
/** A region name (e.g. `eu-west-1`, `us-gov-west-1`). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** A CloudFormation stack name. */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/** A CloudFormation logical id. */
export const LOGICAL_ID_PATTERN = /^[A-Za-z0-9]{1,255}$/;
/** The registry's prefix: empty, or folders ending with `/` (no leading `/`, no `..`). */
export const PREFIX_PATTERN = /^([A-Za-z0-9!_.*'()-]+\/)*$/;

/** `live`: the stack's services are declared; `withdrawn`: the registration was deleted (a tombstone). */
export type EntryState = 'live' | 'withdrawn';

export interface RegistryEntry {
  readonly kind: typeof ENTRY_KIND;
  readonly schemaVersion: number;
  readonly state: EntryState;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** The stack's ARN (its id): a stack deleted and created again under the same name has another one. */
  readonly stackId: string;
  /** The logical id of the registration resource in the stack. */
  readonly logicalId: string;
  /** The physical resource id of the registration that wrote the entry (the one a Delete must match). */
  readonly owner: string;
  /** When the entry was last written from a CloudFormation event (ISO 8601). */
  readonly registeredAt: string;
  /** When the stack's registration function last confirmed the entry (its daily heartbeat), ISO 8601. */
  readonly heartbeatAt: string;
  /** The services of the stack (none when withdrawn). */
  readonly services: ServiceDeclarationRecord[];
  /** The stack's attribution rule sets (schema 2; absent when it has none, and when withdrawn). */
  readonly attribution?: AttributionRulesRecord[];
  /** The CloudFormation request ids applied to the entry, newest last (at most `MAX_REQUESTS`). */
  readonly requests: string[];
  /** Physical resource ids withdrawn at this key, newest last (at most `MAX_WITHDRAWN`). */
  readonly withdrawn: string[];
}

/** Where a registry is: the bucket, its region and the prefix entries are written under. */
export interface RegistryAddress {
  readonly bucket: string;
  readonly region: string;
  /** Empty or ending with `/`. */
  readonly prefix: string;
}

/** What identifies an entry: the stack and the registration resource. */
export interface EntryIdentity {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly logicalId: string;
}

/** The folder every entry of this schema is under. */
export function entriesPrefix(prefix: string): string {
  return `${prefix}${ENTRY_FOLDER}`;
}

/** The folder of one account's entries: the only place that account may write. */
export function accountPrefix(prefix: string, account: string): string {
  return `${entriesPrefix(prefix)}${account}/`;
}

/** The object key of an entry. */
export function entryKey(prefix: string, id: EntryIdentity): string {
  return `${accountPrefix(prefix, id.account)}${id.region}/${id.stackName}/${id.logicalId}.json`;
}

/** The identity a key names, or a problem with the key (a reader lists keys written by hand too). */
export function parseEntryKey(prefix: string, key: string): EntryIdentity | string {
  const root = entriesPrefix(prefix);
  if (!key.startsWith(root)) {
    return `the key is not under ${root}`;
  }
  const parts = key.slice(root.length).split('/');
  if (parts.length !== 4 || !parts[3].endsWith('.json')) {
    return `the key is not <account>/<region>/<stack name>/<logical id>.json under ${root}`;
  }
  const [account, region, stackName, file] = parts;
  const logicalId = file.slice(0, -'.json'.length);
  if (!ACCOUNT_PATTERN.test(account)) return `the key's account ${JSON.stringify(account)} is not a 12-digit account id`;
  if (!REGION_PATTERN.test(region)) return `the key's region ${JSON.stringify(region)} is not a region name`;
  if (!STACK_NAME_PATTERN.test(stackName)) return `the key's stack name ${JSON.stringify(stackName)} is not a CloudFormation stack name`;
  if (!LOGICAL_ID_PATTERN.test(logicalId)) return `the key's logical id ${JSON.stringify(logicalId)} is not a CloudFormation logical id`;
  return { account, region, stackName, logicalId };
}

/** The prefix and identity of an entry's key, whatever the prefix (the key of a physical id), or undefined. */
export function splitEntryKey(key: string): { prefix: string; identity: EntryIdentity } | undefined {
  const parts = key.split('/');
  if (parts.length < 5 || `${parts[parts.length - 5]}/` !== ENTRY_FOLDER) {
    return undefined;
  }
  const folders = parts.slice(0, -5);
  const prefix = folders.length > 0 ? `${folders.join('/')}/` : '';
  const identity = PREFIX_PATTERN.test(prefix) ? parseEntryKey(prefix, key) : undefined;
  return identity !== undefined && typeof identity !== 'string' ? { prefix, identity } : undefined;
}

/** The identity of a stack's registration from the stack's ARN (`arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`). */
export function identityOfStack(stackId: string, logicalId: string): EntryIdentity | string {
  const m = /^arn:[a-z-]+:cloudformation:([a-z0-9-]+):(\d{12}):stack\/([A-Za-z][A-Za-z0-9-]*)\/[^/]+$/.exec(stackId);
  if (!m) {
    return `StackId ${JSON.stringify(stackId)} is not a CloudFormation stack ARN`;
  }
  if (!LOGICAL_ID_PATTERN.test(logicalId)) {
    return `LogicalResourceId ${JSON.stringify(logicalId)} is not a CloudFormation logical id`;
  }
  return { region: m[1], account: m[2], stackName: m[3], logicalId };
}

/** Problems of a registry address (the construct's props, the context, the custom resource's properties). */
export function addressProblems(address: { bucket?: unknown; region?: unknown; prefix?: unknown }, field: string): string[] {
  const problems: string[] = [];
  const b = address.bucket;
  if (typeof b !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b) || b.includes('..')) {
    problems.push(`${field}.bucketName is ${describe(b)}: expected the registry bucket's name (3-63 lowercase letters, digits, . and -)`);
  }
  if (typeof address.region !== 'string' || !REGION_PATTERN.test(address.region)) {
    problems.push(`${field}.region is ${describe(address.region)}: expected the registry bucket's region, e.g. "eu-west-1"`);
  }
  const p = address.prefix;
  if (p !== undefined && (typeof p !== 'string' || !PREFIX_PATTERN.test(p) || p.length > 200)) {
    problems.push(`${field}.prefix is ${describe(p)}: expected folders ending with "/" (letters, digits and !_.*'()-, at most 200 characters), `
      + 'e.g. "customer-value/", or leave it out');
  }
  return problems;
}

/**
 * Every problem of an entry read from `key` (empty when sound): its shape, that it is where its key says (account,
 * region, stack, logical id), and each service record by the construct's rules, named by service and field.
 */
export function entryProblems(data: unknown, identity: EntryIdentity): string[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [`the entry is ${describe(data)}, expected an object`];
  }
  const e = data as Record<string, any>;
  if (e.kind !== ENTRY_KIND) {
    return [`kind is ${describe(e.kind)}: expected "${ENTRY_KIND}"`];
  }
  if (typeof e.schemaVersion !== 'number' || !Number.isInteger(e.schemaVersion) || e.schemaVersion < 1) {
    return [`schemaVersion is ${describe(e.schemaVersion)}: expected the number of the entry's schema (${ENTRY_SCHEMA})`];
  }
  if (e.schemaVersion > ENTRY_SCHEMA) {
    return [`schemaVersion is ${e.schemaVersion}, this version of cdk-customer-value reads registry entries up to ${ENTRY_SCHEMA}: upgrade cdk-customer-value`];
  }
  const problems: string[] = [];
  if (e.state !== 'live' && e.state !== 'withdrawn') {
    problems.push(`state is ${describe(e.state)}: expected "live" or "withdrawn"`);
  }
  for (const f of ['account', 'region', 'stackName', 'logicalId'] as const) {
    if (e[f] !== identity[f]) {
      problems.push(`${f} is ${describe(e[f])}, but the entry's key says ${JSON.stringify(identity[f])}: an entry is written under its own stack's key`);
    }
  }
  for (const f of ['stackId', 'owner']) {
    if (typeof e[f] !== 'string' || e[f] === '') {
      problems.push(`${f} is ${describe(e[f])}: expected a non-empty string`);
    }
  }
  for (const f of ['registeredAt', 'heartbeatAt']) {
    if (typeof e[f] !== 'string' || Number.isNaN(Date.parse(e[f])) || !/^\d{4}-\d{2}-\d{2}T/.test(e[f])) {
      problems.push(`${f} is ${describe(e[f])}: expected an ISO 8601 time, e.g. "2026-10-01T06:00:00.000Z"`);
    }
  }
  for (const f of ['requests', 'withdrawn']) {
    if (!Array.isArray(e[f]) || e[f].some((x: unknown) => typeof x !== 'string')) {
      problems.push(`${f} is ${describe(e[f])}: expected a list of ids`);
    }
  }
  if (!Array.isArray(e.services)) {
    problems.push(`services is ${describe(e.services)}: expected the list of the stack's service records`);
    return problems;
  }
  if (e.state === 'withdrawn' && e.services.length > 0) {
    problems.push(`services holds ${e.services.length} record(s), but the entry is withdrawn: a withdrawn entry declares no service`);
  }
  problems.push(...servicesProblems(e.services, identity.stackName));
  if (e.attribution !== undefined) {
    if (!Array.isArray(e.attribution)) {
      problems.push(`attribution is ${describe(e.attribution)}: expected the list of the stack's customer-value:attribution records`);
    } else {
      if (e.schemaVersion < 2) {
        problems.push(`attribution holds rule sets, but schemaVersion is ${e.schemaVersion}: an entry with rule sets is schema 2`);
      }
      if (e.state === 'withdrawn' && e.attribution.length > 0) {
        problems.push(`attribution holds ${e.attribution.length} rule set(s), but the entry is withdrawn: a withdrawn entry declares no rule`);
      }
      problems.push(...ruleSetsProblems(e.attribution, identity.stackName));
    }
  }
  return problems;
}

/** The schema version of an entry holding `ruleSets`. */
export function schemaOf(ruleSets: readonly unknown[] | undefined): number {
  return ruleSets !== undefined && ruleSets.length > 0 ? ENTRY_SCHEMA : SERVICES_ONLY_SCHEMA;
}

/**
 * The problems of the records of a stack's services: each by the construct's rules, prefixed with the service and the
 * field (`services[0] (service "checkout"): customerNeed is "TBD": ...`); a service declared twice; a record of
 * another stack.
 */
export function servicesProblems(services: readonly unknown[], stackName: string): string[] {
  return stackRecordsProblems(services, stackName, { field: 'services', what: 'service', name: 'serviceName', check: recordProblems });
}

/**
 * The problems of a stack's attribution rule sets: each by the rules the construct applied at synth
 * (`attributionRecordProblems`), prefixed with the rule set (`attribution[0] (rule set "shared"): rules[1] ...`); a
 * rule set named twice in the stack; a record of another stack.
 */
export function ruleSetsProblems(ruleSets: readonly unknown[], stackName: string): string[] {
  return stackRecordsProblems(ruleSets, stackName, { field: 'attribution', what: 'rule set', name: 'ruleSet', check: (r) => attributionRecordProblems(r) });
}

/** The records of one stack (services or rule sets): each checked, named once, of that stack. */
function stackRecordsProblems(records: readonly unknown[], stackName: string,
  o: { field: string; what: string; name: string; check: (record: unknown) => string[] }): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  records.forEach((record, i) => {
    const name = (record as Record<string, unknown> | null)?.[o.name];
    const where = `${o.field}[${i}]${typeof name === 'string' && name !== '' ? ` (${o.what} ${JSON.stringify(name)})` : ''}`;
    const found = o.check(record);
    problems.push(...found.map((p) => `${where}: ${p}`));
    if (found.length > 0) {
      return;
    }
    if (seen.has(name as string)) {
      problems.push(`${where}: ${o.name} ${JSON.stringify(name)} is declared twice in the entry`);
    }
    seen.add(name as string);
    const stack = (record as { stackName: string }).stackName;
    if (stack !== stackName) {
      problems.push(`${where}: stackName is ${JSON.stringify(stack)}, but the entry is the stack ${JSON.stringify(stackName)}'s`);
    }
  });
  return problems;
}

/** Keeps the newest `max` ids of `list` after adding `id` (once). */
export function remember(list: readonly string[], id: string, max: number): string[] {
  return [...list.filter((x) => x !== id), id].slice(-max);
}
