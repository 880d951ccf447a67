import { App, Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  Allocation, AllocationMethod, CostReporting, Customer, CustomerService, CustomerServiceProps, ServiceRef,
} from '../src';
import { exampleAppProps, serviceMetadata, testApp, VALID } from './util';
import { findCycles } from '../src/declaration/cycles';

const OFF = CostReporting.disabled('value chain tests');

/** A service of the shop; `name` is its service name. */
function svc(scope: Stack, name: string, props: Partial<CustomerServiceProps> = {}): CustomerService {
  const service = new CustomerService(scope, name, { ...VALID, costReporting: OFF, serviceName: name, ...props });
  // a resource, so that the stack's template is valid
  new sns.Topic(service, 'Events', { enforceSSL: true });
  return service;
}

const NETWORK: Partial<CustomerServiceProps> = {
  customerNeed: 'Service teams run their workloads in a private network',
  customer: Customer.internal('Service teams'),
  team: 'platform',
  businessUnit: 'technology',
};

describe('consumes(): declaring the value chain', () => {
  test('a consumer of the same app, by object and by name: recorded in the metadata with its consumers', () => {
    // GIVEN
    const app = testApp();
    const platform = new Stack(app, 'Platform');
    const shop = new Stack(app, 'Shop');
    const network = svc(platform, 'private-network', { ...NETWORK, costAllocation: Allocation.even() });
    const data = svc(platform, 'data-platform', { ...NETWORK, costAllocation: Allocation.fixed({ 'checkout': 60, 'search': 30, 'data-platform': 10 }) });
    const checkout = svc(shop, 'checkout');
    const search = svc(shop, 'search');

    // WHEN
    data.consumes(network);
    checkout.consumes(network, data);
    search.consumes(ServiceRef.named('data-platform'), ServiceRef.named('private-network'));
    checkout.consumes(network); // twice: no change

    // THEN
    const records = serviceMetadata(app.synth());
    expect(records['/Platform/private-network']).toMatchObject({
      consumes: [], consumedBy: ['data-platform', 'checkout', 'search'], costAllocation: { method: 'even' },
    });
    expect(records['/Platform/data-platform']).toMatchObject({
      consumes: ['private-network'],
      consumedBy: ['checkout', 'search'],
      costAllocation: { method: 'fixed', percentages: { 'checkout': 60, 'search': 30, 'data-platform': 10 } },
    });
    expect(records['/Shop/checkout']).toMatchObject({ consumes: ['private-network', 'data-platform'], consumedBy: [] });
    // no allocation declared: none recorded (proportional, and a provider only if consumed)
    expect(records['/Shop/checkout'].costAllocation).toBeUndefined();
    expect(checkout.consumedServices).toEqual(['private-network', 'data-platform']);
    expect(checkout.costAllocation.method).toBe(AllocationMethod.PROPORTIONAL);
    expect(data.costAllocation.percentages).toEqual({ 'checkout': 60, 'search': 30, 'data-platform': 10 });
    Annotations.fromStack(shop).hasNoWarning('*', Match.stringLikeRegexp('providerNotInApp|shareNotInApp'));
  });

  test('a service of another app, by name: a warning (checked again by the CLI), synthesis goes on', () => {
    // GIVEN
    const app = testApp();
    const shop = new Stack(app, 'Shop');
    const checkout = svc(shop, 'checkout');

    // WHEN
    checkout.consumes(ServiceRef.named('private-network'));

    // THEN
    const records = serviceMetadata(app.synth());
    expect(records['/Shop/checkout'].consumes).toEqual(['private-network']);
    Annotations.fromStack(shop).hasWarning('/Shop/checkout', Match.stringLikeRegexp(
      '^"checkout" consumes "private-network", which no service of this app declares: fine when another app declares it '
      + '\\(the customer-value CLI checks the name across the cloud assemblies it reads with --assembly\\).*'
      + '\\[ack: cdk-customer-value:CustomerService.providerNotInApp\\]'));
  });

  test('the warning is decided when synthesis reaches the service, not by validation: it is there when synthesis skips validation', () => {
    const app = testApp();
    const shop = new Stack(app, 'Shop');
    svc(shop, 'checkout').consumes(ServiceRef.named('private-network'));
    const messages = app.synth({ skipValidation: true }).getStackByName('Shop').messages;
    expect(messages.filter((m) => m.level === 'warning' && /providerNotInApp/.test(String(m.entry.data))).map((m) => m.id)).toEqual(['/Shop/checkout']);
  });

  test('a fixed share for a service of another app: a warning', () => {
    const app = testApp();
    const platform = new Stack(app, 'Platform');
    svc(platform, 'private-network', { ...NETWORK, costAllocation: Allocation.fixed({ checkout: 60, search: 40 }) });
    app.synth();
    Annotations.fromStack(platform).hasWarning('/Platform/private-network', Match.stringLikeRegexp(
      '^costAllocation of "private-network" gives 60 % to "checkout", which no service of this app declares.*shareNotInApp'));
    Annotations.fromStack(platform).hasWarning('/Platform/private-network', Match.stringLikeRegexp('gives 40 % to "search"'));
  });

  test('a misspelt name in consumes() or a fixed share: the warning names the nearest service the app declares', () => {
    // GIVEN the data platform and checkout of one app
    const app = testApp();
    const shop = new Stack(app, 'Shop');
    const checkout = svc(shop, 'checkout');
    svc(shop, 'data-platform', { ...NETWORK, customer: Customer.internal('Product teams'), costAllocation: Allocation.fixed({ chekout: 100 }) });

    // WHEN
    checkout.consumes(ServiceRef.named('data-platfrom'), ServiceRef.named('identity'));

    // THEN
    Annotations.fromStack(shop).hasWarning('/Shop/checkout', Match.stringLikeRegexp(
      '^"checkout" consumes "data-platfrom", which no service of this app declares: did you mean "data-platform"\\? fine when another app declares it'));
    Annotations.fromStack(shop).hasWarning('/Shop/data-platform', Match.stringLikeRegexp(
      '^costAllocation of "data-platform" gives 100 % to "chekout", which no service of this app declares: did you mean "checkout"\\? fine when'));
    // and a name nothing resembles gets no suggestion
    Annotations.fromStack(shop).hasWarning('/Shop/checkout', Match.stringLikeRegexp('consumes "identity", which no service of this app declares: fine when'));
  });

  test('a service that also serves its own need names itself in a fixed allocation', () => {
    const app = testApp();
    const shop = new Stack(app, 'Shop');
    const search = svc(shop, 'search', { costAllocation: Allocation.fixed({ search: 70, checkout: 30 }) });
    svc(shop, 'checkout').consumes(search);
    expect(search.node.validate()).toEqual([]);
    expect(serviceMetadata(app.synth())['/Shop/search'].costAllocation).toEqual({ method: 'fixed', percentages: { search: 70, checkout: 30 } });
  });

  test('a name declared outside the stage (a pipeline-level service) is no warning', () => {
    const app = testApp();
    svc(new Stack(app, 'Delivery'), 'delivery-platform', { ...NETWORK, costAllocation: Allocation.even() });
    const stage = new Stage(app, 'Prod');
    const shop = new Stack(stage, 'Shop');
    svc(shop, 'checkout').consumes(ServiceRef.named('delivery-platform'));
    const records = serviceMetadata(app.synth());
    expect(records['/Prod/Shop/checkout'].consumes).toEqual(['delivery-platform']);
    Annotations.fromStack(shop).hasNoWarning('*', Match.stringLikeRegexp('providerNotInApp'));
  });

  test('the same name in two stages resolves within each stage', () => {
    const app = testApp();
    for (const name of ['Beta', 'Prod']) {
      const stage = new Stage(app, name);
      const stack = new Stack(stage, 'Shop');
      const network = svc(stack, 'private-network', NETWORK);
      svc(stack, 'checkout').consumes(network);
    }
    const records = serviceMetadata(app.synth());
    expect(records['/Beta/Shop/private-network'].consumedBy).toEqual(['checkout']);
    expect(records['/Prod/Shop/private-network'].consumedBy).toEqual(['checkout']);
  });
});

describe('consumes() and costAllocation: refused at synth with the path, the field, the value and the fix', () => {
  test('consuming itself, by object and by name', () => {
    const app = testApp();
    const checkout = svc(new Stack(app, 'Shop'), 'checkout');
    checkout.consumes(checkout);
    checkout.consumes(ServiceRef.named('checkout'));
    expect(checkout.node.validate()).toEqual([
      'consumes() got this service itself: a service cannot consume itself; pass a CustomerService of this app (checkout.consumes(network)), '
      + 'or ServiceRef.named("private-network") for a service of another app',
      'consumes(ServiceRef.named("checkout")) names this service itself: a service cannot consume itself; pass a CustomerService of this app '
      + '(checkout.consumes(network)), or ServiceRef.named("private-network") for a service of another app',
    ]);
  });

  test('a cycle within the app is named once, on its first service, through objects and names', () => {
    // GIVEN checkout -> search -> reco -> checkout, and wishlist -> search (not in the cycle)
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const checkout = svc(stack, 'checkout');
    const search = svc(stack, 'search');
    const reco = svc(stack, 'reco');
    const wishlist = svc(stack, 'wishlist');
    checkout.consumes(search);
    search.consumes(ServiceRef.named('reco'));
    reco.consumes(checkout);
    wishlist.consumes(search);

    // THEN
    expect(checkout.node.validate()).toEqual([
      'consumes "search", which closes a cycle of consumption: checkout → search → reco → checkout. A service cannot (even through others) '
      + 'consume itself: its cost would be passed on around the cycle for ever; remove one of these consumes() calls',
    ]);
    expect(search.node.validate()).toEqual([]);
    expect(reco.node.validate()).toEqual([]);
    expect(wishlist.node.validate()).toEqual([]);
    expect(() => app.synth()).toThrow(/\[Shop\/checkout\] consumes "search", which closes a cycle of consumption: checkout → search → reco → checkout/);
  });

  test('two services consuming each other', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const a = svc(stack, 'checkout');
    const b = svc(stack, 'search');
    a.consumes(b);
    b.consumes(a);
    expect(a.node.validate()).toEqual([expect.stringMatching(/^consumes "search", which closes a cycle of consumption: checkout → search → checkout\./)]);
    expect(b.node.validate()).toEqual([]);
  });

  test('unresolved tokens: a provider name, a share\'s name, a percentage', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const checkout = svc(stack, 'checkout', { costAllocation: Allocation.fixed({ search: Token.asNumber(Lazy.number({ produce: () => 100 })) }) });
    checkout.consumes(ServiceRef.named(Lazy.string({ produce: () => 'network' })));
    const messages = checkout.node.validate();
    expect(messages).toContainEqual(expect.stringMatching(/^costAllocation share of "search" is an unresolved token: declarations must be known at synth; give a literal percentage$/));
    expect(messages).toContainEqual(expect.stringMatching(/^consumes\(\): the service name is an unresolved token \(\$\{Token\[TOKEN\.\d+\]\}\): declarations must be known at synth/));
  });

  test.each([
    ['percentages that do not add up to 100', Allocation.fixed({ checkout: 60, search: 30 }),
      'costAllocation percentages add up to 90 (checkout 60 + search 30), not 100: the whole cost is shared, so make them add up to 100'],
    ['a zero share', Allocation.fixed({ checkout: 100, search: 0 }),
      'costAllocation share of "search" is 0: a percentage is greater than 0 and at most 100; leave a service without a share out'],
    ['a negative share', Allocation.fixed({ checkout: 100, search: -10 }), 'costAllocation share of "search" is -10: a percentage is greater than 0'],
    ['a share that is not a number', Allocation.fixed({ checkout: '100' as any }),
      'costAllocation share of "checkout" is "100": give a percentage, a number greater than 0 and at most 100'],
    ['no shares', Allocation.fixed({}), 'costAllocation is Allocation.fixed({}): name at least one service and its percentage'],
    ['a name that is not a service name', Allocation.fixed({ 'Check out!': 100 }),
      'costAllocation names "Check out!", which is not a service name (1-50 ASCII letters, digits, _ and -, starting with a letter or digit)'],
    ['a plain object', { method: 'fixed', percentages: { checkout: 100 } },
      'costAllocation is an object ({"method":"fixed","percentages":{"checkout":100}}): pass Allocation.proportional(), Allocation.even() or Allocation.fixed'],
  ])('costAllocation: %s', (_, allocation, message) => {
    const app = testApp();
    const network = svc(new Stack(app, 'Platform'), 'private-network', { ...NETWORK, costAllocation: allocation as Allocation });
    expect(network.node.validate()).toEqual([expect.stringContaining(message)]);
  });

  test('a fixed share for a service of the app that does not consume the provider', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const network = svc(stack, 'private-network', { ...NETWORK, costAllocation: Allocation.fixed({ checkout: 60, wishlist: 40 }) });
    svc(stack, 'checkout').consumes(network);
    svc(stack, 'wishlist');
    expect(network.node.validate()).toEqual([
      'costAllocation gives 40 % to "wishlist", which does not consume "private-network" (its consumers: checkout): a share goes to a consumer, '
      + 'or to "private-network" itself for its own need; declare wishlist.consumes(...) or remove the share',
    ]);
  });

  test('bad arguments to consumes(): not a service, another app, another stage, a bad name', () => {
    const app = testApp();
    const checkout = svc(new Stack(app, 'Shop'), 'checkout');
    const otherApp = new App();
    const foreign = svc(new Stack(otherApp, 'Platform'), 'private-network', NETWORK);
    const stage = new Stage(app, 'Beta');
    const staged = svc(new Stack(stage, 'Platform'), 'data-platform', NETWORK);
    checkout.consumes('private-network' as any, foreign, staged, ServiceRef.named('TBD'), ServiceRef.named('private network'));
    expect(checkout.node.validate()).toEqual([
      'consumes() got "private-network": pass a CustomerService of this app (checkout.consumes(network)), or ServiceRef.named("private-network") '
      + 'for a service of another app',
      'consumes(Platform/private-network): that service is declared in another app; refer to it by name with ServiceRef.named("private-network")',
      'consumes(Beta/Platform/data-platform): that service is declared in another stage; consume the service of this stage '
      + '(ServiceRef.named("data-platform") resolves to it)',
      'consumes(): the service name is "TBD": a placeholder; name the service this one consumes, as its service tag value (e.g. "private-network")',
      expect.stringMatching(/^consumes\(\): the service name is "private network": it names the service's tag value.*" " is not allowed$/),
    ]);
    expect(checkout.consumedServices).toEqual([]);
  });

  test('every problem is reported at once, with the declaration\'s own', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const checkout = svc(stack, 'checkout', { team: 'TBD', costAllocation: Allocation.fixed({ search: 50 }) });
    checkout.consumes(checkout);
    const thrower = () => app.synth();
    expect(thrower).toThrow(/\[Shop\/checkout\] team is "TBD": a placeholder/);
    expect(thrower).toThrow(/\[Shop\/checkout\] costAllocation percentages add up to 50 \(search 50\), not 100/);
    expect(thrower).toThrow(/\[Shop\/checkout\] consumes\(\) got this service itself/);
  });
});

describe('findCycles (shared by the construct and the CLI)', () => {
  const graph = (edges: Record<string, string[]>) => (n: string) => edges[n] ?? [];

  test('an acyclic graph has none; edges to unknown nodes are ignored', () => {
    expect(findCycles(['a', 'b', 'c'], graph({ a: ['b', 'x'], b: ['c'], c: [] }))).toEqual([]);
  });

  test('one closed path per cycle, from its first node in the given order, shortest way back', () => {
    const edges = graph({ a: ['b'], b: ['c', 'a'], c: ['a'], d: ['e'], e: ['d'], f: ['f'] });
    expect(findCycles(['a', 'b', 'c', 'd', 'e', 'f'], edges)).toEqual([['a', 'b', 'a'], ['d', 'e', 'd'], ['f', 'f']]);
    expect(findCycles(['c', 'b', 'a'], edges)).toEqual([['c', 'a', 'b', 'c']]);
  });

  test('a long chain is walked without recursion', () => {
    const n = 20_000;
    const nodes = Array.from({ length: n }, (_, i) => `s${i}`);
    const edges = (x: string) => {
      const i = Number(x.slice(1));
      return i + 1 < n ? [`s${i + 1}`] : ['s0'];
    };
    const [cycle] = findCycles(nodes, edges);
    expect(cycle).toHaveLength(n + 1);
    expect(cycle[0]).toBe('s0');
    expect(cycle[n]).toBe('s0');
  });
});

describe('the online-shop example declares a value chain', () => {
  test('network -> data platform -> checkout and product search, recorded in the metadata', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createApp } = require('../examples/online-shop') as typeof import('../examples/online-shop');
    const app = createApp(exampleAppProps());
    const records = Object.values(serviceMetadata(app.synth()));
    const byName = Object.fromEntries(records.map((r) => [r.serviceName, r]));
    expect(byName['private-network']).toMatchObject({ consumes: [], consumedBy: ['data-platform', 'checkout'] });
    expect(byName['data-platform']).toMatchObject({
      consumes: ['private-network'],
      consumedBy: ['checkout', 'product-search'],
      costAllocation: { method: 'fixed', percentages: { 'checkout': 60, 'product-search': 40 } },
    });
    expect(byName.checkout.consumes).toEqual(['private-network', 'data-platform']);
    expect(byName['product-search'].consumes).toEqual(['data-platform']);
  });
});
