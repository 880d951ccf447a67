import { IConstruct } from 'constructs';

/**
 * aws-cdk-lib's context key that turns off the `aws:cdk:creationStack` metadata of the CloudFormation resources under
 * a scope (`cxapi.DISABLE_CREATION_STACK_TRACES`, named as a literal: older aws-cdk-lib versions within our range do
 * not export it, and ignore the key).
 */
export const DISABLE_CREATION_STACK_TRACES = 'aws:cdk:disable-creation-stack-traces';

/**
 * Leaves the stack traces out of the resources the library creates under `scope` (call it before `scope` has
 * children). aws-cdk-lib records, for every CloudFormation resource, the stack trace of its creation
 * (`aws:cdk:creationStack` metadata, on by default; `stackTraces: false` does not turn it off): capturing and
 * source-mapping it is a large share of synthesis for a resource, and for the library's own resources (budgets,
 * dashboards, the cost publisher) it points into the library, while the construct path (`<stack>/<service>/
 * CostReporting/Budget`, `<stack>/CustomerValueCostPublisher/...`) already names what created them. aws-cdk-lib
 * records them all the same in debug mode (`cdk synth --debug`, `CDK_DEBUG=true`), and an app that sets the context
 * key itself (`aws:cdk:disable-creation-stack-traces: false` keeps every trace) decides for the library's resources too.
 */
export function withoutCreationStacks(scope: IConstruct): void {
  if (scope.node.tryGetContext(DISABLE_CREATION_STACK_TRACES) === undefined) {
    scope.node.setContext(DISABLE_CREATION_STACK_TRACES, true);
  }
}
