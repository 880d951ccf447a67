import * as path from 'path';
import { CostExplorerClient, GetCostAndUsageCommand, GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { ruleSet } from './rules-fixture';
import { ceMatches, ceRulePlan } from '../../src/cost-data/attribution/cost-explorer';
import { tagValue } from '../../src/cost-data/sources/ce';
import { Decimal } from '../../src/private/decimal';
import { buildAssembly, CHECKOUT, REPORTS, runCli, WISHLIST } from '../cli/fixtures';
import { tempDir } from '../util';

/*
 * The attribution rules on Cost Explorer (docs/attribution.md section 7), through the SDK client mock. GetCostAndUsage
 * groups by at most two dimensions or tags ("up to two different groups", ce API model GetCostAndUsageRequest.GroupBy)
 * and filters a tag key without values as ABSENT ("If Key is provided and Values isn't specified, the ABSENT
 * MatchOption is applied to the tag Key only", ce API model TagValues): the rules' query asks for the untagged spend
 * grouped by what the rules need, in rule order, and matches in the client. Tag groups come back as `key$value`.
 *
 * Fixture, 2026-10-01 and 2026-10-02: checkout 60 + 20, wishlist 30 + 10 tagged; untagged on the 1st: Tax 10, usage
 * of stack Shop 9, other usage 5; on the 2nd: Tax 4, usage of stack Reports 2.
 * Rules, in order: shared/tax (RECORD_TYPE Tax, everyone even), shared/stacks (declared stacks, the stack's services,
 * even), shared/acct (LINKED_ACCOUNT: a third group-by, not applied, a warning), shared/bucket (resource ids: a
 * warning), shared/market (Marketplace: BILLING_ENTITY cannot be grouped by, a warning).
 * Expected: tax 10 + 4 over checkout, wishlist, reports: 14/3 each (largest remainder: exactly 14 in all); stacks Shop 9:
 * checkout 4.50, wishlist 4.50; stack Reports 2: reports 2; unattributed 5.
 */

const ce = mockClient(CostExplorerClient);
afterAll(() => ce.restore());

const RULES = ruleSet([
  { name: 'tax', kind: 'charges', match: { chargeTypes: ['tax'] }, target: { kind: 'everyone', allocation: { method: 'even' } } },
  { name: 'stacks', kind: 'declared-stacks', match: {}, target: { kind: 'stack-services', allocation: { method: 'even' } } },
  { name: 'acct', kind: 'accounts', match: { accounts: ['222233334444'] }, target: { kind: 'service', services: ['checkout'] } },
  { name: 'bucket', kind: 'resources', match: { resources: ['arn:aws:s3:::shop-*'] }, target: { kind: 'service', services: ['checkout'] } },
  { name: 'market', kind: 'charges', match: { chargeTypes: ['marketplace'] }, target: { kind: 'service', services: ['checkout'] } },
]);

const group = (keys: string[], amount: number) => ({ Keys: keys, Metrics: { UnblendedCost: { Amount: String(amount), Unit: 'USD' } } });
const day = (start: string, end: string, groups: unknown[]) => ({ TimePeriod: { Start: start, End: end }, Groups: groups, Estimated: false });

/** Cost Explorer: the cost query (by the service tag), and the rules' query (untagged, by RECORD_TYPE and the stack tag, two pages). */
function mockCe(): GetCostAndUsageCommandInput[] {
  const inputs: GetCostAndUsageCommandInput[] = [];
  ce.reset();
  ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => {
    inputs.push(input);
    if (!input.Filter) {
      return {
        ResultsByTime: [
          day('2026-10-01', '2026-10-02', [group(['customer-service$checkout'], 60), group(['customer-service$wishlist'], 30), group(['customer-service$'], 24)]),
          day('2026-10-02', '2026-10-03', [group(['customer-service$checkout'], 20), group(['customer-service$wishlist'], 10), group(['customer-service$'], 6)]),
        ],
      };
    }
    const stack = 'aws:cloudformation:stack-name';
    return input.NextPageToken === undefined ? {
      ResultsByTime: [day('2026-10-01', '2026-10-02', [group(['Tax', `${stack}$`], 10), group(['Usage', `${stack}$Shop`], 9), group(['Usage', `${stack}$`], 5)])],
      NextPageToken: 'rules-2',
    } : {
      ResultsByTime: [day('2026-10-02', '2026-10-03', [group(['Tax', `${stack}$`], 4), group(['Usage', `${stack}$Reports`], 2)])],
    };
  });
  return inputs;
}

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
  buildAssembly(path.join(cwd, 'cdk.out'), [
    { id: 'Shop', services: [CHECKOUT, WISHLIST] },
    { id: 'Reports', services: [REPORTS] },
    { id: 'Billing', services: [], attribution: [RULES] },
  ]);
});

test('Cost Explorer applies the rules its dimensions allow, matched in the client on the grouped untagged spend', async () => {
  const inputs = mockCe();
  const res = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-03', '--no-usage', '--output', 'json'], { cwd });
  expect(res.code).toBe(0);
  // the rules' query: the untagged spend only, grouped by the first two dimensions the rules need, in rule order; every page read
  const rules = inputs.filter((i) => i.Filter);
  expect(rules).toHaveLength(2);
  expect(rules[0]).toMatchObject({
    TimePeriod: { Start: '2026-10-01', End: '2026-10-03' },
    Granularity: 'DAILY',
    Metrics: ['UnblendedCost'],
    Filter: { Tags: { Key: 'customer-service', MatchOptions: ['ABSENT'] } },
    GroupBy: [{ Type: 'DIMENSION', Key: 'RECORD_TYPE' }, { Type: 'TAG', Key: 'aws:cloudformation:stack-name' }],
  });
  expect(rules[1].NextPageToken).toBe('rules-2');
  const data = JSON.parse(res.stdout);
  const a = data.attribution;
  expect([a.tagged, a.attributed, a.unattributed]).toEqual([120, 25, 5]);
  const rule = (name: string) => a.rules.find((r: any) => r.rule === name);
  expect(rule('tax')).toMatchObject({ amount: 14 });
  expect(rule('tax').targets.checkout + rule('tax').targets.wishlist + rule('tax').targets.reports).toBeCloseTo(14, 12);
  expect(rule('stacks')).toMatchObject({ amount: 11, targets: { checkout: 4.5, wishlist: 4.5, reports: 2 } });
  const byService = Object.fromEntries(data.rows.map((r: any) => [r.group, r.cost]));
  expect(byService.checkout).toBeCloseTo(80 + 14 / 3 + 4.5, 6);
  expect(byService.reports).toBeCloseTo(14 / 3 + 2, 6);
  expect(data.untagged.amount).toBeCloseTo(5, 9);
  expect(data.total).toBeCloseTo(150, 9);
  // what Cost Explorer cannot tell: one warning line per rule, on stderr and in the notes; never the old blanket warning
  const warnings = [
    'rule shared/acct is not applied on Cost Explorer: it needs LINKED_ACCOUNT, and the query\'s two group-bys (GetCostAndUsage groups by at most two) '
      + 'hold RECORD_TYPE and the tag aws:cloudformation:stack-name for earlier rules; its spend stays untagged (the CUR 2.0, FOCUS and Athena sources apply it)',
    'rule shared/bucket is not applied on Cost Explorer: resource ids are not in GetCostAndUsage (only GetCostAndUsageWithResources has them, opt-in, '
      + 'for the last 14 days); its spend stays untagged (the CUR 2.0, FOCUS and Athena sources apply it)',
    'rule shared/market is not applied on Cost Explorer: charge type "marketplace" is told by BILLING_ENTITY, which GetCostAndUsage cannot group by; '
      + 'its spend stays untagged (the CUR 2.0, FOCUS and Athena sources apply it)',
  ];
  for (const w of warnings) {
    expect(res.stderr).toContain(`customer-value: warning: ${w}`);
    expect(a.warnings).toContain(w);
  }
  expect(res.stderr).not.toMatch(/does not apply attribution rules/);
  expect(data.notes).toContain('Cost Explorer: 2 of the requests matched the untagged spend against the attribution rules (GetCostAndUsage grouped by '
    + 'RECORD_TYPE and the tag aws:cloudformation:stack-name)');
  expect(data.notes.join('\n')).toMatch(/Cost Explorer: 3 GetCostAndUsage requests/);
});

test('review on Cost Explorer: the business-unit tag takes one group-by, the rules match per unit value, month by month', async () => {
  const inputs: GetCostAndUsageCommandInput[] = [];
  ce.reset();
  ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => {
    inputs.push(input);
    const month = (groups: unknown[]) => ({ ResultsByTime: [day('2026-10-01', '2026-11-01', groups)] });
    if (!input.Filter) {
      return month([group(['customer-service$checkout', 'business-unit$retail'], 80), group(['customer-service$reports', 'business-unit$finance'], 20),
        group(['customer-service$', 'business-unit$'], 10), group(['customer-service$', 'business-unit$retail'], 3)]);
    }
    return month([group(['Tax', 'business-unit$'], 10), group(['Usage', 'business-unit$retail'], 3)]);
  });
  const res = await runCli(['review', '--from', '2026-10-01', '--to', '2026-11-01', '--no-usage', '-o', 'json', '--quiet'], { cwd });
  expect(res.code).toBe(0);
  const rules = inputs.find((i) => i.Filter)!;
  expect(rules).toMatchObject({ Granularity: 'MONTHLY', GroupBy: [{ Type: 'DIMENSION', Key: 'RECORD_TYPE' }, { Type: 'TAG', Key: 'business-unit' }] });
  const data = JSON.parse(res.stdout);
  const unit = (name: string) => data.businessUnits.find((u: any) => u.businessUnit === name);
  // the tax (10) over checkout, wishlist, reports evenly; the untagged usage with the retail tag (3) stays retail's untagged
  expect(unit('retail').attributed[0]).toBeCloseTo(20 / 3, 6);
  expect(unit('finance').attributed[0]).toBeCloseTo(10 / 3, 6);
  expect(unit('retail').untagged[0]).toBeCloseTo(3, 9);
  expect(data.unattributed).toBeCloseTo(0, 9);
});

describe('matching in the client (ceRulePlan, ceMatches)', () => {
  const rule = (name: string, kind: string, match: Record<string, unknown>) => ({
    id: `x/${name}`, rule: { name, kind, match, target: { kind: 'service', services: ['checkout'] } } as any,
  });
  const row = (keys: string[], amount: number) => ({ day: '2026-10-01', keys, amount: Decimal.of(String(amount)), currency: 'USD' });

  test('a charge type of several criteria takes their dimensions; patterns match in the client; overlap is measured', () => {
    const plan = ceRulePlan({
      rules: [
        rule('tax-support', 'charges', { chargeTypes: ['tax', 'support'] }),
        rule('nat', 'charges', { usageTypes: ['*NatGateway*'] }),
        rule('ec2', 'charges', { serviceCodes: ['AmazonEC2'] }),
        rule('code', 'charges', { serviceCodes: ['AmazonKinesis'] }),
      ],
      declaredStacks: [],
    }, 2);
    expect(plan.groupBy).toEqual([{ type: 'DIMENSION', key: 'SERVICE' }, { type: 'DIMENSION', key: 'RECORD_TYPE' }]);
    // nat needs USAGE_TYPE, a third group-by; AmazonKinesis has no known Cost Explorer name
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^rule x\/nat is not applied on Cost Explorer: it needs USAGE_TYPE, and the query's two group-bys .* hold SERVICE and RECORD_TYPE/),
      expect.stringMatching(/^rule x\/code is not applied on Cost Explorer: Cost Explorer groups by the service's name, not its code, and the code AmazonKinesis has no known name/),
    ]);
    const matches = ceMatches(plan, [
      row(['AWS Support (Business)', 'Usage'], 100),
      row(['EC2 - Other', 'Tax'], 7),
      row(['Amazon Elastic Compute Cloud - Compute', 'Usage'], 3),
      row(['Amazon Simple Storage Service', 'Usage'], 1),
    ], false, tagValue);
    expect(matches.map((m) => [m.rule, m.amount.toString(), (m.also ?? []).map((a) => [a.rule, a.amount.toString()])])).toEqual([
      [0, '107', [[2, '7']]],
      [2, '3', []],
    ]);
  });

  test('stack patterns and declared stacks read the stack tag\'s value (key$value); the grouped tag is the last key', () => {
    const plan = ceRulePlan({ rules: [rule('shop', 'stacks', { stacks: ['Shop-*'] }), rule('declared', 'declared-stacks', {})], declaredStacks: ['Search'] }, 1);
    expect(plan.groupBy).toEqual([{ type: 'TAG', key: 'aws:cloudformation:stack-name' }]);
    const matches = ceMatches(plan, [
      row(['aws:cloudformation:stack-name$Shop-Prod', 'business-unit$retail'], 5),
      row(['aws:cloudformation:stack-name$Search', 'business-unit$'], 2),
      row(['aws:cloudformation:stack-name$', 'business-unit$retail'], 9),
    ], true, tagValue);
    expect(matches.map((m) => [m.rule, m.stack, m.group, m.amount.toString()])).toEqual([[0, 'Shop-Prod', 'retail', '5'], [1, 'Search', '', '2']]);
  });
});
