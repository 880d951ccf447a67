/**
 * The declarations of the cloud assemblies and of the organization's declaration registry together (issue 24): the
 * same service from both is one service; where its two records disagree, the difference is reported (the user's
 * stderr, the report's notes), never resolved silently; the registry's stale and refused entries are reported too.
 * Used by the CLI (`declaration-sources.ts`) and the scheduled value-review function: free of aws-cdk-lib and of the
 * AWS SDK (the function's bundle, test/lambda-bundles.test.ts).
 */
import { checkRecord } from './checked-record';
import type { DeclaredService } from './cloud-assembly';
import type { RegisteredService, RegistryReadResult } from '../../registry/reader';
import type { ReadRuleSet } from '../attribution/rules';

/** Declarations read from assemblies and the registry. `assemblies` lists every place read (the registry as its `s3://` address). */
export interface DeclarationSet {
  /** The assembly directories read, then the registry's `s3://bucket/prefix` when it was read. */
  readonly assemblies: string[];
  readonly services: DeclaredService[];
  /** What to tell the user on stderr (each once). */
  readonly warnings: string[];
  /** What the report's notes say about the declarations (stale entries, conflicts, what the registry held). */
  readonly notes: string[];
  /**
   * The attribution rule sets of the assemblies, then those the registry's live entries carry (a rule set both hold,
   * the same stack and name, is the assembly's). @default - none
   */
  readonly ruleSets?: ReadRuleSet[];
}

/** A registry named on the command line: `s3://bucket` or `s3://bucket/prefix/`. */
export interface RegistryUrl {
  readonly bucket: string;
  /** Empty or ending with `/`. */
  readonly prefix: string;
}

/** `s3://bucket[/prefix]` as bucket and prefix (a prefix without a trailing `/` gets one), or what is wrong with it. */
export function parseRegistryUrl(value: string): RegistryUrl | string {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(value);
  const expected = 'expected s3://BUCKET or s3://BUCKET/PREFIX/, the registry bucket the DeclarationRegistry created (its stack\'s output '
    + 'RegistryContext names it), e.g. s3://example-customer-value-registry/customer-value/';
  if (!m) {
    return `${JSON.stringify(value)} is not an S3 address: ${expected}`;
  }
  const [, bucket, rest = ''] = m;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    return `the bucket ${JSON.stringify(bucket)} is not an S3 bucket name (3-63 lowercase letters, digits, . and -): ${expected}`;
  }
  const prefix = rest === '' || rest.endsWith('/') ? rest : `${rest}/`;
  if (!/^([A-Za-z0-9!_.*'()-]+\/)*$/.test(prefix) || prefix.split('/').some((s) => s === '.' || s === '..')) {
    return `the prefix ${JSON.stringify(rest)} is not folders of letters, digits and !_.*'()- (no empty, . or .. folder): ${expected}`;
  }
  return { bucket, prefix };
}

/** The assembly directories of a set, without the registry's address (the local inputs a report must never overwrite). */
export function localAssemblies(set: { readonly assemblies: readonly string[] }): string[] {
  return set.assemblies.filter((a) => !a.startsWith('s3://'));
}

/**
 * The assemblies' services and the registry's together: a registry service whose stack and name an assembly declares
 * too (`mergeWithAssemblies`) is the same service, the assembly's record kept; where the two records differ in what
 * they declare, the difference is a warning and a note naming the service, the fields and both places. Stale and
 * refused entries and the reader's warnings become notes and warnings too.
 */
export function mergeRegistry(set: { assemblies: string[]; services: DeclaredService[]; warnings: string[]; ruleSets?: ReadRuleSet[] },
  registry: RegistryReadResult): DeclarationSet {
  const registered = registry.services.map((s): RegisteredService => ({ ...s, record: checkRecord(s.record, s.assembly) }));
  const notes: string[] = [];
  const warnings = [...set.warnings];
  const live = registered.length;
  const sets = registry.ruleSets.length;
  notes.push(`declarations from the registry ${registry.source}: ${live} service${live === 1 ? '' : 's'}`
    + `${sets > 0 ? ` and ${sets} attribution rule set${sets === 1 ? '' : 's'}` : ''} of ${registry.entries} entr${registry.entries === 1 ? 'y' : 'ies'}`
    + `${registry.withdrawn > 0 ? ` (${registry.withdrawn} withdrawn: their stacks' registrations were deleted)` : ''}`
    + `${registry.accountsChecked ? ', accounts checked against the organization' : ''}`);
  for (const s of registry.stale) {
    const what = [...s.services, ...s.ruleSets.map((r) => `rule set ${r}`)];
    const line = `stale registry entry left out: ${s.stackName} in ${s.account}/${s.region} (${what.join(', ') || 'no service'}): ${s.detail} `
      + `(s3://${registry.source.slice('s3://'.length).split('/')[0]}/${s.key})`;
    notes.push(line);
    warnings.push(line);
  }
  for (const r of registry.refused) {
    notes.push(r.message);
    warnings.push(r.message);
  }
  for (const w of registry.warnings) {
    notes.push(w);
    warnings.push(w);
  }
  const conflicts: string[] = [];
  const sameService = new Set<RegisteredService>();
  for (const r of registered) {
    // as the reader's mergeWithAssemblies: the same stack and name, in the same account and region when the assembly knows them
    const twin = set.services.find((a) => a.record.serviceName === r.record.serviceName && a.stack === r.stack
      && (a.account === undefined || a.account === r.account) && (a.region === undefined || a.region === r.region));
    if (!twin) {
      continue;
    }
    sameService.add(r);
    const fields = recordDifferences(twin.record, r.record);
    if (fields.length > 0) {
      conflicts.push(`service ${r.record.serviceName} (stack ${r.stack} in ${r.account}/${r.region}) is declared differently in the cloud assembly `
        + `${twin.assembly} and in the registry ${r.assembly}: ${fields.join('; ')}; the report uses the assembly's declaration `
        + '(deploy the stack to register it, or leave out --assembly to report what is deployed)');
    }
  }
  // the rule sets: as the services, the same rule set from both (its stack and name) is one, the assembly's
  const ruleSets = [...set.ruleSets ?? []];
  for (const r of registry.ruleSets) {
    const twin = (set.ruleSets ?? []).find((a) => a.record.ruleSet === r.record.ruleSet && a.record.stackName === r.record.stackName);
    if (!twin) {
      ruleSets.push({ record: r.record, where: r.where });
      continue;
    }
    if (JSON.stringify(twin.record) !== JSON.stringify(r.record)) {
      conflicts.push(`rule set ${r.record.ruleSet} (stack ${r.stack} in ${r.account}/${r.region}) is declared differently in ${twin.where} and in `
        + `the registry ${r.where}; the report uses the assembly's rules (deploy the stack to register them, or leave out --assembly to report `
        + 'what is deployed)');
    }
  }
  notes.push(...conflicts);
  warnings.push(...conflicts);
  return {
    assemblies: [...set.assemblies, registry.source],
    services: [...set.services, ...registered.filter((r) => !sameService.has(r))],
    warnings,
    notes,
    ...(ruleSets.length > 0 || set.ruleSets ? { ruleSets } : {}),
  };
}

/**
 * The declared fields two records of one service disagree on, each as `field: "a" (assembly) / "b" (registry)`.
 * What is derived from the day of synthesis (`valueReview.checkedOn`, `valueReview.status`) is not a difference.
 */
export function recordDifferences(a: DeclaredService['record'], b: DeclaredService['record']): string[] {
  const strip = (r: DeclaredService['record']): Record<string, unknown> => {
    const { valueReview, ...rest } = r as unknown as Record<string, any>;
    if (!valueReview) {
      return rest;
    }
    const { checkedOn: _c, status: _s, ...review } = valueReview;
    return { ...rest, valueReview: review };
  };
  const x = strip(a);
  const y = strip(b);
  const out: string[] = [];
  for (const field of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
    const left = JSON.stringify(x[field]);
    const right = JSON.stringify(y[field]);
    if (left !== right) {
      out.push(`${field} ${short(left)} (assembly) / ${short(right)} (registry)`);
    }
  }
  return out;
}

function short(json: string | undefined): string {
  if (json === undefined) {
    return 'absent';
  }
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

/** A report with notes added in front of its own (and in its JSON, when its JSON has notes or is an object). */
export function withNotes<R extends { readonly notes: string[]; readonly data: unknown }>(report: R, notes: readonly string[]): R {
  if (notes.length === 0) {
    return report;
  }
  const data = report.data;
  const withData = data !== null && typeof data === 'object' && !Array.isArray(data)
    ? { ...(data as Record<string, unknown>), notes: [...notes, ...(((data as { notes?: unknown }).notes as string[] | undefined) ?? [])] }
    : data;
  return { ...report, notes: [...notes, ...report.notes], data: withData };
}
