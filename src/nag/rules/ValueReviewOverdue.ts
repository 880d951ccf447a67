import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { ValueReviewStatus } from '../../value-review';
import { anchoredService } from '../private/anchor';

const NAME = parse(__filename).name;

/**
 * The business unit reviewed the service's value on schedule: the next value review date (last review +
 * `valueReview.every`) is not in the past, as of today or the `customer-value:today` context.
 *
 * A service-level rule: evaluated once per service, on the service's first resource (so an
 * acknowledgement on the service construct covers it). Services without a review schedule are not judged.
 *
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const service = anchoredService(node, NAME);
    if (!service || service.valueReviewStatus === ValueReviewStatus.NOT_SCHEDULED) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return service.valueReviewStatus === ValueReviewStatus.OVERDUE ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: NAME },
);
