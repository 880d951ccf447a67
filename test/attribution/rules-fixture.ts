import * as fs from 'fs';
import * as path from 'path';
import { buildAssembly, CHECKOUT, curCsv, REPORTS, SEARCH, WISHLIST } from '../cli/fixtures';

/**
 * The attribution fixture: rules, line items (CUR 2.0 and FOCUS files) and the expected figures worked out by hand below
 * (shared by the file-source, Athena and review tests) (docs/attribution.md sections 4, 5, 7, 8).
 *
 * Services: checkout, wishlist (stack Shop), search (stack Search): business unit retail; reports (stack Reports): finance.
 * Tagged spend: October checkout 60, wishlist 30, search 10, reports 20, "ghost" (a tag value nobody declares) 3;
 * November checkout 10, wishlist 40.
 * Untagged spend, and the rule that takes it (first match wins):
 *   a. Oct 5, 12.00, account 222233334444, resource arn:aws:s3:::shop-logs -> shared/acct (service search): search 12;
 *      shared/bucket matches it too: a warning naming both (the earlier one attributes it)
 *   b. Oct 6,  9.00, stack tag Shop                  -> shared/shop-stacks (declared stacks, even): checkout 4.50, wishlist 4.50
 *   c. Oct 7, 10.00, Tax                             -> shared/tax (business unit retail, proportional, October's base):
 *      base = checkout 60, wishlist 30, search 10 + 12 (a single-service rule counts) = 112 (reports is finance);
 *      10 x 60/112 = 5.357142857142857142|857, 10 x 30/112 = 2.678571428571428571|428, 10 x 22/112 = 1.964285714285714285|714;
 *      the 2 units of 10^-18 left go to the largest remainders (checkout, search):
 *      checkout 5.357142857142857143, wishlist 2.678571428571428571, search 1.964285714285714286 (sum 10 exactly)
 *   d. Oct 8, 20.00, AmazonEC2 USE1-NatGateway-Hours -> shared/nat (checkout 70 %, wishlist 30 %): checkout 14, wishlist 6
 *   e. Oct 9,  8.00, resource arn:aws:s3:::shop-assets -> shared/bucket (everyone, even): 2 each to the four services
 *   f. Oct 10, 5.00, resource i-unknown               -> no rule: unattributed
 *   g. Nov 3,  5.00, Tax                             -> shared/tax, November's base (checkout 10, wishlist 40; search 0):
 *      checkout 1, wishlist 4 (a period-wide base would have given search a share)
 *   h. Oct 11, 3.00, tag "ghost", account 222233334444 -> not untagged: rules never touch it, it stays "ghost"
 *   shared/never (account 999999999999) matches nothing: a warning naming it.
 * Expected: checkout 70 + 4.5 + 5.357142857142857143 + 14 + 2 + 1 = 96.857142857142857143; wishlist 70 + 4.5 +
 * 2.678571428571428571 + 6 + 2 + 4 = 89.178571428571428571; search 10 + 12 + 1.964285714285714286 + 2 =
 * 25.964285714285714286; reports 22; ghost 3; untagged 5. Total 242 = tagged 173 + attributed 64 + unattributed 5.
 */

/** A rule set record as the AttributionRules construct writes it (`shared`, in stack Billing). */
export function ruleSet<R>(rules: R[]) {
  return { schemaVersion: 1, ruleSet: 'shared', precedence: 100, constructPath: 'Billing/Shared', stackName: 'Billing', rules };
}

export const RULES = ruleSet([
  { name: 'acct', kind: 'accounts', match: { accounts: ['222233334444'] }, target: { kind: 'service', services: ['search'] } },
  { name: 'shop-stacks', kind: 'declared-stacks', match: {}, target: { kind: 'stack-services', allocation: { method: 'even' } } },
  { name: 'tax', kind: 'charges', match: { chargeTypes: ['tax'] }, target: { kind: 'business-unit', businessUnit: 'retail', allocation: { method: 'proportional' } } },
  {
    name: 'nat',
    kind: 'charges',
    match: { serviceCodes: ['AmazonEC2'], usageTypes: ['*NatGateway*'] },
    target: { kind: 'services', services: ['checkout', 'wishlist'], allocation: { method: 'fixed', percentages: { checkout: 70, wishlist: 30 } } },
  },
  { name: 'bucket', kind: 'resources', match: { resources: ['arn:aws:s3:::shop-*'] }, target: { kind: 'everyone', allocation: { method: 'even' } } },
  { name: 'never', kind: 'accounts', match: { accounts: ['999999999999'] }, target: { kind: 'service', services: ['checkout'] } },
]);

export interface Item {
  day: string; cost: number; type?: string; tags?: Record<string, string>; account?: string; product?: string; usage?: string; resource?: string;
}

const SERVICE = (s: string) => ({ svc: s });
export const ITEMS: Item[] = [
  { day: '2026-10-03', cost: 60, tags: { svc: 'checkout', team: 'payments', bu: 'retail' } },
  { day: '2026-10-03', cost: 30, tags: SERVICE('wishlist') },
  { day: '2026-10-03', cost: 10, tags: SERVICE('search') },
  { day: '2026-10-03', cost: 20, tags: SERVICE('reports') },
  { day: '2026-11-02', cost: 10, tags: SERVICE('checkout') },
  { day: '2026-11-02', cost: 40, tags: SERVICE('wishlist') },
  { day: '2026-10-05', cost: 12, account: '222233334444', product: 'AmazonS3', usage: 'USE1-TimedStorage-ByteHrs', resource: 'arn:aws:s3:::shop-logs' },
  { day: '2026-10-06', cost: 9, tags: { stack: 'Shop' }, product: 'AmazonEC2', usage: 'USE1-BoxUsage', resource: 'i-2' },
  { day: '2026-10-07', cost: 10, type: 'Tax', product: 'AmazonEC2', usage: 'Tax' },
  { day: '2026-10-08', cost: 20, product: 'AmazonEC2', usage: 'USE1-NatGateway-Hours', resource: 'nat-1' },
  { day: '2026-10-09', cost: 8, product: 'AmazonS3', usage: 'USE1-TimedStorage-ByteHrs', resource: 'arn:aws:s3:::shop-assets' },
  { day: '2026-10-10', cost: 5, product: 'AmazonEC2', usage: 'USE1-BoxUsage', resource: 'i-unknown' },
  { day: '2026-11-03', cost: 5, type: 'Tax', product: 'AmazonEC2', usage: 'Tax' },
  { day: '2026-10-11', cost: 3, tags: SERVICE('ghost'), account: '222233334444', product: 'AmazonEC2', usage: 'USE1-BoxUsage', resource: 'i-3' },
];

export const EXPECTED: Record<string, number> = {
  checkout: 96.857142857142857143,
  wishlist: 89.178571428571428571,
  search: 25.964285714285714286,
  reports: 22,
  ghost: 3,
};

function curTags(t: Record<string, string> = {}): string {
  return JSON.stringify({
    ...(t.svc ? { user_customer_service: t.svc } : {}),
    ...(t.stack ? { aws_cloudformation_stack_name: t.stack } : {}),
    ...(t.team ? { user_team: t.team } : {}),
    ...(t.bu ? { user_business_unit: t.bu } : {}),
  });
}

export function writeCur(file: string): string {
  const cols = ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags',
    'line_item_usage_account_id', 'line_item_product_code', 'line_item_usage_type', 'line_item_resource_id', 'bill_billing_entity'];
  return curCsv(file, ITEMS.map((i) => ({
    line_item_usage_start_date: `${i.day} 10:00:00`,
    line_item_line_item_type: i.type ?? 'Usage',
    line_item_currency_code: 'USD',
    line_item_unblended_cost: i.cost,
    resource_tags: curTags(i.tags),
    line_item_usage_account_id: i.account ?? '111111111111',
    line_item_product_code: i.product ?? '',
    line_item_usage_type: i.usage ?? '',
    line_item_resource_id: i.resource ?? '',
    bill_billing_entity: 'AWS',
  })), cols);
}

export function writeFocus(file: string): string {
  const header = ['BilledCost', 'BillingCurrency', 'ChargeCategory', 'ChargePeriodStart', 'ChargePeriodEnd', 'ProviderName', 'Tags',
    'SubAccountId', 'x_ServiceCode', 'SkuMeter', 'ResourceId'];
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = ITEMS.map((i) => [String(i.cost), 'USD', i.type ?? 'Usage', `${i.day}T00:00:00Z`, `${i.day}T23:59:59Z`, 'AWS',
    quote(JSON.stringify({
      ...(i.tags?.svc ? { 'customer-service': i.tags.svc } : {}),
      ...(i.tags?.stack ? { 'aws:cloudformation:stack-name': i.tags.stack } : {}),
      ...(i.tags?.team ? { team: i.tags.team } : {}),
      ...(i.tags?.bu ? { 'business-unit': i.tags.bu } : {}),
    })),
    i.account ?? '111111111111', i.product ?? '', i.usage ?? '', i.resource ?? ''].join(','));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${[header.join(','), ...lines].join('\n')}\n`);
  return file;
}

/** The fixture's cloud assembly: Shop (checkout, wishlist), Search, Reports, and Billing holding `RULES` (`rules` false: none). */
export function buildRulesAssembly(dir: string, rules = true): void {
  buildAssembly(dir, [
    { id: 'Shop', services: [CHECKOUT, WISHLIST] },
    { id: 'Search', services: [SEARCH] },
    { id: 'Reports', services: [REPORTS] },
    { id: 'Billing', services: [], ...(rules ? { attribution: [RULES] } : {}) },
  ]);
}
