/**
 * The Node.js runtime of the examples' own functions, chosen as cdk-customer-value chooses it for its functions
 * (src/private/node-runtime.ts), with aws-cdk-lib's public API only, so an app copied from an example keeps passing
 * `AwsSolutionsChecks` when aws-cdk-lib moves on:
 *
 * - `runtime: lambda.determineLatestNodeRuntime(scope)`, the newest Node.js runtime aws-cdk-lib's region facts list as
 *   available in the stack's region, rather than a pinned `lambda.Runtime.NODEJS_24_X`;
 * - `acknowledgeNewerNodeRuntime(fn)`: cdk-nag's AwsSolutions-L1 asks for the newest runtime aws-cdk-lib *knows*
 *   (`lambda.Runtime.ALL`), which comes before the facts: aws-cdk-lib 2.278.0 adds `NODEJS_26_X` while its facts still
 *   name nodejs24.x in every region, so a function on `NODEJS_24_X` fails `cdk synth` under AwsSolutionsChecks with it,
 *   and pinning `NODEJS_26_X` instead could name a runtime Lambda does not offer in the region yet. Where the two
 *   differ, the rule is acknowledged on the function with that reason; where they agree, nothing is.
 *
 * The README's quick start has no function for the same reason (an SQS queue instead).
 */
import { Token, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The newest Node.js runtime aws-cdk-lib knows, as AwsSolutions-L1 finds it (`nodejs26.x`), or undefined. */
function newestKnownNodeRuntime(): string | undefined {
  let newest: { name: string; version: number } | undefined;
  for (const runtime of lambda.Runtime.ALL) {
    const m = /^nodejs(\d+)(?:\.(\d+))?/.exec(runtime.name);
    const version = m ? Number(m[1]) * 1000 + Number(m[2] ?? 0) : -1;
    if (m && (!newest || version > newest.version)) {
      newest = { name: runtime.name, version };
    }
  }
  return newest?.name;
}

/** Acknowledges AwsSolutions-L1 on `fn` when it runs on an older Node.js runtime than the newest aws-cdk-lib knows. */
export function acknowledgeNewerNodeRuntime(fn: lambda.Function): lambda.Function {
  const runtime = fn.runtime.name;
  const newest = newestKnownNodeRuntime();
  if (!Token.isUnresolved(runtime) && runtime === newest) {
    return fn;
  }
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: `Runs on ${Token.isUnresolved(runtime) ? 'the newest Node.js runtime of the deployment region' : runtime} `
      + "(determineLatestNodeRuntime: the newest runtime aws-cdk-lib's region facts list as available); aws-cdk-lib knows "
      + `${newest ?? 'none'}, which Lambda may not offer in this region yet`,
  });
  return fn;
}
