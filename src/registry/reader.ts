/**
 * Reads the organization's declaration registry: lists the entries (bounded pages, each call within a timeout), reads
 * and validates each with the construct's rules (`entry.ts`, `declaration/record-rules.ts`), leaves out withdrawn
 * entries, reports stale ones (no heartbeat for `staleAfterDays`; an account that left the organization or is closed,
 * when the reader may list the organization's accounts), dedupes, and returns the services in the shape the CLI reads
 * from cloud assemblies (`DeclaredService` in src/cli/assembly.ts: `record`, `assembly`, `stage`, `stack`, `account`,
 * `region`), so the CLI and the scheduled value review merge them with assembly records (`mergeWithAssemblies`).
 *
 * Free of aws-cdk-lib: the scheduled value-review function bundles it (test/lambda-bundles.test.ts).
 */
// the SDK: Lambda provides it to the functions that read the registry; the CLI bundles it (a bundled dependency)
/* eslint-disable import/no-extraneous-dependencies */
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
/* eslint-enable import/no-extraneous-dependencies */
import { entriesPrefix, entryProblems, MAX_ENTRY_BYTES, parseEntryKey, PREFIX_PATTERN, RegistryEntry } from './entry';
import { AttributionRulesRecord } from '../declaration/attribution-record';
import { ServiceDeclarationRecord } from '../declaration/record';
import { callSignal, errorText, readObject, Sender } from './private/store';

/** An error's name and first line, as the registry's messages give it (for readers outside src/registry/, e.g. the value-review function). */
export { errorText };

/** A service read from the registry: a `DeclaredService` (src/cli/assembly.ts) with where it was registered. */
export interface RegisteredService {
  readonly record: ServiceDeclarationRecord;
  /** Where it was read: `s3://<bucket>/<key>` (the entry). */
  readonly assembly: string;
  readonly stage?: string;
  /** The CloudFormation stack name. */
  readonly stack: string;
  readonly account?: string;
  readonly region?: string;
  /** The entry it comes from. */
  readonly registry: {
    readonly key: string;
    readonly stackId: string;
    readonly registeredAt: string;
    readonly heartbeatAt: string;
  };
}

/**
 * An attribution rule set read from the registry: what `ReadRuleSet` (src/cost-data/attribution/rules.ts) is for a
 * cloud assembly's, with the stack it was registered by.
 */
export interface RegisteredRuleSet {
  readonly record: AttributionRulesRecord;
  /** Where it was read, for messages: `s3://<bucket>/<key> (stack <name>, <construct path>)`, as for an assembly's. */
  readonly where: string;
  readonly stack: string;
  readonly account: string;
  readonly region: string;
}

/** Why an entry is stale. */
export type StaleReason = 'no-heartbeat' | 'account-not-in-organization' | 'account-not-active';

/** An entry left out because its stack or its account is gone. */
export interface StaleEntry {
  readonly key: string;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly services: string[];
  /** The names of the entry's attribution rule sets (left out with it). */
  readonly ruleSets: string[];
  readonly reason: StaleReason;
  /** The reason in a sentence. */
  readonly detail: string;
}

/** An entry that is not a valid registry entry (`strict: false` only; else the read fails with `RegistryError`). */
export interface RefusedEntry {
  readonly key: string;
  readonly message: string;
}

export interface RegistryReadResult {
  /** Where the registry was read: `s3://<bucket>/<prefix>`. */
  readonly source: string;
  /** Live services of live entries, deduped (one per account, region, stack and service name). */
  readonly services: RegisteredService[];
  /** The attribution rule sets of live entries, by entry key. */
  readonly ruleSets: RegisteredRuleSet[];
  readonly stale: StaleEntry[];
  readonly refused: RefusedEntry[];
  /** Entries read (live, withdrawn, stale and refused). */
  readonly entries: number;
  /** Withdrawn entries (their stacks' registrations were deleted). */
  readonly withdrawn: number;
  /** Whether the accounts were checked against the organization (ListAccounts). */
  readonly accountsChecked: boolean;
  /** Things the user should know (each once). */
  readonly warnings: string[];
}

export interface RegistryReaderOptions {
  readonly bucket: string;
  /** Empty or ending with `/`. @default '' */
  readonly prefix?: string;
  /** An S3 client for the bucket's region. */
  readonly s3: Sender;
  /**
   * An AWS Organizations client: the entries of accounts that are not ACTIVE members of the organization are stale.
   * ListAccounts answers only in the management account or a delegated administrator account; elsewhere (access
   * denied) the check is skipped with a warning, and the heartbeat alone tells stale entries. @default - not checked
   */
  readonly organizations?: Sender;
  /** @default new Date() */
  readonly now?: Date;
  /** Days without a heartbeat after which an entry is stale (its function confirms it daily). @default 3 */
  readonly staleAfterDays?: number;
  /** Most pages read from one list call. @default 100 (100 000 entries) */
  readonly maxPages?: number;
  /** Keys per list page (1 to 1000). @default 1000 */
  readonly pageSize?: number;
  /** Entries read at once. @default 8 */
  readonly concurrency?: number;
  /** Aborts every call when it fires (a deadline, an interrupt). */
  readonly signal?: AbortSignal;
  /** Fail on the first invalid entry (`RegistryError`), or return it in `refused`. @default true */
  readonly strict?: boolean;
  /** Long reads report progress here. */
  readonly progress?: (message: string) => void;
}

/** A registry that cannot be read, or an entry refused: one line naming the object key, the service and the field. */
export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const DEFAULT_STALE_AFTER_DAYS = 3;
export const DEFAULT_MAX_PAGES = 100;
const DAY_MS = 86_400_000;
/** Organizations returns at most 20 accounts a page. */
const ACCOUNTS_PAGE = 20;

/** Reads the registry (see the file's header). */
export async function readRegistry(options: RegistryReaderOptions): Promise<RegistryReadResult> {
  const prefix = options.prefix ?? '';
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new RegistryError(`the registry prefix ${JSON.stringify(prefix)} is not folders ending with "/" (e.g. "customer-value/"), nor empty`);
  }
  const source = `s3://${options.bucket}/${prefix}`;
  const now = options.now ?? new Date();
  const staleAfter = options.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
  if (!Number.isFinite(staleAfter) || staleAfter <= 0) {
    throw new RegistryError(`staleAfterDays is ${staleAfter}: expected a positive number of days (the heartbeat is daily; 3 allows two missed days)`);
  }
  const strict = options.strict !== false;
  const keys = await listKeys(options, entriesPrefix(prefix));
  const warnings: string[] = [];
  const accounts = options.organizations ? await organizationAccounts(options, warnings) : undefined;

  const refused: RefusedEntry[] = [];
  const refuse = (key: string, message: string) => {
    const line = `the registry entry s3://${options.bucket}/${key} is refused: ${message}`;
    if (strict) {
      throw new RegistryError(line);
    }
    refused.push({ key, message: line });
  };
  const entries: Array<{ key: string; entry: RegistryEntry }> = [];
  await inPool(keys, options.concurrency ?? 8, async (key) => {
    const identity = parseEntryKey(prefix, key);
    if (typeof identity === 'string') {
      refuse(key, `${identity}; only the registration functions write under ${entriesPrefix(prefix)}`);
      return;
    }
    let text: string | undefined;
    try {
      const read = await readObject(options.s3, options.bucket, key, MAX_ENTRY_BYTES, options.signal);
      if (read.absent) {
        return; // withdrawn by its lifecycle rule between the list and the read
      }
      text = read.text;
    } catch (e) {
      throw new RegistryError(`cannot read the registry entry s3://${options.bucket}/${key}: ${errorText(e)}${accessHint(e)}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text ?? '');
    } catch (e) {
      refuse(key, `it is not JSON (${errorText(e)}); entries are written by the stacks' registration functions, never by hand`);
      return;
    }
    const problems = entryProblems(data, identity);
    if (problems.length > 0) {
      refuse(key, `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})` : ''}`
        + `${problems[0].startsWith('schemaVersion') ? '' : '; entries are written by the stacks\' registration functions: correct the declaration and deploy the stack again, never edit them'}`);
      return;
    }
    entries.push({ key, entry: data as RegistryEntry });
  });
  entries.sort((a, b) => a.key.localeCompare(b.key));

  const stale: StaleEntry[] = [];
  const live: Array<{ key: string; entry: RegistryEntry }> = [];
  let withdrawn = 0;
  for (const item of entries) {
    const { entry, key } = item;
    if (entry.state === 'withdrawn') {
      withdrawn++;
      continue;
    }
    const reason = staleness(entry, now, staleAfter, accounts);
    if (reason) {
      stale.push({
        key,
        account: entry.account,
        region: entry.region,
        stackName: entry.stackName,
        services: entry.services.map((s) => s.serviceName),
        ruleSets: (entry.attribution ?? []).map((r) => r.ruleSet),
        ...reason,
      });
      continue;
    }
    live.push(item);
  }
  return {
    source,
    services: dedupe(live.flatMap(({ key, entry }) => entry.services.map((record): RegisteredService => ({
      record,
      assembly: `s3://${options.bucket}/${key}`,
      stack: entry.stackName,
      account: entry.account,
      region: entry.region,
      registry: { key, stackId: entry.stackId, registeredAt: entry.registeredAt, heartbeatAt: entry.heartbeatAt },
    })))),
    ruleSets: live.flatMap(({ key, entry }) => (entry.attribution ?? []).map((record): RegisteredRuleSet => ({
      record,
      where: `s3://${options.bucket}/${key} (stack ${entry.stackName}, ${record.constructPath})`,
      stack: entry.stackName,
      account: entry.account,
      region: entry.region,
    }))),
    stale,
    refused,
    entries: entries.length + refused.length,
    withdrawn,
    accountsChecked: accounts !== undefined,
    warnings,
  };
}

/** Why a live entry is stale, or undefined. */
function staleness(entry: RegistryEntry, now: Date, staleAfterDays: number, accounts: Map<string, string> | undefined):
{ reason: StaleReason; detail: string } | undefined {
  if (accounts !== undefined) {
    const state = accounts.get(entry.account);
    if (state === undefined) {
      return { reason: 'account-not-in-organization', detail: `account ${entry.account} is not in the organization (it left, or was removed)` };
    }
    if (state !== 'ACTIVE') {
      return { reason: 'account-not-active', detail: `account ${entry.account} is ${state} in the organization` };
    }
  }
  const beat = Date.parse(entry.heartbeatAt);
  const days = (now.getTime() - beat) / DAY_MS;
  if (days > staleAfterDays) {
    return {
      reason: 'no-heartbeat',
      detail: `no heartbeat since ${entry.heartbeatAt} (${Math.floor(days)} days, more than ${staleAfterDays}): the stack ${entry.stackName} `
        + `in ${entry.account}/${entry.region} is gone, or its registration function fails (its error alarm says why)`,
    };
  }
  return undefined;
}

/** One service per account, region, stack and name: an entry registered last wins (two registrations of one stack while a construct moves). */
function dedupe(services: RegisteredService[]): RegisteredService[] {
  const byKey = new Map<string, RegisteredService>();
  for (const s of services) {
    const k = [s.account, s.region, s.stack, s.record.serviceName].join('/');
    const other = byKey.get(k);
    if (!other || other.registry.registeredAt < s.registry.registeredAt) {
      byKey.set(k, s);
    }
  }
  return [...byKey.values()];
}

/** What `mergeWithAssemblies` reads of an assembly's service. */
export interface AssemblyServiceLike {
  readonly record: { readonly serviceName: string };
  readonly stack: string;
  readonly account?: string;
  readonly region?: string;
}

/**
 * The services of cloud assemblies and of the registry together, "the same service from both is one service": a
 * registry service whose stack and name an assembly declares too (in the same account and region when the assembly
 * knows them) is left out, the assembly's record kept (it is what the user pointed at, possibly not deployed yet).
 */
export function mergeWithAssemblies<T extends AssemblyServiceLike>(
  fromAssemblies: readonly T[], fromRegistry: readonly RegisteredService[]): Array<T | RegisteredService> {
  const known = (r: RegisteredService) => fromAssemblies.some((a) => a.record.serviceName === r.record.serviceName && a.stack === r.stack
    && (a.account === undefined || a.account === r.account) && (a.region === undefined || a.region === r.region));
  return [...fromAssemblies, ...fromRegistry.filter((r) => !known(r))];
}

async function listKeys(options: RegistryReaderOptions, prefix: string): Promise<string[]> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const keys: string[] = [];
  const tokens = new Set<string>();
  let token: string | undefined;
  for (let page = 1; ; page++) {
    if (page > maxPages) {
      throw new RegistryError(`stopped listing s3://${options.bucket}/${prefix} after ${maxPages} pages (${keys.length} entries): `
        + 'raise the page limit, or check the prefix');
    }
    let out: any;
    try {
      const command = new ListObjectsV2Command({
        Bucket: options.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: options.pageSize ?? 1000,
      });
      out = await options.s3.send(command, { abortSignal: callSignal(options.signal) });
    } catch (e) {
      throw new RegistryError(`cannot list the registry s3://${options.bucket}/${prefix}: ${errorText(e)}${accessHint(e)}`);
    }
    for (const o of out.Contents ?? []) {
      if (typeof o.Key === 'string' && !o.Key.endsWith('/')) {
        keys.push(o.Key);
      }
    }
    if (!out.IsTruncated) {
      return keys;
    }
    token = out.NextContinuationToken;
    if (!token || tokens.has(token)) {
      throw new RegistryError(`S3 answered page ${page} of s3://${options.bucket}/${prefix} with ${token ? 'a continuation token it gave before' : 'no continuation token'} `
        + 'while saying more entries follow: stopped');
    }
    tokens.add(token);
    if (page % 10 === 0) {
      options.progress?.(`registry: ${keys.length} entries listed`);
    }
  }
}

/** The organization's accounts and their state, or undefined (with a warning) when the reader may not list them. */
async function organizationAccounts(options: RegistryReaderOptions, warnings: string[]): Promise<Map<string, string> | undefined> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const accounts = new Map<string, string>();
  const tokens = new Set<string>();
  let token: string | undefined;
  for (let page = 1; ; page++) {
    if (page > maxPages) {
      warnings.push(`the organization's accounts were not checked: more than ${maxPages} pages of ${ACCOUNTS_PAGE} accounts; stale entries are told by their heartbeat only`);
      return undefined;
    }
    let out: any;
    try {
      const command = new ListAccountsCommand({ NextToken: token, MaxResults: ACCOUNTS_PAGE });
      out = await options.organizations!.send(command, { abortSignal: callSignal(options.signal) });
    } catch (e) {
      warnings.push(`the organization's accounts were not checked (${errorText(e)}): ListAccounts answers in the management account or a `
        + 'delegated administrator account only; stale entries are told by their heartbeat only');
      return undefined;
    }
    for (const a of out.Accounts ?? []) {
      if (typeof a.Id === 'string') {
        // State (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, ...) replaces the deprecated Status
        accounts.set(a.Id, String(a.State ?? a.Status ?? 'ACTIVE').toUpperCase());
      }
    }
    token = out.NextToken;
    if (!token) {
      return accounts;
    }
    if (tokens.has(token)) {
      warnings.push('the organization\'s accounts were not checked: ListAccounts repeated a page token; stale entries are told by their heartbeat only');
      return undefined;
    }
    tokens.add(token);
  }
}

/** Runs `fn` over `items`, at most `concurrency` at once; the first failure stops the rest. */
async function inPool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure !== undefined) {
    throw failure;
  }
}

function accessHint(e: unknown): string {
  const name = (e as Error)?.name;
  return name === 'AccessDenied' || name === 'Forbidden'
    ? ' (readers need s3:ListBucket and s3:GetObject on the registry\'s prefix: DeclarationRegistry.grantRead)' : '';
}
