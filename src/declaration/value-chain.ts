import { Token } from 'aws-cdk-lib';
import { CostAllocationRecord } from './record';
import { describe, SERVICE_NAME_DESCRIPTION, SERVICE_NAME_PATTERN, serviceNameProblems } from './rules';
import { Allocation, AllocationMethod } from '../value-chain';

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

/** Percentages of a fixed allocation add up to 100 within this tolerance. */
const PERCENT_TOLERANCE = 1e-6;

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
  const shares = value.percentages as unknown;
  if (shares === null || typeof shares !== 'object' || Array.isArray(shares)) {
    return [`${field} is Allocation.fixed(${describe(shares)}): pass the percentages keyed by service name, e.g. Allocation.fixed({ checkout: 60, search: 40 })`];
  }
  const entries = Object.entries(shares as Record<string, unknown>);
  if (entries.length === 0) {
    return [`${field} is Allocation.fixed({}): name at least one service and its percentage, e.g. Allocation.fixed({ checkout: 60, search: 40 })`];
  }
  const problems: string[] = [];
  let sum = 0;
  for (const [name, pct] of entries) {
    const at = `${field} share of ${JSON.stringify(name)}`;
    if (Token.isUnresolved(name)) {
      problems.push(`${field} names a service with an unresolved token (${name}): declarations must be known at synth; use the literal service name`);
      continue;
    }
    if (!SERVICE_NAME_PATTERN.test(name)) {
      problems.push(`${field} names ${JSON.stringify(name)}, which is not a service name (${SERVICE_NAME_DESCRIPTION}): key each percentage by the name of a consuming service`);
    }
    if (typeof pct !== 'number' || !Number.isFinite(pct)) {
      problems.push(`${at} is ${describe(pct)}: give a percentage, a number greater than 0 and at most 100`);
    } else if (Token.isUnresolved(pct)) {
      problems.push(`${at} is an unresolved token: declarations must be known at synth; give a literal percentage`);
    } else if (pct <= 0 || pct > 100) {
      problems.push(`${at} is ${pct}: a percentage is greater than 0 and at most 100${pct <= 0 ? '; leave a service without a share out' : ''}`);
    } else {
      sum += pct;
    }
  }
  if (problems.length === 0 && Math.abs(sum - 100) > PERCENT_TOLERANCE) {
    const listed = entries.map(([n, v]) => `${n} ${v}`).join(' + ');
    problems.push(`${field} percentages add up to ${Math.round(sum * 1e6) / 1e6} (${listed}), not 100: the whole cost is shared, `
      + 'so make them add up to 100');
  }
  return problems;
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
