import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { CustomerService } from '../../customer-service';
import { finalTags, isExempt, tagProblems } from '../private/governance';

/**
 * A taggable resource of a customer service carries the service's five customer-value tags with the
 * declared values, in its synthesized template: after the `Tags.of()` aspects ran, and after escape-hatch
 * overrides (`addPropertyOverride('Tags', ...)`, `addPropertyDeletionOverride('Tags')`).
 *
 * Not applicable to resources CDK cannot tag, to resource types the service excludes from tagging
 * (`excludeResourceTypes`) and to resources outside any service (see `ResourceOutsideService`).
 *
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const service = isExempt(node) ? undefined : CustomerService.of(node);
    const actual = service && !service.excludedResourceTypes.includes(node.cfnResourceType) ? finalTags(node) : undefined;
    if (!service || actual === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return tagProblems(node, service.tagValues, actual).length === 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
