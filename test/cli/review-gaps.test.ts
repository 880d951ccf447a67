import * as path from 'path';
import { buildAssembly, CHECKOUT, curCsv, line, runCli, WISHLIST } from './fixtures';
import { DeclaredService } from '../../src/cost-data/declarations/cloud-assembly';
import { renderMarkdown } from '../../src/cost-data/format/markdown';
import { reviewBusinessUnits } from '../../src/cost-data/review/review';
import { DEFAULT_THRESHOLDS } from '../../src/cost-data/review/review-flags';
import { reviewPacks } from '../../src/cost-data/review/review-run';
import { addDays } from '../../src/private/iso-date';
import { tempDir } from '../util';

/*
 * Months and days the cost data does not cover (issue 20, item 3): a month without any data, or after the review
 * date, is named and shown without amounts, never as 0.00 that fell by -100.0 %; days without data inside a month are
 * named when the source was read by day, as `cost` names them.
 */

const decl = (r: typeof CHECKOUT): DeclaredService => ({ record: r, assembly: 'cdk.out', stack: r.stackName });
const row = (service: string, day: string, amount: number) => ({ service, group: 'retail', day, amount, currency: 'USD', estimated: false });

describe('the review model', () => {
  const input = {
    result: { rows: [row('checkout', '2026-06-01', 100), row('checkout', '2026-08-01', 150), row('wishlist', '2026-08-01', 10)], source: 'test data', notes: [] },
    services: [decl(CHECKOUT), decl(WISHLIST)],
    months: ['2026-06', '2026-07', '2026-08'],
    today: '2026-11-25',
    businessUnits: ['retail'],
    thresholds: DEFAULT_THRESHOLDS,
  };

  test('a month without any data has no amount and no change is computed against it; the pack names it', () => {
    // WHEN July holds no row at all
    const r = reviewBusinessUnits(input);

    // THEN
    expect(r.gaps).toMatchObject({ withData: [true, false, true], withoutData: ['2026-07'], future: [] });
    const checkout = r.units[0].services.find((s) => s.name === 'checkout')!;
    // August against July (no data): none; August against June: +50 %
    expect(checkout.costChanges).toEqual({ lastVsPrevious: null, lastVsFirst: 0.5 });
    // no cost-up flag against a month without data; wishlist had cost in a month with data: no "no-cost"
    expect(r.units[0].flags.map((f) => f.rule)).not.toContain('cost-up-usage-flat');
    expect(r.warnings).toEqual([
      'no cost data for 2026-07 in test data (the source holds no line item for it: before the data starts, a gap in the export, or not exported yet): '
      + 'that month is shown without amounts, and no change is computed against them',
    ]);
    const packs = reviewPacks({ ...input, declarations: 'cdk.out' });
    const md = renderMarkdown(packs.combined);
    expect(md).toContain('| 2026-07 (no cost data) |');
    expect(md).toMatch(/^- no cost data for 2026-07 in test data /m);
    expect(md).not.toContain('-100.0 %');
    const json = packs.combined.data as any;
    expect(json.monthsWithoutData).toEqual(['2026-07']);
    expect(json.businessUnits[0].services.find((s: any) => s.serviceName === 'checkout').cost).toEqual([100, null, 150]);
  });

  test('without data for any month, "no-cost" is not raised: nothing is known about the services', () => {
    const r = reviewBusinessUnits({ ...input, result: { ...input.result, rows: [] } });
    expect(r.units[0].flags.map((f) => f.rule)).not.toContain('no-cost');
    expect(r.gaps.withoutData).toEqual(['2026-06', '2026-07', '2026-08']);
  });
});

describe('customer-value review over CUR 2.0 files read by day', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir();
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
    // September every day, October until the 20th, nothing in November
    const days: string[] = [];
    for (let d = '2026-09-01'; d <= '2026-10-20'; d = addDays(d, 1)) {
      days.push(d);
    }
    curCsv(path.join(cwd, 'cur', 'data.csv'), days.map((d) => line(d, 10, { user_customer_service: 'checkout', user_business_unit: 'retail' })));
  });

  const review = (args: string[]) => runCli(['review', '--source', 'cur', 'cur/data.csv', '--business-unit', 'retail', '--quiet', ...args],
    { cwd, now: new Date('2026-12-05T00:00:00Z') });

  test('days without data inside a month and months without data are warned about, in the pack and on stderr', async () => {
    // WHEN
    const res = await review(['--from', '2026-09-01', '--to', '2026-12-01', '--output', 'json']);

    // THEN
    expect(res.code).toBe(0);
    expect(res.stderr.split('\n').filter((l) => l)).toEqual([
      'customer-value: warning: no cost data for 2026-11 in CUR 2.0 files (1 CSV file) (the source holds no line item for it: before the data starts, '
      + 'a gap in the export, or not exported yet): that month is shown without amounts, and no change is computed against them',
      'customer-value: warning: no cost data for 11 of the 61 days of the months with data: 2026-10-21 to 2026-10-31 (the source holds no line item '
      + 'for them): a month with missing days shows less than its cost',
    ]);
    const data = JSON.parse(res.stdout);
    expect(data.businessUnits[0].services.find((s: any) => s.serviceName === 'checkout').cost).toEqual([300, 200, null]);
    expect(data.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^no cost data for 11 of the 61 days/)]));
  });

  test('--months 36 on three months of data, and months after the review date: named, without amounts, no -100.0 %', async () => {
    const long = await review(['--months', '36', '--output', 'json']);
    expect(long.code).toBe(0);
    const data = JSON.parse(long.stdout);
    expect(data.months).toHaveLength(36);
    expect(data.monthsWithoutData).toEqual([...data.months.slice(0, 33), '2026-11']);
    expect(long.stderr).toContain('customer-value: warning: no cost data for 2023-12 to 2026-08 and 2026-11 in CUR 2.0 files');

    const future = await review(['--from', '2026-09-01', '--to', '2027-03-01']);
    expect(future.code).toBe(0);
    expect(future.stderr).toContain('customer-value: warning: 2027-01 and 2027-02 are after the review date (2026-12-05): no cost yet, shown without '
      + 'amounts, and no change is computed against them');
    expect(future.stderr).toContain('customer-value: warning: no cost data for 2026-11 and 2026-12 in CUR 2.0 files');
    expect(future.stdout).not.toContain('-100.0 %');
    expect(future.stdout).toMatch(/^\| checkout \| .* \| no data \| n\/a \| n\/a \|/m);
    expect(future.stdout).toContain('| 2027-02 (after the review date) |');
    expect(future.stdout).toContain('| 2026-12 (no cost data) |');
    expect(future.stdout).toContain('retail: 2 declared services, 500.00 USD over the trend, last month (2027-02 (after the review date)) without amounts; ');
  });
});
