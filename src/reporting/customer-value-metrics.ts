import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DIMENSIONS, METRIC_NAMES, METRIC_NAMESPACE } from '../private/metric-names';

/**
 * The metrics the daily cost publisher writes to the `CustomerValue` CloudWatch namespace.
 *
 * Each data point is one day (timestamp = the cost day, 00:00 UTC) and the publisher writes the last days
 * again on every run while Cost Explorer data settles; read them with the `Maximum` statistic over one day
 * (what these helpers return): writing the same day again then changes nothing, and a value that grew as late
 * usage arrived replaces the earlier one. (`Sum` and `SampleCount` would count a day once per run, and
 * `Average` would mix early and settled values.)
 *
 * Cost is the daily unblended cost in USD without credits and refunds, as Cost Explorer reports it
 * (about a day late).
 */
export class CustomerValueMetrics {
  /** The CloudWatch namespace: `CustomerValue`. */
  public static readonly NAMESPACE: string = METRIC_NAMESPACE;
  /** `Cost`: daily cost in USD; dimension `ServiceName`, `Team` or `BusinessUnit`. */
  public static readonly COST: string = METRIC_NAMES.cost;
  /** `UnitUsage`: daily usage of a service's unit metric; dimension `ServiceName`. */
  public static readonly UNIT_USAGE: string = METRIC_NAMES.unitUsage;
  /** `UnitCost`: daily cost per `unitScale` units of the unit metric, USD; dimension `ServiceName`. */
  public static readonly UNIT_COST: string = METRIC_NAMES.unitCost;
  /** `UnitCostChange`: percent change of the unit cost over the comparison period; dimension `ServiceName`. */
  public static readonly UNIT_COST_CHANGE: string = METRIC_NAMES.unitCostChange;
  /** Dimension holding the service name. */
  public static readonly SERVICE_DIMENSION: string = DIMENSIONS.service;
  /** Dimension holding the team. */
  public static readonly TEAM_DIMENSION: string = DIMENSIONS.team;
  /** Dimension holding the business unit. */
  public static readonly BUSINESS_UNIT_DIMENSION: string = DIMENSIONS.businessUnit;

  /** Daily cost of a service, USD. */
  public static serviceCost(serviceName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return daily(METRIC_NAMES.cost, DIMENSIONS.service, serviceName, `Cost of ${serviceName} (USD)`, options);
  }

  /** Daily cost of a team: all the cost tagged with the team in the account, USD. */
  public static teamCost(team: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return daily(METRIC_NAMES.cost, DIMENSIONS.team, team, `Cost of team ${team} (USD)`, options);
  }

  /** Daily cost of a business unit: all the cost tagged with the business unit in the account, USD. */
  public static businessUnitCost(businessUnit: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return daily(METRIC_NAMES.cost, DIMENSIONS.businessUnit, businessUnit, `Cost of business unit ${businessUnit} (USD)`, options);
  }

  /** Daily usage of a service's unit metric, as published by the cost publisher. */
  public static unitUsage(serviceName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return daily(METRIC_NAMES.unitUsage, DIMENSIONS.service, serviceName, `Unit usage of ${serviceName}`, options);
  }

  /** Daily unit cost of a service (USD per `unitScale` units), as published by the cost publisher. */
  public static unitCost(serviceName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return daily(METRIC_NAMES.unitCost, DIMENSIONS.service, serviceName, `Unit cost of ${serviceName} (USD)`, options);
  }

  /** Percent change of a service's unit cost over its comparison period (published for services with a unit-cost alarm). */
  public static unitCostChange(serviceName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return daily(METRIC_NAMES.unitCostChange, DIMENSIONS.service, serviceName, `Unit cost change of ${serviceName} (%)`, options);
  }

  private constructor() {}
}

function daily(metricName: string, dimension: string, value: string, label: string, options: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { [dimension]: value },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.days(1),
    label,
    ...options,
  });
}
