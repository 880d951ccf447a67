import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';
import { createApp } from '../../examples/full-reporting';

describe('examples/full-reporting.ts', () => {
  // One synthesis of the example (with both packs and the CloudFormation validator) serves every test below.
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeExample(createApp);
  });

  test('synthesizes with AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator: no finding, no warning', () => {
    const { app, error, findings, registeredPlugins } = example;
    expect(error).toBeUndefined();
    expect(findings).toEqual([]);
    // the example registers both packs itself
    expect(registeredPlugins).toEqual(['AwsSolutions', 'CustomerValue']);
    const stack = app!.node.findChild('Shop') as Stack;
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    // and what governance.test.ts checks on every example
    expect(governanceProblems('full-reporting.ts', example)).toEqual([]);
  });

  test('three services, one publisher: three budgets (two fixed, one auto-adjusting), two dashboards (the stack\'s and one of its own), four alarms', () => {
    const template = Template.fromStack(example.app!.node.findChild('Shop') as Stack);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2);
    // two unit-cost alarms, and the publisher's two health alarms
    template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    const budgets = Object.values(template.findResources('AWS::Budgets::Budget')).map((b: any) => b.Properties.Budget);
    expect(budgets.map((b) => [b.BudgetName, b.BudgetLimit?.Amount ?? b.AutoAdjustData.AutoAdjustType, b.CostFilters.TagKeyValue[0]])).toEqual([
      [expect.stringMatching(/^checkout-Shop-eu-west-1-[0-9a-f]{8}$/), 500, 'user:customer-service$checkout'],
      [expect.stringMatching(/^search-Shop-eu-west-1-[0-9a-f]{8}$/), 'HISTORICAL', 'user:customer-service$search'],
      [expect.stringMatching(/^returns-Shop-eu-west-1-[0-9a-f]{8}$/), 200, 'user:customer-service$returns'],
    ]);
    // the two example functions and the one cost publisher
    const descriptions = Object.values(template.findResources('AWS::Lambda::Function')).map((f: any) => f.Properties.Description);
    expect(descriptions.filter((d) => d === 'cdk-customer-value: publishes the daily cost per customer service (CustomerValue metrics)')).toHaveLength(1);
    expect(descriptions).toHaveLength(3);
    // alert topics: the payments chat topic and the two services' own topics (alarms with e-mail targets)
    template.resourceCountIs('AWS::SNS::Topic', 3);
  });
});
