/**
 * A CUR 2.0 sample for the business unit's value review: months of data with visible trends, and the monthly usage
 * of the services' demand drivers, for `customer-value review`.
 *
 *   npx tsx scripts/review-sample.ts --out DIR [--end 2026-11] [--months 7] [--rows 42000]
 *
 * Writes DIR/customer-value-cur/ (the export, as scripts/generate-cur.ts lays it out), DIR/customer-value-cur-totals.json
 * and DIR/customer-value-usage.csv (`service,month,units`). The trends (scripts/generate-cur.ts `trends`):
 * - checkout grows (+10 % cost a month) with its orders (+12 % a month): its unit cost falls;
 * - product-search costs more every month (+30 %) for the same number of searches: its unit cost rises;
 * - wishlist costs the same every month, above the budget examples/value-review.ts declares;
 * - gift-cards carries the retail business unit's tag, and no app declares it;
 * - returns (declared in examples/value-review.ts) has no cost at all;
 * - partly tagged usage carries the team and business-unit tags (no service tag).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CurTotals, generateCur, SERVICES, SyntheticService, TrendProfile } from './generate-cur';
import { Customer } from '../src/customer';

const REGION = 'eu-west-1';

/** The bill's services: the default ones and a retail service no app declares. */
export const REVIEW_SERVICES: SyntheticService[] = [
  ...SERVICES,
  {
    service: 'gift-cards',
    need: 'Shoppers give a gift card for any amount',
    customer: Customer.external('Online shoppers'),
    team: 'payments',
    businessUnit: 'retail',
    account: '222222222222',
    weight: 4,
    products: [{
      productCode: 'AWSLambda',
      usageType: 'EU-Lambda-GB-Second',
      operation: 'Invoke',
      resource: `arn:aws:lambda:${REGION}:222222222222:function:gift-cards`,
      rate: '0.0000166667',
      maxCostMicros: 1_500_000,
    }],
  },
];

export const REVIEW_TRENDS: Record<string, TrendProfile> = {
  'checkout': { start: 0.8, monthlyGrowth: 0.10 },
  'product-search': { start: 0.6, monthlyGrowth: 0.3 },
  'wishlist': { start: 1 },
};

/** Monthly units of each service's demand driver: first month and compound change per month. */
export const REVIEW_USAGE: Record<string, { readonly first: number; readonly monthlyGrowth: number }> = {
  'checkout': { first: 41_000, monthlyGrowth: 0.12 },
  'product-search': { first: 1_800_000, monthlyGrowth: 0 },
  'wishlist': { first: 260_000, monthlyGrowth: 0.01 },
};

export interface ReviewSampleOptions {
  readonly out: string;
  /** The last billing period, `YYYY-MM`. @default '2026-11' */
  readonly end?: string;
  /** @default 7 */
  readonly months?: number;
  /** @default 42000 */
  readonly rows?: number;
  /** DuckDB threads. @default - DuckDB's default */
  readonly threads?: number;
}

export interface ReviewSample {
  readonly totals: CurTotals;
  readonly exportDir: string;
  readonly usageFile: string;
}

/** Writes the sample and returns where. */
export async function generateReviewSample(options: ReviewSampleOptions): Promise<ReviewSample> {
  const months = options.months ?? 7;
  const end = options.end ?? '2026-11';
  const [y, m] = end.split('-').map(Number);
  const start = new Date(Date.UTC(y, m - months, 1)).toISOString().slice(0, 7);
  const totals = await generateCur({
    out: options.out,
    rows: options.rows ?? 42_000,
    months,
    start,
    openMonths: 0,
    services: REVIEW_SERVICES,
    trends: REVIEW_TRENDS,
    partialWithBusinessUnit: true,
    threads: options.threads,
  });
  const lines = ['service,month,units'];
  for (const [service, u] of Object.entries(REVIEW_USAGE)) {
    totals.billingPeriods.forEach((period, i) => lines.push(`${service},${period},${Math.round(u.first * (1 + u.monthlyGrowth) ** i)}`));
  }
  const usageFile = path.join(options.out, 'customer-value-usage.csv');
  fs.writeFileSync(usageFile, `${lines.join('\n')}\n`);
  return { totals, exportDir: path.join(options.out, totals.exportName), usageFile };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const get = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = get('out');
  if (!out) {
    process.stderr.write('review-sample: --out DIR is required\n');
    process.exit(2);
  }
  generateReviewSample({
    out,
    end: get('end'),
    months: get('months') ? Number(get('months')) : undefined,
    rows: get('rows') ? Number(get('rows')) : undefined,
  }).then((s) => process.stdout.write(`${s.exportDir}\n${s.usageFile}\n`)).catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
