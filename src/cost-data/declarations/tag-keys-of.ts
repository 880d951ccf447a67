import type { ServiceDeclarationRecord } from '../../declaration/record';
import { TagKeys } from '../../tag-keys';
import { firstLine, CostDataError } from '../errors';

/*
 * Free of aws-cdk-lib (unlike the assembly reader it belongs with): the scheduled value-review function bundles it to
 * query the tag keys of the services the registry holds.
 */

/** The tag keys the declarations read declare (assemblies, registry entries or shipped ones: they must agree), or the defaults. */
export function tagKeysOf(set: { readonly services: ReadonlyArray<{ readonly record: ServiceDeclarationRecord; readonly stack: string }> }): TagKeys {
  const distinct = new Map<string, { keys: Record<string, string>; where: string }>();
  for (const d of set.services) {
    const k = JSON.stringify(d.record.tagKeys);
    if (!distinct.has(k)) {
      distinct.set(k, { keys: d.record.tagKeys as unknown as Record<string, string>, where: `${d.record.serviceName} (${d.stack})` });
    }
  }
  if (distinct.size > 1) {
    const [a, b] = [...distinct.values()];
    throw new CostDataError(`the declarations read use different tag keys (${a.where}: ${JSON.stringify(a.keys)}, ${b.where}: ${JSON.stringify(b.keys)}): `
      + 'report on apps that share tag keys, one set at a time (give each set its own --assembly folders or registry prefix)');
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
