/**
 * Until this day of the month, the last month of a review is provisional: AWS "can update the export delivery of the
 * previous billing period within the first two weeks after it ends" (AWS Data Exports user guide, "Understanding export
 * delivery", https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html). `ValueReviewReports`'
 * default schedule runs on this day.
 */
export const PROVISIONAL_UNTIL_DAY = 15;

/**
 * The note of a review made while AWS may still update its last month, or undefined. `then` tells the reader what
 * happens (or what to do) on the day the figures become final; the scheduled packs and the CLI say it differently.
 */
export function provisionalNote(lastMonth: string, today: Date, then: string): string | undefined {
  const [year, month] = lastMonth.split('-').map(Number);
  const final = new Date(Date.UTC(year, month, PROVISIONAL_UNTIL_DAY));
  if (today.getTime() >= final.getTime()) {
    return undefined;
  }
  return `${lastMonth} is provisional: AWS can update a billing period's cost and usage data during the first two weeks after `
    + `it ends, so its figures may still change until ${final.toISOString().slice(0, 10)} (${then})`;
}
