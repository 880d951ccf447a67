import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledgeNodeRuntime } from './node-runtime';

/**
 * The library's own Lambda handlers, by their path under `src/` without `.lambda.ts`, and the folder of each bundle:
 * projen's bundle task (projenrc/lambda-bundles.ts) writes `assets/<handler>.lambda/index.js`. Written out in full,
 * each a literal `path.join` of `__dirname` and the folder, because the package's pre-pack check (scripts/check-package-assets.ts)
 * reads the bundles the compiled code loads from these literals (lib/private/ -> assets/, as src/private/ -> assets/).
 */
const BUNDLES = {
  'billing/cost-allocation-tags': path.join(__dirname, '../../assets/billing/cost-allocation-tags.lambda'),
  'billing/value-review-reports': path.join(__dirname, '../../assets/billing/value-review-reports.lambda'),
  'registry/declaration-registration': path.join(__dirname, '../../assets/registry/declaration-registration.lambda'),
  'reporting/cost-publisher': path.join(__dirname, '../../assets/reporting/cost-publisher.lambda'),
};

/** One of the library's own Lambda handlers, by its path under `src/` without `.lambda.ts`. */
export type BundledHandler = keyof typeof BUNDLES;

/** Props of a {@link BundledFunction}: everything a Lambda function takes but its code, handler and runtime. */
export interface BundledFunctionProps extends lambda.FunctionOptions {
  /** The handler to run. */
  readonly handler: BundledHandler;
}

/**
 * A Lambda function running one of the library's bundled handlers on the newest Node.js runtime of the deployment
 * region (`determineLatestNodeRuntime`), with AwsSolutions-L1 acknowledged where cdk-nag knows a newer runtime than
 * the region facts list (src/private/node-runtime.ts).
 */
export class BundledFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    const { handler, ...options } = props;
    super(scope, id, {
      description: `src/${handler}.lambda.ts`,
      ...options,
      runtime: lambda.determineLatestNodeRuntime(scope),
      handler: 'index.handler',
      code: lambda.Code.fromAsset(BUNDLES[handler]),
    });
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
    acknowledgeNodeRuntime(this);
  }
}
