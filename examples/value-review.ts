/**
 * The retail business unit's value review, in one app:
 *
 * - a workload stack with the unit's customer services, each with its review schedule and the outcome of its last
 *   review (recorded in code after the meeting: the review history is the git history), a budget where the unit
 *   agreed one, and its demand driver (the unit of its unit cost);
 * - the technology unit's private network and data platform (from examples/online-shop.ts), which checkout and
 *   product search consume: the packs show their fully-loaded cost (the value chain);
 * - the management-account stack that exports CUR 2.0 to S3 with Athena (`CostAndUsageExport`) and produces the
 *   unit's review pack every month from it (`ValueReviewReports`), delivered to the retail board by e-mail.
 *
 * The same pack, on demand, from the sample bill the demo generates (scripts/review-sample.ts):
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/value-review.ts' -o cdk.out/value-review
 *   npx tsx scripts/review-sample.ts --out cdk.out/review-data
 *   npx tsx -e "require('./src/cli/main').main(process.argv.slice(1))" -- review --source cur cdk.out/review-data/customer-value-cur --assembly cdk.out/value-review \
 *     --usage-file cdk.out/review-data/customer-value-usage.csv --business-unit retail --output html --out-dir cdk.out/review
 */
import { App, AppProps, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  CostAlertTarget, CostAndUsageExport, Customer, CustomerService, CustomerValueChecks, ServiceValueDeclaration, ValueReviewOutcome,
  ValueReviewReports,
} from '../src';
import { DataPlatformStack, NetworkStack } from './online-shop';

const RETAIL_BOARD = 'retail-board';
/** The technology unit's platform account. */
const PLATFORM_ENV = { account: '222222222222', region: 'eu-west-1' };

/** The FinOps team's service: it owns the cost of the management account's reporting resources. */
const COST_REPORTING: ServiceValueDeclaration = {
  serviceName: 'cost-reporting',
  customerNeed: 'Business units see what each customer need costs them every month',
  customer: Customer.internal('Business units'),
  team: 'finops',
  businessUnit: 'finance',
};

export function createApp(props: AppProps = {}): App {
  const app = new App({
    ...props,
    context: {
      // as in examples/online-shop.ts, whose platform stacks this app reuses: access logs through a bucket policy,
      // and the availability zones `cdk synth` would otherwise look up with AWS credentials
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
      [`availability-zones:account=${PLATFORM_ENV.account}:region=${PLATFORM_ENV.region}`]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      ...props.context,
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
  const shop = new Stack(app, 'Retail', { env: { account: '111111111111', region: 'eu-west-1' } });

  const checkout = new CustomerService(shop, 'Checkout', {
    customerNeed: 'Shoppers pay for their basket in one step',
    customer: Customer.external('Online shoppers'),
    team: 'payments',
    businessUnit: 'retail',
    valueReview: {
      every: Duration.days(90),
      lastReviewed: '2026-09-01',
      reviewer: RETAIL_BOARD,
      outcome: ValueReviewOutcome.INVEST,
      note: 'Orders grow 10 % a month: scale the payment workers, keep the cost per order flat',
    },
    costReporting: { monthlyBudget: 2000, notify: [CostAlertTarget.email('payments@example.com')] },
  });
  table(checkout, 'Orders');
  checkout.addUsageMetric('orders', metric('OrdersPlaced'), { unitScale: 1000 });

  const search = new CustomerService(shop, 'Search', {
    serviceName: 'product-search',
    customerNeed: 'Shoppers find the product they are looking for',
    customer: Customer.external('Online shoppers'),
    team: 'discovery',
    businessUnit: 'retail',
    valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: RETAIL_BOARD, outcome: ValueReviewOutcome.SUSTAIN },
    costReporting: { notify: [CostAlertTarget.email('discovery@example.com')] },
  });
  table(search, 'Index');
  search.addUsageMetric('searches', metric('Searches'), { unitScale: 1000 });

  const wishlist = new CustomerService(shop, 'Wishlist', {
    customerNeed: 'Shoppers keep a list of products they want to buy later',
    customer: Customer.external('Online shoppers'),
    team: 'discovery',
    businessUnit: 'retail',
    valueReview: {
      every: Duration.days(180),
      lastReviewed: '2026-06-02',
      reviewer: RETAIL_BOARD,
      outcome: ValueReviewOutcome.IMPROVE,
      note: 'Worth keeping, but it costs more than agreed: bring it under 200 USD a month',
    },
    costReporting: { monthlyBudget: 200, notify: [CostAlertTarget.email('discovery@example.com')] },
  });
  table(wishlist, 'Items');
  wishlist.addUsageMetric('wishlist requests', metric('WishlistRequests'), { unitScale: 1000 });

  const returns = new CustomerService(shop, 'Returns', {
    customerNeed: 'Shoppers send back what does not fit and get refunded',
    customer: Customer.external('Online shoppers'),
    team: 'payments',
    businessUnit: 'retail',
    valueReview: {
      every: Duration.days(180),
      lastReviewed: '2026-10-20',
      reviewer: RETAIL_BOARD,
      outcome: ValueReviewOutcome.RETIRE,
      note: 'Returns moved to the marketplace partner in October',
    },
    costReporting: { monthlyBudget: 100, notify: [CostAlertTarget.email('payments@example.com')] },
  });
  table(returns, 'Parcels');
  Validations.of(returns).acknowledge({
    id: 'CustomerValue-NoUsageMetric',
    reason: 'Being retired (value review of 2026-10-20): no demand driver is measured any more',
  });

  // The management account: CUR 2.0 with Athena, and the monthly packs made from it. Created after the services, whose
  // declarations it ships to its function.
  // The technology unit's platform services the shop runs on (examples/online-shop.ts): checkout consumes the private
  // network and the data platform, product search the data platform, which itself consumes the network (a chain). The
  // packs show each retail service's fully-loaded cost: its own bill plus its share of the platform's.
  const network = new NetworkStack(app, 'Network', { env: PLATFORM_ENV }).service;
  const data = new DataPlatformStack(app, 'Data', { env: PLATFORM_ENV, network }).service;
  checkout.consumes(network, data);
  search.consumes(data);

  const billing = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
  const cur = new CostAndUsageExport(billing, 'Cur', { owner: COST_REPORTING, managementAccountId: '123456789012' });
  // The FinOps team's alarm topic: a failed monthly run must reach someone (without alarmTopic, synthesis warns).
  const finOps = new Construct(billing, 'FinOpsAlarms');
  const key = new kms.Key(finOps, 'Key', { enableKeyRotation: true, description: 'Encrypts the FinOps alarm topic' });
  const alarmTopic = new sns.Topic(finOps, 'Topic', { masterKey: key, enforceSSL: true });
  alarmTopic.addSubscription(new subscriptions.EmailSubscription('finops@example.com'));
  Validations.of(finOps).acknowledge({
    id: 'CustomerValue-ResourceOutsideService',
    reason: 'Alarm topic of the FinOps team in the management account: it serves the billing constructs, not one customer service',
  });
  new ValueReviewReports(billing, 'ValueReview', {
    owner: COST_REPORTING,
    managementAccountId: '123456789012',
    costAndUsageExport: cur,
    recipients: [{ businessUnit: 'retail', emails: ['retail-board@example.com'] }],
    alarmTopic,
  });
  return app;
}

function table(scope: Construct, id: string): dynamodb.TableV2 {
  return new dynamodb.TableV2(scope, id, {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** A demand driver the service's code publishes, summed per day. */
function metric(name: string): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'Retail', metricName: name, statistic: cloudwatch.Stats.SUM, period: Duration.days(1) });
}

if (require.main === module) {
  createApp();
}
