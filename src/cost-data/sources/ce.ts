import {
  CostExplorerClient, CostExplorerClientConfig, Expression, GetCostAndUsageCommand, GetCostAndUsageCommandOutput, GroupDefinition,
} from '@aws-sdk/client-cost-explorer';
import { CallLimits, MAX_ATTEMPTS, PageTokens } from './limits';
import { Decimal } from '../../private/decimal';
import { isIsoDate } from '../../private/iso-date';
import { CE_USAGE_RECORD_TYPES, ceMatches, CeGroupRow, ceRulePlan, ceRulesExpression, ceSeenValues, STACK_TAG } from '../attribution/cost-explorer';
import { CostDataError, awsError } from '../errors';
import { CE_DIMENSIONS, groupTagKey } from '../grouping';
import { CostQuery, CostResult, CostRow, CostSource, CoverageItem, CoverageScan, exactAmountOf, RuleMatch } from '../query';
import { CostMetric } from '../query-terms';

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
    // a column (--by sub-account, charge-category): a Cost Explorer dimension, whose groups come back as plain values
    const dimension = query.dimension === undefined ? undefined : CE_DIMENSIONS[query.dimension];
    if (query.dimension !== undefined && dimension === undefined) {
      throw new CostDataError(`--by ${query.dimension}: Cost Explorer cannot group by it`);
    }
    if (dimension !== undefined) {
      groupBy.push({ Type: 'DIMENSION', Key: dimension });
    } else if (groupKey !== serviceKey) {
      groupBy.push({ Type: 'TAG', Key: groupKey });
    }
    const limits = this.options.limits ?? CallLimits.withoutDeadline();
    const rows: CostRow[] = [];
    const outside: CostRow[] = [];
    const pages = await this.allPages(query, { metric, groupBy }, 'Cost Explorer GetCostAndUsage', limits, progress,
      (n) => `Cost Explorer: GetCostAndUsage page ${n}${n > 1 ? ` (${rows.length} rows so far; ${n} requests, ${usd(n)} USD)` : ''}`, (r) => {
        const service = tagValue(r.keys[0], serviceKey);
        const group = dimension !== undefined ? r.keys[1] ?? '' : groupKey === serviceKey ? service : tagValue(r.keys[1], groupKey);
        const row: CostRow = {
          service,
          group,
          day: r.day,
          amount: r.amount.toNumber(),
          exactAmount: r.amount.toString(),
          currency: r.currency,
          estimated: r.estimated,
        };
        // Cost Explorer answers for the days asked only: a day outside them is a fault, never part of the total.
        (r.day >= query.from && r.day < query.to ? rows : outside).push(row);
      });
    // the attribution rules: one more query (and its pages), the untagged spend grouped by what the rules need
    const rules = query.attribution && query.attribution.rules.length > 0
      ? await this.ruleMatches(query, { metric, serviceKey, groupKey: dimension === undefined && groupKey !== serviceKey ? groupKey : undefined },
        limits, progress)
      : undefined;
    // coverage (docs/attribution.md section 9): one more query, the untagged spend no rule matched, by account and record type
    const coverage = query.coverage ? await this.coverageScan(query, { metric, serviceKey }, rules?.expression, rows, limits, progress) : undefined;
    const requests = pages + (rules?.requests ?? 0) + (coverage?.requests ?? 0);
    const notes = [
      `Cost Explorer: ${requests} GetCostAndUsage request${requests === 1 ? '' : 's'} (${CE_REQUEST_PRICE_USD} USD each, `
        + `${usd(requests)} USD)`,
    ];
    // A tag key that is not an active cost allocation tag comes back as "<key>$" for all cost (aws-cost-facts §3, §7):
    // every figure per service would silently be zero.
    const notActivated = (key: string) => `the tag key "${key}" is probably not an active cost allocation tag; activate the customer-value `
      + 'tag keys in the management account (Billing console > Cost allocation tags, or the CostAllocationTags construct): '
      + 'Cost Explorer groups cost by a tag only from its activation on';
    if (dimension === undefined && rows.length > 0 && !rows.some((r) => r.group !== '')) {
      const total = rows.reduce((s, r) => s + r.amount, 0);
      throw new CostDataError(`Cost Explorer reports all ${total.toFixed(2)} ${rows[0].currency} of cost between ${query.from} and ${query.to} `
        + `(exclusive) as untagged ("${groupKey}$"): ${notActivated(groupKey)}`);
    }
    if ((groupKey !== serviceKey || dimension !== undefined) && !rows.some((r) => r.service !== '')) {
      notes.push(`no cost between ${query.from} and ${query.to} carries the "${serviceKey}" tag: ${notActivated(serviceKey)}`);
    }
    const warnings = outside.length > 0 ? [outsideWarning(outside, query)] : [];
    if (rules && rules.requests > 0) {
      notes.push(`Cost Explorer: ${rules.requests} of the requests matched the untagged spend against the attribution rules (GetCostAndUsage grouped by `
        + `${rules.groupBy.join(' and ')})`);
    }
    return {
      rows,
      source: 'Cost Explorer',
      requests,
      notes,
      warnings,
      ...(rules ? { attributionMatches: rules.matches, attributionWarnings: rules.warnings } : {}),
      ...(coverage ? { coverage: coverage.scan } : {}),
      ...(dimension !== undefined ? { groupedBy: `Cost Explorer ${dimension}` } : {}),
    };
  }

  /**
   * What each attribution rule matched: GetCostAndUsage over the untagged spend (the service key ABSENT: "If Key is
   * provided and Values isn't specified, the ABSENT MatchOption is applied to the tag Key only", ce API model
   * `TagValues`), grouped by the dimensions the rules need (and the report's grouped tag, which takes one of the two
   * group-bys), paged and bounded like the cost query; matched in the client (`ceMatches`).
   */
  private async ruleMatches(query: CostQuery, q: { metric: string; serviceKey: string; groupKey?: string }, limits: CallLimits,
    progress: (message: string) => void)
    : Promise<{ matches: RuleMatch[]; warnings: string[]; requests: number; groupBy: string[]; expression?: Expression }> {
    const plan = ceRulePlan(query.attribution!, q.groupKey ? 1 : 2);
    const groupBy: GroupDefinition[] = [...plan.groupBy.map((d) => ({ Type: d.type, Key: d.key })), ...(q.groupKey ? [{ Type: 'TAG' as const, Key: q.groupKey }] : [])];
    if (plan.groupBy.length === 0) {
      return { matches: [], warnings: plan.warnings, requests: 0, groupBy: [] };
    }
    const rows: CeGroupRow[] = [];
    const requests = await this.allPages(query, { metric: q.metric, groupBy, filter: { Tags: { Key: q.serviceKey, MatchOptions: ['ABSENT'] } } },
      'Cost Explorer GetCostAndUsage (attribution rules)', limits, progress,
      (n) => `Cost Explorer: matching the untagged spend against ${plan.rules.length} attribution rule${plan.rules.length === 1 ? '' : 's'}, page ${n}`,
      (r) => {
        // the days asked only, as the cost rows
        if (r.day >= query.from && r.day < query.to) {
          rows.push({ day: r.day, keys: r.keys, amount: r.amount, currency: r.currency });
        }
      });
    const expression = ceRulesExpression(plan, ceSeenValues(plan, rows, tagValue));
    return {
      matches: ceMatches(plan, rows, q.groupKey !== undefined, tagValue),
      warnings: plan.warnings,
      requests,
      groupBy: groupBy.map((g) => (g.Type === 'TAG' ? `the tag ${g.Key}` : g.Key!)),
      ...(expression ? { expression } : {}),
    };
  }

  /**
   * The coverage scan Cost Explorer can make (docs/attribution.md section 9): GetCostAndUsage over the untagged spend
   * (the service key ABSENT) that none of the rules it applies matches (`Not` the rules' filter, their patterns as the
   * values the rules' query saw), grouped by LINKED_ACCOUNT and RECORD_TYPE, paged and bounded like the cost query; and
   * the spend of undeclared tag values from the cost rows. No resource ids and no stack: `resourceLevel` false.
   */
  private async coverageScan(query: CostQuery, q: { metric: string; serviceKey: string }, rules: Expression | undefined, costRows: readonly CostRow[],
    limits: CallLimits, progress: (message: string) => void): Promise<{ scan: CoverageScan; requests: number }> {
    const untagged: Expression = { Tags: { Key: q.serviceKey, MatchOptions: ['ABSENT'] } };
    const cells = new Map<string, { account: string; recordType: string; currency: string; amount: Decimal }>();
    const requests = await this.allPages(query, {
      metric: q.metric,
      groupBy: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }, { Type: 'DIMENSION', Key: 'RECORD_TYPE' }],
      filter: rules ? { And: [untagged, { Not: rules }] } : untagged,
    }, 'Cost Explorer GetCostAndUsage (coverage)', limits, progress, (n) => `Cost Explorer: the unattributed spend by account and record type, page ${n}`,
    (r) => {
      if (r.day < query.from || r.day >= query.to) {
        return;
      }
      const [account = '', recordType = ''] = r.keys;
      const k = [account, recordType, r.currency].join('\u0000');
      const c = cells.get(k) ?? { account, recordType, currency: r.currency, amount: Decimal.ZERO };
      c.amount = c.amount.plus(r.amount);
      cells.set(k, c);
    });
    const blank = { resource: '', region: '', product: '', usageType: '', stack: '' };
    const items: CoverageItem[] = [...cells.values()].map((c) => ({
      ...blank, currency: c.currency, tag: '', account: c.account, itemType: c.recordType, nonResource: !CE_USAGE_RECORD_TYPES.includes(c.recordType), amount: c.amount,
    }));
    // undeclared tag values: the cost rows by the service tag hold them
    const declared = new Set(query.coverage!.declaredServices);
    const tags = new Map<string, { tag: string; currency: string; amount: Decimal }>();
    for (const r of costRows) {
      if (r.service !== '' && !declared.has(r.service)) {
        const k = `${r.service}\u0000${r.currency}`;
        const t = tags.get(k) ?? { tag: r.service, currency: r.currency, amount: Decimal.ZERO };
        t.amount = t.amount.plus(exactAmountOf(r));
        tags.set(k, t);
      }
    }
    items.push(...[...tags.values()].map((t) => ({ ...blank, currency: t.currency, tag: t.tag, account: '', itemType: '', nonResource: false, amount: t.amount })));
    return { scan: { items, stackKeyActive: true, stackColumn: STACK_TAG, resourceLevel: false }, requests };
  }

  /**
   * Every page of one GetCostAndUsage query (the report's granularity), following `NextPageToken`: each request within
   * the call limits (timeouts, retries, cancellation), a repeated token or more pages than the cap stop it; every
   * request costs 0.01 USD and is counted. Returns the number of requests.
   */
  private async allPages(query: CostQuery, request: { metric: string; groupBy: GroupDefinition[]; filter?: Expression }, what: string,
    limits: CallLimits, progress: (message: string) => void, status: (page: number) => string, onRow: (row: PageRow) => void): Promise<number> {
    const maxAttempts = this.options.maxAttempts ?? MAX_ATTEMPTS;
    const client = new CostExplorerClient({
      region: 'us-east-1',
      profile: this.options.profile,
      maxAttempts,
      requestHandler: limits.requestHandler(),
      ...this.options.clientConfig,
    });
    const pages = new PageTokens(what, limits, (n) => ` (${usd(n)} USD at ${CE_REQUEST_PRICE_USD} USD each)`);
    let token: string | undefined;
    try {
      do {
        pages.beforeRequest();
        const requests = pages.pages;
        progress(status(requests));
        let page: GetCostAndUsageCommandOutput;
        try {
          page = await limits.send(client, new GetCostAndUsageCommand({
            TimePeriod: { Start: query.from, End: query.to },
            Granularity: query.granularity === 'month' ? 'MONTHLY' : 'DAILY',
            Metrics: [request.metric],
            ...(request.filter ? { Filter: request.filter } : {}),
            GroupBy: request.groupBy,
            NextPageToken: token,
          }), { what: `${what} page ${requests}`, progress, maxAttempts });
        } catch (e) {
          throw limits.stoppedError(what, ` (${requests} request${requests === 1 ? '' : 's'}, ${usd(requests)} USD)`)
            ?? awsError(e, what, { profile: this.options.profile, permission: 'ce:GetCostAndUsage' });
        }
        readPage(page, requests, request.metric).forEach(onRow);
        token = pages.next(page.NextPageToken || undefined);
      } while (token);
    } finally {
      client.destroy();
    }
    return pages.pages;
  }
}

/** One group of one day of a GetCostAndUsage page. */
interface PageRow {
  readonly day: string;
  readonly keys: string[];
  readonly amount: Decimal;
  readonly currency: string;
  readonly estimated: boolean;
}

/**
 * The rows of a GetCostAndUsage page, checked against the API's shape (GetCostAndUsage reference: `ResultsByTime` a
 * list, each with `TimePeriod.Start` a date, `Groups` a list of `Keys` and `Metrics`): a page that is not one (a proxy's
 * answer, a changed API) is refused naming what is wrong, never read as "no cost" or blamed on the period.
 */
function readPage(page: unknown, number: number, metric: string): PageRow[] {
  const refuse = (what: string, example: unknown) => new CostDataError(`Cost Explorer GetCostAndUsage page ${number} is not a GetCostAndUsage answer: `
    + `${what} (${snippet(example)}): an API or proxy fault; retry later, or check the proxy and AWS_ENDPOINT_URL settings`);
  const results = (page as { ResultsByTime?: unknown } | undefined)?.ResultsByTime;
  if (!Array.isArray(results)) {
    const { $metadata: _, ...body } = (page ?? {}) as Record<string, unknown>;
    throw refuse(results === undefined ? 'it has no ResultsByTime' : 'its ResultsByTime is not a list', body);
  }
  const rows: PageRow[] = [];
  for (const result of results as unknown[]) {
    const r = result as { TimePeriod?: { Start?: unknown }; Groups?: unknown; Estimated?: unknown } | null;
    const day = r?.TimePeriod?.Start;
    if (typeof day !== 'string' || !isIsoDate(day)) {
      throw refuse('a result has no TimePeriod.Start date', result);
    }
    if (r!.Groups !== undefined && !Array.isArray(r!.Groups)) {
      throw refuse(`the Groups of ${day} are not a list`, result);
    }
    for (const g of (r!.Groups ?? []) as unknown[]) {
      const group = g as { Keys?: unknown; Metrics?: Record<string, { Amount?: unknown; Unit?: unknown }> } | null;
      const keys = group?.Keys ?? [];
      if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
        throw refuse(`a group of ${day} has Keys that are not a list of text`, g);
      }
      const m = group?.Metrics?.[metric];
      if (!m || m.Amount === undefined) {
        continue;
      }
      const amount = typeof m.Amount === 'string' ? Decimal.parse(m.Amount) : undefined;
      if (!amount || !Number.isFinite(amount.toNumber())) {
        throw new CostDataError(`Cost Explorer returned ${metric} ${JSON.stringify(m.Amount)}, which is not a number, on ${day} for `
          + `${keys.map((k) => JSON.stringify(k)).join(' and ') || 'a group without keys'}: refusing to add it up (an API or proxy fault; retry later)`);
      }
      rows.push({ day, keys, amount, currency: typeof m.Unit === 'string' && m.Unit ? m.Unit : 'USD', estimated: r!.Estimated === true });
    }
  }
  return rows;
}

/** The start of a value as JSON, for a message. */
function snippet(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 120 ? `${json.slice(0, 119)}…` : json;
}

/** The warning for rows dated outside the period: how many, their amount, their days. */
function outsideWarning(outside: CostRow[], query: CostQuery): string {
  const days = [...new Set(outside.map((r) => r.day))].sort();
  const currencies = [...new Set(outside.map((r) => r.currency))].sort();
  const amounts = currencies.map((c) => `${Decimal.sum(outside.filter((r) => r.currency === c).map(exactAmountOf)).toFixed(2)} ${c}`);
  return `Cost Explorer returned ${outside.length} row${outside.length === 1 ? '' : 's'} dated outside the period ${query.from} to `
    + `${query.to} (exclusive), ${amounts.join(' and ')} on ${days.slice(0, 3).join(', ')}${days.length > 3 ? `, and ${days.length - 3} more days` : ''}: `
    + 'left out of the report; Cost Explorer answers for the days asked only, so an API or proxy fault is likely (retry later)';
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
