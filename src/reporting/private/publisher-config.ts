import { CostPublisherOutcome } from '../cost-publisher-outcome';

/**
 * The configuration the cost publisher Lambda receives as the input of its scheduled event (built at synth by
 * `CostMetricPublisher`, resolved by CloudFormation at deploy so that usage-metric dimensions holding tokens
 * arrive as real names). Shared by the construct (writer) and the handler (reader).
 */
export const PUBLISHER_CONFIG_VERSION = 1;

/**
 * What a run of the cost publisher found: the values of `CostPublisherOutcome` (the one list, public for the metric
 * methods), as the function writes them.
 */
export type PublisherOutcome = `${CostPublisherOutcome}`;

export const PUBLISHER_OUTCOMES: readonly PublisherOutcome[] = Object.values(CostPublisherOutcome);

/**
 * How many days back (today excluded) the publisher re-publishes. CloudWatch accepts data points up to two
 * weeks old; a day's timestamp is its 00:00 UTC, so 13 days keeps every data point inside that limit
 * whatever the hour of the run.
 */
export const REPUBLISH_DAYS = 13;

/**
 * One CloudWatch metric (`MetricStat`), with every dimension resolved at deploy. Short keys: the whole
 * configuration must fit the 8 192 characters of an EventBridge target input.
 */
export interface MetricStatSpec {
  /** Namespace. */
  readonly ns: string;
  /** Metric name. */
  readonly name: string;
  /** Dimension name -> value. */
  readonly dims?: Record<string, string>;
  /** Statistic (`Sum`, `Average`, `p99`...). */
  readonly stat: string;
  /** The account the metric lives in (cross-account observability), when not the publisher's. */
  readonly account?: string;
}

/** The unit metric of a service: a metric, or a math expression over metrics. */
export interface UsageQuerySpec {
  /** Set for a plain metric. */
  readonly metric?: MetricStatSpec;
  /** Set for a math expression (the metrics it uses are in `using`). */
  readonly expression?: string;
  readonly using?: Record<string, MetricStatSpec>;
  /** The region the metric lives in, when it is not the publisher's. */
  readonly region?: string;
}

export interface PublishedService {
  /** Service name (tag value). */
  readonly name: string;
  /** The unit metric, for the unit cost. */
  readonly unit?: UsageQuerySpec;
  /** Unit cost per this many units. */
  readonly unitScale?: number;
  /** Days in each window of the unit-cost change (set when the service has a unit-cost alarm). */
  readonly compareDays?: number;
  /** `region`: the service's cost is its cost in the stack's region (CostScope.REGION); absent: the account's. */
  readonly scope?: 'region';
}

/** The tag keys the publisher groups by (raw keys, no `user:` prefix: Cost Explorer's GroupBy takes the raw key). */
export interface PublisherTagKeys {
  readonly service: string;
  readonly team: string;
  readonly businessUnit: string;
}

export interface PublisherConfig {
  readonly version: number;
  readonly tagKeys: PublisherTagKeys;
  readonly namespace: string;
  readonly republishDays: number;
  readonly stackName: string;
  /** The stack's region, for services whose cost is counted per region. */
  readonly region?: string;
  /** The services of the publisher's stack with reporting on: they get per-service metrics. */
  readonly services: PublishedService[];
}
