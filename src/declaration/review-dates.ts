/**
 * The dates of a value review, without the CDK: when a review is due, and how late. Part of the declaration rules
 * (`rules.ts` re-exports them); kept apart so that code running outside synthesis (the CLI, the scheduled value
 * review function) can use them without loading aws-cdk-lib.
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
