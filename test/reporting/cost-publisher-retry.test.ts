/**
 * Throttling: Cost Explorer answers `LimitExceededException` when requests come too fast
 * (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html, Errors).
 * The publisher relies on the SDK's standard retry strategy, which treats that code as throttling. This test
 * runs the real SDK middleware stack (retries included) over a fake HTTP handler, so it fails if the client
 * stops retrying.
 */
import { Readable } from 'stream';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { publishCosts } from '../../src/reporting/cost-publisher.lambda';

interface FakeRequest { readonly headers: Record<string, string>; readonly body?: string }

function response(status: number, body: unknown, type?: string) {
  return {
    response: {
      statusCode: status,
      headers: { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) },
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    },
  };
}

test('a throttled GetCostAndUsage request is retried by the SDK and the run completes', async () => {
  // GIVEN Cost Explorer throttles the first request, then answers
  const requests: FakeRequest[] = [];
  const answers = [
    response(400, { __type: 'LimitExceededException', message: 'Rate exceeded' }, 'LimitExceededException'),
    response(200, {
      ResultsByTime: [{
        TimePeriod: { Start: '2026-11-24', End: '2026-11-25' },
        Groups: [{ Keys: ['customer-service$checkout'], Metrics: { UnblendedCost: { Amount: '4.2', Unit: 'USD' } } }],
        Estimated: true,
      }],
    }),
  ];
  const ce = new CostExplorerClient({
    region: 'us-east-1',
    maxAttempts: 8,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: {
      handle: async (request: FakeRequest) => {
        requests.push(request);
        return answers.shift()!;
      },
    } as any,
  });
  const sent: unknown[] = [];
  const cloudwatch = { send: async (command: unknown) => { sent.push(command); return {}; } } as unknown as CloudWatchClient;

  // WHEN
  const result = await publishCosts({
    version: 1,
    tagKey: 'customer-service',
    namespace: 'CustomerValue',
    republishDays: 13,
    stackName: 'Shop',
    services: [{ name: 'checkout', team: 'payments', businessUnit: 'retail', own: true }],
  }, {
    ce,
    cloudwatch: () => cloudwatch,
    now: new Date('2026-11-25T06:00:00Z'),
    log: { info: () => undefined, warn: () => undefined },
  });

  // THEN two HTTP requests (the throttled one and its retry), one page of results, the cost published
  expect(requests).toHaveLength(2);
  expect(requests.map((r) => r.headers['x-amz-target'])).toEqual(['AWSInsightsIndexService.GetCostAndUsage', 'AWSInsightsIndexService.GetCostAndUsage']);
  expect(result.outcome).toBe('published');
  expect(result.costExplorerRequests).toBe(1);
  expect(result.estimatedDays).toEqual(['2026-11-24']);
  expect(sent).toHaveLength(1);
});
