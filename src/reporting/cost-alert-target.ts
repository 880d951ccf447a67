import { Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * How a cost alert reaches its target.
 */
export enum CostAlertTargetType {
  /** An e-mail address. */
  EMAIL = 'EMAIL',
  /** An SNS topic. */
  SNS = 'SNS',
}

const TARGET_SYMBOL = Symbol.for('cdk-customer-value.CostAlertTarget');
/** A pragmatic e-mail check: one `@`, a dot in the domain, no spaces or line breaks, at most 254 characters. */
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

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
 * @example
 * CostAlertTarget.email('payments@example.com');
 */
export class CostAlertTarget {
  /**
   * Alerts by e-mail.
   * @param address a well-formed e-mail address, e.g. "payments@example.com"
   */
  public static email(address: string): CostAlertTarget {
    if (typeof address !== 'string' || (!Token.isUnresolved(address) && !(address.length <= 254 && EMAIL.test(address)))) {
      throw new Error(`CostAlertTarget.email: address is ${JSON.stringify(address)}: expected one well-formed e-mail address such as "payments@example.com" (no spaces or line breaks, at most 254 characters)`);
    }
    return new CostAlertTarget(CostAlertTargetType.EMAIL, address, undefined);
  }

  /**
   * Alerts to an SNS topic (in the same account: AWS Budgets does not publish across accounts).
   * @param topic the topic, e.g. the one AWS Chatbot or your incident tool reads
   */
  public static topic(topic: sns.ITopic): CostAlertTarget {
    if (!topic || typeof (topic as sns.ITopic).topicArn !== 'string') {
      throw new Error(`CostAlertTarget.topic: topic is ${topic === undefined ? 'undefined' : typeof topic}: expected an SNS topic (sns.Topic or sns.Topic.fromTopicArn(...))`);
    }
    return new CostAlertTarget(CostAlertTargetType.SNS, undefined, topic);
  }

  /**
   * Whether `x` is a `CostAlertTarget` (also across copies of this library).
   */
  public static isCostAlertTarget(x: any): x is CostAlertTarget {
    return x !== null && typeof x === 'object' && TARGET_SYMBOL in x;
  }

  /** E-mail or SNS. */
  public readonly type: CostAlertTargetType;
  /** The e-mail address, for an e-mail target. */
  public readonly address?: string;
  /** The topic, for an SNS target. */
  public readonly snsTopic?: sns.ITopic;

  private constructor(type: CostAlertTargetType, address: string | undefined, topic: sns.ITopic | undefined) {
    this.type = type;
    this.address = address;
    this.snsTopic = topic;
    Object.defineProperty(this, TARGET_SYMBOL, { value: true });
  }
}
