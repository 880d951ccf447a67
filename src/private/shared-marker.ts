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

export interface SharedRecord {
  /** What the shared construct is for, e.g. "daily cost metric publisher". */
  readonly purpose: string;
  /** Service names it serves, when known at construction. */
  readonly serves?: string[];
}

/** Marks `construct` (and so its whole subtree) as shared customer-value infrastructure. */
export function markShared(construct: IConstruct, purpose: string): void {
  if ((construct as any)[SHARED_SYMBOL]) {
    return;
  }
  Object.defineProperty(construct, SHARED_SYMBOL, { value: purpose });
  const record: SharedRecord = { purpose };
  construct.node.addMetadata(SHARED_METADATA_TYPE, record);
}

/** The purpose of the shared construct `construct` belongs to (itself or an ancestor), or undefined. */
export function sharedPurpose(construct: IConstruct): string | undefined {
  for (const scope of construct.node.scopes) {
    const purpose = (scope as any)[SHARED_SYMBOL];
    if (purpose) {
      return purpose;
    }
  }
  return undefined;
}
