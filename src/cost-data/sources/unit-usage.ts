import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CallLimits, MAX_ATTEMPTS, PageTokens, StoppedError } from './limits';
import { DIMENSIONS, METRIC_NAMES, METRIC_NAMESPACE } from '../../private/metric-names';
import { AssemblySet } from '../declarations/cloud-assembly';
import { awsError, CostDataError } from '../errors';
import { unitLabel } from '../report/labels';

/**
 * Where the per-service reporting (the daily cost publisher) writes the usage that unit cost divides by:
 * metric `UnitUsage`, dimension `ServiceName`, namespace `CustomerValue`, one data point per day read with
 * `Maximum` over a day (the publisher re-writes recent days). The names come from the publisher's own
 * configuration module (one place); a declaration may record others in `costReporting`.
 */
export const USAGE_NAMESPACE: string = METRIC_NAMESPACE;
export const UNIT_USAGE_METRIC: string = METRIC_NAMES.unitUsage;
export const SERVICE_DIMENSION: string = DIMENSIONS.service;
export const DAILY_STATISTIC = 'Maximum';

/**
 * The CloudWatch client, loaded on first use: most reports never read usage (CUR sources by default), and loading
 * the SDK client costs tens of milliseconds at every start of the CLI.
 */
function cloudWatchSdk(): typeof import('@aws-sdk/client-cloudwatch') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-cloudwatch');
}

/** GetMetricData accepts at most 500 queries per request. */
const MAX_QUERIES = 500;

export interface UsageRequest {
  readonly service: string;
  readonly namespace: string;
  readonly metricName: string;
  /** Statistic of one day's data point. */
  readonly statistic: string;
  /** CloudWatch region of the service (its stack's region), if known. */
  readonly region?: string;
}

/** Units of usage of a service in the period, or why they are not available. */
export interface UsageOutcome {
  readonly units?: number;
  /** A few words for a table cell, e.g. `no datapoints`, `no credentials`. */
  readonly short?: string;
  /** The full reason, shown once in the report's notes. */
  readonly reason?: string;
}

export interface UsageReader {
  read(requests: UsageRequest[], from: string, to: string, progress: (m: string) => void): Promise<Map<string, UsageOutcome>>;
}

export interface CloudWatchUsageReaderOptions {
  readonly profile?: string;
  /** Region for services whose stack has no region; default: the SDK's (AWS_REGION, the profile). */
  readonly region?: string;
  readonly maxAttempts?: number;
  /** Page cap, timeouts, deadline and cancellation. @default - default page cap and timeouts, no deadline */
  readonly limits?: CallLimits;
}

/** Reads the daily `CustomerValue/UnitUsage` data points of each service with CloudWatch `GetMetricData` and adds them up. */
export class CloudWatchUsageReader implements UsageReader {
  /** Number of GetMetricData requests made. */
  public requests = 0;

  private readonly limits: CallLimits;

  constructor(private readonly options: CloudWatchUsageReaderOptions = {}) {
    this.limits = options.limits ?? CallLimits.withoutDeadline();
  }

  public async read(requests: UsageRequest[], from: string, to: string, progress: (m: string) => void): Promise<Map<string, UsageOutcome>> {
    const out = new Map<string, UsageOutcome>();
    const byRegion = new Map<string, UsageRequest[]>();
    for (const r of requests) {
      const region = r.region ?? this.options.region ?? '';
      byRegion.set(region, [...(byRegion.get(region) ?? []), r]);
    }
    for (const [region, list] of byRegion) {
      const client = new (cloudWatchSdk().CloudWatchClient)({
        region: region || undefined,
        profile: this.options.profile,
        maxAttempts: this.options.maxAttempts ?? MAX_ATTEMPTS,
        requestHandler: this.limits.requestHandler(),
      });
      try {
        for (let i = 0; i < list.length; i += MAX_QUERIES) {
          const batch = list.slice(i, i + MAX_QUERIES);
          const sums = await this.query(client, batch, from, to, region, progress);
          batch.forEach((r, k) => {
            const values = sums.get(`s${k}`);
            out.set(r.service, values === undefined || values.count === 0
              ? {
                short: 'no datapoints',
                reason: `no ${r.namespace}/${r.metricName} datapoints for ${SERVICE_DIMENSION}=${r.service}${region ? ` in ${region}` : ''} `
                  + 'in the period (is per-service cost reporting deployed?)',
              }
              : { units: values.sum });
          });
        }
      } catch (e) {
        const stopped = this.limits.stoppedError('CloudWatch GetMetricData (usage for unit cost)');
        if (stopped || e instanceof StoppedError) {
          throw stopped ?? e;
        }
        const failure = usageFailure(e, this.options.profile);
        for (const r of list) {
          if (!out.has(r.service)) {
            out.set(r.service, failure);
          }
        }
      } finally {
        client.destroy();
      }
    }
    return out;
  }

  private async query(client: CloudWatchClient, batch: UsageRequest[], from: string, to: string, region: string,
    progress: (m: string) => void): Promise<Map<string, { sum: number; count: number }>> {
    const queries: MetricDataQuery[] = batch.map((r, k) => ({
      Id: `s${k}`,
      MetricStat: {
        Metric: { Namespace: r.namespace, MetricName: r.metricName, Dimensions: [{ Name: SERVICE_DIMENSION, Value: r.service }] },
        Period: 86_400,
        Stat: r.statistic,
      },
      ReturnData: true,
    }));
    const sums = new Map<string, { sum: number; count: number }>();
    let token: string | undefined;
    const pages = new PageTokens(`CloudWatch GetMetricData${region ? ` in ${region}` : ''}`, this.limits);
    do {
      pages.beforeRequest();
      this.requests++;
      progress(`CloudWatch${region ? ` ${region}` : ''}: GetMetricData request ${this.requests} (${batch.length} services)`);
      const res = await this.limits.send(client, new (cloudWatchSdk().GetMetricDataCommand)({
        MetricDataQueries: queries,
        StartTime: new Date(`${from}T00:00:00Z`),
        EndTime: new Date(`${to}T00:00:00Z`),
        ScanBy: 'TimestampAscending',
        NextToken: token,
      }), { what: `CloudWatch GetMetricData${region ? ` in ${region}` : ''}`, progress, maxAttempts: this.options.maxAttempts ?? MAX_ATTEMPTS });
      for (const result of res.MetricDataResults ?? []) {
        const id = result.Id ?? '';
        const acc = sums.get(id) ?? { sum: 0, count: 0 };
        for (const v of result.Values ?? []) {
          acc.sum += v;
          acc.count++;
        }
        sums.set(id, acc);
      }
      token = pages.next(res.NextToken || undefined);
    } while (token);
    return sums;
  }
}

/** Why usage could not be read: a few words for the cell and the full line for the notes. */
function usageFailure(e: unknown, profile: string | undefined): UsageOutcome {
  const err = e as Error;
  if (err && /Region is missing/i.test(err.message ?? '')) {
    return { short: 'no region', reason: 'CloudWatch usage: no AWS region for CloudWatch: pass --region' };
  }
  if (e instanceof CostDataError && !(e as { $metadata?: unknown }).$metadata) {
    // a fault of the answers (a repeated page token, too many pages): named as it is
    return { short: /page token/.test(e.message) ? 'repeated page token' : /--max-pages/.test(e.message) ? 'too many pages' : 'error', reason: e.message };
  }
  const mapped = awsError(e, 'CloudWatch GetMetricData (usage for unit cost)', { profile, permission: 'cloudwatch:GetMetricData' });
  const name = (err && err.name) || '';
  let short = 'error';
  if (/no AWS credentials/.test(mapped.message)) short = 'no credentials';
  else if (/throttled/.test(mapped.message)) short = 'throttled';
  else if (/access denied/.test(mapped.message)) short = 'access denied';
  else if (/expired/.test(mapped.message)) short = 'session expired';
  else if (name) short = name;
  return { short, reason: mapped.message.split(/\r?\n/)[0] };
}

/**
 * One usage request per declared service with a unit metric and cost reporting on (only then does a publisher
 * write its usage); merged over stages, the first declaration's region is used.
 */
export function usageRequests(set: AssemblySet): UsageRequest[] {
  const out = new Map<string, UsageRequest>();
  for (const d of set.services) {
    if (out.has(d.record.serviceName) || !unitLabel(d) || !d.record.costReporting.enabled) {
      continue;
    }
    out.set(d.record.serviceName, {
      service: d.record.serviceName,
      namespace: d.record.costReporting.metricNamespace ?? USAGE_NAMESPACE,
      metricName: d.record.costReporting.unitUsageMetricName ?? UNIT_USAGE_METRIC,
      statistic: d.record.costReporting.metricStatistic ?? DAILY_STATISTIC,
      region: d.region,
    });
  }
  return [...out.values()];
}
