import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The singletons aws-cdk-lib creates once per stack for resources declared elsewhere, recognised by construct id.
 */

/**
 * Construct ids of the singletons aws-cdk-lib creates once per stack for resources declared elsewhere
 * (exact ids or prefixes), with what creates them.
 */
const SINGLETONS: Array<{ readonly id: RegExp; readonly what: string }> = [
  { id: /^LogRetention[0-9a-f]{32}$/, what: 'the log-retention function aws-cdk-lib creates for `logRetention` props' },
  { id: /^AWS679f53fac002430cb0da5b7982bd2287$/, what: 'the function behind every AwsCustomResource of the stack' },
  { id: /^BucketNotificationsHandler[0-9a-f]{32}$/, what: 'the handler aws-cdk-lib creates for S3 bucket notifications' },
  { id: /^Custom::.*Provider$/, what: 'a custom-resource provider aws-cdk-lib creates once per stack' },
  { id: /^CustomCDKBucketDeployment/, what: 'the function behind BucketDeployment' },
  { id: /^SingletonLambda/, what: 'a singleton function' },
];

/** The CloudFormation resources under `scope` (itself included), in construct-tree order. */
export function resourcesUnder(scope: IConstruct): CfnResource[] {
  return scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
}

/** What creates the stack-level singleton `node` is part of, and that singleton's construct, if it is one. */
export function singletonOf(node: IConstruct): { construct: IConstruct; what: string } | undefined {
  const scopes = node.node.scopes;
  const stackIndex = findLastIndex(scopes, (s) => Stack.isStack(s));
  const top = scopes[stackIndex + 1];
  if (stackIndex < 0 || !top) {
    return undefined;
  }
  const match = SINGLETONS.find((s) => s.id.test(top.node.id));
  return match ? { construct: top, what: match.what } : undefined;
}

function findLastIndex<T>(list: T[], predicate: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) {
    if (predicate(list[i])) {
      return i;
    }
  }
  return -1;
}
