/**
 * How long a value of a template will be once CloudFormation has resolved it, for limits AWS checks at deploy (an
 * EventBridge target input, a Lambda environment): literal text as it is, `Fn::Join` joined, the pseudo parameters at
 * their longest, and every other reference (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`, `${Name}` in `Fn::Sub`...) counted
 * as `allowance` characters.
 */

/** Characters assumed for a reference resolved at deploy (a name or an ARN CloudFormation generates). */
export const REFERENCE_ALLOWANCE = 100;

/** The longest value of each pseudo parameter (regions such as `ap-southeast-5`, partitions such as `aws-us-gov`). */
const PSEUDO_PARAMETERS: Record<string, number> = {
  'AWS::AccountId': 12,
  'AWS::Region': 14,
  'AWS::Partition': 10,
  'AWS::URLSuffix': 16,
  'AWS::NoValue': 0,
};

/**
 * `value` (already resolved with `stack.resolve`) as it will be deployed, each reference replaced by `x`s of its
 * assumed length; objects and arrays that are not intrinsics keep their shape.
 */
export function deployedValue(value: unknown, allowance: number = REFERENCE_ALLOWANCE): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => deployedValue(v, allowance));
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    const arg = (value as Record<string, unknown>)[keys[0]];
    if (keys.length === 1 && keys[0] === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      return (arg[1] as unknown[]).map((part) => deployedText(part, allowance)).join(arg[0]);
    }
    if (keys.length === 1 && keys[0] === 'Fn::Sub') {
      const template = Array.isArray(arg) ? arg[0] : arg;
      const variables = (Array.isArray(arg) ? arg[1] : undefined) as Record<string, unknown> | undefined;
      if (typeof template === 'string') {
        return template.replace(/\$\{([^}!]+)\}/g, (_, name: string) => (variables && name in variables
          ? deployedText(variables[name], allowance) : 'x'.repeat(PSEUDO_PARAMETERS[name] ?? allowance)));
      }
    }
    if (keys.length === 1 && keys[0] === 'Ref' && typeof arg === 'string' && arg in PSEUDO_PARAMETERS) {
      return 'x'.repeat(PSEUDO_PARAMETERS[arg]);
    }
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return 'x'.repeat(allowance);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deployedValue(v, allowance)]));
  }
  return value;
}

/** A resolved value that deploys as text (a string, or an intrinsic that gives one): its deployed text. */
function deployedText(value: unknown, allowance: number): string {
  const v = deployedValue(value, allowance);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The bytes of a resolved string value once deployed (UTF-8). */
export function deployedLength(value: unknown, allowance: number = REFERENCE_ALLOWANCE): number {
  return Buffer.byteLength(deployedText(value, allowance));
}
