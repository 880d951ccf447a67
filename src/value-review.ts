import { Duration } from 'aws-cdk-lib';

const OUTCOME_SYMBOL = Symbol.for('cdk-customer-value.ValueReviewOutcome');

/**
 * What the business unit decided at a value review, in the words business people use.
 *
 * @example
 * ValueReviewOutcome.SUSTAIN;
 */
export class ValueReviewOutcome {
  /** Invest: the service delivers more value than it costs; grow it (capacity, features, customers). */
  public static readonly INVEST = new ValueReviewOutcome('invest',
    'the service delivers more value than it costs: grow it');

  /** Sustain: the service delivers its value at a fair cost; keep it running as it is. */
  public static readonly SUSTAIN = new ValueReviewOutcome('sustain',
    'the service delivers its value at a fair cost: keep it as it is');

  /** Improve: the need is real, but value or cost must get better before the next review (e.g. a lower unit cost). */
  public static readonly IMPROVE = new ValueReviewOutcome('improve',
    'the need is real, but value or cost must get better before the next review');

  /** Retire: the need is gone or served elsewhere; decommission the service. */
  public static readonly RETIRE = new ValueReviewOutcome('retire',
    'the need is gone or served elsewhere: decommission the service');

  /** Every outcome, in the order above. */
  public static all(): ValueReviewOutcome[] {
    return [ValueReviewOutcome.INVEST, ValueReviewOutcome.SUSTAIN, ValueReviewOutcome.IMPROVE, ValueReviewOutcome.RETIRE];
  }

  /**
   * Whether `x` is a `ValueReviewOutcome` (also across copies of this library).
   */
  public static isValueReviewOutcome(x: any): x is ValueReviewOutcome {
    return x !== null && typeof x === 'object' && OUTCOME_SYMBOL in x;
  }

  /** The outcome's name as recorded in the metadata and shown in reports: `invest`, `sustain`, `improve` or `retire`. */
  public readonly name: string;
  /** What the outcome means, in one sentence. */
  public readonly description: string;

  private constructor(name: string, description: string) {
    this.name = name;
    this.description = description;
    Object.defineProperty(this, OUTCOME_SYMBOL, { value: true });
  }

  /** The outcome's name. */
  public toString(): string {
    return this.name;
  }
}

/**
 * When the business unit reviews the value a service delivers, and what it decided the last time.
 *
 * After a review meeting, update `lastReviewed`, `outcome` and `note` in code: the review history is then the
 * history of the declaration in version control.
 *
 * @example
 * const review: ValueReview = {
 *   every: Duration.days(90),
 *   lastReviewed: '2026-10-01',
 *   reviewer: 'retail-board',
 *   outcome: ValueReviewOutcome.SUSTAIN,
 *   note: 'Unit cost stable; revisit the search cluster size in Q1',
 * };
 */
export interface ValueReview {
  /**
   * How often the value is reviewed (whole days, 1 to 731).
   */
  readonly every: Duration;

  /**
   * The date of the last review, `YYYY-MM-DD` (for a new service: the date the need was agreed).
   */
  readonly lastReviewed: string;

  /**
   * Who reviews it (a board, a person, a forum).
   * @default - not recorded
   */
  readonly reviewer?: string;

  /**
   * What the last review decided: invest, sustain, improve or retire.
   *
   * A service whose last outcome is `RETIRE` and that is still in the app after the grace period (context
   * `customer-value:retirementGraceDays`, 90 days by default) is a `CustomerValueChecks` warning.
   *
   * @default - not recorded
   */
  readonly outcome?: ValueReviewOutcome;

  /**
   * A short note on the last review (what was decided and why, at most 500 characters), shown in the review pack,
   * the `services` report and the Backstage catalog.
   *
   * @default - no note
   */
  readonly note?: string;
}

/**
 * Where a service stands against its value review schedule.
 */
export enum ValueReviewStatus {
  /** No review schedule declared. */
  NOT_SCHEDULED = 'not-scheduled',
  /** The next review is more than 14 days away. */
  OK = 'ok',
  /** The next review is due within 14 days. */
  DUE_SOON = 'due-soon',
  /** The next review date has passed. */
  OVERDUE = 'overdue',
}
