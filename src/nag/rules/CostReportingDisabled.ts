import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { anchoredService } from '../private/anchor';

const NAME = parse(__filename).name;

/**
 * A customer service reports its cost and usage (budget and alerts, dashboard, daily cost metric, unit
 * cost): `costReporting.enabled` is not `false`.
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
    return service.costReportingEnabled ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: NAME },
);
