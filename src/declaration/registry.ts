import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { describeCycle, findCycles } from './cycles';
import { fixedShareProblems } from './value-chain-rules';
import type { ICustomerService } from '../customer-service-base';

/**
 * The services of an app: which construct belongs to which service (through its subtree or `include()`), every
 * service under a scope, and the app-wide rules between services (unique names per stage, no nesting, one
 * service per resource, the consumption graph of each stage: no cycle, fixed shares to consumers).
 */

interface AppRegistry {
  readonly services: ICustomerService[];
  /** Services by name, built on first use after the last declaration (the duplicate-name check stays linear). */
  byName?: Map<string, ICustomerService[]>;
}

const APPS = new WeakMap<IConstruct, AppRegistry>();
const INCLUDED = new WeakMap<IConstruct, ICustomerService>();
const SERVICE_SYMBOL = Symbol.for('cdk-customer-value.CustomerService');
/** Bumped when a service is declared or changes what it consumes: the cached consumption graphs are then stale. */
let chainVersion = 0;

/** Marks `service` as a customer service (also recognised across copies of this library) and registers it. */
export function registerService(service: ICustomerService): void {
  Object.defineProperty(service, SERVICE_SYMBOL, { value: true });
  const root = service.node.root;
  let registry = APPS.get(root);
  if (!registry) {
    registry = { services: [] };
    APPS.set(root, registry);
  }
  registry.services.push(service);
  registry.byName = undefined;
  chainVersion++;
}

/** Whether `x` is a customer service. */
export function isService(x: unknown): x is ICustomerService {
  return x !== null && typeof x === 'object' && SERVICE_SYMBOL in (x as object);
}

/** The service a construct belongs to (as a descendant, or through `include()`), or undefined. */
export function serviceOf(construct: IConstruct): ICustomerService | undefined {
  let node: IConstruct | undefined = construct;
  while (node) {
    if (isService(node)) {
      return node;
    }
    const included = INCLUDED.get(node);
    if (included) {
      return included;
    }
    node = node.node.scope;
  }
  return undefined;
}

/** Every service declared under `scope`, in declaration order. */
export function servicesUnder(scope: IConstruct): ICustomerService[] {
  const registry = APPS.get(scope.node.root);
  if (!registry) {
    return [];
  }
  if (scope.node.root === scope) {
    return [...registry.services];
  }
  const prefix = `${scope.node.path}/`;
  return registry.services.filter((s) => s.node.path.startsWith(prefix));
}

/** Records that `scope` was made part of `service`. */
export function recordInclude(service: ICustomerService, scope: IConstruct): void {
  INCLUDED.set(scope, service);
}

/** The service `service` is nested in (directly or through `include()`), as a problem; undefined when none. */
export function nestingProblem(service: ICustomerService): string | undefined {
  const scopes = service.node.scopes;
  for (let i = scopes.length - 2; i >= 0; i--) {
    const outer = scopes[i];
    const owner = isService(outer) ? outer : INCLUDED.get(outer);
    if (owner) {
      return `this service is nested inside the customer service ${owner.node.path}${owner === outer ? '' : ` (through include(${outer.node.path}))`}: a resource belongs to exactly one service; declare services side by side`;
    }
  }
  return undefined;
}

/** Why `scope` cannot be included into `service`, or undefined. */
export function includeProblem(service: ICustomerService, scope: IConstruct): string | undefined {
  const path = scope.node.path || '<app>';
  if (service.node.scopes.includes(scope)) {
    return `include(${path}) would cover this service itself and everything around it: include the scope that holds the service's other resources, such as its other stack`;
  }
  const owner = serviceOf(scope);
  if (owner) {
    return `include(${path}): that scope already belongs to the customer service ${owner.node.path}; a resource belongs to exactly one service`;
  }
  return coveredServicesProblem(service, scope)
    ?? ((Stage.of(scope) ?? scope.node.root) !== stageOf(service)
      ? `include(${path}): that scope is in another stage than the service; declare the service in each stage instead`
      : undefined);
}

/** An included scope that holds another service, as a problem (checked again at synth: services can come later). */
export function coveredServicesProblem(service: ICustomerService, scope: IConstruct): string | undefined {
  const inner = servicesUnder(scope).filter((s) => s !== service);
  return inner.length === 0 ? undefined
    : `include(${scope.node.path || '<app>'}) covers the customer service ${inner.map((s) => s.node.path).join(', ')}: a resource belongs to exactly one service; include a narrower scope`;
}

/** Another service of the same stage with the same name, as a problem. */
export function duplicateNameProblem(service: ICustomerService): string | undefined {
  const registry = APPS.get(service.node.root);
  if (!registry || !service.serviceName) {
    return undefined;
  }
  if (!registry.byName) {
    registry.byName = new Map();
    for (const s of registry.services) {
      registry.byName.set(s.serviceName, [...(registry.byName.get(s.serviceName) ?? []), s]);
    }
  }
  const stage = stageOf(service);
  const others = (registry.byName.get(service.serviceName) ?? []).filter((s) => s !== service && stageOf(s) === stage);
  return others.length === 0 ? undefined
    : `serviceName is "${service.serviceName}", already declared by ${others.map((o) => o.node.path).join(', ')}: service names are unique within an app (they key the cost tag, budgets, dashboards and reports); choose another serviceName`;
}

function stageOf(construct: IConstruct): IConstruct {
  return Stage.of(construct) ?? construct.node.root;
}

/** What a service declares about the value chain: the services it consumes (by name), and its cost allocation. */
export interface ValueChainEntry {
  /** Names of the services it consumes, in the order declared. */
  readonly consumes: readonly string[];
  /** The allocation's percentages, when it declared a fixed allocation. */
  readonly fixedShares?: Readonly<Record<string, number>>;
}

const CHAINS = new WeakMap<ICustomerService, () => ValueChainEntry>();

/** Registers how to read what `service` declares about the value chain (read when the app is validated). */
export function recordValueChain(service: ICustomerService, entry: () => ValueChainEntry): void {
  CHAINS.set(service, entry);
  chainVersion++;
}

/** Tells the registry that a service changed what it consumes. */
export function valueChainChanged(): void {
  chainVersion++;
}

/** The consumption graph of one stage: services by name, consumers per provider, cycles. */
interface StageGraph {
  readonly version: number;
  readonly byName: Map<string, ICustomerService>;
  readonly consumers: Map<string, string[]>;
  /** The cycle each service closes, when it is the first service of a cycle (in declaration order). */
  readonly cycles: Map<ICustomerService, string[]>;
  /** The service names the app declares, this stage's first: built once per graph, not once per service (N services, N names each). */
  readonly declaredNames: ReadonlySet<string>;
}

const GRAPHS = new WeakMap<IConstruct, StageGraph>();

function stageGraph(service: ICustomerService): StageGraph {
  const stage = stageOf(service);
  const version = chainVersion;
  const cached = GRAPHS.get(stage);
  if (cached && cached.version === version) {
    return cached;
  }
  const services = (APPS.get(service.node.root)?.services ?? []).filter((s) => stageOf(s) === stage);
  const byName = new Map<string, ICustomerService>();
  for (const s of services) {
    if (typeof s.serviceName === 'string' && !byName.has(s.serviceName)) {
      byName.set(s.serviceName, s);
    }
  }
  const edges = new Map<string, readonly string[]>();
  const consumers = new Map<string, string[]>();
  for (const [name, s] of byName) {
    const consumes = CHAINS.get(s)?.().consumes ?? [];
    edges.set(name, consumes);
    for (const provider of consumes) {
      consumers.set(provider, [...(consumers.get(provider) ?? []), name]);
    }
  }
  const cycles = new Map<ICustomerService, string[]>();
  for (const cycle of findCycles([...byName.keys()], (n) => edges.get(n) ?? [])) {
    cycles.set(byName.get(cycle[0])!, cycle);
  }
  const declaredNames = new Set([...byName.keys(), ...(APPS.get(service.node.root)?.services ?? []).map((s) => s.serviceName)]);
  const graph = { version, byName, consumers, cycles, declaredNames };
  GRAPHS.set(stage, graph);
  return graph;
}

/** The value-chain findings of one service, once the app is complete. */
export interface ValueChainFindings {
  /** Problems that refuse synthesis. */
  readonly problems: string[];
  /** Names it consumes that no service of its app declares (they may live in another app). */
  readonly unknownProviders: string[];
  /** Names its fixed allocation gives a share to that no service of its app declares. */
  readonly unknownShareholders: string[];
  /** The service names the app declares (this stage's and the app's), for "did you mean" suggestions. */
  readonly declaredNames: string[];
  /** The services of its stage that consume it. */
  readonly consumers: string[];
}

/** Checks what `service` declares about the value chain against the other services of its stage. */
export function valueChainFindings(service: ICustomerService): ValueChainFindings {
  const entry = CHAINS.get(service)?.();
  const graph = stageGraph(service);
  const consumers = graph.consumers.get(service.serviceName) ?? [];
  if (!entry) {
    return { problems: [], unknownProviders: [], unknownShareholders: [], declaredNames: [], consumers };
  }
  const problems: string[] = [];
  const cycle = graph.cycles.get(service);
  if (cycle) {
    problems.push(`consumes ${JSON.stringify(cycle[1])}, which closes a cycle of consumption: ${describeCycle(cycle)}. A service cannot `
      + '(even through others) consume itself: its cost would be passed on around the cycle for ever; remove one of these consumes() calls');
  }
  const declared = (name: string) => graph.byName.has(name);
  if (entry.fixedShares) {
    problems.push(...fixedShareProblems('costAllocation', service.serviceName, entry.fixedShares, consumers, declared));
  }
  // a name declared in another stage of the app (e.g. a pipeline-level service consumed from a stage) is known
  const inApp = (name: string) => graph.declaredNames.has(name);
  return {
    problems,
    unknownProviders: entry.consumes.filter((n) => !inApp(n)),
    unknownShareholders: Object.keys(entry.fixedShares ?? {}).filter((n) => n !== service.serviceName && !inApp(n)),
    get declaredNames() {
      return [...graph.declaredNames];
    },
    consumers,
  };
}
