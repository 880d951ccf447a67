import { Token, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The cdk-nag rule that asks every Lambda function for the newest runtime of its family. */
export const LATEST_RUNTIME_RULE = 'AwsSolutions-L1';

/**
 * The newest Node.js runtime the app's aws-cdk-lib knows (`lambda.Runtime.ALL`), as cdk-nag's AwsSolutions-L1 finds
 * it: the highest version among the runtimes whose name starts with `nodejs`. `undefined` if there is none.
 */
export function newestNodeRuntimeName(): string | undefined {
  let newest: { name: string; version: number[] } | undefined;
  for (const runtime of lambda.Runtime.ALL) {
    const m = /^nodejs(\d+)(?:\.(\d+))?/.exec(runtime.name);
    if (!m) {
      continue;
    }
    const version = [Number(m[1]), Number(m[2] ?? 0)];
    if (!newest || version[0] > newest.version[0] || (version[0] === newest.version[0] && version[1] > newest.version[1])) {
      newest = { name: runtime.name, version };
    }
  }
  return newest?.name;
}

/**
 * The library's own functions run on `determineLatestNodeRuntime`: the newest Node.js runtime that aws-cdk-lib's
 * region facts list as available in the deployment region (in every region, for an environment-agnostic stack).
 * cdk-nag's AwsSolutions-L1 asks for the newest runtime aws-cdk-lib *knows* (`lambda.Runtime.ALL`), which comes first:
 * aws-cdk-lib 2.278.0 adds `NODEJS_26_X` while its facts still name nodejs24.x everywhere, and 2.257.0 knows
 * `NODEJS_24_X` while its facts name nodejs22.x. Taking the newest constant instead could name a runtime that Lambda
 * does not offer in the user's region yet, and fail the deployment with no way around it; so where the two differ
 * (or the region is unknown and the facts differ by region, a `Fn::FindInMap` the rule cannot read), the rule is
 * acknowledged on the function with the reason, which cdk-nag and the validation report show.
 */
export function acknowledgeNodeRuntime(fn: lambda.Function): void {
  const runtime = fn.runtime.name;
  const newest = newestNodeRuntimeName();
  if (!Token.isUnresolved(runtime) && runtime === newest) {
    return;
  }
  const current = Token.isUnresolved(runtime) ? 'the newest Node.js runtime of the deployment region' : runtime;
  Validations.of(fn).acknowledge({
    id: LATEST_RUNTIME_RULE,
    reason: `cdk-customer-value runs its own functions on ${current}, the newest Node.js runtime that aws-cdk-lib's region facts `
      + 'list as available (determineLatestNodeRuntime). AwsSolutions-L1 asks for the newest runtime aws-cdk-lib knows '
      + `(${newest ?? 'none'}), which Lambda may not offer in every region yet; the library moves to it when aws-cdk-lib's `
      + 'region facts do, with an upgrade of aws-cdk-lib',
  });
}
