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
import { CloudWatchClient, MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { Grouped, isoDay, readGrouped, startOfDay, sumBy, valuesSeen } from './private/cost-explorer-read';
import { PUBLISHER_CONFIG_VERSION, PublisherConfig, PublisherOutcome } from './private/publisher-config';
import { DIMENSIONS, METRIC_NAMES } from '../private/metric-names';
import { readUsage, unitCostChange } from './private/usage-read';

const DAY_MS = 86_400_000;
/** Throttling (`LimitExceededException` for Cost Explorer) and transient errors are retried by the SDK. */
const MAX_ATTEMPTS = 8;
/** PutMetricData accepts up to 1 000 metrics per request; stay well below. */
const PUT_BATCH = 500;
/** Every request gives up after this long (the function itself stops after 5 minutes). */
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 5_000;

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

export type Outcome = PublisherOutcome;

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
  /** Of those, the daily cost of the stack's services (what the cost-data alarm watches). */
  readonly serviceCostDatapoints: number;
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
    ce: new CostExplorerClient({ region: 'us-east-1', maxAttempts: MAX_ATTEMPTS, requestHandler: TIMEOUTS }),
    cloudwatch: (region?: string) => {
      const key = region ?? '';
      let client = clients.get(key);
      if (!client) {
        client = new CloudWatchClient({ ...(region ? { region } : {}), maxAttempts: MAX_ATTEMPTS, requestHandler: TIMEOUTS });
        clients.set(key, client);
      }
      return client;
    },
    now: new Date(),
    log: consoleLogger(),
  };
  return publishAndReportHealth(config, deps);
}

const TIMEOUTS = { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS };

/**
 * One run with its health signal: publishes the cost, then writes the run's outcome (`PublisherRuns`, dimensions
 * Stack and Outcome, one data point per finding) and the number of cost data points of the stack's services
 * (`CostDatapoints`, dimension Stack) with the run's time as timestamp, so that the health alarms see them at once
 * (cost data points carry the cost day, and points older than 24 hours can take 48 hours to appear). A run that fails
 * reports `access-denied` or `error` and 0 data points, then fails (the function's Errors metric counts it).
 */
export async function publishAndReportHealth(config: PublisherConfig, deps: PublisherDeps): Promise<PublishSummary> {
  let result: PublishSummary | undefined;
  let failure: unknown;
  try {
    result = await publishCosts(config, deps);
  } catch (e) {
    failure = e;
  }
  const findings: PublisherOutcome[] = result
    ? [result.outcome, ...(result.outcome === 'published' && result.inactiveTagKeys.length > 0 ? ['inactive-tag-key' as const] : []),
      ...(Object.keys(result.usageErrors).length > 0 ? ['usage-unreadable' as const] : [])]
    : [(failure as Error)?.name === 'AccessDeniedException' ? 'access-denied' : 'error'];
  const health: MetricDatum[] = [
    ...findings.map((outcome): MetricDatum => ({
      MetricName: METRIC_NAMES.publisherRuns,
      Dimensions: [{ Name: DIMENSIONS.stack, Value: config.stackName }, { Name: DIMENSIONS.outcome, Value: outcome }],
      Timestamp: deps.now,
      Value: 1,
      Unit: 'Count',
    })),
    {
      MetricName: METRIC_NAMES.costDatapoints,
      Dimensions: [{ Name: DIMENSIONS.stack, Value: config.stackName }],
      Timestamp: deps.now,
      Value: result?.serviceCostDatapoints ?? 0,
      Unit: 'Count',
    },
  ];
  try {
    await deps.cloudwatch().send(new PutMetricDataCommand({ Namespace: config.namespace, MetricData: health }));
  } catch (e) {
    // The run's own outcome matters more; the missing health data point makes the cost-data alarm go off.
    deps.log.warn(`Could not write the publisher's health metrics (${(e as Error).name}: ${(e as Error).message})`);
  }
  if (failure !== undefined) {
    deps.log.warn(`The run failed (${findings[0]}): ${(failure as Error)?.name}: ${(failure as Error)?.message}`);
    throw failure;
  }
  return result!;
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
  let inRegion: Grouped | undefined;
  const regional = config.services.some((s) => s.scope === 'region');
  try {
    byServiceTeam = await readGrouped(deps.ce, [keys.service, keys.team], start, today);
    requests += byServiceTeam.requests;
    if (byServiceTeam.groups > 0) {
      byUnit = await readGrouped(deps.ce, [keys.businessUnit], start, today);
      requests += byUnit.requests;
      if (regional && config.region) {
        // services counted per region (CostScope.REGION): their cost in the stack's region only
        inRegion = await readGrouped(deps.ce, [keys.service], start, today, config.region);
        requests += inRegion.requests;
      }
    }
  } catch (e) {
    const err = e as Error;
    if (err.name === 'DataUnavailableException') {
      log.warn(`Cost Explorer has no data for ${from}..${to} yet (DataUnavailableException): nothing published. Cost Explorer must be enabled in the account (it can take 24 hours after enabling), and a new account has no data until its first usage is billed.`);
      return summary('data-unavailable', requests, from, to, [], 0, 0, {}, []);
    }
    throw err;
  }
  const estimatedDays = [...byServiceTeam.estimated].sort();
  if (estimatedDays.length > 0) {
    log.info(`Cost Explorer flags ${estimatedDays.length} day(s) as estimated (${estimatedDays[0]}..${estimatedDays[estimatedDays.length - 1]}): published as they are and published again on the next runs while they settle`);
  }
  if (byServiceTeam.days.size === 0 || byServiceTeam.groups === 0) {
    log.warn(`Cost Explorer returned no cost for ${from}..${to} (${requests} request(s)): nothing published`);
    return summary('no-data', requests, from, to, estimatedDays, 0, 0, {}, []);
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
  const servicesInRegion = inRegion ? sumBy(inRegion, 0) : new Map<string, Map<string, number>>();
  const costOf = (name: string, scope: 'region' | undefined, day: string) =>
    (scope === 'region' ? servicesInRegion : services).get(day)?.get(name) ?? 0;
  const teams = sumBy(byServiceTeam, 1);
  const units = byUnit ? sumBy(byUnit, 0) : new Map<string, Map<string, number>>();
  const publishFrom = today.getTime() - config.republishDays * DAY_MS;
  const publishDays = [...byServiceTeam.days.keys()].filter((d) => Date.parse(d) >= publishFrom).sort();
  const datums: MetricDatum[] = [];
  let serviceCostDatapoints = 0;

  // ---- cost per service (of this stack), team and business unit (of the account); 0 on days without cost
  const teamNames = valuesSeen(teams);
  const unitNames = valuesSeen(units);
  for (const day of publishDays) {
    const timestamp = new Date(Date.parse(day));
    if (serviceActive) {
      for (const s of config.services) {
        datums.push(datum(METRIC_NAMES.cost, DIMENSIONS.service, s.name, costOf(s.name, s.scope, day), timestamp));
        serviceCostDatapoints++;
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
        datums.push(datum(METRIC_NAMES.unitCost, DIMENSIONS.service, s.name, costOf(s.name, s.scope, day) * scale / used, timestamp));
      }
    }
    if (s.compareDays) {
      const change = unitCostChange(s.name, s.scope === 'region' ? servicesInRegion : services, usage, today, s.compareDays);
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
  const result = summary(outcome, requests, from, to, estimatedDays, datums.length, serviceCostDatapoints, usageErrors, inactive);
  log.info(`Published ${datums.length} data point(s) for ${publishDays.length} day(s) (${publishDays[0]}..${publishDays[publishDays.length - 1]}), ${config.services.length} service(s) of stack ${config.stackName}, ${teamNames.length} team(s) and ${unitNames.length} business unit(s)`, { ...result });
  return result;
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
  serviceCostDatapoints: number, usageErrors: Record<string, string>, inactiveTagKeys: string[]): PublishSummary {
  return { outcome, costExplorerRequests: requests, from, to, estimatedDays, datapoints, serviceCostDatapoints, usageErrors, inactiveTagKeys };
}

function consoleLogger(): Logger {
  const line = (level: string, message: string, detail?: Record<string, unknown>) =>
    JSON.stringify({ level, message, ...(detail ? { detail } : {}) });
  return {
    info: (message, detail) => console.log(line('INFO', message, detail)),
    warn: (message, detail) => console.warn(line('WARN', message, detail)),
  };
}
