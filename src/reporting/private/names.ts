import { Aws, Fn, Stack, Token } from 'aws-cdk-lib';
import { sha256 } from '../../private/tag-safe';

/** Longest region name assumed when the region is only known at deploy (`ap-southeast-5` has 14 characters). */
const REGION_ALLOWANCE = 20;

/** A name for CloudFormation, and how the metadata shows it (`${AWS::Region}` standing for a deploy-time region). */
export interface AccountUniqueName {
  readonly name: string;
  readonly display: string;
}

/**
 * `<service>-<stack>-<region><suffix>`: unique per account (a stack name is unique per account and region), stable,
 * within `max` characters (a long stack name is cut and suffixed with a hash of the full name).
 */
export function accountUniqueName(serviceName: string, stack: Stack, max: number, suffix = ''): AccountUniqueName {
  const regionKnown = !Token.isUnresolved(stack.region);
  const regionLength = regionKnown ? stack.region.length : REGION_ALLOWANCE;
  const room = max - serviceName.length - regionLength - suffix.length - 2;
  let stackPart = Token.isUnresolved(stack.stackName) ? `h${sha256(stack.node.path).slice(0, 12)}` : stack.stackName;
  if (stackPart.length > room) {
    stackPart = `${stackPart.slice(0, Math.max(1, room - 9))}-${sha256(stackPart).slice(0, 8)}`;
  }
  const prefix = `${serviceName}-${stackPart}-`;
  return regionKnown
    ? { name: `${prefix}${stack.region}${suffix}`, display: `${prefix}${stack.region}${suffix}` }
    : { name: Fn.join('', [prefix, Aws.REGION, ...(suffix ? [suffix] : [])]), display: `${prefix}\${AWS::Region}${suffix}` };
}
