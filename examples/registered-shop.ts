/**
 * Many apps, many accounts (1 of 2): the shop app, deployed by its own pipeline into its own workload account, whose
 * stack registers its three services' declarations in the organization's declaration registry, which the FinOps team
 * created in the management account (`DeclarationRegistry` in examples/payer-account.ts). The ledger app
 * (examples/registered-ledger.ts) does the same for two services in another account; the management account then
 * reads all five with `customer-value review --registry ...`, without either app's cdk.out.
 *
 * Deploying the stack registers its services and its attribution rules; updating it updates them; deleting it
 * withdraws them. Nothing here names the registry but the context, which a platform team sets once for every app
 * (cdk.json, or `-c customer-value:registry=...` in the pipeline):
 *
 *   "customer-value:registry": { "bucketName": "example-customer-value-registry", "region": "us-east-1" }
 *
 * The stack gets one `DeclarationRegistration` (a custom resource and its function, which may write that stack's entry
 * only).
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/registered-shop.ts'
 */
import { App, AppProps, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  AttributionRule, AttributionRules, AttributionTarget, ContextKeys, CostAlertTarget, Customer, CustomerService, CustomerServiceProps,
} from '../src';
import { acknowledgeNewerNodeRuntime } from './lib/node-runtime';
import { MANAGEMENT_ACCOUNT, REGISTRY_BUCKET } from './payer-account';

/** The shop's workload account. */
export const SHOP_ACCOUNT = '111111111111';

/** The registry the FinOps team created (examples/payer-account.ts), as the workload apps name it. */
export const REGISTRY = { bucketName: REGISTRY_BUCKET, region: 'us-east-1' };

export function createApp(props: AppProps = {}): App {
  const app = new App({ ...props, context: { [ContextKeys.REGISTRY]: REGISTRY, ...props.context } });

  const shop = new Stack(app, 'Shop', { env: { account: SHOP_ACCOUNT, region: 'eu-west-1' } });
  registeredService(shop, 'Checkout', {
    customerNeed: 'Shoppers pay for their basket in one step', customer: Customer.external('Online shoppers'), team: 'payments', businessUnit: 'retail',
  });
  registeredService(shop, 'Refunds', {
    customerNeed: 'Shoppers get their money back without calling support', customer: Customer.external('Online shoppers'), team: 'payments', businessUnit: 'retail',
  });
  registeredService(shop, 'Wishlist', {
    customerNeed: 'Shoppers keep a list of products they want to buy later', customer: Customer.external('Online shoppers'), team: 'discovery', businessUnit: 'retail',
  });
  // spend of the shop's account that no service tag reaches (its stack's untaggable resources, the account's own
  // charges) goes to the retail services, in proportion to their cost: registered with the services, it travels too
  new AttributionRules(shop, 'ShopAccount', {
    rules: [AttributionRule.accounts({ name: 'shop-account', accountIds: [SHOP_ACCOUNT], to: AttributionTarget.businessUnit('retail') })],
  });
  return app;
}

/** A registered service with a small API (a function, its role and log group) and its usage metric. */
export function registeredService(scope: Construct, id: string, declaration: CustomerServiceProps): CustomerService {
  const svc = new CustomerService(scope, id, {
    ...declaration,
    valueReview: { every: Duration.days(180), lastReviewed: '2026-09-15', reviewer: `${declaration.businessUnit}-board` },
    costReporting: { notify: [CostAlertTarget.email(`${declaration.team}@example.com`)] },
  });
  const logGroup = new logs.LogGroup(svc, 'ApiLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(svc, 'ApiRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const api = acknowledgeNewerNodeRuntime(new lambda.Function(svc, 'Api', {
    runtime: lambda.determineLatestNodeRuntime(svc),
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    role,
    logGroup,
  }));
  svc.addUsageMetric('requests', api.metricInvocations(), { unitScale: 1000 });
  return svc;
}

export { MANAGEMENT_ACCOUNT };

if (require.main === module) {
  createApp();
}
