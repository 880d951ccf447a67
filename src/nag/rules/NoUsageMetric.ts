import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { anchoredService } from '../private/anchor';

const NAME = parse(__filename).name;

/**
 * A customer service declares its demand driver with `addUsageMetric()` (orders, requests, active
 * customers...), so that its unit cost (cost per order, per 1 000 requests) can be computed.
 *
 * A service-level rule: evaluated once per service, on the service's first resource (so an
 * acknowledgement on the service construct covers it).
 *
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    const service = anchoredService(node, NAME);
    if (!service) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return service.usageMetrics.length > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: NAME },
);
