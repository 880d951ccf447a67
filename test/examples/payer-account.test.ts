import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';
import { COST_REPORTING, createApp, MANAGEMENT_ACCOUNT, SERVICES } from '../../examples/payer-account';

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
    // the FinOps team owns the cost of the billing constructs' own resources, so it is categorised too
    expect(JSON.parse(team.Properties.Rules).map((r: any) => r.Value)).toEqual([...teams, COST_REPORTING.team].sort());
    template.hasResourceProperties('Custom::CostAllocationTags', { BackfillMonths: '0' });
  });
});
