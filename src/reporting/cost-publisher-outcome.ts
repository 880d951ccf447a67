/**
 * What a run of the cost publisher found (the `Outcome` dimension of its `PublisherRuns` metric): read with
 * `CostMetricPublisher.metricRuns(outcome)`. The publisher function writes these values, the metric methods read them:
 * one list.
 */
export enum CostPublisherOutcome {
  /** Cost data points were written. */
  PUBLISHED = 'published',
  /** Cost Explorer returned no cost. */
  NO_DATA = 'no-data',
  /** A tag key is not an active cost allocation tag. */
  INACTIVE_TAG_KEY = 'inactive-tag-key',
  /** Cost Explorer has no data yet. */
  DATA_UNAVAILABLE = 'data-unavailable',
  /** A unit metric could not be read. */
  USAGE_UNREADABLE = 'usage-unreadable',
  /** The role may not call Cost Explorer (e.g. Cost Explorer access is off for member accounts). */
  ACCESS_DENIED = 'access-denied',
  /** Any other failure. */
  ERROR = 'error',
}
