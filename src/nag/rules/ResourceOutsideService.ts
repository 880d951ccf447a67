import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { expectedTagsOf, isExempt } from '../membership';

/**
 * Every CloudFormation resource belongs to a customer service: it is declared inside a `CustomerService`
 * (as a descendant) or in a scope the service `include()`d. A billing construct of this library given an `owner`
 * (a service of another app) belongs to that service.
 *
 * Not judged: the `AWS::CDK::Metadata` resource and the constructs this library creates to serve several
 * services (the one cost publisher per stack). Singletons aws-cdk-lib creates once per stack (log
 * retention, custom-resource providers, the bucket notifications handler, AwsCustomResource) are judged:
 * include them into the service that uses them, or acknowledge them.
 *
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    if (isExempt(node)) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return expectedTagsOf(node) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
