import { CostAllocationRecord } from './record';
import { describe, fixedSharesProblems, serviceNameProblems } from './rules';
import { Allocation, AllocationMethod } from '../cost-allocation';

/**
 * The rules of the value chain: which service consumes which, and how a provider shares its cost. Shared by the
 * construct (a graph within one app, checked at synth) and the `customer-value` CLI (the graph across every cloud
 * assembly it reads), so a cycle or a bad share is named the same way in both.
 */

/** What `consumes()` accepts. */
export const CONSUMES_HINT = 'pass a CustomerService of this app (checkout.consumes(network)), or ServiceRef.named("private-network") for a service of another app';

/** The name of a service given to `consumes()` (`ServiceRef.named(...)`). */
export function providerNameProblems(value: unknown): string[] {
  return serviceNameProblems('consumes(): the service name', value,
    'name the service this one consumes, as its service tag value (e.g. "private-network")');
}

const ALLOCATION_HINT = 'pass Allocation.proportional(), Allocation.even() or Allocation.fixed({ checkout: 60, search: 40 })';

/**
 * A provider's cost allocation: `Allocation.proportional()`, `.even()` or `.fixed({...})` with percentages greater
 * than 0, at most 100, that add up to 100, keyed by service names. Which names are consumers is checked once the
 * graph is known (`fixedShareProblems`).
 */
export function allocationProblems(field: string, value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Allocation.isAllocation(value)) {
    return [`${field} is ${describe(value)}: ${ALLOCATION_HINT}`];
  }
  if (value.method === 'proportional' || value.method === 'even') {
    return [];
  }
  if (value.method !== 'fixed') {
    return [`${field} has the method ${describe(value.method)}: ${ALLOCATION_HINT}`];
  }
  return fixedSharesProblems(field, value.percentages);
}

/**
 * The names of a fixed allocation checked against the consumers of the provider: a share names a consumer, or the
 * provider itself (the share it keeps for its own need). Names nobody declares where the check runs are left to the
 * caller (the service may be declared in another app).
 *
 * @param declared whether a service of that name is declared where the check runs (the app, or the assemblies read)
 */
export function fixedShareProblems(field: string, provider: string, shares: Readonly<Record<string, number>>, consumers: readonly string[],
  declared: (name: string) => boolean): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(shares)) {
    if (name === provider || consumers.includes(name) || !declared(name)) {
      continue;
    }
    problems.push(`${field} gives ${shares[name]} % to ${JSON.stringify(name)}, which does not consume ${JSON.stringify(provider)} `
      + `(${consumers.length === 0 ? 'no service consumes it' : `its consumers: ${consumers.join(', ')}`}): a share goes to a consumer, or to `
      + `${JSON.stringify(provider)} itself for its own need; declare ${name}.consumes(...) or remove the share`);
  }
  return problems;
}

/** How an allocation is recorded in the `customer-value:service` metadata (and the shipped declarations). */
export function allocationRecord(a: Allocation): CostAllocationRecord {
  return { method: a.method, ...(a.method === AllocationMethod.FIXED ? { percentages: { ...a.percentages } } : {}) };
}
