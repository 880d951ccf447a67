/*
 * `customer-value sample`: synthetic CUR 2.0 data for the services of the user's own cloud assembly, read back by
 * `customer-value cost --source cur` (real synthesis, real DuckDB on the written files), to the cent.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { runCli } from './fixtures';
import { CostReporting, CustomerService } from '../../src';
import { billingPeriods, SAMPLE_MARKER } from '../../src/cost-data/sample';
import { tempDir, testApp, VALID } from '../util';

const NOW = new Date('2026-12-07T10:00:00Z');

/** A synthesized app: checkout with a topic and two queues, search with no resource (the default product). */
function shop(): string {
  const app = testApp();
  const stack = new Stack(app, 'Shop');
  const checkout = new CustomerService(stack, 'Checkout', { ...VALID, costReporting: CostReporting.disabled('sample tests') });
  new sns.Topic(checkout, 'Paid', { enforceSSL: true }); // SNS and SQS requests share a usage type: one line item each
  const failed = new sqs.Queue(checkout, 'FailedOrders', { enforceSSL: true });
  new sqs.Queue(checkout, 'Orders', { enforceSSL: true, deadLetterQueue: { queue: failed, maxReceiveCount: 3 } });
  new CustomerService(stack, 'Search', {
    ...VALID, customerNeed: 'Shoppers find the product they are looking for', team: 'discovery', costReporting: CostReporting.disabled('sample tests'),
  });
  app.synth();
  return app.outdir;
}

describe('customer-value sample', () => {
  let assembly: string;
  let cwd: string;
  beforeAll(() => {
    assembly = shop();
    cwd = tempDir();
  });

  test('the last full months before today, oldest first', () => {
    expect(billingPeriods(NOW, 2)).toEqual(['2026-10', '2026-11']);
    expect(billingPeriods(new Date('2027-01-01T00:00:00Z'), 3)).toEqual(['2026-10', '2026-11', '2026-12']);
  });

  test('writes CUR 2.0 CSV.gz for the declared services, which the cost report reads back to the cent, the default period included', async () => {
    // WHEN
    const written = await runCli(['sample', '--assembly', assembly, '--out', 'sample'], { cwd, now: NOW });
    // THEN
    expect(written.stderr).toMatch(/^customer-value: wrote a synthetic CUR 2\.0 export \(\d+ line items, 2026-10-01 to 2026-12-01, exclusive\) for 2 services \(checkout, search\) and untagged shared spend to sample\/\n/);
    expect(written.code).toBe(0);
    const marker = JSON.parse(fs.readFileSync(path.join(cwd, 'sample', SAMPLE_MARKER), 'utf8'));
    expect(marker.services).toEqual([
      { serviceName: 'checkout', resourceTypes: ['AWS::SNS::Topic', 'AWS::SQS::Queue'] },
      { serviceName: 'search', resourceTypes: [] },
    ]);
    expect(marker.files).toEqual([
      'data/BILLING_PERIOD=2026-10/customer-value-sample-00001.csv.gz', 'data/BILLING_PERIOD=2026-11/customer-value-sample-00001.csv.gz',
    ]);
    const first = gunzipSync(fs.readFileSync(path.join(cwd, 'sample', marker.files[0]))).toString('utf8').split('\n');
    expect(first[1]).toContain('"{""user_customer_service"":""checkout"",""user_customer_need"":""Shoppers pay for their basket in one step""');

    // WHEN the user reads it as the README's first report does (no --from/--to: the last full month)
    const report = await runCli(['cost', '--source', 'cur', 'sample', '--assembly', assembly, '--output', 'json', '--quiet'], { cwd, now: NOW });
    // THEN
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const data = JSON.parse(report.stdout);
    expect(data.period).toMatchObject({ from: '2026-11-01', to: '2026-12-01' });
    // and the whole sample, read over both months, is what the sample says it holds, to the cent
    const all = JSON.parse((await runCli(['cost', '--source', 'cur', 'sample', '--assembly', assembly, '--from', marker.from, '--to', marker.to,
      '--output', 'json', '--quiet'], { cwd, now: NOW })).stdout);
    expect(all.total).toBeCloseTo(marker.totalUsd, 6);
    expect(all.untagged.amount).toBeCloseTo(marker.untaggedUsd, 6);
    const byService = Object.fromEntries(all.rows.map((r: any) => [r.group, r.cost]));
    expect(Object.keys(marker.byServiceUsd)).toEqual(['checkout', 'search']);
    for (const [service, usd] of Object.entries(marker.byServiceUsd)) {
      expect(byService[service]).toBeCloseTo(usd as number, 6);
    }
    expect(all.undeclaredTagValues).toEqual([]);
  });

  test('replaces a sample it wrote, and refuses a folder holding anything else', async () => {
    // GIVEN
    fs.mkdirSync(path.join(cwd, 'mine'));
    fs.writeFileSync(path.join(cwd, 'mine', 'notes.txt'), 'keep me');
    // WHEN / THEN
    expect((await runCli(['sample', '--assembly', assembly, '--out', 'again', '--months', '1'], { cwd, now: NOW })).code).toBe(0);
    expect((await runCli(['sample', '--assembly', assembly, '--out', 'again', '--months', '3'], { cwd, now: NOW })).code).toBe(0);
    expect(fs.readdirSync(path.join(cwd, 'again', 'data')).sort()).toEqual(['BILLING_PERIOD=2026-09', 'BILLING_PERIOD=2026-10', 'BILLING_PERIOD=2026-11']);
    const refused = await runCli(['sample', '--assembly', assembly, '--out', 'mine'], { cwd, now: NOW });
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'customer-value: --out mine is a folder that holds other files: give a new folder, or one an earlier "customer-value sample" wrote\n',
    });
    expect(fs.readdirSync(path.join(cwd, 'mine'))).toEqual(['notes.txt']);
    const months = await runCli(['sample', '--assembly', assembly, '--months', '0'], { cwd, now: NOW });
    expect(months.code).toBe(2);
    expect(months.stderr).toMatch(/^customer-value sample: --months is "0": expected a whole number of months from 1 to 24/);
  });
});
