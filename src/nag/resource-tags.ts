import { CfnResource, Stack, TagManager } from 'aws-cdk-lib';

/**
 * The tags a resource ends up with in its template, and how they differ from the tags it must carry.
 */

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
