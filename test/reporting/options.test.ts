/**
 * Bad cost-reporting input gets a clear error naming the field, the value and what is accepted.
 * Limits: ../shared/reference/aws-cost-facts.md §2 (1 SNS + 10 e-mail subscribers per notification,
 * at most 5 notifications, Threshold 0.1..1e9 in the CFN schema, BudgetAdjustmentPeriod <= 12 for MONTHLY).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CustomerService } from '../../src/customer-service';
import { BudgetAlert } from '../../src/reporting/budget-alert';
import { CostAlertTarget } from '../../src/reporting/cost-alert-target';
import { CostReportingOptions } from '../../src/reporting/cost-reporting-options';
import { testApp } from '../util';
import { DECLARATION } from './helpers';

/** Declares a service with these options; the returned function synthesizes the app (problems are reported at synth). */
function declare(costReporting: CostReportingOptions | Record<string, unknown>): () => void {
  const app = testApp();
  const stack = new Stack(app, 'Shop');
  new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: costReporting as CostReportingOptions });
  return () => app.synth();
}

describe('CostAlertTarget', () => {
  test.each([
    ['not an address', 'payments'],
    ['two addresses', 'a@example.com, b@example.com'],
    ['a line break', 'a@example.com\nBcc: x@example.com'],
    ['no domain dot', 'payments@localhost'],
    ['spaces', 'pay ments@example.com'],
    ['empty', ''],
  ])('email() refuses %s, at synth with the service\'s other problems', (_label, address) => {
    expect(declare({ notify: [CostAlertTarget.email(address)] }))
      .toThrow(`[Shop/Checkout] costReporting.notify[0]: CostAlertTarget.email: address is ${JSON.stringify(address)}: expected one well-formed e-mail address such as "payments@example.com"`);
  });

  test('email() accepts plus-addressing and subdomains', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { notify: [CostAlertTarget.email('cost+payments@mail.example.co.uk')] } });
    const budget = Object.values(Template.fromStack(stack).findResources('AWS::Budgets::Budget'))[0] as any;
    expect(budget.Properties.NotificationsWithSubscribers[0].Subscribers).toEqual([{ SubscriptionType: 'EMAIL', Address: 'cost+payments@mail.example.co.uk' }]);
  });

  test('topic() refuses something that is not a topic', () => {
    expect(declare({ notify: [CostAlertTarget.topic('arn:aws:sns:eu-west-1:111111111111:alerts' as unknown as sns.ITopic)] }))
      .toThrow(/costReporting.notify\[0\]: CostAlertTarget.topic: topic is string: expected an SNS topic/);
  });
});

describe('BudgetAlert', () => {
  test.each([0, 0.05, -1, 1_000_000_001, Infinity, NaN])('refuses %p percent (CFN schema: 0.1 to 1e9)', (p) => {
    expect(declare({ alerts: [BudgetAlert.actual(p)] })).toThrow(/alerts\[0\]: BudgetAlert.actual: percent is .*: expected a number of percent from 0.1 to 1000000000 \(e.g. 80\)/);
    expect(declare({ alerts: [BudgetAlert.forecast(p)] })).toThrow(/BudgetAlert.forecast: percent is/);
  });

  test('the defaults are actual 80 %, actual 100 %, forecast 100 %', () => {
    expect(BudgetAlert.DEFAULTS.map((a) => a.toString())).toEqual(['actual > 80 %', 'actual > 100 %', 'forecast > 100 %']);
  });
});

describe('costReporting options', () => {
  const PREFIX = '[Shop/Checkout] costReporting.';

  test.each<[string, Record<string, unknown>, string]>([
    ['a negative budget', { monthlyBudget: -5 }, 'monthlyBudget is number -5: expected an amount in USD, positive and finite, from 0.01 to 1000000000000 (e.g. 500), or leave it out for an auto-adjusting budget'],
    ['an infinite budget', { monthlyBudget: Infinity }, 'monthlyBudget is number Infinity: expected an amount in USD'],
    ['NaN', { monthlyBudget: NaN }, 'monthlyBudget is number NaN'],
    ['a budget as a string', { monthlyBudget: '500' }, 'monthlyBudget is "500": expected an amount in USD'],
    ['13 months', { autoAdjustMonths: 13 }, 'autoAdjustMonths is number 13: expected a whole number of months from 1 to 12'],
    ['auto-adjust with a fixed budget', { monthlyBudget: 5, autoAdjustMonths: 3 }, 'autoAdjustMonths is number 3 but monthlyBudget is set'],
    ['a reason while enabled', { disabledReason: 'sandbox' }, 'disabledReason is "sandbox" but reporting is enabled: to turn reporting off pass CostReporting.disabled("sandbox")'],
    ['notify not a list', { notify: CostAlertTarget.email('a@example.com') }, 'notify is an object'],
    ['notify with a string', { notify: ['a@example.com'] }, 'notify[0] is "a@example.com": use CostAlertTarget.email("payments@example.com") or CostAlertTarget.topic(topic)'],
    ['alerts with a number', { alerts: [80] }, 'alerts[0] is number 80: use BudgetAlert.actual(80) or BudgetAlert.forecast(100)'],
    ['six alerts', { alerts: [1, 2, 3, 4, 5, 6].map((p) => BudgetAlert.actual(p * 10)) }, 'alerts has 6 alerts: a budget accepts at most 5 notifications'],
    ['a repeated alert', { alerts: [BudgetAlert.actual(80), BudgetAlert.actual(80)] }, 'alerts lists "actual > 80 %" twice'],
    ['dashboard as a string', { dashboard: 'yes' }, 'dashboard is "yes": pass true or false'],
    ['a zero increase', { unitCostAlarm: { increasePercent: 0 } }, 'unitCostAlarm.increasePercent is number 0: expected a percentage greater than 0'],
    ['hours', { unitCostAlarm: { comparePeriod: Duration.hours(36) } }, 'unitCostAlarm.comparePeriod is 1 day 12 hours: expected whole days from 1 to 30'],
    ['31 days', { unitCostAlarm: { comparePeriod: Duration.days(31) } }, 'unitCostAlarm.comparePeriod is 31 days: expected whole days from 1 to 30'],
    ['a number as period', { unitCostAlarm: { comparePeriod: 7 } }, 'unitCostAlarm.comparePeriod is number 7: pass a Duration in whole days'],
    ['a key that is not a key', { alertTopicKey: 'alias/cost' }, 'alertTopicKey is "alias/cost": pass a KMS key'],
  ])('refuses %s', (_label, options, message) => {
    expect(declare(options)).toThrow(PREFIX);
    expect(declare(options)).toThrow(message);
  });

  test('more than 10 e-mail addresses', () => {
    const notify = Array.from({ length: 11 }, (_, i) => CostAlertTarget.email(`p${i}@example.com`));
    expect(declare({ notify })).toThrow('notify has 11 e-mail addresses: a budget notification accepts at most 10 e-mail subscribers (and 1 SNS topic)');
  });

  test('ten e-mail addresses and a topic are accepted', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const topic = new sns.Topic(stack, 'T');
    const notify = [...Array.from({ length: 10 }, (_, i) => CostAlertTarget.email(`p${i}@example.com`)), CostAlertTarget.topic(topic)];
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { notify } });
    expect(() => app.synth()).not.toThrow();
  });

  test('two topics', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const notify = [CostAlertTarget.topic(new sns.Topic(stack, 'A')), CostAlertTarget.topic(new sns.Topic(stack, 'B'))];
    new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { notify } });
    expect(() => app.synth()).toThrow('notify has 2 topics: a budget notification accepts at most 1 SNS subscriber');
  });

  test('the same address twice (case-insensitive)', () => {
    expect(declare({ notify: [CostAlertTarget.email('A@example.com'), CostAlertTarget.email('a@example.com')] }))
      .toThrow('notify lists the e-mail address "a@example.com" twice');
  });

  test('every problem is listed in one error', () => {
    expect(declare({ monthlyBudget: 0, alerts: [80] })).toThrow(/monthlyBudget is number 0: [^]*alerts\[0\] is number 80/);
  });

  test('option problems are reported together with declaration problems, not after them', () => {
    const app = testApp();
    new CustomerService(new Stack(app, 'Shop'), 'Checkout', { ...DECLARATION, customerNeed: 'TBD', team: 'N/A', costReporting: { monthlyBudget: -5 } });
    expect(() => app.synth()).toThrow(/customerNeed is "TBD"[^]*team is "N\/A"[^]*costReporting.monthlyBudget is number -5/);
  });

  test('a refused declaration creates no reporting (its errors are reported at synth instead)', () => {
    const stack = new Stack(testApp(), 'Shop');
    const svc = new CustomerService(stack, 'Checkout', { ...DECLARATION, customerNeed: 'TBD', costReporting: { monthlyBudget: -1 } });
    expect(svc.node.tryFindChild('CostReporting')).toBeUndefined();
  });
});
