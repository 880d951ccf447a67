import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';
import { createApp as createPayerApp, ORGANIZATION_ID, REGISTRY_BUCKET } from '../../examples/payer-account';
import { createApp, LEDGER_ACCOUNT, SHOP_ACCOUNT } from '../../examples/registered-workloads';

describe('examples/registered-workloads.ts', () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeExample(createApp);
  });

  test('synthesizes with AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator: no finding', () => {
    expect(example.error).toBeUndefined();
    expect(example.findings).toEqual([]);
    expect(governanceProblems('registered-workloads.ts', example)).toEqual([]);
  });

  test('two stacks in two accounts register five services, one registration each, writing its own entry only', () => {
    const registered: Record<string, string[]> = {};
    for (const [id, account] of [['Shop', SHOP_ACCOUNT], ['Ledger', LEDGER_ACCOUNT]] as const) {
      const stack = example.app!.node.findChild(id) as Stack;
      const template = Template.fromStack(stack);
      const resources = template.findResources('Custom::CustomerValueRegistration');
      expect(Object.keys(resources)).toHaveLength(1);
      const [logicalId, resource] = Object.entries(resources)[0];
      expect(resource.Properties).toMatchObject({ Bucket: REGISTRY_BUCKET, Region: 'us-east-1', Prefix: 'customer-value/' });
      const services = JSON.parse(stack.resolve(resource.Properties.Services)) as Array<{ serviceName: string; stackName: string }>;
      registered[id] = services.map((s) => s.serviceName);
      expect(services.every((s) => s.stackName === id)).toBe(true);
      // the function's role: the stack's own entry, nothing else
      const key = `customer-value/v1/${account}/${stack.region}/${id}/${logicalId}.json`;
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
      // no "*" resource anywhere in the registration's policy
      expect(JSON.stringify(statements)).not.toMatch(/"\*"|\/\*"/);
    }
    expect(registered).toEqual({ Shop: ['checkout', 'refunds', 'wishlist'], Ledger: ['invoicing', 'payouts'] });
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
