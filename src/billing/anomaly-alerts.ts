import * as sns from 'aws-cdk-lib/aws-sns';
import { AlertTarget, givenOf, withGiven } from '../reporting/alert-target';
import { CostAlertTarget } from '../reporting/cost-alert-target';

/**
 * How often anomaly alerts are sent: e-mail goes out as a DAILY or WEEKLY summary, SNS topics
 * receive each anomaly IMMEDIATEly.
 */
export enum AnomalyAlertFrequency {
  /** Each anomaly as soon as it is detected; SNS topics only. */
  IMMEDIATE = 'IMMEDIATE',
  /** A daily summary; e-mail only. */
  DAILY = 'DAILY',
  /** A weekly summary; e-mail only. */
  WEEKLY = 'WEEKLY',
}

/**
 * Who receives anomaly alerts.
 *
 * A malformed address or a value that is not a topic is reported when the app is synthesized, with the other
 * problems of the construct that uses the target. Addresses follow the one e-mail rule of every `AlertTarget`, the
 * same as for `CostAlertTarget`.
 */
export abstract class AnomalyAlertTarget extends AlertTarget {
  /**
   * An e-mail address: receives a DAILY or WEEKLY summary of anomalies (the default is DAILY).
   * @param address the e-mail address
   */
  public static email(address: string): AnomalyAlertTarget {
    return withGiven(new AnomalyTarget(), { factory: 'AnomalyAlertTarget.email', email: address, description: `e-mail ${JSON.stringify(address)}` });
  }

  /**
   * An SNS topic: receives each anomaly IMMEDIATEly (e.g. a chat channel through AWS Chatbot).
   *
   * The construct adds the topic policy that lets `costalerts.amazonaws.com` publish (scoped to this account) and,
   * for a topic encrypted with a customer-managed KMS key, the key policy grant; for an imported topic or key it
   * cannot, and warns.
   * @param topic the topic
   */
  public static topic(topic: sns.ITopic): AnomalyAlertTarget {
    return withGiven(new AnomalyTarget(), { factory: 'AnomalyAlertTarget.topic', topic, description: 'an SNS topic' });
  }

  /**
   * An e-mail address that receives each anomaly IMMEDIATEly: the construct creates an SNS topic for the alert
   * (KMS-encrypted, TLS-only, publishable by Cost Anomaly Detection in this account) and subscribes the address
   * (the recipient confirms the subscription from the e-mail AWS sends).
   * @param address the e-mail address
   */
  public static immediateEmail(address: string): AnomalyAlertTarget {
    return withGiven(new AnomalyTarget(), { factory: 'AnomalyAlertTarget.immediateEmail', email: address, immediate: true, description: `immediate e-mail ${JSON.stringify(address)}` });
  }

  /**
   * The same recipient as a budget alert target (`CostAlertTarget`): an e-mail address gets DAILY or WEEKLY
   * summaries, a topic IMMEDIATE alerts. Lets a team reuse the targets of its services' budgets.
   * @param target the budget alert target
   */
  public static fromCostAlertTarget(target: CostAlertTarget): AnomalyAlertTarget {
    const given = CostAlertTarget.isCostAlertTarget(target) ? givenOf(target) : undefined;
    // no scope here to report to: a target that is not a CostAlertTarget becomes a target that reports it, with the
    // field that holds it, when the construct that uses it is synthesized
    return withGiven(new AnomalyTarget(), given ?? {
      factory: 'AnomalyAlertTarget.fromCostAlertTarget',
      topic: target,
      description: 'an invalid target',
      invalid: `AnomalyAlertTarget.fromCostAlertTarget: target is ${JSON.stringify(target)}: expected CostAlertTarget.email(...) or CostAlertTarget.topic(...)`,
    });
  }

  protected constructor() {
    super();
  }
}

class AnomalyTarget extends AnomalyAlertTarget {
  constructor() {
    super();
  }
}

/**
 * Which anomalies are worth an alert: the `ThresholdExpression` of the subscription (the deprecated `Threshold` is
 * never used). Amounts are the anomaly's total impact in USD; percentages are its impact relative to the expected
 * spend. A number out of range is reported when the app is synthesized.
 *
 * @see https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_AnomalySubscription.html
 */
export class AnomalyThreshold {
  /**
   * Alert when the anomaly's total impact is at least `amountUsd` dollars.
   * @param amountUsd 0 to 10 000 000 000
   */
  public static absolute(amountUsd: number): AnomalyThreshold {
    return AnomalyThreshold.of([dimension('ANOMALY_TOTAL_IMPACT_ABSOLUTE', amountUsd, 'absolute', 'amountUsd')]);
  }

  /**
   * Alert when the anomaly's total impact is at least `percent` % of the expected spend.
   * @param percent 0 to 10 000 000 000
   */
  public static percentage(percent: number): AnomalyThreshold {
    return AnomalyThreshold.of([dimension('ANOMALY_TOTAL_IMPACT_PERCENTAGE', percent, 'percentage', 'percent')]);
  }

  /**
   * Alert when the impact is at least `amountUsd` dollars AND at least `percent` %.
   */
  public static absoluteAndPercentage(amountUsd: number, percent: number): AnomalyThreshold {
    return AnomalyThreshold.of([
      dimension('ANOMALY_TOTAL_IMPACT_ABSOLUTE', amountUsd, 'absoluteAndPercentage', 'amountUsd'),
      dimension('ANOMALY_TOTAL_IMPACT_PERCENTAGE', percent, 'absoluteAndPercentage', 'percent'),
    ], 'And');
  }

  /**
   * Alert when the impact is at least `amountUsd` dollars OR at least `percent` %.
   */
  public static absoluteOrPercentage(amountUsd: number, percent: number): AnomalyThreshold {
    return AnomalyThreshold.of([
      dimension('ANOMALY_TOTAL_IMPACT_ABSOLUTE', amountUsd, 'absoluteOrPercentage', 'amountUsd'),
      dimension('ANOMALY_TOTAL_IMPACT_PERCENTAGE', percent, 'absoluteOrPercentage', 'percent'),
    ], 'Or');
  }

  private static of(parts: Dimension[], operator?: 'And' | 'Or'): AnomalyThreshold {
    const expression = operator ? { [operator]: parts.map((p) => p.expression) } : parts[0].expression;
    return new AnomalyThreshold(expression, parts);
  }

  private constructor(private readonly expression: Record<string, unknown>, private readonly parts: Dimension[]) {}

  /**
   * What is wrong with the numbers given, starting with `at` (the field that holds the threshold); checked by the
   * construct that uses the threshold and reported at synth with its other problems.
   * @internal
   */
  public _problems(at: string): string[] {
    const problems = this.parts.map(dimensionProblem).filter((p): p is string => p !== undefined);
    return problems.length > 0 ? [`${at}: ${problems.join('; ')}`] : [];
  }

  /** The `ThresholdExpression` JSON string of `AWS::CE::AnomalySubscription`. */
  public toThresholdExpression(): string {
    return JSON.stringify(this.expression);
  }
}

interface Dimension {
  readonly expression: Record<string, unknown>;
  /** What was given, to check where the threshold is used. */
  readonly value: number;
  readonly factory: string;
  readonly field: string;
}

function inRange(value: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 10_000_000_000;
}

function dimension(key: string, value: number, factory: string, field: string): Dimension {
  return {
    expression: { Dimensions: { Key: key, MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [inRange(value) ? decimal(value) : String(value)] } },
    value,
    factory,
    field,
  };
}

function dimensionProblem(d: Dimension): string | undefined {
  return inRange(d.value) ? undefined : `AnomalyThreshold.${d.factory}: ${d.field} is ${JSON.stringify(d.value)}: expected a number from 0 to 10000000000`;
}

/** A number as a plain decimal string: the API takes numbers in string format, never exponent notation (1e-7). */
function decimal(value: number): string {
  const plain = String(value);
  return /e/i.test(plain) ? value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : plain;
}

/**
 * An alert: who receives which anomalies, how often.
 */
export interface AnomalyAlertOptions {
  /** Who receives the alerts. */
  readonly targets: AnomalyAlertTarget[];

  /**
   * How often. E-mail needs DAILY or WEEKLY and SNS needs IMMEDIATE; a combination AWS cannot deliver is refused.
   *
   * @default - one subscription per kind of target: e-mail addresses get a DAILY summary, topics (and immediate
   * e-mail) IMMEDIATE alerts
   */
  readonly frequency?: AnomalyAlertFrequency;

  /**
   * Which anomalies are worth an alert.
   *
   * @default AnomalyThreshold.absolute(100)
   */
  readonly threshold?: AnomalyThreshold;
}

/**
 * The alert of one team: anomalies in the team's services reach the team's targets.
 */
export interface TeamAnomalyAlert extends AnomalyAlertOptions {
  /** The team, as declared by its services. */
  readonly team: string;
}

/**
 * A customer-managed monitor: the spend of up to 10 values of one tag key, watched together as one total.
 */
export interface CustomAnomalyMonitorOptions {
  /** Monitor name (unique in the account, with the name prefix). */
  readonly name: string;

  /** The tag values watched together (1-10). */
  readonly values: string[];

  /**
   * The tag key (the raw key, without `user:`).
   *
   * @default - the service tag key
   */
  readonly tagKey?: string;

  /**
   * Who is alerted about this monitor's anomalies.
   *
   * @default - no alert (anomalies show in the console and the GetAnomalies API)
   */
  readonly alert?: AnomalyAlertOptions;
}
