/**
 * The service's budget (AWS::Budgets::Budget). AWS facts: ../shared/reference/aws-cost-facts.md §2 and
 * schemas/budgets-budget.json.
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CustomerService } from '../../src/customer-service';
import { BudgetAlert } from '../../src/reporting/budget-alert';
import { CostAlertTarget } from '../../src/reporting/cost-alert-target';
import { ServiceCostReporting } from '../../src/reporting/service-cost-reporting';
import { testApp } from '../util';
import { DECLARATION, ENV, fixture, only } from './helpers';

describe('the tag filter', () => {
  test('is exactly CostFilters {"TagKeyValue": ["user:customer-service$checkout"]} with CostTypes, and no FilterExpression or Metrics', () => {
    // GIVEN / WHEN
    const { stack } = fixture({ monthlyBudget: 500 });

    // THEN the pinned filter: the documented legacy form WITH the "user:" prefix (without it a budget tracks $0
    // silently, aws-cost-facts §2), paired with CostTypes (CostFilters/CostTypes and FilterExpression/Metrics
    // must not be mixed)
    const budget = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget;
    expect(budget.CostFilters).toStrictEqual({ TagKeyValue: ['user:customer-service$checkout'] });
    expect(budget.CostTypes).toStrictEqual({ IncludeCredit: false, IncludeRefund: false, UseAmortized: false, UseBlended: false });
    expect(budget.FilterExpression).toBeUndefined();
    expect(budget.Metrics).toBeUndefined();
    expect(budget.BudgetType).toBe('COST');
    expect(budget.TimeUnit).toBe('MONTHLY');
  });

  test('follows the app\'s tag keys', () => {
    const { stack } = fixture({ monthlyBudget: 500 }, { context: { 'customer-value:tagKeys': { service: 'cv-service' } } });
    const budget = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget;
    expect(budget.CostFilters).toStrictEqual({ TagKeyValue: ['user:cv-service$checkout'] });
  });

  test('ServiceCostReporting.costFilters builds the same filter', () => {
    expect(ServiceCostReporting.costFilters('team', 'payments')).toStrictEqual({ TagKeyValue: ['user:team$payments'] });
  });
});

describe('fixed or auto-adjusting', () => {
  test('a fixed monthly budget sets BudgetLimit in USD and no AutoAdjustData', () => {
    const { stack } = fixture({ monthlyBudget: 1234.5 });
    const budget = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget;
    expect(budget.BudgetLimit).toStrictEqual({ Amount: 1234.5, Unit: 'USD' });
    expect(budget.AutoAdjustData).toBeUndefined();
  });

  test('without monthlyBudget the budget auto-adjusts on 6 months of history, without BudgetLimit', () => {
    // AWS's own example (AWS::Budgets::Budget AutoAdjustData, CloudFormation docs) has no BudgetLimit:
    // CreateBudget accepts exactly one of BudgetLimit, PlannedBudgetLimits and AutoAdjustData.
    const { stack } = fixture();
    const budget = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget;
    expect(budget.AutoAdjustData).toStrictEqual({ AutoAdjustType: 'HISTORICAL', HistoricalOptions: { BudgetAdjustmentPeriod: 6 } });
    expect(budget.BudgetLimit).toBeUndefined();
  });

  test('autoAdjustMonths tunes the adjustment period', () => {
    const { stack } = fixture({ autoAdjustMonths: 12 });
    const budget = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget;
    expect(budget.AutoAdjustData.HistoricalOptions.BudgetAdjustmentPeriod).toBe(12);
  });
});

describe('the budget name', () => {
  /** The last part of the name of a budget without notifications (8 hex digits of SHA-256 of its notifications). */
  const NONE = '15978d66';

  test('is <service>-<stack>-<region>-<notifications>, without the amount: changing the amount keeps the name and the logical id', () => {
    const a = only(Template.fromStack(fixture({ monthlyBudget: 500 }).stack), 'AWS::Budgets::Budget');
    const b = only(Template.fromStack(fixture({ monthlyBudget: 900 }).stack), 'AWS::Budgets::Budget');
    expect(a.props.Budget.BudgetName).toBe(`checkout-Shop-eu-west-1-${NONE}`);
    expect(b.props.Budget.BudgetName).toBe(a.props.Budget.BudgetName);
    expect(b.id).toBe(a.id);
    expect(a.props.Budget.BudgetName).not.toMatch(/500/);
  });

  test('takes the region from the deployment when the stack is environment-agnostic', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { monthlyBudget: 5 } });
    const budget = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget;
    expect(budget.BudgetName).toStrictEqual({ 'Fn::Join': ['', ['checkout-Shop-', { Ref: 'AWS::Region' }, `-${NONE}`]] });
  });

  test('stays within 100 characters, without ":" "\\" or "/action/", for a long stack name', () => {
    const longName = `Shop-${'x'.repeat(120)}`;
    const serviceName = 'payments-checkout-with-a-rather-long-service-name1';
    const { stack } = fixture({ monthlyBudget: 5 }, { stack: { stackName: longName }, declaration: { serviceName } });
    const name: string = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget.BudgetName;
    expect(serviceName).toHaveLength(50);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name).toMatch(new RegExp(`^payments-checkout-with-a-rather-long-service-name1-Shop-x+-[0-9a-f]{8}-eu-west-1-${NONE}$`));
    expect(name).not.toMatch(/[:\\]|\/action\//);
  });

  test('differs between the same stack deployed to two regions of one account (budgets are per account)', () => {
    const names = ['eu-west-1', 'us-east-1'].map((region) => {
      const { stack } = fixture({ monthlyBudget: 5 }, { stack: { env: { ...ENV, region } } });
      return only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget.BudgetName;
    });
    expect(names).toEqual([`checkout-Shop-eu-west-1-${NONE}`, `checkout-Shop-us-east-1-${NONE}`]);
  });

  test('changes with the notifications (create-only: CloudFormation creates the replacement before deleting the old budget)', () => {
    // GIVEN budgets that differ only in their notifications, and one that differs only in its amount
    const name = (costReporting: Parameters<typeof fixture>[0]) => {
      const { stack } = fixture(costReporting);
      return only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget.BudgetName as string;
    };
    const payments = CostAlertTarget.email('payments@example.com');
    const base = name({ monthlyBudget: 100, notify: [payments] });
    const variants = [
      name({ monthlyBudget: 100, notify: [payments, CostAlertTarget.email('lead@example.com')] }),
      name({ monthlyBudget: 100, notify: [payments], alerts: [BudgetAlert.actual(90)] }),
      name({ monthlyBudget: 100, notify: [payments], alerts: [BudgetAlert.forecast(80), BudgetAlert.actual(80), BudgetAlert.actual(100)] }),
      name({ monthlyBudget: 100 }),
    ];

    // THEN each notification change gives a new name; the same notifications with another amount keep it
    expect(base).toMatch(/^checkout-Shop-eu-west-1-[0-9a-f]{8}$/);
    expect(new Set([base, ...variants]).size).toBe(5);
    expect(name({ monthlyBudget: 250, notify: [payments] })).toBe(base);
    expect(name({ notify: [payments] })).toBe(base);
  });

  test('changes when the alert topic is another topic, not when the same topic is synthesized again', () => {
    const build = (topicId: string) => {
      const app = testApp();
      const stack = new Stack(app, 'Shop', { env: ENV });
      const topic = new sns.Topic(stack, topicId, { enforceSSL: true });
      new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { monthlyBudget: 5, notify: [CostAlertTarget.topic(topic)] } });
      return only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.Budget.BudgetName as string;
    };
    expect(build('Alerts')).toBe(build('Alerts'));
    expect(build('Alerts')).not.toBe(build('CostAlerts'));
  });
});

describe('notifications', () => {
  test('default alerts: actual 80 %, actual 100 %, forecast 100 %, each to every target', () => {
    // GIVEN two e-mail addresses
    const { stack } = fixture({ monthlyBudget: 500, notify: [CostAlertTarget.email('payments@example.com'), CostAlertTarget.email('lead@example.com')] });

    // THEN
    const n = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.NotificationsWithSubscribers;
    const subscribers = [
      { SubscriptionType: 'EMAIL', Address: 'payments@example.com' },
      { SubscriptionType: 'EMAIL', Address: 'lead@example.com' },
    ];
    expect(n).toStrictEqual([
      { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' }, Subscribers: subscribers },
      { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' }, Subscribers: subscribers },
      { Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' }, Subscribers: subscribers },
    ]);
  });

  test('custom alerts, and a topic as the one SNS subscriber', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const topic = new sns.Topic(stack, 'Alerts', { enforceSSL: true });
    new CustomerService(stack, 'Checkout', {
      ...DECLARATION,
      costReporting: { monthlyBudget: 500, notify: [CostAlertTarget.topic(topic)], alerts: [BudgetAlert.actual(50), BudgetAlert.forecast(120.5)] },
    });
    const n = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.NotificationsWithSubscribers;
    expect(n.map((x: any) => [x.Notification.NotificationType, x.Notification.Threshold])).toEqual([['ACTUAL', 50], ['FORECASTED', 120.5]]);
    expect(n[0].Subscribers).toStrictEqual([{ SubscriptionType: 'SNS', Address: { Ref: stack.getLogicalId(topic.node.defaultChild as CfnElement) } }]);
  });

  test('without targets: no notifications (each needs a subscriber) and an acknowledgeable warning', () => {
    const { stack } = fixture({ monthlyBudget: 500 });
    const budget = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props;
    expect(budget.NotificationsWithSubscribers).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/Shop/Checkout/CostReporting',
      Match.stringLikeRegexp('has no alert target, so it is created without its 3 alert\\(s\\) \\(actual > 80 %, actual > 100 %, forecast > 100 %\\).*\\[ack: cdk-customer-value:CostReporting.noAlertTarget\\]'));
  });

  test('alerts: [] means no notifications and no warning', () => {
    const { stack } = fixture({ monthlyBudget: 500, alerts: [] });
    expect(only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.NotificationsWithSubscribers).toBeUndefined();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('noAlertTarget'));
  });

  test('the budget carries the service\'s tags', () => {
    const { stack } = fixture({ monthlyBudget: 500 });
    const tags = only(Template.fromStack(stack), 'AWS::Budgets::Budget').props.ResourceTags;
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'customer-service', Value: 'checkout' }, { Key: 'team', Value: 'payments' }]));
  });
});
