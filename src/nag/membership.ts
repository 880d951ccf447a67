import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CustomerService } from '../customer-service';
import { sharedOwner, sharedPurpose } from '../private/shared-marker';

/**
 * Which customer service a resource belongs to, and so which customer-value tags it must carry; the resources the
 * membership rules never judge.
 */

const METADATA_TYPE = 'AWS::CDK::Metadata';

/**
 * Resources the membership rules never judge: the CDK's own metadata resource, and constructs this library
 * creates to serve several services at once (marked shared, e.g. the one cost publisher per stack) that belong to no
 * service. A shared construct created inside a customer service, or given an owner (the billing constructs), is judged
 * like any resource: it must carry the tags of that service.
 */
export function isExempt(node: CfnResource): boolean {
  return node.cfnResourceType === METADATA_TYPE
    || (sharedPurpose(node) !== undefined && CustomerService.of(node) === undefined && sharedOwner(node) === undefined);
}

/** The customer-value tags a resource must carry, and whose they are (for messages). */
export interface ExpectedTags {
  readonly tags: Record<string, string>;
  /** `the customer service "checkout" (Shop/Checkout)`, `the customer service "finops-reporting" (declared owner of Billing/Cur)`. */
  readonly owner: string;
}

/**
 * The tags `node` must carry: those of the customer service it belongs to, or, for a shared construct of this
 * library declared with an owner (a service of another app), the owner's. Undefined for a resource of no service.
 */
export function expectedTagsOf(node: IConstruct): ExpectedTags | undefined {
  const service = CustomerService.of(node);
  if (service) {
    // a resource type the service leaves untagged on purpose (excludeResourceTypes) expects no tags
    if (CfnResource.isCfnResource(node) && service.excludedResourceTypes.includes(node.cfnResourceType)) {
      return undefined;
    }
    return { tags: service.tagValues, owner: `the customer service ${describeService(service)}` };
  }
  const owner = sharedOwner(node);
  if (owner) {
    const shared = node.node.scopes.find((s) => (s.node.metadata ?? []).some((m) => m.type === 'customer-value:shared'));
    return { tags: owner.tags, owner: `the customer service "${owner.serviceName}" (declared owner of ${shared?.node.path ?? node.node.path})` };
  }
  return undefined;
}

/** `"checkout" (Shop/Checkout)`. */
export function describeService(service: CustomerService): string {
  return `"${service.serviceName}" (${service.node.path})`;
}
