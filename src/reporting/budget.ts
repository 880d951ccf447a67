import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BudgetAlert } from './budget-alert';
import { CostScope } from './cost-reporting-options';
import type { ICustomerService } from '../customer-service-base';
import { ResolvedReporting } from './options-check';
import { accountUniqueName, AccountUniqueName } from './private/names';
import { sha256 } from '../private/tag-safe';

/*
 * The budget of a customer service: a monthly COST budget filtered to the service's tag.
 *
 * The tag filter is the legacy `CostFilters` form, `{"TagKeyValue": ["user:customer-service$checkout"]}`, with
 * `CostTypes`: the form AWS documents (AWS CLI `create-budget` example) and the one known to work. Its one trap, a
 * missing `user:` prefix that makes the budget track $0 without any error, is closed because the prefix is always
 * written (a test pins the exact filter). The newer `FilterExpression` + `Metrics` pair is what AWS recommends since
 * `CostFilters` was deprecated (2025-04-18), but whether its `Tags.Key` takes the raw key or the `user:` form is
 * undocumented, and a wrong guess also tracks $0 silently; the two pairs cannot be mixed. Switching needs a deployed
 * test that shows which form reports non-zero actuals. `CostTypes` leaves credits and refunds out (the budget follows
 * what the service consumes, like the `CustomerValue` cost metric) and keeps unblended cost.
 *
 * Name: `<service>-<stack>-<region>-<notifications>`, at most 100 characters, unique in the account, stable across
 * deployments and free of the amount, so a new amount updates the budget in place. Notifications are create-only in
 * CloudFormation and the replacement is created before the old budget is deleted: the last part, 8 hex digits of a
 * hash of the alerts and subscribers, changes with them so the replacement never collides with the old name.
 */

const MAX_BUDGET_NAME = 100;

/**
 * The budget's `CostFilters` for a service: `{"TagKeyValue": ["user:<tag key>$<service name>"]}`, and with a region
 * `"Region": ["<region>"]` as well (CostFilters keys are combined with AND; `Region` is one of the documented keys:
 * Budgets API reference, `Budget.CostFilters`).
 */
export function budgetCostFilters(tagKey: string, serviceName: string, region?: string): Record<string, string[]> {
  return { TagKeyValue: [`user:${tagKey}$${serviceName}`], ...(region !== undefined ? { Region: [region] } : {}) };
}

/** The budget created for a service. */
export interface ServiceBudget {
  readonly budget: budgets.CfnBudget;
  readonly name: AccountUniqueName;
}

/** Creates the service's budget as `Budget` in `scope`, with its alerts to the resolved targets. */
export function createServiceBudget(scope: Construct, service: ICustomerService, options: ResolvedReporting): ServiceBudget {
  const { emails, topic, alerts } = options;
  const subscribers: budgets.CfnBudget.SubscriberProperty[] = [
    ...emails.map((address) => ({ subscriptionType: 'EMAIL', address })),
    ...(topic ? [{ subscriptionType: 'SNS', address: topic.topicArn }] : []),
  ];
  const notified = subscribers.length > 0 && alerts.length > 0;
  if (subscribers.length === 0 && alerts.length > 0) {
    Annotations.of(scope).addWarningV2('cdk-customer-value:CostReporting.noAlertTarget',
      `The budget of "${service.serviceName}" has no alert target, so it is created without its ${alerts.length} alert(s) (${alerts.map((a) => a.toString()).join(', ')}): a budget notification needs at least one subscriber. Add costReporting.notify: [CostAlertTarget.email(...)] or [CostAlertTarget.topic(...)].`);
  }
  const fingerprint = notificationsFingerprint(notified ? alerts : [], notified ? emails : [], notified ? topicIdentity(topic) : undefined);
  const name = accountUniqueName(service.serviceName, Stack.of(scope), MAX_BUDGET_NAME, `-${fingerprint}`);
  const budget = new budgets.CfnBudget(scope, 'Budget', {
    budget: {
      budgetName: name.name,
      budgetType: 'COST',
      timeUnit: 'MONTHLY',
      ...(options.fixedBudget !== undefined
        ? { budgetLimit: { amount: options.fixedBudget, unit: 'USD' } }
        : { autoAdjustData: { autoAdjustType: 'HISTORICAL', historicalOptions: { budgetAdjustmentPeriod: options.autoAdjustMonths } } }),
      costFilters: budgetCostFilters(service.tagKeys.service, service.serviceName,
        options.costScope === CostScope.REGION ? Stack.of(scope).region : undefined),
      costTypes: {
        includeCredit: false,
        includeRefund: false,
        useAmortized: false,
        useBlended: false,
      },
    },
    notificationsWithSubscribers: !notified ? undefined : alerts.map((a) => ({
      notification: {
        notificationType: a.type,
        comparisonOperator: 'GREATER_THAN',
        threshold: a.thresholdPercent,
        thresholdType: 'PERCENTAGE',
      },
      subscribers,
    })),
  });
  return { budget, name };
}

/** A topic by its ARN, or by its construct path when the ARN is a token (its logical id follows the path). */
function topicIdentity(topic: sns.ITopic | undefined): string | undefined {
  if (!topic) {
    return undefined;
  }
  return Token.isUnresolved(topic.topicArn) ? `construct:${topic.node.path}` : topic.topicArn;
}

/** 8 hex digits identifying a budget's notifications: each alert (type and threshold) and each subscriber, in order. */
function notificationsFingerprint(alerts: BudgetAlert[], emails: string[], topic: string | undefined): string {
  return sha256(JSON.stringify({
    alerts: alerts.map((a) => [a.type, a.thresholdPercent]),
    emails,
    topic: topic ?? null,
  })).slice(0, 8);
}
