import { Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomerValueChecks, CustomerValueTagPolicy, CustomerValueTagPolicyProps, TagKeys } from '../../src';
import { synthFindings, testApp } from '../util';
import { describeFindings, validatorFindings } from '../validator-report';
import { OWNER } from './owner';

/**
 * The grammar of an AWS Organizations tag policy, encoded from the AWS Organizations user guide, independently of the
 * construct's own builder:
 * - "Tag policy syntax and examples" (orgs_manage_policies_example-tag-policies): the document is a JSON object whose
 *   one top-level key is `tags`; each policy key holds `tag_key` (required: "At least one tag key"), optional
 *   `tag_value` and `enforced_for`; the policy key "must match the value for the tag key, except for the case
 *   treatment"; "You can use only one wildcard per tag value"; `enforced_for` names `<service>:<resource type>` or
 *   `<service>:ALL_SUPPORTED`, and "You can't use a wildcard to specify all services or to specify a resource for all
 *   services";
 * - "Policy syntax and inheritance for management policy types" (orgs_manage_policies_inheritance_mgmt): settings are
 *   objects of operators: value-setting `@@assign` (any setting), `@@append` and `@@remove` (multi-valued settings
 *   only), and the child control operator `@@operators_allowed_for_child_policies` taking `["@@all"]`, `["@@none"]` or
 *   a list of value-setting operators;
 * - "Quotas and service limits" (orgs_reference_limits): a tag policy holds at most 10,000 characters.
 */
const VALUE_SETTING = ['@@assign', '@@append', '@@remove'];
const CHILD_CONTROL = '@@operators_allowed_for_child_policies';
const SETTINGS = ['tag_key', 'tag_value', 'enforced_for'];
const ENFORCED_FOR = /^[a-z0-9-]+:([A-Za-z0-9-]+|ALL_SUPPORTED)$/;

/** Every way `document` breaks the documented tag policy syntax; empty when it follows it. */
function grammarViolations(document: unknown): string[] {
  const out: string[] = [];
  const json = JSON.stringify(document);
  if (json.length > 10_000) {
    out.push(`${json.length} characters, more than 10,000`);
  }
  if (typeof document !== 'object' || document === null || Object.keys(document).join() !== 'tags') {
    return [...out, 'the document is not an object with the one key "tags"'];
  }
  const tags = (document as { tags: Record<string, any> }).tags;
  for (const [policyKey, entry] of Object.entries(tags)) {
    const at = `tags.${policyKey}`;
    if (typeof entry !== 'object' || entry === null) {
      out.push(`${at} is not an object`);
      continue;
    }
    for (const setting of Object.keys(entry)) {
      if (!SETTINGS.includes(setting)) {
        out.push(`${at}.${setting} is not a tag policy setting`);
      }
    }
    if (entry.tag_key === undefined) {
      out.push(`${at} has no tag_key`);
    }
    for (const setting of SETTINGS.filter((s) => entry[s] !== undefined)) {
      const operators = entry[setting];
      const multi = setting !== 'tag_key';
      for (const [op, value] of Object.entries(operators as Record<string, unknown>)) {
        if (op === CHILD_CONTROL) {
          const list = value as string[];
          const ok = Array.isArray(list) && list.length > 0 && (list.length === 1 && ['@@all', '@@none'].includes(list[0])
            || list.every((o) => VALUE_SETTING.includes(o)));
          if (!ok) {
            out.push(`${at}.${setting}.${op} is ${JSON.stringify(value)}`);
          }
          continue;
        }
        if (!VALUE_SETTING.includes(op) || (!multi && op !== '@@assign')) {
          out.push(`${at}.${setting} uses ${op}`);
          continue;
        }
        if (setting === 'tag_key') {
          if (typeof value !== 'string' || value.toLowerCase() !== policyKey.toLowerCase()) {
            out.push(`${at}.tag_key is ${JSON.stringify(value)}, not the policy key in some capitalisation`);
          }
        } else if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
          out.push(`${at}.${setting}.${op} is not a list of strings`);
        } else if (setting === 'tag_value') {
          value.filter((v: string) => (v.match(/\*/g) ?? []).length > 1 || v.length > 256).forEach((v: string) => out.push(`${at}.tag_value holds ${JSON.stringify(v)}`));
        } else {
          value.filter((v: string) => !ENFORCED_FOR.test(v)).forEach((v: string) => out.push(`${at}.enforced_for holds ${JSON.stringify(v)}`));
        }
      }
    }
  }
  return out;
}

const TEAMS = ['payments', 'discovery', 'ledger', 'finops'];
const UNITS = ['retail', 'finance'];

function policyIn(context: Record<string, unknown>, props: Partial<CustomerValueTagPolicyProps> = {}) {
  const app = testApp({ context });
  const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
  const policy = new CustomerValueTagPolicy(stack, 'TagPolicy', { targetIds: ['r-ab12'], owner: OWNER, ...props });
  return { app, stack, policy };
}

function content(stack: Stack): any {
  const policies = Template.fromStack(stack).findResources('AWS::Organizations::Policy');
  expect(Object.keys(policies)).toHaveLength(1);
  return Object.values(policies)[0].Properties;
}

describe('the tag policy grammar of the test itself', () => {
  test('accepts AWS\'s own examples and refuses what the guide forbids', () => {
    // the examples of "Tag policy syntax and examples" and "Policy syntax and inheritance"
    expect(grammarViolations({
      tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['100', '200', '300*'] }, enforced_for: { '@@assign': ['secretsmanager:ALL_SUPPORTED'] } } },
    })).toEqual([]);
    expect(grammarViolations({ tags: { CostCenter: { tag_key: { '@@assign': 'CostCenter', '@@operators_allowed_for_child_policies': ['@@none'] } } } })).toEqual([]);
    expect(grammarViolations({ tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@append': ['Marketing'] }, enforced_for: { '@@append': ['redshift:cluster', 'dynamodb:table'] } } } })).toEqual([]);
    // and what it forbids
    expect(grammarViolations({ tags: { a: { tag_value: { '@@assign': ['x'] } } } })).toEqual(['tags.a has no tag_key']);
    expect(grammarViolations({ tags: { a: { tag_key: { '@@assign': 'b' } } } })).toEqual(['tags.a.tag_key is "b", not the policy key in some capitalisation']);
    expect(grammarViolations({ tags: { a: { tag_key: { '@@append': 'a' } } } })).toEqual(['tags.a.tag_key uses @@append']);
    expect(grammarViolations({ tags: { a: { tag_key: { '@@assign': 'a' }, tag_value: { '@@assign': ['*@*.com'] } } } })).toEqual(['tags.a.tag_value holds "*@*.com"']);
    expect(grammarViolations({ tags: { a: { tag_key: { '@@assign': 'a' }, enforced_for: { '@@assign': ['*:instance'] } } } })).toEqual(['tags.a.enforced_for holds "*:instance"']);
    expect(grammarViolations({ tags: { a: { tag_key: { '@@assign': 'a', '@@operators_allowed_for_child_policies': ['@@none', '@@assign'] } } } }))
      .toEqual(['tags.a.tag_key.@@operators_allowed_for_child_policies is ["@@none","@@assign"]']);
    expect(grammarViolations({ tags: { a: { tag_key: { '@@assign': 'a' }, tag_values: {} } } })).toEqual(['tags.a.tag_values is not a tag policy setting']);
  });
});

describe('CustomerValueTagPolicy', () => {
  test('turns the team and business-unit registries into a TAG_POLICY attached to the root, keys locked for child policies', () => {
    // GIVEN the registries of the app
    const { stack, policy } = policyIn({ 'customer-value:teams': TEAMS, 'customer-value:businessUnits': UNITS.join(',') },
      { enforcedFor: ['dynamodb:table', 'secretsmanager:ALL_SUPPORTED'] });

    // THEN
    const props = content(stack);
    expect(props.Type).toBe('TAG_POLICY');
    expect(props.Name).toBe('customer-value-tags');
    expect(props.TargetIds).toEqual(['r-ab12']);
    // the content is a JSON object (drift detection works), and follows the documented syntax
    expect(typeof props.Content).toBe('object');
    expect(grammarViolations(props.Content)).toEqual([]);
    expect(JSON.parse(policy.policyDocument)).toEqual(props.Content);
    const lock = { '@@operators_allowed_for_child_policies': ['@@none'] };
    expect(props.Content.tags).toEqual({
      'customer-service': { tag_key: { '@@assign': 'customer-service', ...lock } },
      'customer-need': { tag_key: { '@@assign': 'customer-need', ...lock } },
      'customer': { tag_key: { '@@assign': 'customer', ...lock } },
      'team': {
        tag_key: { '@@assign': 'team', ...lock },
        tag_value: { '@@assign': TEAMS, ...lock },
        enforced_for: { '@@assign': ['dynamodb:table', 'secretsmanager:ALL_SUPPORTED'], ...lock },
      },
      'business-unit': {
        tag_key: { '@@assign': 'business-unit', ...lock },
        tag_value: { '@@assign': UNITS, ...lock },
        enforced_for: { '@@assign': ['dynamodb:table', 'secretsmanager:ALL_SUPPORTED'], ...lock },
      },
    });
    // its own cost is the owner's, like every billing construct's
    expect(props.Tags).toEqual(expect.arrayContaining([{ Key: 'customer-service', Value: 'cost-reporting' }, { Key: 'team', Value: 'finops' }]));
  });

  test('without registries: key capitalisation only; explicit values, OUs, custom keys and unlocked child policies', () => {
    const bare = policyIn({});
    const tags = content(bare.stack).Content.tags;
    expect(Object.values(tags).map((t: any) => Object.keys(t))).toEqual([['tag_key'], ['tag_key'], ['tag_key'], ['tag_key'], ['tag_key']]);
    expect(grammarViolations(content(bare.stack).Content)).toEqual([]);

    const custom = policyIn({}, {
      tagKeys: TagKeys.custom({ team: 'OwnerTeam', businessUnit: 'BusinessUnit' }),
      teams: ['payments'],
      businessUnits: ['retail'],
      targetIds: ['ou-ab12-cd34ef56', 'ou-ab12-99887766'],
      lockChildPolicies: false,
      policyName: 'tags of the shop',
    });
    const props = content(custom.stack);
    expect(props.TargetIds).toEqual(['ou-ab12-cd34ef56', 'ou-ab12-99887766']);
    expect(props.Name).toBe('tags of the shop');
    expect(props.Content.tags.OwnerTeam).toEqual({ tag_key: { '@@assign': 'OwnerTeam' }, tag_value: { '@@assign': ['payments'] } });
    expect(props.Content.tags.BusinessUnit).toEqual({ tag_key: { '@@assign': 'BusinessUnit' }, tag_value: { '@@assign': ['retail'] } });
    expect(grammarViolations(props.Content)).toEqual([]);
  });

  test('refuses, all at once, what the syntax and the limits do not allow', () => {
    const { app } = policyIn({ 'customer-value:teams': ['payments'] }, {
      targetIds: ['123456789012', 'root', 'r-ab12', 'r-ab12'],
      businessUnits: ['retail', '*-*-eu', 'retail'],
      enforcedFor: ['*', 'ALL_SUPPORTED', 'ec2:*', 'ec2 instance', 'dynamodb:table', 'dynamodb:table'],
      policyName: '',
    });
    const { error } = synthFindings(app);
    expect(error).toContain('[Billing/TagPolicy]');
    for (const expected of [
      'targetIds[0] is "123456789012": an account id; attach the organization\'s tag policy to the root or to organizational units',
      'targetIds[1] is "root": expected a root id ("r-ab12") or an organizational unit id ("ou-ab12-cd34ef56")',
      'targetIds[3] is "r-ab12", listed twice',
      'businessUnits[1] is "*-*-eu": a tag policy value holds at most one wildcard',
      'businessUnits[2] is "retail", listed twice',
      'enforcedFor[0] is "*": a tag policy cannot enforce on all services',
      'enforcedFor[1] is "ALL_SUPPORTED": a tag policy cannot enforce on all services',
      'enforcedFor[2] is "ec2:*": write "ec2:ALL_SUPPORTED"',
      'enforcedFor[3] is "ec2 instance": expected <service>:<resource type> or <service>:ALL_SUPPORTED',
      'enforcedFor[5] is "dynamodb:table", listed twice',
      'policyName is "": a policy name is 1-128 printable ASCII characters',
    ]) {
      expect(error).toContain(expected);
    }
  });

  test('refuses a policy longer than the 10,000 characters AWS accepts, and accepts one just under', () => {
    // GIVEN 400 teams of 20 characters: about 400 * 23 = 9,200 characters of values alone
    // (the owner's team is registered too: the registry holds every team)
    const teams = (n: number) => ['finops', ...Array.from({ length: n - 1 }, (_, i) => `team-${String(i).padStart(15, '0')}`)];
    const under = policyIn({ 'customer-value:teams': teams(380) });
    expect(under.policy.policyDocument.length).toBeLessThanOrEqual(10_000);
    expect(under.policy.policyDocument.length).toBeGreaterThan(9_000);
    expect(synthFindings(under.app).error).toBeUndefined();

    const over = policyIn({ 'customer-value:teams': teams(420) });
    const { error } = synthFindings(over.app);
    expect(over.policy.policyDocument.length).toBeGreaterThan(10_000);
    expect(error).toContain(`the tag policy is ${over.policy.policyDocument.length} characters long (420 teams, 0 business units): AWS Organizations `
      + 'accepts at most 10000 characters per tag policy');
  });

  test('warns when the stack is not the management account', () => {
    const { stack } = policyIn({}, { managementAccountId: '999999999999' });
    Annotations.fromStack(stack).hasWarning('/Billing/TagPolicy', Match.stringLikeRegexp('Only the management \\(payer\\) account 999999999999'));
  });

  test('AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator: no finding', () => {
    const { app } = policyIn({ 'customer-value:teams': TEAMS, 'customer-value:businessUnits': UNITS }, { enforcedFor: ['ec2:instance'] });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
    const { error, findings } = synthFindings(app);
    expect(error).toBeUndefined();
    expect(findings).toEqual([]);
    expect(describeFindings(validatorFindings(app))).toEqual([]);
  });
});
