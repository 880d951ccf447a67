import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CustomerService } from '../../customer-service';
import { isAcknowledged, PACK_NAME } from '../acknowledgements';
import { isExempt } from '../membership';

/**
 * The anchor of a service's service-level findings: the one resource cdk-nag reports them on.
 */

/**
 * The resource a service-level finding is reported on: the first CloudFormation resource of the service,
 * in construct-tree order (the order cdk-nag walks), from its own subtree first and then from the scopes
 * it `include()`d. Undefined for a service with no resource at all.
 */
export function anchorOf(service: CustomerService): CfnResource | undefined {
  for (const top of [service, ...service.includedScopes]) {
    const found = firstResource(top);
    if (found) {
      return found;
    }
  }
  return undefined;
}

function firstResource(scope: IConstruct): CfnResource | undefined {
  if (CfnResource.isCfnResource(scope) && !isExempt(scope)) {
    return scope;
  }
  for (const child of scope.node.children) {
    const found = firstResource(child);
    if (found) {
      return found;
    }
  }
  return undefined;
}

/**
 * The service whose service-level rules are evaluated on `node`: the service `node` belongs to, when `node`
 * is that service's anchor resource and the rule is not acknowledged on the service itself.
 *
 * cdk-nag honours acknowledgements on the resource and its ancestors; the anchor is normally inside the
 * service, so `Validations.of(service).acknowledge(...)` covers it. When the service holds no resource
 * in its own subtree and the anchor comes from an included scope, the acknowledgement on the service is
 * read here.
 */
export function anchoredService(node: CfnResource, ruleName: string): CustomerService | undefined {
  if (isExempt(node)) {
    return undefined;
  }
  const service = CustomerService.of(node);
  if (!service || anchorOf(service) !== node) {
    return undefined;
  }
  if (!node.node.scopes.includes(service) && isAcknowledged(service, `${PACK_NAME}-${ruleName}`)) {
    return undefined;
  }
  return service;
}
