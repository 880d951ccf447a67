import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CostAndUsageExport, CostReporting, CustomerService, CustomerValueChecks, DeclarationRegistry, ValueReviewReports, ValueReviewReportsProps,
} from '../../src';
import { OWNER } from '../billing/owner';
import { synthFindings, testApp, VALID } from '../util';

/*
 * ValueReviewReports reading the organization's declaration registry (issue 24 phase 2): the function is told where
 * the registry is (its CONFIG) and may list and read its entries, nothing more; AwsSolutions, CustomerValue and the
 * CloudFormation validator clean.
 */

const ENV = { account: '123456789012', region: 'us-east-1' };

function billingApp(props: (stack: Stack) => Partial<ValueReviewReportsProps>) {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
  const workload = new Stack(app, 'Retail', { env: { account: '111111111111', region: 'eu-west-1' } });
  const checkout = new CustomerService(workload, 'Checkout', {
    ...VALID, valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01' }, costReporting: CostReporting.disabled('value review tests'),
  });
  new sns.Topic(checkout, 'Events', { enforceSSL: true });
  Validations.of(checkout).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'test topic' });
  Validations.of(checkout).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'test service' });
  Validations.of(checkout).acknowledge({ id: 'CustomerValue-NoUsageMetric', reason: 'test service' });
  const billing = new Stack(app, 'Billing', { env: ENV });
  const cur = new CostAndUsageExport(billing, 'Cur', { owner: OWNER });
  const reports = new ValueReviewReports(billing, 'ValueReview', { owner: OWNER, costAndUsageExport: cur, ...props(billing) });
  return { app, billing, reports };
}

function configOf(t: Template): any {
  const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.CONFIG)!;
  return fn.Properties.Environment.Variables.CONFIG;
}

function statementsOf(stack: Stack, t: Template, roleId: string): any[] {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap((p) => stack.resolve(p.Properties.PolicyDocument.Statement));
}

test('registry: the function reads the DeclarationRegistry of the app (grantRead: list the prefix, read its entries), clean', () => {
  const { app, billing, reports } = billingApp((stack) => ({
    registry: new DeclarationRegistry(stack, 'Registry', { organizationId: 'o-a1b2c3d4e5', bucketName: 'example-customer-value-registry', owner: OWNER }),
  }));
  expect(synthFindings(app)).toEqual({ findings: [] });
  const t = Template.fromStack(billing);
  // the function is told where the registry is
  expect(JSON.stringify(configOf(t))).toContain('\\"registry\\":{\\"bucket\\":\\"');
  expect(JSON.stringify(configOf(t))).toMatch(/\\"region\\":\\"us-east-1\\",\\"prefix\\":\\"customer-value\/\\"}/);
  const roleId = billing.getLogicalId(reports.handler.role!.node.defaultChild as any);
  const registry = statementsOf(billing, t, roleId).filter((s) => JSON.stringify(s.Resource).includes('RegistryBucket'));
  expect(registry).toEqual([
    expect.objectContaining({ Action: 's3:ListBucket', Effect: 'Allow', Condition: { StringLike: { 's3:prefix': 'customer-value/*' } } }),
    expect.objectContaining({ Action: 's3:GetObject', Effect: 'Allow' }),
  ]);
  expect(JSON.stringify(registry[1].Resource)).toContain('/customer-value/*');
});

test('registryLocation: a registry of another app; the role may list its prefix and read its entries only, clean', () => {
  const { app, billing, reports } = billingApp(() => ({
    registryLocation: { bucketName: 'example-customer-value-registry', region: 'eu-central-1', prefix: 'org/registry/' },
  }));
  expect(synthFindings(app)).toEqual({ findings: [] });
  const t = Template.fromStack(billing);
  expect(JSON.stringify(configOf(t))).toContain('\\"registry\\":{\\"bucket\\":\\"example-customer-value-registry\\",\\"region\\":\\"eu-central-1\\",\\"prefix\\":\\"org/registry/\\"}');
  const roleId = billing.getLogicalId(reports.handler.role!.node.defaultChild as any);
  const registry = statementsOf(billing, t, roleId).filter((s) => JSON.stringify(s.Resource).includes('example-customer-value-registry'));
  expect(registry).toEqual([
    {
      Sid: 'ListRegistry',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::example-customer-value-registry']] },
      Condition: { StringLike: { 's3:prefix': 'org/registry/*' } },
    },
    {
      Sid: 'ReadRegistry',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::example-customer-value-registry/org/registry/*']] },
    },
  ]);
});

test('registry and registryLocation together, or a bad location, are refused naming the field', () => {
  expect(() => billingApp((stack) => ({
    registry: new DeclarationRegistry(stack, 'Registry', { organizationId: 'o-a1b2c3d4e5', owner: OWNER }),
    registryLocation: { bucketName: 'example-customer-value-registry', region: 'us-east-1' },
  })).app.synth()).toThrow(/registry and registryLocation both name the declaration registry/);
  expect(() => billingApp(() => ({ registryLocation: { bucketName: 'Bad_Bucket', region: 'mars-1', prefix: '/x' } })).app.synth())
    .toThrow(/registryLocation\.bucketName is "Bad_Bucket".*registryLocation\.region is "mars-1".*registryLocation\.prefix is "\/x"/s);
});
