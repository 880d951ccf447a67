/**
 * The daily cost metric publisher (one per stack; see `CostMetricPublisher`).
 *
 * Once a day it asks Cost Explorer for the daily unblended cost of the last days (one `GetCostAndUsage` request
 * per result page; every request costs $0.01): grouped by the service and team tags, then by the
 * business-unit tag. It publishes into the `CustomerValue` CloudWatch namespace:
 * - `Cost` per service (dimension `ServiceName`), for the services declared in its stack;
 * - `Cost` per team (`Team`) and per business unit (`BusinessUnit`): all the cost tagged with them in the
 *   account, so that every publisher of the account writes the same totals;
 * - `UnitUsage` and `UnitCost` per service (daily usage of the service's unit metric, read with
 *   `GetMetricData`, and cost per `unitScale` units) and `UnitCostChange` (percent, the last comparison period
 *   against the one before) for services with a unit-cost alarm.
 *
 * Every data point carries the cost day (00:00 UTC) as its timestamp, and the last `republishDays` days are
 * published again on every run because Cost Explorer data settles late; dashboards and alarms read them with
 * the `Maximum` statistic, for which writing the same day again is harmless.
 */
import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery, MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand, GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import {
  DIMENSIONS, METRIC_NAMES, MetricStatSpec, PUBLISHER_CONFIG_VERSION, PublisherConfig, UsageQuerySpec,
} from './private/publisher-config';

const DAY_MS = 86_400_000;
/** Throttling (`LimitExceededException` for Cost Explorer) and transient errors are retried by the SDK. */
const MAX_ATTEMPTS = 8;
/** PutMetricData accepts up to 1 000 metrics per request; stay well below. */
const PUT_BATCH = 500;
/** The cost metric: what the line items were charged (the budget and the `customer-value` CLI use the same). */
const COST_METRIC = 'UnblendedCost';

export interface Logger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
}

export interface PublisherDeps {
  readonly ce: CostExplorerClient;
  /** A CloudWatch client for a region (undefined: the function's own region). */
  readonly cloudwatch: (region?: string) => CloudWatchClient;
  readonly now: Date;
  readonly log: Logger;
}

export type Outcome = 'published' | 'no-data' | 'inactive-tag-key' | 'data-unavailable';

export interface PublishSummary {
  readonly outcome: Outcome;
  /** Cost Explorer requests made (one per result page). */
  readonly costExplorerRequests: number;
  /** First and last day (YYYY-MM-DD) asked from Cost Explorer. */
  readonly from: string;
  readonly to: string;
  /** Days Cost Explorer flagged as estimated. */
  readonly estimatedDays: string[];
  /** Data points written to CloudWatch. */
  readonly datapoints: number;
  /** Services whose unit metric could not be read (name: reason). */
  readonly usageErrors: Record<string, string>;
  /** Tag keys Cost Explorer does not group by (not active as cost allocation tags). */
  readonly inactiveTagKeys: string[];
}

/** The Lambda entry point: the scheduled event's input is the publisher configuration. */
export async function handler(event: unknown): Promise<PublishSummary> {
  const config = parseConfig(event);
  const clients = new Map<string, CloudWatchClient>();
  const deps: PublisherDeps = {
    // Cost Explorer has one endpoint, in us-east-1 (aws-cost-facts §7).
    ce: new CostExplorerClient({ region: 'us-east-1', maxAttempts: MAX_ATTEMPTS }),
    cloudwatch: (region?: string) => {
      const key = region ?? '';
      let client = clients.get(key);
      if (!client) {
        client = new CloudWatchClient({ ...(region ? { region } : {}), maxAttempts: MAX_ATTEMPTS });
        clients.set(key, client);
      }
      return client;
    },
    now: new Date(),
    log: consoleLogger(),
  };
  return publishCosts(config, deps);
}

/** Validates the event: a publisher configuration as built by `CostMetricPublisher`. */
export function parseConfig(event: unknown): PublisherConfig {
  const c = event as Partial<PublisherConfig> | undefined;
  const problems: string[] = [];
  if (!c || typeof c !== 'object') {
    throw new Error(`cost publisher: the event is ${JSON.stringify(event)}; expected the publisher configuration the schedule passes (invoke the function with the input of its EventBridge rule)`);
  }
  if (c.version !== PUBLISHER_CONFIG_VERSION) problems.push(`version is ${JSON.stringify(c.version)}, expected ${PUBLISHER_CONFIG_VERSION}`);
  const keys = c.tagKeys as Partial<PublisherConfig['tagKeys']> | undefined;
  if (!keys || [keys.service, keys.team, keys.businessUnit].some((k) => typeof k !== 'string' || k.length === 0)) {
    problems.push(`tagKeys is ${JSON.stringify(keys)}, expected the service, team and businessUnit tag keys`);
  }
  if (typeof c.namespace !== 'string' || c.namespace.length === 0) problems.push(`namespace is ${JSON.stringify(c.namespace)}`);
  if (typeof c.republishDays !== 'number' || !Number.isInteger(c.republishDays) || c.republishDays < 1 || c.republishDays > 13) {
    problems.push(`republishDays is ${JSON.stringify(c.republishDays)}, expected a whole number of days from 1 to 13`);
  }
  if (!Array.isArray(c.services)) problems.push('services is not a list');
  if (problems.length > 0) {
    throw new Error(`cost publisher: invalid configuration: ${problems.join('; ')}`);
  }
  return c as PublisherConfig;
}

/**
 * One run: read the cost (two grouped queries: service x team, and business unit), read the usage, publish.
 *
 * Team and business-unit totals come straight from the tags Cost Explorer sees (every cost carrying that team or
 * business unit in the account), so that every publisher of the account writes the same totals.
 */
export async function publishCosts(config: PublisherConfig, deps: PublisherDeps): Promise<PublishSummary> {
  const { log } = deps;
  const keys = config.tagKeys;
  const today = startOfDay(deps.now);
  const compareDays = Math.max(0, ...config.services.map((s) => s.compareDays ?? 0));
  const windowDays = Math.max(config.republishDays, 2 * compareDays);
  const start = new Date(today.getTime() - windowDays * DAY_MS);
  const from = isoDay(start);
  const to = isoDay(new Date(today.getTime() - DAY_MS));
  let requests = 0;

  // ---- cost, from Cost Explorer
  let byServiceTeam: Grouped;
  let byUnit: Grouped | undefined;
  try {
    byServiceTeam = await readGrouped(deps.ce, [keys.service, keys.team], start, today);
    requests += byServiceTeam.requests;
    if (byServiceTeam.groups > 0) {
      byUnit = await readGrouped(deps.ce, [keys.businessUnit], start, today);
      requests += byUnit.requests;
    }
  } catch (e) {
    const err = e as Error;
    if (err.name === 'DataUnavailableException') {
      log.warn(`Cost Explorer has no data for ${from}..${to} yet (DataUnavailableException): nothing published. Cost Explorer must be enabled in the account (it can take 24 hours after enabling), and a new account has no data until its first usage is billed.`);
      return summary('data-unavailable', requests, from, to, [], 0, {}, []);
    }
    throw err;
  }
  const estimatedDays = [...byServiceTeam.estimated].sort();
  if (estimatedDays.length > 0) {
    log.info(`Cost Explorer flags ${estimatedDays.length} day(s) as estimated (${estimatedDays[0]}..${estimatedDays[estimatedDays.length - 1]}): published as they are and published again on the next runs while they settle`);
  }
  if (byServiceTeam.days.size === 0 || byServiceTeam.groups === 0) {
    log.warn(`Cost Explorer returned no cost for ${from}..${to} (${requests} request(s)): nothing published`);
    return summary('no-data', requests, from, to, estimatedDays, 0, {}, []);
  }
  const inactive: string[] = [];
  const checkKey = (key: string, active: boolean, what: string) => {
    if (!active) {
      inactive.push(key);
      log.warn(`The tag key "${key}" is not active as a cost allocation tag (or no resource carried it in ${from}..${to}): Cost Explorer grouped all that cost under "${key}$" (untagged), so no cost per ${what} is published. Activate "${key}" in the management (payer) account (Billing > Cost allocation tags, or the CostAllocationTags construct); activation takes up to 24 hours and does not apply backwards.`);
    }
    return active;
  };
  const serviceActive = checkKey(keys.service, byServiceTeam.tagged[0], 'service');
  const teamActive = checkKey(keys.team, byServiceTeam.tagged[1], 'team');
  const unitActive = byUnit !== undefined && checkKey(keys.businessUnit, byUnit.tagged[0], 'business unit');

  const services = sumBy(byServiceTeam, 0);
  const teams = sumBy(byServiceTeam, 1);
  const units = byUnit ? sumBy(byUnit, 0) : new Map<string, Map<string, number>>();
  const publishFrom = today.getTime() - config.republishDays * DAY_MS;
  const publishDays = [...byServiceTeam.days.keys()].filter((d) => Date.parse(d) >= publishFrom).sort();
  const datums: MetricDatum[] = [];

  // ---- cost per service (of this stack), team and business unit (of the account); 0 on days without cost
  const teamNames = valuesSeen(teams);
  const unitNames = valuesSeen(units);
  for (const day of publishDays) {
    const timestamp = new Date(Date.parse(day));
    if (serviceActive) {
      for (const s of config.services) {
        datums.push(datum(METRIC_NAMES.cost, DIMENSIONS.service, s.name, services.get(day)?.get(s.name) ?? 0, timestamp));
      }
    }
    if (teamActive) {
      for (const team of teamNames) {
        datums.push(datum(METRIC_NAMES.cost, DIMENSIONS.team, team, teams.get(day)?.get(team) ?? 0, timestamp));
      }
    }
    if (unitActive && units.has(day)) {
      for (const unit of unitNames) {
        datums.push(datum(METRIC_NAMES.cost, DIMENSIONS.businessUnit, unit, units.get(day)?.get(unit) ?? 0, timestamp));
      }
    }
  }

  // ---- usage and unit cost
  const usageErrors: Record<string, string> = {};
  for (const s of serviceActive ? config.services.filter((x) => x.unit) : []) {
    let usage: Map<string, number>;
    try {
      usage = await readUsage(deps.cloudwatch(s.unit!.region), s.unit!, start, today);
    } catch (e) {
      usageErrors[s.name] = (e as Error).message;
      log.warn(`Could not read the unit metric of "${s.name}" (${(e as Error).name}: ${(e as Error).message}): its unit cost is not published this time`);
      continue;
    }
    const scale = s.unitScale ?? 1;
    for (const day of publishDays) {
      const used = usage.get(day);
      if (used === undefined) {
        continue;
      }
      const timestamp = new Date(Date.parse(day));
      datums.push(datum(METRIC_NAMES.unitUsage, DIMENSIONS.service, s.name, used, timestamp));
      if (used > 0) {
        datums.push(datum(METRIC_NAMES.unitCost, DIMENSIONS.service, s.name, (services.get(day)?.get(s.name) ?? 0) * scale / used, timestamp));
      }
    }
    if (s.compareDays) {
      const change = unitCostChange(s.name, services, usage, today, s.compareDays);
      if (change.value === undefined) {
        log.info(`No unit-cost change for "${s.name}": ${change.reason}`);
      } else {
        datums.push(datum(METRIC_NAMES.unitCostChange, DIMENSIONS.service, s.name, change.value, deps.now, 'Percent'));
      }
    }
  }

  // ---- publish
  const cw = deps.cloudwatch();
  for (let i = 0; i < datums.length; i += PUT_BATCH) {
    await cw.send(new PutMetricDataCommand({ Namespace: config.namespace, MetricData: datums.slice(i, i + PUT_BATCH) }));
  }
  const outcome: Outcome = datums.length > 0 ? 'published' : 'inactive-tag-key';
  const result = summary(outcome, requests, from, to, estimatedDays, datums.length, usageErrors, inactive);
  log.info(`Published ${datums.length} data point(s) for ${publishDays.length} day(s) (${publishDays[0]}..${publishDays[publishDays.length - 1]}), ${config.services.length} service(s) of stack ${config.stackName}, ${teamNames.length} team(s) and ${unitNames.length} business unit(s)`, { ...result });
  return result;
}

/** Cost Explorer results grouped by one or two tag keys. */
interface Grouped {
  /** Day (YYYY-MM-DD) -> tag values (one per key, joined by NUL) -> cost. Every day Cost Explorer returned. */
  readonly days: Map<string, Map<string, number>>;
  readonly estimated: Set<string>;
  readonly requests: number;
  readonly groups: number;
  /** Per key: whether any group carried a non-empty value. */
  readonly tagged: boolean[];
}

const SEP = '\u0000';

/** GetCostAndUsage, DAILY, grouped by tag keys, following NextPageToken (one request per page). */
async function readGrouped(ce: CostExplorerClient, tagKeys: string[], start: Date, end: Date): Promise<Grouped> {
  const days = new Map<string, Map<string, number>>();
  const estimated = new Set<string>();
  const tagged = tagKeys.map(() => false);
  let requests = 0;
  let groups = 0;
  let token: string | undefined;
  do {
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: { Start: isoDay(start), End: isoDay(end) },
      Granularity: 'DAILY',
      Metrics: [COST_METRIC],
      GroupBy: tagKeys.map((Key) => ({ Type: 'TAG', Key })),
      // Same scope as the budget (CostTypes IncludeCredit/IncludeRefund false): what the services consume.
      Filter: { Not: { Dimensions: { Key: 'RECORD_TYPE', Values: ['Credit', 'Refund'] } } },
      NextPageToken: token,
    };
    const page = await ce.send(new GetCostAndUsageCommand(input));
    requests++;
    for (const r of page.ResultsByTime ?? []) {
      const day = r.TimePeriod?.Start;
      if (!day) {
        continue;
      }
      let byValues = days.get(day);
      if (!byValues) {
        byValues = new Map();
        days.set(day, byValues);
      }
      if (r.Estimated) {
        estimated.add(day);
      }
      for (const g of r.Groups ?? []) {
        // each key comes back as "<tag key>$<value>", "<tag key>$" when untagged
        const values = tagKeys.map((k, i) => {
          const key = g.Keys?.[i] ?? '';
          return key.startsWith(`${k}$`) ? key.slice(k.length + 1) : undefined;
        });
        if (values.some((v) => v === undefined)) {
          continue;
        }
        groups++;
        values.forEach((v, i) => {
          if (v) {
            tagged[i] = true;
          }
        });
        const amount = Number(g.Metrics?.[COST_METRIC]?.Amount ?? 0);
        const id = values.join(SEP);
        byValues.set(id, (byValues.get(id) ?? 0) + (Number.isFinite(amount) ? amount : 0));
      }
    }
    token = page.NextPageToken || undefined;
  } while (token);
  return { days, estimated, requests, groups, tagged };
}

/** Day -> value of the `index`th key -> cost (untagged cost left out). */
function sumBy(grouped: Grouped, index: number): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [day, byValues] of grouped.days) {
    const sums = new Map<string, number>();
    for (const [id, amount] of byValues) {
      const value = id.split(SEP)[index];
      if (value) {
        sums.set(value, (sums.get(value) ?? 0) + amount);
      }
    }
    out.set(day, sums);
  }
  return out;
}

function valuesSeen(byDay: Map<string, Map<string, number>>): string[] {
  const seen = new Set<string>();
  for (const m of byDay.values()) {
    for (const v of m.keys()) {
      seen.add(v);
    }
  }
  return [...seen].sort();
}

/** The daily usage of a unit metric: GetMetricData, period one day, following NextToken. */
async function readUsage(cw: CloudWatchClient, spec: UsageQuerySpec, start: Date, end: Date): Promise<Map<string, number>> {
  const queries: MetricDataQuery[] = [];
  if (spec.expression) {
    for (const [id, m] of Object.entries(spec.using ?? {})) {
      queries.push({ Id: id, MetricStat: metricStat(m), ReturnData: false, ...(m.account ? { AccountId: m.account } : {}) });
    }
    queries.push({ Id: 'usage', Expression: spec.expression, Period: 86_400, ReturnData: true });
  } else if (spec.metric) {
    const m = spec.metric;
    queries.push({ Id: 'usage', MetricStat: metricStat(m), ReturnData: true, ...(m.account ? { AccountId: m.account } : {}) });
  } else {
    throw new Error('the unit metric has neither a metric nor an expression');
  }
  const out = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken: token }));
    for (const r of page.MetricDataResults ?? []) {
      if (r.Id !== 'usage') {
        continue;
      }
      (r.Timestamps ?? []).forEach((t, i) => {
        const v = r.Values?.[i];
        if (v !== undefined && Number.isFinite(v)) {
          const day = isoDay(startOfDay(new Date(t)));
          out.set(day, (out.get(day) ?? 0) + v);
        }
      });
    }
    token = page.NextToken || undefined;
  } while (token);
  return out;
}

function metricStat(m: MetricStatSpec) {
  return {
    Metric: { Namespace: m.ns, MetricName: m.name, Dimensions: Object.entries(m.dims ?? {}).map(([Name, Value]) => ({ Name, Value })) },
    Period: 86_400,
    Stat: m.stat,
  };
}

/**
 * Unit cost over the last `n` days against the `n` days before: 100 * (now - before) / before.
 * Both periods need usage, cost data for every day, and a non-zero unit cost before.
 */
function unitCostChange(
  name: string, services: Map<string, Map<string, number>>, usage: Map<string, number>, today: Date, n: number,
): { value?: number; reason?: string } {
  const period = (fromDaysAgo: number) => {
    let cost = 0;
    let units = 0;
    for (let i = fromDaysAgo; i > fromDaysAgo - n; i--) {
      const day = isoDay(new Date(today.getTime() - i * DAY_MS));
      const byService = services.get(day);
      if (!byService) {
        return undefined;
      }
      cost += byService.get(name) ?? 0;
      units += usage.get(day) ?? 0;
    }
    return { cost, units };
  };
  const now = period(n);
  const before = period(2 * n);
  if (!now || !before) {
    return { reason: `Cost Explorer returned fewer than ${2 * n} days` };
  }
  if (now.units <= 0 || before.units <= 0) {
    return { reason: `no usage in the last ${n} days or the ${n} days before` };
  }
  const unitNow = now.cost / now.units;
  const unitBefore = before.cost / before.units;
  if (unitBefore <= 0) {
    return { reason: `no cost in the ${n} days before the last ${n}` };
  }
  return { value: 100 * (unitNow - unitBefore) / unitBefore };
}

function datum(name: string, dimension: string, value: string, amount: number, timestamp: Date, unit: 'None' | 'Percent' = 'None'): MetricDatum {
  return {
    MetricName: name,
    Dimensions: [{ Name: dimension, Value: value }],
    Timestamp: timestamp,
    Value: Math.round(amount * 1e6) / 1e6,
    Unit: unit,
  };
}

function summary(outcome: Outcome, requests: number, from: string, to: string, estimatedDays: string[], datapoints: number,
  usageErrors: Record<string, string>, inactiveTagKeys: string[]): PublishSummary {
  return { outcome, costExplorerRequests: requests, from, to, estimatedDays, datapoints, usageErrors, inactiveTagKeys };
}

function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function consoleLogger(): Logger {
  const line = (level: string, message: string, detail?: Record<string, unknown>) =>
    JSON.stringify({ level, message, ...(detail ? { detail } : {}) });
  return {
    info: (message, detail) => console.log(line('INFO', message, detail)),
    warn: (message, detail) => console.warn(line('WARN', message, detail)),
  };
}
