/**
 * Many apps, many accounts: workload stacks that register their services' declarations in the organization's
 * declaration registry, which the FinOps team created in the management account (`DeclarationRegistry` in
 * examples/payer-account.ts). Deploying a stack registers its services; updating it updates them; deleting it
 * withdraws them. Nothing here names the registry but the context, which a platform team sets once for every app
 * (cdk.json, or `-c customer-value:registry=...` in the pipeline):
 *
 *   "customer-value:registry": { "bucketName": "example-customer-value-registry", "region": "us-east-1" }
 *
 * Two stacks in two workload accounts declare five services; each stack gets one `DeclarationRegistration` (a custom
 * resource and its function, which may write that stack's entry only).
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/registered-workloads.ts'
 */
import { App, AppProps, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ContextKeys, CostAlertTarget, Customer, CustomerService, CustomerServiceProps } from '../src';
import { REGISTRY_BUCKET, MANAGEMENT_ACCOUNT } from './payer-account';

/** The two workload accounts. */
export const SHOP_ACCOUNT = '111111111111';
export const LEDGER_ACCOUNT = '222222222222';

/** The registry the FinOps team created (examples/payer-account.ts), as the workload apps name it. */
export const REGISTRY = { bucketName: REGISTRY_BUCKET, region: 'us-east-1' };

export function createApp(props: AppProps = {}): App {
  const app = new App({ ...props, context: { [ContextKeys.REGISTRY]: REGISTRY, ...props.context } });

  const shop = new Stack(app, 'Shop', { env: { account: SHOP_ACCOUNT, region: 'eu-west-1' } });
  service(shop, 'Checkout', {
    customerNeed: 'Shoppers pay for their basket in one step', customer: Customer.external('Online shoppers'), team: 'payments', businessUnit: 'retail',
  });
  service(shop, 'Refunds', {
    customerNeed: 'Shoppers get their money back without calling support', customer: Customer.external('Online shoppers'), team: 'payments', businessUnit: 'retail',
  });
  service(shop, 'Wishlist', {
    customerNeed: 'Shoppers keep a list of products they want to buy later', customer: Customer.external('Online shoppers'), team: 'discovery', businessUnit: 'retail',
  });

  const ledger = new Stack(app, 'Ledger', { env: { account: LEDGER_ACCOUNT, region: 'eu-central-1' } });
  service(ledger, 'Invoicing', {
    customerNeed: 'Finance controlling sends correct invoices to business customers every month',
    customer: Customer.internal('Finance controlling'),
    team: 'ledger',
    businessUnit: 'finance',
  });
  service(ledger, 'Payouts', {
    customerNeed: 'Marketplace sellers receive what they sold for every week', customer: Customer.external('Marketplace sellers'), team: 'ledger', businessUnit: 'finance',
  });
  return app;
}

/** A service with a small API (a function, its role and log group) and its usage metric. */
function service(scope: Construct, id: string, declaration: CustomerServiceProps): CustomerService {
  const svc = new CustomerService(scope, id, {
    ...declaration,
    valueReview: { every: Duration.days(180), lastReviewed: '2026-09-15', reviewer: `${declaration.businessUnit}-board` },
    costReporting: { notify: [CostAlertTarget.email(`${declaration.team}@example.com`)] },
  });
  const logGroup = new logs.LogGroup(svc, 'ApiLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(svc, 'ApiRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const api = new lambda.Function(svc, 'Api', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    role,
    logGroup,
  });
  svc.addUsageMetric('requests', api.metricInvocations(), { unitScale: 1000 });
  return svc;
}

export { MANAGEMENT_ACCOUNT };

if (require.main === module) {
  createApp();
}
