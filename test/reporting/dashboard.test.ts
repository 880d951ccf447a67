/**
 * The service's CloudWatch dashboard, read back from the synthesized DashboardBody JSON.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { dashboardBody, DECLARATION, ENV, fixture as reportingFixture, FixtureOptions, flatten, only } from './helpers';
import { CustomerService } from '../../src/customer-service';
import { CostAlertTarget } from '../../src/reporting/cost-alert-target';
import { CostReportingOptions, DashboardLayout } from '../../src/reporting/cost-reporting-options';
import { LazyWidgets } from '../../src/reporting/private/lazy-widgets';
import { serviceMetadata, testApp } from '../util';

/** The service with a dashboard of its own (DashboardLayout.SERVICE): what these tests look at. */
function fixture(costReporting: CostReportingOptions = {}, options?: FixtureOptions) {
  return reportingFixture({ dashboardLayout: DashboardLayout.SERVICE, ...costReporting }, options);
}

function fn(scope: CustomerService | Stack, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
}

function titles(widgets: any[]): string[] {
  return widgets.map((w) => w.properties.title ?? `text:${String(w.properties.markdown).split('\n')[0]}`);
}

describe('the dashboard', () => {
  test('one per service, named <service>-<stack>-<region>, 35 days, each graph keeping its own period', () => {
    const { stack } = fixture({ monthlyBudget: 500 });
    const template = Template.fromStack(stack);
    expect(only(template, 'AWS::CloudWatch::Dashboard').props.DashboardName).toBe('checkout-Shop-eu-west-1');
    const body = dashboardBody(template);
    expect(body.start).toBe('-P35D');
    expect(body.periodOverride).toBe('inherit');
  });

  test('shows the declaration as text: need, customer, team, business unit, next value review, budget', () => {
    // GIVEN a review every 90 days, last on 2026-10-01 (today is 2026-11-25 in the test context)
    const { stack } = fixture({ monthlyBudget: 500 }, {
      declaration: { valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'retail-board' } },
    });

    // THEN
    const text = dashboardBody(Template.fromStack(stack)).widgets[0];
    expect(text.type).toBe('text');
    const md: string = text.properties.markdown;
    expect(md).toContain('# checkout: cost per customer value');
    expect(md).toContain('**Customer need:** Shoppers pay for their basket in one step');
    expect(md).toContain('**Customer:** external: Online shoppers · **Team:** payments · **Business unit:** retail');
    expect(md).toContain('**Next value review:** 2026\\-12\\-30 (ok; every 90 days, reviewer retail\\-board)');
    expect(md).toContain('**Budget:** 500 USD per month (fixed)');
  });

  test('daily cost: CustomerValue/Cost for the service, Maximum over one day', () => {
    const { stack } = fixture();
    const [, cost] = dashboardBody(Template.fromStack(stack)).widgets;
    expect(cost.properties.title).toBe('Daily cost of checkout (USD), all deployments in account 111111111111');
    expect(cost.properties.metrics).toEqual([['CustomerValue', 'Cost', 'ServiceName', 'checkout', { label: 'Daily cost (USD)', period: 86400, stat: 'Maximum' }]]);
  });

  test('unit cost: metric math cost * scale / usage over daily periods', () => {
    // GIVEN a unit metric registered after the service was constructed
    const { stack, service } = fixture();
    const api = fn(service, 'Api');
    service.addUsageMetric('orders', api.metricInvocations(), { unitScale: 1000 });

    // THEN
    const unit = dashboardBody(Template.fromStack(stack)).widgets[2];
    expect(unit.properties.title).toBe('Unit cost: USD per 1000 orders');
    const fnRef = `@Ref:${stack.getLogicalId(api.node.defaultChild as lambda.CfnFunction)}@`;
    expect(unit.properties.metrics).toEqual([
      [{ expression: 'cost * 1000 / usage', label: 'USD per 1000 orders', period: 86400 }],
      ['CustomerValue', 'Cost', 'ServiceName', 'checkout', { id: 'cost', label: 'Daily cost (USD)', period: 86400, stat: 'Maximum', visible: false }],
      ['AWS/Lambda', 'Invocations', 'FunctionName', fnRef, { id: 'usage', period: 86400, stat: 'Sum', visible: false }],
    ]);
  });

  test('without a usage metric the unit-cost widget says how to add one', () => {
    const { stack } = fixture();
    const unit = dashboardBody(Template.fromStack(stack)).widgets[2];
    expect(unit.type).toBe('text');
    expect(unit.properties.markdown).toMatch(/No usage metric is registered.*addUsageMetric/);
  });

  test('usage: registered metrics, then one graph per kind of discovered resource', () => {
    // GIVEN one resource of every discovered kind inside the service
    const { stack, service } = fixture();
    const api = fn(service, 'Api');
    const rest = new apigateway.LambdaRestApi(service, 'Rest', { handler: api, deployOptions: { tracingEnabled: true } });
    new apigatewayv2.HttpApi(service, 'Http');
    new dynamodb.TableV2(service, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
    new dynamodb.Table(service, 'Legacy', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
    new sqs.Queue(service, 'Jobs', { enforceSSL: true });
    new sns.Topic(service, 'Events', { enforceSSL: true });
    new sfn.StateMachine(service, 'Flow', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(service, 'Pass')) });
    const vpc = new ec2.Vpc(service, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(service, 'Cluster', { vpc });
    const task = new ecs.FargateTaskDefinition(service, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') });
    new ecs.FargateService(service, 'Web', { cluster, taskDefinition: task, assignPublicIp: true, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
    new elbv2.ApplicationLoadBalancer(service, 'Lb', { vpc, internetFacing: true });
    service.addUsageMetric('orders', rest.metricCount(), { unitScale: 1000 });
    service.addUsageMetric('active shoppers', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'ActiveShoppers', statistic: 'Maximum' }));

    // WHEN
    const widgets = dashboardBody(Template.fromStack(stack)).widgets;

    // THEN
    expect(titles(widgets).slice(3, 5)).toEqual(['Cost publisher of stack Shop', 'Cost publisher runs per outcome']);
    expect(titles(widgets).slice(5)).toEqual([
      'Usage: orders (unit)',
      'Usage: active shoppers',
      'Lambda invocations (discovered)',
      'API Gateway requests (discovered)',
      'DynamoDB consumed capacity (discovered)',
      'SQS messages sent (discovered)',
      'SNS messages published (discovered)',
      'Step Functions executions started (discovered)',
      'ECS service CPU utilization (discovered)',
      'ECS running tasks (discovered)',
      'ALB requests (discovered)',
    ]);
    const byTitle = (t: string) => widgets.find((w) => w.properties.title === t).properties.metrics;
    const metricNames = (t: string) => byTitle(t).map((m: any[]) => `${m[0]}/${m[1]}:${m[m.length - 1].label}`);
    expect(metricNames('API Gateway requests (discovered)')).toEqual(['AWS/ApiGateway/Count:Rest requests', 'AWS/ApiGateway/Count:Http requests']);
    expect(metricNames('DynamoDB consumed capacity (discovered)')).toEqual([
      'AWS/DynamoDB/ConsumedReadCapacityUnits:Orders consumed read capacity',
      'AWS/DynamoDB/ConsumedWriteCapacityUnits:Orders consumed write capacity',
      'AWS/DynamoDB/ConsumedReadCapacityUnits:Legacy consumed read capacity',
      'AWS/DynamoDB/ConsumedWriteCapacityUnits:Legacy consumed write capacity',
    ]);
    expect(metricNames('Lambda invocations (discovered)')).toEqual(['AWS/Lambda/Invocations:Api invocations']);
    expect(metricNames('SQS messages sent (discovered)')).toEqual(['AWS/SQS/NumberOfMessagesSent:Jobs messages sent']);
    expect(metricNames('SNS messages published (discovered)')).toEqual(['AWS/SNS/NumberOfMessagesPublished:Events messages published']);
    expect(metricNames('Step Functions executions started (discovered)')).toEqual(['AWS/States/ExecutionsStarted:Flow executions started']);
    expect(metricNames('ECS service CPU utilization (discovered)')).toEqual(['AWS/ECS/CPUUtilization:Web CPU utilization']);
    expect(metricNames('ECS running tasks (discovered)')).toEqual(['ECS/ContainerInsights/RunningTaskCount:Web running tasks']);
    expect(metricNames('ALB requests (discovered)')).toEqual(['AWS/ApplicationELB/RequestCount:Lb requests']);
    // every usage graph is daily
    for (const w of widgets.slice(5)) {
      for (const m of w.properties.metrics) {
        expect(m[m.length - 1].period).toBe(86400);
      }
    }
  });

  test('discovery covers included scopes (metrics naming resources literally), skips the library\'s own resources and other services, and is recorded', () => {
    // GIVEN the service's table in another stack (included), an alert topic of the library, and another service
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const data = new Stack(app, 'ShopData', { env: ENV });
    const svc = new CustomerService(stack, 'Checkout', {
      ...DECLARATION,
      costReporting: { monthlyBudget: 5, notify: [CostAlertTarget.email('p@example.com')], unitCostAlarm: {} },
    });
    svc.addUsageMetric('orders', fn(svc, 'Api').metricInvocations());
    // in the included stack: a REST API whose metric names it literally (ApiName) is shown; a table, whose metric
    // names it through a reference, would make the dashboard's stack depend on the data stack (a cycle once the
    // data stack references this one): left out
    new dynamodb.TableV2(data, 'Orders', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY });
    const search = new apigateway.RestApi(data, 'Search', { restApiName: 'shop-search' });
    search.root.addMethod('GET', new apigateway.MockIntegration());
    svc.include(data);
    const other = new CustomerService(stack, 'Search', { ...DECLARATION, serviceName: 'search', costReporting: { monthlyBudget: 5 } });
    new sqs.Queue(other, 'Index', { enforceSSL: true });

    // WHEN
    const reporting = svc.costReporting!;
    const record = serviceMetadata(app.synth())['/Shop/Checkout'];

    // THEN the alert topic (library) and the other service's queue are not usage of checkout
    expect(record.usageMetrics.map((u) => [u.name, u.origin, u.namespace, u.metricName])).toEqual([
      ['orders', 'declared', 'AWS/Lambda', 'Invocations'],
      ['Api invocations', 'discovered', 'AWS/Lambda', 'Invocations'],
      ['ShopData/Search requests', 'discovered', 'AWS/ApiGateway', 'Count'],
    ]);
    expect(reporting.discoveredUsageMetrics).toHaveLength(2);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(/Fn::ImportValue/);
  });

  test('dashboard: false creates no dashboard', () => {
    const { stack } = fixture({ dashboard: false });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test('with a unit-cost alarm: an alarm widget and the published unit usage and unit cost', () => {
    const { stack, service } = fixture({ unitCostAlarm: { increasePercent: 15, comparePeriod: Duration.days(14) } });
    service.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' }));
    const widgets = dashboardBody(Template.fromStack(stack)).widgets;
    expect(titles(widgets).slice(5, 7)).toEqual(['Unit-cost alarm (change over 14 day(s), %)', 'Unit usage and unit cost, as published']);
    expect(widgets[5].properties.annotations.alarms).toHaveLength(1);
  });

  test('widgets the user adds to the dashboard go below the service\'s; tree.json holds the same body as the template', () => {
    // GIVEN a service with a usage metric, and a widget added by the user to its dashboard
    const { app, stack, service } = fixture({ monthlyBudget: 5 });
    service.addUsageMetric('orders', fn(service, 'Api').metricInvocations());
    const dashboard = service.costReporting!.dashboard!;
    dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: 'runbook', width: 24, height: 2 }));

    // WHEN
    const assembly = app.synth();
    const body = dashboardBody(Template.fromStack(stack));

    // THEN the user's widget is the last one, below the lowest of the service's widgets
    const last = body.widgets[body.widgets.length - 1];
    expect(last.properties.markdown).toBe('runbook');
    const bottom = Math.max(...body.widgets.slice(0, -1).map((w) => w.y + w.height));
    expect(last.y).toBe(bottom);
    // and the construct tree (rendered separately from the template) holds the same body
    const tree = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'tree.json'), 'utf8'));
    const find = (node: any): any => node.attributes?.['aws:cdk:cloudformation:type'] === 'AWS::CloudWatch::Dashboard'
      ? node : Object.values(node.children ?? {}).map(find).find((x) => x);
    const inTree = find(tree.tree).attributes['aws:cdk:cloudformation:props'].dashboardBody;
    expect(JSON.parse(flatten(inTree))).toEqual(body);
  });

  test('the service\'s widgets are rendered once per position: moved, they are rendered again', () => {
    // GIVEN
    let built = 0;
    const widgets = new LazyWidgets(() => {
      built++;
      return [[new cloudwatch.TextWidget({ markdown: 'a', width: 12, height: 3 }), new cloudwatch.TextWidget({ markdown: 'b', width: 12, height: 3 })]];
    });

    // WHEN rendered twice at (0, 0), then at (0, 4)
    widgets.position(0, 0);
    const first = widgets.toJson();
    widgets.position(0, 0);
    const second = widgets.toJson();
    widgets.position(0, 4);
    const moved = widgets.toJson();

    // THEN
    expect(built).toBe(1);
    expect(second).toBe(first);
    expect(first.map((w) => [w.x, w.y])).toEqual([[0, 0], [12, 0]]);
    expect(moved.map((w) => [w.x, w.y])).toEqual([[0, 4], [12, 4]]);
  });
});
