/**
 * The registry of live `CostAllocationTags` declarations: which tag keys each custom resource of the account (and
 * region) keeps active, in SSM Parameter Store, one standard parameter per custom resource (free, 4 KB each).
 *
 * Why: when a `CostAllocationTags` construct is moved or renamed, CloudFormation creates the new custom resource, then
 * deletes the old one. With `deactivateOnDelete`, the old one's Delete would deactivate the keys the new one has just
 * activated. Every custom resource records its keys here on Create and Update (and the daily run records them again),
 * and removes its entry on Delete; a Delete (or an Update that drops keys) deactivates only the keys no remaining entry
 * declares. When the registry cannot be read completely, nothing is deactivated: a key wrongly left active costs
 * nothing, a key wrongly deactivated disappears from every cost report.
 */
// Only the function bundle loads this module; Lambda's Node.js runtime provides the AWS SDK, which esbuild keeps
// external, so the library does not ship it (a dev dependency for the tests).
// eslint-disable-next-line import/no-extraneous-dependencies
import { DeleteParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { REGISTRY_PATH } from './registry-path';

export { REGISTRY_PATH };
/** Pages of GetParametersByPath read at most (10 entries each): a registry beyond that is not trusted. */
export const MAX_REGISTRY_PAGES = 100;

let client: SSMClient | undefined;

function ssm(): SSMClient {
  // Parameter Store of the function's own region; bounded retries and timeouts.
  client ??= new SSMClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } });
  return client;
}

/**
 * The entry of a custom resource: `<path>/<stack name>/<logical id>` (the stack name from the StackId ARN,
 * `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`).
 */
export function entryName(stackId: string, logicalId: string): string {
  const stackName = /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${REGISTRY_PATH}/${stackName}/${logicalId}`;
}

/** Records (or updates) the keys the entry's custom resource keeps active. */
export async function register(name: string, tagKeys: readonly string[]): Promise<void> {
  await ssm().send(new PutParameterCommand({
    Name: name,
    Value: JSON.stringify({ tagKeys }),
    Type: 'String',
    Tier: 'Standard',
    Overwrite: true,
    Description: 'Cost allocation tag keys a CostAllocationTags custom resource (cdk-customer-value) keeps active; removed with it',
  }));
}

/** Removes the entry (an entry that is already gone is fine). */
export async function unregister(name: string): Promise<void> {
  try {
    await ssm().send(new DeleteParameterCommand({ Name: name }));
  } catch (e) {
    if ((e as Error).name !== 'ParameterNotFound') {
      throw e;
    }
  }
}

/**
 * Every key some entry still declares. Throws when the registry cannot be read completely (an error, an entry that
 * cannot be parsed, more than `MAX_REGISTRY_PAGES` pages): the caller then deactivates nothing.
 */
export async function keysStillDeclared(): Promise<Set<string>> {
  const keys = new Set<string>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (pages === MAX_REGISTRY_PAGES) {
      throw new Error(`the registry ${REGISTRY_PATH} has more than ${MAX_REGISTRY_PAGES} pages of entries`);
    }
    const res = await ssm().send(new GetParametersByPathCommand({ Path: REGISTRY_PATH, Recursive: true, NextToken: nextToken }));
    pages++;
    for (const p of res.Parameters ?? []) {
      let declared: unknown;
      try {
        declared = JSON.parse(p.Value ?? '');
      } catch {
        declared = undefined;
      }
      const tagKeys = (declared as { tagKeys?: unknown } | undefined)?.tagKeys;
      if (!Array.isArray(tagKeys) || tagKeys.some((k) => typeof k !== 'string')) {
        throw new Error(`the registry entry ${p.Name} does not hold { "tagKeys": [...] }`);
      }
      tagKeys.forEach((k) => keys.add(k));
    }
    nextToken = res.NextToken;
  } while (nextToken);
  return keys;
}
