import { IConstruct } from 'constructs';

/**
 * Constructs the library creates to serve several customer services at once (for instance the one cost
 * publisher per stack) live outside any `CustomerService`. They are marked so that governance
 * (`CustomerValueChecks`, `CustomerValueAssertions`) and reports can tell them from user resources that
 * were left outside a service by mistake.
 *
 * The mark is a symbol on the construct (for in-process checks) and `customer-value:shared` metadata
 * (for tools that read the cloud assembly).
 */
export const SHARED_METADATA_TYPE = 'customer-value:shared';
const SHARED_SYMBOL = Symbol.for('cdk-customer-value.shared');

const OWNER_SYMBOL = Symbol.for('cdk-customer-value.sharedOwner');

export interface SharedRecord {
  /** What the shared construct is for, e.g. "daily cost metric publisher". */
  readonly purpose: string;
  /** Service names it serves, when known at construction. */
  readonly serves?: string[];
  /** The customer service its cost is attributed to (its resources carry that service's tags), when declared. */
  readonly owner?: string;
}

/**
 * The customer service a shared construct's cost is attributed to, when that service is declared by value (deployed
 * from another app) rather than being a `CustomerService` of this app the construct is part of.
 */
export interface SharedOwner {
  /** The owner's service name. */
  readonly serviceName: string;
  /** The customer-value tags (key to value) the construct's taggable resources carry. */
  readonly tags: Record<string, string>;
}

/**
 * Marks `construct` (and so its whole subtree) as shared customer-value infrastructure, optionally with the service its
 * cost is attributed to. Governance judges a shared construct like any resource when it is part of a `CustomerService`
 * or has an `owner` (its resources must carry the owner's tags); one with neither is not judged.
 */
export function markShared(construct: IConstruct, purpose: string, owner?: SharedOwner): void {
  if ((construct as any)[SHARED_SYMBOL]) {
    return;
  }
  Object.defineProperty(construct, SHARED_SYMBOL, { value: purpose });
  if (owner) {
    Object.defineProperty(construct, OWNER_SYMBOL, { value: owner });
  }
  const record: SharedRecord = { purpose, ...(owner ? { owner: owner.serviceName } : {}) };
  construct.node.addMetadata(SHARED_METADATA_TYPE, record);
}

/** The declared owner of the shared construct `construct` belongs to (itself or an ancestor), or undefined. */
export function sharedOwner(construct: IConstruct): SharedOwner | undefined {
  return markOf(construct, OWNER_SYMBOL);
}

/** The purpose of the shared construct `construct` belongs to (itself or an ancestor), or undefined. */
export function sharedPurpose(construct: IConstruct): string | undefined {
  return markOf(construct, SHARED_SYMBOL);
}

/** The value `symbol` marks on the outermost marked scope of `construct` (scopes are walked from the root down). */
function markOf<T>(construct: IConstruct, symbol: symbol): T | undefined {
  for (const scope of construct.node.scopes) {
    const value = (scope as any)[symbol];
    if (value) {
      return value;
    }
  }
  return undefined;
}
