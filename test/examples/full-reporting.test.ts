import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../examples/full-reporting';
import { exampleAppProps, synthFindings } from '../util';

describe('examples/full-reporting.ts', () => {
  test('synthesizes with AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator: no finding, no warning', () => {
    // GIVEN
    const app = createApp(exampleAppProps());

    // WHEN
    const { error, findings } = synthFindings(app);

    // THEN
    expect(error).toBeUndefined();
    expect(findings).toEqual([]);
    const plugins = ((app as any)._validationPlugins as Array<{ name: string }>).map((p) => p.name);
    expect(plugins).toEqual(['AwsSolutions', 'CustomerValue']);
    const stack = app.node.findChild('Shop') as Stack;
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('three services, one publisher: three budgets (two fixed, one auto-adjusting), two dashboards (the stack\'s and one of its own), four alarms', () => {
    const app = createApp(exampleAppProps());
    const template = Template.fromStack(app.node.findChild('Shop') as Stack);
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
