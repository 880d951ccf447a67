import { CLI_CHAIN_READING } from './declared-chain';

/**
 * How one provider's cost is split (its rule applied to one billing month's direct costs), and the order in which the
 * providers pass their cost on. Used by `allocation.ts`.
 */

/** How one provider passes its cost on. */
export interface ProviderRule {
  readonly method: 'proportional' | 'even' | 'fixed';
  /** Its consumers (service tag values) that are declared. */
  readonly consumers: readonly string[];
  /** The percentages of a fixed rule, keyed by service tag value. */
  readonly percentages?: Readonly<Record<string, number>>;
  /** How to read the declarations of its consumers (`ChainReading.consumers`). @default the CLI's --assembly */
  readonly readConsumers?: string;
}

/** Where each part of a provider's cost goes. */
export interface Split {
  readonly keep: number;
  readonly to: ReadonlyArray<readonly [string, number]>;
  readonly lost: ReadonlyArray<{ readonly fraction: number; readonly reason: string }>;
}

/**
 * Where a provider's cost of one billing month goes: the share it keeps, each consumer's share, and what is lost with
 * the reason. `direct` is the month's direct cost per service (proportional shares follow it). The fractions add up
 * to 1.
 */
export function splitOf(provider: string, rule: ProviderRule, direct: ReadonlyMap<string, number>, declared: (s: string) => boolean): Split {
  const consumers = [...new Set(rule.consumers)].filter((c) => c !== provider);
  const none = `no declared service consumes ${provider} (${rule.readConsumers ?? CLI_CHAIN_READING.consumers})`;
  switch (rule.method) {
    case 'even':
      return consumers.length === 0 ? { keep: 0, to: [], lost: [{ fraction: 1, reason: none }] }
        : { keep: 0, to: consumers.map((c) => [c, 1 / consumers.length] as const), lost: [] };
    case 'fixed': {
      let keep = 0;
      let sum = 0;
      const to: Array<readonly [string, number]> = [];
      const lost: Array<{ fraction: number; reason: string }> = [];
      for (const [name, pct] of Object.entries(rule.percentages ?? {})) {
        const fraction = pct / 100;
        sum += fraction;
        if (name === provider) {
          keep += fraction;
        } else if (consumers.includes(name)) {
          to.push([name, fraction]);
        } else {
          lost.push({
            fraction,
            reason: declared(name) ? `its fixed share of ${pct} % for ${name}, which does not consume it`
              : `its fixed share of ${pct} % for ${name}, which no cloud assembly read declares`,
          });
        }
      }
      if (Math.abs(1 - sum) > 1e-9) {
        lost.push({ fraction: 1 - sum, reason: `its fixed percentages add up to ${Math.round(sum * 1e8) / 1e6}, not 100` });
      }
      return { keep, to, lost };
    }
    default: {
      if (consumers.length === 0) {
        return { keep: 0, to: [], lost: [{ fraction: 1, reason: none }] };
      }
      const weights = consumers.map((c) => [c, Math.max(0, direct.get(c) ?? 0)] as const);
      const total = weights.reduce((s, [, w]) => s + w, 0);
      if (total <= 0) {
        return {
          keep: 0,
          to: [],
          lost: [{ fraction: 1, reason: `none of its consumers (${consumers.join(', ')}) has cost in the month to share it by` }],
        };
      }
      return { keep: 0, to: weights.filter(([, w]) => w > 0).map(([c, w]) => [c, w / total] as const), lost: [] };
    }
  }
}

/** Providers, each after the providers it consumes (Kahn's algorithm on the provider-to-consumer edges). */
export function dependencyOrder(providers: ReadonlyMap<string, ProviderRule>): string[] {
  const pending = new Map<string, number>();
  for (const p of providers.keys()) {
    pending.set(p, 0);
  }
  for (const [p, rule] of providers) {
    for (const c of new Set(rule.consumers)) {
      if (c !== p && pending.has(c)) {
        pending.set(c, pending.get(c)! + 1);
      }
    }
  }
  const ready = [...pending.entries()].filter(([, n]) => n === 0).map(([p]) => p).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const p = ready.shift()!;
    order.push(p);
    for (const c of [...new Set(providers.get(p)!.consumers)].sort()) {
      if (c !== p && pending.has(c)) {
        pending.set(c, pending.get(c)! - 1);
        if (pending.get(c) === 0) {
          ready.push(c);
        }
      }
    }
  }
  if (order.length !== providers.size) {
    // the CLI refuses cycles (with their names) before allocating
    throw new Error(`allocate: the providers consume each other in a cycle (${[...providers.keys()].filter((p) => !order.includes(p)).join(', ')})`);
  }
  return order;
}

