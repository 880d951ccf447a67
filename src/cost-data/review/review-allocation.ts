import { FullyLoadedCost } from './review';
import { DeclaredService } from '../declarations/cloud-assembly';
import { CostDataError } from '../errors';
import { CostRow } from '../query';
import { mergeServices, serviceTagOf } from '../report/aggregate';
import { providerRules } from '../report/allocated-report';
import { formatMoney } from '../report/model';
import { allocate, billingMonth } from '../value-chain/allocation';
import { ChainReading, refuseCycles, valueChain, ValueChain } from '../value-chain/declared-chain';

/** The value chain's allocation per month, for the review (`review --allocate`), and what to say about it. */
export interface ReviewAllocation {
  readonly fullyLoaded: FullyLoadedCost;
  /** Lines for the pack's notes: which providers passed cost on, and what stayed unallocated, per month. */
  readonly notes: string[];
  /** The value chain's warnings (e.g. a provider that is not declared in the assemblies read). */
  readonly warnings: string[];
}

/**
 * Whether the review shows fully-loaded cost by default: when a declared service consumes another (the value chain
 * is declared). `review --allocate` / `--no-allocate` decide otherwise; the scheduled review follows this rule.
 */
export function consumptionDeclared(declared: readonly DeclaredService[]): boolean {
  return declared.some((d) => (d.record.consumes ?? []).length > 0);
}

/**
 * The value chain of the declarations, refused when it has a cycle: checked before any cost is read. `hint` is added
 * to the cycle's message (e.g. how to review without the allocation).
 */
export function reviewValueChain(declared: readonly DeclaredService[], cwd: string, hint?: string, reading?: ChainReading): ValueChain {
  const chain = valueChain(declared, cwd, reading);
  try {
    refuseCycles(chain);
  } catch (e) {
    throw hint && e instanceof CostDataError ? new CostDataError(`${e.message}; ${hint}`) : e;
  }
  return chain;
}

/**
 * Runs the value-chain allocation (`allocation.ts`, the engine `cost --allocate` uses) on the review's cost table: the
 * engine splits each month by that month's shares (proportional allocation uses the consumers' direct cost of the
 * month), as a monthly chargeback and AWS split charge rules do, so a pack's month equals `cost --allocate` over that
 * month. Rows are keyed by service tag for the allocation, whatever business unit they carry, so a provider owned by
 * one unit passes its cost on to consumers of another. Per service and month: what it received, and what left it
 * (passed on to consumers, or left unallocated when its provider could not pass it on, with the reason in the notes),
 * so fully-loaded = direct + received - left.
 *
 * `directCostHint` is how the reader of this pack gets direct cost only (the CLI passes its flag); the scheduled packs
 * pass none, as their readers have no command line.
 */
export function reviewAllocation(
  rows: readonly CostRow[], declared: DeclaredService[], months: string[], chain: ValueChain, directCostHint?: string,
): ReviewAllocation {
  const { services } = mergeServices(declared);
  const providers = providerRules(chain, services);
  const nameOf = new Map(services.map((s) => [serviceTagOf(s), s.name]));
  const inTrend = new Set(months);
  const result = allocate({
    rows: rows.filter((r) => inTrend.has(billingMonth(r.day))).map((r) => ({ ...r, group: r.service })),
    providers,
    groupOf: (tag) => tag,
    declared: (tag) => nameOf.has(tag),
  });
  const received = new Map<string, Map<string, number>>();
  const left = new Map<string, Map<string, number>>();
  for (const [tag, a] of result.groups) {
    const name = nameOf.get(tag);
    if (name === undefined) {
      continue;
    }
    for (const [month, f] of a.byMonth) {
      if (f.received !== 0) {
        received.set(name, (received.get(name) ?? new Map<string, number>()).set(month, f.received));
      }
      if (f.passedOn + f.unallocated !== 0) {
        left.set(name, (left.get(name) ?? new Map<string, number>()).set(month, f.passedOn + f.unallocated));
      }
    }
  }
  const notes: string[] = [];
  for (const month of months) {
    for (const u of result.unallocated) {
      const amount = u.byMonth.get(month) ?? 0;
      if (Math.abs(amount) >= 0.005) {
        notes.push(`${month}: ${formatMoney(amount)} of ${nameOf.get(u.provider) ?? u.provider} not passed on (${u.reason}); it stays in its direct cost and out of every fully-loaded cost`);
      }
    }
  }
  const names = [...providers.keys()].map((t) => nameOf.get(t) ?? t);
  notes.unshift(names.length === 0
    ? 'fully-loaded cost: no declared service consumes another, so it equals direct cost'
    : `fully-loaded cost (the value chain${directCostHint ? `; ${directCostHint}` : ''}): the cost of ${names.join(', ')} passed on each month to the services that consume them, by their declared allocation (proportional shares follow the month's direct cost of the consumers; the same split as customer-value cost with the value chain and as split charge rules make over the month)`);
  return { fullyLoaded: { receivedByService: received, passedOnByService: left }, notes, warnings: chain.warnings };
}
