import { Lazy, Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { ICustomerService } from '../customer-service-base';
import { resolveTagKeys } from '../tag-keys';

/**
 * Tags the library's shared resources under `scope` (the per-stack cost publisher and dashboard) with the
 * customer-value tags of `owner`, resolved at synth once every service is declared, so that the cost of cost
 * reporting is attributed to a service and never lands in untagged spend.
 */
export function attributeCost(scope: IConstruct, owner: () => ICustomerService | undefined): void {
  // the services report a bad tag-key context themselves (resolveTagKeys)
  const keys = resolveTagKeys(scope).keys;
  for (const key of keys.all()) {
    Tags.of(scope).add(key, Lazy.string({ produce: () => owner()?.tagValues[key] ?? '' }), { priority: 1000 });
  }
}
