import { Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

const TARGET_SYMBOL = Symbol.for('cdk-customer-value.CostAlertTarget');
/** A pragmatic e-mail check: one `@`, a dot in the domain, no spaces or line breaks, at most 254 characters. */
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * Where an alert goes, as the constructs that send it see it: exactly one of `email` and `topic`, or the problem
 * with what the user gave (reported at synth by the construct that uses the target).
 * @internal
 */
export interface AlertRecipient {
  readonly email?: string;
  readonly topic?: sns.ITopic;
  readonly problem?: string;
}

/** The problem with an e-mail address given to a target factory, or undefined. */
export function emailProblem(factory: string, address: unknown): string | undefined {
  if (typeof address === 'string' && (Token.isUnresolved(address) || (address.length <= 254 && EMAIL.test(address)))) {
    return undefined;
  }
  return `${factory}: address is ${JSON.stringify(address)}: expected one well-formed e-mail address such as "payments@example.com" (no spaces or line breaks, at most 254 characters)`;
}

/** The problem with a topic given to a target factory, or undefined. */
export function topicProblem(factory: string, topic: unknown): string | undefined {
  return topic && typeof (topic as sns.ITopic).topicArn === 'string' ? undefined
    : `${factory}: topic is ${topic === undefined ? 'undefined' : typeof topic}: expected an SNS topic (sns.Topic or sns.Topic.fromTopicArn(...))`;
}

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
 * problems of the declaration.
 *
 * @example
 * CostAlertTarget.email('payments@example.com');
 */
export abstract class CostAlertTarget {
  /**
   * Alerts by e-mail.
   * @param address a well-formed e-mail address, e.g. "payments@example.com"
   */
  public static email(address: string): CostAlertTarget {
    return new RecipientTarget({ email: address, problem: emailProblem('CostAlertTarget.email', address) }, `e-mail ${JSON.stringify(address)}`);
  }

  /**
   * Alerts to an SNS topic (in the same account: AWS Budgets does not publish across accounts).
   * @param topic the topic, e.g. the one AWS Chatbot or your incident tool reads
   */
  public static topic(topic: sns.ITopic): CostAlertTarget {
    const problem = topicProblem('CostAlertTarget.topic', topic);
    return new RecipientTarget({ topic: problem ? undefined : topic, problem }, 'an SNS topic');
  }

  /**
   * Whether `x` is a `CostAlertTarget` (also across copies of this library).
   */
  public static isCostAlertTarget(x: any): x is CostAlertTarget {
    return x !== null && typeof x === 'object' && TARGET_SYMBOL in x;
  }

  protected constructor() {
    Object.defineProperty(this, TARGET_SYMBOL, { value: true });
  }

  /**
   * The recipient, for the constructs that send the alerts.
   * @internal
   */
  public abstract _recipient(): AlertRecipient;
}

class RecipientTarget extends CostAlertTarget {
  constructor(private readonly recipient: AlertRecipient, private readonly description: string) {
    super();
  }

  public _recipient(): AlertRecipient {
    return this.recipient;
  }

  public toString(): string {
    return this.description;
  }
}
