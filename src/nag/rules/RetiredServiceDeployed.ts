import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { anchoredService } from '../private/anchor';

const NAME = parse(__filename).name;

/**
 * A service whose last value review decided to retire it (`ValueReviewOutcome.RETIRE`) is gone from the app once the
 * grace period has passed: the review date plus the context `customer-value:retirementGraceDays` (90 days by default),
 * as of today or the `customer-value:today` context.
 *
 * A service-level rule: evaluated once per service, on the service's first resource (so an acknowledgement on the
 * service construct covers it). Services whose last outcome is not "retire" are not judged.
 *
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const service = anchoredService(node, NAME);
    if (!service || service.retireBy === undefined) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return service.retirementOverdue ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: NAME },
);
