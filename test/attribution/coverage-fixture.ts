import * as fs from 'fs';
import * as path from 'path';
import { buildAssembly, CHECKOUT, curCsv, FixtureStack, record, REPORTS, WISHLIST } from '../cli/fixtures';

/**
 * The coverage fixture (docs/attribution.md section 9): CUR 2.0 and FOCUS files holding each kind of unattributed
 * spend, with the figures worked out by hand.
 *
 * Services: checkout, wishlist (stack Shop, account 111111111111), search (stack Search, account 222222222222; its
 * record lists one AWS::EC2::VPCEndpoint as untaggable), reports (stack Reports, account 333333333333, business unit
 * finance). Rules (set "shared"): acct (account 444444444444 -> search), tax (tax -> business unit retail, proportional).
 *
 * October and November 2026 (the main period):
 *   tagged: checkout 100, wishlist 50, search 30, reports 20 (October), reports 40 (November)       = 240
 *   attributed: i-acct 12 in account 444444444444 -> acct: search 12;
 *               October tax 9 -> tax over retail by October's base (checkout 100, wishlist 50, search 30 + 12):
 *               4.6875 + 2.34375 + 1.96875                                                            =  21
 *   unattributed, one reason each:
 *     no resource: support 7 (AWSSupportBusiness, no resource id) + credit -2                        =   5
 *     untaggable type: arn:aws:ec2:...:vpc-endpoint/vpce-1 in stack Search (AWS::EC2::VPCEndpoint)   =   4
 *     CDK stack without the tag: i-0abc in stack Shop, 8 (BoxUsage) + 2 (EBS)                        =  10
 *     outside every stack: arn:aws:s3:::legacy-bucket, no stack tag, account 111111111111 15
 *                          + i-9 in stack OldStack (no assembly), account 555555555555 3             =  18
 *     tag value nobody declares: "chekout" 1.50 (October) + a hostile value 0.50 (November)        =   2
 *     stack tag not active: none (October holds stack tags)                                         =   0
 *     a rule could not split: November tax 6 -> retail has no cost in November                      =   6
 *                                                                                             sum =  45
 *   total 240 + 21 + 45 = 306, to the cent.
 *   October: total 259.50, tagged 200, attributed 21, unattributed 38.50, share 221 / 259.50 = 85.2 %
 *   November: total 46.50, tagged 40, attributed 0, unattributed 6.50, share 40 / 46.50 = 86.0 %
 * December 2026 (no line item holds the stack key): checkout 10 tagged, i-dec 5 without any tag in account
 *   111111111111 -> the stack tag is not active 5 (its stack cannot be told); total 15, share 66.7 %.
 */

export const HOSTILE_TAG = '=cmd|\' <b>x</b>\u202E\u001b[31m';
/** A resource id a spreadsheet would run as a formula. */
export const HOSTILE_RESOURCE = '=1+2<b>';

export const RULES = {
  schemaVersion: 1,
  ruleSet: 'shared',
  precedence: 100,
  constructPath: 'Billing/Shared',
  stackName: 'Billing',
  rules: [
    { name: 'acct', kind: 'accounts', match: { accounts: ['444444444444'] }, target: { kind: 'service', services: ['search'] } },
    { name: 'tax', kind: 'charges', match: { chargeTypes: ['tax'] }, target: { kind: 'business-unit', businessUnit: 'retail', allocation: { method: 'proportional' } } },
  ],
};

const SEARCH = record({
  serviceName: 'search',
  customerNeed: 'Shoppers find the product they are looking for',
  customer: { kind: 'external', name: 'Online shoppers' },
  team: 'discovery',
  businessUnit: 'retail',
  resources: { taggable: 5, tagged: 5, untaggable: { 'AWS::EC2::VPCEndpoint': 1 } },
  stackName: 'Search',
});

export interface Item {
  day: string;
  cost: number;
  type?: string;
  focusType?: string;
  svc?: string;
  stack?: string;
  account?: string;
  product?: string;
  usage?: string;
  resource?: string;
  region?: string;
}

export const ITEMS: Item[] = [
  { day: '2026-10-03', cost: 100, svc: 'checkout', resource: 'i-c1', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-10-03', cost: 50, svc: 'wishlist', resource: 'i-w1', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-10-03', cost: 30, svc: 'search', account: '222222222222', resource: 'i-s1', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-10-03', cost: 20, svc: 'reports', account: '333333333333', resource: 'i-r1', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-11-02', cost: 40, svc: 'reports', account: '333333333333', resource: 'i-r1', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-10-05', cost: 12, account: '444444444444', resource: 'i-acct', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-10-07', cost: 9, type: 'Tax', product: 'AmazonEC2', usage: 'Tax', region: '' },
  { day: '2026-11-03', cost: 6, type: 'Tax', product: 'AmazonEC2', usage: 'Tax', region: '' },
  { day: '2026-10-08', cost: 7, type: 'Fee', focusType: 'Purchase', product: 'AWSSupportBusiness', usage: 'Dollar', region: '' },
  { day: '2026-10-08', cost: -2, type: 'Credit', product: 'AmazonEC2', usage: 'Credit', region: '' },
  { day: '2026-10-09', cost: 4, stack: 'Search', account: '222222222222', resource: 'arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/vpce-1', product: 'AmazonVPC', usage: 'EUW1-VpcEndpoint-Hours' },
  { day: '2026-10-10', cost: 8, stack: 'Shop', resource: 'i-0abc', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-10-11', cost: 2, stack: 'Shop', resource: 'i-0abc', product: 'AmazonEC2', usage: 'EUW1-EBS:VolumeUsage' },
  { day: '2026-10-12', cost: 15, resource: 'arn:aws:s3:::legacy-bucket', product: 'AmazonS3', usage: 'EUW1-TimedStorage-ByteHrs' },
  { day: '2026-10-13', cost: 3, stack: 'OldStack', account: '555555555555', resource: 'i-9', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-10-14', cost: 1.5, svc: 'chekout', resource: 'i-7', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-11-04', cost: 0.5, svc: HOSTILE_TAG, resource: HOSTILE_RESOURCE, product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-12-02', cost: 10, svc: 'checkout', resource: 'i-c1', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  { day: '2026-12-03', cost: 5, resource: 'i-dec', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
];

/** The business unit tag of the declared services' line items (the review groups by it). */
const UNIT: Record<string, string> = { checkout: 'retail', wishlist: 'retail', search: 'retail', reports: 'finance' };

const stackTag = (i: Item) => (i.stack ? { aws_cloudformation_stack_name: i.stack } : {});

export function writeCur(file: string, items: Item[] = ITEMS): string {
  const cols = ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags',
    'line_item_usage_account_id', 'line_item_product_code', 'line_item_usage_type', 'line_item_resource_id', 'bill_billing_entity', 'product_region_code'];
  return curCsv(file, items.map((i) => ({
    line_item_usage_start_date: `${i.day} 10:00:00`,
    line_item_line_item_type: i.type ?? 'Usage',
    line_item_currency_code: 'USD',
    line_item_unblended_cost: i.cost,
    resource_tags: JSON.stringify({
      ...(i.svc ? { user_customer_service: i.svc } : {}), ...(i.svc && UNIT[i.svc] ? { user_business_unit: UNIT[i.svc] } : {}), ...stackTag(i),
    }),
    line_item_usage_account_id: i.account ?? '111111111111',
    line_item_product_code: i.product ?? '',
    line_item_usage_type: i.usage ?? '',
    line_item_resource_id: i.resource ?? '',
    bill_billing_entity: 'AWS',
    product_region_code: i.region ?? 'eu-west-1',
  })), cols);
}

export function writeFocus(file: string, items: Item[] = ITEMS): string {
  const header = ['BilledCost', 'BillingCurrency', 'ChargeCategory', 'ChargePeriodStart', 'ChargePeriodEnd', 'ProviderName', 'Tags',
    'SubAccountId', 'x_ServiceCode', 'SkuMeter', 'ResourceId', 'RegionId'];
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = items.map((i) => [String(i.cost), 'USD', i.focusType ?? i.type ?? 'Usage', `${i.day}T00:00:00Z`, `${i.day}T23:59:59Z`, 'AWS',
    quote(JSON.stringify({
      ...(i.svc ? { 'customer-service': i.svc } : {}),
      ...(i.svc && UNIT[i.svc] ? { 'business-unit': UNIT[i.svc] } : {}),
      ...(i.stack ? { 'aws:cloudformation:stack-name': i.stack } : {}),
    })),
    i.account ?? '111111111111', i.product ?? '', quote(i.usage ?? ''), quote(i.resource ?? ''), i.region ?? 'eu-west-1'].join(','));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${[header.join(','), ...lines].join('\n')}\n`);
  return file;
}

/** The assembly of the fixture in `dir/<folder>` (without the rule set: `rules` false; `extra` stacks added). */
export function coverageAssembly(dir: string, rules = true, folder = 'cdk.out', extra: FixtureStack[] = []): string {
  return buildAssembly(path.join(dir, folder), [
    { id: 'Shop', env: 'aws://111111111111/eu-west-1', services: [CHECKOUT, WISHLIST] },
    { id: 'Search', env: 'aws://222222222222/eu-west-1', services: [SEARCH] },
    { id: 'Reports', env: 'aws://333333333333/eu-west-1', services: [REPORTS] },
    ...(rules ? [{ id: 'Billing', env: 'aws://999999999999/us-east-1', services: [], attribution: [RULES] }] : []),
    ...extra,
  ]);
}
