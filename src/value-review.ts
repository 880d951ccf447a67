import { Duration } from 'aws-cdk-lib';

/**
 * When the business unit reviews the value a service delivers.
 *
 * @example
 * const review: ValueReview = { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'retail-board' };
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
