import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { COST_REPORTING, createApp, MANAGEMENT_ACCOUNT, SERVICES } from '../../examples/payer-account';
import { exampleAppProps, synthFindings } from '../util';

describe('examples/payer-account.ts', () => {
  test('synthesizes with AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator: no finding', () => {
    // GIVEN
    const app = createApp(exampleAppProps());

    // WHEN
    const { error, findings } = synthFindings(app);

    // THEN
    expect(error).toBeUndefined();
    expect(findings).toEqual([]);
    const plugins = ((app as any)._validationPlugins as Array<{ name: string }>).map((p) => p.name);
    expect(plugins).toEqual(['AwsSolutions', 'CustomerValue']);
    const stack = app.node.findChild('Billing') as Stack;
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('one us-east-1 stack in the management account with the four billing constructs', () => {
    const app = createApp(exampleAppProps());
    const stack = app.node.findChild('Billing') as Stack;
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
