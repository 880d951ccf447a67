/**
 * A realistic multi-stack app: an online shop whose services are grouped around customer value.
 *
 * - `ShopNetwork`: the VPC, owned by the platform team's "private-network" service (its customers are the
 *   internal service teams that run workloads in it).
 * - `ShopData`: the data team's "data-platform" service - the shop's event stream (Kinesis) and data lake (S3) -
 *   which runs in the private network and serves checkout and product search.
 * - `ShopCheckout`: the "checkout" service - an ECS Fargate service behind an Application Load Balancer,
 *   an orders table (DynamoDB), an order-events queue (SQS) and the order-fulfilment workflow (Step Functions).
 * - `ShopCheckoutEdge`: the receipts API of the same service - Lambda behind API Gateway and an S3 bucket for
 *   receipts - in another stack, made part of "checkout" with `include()`.
 * - `ShopSearch`: the "product-search" service - Lambda behind an HTTP API and a product-feed bucket.
 *
 * The value chain: checkout consumes the private network and the data platform, product search consumes the data
 * platform, and the data platform consumes the private network (a chain). The network passes its cost on in
 * proportion to its consumers' direct cost (the default); the data platform by fixed shares, 60 % checkout and 40 %
 * product search. `customer-value cost --allocate` then reports each need's fully-loaded cost.
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/online-shop.ts'
 */
import { App, AppProps, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as apigwv2i from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { Allocation, CostAlertTarget, Customer, CustomerService } from '../src';
import { acknowledgeNewerNodeRuntime } from './lib/node-runtime';

const ENV = { account: '222222222222', region: 'eu-west-1' };

/** A private, encrypted, TLS-only bucket with access logs, as every bucket of the shop. */
function secureBucket(scope: Construct, id: string, accessLogs?: s3.IBucket): s3.Bucket {
  return new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    serverAccessLogsBucket: accessLogs,
    serverAccessLogsPrefix: accessLogs ? `${id.toLowerCase()}/` : undefined,
  });
}

/** An access-log bucket (it cannot log to itself: acknowledged). */
function logBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    // no ACLs: S3 server access logs and ALB access logs are delivered through the bucket policy
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: Duration.days(365) }],
  });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'This bucket receives the access logs of the other buckets; logging it to itself would loop.' });
  return bucket;
}

/**
 * A Lambda function with its own log group and a role scoped to it (instead of the AWS managed
 * basic-execution policy).
 */
function handler(scope: Construct, id: string, props: { environment: Record<string, string>; tracing?: boolean }): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return acknowledgeNewerNodeRuntime(new lambda.Function(scope, id, {
    runtime: lambda.determineLatestNodeRuntime(scope),
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
    environment: props.environment,
    tracing: props.tracing ? lambda.Tracing.ACTIVE : undefined,
    role,
    logGroup,
  }));
}

/**
 * cdk-nag v3 reports the wildcards CDK grant helpers generate one by one (granular findings);
 * each is acknowledged on the role's policy with what it is scoped to.
 */
function acknowledgeGrants(scope: Construct, findings: string[], reason: string): void {
  for (const finding of findings) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}

export class NetworkStack extends Stack {
  public readonly vpc: ec2.Vpc;
  public readonly service: CustomerService;
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const network = new CustomerService(this, 'PrivateNetwork', {
      customerNeed: 'Service teams run their workloads in a private network',
      customer: Customer.internal('Service teams'),
      team: 'platform',
      businessUnit: 'technology',
      valueReview: { every: Duration.days(365), lastReviewed: '2026-06-30', reviewer: 'cto-staff' },
      costReporting: { monthlyBudget: 400, notify: [CostAlertTarget.email('platform@example.com')] },
    });
    this.service = network;
    this.vpc = new ec2.Vpc(network, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(), trafficType: ec2.FlowLogTrafficType.REJECT } },
    });
    // The network's demand driver: traffic leaving through the NAT gateway (the bulk of its cost).
    const nat = this.vpc.publicSubnets[0].node.findChild('NATGateway') as ec2.CfnNatGateway;
    network.addUsageMetric('egress gigabytes', new cloudwatch.MathExpression({
      expression: 'bytes / 1000000000',
      usingMetrics: {
        bytes: new cloudwatch.Metric({
          namespace: 'AWS/NATGateway',
          metricName: 'BytesOutToDestination',
          dimensionsMap: { NatGatewayId: nat.ref },
          statistic: cloudwatch.Stats.SUM,
          period: Duration.days(1),
        }),
      },
      label: 'Egress (GB)',
      period: Duration.days(1),
    }));
  }
}

export interface DataPlatformStackProps extends StackProps {
  /** The private network the platform's ingestion runs in. */
  readonly network: CustomerService;
}

/**
 * The data team's "data-platform" service: the shop's event stream and its data lake, an internal service whose
 * cost the customer-facing services it serves carry (fixed shares: 60 % checkout, 40 % product search).
 */
export class DataPlatformStack extends Stack {
  public readonly service: CustomerService;
  constructor(scope: Construct, id: string, props: DataPlatformStackProps) {
    super(scope, id, props);
    const data = new CustomerService(this, 'DataPlatform', {
      customerNeed: 'Product teams analyse shop events without running their own pipelines',
      customer: Customer.internal('Product teams'),
      team: 'data',
      businessUnit: 'technology',
      valueReview: { every: Duration.days(180), lastReviewed: '2026-08-15', reviewer: 'cto-staff' },
      costReporting: { notify: [CostAlertTarget.email('data@example.com')] },
      costAllocation: Allocation.fixed({ 'checkout': 60, 'product-search': 40 }),
    });
    data.consumes(props.network);
    this.service = data;
    // encrypted with the AWS managed key aws/kinesis (what cdk-nag's AwsSolutions-KDS3 asks for)
    const events = new kinesis.Stream(data, 'ShopEvents', {
      streamMode: kinesis.StreamMode.ON_DEMAND,
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.days(7),
    });
    const accessLogs = logBucket(data, 'AccessLogs');
    secureBucket(data, 'Lake', accessLogs);
    // The platform's demand driver: shop events ingested.
    data.addUsageMetric('events', events.metricIncomingRecords({ period: Duration.days(1), statistic: cloudwatch.Stats.SUM }), { unitScale: 1_000_000 });
  }
}

export interface CheckoutStackProps extends StackProps {
  readonly vpc: ec2.IVpc;
  /** The services checkout consumes: the private network and the data platform. */
  readonly consumes?: CustomerService[];
}

export class CheckoutStack extends Stack {
  public readonly service: CustomerService;
  public readonly ordersTable: dynamodb.TableV2;
  constructor(scope: Construct, id: string, props: CheckoutStackProps) {
    super(scope, id, props);
    const checkout = new CustomerService(this, 'Checkout', {
      customerNeed: 'Shoppers pay for their basket in one step',
      customer: Customer.external('Online shoppers'),
      team: 'payments',
      businessUnit: 'retail',
      valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'retail-board' },
      costReporting: { monthlyBudget: 2500, notify: [CostAlertTarget.email('payments@example.com')] },
    });
    this.service = checkout;
    checkout.consumes(...(props.consumes ?? []));

    const accessLogs = logBucket(checkout, 'AccessLogs');

    // Orders
    this.ordersTable = new dynamodb.TableV2(checkout, 'Orders', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
    });

    // Order events, with a dead-letter queue
    const dlq = new sqs.Queue(checkout, 'OrderEventsDlq', { enforceSSL: true, retentionPeriod: Duration.days(14) });
    const events = new sqs.Queue(checkout, 'OrderEvents', {
      enforceSSL: true,
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
    Validations.of(dlq).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of OrderEvents.' });

    // The checkout front end: ECS Fargate behind an ALB
    const cluster = new ecs.Cluster(checkout, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const web = new ecsPatterns.ApplicationLoadBalancedFargateService(checkout, 'Web', {
      cluster,
      cpu: 512,
      memoryLimitMiB: 1024,
      desiredCount: 2,
      publicLoadBalancer: true,
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
      taskImageOptions: {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
        containerPort: 80,
        logDriver: ecs.LogDrivers.awsLogs({ streamPrefix: 'checkout', logRetention: logs.RetentionDays.ONE_MONTH }),
      },
    });
    web.loadBalancer.logAccessLogs(accessLogs, 'alb');
    this.ordersTable.grantReadWriteData(web.taskDefinition.taskRole);
    events.grantSendMessages(web.taskDefinition.taskRole);
    Validations.of(web.loadBalancer).acknowledge({ id: 'AwsSolutions-EC23', reason: 'The storefront load balancer is public by design: shoppers reach it from the internet.' });

    // Fulfilment workflow: record the order, then announce it
    const record = new tasks.DynamoPutItem(checkout, 'RecordOrder', {
      table: this.ordersTable,
      item: { orderId: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.orderId')) },
      resultPath: sfn.JsonPath.DISCARD,
    });
    const announce = new tasks.SqsSendMessage(checkout, 'AnnounceOrder', {
      queue: events,
      messageBody: sfn.TaskInput.fromJsonPathAt('$'),
    });
    const fulfilment = new sfn.StateMachine(checkout, 'Fulfilment', {
      definitionBody: sfn.DefinitionBody.fromChainable(record.next(announce)),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(checkout, 'FulfilmentLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
        level: sfn.LogLevel.ALL,
      },
    });

    // The service's demand driver: orders placed (fulfilment executions started).
    checkout.addUsageMetric('orders', fulfilment.metricStarted({ period: Duration.days(1) }), { unitScale: 1000 });

    for (const construct of [web.taskDefinition, web.service]) {
      Validations.of(construct).acknowledge({ id: 'AwsSolutions-ECS2', reason: 'The container takes no secrets; plain environment variables carry only non-sensitive settings.' });
    }
    acknowledgeGrants(fulfilment, ['Resource::*'], 'X-Ray tracing of the workflow: xray:PutTraceSegments and friends have no resource-level permissions.');
  }
}

export interface CheckoutEdgeStackProps extends StackProps {
  readonly checkout: CustomerService;
  readonly ordersTable: dynamodb.ITableV2;
}

/** Resources of the checkout service that live in another stack: made part of it with include(). */
export class CheckoutEdgeStack extends Stack {
  constructor(scope: Construct, id: string, props: CheckoutEdgeStackProps) {
    super(scope, id, props);
    props.checkout.include(this);

    const accessLogs = logBucket(this, 'AccessLogs');
    const receipts = secureBucket(this, 'Receipts', accessLogs);
    const fn = handler(this, 'ReceiptsFn', {
      environment: { RECEIPTS_BUCKET: receipts.bucketName, ORDERS_TABLE: props.ordersTable.tableName },
      tracing: true,
    });
    receipts.grantRead(fn);
    props.ordersTable.grantReadData(fn);

    const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const api = new apigw.LambdaRestApi(this, 'ReceiptsApi', {
      handler: fn,
      proxy: false,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        accessLogDestination: new apigw.LogGroupLogDestination(apiLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const validator = api.addRequestValidator('Validator', { validateRequestParameters: true, validateRequestBody: true });
    api.root.addResource('receipts').addResource('{orderId}').addMethod('GET', undefined, {
      authorizationType: apigw.AuthorizationType.IAM,
      requestValidator: validator,
      requestParameters: { 'method.request.path.orderId': true },
    });

    Validations.of(api).acknowledge({ id: 'AwsSolutions-APIG3', reason: 'IAM-authorized internal API reached only by the checkout front end; no WAF needed.' });
    Validations.of(api).acknowledge({ id: 'AwsSolutions-COG4', reason: 'Callers authenticate with IAM (SigV4), not Cognito.' });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role uses the AWS managed policy made for it.',
    });
    acknowledgeGrants(fn.role!, ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', `Resource::<${this.getLogicalId(receipts.node.defaultChild as s3.CfnBucket)}.Arn>/*`],
      'receipts.grantRead(fn): read access to the receipts bucket and its objects only.');
    acknowledgeGrants(fn.role!, ['Resource::*'], 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.');

  }
}

export interface SearchStackProps extends StackProps {
  /** The services product search consumes: the data platform. */
  readonly consumes?: CustomerService[];
}

/** The product-search service: Lambda behind an HTTP API, and the product feed in S3. */
export class SearchStack extends Stack {
  constructor(scope: Construct, id: string, props: SearchStackProps) {
    super(scope, id, props);
    const search = new CustomerService(this, 'ProductSearch', {
      customerNeed: 'Shoppers find the product they are looking for',
      customer: Customer.external('Online shoppers'),
      team: 'discovery',
      businessUnit: 'retail',
      valueReview: { every: Duration.days(90), lastReviewed: '2026-09-20', reviewer: 'retail-board' },
      costReporting: { notify: [CostAlertTarget.email('discovery@example.com')] },
    });
    search.consumes(...(props.consumes ?? []));
    const accessLogs = logBucket(search, 'AccessLogs');
    const feedKey = new kms.Key(search, 'FeedKey', { enableKeyRotation: true });
    const feed = new s3.Bucket(search, 'ProductFeed', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: feedKey,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'feed/',
    });
    const fn = handler(search, 'SearchFn', { environment: { FEED_BUCKET: feed.bucketName } });
    feed.grantRead(fn);
    const httpApi = new apigwv2.HttpApi(search, 'SearchApi', {
      defaultIntegration: new apigwv2i.HttpLambdaIntegration('Search', fn),
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    const stage = httpApi.defaultStage!.node.defaultChild as apigwv2.CfnStage;
    const apiLogs = new logs.LogGroup(search, 'SearchApiLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    stage.accessLogSettings = {
      destinationArn: apiLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' }),
    };

    search.addUsageMetric('searches', httpApi.metricCount(), { unitScale: 1000 });

    acknowledgeGrants(fn.role!, ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*',
      `Resource::<${Stack.of(feed).getLogicalId(feed.node.defaultChild as s3.CfnBucket)}.Arn>/*`],
    'feed.grantRead(fn): read access to the product feed bucket, its objects and its key only.');
  }
}

export function createApp(props: AppProps = {}): App {
  const app = new App({
    ...props,
    context: {
      // Cross-stack references (checkout's table used by its edge stack) keep CDK's producer protection.
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      // S3 server access logs are delivered through a bucket policy, not the deprecated AccessControl ACL (what
      // `cdk init` sets in cdk.json; without it aws-cdk-lib writes AccessControl: LogDeliveryWrite, validator W3045).
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
      // What `cdk synth` would otherwise look up with AWS credentials (and cache in cdk.context.json).
      [`availability-zones:account=${ENV.account}:region=${ENV.region}`]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      ...props.context,
    },
  });
  const network = new NetworkStack(app, 'ShopNetwork', { env: ENV });
  const data = new DataPlatformStack(app, 'ShopData', { env: ENV, network: network.service });
  const checkout = new CheckoutStack(app, 'ShopCheckout', { env: ENV, vpc: network.vpc, consumes: [network.service, data.service] });
  new CheckoutEdgeStack(app, 'ShopCheckoutEdge', { env: ENV, checkout: checkout.service, ordersTable: checkout.ordersTable });
  new SearchStack(app, 'ShopSearch', { env: ENV, consumes: [data.service] });
  return app;
}

if (require.main === module) {
  createApp();
}
