import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';
import { COST_REPORTING, createApp, MANAGEMENT_ACCOUNT, ORGANIZATION_ROOT, SERVICES, WISHLIST_SANDBOX_ACCOUNT } from '../../examples/payer-account';

describe('examples/payer-account.ts', () => {
  // One synthesis of the example (with both packs and the CloudFormation validator) serves every test below.
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeExample(createApp);
  });

  test('synthesizes with AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator: no finding', () => {
    const { app, error, findings, registeredPlugins } = example;
    expect(error).toBeUndefined();
    expect(findings).toEqual([]);
    // the example registers both packs itself
    expect(registeredPlugins).toEqual(['AwsSolutions', 'CustomerValue']);
    const stack = app!.node.findChild('Billing') as Stack;
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    // and what governance.test.ts checks on every example
    expect(governanceProblems('payer-account.ts', example)).toEqual([]);
  });

  test('one us-east-1 stack in the management account with the four billing constructs', () => {
    const stack = example.app!.node.findChild('Billing') as Stack;
    expect(stack.region).toBe('us-east-1');
    expect(stack.account).toBe(MANAGEMENT_ACCOUNT);
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::CostAllocationTags', 1);
    template.resourceCountIs('AWS::CE::CostCategory', 3);
    template.resourceCountIs('AWS::BCMDataExports::Export', 1);
    template.resourceCountIs('AWS::Athena::WorkGroup', 1);
    template.resourceCountIs('AWS::Glue::Table', 1);
    // service monitor + one per team
    template.resourceCountIs('AWS::CE::AnomalyMonitor', 4);
    const teams = [...new Set(SERVICES.map((s) => s.team))].sort();
    const monitorNames = Object.values(template.findResources('AWS::CE::AnomalyMonitor')).map((m) => m.Properties.MonitorName).sort();
    expect(monitorNames).toEqual(['customer-value-services', ...teams.map((t) => `customer-value-team-${t}`)].sort());
    const subscriptions = Object.values(template.findResources('AWS::CE::AnomalySubscription'))
      .map((s) => `${s.Properties.SubscriptionName}:${s.Properties.Frequency}`).sort();
    expect(subscriptions).toEqual([
      'customer-value-services-daily:DAILY',
      'customer-value-team-discovery-daily:DAILY',
      'customer-value-team-ledger-immediate:IMMEDIATE',
      'customer-value-team-payments-daily:DAILY',
      'customer-value-team-payments-immediate:IMMEDIATE',
    ]);
    const team = Object.values(template.findResources('AWS::CE::CostCategory')).find((c) => c.Properties.Name === 'customer-value-team')!;
    // the FinOps team owns the cost of the billing constructs' own resources, so it is categorised too (the tag rules,
    // before the attribution rules: issue 23)
    const rules = JSON.parse(team.Properties.Rules);
    expect(rules.filter((r: any) => r.Rule.Tags?.Key === 'team').map((r: any) => r.Value)).toEqual([...teams, COST_REPORTING.team].sort());
    template.hasResourceProperties('Custom::CostAllocationTags', { BackfillMonths: '0' });
  });

  test('attribution rules: the categories carry the account, tax and support rules; the stack tag is activated', () => {
    const stack = example.app!.node.findChild('Billing') as Stack;
    const template = Template.fromStack(stack);
    const team = Object.values(template.findResources('AWS::CE::CostCategory')).find((c) => c.Properties.Name === 'customer-value-team')!;
    const rules = JSON.parse(team.Properties.Rules);
    const tagRules = new Set(SERVICES.map((s) => s.team).concat(COST_REPORTING.team)).size;
    expect(rules.slice(tagRules)).toEqual([
      { Value: 'discovery', Type: 'REGULAR', Rule: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [WISHLIST_SANDBOX_ACCOUNT], MatchOptions: ['EQUALS'] } } },
      { Value: 'shared-costs tax-support', Type: 'REGULAR', Rule: expect.objectContaining({ Or: expect.any(Array) }) },
    ]);
    expect(JSON.parse(team.Properties.SplitChargeRules)).toEqual([
      { Source: 'shared-costs tax-support', Targets: ['payments', 'discovery', 'ledger', 'finops'], Method: 'PROPORTIONAL' },
    ]);
    const activation = Object.values(template.findResources('Custom::CostAllocationTags'))[0];
    expect(activation.Properties.TagKeys).toContain('aws:cloudformation:stack-name');
  });

  test('the organization tag policy holds the teams and business units of the services', () => {
    const stack = example.app!.node.findChild('Billing') as Stack;
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))[0].Properties;
    expect(policy.Type).toBe('TAG_POLICY');
    expect(policy.TargetIds).toEqual([ORGANIZATION_ROOT]);
    expect(policy.Content.tags.team.tag_value['@@assign']).toEqual(['payments', 'discovery', 'ledger', 'finops']);
    expect(policy.Content.tags['business-unit'].tag_value['@@assign']).toEqual(['retail', 'finance']);
  });
});
