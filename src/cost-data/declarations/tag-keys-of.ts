import type { ServiceDeclarationRecord } from '../../declaration/record';
import { TagKeys } from '../../tag-keys';
import { firstLine, CostDataError } from '../errors';

/*
 * Free of aws-cdk-lib (unlike the assembly reader it belongs with): the scheduled value-review function bundles it to
 * query the tag keys of the services the registry holds.
 */

/** What a reader of the CLI does when the declarations it read use different tag keys. */
export const CLI_TAG_KEYS_ADVICE = 'report on apps that share tag keys, one set at a time (give each set its own --assembly folders or registry prefix)';

/** A declared service as `tagKeysOf` reads it: where it was read is named when the keys disagree. */
export interface TagKeysSource {
  readonly record: ServiceDeclarationRecord;
  readonly stack: string;
  /** Where it was read: an assembly folder, a registry entry (`s3://bucket/key`) or `declarations` (shipped). */
  readonly assembly?: string;
  readonly account?: string;
  readonly region?: string;
}

/** A service and where it was read, for the message: its stack, and the registry entry when it comes from one. */
function whereOf(d: TagKeysSource): string {
  if (d.assembly?.startsWith('s3://')) {
    const at = d.account && d.region ? ` in ${d.account}/${d.region}` : '';
    return `${d.record.serviceName} (stack ${d.stack}${at}, registry entry ${d.assembly})`;
  }
  return `${d.record.serviceName} (${d.stack})`;
}

/**
 * The tag keys the declarations read declare (assemblies, registry entries or shipped ones: they must agree), or the
 * defaults. `advice` says what to do when they disagree (the CLI's by default; the scheduled packs have no flags).
 */
export function tagKeysOf(set: { readonly services: ReadonlyArray<TagKeysSource> }, advice: string = CLI_TAG_KEYS_ADVICE): TagKeys {
  const distinct = new Map<string, { keys: Record<string, string>; where: string }>();
  for (const d of set.services) {
    const k = JSON.stringify(d.record.tagKeys);
    if (!distinct.has(k)) {
      distinct.set(k, { keys: d.record.tagKeys as unknown as Record<string, string>, where: whereOf(d) });
    }
  }
  if (distinct.size > 1) {
    const [a, b] = [...distinct.values()];
    throw new CostDataError(`the declarations read use different tag keys (${a.where}: ${JSON.stringify(a.keys)}, ${b.where}: ${JSON.stringify(b.keys)}): `
      + advice);
  }
  if (distinct.size === 0) {
    return TagKeys.DEFAULT;
  }
  const keys = [...distinct.values()][0].keys;
  try {
    return TagKeys.custom(keys);
  } catch (e) {
    throw new CostDataError(`the tag keys recorded with the declarations are invalid: ${firstLine((e as Error).message)}`);
  }
}
