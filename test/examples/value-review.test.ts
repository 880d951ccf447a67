import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';
import { createApp } from '../../examples/value-review';
import { generateReviewSample } from '../../scripts/review-sample';
import { runCli } from '../cli/fixtures';
import { tempDir } from '../util';

jest.setTimeout(120_000);

describe('examples/value-review.ts', () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeExample(createApp);
  });

  test('synthesizes with AwsSolutionsChecks, CustomerValueChecks and the validator: no finding (today is 2026-11-25 in tests)', () => {
    expect(example.error).toBeUndefined();
    expect(example.findings).toEqual([]);
    expect(governanceProblems('value-review.ts', example)).toEqual([]);
    const billing = Template.fromStack(example.app!.node.findChild('Billing') as Stack);
    billing.resourceCountIs('AWS::BCMDataExports::Export', 1);
    // the 15th: AWS may update last month's CUR data during the first two weeks after it ends (issue 25: was the 3rd)
    billing.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 7 15 * ? *)' });
    billing.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'retail-board@example.com', FilterPolicy: { businessUnit: ['retail'] } });
  });

  test('the retail pack from the generated sample shows the sample\'s trends as flags, and fully-loaded cost', async () => {
    const cwd = tempDir('cv-review-example-');
    const sample = await generateReviewSample({ out: path.join(cwd, 'data'), end: '2026-11', months: 7, threads: 1 });
    const res = await runCli(['review', '--source', 'cur', sample.exportDir, '--assembly', example.app!.outdir, '--usage-file', sample.usageFile,
      '--business-unit', 'retail', '--output', 'json', '--quiet'], { cwd, now: new Date('2026-12-03T09:00:00Z') });
    expect(res.code).toBe(0);
    const retail = JSON.parse(res.stdout).businessUnits[0];
    expect(retail.flags.map((f: any) => `${f.rule} ${f.service}`)).toEqual([
      'review-overdue wishlist',
      'over-budget wishlist',
      'review-overdue checkout',
      'cost-up-usage-flat product-search',
      'unit-cost-up product-search',
      'no-usage-metric returns',
      'no-cost returns',
      'cost-without-declaration gift-cards',
    ]);
    expect(retail.services.map((s: any) => [s.serviceName, s.review.outcome])).toEqual([
      ['wishlist', 'improve'], ['checkout', 'invest'], ['product-search', 'sustain'], ['returns', 'retire'],
    ]);
    // the value chain is declared: checkout and product search carry their share of the platform (fully-loaded cost);
    // wishlist and returns consume nothing
    const loaded = Object.fromEntries(retail.services.map((s: any) => [s.serviceName, s.fullyLoaded.map((v: number, i: number) => v - s.cost[i])]));
    expect(loaded.checkout.every((extra: number) => extra > 0)).toBe(true);
    expect(loaded['product-search'].every((extra: number) => extra > 0)).toBe(true);
    expect([...loaded.wishlist, ...loaded.returns].every((extra: number) => extra === 0)).toBe(true);
    expect(JSON.parse(res.stdout).notes).toEqual(expect.arrayContaining([
      expect.stringMatching(/^fully-loaded cost \(the value chain; --no-allocate for direct cost only\): the cost of (private-network, data-platform|data-platform, private-network) passed on/),
    ]));
  });
});
