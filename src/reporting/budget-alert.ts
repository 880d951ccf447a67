import { Token } from 'aws-cdk-lib';

/**
 * What a budget alert compares with the budget.
 */
export enum BudgetAlertType {
  /** The cost so far this month. */
  ACTUAL = 'ACTUAL',
  /** The cost AWS Budgets forecasts for the whole month. */
  FORECASTED = 'FORECASTED',
}

const ALERT_SYMBOL = Symbol.for('cdk-customer-value.BudgetAlert');
/** The bounds of `Notification.Threshold` in the AWS::Budgets::Budget registry schema. */
const MIN_THRESHOLD = 0.1;
const MAX_THRESHOLD = 1_000_000_000;

/**
 * A budget alert: a notification when the actual or forecasted monthly cost goes above a percentage of the
 * budget (`GREATER_THAN`, `PERCENTAGE`). A percentage out of range is reported when the app is synthesized.
 *
 * @example
 * BudgetAlert.actual(80);     // the cost so far passed 80 % of the budget
 * BudgetAlert.forecast(100);  // the month is forecast to end above the budget
 */
export class BudgetAlert {
  /**
   * The default alerts: actual > 80 %, actual > 100 %, forecast > 100 %.
   */
  public static readonly DEFAULTS: BudgetAlert[] = [
    BudgetAlert.actual(80),
    BudgetAlert.actual(100),
    BudgetAlert.forecast(100),
  ];

  /**
   * Alert when the cost so far this month goes above `percent` % of the budget.
   * @param percent 0.1 to 1 000 000 000 (e.g. 80)
   */
  public static actual(percent: number): BudgetAlert {
    return new BudgetAlert(BudgetAlertType.ACTUAL, percent, 'actual');
  }

  /**
   * Alert when the cost forecast for the month goes above `percent` % of the budget.
   * @param percent 0.1 to 1 000 000 000 (e.g. 100)
   */
  public static forecast(percent: number): BudgetAlert {
    return new BudgetAlert(BudgetAlertType.FORECASTED, percent, 'forecast');
  }

  /**
   * Whether `x` is a `BudgetAlert` (also across copies of this library).
   */
  public static isBudgetAlert(x: any): x is BudgetAlert {
    return x !== null && typeof x === 'object' && ALERT_SYMBOL in x;
  }

  /** Actual or forecasted cost. */
  public readonly type: BudgetAlertType;
  /** The threshold, in percent of the budget. */
  public readonly thresholdPercent: number;

  private constructor(type: BudgetAlertType, percent: number, private readonly factory: string) {
    this.type = type;
    this.thresholdPercent = percent;
    Object.defineProperty(this, ALERT_SYMBOL, { value: true });
  }

  /**
   * What is wrong with the percentage given, each problem starting with `at` (the field that holds the alert); checked
   * by the service that uses the alert and reported at synth with its other problems.
   * @internal
   */
  public _problems(at: string): string[] {
    const percent = this.thresholdPercent;
    if (typeof percent !== 'number' || Token.isUnresolved(percent) || !Number.isFinite(percent)
      || percent < MIN_THRESHOLD || percent > MAX_THRESHOLD) {
      return [`${at}: BudgetAlert.${this.factory}: percent is ${JSON.stringify(percent)}: expected a number of percent from ${MIN_THRESHOLD} to ${MAX_THRESHOLD} (e.g. 80), the range AWS::Budgets::Budget accepts`];
    }
    return [];
  }

  /** e.g. "actual > 80 %" */
  public toString(): string {
    return `${this.type === BudgetAlertType.ACTUAL ? 'actual' : 'forecast'} > ${this.thresholdPercent} %`;
  }
}
