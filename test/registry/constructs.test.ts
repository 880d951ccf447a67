import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AttributionRule, AttributionRules, AttributionTarget, ContextKeys, CostReporting, Customer, CustomerService, DeclarationRegistration,
  DeclarationRegistry, ServiceRef,
} from '../../src';
import { secureBucket } from '../nag/util';
import { testApp, VALID } from '../util';

const REGISTRY = { bucketName: 'org-customer-value-registry', region: 'us-east-1' };
const ENV = { account: '111111111111', region: 'eu-west-1' };
const OWNER = {
  serviceName: 'cost-reporting',
  customerNeed: 'Business units see what each customer need costs them every month',
  customer: Customer.internal('Business units'),
  team: 'finops',
  businessUnit: 'finance',
};

function workload(context: Record<string, unknown>, services = ['Checkout', 'Refunds']): { app: App; stack: Stack } {
  const app = testApp({ context });
  const stack = new Stack(app, 'Shop', { env: ENV });
  for (const id of services) {
    const service = new CustomerService(stack, id, { ...VALID, costReporting: CostReporting.disabled('registry tests') });
    secureBucket(service, 'Data');
  }
  return { app, stack };
}

const registrations = (stack: Stack) => Template.fromStack(stack).findResources('Custom::CustomerValueRegistration');

describe('DeclarationRegistration', () => {
  test('created once per stack holding services where the context names a registry; none without it, none when the app opts out', () => {
    const { stack } = workload({ [ContextKeys.REGISTRY]: REGISTRY });
    expect(Object.keys(registrations(stack))).toHaveLength(1);
    expect(DeclarationRegistration.isCreated(stack)).toBe(true);
    expect(Object.keys(registrations(workload({}).stack))).toHaveLength(0);
    const optedOut = workload({ [ContextKeys.REGISTRY]: REGISTRY, [ContextKeys.REGISTER_DECLARATIONS]: false });
    expect(Object.keys(registrations(optedOut.stack))).toHaveLength(0);
    // the context as a JSON string (-c on the command line)
    expect(Object.keys(registrations(workload({ [ContextKeys.REGISTRY]: JSON.stringify(REGISTRY) }).stack))).toHaveLength(1);
  });

  test('registers the services of its stack with the records of their metadata', () => {
    const { app, stack } = workload({ [ContextKeys.REGISTRY]: { ...REGISTRY, prefix: 'org/' } });
    const [resource] = Object.values(registrations(stack));
    expect(resource.Properties).toMatchObject({ Bucket: REGISTRY.bucketName, Region: 'us-east-1', Prefix: 'org/' });
    const registered = JSON.parse(stack.resolve(resource.Properties.Services));
    const metadata = app.synth().getStackByName('Shop').findMetadataByType('customer-value:service').map((m) => m.data);
    expect(registered).toEqual(metadata);
    expect(registered.map((r: { serviceName: string }) => r.serviceName)).toEqual(['checkout', 'refunds']);
  });

  test('registers the attribution rule sets of its stack with its services, as their metadata records; none of another stack', () => {
    // without rule sets the property is left out (the entry stays schema 1, which every reader reads)
    expect(Object.values(registrations(workload({ [ContextKeys.REGISTRY]: REGISTRY }).stack))[0].Properties.AttributionRules).toBeUndefined();
    const { app, stack } = workload({ [ContextKeys.REGISTRY]: REGISTRY });
    new AttributionRules(stack, 'ShopShared', {
      rules: [AttributionRule.accounts({ accountIds: ['111111111111'], to: AttributionTarget.service(ServiceRef.named('checkout')) })],
    });
    const other = new Stack(app, 'Billing', { env: ENV });
    secureBucket(new CustomerService(other, 'Reports', { ...VALID, costReporting: CostReporting.disabled('registry tests') }), 'Data');
    new AttributionRules(other, 'Central', { precedence: 0, rules: [AttributionRule.accounts({ accountIds: ['222222222222'], to: AttributionTarget.businessUnit('retail') })] });
    const [resource] = Object.values(registrations(stack));
    const registered = JSON.parse(stack.resolve(resource.Properties.AttributionRules));
    const metadata = app.synth().getStackByName('Shop').findMetadataByType('customer-value:attribution').map((m) => m.data);
    expect(registered).toEqual(metadata);
    expect(registered.map((r: { ruleSet: string; stackName: string }) => [r.stackName, r.ruleSet])).toEqual([['Shop', 'shop-shared']]);
  });

  test('a rule set in a stack without services is not registered (no registration there): a warning says so, where a registry is named', () => {
    const notRegistered = (context: Record<string, unknown>) => {
      const { app } = workload(context);
      const billing = new Stack(app, 'Billing', { env: ENV });
      new AttributionRules(billing, 'Central', { rules: [AttributionRule.accounts({ accountIds: ['222222222222'], to: AttributionTarget.businessUnit('retail') })] });
      new sns.Topic(billing, 'Alerts', { enforceSSL: true });
      const stack = app.synth().getStackByName('Billing');
      return [stack.messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data)), Object.keys(registrations(billing))] as const;
    };
    const [warnings, registered] = notRegistered({ [ContextKeys.REGISTRY]: REGISTRY });
    expect(registered).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^the rule set "central" is not registered in the declaration registry \(customer-value:registry\): its stack Billing holds no CustomerService, .*declare it in the stack of the services it concerns/)]);
    // no registry named, or the app opted out: nothing to say
    expect(notRegistered({})[0].filter((w) => /not registered/.test(w))).toEqual([]);
    expect(notRegistered({ [ContextKeys.REGISTRY]: REGISTRY, [ContextKeys.REGISTER_DECLARATIONS]: false })[0].filter((w) => /not registered/.test(w))).toEqual([]);
  });

  test('explicit, with props: the registry and the alarm topic (its policy lets CloudWatch publish)', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop', { env: ENV });
    const service = new CustomerService(stack, 'Checkout', { ...VALID, costReporting: CostReporting.disabled('registry tests') });
    secureBucket(service, 'Data');
    const topic = new sns.Topic(service, 'Alarms', { enforceSSL: true });
    const registration = DeclarationRegistration.of(stack, { registry: REGISTRY, alarmTopic: topic });
    expect(DeclarationRegistration.of(service)).toBe(registration);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }] });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' })]) },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
    template.hasResourceProperties('Custom::CustomerValueRegistration', { ServiceTimeout: '600' });
  });

  test('its resources carry the tags of the stack\'s first service, or of customer-value:reportingOwner', () => {
    const tagsOf = (stack: Stack) => {
      const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
        .find((f) => f.Properties.Description?.includes('registers the stack'))!;
      return Object.fromEntries((fn.Properties.Tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
    };
    expect(tagsOf(workload({ [ContextKeys.REGISTRY]: REGISTRY }).stack)).toMatchObject({ 'customer-service': 'checkout', 'team': 'payments' });
    expect(tagsOf(workload({ [ContextKeys.REGISTRY]: REGISTRY, [ContextKeys.REPORTING_OWNER]: 'refunds' }).stack)).toMatchObject({ 'customer-service': 'refunds' });
  });

  test.each([
    [{ bucketName: 'Bad_Bucket', region: 'us-east-1' }, /context "customer-value:registry"\.bucketName is "Bad_Bucket": expected the registry bucket's name/],
    [{ bucketName: 'org-registry' }, /context "customer-value:registry"\.region is undefined: expected the registry bucket's region/],
    [{ bucketName: 'org-registry', region: 'us-east-1', prefix: '/abs' }, /\.prefix is "\/abs": expected folders ending with "\/"/],
    ['org-registry', /context "customer-value:registry" is "org-registry": expected \{ "bucketName"/],
  ])('a bad registry location is refused at synth: %j', (registry, message) => {
    const { app } = workload({ [ContextKeys.REGISTRY]: registry });
    expect(() => app.synth()).toThrow(message);
  });

  test('a stack without services has nothing to register: refused', () => {
    const app = testApp();
    const stack = new Stack(app, 'Empty', { env: ENV });
    DeclarationRegistration.of(stack, { registry: REGISTRY });
    expect(() => app.synth()).toThrow(/the stack Empty declares no CustomerService: a registration registers the services of its stack/);
  });
});

describe('DeclarationRegistry', () => {
  test('a private, encrypted, versioned, access-logged bucket whose unconfirmed entries expire', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const registry = new DeclarationRegistry(stack, 'Registry', { organizationId: 'o-a1b2c3d4e5', bucketName: 'org-registry', owner: OWNER });
    expect(stack.resolve(registry.location)).toEqual({ bucketName: { Ref: stack.getLogicalId(registry.bucket.node.defaultChild as any) }, region: 'us-east-1', prefix: 'customer-value/' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'org-registry',
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'declaration-registry/' }),
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireUnconfirmedEntries', Prefix: 'customer-value/', ExpirationInDays: 30 })]) },
      Tags: Match.arrayWith([{ Key: 'customer-service', Value: 'cost-reporting' }]),
    });
  });

  test('named accounts are the writers (fixed principals), each still under its own folder, in the organization', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    new DeclarationRegistry(stack, 'Registry', { organizationId: 'o-a1b2c3d4e5', accounts: ['111111111111', '222222222222'], owner: OWNER });
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))
      .find((p) => JSON.stringify(p).includes('WorkloadsWriteTheirOwnEntries'))!;
    const write = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'WorkloadsWriteTheirOwnEntries');
    expect(JSON.stringify(write.Principal)).toContain('111111111111');
    expect(JSON.stringify(write.Principal)).toContain('222222222222');
    expect(write.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
  });

  test('grantRead: list and read the prefix, nothing else', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const registry = new DeclarationRegistry(stack, 'Registry', { organizationId: 'o-a1b2c3d4e5', owner: OWNER });
    const role = new iam.Role(stack, 'FinOps', { assumedBy: new iam.AccountRootPrincipal() });
    registry.grantRead(role);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => [s.Action, s.Condition])).toEqual([
      ['s3:ListBucket', { StringLike: { 's3:prefix': 'customer-value/*' } }],
      ['s3:GetObject', undefined],
    ]);
    expect(JSON.stringify(statements[1].Resource)).toContain('/customer-value/*');
  });

  test.each([
    [{ organizationId: 'org-1' }, /organizationId is "org-1": expected the organization's id, "o-" and 10 to 32/],
    [{ organizationId: 'o-a1b2c3d4e5', prefix: 'no-slash' }, /prefix is "no-slash": expected folders ending with "\/"/],
    [{ organizationId: 'o-a1b2c3d4e5', accounts: ['12'] }, /accounts\[0\] is "12": expected a 12-digit account id/],
    [{ organizationId: 'o-a1b2c3d4e5', owner: undefined }, /belongs to no customer service, so the cost of its own resources \(bucket, access-log bucket\)/],
  ])('bad props are refused at synth: %j', (props, message) => {
    const app = testApp();
    const stack = new Stack(app, 'Billing');
    new DeclarationRegistry(stack, 'Registry', { owner: OWNER, ...props } as any);
    expect(() => app.synth()).toThrow(message);
  });
});
