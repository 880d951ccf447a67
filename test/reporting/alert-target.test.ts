/**
 * One e-mail rule for every alert target (CostAlertTarget for budgets and the unit-cost alarm, AnomalyAlertTarget for
 * Cost Anomaly Detection): before, each had its own, and an address one accepted the other could refuse. The rule is
 * what every AWS API receiving the address accepts (the Cost Explorer API's SubscriberAddress pattern, min 6, in
 * ../shared/reference/api-models/ce.json) and a mail host can have (RFC 5321 lengths, RFC 5322 dot-atom, RFC 1035
 * host names). Problems are reported by the construct that uses the target, with the field that holds it.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DECLARATION } from './helpers';
import { AnomalyAlertTarget, CostAlertTarget, CustomerService, ServiceAnomalyDetection } from '../../src';
import { AlertTarget } from '../../src/reporting/alert-target';
import { OWNER } from '../billing/owner';
import { testApp } from '../util';

/** The problems the two constructs report for one address, at validation (what synthesis refuses). */
function problemsFor(address: string): { cost: string[]; anomaly: string[] } {
  const app = testApp();
  const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'us-east-1' } });
  const svc = new CustomerService(stack, 'Checkout', { ...DECLARATION, costReporting: { notify: [CostAlertTarget.email(address)] } });
  const anomalies = new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER, serviceMonitorAlert: { targets: [AnomalyAlertTarget.email(address)] } });
  const ofConstruct = (c: { node: { validate(): string[] } }) => c.node.validate().filter((p) => /address is/.test(p));
  return { cost: ofConstruct(svc), anomaly: ofConstruct(anomalies) };
}

describe('one e-mail rule for CostAlertTarget and AnomalyAlertTarget', () => {
  test('both are AlertTargets', () => {
    expect(CostAlertTarget.email('a@example.com')).toBeInstanceOf(AlertTarget);
    expect(AnomalyAlertTarget.immediateEmail('a@example.com')).toBeInstanceOf(AlertTarget);
  });

  // [address, accepted by CostAlertTarget before, accepted by AnomalyAlertTarget before, accepted now]
  test.each([
    // accepted by both before, and now
    ['payments@example.com', true, true, true],
    ['cost+payments@mail.example.co.uk', true, true, true],
    ["o'brien@example.ie", true, true, true],
    ['first.last@sub-domain.example.com', true, true, true],
    ['x{y}|~#$%&*=?^_-@example.io', true, true, true],
    ['a@b.co', true, true, true],
    // accepted by CostAlertTarget only: characters the Cost Explorer API refuses
    ['a/b@example.com', true, false, false],
    ['jörg@example.com', true, false, false],
    ['a\u2018b@example.com', true, false, false],
    // accepted by AnomalyAlertTarget only: no mail host has these domains; over RFC 5321's 254 characters
    ['a@ex_ample.com', false, true, false],
    ['a@-example.com', false, true, false],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, false, true, false],
    // accepted by both before, refused now: not a dot-atom, a local part over 64, under the API's 6 characters
    ['a..b@example.com', true, true, false],
    ['.a@example.com', true, true, false],
    ['a.@example.com', true, true, false],
    [`${'a'.repeat(65)}@example.com`, true, true, false],
    ['a@b.c', true, true, false],
    ['a`b@example.com', true, true, false],
    // refused by both, and now
    ['not an address', false, false, false],
    ['payments@localhost', false, false, false],
    ['a@example.com\nBcc: x@example.com', false, false, false],
    ['a@example.com, b@example.com', false, false, false],
  ])('%j (before: budgets %p, anomalies %p; now %p)', (address, _cost, _anomaly, accepted) => {
    const { cost, anomaly } = problemsFor(address);
    if (accepted) {
      expect({ cost, anomaly }).toEqual({ cost: [], anomaly: [] });
    } else {
      expect(cost).toEqual([`costReporting.notify[0]: CostAlertTarget.email: address is ${JSON.stringify(address)}: expected one well-formed e-mail address such as "payments@example.com" (6-254 characters, at most 64 before the @ (ASCII letters, digits, dots between them and !#$%&'*+=?^_{|}~-), and a domain of two or more labels of letters, digits and inner hyphens)`]);
      expect(anomaly).toEqual([cost[0].replace('costReporting.notify[0]: CostAlertTarget', 'serviceMonitorAlert.targets[0]: AnomalyAlertTarget')]);
    }
  });

  test('an address known at deploy (a token) is accepted by both', () => {
    expect(problemsFor(Token.asString({ Ref: 'AlertAddress' }))).toEqual({ cost: [], anomaly: [] });
  });

  test('a value that is not a topic is refused the same way by both', () => {
    const notATopic = 'arn:aws:sns:us-east-1:123456789012:alerts' as unknown as sns.ITopic;
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const anomalies = new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER, serviceMonitorAlert: { targets: [AnomalyAlertTarget.topic(notATopic)] } });
    expect(anomalies.node.validate()).toContain('serviceMonitorAlert.targets[0]: AnomalyAlertTarget.topic: topic is string: expected an SNS topic (sns.Topic or sns.Topic.fromTopicArn(...))');
  });
});
