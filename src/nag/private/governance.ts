import { CfnResource, Stack, Stage, TagManager, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CustomerService } from '../../customer-service';
import { sharedOwner, sharedPurpose } from '../../private/shared-marker';

/** The pack name: rule ids are `CustomerValue-<Rule>`. */
export const PACK_NAME = 'CustomerValue';

const METADATA_TYPE = 'AWS::CDK::Metadata';

/**
 * Resources the membership rules never judge: the CDK's own metadata resource, and constructs this library
 * creates to serve several services at once (marked shared, e.g. the one cost publisher per stack) that belong to no
 * service. A shared construct created inside a customer service, or given an owner (the billing constructs), is judged
 * like any resource: it must carry the tags of that service.
 */
export function isExempt(node: CfnResource): boolean {
  return node.cfnResourceType === METADATA_TYPE
    || (sharedPurpose(node) !== undefined && CustomerService.of(node) === undefined && sharedOwner(node) === undefined);
}

/** The customer-value tags a resource must carry, and whose they are (for messages). */
export interface ExpectedTags {
  readonly tags: Record<string, string>;
  /** `the customer service "checkout" (Shop/Checkout)`, `the customer service "finops-reporting" (declared owner of Billing/Cur)`. */
  readonly owner: string;
}

/**
 * The tags `node` must carry: those of the customer service it belongs to, or, for a shared construct of this
 * library declared with an owner (a service of another app), the owner's. Undefined for a resource of no service.
 */
export function expectedTagsOf(node: IConstruct): ExpectedTags | undefined {
  const service = CustomerService.of(node);
  if (service) {
    // a resource type the service leaves untagged on purpose (excludeResourceTypes) expects no tags
    if (CfnResource.isCfnResource(node) && service.excludedResourceTypes.includes(node.cfnResourceType)) {
      return undefined;
    }
    return { tags: service.tagValues, owner: `the customer service ${describeService(service)}` };
  }
  const owner = sharedOwner(node);
  if (owner) {
    const shared = node.node.scopes.find((s) => (s.node.metadata ?? []).some((m) => m.type === 'customer-value:shared'));
    return { tags: owner.tags, owner: `the customer service "${owner.serviceName}" (declared owner of ${shared?.node.path ?? node.node.path})` };
  }
  return undefined;
}

/**
 * The resource a service-level finding is reported on: the first CloudFormation resource of the service,
 * in construct-tree order (the order cdk-nag walks), from its own subtree first and then from the scopes
 * it `include()`d. Undefined for a service with no resource at all.
 */
export function anchorOf(service: CustomerService): CfnResource | undefined {
  for (const top of [service, ...service.includedScopes]) {
    const found = firstResource(top);
    if (found) {
      return found;
    }
  }
  return undefined;
}

function firstResource(scope: IConstruct): CfnResource | undefined {
  if (CfnResource.isCfnResource(scope) && !isExempt(scope)) {
    return scope;
  }
  for (const child of scope.node.children) {
    const found = firstResource(child);
    if (found) {
      return found;
    }
  }
  return undefined;
}

/**
 * The service whose service-level rules are evaluated on `node`: the service `node` belongs to, when `node`
 * is that service's anchor resource and the rule is not acknowledged on the service itself.
 *
 * cdk-nag honours acknowledgements on the resource and its ancestors; the anchor is normally inside the
 * service, so `Validations.of(service).acknowledge(...)` covers it. When the service holds no resource
 * in its own subtree and the anchor comes from an included scope, the acknowledgement on the service is
 * read here.
 */
export function anchoredService(node: CfnResource, ruleName: string): CustomerService | undefined {
  if (isExempt(node)) {
    return undefined;
  }
  const service = CustomerService.of(node);
  if (!service || anchorOf(service) !== node) {
    return undefined;
  }
  if (!node.node.scopes.includes(service) && isAcknowledged(service, `${PACK_NAME}-${ruleName}`)) {
    return undefined;
  }
  return service;
}

/** Whether `ruleId` is acknowledged on `construct` or one of its ancestors (`Validations.acknowledge`). */
export function isAcknowledged(construct: IConstruct, ruleId: string): boolean {
  for (const scope of construct.node.scopes) {
    for (const entry of scope.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) {
        continue;
      }
      for (const key of Object.keys(entry.data)) {
        const id = key.replace(/^(annotation|CustomerValue)::/i, '');
        if (id === ruleId) {
          return true;
        }
      }
    }
  }
  return false;
}

/** One customer-value tag that a resource does not carry as declared. */
export interface TagProblem {
  readonly key: string;
  readonly expected: string;
  /** The value found; undefined when the tag is absent. */
  readonly actual?: string;
}

/**
 * The tags a taggable resource ends up with in its CloudFormation template: the tags its TagManager
 * rendered (after the `Tags.of()` aspects ran) with escape-hatch overrides applied
 * (`addPropertyOverride('Tags', ...)`, `addPropertyDeletionOverride('Tags')`). Undefined for resources
 * CDK cannot tag. Values that are not plain strings (tokens, intrinsics) are rendered as JSON.
 */
export function finalTags(node: CfnResource): Record<string, string> | undefined {
  const tm = TagManager.of(node);
  if (!tm) {
    return undefined;
  }
  // Without any escape hatch on the resource, the template's tags are what the tag manager renders: resolving
  // only them is much cheaper than rendering the whole resource (this runs for every resource of the app).
  // `rawOverrides` is where CfnResource keeps addOverride/addPropertyOverride/addPropertyDeletionOverride; when it
  // is absent (another aws-cdk-lib layout) or holds anything, the resource is rendered as CloudFormation sees it.
  const overrides = (node as unknown as { rawOverrides?: object }).rawOverrides;
  if (overrides !== undefined && overrides !== null && Object.keys(overrides).length === 0) {
    try {
      return parseTags(Stack.of(node).resolve(tm.renderTags()));
    } catch {
      // fall through to the full rendering
    }
  }
  const property = tm.tagPropertyName.charAt(0).toUpperCase() + tm.tagPropertyName.slice(1);
  let rendered: unknown;
  try {
    const cfn = Stack.of(node).resolve((node as any)._toCloudFormation());
    const resource = Object.values(cfn?.Resources ?? {})[0] as { Properties?: Record<string, unknown> } | undefined;
    rendered = resource?.Properties?.[property];
  } catch {
    // A template that cannot be rendered on its own: fall back to what the tag manager holds.
    return tm.tagValues();
  }
  return parseTags(rendered);
}

function parseTags(rendered: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (Array.isArray(rendered)) {
    for (const item of rendered) {
      if (item && typeof item === 'object') {
        const key = (item as any).Key ?? (item as any).key;
        const value = (item as any).Value ?? (item as any).value;
        if (typeof key === 'string') {
          out[key] = text(value);
        }
      }
    }
  } else if (rendered && typeof rendered === 'object') {
    for (const [key, value] of Object.entries(rendered)) {
      out[key] = text(value);
    }
  }
  return out;
}

/**
 * The customer-value tags `node` does not carry with the declared value, in the order of `expected`.
 * @param actual the resource's `finalTags`, when the caller has them already
 */
export function tagProblems(node: CfnResource, expected: Record<string, string>, actual = finalTags(node)): TagProblem[] {
  if (!actual) {
    return [];
  }
  return Object.entries(expected)
    .filter(([key, value]) => actual[key] !== value)
    .map(([key, value]) => ({ key, expected: value, actual: actual[key] }));
}

/** `team is "x" instead of "payments"`, `customer-service is missing`. */
export function describeTagProblems(problems: TagProblem[]): string {
  return problems.map((p) => p.actual === undefined
    ? `${p.key} is missing (expected ${JSON.stringify(p.expected)})`
    : `${p.key} is ${JSON.stringify(p.actual)} instead of ${JSON.stringify(p.expected)}`).join(', ');
}

/** `"checkout" (Shop/Checkout)`. */
export function describeService(service: CustomerService): string {
  return `"${service.serviceName}" (${service.node.path})`;
}

/**
 * Construct ids of the singletons aws-cdk-lib creates once per stack for resources declared elsewhere
 * (exact ids or prefixes), with what creates them.
 */
const SINGLETONS: Array<{ readonly id: RegExp; readonly what: string }> = [
  { id: /^LogRetention[0-9a-f]{32}$/, what: 'the log-retention function aws-cdk-lib creates for `logRetention` props' },
  { id: /^AWS679f53fac002430cb0da5b7982bd2287$/, what: 'the function behind every AwsCustomResource of the stack' },
  { id: /^BucketNotificationsHandler[0-9a-f]{32}$/, what: 'the handler aws-cdk-lib creates for S3 bucket notifications' },
  { id: /^Custom::.*Provider$/, what: 'a custom-resource provider aws-cdk-lib creates once per stack' },
  { id: /^CustomCDKBucketDeployment/, what: 'the function behind BucketDeployment' },
  { id: /^SingletonLambda/, what: 'a singleton function' },
];

/** The CloudFormation resources under `scope` (itself included), in construct-tree order. */
export function resourcesUnder(scope: IConstruct): CfnResource[] {
  return scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
}

/** What creates the stack-level singleton `node` is part of, and that singleton's construct, if it is one. */
export function singletonOf(node: IConstruct): { construct: IConstruct; what: string } | undefined {
  const scopes = node.node.scopes;
  const stackIndex = findLastIndex(scopes, (s) => Stack.isStack(s));
  const top = scopes[stackIndex + 1];
  if (stackIndex < 0 || !top) {
    return undefined;
  }
  const match = SINGLETONS.find((s) => s.id.test(top.node.id));
  return match ? { construct: top, what: match.what } : undefined;
}

function findLastIndex<T>(list: T[], predicate: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) {
    if (predicate(list[i])) {
      return i;
    }
  }
  return -1;
}

/**
 * Answers "which services use this resource?" by following `Ref` / `Fn::GetAtt` in the resolved templates,
 * transitively through other resources outside any service (a singleton's role is used by the singleton's
 * function, which is used by a custom resource inside a service). Built once per stack and validation run.
 */
export class ConsumerIndex {
  /** Per stack: logical id -> the resources that reference it. */
  private readonly stacks = new Map<Stack, Map<string, CfnResource[]>>();

  /**
   * The services (and shared constructs, by purpose) that use `nodes` (resources of one stack), directly or
   * through resources outside any service.
   */
  public consumersOf(nodes: CfnResource[]): { services: CustomerService[]; shared: string[] } {
    if (nodes.length === 0) {
      return { services: [], shared: [] };
    }
    const referrers = this.referrersIn(Stack.of(nodes[0]));
    const services = new Set<CustomerService>();
    const shared = new Set<string>();
    const seen = new Set<string>();
    const queue = nodes.map(logicalIdOf);
    while (queue.length > 0) {
      const target = queue.pop()!;
      if (seen.has(target)) {
        continue;
      }
      seen.add(target);
      for (const referrer of referrers.get(target) ?? []) {
        const owner = CustomerService.of(referrer);
        const purpose = sharedPurpose(referrer);
        if (owner) {
          services.add(owner);
        } else if (purpose) {
          shared.add(purpose);
        } else {
          queue.push(logicalIdOf(referrer));
        }
      }
    }
    return { services: [...services], shared: [...shared] };
  }

  private referrersIn(stack: Stack): Map<string, CfnResource[]> {
    let index = this.stacks.get(stack);
    if (index) {
      return index;
    }
    const built = new Map<string, CfnResource[]>();
    const visit = (c: IConstruct) => {
      if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) {
        const refs = new Set<string>();
        try {
          collectRefs(stack.resolve((c as any)._toCloudFormation()), refs);
        } catch {
          // unresolvable on its own: no references recorded
        }
        refs.delete(logicalIdOf(c));
        for (const target of refs) {
          built.set(target, [...(built.get(target) ?? []), c]);
        }
      }
      for (const child of c.node.children) {
        if (!Stage.isStage(child)) {
          visit(child);
        }
      }
    };
    visit(stack);
    this.stacks.set(stack, built);
    index = built;
    return index;
  }
}

function logicalIdOf(node: CfnResource): string {
  const id = Stack.of(node).resolve(node.logicalId);
  return typeof id === 'string' && !Token.isUnresolved(id) ? id : node.node.path;
}

function collectRefs(value: unknown, refs: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach((v) => collectRefs(v, refs));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') {
        refs.add(v);
      } else if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') {
        refs.add(v[0]);
      } else if (k === 'Fn::GetAtt' && typeof v === 'string') {
        refs.add(v.split('.')[0]);
      }
      collectRefs(v, refs);
    }
  }
}
