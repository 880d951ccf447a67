import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BudgetAlert } from './budget-alert';
import { CostAlertTarget } from './cost-alert-target';

/**
 * What a service's budget and daily cost metric count. Cost allocation tags cannot tell two deployments of a service
 * in one account apart (a Beta and a Prod stage, or several regions): the tag `customer-service=checkout` is on all
 * of them.
 */
export enum CostScope {
  /**
   * Every deployment of the service in the account: one budget per service and account (created by the deployment
   * whose stack comes first in construct-path order), and the cost metric and dashboards show the account's total.
   */
  ACCOUNT = 'ACCOUNT',
  /**
   * The deployments of the service in the stack's region: one budget per service, account and region, filtered by
   * region as well as by the service tag; the cost metric is the region's. Costs AWS bills without a region (global
   * services) are then left out.
   */
  REGION = 'REGION',
}

/**
 * Where a service's dashboard lives. A CloudWatch dashboard is billed per month (beyond the account's first three), so
 * one dashboard per stack costs less than one per service when stacks hold several services.
 */
export enum DashboardLayout {
  /** One dashboard per service, inside the service (`<service>-<stack>-<region>`). */
  SERVICE = 'SERVICE',
  /**
   * One dashboard per stack (`customer-value-<stack>-<region>`, at the stack's root) with a section per service of
   * the stack that chose this layout.
   */
  STACK = 'STACK',
}

/**
 * When the unit-cost alarm goes off: the unit cost (cost per unit of the service's unit usage metric) of the
 * last period rose by more than `increasePercent` against the period before.
 */
export interface UnitCostAlarmOptions {
  /**
   * Alarm when the unit cost rose by more than this many percent (greater than 0, at most 1 000 000).
   * @default 20
   */
  readonly increasePercent?: number;

  /**
   * The comparison period: the unit cost of the last period (whole days, 1 to 30) against the period before
   * (e.g. `Duration.days(7)` for week over week).
   * @default Duration.days(7)
   */
  readonly comparePeriod?: Duration;
}

/**
 * Cost and usage reporting of a customer service: a monthly budget with alerts, a CloudWatch dashboard,
 * the daily cost metric and the unit cost.
 *
 * Reporting is on by default; `CostReporting.disabled(reason)` turns it off (sandboxes, tests).
 */
export interface CostReportingOptions {
  /**
   * Whether cost and usage reporting is wired up for the service.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Why reporting is disabled (recorded in the cloud assembly and shown by the `customer-value` CLI and
   * the `CustomerValueChecks` pack). Only meaningful with `enabled: false`.
   * @default - no reason recorded
   */
  readonly disabledReason?: string;

  /**
   * A fixed monthly budget in USD, from 0.01 to 1 000 000 000 000 (1e12).
   *
   * Changing the amount updates the budget in place (the budget name never contains the amount).
   * @default - an auto-adjusting budget: the average monthly cost of the last `autoAdjustMonths` months
   */
  readonly monthlyBudget?: number;

  /**
   * For the auto-adjusting budget (no `monthlyBudget`): how many past months its amount averages (1 to 12,
   * the `BudgetAdjustmentPeriod` of a MONTHLY budget). A brand-new service has no history: until it has
   * a month of spend, prefer a fixed `monthlyBudget`.
   * @default 6
   */
  readonly autoAdjustMonths?: number;

  /**
   * Who receives the budget alerts (and the unit-cost alarm): `CostAlertTarget.email(...)` (up to 10) and
   * `CostAlertTarget.topic(...)` (at most one: a budget notification has at most one SNS subscriber).
   * @default - no target: the budget is created without notifications (a notification needs a subscriber)
   *   and the warning `cdk-customer-value:CostReporting.noAlertTarget` says so
   */
  readonly notify?: CostAlertTarget[];

  /**
   * The budget alerts (at most 5 per budget).
   *
   * Budget notifications are create-only in CloudFormation: changing the alerts or their targets replaces the
   * budget (its history in the Budgets console starts again).
   * @default - actual > 80 %, actual > 100 %, forecast > 100 % (`BudgetAlert.DEFAULTS`)
   */
  readonly alerts?: BudgetAlert[];

  /**
   * What the budget, the daily cost metric and the dashboard count: every deployment of the service in the account,
   * or only those in the stack's region.
   * @default CostScope.ACCOUNT
   */
  readonly costScope?: CostScope;

  /**
   * Whether to show the service on a CloudWatch dashboard.
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * Whether the service gets a dashboard of its own or a section of its stack's dashboard. A dashboard costs
   * 3 USD a month (beyond the account's first three): for 500 services in 50 stacks, one per stack is 50 dashboards
   * instead of 500, with the same widgets.
   * @default DashboardLayout.STACK
   */
  readonly dashboardLayout?: DashboardLayout;

  /**
   * Alarm when the unit cost regresses (for instance +20 % week over week). Needs a usage metric
   * (`addUsageMetric`); the alarm notifies the `notify` targets.
   * @default - no unit-cost alarm
   */
  readonly unitCostAlarm?: UnitCostAlarmOptions;

  /**
   * Encrypt the service's alert topic with this KMS key (the key policy gets the grants that AWS Budgets,
   * Cost Anomaly Detection and CloudWatch alarms need). The library creates that topic only when an alert
   * needs SNS on its behalf: a unit-cost alarm with e-mail targets.
   * @default - the alert topic, when created, is not encrypted (AWS Budgets cannot publish to a topic
   *   encrypted with the AWS managed `alias/aws/sns` key)
   */
  readonly alertTopicKey?: kms.IKey;
}

/**
 * Helpers for `CostReportingOptions`.
 */
export class CostReporting {
  /**
   * Turn cost and usage reporting off for a service (sandboxes, tests). The reason is recorded.
   * @param reason why reporting is off, e.g. "sandbox account, torn down nightly"
   */
  public static disabled(reason?: string): CostReportingOptions {
    return { enabled: false, disabledReason: reason };
  }

  private constructor() {}
}
