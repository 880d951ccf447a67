import { addDays, isIsoDate } from '../private/iso-date';
import { ValueReviewOutcome } from '../value-review';

/**
 * The dates of a value review: the next review, when it is due and how late, the date a retired service should be
 * gone. The one place this arithmetic lives, for the construct at synth, the record rules, the CLI and the scheduled
 * value review; free of aws-cdk-lib at run time (`value-review.ts` is read for the outcome's name only), so the CLI
 * and the Lambda bundles load it without the CDK.
 */

/** A review is "due soon" within this many days of its date. */
export const DUE_SOON_DAYS = 14;

const DAY_MS = 86_400_000;

/** Where a review whose next date is `nextReview` stands on `today` (both `YYYY-MM-DD`). */
export function reviewStatusOn(nextReview: string, today: string): 'ok' | 'due-soon' | 'overdue' {
  const left = (Date.parse(nextReview) - Date.parse(today)) / DAY_MS;
  return nextReview < today ? 'overdue' : left <= DUE_SOON_DAYS ? 'due-soon' : 'ok';
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`; negative when `to` is earlier). */
export function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

/** The date of the next review: the last review plus the interval. */
export function nextReviewDate(lastReviewed: string, everyDays: number): string {
  return addDays(lastReviewed, everyDays);
}

/** Where a service stands against its review schedule. */
export interface ReviewSchedule {
  readonly everyDays: number;
  readonly lastReviewed: string;
  readonly nextReview: string;
  /** `ok`, `due-soon` or `overdue` on `today`. */
  readonly status: 'ok' | 'due-soon' | 'overdue';
}

/** The schedule of a review every `everyDays` days last held on `lastReviewed`, on `today`. */
export function scheduleOn(everyDays: number, lastReviewed: string, today: string): ReviewSchedule {
  const next = nextReviewDate(lastReviewed, everyDays);
  return { everyDays, lastReviewed, nextReview: next, status: reviewStatusOn(next, today) };
}

/**
 * The date by which a service whose last review decided to retire it should be gone: the review date plus the grace
 * period; undefined when the last outcome is not "retire".
 */
export function retireBy(review: { readonly lastReviewed: string; readonly outcome?: string } | undefined, graceDays: number): string | undefined {
  return review?.outcome === ValueReviewOutcome.RETIRE.name && isIsoDate(review.lastReviewed) ? addDays(review.lastReviewed, graceDays) : undefined;
}
