import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import {
  AttributionRule, AttributionRules, AttributionTarget, ChargeType, CostAllocationTags, ServiceRef, TagKeys,
} from '../../src';
import { testApp, synthFindings } from '../util';
import { OWNER } from './owner';

function billingStack(context: Record<string, unknown> = {}, env = { account: '123456789012', region: 'us-east-1' }) {
  const app = testApp({ context });
  const stack = new Stack(app, 'Billing', { env });
  return { app, stack };
}

describe('CostAllocationTags', () => {
  test('activates the five customer-value keys through a custom resource', () => {
    // GIVEN
    const { stack } = billingStack();

    // WHEN
    const tags = new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });

    // THEN
    const template = Template.fromStack(stack);
    const keys = ['customer-service', 'customer-need', 'customer', 'team', 'business-unit'];
    expect(tags.tagKeys).toEqual(keys);
    template.resourceCountIs('Custom::CostAllocationTags', 1);
    template.hasResourceProperties('Custom::CostAllocationTags', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TagActivationHandler'), 'Arn'] },
      TagKeys: keys,
      DeactivateOnDelete: 'false',
      BackfillMonths: Match.absent(),
    });
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(fn.Properties.Runtime).toMatch(/^nodejs(22|24)\.x$/);
    expect(JSON.parse(fn.Properties.Environment.Variables.TAG_KEYS)).toEqual(keys);
    expect(fn.Properties.Environment.Variables.METRIC_NAMESPACE).toBe('CustomerValue');
    expect(fn.Properties.Timeout).toBe(300);
  });

  test('uses the app tag keys and additional keys', () => {
    const { stack } = billingStack({ 'customer-value:tagKeys': { team: 'owner-team' } });
    const tags = new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, additionalTagKeys: ['cost-center', 'team-x', 'owner-team'] });
    expect(tags.tagKeys).toEqual(['customer-service', 'customer-need', 'customer', 'owner-team', 'business-unit', 'cost-center', 'team-x']);
    Template.fromStack(stack).hasResourceProperties('Custom::CostAllocationTags', { TagKeys: tags.tagKeys });
  });

  test('explicit tagKeys win over the app keys', () => {
    const { stack } = billingStack();
    const tags = new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, tagKeys: TagKeys.custom({ service: 'svc' }) });
    expect(tags.tagKeys[0]).toBe('svc');
  });

  describe('the AWS-generated aws:cloudformation:stack-name (issue 23)', () => {
    const KEYS = ['customer-service', 'customer-need', 'customer', 'team', 'business-unit'];
    const keysOf = (stack: Stack) => {
      const template = Template.fromStack(stack);
      const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
      const resource = Object.values(template.findResources('Custom::CostAllocationTags'))[0];
      // the function's daily run and the custom resource activate the same keys
      expect(JSON.parse(fn.Properties.Environment.Variables.TAG_KEYS)).toEqual(resource.Properties.TagKeys);
      return resource.Properties.TagKeys;
    };

    test('is activated when a rule set of the app matches on stacks, declared before or after the construct', () => {
      // GIVEN
      const { stack } = billingStack();
      const tags = new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });
      const rules = new AttributionRules(stack, 'Shared', { rules: [AttributionRule.charges({ chargeTypes: [ChargeType.TAX], to: AttributionTarget.everyone() })] });
      expect(tags.tagKeys).toEqual(KEYS);

      // WHEN a stack rule is added
      rules.addRule(AttributionRule.stacks({ stackNames: ['Legacy-Shop'], to: AttributionTarget.service(ServiceRef.named('checkout')) }));

      // THEN
      expect(tags.tagKeys).toEqual([...KEYS, 'aws:cloudformation:stack-name']);
      expect(keysOf(stack)).toEqual([...KEYS, 'aws:cloudformation:stack-name']);
    });

    test('is not activated without a stack rule, unless asked; activateStackNameTag: false keeps it off', () => {
      const without = billingStack();
      new AttributionRules(without.stack, 'Shared', { rules: [AttributionRule.charges({ chargeTypes: [ChargeType.TAX], to: AttributionTarget.everyone() })] });
      new CostAllocationTags(without.stack, 'TagActivation', { owner: OWNER });
      expect(keysOf(without.stack)).toEqual(KEYS);

      const asked = billingStack();
      new CostAllocationTags(asked.stack, 'TagActivation', { owner: OWNER, activateStackNameTag: true });
      expect(keysOf(asked.stack)).toEqual([...KEYS, 'aws:cloudformation:stack-name']);

      const off = billingStack();
      new AttributionRules(off.stack, 'Shared', { rules: [AttributionRule.declaredStacks()] });
      new CostAllocationTags(off.stack, 'TagActivation', { owner: OWNER, activateStackNameTag: false });
      expect(keysOf(off.stack)).toEqual(KEYS);
    });
  });

  test('retries daily at 06:00 UTC (or on the given schedule) with the activation event', () => {
    const { stack } = billingStack();
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });
    new CostAllocationTags(new Stack(stack.node.root as any, 'Other', { env: { account: '123456789012', region: 'eu-west-1' } }), 'Tags', {
      owner: OWNER,
      retrySchedule: events.Schedule.cron({ minute: '30', hour: '3' }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TagActivationHandler'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2 },
      })],
    });
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    expect(JSON.parse(rule.Properties.Targets[0].Input)).toEqual({ source: 'customer-value.cost-allocation-tags', action: 'activate' });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction' });
    Template.fromStack(stack.node.root.node.findChild('Other') as Stack)
      .hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 3 * * ? *)' });
  });

  test('least-privilege IAM: Cost Explorer tag actions, metric namespace condition, own log group', () => {
    const { stack } = billingStack();
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'CostAllocationTags',
        Effect: 'Allow',
        Action: ['ce:ListCostAllocationTags', 'ce:UpdateCostAllocationTagsStatus', 'ce:StartCostAllocationTagBackfill', 'ce:ListCostAllocationTagBackfillHistory'],
        Resource: '*',
      },
      {
        Sid: 'InactiveTagsMetric',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'CustomerValue' } },
      },
      {
        // the registry of live declarations: its own path in Parameter Store, nothing else
        Sid: 'DeclarationRegistry',
        Effect: 'Allow',
        Action: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParametersByPath'],
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter/cdk-customer-value/cost-allocation-tags']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter/cdk-customer-value/cost-allocation-tags/*']] },
        ],
      },
      {
        Sid: 'Logs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TagActivationLogs/), 'Arn'] },
      },
    ]);
    // no managed policy (AwsSolutions-IAM4)
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    // the custom resource waits for the policy
    const cr = Object.values(template.findResources('Custom::CostAllocationTags'))[0];
    expect(cr.DependsOn).toEqual([expect.stringMatching(/^TagActivationPolicy/)]);
  });

  test('backfill and deactivation are passed to the function', () => {
    const { stack } = billingStack();
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, backfillMonths: 6, deactivateOnDelete: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::CostAllocationTags', { BackfillMonths: '6', DeactivateOnDelete: 'true' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ BACKFILL_MONTHS: '6' }) },
    });
  });

  test('the daily run records the declaration under the name the custom resource uses (stack name / logical id)', () => {
    const { stack } = billingStack();
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, deactivateOnDelete: true });
    const template = Template.fromStack(stack);
    const [crId] = Object.keys(template.findResources('Custom::CostAllocationTags'));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REGISTRY_ENTRY: `/cdk-customer-value/cost-allocation-tags/Billing/${crId}` }) },
    });
  });

  test('more tag keys than one registry entry (4 KB) holds is refused', () => {
    const { app, stack } = billingStack();
    const many = Array.from({ length: 40 }, (_, i) => `cost-center-${String(i).padStart(3, '0')}-${'x'.repeat(100)}`);
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, additionalTagKeys: many });
    expect(() => app.synth()).toThrow(/the 45 tag keys take more than 4000 characters as a list, the size of the record this construct keeps of them/);
  });

  test('metricInactiveTags reads the published metric', () => {
    const { stack } = billingStack();
    const tags = new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });
    const metric = tags.metricInactiveTags();
    expect(metric.namespace).toBe('CustomerValue');
    expect(metric.metricName).toBe('InactiveCostAllocationTags');
    expect(metric.statistic).toBe('Maximum');
    expect(metric.period.toDays()).toBe(1);
  });

  test.each([
    [{ backfillMonths: 13 }, /backfillMonths is 13: expected a whole number of months from 0 \(the current month\) to 12/],
    [{ backfillMonths: -1 }, /backfillMonths is -1/],
    [{ backfillMonths: 2.5 }, /backfillMonths is 2.5/],
    [{ additionalTagKeys: ['aws:createdBy'] }, /additionalTagKeys\[0\] is "aws:createdBy"/],
    [{ additionalTagKeys: ['ok', 'bad@key'] }, /additionalTagKeys\[1\] is "bad@key"/],
    [{ managementAccountId: '1234' }, /managementAccountId is "1234": expected the 12-digit id/],
  ])('refuses %p', (props, message) => {
    const { app, stack } = billingStack();
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, ...props } as any);
    expect(() => app.synth()).toThrow(message);
  });

  test('warns (acknowledgeably) when the stack is not in the declared management account', () => {
    // GIVEN a stack in a member account
    const { stack } = billingStack({}, { account: '210987654321', region: 'us-east-1' });

    // WHEN
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, managementAccountId: '123456789012' });

    // THEN
    Annotations.fromStack(stack).hasWarning('/Billing/TagActivation', Match.stringLikeRegexp(
      'Only the management \\(payer\\) account 123456789012 \\(or a standalone account\\) can use cost allocation tag activation, but this stack deploys to account 210987654321.*\\[ack: cdk-customer-value:billing.notManagementAccount\\]'));
  });

  test('no warning in the management account', () => {
    const { stack } = billingStack();
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER, managementAccountId: '123456789012' });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('synthesizes with no validator finding, in any region (the function calls the us-east-1 endpoint)', () => {
    const { app, stack } = billingStack({}, { account: '123456789012', region: 'eu-central-1' });
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });
    expect(synthFindings(app)).toEqual({ findings: [] });
  });
});
