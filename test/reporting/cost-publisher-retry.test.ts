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
        Groups: [{ Keys: ['customer-service$checkout', 'team$payments'], Metrics: { UnblendedCost: { Amount: '4.2', Unit: 'USD' } } }],
        Estimated: true,
      }],
    }),
    // the business-unit query
    response(200, {
      ResultsByTime: [{
        TimePeriod: { Start: '2026-11-24', End: '2026-11-25' },
        Groups: [{ Keys: ['business-unit$retail'], Metrics: { UnblendedCost: { Amount: '4.2', Unit: 'USD' } } }],
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
    tagKeys: { service: 'customer-service', team: 'team', businessUnit: 'business-unit' },
    namespace: 'CustomerValue',
    republishDays: 13,
    stackName: 'Shop',
    services: [{ name: 'checkout' }],
  }, {
    ce,
    cloudwatch: () => cloudwatch,
    now: new Date('2026-11-25T06:00:00Z'),
    log: { info: () => undefined, warn: () => undefined },
  });

  // THEN three HTTP requests (the throttled one, its retry, the business-unit query), two pages, the cost published
  expect(requests).toHaveLength(3);
  expect(requests.map((r) => r.headers['x-amz-target'])).toEqual(Array(3).fill('AWSInsightsIndexService.GetCostAndUsage'));
  const body = (r: FakeRequest) => JSON.parse(new TextDecoder().decode(r.body as unknown as Uint8Array));
  expect(body(requests[1])).toEqual(body(requests[0]));
  expect(body(requests[0]).GroupBy).toEqual([{ Type: 'TAG', Key: 'customer-service' }, { Type: 'TAG', Key: 'team' }]);
  expect(result.outcome).toBe('published');
  expect(result.costExplorerRequests).toBe(2);
  expect(result.estimatedDays).toEqual(['2026-11-24']);
  expect(sent).toHaveLength(1);
});
