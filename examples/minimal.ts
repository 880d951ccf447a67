/**
 * The smallest customer service: one need, one customer, one team, one business unit, and the resources
 * that fulfil the need declared inside the service.
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/minimal.ts'
 */
import { App, AppProps, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CostAlertTarget, Customer, CustomerService } from '../src';
import { acknowledgeNewerNodeRuntime } from './lib/node-runtime';

export function createApp(props: AppProps = {}): App {
  const app = new App(props);
  const stack = new Stack(app, 'Wishlist', { env: { account: '111111111111', region: 'eu-west-1' } });

  const wishlist = new CustomerService(stack, 'Wishlist', {
    customerNeed: 'Shoppers keep a list of products they want to buy later',
    customer: Customer.external('Online shoppers'),
    team: 'discovery',
    businessUnit: 'retail',
    valueReview: { every: Duration.days(180), lastReviewed: '2026-09-15', reviewer: 'retail-board' },
    // Who hears about the budget alerts (AWS Budgets e-mails the address itself).
    costReporting: { notify: [CostAlertTarget.email('discovery@example.com')] },
  });

  const table = new dynamodb.TableV2(wishlist, 'Items', {
    partitionKey: { name: 'shopperId', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'productId', type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });

  // An explicit log group and a role scoped to it (rather than the AWS managed basic-execution policy).
  const logGroup = new logs.LogGroup(wishlist, 'ApiLogs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(wishlist, 'ApiRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);

  // The runtime aws-cdk-lib's region facts list as available, not a pinned one (examples/lib/node-runtime.ts)
  const api = acknowledgeNewerNodeRuntime(new lambda.Function(wishlist, 'Api', {
    runtime: lambda.determineLatestNodeRuntime(wishlist),
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "[]" });'),
    environment: { TABLE_NAME: table.tableName },
    role,
    logGroup,
  }));
  table.grantReadWriteData(api);

  // The demand driver: the unit of the unit-cost metric (cost per 1 000 wishlist requests).
  wishlist.addUsageMetric('wishlist requests', api.metricInvocations(), { unitScale: 1000 });
  return app;
}

if (require.main === module) {
  createApp();
}
