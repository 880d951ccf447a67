/**
 * What the two registered example apps (examples/registered-shop.ts, examples/registered-ledger.ts) must synthesize:
 * one `DeclarationRegistration` per stack, carrying the stack's services and rule sets, whose function may read and
 * write the stack's own entry and nothing else.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { REGISTRY_BUCKET } from '../../examples/payer-account';

/** The registration of `stack`: what it registers, after checking its policy is the stack's own entry only. */
export function checkedRegistration(stack: Stack): {
  services: Array<{ serviceName: string; stackName: string }>;
  ruleSets: Array<{ ruleSet: string; stackName: string }>;
} {
  const template = Template.fromStack(stack);
  const resources = template.findResources('Custom::CustomerValueRegistration');
  expect(Object.keys(resources)).toHaveLength(1);
  const [logicalId, resource] = Object.entries(resources)[0];
  expect(resource.Properties).toMatchObject({ Bucket: REGISTRY_BUCKET, Region: 'us-east-1', Prefix: 'customer-value/' });
  const services = JSON.parse(stack.resolve(resource.Properties.Services));
  const ruleSets = resource.Properties.AttributionRules === undefined ? [] : JSON.parse(stack.resolve(resource.Properties.AttributionRules));
  // the function's role: the stack's own entry, nothing else
  const key = `customer-value/v1/${stack.account}/${stack.region}/${stack.stackName}/${logicalId}.json`;
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.PolicyDocument.Statement.some((s: any) => s.Sid === 'OwnEntry'));
  expect(policies).toHaveLength(1);
  const statements = policies[0].Properties.PolicyDocument.Statement;
  expect(statements.find((s: any) => s.Sid === 'OwnEntry')).toMatchObject({
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${REGISTRY_BUCKET}/${key}`]] },
  });
  expect(statements.find((s: any) => s.Sid === 'FindOwnEntry')).toMatchObject({
    Action: 's3:ListBucket', Condition: { StringEquals: { 's3:prefix': key } },
  });
  // three statements: no other grant, and no "*" resource anywhere in the registration's policy
  expect(statements.map((s: any) => s.Sid)).toEqual(['OwnEntry', 'FindOwnEntry', 'Logs']);
  expect(JSON.stringify(statements)).not.toMatch(/"\*"|\/\*"/);
  return { services, ruleSets };
}

/**
 * The one stack of a registered example app, in its account, and what its registration carries as
 * `[stackName, serviceName]` and `[stackName, ruleSet]` pairs (policy checked by `checkedRegistration`).
 */
export function registeredStack(app: App, stackName: string, account: string): { services: string[][]; ruleSets: string[][] } {
  expect(app.node.children.filter((c) => Stack.isStack(c)).map((s) => (s as Stack).stackName)).toEqual([stackName]);
  const stack = app.node.findChild(stackName) as Stack;
  expect(stack.account).toBe(account);
  const { services, ruleSets } = checkedRegistration(stack);
  return { services: services.map((s) => [s.stackName, s.serviceName]), ruleSets: ruleSets.map((r) => [r.stackName, r.ruleSet]) };
}
