import { describe } from '../../declaration/field-rules';

/**
 * The AWS Organizations tag policy `CustomerValueTagPolicy` writes, and the rules its inputs follow, from the AWS
 * Organizations user guide:
 * - "Tag policy syntax and examples" (orgs_manage_policies_example-tag-policies): the document starts with `tags`; a
 *   policy key per tag key ("It must match the value for the tag key, except for the case treatment"); `tag_key` with
 *   the capitalisation resources must use; optional `tag_value`, the acceptable values ("If the tag policy doesn't
 *   specify a tag value for a tag key, any value (including no value at all) is considered compliant"); optional
 *   `enforced_for`; "You can use only one wildcard per tag value"; in `enforced_for`, `<service>:ALL_SUPPORTED` (earlier
 *   pages: `<service>:*`) for all of a service's supported resource types, and "You can't use a wildcard to specify all
 *   services or to specify a resource for all services";
 * - "Policy syntax and inheritance for management policy types" (orgs_manage_policies_inheritance_mgmt): the
 *   value-setting operators `@@assign`, `@@append`, `@@remove`, and the child control operator
 *   `@@operators_allowed_for_child_policies` with `@@all`, `@@none` or a list of value-setting operators; AWS's first
 *   example locks the keys of the root policy with `["@@none"]`;
 * - "Quotas and service limits" (orgs_reference_limits): a tag policy document holds at most 10,000 characters (the
 *   CloudFormation `AWS::Organizations::Policy` `Content` documentation repeats it).
 */

/** Maximum characters of a tag policy document. */
export const MAX_TAG_POLICY_CHARACTERS = 10_000;
/** Maximum length of a tag value (and so of an allowed value). */
const MAX_TAG_VALUE = 256;
/** `<service>:<resource type>` or `<service>:ALL_SUPPORTED`, e.g. `ec2:instance`, `dynamodb:table`, `secretsmanager:ALL_SUPPORTED`. */
export const ENFORCED_FOR_PATTERN = /^[a-z0-9][a-z0-9-]*:([A-Za-z][A-Za-z0-9-]*|ALL_SUPPORTED)$/;
/** Root (`r-`), organizational unit (`ou-`) and account ids (CloudFormation `AWS::Organizations::Policy` `TargetIds`). */
export const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
export const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/** One key of the policy. */
export interface TagPolicyKey {
  /** The tag key, with the capitalisation resources must use. */
  readonly key: string;
  /** The acceptable values; none: any value. */
  readonly values?: readonly string[];
  /** Resource types on which noncompliant tagging operations are prevented. */
  readonly enforcedFor?: readonly string[];
}

/**
 * The policy document: one policy key per tag key (the tag key itself), `tag_key` assigned with the capitalisation
 * resources must use, `tag_value` and `enforced_for` assigned where given; with `lockChildPolicies`, each assigned
 * setting forbids every operator to child policies (`@@none`), as AWS's "define organization-wide tag key case" example
 * does, so an OU or account policy cannot change them.
 */
export function tagPolicyDocument(keys: readonly TagPolicyKey[], lockChildPolicies: boolean): { tags: Record<string, Record<string, unknown>> } {
  const assign = (value: unknown) => ({ '@@assign': value, ...(lockChildPolicies ? { '@@operators_allowed_for_child_policies': ['@@none'] } : {}) });
  const tags: Record<string, Record<string, unknown>> = {};
  for (const k of keys) {
    tags[k.key] = {
      tag_key: assign(k.key),
      ...(k.values !== undefined ? { tag_value: assign([...k.values]) } : {}),
      ...(k.enforcedFor !== undefined && k.enforcedFor.length > 0 ? { enforced_for: assign([...k.enforcedFor]) } : {}),
    };
  }
  return { tags };
}

/** The size AWS counts: the document without white space outside strings. */
export function tagPolicySize(document: unknown): number {
  return JSON.stringify(document).length;
}

/** Problems of the allowed values of a key: tag values, each with at most one wildcard, listed once. */
export function allowedValuesProblems(field: string, values: unknown): string[] {
  if (!Array.isArray(values) || values.length === 0) {
    return [`${field} is ${describe(values)}: expected a non-empty list of names`];
  }
  const problems: string[] = [];
  values.forEach((v, i) => {
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TAG_VALUE || v !== v.trim()) {
      problems.push(`${field}[${i}] is ${describe(v)}: an allowed tag value is 1-${MAX_TAG_VALUE} characters without leading or trailing spaces`);
    } else if ((v.match(/\*/g) ?? []).length > 1) {
      problems.push(`${field}[${i}] is ${JSON.stringify(v)}: a tag policy value holds at most one wildcard (AWS Organizations, "Tag policy syntax")`);
    } else if (values.indexOf(v) !== i) {
      problems.push(`${field}[${i}] is ${JSON.stringify(v)}, listed twice`);
    }
  });
  return problems;
}

/** Problems of `enforced_for`: `<service>:<resource type>` or `<service>:ALL_SUPPORTED`, listed once. */
export function enforcedForProblems(field: string, value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    return [`${field} is ${describe(value)}: pass a list of resource types such as ["ec2:instance", "dynamodb:table", "secretsmanager:ALL_SUPPORTED"]`];
  }
  const problems: string[] = [];
  value.forEach((t, i) => {
    const at = `${field}[${i}]`;
    if (typeof t !== 'string') {
      problems.push(`${at} is ${describe(t)}: expected a resource type such as "ec2:instance"`);
    } else if (t === '*' || t.startsWith('*') || t.toUpperCase() === 'ALL_SUPPORTED') {
      problems.push(`${at} is ${JSON.stringify(t)}: a tag policy cannot enforce on all services or on a resource type of every service `
        + '(AWS Organizations, "Tag policy syntax"); name the service, e.g. "ec2:instance" or "ec2:ALL_SUPPORTED"');
    } else if (/^[a-z0-9-]+:\*$/.test(t)) {
      problems.push(`${at} is ${JSON.stringify(t)}: write ${JSON.stringify(`${t.slice(0, -1)}ALL_SUPPORTED`)} for every supported resource type of the service `
        + '(the current tag policy syntax)');
    } else if (!ENFORCED_FOR_PATTERN.test(t)) {
      problems.push(`${at} is ${JSON.stringify(t)}: expected <service>:<resource type> or <service>:ALL_SUPPORTED, e.g. "ec2:instance", "s3:bucket", `
        + '"secretsmanager:ALL_SUPPORTED" (the services and types that support enforcement: AWS Organizations user guide, "Services and resource '
        + 'types that support enforcement")');
    } else if (value.indexOf(t) !== i) {
      problems.push(`${at} is ${JSON.stringify(t)}, listed twice`);
    }
  });
  return problems;
}

/** Problems of the targets: the root or organizational units. */
export function targetIdsProblems(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    return [`${field} is ${describe(value)}: name the root ("r-" and 4-32 lowercase letters or digits, e.g. "r-ab12") or the organizational units `
      + '("ou-ab12-cd34ef56") the policy is attached to (aws organizations list-roots / list-organizational-units-for-parent)'];
  }
  return value.flatMap((id, i) => {
    if (typeof id === 'string' && (ROOT_ID.test(id) || OU_ID.test(id))) {
      return value.indexOf(id) === i ? [] : [`${field}[${i}] is ${JSON.stringify(id)}, listed twice`];
    }
    const account = typeof id === 'string' && /^\d{12}$/.test(id);
    return [`${field}[${i}] is ${describe(id)}: ${account ? 'an account id; attach the organization\'s tag policy to the root or to organizational units, '
      + 'so every account under them inherits it' : 'expected a root id ("r-ab12") or an organizational unit id ("ou-ab12-cd34ef56")'}`];
  });
}
