/**
 * The billing stack of the management (payer) account: the AWS cost features that only work there, wired to the
 * customer services of the organisation.
 *
 * The services themselves are deployed from their own apps into workload accounts; this app describes them
 * (`declarations`), and one stack in the management account, in us-east-1, then
 * - activates the customer-value tag keys as cost allocation tags (and retries daily until they are active),
 * - creates cost categories for team, business unit and customer need,
 * - watches every service for cost anomalies and alerts each team,
 * - exports CUR 2.0 with resource tags to S3, with a Glue table, an Athena workgroup and named queries,
 * - keeps the organization's declaration registry, where every workload stack registers its services (the two apps
 *   examples/registered-shop.ts and examples/registered-ledger.ts), and makes each business unit's value-review pack
 *   every month from what is registered there (the services typed in below are the fallback when the registry cannot
 *   be read).
 * - declares where spend without a service tag goes (attribution rules: the cost categories reproduce what AWS can
 *   express of them, and the tag activation adds the AWS-generated aws:cloudformation:stack-name the stack rule needs),
 * - holds every account of the organization to the customer-value tags with an AWS Organizations tag policy.
 *
 * What these constructs create themselves (functions, buckets, the workgroup, alert topics) costs money too: it is
 * attributed to the FinOps team's "cost-reporting" service (`owner`), so it is reported like any other service's cost
 * instead of landing in the untagged share.
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/payer-account.ts'
 */
import { Annotations, App, AppProps, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  AnomalyAlertTarget,
  AnomalyThreshold,
  AttributionRule,
  AttributionRules,
  AttributionTarget,
  ChargeType,
  CostAllocationTags,
  CostAndUsageExport,
  Customer,
  CustomerValueChecks,
  CustomerValueCostCategories,
  DeclarationRegistry,
  CustomerValueTagPolicy,
  ServiceAnomalyDetection,
  ServiceRef,
  ServiceValueDeclaration,
  ValueReviewReports,
} from '../src';

/** The management (payer) account of the organisation. */
export const MANAGEMENT_ACCOUNT = '123456789012';
/** The organisation (aws organizations describe-organization). */
export const ORGANIZATION_ID = 'o-a1b2c3d4e5';
/** The declaration registry's bucket: the workload apps name it in the context customer-value:registry. */
export const REGISTRY_BUCKET = 'example-customer-value-registry';

/**
 * The FinOps team's service: cost reporting for the whole organisation. It owns the cost of the billing constructs' own
 * resources.
 */
export const COST_REPORTING: ServiceValueDeclaration = {
  serviceName: 'cost-reporting',
  customerNeed: 'Business units see what each customer need costs them every month',
  customer: Customer.internal('Business units'),
  team: 'finops',
  businessUnit: 'finance',
};

/** The root of the organization (aws organizations list-roots): the tag policy is attached to it. */
export const ORGANIZATION_ROOT = 'r-a1b2';

/** The discovery team's sandbox account: everything in it belongs to the wishlist service. */
export const WISHLIST_SANDBOX_ACCOUNT = '210987654321';

/** The customer services of the organisation, as their own apps declare them. */
export const SERVICES: ServiceValueDeclaration[] = [
  {
    serviceName: 'checkout',
    customerNeed: 'Shoppers pay for their basket in one step',
    customer: Customer.external('Online shoppers'),
    team: 'payments',
    businessUnit: 'retail',
  },
  {
    serviceName: 'refunds',
    customerNeed: 'Shoppers get their money back without calling support',
    customer: Customer.external('Online shoppers'),
    team: 'payments',
    businessUnit: 'retail',
  },
  {
    serviceName: 'wishlist',
    customerNeed: 'Shoppers keep a list of products they want to buy later',
    customer: Customer.external('Online shoppers'),
    team: 'discovery',
    businessUnit: 'retail',
  },
  {
    serviceName: 'invoicing',
    customerNeed: 'Finance controlling sends correct invoices to business customers every month',
    customer: Customer.internal('Finance controlling'),
    team: 'ledger',
    businessUnit: 'finance',
  },
];

export function createApp(props: AppProps = {}): App {
  const app = new App(props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));

  // Data Exports exports are created in us-east-1, and the billing features live in the management account.
  const billing = new Stack(app, 'Billing', { env: { account: MANAGEMENT_ACCOUNT, region: 'us-east-1' } });
  // `managementAccountId` warns when the stack is in another account; `owner` pays for the constructs' own resources.
  const guard = { managementAccountId: MANAGEMENT_ACCOUNT, owner: COST_REPORTING };

  // 0. Where spend without a service tag goes, first matching rule first (docs/attribution.md): what CloudFormation
  //    created in a service's stack but the tags missed goes to the services of that stack; the sandbox account is the
  //    wishlist service's; tax and support are shared by every service in proportion to its cost.
  new AttributionRules(billing, 'SharedCosts', {
    rules: [
      AttributionRule.declaredStacks(),
      AttributionRule.accounts({ accountIds: [WISHLIST_SANDBOX_ACCOUNT], to: AttributionTarget.service(ServiceRef.named('wishlist')) }),
      AttributionRule.charges({ chargeTypes: [ChargeType.TAX, ChargeType.SUPPORT], to: AttributionTarget.everyone() }),
    ],
  });

  // 1. The tag keys become cost allocation tags (and aws:cloudformation:stack-name, for the stack rule above); backfill
  //    the current month once they are active.
  new CostAllocationTags(billing, 'TagActivation', { ...guard, backfillMonths: 0 });

  // 2. Cost categories: team, business unit, customer need, with the attribution rules AWS can express.
  const categories = new CustomerValueCostCategories(billing, 'CostCategories', { ...guard, declarations: SERVICES });
  Annotations.of(categories).acknowledgeWarning('cdk-customer-value:CustomerValueCostCategories.attributionNotExpressible',
    'The services are deployed from their own apps, so their stacks are not known here: the declared-stacks rule is applied by '
    + 'customer-value cost, which reads their cloud assemblies; the categories carry the account, tax and support rules');

  // 3. Anomaly detection: every service on its own, each team alerted about its services.
  //    The payments team's on-call topic (read by their chat integration) lives with the billing stack: it receives
  //    cost alerts only, for several services, so it belongs to no single customer service.
  const onCall = new Construct(billing, 'PaymentsOnCall');
  const key = new kms.Key(onCall, 'Key', { enableKeyRotation: true, description: 'Encrypts the payments on-call cost alert topic' });
  const paymentsOnCall = new sns.Topic(onCall, 'Topic', { masterKey: key, enforceSSL: true });
  Validations.of(onCall).acknowledge({
    id: 'CustomerValue-ResourceOutsideService',
    reason: 'Cost alert topic of the payments team in the management account: it serves the checkout and refunds services, '
      + 'which are deployed from their own apps, so no CustomerService of this app can hold it',
  });
  new ServiceAnomalyDetection(billing, 'Anomalies', {
    ...guard,
    declarations: SERVICES,
    serviceMonitorAlert: { targets: [AnomalyAlertTarget.email('finops@example.com')] },
    teamAlerts: [
      {
        team: 'payments',
        targets: [AnomalyAlertTarget.topic(paymentsOnCall), AnomalyAlertTarget.email('payments@example.com')],
        threshold: AnomalyThreshold.absoluteOrPercentage(50, 30),
      },
      { team: 'discovery', targets: [AnomalyAlertTarget.email('discovery@example.com')] },
      { team: 'ledger', targets: [AnomalyAlertTarget.immediateEmail('ledger-oncall@example.com')] },
    ],
  });

  // 4. CUR 2.0 with resource tags, queried with Athena (and read locally by `customer-value cost --source cur`).
  const cur = new CostAndUsageExport(billing, 'Cur', guard);

  // 5. The declaration registry: every workload stack of the organisation registers its services here on deploy.
  const registry = new DeclarationRegistry(billing, 'DeclarationRegistry', { organizationId: ORGANIZATION_ID, bucketName: REGISTRY_BUCKET, owner: COST_REPORTING });
  //    The business units' value-review packs, every month, of the services registered there (the declarations typed
  //    in here are kept for what the registry does not hold, and are the fallback when it cannot be read).
  //    A failed monthly run reaches the FinOps team's alarm topic (without alarmTopic, synthesis warns).
  const finOps = new Construct(billing, 'FinOpsAlarms');
  const finOpsKey = new kms.Key(finOps, 'Key', { enableKeyRotation: true, description: 'Encrypts the FinOps alarm topic' });
  const alarmTopic = new sns.Topic(finOps, 'Topic', { masterKey: finOpsKey, enforceSSL: true });
  alarmTopic.addSubscription(new subscriptions.EmailSubscription('finops@example.com'));
  Validations.of(finOps).acknowledge({
    id: 'CustomerValue-ResourceOutsideService',
    reason: 'Alarm topic of the FinOps team in the management account: it serves the billing constructs, not one customer service',
  });
  new ValueReviewReports(billing, 'ValueReview', {
    ...guard,
    costAndUsageExport: cur,
    registry,
    declarations: SERVICES,
    recipients: [{ businessUnit: 'retail', emails: ['retail-board@example.com'] }, { businessUnit: 'finance', emails: ['cfo-office@example.com'] }],
    alarmTopic,
  });
  // 6. An organization tag policy: the five keys with their capitalisation, and the known teams and business units as
  //    the only values of their keys, for every account under the root (resources made outside CDK included). It
  //    reports noncompliant tags; add enforcedFor (e.g. ['dynamodb:table']) to prevent them once the reports are clean.
  new CustomerValueTagPolicy(billing, 'TagPolicy', {
    ...guard,
    targetIds: [ORGANIZATION_ROOT],
    teams: [...new Set([...SERVICES, COST_REPORTING].map((s) => s.team))],
    businessUnits: [...new Set([...SERVICES, COST_REPORTING].map((s) => s.businessUnit))],
  });
  return app;
}

if (require.main === module) {
  createApp();
}
