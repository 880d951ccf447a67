import { dependencyOrder, ProviderRule, Split, splitOf } from './provider-split';
import { CostRow } from '../query';

export { dependencyOrder } from './provider-split';
export type { ProviderRule } from './provider-split';

/**
 * Shared cost passed on over the value chain: the normalized cost table in, the same table out with each provider's
 * cost moved to the services that consume it. Pure arithmetic on the rows every source returns (Cost Explorer, CUR
 * 2.0 or FOCUS files, Athena), so every source gets it, and the reports (`cost --allocate`, value review packs, the
 * scheduled packs) aggregate the result like any cost table: one engine, so the same months give the same figures.
 *
 * How:
 * - Each billing month (the `YYYY-MM` of a row's day, whether the source returns days or months) is split on its
 *   own, by that month's shares, as AWS split charge rules split a month: proportional to the consumers' direct cost
 *   in the month (the positive part: a consumer whose credits exceed its charges gets no share), even, or fixed
 *   percentages (a share named after the provider itself stays with it, a share for a service that does not consume
 *   it stays unallocated). A period's fully-loaded cost is the sum of its months'. A month the rows cover in part (a
 *   period that starts or ends inside it) is split by the shares of the days read: the caller says so.
 * - Providers are taken in dependency order (a provider after the providers it consumes), so what a provider passes
 *   on is its fully-loaded cost: its direct cost plus what it received. Each row of it is split by its month's
 *   shares, keeping the row's day, currency and estimated flag; the part a consumer receives lands in the consumer's
 *   group (its declared value of the grouped tag).
 * - What a provider cannot pass on (no consumer, no consumer with cost in the month, a share it cannot give) is
 *   unallocated shared cost, with the reason and the months; it never disappears: fully-loaded cost of every row plus
 *   unallocated cost is the total.
 * - Untagged spend stays its own row, unless `spreadUntagged`: then each month's untagged spend is spread over that
 *   month's tagged rows in proportion to their (positive) fully-loaded cost. It is counted apart from what providers
 *   pass on (`spread`, not `received`).
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

/** The flows of one value of the grouped tag over the period, or over one month. */
export interface Flows {
  /** Its cost before allocation. */
  direct: number;
  /** What it received from providers in other groups. */
  received: number;
  /** What it passed on to consumers in other groups. */
  passedOn: number;
  /** What its providers could not pass on. */
  unallocated: number;
  /**
   * Untagged spend spread onto it (`spreadUntagged`), net: positive on the rows it was spread over, minus what the
   * untagged row (and a group's untagged part) gave away.
   */
  spread: number;
  /** Its cost after allocation: direct + received - passed on - unallocated + spread. */
  fullyLoaded: number;
}

/** How the cost of one value of the grouped tag (one service, with `--by service`) came about. */
export interface GroupAccount extends Flows {
  /** Received, per provider service it came from (the immediate provider). */
  readonly receivedFrom: Map<string, number>;
  /** Passed on, per consumer service (`''`: to no one, i.e. unallocated is separate). */
  readonly passedOnTo: Map<string, number>;
  /** Fully-loaded cost per origin: `undefined` key never; the group's own services' kept cost is under `direct`. */
  readonly composition: Composition;
  /** The same flows per billing month (`YYYY-MM`): the period's are their sums. */
  readonly byMonth: Map<string, Flows>;
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
  /** The amount per billing month (`YYYY-MM`), in month order. */
  readonly byMonth: ReadonlyMap<string, number>;
}

/** What one provider did with its cost in one billing month. */
export interface ProviderMonth {
  /** Its direct cost plus what it received, in the month. */
  readonly fullyLoadedBefore: number;
  /** The share of each consumer (and of the provider itself, when it keeps one) in the month, 0..1. */
  readonly shares: ReadonlyMap<string, number>;
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
  /**
   * The share of each consumer (and of the provider itself, when it keeps one), 0..1, over the period: the months'
   * shares weighted by the provider's cost in each month (the same in every month for `even` and `fixed`).
   */
  readonly shares: ReadonlyMap<string, number>;
  /** Per billing month (`YYYY-MM`) the provider has cost in, in month order: its cost and its shares. */
  readonly months: ReadonlyMap<string, ProviderMonth>;
}

export interface AllocationResult {
  readonly rows: AllocatedRow[];
  readonly groups: ReadonlyMap<string, GroupAccount>;
  readonly unallocated: Unallocated[];
  readonly providers: ProviderOutcome[];
  /** Why untagged spend could not be spread, when it was asked for and could not be (in no month). */
  readonly spreadSkipped?: string;
  /** Untagged spend spread over the tagged rows. */
  readonly spread: number;
  /** Months (`YYYY-MM`) whose untagged spend stayed unspread (no tagged row with a positive cost in the month). */
  readonly spreadSkippedMonths: string[];
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

/** The billing month of a row's day (`YYYY-MM-DD`, or a month's first day): `YYYY-MM`. */
export function billingMonth(day: string): string {
  return day.slice(0, 7);
}

const FLOW_FIELDS = ['direct', 'received', 'passedOn', 'unallocated', 'spread', 'fullyLoaded'] as const;
type FlowField = typeof FLOW_FIELDS[number];

/** The accounts of the groups, kept per month and over the period. */
class Accounts {
  public readonly groups = new Map<string, GroupAccount>();

  public get(group: string): GroupAccount {
    let a = this.groups.get(group);
    if (!a) {
      a = {
        ...zeroFlows(),
        receivedFrom: new Map(),
        passedOnTo: new Map(),
        composition: { direct: 0, providers: new Map(), untagged: 0 },
        byMonth: new Map(),
      };
      this.groups.set(group, a);
    }
    return a;
  }

  public add(group: string, month: string, field: FlowField, amount: number): GroupAccount {
    const a = this.get(group);
    a[field] += amount;
    let m = a.byMonth.get(month);
    if (!m) {
      m = zeroFlows();
      a.byMonth.set(month, m);
    }
    m[field] += amount;
    return a;
  }

  /** A move of `amount` from one group to another (received by one, passed on or spread by the other). */
  public move(from: string, to: string, month: string, amount: number, kind: 'chain' | 'spread', provider: string, consumer: string): void {
    if (kind === 'spread') {
      this.add(from, month, 'spread', -amount);
      this.add(to, month, 'spread', amount);
      return;
    }
    const giver = this.add(from, month, 'passedOn', amount);
    giver.passedOnTo.set(consumer, (giver.passedOnTo.get(consumer) ?? 0) + amount);
    const taker = this.add(to, month, 'received', amount);
    taker.receivedFrom.set(provider, (taker.receivedFrom.get(provider) ?? 0) + amount);
  }
}

function zeroFlows(): Flows {
  return { direct: 0, received: 0, passedOn: 0, unallocated: 0, spread: 0, fullyLoaded: 0 };
}

/** Pieces by billing month, months in order. */
function byMonth(pieces: readonly Piece[]): Array<[string, Piece[]]> {
  const out = new Map<string, Piece[]>();
  for (const p of pieces) {
    const m = billingMonth(p.day);
    const list = out.get(m);
    if (list) {
      list.push(p);
    } else {
      out.set(m, [p]);
    }
  }
  return [...out.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}

/** Passes each provider's cost on to its consumers, month by month; see the module comment. */
export function allocate(input: AllocationInput): AllocationResult {
  // direct cost per month and service: the proportional shares of a month
  const direct = new Map<string, Map<string, number>>();
  for (const r of input.rows) {
    const month = billingMonth(r.day);
    const m = direct.get(month) ?? new Map<string, number>();
    m.set(r.service, (m.get(r.service) ?? 0) + r.amount);
    direct.set(month, m);
  }
  const accounts = new Accounts();
  const pieces = new Pieces();
  for (const r of input.rows) {
    accounts.add(r.group, billingMonth(r.day), 'direct', r.amount);
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

  const unallocated = new Map<string, { provider: string; reason: string; amount: number; byMonth: Map<string, number> }>();
  const outcomes: ProviderOutcome[] = [];
  for (const provider of dependencyOrder(input.providers)) {
    const rule = input.providers.get(provider)!;
    const passedOnTo = new Map<string, number>();
    const months = new Map<string, ProviderMonth>();
    let before = 0;
    let kept = 0;
    let lost = 0;
    for (const [month, taken] of byMonth(pieces.take(provider))) {
      const split = splitOf(provider, rule, direct.get(month) ?? new Map(), input.declared);
      let monthBefore = 0;
      for (const piece of taken) {
        monthBefore += piece.amount;
        // the kept part is added even when it is nothing, so that the provider keeps its row in the report
        kept += piece.amount * split.keep;
        pieces.add(scaled(piece, split.keep, piece.service, piece.group));
        for (const [consumer, fraction] of split.to) {
          const moved = scaled(piece, fraction, consumer, input.groupOf(consumer));
          pieces.add(moved);
          passedOnTo.set(consumer, (passedOnTo.get(consumer) ?? 0) + moved.amount);
          if (moved.group !== piece.group) {
            accounts.move(piece.group, moved.group, month, moved.amount, 'chain', provider, consumer);
          }
        }
        for (const { fraction, reason } of split.lost) {
          const amount = piece.amount * fraction;
          lost += amount;
          accounts.add(piece.group, month, 'unallocated', amount);
          const key = `${provider}\u0000${reason}`;
          const u = unallocated.get(key) ?? { provider, reason, amount: 0, byMonth: new Map<string, number>() };
          u.amount += amount;
          u.byMonth.set(month, (u.byMonth.get(month) ?? 0) + amount);
          unallocated.set(key, u);
        }
      }
      before += monthBefore;
      months.set(month, { fullyLoadedBefore: monthBefore, shares: sharesOf(provider, split) });
    }
    outcomes.push({
      provider,
      method: rule.method,
      fullyLoadedBefore: before,
      passedOnTo,
      kept,
      unallocated: lost,
      shares: periodShares(months),
      months,
    });
  }

  let spread = 0;
  let spreadSkipped: string | undefined;
  const spreadSkippedMonths: string[] = [];
  if (input.spreadUntagged) {
    const untagged = pieces.take('');
    const tagged = byMonth([...pieces.all()]);
    const weightsOf = new Map(tagged.map(([month, list]) => [month, spreadTargets(list)]));
    if (untagged.length === 0) {
      spreadSkipped = 'there is no untagged spend in the period';
    }
    for (const [month, list] of byMonth(untagged)) {
      const targets = weightsOf.get(month) ?? [];
      const total = targets.reduce((s, w) => s + w.weight, 0);
      if (total <= 0) {
        spreadSkippedMonths.push(month);
        list.forEach((p) => pieces.add(p));
        continue;
      }
      for (const piece of list) {
        spread += piece.amount;
        // nothing stays, but the untagged row stays in the report, showing what was spread
        pieces.add(scaled(piece, 0, piece.service, piece.group));
        for (const t of targets) {
          const moved = scaled(piece, t.weight / total, t.service, t.group);
          pieces.add(moved);
          if (moved.group !== piece.group) {
            accounts.move(piece.group, moved.group, month, moved.amount, 'spread', '', t.service);
          }
        }
      }
    }
    if (spreadSkipped === undefined && spreadSkippedMonths.length === byMonth(untagged).length) {
      spreadSkipped = 'no tagged row has a positive cost to spread it by';
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
    const a = accounts.add(p.group, billingMonth(p.day), 'fullyLoaded', p.amount);
    if (p.origin === p.service) {
      a.composition.direct += p.amount;
    } else if (p.origin === '') {
      a.composition.untagged += p.amount;
    } else {
      a.composition.providers.set(p.origin, (a.composition.providers.get(p.origin) ?? 0) + p.amount);
    }
  }
  return {
    rows,
    groups: accounts.groups,
    unallocated: [...unallocated.values()].map((u) => ({
      ...u,
      byMonth: new Map([...u.byMonth.entries()].sort((a, b) => a[0].localeCompare(b[0]))),
    })),
    providers: outcomes,
    spread,
    spreadSkipped,
    spreadSkippedMonths,
  };
}

/** The tagged rows of a month untagged spend is spread over: those with a positive fully-loaded cost, and their weights. */
function spreadTargets(pieces: readonly Piece[]): Array<{ service: string; group: string; weight: number }> {
  const weights = new Map<string, { service: string; group: string; weight: number }>();
  for (const p of pieces) {
    const key = `${p.service}\u0000${p.group}`;
    const w = weights.get(key) ?? { service: p.service, group: p.group, weight: 0 };
    w.weight += p.amount;
    weights.set(key, w);
  }
  return [...weights.values()].filter((w) => w.weight > 0);
}

/** The shares of a split: each consumer's, and the provider's own when it keeps one. */
function sharesOf(provider: string, split: Split): Map<string, number> {
  return new Map([...(split.keep !== 0 ? [[provider, split.keep] as [string, number]] : []), ...split.to]);
}

/** The period's shares: the months' shares weighted by the provider's cost in each month (its absolute value). */
function periodShares(months: ReadonlyMap<string, ProviderMonth>): Map<string, number> {
  const list = [...months.values()];
  const weightOf = (m: ProviderMonth) => Math.abs(m.fullyLoadedBefore);
  const total = list.reduce((s, m) => s + weightOf(m), 0);
  const out = new Map<string, number>();
  for (const m of list) {
    const w = total > 0 ? weightOf(m) / total : 1 / list.length;
    for (const [party, share] of m.shares) {
      out.set(party, (out.get(party) ?? 0) + share * w);
    }
  }
  return out;
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
