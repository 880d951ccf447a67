/**
 * The text and graph widgets of cost reporting's dashboards write their JSON themselves (src/reporting/private/
 * widget-json.ts) instead of building aws-cdk-lib's `TextWidget` and `GraphWidget` (issue 22 item 9, bench/RESULTS.md).
 * What a dashboard shows must not change: each case compares the body with the one aws-cdk-lib's `Dashboard` writes for
 * aws-cdk-lib's widgets with the same props, byte for byte, in the cases where the two could differ (a resource named
 * in a dimension, in this stack and in another; a stack whose region and account are known only at deploy; metrics of
 * another region or account; the same metric twice; the right axis; metric math, which stays aws-cdk-lib's).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PrecompiledJson, ReportingDashboard } from '../../src/reporting/private/dashboard-body';
import { GraphProps, graphWidget, textWidget } from '../../src/reporting/private/widget-json';
import { testApp } from '../util';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function graphs(stack: Stack, other: Stack): GraphProps[] {
  const queue = new sqs.Queue(stack, `Queue${stack.node.children.length}`, { enforceSSL: true });
  const remote = (other.node.tryFindChild('Remote') as sqs.Queue | undefined) ?? new sqs.Queue(other, 'Remote', { enforceSSL: true });
  const day = { period: Duration.days(1) };
  return [
    {
      title: 'Cost "quoted", ünïcode',
      left: [new cloudwatch.Metric({ namespace: 'CustomerValue', metricName: 'Cost', dimensionsMap: { ServiceName: 'checkout' }, statistic: 'Maximum', label: 'Daily cost (USD)', ...day })],
      leftYAxis: { min: 0, showUnits: false },
      width: 12,
      height: 6,
    },
    {
      title: 'Queues (discovered)',
      left: [queue.metricNumberOfMessagesSent({ ...day, label: 'Queue sent' }), remote.metricNumberOfMessagesSent(day), queue.metricNumberOfMessagesSent({ ...day, label: 'twice' })],
      right: [
        new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', region: 'us-east-1', account: '222222222222', color: '#ff0000' }),
        new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Refunds', region: stack.region, account: stack.account, statistic: 'Average' }),
      ],
      width: 8,
      height: 6,
    },
    {
      title: 'Runs',
      left: ['published', 'error'].map((o) => new cloudwatch.Metric({ namespace: 'CustomerValue', metricName: 'PublisherRuns', dimensionsMap: { Outcome: o, Stack: stack.stackName }, statistic: 'Sum', label: o, ...day })),
      leftYAxis: { min: 0, showUnits: false },
      stacked: true,
      width: 12,
      height: 6,
    },
    {
      title: 'Unit cost',
      left: [new cloudwatch.MathExpression({ expression: 'a / b', usingMetrics: { a: queue.metricNumberOfMessagesSent(), b: remote.metricNumberOfMessagesSent() }, label: 'ratio', period: Duration.days(1) })],
      width: 12,
      height: 6,
    },
    { title: 'Nothing yet', left: [], width: 8, height: 6 },
  ];
}

/** The DashboardBody of the library's widgets and of aws-cdk-lib's, in one stack of `env` (undefined: known at deploy). */
function bodies(env: typeof ENV | undefined, dashboard: 'reporting' | 'plain' = 'reporting'): { ours: string; theirs: string } {
  const app = testApp();
  const stack = new Stack(app, 'Shop', { env });
  const other = new Stack(app, 'Other', { env });
  const text = { markdown: '# checkout\n**Customer need:** pay in one step', width: 24, height: 6 };
  const make = (id: string, widgets: cloudwatch.IWidget[][]) => {
    const dashboardProps = { dashboardName: id, defaultInterval: Duration.days(35), periodOverride: cloudwatch.PeriodOverride.INHERIT };
    const d = dashboard === 'reporting' && id === 'Ours'
      ? new ReportingDashboard(stack, id, dashboardProps)
      : new cloudwatch.Dashboard(stack, id, dashboardProps);
    for (const row of widgets) {
      d.addWidgets(...row);
    }
  };
  const props = graphs(stack, other);
  make('Ours', [[textWidget(stack, text)], props.map((g) => graphWidget(stack, g))]);
  make('Theirs', [[new cloudwatch.TextWidget(text)], props.map((g) => new cloudwatch.GraphWidget(g))]);
  type Resource = { Type: string; Properties: { DashboardName: string; DashboardBody: unknown } };
  const resources = app.synth().getStackByName(stack.stackName).template.Resources as Record<string, Resource>;
  const body = (name: string) => JSON.stringify(Object.values(resources).find((r) => r.Properties?.DashboardName === name)!.Properties.DashboardBody);
  return { ours: body('Ours'), theirs: body('Theirs') };
}

describe('the library\'s text and graph widgets write what aws-cdk-lib\'s widgets write', () => {
  test('in a stack with its account and region', () => {
    const { ours, theirs } = bodies(ENV);
    expect(ours).toContain('Fn::ImportValue'); // the other stack's queue
    expect(ours).toEqual(theirs);
  });

  test('in a stack whose account and region are known only at deploy', () => {
    const { ours, theirs } = bodies(undefined);
    expect(ours).toEqual(theirs);
  });

  test('in aws-cdk-lib\'s own Dashboard as well', () => {
    const { ours, theirs } = bodies(ENV, 'plain');
    expect(ours).toEqual(theirs);
  });
});

test('a graph of plain metrics and a text widget build no aws-cdk-lib widget and come compiled; metric math keeps aws-cdk-lib\'s', () => {
  const app = testApp();
  const stack = new Stack(app, 'Shop', { env: ENV });
  const graph = jest.spyOn(cloudwatch.GraphWidget.prototype, 'toJson');
  const text = jest.spyOn(cloudwatch.TextWidget.prototype, 'toJson');
  try {
    const d = new ReportingDashboard(stack, 'Ours', { dashboardName: 'ours', defaultInterval: Duration.days(35), periodOverride: cloudwatch.PeriodOverride.INHERIT });
    const [cost, queues, runs, math] = graphs(stack, stack);
    d.addWidgets(textWidget(stack, { markdown: 'text', width: 24, height: 2 }), graphWidget(stack, cost), graphWidget(stack, queues), graphWidget(stack, runs));
    app.synth();
    expect(graph).not.toHaveBeenCalled();
    expect(text).not.toHaveBeenCalled();
    expect(graphWidget(stack, math)).toBeInstanceOf(cloudwatch.GraphWidget);
    // compiled by the widget for its stack: the dashboard body does not compile its JSON again
    const widget = graphWidget(stack, queues);
    widget.position(0, 0);
    expect(widget.toJson()[0]).toBeInstanceOf(PrecompiledJson);
  } finally {
    graph.mockRestore();
    text.mockRestore();
  }
});
