import * as fs from 'fs';
import * as path from 'path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { StackMember } from './stack-services';
import { ATTRIBUTION_METADATA_TYPE, AttributionRulesRecord } from '../../declaration/attribution-record';
import { attributionRecordProblems, refusedAttributionRecord } from '../../declaration/attribution-record-rules';
import { MEMBER_METADATA_TYPE, SERVICE_METADATA_TYPE, ServiceDeclarationRecord } from '../../declaration/record';
import { ReadRuleSet } from '../attribution/rules';
import { firstLine, CostDataError } from '../errors';
import { describeFsCode } from '../paths';
import { checkRecord } from './checked-record';

/** A `customer-value:service` record read back from a cloud assembly, with where it was found. */
export interface DeclaredService {
  readonly record: ServiceDeclarationRecord;
  /** Directory of the (top-level) cloud assembly it was read from. */
  readonly assembly: string;
  /** Stage path for stacks in nested assemblies (CDK Pipelines stages), e.g. `Prod` or `Pipeline/Prod`. */
  readonly stage?: string;
  /** CloudFormation stack name. */
  readonly stack: string;
  /** Account and region of the stack, when known at synth. */
  readonly account?: string;
  readonly region?: string;
}

export interface AssemblySet {
  /** The assembly directories read (and the registry's `s3://` address when one was read: `declaration-sources.ts`). */
  readonly assemblies: string[];
  readonly services: DeclaredService[];
  /** Things the user should know (each once). */
  readonly warnings: string[];
  /** The `customer-value:attribution` rule sets (docs/attribution.md), checked. @default - none */
  readonly ruleSets?: ReadRuleSet[];
  /**
   * The stacks services reach through `include()` (`customer-value:member` records, docs/attribution.md section 3).
   * @default - none (the registry does not carry them)
   */
  readonly members?: StackMember[];
}


/** Most entries read from a directory of assemblies, and most assemblies taken from it: a bounded scan. */
const MAX_ENTRIES = 2000;
const MAX_ASSEMBLIES = 200;

/**
 * Reads the declared services from one or more cloud assemblies (`cdk.out`), through the cloud-assembly API
 * (stack metadata may live in `<stack>.metadata.json`), including nested assemblies (stages).
 *
 * Each path is a cloud assembly directory (with `manifest.json`), its `manifest.json`, or a directory whose
 * immediate subdirectories are cloud assemblies (e.g. `cdk.out/<app>/` per app).
 */
export function readAssemblies(paths: readonly string[], cwd: string = process.cwd()): AssemblySet {
  const dirs: string[] = [];
  for (const p of paths) {
    for (const dir of assemblyDirs(p, cwd)) {
      if (!dirs.includes(dir)) {
        dirs.push(dir);
      }
    }
  }
  const services: DeclaredService[] = [];
  const ruleSets: ReadRuleSet[] = [];
  const members: StackMember[] = [];
  for (const dir of dirs) {
    checkManifest(dir);
    services.push(...readAssembly(dir, ruleSets, members));
  }
  return { assemblies: dirs, services, warnings: [], ruleSets, ...(members.length > 0 ? { members } : {}) };
}

/** `p` as the user wrote it is used in messages; `cwd` resolves it. */
function assemblyDirs(p: string, cwd: string): string[] {
  const abs = path.resolve(cwd, p);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new CostDataError(`no cloud assembly at "${p}": the path does not exist; run "cdk synth" first, or pass --assembly <cdk.out directory>`);
    }
    throw new CostDataError(`cannot read the cloud assembly at "${p}": ${describeFsCode(e) ?? firstLine((e as Error).message)}`);
  }
  if (stat.isFile()) {
    if (path.basename(abs) === 'manifest.json') {
      return [path.dirname(abs)];
    }
    throw new CostDataError(`"${p}" is a file: --assembly expects a cloud assembly directory (containing manifest.json) or a directory of them`);
  }
  if (fs.existsSync(path.join(abs, 'manifest.json'))) {
    return [abs];
  }
  // A directory of assemblies (one per app): its immediate subdirectories only, and a bounded number of them, so that
  // pointing --assembly at a large directory (the system temporary directory, a home directory) fails fast.
  const children: string[] = [];
  let dir: fs.Dir | undefined;
  try {
    dir = fs.opendirSync(abs);
    for (let entry = dir.readSync(); entry; entry = dir.readSync()) {
      if (children.length >= MAX_ENTRIES) {
        throw new CostDataError(`"${p}" is not a cloud assembly, and has more than ${MAX_ENTRIES} entries to look through for one: `
          + 'pass --assembly <cdk.out directory> (or the directory holding your apps\' cloud assemblies)');
      }
      children.push(entry.name);
    }
  } catch (e) {
    if (e instanceof CostDataError) {
      throw e;
    }
    throw new CostDataError(`cannot read the directory "${p}": ${describeFsCode(e) ?? firstLine((e as Error).message)}`);
  } finally {
    dir?.closeSync();
  }
  const nested = children.sort()
    .map((c) => path.join(abs, c))
    .filter((c) => fs.existsSync(path.join(c, 'manifest.json')));
  if (nested.length === 0) {
    throw new CostDataError(`no cloud assembly in "${p}": it has no manifest.json, nor do its subdirectories; run "cdk synth" first, `
      + 'or pass --assembly <cdk.out directory>');
  }
  if (nested.length > MAX_ASSEMBLIES) {
    throw new CostDataError(`"${p}" holds ${nested.length} cloud assemblies (at most ${MAX_ASSEMBLIES} are read from one directory): `
      + 'pass --assembly <cdk.out directory> for each app');
  }
  return nested;
}

/**
 * Checks what the cloud-assembly API would otherwise report unclearly: a manifest.json that is not JSON or has no
 * `version`, and stack metadata files that are not JSON (named).
 */
function checkManifest(dir: string): void {
  const manifest = path.join(dir, 'manifest.json');
  const where = `the cloud assembly in "${dir}"`;
  const data = readJson(manifest, where);
  if (typeof data !== 'object' || data === null || typeof (data as { version?: unknown }).version !== 'string') {
    throw new CostDataError(`cannot read ${where}: manifest.json has no "version" (a cloud assembly manifest, written by "cdk synth", has one); `
      + 'run "cdk synth" again');
  }
  const artifacts = (data as { artifacts?: unknown }).artifacts ?? {};
  const redo = 'run "cdk synth" again';
  if (typeof artifacts !== 'object' || Array.isArray(artifacts)) {
    throw new CostDataError(`cannot read ${where}: manifest.json's "artifacts" is ${describeJson(artifacts)}, not an object of artifacts; ${redo}`);
  }
  for (const [id, artifact] of Object.entries(artifacts as Record<string, unknown>)) {
    if (typeof artifact !== 'object' || artifact === null || typeof (artifact as { type?: unknown }).type !== 'string') {
      throw new CostDataError(`cannot read ${where}: manifest.json's artifact ${JSON.stringify(id)} is ${describeJson(artifact)}, not an artifact `
        + `(an object with a "type"); ${redo}`);
    }
    const a = artifact as { metadata?: unknown; additionalMetadataFile?: unknown };
    checkMetadata(a.metadata, `manifest.json's artifact ${JSON.stringify(id)}`, where);
    const file = a.additionalMetadataFile;
    if (typeof file === 'string' && fs.existsSync(path.join(dir, file))) {
      checkMetadata(readJson(path.join(dir, file), where), file, where);
    }
  }
}

/** Stack metadata (by construct path, lists of entries with a "type"), as the cloud-assembly API reads it. */
function checkMetadata(metadata: unknown, what: string, where: string): void {
  if (metadata === undefined) {
    return;
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new CostDataError(`cannot read ${where}: the metadata of ${what} is ${describeJson(metadata)}, not an object of construct paths; `
      + 'run "cdk synth" again');
  }
  for (const [construct, entries] of Object.entries(metadata as Record<string, unknown>)) {
    const bad = Array.isArray(entries) ? entries.find((e) => typeof e !== 'object' || e === null || typeof (e as { type?: unknown }).type !== 'string') : entries;
    if (!Array.isArray(entries) || bad !== undefined) {
      throw new CostDataError(`cannot read ${where}: the metadata of ${what} for ${construct} ${Array.isArray(entries) ? `holds ${describeJson(bad)}, not an entry `
        + '(an object with a "type")' : `is ${describeJson(entries)}, not a list of entries`}; run "cdk synth" again`);
    }
  }
}

/** A JSON value in a few words: `null`, `a string`, `a list`, ... */
function describeJson(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function readJson(file: string, where: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CostDataError(`cannot read ${where}: ${path.basename(file)}: ${describeFsCode(e) ?? firstLine((e as Error).message)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CostDataError(`cannot read ${where}: ${path.basename(file)} is not JSON (${firstLine((e as Error).message)})`);
  }
}

function readAssembly(dir: string, ruleSets: ReadRuleSet[], members: StackMember[]): DeclaredService[] {
  let assembly: CloudAssembly;
  try {
    // aws-cdk-lib is loaded only when an assembly is read (a report over CUR files without cdk.out never needs it)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cxapi = require('aws-cdk-lib/cx-api') as typeof import('aws-cdk-lib/cx-api');
    assembly = new cxapi.CloudAssembly(dir, { skipVersionCheck: true, skipEnumCheck: true, topoSort: false });
  } catch (e) {
    throw new CostDataError(`cannot read the cloud assembly in "${dir}": ${firstLine((e as Error).message)}`);
  }
  const out: DeclaredService[] = [];
  const walk = (asm: CloudAssembly, stage: string[]) => {
    for (const stack of asm.stacks) {
      let entries;
      try {
        entries = stack.findMetadataByType(SERVICE_METADATA_TYPE);
      } catch (e) {
        throw new CostDataError(`cannot read the metadata of stack ${stack.displayName} in "${dir}": ${firstLine((e as Error).message)}`);
      }
      const account = stack.environment.account;
      const region = stack.environment.region;
      // the file the records are in: <stack>.metadata.json (recent aws-cdk-lib), or the manifest
      const file = path.join(asm.directory, stack.manifest.additionalMetadataFile ?? 'manifest.json');
      for (const entry of stack.findMetadataByType(ATTRIBUTION_METADATA_TYPE)) {
        const where = `${file} (stack ${stack.displayName}, ${entry.path})`;
        ruleSets.push({ record: checkAttributionRecord(entry.data, where), where });
      }
      for (const entry of stack.findMetadataByType(MEMBER_METADATA_TYPE)) {
        const data = entry.data as { serviceName?: unknown } | null;
        if (typeof data?.serviceName !== 'string' || data.serviceName === '') {
          const value = data?.serviceName === undefined ? 'has no serviceName' : `has serviceName ${describeJson(data.serviceName)}`;
          throw new CostDataError(`cannot read ${file} (stack ${stack.displayName}, ${entry.path}): its customer-value:member record ${value}: `
            + 'expected the name of the service that include()s the scope');
        }
        members.push({
          serviceName: data.serviceName,
          stack: stack.stackName,
          ...(account && account !== 'unknown-account' ? { account } : {}),
          assembly: dir,
        });
      }
      for (const entry of entries) {
        out.push({
          record: checkRecord(entry.data, `${file} (stack ${stack.displayName}, ${entry.path})`),
          assembly: dir,
          stage: stage.length > 0 ? stage.join('/') : undefined,
          stack: stack.stackName,
          account: account && account !== 'unknown-account' ? account : undefined,
          region: region && region !== 'unknown-region' ? region : undefined,
        });
      }
    }
    for (const nested of asm.nestedAssemblies) {
      let inner: CloudAssembly;
      try {
        inner = nested.nestedAssembly;
      } catch (e) {
        throw new CostDataError(`cannot read the nested cloud assembly ${nested.id} in "${dir}": ${firstLine((e as Error).message)}`);
      }
      walk(inner, [...stage, nested.displayName ?? nested.id]);
    }
  };
  try {
    walk(assembly, []);
  } catch (e) {
    if (e instanceof CostDataError) {
      throw e;
    }
    throw new CostDataError(`cannot read the cloud assembly in "${dir}": ${firstLine((e as Error).message)}`);
  }
  return out;
}


/**
 * Checks an attribution record with the rules the construct applied at synth (`attribution-record-rules.ts`): a bad
 * one is refused naming the file, the rule set and the field.
 */
function checkAttributionRecord(data: unknown, where: string): AttributionRulesRecord {
  const problems = attributionRecordProblems(data);
  if (problems.length > 0) {
    throw new CostDataError(refusedAttributionRecord(problems, (data as { ruleSet?: unknown } | null)?.ruleSet, where));
  }
  return data as AttributionRulesRecord;
}

export { tagKeysOf } from './tag-keys-of';
