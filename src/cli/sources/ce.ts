import {
  CostExplorerClient, CostExplorerClientConfig, GetCostAndUsageCommand, GetCostAndUsageCommandOutput, GroupDefinition,
} from '@aws-sdk/client-cost-explorer';
import { CallLimits, MAX_ATTEMPTS, PageTokens } from './limits';
import { CliError, CostQuery, CostResult, CostRow, CostSource } from './types';
import { CostMetric } from '../../billing/cur-sql';
import { awsError } from '../errors';
import { groupTagKey } from '../grouping';

/** Cost Explorer metric for each `--metric`. */
const CE_METRICS: Record<string, string> = {
  [CostMetric.UNBLENDED]: 'UnblendedCost',
  [CostMetric.AMORTIZED]: 'AmortizedCost',
  [CostMetric.NET_UNBLENDED]: 'NetUnblendedCost',
};

/** Price of one Cost Explorer API request (aws-cost-facts §7). */
export const CE_REQUEST_PRICE_USD = 0.01;

export interface CostExplorerSourceOptions {
  /** Named profile (`--profile`), like the AWS CLI. */
  readonly profile?: string;
  /** SDK attempts per request, including the first (retries throttling and transient errors). @default 5 */
  readonly maxAttempts?: number;
  /** Page cap, timeouts, deadline and cancellation. @default - default page cap and timeouts, no deadline */
  readonly limits?: CallLimits;
  /** Extra client configuration (tests pass a request handler and retry strategy). */
  readonly clientConfig?: CostExplorerClientConfig;
}

/**
 * Cost from the Cost Explorer API: `GetCostAndUsage`, DAILY (MONTHLY for a monthly query), grouped by the service tag and, when the report
 * groups by another key, that tag too (Cost Explorer allows at most two GroupBy). One request per page,
 * following `NextPageToken`; every request costs 0.01 USD and is counted; a repeated token or more pages than
 * `--max-pages` stop it.
 *
 * Tag groups come back as `<key>$<value>`; untagged cost as `<key>$` (aws-cost-facts §7).
 * The endpoint is us-east-1 only, whatever the region of the workloads.
 */
export class CostExplorerSource implements CostSource {
  constructor(private readonly options: CostExplorerSourceOptions = {}) {}

  public async fetch(query: CostQuery, progress: (message: string) => void): Promise<CostResult> {
    const metric = CE_METRICS[query.metric];
    const serviceKey = query.tagKeys.service;
    const groupKey = groupTagKey(query.groupBy, query.tagKeys);
    const groupBy: GroupDefinition[] = [{ Type: 'TAG', Key: serviceKey }];
    if (groupKey !== serviceKey) {
      groupBy.push({ Type: 'TAG', Key: groupKey });
    }
    const limits = this.options.limits ?? CallLimits.withoutDeadline();
    const client = new CostExplorerClient({
      region: 'us-east-1',
      profile: this.options.profile,
      maxAttempts: this.options.maxAttempts ?? MAX_ATTEMPTS,
      requestHandler: limits.requestHandler(),
      ...this.options.clientConfig,
    });
    const what = 'Cost Explorer GetCostAndUsage';
    const pages = new PageTokens(what, limits, (n) => ` (${usd(n)} USD at ${CE_REQUEST_PRICE_USD} USD each)`);
    const rows: CostRow[] = [];
    let token: string | undefined;
    try {
      do {
        pages.beforeRequest();
        const requests = pages.pages;
        progress(`Cost Explorer: GetCostAndUsage page ${requests}${requests > 1 ? ` (${rows.length} rows so far; ${requests} requests, ${usd(requests)} USD)` : ''}`);
        let page: GetCostAndUsageCommandOutput;
        try {
          page = await client.send(new GetCostAndUsageCommand({
            TimePeriod: { Start: query.from, End: query.to },
            Granularity: query.granularity === 'month' ? 'MONTHLY' : 'DAILY',
            Metrics: [metric],
            GroupBy: groupBy,
            NextPageToken: token,
          }), { abortSignal: limits.signal });
        } catch (e) {
          throw limits.stoppedError(what, ` (${requests} request${requests === 1 ? '' : 's'}, ${usd(requests)} USD)`)
            ?? awsError(e, what, { profile: this.options.profile, permission: 'ce:GetCostAndUsage' });
        }
        for (const day of page.ResultsByTime ?? []) {
          const date = day.TimePeriod?.Start ?? '';
          for (const g of day.Groups ?? []) {
            const m = g.Metrics?.[metric];
            if (!m || m.Amount === undefined) {
              continue;
            }
            const keys = g.Keys ?? [];
            const amount = Number(m.Amount);
            if (!Number.isFinite(amount) || m.Amount.trim() === '') {
              throw new CliError(`Cost Explorer returned ${metric} ${JSON.stringify(m.Amount)}, which is not a number, on ${date} for `
                + `${keys.map((k) => JSON.stringify(k)).join(' and ') || 'a group without keys'}: refusing to add it up (an API or proxy fault; retry later)`);
            }
            const service = tagValue(keys[0], serviceKey);
            const group = groupKey === serviceKey ? service : tagValue(keys[1], groupKey);
            rows.push({
              service,
              group,
              day: date,
              amount,
              exactAmount: m.Amount.trim(),
              currency: m.Unit ?? 'USD',
              estimated: day.Estimated === true,
            });
          }
        }
        token = pages.next(page.NextPageToken || undefined);
      } while (token);
    } finally {
      client.destroy();
    }
    const requests = pages.pages;
    const notes = [
      `Cost Explorer: ${requests} GetCostAndUsage request${requests === 1 ? '' : 's'} (${CE_REQUEST_PRICE_USD} USD each, `
        + `${usd(requests)} USD)`,
    ];
    // A tag key that is not an active cost allocation tag comes back as "<key>$" for all cost (aws-cost-facts §3, §7):
    // every figure per service would silently be zero.
    const notActivated = (key: string) => `the tag key "${key}" is probably not an active cost allocation tag; activate the customer-value `
      + 'tag keys in the management account (Billing console > Cost allocation tags, or the CostAllocationTags construct): '
      + 'Cost Explorer groups cost by a tag only from its activation on';
    if (rows.length > 0 && !rows.some((r) => r.group !== '')) {
      const total = rows.reduce((s, r) => s + r.amount, 0);
      throw new CliError(`Cost Explorer reports all ${total.toFixed(2)} ${rows[0].currency} of cost between ${query.from} and ${query.to} `
        + `(exclusive) as untagged ("${groupKey}$"): ${notActivated(groupKey)}`);
    }
    if (groupKey !== serviceKey && !rows.some((r) => r.service !== '')) {
      notes.push(`no cost between ${query.from} and ${query.to} carries the "${serviceKey}" tag: ${notActivated(serviceKey)}`);
    }
    return { rows, source: 'Cost Explorer', requests, notes };
  }
}

/** `customer-service$checkout` → `checkout`; `customer-service$` (untagged) → `''`. */
export function tagValue(key: string | undefined, tagKey: string): string {
  if (!key) {
    return '';
  }
  if (key.startsWith(`${tagKey}$`)) {
    return key.slice(tagKey.length + 1);
  }
  const i = key.indexOf('$');
  return i >= 0 ? key.slice(i + 1) : key;
}

/** What `requests` Cost Explorer requests cost, in USD with two decimals. */
function usd(requests: number): string {
  return (requests * CE_REQUEST_PRICE_USD).toFixed(2);
}
