import * as fs from 'fs';
import * as path from 'path';
import { App, AspectPriority, Aspects, CfnResource, Duration, Stack, Stage, Tag, TagManager, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { createApp as createOnlineShop } from '../examples/online-shop';
import { CostAllocationTags, Customer, CustomerService, CustomerServiceProps, CostReporting, TagKeys, ValueReviewOutcome } from '../src';
import { OWNER } from './billing/owner';
import { exampleAppProps, testApp, VALID } from './util';
import { sharedPurpose } from '../src/private/shared-marker';

const CHECKOUT: CustomerServiceProps = { ...VALID, costReporting: CostReporting.disabled('tagging tests') };
const CHECKOUT_TAGS = {
  'customer-service': 'checkout',
  'customer-need': 'Shoppers pay for their basket in one step',
  'customer': 'external:Online shoppers',
  'team': 'payments',
  'business-unit': 'retail',
};

/** Tags of a rendered resource, whatever the format (list of {Key, Value}, map, GlobalTable replicas). */
function renderedTags(resource: any, tagProperty: string): Record<string, string> | undefined {
  const props = resource.Properties ?? {};
  if (resource.Type === 'AWS::DynamoDB::GlobalTable') {
    const replicas: any[] = props.Replicas ?? [];
    return replicas.length === 0 ? undefined : toMap(replicas[0].Tags);
  }
  const tags = props[tagProperty.charAt(0).toUpperCase() + tagProperty.slice(1)];
  return tags === undefined ? undefined : toMap(tags);
}

function toMap(tags: any): Record<string, string> {
  if (Array.isArray(tags)) {
    return Object.fromEntries(tags.map((t: any) => [t.Key, t.Value]));
  }
  return { ...(tags ?? {}) };
}

/** Every CfnResource of the app whose type CDK can tag, with its stack. */
function taggableResources(root: IConstruct): CfnResource[] {
  return root.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c)
    && c.cfnResourceType !== 'AWS::CDK::Metadata'
    && (TagManager.of(c) !== undefined || (c.node.scope?.node.defaultChild === c && TagManager.of(c.node.scope!) !== undefined)));
}

function templateOf(app: App, stack: Stack): any {
  return JSON.parse(fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf8'));
}

describe('tags', () => {
  test('every taggable resource of the realistic example carries all five tags with the declared values', () => {
    // GIVEN the online shop: four stacks, three services, one of them spread over two stacks with include()
    const app = createOnlineShop(exampleAppProps());
    // WHEN
    app.synth();
    // THEN walk the whole construct tree: every taggable resource is rendered with its service's five tags
    // (the library's one-per-stack cost publishers serve every service of their stack: shared, outside services)
    const all = taggableResources(app);
    const shared = all.filter((r) => sharedPurpose(r) !== undefined);
    expect(new Set(shared.map((r) => sharedPurpose(r)))).toEqual(new Set(['daily cost metric publisher', 'stack cost dashboard']));
    const resources = all.filter((r) => sharedPurpose(r) === undefined);
    expect(resources.length).toBeGreaterThan(50);
    const perService = new Map<string, number>();
    const templates = new Map<Stack, any>();
    for (const resource of resources) {
      const stack = Stack.of(resource);
      if (!templates.has(stack)) {
        templates.set(stack, templateOf(app, stack));
      }
      const service = CustomerService.of(resource);
      expect({ path: resource.node.path, service: service?.serviceName }).toEqual({ path: resource.node.path, service: expect.any(String) });
      const rendered = templates.get(stack).Resources[stack.getLogicalId(resource)];
      const tagProperty = (TagManager.of(resource) ?? TagManager.of(resource.node.scope!))!.tagPropertyName;
      expect({ path: resource.node.path, tags: renderedTags(rendered, tagProperty) })
        .toEqual({ path: resource.node.path, tags: expect.objectContaining(service!.tagValues) });
      perService.set(service!.serviceName, (perService.get(service!.serviceName) ?? 0) + 1);
    }
    expect([...perService.keys()].sort()).toEqual(['checkout', 'data-platform', 'private-network', 'product-search']);
    // the receipts API in the ShopCheckoutEdge stack belongs to checkout through include()
    const edge = app.node.findChild('ShopCheckoutEdge') as Stack;
    for (const r of taggableResources(edge).filter((x) => sharedPurpose(x) === undefined)) {
      expect(CustomerService.of(r)?.serviceName).toBe('checkout');
    }
  });

  test('the need tag value is derived deterministically and is tag-safe', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const need = 'Kund:innen bezahlen ihren Warenkorb – sicher & schnell (≤ 1 Minute)! '.repeat(6);
    const svc = new CustomerService(stack, 'Checkout', { ...CHECKOUT, customerNeed: need, customer: Customer.external('Café owners') });
    new sqs.Queue(svc, 'Queue', { enforceSSL: true });
    app.synth();
    const tags = toMap(Template.fromStack(stack).findResources('AWS::SQS::Queue')[Object.keys(Template.fromStack(stack).findResources('AWS::SQS::Queue'))[0]].Properties.Tags);
    expect(tags['customer-need']).toMatch(/^Kund:innen bezahlen ihren Warenkorb sicher schnell 1 Minute Kund:innen /);
    expect(tags['customer-need']).toMatch(/^[A-Za-z0-9 _.:/=+\-]{1,256}$/);
    expect(tags['customer-need'].length).toBe(256);
    expect(tags['customer-need']).toMatch(/\/[0-9a-f]{8}$/);
    expect(tags.customer).toBe('external:Cafe owners');
    expect(svc.needTagValue).toBe(tags['customer-need']);
  });

  test('user tags inside a service cannot override the declared values (the declared value wins)', () => {
    // GIVEN a service with a user tag at the default priority on a resource, and a removal
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const svc = new CustomerService(stack, 'Checkout', CHECKOUT);
    const queue = new sqs.Queue(svc, 'Queue', { enforceSSL: true });
    Tags.of(queue).add('team', 'someone-else');
    Tags.of(queue).remove('business-unit');
    Tags.of(queue).add('cost-center', '4711');
    // WHEN
    app.synth();
    // THEN the declared values win and the user's own tags stay
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      Tags: Object.entries({ ...CHECKOUT_TAGS, 'cost-center': '4711' }).sort(([a], [b]) => a.localeCompare(b)).map(([Key, Value]) => ({ Key, Value })),
    });
  });

  test('a tag forced at the customer-value priority or above refuses synthesis, naming the resource', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const svc = new CustomerService(stack, 'Checkout', CHECKOUT);
    const queue = new sqs.Queue(svc, 'Queue', { enforceSSL: true });
    Tags.of(queue).add('team', 'someone-else', { priority: CustomerService.TAG_PRIORITY });
    expect(() => app.synth()).toThrow(/\[Shop\/Checkout\] 1 resource\(s\) carry customer-value tags that differ from the declaration: Shop\/Checkout\/Queue\/Resource \(team="someone-else" instead of "payments"\)/);
  });

  test('include() tags another stack of the same service, and of() finds the service', () => {
    // GIVEN checkout declared in one stack, with a bucket in another stack
    const app = testApp();
    const svc = new CustomerService(new Stack(app, 'Shop'), 'Checkout', CHECKOUT);
    new sqs.Queue(svc, 'Queue', { enforceSSL: true });
    const data = new Stack(app, 'ShopData');
    const bucket = new s3.Bucket(data, 'Receipts', { enforceSSL: true });
    // WHEN
    svc.include(data);
    app.synth();
    // THEN
    expect(CustomerService.of(bucket)).toBe(svc);
    expect(CustomerService.of(bucket.node.defaultChild!)).toBe(svc);
    const tags = toMap(Object.values(Template.fromStack(data).findResources('AWS::S3::Bucket'))[0].Properties.Tags);
    expect(tags).toEqual(expect.objectContaining(CHECKOUT_TAGS));
    expect(svc.includedScopes).toEqual([data]);
  });

  test('the tags come from the service\'s own aspect at AspectPriority.MUTATING; aws-cdk-lib\'s Tag aspects are not patched', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const svc = new CustomerService(stack, 'Checkout', CHECKOUT);
    new sqs.Queue(svc, 'Queue', { enforceSSL: true });
    app.synth();
    const applied = Aspects.of(svc).applied;
    // one aspect, neither one Tag per key nor a Tag whose visit was replaced on the instance
    expect(applied).toHaveLength(1);
    expect(applied[0].priority).toBe(AspectPriority.MUTATING);
    expect(applied[0].aspect).not.toBeInstanceOf(Tag);
    expect(applied.filter((a) => Object.prototype.hasOwnProperty.call(a.aspect, 'visit'))).toEqual([]);
    expect(toMap(Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue'))[0].Properties.Tags)).toEqual(CHECKOUT_TAGS);
  });

  test.each([true, false])('include() of a stack tags its resources as Tags.of(stack).add() would (explicitStackTags %s)', (explicit) => {
    // GIVEN the same stack tagged by include() and, in another app, by Tags.of()
    const tagged = (byInclude: boolean) => {
      const app = testApp({ context: { '@aws-cdk/core:explicitStackTags': explicit } });
      const svc = new CustomerService(new Stack(app, 'Shop'), 'Checkout', CHECKOUT);
      new sqs.Queue(svc, 'Queue', { enforceSSL: true });
      const data = new Stack(app, 'ShopData');
      new s3.Bucket(data, 'Receipts', { enforceSSL: true });
      if (byInclude) {
        svc.include(data);
      } else {
        for (const [k, v] of Object.entries(svc.tagValues)) {
          Tags.of(data).add(k, v, { priority: CustomerService.TAG_PRIORITY });
        }
      }
      const assembly = app.synth();
      return {
        stackTags: assembly.getStackByName('ShopData').tags,
        bucketTags: toMap(Object.values(Template.fromStack(data).findResources('AWS::S3::Bucket'))[0].Properties.Tags),
      };
    };
    // THEN the same tags, on the stack and on its bucket
    const byInclude = tagged(true);
    expect(byInclude).toEqual(tagged(false));
    expect(byInclude.bucketTags).toEqual(expect.objectContaining(CHECKOUT_TAGS));
    expect(Object.keys(byInclude.stackTags)).toEqual(explicit ? [] : Object.keys(CHECKOUT_TAGS).sort());
  });

  test('include() refuses scopes that hold or belong to another service', () => {
    const app = testApp();
    const shop = new Stack(app, 'Shop');
    const checkout = new CustomerService(shop, 'Checkout', CHECKOUT);
    const search = new CustomerService(new Stack(app, 'Search'), 'Search', { ...CHECKOUT, customerNeed: 'Shoppers find the product they want' });
    checkout.include(search);
    checkout.include(Stack.of(search));
    const other = new Stage(app, 'Other');
    checkout.include(new Stack(other, 'Elsewhere'));
    expect(checkout.node.validate()).toEqual([
      expect.stringMatching(/^include\(Search\/Search\): that scope already belongs to the customer service Search\/Search/),
      expect.stringMatching(/^include\(Search\) covers the customer service Search\/Search: a resource belongs to exactly one service/),
      expect.stringMatching(/^include\(Other\/Elsewhere\): that scope is in another stage than the service/),
    ]);
    checkout.include(shop);
    expect(checkout.node.validate()[3]).toMatch(/^include\(Shop\) would cover this service itself/);
  });

  test('of() and all()', () => {
    const app = new App();
    const shop = new Stack(app, 'Shop');
    const a = new CustomerService(shop, 'Checkout', CHECKOUT);
    const b = new CustomerService(shop, 'Search', { ...CHECKOUT, customerNeed: 'Shoppers find the product they want' });
    const stage = new Stage(app, 'Beta');
    const c = new CustomerService(new Stack(stage, 'Shop'), 'Checkout', CHECKOUT);
    const q = new sqs.Queue(b, 'Q');
    expect(CustomerService.all(app)).toEqual([a, b, c]);
    expect(CustomerService.all(shop)).toEqual([a, b]);
    expect(CustomerService.all(stage)).toEqual([c]);
    expect(CustomerService.of(q)).toBe(b);
    expect(CustomerService.of(q.node.defaultChild!)).toBe(b);
    expect(CustomerService.of(shop)).toBeUndefined();
    expect(CustomerService.isCustomerService(a)).toBe(true);
    expect(CustomerService.isCustomerService(q)).toBe(false);
  });

  test('tag keys renamed once per app (context) are used for tags and recorded', () => {
    const app = testApp({ context: { 'customer-value:tagKeys': { team: 'owner-team', businessUnit: 'bu' } } });
    const stack = new Stack(app, 'Shop');
    const svc = new CustomerService(stack, 'Checkout', CHECKOUT);
    new sqs.Queue(svc, 'Queue', { enforceSSL: true });
    app.synth();
    const tags = toMap(Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue'))[0].Properties.Tags);
    expect(tags).toEqual({ 'customer-service': 'checkout', 'customer-need': CHECKOUT_TAGS['customer-need'], 'customer': 'external:Online shoppers', 'owner-team': 'payments', 'bu': 'retail' });
    expect(svc.tagKeys.toJson()).toEqual({ service: 'customer-service', need: 'customer-need', customer: 'customer', team: 'owner-team', businessUnit: 'bu' });
  });

  test('a tag-keys context that cannot be read is a synth problem of each construct that reads it, never a throw at construction', () => {
    const app = testApp({ context: { 'customer-value:tagKeys': '{"team": ' } });
    const svc = new CustomerService(new Stack(app, 'Shop'), 'Checkout', CHECKOUT);
    new sqs.Queue(svc, 'Queue', { enforceSSL: true });
    const billing = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'us-east-1' } });
    const activation = new CostAllocationTags(billing, 'TagActivation', { owner: OWNER });
    const problem = 'context "customer-value:tagKeys" is "{\\"team\\": ": expected an object such as {"team":"owner-team"} with any of the fields service, need, customer, team, businessUnit';
    expect(svc.node.validate()).toContain(problem);
    expect(activation.node.validate()).toContain(problem);
    // a direct call has no construct of the caller's to report with: it throws the same message
    expect(() => TagKeys.of(billing)).toThrow(problem);
  });

  test('TagKeys.useForApp sets the keys once; a second, different set is refused', () => {
    const app = new App();
    TagKeys.useForApp(app, TagKeys.custom({ service: 'svc' }));
    expect(TagKeys.of(new Stack(app, 'S')).service).toBe('svc');
    expect(() => TagKeys.useForApp(app, TagKeys.custom({ service: 'other' }))).toThrow(/this app already uses the tag keys .*"service":"svc".*; tag keys are set once per app/);
    expect(() => TagKeys.custom({ team: 'Team', businessUnit: 'team' })).toThrow(/team and businessUnit keys both become the CUR 2.0 column "user_team"/);
    expect(TagKeys.curMapKey('customer-service')).toBe('user_customer_service');
    expect(TagKeys.curMapKey('CustomerNeed')).toBe('user_customer_need');
  });
});

describe('cloud-assembly metadata', () => {
  test('each service records its declaration, tag keys and values, and resource counts in the manifest', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const svc = new CustomerService(stack, 'Checkout', {
      ...CHECKOUT,
      valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'retail-board' },
    });
    const queue = new sqs.Queue(svc, 'Queue', { enforceSSL: true });
    svc.addUsageMetric('orders', queue.metricNumberOfMessagesSent(), { unitScale: 1000 });
    const data = new Stack(app, 'ShopData');
    new s3.Bucket(data, 'Receipts', { enforceSSL: true });
    svc.include(data);
    // WHEN synthesized and read back through the cloud-assembly API
    const dir = app.synth().directory;
    const assembly = new CloudAssembly(dir);
    const entries = assembly.getStackByName('Shop').findMetadataByType('customer-value:service');
    // THEN
    expect(entries).toHaveLength(1);
    expect(entries[0].path).toBe('/Shop/Checkout');
    expect(entries[0].data).toEqual({
      schemaVersion: 1,
      serviceName: 'checkout',
      customerNeed: 'Shoppers pay for their basket in one step',
      customer: { kind: 'external', name: 'Online shoppers' },
      team: 'payments',
      businessUnit: 'retail',
      valueReview: { everyDays: 90, lastReviewed: '2026-10-01', nextReview: '2026-12-30', reviewer: 'retail-board', status: 'ok', checkedOn: '2026-11-25' },
      tagKeys: { service: 'customer-service', need: 'customer-need', customer: 'customer', team: 'team', businessUnit: 'business-unit' },
      tags: CHECKOUT_TAGS,
      // queue + queue policy in Shop, bucket + bucket policy in ShopData
      resources: { total: 4, taggable: 2, tagged: 2, untaggableByType: { 'AWS::S3::BucketPolicy': 1, 'AWS::SQS::QueuePolicy': 1 } },
      costReporting: expect.objectContaining({ enabled: false, disabledReason: 'tagging tests' }),
      usageMetrics: [expect.objectContaining({ name: 'orders', origin: 'declared', namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', statistic: 'Sum' })],
      constructPath: 'Shop/Checkout',
      stackName: 'Shop',
      includedScopes: ['ShopData'],
      // the value chain: it consumes nothing, nothing of the app consumes it, no allocation declared
      consumes: [],
      consumedBy: [],
    });
    // the included stack says which service it belongs to
    expect(assembly.getStackByName('ShopData').findMetadataByType('customer-value:member').map((e) => e.data))
      .toEqual([{ serviceName: 'checkout', servicePath: 'Shop/Checkout' }]);
  });

  test('the outcome and note of the last value review are recorded, with the retirement date when the outcome is retire', () => {
    // GIVEN
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const checkout = new CustomerService(stack, 'Checkout', {
      ...CHECKOUT,
      valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', outcome: ValueReviewOutcome.IMPROVE, note: 'Halve the cost per order by Q2' },
    });
    new s3.Bucket(checkout, 'Receipts', { enforceSSL: true });
    new CustomerService(stack, 'Wishlist', {
      ...CHECKOUT,
      serviceName: 'wishlist',
      valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', outcome: ValueReviewOutcome.RETIRE, note: 'Nobody uses it' },
    });
    // WHEN
    const records = new CloudAssembly(app.synth().directory).getStackByName('Shop').findMetadataByType('customer-value:service')
      .map((e) => (e.data as any).valueReview);
    // THEN
    expect(records).toEqual([
      expect.objectContaining({ outcome: 'improve', note: 'Halve the cost per order by Q2' }),
      expect.objectContaining({ outcome: 'retire', note: 'Nobody uses it', retireBy: '2026-12-30' }),
    ]);
    expect(records[0].retireBy).toBeUndefined();
  });
});
