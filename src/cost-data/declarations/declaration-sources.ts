/**
 * Where the readers (`customer-value cost | review | services | catalog`) get the declarations: cloud assemblies
 * (`--assembly`), the organization's declaration registry (`--registry s3://bucket[/prefix]`, issue 24), or both. The
 * same service from both is one service; where the two records of one service disagree, the difference is reported
 * (stderr and the report's notes), never resolved silently. Stale registry entries (stack gone, account left the
 * organization) are left out and reported the same way.
 *
 * The registry's reader (src/registry/reader.ts) validates each entry with the construct's rules, as
 * `readAssemblies` validates each metadata record; an entry that breaks them is refused, naming its key and field.
 */
import { readAssemblies } from './cloud-assembly';
import { DeclarationSet, mergeRegistry, RegistryUrl } from './registry-merge';
import type { RegistryReadResult } from '../../registry/reader';
import { CostDataError } from '../errors';
import type { CallLimits } from '../sources/limits';
import { MAX_ATTEMPTS } from '../sources/limits';

export interface ReadDeclarationsOptions {
  /** Assembly paths as the user gave them; none when empty. */
  readonly assemblies: readonly string[];
  /** The registry, when one is named. */
  readonly registry?: RegistryUrl;
  readonly cwd: string;
  /** The command's limits: the page cap, the timeouts, the deadline and interrupts apply to the registry's calls. */
  readonly limits: CallLimits;
  readonly profile?: string;
  /** The region the S3 client starts in (S3 redirects to the bucket's own). @default - the profile's or environment's, else us-east-1 */
  readonly region?: string;
  readonly progress?: (message: string) => void;
  /** "Today", for the registry's heartbeats. @default new Date() */
  readonly now?: Date;
}

/** Reads the assemblies, then the registry, and merges them (see the file's header). */
export async function readDeclarations(o: ReadDeclarationsOptions): Promise<DeclarationSet> {
  const set = o.assemblies.length > 0 ? readAssemblies(o.assemblies, o.cwd) : { assemblies: [], services: [], warnings: [] };
  if (!o.registry) {
    return { ...set, notes: [] };
  }
  const registry = await readRegistryWithSdk(o.registry, o);
  return mergeRegistry(set, registry);
}

export { localAssemblies, parseRegistryUrl, withNotes } from './registry-merge';
export type { DeclarationSet, RegistryUrl } from './registry-merge';

/* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
/** Reads the registry with the AWS SDK, within the command's limits; a registry that cannot be read fails the command. */
async function readRegistryWithSdk(url: RegistryUrl, o: ReadDeclarationsOptions): Promise<RegistryReadResult> {
  // loaded only when --registry is given (the SDK clients take a few hundred milliseconds to load)
  const { readRegistry, RegistryError } = require('../../registry/reader') as typeof import('../../registry/reader');
  const { S3Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const { OrganizationsClient } = require('@aws-sdk/client-organizations') as typeof import('@aws-sdk/client-organizations');
  const common = { profile: o.profile, maxAttempts: MAX_ATTEMPTS, requestHandler: o.limits.requestHandler() };
  // the bucket's region is found by S3's redirect (followRegionRedirects): the registry need not be in --region
  const s3 = new S3Client({ ...common, region: o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1', followRegionRedirects: true });
  // AWS Organizations' endpoint is in us-east-1 (ListAccounts answers in the management or a delegated administrator account)
  const organizations = new OrganizationsClient({ ...common, region: 'us-east-1' });
  o.progress?.(`reading the declaration registry s3://${url.bucket}/${url.prefix}`);
  try {
    return await readRegistry({
      bucket: url.bucket,
      prefix: url.prefix,
      s3,
      organizations,
      maxPages: o.limits.maxPages,
      now: o.now,
      signal: o.limits.signal,
      progress: o.progress,
    });
  } catch (e) {
    const stopped = o.limits.stoppedError(`reading the registry s3://${url.bucket}/${url.prefix}`);
    if (stopped) {
      throw stopped;
    }
    if (e instanceof RegistryError) {
      throw new CostDataError(e.message);
    }
    throw e;
  } finally {
    s3.destroy();
    organizations.destroy();
  }
}
/* eslint-enable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */

