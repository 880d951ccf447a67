/**
 * The `customer-value:service` cloud-assembly metadata: what a `CustomerService` records about itself,
 * and what the `customer-value` CLI and pipelines read back from `cdk.out` without re-running the app.
 *
 * This file is the single definition of that record, shared by the construct (writer) and the CLI (reader).
 * Bump `SERVICE_METADATA_SCHEMA` on incompatible changes.
 */
export const SERVICE_METADATA_TYPE = 'customer-value:service';
export const MEMBER_METADATA_TYPE = 'customer-value:member';
export const SERVICE_METADATA_SCHEMA = 1;

export interface TagKeyNames {
  readonly service: string;
  readonly need: string;
  readonly customer: string;
  readonly team: string;
  readonly businessUnit: string;
}

export interface ServiceResourceCounts {
  /** Every CloudFormation resource in the service (its subtree and included scopes). */
  readonly total: number;
  /** Resources whose type supports tags. */
  readonly taggable: number;
  /** Taggable resources that carry all five customer-value tags with the declared values. */
  readonly tagged: number;
  /** Resources whose type does not support tags, by CloudFormation type. */
  readonly untaggableByType: Record<string, number>;
  /** Taggable resources left untagged on purpose (`excludeResourceTypes`), by CloudFormation type. */
  readonly excludedByType?: Record<string, number>;
  /** Tagged resources whose tags are create-only (a tag change replaces them), by CloudFormation type. */
  readonly createOnlyTagsByType?: Record<string, number>;
}

export interface UsageMetricRecord {
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: string;
  readonly periodSeconds: number;
  /** `declared` (addUsageMetric) or `discovered` (from the service's resources). */
  readonly origin: 'declared' | 'discovered';
  /** The CloudWatch region/account the metric lives in, when known at synth. */
  readonly region?: string;
  readonly account?: string;
}

export interface CostReportingRecord {
  readonly enabled: boolean;
  /** Why reporting is disabled, when it is. */
  readonly disabledReason?: string;
  /** Fixed monthly budget in USD; absent for an auto-adjusting budget. */
  readonly monthlyBudgetUsd?: number;
  /** The budget's name; absent when another deployment of the service keeps the budget (`budgetOwnerStack`). */
  readonly budgetName?: string;
  /** `account` (every deployment in the account) or `region` (those in the stack's region). */
  readonly costScope?: 'account' | 'region';
  /** The construct path of the stack whose deployment of the service keeps the one budget they share. */
  readonly budgetOwnerStack?: string;
  readonly dashboardName?: string;
  /** `service` (a dashboard of its own) or `stack` (a section of its stack's dashboard, shared with other services). */
  readonly dashboardLayout?: 'service' | 'stack';
  /** The usage metric that is the unit of the unit-cost metric. */
  readonly unitMetric?: string;
  /** Per how many units the unit cost is expressed (e.g. 1000 for "per 1 000 orders"). */
  readonly unitScale?: number;
  readonly metricNamespace?: string;
  /** `fixed` (monthlyBudgetUsd) or `auto-adjusting`. */
  readonly budgetKind?: 'fixed' | 'auto-adjusting';
  /** Months the auto-adjusting budget averages. */
  readonly autoAdjustMonths?: number;
  /** The budget alerts: type `ACTUAL` or `FORECASTED`, threshold in percent of the budget. */
  readonly alerts?: { readonly type: string; readonly thresholdPercent: number }[];
  /** How many alert targets of each kind (addresses are not recorded). */
  readonly alertTargets?: { readonly emails: number; readonly topics: number };
  /** The unit-cost alarm, when set. */
  readonly unitCostAlarm?: { readonly increasePercent: number; readonly comparePeriodDays: number };
  /** Metric names in `metricNamespace` (dimension `ServiceName`), read with `metricStatistic` over one day. */
  readonly costMetricName?: string;
  readonly unitCostMetricName?: string;
  readonly unitUsageMetricName?: string;
  readonly metricStatistic?: string;
  /** Construct path of the stack's cost publisher. */
  readonly publisherPath?: string;
}

export interface ValueReviewRecord {
  readonly everyDays: number;
  readonly lastReviewed: string;
  readonly nextReview: string;
  readonly reviewer?: string;
  /** `ok`, `due-soon`, `overdue` as of `checkedOn`. */
  readonly status: string;
  readonly checkedOn: string;
  /** What the last review decided: `invest`, `sustain`, `improve` or `retire` (`ValueReviewOutcome.name`). */
  readonly outcome?: string;
  /** The note on the last review, as declared. */
  readonly note?: string;
  /** When the last outcome is `retire`: the date by which the service should be gone (review date + grace period). */
  readonly retireBy?: string;
}

/** How a provider shares its cost with the services that consume it, as declared (`costAllocation`). */
export interface CostAllocationRecord {
  /** `proportional` (by the consumers' direct cost), `even` or `fixed`. */
  readonly method: 'proportional' | 'even' | 'fixed';
  /** Percentages of a fixed allocation, keyed by service name (the provider's own name: the share it keeps). */
  readonly percentages?: Record<string, number>;
}

export interface ServiceDeclarationRecord {
  readonly schemaVersion: number;
  readonly serviceName: string;
  /** The need statement exactly as declared. */
  readonly customerNeed: string;
  readonly customer: { readonly kind: string; readonly name: string };
  readonly team: string;
  readonly businessUnit: string;
  readonly valueReview?: ValueReviewRecord;
  readonly tagKeys: TagKeyNames;
  /** Tag key → tag value, as applied to every taggable resource. */
  readonly tags: Record<string, string>;
  readonly resources: ServiceResourceCounts;
  readonly costReporting: CostReportingRecord;
  readonly usageMetrics: UsageMetricRecord[];
  /** Construct path of the service. */
  readonly constructPath: string;
  /** Stack the service is declared in. */
  readonly stackName: string;
  /** Construct paths of scopes added with `include()`. */
  readonly includedScopes: string[];
  /**
   * Names of the services this one consumes (`consumes()`), in the order declared; absent in records written before
   * the value chain existed (read as none).
   */
  readonly consumes?: string[];
  /** Names of the services of the same app (stage) that consume this one. */
  readonly consumedBy?: string[];
  /**
   * The cost allocation, when the service declares one (`costAllocation`); absent: proportional, and the service is
   * a provider only if some service consumes it.
   */
  readonly costAllocation?: CostAllocationRecord;
}

export interface MemberRecord {
  readonly serviceName: string;
  /** Construct path of the service the scope was included into. */
  readonly servicePath: string;
}

/**
 * The declarations `ValueReviewReports` ships to its function (an S3 asset written at synth): the records of the
 * services it reviews, without the resource counts (known only once synthesis has tagged the resources).
 */
export interface ShippedDeclarations {
  readonly schemaVersion: number;
  readonly tagKeys: TagKeyNames;
  readonly services: ShippedDeclaration[];
}

/** A service's record as shipped: no resource counts, and the review without its status (computed on the review date). */
export type ShippedDeclaration = Omit<ServiceDeclarationRecord, 'resources' | 'valueReview'> & {
  readonly valueReview?: Omit<ValueReviewRecord, 'status' | 'checkedOn'>;
};
