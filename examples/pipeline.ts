/**
 * Governance in a pipeline: a CDK Pipelines app whose synth step runs `cdk synth` with `CustomerValueChecks`
 * and `AwsSolutionsChecks` registered, so a resource outside any customer service, an untagged resource or a
 * refused declaration fails the synth step and nothing is deployed.
 *
 * - The `Delivery` stack holds the pipeline. Its resources (CodePipeline, CodeBuild projects, artifact
 *   bucket, KMS key, roles) are not outside any service: they belong to the "delivery-platform" customer
 *   service of the platform team, whose customer is internal (the service teams). That is the honest model:
 *   the pipeline costs money (pipeline runs, build minutes, storage) and that cost has an owner and a reason.
 * - Two stages, Beta and Prod, deploy the same customer services to two accounts. Each service consumes the
 *   delivery platform (by name: it is declared outside the stages), which passes its cost on in equal parts: with
 *   `customer-value cost --allocate` the pipeline's cost is carried by the needs it delivers.
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/pipeline.ts'
 */
import { App, AppProps, AspectPriority, Aspects, CfnElement, Duration, RemovalPolicy, Stack, Stage, StageProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { Allocation, CostAlertTarget, Customer, CustomerService, CustomerValueChecks, ServiceRef } from '../src';
import { acknowledgeNewerNodeRuntime } from './lib/node-runtime';

const TOOLING = { account: '111111111111', region: 'eu-west-1' };
const BETA = { account: '222222222222', region: 'eu-west-1' };
const PROD = { account: '333333333333', region: 'eu-west-1' };
const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/2a1b6c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d';
const SYNTH_PROJECT = 'shop-delivery-synth';

/** A function with its own log group and a role scoped to it. */
function apiFunction(scope: Construct, id: string, code: string): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return acknowledgeNewerNodeRuntime(new lambda.Function(scope, id, {
    runtime: lambda.determineLatestNodeRuntime(scope),
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
    role,
    logGroup,
  }));
}

function table(scope: Construct, id: string, partitionKey: string): dynamodb.TableV2 {
  return new dynamodb.TableV2(scope, id, {
    partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/**
 * The shop's customer services, deployed once per stage (account).
 */
export class ShopStage extends Stage {
  /** The stack holding the services. */
  public readonly stack: Stack;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    this.stack = new Stack(this, 'Shop');

    const checkout = new CustomerService(this.stack, 'Checkout', {
      customerNeed: 'Shoppers pay for their basket in one step',
      customer: Customer.external('Online shoppers'),
      team: 'payments',
      businessUnit: 'retail',
      valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'retail-board' },
      costReporting: { notify: [CostAlertTarget.email('payments@example.com')] },
    });
    const orders = table(checkout, 'Orders', 'orderId');
    const pay = apiFunction(checkout, 'Pay', 'exports.handler = async () => ({ statusCode: 201 });');
    orders.grantWriteData(pay);
    checkout.addUsageMetric('orders', pay.metricInvocations(), { unitScale: 1000 });
    checkout.consumes(ServiceRef.named('delivery-platform'));

    const wishlist = new CustomerService(this.stack, 'Wishlist', {
      customerNeed: 'Shoppers keep a list of products they want to buy later',
      customer: Customer.external('Online shoppers'),
      team: 'discovery',
      businessUnit: 'retail',
      valueReview: { every: Duration.days(180), lastReviewed: '2026-09-15', reviewer: 'retail-board' },
      costReporting: { notify: [CostAlertTarget.email('discovery@example.com')] },
    });
    const items = table(wishlist, 'Items', 'shopperId');
    const list = apiFunction(wishlist, 'Api', 'exports.handler = async () => ({ statusCode: 200, body: "[]" });');
    items.grantReadData(list);
    wishlist.addUsageMetric('wishlist requests', list.metricInvocations(), { unitScale: 1000 });
    wishlist.consumes(ServiceRef.named('delivery-platform'));
  }
}

/**
 * @param props the app's props
 * @param customizeStage called with each stage once its services are declared, before the pipeline reads it
 *   (CDK Pipelines synthesizes a stage when it is added): how a team's change to the stage reaches the pipeline;
 *   the tests use it to introduce governance failures
 */
export function createApp(props: AppProps = {}, customizeStage?: (stage: ShopStage) => void): App {
  const app = new App({
    ...props,
    context: {
      // S3 server access logs are delivered through a bucket policy, not the deprecated AccessControl ACL (what
      // `cdk init` sets in cdk.json; without it aws-cdk-lib writes AccessControl: LogDeliveryWrite, validator W3045).
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
      ...props.context,
    },
  });
  // Governance: any error from either pack fails `cdk synth`, so the pipeline's synth step fails. Each
  // finding names the resource (or service) and the report prints how to fix it ("Suggested fix").
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));

  const delivery = new Stack(app, 'Delivery', { env: TOOLING });
  const platform = new CustomerService(delivery, 'DeliveryPlatform', {
    serviceName: 'delivery-platform',
    customerNeed: 'Service teams ship reviewed changes to their customers safely several times a day',
    customer: Customer.internal('Service teams'),
    team: 'platform',
    businessUnit: 'engineering',
    valueReview: { every: Duration.days(180), lastReviewed: '2026-08-01', reviewer: 'engineering-leads' },
    costReporting: { notify: [CostAlertTarget.email('platform@example.com')] },
    costAllocation: Allocation.even(),
  });

  // The artifact store: a customer-managed key (stages deploy to other accounts) and server access logs.
  const accessLogs = new s3.Bucket(platform, 'ArtifactAccessLogs', {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    lifecycleRules: [{ expiration: Duration.days(365) }],
  });
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket receives the server access logs of the artifact bucket; logging its own access would log the logging',
  });
  const artifactKey = new kms.Key(platform, 'ArtifactKey', { enableKeyRotation: true, description: 'Pipeline artifacts' });
  const artifactBucket = new s3.Bucket(platform, 'Artifacts', {
    encryptionKey: artifactKey,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    serverAccessLogsBucket: accessLogs,
    lifecycleRules: [{ expiration: Duration.days(90) }],
  });

  const pipeline = new pipelines.CodePipeline(platform, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    artifactBucket,
    // A CodeBuildStep is a ShellStep that runs in a CodeBuild project; naming the project names its metrics.
    synth: new pipelines.CodeBuildStep('Synth', {
      input: pipelines.CodePipelineSource.connection('example-org/shop', 'main', { connectionArn: CONNECTION_ARN }),
      commands: ['npm ci', 'npx cdk synth'],
      projectName: SYNTH_PROJECT,
    }),
  });
  const shopStage = (id: string, env: typeof BETA) => {
    const stage = new ShopStage(app, id, { env });
    customizeStage?.(stage);
    return stage;
  };
  pipeline.addStage(shopStage('Beta', BETA));
  pipeline.addStage(shopStage('Prod', PROD), { pre: [new pipelines.ManualApprovalStep('PromoteToProd')] });

  // The platform's demand driver: pipeline runs (each run starts one synth build).
  platform.addUsageMetric('pipeline runs', new cloudwatch.Metric({
    namespace: 'AWS/CodeBuild',
    metricName: 'Builds',
    dimensionsMap: { ProjectName: SYNTH_PROJECT },
    statistic: 'Sum',
    period: Duration.days(1),
  }));

  // CDK Pipelines builds the pipeline during synthesis (an aspect); acknowledge its generated grants once built.
  Aspects.of(pipeline).add({
    visit: (node) => {
      if (node === pipeline) {
        acknowledgePipelineGrants(pipeline, artifactBucket, artifactKey);
      }
    },
  }, { priority: AspectPriority.READONLY });
  return app;
}

/**
 * The wildcard permissions CDK Pipelines generates (AwsSolutions-IAM5), each acknowledged with what it is
 * scoped to. cdk-nag v3 acknowledges granular findings one by one; their ids name logical ids.
 */
function acknowledgePipelineGrants(pipeline: pipelines.CodePipeline, bucket: s3.IBucket, _key: kms.IKey): void {
  const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);
  const artifacts = 'CDK Pipelines grants its roles access to the pipeline\'s own artifact bucket (bucket.grantRead / grantReadWrite)';
  const ack = (finding: string, reason: string) => Validations.of(pipeline).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
    ack(`Action::${action}`, `${artifacts}; the action wildcard is limited to that bucket and its objects`);
  }
  ack(`Resource::<${logicalId(bucket)}.Arn>/*`, `${artifacts}; the wildcard covers the objects of that bucket only`);
  for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
    ack(`Action::${action}`, 'CDK Pipelines grants encrypt/decrypt on the pipeline\'s own artifact key only (key.grantEncryptDecrypt)');
  }
  const region = Stack.of(pipeline).region;
  const account = Stack.of(pipeline).account;
  for (const project of [pipeline.synthProject, pipeline.selfMutationProject]) {
    const name = `<${logicalId(project)}>`;
    ack(`Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/${name}:*`,
      'CodeBuild writes its build logs to the log group named after this project; the wildcard covers its log streams');
    ack(`Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/${name}-*`,
      'CodeBuild\'s standard test-report permission, limited to report groups named after this project');
  }
  // Present when the stages hold file assets (e.g. Lambda code): one role publishes them all.
  ack(`Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/*`,
    'The asset-publishing CodeBuild projects are created per asset by CDK Pipelines and share one role, which writes their build logs');
  ack(`Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/*`,
    'The shared role of the asset-publishing CodeBuild projects (created per asset by CDK Pipelines) gets CodeBuild\'s standard report permission');
  ack(`Resource::arn:*:iam::${account}:role/*`,
    'The self-mutation step runs cdk deploy: it may assume only the CDK bootstrap roles of this account (condition iam:ResourceTag/aws-cdk:bootstrap-role)');
  ack('Resource::*', 'The self-mutation step calls cloudformation:DescribeStacks and s3:ListBucket, which cdk deploy needs before it assumes the bootstrap deploy role');
}

if (require.main === module) {
  createApp();
}
