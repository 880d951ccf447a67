import * as fs from 'fs';
import * as path from 'path';
import { coverageAssembly, HOSTILE_RESOURCE, HOSTILE_TAG, ITEMS, RULES, writeCur, writeFocus } from './coverage-fixture';
import { attributionPlanOf } from '../../src/cost-data/attribution/attribute';
import { coverageReport, coverageSections, withCoverage } from '../../src/cost-data/attribution/coverage-report';
import { COVERAGE_UNAVAILABLE, CoverageRun, runCoverage } from '../../src/cost-data/attribution/coverage-run';
import { entriesByUnit, unitCoverage } from '../../src/cost-data/attribution/coverage-units';
import { readAssemblies, tagKeysOf } from '../../src/cost-data/declarations/cloud-assembly';
import { render } from '../../src/cost-data/format/render';
import { CostMetric, FocusMetric } from '../../src/cost-data/query-terms';
import { DuckDbSession } from '../../src/cost-data/sources/duckdb-loader';
import { createSource } from '../../src/cost-data/sources/factory';
import { CallLimits } from '../../src/cost-data/sources/limits';
import { runCli } from '../cli/fixtures';
import { tempDir } from '../util';

/**
 * `customer-value coverage` (docs/attribution.md section 9) on CUR 2.0 and FOCUS files holding each kind of
 * unattributed spend: real DuckDB over the small files of coverage-fixture.ts, whose comment works out every figure
 * below by hand. The formats are rendered from one coverage per source (the command's one renderer); the command line
 * itself runs for json, the table, html and the refusals.
 */

let cwd: string;
const files: Record<string, string> = {};
const runs: Record<string, CoverageRun> = {};

async function coverage(source: 'cur' | 'focus' | 'cur-parquet', from: string, to: string): Promise<CoverageRun> {
  const set = readAssemblies([path.join(cwd, 'cdk.out')]);
  const limits = new CallLimits({ maxPages: 10, timeoutSeconds: 60 });
  try {
    return await runCoverage({
      source: createSource({ kind: source === 'focus' ? 'focus' : 'cur', paths: [files[source]], limits }),
      set,
      from,
      to,
      tagKeys: tagKeysOf(set),
      metric: source === 'focus' ? FocusMetric.BILLED : CostMetric.UNBLENDED,
      sourceName: source,
      progress: () => undefined,
    });
  } finally {
    limits.dispose();
  }
}

beforeAll(async () => {
  cwd = tempDir();
  coverageAssembly(cwd);
  files.cur = writeCur(path.join(cwd, 'data', 'cur.csv'));
  files.focus = writeFocus(path.join(cwd, 'data', 'focus.csv'));
  // the same CUR 2.0 data as Parquet: the scans read the view twice there instead of a copy of the unowned line items
  files['cur-parquet'] = path.join(cwd, 'data', 'cur.parquet');
  const session = await DuckDbSession.open({});
  try {
    await session.run(`COPY (SELECT * REPLACE (CAST(CAST(resource_tags AS JSON) AS MAP(VARCHAR, VARCHAR)) AS resource_tags)
      FROM read_csv('${files.cur}', all_varchar = true) ) TO '${files['cur-parquet']}' (FORMAT PARQUET)`);
  } finally {
    session.close();
  }
  for (const source of ['cur', 'focus', 'cur-parquet'] as const) {
    runs[source] = await coverage(source, '2026-10-01', '2026-12-01');
    runs[`${source}-december`] = await coverage(source, '2026-12-01', '2027-01-01');
  }
}, 60_000);

const money = (d: { toFixed(n: number): string }) => d.toFixed(2);

describe.each(['cur', 'focus', 'cur-parquet'])('coverage of %s files', (source) => {
  test('every dollar: tagged + attributed + one reason each = the total, to the cent (figures worked out in coverage-fixture.ts)', () => {
    const c = runs[source].coverage;
    expect([c.total, c.tagged, c.attributed, c.unattributed].map(money)).toEqual(['306.00', '240.00', '21.00', '45.00']);
    expect(Object.fromEntries(c.reasons.map((r) => [r.reason, money(r.amount)]))).toEqual({
      'no-resource': '5.00',
      'untaggable': '4.00',
      'stack-untagged': '10.00',
      'outside': '18.00',
      'unknown-tag': '2.00',
      'stack-tag-inactive': '0.00',
      'split-failed': '6.00',
    });
    // conserved exactly (decimals to 10^-18), not only once rounded
    const explained = c.reasons.reduce((s, r) => s.plus(r.amount), c.tagged.plus(c.attributed));
    expect(explained.compare(c.total)).toBe(0);
    expect(c.warnings).toEqual([]);
    expect(c.months.map((m) => [m.month, money(m.total), money(m.tagged), money(m.attributed), money(m.unattributed)])).toEqual([
      ['2026-10', '259.50', '200.00', '21.00', '38.50'],
      ['2026-11', '46.50', '40.00', '0.00', '6.50'],
    ]);
  });

  test('each resource with its reason, likely owner (how found) and fix; largest first', () => {
    const e = runs[source].coverage.entries.map((x) => ({
      resource: x.resource, account: x.account, amount: money(x.amount), reason: x.reason, owner: x.owner, how: x.ownerHow, fix: x.fix,
    }));
    expect(e[0]).toEqual({
      resource: 'arn:aws:s3:::legacy-bucket',
      account: '111111111111',
      amount: '15.00',
      reason: 'outside',
      owner: 'checkout, wishlist',
      how: 'services declared in account 111111111111',
      fix: 'AttributionRule.resources({ resourceIds: [\'arn:aws:s3:::legacy-bucket\'], to: AttributionTarget.services([ServiceRef.named(\'checkout\'), '
        + 'ServiceRef.named(\'wishlist\')]) })',
    });
    expect(e[1]).toMatchObject({ resource: 'i-0abc', amount: '10.00', reason: 'stack-untagged', owner: 'checkout, wishlist', how: 'services of its stack Shop' });
    expect(runs[source].coverage.entries[1]).toMatchObject({ usageType: 'EUW1-BoxUsage', usageTypes: 2, region: 'eu-west-1', product: 'AmazonEC2' });
    expect(e[2]).toMatchObject({ amount: '7.00', reason: 'no-resource', fix: 'AttributionRule.charges({ chargeTypes: [ChargeType.SUPPORT], to: AttributionTarget.everyone() })' });
    expect(e[3]).toMatchObject({ resource: '(rule shared/tax)', amount: '6.00', reason: 'split-failed', owner: 'rule set shared', how: 'rule shared/tax: no target had cost in 2026-11' });
    expect(e[4]).toMatchObject({
      resource: 'arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/vpce-1',
      amount: '4.00',
      reason: 'untaggable',
      owner: 'search',
      fix: 'AttributionRule.declaredStacks()',
    });
    expect(e[5]).toMatchObject({
      resource: 'i-9',
      account: '555555555555',
      amount: '3.00',
      reason: 'outside',
      owner: '',
      how: 'stack OldStack is in no assembly read; no service is declared in account 555555555555 nor tags spend in it',
    });
    expect(e[6]).toMatchObject({ resource: 'i-7', amount: '1.50', reason: 'unknown-tag', owner: 'checkout', how: 'tag "chekout": did you mean "checkout"?' });
    expect(e[7]).toMatchObject({ resource: HOSTILE_RESOURCE, amount: '0.50', reason: 'unknown-tag', owner: '' });
    expect(e[8]).toMatchObject({ amount: '-2.00', reason: 'no-resource', fix: 'AttributionRule.charges({ chargeTypes: [ChargeType.CREDIT], to: AttributionTarget.everyone() })' });
    expect(e).toHaveLength(9);
  });

  test('a period where no line item holds the stack key: its resources are "the stack tag is not active"', () => {
    const c = runs[`${source}-december`].coverage;
    // December: checkout 10 tagged; i-dec 5 without any tag
    expect([c.total, c.tagged, c.attributed, c.unattributed].map(money)).toEqual(['15.00', '10.00', '0.00', '5.00']);
    expect(c.reasons.filter((r) => r.amount.sign() !== 0).map((r) => [r.reason, money(r.amount)])).toEqual([['stack-tag-inactive', '5.00']]);
    expect(c.entries[0]).toMatchObject({ resource: 'i-dec', owner: 'checkout, wishlist', ownerHow: 'services declared in account 111111111111' });
    expect(c.entries[0].fix).toMatch(/^activate aws:cloudformation:stack-name \(CostAllocationTags activateStackNameTag\); or AttributionRule\.resources/);
    expect(c.warnings).toEqual([expect.stringMatching(/^no line item of the period holds aws:cloudformation:stack-name/)]);
  });
});

describe('the formats (one renderer)', () => {
  const report = (by: 'reason' | 'resource' | 'account', top = 20) =>
    coverageReport(runs.cur.coverage, { by, top, source: runs.cur.result.source, notes: runs.cur.result.notes, warnings: [] });

  test('json: the reasons, resources, accounts and months, conserved', () => {
    const data = JSON.parse(render(report('reason'), 'json'));
    expect(data).toMatchObject({ from: '2026-10-01', to: '2026-12-01', currency: 'USD', total: 306, tagged: 240, attributed: 21, unattributed: 45, resourceCount: 9 });
    expect(data.reasons.map((r: any) => r.reason)).toEqual(['no-resource', 'untaggable', 'stack-untagged', 'outside', 'unknown-tag', 'stack-tag-inactive', 'split-failed']);
    expect(data.reasons.reduce((s: number, r: any) => s + Math.round(r.amount * 100), 0)).toBe(4500);
    expect(data.months[0]).toMatchObject({ month: '2026-10', total: 259.5, tagged: 200, attributed: 21, unattributed: 38.5 });
    expect(data.months[0].attributedShare).toBeCloseTo(221 / 259.5, 12);
    expect(data.resources.find((r: any) => r.resource === HOSTILE_RESOURCE).tag).toBe(HOSTILE_TAG);
    expect(data.accounts[0]).toMatchObject({ account: '111111111111', amount: 32, mainReason: 'outside' });
  });

  test('csv: the main table of --by (reason, resource, account); a hostile value cannot run as a formula', () => {
    expect(render(report('reason'), 'csv').split('\r\n').slice(0, 3)).toEqual([
      'Reason,Amount,Share of spend,Likely owner,Fix',
      '"no resource: tax, support, fees, credits",5.00,1.6,"every business unit, by share","a charges rule, e.g. AttributionRule.charges({ chargeTypes: '
        + '[ChargeType.TAX, ChargeType.SUPPORT], to: AttributionTarget.everyone() })"',
      'a resource of an untaggable type,4.00,1.3,the services of its stack,AttributionRule.declaredStacks()',
    ]);
    const resources = render(report('resource', 2), 'csv').split('\r\n');
    expect(resources[0]).toBe('Resource,Account,Region,Product,Usage type,Amount,Share of spend,Reason,Likely owner,Owner found by,Fix');
    expect(resources[1]).toMatch(/^arn:aws:s3:::legacy-bucket,111111111111,eu-west-1,AmazonS3,EUW1-TimedStorage-ByteHrs,15\.00,4\.9,/);
    expect(resources.filter((l) => l !== '')).toHaveLength(3);
    expect(render(report('account'), 'csv').split('\r\n')[1]).toBe('111111111111,32.00,10.5,6,a resource outside every assembly\'s stacks,"checkout, wishlist"');
    // a resource id starting with "=" is neutralised with a leading "'" (the cost CSV's rule)
    expect(render(report('resource'), 'csv')).toContain('\r\n\'=1+2<b>,111111111111,');
    expect(render(report('resource'), 'csv')).toContain(`,"tag ""${HOSTILE_TAG.replace(/\u202E/, '<U+202E>').replace(/"/g, '""')}"": no declared service is close",`);
  });

  test('markdown and html escape untrusted text; html draws the attributed share per month and the cost split', () => {
    const md = render(report('reason'), 'markdown');
    expect(md).toMatch(/\| 2026-10 \| 259\.50 \| 200\.00 \| 21\.00 \| 38\.50 \| 85\.2 % \|/);
    expect(md).not.toContain('<b>x</b>');
    expect(md).not.toContain('\u202E');
    const html = render(report('reason'), 'html');
    expect(html).toContain('<figcaption>Attributed share (tagged + attributed) per month</figcaption>');
    expect(html).toMatch(/<title>2026-10: 85\.20 %<\/title>/);
    expect(html).toMatch(/<title>2026-11: 86\.00 %<\/title>/);
    expect(html).toContain('Tagged, attributed and unattributed cost per month (USD)');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  test('the review pack\'s short section: share, reasons that hold spend, top 5', () => {
    const sections = coverageSections(runs.cur.coverage);
    expect(sections[0].lines?.[0]).toBe('tagged 240.00 USD (78.4 %), attributed by rules 21.00 USD (6.9 %), unattributed 45.00 USD (14.7 %) of 306.00 USD');
    expect(sections[1].table?.rows.map((r) => r.reason)).toEqual(['no resource: tax, support, fees, credits', 'a resource of an untaggable type',
      'a resource in a CDK stack without the tag', 'a resource outside every assembly\'s stacks', 'a tag value no declaration carries', 'a rule could not split']);
    expect(sections[2].table?.rows).toHaveLength(5);
  });
});

describe('the command line', () => {
  test('json on stdout; the terminal table cleans control characters; html is written with its chart', async () => {
    const json = await runCli(['coverage', '--source', 'focus', files.focus, '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--quiet'], { cwd });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ total: 306, tagged: 240, attributed: 21, unattributed: 45 });
    expect(json.stderr).toBe('customer-value: warning: rule shared/tax: no target had cost in 2026-11: 6.00 USD left unattributed\n');
    const table = await runCli(['coverage', '--source', 'cur', files.cur, '--from', '2026-10-01', '--to', '2026-12-01', '--by', 'resource', '--top', '3',
      '-o', 'html', '--quiet'], { cwd });
    expect(table.code).toBe(0);
    const terminal = await runCli(['coverage', '--source', 'cur', files.cur, '--from', '2026-10-01', '--to', '2026-12-01', '--quiet'], { cwd });
    expect(terminal.stdout).toContain('declare a service named "=cmd|\' <b>x</b><U+202E> [31m", or correct the tag');
    expect(terminal.stdout).not.toMatch(/[\u001b\u202E]/);
    expect(table.stderr).toMatch(/wrote customer-value-coverage\.html/);
    const html = fs.readFileSync(path.join(cwd, 'customer-value-coverage.html'), 'utf8');
    expect(html).toContain('Top 3 unattributed resources of 9 (USD)');
    expect(html).toMatch(/<svg[^>]*aria-label="Attributed share \(tagged \+ attributed\) per month"/);
  });

  test('cost and coverage give the same tagged / attributed / unattributed for the same months (every source)', async () => {
    // tagged is a declared service's tag in both (docs/attribution.md section 1): the undeclared value's 2.00 is unattributed
    for (const [source, file] of [['cur', files.cur], ['focus', files.focus], ['cur', files['cur-parquet']]]) {
      const args = ['--source', source, file, '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--quiet'];
      const [cost, cov] = await Promise.all([runCli(['cost', ...args], { cwd }), runCli(['coverage', ...args], { cwd })]);
      expect([cost.code, cov.code]).toEqual([0, 0]);
      const a = JSON.parse(cost.stdout).attribution;
      const c = JSON.parse(cov.stdout);
      expect([a.tagged, a.attributed, a.unattributed]).toEqual([c.tagged, c.attributed, c.unattributed]);
      expect([c.tagged, c.attributed, c.unattributed]).toEqual([240, 21, 45]);
      expect(JSON.parse(cost.stdout).notes).toContain('attribution: tagged 240.00 USD (78.4 %), attributed by rules 21.00 USD (6.9 %), '
        + 'unattributed 45.00 USD (14.7 %) of 306.00 USD');
    }
  });

  test('bad --top and --by are refused with one line naming the flag, the value and what is accepted', async () => {
    for (const [argv, message] of [
      [['--top', '0'], 'customer-value coverage: --top is "0": expected a whole number from 1 to 1000 (the unattributed resources listed)'],
      [['--top', '2.5'], 'customer-value coverage: --top is "2.5": expected a whole number from 1 to 1000 (the unattributed resources listed)'],
      [['--top', '1001'], 'customer-value coverage: --top is "1001": expected a whole number from 1 to 1000 (the unattributed resources listed)'],
      [['--by', 'service'], 'customer-value coverage: --by is "service": accepted values are reason, resource, account'],
    ] as const) {
      const res = await runCli(['coverage', '--source', 'cur', files.cur, ...argv], { cwd });
      expect({ argv, code: res.code, stdout: res.stdout }).toEqual({ argv, code: 2, stdout: '' });
      expect(res.stderr.split('\n').filter((l) => l !== '')).toEqual([expect.stringContaining(message)]);
    }
  });

  test('without rules: what they attributed is unattributed, with its reason (i-acct outside, the tax of no resource)', async () => {
    // the fixture's figures without the rule set: i-acct 12 (account 444444444444, no service declared there) joins
    // "outside" (18 + 12 = 30); the tax 9 + 6 joins "no resource" (5 + 15 = 20); nothing is split;
    // unattributed 20 + 4 + 10 + 30 + 2 = 66 = 306 - 240
    coverageAssembly(cwd, false, 'no-rules.out');
    const res = await runCli(['coverage', '--source', 'cur', files.cur, '-a', 'no-rules.out', '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json'],
      { cwd });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect([data.total, data.tagged, data.attributed, data.unattributed]).toEqual([306, 240, 0, 66]);
    expect(Object.fromEntries(data.reasons.map((r: any) => [r.reason, r.amount]))).toEqual({
      'no-resource': 20, 'untaggable': 4, 'stack-untagged': 10, 'outside': 30, 'unknown-tag': 2, 'stack-tag-inactive': 0, 'split-failed': 0,
    });
    expect(data.resources.find((r: any) => r.resource === 'i-acct')).toMatchObject({ reason: 'outside', owner: '', amount: 12 });
  });

  test('Athena says it cannot tell yet, instead of a smaller report (Cost Explorer: coverage-ce.test.ts)', async () => {
    const athena = await runCli(['coverage', '--source', 'athena'], { cwd });
    expect(athena.stderr).toMatch(/coverage does not run on Athena yet/);
  });
});

describe('the review pack\'s coverage section', () => {
  test('customer-value review adds the short section, with the figures of customer-value coverage', async () => {
    const res = await runCli(['review', '--source', 'cur', files.cur, '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'markdown', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    const section = res.stdout.slice(res.stdout.indexOf('## Coverage: spend without a service tag'));
    expect(section).toMatch(/^## Coverage: spend without a service tag \(every business unit\)\n\n- tagged 240\.00 USD \(78\.4 %\), attributed by rules 21\.00 USD \(6\.9 %\), unattributed 45\.00 USD \(14\.7 %\) of 306\.00 USD\n- attributed share \(tagged \+ attributed\) per month: 2026-10 85\.2 %, 2026-11 86\.0 %\n/);
    expect(section).toMatch(/\| a rule could not split \| 6\.00 \| 2\.0 % \|/);
    expect(section).toMatch(/## Coverage: top 5 unattributed resources \(USD\)/);
    expect(section).not.toMatch(/the stack tag is not active \|/);
    const json = await runCli(['review', '--source', 'focus', files.focus, '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--quiet'], { cwd });
    expect(JSON.parse(json.stdout).coverage).toMatchObject({ total: 306, tagged: 240, attributed: 21, unattributed: 45 });
    expect(JSON.parse(json.stdout).coverage.resources).toHaveLength(5);
  });

  test('a source that cannot tell says so in the pack', () => {
    const pack = withCoverage({ title: 't', summary: [], sections: [], notes: [], data: { units: [] } }, COVERAGE_UNAVAILABLE.athena);
    expect(pack.sections).toEqual([{ heading: 'Coverage: spend without a service tag', lines: [COVERAGE_UNAVAILABLE.athena] }]);
    expect(pack.data).toEqual({ units: [], coverage: { unavailable: COVERAGE_UNAVAILABLE.athena } });
  });
});

describe('the review pack\'s coverage per business unit', () => {
  test('each unit likely owns its entries; the units plus the rest are the period\'s unattributed spend, exactly', () => {
    // by the owner hints of the fixture: retail (checkout, wishlist, search) owns legacy-bucket 15 (services declared in
    // account 111111111111), i-0abc 10 (stack Shop), vpce-1 4 (stack Search), i-7 1.50 ("chekout": checkout) = 30.50;
    // finance (reports) owns nothing; the rest: support 7, the tax split 6, i-9 3 (no owner), the hostile tag 0.50 (no
    // close name), the credit -2 = 14.50; 30.50 + 0 + 14.50 = 45.00
    for (const source of ['cur', 'focus', 'cur-parquet']) {
      const c = runs[source].coverage;
      const set = readAssemblies([path.join(cwd, 'cdk.out')]);
      const { units, rest } = entriesByUnit(c, set.services);
      expect([...units.keys()]).toEqual(['retail']);
      const retail = unitCoverage(c, 'retail', set.services);
      const finance = unitCoverage(c, 'finance', set.services);
      expect([money(retail.owned), money(finance.owned), money(retail.rest), retail.restEntries]).toEqual(['30.50', '0.00', '14.50', 5]);
      expect(rest.map((e) => money(e.amount))).toEqual(['7.00', '6.00', '3.00', '0.50', '-2.00']);
      expect(retail.owned.plus(finance.owned).plus(retail.rest).compare(c.unattributed)).toBe(0);
      expect(retail.coverage.entries.map((e) => e.resource)).toEqual(['arn:aws:s3:::legacy-bucket', 'i-0abc', 'arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/vpce-1', 'i-7']);
      expect(Object.fromEntries(retail.coverage.reasons.filter((r) => r.amount.sign() !== 0).map((r) => [r.reason, money(r.amount)])))
        .toEqual({ 'untaggable': '4.00', 'stack-untagged': '10.00', 'outside': '15.00', 'unknown-tag': '1.50' });
      expect(retail.coverage.accounts.map((a) => [a.account, money(a.amount), a.entries])).toEqual([['111111111111', '26.50', 3], ['222222222222', '4.00', 1]]);
    }
  });

  test('customer-value review --out-dir: each unit\'s pack shows what it likely owns and one line for the rest (every format from one renderer)', async () => {
    const res = await runCli(['review', '--source', 'cur', files.cur, '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'markdown', '--out-dir', 'packs', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    const retail = fs.readFileSync(path.join(cwd, 'packs', 'value-review-retail.md'), 'utf8');
    const section = retail.slice(retail.indexOf('## Coverage: spend without a service tag (retail)'));
    expect(section).toContain('- retail likely owns 30.50 USD of the period\'s unattributed 45.00 USD (by the owner hints: the services of the resource\'s '
      + 'stack, of its account); the rest, 14.50 USD in 5 items, is owned by no single business unit (no resource, no owner, owners in several units, '
      + 'a rule\'s split): the organization-wide pack and customer-value coverage list it');
    expect(section).toMatch(/## Coverage: unattributed spend retail likely owns, by reason \(USD\)/);
    expect(section).toMatch(/\| a resource outside every assembly's stacks \| 15\.00 \| 4\.9 % \|/);
    expect(section).not.toMatch(/no resource: tax, support, fees, credits \|/);
    expect(section).toMatch(/## Coverage: top 4 unattributed resources retail likely owns \(USD\)/);
    expect(section).not.toContain('(rule shared/tax)');
    const finance = fs.readFileSync(path.join(cwd, 'packs', 'value-review-finance.md'), 'utf8');
    expect(finance).toContain('- finance likely owns 0.00 USD of the period\'s unattributed 45.00 USD');
    expect(finance).not.toContain('## Coverage: top');
    const json = await runCli(['review', '--source', 'focus', files.focus, '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--out-dir', 'packs-json',
      '--quiet'], { cwd });
    expect(json.code).toBe(0);
    const data = JSON.parse(fs.readFileSync(path.join(cwd, 'packs-json', 'value-review-retail.json'), 'utf8')).coverage;
    expect(data).toMatchObject({ businessUnit: 'retail', likelyOwned: 30.5, rest: 14.5, restResources: 5, unattributed: 45, resourceCount: 4 });
    expect(data.resources.map((r: any) => r.resource)).toEqual(['arn:aws:s3:::legacy-bucket', 'i-0abc', 'arn:aws:ec2:eu-west-1:222222222222:vpc-endpoint/vpce-1', 'i-7']);
    // one unit asked for (--business-unit): the one pack is that unit's
    const one = await runCli(['review', '--source', 'cur', files.cur, '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--business-unit', 'retail',
      '--quiet'], { cwd });
    expect(JSON.parse(one.stdout).coverage).toMatchObject({ businessUnit: 'retail', likelyOwned: 30.5, rest: 14.5 });
  });
});

describe('the owner of an account without declared stacks: the services carrying most of its tagged spend', () => {
  // the fixture plus, in October: account 555555555555 (i-9's, no stack declared) tagged reports 6, search 2; account
  // 666666666666 (no stack declared) tagged checkout 3, search 3, reports 2 and an untagged resource i-6 of 1 (no stack
  // tag while the key is active: outside). Owners, largest first until more than half of the account's tagged spend:
  // 555: reports 6 of 8 = 75.0 %; 666: checkout 3 (37.5 %) is not more than half, with search 3 (tie, by name) 6 of 8 is.
  // total 306 + 8 + 8 + 1 = 323, tagged 240 + 16 = 256, attributed 21 (the tax's base changes, not its amount),
  // unattributed 45 + 1 = 46: retail 30.50 + 1 (i-6: checkout and search are retail) = 31.50, finance 3 (i-9: reports),
  // rest 14.50 - 3 = 11.50; 31.50 + 3 + 11.50 = 46
  const extra = [
    { day: '2026-10-15', cost: 6, svc: 'reports', account: '555555555555', resource: 'i-r5', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
    { day: '2026-10-15', cost: 2, svc: 'search', account: '555555555555', resource: 'i-s5', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
    { day: '2026-10-16', cost: 3, svc: 'checkout', account: '666666666666', resource: 'i-c6', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
    { day: '2026-10-16', cost: 3, svc: 'search', account: '666666666666', resource: 'i-s6', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
    { day: '2026-10-16', cost: 2, svc: 'reports', account: '666666666666', resource: 'i-r6', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
    { day: '2026-10-17', cost: 1, account: '666666666666', resource: 'i-6', product: 'AmazonEC2', usage: 'EUW1-BoxUsage' },
  ];

  test.each(['cur', 'focus'] as const)('%s: the hint used is named; the units follow the owners', async (source) => {
    const file = source === 'cur' ? writeCur(path.join(cwd, 'owners', 'cur.csv'), [...ITEMS, ...extra])
      : writeFocus(path.join(cwd, 'owners', 'focus.csv'), [...ITEMS, ...extra]);
    const set = readAssemblies([path.join(cwd, 'cdk.out')]);
    const limits = new CallLimits({ maxPages: 10, timeoutSeconds: 60 });
    const run = await runCoverage({
      source: createSource({ kind: source, paths: [file], limits }),
      set,
      from: '2026-10-01',
      to: '2026-12-01',
      tagKeys: tagKeysOf(set),
      metric: source === 'focus' ? FocusMetric.BILLED : CostMetric.UNBLENDED,
      sourceName: source,
      progress: () => undefined,
    }).finally(() => limits.dispose());
    const c = run.coverage;
    expect([c.total, c.tagged, c.attributed, c.unattributed].map(money)).toEqual(['323.00', '256.00', '21.00', '46.00']);
    expect(c.entries.find((e) => e.resource === 'i-9')).toMatchObject({
      owner: 'reports',
      ownerHow: 'stack OldStack is in no assembly read; no service is declared in account 555555555555; most of its tagged spend: reports 75.0 %',
      fix: 'AttributionRule.resources({ resourceIds: [\'i-9\'], to: AttributionTarget.service(ServiceRef.named(\'reports\')) })',
    });
    expect(c.entries.find((e) => e.resource === 'i-6')).toMatchObject({
      reason: 'outside',
      owner: 'checkout, search',
      ownerHow: 'no service is declared in account 666666666666; most of its tagged spend: checkout 37.5 %, search 37.5 %',
    });
    // an account with declared stacks keeps that hint
    expect(c.entries.find((e) => e.resource === 'arn:aws:s3:::legacy-bucket')?.ownerHow).toBe('services declared in account 111111111111');
    expect(c.accounts.find((a) => a.account === '555555555555')?.owner).toBe('reports (tagged)');
    const owned = ['retail', 'finance'].map((u) => unitCoverage(c, u, set.services));
    expect([...owned.map((u) => money(u.owned)), money(owned[0].rest)]).toEqual(['31.50', '3.00', '11.50']);
    expect(owned[0].owned.plus(owned[1].owned).plus(owned[0].rest).compare(c.unattributed)).toBe(0);
  });
});

describe('the services of a stack include the services whose include()d scopes are in it (customer-value:member records)', () => {
  // the fixture plus stack Assets (account 111111111111) holding no service record but a scope checkout include()s, and
  // an untagged bucket of 2 in it (October): a resource in a CDK stack without the tag, owned by checkout (retail);
  // without the member record the stack is in no assembly's services: outside, owned by the services of its account
  const assets = { day: '2026-10-18', cost: 2, stack: 'Assets', resource: 'arn:aws:s3:::assets-bucket', product: 'AmazonS3', usage: 'EUW1-TimedStorage-ByteHrs' };
  const member = { serviceName: 'checkout', servicePath: 'Shop/checkout' };

  const run = async (folder: string) => {
    const set = readAssemblies([path.join(cwd, folder)]);
    const limits = new CallLimits({ maxPages: 10, timeoutSeconds: 60 });
    return {
      set,
      run: await runCoverage({
        source: createSource({ kind: 'cur', paths: [writeCur(path.join(cwd, 'members', 'cur.csv'), [...ITEMS, assets])], limits }),
        set,
        from: '2026-10-01',
        to: '2026-12-01',
        tagKeys: tagKeysOf(set),
        metric: CostMetric.UNBLENDED,
        sourceName: 'cur',
        progress: () => undefined,
      }).finally(() => limits.dispose()),
    };
  };

  test('a resource of an included scope\'s stack is told "in a CDK stack without the tag", owned by the including service', async () => {
    coverageAssembly(cwd, true, 'members.out', [{ id: 'Assets', env: 'aws://111111111111/eu-west-1', services: [], members: [member] }]);
    const { set, run: withMembers } = await run('members.out');
    expect(set.members).toEqual([{ serviceName: 'checkout', stack: 'Assets', account: '111111111111', assembly: path.join(cwd, 'members.out') }]);
    expect(attributionPlanOf(set).plan?.declaredStacks).toEqual(['Assets', 'Reports', 'Search', 'Shop']);
    expect(withMembers.coverage.entries.find((e) => e.resource === 'arn:aws:s3:::assets-bucket')).toMatchObject({
      reason: 'stack-untagged', owner: 'checkout', ownerHow: 'services of its stack Assets', ownerServices: ['checkout'],
    });
    expect(money(withMembers.coverage.reasons.find((r) => r.reason === 'stack-untagged')!.amount)).toBe('12.00');
    // without the member record: outside (stack Assets holds no declared service)
    const { run: without } = await run('cdk.out');
    expect(without.coverage.entries.find((e) => e.resource === 'arn:aws:s3:::assets-bucket')).toMatchObject({
      reason: 'outside', ownerHow: 'stack Assets is in no assembly read; services declared in account 111111111111',
    });
  });

  test('declaredStacks() and the stack\'s services take the included scope\'s stack too (cost applies the rule)', async () => {
    // a declared-stacks rule (even) after the fixture's: Shop i-0abc 10 -> checkout 5, wishlist 5; Search vpce-1 4 ->
    // search 4; Assets bucket 2 -> checkout 2 (its member); 16 in all
    const stacksRule = { name: 'stacks', kind: 'declared-stacks', match: {}, target: { kind: 'stack-services', allocation: { method: 'even' } } };
    coverageAssembly(cwd, false, 'members-rules.out', [
      { id: 'Assets', env: 'aws://111111111111/eu-west-1', services: [], members: [member] },
      { id: 'Billing', env: 'aws://999999999999/us-east-1', services: [], attribution: [{ ...RULES, rules: [...RULES.rules, stacksRule] }] },
    ]);
    writeCur(path.join(cwd, 'members', 'cur.csv'), [...ITEMS, assets]);
    const res = await runCli(['cost', '--source', 'cur', path.join('members', 'cur.csv'), '-a', 'members-rules.out', '--from', '2026-10-01', '--to', '2026-12-01',
      '-o', 'json', '--quiet', '--no-usage'], { cwd });
    expect(res.code).toBe(0);
    const rule = JSON.parse(res.stdout).attribution.rules.find((r: any) => r.rule === 'stacks');
    expect(rule).toMatchObject({ amount: 16, targets: { checkout: 7, wishlist: 5, search: 4 } });
  });

  test('a member record without a service name is refused naming the file and the field', () => {
    coverageAssembly(cwd, true, 'bad-member.out', [{ id: 'Assets', services: [], members: [{ servicePath: 'Shop/checkout' }] }]);
    expect(() => readAssemblies([path.join(cwd, 'bad-member.out')])).toThrow(
      /^cannot read .*bad-member\.out.*\(stack Assets, \/Assets\/Member0\): its customer-value:member record has no serviceName: expected the name of the service that include\(\)s the scope$/);
  });
});

describe('README', () => {
  /** The README's sample that starts with `prompt`: its command run on the fixture's CUR file, and the lines shown. */
  async function sample(prompt: string): Promise<{ shown: string[]; stdout: string }> {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf(prompt);
    expect(start).toBeGreaterThan(0);
    const [command, ...shown] = readme.slice(start, readme.indexOf('```', start)).trimEnd().split('\n');
    fs.mkdirSync(path.join(cwd, 'cur-export'), { recursive: true });
    fs.copyFileSync(files.cur, path.join(cwd, 'cur-export', 'data.csv'));
    const res = await runCli(command.replace(/^\$ npx customer-value /, '').split(' '), { cwd });
    expect(res.code).toBe(0);
    return { shown, stdout: res.stdout };
  }

  test('the coverage sample is what its command prints on the fixture', async () => {
    const { shown, stdout } = await sample('$ npx customer-value coverage --source cur cur-export/ ');
    // the README shows the report's start: the summary and the reasons (the resources, months and notes follow)
    expect(stdout.startsWith(`${shown.join('\n')}\n`)).toBe(true);
    expect(shown.length).toBeGreaterThan(12);
  });

  test('the cost sample with rules (tagged and attributed columns) is what its command prints on the fixture', async () => {
    const { shown, stdout } = await sample('$ npx customer-value cost --source cur cur-export/ ');
    // the README shows the main table (the summary lines before it and the notes after it follow)
    expect(shown[0]).toMatch(/Tagged\s+Attributed\s+Cost \(USD\)/);
    expect(stdout).toContain(`\n${shown.join('\n')}\n`);
  });
});
