import { Allocation } from './cost-allocation';
import { Customer } from './customer';
import { CostReportingOptions } from './reporting/cost-reporting-options';
import { TagKeys } from './tag-keys';
import { ValueReview } from './value-review';

/**
 * The declaration of a customer service.
 */
export interface CustomerServiceProps {
  /**
   * The customer need this service fulfils, as a sentence of at least three words
   * (e.g. "Shoppers pay for their basket in one step").
   *
   * Any text is accepted; the `customer-need` tag carries a tag-safe form derived from it
   * (see the README, "How the need becomes a tag value").
   */
  readonly customerNeed: string;

  /**
   * Who the customer is: `Customer.external('Online shoppers')` or `Customer.internal('Finance controlling')`.
   */
  readonly customer: Customer;

  /**
   * The joint development-and-operations team that owns the service.
   *
   * Used as-is as a tag value and a cost category value: 1-50 ASCII letters, digits, spaces, `_` and `-`,
   * starting with a letter or digit. When the context `customer-value:teams` lists the known teams, it must
   * be one of them.
   */
  readonly team: string;

  /**
   * The business unit that reviews the value this service delivers.
   *
   * Used as-is as a tag value and a cost category value: 1-50 ASCII letters, digits, spaces, `_` and `-`,
   * starting with a letter or digit. When the context `customer-value:businessUnits` lists the known units,
   * it must be one of them.
   */
  readonly businessUnit: string;

  /**
   * The service's name: the value of the `customer-service` tag and the key of its budget, dashboard,
   * cost metrics and reports. Unique within an app (or stage).
   *
   * 1-50 ASCII letters, digits, `_` and `-`, starting with a letter or digit.
   *
   * @default - the construct id in kebab-case (`OrderHistory` becomes `order-history`)
   */
  readonly serviceName?: string;

  /**
   * When the business unit reviews the service's value. An overdue review is a warning, or an error when
   * the context `customer-value:strictReviews` is true.
   *
   * @default - no review schedule is recorded
   */
  readonly valueReview?: ValueReview;

  /**
   * Cost and usage reporting for the service (budget and alerts, dashboard, daily cost metric, unit cost).
   *
   * @default - reporting on: an auto-adjusting budget, a dashboard and the daily cost metric; budget alerts
   * need a target (`notify`), without one the budget has no notifications and a warning says so
   */
  readonly costReporting?: CostReportingOptions;

  /**
   * How this service passes its cost on to the services that consume it (`consumes()`), when it is a provider
   * (a platform network, a data platform, a delivery pipeline): `Allocation.proportional()` by the consumers'
   * direct cost, `Allocation.even()`, or `Allocation.fixed({ checkout: 60, search: 40 })`. A service that also
   * fulfils a need of its own names itself in a fixed allocation to keep that share.
   *
   * The `customer-value cost --allocate` report passes the cost on by this rule; `CustomerValueCostCategories` can
   * reproduce it as split charge rules.
   *
   * @default Allocation.proportional()
   */
  readonly costAllocation?: Allocation;

  /**
   * CloudFormation resource types that get no customer-value tags (e.g. `AWS::AppRunner::Service`).
   *
   * For types whose tags are create-only, a change of the service's tags (a renamed team or business unit, a
   * reworded need) replaces the resource; synthesis warns about each such resource
   * (`cdk-customer-value:CustomerService.createOnlyTags`). Acknowledge the warning to keep the tags, or list the
   * type here: its resources then carry no customer-value tags and their cost counts as untagged. The service's
   * metadata counts them per type as excluded.
   *
   * @default - every taggable resource is tagged
   */
  readonly excludeResourceTypes?: string[];

  /**
   * The tag keys. Set them once per app instead, with the `customer-value:tagKeys` context or
   * `TagKeys.useForApp()`; when given here they must match the app's keys.
   *
   * @default TagKeys.of(this)
   */
  readonly tagKeys?: TagKeys;
}
