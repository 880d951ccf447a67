import * as path from 'path';
import { buildRulesAssembly, EXPECTED, RULES, writeCur, writeFocus } from './rules-fixture';
import { buildAssembly, CHECKOUT, runCli } from '../cli/fixtures';
import { tempDir } from '../util';

/** Attribution rules on the CUR 2.0 and FOCUS file sources (real DuckDB over small hand-made files): rules-fixture.ts. */

let cwd: string;
let cur: string;
let focus: string;
beforeAll(() => {
  cwd = tempDir();
  buildRulesAssembly(path.join(cwd, 'cdk.out'));
  buildRulesAssembly(path.join(cwd, 'no-rules.out'), false);
  cur = writeCur(path.join(cwd, 'data', 'cur.csv'));
  focus = writeFocus(path.join(cwd, 'data', 'focus.csv'));
});

describe.each([['cur', () => cur], ['focus', () => focus]])('attribution rules on --source %s', (source, file) => {
  test('each rule kind attributes what it should, per billing month, exactly; the rest stays untagged', async () => {
    const res = await runCli(['cost', '--source', source, file(), '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    const byService = Object.fromEntries(data.rows.map((r: any) => [r.group, r.cost]));
    for (const [service, amount] of Object.entries(EXPECTED)) {
      // JSON gives amounts to 6 places
      expect(byService[service]).toBeCloseTo(amount, 5);
    }
    const checkout = data.rows.find((r: any) => r.group === 'checkout');
    expect(checkout.tagged).toBe(70);
    expect(checkout.attributed).toBeCloseTo(26.857142857142857143, 12);
    expect(data.rows.find((r: any) => r.group === 'reports')).toMatchObject({ tagged: 20, attributed: 2 });
    expect(data.untagged.amount).toBeCloseTo(5, 9);
    expect(data.total).toBeCloseTo(242, 9);
    const a = data.attribution;
    // tagged is a declared service's tag, as coverage counts it: the untagged 5 and "ghost"'s 3 are unattributed
    expect([a.tagged, a.attributed, a.unattributed]).toEqual([170, 64, 8]);
    const rule = (name: string) => a.rules.find((r: any) => r.rule === name);
    expect(rule('acct')).toMatchObject({ ruleSet: 'shared', amount: 12, targets: { search: 12 } });
    expect(rule('shop-stacks')).toMatchObject({ amount: 9, targets: { checkout: 4.5, wishlist: 4.5 } });
    expect(rule('tax')).toMatchObject({ amount: 15, months: { '2026-10': 10, '2026-11': 5 } });
    expect(rule('tax').targets.checkout).toBeCloseTo(6.357142857142857143, 12);
    expect(rule('tax').targets.wishlist).toBeCloseTo(6.678571428571428571, 12);
    expect(rule('tax').targets.search).toBeCloseTo(1.964285714285714286, 12);
    expect(rule('nat')).toMatchObject({ amount: 20, targets: { checkout: 14, wishlist: 6 } });
    expect(rule('bucket')).toMatchObject({ amount: 8, targets: { checkout: 2, wishlist: 2, search: 2, reports: 2 } });
    expect(rule('never')).toMatchObject({ amount: 0, matched: false });
    expect(a.warnings).toContain('rules shared/acct and shared/bucket both match 12.00 USD of 2026-10; shared/acct, earlier, attributes it');
    expect(a.warnings).toContain('rule shared/never matched no untagged spend in the period: check its criteria, or remove it');
    // tagged is a declared service's tag (docs/attribution.md section 1), as coverage counts it: "ghost"'s 3.00 is unattributed
    expect(data.notes).toContain('attribution: tagged 170.00 USD (70.2 %), attributed by rules 64.00 USD (26.4 %), unattributed 8.00 USD (3.3 %) '
      + 'of 242.00 USD');
    expect(data.notes).toContain('rule shared/tax attributed 15.00 USD (2026-10 10.00, 2026-11 5.00): checkout 6.36, search 1.96, wishlist 6.68');
    // the unattributed 8.00 holds "ghost"'s 3.00: said, as coverage lists it by reason
    expect(data.notes).toContain('of the unattributed spend, 3.00 USD carries a service tag value no declaration holds (customer-value '
      + 'coverage lists it: a tag value no declaration carries); rules never apply to it');
  });

  test('the tagged share (data quality) is the resource spend that carries the tag, with the rules as without', async () => {
    // resource spend 242 - tax 15 = 227, of which the tag is on 173 (ghost's 3 included: it carries the tag) and missing
    // on 12 + 9 + 20 + 8 + 5 = 54, attributed by rules or not
    const line = 'tagged share (data quality): 76.2 % of resource spend (tax, credits, refunds and other charges of no resource left out) '
      + 'carries the "customer-service" tag; untagged 54.00 USD (23.8 %)';
    const res = await runCli(['cost', '--source', source, file(), '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'markdown', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(line);
    expect(res.stdout).toContain('attribution: tagged 170.00 USD');
    const plain = await runCli(['cost', '--source', source, file(), '-a', path.join(cwd, 'no-rules.out'), '--from', '2026-10-01', '--to', '2026-12-01',
      '-o', 'markdown', '--quiet'], { cwd });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(line);
    expect(plain.stdout).not.toContain('attribution: tagged');
  });

  test('the table and markdown show the attributed share and each rule; the warning reaches stderr', async () => {
    for (const output of ['table', 'markdown', 'csv', 'html']) {
      const res = await runCli(['cost', '--source', source, file(), '--from', '2026-10-01', '--to', '2026-12-01', '-o', output,
        ...(output === 'html' ? ['--out', '-'] : [])], { cwd });
      expect(res.code).toBe(0);
      expect(res.stderr).toMatch(/rule shared\/never matched no untagged spend in the period/);
      if (output === 'csv') {
        // the main table, as CSV writes it: the two columns too
        const lines = res.stdout.split('\r\n');
        expect(lines[0]).toMatch(/,Business unit,Tagged,Attributed,Cost \(USD\),Share,/);
        expect(lines.find((l) => l.startsWith('checkout,'))).toMatch(/,retail,70\.00,26\.86,96\.86,/);
      }
      if (output !== 'csv') {
        expect(res.stdout).toMatch(/attributed by rules 64\.00 USD \(26\.4 %\)/);
        expect(res.stdout).toMatch(/rule shared\/nat attributed 20\.00 USD: checkout 14\.00, wishlist 6\.00/);
        // tagged and attributed are columns of the main table, before the cost (no section of their own)
        expect(res.stdout).toMatch(output === 'html' ? /<th[^>]*>Tagged<\/th><th[^>]*>Attributed<\/th><th[^>]*>Cost \(USD\)<\/th>/ : /Tagged\W+Attributed\W+Cost \(USD\)/);
        expect(res.stdout).not.toMatch(/Tagged and attributed cost per service/);
        expect(res.stdout).toMatch(/15\.00 USD of the tax, credits and other charges of no resource was attributed by rules/);
        if (output !== 'html') {
          expect(res.stdout).toMatch(/checkout\W.*retail\W+70\.00\W+26\.86\W+96\.86\W/);
          expect(res.stdout.match(/rule shared\/never matched no untagged spend/g)).toHaveLength(1);
        }
      }
    }
  });

  test('--allocate: direct cost = tagged + attributed', async () => {
    const res = await runCli(['cost', '--source', source, file(), '--from', '2026-10-01', '--to', '2026-12-01', '--allocate', '-o', 'json', '--quiet'],
      { cwd });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.attribution.attributed).toBe(64);
    const checkout = data.rows.find((r: any) => r.group === 'checkout');
    expect(checkout).toMatchObject({ direct: 96.857143, fullyLoaded: 96.857143, months: { '2026-10': { direct: 85.857143 }, '2026-11': { direct: 11 } } });
    // the main table: tagged + attributed = direct, side by side
    const csv = await runCli(['cost', '--source', source, file(), '--from', '2026-10-01', '--to', '2026-12-01', '--allocate', '-o', 'csv', '--quiet'], { cwd });
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toMatch(/,Tagged,Attributed,Direct \(USD\),Received,/);
    expect(lines.find((l) => l.startsWith('checkout,'))).toMatch(/,70\.00,26\.86,96\.86,/);
  });

  test('grouped by team, the rules are named in a note, not silently ignored', async () => {
    const res = await runCli(['cost', '--source', source, file(), '--from', '2026-10-01', '--to', '2026-12-01', '--by', 'team', '-o', 'json', '--quiet'],
      { cwd });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).notes).toContainEqual(expect.stringMatching(/^attribution rules \(shared\/acct, shared\/shop-stacks, .*shared\/never\) apply when cost is grouped by service/));
  });
});

test('a bad attribution record is refused naming the file, the rule set and the field', async () => {
  const dir = tempDir();
  buildAssembly(path.join(dir, 'cdk.out'), [
    { id: 'Shop', services: [CHECKOUT] },
    { id: 'Billing', services: [], attribution: [{ ...RULES, rules: [{ ...RULES.rules[0], match: { accounts: ['12'] } }] }] },
  ]);
  const res = await runCli(['cost', '--source', 'cur', cur, '--from', '2026-10-01', '--to', '2026-12-01'], { cwd: dir });
  expect(res.code).not.toBe(0);
  expect(res.stderr).toMatch(/the customer-value:attribution record of rule set "shared" in .*cdk\.out\/manifest\.json \(stack Billing, \/Billing\/Rules0\) is refused: rules\[0\] \("acct"\).*accounts/);
  expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
});
