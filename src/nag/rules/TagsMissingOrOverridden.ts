import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { expectedTagsOf, isExempt } from '../membership';
import { finalTags, tagProblems } from '../resource-tags';

/**
 * A taggable resource of a customer service (or of a billing construct declared with an `owner`) carries the
 * service's five customer-value tags with the declared values, in its synthesized template: after the `Tags.of()`
 * aspects ran, and after escape-hatch
 * overrides (`addPropertyOverride('Tags', ...)`, `addPropertyDeletionOverride('Tags')`).
 *
 * Not applicable to resources CDK cannot tag, to resource types the service excludes from tagging
 * (`excludeResourceTypes`) and to resources outside any service (see `ResourceOutsideService`).
 *
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const expected = isExempt(node) ? undefined : expectedTagsOf(node);
    const actual = expected ? finalTags(node) : undefined;
    if (!expected || actual === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return tagProblems(node, expected.tags, actual).length === 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
