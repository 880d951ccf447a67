import * as path from 'path';
import { Readable } from 'stream';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { cePages } from './ce-data';
import { shopAssembly, runCli } from './fixtures';
import { CostDataError } from '../../src/cost-data/errors';
import { CostQuery } from '../../src/cost-data/query';
import { CostGrouping, CostMetric } from '../../src/cost-data/query-terms';
import { CostExplorerSource, tagValue } from '../../src/cost-data/sources/ce';
import { TagKeys } from '../../src/tag-keys';
import { tempDir } from '../util';

const QUERY: CostQuery = { from: '2026-10-01', to: '2026-10-05', groupBy: CostGrouping.SERVICE, metric: CostMetric.UNBLENDED, tagKeys: TagKeys.DEFAULT };

/** An HTTP handler that answers every request like Cost Explorer does when it throttles (aws-cost-facts §7: LimitExceededException). */
function throttlingHandler() {
  const requests: string[] = [];
  return {
    requests,
    handler: {
      handle: async (req: any) => {
        requests.push(req.headers['x-amz-target']);
        return {
          response: {
            statusCode: 400,
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `r${requests.length}` },
            body: Readable.from([Buffer.from(JSON.stringify({ __type: 'LimitExceededException', message: 'Rate exceeded' }))]),
          },
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    },
  };
}

describe('CostExplorerSource through the real SDK stack (no mock of send)', () => {
  test('throttling is retried by the SDK (standard retry strategy, with its backoff), then reported in one line', async () => {
    // GIVEN Cost Explorer answers LimitExceededException to every attempt
    const { requests, handler } = throttlingHandler();
    const source = new CostExplorerSource({
      maxAttempts: 3,
      clientConfig: {
        requestHandler: handler as any,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      },
    });

    // WHEN
    const error = await source.fetch(QUERY, () => undefined).catch((e) => e);

    // THEN three attempts of the same request, then a CostDataError
    expect(requests).toEqual(['AWSInsightsIndexService.GetCostAndUsage', 'AWSInsightsIndexService.GetCostAndUsage',
      'AWSInsightsIndexService.GetCostAndUsage']);
    expect(error).toBeInstanceOf(CostDataError);
    expect(error.message).toBe('Cost Explorer GetCostAndUsage was throttled (LimitExceededException) after 3 attempts: '
      + 'wait a minute and retry, or shorten the period');
  });

  describe('without credentials', () => {
    const saved = { ...process.env };
    beforeEach(() => {
      // No credentials anywhere, and no instance metadata service: the SDK's chain fails offline.
      for (const k of Object.keys(process.env)) {
        if (k.startsWith('AWS_')) delete process.env[k];
      }
      const empty = tempDir();
      process.env.AWS_CONFIG_FILE = path.join(empty, 'config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(empty, 'credentials');
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
    });
    afterEach(() => {
      process.env = { ...saved };
    });

    test('unit cost says "not available" when CloudWatch has no credentials; cost still comes from Cost Explorer', async () => {
      // GIVEN Cost Explorer answers (mocked), CloudWatch goes through the real, credential-less SDK chain
      const ce = mockClient(CostExplorerClient);
      ce.on(GetCostAndUsageCommand).callsFake((input) => cePages(input.GroupBy.map((g: any) => g.Key))[input.NextPageToken ? 1 : 0]);
      const cwd = tempDir();
      shopAssembly(path.join(cwd, 'cdk.out'));
      try {
        // WHEN
        const res = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-05', '--quiet', '--output', 'json'], { cwd });

        // THEN
        expect(res.code).toBe(0);
        const data = JSON.parse(res.stdout);
        const checkout = data.rows.find((r: any) => r.label === 'checkout');
        expect(checkout.unitCost.notAvailable).toMatch(/^CloudWatch GetMetricData \(usage for unit cost\): no AWS credentials found/);
        expect(data.notes).toContain(checkout.unitCost.notAvailable);
        const table = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-05', '--quiet'], { cwd });
        expect(table.stdout).toMatch(/^checkout .* n\/a \(no credentials\)$/m);
      } finally {
        ce.restore();
      }
    });

    test('the CLI prints one line naming the profile and what to do', async () => {
      const cwd = tempDir();
      shopAssembly(path.join(cwd, 'cdk.out'));
      const res = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-05', '--profile', 'finance', '--quiet'], { cwd });
      expect(res.code).toBe(1);
      expect(res.stderr).toBe('customer-value: Cost Explorer GetCostAndUsage: no AWS credentials found (profile "finance"): '
        + 'sign in (aws sso login / aws configure) or pass --profile; the identity needs ce:GetCostAndUsage\n');
      expect(res.stdout).toBe('');
    });
  });
});

describe('tagValue', () => {
  test.each([
    ['customer-service$checkout', 'checkout'],
    ['customer-service$', ''],
    ['customer-service$a$b', 'a$b'],
    [undefined, ''],
  ])('%s', (key, value) => {
    expect(tagValue(key, 'customer-service')).toBe(value);
  });
});
