import * as fs from 'fs';
import * as path from 'path';
import { CostExplorerClient, Expression, GetCostAndUsageCommand, GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { coverageAssembly } from './coverage-fixture';
import { ceRulePlan, ceRulesExpression } from '../../src/cost-data/attribution/cost-explorer';
import { CE_COVERAGE_NOTE } from '../../src/cost-data/attribution/coverage';
import { runCoverage } from '../../src/cost-data/attribution/coverage-run';
import { unitCoverage } from '../../src/cost-data/attribution/coverage-units';
import { readAssemblies, tagKeysOf } from '../../src/cost-data/declarations/cloud-assembly';
import { CostMetric } from '../../src/cost-data/query-terms';
import { CostExplorerSource } from '../../src/cost-data/sources/ce';
import { CallLimits } from '../../src/cost-data/sources/limits';
import { runCli } from '../cli/fixtures';
import { tempDir } from '../util';

/*
 * Coverage on Cost Explorer (docs/attribution.md section 9), through the SDK client mock of attribution-ce.test.ts.
 * GetCostAndUsage has no resource ids and no stack of untagged spend grouped with its record type, so Cost Explorer
 * tells: spend of no resource (RECORD_TYPE other than usage), untagged usage in accounts without declared stacks, and
 * undeclared tag values; the rest of the untagged usage is "needs resource ids". The coverage query is the untagged
 * spend (service key ABSENT) that no rule Cost Explorer applies matches (Not the rules' filter), by LINKED_ACCOUNT and
 * RECORD_TYPE: the mock answers it by evaluating the filter sent on the untagged cells below, so the filter is tested by
 * what it selects.
 *
 * The assembly and rules of coverage-fixture.ts: checkout, wishlist (stack Shop, account 111111111111), search (Search,
 * 222222222222), reports (Reports, 333333333333, finance); rules shared/acct (account 444444444444 -> search), shared/tax
 * (Tax -> retail, proportional). October 2026, by hand:
 *   tagged: checkout 100, wishlist 50 (111), search 30 (222), reports 20 (333) + 6 (555555555555)           = 206
 *   undeclared tag "chekout" 1.50
 *   untagged cells (account, record type): 444 Usage 12 (rule acct), 111 Tax 9 (rule tax), 111 Support 7,
 *     111 Credit -2, 111 Usage 25, 222 Usage 4, 555 Usage 3                                                 =  58
 *   total 206 + 1.50 + 58 = 265.50; attributed 12 + 9 = 21 (the tax over retail by its base: checkout 100,
 *   wishlist 50, search 42: all has a base); unattributed 265.50 - 206 - 21 = 38.50:
 *     no resource 7 - 2 = 5; outside (555: no stack declared; most of its tagged spend: reports) 3;
 *     unknown tag 1.50; needs resource ids 25 (111) + 4 (222) = 29                                     sum = 38.50
 *   per unit: retail 25 + 4 + 1.50 = 30.50, finance 3 (555 by its tagged spend), rest 5 (no resource); 30.50 + 3 + 5 = 38.50
 */

const ce = mockClient(CostExplorerClient);
afterAll(() => ce.restore());

const CELLS: Array<[string, string, number]> = [
  ['444444444444', 'Usage', 12], ['111111111111', 'Tax', 9], ['111111111111', 'Support', 7], ['111111111111', 'Credit', -2],
  ['111111111111', 'Usage', 25], ['222222222222', 'Usage', 4], ['555555555555', 'Usage', 3],
];
const TAGGED: Array<[string, string, number]> = [
  ['checkout', '111111111111', 100], ['wishlist', '111111111111', 50], ['search', '222222222222', 30], ['reports', '333333333333', 20],
  ['reports', '555555555555', 6], ['chekout', '111111111111', 1.5],
];

const group = (keys: string[], amount: number) => ({ Keys: keys, Metrics: { UnblendedCost: { Amount: String(amount), Unit: 'USD' } } });
const result = (groups: unknown[]) => ({ TimePeriod: { Start: '2026-10-01', End: '2026-11-01' }, Groups: groups, Estimated: false });

const UNIT: Record<string, string> = { checkout: 'retail', wishlist: 'retail', search: 'retail', reports: 'finance' };
/** Every line of the month: tagged (usage) and the untagged cells; what each GroupBy and filter reads of it. */
const LINES = [
  ...TAGGED.map(([svc, account, amount]) => ({ svc, account, type: 'Usage', amount })),
  ...CELLS.map(([account, type, amount]) => ({ svc: '', account, type, amount })),
];
type Line = typeof LINES[number];
const valueOf = (l: Line, type: string | undefined, key: string | undefined): string => {
  if (type === 'DIMENSION') return key === 'LINKED_ACCOUNT' ? l.account : key === 'RECORD_TYPE' ? l.type : '?';
  return key === 'customer-service' ? l.svc : key === 'business-unit' ? UNIT[l.svc] ?? '' : '';
};

/** Whether a line is selected by a GetCostAndUsage filter (tags: values, or ABSENT). */
function selects(e: Expression, l: Line): boolean {
  if (e.And) return e.And.every((x) => selects(x, l));
  if (e.Or) return e.Or.some((x) => selects(x, l));
  if (e.Not) return !selects(e.Not, l);
  if (e.Dimensions) return (e.Dimensions.Values ?? []).includes(valueOf(l, 'DIMENSION', e.Dimensions.Key));
  if (e.Tags) {
    const v = valueOf(l, 'TAG', e.Tags.Key);
    return e.Tags.MatchOptions?.includes('ABSENT') ? v === '' : (e.Tags.Values ?? []).includes(v);
  }
  throw new Error(`unexpected filter ${JSON.stringify(e)}`);
}

/** Cost Explorer over LINES: any GroupBy (tags as key$value) and filter; a filtered query answers in two pages. */
function mockCe(): GetCostAndUsageCommandInput[] {
  const inputs: GetCostAndUsageCommandInput[] = [];
  ce.reset();
  ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => {
    inputs.push(input);
    const sums = new Map<string, { keys: string[]; amount: number }>();
    for (const l of LINES.filter((x) => !input.Filter || selects(input.Filter, x))) {
      const keys = (input.GroupBy ?? []).map((g) => (g.Type === 'TAG' ? `${g.Key}$${valueOf(l, 'TAG', g.Key)}` : valueOf(l, 'DIMENSION', g.Key)));
      const k = keys.join('|');
      sums.set(k, { keys, amount: (sums.get(k)?.amount ?? 0) + l.amount });
    }
    const groups = [...sums.values()].map((g) => group(g.keys, g.amount));
    if (!input.Filter) {
      return { ResultsByTime: [result(groups)] };
    }
    return input.NextPageToken === undefined
      ? { ResultsByTime: [result(groups.slice(0, 2))], NextPageToken: 'page-2' }
      : { ResultsByTime: [result(groups.slice(2))] };
  });
  return inputs;
}

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
  coverageAssembly(cwd);
});

test('Cost Explorer tells no resource, accounts without declared stacks and undeclared tag values; conserved to the cent', async () => {
  const inputs = mockCe();
  const set = readAssemblies([path.join(cwd, 'cdk.out')]);
  const limits = new CallLimits({ maxPages: 10, timeoutSeconds: 60 });
  const run = await runCoverage({
    source: new CostExplorerSource({ limits }),
    set,
    from: '2026-10-01',
    to: '2026-11-01',
    tagKeys: tagKeysOf(set),
    metric: CostMetric.UNBLENDED,
    sourceName: 'Cost Explorer',
    progress: () => undefined,
  }).finally(() => limits.dispose());
  const c = run.coverage;
  const money = (d: { toFixed(n: number): string }) => d.toFixed(2);
  expect([c.total, c.tagged, c.attributed, c.unattributed].map(money)).toEqual(['265.50', '206.00', '21.00', '38.50']);
  expect(Object.fromEntries(c.reasons.map((r) => [r.reason, money(r.amount)]))).toEqual({
    'no-resource': '5.00', 'outside': '3.00', 'unknown-tag': '1.50', 'split-failed': '0.00', 'needs-resources': '29.00',
  });
  expect(c.reasons.reduce((s, r) => s.plus(r.amount), c.tagged.plus(c.attributed)).compare(c.total)).toBe(0);
  expect(c.warnings).toEqual([]);
  expect(c.notes).toEqual([CE_COVERAGE_NOTE]);
  expect(c.entries.map((e) => [e.resource, e.account, money(e.amount), e.reason, e.owner])).toEqual([
    ['(untagged usage in account 111111111111)', '111111111111', '25.00', 'needs-resources', 'checkout, wishlist'],
    ['(no resource: Support)', '111111111111', '7.00', 'no-resource', 'every business unit, by share'],
    ['(untagged usage in account 222222222222)', '222222222222', '4.00', 'needs-resources', 'search'],
    ['(untagged usage in account 555555555555)', '555555555555', '3.00', 'outside', 'reports'],
    ['(its spend: Cost Explorer has no resource ids)', '', '1.50', 'unknown-tag', 'checkout'],
    ['(no resource: Credit)', '111111111111', '-2.00', 'no-resource', 'every business unit, by share'],
  ]);
  expect(c.entries[1].fix).toBe('AttributionRule.charges({ chargeTypes: [ChargeType.SUPPORT], to: AttributionTarget.everyone() })');
  expect(c.entries[3]).toMatchObject({
    ownerHow: 'no service is declared in account 555555555555; most of its tagged spend: reports 100.0 %',
    fix: 'tag its resources, or AttributionRule.accounts({ accountIds: [\'555555555555\'], to: AttributionTarget.service(ServiceRef.named(\'reports\')) })',
  });
  // per unit, conserved
  const [retail, finance] = ['retail', 'finance'].map((u) => unitCoverage(c, u, set.services));
  expect([money(retail.owned), money(finance.owned), money(retail.rest)]).toEqual(['30.50', '3.00', '5.00']);
  expect(retail.owned.plus(finance.owned).plus(retail.rest).compare(c.unattributed)).toBe(0);

  // the requests: the cost query, the rules' (2 pages), the coverage query (2 pages: the untagged spend NOT matched by
  // the rules Cost Explorer applies), the account owners' (by month)
  const coverage = inputs.filter((i) => i.Filter && 'And' in i.Filter);
  expect(coverage).toHaveLength(2);
  expect(coverage[0]).toMatchObject({
    Granularity: 'DAILY',
    GroupBy: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }, { Type: 'DIMENSION', Key: 'RECORD_TYPE' }],
    Filter: {
      And: [
        { Tags: { Key: 'customer-service', MatchOptions: ['ABSENT'] } },
        { Not: { Or: [{ Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['444444444444'] } }, { Dimensions: { Key: 'RECORD_TYPE', Values: ['Tax'] } }] } },
      ],
    },
  });
  expect(coverage[1].NextPageToken).toBe('page-2');
  expect(inputs.find((i) => !i.Filter && i.GroupBy?.length === 2)).toMatchObject({ Granularity: 'MONTHLY' });
  expect(inputs).toHaveLength(6);
  expect(run.result.notes.join('\n')).toMatch(/Cost Explorer: 5 GetCostAndUsage requests/);
});

test('a pattern stands for the values the rules\' query saw (GetCostAndUsage matches exactly); a rule matching nothing is left out', () => {
  const rule = (name: string, kind: string, match: Record<string, unknown>) => ({
    id: `x/${name}`, rule: { name, kind, match, target: { kind: 'service', services: ['checkout'] } } as any,
  });
  const plan = ceRulePlan({ rules: [rule('shop', 'stacks', { stacks: ['Shop-*', 'Old'] }), rule('none', 'stacks', { stacks: ['Gone-*'] })], declaredStacks: [] }, 2);
  const seen = new Map([['TAG:aws:cloudformation:stack-name', new Set(['Shop-Prod', 'Shop-Dev', 'Search', ''])]]);
  expect(ceRulesExpression(plan, seen)).toEqual({ Tags: { Key: 'aws:cloudformation:stack-name', Values: ['Old', 'Shop-Dev', 'Shop-Prod'] } });
});

test('customer-value coverage --source ce: every format, the note of what it cannot tell; the unit\'s pack on Cost Explorer', async () => {
  mockCe();
  const res = await runCli(['coverage', '--source', 'ce', '--from', '2026-10-01', '--to', '2026-11-01', '-o', 'json', '--quiet'], { cwd });
  expect(res.code).toBe(0);
  const data = JSON.parse(res.stdout);
  expect(data).toMatchObject({ total: 265.5, tagged: 206, attributed: 21, unattributed: 38.5, resourceLevel: false, source: 'Cost Explorer' });
  expect(data.notes).toContain(CE_COVERAGE_NOTE);
  mockCe();
  const table = await runCli(['coverage', '--source', 'ce', '--from', '2026-10-01', '--to', '2026-11-01', '--quiet'], { cwd });
  expect(table.stdout).toMatch(/usage in a declared stack's account \(needs resource ids\)\s+29\.00/);
  expect(table.stdout).not.toMatch(/a resource of an untaggable type/);
  mockCe();
  const packs = await runCli(['review', '--source', 'ce', '--from', '2026-10-01', '--to', '2026-11-01', '--no-usage', '-o', 'markdown', '--out-dir', 'ce-packs',
    '--quiet'], { cwd });
  expect(packs.code).toBe(0);
  // the review's own rules' query has one group-by left (the business-unit tag takes one): its warnings are the review's;
  // the coverage section reads the period by service, as customer-value coverage does (the same figures)
  const finance = fs.readFileSync(path.join(cwd, 'ce-packs', 'value-review-finance.md'), 'utf8');
  expect(finance).toContain('- finance likely owns 3.00 USD of the period\'s unattributed 38.50 USD');
  expect(finance).toContain(`- ${CE_COVERAGE_NOTE.replace('RECORD_TYPE', 'RECORD\\_TYPE')}`);
});

test('Athena: coverage is refused until the one scan of cost, rules and coverage is on main', async () => {
  const athena = await runCli(['coverage', '--source', 'athena'], { cwd });
  expect(athena.code).toBe(2);
  expect(athena.stderr).toMatch(/coverage does not run on Athena yet/);
});
