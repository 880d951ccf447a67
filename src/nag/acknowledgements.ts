import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The rule ids of the CustomerValue pack and their acknowledgements (`Validations.of(x).acknowledge(...)`), read the
 * way cdk-nag reads them: on the construct or one of its ancestors.
 */

/** The pack name: rule ids are `CustomerValue-<Rule>`. */
export const PACK_NAME = 'CustomerValue';

/** Whether `ruleId` is acknowledged on `construct` or one of its ancestors (`Validations.acknowledge`). */
export function isAcknowledged(construct: IConstruct, ruleId: string): boolean {
  for (const scope of construct.node.scopes) {
    for (const entry of scope.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) {
        continue;
      }
      for (const key of Object.keys(entry.data)) {
        const id = key.replace(/^(annotation|CustomerValue)::/i, '');
        if (id === ruleId) {
          return true;
        }
      }
    }
  }
  return false;
}
