/**
 * The generated apps of the synth benchmark: N services of 20 resources each, ten services per stack.
 *
 * Every variant holds the same user resources; what differs is how the service is declared:
 *
 * - `a` plain: a plain construct per service and five `Tags.of(scope).add()` calls (what a user writes by hand);
 * - `b` declared: a `CustomerService` with `CostReporting.disabled('bench')`;
 * - `c` reporting: a `CustomerService` with full cost reporting (budget with an e-mail target, dashboard, the
 *   stack's cost publisher) and a usage metric;
 * - `d` = `c` plus the `CustomerValueChecks` pack;
 * - `e` = `c` plus cdk-nag's `AwsSolutionsChecks` pack;
 * - `f` = `c` with aws-cdk-lib's built-in CloudFormation Validate plugin on (the other variants turn it off);
 * - `g` = `c` with `DashboardLayout.SERVICE`: a dashboard per service instead of one per stack (the default);
 * - `h` = `c` with `dashboard: false`: what the user option that leaves the dashboards out saves.
 */
import { App, Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { CostAlertTarget, CostReporting, Customer, CustomerService, CustomerValueChecks, DashboardLayout, TagKeys } from '../src';

export type Variant = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h';

export const VARIANTS: Record<Variant, string> = {
  a: 'plain app, five Tags.of().add per service',
  b: 'CustomerService, cost reporting disabled',
  c: 'CustomerService, full cost reporting',
  d: '(c) + CustomerValueChecks',
  e: '(c) + AwsSolutionsChecks',
  f: '(c) + built-in CloudFormation Validate plugin',
  g: '(c) with a dashboard per service (DashboardLayout.SERVICE)',
  h: '(c) without dashboards (dashboard: false)',
};

export function isVariant(x: string): x is Variant {
  return Object.prototype.hasOwnProperty.call(VARIANTS, x);
}

export interface BenchAppOptions {
  readonly variant: Variant;
  /** Number of services. */
  readonly services: number;
  /** Services per stack. @default 10 */
  readonly servicesPerStack?: number;
  readonly outdir: string;
  /**
   * `full`: the 20 resources of `addResources`; `small`: a Lambda function with its role, policy and log group
   * (for the 25-services-in-one-stack check, which would exceed 500 resources with full services).
   * @default 'full'
   */
  readonly resources?: 'full' | 'small';
}

const ENV = { account: '123456789012', region: 'eu-west-1' };
const TEAMS = ['payments', 'discovery', 'platform', 'search', 'fulfilment'];
const UNITS = ['retail', 'technology', 'logistics'];

/** The app of a variant, not yet synthesized. */
export function buildApp(o: BenchAppOptions): App {
  const perStack = o.servicesPerStack ?? 10;
  const app = new App({
    outdir: o.outdir,
    stackTraces: false,
    builtinCloudFormationValidation: o.variant === 'f',
    context: { 'customer-value:today': '2026-11-25' },
  });
  if (o.variant === 'd') {
    Validations.of(app).addPlugins(new CustomerValueChecks(app));
  } else if (o.variant === 'e') {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  let stack: Stack | undefined;
  for (let i = 0; i < o.services; i++) {
    if (i % perStack === 0) {
      stack = new Stack(app, `Services${String(i / perStack).padStart(3, '0')}`, { env: ENV });
    }
    addService(stack!, i, o.variant, o.resources ?? 'full');
  }
  return app;
}

function addService(stack: Stack, i: number, variant: Variant, size: 'full' | 'small'): void {
  const name = `service-${String(i).padStart(4, '0')}`;
  const id = `Service${String(i).padStart(4, '0')}`;
  const team = TEAMS[i % TEAMS.length];
  const businessUnit = UNITS[i % UNITS.length];
  const need = `Shoppers complete task number ${i} in one step`;
  const customer = Customer.external('Online shoppers');

  let scope: Construct;
  let service: CustomerService | undefined;
  if (variant === 'a') {
    scope = new Construct(stack, id);
    const k = TagKeys.DEFAULT;
    Tags.of(scope).add(k.service, name);
    Tags.of(scope).add(k.need, need);
    Tags.of(scope).add(k.customer, customer.tagValue);
    Tags.of(scope).add(k.team, team);
    Tags.of(scope).add(k.businessUnit, businessUnit);
  } else {
    service = new CustomerService(stack, id, {
      serviceName: name,
      customerNeed: need,
      customer,
      team,
      businessUnit,
      valueReview: { every: Duration.days(180), lastReviewed: '2026-09-15', reviewer: 'retail-board' },
      costReporting: variant === 'b'
        ? CostReporting.disabled('bench')
        : {
          monthlyBudget: 100,
          notify: [CostAlertTarget.email(`${team}@example.com`)],
          ...(variant === 'g' ? { dashboardLayout: DashboardLayout.SERVICE } : {}),
          ...(variant === 'h' ? { dashboard: false } : {}),
        },
    });
    scope = service;
  }

  const resources = size === 'full' ? addResources(scope) : addSmall(scope);
  // What an AwsSolutions user acknowledges (the same in every variant; acknowledgements are metadata only).
  for (const rule of ['AwsSolutions-S1', 'AwsSolutions-APIG1', 'AwsSolutions-APIG4', 'AwsSolutions-SF1', 'AwsSolutions-SF2']) {
    Validations.of(scope).acknowledge({ id: rule, reason: 'benchmark app: the finding is acknowledged like a user would, with a reason' });
  }
  if (service && variant !== 'b') {
    service.addUsageMetric('requests', resources.usage, { unitScale: 1000 });
  }
}

/** The user's resources of one service: 20 CloudFormation resources. */
function addResources(scope: Construct): { usage: cloudwatch.IMetric } {
  const table = new dynamodb.Table(scope, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const dlq = new sqs.Queue(scope, 'DeadLetters', { enforceSSL: true, retentionPeriod: Duration.days(14) });
  const queue = new sqs.Queue(scope, 'Queue', { enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
  const bucket = new s3.Bucket(scope, 'Bucket', {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const topic = new sns.Topic(scope, 'Events', { enforceSSL: true });

  const { fn, role } = addFunction(scope, { TABLE: table.tableName, QUEUE: queue.queueUrl, TOPIC: topic.topicArn, BUCKET: bucket.bucketName });
  table.grantReadWriteData(fn);
  queue.grantSendMessages(fn);
  topic.grantPublish(fn);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('config.json')] }));

  const api = new apigwv2.HttpApi(scope, 'HttpApi', { defaultIntegration: new HttpLambdaIntegration('Integration', fn) });

  new sfn.StateMachine(scope, 'Workflow', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(scope, 'Start').next(new sfn.Succeed(scope, 'Done'))),
  });
  return { usage: api.metricCount() };
}

/** A small service: a Lambda function with its role, policy and log group (4 resources). */
function addSmall(scope: Construct): { usage: cloudwatch.IMetric } {
  return { usage: addFunction(scope).fn.metricInvocations() };
}

/** A Lambda function with its own role, log group and the role's policy (4 resources). */
function addFunction(scope: Construct, environment?: Record<string, string>): { fn: lambda.Function; role: iam.Role } {
  const logGroup = new logs.LogGroup(scope, 'ApiLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, 'ApiRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(scope, 'Api', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "[]" });'),
    environment,
    role,
    logGroup,
  });
  return { fn, role };
}
