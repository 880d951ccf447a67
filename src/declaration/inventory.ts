import { CfnResource, TagManager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ServiceResourceCounts } from './record';
import { CREATE_ONLY_TAG_TYPES } from '../private/create-only-tag-types';

/** What one walk over a service's resources found. */
export interface Inventory {
  readonly counts: ServiceResourceCounts;
  /** One message when resources carry customer-value tags that differ from the declaration; empty otherwise. */
  readonly overrides: string[];
  /** Tagged resources whose tags are create-only: a change of the service's tags replaces them. */
  readonly createOnly: CfnResource[];
}

/**
 * One walk over the resources under `roots` (a service's subtree and the scopes it included): how many there are,
 * how many can be tagged and carry every `expected` tag, the untaggable and the `excluded` ones per type, the
 * tagged ones whose tags are create-only, and the resources whose customer-value tags differ from the declaration
 * (a tag forced at `priority` or above, or an escape hatch).
 */
export function takeInventory(roots: IConstruct[], expected: Record<string, string>, priority: number, excluded: readonly string[] = []): Inventory {
  const untaggable: Record<string, number> = {};
  const excludedByType: Record<string, number> = {};
  const createOnlyByType: Record<string, number> = {};
  const createOnly: CfnResource[] = [];
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
      const type = node.cfnResourceType;
      if (!tm) {
        untaggable[type] = (untaggable[type] ?? 0) + 1;
        continue;
      }
      if (excluded.includes(type)) {
        excludedByType[type] = (excludedByType[type] ?? 0) + 1;
        continue;
      }
      taggable++;
      if (CREATE_ONLY_TAG_TYPES.has(type)) {
        createOnly.push(node);
        createOnlyByType[type] = (createOnlyByType[type] ?? 0) + 1;
      }
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
  return {
    counts: {
      total,
      taggable,
      tagged,
      untaggableByType: sorted(untaggable),
      ...(Object.keys(excludedByType).length > 0 ? { excludedByType: sorted(excludedByType) } : {}),
      ...(Object.keys(createOnlyByType).length > 0 ? { createOnlyTagsByType: sorted(createOnlyByType) } : {}),
    },
    overrides,
    createOnly,
  };
}

function sorted(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
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
