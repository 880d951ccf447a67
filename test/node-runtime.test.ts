/*
 * The library's own Lambda functions and AwsSolutions-L1 ("the latest runtime") with every aws-cdk-lib the peer range
 * allows. cdk-nag takes "latest" from `lambda.Runtime.ALL`, the runtimes the app's aws-cdk-lib knows; the functions run
 * on `determineLatestNodeRuntime`, the newest runtime aws-cdk-lib's region facts list as available, which trails it
 * (aws-cdk-lib 2.278.0 adds NODEJS_26_X and still names nodejs24.x in every region; 2.257.0 knows NODEJS_24_X and names
 * nodejs22.x). A newer aws-cdk-lib is simulated the way it adds a runtime: a `lambda.Runtime` constructed with a newer
 * name joins `Runtime.ALL` (removed after each test). The fresh-app check (scripts/consumer-app.ts) runs the real
 * newest and lowest releases.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  CostAllocationTags, CostAndUsageExport, CostAlertTarget, CustomerService, CustomerValueChecks, ValueReviewReports,
} from '../src';
import { OWNER } from './billing/owner';
import { synthFindings, testApp, VALID } from './util';
import { newestNodeRuntimeName } from '../src/private/node-runtime';

const added: lambda.Runtime[] = [];
afterEach(() => {
  for (const runtime of added.splice(0)) {
    lambda.Runtime.ALL.splice(lambda.Runtime.ALL.indexOf(runtime), 1);
  }
});

/** What a newer aws-cdk-lib does: declare one more Node.js runtime (it joins `lambda.Runtime.ALL`). */
function awsCdkLibKnows(name: string): void {
  added.push(new lambda.Runtime(name, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true }));
}

/** An app with every construct of the library that creates a function, under both packs. */
function everyFunction() {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
  const shop = new Stack(app, 'Shop');
  const checkout = new CustomerService(shop, 'Checkout', {
    ...VALID,
    costReporting: { monthlyBudget: 500, notify: [CostAlertTarget.email('payments@example.com')] },
  });
  Validations.of(checkout).acknowledge({ id: 'CustomerValue-NoUsageMetric', reason: 'a test service' });
  const billing = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
  new CostAllocationTags(billing, 'TagActivation', { owner: OWNER });
  const cur = new CostAndUsageExport(billing, 'Cur', { owner: OWNER });
  new ValueReviewReports(billing, 'ValueReview', { owner: OWNER, costAndUsageExport: cur });
  return app;
}

function functions(scope: IConstruct): lambda.Function[] {
  return scope.node.findAll().filter((c): c is lambda.Function => c instanceof lambda.Function);
}

/** The AwsSolutions-L1 acknowledgements recorded on a construct, by id. */
function acknowledgements(c: IConstruct): Record<string, string> {
  return Object.assign({}, ...c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data));
}

test('with the installed aws-cdk-lib, the functions run on the newest runtime it knows and nothing is acknowledged', () => {
  // (the synthesized templates of every construct pass AwsSolutionsChecks with no acknowledgement of AwsSolutions-L1:
  // test/billing/billing-nag.test.ts, test/readme.test.ts)
  const fns = functions(everyFunction());
  expect(fns.map((f) => f.runtime.name)).toEqual(['nodejs24.x', 'nodejs24.x', 'nodejs24.x']);
  expect(fns.map((f) => acknowledgements(f))).toEqual([{}, {}, {}]);
});

test('newestNodeRuntimeName is the newest Node.js runtime aws-cdk-lib knows, compared by version number', () => {
  // GIVEN the installed aws-cdk-lib (nodejs24.x is its newest)
  expect(newestNodeRuntimeName()).toBe('nodejs24.x');
  // WHEN newer ones appear: 100 sorts after 26 by number, not by text
  awsCdkLibKnows('nodejs26.x');
  awsCdkLibKnows('nodejs100.x');
  // THEN
  expect(newestNodeRuntimeName()).toBe('nodejs100.x');
});

test('when aws-cdk-lib knows a runtime its region facts do not list yet, AwsSolutions-L1 is acknowledged on each function with the reason', () => {
  // GIVEN what aws-cdk-lib 2.278.0 does: Runtime.NODEJS_26_X, region facts still at nodejs24.x
  awsCdkLibKnows('nodejs26.x');
  // WHEN
  const app = everyFunction();
  const result = synthFindings(app);
  // THEN no finding (before the acknowledgement: AwsSolutions-L1 on the three functions), and the runtime stays the
  // one aws-cdk-lib lists as available
  expect(result).toEqual({ findings: [] });
  const fns = functions(app);
  expect(fns.map((f) => f.node.path)).toEqual([
    'Shop/CustomerValueCostPublisher/Function', 'Billing/TagActivation/Handler', 'Billing/ValueReview/Handler',
  ]);
  expect(fns.map((f) => f.runtime.name)).toEqual(['nodejs24.x', 'nodejs24.x', 'nodejs24.x']);
  for (const fn of fns) {
    const reason = Object.entries(acknowledgements(fn)).find(([id]) => id.endsWith('AwsSolutions-L1'))?.[1];
    expect(reason).toMatch(/^cdk-customer-value runs its own functions on nodejs24\.x, the newest Node\.js runtime that aws-cdk-lib's region facts list as available \(determineLatestNodeRuntime\)\. AwsSolutions-L1 asks for the newest runtime aws-cdk-lib knows \(nodejs26\.x\)/);
  }
});
