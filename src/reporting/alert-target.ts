import { Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

/** Where a target keeps what the user gave (a symbol shared by every copy of this library). */
const GIVEN = Symbol.for('cdk-customer-value.AlertTarget.given');

/**
 * The one e-mail rule of every alert target (budget notifications, the alert topic's e-mail subscriptions, anomaly
 * subscriptions): what each AWS API that receives the address accepts, and a mailbox on the internet can have.
 *
 * - 6 to 254 characters: the Cost Explorer API's `SubscriberAddress` takes at least 6
 *   (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_Subscriber.html), a mail path at most
 *   254 without its angle brackets (RFC 5321 4.5.3.1.3).
 * - the local part (before `@`): 1 to 64 characters (RFC 5321 4.5.3.1.1) of ASCII letters, digits and
 *   `! # $ % & ' * + = ? ^ _ { | } ~ - .`, with no dot first, last or twice in a row (an RFC 5322 dot-atom). These
 *   are the characters of the Cost Explorer pattern less its quotation mark (the API model has U+2018 where RFC 5322 has
 *   a backquote: one of the two is refused by the API, so neither is accepted); `/`, `"` and non-ASCII letters are
 *   refused by that pattern too.
 * - the domain: two or more labels of ASCII letters, digits and hyphens, each 1 to 63 characters and neither starting
 *   nor ending with a hyphen (host names, RFC 1035 2.3.1 and RFC 1123 2.1). The Cost Explorer pattern also lets `_`
 *   through, which no mail host name has.
 *
 * An unresolved token (an address known at deploy) is accepted as it is.
 */
const EMAIL_RULE = 'one well-formed e-mail address such as "payments@example.com" (6-254 characters, at most 64 before the @ (ASCII letters, digits, '
  + 'dots between them and !#$%&\'*+=?^_{|}~-), and a domain of two or more labels of letters, digits and inner hyphens)';
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+=?^_{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+=?^_{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Whether `address` follows the one e-mail rule of the alert targets (see `EMAIL_RULE` above). */
export function isAlertEmail(address: string): boolean {
  if (address.length < 6 || address.length > 254) {
    return false;
  }
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  return at > 0 && local.length <= 64 && LOCAL_PART.test(local) && labels.length >= 2 && labels.every((l) => DOMAIN_LABEL.test(l));
}

/**
 * What the user gave to a target factory: the factory's name (for messages), an e-mail address or a topic, unchecked.
 * @internal
 */
export interface GivenRecipient {
  readonly factory: string;
  readonly email?: unknown;
  readonly topic?: unknown;
  /** An e-mail address that receives IMMEDIATE anomaly alerts through a topic the construct creates. */
  readonly immediate?: boolean;
  readonly description: string;
  /** Why what was given is not a target at all (e.g. `fromCostAlertTarget` of something else), reported with `at`. */
  readonly invalid?: string;
}

/**
 * Where an alert goes, once checked: exactly one of `email` and `topic`.
 * @internal
 */
export interface AlertRecipient {
  readonly email?: string;
  readonly topic?: sns.ITopic;
  readonly immediate?: boolean;
}

/**
 * Who receives an alert: an e-mail address or an SNS topic. The base of `CostAlertTarget` (budgets and the unit-cost
 * alarm) and `AnomalyAlertTarget` (Cost Anomaly Detection): one e-mail rule and one check for both.
 *
 * A target holds what was given; the construct that uses it reports a malformed address or a value that is not a
 * topic when the app is synthesized, with its other problems (the construct path, the field, the value and what is
 * accepted). An e-mail address is 6-254 characters, at most 64 of them before the `@` (ASCII letters, digits, dots
 * between them and `!#$%&'*+=?^_{|}~-`), with a domain of two or more labels of letters, digits and inner hyphens:
 * what AWS Budgets, Amazon SNS and the Cost Explorer API all accept.
 */
export abstract class AlertTarget {
  protected constructor() {}

  /**
   * The problems with what was given, each starting with `at` (the field that holds the target); `[]` when none.
   * @internal
   */
  public _problems(at: string): string[] {
    const given = givenOf(this);
    if (given === undefined) {
      return [`${at} is ${String(this)}: create targets with their static factories`];
    }
    if (given.invalid !== undefined) {
      return [`${at}: ${given.invalid}`];
    }
    if (given.topic !== undefined || given.email === undefined) {
      const topic = given.topic as sns.ITopic | undefined;
      return topic && typeof topic === 'object' && typeof topic.topicArn === 'string' ? []
        : [`${at}: ${given.factory}: topic is ${topic === undefined || topic === null ? String(topic) : typeof topic}: expected an SNS topic (sns.Topic or sns.Topic.fromTopicArn(...))`];
    }
    const address = given.email;
    if (typeof address === 'string' && (Token.isUnresolved(address) || isAlertEmail(address))) {
      return [];
    }
    return [`${at}: ${given.factory}: address is ${JSON.stringify(address)}: expected ${EMAIL_RULE}`];
  }

  /**
   * The recipient, for the constructs that send the alerts: call `_problems` first.
   * @internal
   */
  public _recipient(): AlertRecipient {
    const given = givenOf(this);
    if (given?.topic !== undefined) {
      return { topic: given.topic as sns.ITopic };
    }
    return { email: given?.email as string, immediate: given?.immediate };
  }

  /** What the target is, e.g. `e-mail "payments@example.com"`. */
  public toString(): string {
    return givenOf(this)?.description ?? 'an alert target';
  }
}

/**
 * Records what the user gave on a new target (for the subclasses' factories).
 * @internal
 */
export function withGiven<T extends AlertTarget>(target: T, given: GivenRecipient): T {
  Object.defineProperty(target, GIVEN, { value: given });
  return target;
}

/**
 * What was given to a target's factory, also when the target comes from another copy of this library.
 * @internal
 */
export function givenOf(target: AlertTarget): GivenRecipient | undefined {
  return (target as unknown as Record<symbol, GivenRecipient | undefined>)[GIVEN];
}
