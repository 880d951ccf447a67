import * as path from 'path';
import { CostExplorerClient, GetCostAndUsageCommand, GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { cePages, TOTAL } from '../cli/ce-data';
import { buildAssembly, CHECKOUT, runCli, WISHLIST } from '../cli/fixtures';
import { tempDir } from '../util';

const ce = mockClient(CostExplorerClient);

const RULES = {
  schemaVersion: 1,
  ruleSet: 'shared',
  precedence: 100,
  constructPath: 'Billing/Shared',
  stackName: 'Billing',
  rules: [
    { name: 'tax', kind: 'charges', match: { chargeTypes: ['tax'] }, target: { kind: 'everyone', allocation: { method: 'even' } } },
    { name: 'bucket', kind: 'resources', match: { resources: ['arn:aws:s3:::shop-*'] }, target: { kind: 'service', services: ['checkout'] } },
  ],
};

afterAll(() => ce.restore());

test('Cost Explorer does not apply the rules yet: a warning and a note name each rule; the figures are unchanged', async () => {
  ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => {
    const pages = cePages((input.GroupBy ?? []).map((g) => g.Key!), { metric: input.Metrics![0] });
    return input.NextPageToken === 'page-2' ? pages[1] : pages[0];
  });
  const cwd = tempDir();
  buildAssembly(path.join(cwd, 'cdk.out'), [
    { id: 'Shop', services: [CHECKOUT, WISHLIST] },
    { id: 'Billing', services: [], attribution: [RULES] },
  ]);
  const res = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-05', '--no-usage', '--output', 'json'], { cwd });
  expect(res.code).toBe(0);
  const message = 'Cost Explorer does not apply attribution rules yet (the CUR 2.0 and FOCUS file sources do): rules shared/tax, shared/bucket '
    + 'are not applied, their spend stays untagged';
  expect(res.stderr).toContain(`customer-value: warning: ${message}`);
  const data = JSON.parse(res.stdout);
  expect(data.notes).toContain(message);
  expect(data.total).toBeCloseTo(TOTAL, 6);
  expect(data.attribution).toBeUndefined();
});
