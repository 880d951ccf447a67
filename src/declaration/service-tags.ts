import { AspectPriority, Aspects, CfnResource, FeatureFlags, IAspect, Tag } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { tagManagerOf } from './inventory';
import { CREATE_ONLY_TAG_TYPES } from '../private/create-only-tag-types';

/**
 * The feature flag with which `Tags.of(scope).add()` leaves stacks' own tags alone (`cxapi.EXPLICIT_STACK_TAGS`,
 * named as a literal: `FeatureFlags` reads it, as false, from an aws-cdk-lib that predates it).
 */
const EXPLICIT_STACK_TAGS = '@aws-cdk/core:explicitStackTags';

/** What the service learns while its tags are applied. */
export interface ServiceTagsObserver {
  /** Called once for each construct the aspect visits, after the tags are applied to it. */
  visited(node: IConstruct): void;
  /** Called for each visited resource that receives the tags and whose tags are create-only. */
  createOnly(resource: CfnResource): void;
}

/**
 * The aspect that puts a service's customer-value tags on every taggable resource of a scope: one aspect per scope
 * (not one per tag), added with `AspectPriority.MUTATING` (aspects that change the tree run before the read-only
 * ones, such as cdk-nag's checks), applying the same `Tag`s as `Tags.of(scope).add(key, value, props)` would, at the
 * service's tag priority. It also tells the service when synthesis reaches it and which tagged resources have
 * create-only tags, so that what follows from tagging (the tag-override check, the create-only warning) is decided
 * where the tags are applied.
 */
export class ServiceTags implements IAspect {
  /**
   * Tags every taggable resource under `scope` with `tags` (key to value) at `priority`, except `excluded` types,
   * reporting to `observer`.
   */
  public static apply(scope: IConstruct, tags: Record<string, string>, priority: number, excluded: readonly string[],
    observer: ServiceTagsObserver): void {
    // what Tags.of(scope).add() does with the flag set: stacks keep their own tags (aws:cdk:stack is the stack's type)
    const exclude = FeatureFlags.of(scope).isEnabled(EXPLICIT_STACK_TAGS) ? [...excluded, 'aws:cdk:stack'] : [...excluded];
    const applied = Object.entries(tags).map(([key, value]) => new Tag(key, value, { priority, excludeResourceTypes: exclude }));
    Aspects.of(scope).add(new ServiceTags(applied, excluded, observer), { priority: AspectPriority.MUTATING });
  }

  private constructor(
    private readonly tags: readonly Tag[],
    private readonly excluded: readonly string[],
    private readonly observer: ServiceTagsObserver,
  ) {}

  public visit(node: IConstruct): void {
    for (const tag of this.tags) {
      tag.visit(node);
    }
    if (this.tags.length > 0 && CfnResource.isCfnResource(node) && CREATE_ONLY_TAG_TYPES.has(node.cfnResourceType)
      && !this.excluded.includes(node.cfnResourceType) && tagManagerOf(node) !== undefined) {
      this.observer.createOnly(node);
    }
    this.observer.visited(node);
  }
}
