import { createHash } from 'crypto';
import { MonthlyUsage, ReviewResult, reviewBusinessUnits, ReviewInput } from './review';
import { monthEnd } from './review-gaps';
import { PackContext, reviewReport } from './review-pack';
import { TagKeys } from '../../tag-keys';
import { CostQuery, CostResult, ReportMetric } from '../query';
import { CostGrouping, CostMetric } from '../query-terms';
import { Report } from '../report/model';

/**
 * The one path from a source's monthly cost table to the review packs, shared by the `review` command and the
 * scheduled `ValueReviewReports` function: the query to ask the source, the months of a trend, the packs (one per
 * business unit and one holding them all) and their file names.
 */

/** Price of one Cost Explorer request, and of a terabyte Athena scans (10 MB minimum per query), in USD. */
const CE_REQUEST_USD = 0.01;
const ATHENA_TB_USD = 5;
const ATHENA_MIN_BYTES = 10 * 1024 * 1024;

/** `count` months ending with the month before `today` (the last full month), `YYYY-MM`, oldest first. */
export function trendMonths(today: Date, count: number): string[] {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - count + i, 1)).toISOString().slice(0, 7));
}

/** The months from `from` (first day of a month) to `to` (exclusive, first day of a month). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.slice(0, 7).split('-').map(Number);
  for (let month = from.slice(0, 7); `${month}-01` < to; month = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7)) {
    out.push(month);
    [y, m] = month.split('-').map(Number);
  }
  return out;
}

export { monthEnd } from './review-gaps';

/**
 * What a source is asked for a review: cost per service tag and business-unit tag over the trend, per month (one
 * Cost Explorer request per page with MONTHLY granularity, one aggregation by month), or per day (`byDay`: local
 * files, where the days without data inside a month can then be named).
 */
export function reviewQuery(months: string[], tagKeys: TagKeys, metric: ReportMetric = CostMetric.UNBLENDED, byDay = false): CostQuery {
  return {
    from: `${months[0]}-01`,
    to: monthEnd(months[months.length - 1]),
    groupBy: CostGrouping.BUSINESS_UNIT,
    metric,
    tagKeys,
    granularity: byDay ? 'day' : 'month',
  };
}

/** What the requests of a source cost, in USD, when the source says how many it made. */
export function requestCost(result: CostResult): number | undefined {
  if (result.requests === undefined) {
    return undefined;
  }
  if (result.bytesScanned !== undefined && /^Athena/.test(result.source)) {
    const billed = Math.max(result.bytesScanned, ATHENA_MIN_BYTES * result.requests);
    return (billed / 1e12) * ATHENA_TB_USD;
  }
  return /^Cost Explorer/.test(result.source) ? result.requests * CE_REQUEST_USD : undefined;
}

/** Longest business-unit part of a pack's file name. */
const MAX_UNIT_IN_NAME = 64;

/**
 * A business unit's file name: stable, lower case, safe on every file system (`value-review-retail.html`); a name
 * longer than 64 characters is cut to 55 and made unique with 8 hex digits of the SHA-256 of the business unit.
 */
export function packFileName(unit: string, extension: string, taken: Set<string>): string {
  let base = unit.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'unit';
  if (base.length > MAX_UNIT_IN_NAME) {
    // as the catalog names entities: cut, and made unique by a hash of the whole name (a file name holds 255 bytes)
    base = `${base.slice(0, MAX_UNIT_IN_NAME - 9).replace(/-+$/, '')}-${createHash('sha256').update(unit, 'utf8').digest('hex').slice(0, 8)}`;
  }
  let name = `value-review-${base}`;
  for (let i = 2; taken.has(name); i++) {
    name = `value-review-${base}-${i}`;
  }
  taken.add(name);
  return `${name}.${extension}`;
}

export interface ReviewPacks {
  readonly result: ReviewResult;
  /** Every requested unit in one report. */
  readonly combined: Report;
  /** One report per unit, in the order of `result.units`. */
  readonly perUnit: Array<{ readonly businessUnit: string; readonly report: Report }>;
}

export interface ReviewPacksInput extends Omit<ReviewInput, 'usage'> {
  readonly usage?: ReadonlyMap<string, MonthlyUsage>;
  readonly declarations: string;
  /** Notes on how usage was read. */
  readonly usageNotes?: string[];
  /** Notes on the value-chain allocation (`--allocate`). */
  readonly allocationNotes?: string[];
  /** How the reader sets the thresholds (`PackContext.thresholdsHow`). @default - not said */
  readonly thresholdsHow?: string;
}

/** Reviews the units and renders the pack models. */
export function reviewPacks(input: ReviewPacksInput): ReviewPacks {
  const result = reviewBusinessUnits(input);
  const ctx: PackContext = {
    months: input.months,
    today: input.today,
    source: input.result.source,
    requests: input.result.requests,
    requestCostUsd: requestCost(input.result),
    bytesScanned: input.result.bytesScanned,
    declarations: input.declarations,
    thresholds: input.thresholds,
    ...(input.thresholdsHow ? { thresholdsHow: input.thresholdsHow } : {}),
    notes: [...(input.result.warnings ?? []), ...input.result.notes, ...(input.usageNotes ?? []), ...(input.allocationNotes ?? [])],
  };
  return {
    result,
    combined: reviewReport(result, result.units, ctx),
    perUnit: result.units.map((u) => ({ businessUnit: u.businessUnit, report: reviewReport(result, [u], ctx) })),
  };
}
