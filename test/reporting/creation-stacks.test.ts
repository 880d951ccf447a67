/**
 * The resources cost reporting creates carry no `aws:cdk:creationStack` metadata (issue 22 item 9, bench/RESULTS.md):
 * aws-cdk-lib records a source-mapped stack trace for every CloudFormation resource, and for the library's budgets,
 * dashboards and cost publisher it points into the library, while their construct path names the service. The
 * user's own resources keep theirs; debug mode (`CDK_DEBUG`, `cdk synth --debug`) and an app that sets aws-cdk-lib's
 * context key itself keep every trace.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { fixture } from './helpers';
import { CostAlertTarget } from '../../src';

const CREATION_STACK = 'aws:cdk:creationStack';

/** Construct paths of the stack's CloudFormation resources, with and without a creation stack. */
function traced(stack: Stack): { withTrace: string[]; withoutTrace: string[] } {
  const withTrace: string[] = [];
  const withoutTrace: string[] = [];
  const visit = (c: IConstruct) => {
    if (CfnResource.isCfnResource(c)) {
      (c.node.metadata.some((m) => m.type === CREATION_STACK) ? withTrace : withoutTrace).push(c.node.path);
    }
    c.node.children.forEach(visit);
  };
  visit(stack);
  return { withTrace, withoutTrace };
}

function app(context?: Record<string, unknown>) {
  const f = fixture({ monthlyBudget: 100, notify: [CostAlertTarget.email('payments@example.com')] }, { context });
  new sqs.Queue(f.service, 'Orders', { enforceSSL: true });
  return f;
}

const reporting = (path: string) => /\/(CostReporting|CustomerValueCostPublisher|CustomerValueDashboard)\//.test(path);

test('the budget, the dashboard and the publisher have no creation stack; the user\'s resources keep theirs', () => {
  const { stack } = app();
  const { withTrace, withoutTrace } = traced(stack);
  expect(withoutTrace).toEqual(expect.arrayContaining([
    'Shop/Checkout/CostReporting/Budget',
    'Shop/CustomerValueDashboard/Dashboard/Resource',
    'Shop/CustomerValueCostPublisher/Function/Resource',
  ]));
  expect(withoutTrace.every(reporting)).toBe(true);
  expect(withTrace).toEqual(['Shop/Checkout/Orders/Resource', 'Shop/Checkout/Orders/Policy/Resource']);
});

test('debug mode (CDK_DEBUG) keeps every creation stack', () => {
  const previous = process.env.CDK_DEBUG;
  process.env.CDK_DEBUG = 'true';
  try {
    const { withoutTrace } = traced(app().stack);
    expect(withoutTrace).toEqual([]);
  } finally {
    if (previous === undefined) {
      delete process.env.CDK_DEBUG;
    } else {
      process.env.CDK_DEBUG = previous;
    }
  }
});

test('an app that sets aws:cdk:disable-creation-stack-traces decides for the library\'s resources too', () => {
  expect(traced(app({ 'aws:cdk:disable-creation-stack-traces': false }).stack).withoutTrace).toEqual([]);
  const off = traced(app({ 'aws:cdk:disable-creation-stack-traces': true }).stack);
  expect(off.withTrace).toEqual([]);
});
