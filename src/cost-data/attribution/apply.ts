import { OrderedRule } from './rules';
import { Decimal } from '../../private/decimal';
import { CostRow, exactAmountOf, exactNonResourceOf, RuleMatch } from '../query';

/**
 * Attribution of untagged spend by the declared rules, before the value chain (docs/attribution.md, sections 4 and 8):
 * what each rule matched is split over its targets per billing month, exactly (largest remainder in units of 10^-18),
 * taken off the untagged rows and given to the target services as rows of their own, so that every report downstream
 * (the cost table, the value chain) reads direct cost = tagged + attributed, and tagged + attributed + unattributed =
 * the total to the unit.
 */

/** A declared service as the targets see it. */
export interface TargetService {
  readonly name: string;
  readonly businessUnit: string;
  /** The stacks it is declared in. */
  readonly stacks: readonly string[];
}

/** What one rule attributed. */
export interface RuleOutcome {
  readonly rule: string;
  /** Attributed, per currency. */
  readonly amount: Decimal;
  readonly months: Record<string, Decimal>;
  readonly targets: Record<string, Decimal>;
  /** Matched but left unattributed (no target with a base in the month), with the reason. */
  readonly unattributed: Decimal;
  readonly reasons: string[];
  /** Matched line items at all. */
  readonly matched: boolean;
}

export interface AttributionOutcome {
  readonly rows: CostRow[];
  readonly rules: RuleOutcome[];
  readonly tagged: Decimal;
  /**
   * The part of `tagged` whose service tag holds a value no declaration carries: tagged here (the bill has the tag),
   * unattributed in `customer-value coverage` (reason: a tag value no declaration carries).
   */
  readonly undeclared: Decimal;
  readonly attributed: Decimal;
  readonly unattributed: Decimal;
  /** The part of `attributed` from line items of no resource (tax, credits, refunds; FOCUS also adjustments, purchases). */
  readonly attributedNonResource: Decimal;
  readonly warnings: string[];
}

const SCALE = 10n ** 18n;

function units(d: Decimal): bigint {
  const [whole, fraction = ''] = d.toFixed(18).split('.');
  const negative = whole.startsWith('-');
  const u = BigInt(whole.replace('-', '')) * SCALE + BigInt(fraction.padEnd(18, '0'));
  return negative ? -u : u;
}

function fromUnits(u: bigint): Decimal {
  return Decimal.parse(`${u}e-18`)!;
}

/**
 * `amount` split by `weights` (non-negative, not all zero) into exact shares that add up to it: each share rounded
 * toward zero, the units left given one by one to the largest remainders, ties by name.
 */
export function splitExactly(amount: Decimal, weights: ReadonlyArray<{ name: string; weight: bigint }>): Map<string, Decimal> {
  const total = weights.reduce((s, w) => s + w.weight, 0n);
  if (total <= 0n) {
    throw new Error('splitExactly: no positive weight');
  }
  const a = units(amount);
  const sign = a < 0n ? -1n : 1n;
  const abs = a * sign;
  const parts = weights.map((w) => ({ name: w.name, share: (abs * w.weight) / total, rest: (abs * w.weight) % total }));
  let left = abs - parts.reduce((s, p) => s + p.share, 0n);
  const order = [...parts].sort((x, y) => (y.rest > x.rest ? 1 : y.rest < x.rest ? -1 : x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const p of order) {
    if (left <= 0n) {
      break;
    }
    p.share += 1n;
    left -= 1n;
  }
  return new Map(parts.map((p) => [p.name, fromUnits(p.share * sign)]));
}

/** Parts per million of a percentage (fixed splits), as a weight. */
function percentWeight(p: number): bigint {
  return BigInt(Math.round(p * 1e6));
}

/**
 * Applies the rules' matches to the cost table grouped by service (a row's `group` is its service): untagged rows
 * lose what the rules attributed; the target services gain rows for it, on the same day, in the same currency.
 */
export function applyAttribution(rows: readonly CostRow[], matches: readonly RuleMatch[], rules: readonly OrderedRule[],
  services: readonly TargetService[], groupOf: (service: string) => string = (service) => service): AttributionOutcome {
  // matches per value of the grouped tag (the review's business unit): taken off the untagged row of that value
  const grouped = matches.some((m) => m.group !== undefined);
  const groupKey = (group: string | undefined) => (grouped ? `\u0000${group ?? ''}` : '');
  const declared = new Set(services.map((s) => s.name));
  const month = (day: string) => day.slice(0, 7);
  // base per (month, currency): tagged cost of each declared service ...
  const base = new Map<string, Map<string, Decimal>>();
  const addBase = (key: string, service: string, amount: Decimal) => {
    const m = base.get(key) ?? new Map<string, Decimal>();
    m.set(service, (m.get(service) ?? Decimal.ZERO).plus(amount));
    base.set(key, m);
  };
  let tagged = Decimal.ZERO;
  let undeclared = Decimal.ZERO;
  let total = Decimal.ZERO;
  for (const r of rows) {
    total = total.plus(exactAmountOf(r));
    if (r.service !== '') {
      tagged = tagged.plus(exactAmountOf(r));
      if (!declared.has(r.service)) {
        undeclared = undeclared.plus(exactAmountOf(r));
      }
    }
    if (declared.has(r.service)) {
      addBase(`${month(r.day)}\u0000${r.currency}`, r.service, exactAmountOf(r));
    }
  }
  // ... plus what rules with a single-service target give it (docs/attribution.md section 4)
  for (const m of matches) {
    const t = rules[m.rule].rule.target;
    if (t.kind === 'service' && t.services?.[0] && declared.has(t.services[0])) {
      addBase(`${month(m.day)}\u0000${m.currency}`, t.services[0], m.amount);
    }
  }

  const outcomes = rules.map((r) => ({
    rule: r.id,
    amount: Decimal.ZERO,
    months: {} as Record<string, Decimal>,
    targets: {} as Record<string, Decimal>,
    unattributed: Decimal.ZERO,
    reasons: [] as string[],
    matched: false,
  }));
  const added = new Map<string, CostRow>();
  const taken = new Map<string, { amount: Decimal; nonResource: Decimal }>();
  const rowKey = (service: string, day: string, currency: string, provider: string | undefined) =>
    `${service}\u0000${day}\u0000${currency}\u0000${provider ?? ''}`;
  const warnings: string[] = [];
  let attributedNonResource = Decimal.ZERO;

  const overlaps = new Map<string, Decimal>();
  for (const m of matches) {
    for (const a of m.also ?? []) {
      const k = `${m.rule}\u0000${a.rule}\u0000${month(m.day)}\u0000${m.currency}`;
      overlaps.set(k, (overlaps.get(k) ?? Decimal.ZERO).plus(a.amount));
    }
  }
  for (const [k, amount] of [...overlaps].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [i, j, mo, currency] = k.split('\u0000');
    const first = rules[Number(i)].id;
    warnings.push(`rules ${first} and ${rules[Number(j)].id} both match ${amount.toFixed(2)} ${currency} of ${mo}; ${first}, earlier, attributes it`);
  }

  for (const m of matches) {
    const { id, rule } = rules[m.rule];
    const out = outcomes[m.rule];
    out.matched = true;
    const t = rule.target;
    let names: string[];
    switch (t.kind) {
      case 'service':
      case 'services':
        names = t.services ?? [];
        break;
      case 'business-unit':
        names = services.filter((s) => s.businessUnit === t.businessUnit).map((s) => s.name);
        break;
      case 'everyone':
        names = services.map((s) => s.name);
        break;
      case 'stack-services':
        names = services.filter((s) => s.stacks.includes(m.stack)).map((s) => s.name);
        break;
    }
    names = [...new Set(names)].filter((n) => declared.has(n)).sort();
    const method = t.kind === 'service' ? 'even' : t.allocation?.method ?? 'proportional';
    const monthBase = base.get(`${month(m.day)}\u0000${m.currency}`);
    let weights = names.map((name) => {
      if (method === 'even') {
        return { name, weight: 1n };
      }
      if (method === 'fixed') {
        return { name, weight: percentWeight(t.allocation?.percentages?.[name] ?? 0) };
      }
      const b = monthBase?.get(name) ?? Decimal.ZERO;
      return { name, weight: b.sign() > 0 ? units(b) : 0n };
    });
    weights = weights.filter((w) => w.weight > 0n);
    if (weights.length === 0) {
      const reason = names.length === 0
        ? `rule ${id}: no declared service is a target of it (${t.kind}${t.businessUnit ? ` ${t.businessUnit}` : ''}${m.stack ? `, stack ${m.stack}` : ''})`
        : `rule ${id}: no target had cost in ${month(m.day)}`;
      if (!out.reasons.includes(reason)) {
        out.reasons.push(reason);
      }
      out.unattributed = out.unattributed.plus(m.amount);
      continue;
    }
    const shares = splitExactly(m.amount, weights);
    const nonResource = splitExactly(m.nonResource, weights);
    for (const [name, share] of shares) {
      const key = rowKey(name, m.day, m.currency, m.provider);
      const prev = added.get(key);
      const amount = (prev ? exactAmountOf(prev) : Decimal.ZERO).plus(share);
      const nr = (prev ? exactNonResourceOf(prev) : Decimal.ZERO).plus(nonResource.get(name)!);
      added.set(key, {
        service: name,
        group: groupOf(name),
        attributed: true,
        day: m.day,
        currency: m.currency,
        estimated: false,
        amount: amount.toNumber(),
        exactAmount: amount.toString(),
        nonResourceAmount: nr.toNumber(),
        exactNonResourceAmount: nr.toString(),
        ...(m.provider !== undefined ? { provider: m.provider } : {}),
      });
      out.targets[name] = (out.targets[name] ?? Decimal.ZERO).plus(share);
    }
    out.amount = out.amount.plus(m.amount);
    attributedNonResource = attributedNonResource.plus(m.nonResource);
    out.months[month(m.day)] = (out.months[month(m.day)] ?? Decimal.ZERO).plus(m.amount);
    const k = rowKey('', m.day, m.currency, m.provider) + groupKey(m.group);
    const prev = taken.get(k) ?? { amount: Decimal.ZERO, nonResource: Decimal.ZERO };
    taken.set(k, { amount: prev.amount.plus(m.amount), nonResource: prev.nonResource.plus(m.nonResource) });
  }

  // take the attributed spend off the untagged rows
  const result: CostRow[] = [];
  const estimatedDays = new Set<string>();
  for (const r of rows) {
    const k = rowKey(r.service, r.day, r.currency, r.provider) + groupKey(r.group);
    const t = r.service === '' ? taken.get(k) : undefined;
    if (!t) {
      result.push(r);
      continue;
    }
    taken.delete(k);
    if (r.estimated) {
      estimatedDays.add(`${r.day}\u0000${r.currency}\u0000${r.provider ?? ''}`);
    }
    const amount = exactAmountOf(r).minus(t.amount);
    const nr = exactNonResourceOf(r).minus(t.nonResource);
    if (amount.sign() !== 0 || nr.sign() !== 0) {
      result.push({
        ...r,
        amount: amount.toNumber(),
        exactAmount: amount.toString(),
        nonResourceAmount: nr.toNumber(),
        exactNonResourceAmount: nr.toString(),
      });
    }
  }
  for (const k of taken.keys()) {
    // the source's cost table has no untagged row where its match query found untagged spend: never expected
    throw new Error(`attribution: matched untagged spend on ${k.split('\u0000').slice(1).join(' ')} that the cost table does not hold as untagged`);
  }
  for (const row of added.values()) {
    const estimated = estimatedDays.has(`${row.day}\u0000${row.currency}\u0000${row.provider ?? ''}`);
    result.push(estimated ? { ...row, estimated } : row);
  }
  const attributed = Decimal.sum(outcomes.map((o) => o.amount));
  for (const o of outcomes) {
    if (!o.matched) {
      warnings.push(`rule ${o.rule} matched no untagged spend in the period: check its criteria, or remove it`);
    }
  }
  return {
    rows: result,
    rules: outcomes,
    tagged,
    undeclared,
    attributed,
    unattributed: total.minus(tagged).minus(attributed),
    attributedNonResource,
    warnings,
  };
}
