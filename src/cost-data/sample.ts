/**
 * `customer-value sample`: a small synthetic CUR 2.0 export for the services of the user's own cloud assemblies, so
 * that an npm user's first cost report needs no AWS account and no clone of the repository.
 *
 * Every day of the sample's billing periods, each declared service has a usage line item per kind of billable
 * resource its template holds (a Lambda function: AWSLambda, a queue: AWSQueueService, ...; at least one), tagged
 * with the five customer-value tags exactly as the service tags its resources (the CUR 2.0 `resource_tags` map keys
 * of its tag keys); shared infrastructure nobody tagged (a bastion host) adds untagged spend, and each billing period
 * one Tax line item. Amounts are whole micro-dollars drawn from a fixed seed, so the same app gives the same files
 * and the totals are exact. The files are CSV.gz in the Data Exports layout
 * (`<out>/data/BILLING_PERIOD=YYYY-MM/<name>-00001.csv.gz`, every `CurQueries.EXPORT_COLUMNS` column, maps as JSON
 * objects, as CUR 2.0 CSV exports write them), written without DuckDB; `customer-value cost --source cur <out>`
 * reads them (with DuckDB).
 *
 * The repository's own samples and benchmark data come from scripts/generate-cur.ts (DuckDB, any size, every line
 * item type); this one is small and needs nothing installed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import type { DeclaredService } from './declarations/cloud-assembly';
import { CostDataError } from './errors';
import { relativePath } from './paths';
import { CurQueries } from './schemas/cur-sql';
import { curMapKey } from '../private/tag-safe';

/** The export name the sample's files and marker carry. */
export const SAMPLE_NAME = 'customer-value-sample';
/** The file that marks a folder as a sample this command wrote (and may replace). */
export const SAMPLE_MARKER = `${SAMPLE_NAME}.json`;

/** A billable product: what a kind of resource costs a day, in micro-dollars (a typical range; the sample uses its middle). */
interface Product {
  readonly productCode: string;
  /** The service part of its resources' ARNs. */
  readonly arn: string;
  readonly usageType: string;
  readonly operation: string;
  readonly rate: string;
  readonly dailyMicros: readonly [number, number];
}

const p = (productCode: string, arn: string, usageType: string, operation: string, rate: string, low: number, high: number): Product =>
  ({ productCode, arn, usageType, operation, rate, dailyMicros: [low, high] });

/** The product of each billable CloudFormation type (resources that cost nothing by themselves are left out). */
const PRODUCTS: Record<string, Product> = {
  'AWS::Lambda::Function': p('AWSLambda', 'lambda', 'Lambda-GB-Second', 'Invoke', '0.0000166667', 400_000, 3_000_000),
  'AWS::SQS::Queue': p('AWSQueueService', 'sqs', 'Requests-Tier1', 'SendMessage', '0.0000004', 50_000, 600_000),
  'AWS::DynamoDB::Table': p('AmazonDynamoDB', 'dynamodb', 'ReadRequestUnits', 'GetItem', '0.000000283', 300_000, 2_500_000),
  'AWS::DynamoDB::GlobalTable': p('AmazonDynamoDB', 'dynamodb', 'ReadRequestUnits', 'GetItem', '0.000000283', 300_000, 2_500_000),
  'AWS::S3::Bucket': p('AmazonS3', 's3', 'TimedStorage-ByteHrs', 'StandardStorage', '0.023', 100_000, 900_000),
  'AWS::Logs::LogGroup': p('AmazonCloudWatch', 'logs', 'TimedStorage-ByteHrs', 'HourlyStorageMetering', '0.03', 20_000, 200_000),
  'AWS::ApiGateway::RestApi': p('AmazonApiGateway', 'apigateway', 'ApiGatewayRequest', 'ApiGatewayRequest', '0.0000035', 300_000, 2_000_000),
  'AWS::ApiGatewayV2::Api': p('AmazonApiGateway', 'apigateway', 'ApiGatewayHttpRequest', 'ApiGatewayHttpApi', '0.000001', 200_000, 1_500_000),
  'AWS::RDS::DBInstance': p('AmazonRDS', 'rds', 'InstanceUsage:db.t4g.medium', 'CreateDBInstance:0016', '0.072', 1_600_000, 1_900_000),
  'AWS::RDS::DBCluster': p('AmazonRDS', 'rds', 'Aurora:ServerlessV2Usage', 'CreateDBInstance:0021', '0.14', 1_500_000, 6_000_000),
  'AWS::EC2::Instance': p('AmazonEC2', 'ec2', 'BoxUsage:t4g.medium', 'RunInstances', '0.0336', 800_000, 850_000),
  'AWS::EC2::NatGateway': p('AmazonEC2', 'ec2', 'NatGateway-Hours', 'NatGateway', '0.048', 1_100_000, 1_300_000),
  'AWS::ECS::Service': p('AmazonECS', 'ecs', 'Fargate-vCPU-Hours:perCPU', 'FargateTask', '0.04048', 900_000, 4_000_000),
  'AWS::SNS::Topic': p('AmazonSNS', 'sns', 'Requests-Tier1', 'Publish', '0.0000005', 10_000, 150_000),
  'AWS::StepFunctions::StateMachine': p('AWSStepFunctions', 'states', 'StateTransition', 'StateTransition', '0.000025', 100_000, 1_200_000),
  'AWS::Kinesis::Stream': p('AmazonKinesis', 'kinesis', 'OnDemand-StreamHours', 'OnDemandStreamHr', '0.04', 900_000, 1_000_000),
  'AWS::ElasticLoadBalancingV2::LoadBalancer': p('AWSELB', 'elasticloadbalancing', 'LoadBalancerUsage', 'LoadBalancing:Application', '0.0225', 540_000, 700_000),
  'AWS::CloudFront::Distribution': p('AmazonCloudFront', 'cloudfront', 'DataTransfer-Out-Bytes', 'GET', '0.085', 100_000, 1_500_000),
  'AWS::KMS::Key': p('awskms', 'kms', 'KMS-Keys', 'CreateKey', '1.00', 33_000, 34_000),
};
/** A service whose template holds none of the types above still runs somewhere: compute, by default. */
const DEFAULT_PRODUCT = PRODUCTS['AWS::Lambda::Function'];
/** Shared infrastructure nobody tagged (a bastion host): the untagged spend a first report shows. */
const SHARED = p('AmazonEC2', 'ec2', 'BoxUsage:t4g.small', 'RunInstances', '0.0168', 400_000, 410_000);
const SHARED_ACCOUNT = '444444444444';
const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'us-east-1';

/** A service of the sample: its tags as CUR 2.0 writes them, where it runs and what it runs on. */
export interface SampleService {
  readonly serviceName: string;
  /** `resource_tags` map key (`user_customer_service`) to value. */
  readonly tags: Record<string, string>;
  readonly account: string;
  readonly region: string;
  /** CloudFormation types of its billable resources, sorted (none: the default product). */
  readonly resourceTypes: string[];
}

export interface SampleOptions {
  /** The folder to write (replaced when it holds an earlier sample; refused when it holds anything else). */
  readonly out: string;
  readonly services: readonly SampleService[];
  /** How many full calendar months, ending with the last full month before `today`. */
  readonly months: number;
  readonly today: Date;
}

export interface SampleResult {
  readonly from: string;
  /** Exclusive. */
  readonly to: string;
  readonly billingPeriods: string[];
  readonly lineItems: number;
  readonly files: string[];
  /** Unblended cost in USD: the total, the untagged part, and per service. */
  readonly totalUsd: number;
  readonly untaggedUsd: number;
  readonly byServiceUsd: Record<string, number>;
}

/** The sample's services from declared services: their tags and the billable types of their templates' resources. */
export function sampleServices(declared: readonly DeclaredService[]): SampleService[] {
  const byName = new Map<string, SampleService>();
  for (const d of declared) {
    const r = d.record;
    if (byName.has(r.serviceName)) {
      continue; // the same service deployed to several stages: one set of line items
    }
    const tags = Object.fromEntries(Object.entries(r.tags).map(([k, v]) => [curMapKey(k), v]));
    byName.set(r.serviceName, {
      serviceName: r.serviceName,
      tags,
      account: d.account ?? DEFAULT_ACCOUNT,
      region: d.region ?? DEFAULT_REGION,
      resourceTypes: taggedTypes(d, r.tagKeys.service, r.serviceName).filter((t) => t in PRODUCTS),
    });
  }
  return [...byName.values()];
}

/** The CloudFormation types of the resources of `d`'s stack that carry the service's tag. */
function taggedTypes(d: DeclaredService, serviceKey: string, serviceName: string): string[] {
  // loaded only here: the cloud-assembly API of the app's aws-cdk-lib
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CloudAssembly } = require('aws-cdk-lib/cx-api') as typeof import('aws-cdk-lib/cx-api');
  const stack = new CloudAssembly(d.assembly).stacksRecursively.find((s) => s.stackName === d.stack);
  const types = new Set<string>();
  for (const resource of Object.values<{ Type?: string; Properties?: Record<string, unknown> }>(stack?.template?.Resources ?? {})) {
    const props = resource.Properties ?? {};
    if (typeof resource.Type === 'string' && [props.Tags, props.ResourceTags].some((t) => carries(t, serviceKey, serviceName))) {
      types.add(resource.Type);
    }
  }
  return [...types].sort();
}

/** Whether a template's tags (a list of `{ Key, Value }` or a key-value map) hold `key` = `value`. */
function carries(tags: unknown, key: string, value: string): boolean {
  if (Array.isArray(tags)) {
    return tags.some((t) => t && typeof t === 'object' && (t as { Key?: unknown }).Key === key && (t as { Value?: unknown }).Value === value);
  }
  return !!tags && typeof tags === 'object' && (tags as Record<string, unknown>)[key] === value;
}

/** Writes the sample to `o.out` (a temporary folder first, then renamed into place) and returns what it holds. */
export function writeSample(o: SampleOptions, cwd: string): SampleResult {
  const out = path.resolve(cwd, o.out);
  checkOut(out, o.out);
  const periods = billingPeriods(o.today, o.months);
  const temp = `${out}.${process.pid}.tmp`;
  fs.rmSync(temp, { recursive: true, force: true });
  const totals = { total: 0, untagged: 0, byService: {} as Record<string, number> };
  const files: string[] = [];
  let lineItems = 0;
  try {
    for (const period of periods) {
      const rows = periodRows(o.services, period);
      lineItems += rows.length;
      for (const row of rows) {
        totals.total += row.micros;
        if (row.service === undefined) {
          totals.untagged += row.micros;
        } else {
          totals.byService[row.service] = (totals.byService[row.service] ?? 0) + row.micros;
        }
      }
      const file = path.join('data', `BILLING_PERIOD=${period}`, `${SAMPLE_NAME}-00001.csv.gz`);
      fs.mkdirSync(path.join(temp, path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(temp, file), gzipSync(csv(rows.map((r) => r.columns))));
      files.push(file.split(path.sep).join('/'));
    }
    const result: SampleResult = {
      from: `${periods[0]}-01`,
      to: nextMonth(periods[periods.length - 1]),
      billingPeriods: periods,
      lineItems,
      files,
      totalUsd: usd(totals.total),
      untaggedUsd: usd(totals.untagged),
      byServiceUsd: Object.fromEntries(Object.entries(totals.byService).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, usd(v)])),
    };
    fs.writeFileSync(path.join(temp, SAMPLE_MARKER), `${JSON.stringify({
      '//': 'Synthetic CUR 2.0 data written by `customer-value sample` (cdk-customer-value); not real AWS billing data.',
      'services': o.services.map((s) => ({ serviceName: s.serviceName, resourceTypes: s.resourceTypes })),
      ...result,
    }, null, 2)}\n`);
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(temp, out);
    return result;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

/** Refuses an output folder that holds anything but an earlier sample (never writes over the user's files). */
function checkOut(out: string, shown: string): void {
  if (!fs.existsSync(out)) {
    return;
  }
  if (!fs.statSync(out).isDirectory()) {
    throw new CostDataError(`--out ${shown} is a file: give a folder for the sample (it is created)`);
  }
  const entries = fs.readdirSync(out);
  if (entries.length > 0 && !entries.includes(SAMPLE_MARKER)) {
    throw new CostDataError(`--out ${shown} is a folder that holds other files: give a new folder, or one an earlier "customer-value sample" wrote`);
  }
}

/** The `months` full calendar months before the month of `today`, oldest first (`YYYY-MM`). */
export function billingPeriods(today: Date, months: number): string[] {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  return Array.from({ length: months }, (_, i) => new Date(Date.UTC(y, m - months + i, 1)).toISOString().slice(0, 7));
}

function nextMonth(period: string): string {
  return new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 1)).toISOString().slice(0, 10);
}

interface Row {
  readonly service?: string;
  readonly micros: number;
  readonly columns: Record<string, string>;
}

/** The line items of one billing period. */
function periodRows(services: readonly SampleService[], period: string): Row[] {
  const start = `${period}-01`;
  const end = nextMonth(period);
  const rows: Row[] = [];
  const base = { start, end, period };
  let usage = 0;
  for (let day = start; day < end; day = addDay(day)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    const busy = weekday === 0 || weekday === 6 ? 0.7 : 1; // shops are quieter at the weekend
    for (const s of services) {
      const types = s.resourceTypes.length > 0 ? s.resourceTypes : ['AWS::Lambda::Function'];
      types.forEach((type, slot) => {
        const product = PRODUCTS[type] ?? DEFAULT_PRODUCT;
        const micros = amount(product, `${s.serviceName}/${type}/${day}`, busy);
        usage += micros;
        rows.push(lineItem(base, {
          day,
          micros,
          product,
          account: s.account,
          region: s.region,
          tags: s.tags,
          service: s.serviceName,
          resource: `arn:aws:${product.arn}:${s.region}:${s.account}:${s.serviceName}-${slot + 1}`,
        }));
      });
    }
    const shared = amount(SHARED, `shared/${day}`, 1);
    usage += shared;
    rows.push(lineItem(base, {
      day,
      micros: shared,
      product: SHARED,
      account: SHARED_ACCOUNT,
      region: DEFAULT_REGION,
      tags: {},
      resource: `arn:aws:ec2:${DEFAULT_REGION}:${SHARED_ACCOUNT}:instance/i-0bastion`,
    }));
  }
  // Tax: one line item per billing period, untagged, on its first day (as AWS bills it)
  const tax = Math.round(usage * 0.08);
  rows.push(lineItem(base, {
    day: start,
    micros: tax,
    account: SHARED_ACCOUNT,
    region: '',
    tags: {},
    resource: '',
    type: 'Tax',
    product: { productCode: 'AWSLambda', arn: '', usageType: '', operation: '', rate: '', dailyMicros: [0, 0] },
  }));
  return rows;
}

interface LineItem {
  readonly day: string;
  readonly micros: number;
  readonly product: Product;
  readonly account: string;
  readonly region: string;
  readonly tags: Record<string, string>;
  readonly resource: string;
  readonly service?: string;
  /** @default 'Usage' */
  readonly type?: string;
}

function lineItem(b: { start: string; end: string; period: string }, l: LineItem): Row {
  const type = l.type ?? 'Usage';
  const cost = (l.micros / 1e6).toFixed(6);
  const ts = (d: string) => `${d}T00:00:00.000Z`;
  const columns: Record<string, string> = {
    bill_bill_type: 'Anniversary',
    bill_billing_entity: 'AWS',
    bill_billing_period_start_date: ts(b.start),
    bill_billing_period_end_date: ts(b.end),
    bill_invoice_id: `SAMPLE-${b.period.replace('-', '')}`,
    bill_payer_account_id: '999999999999',
    identity_line_item_id: `${b.period}-${type}-${l.day}-${l.resource || l.account}`,
    identity_time_interval: `${l.day}T00:00:00Z/${addDay(l.day)}T00:00:00Z`,
    line_item_usage_account_id: l.account,
    line_item_line_item_type: type,
    line_item_usage_start_date: ts(l.day),
    line_item_usage_end_date: ts(addDay(l.day)),
    line_item_product_code: l.product.productCode,
    line_item_usage_type: l.product.usageType,
    line_item_operation: l.product.operation,
    line_item_resource_id: l.resource,
    line_item_line_item_description: type === 'Tax' ? 'Tax for the billing period' : `$${l.product.rate} per unit (${l.product.usageType})`,
    line_item_usage_amount: type === 'Tax' || !Number(l.product.rate) ? '0' : (l.micros / 1e6 / Number(l.product.rate)).toFixed(3),
    line_item_currency_code: 'USD',
    line_item_unblended_rate: l.product.rate,
    line_item_unblended_cost: cost,
    line_item_net_unblended_cost: cost,
    product_servicecode: l.product.productCode,
    product_region_code: l.region,
    pricing_public_on_demand_cost: type === 'Usage' ? cost : '0',
    reservation_reservation_a_r_n: '',
    reservation_effective_cost: '0',
    reservation_unused_amortized_upfront_fee_for_billing_period: '0',
    reservation_unused_recurring_fee: '0',
    savings_plan_savings_plan_a_r_n: '',
    savings_plan_savings_plan_effective_cost: '0',
    savings_plan_total_commitment_to_date: '0',
    savings_plan_used_commitment: '0',
    resource_tags: JSON.stringify(l.tags),
    cost_category: '{}',
  };
  return { service: l.service, micros: l.micros, columns };
}

/** The CSV of the export's columns, in `CurQueries.EXPORT_COLUMNS` order, with a header (RFC 4180 quoting). */
function csv(rows: Record<string, string>[]): string {
  const names = CurQueries.EXPORT_COLUMNS.map((c) => c.name);
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [names.join(','), ...rows.map((r) => names.map((n) => {
    if (!(n in r)) {
      throw new Error(`customer-value sample: no value for the export column ${n}`);
    }
    return cell(r[n]);
  }).join(','))].join('\n') + '\n';
}

/** A deterministic daily cost in micro-dollars: a hash of the key (FNV-1a, then murmur3's finalizer), scaled into the product's range. */
function amount(product: Product, key: string, factor: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    // eslint-disable-next-line no-bitwise
    h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  }
  // murmur3's finalizer: FNV-1a alone leaves keys that differ in one character correlated
  /* eslint-disable no-bitwise */
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  /* eslint-enable no-bitwise */
  // within 15 % of the middle of the product's range, so that a month's total moves by a few percent, not a trend
  const mid = (product.dailyMicros[0] + product.dailyMicros[1]) / 2;
  return Math.max(1, Math.round(mid * (0.85 + 0.3 * (h / 0xffffffff)) * factor));
}

function addDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function usd(micros: number): number {
  return Math.round(micros) / 1e6;
}

/** The line that tells the user what was written and how to read it. */
export function describeSample(r: SampleResult, services: readonly SampleService[], out: string, cwd: string): string {
  const names = services.map((s) => s.serviceName).join(', ');
  return `wrote a synthetic CUR 2.0 export (${r.lineItems} line items, ${r.from} to ${r.to}, exclusive) for `
    + `${services.length} service${services.length === 1 ? '' : 's'} (${names}) and untagged shared spend to ${relativePath(out, cwd)}/`;
}
