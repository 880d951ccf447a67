import { Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CustomerService } from '../../customer-service';
import { declaredTagValues } from '../../declaration/tag-values';
import { markShared, SharedOwner } from '../../private/shared-marker';
import { resolveTagKeys } from '../../tag-keys';
import { ServiceValueDeclaration } from '../billing-options';
import { checkDeclaration, ResolvedService, resolvedFromService } from './declarations';
import { refuseOnProblems } from '../../private/problems';

/**
 * Who pays for a billing construct's own resources: the cost of cost reporting is always attributed to a service.
 *
 * - Inside a `CustomerService` (as a descendant, or in a scope the service `include()`s): the construct is part of the
 *   service, tagged by it, and judged by governance like any of its resources.
 * - With `owner` (a service of another app, declared by value): its taggable resources carry the owner's five tags,
 *   applied like a service applies them (`Tags.of()` at `CustomerService.TAG_PRIORITY`), and governance checks them.
 * - With neither, or both: a problem at synth. Whether the construct is inside a service is decided then, so an
 *   `include()` after the construct was created counts.
 */
export interface CostOwnership {
  /** The owner as a served service, when known at construction (the `owner` prop, or the enclosing service). */
  readonly owner?: ResolvedService;
  /** Problems with `owner`, to report with the construct's other problems. */
  readonly problems: string[];
}

/**
 * Marks `construct` as the library's shared infrastructure for `purpose` and attributes its cost (see `CostOwnership`).
 * @param what the resources concerned, for the message when no service owns them (e.g. "function, role, log group")
 */
export function attributeCost(construct: IConstruct, purpose: string, what: string, owner: ServiceValueDeclaration | undefined): CostOwnership {
  const problems: string[] = [];
  let resolved: ResolvedService | undefined;
  let shared: SharedOwner | undefined;
  if (owner !== undefined) {
    resolved = checkDeclaration(construct, owner, 'owner', problems);
    if (resolved && owner.customer === undefined) {
      problems.push('owner.customer is missing: the owner\'s resources carry all five customer-value tags, the customer tag included; '
        + 'declare who the owning service serves, e.g. Customer.internal(\'Business units\')');
      resolved = undefined;
    }
    if (resolved) {
      // a tag-key configuration problem is reported by the construct itself (resolveTagKeys)
      const keys = resolveTagKeys(construct).keys;
      const tags = declaredTagValues(keys, owner, resolved.needTagValue);
      for (const [key, value] of Object.entries(tags)) {
        Tags.of(construct).add(key, value, { priority: CustomerService.TAG_PRIORITY });
      }
      shared = { serviceName: resolved.serviceName, tags };
    }
  }
  markShared(construct, purpose, shared);
  refuseOnProblems(construct, () => ownershipProblems(construct, owner, purpose, what));
  const enclosing = CustomerService.of(construct);
  return { owner: resolved ?? (enclosing ? resolvedFromService(enclosing) : undefined), problems };
}

function ownershipProblems(construct: IConstruct, owner: ServiceValueDeclaration | undefined, purpose: string, what: string): string[] {
  const service = CustomerService.of(construct);
  if (owner !== undefined && service) {
    return [`owner is set (${JSON.stringify((owner as Partial<ServiceValueDeclaration>)?.serviceName)}) but this construct is part of the customer service `
      + `"${service.serviceName}" (${service.node.path}), which tags its resources: a resource belongs to exactly one service; `
      + 'remove owner, or create the construct outside that service'];
  }
  if (owner === undefined && !service) {
    return [`this construct (${purpose}) belongs to no customer service, so the cost of its own resources (${what}) would be reported as untagged spend: `
      + 'create it inside the CustomerService that pays for cost reporting (e.g. the FinOps team\'s), include() it into one, '
      + 'or pass owner: { serviceName, customerNeed, customer, team, businessUnit } (the declaration of that service)'];
  }
  return [];
}
