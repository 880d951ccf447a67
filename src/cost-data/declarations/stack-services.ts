/*
 * The services of each stack (docs/attribution.md section 3), free of aws-cdk-lib: the cost engine and the review
 * function use it, and the function's bundle must not hold the cloud-assembly reader.
 */

/** A stack holding a scope a service `include()`s (a `customer-value:member` record): one of that service's stacks too. */
export interface StackMember {
  readonly serviceName: string;
  /** CloudFormation stack name of the stack holding the scope. */
  readonly stack: string;
  readonly account?: string;
  /** Directory of the (top-level) cloud assembly it was read from. */
  readonly assembly: string;
}

/** What the join reads of a declared service (`DeclaredService` of cloud-assembly.ts, which imports this module). */
export interface StackService {
  readonly stack: string;
  readonly record: { readonly serviceName: string };
}

/**
 * The services of each stack (docs/attribution.md section 3): the services whose record is in the stack, plus the
 * declared services a `customer-value:member` record in the stack names (scopes they `include()`); a member of a
 * service no declaration read holds adds nothing.
 */
export function stackServices<S extends StackService>(set: { readonly services: readonly S[]; readonly members?: readonly StackMember[] })
  : Array<{ readonly stack: string; readonly service: S }> {
  const out = set.services.map((service) => ({ stack: service.stack, service }));
  for (const m of set.members ?? []) {
    for (const service of set.services.filter((s) => s.record.serviceName === m.serviceName)) {
      if (!out.some((o) => o.stack === m.stack && o.service === service)) {
        out.push({ stack: m.stack, service });
      }
    }
  }
  return out;
}
