/**
 * Full cost and usage reporting for three customer services in one stack of a workload account:
 *
 * - checkout: a fixed budget of 500 USD, alerts by e-mail and to the payments team's chat topic (KMS-encrypted),
 *   "orders" as its unit (cost per 1 000 orders) and an alarm when that unit cost rises 20 % week over week;
 * - search: an auto-adjusting budget, e-mail alerts, cost per 1 000 searches with an alarm at +30 % over two
 *   weeks;
 * - returns: a fixed budget of 200 USD with its own alert thresholds, to the chat topic only, and a dashboard of its
 *   own (DashboardLayout.SERVICE).
 *
 * Each service gets its budget and (for the alarms) its alert topic; checkout and search share the stack's dashboard
 * (the default layout), a section each; the stack gets one cost publisher that writes the CustomerValue metrics for
 * all three every day, with its health alarms.
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/full-reporting.ts'
 */
import { App, AppProps, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { BudgetAlert, CostAlertTarget, Customer, CustomerService, CustomerValueChecks, DashboardLayout } from '../src';
import { acknowledgeNewerNodeRuntime } from './lib/node-runtime';

export function createApp(props: AppProps = {}): App {
  const app = new App(props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });

  // The payments team's chat channel (read by AWS Chatbot, say), encrypted with a key of its own. It is created
  // before the service that alerts to it, and made part of that service with include() below.
  const alerting = new Construct(stack, 'PaymentsAlerting');
  const alertKey = new kms.Key(alerting, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  const chat = new sns.Topic(alerting, 'Chat', { masterKey: alertKey, enforceSSL: true });

  // ---- checkout: fixed budget, e-mail + chat topic, unit cost per 1 000 orders with a week-over-week alarm
  const checkout = new CustomerService(stack, 'Checkout', {
    customerNeed: 'Shoppers pay for their basket in one step',
    customer: Customer.external('Online shoppers'),
    team: 'payments',
    businessUnit: 'retail',
    valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'retail-board' },
    costReporting: {
      monthlyBudget: 500,
      notify: [CostAlertTarget.email('payments-team@example.com'), CostAlertTarget.topic(chat)],
      unitCostAlarm: { increasePercent: 20, comparePeriod: Duration.days(7) },
      alertTopicKey: alertKey,
    },
  });
  checkout.include(alerting);
  const orders = new dynamodb.TableV2(checkout, 'Orders', {
    partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const pay = nodeFunction(checkout, 'Pay', 'exports.handler = async () => ({ statusCode: 201 });');
  orders.grantReadWriteData(pay);
  // The demand driver, published by the checkout code itself: the unit of "cost per 1 000 orders".
  checkout.addUsageMetric('orders', new cloudwatch.Metric({
    namespace: 'Shop', metricName: 'OrdersPlaced', statistic: cloudwatch.Stats.SUM, period: Duration.days(1),
  }), { unitScale: 1000 });

  // ---- search: auto-adjusting budget, e-mail, cost per 1 000 searches, alarm at +30 % over two weeks
  const search = new CustomerService(stack, 'Search', {
    customerNeed: 'Shoppers find the product they are looking for',
    customer: Customer.external('Online shoppers'),
    team: 'discovery',
    businessUnit: 'retail',
    costReporting: {
      autoAdjustMonths: 6,
      notify: [CostAlertTarget.email('discovery-team@example.com')],
      unitCostAlarm: { increasePercent: 30, comparePeriod: Duration.days(14) },
    },
  });
  const query = nodeFunction(search, 'Query', 'exports.handler = async () => ({ statusCode: 200, body: "[]" });');
  const deadLetters = new sqs.Queue(search, 'IndexDeadLetters', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
  const indexQueue = new sqs.Queue(search, 'IndexUpdates', {
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
  });
  indexQueue.grantSendMessages(query);
  search.addUsageMetric('searches', query.metricInvocations(), { unitScale: 1000 });

  // ---- returns: fixed budget with its own thresholds, to the payments chat topic only
  const returns = new CustomerService(stack, 'Returns', {
    customerNeed: 'Shoppers send back what does not fit and get refunded',
    customer: Customer.external('Online shoppers'),
    team: 'payments',
    businessUnit: 'retail',
    costReporting: {
      monthlyBudget: 200,
      notify: [CostAlertTarget.topic(chat)],
      alerts: [BudgetAlert.actual(50), BudgetAlert.actual(100), BudgetAlert.forecast(90)],
      dashboardLayout: DashboardLayout.SERVICE,
    },
  });
  const parcels = new dynamodb.TableV2(returns, 'Parcels', {
    partitionKey: { name: 'parcelId', type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  returns.addUsageMetric('returned parcels', parcels.metricConsumedWriteCapacityUnits({ period: Duration.days(1) }));

  return app;
}

/** A Node.js function with its own log group and a role scoped to it (no AWS managed policy). */
function nodeFunction(scope: Construct, id: string, code: string): lambda.Function {
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

if (require.main === module) {
  createApp();
}
