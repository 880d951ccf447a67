import { App, CfnResource, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import {
  AnomalyAlertTarget, CostAllocationTags, CostAndUsageExport, CostGrouping, Customer, CustomerService, CustomerValueChecks,
  CustomerValueCostCategories, ServiceAnomalyDetection, ServiceValueDeclaration,
} from '../../src';
import { tagManagerOf } from '../../src/declaration/inventory';
import { SHARED_METADATA_TYPE } from '../../src/private/shared-marker';
import { synthFindings, testApp } from '../util';
import { OWNER } from './owner';

/**
 * The billing constructs' own resources are attributed to a customer service, never to nobody (issue 12, item 4): the
 * validator reported them as untagged (I9040) and their cost landed in the untagged share the library asks people to
 * drive down.
 */

const ENV = { account: '123456789012', region: 'us-east-1' };
const DECLARATIONS: ServiceValueDeclaration[] = [
  { serviceName: 'checkout', customerNeed: 'Shoppers pay for their basket in one step', team: 'payments', businessUnit: 'retail', customer: Customer.external('Online shoppers') },
];
const OWNER_TAGS = {
  'customer-service': 'cost-reporting',
  'customer-need': 'Business units see what each customer need costs them every month',
  'customer': 'internal:Business units',
  'team': 'finops',
  'business-unit': 'finance',
};
/** Types whose ResourceTags are create-only and that cost nothing: left untagged on purpose (acknowledged). */
const UNTAGGED_ON_PURPOSE = ['AWS::CE::AnomalyMonitor', 'AWS::CE::AnomalySubscription'];

type Props = { owner?: ServiceValueDeclaration };

/** The four constructs, with every option that creates resources (immediate e-mail: a topic and its key). */
function allFour(scope: Construct, props: Props = {}): IConstruct[] {
  return [
    new CostAllocationTags(scope, 'TagActivation', { ...props, backfillMonths: 1, deactivateOnDelete: true }),
    new CustomerValueCostCategories(scope, 'CostCategories', { ...props, declarations: DECLARATIONS, categories: Object.values(CostGrouping) }),
    new ServiceAnomalyDetection(scope, 'Anomalies', {
      ...props,
      declarations: DECLARATIONS,
      serviceMonitorAlert: { targets: [AnomalyAlertTarget.email('finops@example.com'), AnomalyAlertTarget.immediateEmail('oncall@example.com')] },
    }),
    new CostAndUsageExport(scope, 'Cur', props),
  ];
}

/** Each resource of `scopes` (CloudFormation type, path) with its tags in the synthesized template, for CDK-taggable ones. */
function taggedResources(stack: Stack, scopes: IConstruct[]): Array<{ type: string; path: string; tags?: Record<string, string> }> {
  const template = Template.fromStack(stack).toJSON();
  return scopes.flatMap((scope) => scope.node.findAll())
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
    .map((r) => {
      const rendered = template.Resources[stack.getLogicalId(r)];
      const tm = tagManagerOf(r);
      const raw = tm ? rendered.Properties?.[tm.tagPropertyName.charAt(0).toUpperCase() + tm.tagPropertyName.slice(1)] : undefined;
      const tags = tm ? Object.fromEntries((raw ?? []).map((t: any) => [t.Key, t.Value])) : undefined;
      return { type: r.cfnResourceType, path: r.node.path, tags };
    });
}

function governedApp(): App {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CustomerValueChecks(app));
  return app;
}

describe('billing constructs: who pays for their own resources', () => {
  test('with owner: every taggable resource carries the owner\'s five tags; governance finds nothing', () => {
    // GIVEN
    const app = governedApp();
    const stack = new Stack(app, 'Billing', { env: ENV });

    // WHEN
    const constructs = allFour(stack, { owner: OWNER });

    // THEN
    const resources = taggedResources(stack, constructs);
    const taggable = resources.filter((r) => r.tags !== undefined && !UNTAGGED_ON_PURPOSE.includes(r.type));
    expect(taggable.length).toBeGreaterThan(15);
    for (const r of taggable) {
      expect({ path: r.path, tags: r.tags }).toEqual({ path: r.path, tags: expect.objectContaining(OWNER_TAGS) });
    }
    // monitors and subscriptions stay untagged (free; create-only tags)
    for (const r of resources.filter((x) => UNTAGGED_ON_PURPOSE.includes(x.type))) {
      expect({ path: r.path, tags: r.tags }).toEqual({ path: r.path, tags: {} });
    }
    // the resources CloudFormation cannot tag, which cost nothing by themselves
    expect([...new Set(resources.filter((r) => r.tags === undefined).map((r) => r.type))].sort()).toEqual([
      'AWS::Athena::NamedQuery', 'AWS::Glue::Database', 'AWS::Glue::Table', 'AWS::IAM::Policy', 'AWS::Lambda::Permission',
      'AWS::S3::BucketPolicy', 'AWS::SNS::Subscription', 'AWS::SNS::TopicPolicy', 'Custom::CostAllocationTags',
    ]);
    // the owner is recorded in the cloud assembly
    for (const c of constructs) {
      expect(c.node.metadata.find((m) => m.type === SHARED_METADATA_TYPE)?.data).toMatchObject({ owner: 'cost-reporting' });
    }
    // and AwsSolutionsChecks and CustomerValueChecks (ResourceOutsideService, TagsMissingOrOverridden) find nothing
    expect(synthFindings(app)).toEqual({ findings: [] });
  });

  test('with owner: a tag that overrides the owner\'s is reported by CustomerValueChecks (the resources are judged)', () => {
    // GIVEN
    const app = governedApp();
    const stack = new Stack(app, 'Billing', { env: ENV });
    const [activation] = allFour(stack, { owner: OWNER });

    // WHEN a forced tag changes the team on the activation function's log group
    Tags.of(activation.node.findChild('Logs')).add('team', 'growth', { priority: 2000 });

    // THEN
    const { error, findings } = synthFindings(app);
    // synthesis fails on that finding (a validation plugin's failure names its rules)
    expect(error).toMatch(/CustomerValue-TagsMissingOrOverridden/);
    expect(findings.map((f) => `${f.rule} ${f.paths.join()}`)).toEqual(['CustomerValue-TagsMissingOrOverridden Billing/TagActivation/Logs/Resource']);
    expect(findings[0].description).toContain('does not carry the customer-value tags of the customer service "cost-reporting" '
      + '(declared owner of Billing/TagActivation): team is "growth" instead of "finops"');
  });

  test('inside a CustomerService: the resources are that service\'s, tagged and judged like its others', () => {
    // GIVEN the FinOps team's service in the billing stack
    const app = governedApp();
    const stack = new Stack(app, 'Billing', { env: ENV });
    const finops = new CustomerService(stack, 'CostReporting', {
      ...OWNER,
      customer: OWNER.customer!,
      costReporting: { enabled: false, disabledReason: 'the billing stack reports on the other services' },
    });
    Validations.of(finops).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'test' });
    Validations.of(finops).acknowledge({ id: 'CustomerValue-NoUsageMetric', reason: 'test' });

    // WHEN
    const constructs = allFour(finops);

    // THEN
    const taggable = taggedResources(stack, constructs).filter((r) => r.tags !== undefined && !UNTAGGED_ON_PURPOSE.includes(r.type));
    for (const r of taggable) {
      expect({ path: r.path, tags: r.tags }).toEqual({ path: r.path, tags: expect.objectContaining(finops.tagValues) });
    }
    // the service is served by its own cost categories: its spend is not "Unallocated"
    const team = Object.values(Template.fromStack(stack).findResources('AWS::CE::CostCategory'))
      .find((c) => c.Properties.Name === 'customer-value-team')!;
    expect(JSON.parse(team.Properties.Rules).map((r: any) => r.Value)).toEqual(['finops', 'payments']);
    expect(synthFindings(app)).toEqual({ findings: [] });
  });

  test('include() after creation counts: the construct then belongs to the service that included it', () => {
    const app = governedApp();
    const stack = new Stack(app, 'Billing', { env: ENV });
    const finops = new CustomerService(stack, 'CostReporting', { ...OWNER, customer: OWNER.customer!, costReporting: { enabled: false, disabledReason: 'test' } });
    Validations.of(finops).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'test' });
    Validations.of(finops).acknowledge({ id: 'CustomerValue-NoUsageMetric', reason: 'test' });
    const cur = new CostAndUsageExport(stack, 'Cur');
    finops.include(cur);
    expect(synthFindings(app)).toEqual({ findings: [] });
    Template.fromStack(stack).hasResourceProperties('AWS::Athena::WorkGroup', { Tags: Object.entries(finops.tagValues).map(([Key, Value]) => ({ Key, Value })).sort((a, b) => a.Key.localeCompare(b.Key)) });
  });

  test('with neither: synthesis fails with one clear problem per construct, saying how to fix it', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: ENV });
    allFour(stack);
    const { error } = synthFindings(app);
    for (const [path, purpose, what] of [
      ['TagActivation', 'cost allocation tag activation', 'function, role, log group, daily rule'],
      ['CostCategories', 'cost categories', 'cost categories'],
      ['Anomalies', 'cost anomaly detection', 'alert topics and their KMS key'],
      ['Cur', 'CUR 2.0 data export', 'buckets, export, Glue database and table, Athena workgroup'],
    ]) {
      expect(error).toContain(`[Billing/${path}] this construct (${purpose}) belongs to no customer service, so the cost of its own resources (${what}) `
        + 'would be reported as untagged spend: create it inside the CustomerService that pays for cost reporting (e.g. the FinOps team\'s), '
        + 'include() it into one, or pass owner: { serviceName, customerNeed, customer, team, businessUnit } (the declaration of that service)');
    }
  });

  test('with both, or an owner that is not a full declaration: refused, naming the field', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: ENV });
    const finops = new CustomerService(stack, 'CostReporting', { ...OWNER, customer: OWNER.customer!, costReporting: { enabled: false } });
    new CostAndUsageExport(finops, 'Cur', { owner: OWNER });
    const withoutCustomer = Object.fromEntries(Object.entries(OWNER).filter(([field]) => field !== 'customer')) as typeof OWNER;
    new CostAllocationTags(stack, 'NoCustomer', { owner: withoutCustomer });
    new CostAllocationTags(stack, 'Placeholder', { owner: { ...OWNER, team: 'TBD' } });
    new CustomerValueCostCategories(stack, 'Differs', { owner: { ...DECLARATIONS[0], team: 'growth' }, declarations: DECLARATIONS });
    const { error } = synthFindings(app);
    expect(error).toContain('[Billing/CostReporting/Cur] owner is set ("cost-reporting") but this construct is part of the customer service '
      + '"cost-reporting" (Billing/CostReporting), which tags its resources: a resource belongs to exactly one service; remove owner, or create the construct outside that service');
    expect(error).toContain('[Billing/NoCustomer] owner.customer is missing: the owner\'s resources carry all five customer-value tags');
    // only the field that is missing
    expect(error!.match(/\[Billing\/NoCustomer\] [^\n]*/g)).toEqual([expect.stringMatching(/^\[Billing\/NoCustomer\] owner\.customer is missing/)]);
    expect(error).toMatch(/\[Billing\/Placeholder\] owner.team is "TBD"/);
    expect(error).toContain('[Billing/Differs] owner declares the service "checkout" differently from declarations[0] (team, business unit, customer need or customer)');
  });

  test('an owner that the construct does not otherwise serve is categorised and known to anomaly team alerts', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: ENV });
    new CustomerValueCostCategories(stack, 'CostCategories', { owner: OWNER, declarations: DECLARATIONS, categories: [CostGrouping.SERVICE] });
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER, declarations: DECLARATIONS, teamAlerts: [{ team: 'finops', targets: [AnomalyAlertTarget.email('finops@example.com')] }],
    });
    const template = Template.fromStack(stack);
    const service = Object.values(template.findResources('AWS::CE::CostCategory'))[0];
    expect(JSON.parse(service.Properties.Rules).map((r: any) => r.Value)).toEqual(['checkout', 'cost-reporting']);
    template.hasResourceProperties('AWS::CE::AnomalyMonitor', { MonitorName: 'customer-value-team-finops', MonitorSpecification: JSON.stringify({ Tags: { Key: 'customer-service', Values: ['cost-reporting'] } }) });
  });
});

describe('ServiceAnomalyDetection alert key: kept or deleted is a documented choice', () => {
  function keyOf(alertKeyRemovalPolicy?: RemovalPolicy) {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: ENV });
    new ServiceAnomalyDetection(stack, 'Anomalies', {
      owner: OWNER,
      declarations: DECLARATIONS,
      alertKeyRemovalPolicy,
      serviceMonitorAlert: { targets: [AnomalyAlertTarget.immediateEmail('oncall@example.com')] },
    });
    return { app, key: Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0] };
  }

  test('deleted with the stack by default (a retained key costs 1 USD a month for every deleted stack)', () => {
    const { key } = keyOf();
    expect(key.DeletionPolicy).toBe('Delete');
    expect(key.UpdateReplacePolicy).toBe('Delete');
    expect(key.Properties.PendingWindowInDays).toBeUndefined(); // KMS's default waiting period, 30 days
  });

  test('retained when asked', () => {
    const { key } = keyOf(RemovalPolicy.RETAIN);
    expect(key.DeletionPolicy).toBe('Retain');
  });

  test('a removal policy a key cannot have is refused', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: ENV });
    new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER, declarations: DECLARATIONS, alertKeyRemovalPolicy: RemovalPolicy.SNAPSHOT });
    expect(() => app.synth()).toThrow(/alertKeyRemovalPolicy is "snapshot": pass RemovalPolicy.DESTROY or RemovalPolicy.RETAIN/);
  });
});
