/*
 * The library's own Lambda functions and AwsSolutions-L1 ("the latest runtime") with every aws-cdk-lib the peer range
 * allows. cdk-nag takes "latest" from `lambda.Runtime.ALL`, the runtimes the app's aws-cdk-lib knows; the functions run
 * on `determineLatestNodeRuntime`, the newest runtime aws-cdk-lib's region facts list as available, which trails it
 * (aws-cdk-lib 2.278.0 adds NODEJS_26_X and still names nodejs24.x in every region; 2.257.0 knows NODEJS_24_X and names
 * nodejs22.x). A newer aws-cdk-lib is simulated the way it adds a runtime: a `lambda.Runtime` constructed with a newer
 * name joins `Runtime.ALL` (removed after each test). The fresh-app check (scripts/consumer-app.ts) runs the real
 * newest and lowest releases.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  CostAllocationTags, CostAndUsageExport, CostAlertTarget, CustomerService, CustomerValueChecks, ValueReviewReports,
} from '../src';
import { OWNER } from './billing/owner';
import { exampleAppProps, synthFindings, testApp, VALID } from './util';
import { acknowledgeNewerNodeRuntime } from '../examples/lib/node-runtime';
import { BundledFunction } from '../src/private/bundled-function';
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

/*
 * The examples' own functions: an example that pinned `lambda.Runtime.NODEJS_24_X` failed AwsSolutions-L1 with
 * aws-cdk-lib 2.278.0 (measured: minimal.ts synthesized against 2.278.0, "The non-container Lambda function is not
 * configured to use the latest runtime version", Wishlist/Wishlist/Api/Resource). They run on
 * `determineLatestNodeRuntime` and acknowledge the rule where aws-cdk-lib knows a newer runtime
 * (examples/lib/node-runtime.ts, with aws-cdk-lib's public API only, as an app copied from an example has it).
 */
describe('the examples\' functions when aws-cdk-lib knows a newer Node.js runtime than its facts', () => {
  const EXAMPLES = path.join(__dirname, '..', 'examples');

  /** A function made as the examples make theirs (or with a bare runtime of the facts, `acknowledge` false). */
  function shopApi(acknowledge: boolean): App {
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
    const fn = new lambda.Function(stack, 'Api', {
      runtime: lambda.determineLatestNodeRuntime(stack),
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    });
    if (acknowledge) {
      acknowledgeNewerNodeRuntime(fn);
    }
    expect(fn.runtime.name).toBe('nodejs24.x');
    return app;
  }

  test('a function made as the examples make theirs passes AwsSolutions-L1; without the acknowledgement it fails it', () => {
    awsCdkLibKnows('nodejs26.x');
    const rules = synthFindings(shopApi(true)).findings.map((f) => f.rule);
    expect(rules.length).toBeGreaterThan(0); // the pack ran (a bare function has other findings, IAM4 for one)
    expect(rules).not.toContain('AwsSolutions-L1');
    expect(synthFindings(shopApi(false)).findings.map((f) => f.rule)).toContain('AwsSolutions-L1');
  });

  test('no example pins a Node.js runtime, and each example\'s function acknowledges AwsSolutions-L1 only when aws-cdk-lib knows a newer one', () => {
    const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts') && f !== 'refused.ts').sort();
    expect(files.filter((f) => /lambda\.Runtime\.NODEJS/.test(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')))).toEqual([]);
    // the examples' functions: not the library's
    const examplesFunctions = (app: App) => functions(app).filter((fn) => !(fn instanceof BundledFunction));
    const acknowledged = (fn: lambda.Function) => Object.keys(acknowledgements(fn)).some((id) => id.endsWith('AwsSolutions-L1'));
    const appOf = (file: string) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createApp } = require(path.join(EXAMPLES, file)) as { createApp: (props?: AppProps) => App };
      return createApp(exampleAppProps());
    };
    const withFunctions: string[] = [];
    for (const file of files) {
      // with the installed aws-cdk-lib, its facts and its newest runtime agree: nothing acknowledged
      const now = examplesFunctions(appOf(file));
      expect(now.filter(acknowledged).map((fn) => `${file}: ${fn.node.path} ${fn.runtime.name}`)).toEqual([]);
      awsCdkLibKnows('nodejs26.x');
      const later = examplesFunctions(appOf(file));
      lambda.Runtime.ALL.splice(lambda.Runtime.ALL.indexOf(added.pop()!), 1);
      expect(later.filter((fn) => !acknowledged(fn)).map((fn) => `${file}: ${fn.node.path} ${fn.runtime.name}`)).toEqual([]);
      if (later.length > 0) {
        withFunctions.push(file);
      }
    }
    expect(withFunctions).toEqual(['full-reporting.ts', 'minimal.ts', 'online-shop.ts', 'pipeline.ts', 'registered-ledger.ts', 'registered-shop.ts']);
  });
});
