/**
 * How often a cost-reporting dashboard's body is rendered per synthesis (issue 22 item 9, bench/RESULTS.md).
 * aws-cdk-lib resolves a dashboard body three times: reference discovery, the template and tree.json. The last two
 * resolve in the same stack with the same references, so `ReportingDashboard` renders once for both; reference
 * discovery keeps only the tokens its resolver meets, so it gets the body's tokens resolved and no body. What it writes is compared with aws-cdk-lib's
 * `Dashboard` in dashboard-body.test.ts.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ReportingDashboard } from '../../src/reporting/private/dashboard-body';
import { testApp } from '../util';

function dashboard(stack: Stack, queue: sqs.Queue): ReportingDashboard {
  const d = new ReportingDashboard(stack, 'Dashboard', {
    dashboardName: 'renderings',
    defaultInterval: Duration.days(35),
    periodOverride: cloudwatch.PeriodOverride.INHERIT,
  });
  d.addWidgets(new cloudwatch.GraphWidget({ title: 'Sent', left: [queue.metricNumberOfMessagesSent()] }));
  return d;
}

/** Counts the renderings of every ReportingDashboard while `fn` runs. */
function renderings(fn: () => void): number {
  const proto = ReportingDashboard.prototype as unknown as { render: (...args: unknown[]) => unknown };
  const spy = jest.spyOn(proto, 'render');
  try {
    fn();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

test('a synthesis renders the body once, for the template and tree.json; reference discovery meets its tokens without rendering it', () => {
  const app = testApp();
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  const other = new Stack(app, 'Other', { env: { account: '111111111111', region: 'eu-west-1' } });
  dashboard(stack, new sqs.Queue(other, 'Remote', { enforceSSL: true }));
  const proto = ReportingDashboard.prototype as unknown as { meetTokens: (...args: unknown[]) => unknown };
  const met = jest.spyOn(proto, 'meetTokens');
  try {
    expect(renderings(() => app.synth())).toBe(1);
    expect(met).toHaveBeenCalledTimes(1);
  } finally {
    met.mockRestore();
  }
  // the reference discovery met the other stack's queue: the body imports its name (an export of Other)
  const body = JSON.stringify(app.synth().getStackByName('Shop').template.Resources);
  expect(body).toContain('Fn::ImportValue');
});

test('a widget or variable added after a rendering is in the next one', () => {
  const app = testApp();
  const stack = new Stack(app, 'Shop');
  const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
  const d = dashboard(stack, queue);
  const body = () => JSON.stringify(stack.resolve((d.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody));
  const first = body();
  expect(renderings(() => expect(body()).toEqual(first))).toBe(0);
  d.addWidgets(new cloudwatch.TextWidget({ markdown: 'added later', width: 24, height: 2 }));
  expect(body()).toContain('added later');
  d.addVariable(new cloudwatch.DashboardVariable({
    id: 'queue',
    type: cloudwatch.VariableType.PATTERN,
    inputType: cloudwatch.VariableInputType.INPUT,
    value: 'Queue',
    label: 'Queue',
    defaultValue: cloudwatch.DefaultValue.value('Queue'),
  }));
  expect(body()).toContain('variables');
});
