/**
 * The CloudWatch metrics of the customer-value namespace: written by the cost publisher (reporting), drawn by the
 * dashboards and alarms (reporting), read back by the `customer-value` CLI's unit-usage source (cost-data). One
 * contract, so a name cannot drift between the writer and its readers.
 */

/** The CloudWatch namespace every customer-value metric lives in. */
export const METRIC_NAMESPACE = 'CustomerValue';

/** Metric names in the `CustomerValue` namespace. */
export const METRIC_NAMES = {
  /** Daily unblended cost in USD (dimension ServiceName, Team or BusinessUnit); timestamp = the cost day. */
  cost: 'Cost',
  /** Daily usage of the unit metric (dimension ServiceName); timestamp = the day. */
  unitUsage: 'UnitUsage',
  /** Daily cost per `unitScale` units of the unit metric, USD (dimension ServiceName); timestamp = the day. */
  unitCost: 'UnitCost',
  /** Change of the unit cost, percent, over the last comparison period against the one before (dimension ServiceName); timestamp = the run. */
  unitCostChange: 'UnitCostChange',
  /** One data point (1) per run and finding (dimensions Stack and Outcome); timestamp = the run. */
  publisherRuns: 'PublisherRuns',
  /** Daily cost data points the run wrote for the stack's services (dimension Stack); timestamp = the run. */
  costDatapoints: 'CostDatapoints',
} as const;

export const DIMENSIONS = {
  service: 'ServiceName',
  team: 'Team',
  businessUnit: 'BusinessUnit',
  stack: 'Stack',
  outcome: 'Outcome',
} as const;
