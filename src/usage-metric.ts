import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * Options for a usage metric of a customer service.
 */
export interface UsageMetricOptions {
  /**
   * Use this metric as the unit of the unit-cost metric (cost per order, per request...).
   *
   * @default - the first usage metric added is the unit, unless another one sets `unit: true`
   */
  readonly unit?: boolean;

  /**
   * Express the unit cost per this many units (e.g. 1000 for "cost per 1 000 orders").
   *
   * @default 1
   */
  readonly unitScale?: number;
}

/**
 * A usage metric registered on a customer service.
 */
export interface UsageMetric {
  /** Name of the metric, e.g. "orders". */
  readonly name: string;
  /** The CloudWatch metric counting the service's demand. */
  readonly metric: cloudwatch.IMetric;
  /** Whether this metric is the unit of the unit-cost metric. */
  readonly unit: boolean;
  /** Unit cost is expressed per this many units. */
  readonly unitScale: number;
}
