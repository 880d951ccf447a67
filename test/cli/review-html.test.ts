import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, chromium } from 'playwright-core';
import { buildAssembly, CHECKOUT, record, runCli, SEARCH, WISHLIST } from './fixtures';
import { generateReviewSample } from '../../scripts/review-sample';
import { tempDir } from '../util';

/**
 * The HTML review pack opened in a real headless Chromium, offline: one self-contained file with a summary table, a
 * small trend chart per service (cost with the budget line, unit cost) and the flags; printable.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let browser: Browser;
let packFile: string;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit', timeout: 1_500_000 });
  }
  // GIVEN the retail unit's pack over the generated sample, with usage, and a tag value holding markup
  const cwd = tempDir('cv-review-html-');
  const sample = await generateReviewSample({ out: path.join(cwd, 'data'), end: '2026-11', months: 7, threads: 1 });
  const odd = record({
    ...CHECKOUT,
    serviceName: 'wishlist',
    customerNeed: 'Shoppers keep <b>a list</b> of products & "wishes" \u202Eto buy later',
    review: { status: 'ok', next: '2027-01-01', last: '2026-07-05', outcome: 'improve', note: '<script>alert(1)</script> bring it under budget' },
    unit: { name: 'wishlist requests', scale: 1000 },
    reporting: { enabled: true, budget: 200 },
    stackName: 'Shop',
  });
  buildAssembly(path.join(cwd, 'cdk.out'), [{
    id: 'Shop',
    services: [CHECKOUT, odd, {
      ...SEARCH,
      serviceName: 'product-search',
      tags: { ...SEARCH.tags, 'customer-service': 'product-search' },
      costReporting: { ...SEARCH.costReporting, unitMetric: 'searches', unitScale: 1000 },
    }],
  }]);
  void WISHLIST;
  const res = await runCli(['review', '--source', 'cur', sample.exportDir, '--usage-file', sample.usageFile, '--business-unit', 'retail',
    '--output', 'html', '--quiet'], { cwd, now: new Date('2026-12-03T09:00:00Z') });
  expect(res.code).toBe(0);
  expect(res.stderr).toBe('customer-value: wrote customer-value-review.html\n');
  packFile = path.join(cwd, 'customer-value-review.html');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 1_800_000);

afterAll(async () => {
  await browser?.close();
});

test('the pack renders offline: summary table, flags, a cost chart per service with the budget line, unit cost lines', async () => {
  const page = await browser.newPage({ viewport: { width: 1240, height: 1000 } });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.route('**/*', async (route) => {
    requests.push(route.request().url());
    if (route.request().url().startsWith('file://')) await route.continue(); else await route.abort();
  });
  // WHEN
  await page.goto(`file://${packFile}`, { waitUntil: 'load' });
  // THEN only the file itself was requested, nothing failed, no script ran
  expect(requests).toEqual([`file://${packFile}`]);
  expect(consoleErrors).toEqual([]);
  expect(await page.$$('script')).toHaveLength(0);
  expect(await page.title()).toBe('Value review: retail, 2026-06 to 2026-11');

  // the summary table: one row per service, most urgent first
  const summary = await page.$$eval('section:nth-of-type(1) table tbody tr', (trs) => trs.map((tr) => (tr as any).cells[0].textContent));
  expect(summary).toEqual(['product-search', 'checkout', 'wishlist']);
  // flags
  const flags = await page.$$eval('section:nth-of-type(2) li', (lis) => lis.map((li) => (li as any).textContent as string));
  expect(flags.some((f) => f.startsWith('unit-cost-up: product-search'))).toBe(true);
  // one cost chart per service (6 bars each, visible), a budget line where one is declared, unit cost lines
  const charts = await page.$$eval('figure.trend', (figs) => figs.map((f) => ({
    title: (f as any).querySelector('figcaption').textContent as string,
    bars: [...(f as any).querySelectorAll('rect.bar')].filter((r: any) => r.getBoundingClientRect().height > 0).length as number,
    over: (f as any).querySelectorAll('rect.bar.over').length as number,
    limit: (f as any).querySelectorAll('line.limit').length as number,
    dots: (f as any).querySelectorAll('circle.dot').length as number,
  })));
  expect(charts.filter((c) => c.title.includes('cost per month')).map((c) => [c.title.split(':')[0], c.bars, c.limit]))
    .toEqual([['product-search', 6, 0], ['checkout', 6, 1], ['wishlist', 6, 1]]);
  expect(charts.find((c) => c.title.startsWith('checkout: cost per month'))!.over).toBe(6);
  expect(charts.filter((c) => c.dots === 6).map((c) => c.title)).toEqual([
    'product-search: cost per 1000 searches (USD)', 'checkout: cost per 1000 orders (USD)', 'wishlist: cost per 1000 wishlist requests (USD)',
  ]);
  // untrusted text stays text
  const html = fs.readFileSync(packFile, 'utf8');
  expect(html).not.toContain('<script>');
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).toContain('&lt;U+202E&gt;');
  // A screenshot to look at (not compared), and the printed pack
  const shot = path.join(os.tmpdir(), 'customer-value-review.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
  const pdf = await page.pdf({ format: 'A4' });
  expect(pdf.length).toBeGreaterThan(10_000);
  await page.close();
});
