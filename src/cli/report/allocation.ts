import { dependencyOrder, ProviderRule, splitOf } from './provider-split';
import { CostRow } from '../sources/types';

export { dependencyOrder } from './provider-split';
export type { ProviderRule } from './provider-split';

/**
 * Shared cost passed on over the value chain: the normalized cost table in, the same table out with each provider's
 * cost moved to the services that consume it. Pure arithmetic on the rows every source returns (Cost Explorer, CUR
 * 2.0 or FOCUS files, Athena), so every source gets it, and the reports (`cost --allocate`, value review packs)
 * aggregate the result like any cost table.
 *
 * How:
 * - Each provider's shares are fixed for the period: proportional to its consumers' direct cost in the period (the
 *   positive part: a consumer whose credits exceed its charges gets no share), even, or fixed percentages (a share
 *   named after the provider itself stays with it, a share for a service that does not consume it stays unallocated).
 * - Providers are taken in dependency order (a provider after the providers it consumes), so what a provider passes
 *   on is its fully-loaded cost: its direct cost plus what it received. Each row of it is split by its shares, day by
 *   day, keeping the row's day, currency and estimated flag; the part a consumer receives lands in the consumer's
 *   group (its declared value of the grouped tag).
 * - What a provider cannot pass on (no consumer, no consumer with cost, a share it cannot give) is unallocated shared
 *   cost, with the reason; it never disappears: fully-loaded cost of every row plus unallocated cost is the total.
 * - Untagged spend stays its own row, unless `spreadUntagged`: then it is spread over the tagged rows in proportion to
 *   their (positive) fully-loaded cost.
 *
 * Every moved amount remembers its origin (the service whose resources incurred it, `''` for untagged spend), so a
 * report can show what a need's fully-loaded cost is made of.
 */

export interface AllocationInput {
  readonly rows: readonly CostRow[];
  /** The providers, keyed by service tag value. Refuse cycles before: they have no answer. */
  readonly providers: ReadonlyMap<string, ProviderRule>;
  /** The value of the grouped tag the cost a service receives lands on (its declared value). */
  readonly groupOf: (service: string) => string;
  /** Whether a service (tag value) is declared in the assemblies read (for the reason a share cannot be given). */
  readonly declared: (service: string) => boolean;
  /** Spread untagged spend over the tagged rows. @default false */
  readonly spreadUntagged?: boolean;
}

/** A row of the allocated table: a cost row and where the amount was incurred. */
export interface AllocatedRow extends CostRow {
  /** The service tag value whose resources incurred it; `''` for untagged spend. */
  readonly origin: string;
}

/** How the cost of one value of the grouped tag (one service, with `--by service`) came about. */
export interface GroupAccount {
  /** Its cost before allocation. */
  direct: number;
  /** What it received from providers in other groups. */
  received: number;
  /** What it passed on to consumers in other groups. */
  passedOn: number;
  /** What its providers could not pass on. */
  unallocated: number;
  /** Its cost after allocation: direct + received - passed on - unallocated. */
  fullyLoaded: number;
  /** Received, per service it came from (the immediate provider, or `''` for spread untagged spend). */
  readonly receivedFrom: Map<string, number>;
  /** Passed on, per consumer service (`''`: to no one, i.e. unallocated is separate). */
  readonly passedOnTo: Map<string, number>;
  /** Fully-loaded cost per origin: `undefined` key never; the group's own services' kept cost is under `direct`. */
  readonly composition: Composition;
}

/** What a fully-loaded cost is made of: the part incurred by the services of the group itself, and the rest by origin. */
export interface Composition {
  /** Incurred by the group's own services and kept. */
  direct: number;
  /** Incurred by a provider (directly or further up the chain), by that provider's service tag value. */
  readonly providers: Map<string, number>;
  /** Untagged spend spread onto it (`spreadUntagged`). */
  untagged: number;
}

/** Cost a provider could not pass on, and why. */
export interface Unallocated {
  readonly provider: string;
  readonly amount: number;
  readonly reason: string;
}

/** What one provider did with its cost. */
export interface ProviderOutcome {
  readonly provider: string;
  readonly method: string;
  /** Its direct cost plus what it received. */
  readonly fullyLoadedBefore: number;
  readonly passedOnTo: ReadonlyMap<string, number>;
  readonly kept: number;
  readonly unallocated: number;
  /** The share of each consumer (and of the provider itself, when it keeps one), 0..1. */
  readonly shares: ReadonlyMap<string, number>;
}

export interface AllocationResult {
  readonly rows: AllocatedRow[];
  readonly groups: ReadonlyMap<string, GroupAccount>;
  readonly unallocated: Unallocated[];
  readonly providers: ProviderOutcome[];
  /** Why untagged spend could not be spread, when it was asked for and could not be. */
  readonly spreadSkipped?: string;
  /** Untagged spend spread over the tagged rows. */
  readonly spread: number;
}

interface Piece {
  readonly service: string;
  readonly group: string;
  readonly day: string;
  readonly origin: string;
  readonly currency: string;
  amount: number;
  nonResource?: number;
  estimated: boolean;
}

/** Passes each provider's cost on to its consumers; see the module comment. */
export function allocate(input: AllocationInput): AllocationResult {
  const direct = new Map<string, number>();
  for (const r of input.rows) {
    direct.set(r.service, (direct.get(r.service) ?? 0) + r.amount);
  }
  const groups = new Map<string, GroupAccount>();
  const account = (g: string): GroupAccount => {
    let a = groups.get(g);
    if (!a) {
      a = {
        direct: 0,
        received: 0,
        passedOn: 0,
        unallocated: 0,
        fullyLoaded: 0,
        receivedFrom: new Map(),
        passedOnTo: new Map(),
        composition: { direct: 0, providers: new Map(), untagged: 0 },
      };
      groups.set(g, a);
    }
    return a;
  };
  const pieces = new Pieces();
  for (const r of input.rows) {
    account(r.group).direct += r.amount;
    pieces.add({
      service: r.service,
      group: r.group,
      day: r.day,
      origin: r.service,
      currency: r.currency,
      amount: r.amount,
      nonResource: r.nonResourceAmount,
      estimated: r.estimated,
    });
  }

  const unallocated = new Map<string, Unallocated>();
  const outcomes: ProviderOutcome[] = [];
  for (const provider of dependencyOrder(input.providers)) {
    const rule = input.providers.get(provider)!;
    const split = splitOf(provider, rule, direct, input.declared);
    const taken = pieces.take(provider);
    const passedOnTo = new Map<string, number>();
    let before = 0;
    let kept = 0;
    let lost = 0;
    for (const piece of taken) {
      before += piece.amount;
      // the kept part is added even when it is nothing, so that the provider keeps its row in the report
      kept += piece.amount * split.keep;
      pieces.add(scaled(piece, split.keep, piece.service, piece.group));
      for (const [consumer, fraction] of split.to) {
        const moved = scaled(piece, fraction, consumer, input.groupOf(consumer));
        pieces.add(moved);
        passedOnTo.set(consumer, (passedOnTo.get(consumer) ?? 0) + moved.amount);
        if (moved.group !== piece.group) {
          account(piece.group).passedOn += moved.amount;
          account(piece.group).passedOnTo.set(consumer, (account(piece.group).passedOnTo.get(consumer) ?? 0) + moved.amount);
          account(moved.group).received += moved.amount;
          account(moved.group).receivedFrom.set(provider, (account(moved.group).receivedFrom.get(provider) ?? 0) + moved.amount);
        }
      }
      for (const { fraction, reason } of split.lost) {
        const amount = piece.amount * fraction;
        lost += amount;
        account(piece.group).unallocated += amount;
        const key = `${provider}\u0000${reason}`;
        const u = unallocated.get(key);
        unallocated.set(key, { provider, reason, amount: (u?.amount ?? 0) + amount });
      }
    }
    outcomes.push({
      provider,
      method: rule.method,
      fullyLoadedBefore: before,
      passedOnTo,
      kept,
      unallocated: lost,
      shares: new Map([...(split.keep !== 0 ? [[provider, split.keep] as [string, number]] : []), ...split.to]),
    });
  }

  let spread = 0;
  let spreadSkipped: string | undefined;
  if (input.spreadUntagged) {
    const untagged = pieces.take('');
    const weights = new Map<string, { service: string; group: string; weight: number }>();
    for (const p of pieces.all()) {
      const key = `${p.service}\u0000${p.group}`;
      const w = weights.get(key) ?? { service: p.service, group: p.group, weight: 0 };
      w.weight += p.amount;
      weights.set(key, w);
    }
    const targets = [...weights.values()].filter((w) => w.weight > 0);
    const total = targets.reduce((s, w) => s + w.weight, 0);
    if (untagged.length === 0) {
      spreadSkipped = 'there is no untagged spend in the period';
    } else if (total <= 0) {
      spreadSkipped = 'no tagged row has a positive cost to spread it by';
      untagged.forEach((p) => pieces.add(p));
    } else {
      for (const piece of untagged) {
        spread += piece.amount;
        // nothing stays, but the untagged row stays in the report, showing what was spread
        pieces.add(scaled(piece, 0, piece.service, piece.group));
        for (const t of targets) {
          const moved = scaled(piece, t.weight / total, t.service, t.group);
          pieces.add(moved);
          if (moved.group !== piece.group) {
            account(piece.group).passedOn += moved.amount;
            account(piece.group).passedOnTo.set(t.service, (account(piece.group).passedOnTo.get(t.service) ?? 0) + moved.amount);
            account(moved.group).received += moved.amount;
            account(moved.group).receivedFrom.set('', (account(moved.group).receivedFrom.get('') ?? 0) + moved.amount);
          }
        }
      }
    }
  }

  const rows: AllocatedRow[] = [];
  for (const p of pieces.all()) {
    rows.push({
      service: p.service,
      group: p.group,
      day: p.day,
      amount: p.amount,
      currency: p.currency,
      estimated: p.estimated,
      origin: p.origin,
      ...(p.nonResource !== undefined ? { nonResourceAmount: p.nonResource } : {}),
    });
    const a = account(p.group);
    a.fullyLoaded += p.amount;
    if (p.origin === p.service) {
      a.composition.direct += p.amount;
    } else if (p.origin === '') {
      a.composition.untagged += p.amount;
    } else {
      a.composition.providers.set(p.origin, (a.composition.providers.get(p.origin) ?? 0) + p.amount);
    }
  }
  return { rows, groups, unallocated: [...unallocated.values()], providers: outcomes, spread, spreadSkipped };
}

function scaled(p: Piece, fraction: number, service: string, group: string): Piece {
  return {
    service,
    group,
    day: p.day,
    origin: p.origin,
    currency: p.currency,
    estimated: p.estimated,
    amount: p.amount * fraction,
    nonResource: p.nonResource === undefined ? undefined : p.nonResource * fraction,
  };
}

/** The pieces of cost, merged by (service, group, day, origin, currency), indexed by service. */
class Pieces {
  private readonly byService = new Map<string, Map<string, Piece>>();

  public add(p: Piece): void {
    let m = this.byService.get(p.service);
    if (!m) {
      m = new Map();
      this.byService.set(p.service, m);
    }
    const key = `${p.group}\u0000${p.day}\u0000${p.origin}\u0000${p.currency}`;
    const existing = m.get(key);
    if (!existing) {
      m.set(key, { ...p });
      return;
    }
    existing.amount += p.amount;
    if (p.nonResource !== undefined || existing.nonResource !== undefined) {
      existing.nonResource = (existing.nonResource ?? 0) + (p.nonResource ?? 0);
    }
    existing.estimated = existing.estimated || p.estimated;
  }

  /** Removes and returns the pieces of a service. */
  public take(service: string): Piece[] {
    const m = this.byService.get(service);
    this.byService.delete(service);
    return m ? [...m.values()] : [];
  }

  public *all(): IterableIterator<Piece> {
    for (const m of this.byService.values()) {
      yield* m.values();
    }
  }
}
