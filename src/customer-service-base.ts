import { IConstruct } from 'constructs';
import { Customer } from './customer';
import { ICustomerServiceRef } from './service-ref';
import { TagKeys } from './tag-keys';
import { UsageMetric } from './usage-metric';
import { ValueReview, ValueReviewStatus } from './value-review';

/**
 * A customer service, as the constructs that serve it see it: its declaration (need, customer, team, business
 * unit, review), the tags it puts on its resources and its usage metrics.
 *
 * Implemented by `CustomerService`. Cost reporting, the cost metric publisher and governance read a service
 * through this interface; they never change it.
 */
export interface ICustomerService extends IConstruct, ICustomerServiceRef {
  /** The customer need statement, as declared. */
  readonly customerNeed: string;
  /** The tag value derived from the need statement. */
  readonly needTagValue: string;
  /** The customer. */
  readonly customer: Customer;
  /** The owning team. */
  readonly team: string;
  /** The business unit that reviews the service's value. */
  readonly businessUnit: string;
  /** The tag keys in use. */
  readonly tagKeys: TagKeys;
  /** The five customer-value tags (key to value) the service puts on every taggable resource. */
  readonly tagValues: Record<string, string>;
  /**
   * The value review schedule.
   * @default - no review schedule
   */
  readonly valueReview?: ValueReview;
  /** Where the service stands against its value review schedule. */
  readonly valueReviewStatus: ValueReviewStatus;
  /**
   * The date of the next value review (`YYYY-MM-DD`).
   * @default - no review schedule
   */
  readonly nextValueReview?: string;
  /** The usage metrics registered with `addUsageMetric`. */
  readonly usageMetrics: UsageMetric[];
  /**
   * The usage metric that is the unit of the unit-cost metric.
   * @default - no usage metric
   */
  readonly unitMetric?: UsageMetric;
  /** CloudFormation resource types of the service that get no customer-value tags. */
  readonly excludedResourceTypes: string[];
  /** Scopes outside the service's subtree made part of it with `include()`. */
  readonly includedScopes: IConstruct[];
}
