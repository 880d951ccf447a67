/**
 * Cost Explorer requests per report: the CLI's Cost Explorer source against an in-process fake of the service
 * (an SDK request handler that answers `GetCostAndUsage` with K pages linked by `NextPageToken`). Every HTTP
 * request the SDK sends is counted, so retries or extra calls would show.
 */
import { Readable } from 'stream';
import { CostGrouping, CostMetric } from '../src/cost-data/query-terms';
import { CostExplorerSource } from '../src/cost-data/sources/ce';
import { TagKeys } from '../src/tag-keys';

export interface CePagesResult {
  /** Pages the fake service returned for the report. */
  readonly pages: number;
  /** HTTP requests the SDK sent. */
  readonly httpRequests: number;
  /** Requests the source counted (shown in the report's note). */
  readonly reportedRequests: number;
  /** Rows read (every page holds the same number). */
  readonly rows: number;
  /** The note the report prints. */
  readonly note: string;
}

const SERVICES = ['checkout', 'wishlist', 'search', 'catalog', ''];

function page(index: number, pages: number): Record<string, unknown> {
  const day = `2026-10-${String(index + 1).padStart(2, '0')}`;
  const next = `2026-10-${String(index + 2).padStart(2, '0')}`;
  return {
    ResultsByTime: [{
      TimePeriod: { Start: day, End: next },
      Estimated: false,
      Groups: SERVICES.map((s, i) => ({
        Keys: [`customer-service$${s}`],
        Metrics: { UnblendedCost: { Amount: String(10 + i), Unit: 'USD' } },
      })),
      Total: {},
    }],
    GroupDefinitions: [{ Type: 'TAG', Key: 'customer-service' }],
    ...(index < pages - 1 ? { NextPageToken: `page-${index + 1}` } : {}),
  };
}

/** Runs one report against a fake Cost Explorer that has `pages` result pages. */
export async function cePagesRun(pages: number): Promise<CePagesResult> {
  // the CLI sets this too (bin/customer-value): no SDK warning about future Node versions on every run
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let httpRequests = 0;
  const handler = {
    handle: async (request: { body?: string | Uint8Array; headers: Record<string, string> }) => {
      httpRequests++;
      const raw = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body ?? new Uint8Array());
      const body = JSON.parse(raw || '{}') as { NextPageToken?: string };
      const index = body.NextPageToken ? Number(body.NextPageToken.slice('page-'.length)) : 0;
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `r${httpRequests}` },
          body: Readable.from([Buffer.from(JSON.stringify(page(index, pages)))]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const source = new CostExplorerSource({
    clientConfig: {
      requestHandler: handler as never,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    },
  });
  const to = `2026-10-${String(pages + 1).padStart(2, '0')}`;
  const result = await source.fetch({
    from: '2026-10-01', to, groupBy: CostGrouping.SERVICE, metric: CostMetric.UNBLENDED, tagKeys: TagKeys.DEFAULT,
  }, () => undefined);
  return {
    pages,
    httpRequests,
    reportedRequests: result.requests ?? 0,
    rows: result.rows.length,
    note: result.notes?.[0] ?? '',
  };
}
