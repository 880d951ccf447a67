import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ContextKeys } from '../../context-keys';
import { describe } from '../../declaration/field-rules';
import { addressProblems, DEFAULT_REGISTRY_PREFIX } from '../entry';
import { RegistryLocation } from '../registry-location';

export type { RegistryLocation };


/** A location read and checked: `prefix` filled in; tokens (a registry of the same app) are let through. */
export interface ResolvedLocation {
  readonly bucketName: string;
  readonly region: string;
  readonly prefix: string;
}

/** The problems of a location (`field` names it in messages), and the location when there are none. */
export function checkLocation(value: unknown, field: string): { location?: ResolvedLocation; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      problems: [`${field} is ${describe(value)}: expected { "bucketName": "...", "region": "eu-west-1", "prefix": "customer-value/" } `
        + '(the DeclarationRegistry\'s location; prefix optional)'],
    };
  }
  const v = value as Record<string, unknown>;
  const prefix = v.prefix ?? DEFAULT_REGISTRY_PREFIX;
  const token = (x: unknown) => typeof x === 'string' && Token.isUnresolved(x);
  const problems = addressProblems({
    bucket: token(v.bucketName) ? 'token-bucket' : v.bucketName,
    region: token(v.region) ? 'us-east-1' : v.region,
    prefix: token(prefix) ? undefined : prefix,
  }, field);
  if (token(prefix)) {
    problems.push(`${field}.prefix is an unresolved token: the prefix is part of the keys each stack may write, so it must be known at synth`);
  }
  return problems.length > 0 ? { problems } : {
    problems,
    location: { bucketName: v.bucketName as string, region: v.region as string, prefix: prefix as string },
  };
}

/** The registry the context names for `scope`, or undefined when none is, or when `customer-value:registerDeclarations` is false. */
export function configuredRegistry(scope: IConstruct): unknown {
  const optIn = scope.node.tryGetContext(ContextKeys.REGISTER_DECLARATIONS);
  if (optIn === false || optIn === 'false') {
    return undefined;
  }
  const value = scope.node.tryGetContext(ContextKeys.REGISTRY);
  if (value === undefined || value === null || value === false || value === 'false') {
    return undefined;
  }
  if (typeof value === 'string') {
    try {
      return JSON.parse(value); // -c customer-value:registry='{"bucketName":...}'
    } catch {
      return value;
    }
  }
  return value;
}
