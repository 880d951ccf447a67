import { CfnResource, TagManager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ServiceResourceCounts } from './record';

/** What one walk over a service's resources found. */
export interface Inventory {
  readonly counts: ServiceResourceCounts;
  /** One message when resources carry customer-value tags that differ from the declaration; empty otherwise. */
  readonly overrides: string[];
}

/**
 * One walk over the resources under `roots` (a service's subtree and the scopes it included): how many there are,
 * how many can be tagged and carry every `expected` tag, the untaggable ones per type, and the resources whose
 * customer-value tags differ from the declaration (a tag forced at `priority` or above, or an escape hatch).
 */
export function takeInventory(roots: IConstruct[], expected: Record<string, string>, priority: number): Inventory {
  const untaggable: Record<string, number> = {};
  const overridden: string[] = [];
  let total = 0;
  let taggable = 0;
  let tagged = 0;
  const seen = new Set<IConstruct>();
  for (const top of roots) {
    const queue: IConstruct[] = [top];
    while (queue.length > 0) {
      const node = queue.pop()!;
      if (seen.has(node)) {
        continue;
      }
      seen.add(node);
      queue.push(...node.node.children);
      if (!CfnResource.isCfnResource(node) || node.cfnResourceType === 'AWS::CDK::Metadata') {
        continue;
      }
      total++;
      const tm = tagManagerOf(node);
      if (!tm) {
        untaggable[node.cfnResourceType] = (untaggable[node.cfnResourceType] ?? 0) + 1;
        continue;
      }
      taggable++;
      const values = tm.tagValues();
      const wrong = Object.entries(expected).filter(([k, v]) => values[k] !== v);
      if (wrong.length === 0) {
        tagged++;
      } else {
        overridden.push(`${node.node.path} (${wrong.map(([k, v]) => `${k}=${values[k] === undefined ? '<removed>' : JSON.stringify(values[k])} instead of ${JSON.stringify(v)}`).join(', ')})`);
      }
    }
  }
  const overrides = overridden.length === 0 ? [] : [
    `${overridden.length} resource(s) carry customer-value tags that differ from the declaration: ${overridden.slice(0, 5).join('; ')}${overridden.length > 5 ? `; and ${overridden.length - 5} more` : ''}. Tags set with a priority of ${priority} or more (or escape hatches) must not change the customer-value tags: remove them, or declare the resources in the service they belong to`,
  ];
  const byType = Object.fromEntries(Object.entries(untaggable).sort(([a], [b]) => a.localeCompare(b)));
  return { counts: { total, taggable, tagged, untaggableByType: byType }, overrides };
}

/**
 * The tag manager that tags a resource: its own, or that of the L2 whose default child it is (TableV2 tags its
 * AWS::DynamoDB::GlobalTable through the replicas, with a tag manager on the L2).
 */
export function tagManagerOf(resource: CfnResource): TagManager | undefined {
  const own = TagManager.of(resource);
  if (own) {
    return own;
  }
  const parent = resource.node.scope;
  return parent && parent.node.defaultChild === resource ? TagManager.of(parent) : undefined;
}
