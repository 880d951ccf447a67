import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { Browser, chromium } from 'playwright-core';
import { cePages, DAYS, FACTORS, SPEND } from './ce-data';
import { runCli, shopAssembly } from './fixtures';
import { chainAssemblies, chainCur } from './value-chain-fixtures';
import { tempDir } from '../util';

/**
 * The HTML report opened in a real headless Chromium (Debian's `chromium`, installed here when absent), offline:
 * the chart must render from the file alone.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let browser: Browser;
let reportFile: string;
let allocatedFile: string;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    // Several minutes on a cold machine.
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit', timeout: 1_500_000 });
  }
  // GIVEN a cost report over four days, five series (three services, one undeclared tag value, untagged)
  const ce = mockClient(CostExplorerClient);
  ce.on(GetCostAndUsageCommand).callsFake((input) => cePages(input.GroupBy.map((g: any) => g.Key))[input.NextPageToken ? 1 : 0]);
  const cw = mockClient(CloudWatchClient);
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  const cwd = tempDir();
  shopAssembly(path.join(cwd, 'cdk.out'));
  try {
    const res = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-05', '--output', 'html', '--quiet'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('customer-value: wrote customer-value-cost.html\n');
  } finally {
    ce.restore();
    cw.restore();
  }
  reportFile = path.join(cwd, 'customer-value-cost.html');

  // GIVEN a fully-loaded cost report per need over a value chain of two apps (test/cli/value-chain-fixtures.ts)
  const chainDir = tempDir();
  const a = chainAssemblies(chainDir);
  const cur = chainCur(path.join(chainDir, 'cur', 'chain.csv'));
  const allocated = await runCli(['cost', '--source', 'cur', cur, '--from', '2026-10-01', '--to', '2026-10-03', '-a', a.platform, '-a', a.shop,
    '--by', 'need', '--allocate', '--output', 'html', '--out', 'allocated.html', '--quiet'], { cwd: chainDir });
  expect(allocated.code).toBe(0);
  allocatedFile = path.join(chainDir, 'allocated.html');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}, 1_800_000);

afterAll(async () => {
  await browser?.close();
});

test('the report renders offline: stacked bars with non-zero size, legend and table rows', async () => {
  const page = await browser.newPage({ viewport: { width: 1240, height: 1000 } });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.route('**/*', async (route) => {
    requests.push(route.request().url());
    if (route.request().url().startsWith('file://')) {
      await route.continue();
    } else {
      await route.abort();
    }
  });

  // WHEN
  await page.goto(`file://${reportFile}`, { waitUntil: 'load' });

  // THEN the only request is the file itself, and nothing was blocked by the CSP
  expect(requests).toEqual([`file://${reportFile}`]);
  expect(consoleErrors).toEqual([]);

  // One bar per series and day with a non-zero amount: 5 series x 4 days.
  const bars = await page.$$eval('svg rect.bar', (rects) => rects.map((r) => {
    // Runs in the page (the project compiles without the DOM lib, hence `any`).
    const box = (r as any).getBoundingClientRect();
    return { width: box.width as number, height: box.height as number, x: box.x as number, series: (r.parentNode as any).getAttribute('data-series') as string };
  }));
  expect(bars).toHaveLength(SPEND.length * DAYS.length);
  for (const b of bars) {
    expect(b.width).toBeGreaterThan(10);
    expect(b.height).toBeGreaterThan(0.4);
  }
  expect(new Set(bars.map((b) => b.series))).toEqual(new Set(['checkout', 'search', 'wishlist', 'legacy-batch', '(untagged)']));

  // The daily totals grow 10 % a day, so each day's stack is taller than the one before.
  const stackHeights = [...new Set(bars.map((b) => Math.round(b.x)))].sort((a, b) => a - b)
    .map((x) => bars.filter((b) => Math.round(b.x) === x).reduce((sum, b) => sum + b.height, 0));
  expect(stackHeights).toHaveLength(4);
  for (let i = 1; i < stackHeights.length; i++) {
    expect(stackHeights[i] / stackHeights[i - 1]).toBeCloseTo(FACTORS[i] / FACTORS[i - 1], 2);
  }

  const legend = await page.$$eval('ul.legend li', (items) => items.map((li) => li.textContent));
  expect(legend).toEqual(['checkout 46.00 USD', 'search 33.35 USD', 'wishlist 11.50 USD', 'legacy-batch 3.68 USD', '(untagged) 5.52 USD']);

  const rows = await page.$$eval('section table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  expect(rows.map((r) => [r[0], r[5], r[6]])).toEqual([
    ['checkout', '46.00', '46.0 %'],
    ['search', '33.35', '33.3 %'],
    ['wishlist', '11.50', '11.5 %'],
    ['legacy-batch', '3.68', '3.7 %'],
    ['(no customer-service tag)', '5.52', '5.5 %'],
  ]);

  // A screenshot to look at (not compared).
  const shot = path.join(os.tmpdir(), 'customer-value-cost-report.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
  await page.close();
});

test('the fully-loaded report draws a stacked bar per need: direct cost and each provider\'s share, to scale', async () => {
  const page = await browser.newPage({ viewport: { width: 1240, height: 1400 } });
  const requests: string[] = [];
  await page.route('**/*', async (route) => {
    requests.push(route.request().url());
    await (route.request().url().startsWith('file://') ? route.continue() : route.abort());
  });

  // WHEN
  await page.goto(`file://${allocatedFile}`, { waitUntil: 'load' });

  // THEN the file needs nothing else
  expect(requests).toEqual([`file://${allocatedFile}`]);
  const bars = await page.$$eval('svg g.bar-row', (rows) => rows.map((row) => ({
    label: (row as any).getAttribute('data-bar') as string,
    segments: [...row.querySelectorAll('rect.segment')].map((r) => ({
      segment: (r as any).getAttribute('data-segment') as string,
      width: (r as any).getBoundingClientRect().width as number,
      height: (r as any).getBoundingClientRect().height as number,
    })),
  })));
  // one bar per need with fully-loaded cost, the largest first; the providers (nothing left) have none
  expect(bars.map((b) => b.label)).toEqual([
    'Shoppers pay for their basket in one step',
    'Shoppers find the product they are looking for',
    'Shoppers keep a list of products they want to buy later',
    '(no customer-need tag)',
  ]);
  // providers in the order of what they contribute in all (data-platform 300, private-network 280)
  expect(bars.map((b) => b.segments.map((s) => s.segment))).toEqual([
    ['direct', 'from data-platform', 'from private-network'],
    ['direct', 'from data-platform', 'from private-network'],
    ['direct', 'from private-network'],
    ['direct'],
  ]);
  // to scale: checkout 800 direct, 180 of data-platform, 196 of the network (160 directly, 36 through data-platform)
  const px = bars[0].segments[0].width / 800;
  expect(bars[0].segments[1].width / px).toBeCloseTo(180, 0);
  expect(bars[0].segments[2].width / px).toBeCloseTo(196, 0);
  expect(bars[1].segments.map((s) => Math.round(s.width / px))).toEqual([200, 120, 64]);
  for (const b of bars) {
    for (const s of b.segments) {
      expect(s.height).toBeGreaterThan(10);
    }
  }
  const legend = await page.$$eval('figure.breakdown ul.legend li', (items) => items.map((li) => li.textContent));
  expect(legend).toEqual(['direct 1,150.00 USD', 'from data-platform 300.00 USD', 'from private-network 280.00 USD']);
  const totals = await page.$$eval('svg text.bar-total', (t) => t.map((x) => x.textContent));
  expect(totals).toEqual(['1,176.00', '384.00', '120.00', '50.00']);

  const shot = path.join(os.tmpdir(), 'customer-value-cost-allocated.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
  await page.close();
});
