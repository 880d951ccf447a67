/**
 * Generates a realistic synthetic CUR 2.0 (Data Exports) export, laid out like the real one, with known totals.
 *
 *   npx tsx scripts/generate-cur.ts --rows 100000 --out /tmp/cur [--format parquet|csv|csv.gz] [--months 2]
 *                                   [--start 2026-10] [--seed 1] [--export-name customer-value-cur]
 *                                   [--rows-per-file 2000000] [--open-months 1] [--untagged-mix true]
 *
 * Writes
 *   <out>/<export-name>/data/BILLING_PERIOD=YYYY-MM/<export-name>-00001.snappy.parquet   (or .csv / .csv.gz)
 *   <out>/<export-name>/metadata/BILLING_PERIOD=YYYY-MM/<export-name>-Manifest.json
 *   <out>/<export-name>-totals.json   the exact totals (per service, team, business unit, need, customer,
 *                                     untagged, grand total; unblended, amortized, net unblended; per month)
 *
 * The columns are CurQueries.EXPORT_COLUMNS (the real CUR 2.0 names and types). `resource_tags` is a map with the
 * `user_` keys of the customer-value tags (a JSON object string in CSV, as CUR 2.0 CSV exports write maps).
 * Line items: Usage (tagged per service, untagged shared infrastructure, partly tagged), Savings Plan covered usage
 * with its negation, reservation-covered usage, Savings Plan and RI recurring fees, Savings Plan upfront fee, Tax,
 * Credit, Refund. The last `--open-months` billing periods have no invoice id yet (estimated).
 *
 * Rows are generated inside DuckDB from range() and streamed to the files with COPY ... TO, so memory stays bounded
 * at any size (10 M rows and more); the same seed always gives the same files and totals. Amounts are whole
 * micro-dollars, so the totals are exact.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DuckDBConnection } from '@duckdb/node-api';
import {
  billingPeriods, commonProblems, EXPORT_DEFAULTS, ExportFileFormat, intOption, lit, nextMonthStart, parseCommandLine, runGenerator,
  pickSql, splitEvenly, UNTAGGED_MIX, untaggedStackSql, withDuckDb, writeExport,
} from './lib/export-writer';
import { CUR_2_0_SCHEMA } from '../src/cost-data/schemas/cur-schema';
import { CurQueries } from '../src/cost-data/schemas/cur-sql';
import { Customer } from '../src/customer';
import { deriveTagValue } from '../src/private/tag-safe';
import { TagKeys } from '../src/tag-keys';

/** A product a service runs on, with its usage type and typical cost of one line item. */
export interface SyntheticProduct {
  readonly productCode: string;
  readonly usageType: string;
  readonly operation: string;
  /** Resource ARN prefix; a small number is appended. */
  readonly resource: string;
  readonly rate: string;
  /** Largest cost of one usage line item, in micro-dollars. */
  readonly maxCostMicros: number;
}

/** A customer service as it appears in the bill: its tag values, account and products. */
export interface SyntheticService {
  readonly service: string;
  readonly need: string;
  readonly customer: Customer;
  readonly team: string;
  readonly businessUnit: string;
  readonly account: string;
  /** Relative share of the tagged usage line items. */
  readonly weight: number;
  readonly products: SyntheticProduct[];
}

const REGION = 'eu-west-1';
const p = (productCode: string, usageType: string, operation: string, resource: string, rate: string, maxCostMicros: number): SyntheticProduct =>
  ({ productCode, usageType, operation, resource, rate, maxCostMicros });

/**
 * The services of the repository's examples. Add one here to see it in the generated bill.
 */
export const SERVICES: SyntheticService[] = [
  {
    service: 'wishlist',
    need: 'Shoppers keep a list of products they want to buy later',
    customer: Customer.external('Online shoppers'),
    team: 'discovery',
    businessUnit: 'retail',
    account: '111111111111',
    weight: 14,
    products: [
      p('AmazonDynamoDB', 'EU-ReadRequestUnits', 'GetItem', `arn:aws:dynamodb:${REGION}:111111111111:table/wishlist-items`, '0.000000283', 2_000_000),
      p('AWSLambda', 'EU-Lambda-GB-Second', 'Invoke', `arn:aws:lambda:${REGION}:111111111111:function:wishlist-api`, '0.0000166667', 1_500_000),
      p('AmazonS3', 'EU-TimedStorage-ByteHrs', 'StandardStorage', 'arn:aws:s3:::wishlist-assets', '0.023', 500_000),
    ],
  },
  {
    service: 'checkout',
    need: 'Shoppers pay for their basket in one step',
    customer: Customer.external('Online shoppers'),
    team: 'payments',
    businessUnit: 'retail',
    account: '222222222222',
    weight: 28,
    products: [
      p('AWSLambda', 'EU-Lambda-GB-Second', 'Invoke', `arn:aws:lambda:${REGION}:222222222222:function:checkout-api`, '0.0000166667', 2_500_000),
      p('AmazonRDS', 'EU-InstanceUsage:db.r6g.large', 'CreateDBInstance:0016', `arn:aws:rds:${REGION}:222222222222:db:checkout`, '0.258', 8_000_000),
      p('AWSQueueService', 'EU-Requests-Tier1', 'SendMessage', `arn:aws:sqs:${REGION}:222222222222:checkout-orders`, '0.0000004', 300_000),
    ],
  },
  {
    service: 'product-search',
    need: 'Shoppers find the product they are looking for',
    customer: Customer.external('Online shoppers'),
    team: 'discovery',
    businessUnit: 'retail',
    account: '111111111111',
    weight: 22,
    products: [
      p('AmazonES', 'EU-ESInstance:r6g.large.search', 'ESDomain', `arn:aws:es:${REGION}:111111111111:domain/search`, '0.167', 6_000_000),
      p('AmazonEC2', 'EU-BoxUsage:m7g.large', 'RunInstances', `arn:aws:ec2:${REGION}:111111111111:instance/i-0search`, '0.0924', 5_000_000),
    ],
  },
  {
    service: 'private-network',
    need: 'Service teams run their workloads in a private network',
    customer: Customer.internal('Service teams'),
    team: 'platform',
    businessUnit: 'technology',
    account: '222222222222',
    weight: 18,
    products: [
      p('AmazonEC2', 'EU-NatGateway-Hours', 'NatGateway', `arn:aws:ec2:${REGION}:222222222222:natgateway/nat-0shop`, '0.048', 1_000_000),
      p('AmazonEC2', 'EU-NatGateway-Bytes', 'NatGateway', `arn:aws:ec2:${REGION}:222222222222:natgateway/nat-0shop`, '0.048', 1_500_000),
      p('AmazonVPC', 'EU-VpcEndpoint-Hours', 'VpcEndpoint', `arn:aws:ec2:${REGION}:222222222222:vpc-endpoint/vpce-0shop`, '0.011', 400_000),
    ],
  },
  {
    // consumes private-network and is consumed by checkout and product-search (examples/online-shop.ts): the value
    // chain that `customer-value cost --allocate` resolves
    service: 'data-platform',
    need: 'Product teams analyse shop events without running their own pipelines',
    customer: Customer.internal('Product teams'),
    team: 'data',
    businessUnit: 'technology',
    account: '333333333333',
    weight: 18,
    products: [
      p('AmazonKinesis', 'EU-OnDemand-StreamHours', 'OnDemandStreamHr', `arn:aws:kinesis:${REGION}:333333333333:stream/shop-events`, '0.04', 800_000),
      p('AmazonKinesis', 'EU-OnDemand-DataIngested-Bytes', 'OnDemandDataIngested', `arn:aws:kinesis:${REGION}:333333333333:stream/shop-events`, '0.08', 1_500_000),
      p('AmazonS3', 'EU-TimedStorage-ByteHrs', 'StandardStorage', 'arn:aws:s3:::shop-data-lake', '0.023', 1_200_000),
    ],
  },
  {
    // declared in no example: its cost shows as a tag value no declared service carries
    service: 'reports',
    need: 'Finance closes the month with accurate sales figures',
    customer: Customer.internal('Finance department'),
    team: 'data',
    businessUnit: 'finance',
    account: '333333333333',
    weight: 16,
    products: [
      p('AmazonS3', 'EU-TimedStorage-ByteHrs', 'StandardStorage', 'arn:aws:s3:::reports-lake', '0.023', 1_200_000),
      p('AmazonAthena', 'EU-DataScannedInTB', 'RunQuery', `arn:aws:athena:${REGION}:333333333333:workgroup/reports`, '5.0', 3_000_000),
      p('AWSGlue', 'EU-ETL-DPU-Hour', 'Jobrun', `arn:aws:glue:${REGION}:333333333333:job/reports-nightly`, '0.44', 2_000_000),
    ],
  },
];

/** Shared infrastructure nobody tagged (the untagged spend). */
const SHARED: SyntheticProduct[] = [
  p('AmazonVPC', 'EU-NatGateway-Hours', 'NatGateway', `arn:aws:ec2:${REGION}:444444444444:natgateway/nat-0shared`, '0.048', 1_000_000),
  p('AmazonCloudWatch', 'EU-CW:MetricMonitorUsage', 'MetricStorage', `arn:aws:cloudwatch:${REGION}:444444444444:metric`, '0.30', 600_000),
  p('AWSDataTransfer', 'EU-DataTransfer-Out-Bytes', 'InterZone-Out', '', '0.09', 900_000),
  p('AmazonEC2', 'EU-BoxUsage:t4g.medium', 'RunInstances', `arn:aws:ec2:${REGION}:444444444444:instance/i-0bastion`, '0.0336', 700_000),
];

/**
 * More untagged products under the untagged mix (`untaggedMix`): support, a load balancer and volumes made outside
 * CDK (or before the tags were active), a managed NAT in a service account.
 */
const MIX_SHARED: SyntheticProduct[] = [
  p('AWSSupportBusiness', 'Dollar', '', '', '0.10', 2_000_000),
  p('AWSELB', 'EU-LoadBalancerUsage', 'LoadBalancing:Application', `arn:aws:elasticloadbalancing:${REGION}:444444444444:loadbalancer/app/legacy-shop`, '0.0252', 500_000),
  p('AmazonEC2', 'EU-EBS:VolumeUsage.gp3', 'CreateVolume-Gp3', `arn:aws:ec2:${REGION}:444444444444:volume/vol-0legacy`, '0.088', 400_000),
  p('AmazonEC2', 'EU-DataTransfer-Regional-Bytes', 'InterZone-In', `arn:aws:ec2:${REGION}:222222222222:natgateway/nat-0orders`, '0.01', 300_000),
];

export type CurFileFormat = ExportFileFormat;

export interface GenerateCurOptions {
  readonly rows: number;
  readonly out: string;
  /** @default 'parquet' */
  readonly format?: CurFileFormat;
  /** @default 2 */
  readonly months?: number;
  /** First billing period, YYYY-MM. @default '2026-10' */
  readonly start?: string;
  /** @default 1 */
  readonly seed?: number;
  /** @default 'customer-value-cur' */
  readonly exportName?: string;
  /** @default 2_000_000 */
  readonly rowsPerFile?: number;
  /** How many of the last billing periods are not invoiced yet (no bill_invoice_id). @default 1 */
  readonly openMonths?: number;
  /** Services in the bill. @default SERVICES */
  readonly services?: SyntheticService[];
  /** DuckDB threads. @default - DuckDB's default (all cores) */
  readonly threads?: number;
  /**
   * How the cost of some services moves from one billing period to the next (service name -> profile), for samples
   * with visible trends (the value review). Services without a profile, and the default output, are unchanged.
   * @default - no trends
   */
  readonly trends?: Record<string, TrendProfile>;
  /**
   * Partly tagged usage carries the business-unit tag too (spend a business unit can see without its service).
   * @default false
   */
  readonly partialWithBusinessUnit?: boolean;
  /**
   * Untagged spend of every kind attribution rules are declared for (`UNTAGGED_MIX` in scripts/lib/export-writer.ts):
   * untagged usage over the services' accounts, half of it with an `aws_cloudformation_stack_name` resource tag, and
   * support, load balancer, volume and data transfer products. Totals are unchanged in kind (computed the same way).
   * @default false
   */
  readonly untaggedMix?: boolean;
}

/** How a service's usage cost moves over the billing periods: a factor on the cost of its usage line items. */
export interface TrendProfile {
  /** Factor of the first billing period. @default 1 */
  readonly start?: number;
  /** Compound change per billing period (0.12 = +12 % a month, -0.05 = -5 % a month). @default 0 */
  readonly monthlyGrowth?: number;
  /** Billing periods (0-based) without any line item of the service. @default - none */
  readonly absentMonths?: number[];
}

/** The factor of a trend profile in billing period `m` (0-based). */
export function trendFactor(t: TrendProfile, m: number): number {
  if ((t.absentMonths ?? []).includes(m)) {
    return 0;
  }
  return (t.start ?? 1) * (1 + (t.monthlyGrowth ?? 0)) ** m;
}

export interface GroupTotals {
  readonly total: number;
  readonly untagged: number;
  readonly byValue: Record<string, number>;
}

export interface MetricTotals {
  readonly total: number;
  /** Line items without a service tag. */
  readonly untagged: number;
  readonly byService: Record<string, number>;
  readonly byTeam: Record<string, number>;
  readonly byBusinessUnit: Record<string, number>;
  readonly byNeed: Record<string, number>;
  readonly byCustomer: Record<string, number>;
  readonly tax: number;
  readonly credit: number;
}

export interface CurTotals {
  readonly exportName: string;
  readonly seed: number;
  readonly rows: number;
  readonly format: CurFileFormat;
  readonly currency: string;
  readonly billingPeriods: string[];
  readonly openBillingPeriods: string[];
  /** `from` (inclusive) and `to` (exclusive) covering every line item. */
  readonly from: string;
  readonly to: string;
  readonly files: string[];
  /** The CUR map keys of the tag keys, e.g. user_customer_service. */
  readonly mapKeys: Record<string, string>;
  readonly lineItemTypes: Record<string, number>;
  readonly unblended: MetricTotals;
  readonly amortized: MetricTotals;
  readonly netUnblended: MetricTotals;
  readonly byBillingPeriod: Record<string, { unblended: MetricTotals; amortized: MetricTotals; netUnblended: MetricTotals }>;
  /** Generation wall time in milliseconds (not part of the deterministic content). */
  readonly elapsedMs?: number;
}

/** Generates the export and returns (and writes) its totals. */
export async function generateCur(options: GenerateCurOptions): Promise<CurTotals> {
  const started = Date.now();
  const o = checkOptions(options);
  return withDuckDb(o.threads, async (db) => {
    await createDimensions(db, o);
    const files = await writeExport(db, {
      options: o,
      periods: o.periods,
      partitionFolder: CUR_2_0_SCHEMA.partitionFolder,
      select: (lo, hi, month) => selectForFile(o.format, lo, hi, month),
      manifest: (period, dataFiles) => manifest(o, period, dataFiles),
    });
    const totals = await computeTotals(db, o, files);
    const result = { ...totals, elapsedMs: Date.now() - started };
    fs.writeFileSync(path.join(o.out, `${o.exportName}-totals.json`), `${JSON.stringify({ ...result, elapsedMs: undefined }, null, 2)}\n`);
    return result;
  });
}

interface Resolved extends Required<Omit<GenerateCurOptions, 'threads' | 'trends' | 'partialWithBusinessUnit' | 'untaggedMix'>> {
  readonly threads?: number;
  readonly untaggedMix?: boolean;
  readonly trends?: Record<string, TrendProfile>;
  readonly partialWithBusinessUnit?: boolean;
  readonly periods: string[];
}

function checkOptions(options: GenerateCurOptions): Resolved {
  const o = {
    ...EXPORT_DEFAULTS,
    exportName: 'customer-value-cur',
    openMonths: 1,
    services: SERVICES,
    ...options,
  };
  const common = commonProblems(o, ' (Data Exports names)');
  const problems: string[] = [...common.first, ...common.last];
  if (!Number.isInteger(o.openMonths) || o.openMonths < 0) problems.push(`open-months is ${o.openMonths}: expected a whole number >= 0`);
  if (!o.out) problems.push('out is missing: expected a directory');
  if (o.services.length === 0) problems.push('services is empty');
  for (const [name, t] of Object.entries(o.trends ?? {})) {
    if (!o.services.some((x) => x.service === name)) problems.push(`trends.${name}: no such service`);
    if (t.start !== undefined && !(t.start >= 0)) problems.push(`trends.${name}.start is ${t.start}: expected >= 0`);
    if (t.monthlyGrowth !== undefined && !(t.monthlyGrowth > -1)) problems.push(`trends.${name}.monthlyGrowth is ${t.monthlyGrowth}: expected > -1`);
  }
  if (problems.length > 0) {
    throw new Error(`generate-cur: ${problems.join('; ')}`);
  }
  return { ...o, periods: billingPeriods(o.start, o.months) };
}

type Connection = DuckDBConnection;

/** Small dimension tables: billing periods, services (with cumulative weights) and products. */
async function createDimensions(db: Connection, o: Resolved): Promise<void> {
  const keys = TagKeys.DEFAULT;
  const months = o.periods.map((period, m) => {
    const start = `${period}-01`;
    const next = nextMonthStart(period);
    const days = Math.round((Date.parse(next) - Date.parse(start)) / 86_400_000);
    const open = m >= o.months - o.openMonths;
    const invoice = open ? '' : `EUINGB${period.replace('-', '')}-${String(1000 + o.seed).slice(-4)}`;
    return `(${m}, ${lit(period)}, TIMESTAMP ${lit(`${start} 00:00:00`)}, TIMESTAMP ${lit(`${next} 00:00:00`)}, ${days}, ${lit(invoice)})`;
  });
  await db.run('CREATE TABLE months (m INTEGER, period VARCHAR, period_start TIMESTAMP, period_end TIMESTAMP, days INTEGER, invoice VARCHAR)');
  await db.run(`INSERT INTO months VALUES ${months.join(', ')}`);

  const totalWeight = o.services.reduce((s, x) => s + x.weight, 0);
  let cum = 0;
  const services = o.services.map((s, i) => {
    const low = cum / totalWeight;
    cum += s.weight;
    const high = i === o.services.length - 1 ? 1.0000001 : cum / totalWeight;
    return `(${i}, ${low}, ${high}, ${lit(s.service)}, ${lit(deriveTagValue(s.need))}, ${lit(s.customer.tagValue)}, ${lit(s.team)}, `
      + `${lit(s.businessUnit)}, ${lit(s.account)}, ${s.products.length})`;
  });
  await db.run(`CREATE TABLE services (svc INTEGER, low DOUBLE, high DOUBLE, service VARCHAR, need VARCHAR, customer VARCHAR, team VARCHAR,
    business_unit VARCHAR, account VARCHAR, n_products INTEGER)`);
  await db.run(`INSERT INTO services VALUES ${services.join(', ')}`);
  // Tag maps of each service, with the map keys of TagKeys.curMapKey (written once, used by the queries too).
  await db.run(`CREATE TABLE service_tags AS SELECT svc, MAP {
      ${lit(TagKeys.curMapKey(keys.service))}: service, ${lit(TagKeys.curMapKey(keys.need))}: need,
      ${lit(TagKeys.curMapKey(keys.customer))}: customer, ${lit(TagKeys.curMapKey(keys.team))}: team,
      ${lit(TagKeys.curMapKey(keys.businessUnit))}: business_unit, 'user_environment': 'production' } AS tags
    FROM services`);

  const products: string[] = [];
  o.services.forEach((s, i) => s.products.forEach((x, slot) => products.push(productRow(i, slot, x))));
  const shared = o.untaggedMix ? [...SHARED, ...MIX_SHARED] : SHARED;
  shared.forEach((x, slot) => products.push(productRow(-1, slot, x)));
  await db.run(`CREATE TABLE products (svc INTEGER, slot INTEGER, product_code VARCHAR, usage_type VARCHAR, operation VARCHAR,
    resource VARCHAR, rate VARCHAR, max_micros BIGINT)`);
  await db.run(`INSERT INTO products VALUES ${products.join(', ')}`);

  // Deterministic pseudo-random numbers in [0, 1) from (row, stream): integer hashing only, so the same seed gives the
  // same bill on every machine and DuckDB version (DuckDB's hash() is not guaranteed stable).
  const P = 4294967291; // largest prime below 2^32
  await db.run(`CREATE MACRO mix(x, s) AS ((((x * 2654435761) % ${P}) + s * 40503 + ${o.seed} * 7919) % ${P} * 1103515245 + 12345) % ${P}`);
  await db.run(`CREATE MACRO rnd(x, s) AS (xor(mix(x, s), mix(x, s) >> 13) * 747796405 % ${P}) / ${P}.0`);
  const trends = o.trends !== undefined && Object.keys(o.trends).length > 0;
  if (trends) {
    const factors = o.services.flatMap((x, i) => (o.trends![x.service] ? o.periods.map((_, m) => `(${i}, ${m}, ${trendFactor(o.trends![x.service], m)})`) : []));
    await db.run('CREATE TABLE trend (svc INTEGER, m INTEGER, factor DOUBLE)');
    await db.run(`INSERT INTO trend VALUES ${factors.join(', ')}`);
  }
  await db.run(`CREATE MACRO gen(lo, hi, month) AS TABLE ${generatorSql(trends, o.partialWithBusinessUnit === true, shared.length, o.untaggedMix === true)}`);
}

function productRow(svc: number, slot: number, x: SyntheticProduct): string {
  return `(${svc}, ${slot}, ${lit(x.productCode)}, ${lit(x.usageType)}, ${lit(x.operation)}, ${lit(x.resource)}, ${lit(x.rate)}, ${x.maxCostMicros})`;
}

/**
 * The generating query: one line item per row of range(lo, hi), with the CUR 2.0 columns plus `t_*` truth columns
 * (the tag values put in the map, the amounts in micro-dollars) used for the totals.
 *
 * Row kinds, from a per-pair draw (pairs keep a Savings Plan covered usage next to its negation) and a per-row draw:
 *  7% of pairs: SavingsPlanCoveredUsage + SavingsPlanNegation (same resource and tags, opposite unblended cost);
 *  otherwise per row: 76% tagged Usage, 6% untagged Usage (shared infrastructure), 1.5% partly tagged Usage (team
 *  only), 3% DiscountedUsage (RI), 1% Tax, 0.6% Credit, 0.2% Refund (half Compute Savings Plans), 0.1% Savings Plan
 *  recurring fee, 0.1% RI fee, 0.02% Savings Plan upfront fee, rest tagged Usage.
 */
function generatorSql(trends = false, partialWithBusinessUnit = false, nShared = SHARED.length, mix = false): string {
  // trends (off by default, leaving the default output unchanged): a factor per (service, month) on the usage cost
  const factor = trends ? ' * COALESCE(tr.factor, 1.0)' : '';
  const trendJoin = trends ? '\n    LEFT JOIN trend tr ON tr.svc = pl.svc AND tr.m = month\n    WHERE COALESCE(tr.factor, 1.0) > 0' : '';
  const bu = TagKeys.curMapKey(TagKeys.DEFAULT.businessUnit);
  return `
  WITH draws AS (
    SELECT i,
      rnd(i // 2, 1) AS pair_u,
      rnd(i, 2) AS kind_u, rnd(i, 3) AS svc_u, rnd(i, 4) AS prod_u, rnd(i, 5) AS cost_u, rnd(i, 6) AS day_u, rnd(i, 7) AS res_u,
      rnd(i // 2, 3) AS pair_svc_u, rnd(i // 2, 4) AS pair_prod_u, rnd(i // 2, 5) AS pair_cost_u, rnd(i // 2, 6) AS pair_day_u
    FROM range(lo, hi) AS r(i)
  ), kinds AS (
    SELECT *,
      CASE
        WHEN pair_u < 0.07 THEN CASE WHEN i % 2 = 0 THEN 'SavingsPlanCoveredUsage' ELSE 'SavingsPlanNegation' END
        WHEN kind_u < 0.76 THEN 'Usage'
        WHEN kind_u < 0.82 THEN 'Usage:untagged'
        WHEN kind_u < 0.835 THEN 'Usage:partial'
        WHEN kind_u < 0.865 THEN 'DiscountedUsage'
        WHEN kind_u < 0.875 THEN 'Tax'
        WHEN kind_u < 0.881 THEN 'Credit'
        WHEN kind_u < 0.883 THEN 'Refund'
        WHEN kind_u < 0.884 THEN 'SavingsPlanRecurringFee'
        WHEN kind_u < 0.885 THEN 'RIFee'
        WHEN kind_u < 0.8852 THEN 'SavingsPlanUpfrontFee'
        ELSE 'Usage'
      END AS kind
    FROM draws
  ), shaped AS (
    SELECT k.*,
      CASE WHEN kind LIKE 'SavingsPlan%Usage' OR kind = 'SavingsPlanNegation' THEN pair_svc_u ELSE svc_u END AS s_u,
      CASE WHEN kind LIKE 'SavingsPlan%Usage' OR kind = 'SavingsPlanNegation' THEN pair_prod_u ELSE prod_u END AS p_u,
      CASE WHEN kind LIKE 'SavingsPlan%Usage' OR kind = 'SavingsPlanNegation' THEN pair_cost_u ELSE cost_u END AS c_u,
      CASE WHEN kind LIKE 'SavingsPlan%Usage' OR kind = 'SavingsPlanNegation' THEN pair_day_u ELSE day_u END AS d_u,
      CASE WHEN kind IN ('Usage', 'Usage:partial', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation', 'DiscountedUsage') THEN 1 ELSE 0 END AS on_service
    FROM kinds k
  ), placed AS (
    SELECT sh.*, m.period, m.period_start, m.period_end, m.days, m.invoice,
      CASE WHEN on_service = 1 THEN s.svc ELSE -1 END AS svc,
      s.n_products
    FROM shaped sh
    CROSS JOIN (SELECT * FROM months WHERE m = month) AS m
    JOIN services s ON sh.s_u >= s.low AND sh.s_u < s.high
  ), priced AS (
    SELECT pl.*,
      pr.product_code, pr.usage_type, pr.operation, pr.resource, pr.rate, pr.max_micros,
      CASE WHEN kind IN ('Tax', 'Credit', 'Refund', 'SavingsPlanRecurringFee', 'RIFee', 'SavingsPlanUpfrontFee') THEN period_start
           ELSE period_start + to_days(CAST(floor(d_u * days) AS INTEGER)) END AS usage_start,
      1 + CAST(floor(c_u * c_u * c_u * pr.max_micros${factor}) AS BIGINT) AS usage_micros
    FROM placed pl
    JOIN products pr ON pr.svc = pl.svc
      AND pr.slot = CASE WHEN pl.svc = -1 THEN CAST(floor(pl.p_u * ${nShared}) AS INTEGER) ELSE CAST(floor(pl.p_u * pl.n_products) AS INTEGER) END${trendJoin}
  ), costed AS (
    SELECT pc.*,
      CASE kind
        WHEN 'SavingsPlanNegation' THEN -usage_micros
        WHEN 'DiscountedUsage' THEN 0
        WHEN 'Tax' THEN 1 + CAST(floor(c_u * 400000) AS BIGINT)
        WHEN 'Credit' THEN -(1 + CAST(floor(c_u * 3000000) AS BIGINT))
        WHEN 'Refund' THEN -(1 + CAST(floor(c_u * 1000000) AS BIGINT))
        WHEN 'SavingsPlanRecurringFee' THEN 5000000 + CAST(floor(c_u * 5000000) AS BIGINT)
        WHEN 'RIFee' THEN 3000000 + CAST(floor(c_u * 3000000) AS BIGINT)
        WHEN 'SavingsPlanUpfrontFee' THEN 50000000 + CAST(floor(c_u * 50000000) AS BIGINT)
        ELSE usage_micros
      END AS unblended_micros,
      CASE WHEN kind = 'SavingsPlanCoveredUsage' THEN usage_micros * 72 // 100 ELSE 0 END AS sp_effective_micros,
      CASE WHEN kind = 'DiscountedUsage' THEN usage_micros * 60 // 100 ELSE 0 END AS ri_effective_micros,
      CASE WHEN kind = 'Refund' AND res_u < 0.5 THEN 'ComputeSavingsPlans' ELSE NULL END AS refund_product
    FROM priced pc
  ), amounts AS (
    SELECT c.*,
      CASE kind
        WHEN 'SavingsPlanRecurringFee' THEN unblended_micros * 92 // 100
        ELSE 0 END AS sp_used_micros,
      CASE WHEN kind = 'RIFee' THEN unblended_micros * 5 // 100 ELSE 0 END AS ri_unused_upfront_micros,
      CASE WHEN kind = 'RIFee' THEN unblended_micros * 3 // 100 ELSE 0 END AS ri_unused_recurring_micros,
      CASE WHEN kind IN ('Usage', 'Usage:untagged', 'Usage:partial') THEN unblended_micros - unblended_micros * 3 // 100
           ELSE unblended_micros END AS net_micros
    FROM costed c
  )
  SELECT a.*,
    CASE WHEN kind LIKE 'Usage:%' THEN 'Usage' ELSE kind END AS line_item_type,
    CASE kind
      WHEN 'SavingsPlanCoveredUsage' THEN sp_effective_micros
      WHEN 'SavingsPlanNegation' THEN 0
      WHEN 'SavingsPlanUpfrontFee' THEN 0
      WHEN 'SavingsPlanRecurringFee' THEN unblended_micros - sp_used_micros
      WHEN 'DiscountedUsage' THEN ri_effective_micros
      WHEN 'RIFee' THEN ri_unused_upfront_micros + ri_unused_recurring_micros
      WHEN 'Refund' THEN CASE WHEN refund_product = 'ComputeSavingsPlans' THEN 0 ELSE unblended_micros END
      ELSE unblended_micros
    END AS amortized_micros,
    CASE WHEN kind = 'Usage:partial' THEN '' ELSE COALESCE(s.service, '') END AS t_service,
    CASE WHEN kind = 'Usage:partial' THEN '' ELSE COALESCE(s.need, '') END AS t_need,
    CASE WHEN kind = 'Usage:partial' THEN '' ELSE COALESCE(s.customer, '') END AS t_customer,
    COALESCE(s.team, '') AS t_team,
    CASE WHEN kind = 'Usage:partial' ${partialWithBusinessUnit ? 'AND FALSE ' : ''}THEN '' ELSE COALESCE(s.business_unit, '') END AS t_business_unit,
    CASE
      WHEN kind = 'Usage:partial' THEN MAP {${lit(TagKeys.curMapKey(TagKeys.DEFAULT.team))}: s.team${partialWithBusinessUnit ? `, ${lit(bu)}: s.business_unit` : ''}}
      WHEN st.tags IS NOT NULL THEN st.tags
${mix ? `      WHEN kind = 'Usage:untagged' AND rnd(i, 8) < ${UNTAGGED_MIX.stackShare} THEN MAP {'user_environment': 'production', `
    + `'aws_cloudformation_stack_name': ${untaggedStackSql('rnd(i, 8)', 'rnd(i, 9)')}}\n` : ''}      WHEN kind = 'Usage:untagged' AND res_u < 0.5 THEN MAP {'user_environment': 'production'}
      ELSE MAP {}::MAP(VARCHAR, VARCHAR)
    END AS tags,
    ${mix ? `CASE WHEN kind = 'Usage:untagged' THEN ${pickSql(UNTAGGED_MIX.accounts, 'rnd(i, 10)')} ELSE COALESCE(s.account, '444444444444') END`
      : "COALESCE(s.account, '444444444444')"} AS account
  FROM amounts a
  LEFT JOIN services s ON s.svc = a.svc
  LEFT JOIN service_tags st ON st.svc = a.svc AND a.kind <> 'Usage:partial'`;
}

/** The CUR 2.0 columns (CurQueries.EXPORT_COLUMNS, in order) from gen(lo, hi, month), for Parquet or CSV. */
function selectForFile(format: CurFileFormat, lo: number, hi: number, month: number): string {
  const csv = format !== 'parquet';
  const ts = (expr: string) => (csv ? `strftime(${expr}, '%Y-%m-%dT%H:%M:%S.000Z')` : expr);
  const map = (expr: string) => (csv ? `CAST(to_json(${expr}) AS VARCHAR)` : expr);
  const usd = (micros: string) => `CAST(${micros} AS DOUBLE) / 1000000.0`;
  const isSp = "line_item_type IN ('SavingsPlanCoveredUsage', 'SavingsPlanNegation', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')";
  const isRi = "line_item_type IN ('DiscountedUsage', 'RIFee')";
  const columns: Record<string, string> = {
    bill_bill_type: "'Anniversary'",
    bill_billing_entity: "'AWS'",
    bill_billing_period_start_date: ts('period_start'),
    bill_billing_period_end_date: ts('period_end'),
    bill_invoice_id: 'invoice',
    bill_payer_account_id: "'999999999999'",
    identity_line_item_id: 'md5(CAST(i AS VARCHAR) || period)',
    identity_time_interval: 'strftime(usage_start, \'%Y-%m-%dT%H:%M:%SZ\') || \'/\' || strftime(usage_start + INTERVAL 1 DAY, \'%Y-%m-%dT%H:%M:%SZ\')',
    line_item_usage_account_id: 'account',
    line_item_line_item_type: 'line_item_type',
    line_item_usage_start_date: ts('usage_start'),
    line_item_usage_end_date: ts('usage_start + INTERVAL 1 DAY'),
    line_item_product_code: `CASE WHEN line_item_type = 'SavingsPlanRecurringFee' OR line_item_type = 'SavingsPlanUpfrontFee' THEN 'ComputeSavingsPlans'
      WHEN refund_product IS NOT NULL THEN refund_product ELSE product_code END`,
    line_item_usage_type: 'CASE WHEN line_item_type = \'Tax\' THEN \'\' ELSE usage_type END',
    line_item_operation: 'operation',
    line_item_resource_id: `CASE WHEN line_item_type IN ('Tax', 'Credit', 'Refund', 'SavingsPlanRecurringFee', 'RIFee', 'SavingsPlanUpfrontFee') OR resource = '' THEN ''
      ELSE resource || '-' || CAST(CAST(floor(res_u * 5) AS INTEGER) AS VARCHAR) END`,
    line_item_line_item_description: `CASE line_item_type WHEN 'Tax' THEN 'Tax for product code ' || product_code
      WHEN 'Credit' THEN 'AWS Promotional Credit' WHEN 'Refund' THEN 'Refund' ELSE '$' || rate || ' per unit (' || usage_type || ')' END`,
    line_item_usage_amount: 'CASE WHEN line_item_type IN (\'Tax\', \'Credit\', \'Refund\') THEN 0 ELSE round(CAST(usage_micros AS DOUBLE) / 1000.0, 3) END',
    line_item_currency_code: "'USD'",
    line_item_unblended_rate: 'rate',
    line_item_unblended_cost: usd('unblended_micros'),
    line_item_net_unblended_cost: usd('net_micros'),
    product_servicecode: 'product_code',
    product_region_code: `'${REGION}'`,
    pricing_public_on_demand_cost: `CASE WHEN line_item_type IN ('Usage', 'SavingsPlanCoveredUsage', 'DiscountedUsage') THEN ${usd('usage_micros')} ELSE 0 END`,
    reservation_reservation_a_r_n: `CASE WHEN ${isRi} THEN 'arn:aws:ec2:${REGION}:' || account || ':reserved-instances/ri-0synthetic' ELSE '' END`,
    reservation_effective_cost: `CASE WHEN ${isRi} THEN ${usd('ri_effective_micros')} ELSE 0 END`,
    reservation_unused_amortized_upfront_fee_for_billing_period: usd('ri_unused_upfront_micros'),
    reservation_unused_recurring_fee: usd('ri_unused_recurring_micros'),
    savings_plan_savings_plan_a_r_n: `CASE WHEN ${isSp} THEN 'arn:aws:savingsplans::999999999999:savingsplan/sp-synthetic' ELSE '' END`,
    savings_plan_savings_plan_effective_cost: usd('sp_effective_micros'),
    savings_plan_total_commitment_to_date: `CASE WHEN line_item_type = 'SavingsPlanRecurringFee' THEN ${usd('unblended_micros')} ELSE 0 END`,
    savings_plan_used_commitment: usd('sp_used_micros'),
    resource_tags: map('tags'),
    cost_category: map('MAP {}::MAP(VARCHAR, VARCHAR)'),
  };
  const names = CurQueries.EXPORT_COLUMNS.map((c) => c.name);
  const missing = names.filter((n) => !(n in columns));
  if (missing.length > 0) {
    throw new Error(`generate-cur: no generator for the export column(s) ${missing.join(', ')}`);
  }
  return `SELECT ${names.map((n) => `${columns[n]} AS ${n}`).join(',\n  ')}\nFROM gen(${lo}, ${hi}, ${month})`;
}

/** The manifest of a billing period, as Data Exports writes it for CUR 2.0. */
function manifest(o: Resolved, period: string, dataFiles: string[]): Record<string, unknown> {
  return {
    '//': 'Synthetic export generated by scripts/generate-cur.ts (cdk-customer-value); not real AWS billing data.',
    'exportArn': `arn:aws:bcm-data-exports:us-east-1:999999999999:export/${o.exportName}-00000000-0000-0000-0000-000000000000`,
    'exportName': o.exportName,
    'billingPeriod': period,
    'table': CurQueries.TABLE_NAME,
    'queryStatement': CurQueries.exportQueryStatement(),
    'tableConfigurations': { COST_AND_USAGE_REPORT: { TIME_GRANULARITY: 'DAILY', INCLUDE_RESOURCES: 'TRUE', INCLUDE_SPLIT_COST_ALLOCATION_DATA: 'FALSE', INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY: 'FALSE' } },
    'format': o.format === 'parquet' ? 'PARQUET' : 'TEXT_OR_CSV',
    'compression': o.format === 'parquet' ? 'PARQUET' : o.format === 'csv.gz' ? 'GZIP' : 'NONE',
    'columns': CurQueries.EXPORT_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
    'dataFiles': dataFiles,
  };
}

/** Totals from the truth columns of the same generator (not from reading the files back). */
async function computeTotals(db: Connection, o: Resolved, files: string[]): Promise<Omit<CurTotals, 'elapsedMs'>> {
  const perMonth = splitEvenly(o.rows, o.months);
  const parts: string[] = [];
  let lo = 0;
  for (let m = 0; m < o.months; m++) {
    parts.push(`SELECT * FROM gen(${lo}, ${lo + perMonth[m]}, ${m})`);
    lo += perMonth[m];
  }
  const reader = await db.runAndReadAll(`
    SELECT period, line_item_type, t_service, t_team, t_business_unit, t_need, t_customer,
      CAST(SUM(unblended_micros) AS VARCHAR) AS unblended, CAST(SUM(amortized_micros) AS VARCHAR) AS amortized,
      CAST(SUM(net_micros) AS VARCHAR) AS net, COUNT(*) AS n
    FROM (${parts.join(' UNION ALL ')})
    GROUP BY ALL`);
  const groups = reader.getRowObjectsJson() as Array<Record<string, string>>;
  const keys = TagKeys.DEFAULT;
  const metric = (field: 'unblended' | 'amortized' | 'net', period?: string): MetricTotals => {
    const acc = { total: 0n, untagged: 0n, tax: 0n, credit: 0n, byService: {}, byTeam: {}, byBusinessUnit: {}, byNeed: {}, byCustomer: {} } as any;
    const add = (bucket: Record<string, bigint>, key: string, v: bigint) => { bucket[key] = (bucket[key] ?? 0n) + v; };
    for (const g of groups) {
      if (period && g.period !== period) continue;
      const v = BigInt(g[field]);
      acc.total += v;
      if (g.t_service === '') acc.untagged += v;
      if (g.line_item_type === 'Tax') acc.tax += v;
      if (g.line_item_type === 'Credit' || g.line_item_type === 'Refund') acc.credit += v;
      add(acc.byService, g.t_service, v);
      add(acc.byTeam, g.t_team, v);
      add(acc.byBusinessUnit, g.t_business_unit, v);
      add(acc.byNeed, g.t_need, v);
      add(acc.byCustomer, g.t_customer, v);
    }
    const usd = (micros: bigint) => Number(micros) / 1e6;
    const map = (bucket: Record<string, bigint>) =>
      Object.fromEntries(Object.entries(bucket).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, usd(v)]));
    return {
      total: usd(acc.total),
      untagged: usd(acc.untagged),
      tax: usd(acc.tax),
      credit: usd(acc.credit),
      byService: map(acc.byService),
      byTeam: map(acc.byTeam),
      byBusinessUnit: map(acc.byBusinessUnit),
      byNeed: map(acc.byNeed),
      byCustomer: map(acc.byCustomer),
    };
  };
  const lineItemTypes: Record<string, number> = {};
  for (const g of groups) {
    lineItemTypes[g.line_item_type] = (lineItemTypes[g.line_item_type] ?? 0) + Number(g.n);
  }
  const last = o.periods[o.periods.length - 1];
  const to = nextMonthStart(last);
  return {
    exportName: o.exportName,
    seed: o.seed,
    rows: o.rows,
    format: o.format,
    currency: 'USD',
    billingPeriods: o.periods,
    openBillingPeriods: o.periods.slice(o.months - o.openMonths),
    from: `${o.periods[0]}-01`,
    to,
    files,
    mapKeys: Object.fromEntries(Object.entries(keys.toJson()).map(([k, v]) => [k, TagKeys.curMapKey(v as string)])),
    lineItemTypes: Object.fromEntries(Object.entries(lineItemTypes).sort(([a], [b]) => a.localeCompare(b))),
    unblended: metric('unblended'),
    amortized: metric('amortized'),
    netUnblended: metric('net'),
    byBillingPeriod: Object.fromEntries(o.periods.map((period) => [period, {
      unblended: metric('unblended', period), amortized: metric('amortized', period), netUnblended: metric('net', period),
    }])),
  };
}

function parseArgs(argv: readonly string[]): GenerateCurOptions {
  const opts = parseCommandLine(argv, 'generate-cur', __filename,
    ['rows', 'out', 'format', 'months', 'start', 'seed', 'export-name', 'rows-per-file', 'open-months', 'threads', 'untagged-mix']);
  const int = (name: string) => intOption(opts, name);
  return {
    rows: int('rows')!,
    out: opts.out,
    format: opts.format as CurFileFormat | undefined,
    months: int('months'),
    start: opts.start,
    seed: int('seed'),
    exportName: opts['export-name'],
    rowsPerFile: int('rows-per-file'),
    openMonths: int('open-months'),
    threads: int('threads'),
    untaggedMix: opts['untagged-mix'] === undefined ? undefined : opts['untagged-mix'] === 'true',
  };
}

if (require.main === module) {
  runGenerator(process.argv.slice(2), parseArgs, generateCur, (totals) => `generate-cur: ${totals.rows} line items, ${totals.files.length} file(s), `
    + `${totals.billingPeriods.join(', ')}, unblended total ${totals.unblended.total.toFixed(6)} USD (untagged ${totals.unblended.untagged.toFixed(6)}), `
    + `${totals.elapsedMs} ms`);
}
