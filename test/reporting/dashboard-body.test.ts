/**
 * The dashboards of cost reporting render their body with `ReportingDashboard` (src/reporting/private/dashboard-body.ts),
 * which resolves only the values that hold tokens instead of the whole widget JSON (issue 22 item 9, bench/RESULTS.md).
 * What it writes must be what aws-cdk-lib's `Dashboard` writes for the same widgets, byte for byte: compared here on the
 * cases where the two could differ (references in and across stacks, a region only known at deploy, a metric of
 * another region or account, literal text produced by tokens, options objects that resolve empty, variables).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ReportingDashboard } from '../../src/reporting/private/dashboard-body';
import { testApp } from '../util';

function fn(scope: Stack, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
}

/** Rows of widgets covering every kind of value the body can hold (built anew for each dashboard). */
function rows(stack: Stack, other: Stack): cloudwatch.IWidget[][] {
  const local = fn(stack, `Local${stack.node.children.length}`);
  const queue = new sqs.Queue(stack, `Queue${stack.node.children.length}`, { enforceSSL: true });
  const remote = other.node.tryFindChild('Remote') as lambda.Function ?? fn(other, 'Remote');
  const alarm = local.metricErrors().createAlarm(stack, `Errors${stack.node.children.length}`, { threshold: 1, evaluationPeriods: 1 });
  const lazyTitle = Lazy.string({ produce: () => 'made "late"\nby a token' });
  return [
    [new cloudwatch.TextWidget({ markdown: '# "quoted" \\ text\nwith a newline and ünïcode', width: 24, height: 2 })],
    [
      new cloudwatch.GraphWidget({
        title: lazyTitle,
        left: [local.metricInvocations({ period: Duration.days(1) }), queue.metricNumberOfMessagesSent()],
        // another account and region: the metric keeps them; the stack's own: left out
        right: [
          new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', region: 'us-east-1', account: '222222222222' }),
          new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Refunds', region: stack.region, account: stack.account }),
        ],
        leftYAxis: { min: 0, showUnits: false },
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: `Remote: ${remote.functionName}`,
        left: [remote.metricInvocations(), new cloudwatch.MathExpression({
          expression: 'a / b',
          usingMetrics: { a: local.metricErrors(), b: local.metricInvocations() },
          label: 'error rate',
        })],
        width: 12,
        height: 6,
      }),
    ],
    [new cloudwatch.AlarmWidget({ title: 'Errors', alarm, width: 12, height: 6 }), new cloudwatch.SingleValueWidget({ metrics: [local.metricDuration()], width: 12, height: 6 })],
  ];
}

function bodies(env?: { account: string; region: string }): { reporting: unknown; plain: unknown; treeReporting: unknown; treePlain: unknown } {
  const app: App = testApp();
  const stack = new Stack(app, 'Shop', { env });
  const other = new Stack(app, 'Other', { env });
  const reporting = new ReportingDashboard(stack, 'Reporting', {
    dashboardName: 'reporting',
    defaultInterval: Duration.days(35),
    periodOverride: cloudwatch.PeriodOverride.INHERIT,
  });
  const plain = new cloudwatch.Dashboard(stack, 'Plain', {
    dashboardName: 'plain',
    defaultInterval: Duration.days(35),
    periodOverride: cloudwatch.PeriodOverride.INHERIT,
  });
  const variable = () => new cloudwatch.DashboardVariable({
    id: 'fn',
    type: cloudwatch.VariableType.PATTERN,
    inputType: cloudwatch.VariableInputType.INPUT,
    value: 'Local',
    label: 'Function',
    defaultValue: cloudwatch.DefaultValue.value('Local'),
    visible: true,
  });
  for (const d of [reporting, plain]) {
    for (const row of rows(stack, other)) {
      d.addWidgets(...row);
    }
    d.addVariable(variable());
  }
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const body = (id: string) => Object.entries(template.findResources('AWS::CloudWatch::Dashboard')).find(([k]) => k.startsWith(id))![1].Properties.DashboardBody;
  const tree = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'tree.json'), 'utf8')).tree.children.Shop.children;
  const treeBody = (id: string) => tree[id].children.Resource.attributes['aws:cdk:cloudformation:props'].dashboardBody;
  return { reporting: body('Reporting'), plain: body('Plain'), treeReporting: treeBody('Reporting'), treePlain: treeBody('Plain') };
}

/** The widgets' own JSON, ignoring the logical ids of the resources each dashboard's rows created (the same shape). */
function normalised(body: unknown): string {
  return JSON.stringify(body).replace(/(Local|Queue|Errors)\d+[0-9A-F]{8}/g, '$1');
}

describe('ReportingDashboard writes what cloudwatch.Dashboard writes', () => {
  test('in a stack with an account and region: references in the stack and to another stack (Fn::ImportValue)', () => {
    const { reporting, plain, treeReporting, treePlain } = bodies({ account: '111111111111', region: 'eu-west-1' });
    expect(normalised(reporting)).toEqual(normalised(plain));
    expect(normalised(treeReporting)).toEqual(normalised(treePlain));
    // the cases are there: an import from the other stack, references in this one, the token-made title escaped
    expect(JSON.stringify(reporting)).toMatch(/Fn::ImportValue/);
    expect(JSON.stringify(reporting)).toMatch(/Fn::GetAtt/);
    expect(JSON.stringify(reporting)).toContain('made \\\\\\"late\\\\\\"\\\\nby a token');
    expect(JSON.stringify(reporting)).toContain('222222222222');
  });

  test('in a stack whose account and region are known only at deploy', () => {
    const { reporting, plain, treeReporting, treePlain } = bodies();
    expect(normalised(reporting)).toEqual(normalised(plain));
    expect(normalised(treeReporting)).toEqual(normalised(treePlain));
    expect(JSON.stringify(reporting)).toMatch(/AWS::Region/);
  });
});
