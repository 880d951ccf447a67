import { customerLabel, dimensionLabel } from './labels';
import { Decimal } from './model';
import { DeclaredService } from '../declarations/cloud-assembly';
import { CostDataError } from '../errors';
import { groupField, groupTagKey } from '../grouping';
import { CostQuery, CostResult, exactAmountOf, exactNonResourceOf } from '../query';
import { CostGrouping } from '../query-terms';

/**
 * Cost rows to groups: the one place where the cost table of a source meets the declarations. Everything a report
 * shows (rows, totals, tagged share, chart) is computed from a `CostAggregate`, never from the source rows again.
 */

/** One declared service, merged over the stages it is declared in. */
export interface MergedService {
  readonly name: string;
  /** The first declaration read (the report uses it when stages disagree). */
  readonly decl: DeclaredService;
  readonly stages: string[];
}

/**
 * `declared`: a declared service carries the tag value; `not-declared`: none does; `untagged`: no value;
 * `provider`: a provider's cost (`--by provider`), which no declaration names; `column`: a value of a column of the
 * data (`--by region`, ...), which no declaration names either.
 */
export type GroupStatus = 'declared' | 'not-declared' | 'untagged' | 'provider' | 'column';

/** The cost of one value of the grouped tag. */
export interface CostGroup {
  /** The tag value, `''` for untagged cost. */
  readonly value: string;
  readonly label: string;
  readonly status: GroupStatus;
  /** The declared services whose grouped tag has this value. */
  readonly services: MergedService[];
  readonly cost: number;
  /** Whether part of the cost can still change (not invoiced yet). */
  readonly estimated: boolean;
  /** Cost per service tag value (`''`: cost without a service tag), in the order first seen. */
  readonly costByService: ReadonlyMap<string, number>;
  /** Cost per day of the source's table. */
  readonly byDay: ReadonlyMap<string, number>;
  /** Cost per provider (only rows that name one). */
  readonly byProvider: ReadonlyMap<string, number>;
  /** The part of `cost` that is resource spend (no tax, credits, refunds...), and its part without a service tag. */
  readonly resourceCost: number;
  readonly untaggedResourceCost: number;
  /** The amounts shown, exactly (`cost` and friends are their nearest numbers, for shares, sorting and charts). */
  readonly exact: {
    readonly cost: Decimal;
    readonly byProvider: ReadonlyMap<string, Decimal>;
    readonly byDay: ReadonlyMap<string, Decimal>;
  };
}

/** A cost table aggregated per group, with the totals every report part needs. */
export interface CostAggregate {
  readonly currency: string;
  /** Declared groups first, then tag values nobody declared, then untagged; each by cost, largest first. */
  readonly groups: CostGroup[];
  readonly total: number;
  /** Cost per service tag value over all groups (`''`: without a service tag). */
  readonly costByService: ReadonlyMap<string, number>;
  /** Cost without a service tag. */
  readonly untagged: number;
  /**
   * Whether every row tells its tax, credits and refunds apart (CUR 2.0, Athena; Cost Explorer cannot): the tagged
   * share then covers resource spend only, as the untagged-share named query does.
   */
  readonly byResource: boolean;
  /** The total without tax, credits and refunds (equal to `total` when not `byResource`). */
  readonly resourceTotal: number;
  /** The untagged cost without tax, credits and refunds. */
  readonly untaggedResource: number;
  readonly estimated: boolean;
  /** The days of the table that have cost (any amount, in any row). */
  readonly days: ReadonlySet<string>;
  /** Cost per provider, when the rows name providers (FOCUS), largest first. */
  readonly providers: ReadonlyMap<string, number>;
  /**
   * The amounts shown, exactly, added up from the rows' decimals (`exactAmountOf`): the number fields above are their
   * nearest numbers, for shares, sorting and charts.
   */
  readonly exact: {
    readonly total: Decimal;
    readonly untagged: Decimal;
    readonly resourceTotal: Decimal;
    readonly untaggedResource: Decimal;
    readonly costByService: ReadonlyMap<string, Decimal>;
    readonly providers: ReadonlyMap<string, Decimal>;
  };
}

/** Merges declarations of the same service over stages; a note says when two of them carry different tags. */
export function mergeServices(declared: DeclaredService[]): { services: MergedService[]; notes: string[] } {
  const notes: string[] = [];
  const byName = new Map<string, MergedService>();
  for (const d of declared) {
    const name = d.record.serviceName;
    const existing = byName.get(name);
    if (!existing) {
      byName.set(name, { name, decl: d, stages: d.stage ? [d.stage] : [] });
      continue;
    }
    if (d.stage) {
      existing.stages.push(d.stage);
    }
    if (JSON.stringify(existing.decl.record.tags) !== JSON.stringify(d.record.tags)) {
      notes.push(`service ${name} is declared with different tags in ${existing.decl.stage ?? existing.decl.stack} and `
        + `${d.stage ?? d.stack}: the report uses the first declaration`);
    }
  }
  return { services: [...byName.values()].sort((x, y) => x.name.localeCompare(y.name)), notes };
}

/** The value of the service tag a declared service carries. */
export function serviceTagOf(s: MergedService): string {
  return s.decl.record.tags[s.decl.record.tagKeys.service] ?? s.name;
}

/** The value of the grouped tag a declared service carries (`''` when it has none). */
export function groupTagOf(s: MergedService, grouping: CostGrouping): string {
  return s.decl.record.tags[s.decl.record.tagKeys[groupField(grouping)]] ?? '';
}

interface MutableGroup {
  value: string;
  label: string;
  status: GroupStatus;
  services: MergedService[];
  cost: Decimal;
  estimated: boolean;
  costByService: Map<string, Decimal>;
  byDay: Map<string, Decimal>;
  byProvider: Map<string, Decimal>;
  resourceCost: Decimal;
  untaggedResourceCost: Decimal;
}

/** Adds `amount` to the entry `key` of `map`. */
function add(map: Map<string, Decimal>, key: string, amount: Decimal): void {
  map.set(key, (map.get(key) ?? Decimal.ZERO).plus(amount));
}

/** The same map with the nearest numbers. */
function numbers(map: ReadonlyMap<string, Decimal>): Map<string, number> {
  return new Map([...map].map(([k, v]) => [k, v.toNumber()]));
}

/**
 * Adds up the rows of a source per value of the grouped tag. Refuses an empty table and a table that mixes
 * currencies (amounts in different currencies cannot be added).
 */
export function aggregate(query: CostQuery, result: CostResult, services: MergedService[]): CostAggregate {
  const grouping = query.groupBy;
  const groupKey = groupTagKey(grouping, query.tagKeys);
  if (result.rows.length === 0) {
    throw new CostDataError(`no cost between ${query.from} and ${query.to} (exclusive) in ${result.source}: check the period, `
      + 'and that the data covers it');
  }
  const bad = result.rows.find((r) => !Number.isFinite(r.amount) || (r.nonResourceAmount !== undefined && !Number.isFinite(r.nonResourceAmount)));
  if (bad) {
    throw new CostDataError(`${result.source} returned a cost that is not a number (${bad.amount}) on ${bad.day} for service tag `
      + `"${bad.service}", ${groupKey} "${bad.group}": refusing to add it up`);
  }
  const noCurrency = result.rows.find((r) => r.currency.trim() === '');
  if (noCurrency) {
    throw new CostDataError(`${result.source} returned a cost without a currency on ${noCurrency.day} for service tag "${noCurrency.service}": `
      + 'amounts without a currency cannot be added up');
  }
  const currencies = [...new Set(result.rows.map((r) => r.currency))].sort();
  if (currencies.length > 1) {
    throw new CostDataError(`the cost data mixes currencies (${currencies.join(', ')}) in ${result.source}: amounts in different currencies `
      + 'cannot be added up; report on one billing currency (e.g. one payer account) at a time');
  }

  // Every amount is added up exactly (the rows' decimals, bigint), then shown as its nearest number where a number is
  // needed: a float sum of 10^14 and more loses cents.
  const groups = new Map<string, MutableGroup>();
  const costByService = new Map<string, Decimal>();
  let total = Decimal.ZERO;
  let untagged = Decimal.ZERO;
  let resourceTotal = Decimal.ZERO;
  let untaggedResource = Decimal.ZERO;
  const byResource = result.rows.every((r) => r.nonResourceAmount !== undefined);
  const providers = new Map<string, Decimal>();
  for (const row of result.rows) {
    const amount = exactAmountOf(row);
    if (row.provider !== undefined) {
      add(providers, row.provider, amount);
    }
    total = total.plus(amount);
    const resourceAmount = amount.minus(exactNonResourceOf(row));
    resourceTotal = resourceTotal.plus(resourceAmount);
    if (row.service === '') {
      untagged = untagged.plus(amount);
    }
    // the tagged share (data quality) is the spend that carries the tag: resource spend a rule attributed does not
    if (row.service === '' || row.attributed) {
      untaggedResource = untaggedResource.plus(resourceAmount);
    }
    add(costByService, row.service, amount);
    // --by provider: the groups are the providers; a column (--by region, ...): its values; every other grouping: the
    // values of the grouped tag.
    const key = query.byProvider ? (row.provider ?? '') : row.group;
    const column = query.dimension !== undefined;
    let g = groups.get(key);
    if (!g) {
      const declared = query.byProvider || column || key === '' ? [] : services.filter((s) => groupTagOf(s, grouping) === key);
      g = {
        value: key,
        label: query.byProvider ? (key || '(no provider name)') : column ? (key || `(no ${dimensionLabel(query.dimension!)})`)
          : key === '' ? `(no ${groupKey} tag)` : groupLabel(grouping, key, declared),
        status: query.byProvider ? 'provider' : column ? 'column' : key === '' ? 'untagged' : declared.length > 0 ? 'declared' : 'not-declared',
        services: declared,
        cost: Decimal.ZERO,
        estimated: false,
        costByService: new Map(),
        byDay: new Map(),
        byProvider: new Map(),
        resourceCost: Decimal.ZERO,
        untaggedResourceCost: Decimal.ZERO,
      };
      groups.set(key, g);
    }
    g.cost = g.cost.plus(amount);
    g.resourceCost = g.resourceCost.plus(resourceAmount);
    if (row.service === '') {
      g.untaggedResourceCost = g.untaggedResourceCost.plus(resourceAmount);
    }
    if (row.provider !== undefined) {
      add(g.byProvider, row.provider, amount);
    }
    g.estimated = g.estimated || row.estimated;
    add(g.costByService, row.service, amount);
    add(g.byDay, row.day, amount);
  }

  // the rows without a value (untagged, no provider name, an empty column) last
  const rank = (g: MutableGroup) => (g.status === 'untagged' || g.value === '' ? 2 : g.status === 'not-declared' ? 1 : 0);
  const ordered = [...groups.values()].sort((a, b) => rank(a) - rank(b) || b.cost.compare(a.cost) || a.value.localeCompare(b.value));
  const sortedProviders = new Map([...providers.entries()].sort((a, b) => b[1].compare(a[1])));
  return {
    currency: currencies[0] || 'USD',
    groups: ordered.map((g): CostGroup => ({
      value: g.value,
      label: g.label,
      status: g.status,
      services: g.services,
      cost: g.cost.toNumber(),
      estimated: g.estimated,
      costByService: numbers(g.costByService),
      byDay: numbers(g.byDay),
      byProvider: numbers(g.byProvider),
      resourceCost: g.resourceCost.toNumber(),
      untaggedResourceCost: g.untaggedResourceCost.toNumber(),
      exact: { cost: g.cost, byProvider: g.byProvider, byDay: g.byDay },
    })),
    total: total.toNumber(),
    costByService: numbers(costByService),
    untagged: untagged.toNumber(),
    byResource,
    resourceTotal: (byResource ? resourceTotal : total).toNumber(),
    untaggedResource: (byResource ? untaggedResource : untagged).toNumber(),
    estimated: result.rows.some((r) => r.estimated),
    days: new Set(result.rows.map((r) => r.day)),
    providers: numbers(sortedProviders),
    exact: {
      total,
      untagged,
      resourceTotal: byResource ? resourceTotal : total,
      untaggedResource: byResource ? untaggedResource : untagged,
      costByService,
      providers: sortedProviders,
    },
  };
}

function groupLabel(grouping: CostGrouping, value: string, declared: MergedService[]): string {
  if (declared.length === 0) {
    return value;
  }
  const r = declared[0].decl.record;
  switch (grouping) {
    case CostGrouping.NEED: return r.customerNeed;
    case CostGrouping.CUSTOMER: return customerLabel(r.customer);
    default: return value;
  }
}
