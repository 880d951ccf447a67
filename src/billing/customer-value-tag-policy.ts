import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { BillingOwnerOptions, ManagementAccountOptions } from './billing-options';
import { ContextKeys } from '../context-keys';
import { checkManagementAccount } from './private/guard-rails';
import { attributeCost } from './private/ownership';
import {
  allowedValuesProblems, enforcedForProblems, MAX_TAG_POLICY_CHARACTERS, TagPolicyKey, tagPolicyDocument, tagPolicySize, targetIdsProblems,
} from './private/tag-policy';
import { describe, readRegistry } from '../declaration/rules';
import { reportProblems } from '../private/problems';
import { resolveTagKeys, TagKeys } from '../tag-keys';

/** The default name of the policy. */
const DEFAULT_POLICY_NAME = 'customer-value-tags';

/**
 * Properties of `CustomerValueTagPolicy`.
 */
export interface CustomerValueTagPolicyProps extends ManagementAccountOptions, BillingOwnerOptions {
  /**
   * Where the policy is attached: the root of the organization (`r-` and 4-32 lowercase letters or digits) and/or
   * organizational units (`ou-ab12-cd34ef56`). Every account under them inherits it.
   */
  readonly targetIds: string[];

  /**
   * The values the team tag may hold.
   *
   * @default - the registry of the context `customer-value:teams`; without one, any value
   */
  readonly teams?: string[];

  /**
   * The values the business-unit tag may hold.
   *
   * @default - the registry of the context `customer-value:businessUnits`; without one, any value
   */
  readonly businessUnits?: string[];

  /**
   * Resource types on which AWS prevents tagging operations that break the policy for the team and business-unit
   * tags: `<service>:<resource type>` (`ec2:instance`, `dynamodb:table`, `s3:bucket`) or `<service>:ALL_SUPPORTED`. A
   * type must support enforcement (AWS Organizations user guide, "Services and resource types that support
   * enforcement"). Start without it: AWS warns that enforcement can stop people creating the resources they need.
   *
   * @default - none: the policy reports noncompliant resources and prevents nothing
   */
  readonly enforcedFor?: string[];

  /**
   * The tag keys whose capitalisation the policy fixes.
   *
   * @default TagKeys.of(this)
   */
  readonly tagKeys?: TagKeys;

  /**
   * The policy's name (1-128 ASCII characters).
   *
   * @default "customer-value-tags"
   */
  readonly policyName?: string;

  /**
   * The policy's description.
   *
   * @default - says that cdk-customer-value manages it from the registries
   */
  readonly description?: string;

  /**
   * Whether policies attached lower in the organization (to an OU or an account) are kept from changing the keys and
   * values this policy assigns (`@@operators_allowed_for_child_policies: ["@@none"]`, as AWS's own example locks the
   * keys of the root policy).
   *
   * @default true
   */
  readonly lockChildPolicies?: boolean;
}

/**
 * An AWS Organizations tag policy (`AWS::Organizations::Policy`, type `TAG_POLICY`) for the management account that
 * holds every account of the organization to the customer-value tags, including resources made outside CDK: the five
 * keys with their capitalisation, the team tag to the teams of the registry (`customer-value:teams`), the
 * business-unit tag to the business units of the registry (`customer-value:businessUnits`), and, on the resource
 * types named in `enforcedFor`, tagging operations that break it prevented.
 *
 * The document follows the AWS Organizations user guide ("Tag policy syntax and examples", "Policy syntax and
 * inheritance for management policy types") and is checked at synth: ids of the targets, each allowed value (one
 * wildcard at most), each `enforcedFor` entry, and the 10,000-character limit of a tag policy ("Quotas and service
 * limits"), all reported at once.
 *
 * Before the first deployment, enable tag policies in the organization once (the management account; CloudFormation
 * does not): `aws organizations enable-policy-type --root-id r-ab12 --policy-type TAG_POLICY`. A tag policy reports
 * noncompliant tags (and, with `enforcedFor`, prevents noncompliant tagging operations); it tags nothing: resources
 * made outside CDK still need their tags, and "untagged resources don't appear as noncompliant" (AWS Organizations
 * user guide, "Tag policy syntax and examples").
 *
 * @example
 * new CustomerValueTagPolicy(billingStack, 'TagPolicy', {
 *   targetIds: ['r-ab12'],
 *   enforcedFor: ['dynamodb:table', 'secretsmanager:ALL_SUPPORTED'],
 *   managementAccountId: '123456789012',
 *   owner: costReporting,
 * });
 */
export class CustomerValueTagPolicy extends Construct {
  /** The policy. */
  public readonly policy: organizations.CfnPolicy;
  /** The policy document, as JSON (what AWS counts against the 10,000-character limit). */
  public readonly policyDocument: string;

  constructor(scope: Construct, id: string, props: CustomerValueTagPolicyProps) {
    super(scope, id);
    const p: Partial<CustomerValueTagPolicyProps> = props ?? {};
    const ownership = attributeCost(this, 'organization tag policy', 'the tag policy', p.owner);
    const problems = [...ownership.problems, ...checkManagementAccount(this, 'tag policies', p.managementAccountId)];

    const { keys, problems: keyProblems } = resolveTagKeys(this, p.tagKeys);
    problems.push(...keyProblems);
    problems.push(...targetIdsProblems('targetIds', p.targetIds));
    const values = (field: 'teams' | 'businessUnits', context: string): string[] | undefined => {
      if (p[field] !== undefined) {
        const found = allowedValuesProblems(field, p[field]);
        problems.push(...found);
        return found.length === 0 ? p[field] : undefined;
      }
      const registry = readRegistry(this, context);
      if (registry.problem) {
        problems.push(registry.problem);
      }
      const found = registry.value ? allowedValuesProblems(`context "${context}"`, registry.value.names) : [];
      problems.push(...found);
      return found.length === 0 ? registry.value?.names : undefined;
    };
    const teams = values('teams', ContextKeys.TEAMS);
    const units = values('businessUnits', ContextKeys.BUSINESS_UNITS);
    problems.push(...enforcedForProblems('enforcedFor', p.enforcedFor));
    const lock = p.lockChildPolicies ?? true;
    if (typeof lock !== 'boolean') {
      problems.push(`lockChildPolicies is ${describe(lock)}: pass true or false`);
    }
    const name = p.policyName ?? DEFAULT_POLICY_NAME;
    if (typeof name !== 'string' || name.length < 1 || name.length > 128 || !/^[\x20-\x7e]+$/.test(name)) {
      problems.push(`policyName is ${describe(name)}: a policy name is 1-128 printable ASCII characters`);
    }
    const k = keys.toJson() as Required<ReturnType<TagKeys['toJson']>>;
    const lower = keys.all().map((key) => key.toLowerCase());
    if (new Set(lower).size !== lower.length) {
      problems.push(`the tag keys ${keys.all().join(', ')} differ only in capitalisation: a tag policy has one policy key per tag key, whatever its case`);
    }
    const enforcedFor = Array.isArray(p.enforcedFor) ? p.enforcedFor : undefined;
    const policyKeys: TagPolicyKey[] = keys.all().map((key) => ({
      key,
      values: key === k.team ? teams : key === k.businessUnit ? units : undefined,
      enforcedFor: key === k.team || key === k.businessUnit ? enforcedFor : undefined,
    }));
    const document = tagPolicyDocument(policyKeys, lock === true);
    const size = tagPolicySize(document);
    if (size > MAX_TAG_POLICY_CHARACTERS) {
      problems.push(`the tag policy is ${size} characters long (${teams?.length ?? 0} teams, ${units?.length ?? 0} business units): AWS Organizations accepts `
        + `at most ${MAX_TAG_POLICY_CHARACTERS} characters per tag policy; attach a policy per organizational unit with its own teams (teams and `
        + 'businessUnits), or shorten the names');
    }
    reportProblems(this, problems);
    this.policyDocument = JSON.stringify(document);
    this.policy = new organizations.CfnPolicy(this, 'Resource', {
      name: typeof name === 'string' ? name : DEFAULT_POLICY_NAME,
      type: 'TAG_POLICY',
      description: p.description ?? 'Customer-value tags (cdk-customer-value): key capitalisation and the registered teams and business units',
      content: document,
      targetIds: Array.isArray(p.targetIds) ? p.targetIds : [],
    });
  }
}
