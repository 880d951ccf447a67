import * as sns from 'aws-cdk-lib/aws-sns';
import { AlertTarget, withGiven } from './alert-target';

const TARGET_SYMBOL = Symbol.for('cdk-customer-value.CostAlertTarget');

/**
 * Who receives a service's cost alerts (budget notifications and the unit-cost alarm).
 *
 * - `CostAlertTarget.email(address)`: AWS Budgets e-mails the address itself (no subscription to confirm).
 *   For the unit-cost alarm (CloudWatch alarms only notify SNS topics) the library creates the service's alert
 *   topic with an e-mail subscription, which the recipient confirms once.
 * - `CostAlertTarget.topic(topic)`: budget notifications and the alarm publish to your topic. The library adds
 *   the topic policy (and, for a topic encrypted with a key of the app, the key policy) that lets
 *   `budgets.amazonaws.com` and `costalerts.amazonaws.com` publish, scoped to the account; for an imported topic
 *   or key it warns you to add them yourself.
 *
 * A malformed address or a value that is not a topic is reported when the app is synthesized, with the other
 * problems of the declaration. Addresses follow the one e-mail rule of every `AlertTarget`.
 *
 * @example
 * CostAlertTarget.email('payments@example.com');
 */
export abstract class CostAlertTarget extends AlertTarget {
  /**
   * Alerts by e-mail.
   * @param address a well-formed e-mail address, e.g. "payments@example.com"
   */
  public static email(address: string): CostAlertTarget {
    return withGiven(new RecipientTarget(), { factory: 'CostAlertTarget.email', email: address, description: `e-mail ${JSON.stringify(address)}` });
  }

  /**
   * Alerts to an SNS topic (in the same account: AWS Budgets does not publish across accounts).
   * @param topic the topic, e.g. the one AWS Chatbot or your incident tool reads
   */
  public static topic(topic: sns.ITopic): CostAlertTarget {
    return withGiven(new RecipientTarget(), { factory: 'CostAlertTarget.topic', topic, description: 'an SNS topic' });
  }

  /**
   * Whether `x` is a `CostAlertTarget` (also across copies of this library).
   */
  public static isCostAlertTarget(x: any): x is CostAlertTarget {
    return x !== null && typeof x === 'object' && TARGET_SYMBOL in x;
  }

  protected constructor() {
    super();
    Object.defineProperty(this, TARGET_SYMBOL, { value: true });
  }
}

class RecipientTarget extends CostAlertTarget {
  constructor() {
    super();
  }
}
