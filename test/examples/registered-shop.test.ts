import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';
import { registeredStack } from './registered';
import { createApp as createPayerApp, ORGANIZATION_ID } from '../../examples/payer-account';
import { createApp, SHOP_ACCOUNT } from '../../examples/registered-shop';

describe('examples/registered-shop.ts (one of two apps in two accounts)', () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeExample(createApp);
  });

  test('synthesizes with AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator: no finding', () => {
    expect(example.error).toBeUndefined();
    expect(example.findings).toEqual([]);
    expect(governanceProblems('registered-shop.ts', example)).toEqual([]);
  });

  test('one app, one stack in the shop account: three services and its rule set registered, writing its own entry only', () => {
    const { services, ruleSets } = registeredStack(example.app as App, 'Shop', SHOP_ACCOUNT);
    expect(services).toEqual([['Shop', 'checkout'], ['Shop', 'refunds'], ['Shop', 'wishlist']]);
    expect(ruleSets).toEqual([['Shop', 'shop-account']]);
  });
});

describe('examples/payer-account.ts: the declaration registry', () => {
  test('the bucket policy lets each account of the organization write under its own account folder only, conditionally', () => {
    const stack = createPayerApp().node.findChild('Billing') as Stack;
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))
      .find((p) => p.Properties.PolicyDocument.Statement.some((s: any) => s.Sid === 'WorkloadsWriteTheirOwnEntries'))!;
    const statements = stack.resolve(policy.Properties.PolicyDocument.Statement) as any[];
    const write = statements.find((s) => s.Sid === 'WorkloadsWriteTheirOwnEntries');
    expect(write).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['s3:GetObject', 's3:PutObject'],
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
    });
    expect(JSON.stringify(write.Resource)).toContain('/customer-value/v1/${aws:PrincipalAccount}/*');
    expect(statements.find((s) => s.Sid === 'WorkloadsFindTheirOwnEntries')).toMatchObject({
      Action: 's3:ListBucket',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID }, StringLike: { 's3:prefix': 'customer-value/v1/${aws:PrincipalAccount}/*' } },
    });
    expect(statements.find((s) => s.Sid === 'ConditionalWritesOnly')).toMatchObject({
      Effect: 'Deny', Action: 's3:PutObject', Condition: { Null: { 's3:if-match': 'true', 's3:if-none-match': 'true' } },
    });
    // nothing else is granted to principals outside the account: no read of the whole registry, no delete
    const allows = statements.filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal) === '{"AWS":"*"}');
    expect(allows.map((s) => s.Sid).sort()).toEqual(['WorkloadsFindTheirOwnEntries', 'WorkloadsWriteTheirOwnEntries']);
  });

  test('the value-review packs read the registry: the function is told where it is and may list and read its entries', () => {
    const stack = createPayerApp().node.findChild('Billing') as Stack;
    const template = Template.fromStack(stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => /value review packs/.test(f.Properties.Description ?? ''))!;
    // the registry's bucket (a reference to it), region and prefix
    expect(JSON.stringify(stack.resolve(fn.Properties.Environment.Variables.CONFIG)))
      .toMatch(/registry[\\"]+:\{[\\"]+bucket[\\"]+:[\\"]+,\{"Ref":"DeclarationRegistryBucket\w+"\},"[\\"]+,[\\"]+region[\\"]+:[\\"]+us-east-1[\\"]+,[\\"]+prefix[\\"]+:[\\"]+customer-value\//);
    const role = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('ValueReviewRole'))
      .flatMap((p) => stack.resolve(p.Properties.PolicyDocument.Statement) as any[])
      .filter((st) => JSON.stringify(st.Resource).includes('DeclarationRegistryBucket'));
    expect(role.map((st) => [st.Action, st.Condition ?? null])).toEqual([
      ['s3:ListBucket', { StringLike: { 's3:prefix': 'customer-value/*' } }], ['s3:GetObject', null],
    ]);
  });
});
