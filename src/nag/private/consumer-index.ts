import { CfnResource, Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CustomerService } from '../../customer-service';
import { sharedPurpose } from '../../private/shared-marker';

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
