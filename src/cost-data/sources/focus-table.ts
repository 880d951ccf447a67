import { firstNonFinite, nonFiniteMessage } from './cur-query';
import { Decimal } from '../../private/decimal';
import { customerValueField } from '../customer-value-fields';
import { CostDataError } from '../errors';
import { CostQuery, CostRow, exactAmountOf } from '../query';
import { CostGrouping, CostMetric, FocusMetric } from '../query-terms';
import { CurQueries } from '../schemas/cur-sql';

/**
 * What the two FOCUS sources (files through DuckDB, a FOCUS table in Athena) share: reading the result rows of
 * `FocusQueries.costBy` into the normalized cost table, one billing currency at a time, and the notes (charge
 * categories, corrections, near-duplicate tag keys, providers).
 */

/** The amount columns of `FocusQueries.costBy` (the last three with its `unusedCommitment`, `allocatedCharges` and `emptyCostRows`). */
const AMOUNTS = ['amount', 'tax_amount', 'credit_amount', 'adjustment_amount', 'purchase_amount', 'correction_amount',
  'unused_commitment_amount', 'allocated_amount', 'empty_cost_billed'];

/** The charge categories that belong to no resource, with how a note names them. */
const NON_RESOURCE = [['tax_amount', 'tax'], ['credit_amount', 'credits'], ['adjustment_amount', 'adjustments'], ['purchase_amount', 'purchases']];

export interface FocusCostTable {
  readonly rows: CostRow[];
  readonly notes: string[];
  /** Providers with their cost, largest first. */
  readonly providers: Array<[string, number]>;
  /** The reported currency. */
  readonly currency: string;
  /** Rows whose metric column is empty (counted as 0), with their BilledCost, per provider (`emptyCostRows`). */
  readonly emptyCost: ReadonlyMap<string, { readonly rows: number; readonly billed: number }>;
}

/**
 * Reads the result rows of `FocusQueries.costBy` (values as DuckDB or Athena give them) into cost rows of one
 * currency. Refuses amounts that are not finite numbers, rows without a currency, and data in several currencies
 * unless `query.currency` picks one (the others are left out with a note).
 *
 * @param where how the data is named in messages (files, or an Athena table)
 */
export function focusCostTable(raw: ReadonlyArray<Record<string, unknown>>, query: CostQuery, where: string): FocusCostTable {
  const bad = firstNonFiniteOf(raw);
  if (bad) {
    throw new CostDataError(nonFiniteMessage(bad, where, query));
  }
  const noCurrency = raw.find((r) => text(r.currency).trim() === '');
  if (noCurrency) {
    throw new CostDataError(`${where} holds charges without a BillingCurrency on ${text(noCurrency.usage_date) || 'some day'} `
      + `(provider "${text(noCurrency.provider)}"): amounts without a currency cannot be added up; check the export`);
  }
  const notes: string[] = [];
  const byCurrency = new Map<string, { amount: number; rows: number; providers: Set<string> }>();
  for (const r of raw) {
    const c = byCurrency.get(text(r.currency)) ?? { amount: 0, rows: 0, providers: new Set<string>() };
    c.amount += Number(r.amount);
    c.rows += Number(r.line_items ?? 0);
    c.providers.add(text(r.provider) || '(no provider name)');
    byCurrency.set(text(r.currency), c);
  }
  const currencies = [...byCurrency.keys()].sort();
  const describe = (code: string) => {
    const c = byCurrency.get(code)!;
    return `${code} (${c.amount.toFixed(2)} over ${c.rows} row${c.rows === 1 ? '' : 's'}, ${[...c.providers].sort().join(', ')})`;
  };
  let currency = currencies[0];
  if (query.currency !== undefined) {
    if (!byCurrency.has(query.currency)) {
      throw new CostDataError(`--currency ${query.currency}: ${where} holds no charges billed in ${query.currency} between ${query.from} and `
        + `${query.to}; its billing currencies are ${currencies.map(describe).join(', ')}`);
    }
    currency = query.currency;
    const others = currencies.filter((c) => c !== currency);
    if (others.length > 0) {
      notes.push(`only charges billed in ${currency} are reported (--currency); left out, never converted or added: ${others.map(describe).join(', ')}`);
    }
  } else if (currencies.length > 1) {
    throw new CostDataError(`${where} holds charges in ${currencies.length} billing currencies between ${query.from} and ${query.to}: `
      + `${currencies.map(describe).join(', ')}; amounts in different currencies are never added up: report one at a time with `
      + `${currencies.map((c) => `--currency ${c}`).join(' or ')}`);
  }

  // One row per (service, group, day, provider): the key variants only feed the notes.
  const rows = new Map<string, { row: CostRow; nonResource: number }>();
  const sums: Record<string, number> = Object.fromEntries(AMOUNTS.map((a) => [a, 0]));
  const variants = new Map<string, { wanted: string; field: string; amount: number; rows: number }>();
  const providers = new Map<string, number>();
  const unusedByProvider = new Map<string, number>();
  const allocated = { amount: 0, rows: 0 };
  const emptyCost = new Map<string, { rows: number; billed: number }>();
  for (const r of raw) {
    if (text(r.currency) !== currency) {
      continue;
    }
    for (const a of AMOUNTS) {
      sums[a] += Number(r[a] ?? 0);
    }
    const amount = Number(r.amount);
    const nonResource = NON_RESOURCE.reduce((s, [column]) => s + Number(r[column] ?? 0), 0);
    const provider = text(r.provider);
    providers.set(provider, (providers.get(provider) ?? 0) + amount);
    if (Number(r.unused_commitment_amount ?? 0) !== 0) {
      unusedByProvider.set(provider, (unusedByProvider.get(provider) ?? 0) + Number(r.unused_commitment_amount));
    }
    allocated.amount += Number(r.allocated_amount ?? 0);
    allocated.rows += Number(r.allocated_rows ?? 0);
    if (Number(r.empty_cost_rows ?? 0) > 0) {
      const e = emptyCost.get(provider) ?? { rows: 0, billed: 0 };
      emptyCost.set(provider, { rows: e.rows + Number(r.empty_cost_rows), billed: e.billed + Number(r.empty_cost_billed ?? 0) });
    }
    const service = text(r.service);
    const group = text(r.group_value);
    const day = text(r.usage_date);
    const key = [service, group, day, provider].join('\u0000');
    const existing = rows.get(key);
    const estimated = Number(r.estimated ?? 0) === 1;
    if (existing) {
      // added up exactly (the DECIMAL sums as text), as the report does
      const sum = exactAmountOf(existing.row).plus(Decimal.of(text(r.amount)));
      existing.row = { ...existing.row, amount: sum.toNumber(), exactAmount: sum.toString(), estimated: existing.row.estimated || estimated };
      existing.nonResource += nonResource;
    } else {
      rows.set(key, { row: { service, group, day, amount, exactAmount: text(r.amount), currency, estimated, provider }, nonResource });
    }
    for (const [column, wanted, field] of [['service_variant', query.tagKeys.service, 'service'],
      ['group_variant', CurQueries.groupingTagKey(query.groupBy, query.tagKeys), groupFlag(query.groupBy)]] as const) {
      const variant = r[column];
      if (variant !== undefined && variant !== null && variant !== '') {
        const v = variants.get(`${wanted}\u0000${variant}`) ?? { wanted, field, amount: 0, rows: 0 };
        v.amount += amount;
        v.rows += Number(r.line_items ?? 0);
        variants.set(`${wanted}\u0000${variant}`, v);
      }
    }
  }

  const categories = NON_RESOURCE.filter(([column]) => sums[column] !== 0).map(([column, label]) => `${label} (${sums[column].toFixed(2)} ${currency})`);
  if (categories.length > 0) {
    notes.push(`totals include ${join(categories)} (FOCUS ChargeCategory Tax, Credit, Adjustment, Purchase), which belong to no resource: `
      + 'they are left out of the tagged share, and in the untagged row unless tagged');
  }
  if (sums.correction_amount !== 0) {
    notes.push(`${sums.correction_amount.toFixed(2)} ${currency} of corrections (ChargeClass Correction) count in the charge period they correct `
      + '(ChargePeriodStart), which may be in an earlier billing period');
  }
  for (const [key, v] of [...variants.entries()].sort((a, b) => Math.abs(b[1].amount) - Math.abs(a[1].amount))) {
    const variant = key.split('\u0000')[1];
    notes.push(`near-duplicate tag key (data quality): ${v.amount.toFixed(2)} ${currency} on ${v.rows} row${v.rows === 1 ? '' : 's'} carries `
      + `${JSON.stringify(variant)} but not ${JSON.stringify(v.wanted)}, which differ only in letter case, spaces, punctuation or a prefix; `
      + `keys are compared exactly and never merged, so that cost counts as untagged: fix the tags, or read that key with --tag-key ${v.field}=${quoteArg(variant)}`);
  }
  if (allocated.rows > 0) {
    notes.push(`split cost allocation: ${allocated.amount.toFixed(2)} ${currency} on ${allocated.rows} row${allocated.rows === 1 ? '' : 's'} with `
      + 'AllocatedTags (FOCUS 1.3) is reported under those tags together with the row\'s Tags, an allocated tag winning over a resource tag of '
      + 'the same key: the allocated share belongs to what it was allocated to');
  }
  const unused = [...unusedByProvider.values()].reduce((a, b) => a + b, 0);
  if (unused !== 0) {
    notes.push(unusedCommitmentNote(unused, unusedByProvider, currency, query));
  }
  const list = [...providers.entries()].sort((a, b) => b[1] - a[1]);
  if (list.length > 1) {
    notes.push(`providers: ${list.map(([p, a]) => `${p || '(no provider name)'} ${a.toFixed(2)} ${currency}`).join(', ')} `
      + '(customer-value cost --by provider for cost per provider)');
  }
  return {
    rows: [...rows.values()].map(({ row, nonResource }) => ({ ...row, nonResourceAmount: nonResource })),
    notes,
    providers: list,
    currency,
    emptyCost,
  };
}

/**
 * Unused commitment (FOCUS `CommitmentDiscountStatus` Unused): the part of a commitment discount (a reservation, a
 * savings plan, a committed use discount) paid for and not used in the charge period, in EffectiveCost. With
 * `--metric effective` it is in the totals, on its own rows; with BilledCost the purchase rows carry it.
 */
function unusedCommitmentNote(total: number, byProvider: ReadonlyMap<string, number>, currency: string, query: CostQuery): string {
  const effective = query.metric === FocusMetric.EFFECTIVE || query.metric === CostMetric.AMORTIZED;
  const per = byProvider.size > 1 ? ` (${[...byProvider].sort((a, b) => b[1] - a[1]).map(([p, a]) => `${p || '(no provider name)'} ${a.toFixed(2)}`).join(', ')})` : '';
  return `unused commitment: ${total.toFixed(2)} ${currency} of EffectiveCost${per} is commitment discount paid for and not used in the period `
    + '(CommitmentDiscountStatus Unused): '
    + (effective ? 'it is in the totals, on the rows of the commitments (untagged unless they carry the tag)'
      : 'with BilledCost it is part of the commitment purchases; --metric effective shows it as a cost of its own');
}

/**
 * The note on rows whose metric column is empty (counted as 0): how many, and their BilledCost, per provider and
 * charge category where the details are known (else per provider).
 */
export function emptyCostNote(metricColumn: string, details: ReadonlyArray<{
  readonly provider: string;
  readonly category?: string;
  readonly rows: number;
  readonly billed: number;
}>, currency: string): string | undefined {
  const rows = details.reduce((s, d) => s + d.rows, 0);
  if (rows === 0) {
    return undefined;
  }
  // BilledCost itself empty: there is no other amount to give (FOCUS says it MUST NOT be null)
  const billedToo = metricColumn !== 'BilledCost';
  const parts = [...details].sort((a, b) => b.rows - a.rows || a.provider.localeCompare(b.provider)).map((d) =>
    `${d.provider || '(no provider name)'}${d.category ? ` ${d.category}` : ''} ${d.rows} row${d.rows === 1 ? '' : 's'}`
    + (billedToo ? ` (BilledCost ${d.billed.toFixed(2)} ${currency})` : ''));
  const billed = details.reduce((s, d) => s + d.billed, 0);
  return `${metricColumn} is empty on ${rows} row${rows === 1 ? '' : 's'}${billedToo ? ` (BilledCost ${billed.toFixed(2)} ${currency})` : ''}, `
    + `counted as 0 in the totals: ${parts.join(', ')}; the provider left ${metricColumn} empty there, so the totals leave those charges out`
    + (billedToo ? '' : ' (FOCUS says BilledCost MUST NOT be null: check the export)');
}

/** The first result row with an amount that is not a finite number. */
function firstNonFiniteOf(raw: ReadonlyArray<Record<string, unknown>>) {
  return firstNonFinite(raw) ?? firstNonFinite(raw, AMOUNTS);
}

/** The `--tag-key` field of a grouping (the customer-value field table). */
function groupFlag(grouping: CostGrouping): string {
  return customerValueField(grouping).grouping;
}

function quoteArg(key: string): string {
  return /^[A-Za-z0-9_.:/=+-]+$/.test(key) ? key : `'${key.replace(/'/g, "'\\''")}'`;
}

function join(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

/** A tag key of the data, with the rows carrying it. */
export interface PresentKey {
  readonly key: string;
  readonly rows: number;
}

/**
 * The report keys no row carries. The grouped tag is needed only by a report grouped by a tag (not `--by provider`
 * or a column such as `--by region`): when no row carries it, the report has nothing to show and is refused. The
 * service tag is reported on otherwise: when no row carries it, every row is reported without a service, and a note
 * says which keys the data has (`serviceAbsentNote`).
 */
export function absentFocusKeys(query: CostQuery, rows: ReadonlyArray<{ service: string; group: string }>): { group: boolean; service: boolean } {
  const byTag = !query.byProvider && query.dimension === undefined;
  return {
    group: byTag && !rows.some((r) => r.group !== ''),
    service: !rows.some((r) => r.service !== ''),
  };
}

/** The keys the data has, most used first, at most 20 named. */
function keyList(found: readonly PresentKey[]): string {
  const sorted = [...found].sort((a, b) => b.rows - a.rows || a.key.localeCompare(b.key));
  const shown = sorted.slice(0, 20).map((k) => `${JSON.stringify(k.key)} (${k.rows} row${k.rows === 1 ? '' : 's'})`);
  return sorted.length > 20 ? `${shown.join(', ')} and ${sorted.length - 20} more` : shown.join(', ');
}

/** `--tag-key service=Owner`, with the most used key of the data (quoted for a shell when needed). */
function mapping(field: string, found: readonly PresentKey[]): string {
  const best = [...found].sort((a, b) => b.rows - a.rows || a.key.localeCompare(b.key))[0];
  return `--tag-key ${field}=${best ? quoteArg(best.key) : 'KEY'}`;
}

/**
 * The refusal when no charge carries the grouped tag, naming the keys the data has (`found`, when they were read)
 * or how to list them (`hint`).
 */
export function groupAbsentMessage(query: CostQuery, where: string, found: readonly PresentKey[] | undefined, hint?: string): string {
  const key = CurQueries.groupingTagKey(query.groupBy, query.tagKeys);
  const keys = found === undefined ? (hint ?? '') : ` (found: ${found.length > 0 ? keyList(found) : 'no tag keys at all'})`;
  return `no charge in ${where} between ${query.from} and ${query.to} carries the tag "${key}" in Tags${keys}: keys are compared exactly; `
    + `if the data names it differently, pass --tag-key ${groupFlag(query.groupBy)}=KEY `
    + '(or set it in cdk.json, context "customer-value:costDataTagKeys")';
}

/** The note when no charge carries the service tag: every row is reported without a service; which keys exist. */
export function serviceAbsentNote(query: CostQuery, found: readonly PresentKey[] | undefined, hint?: string): string {
  const keys = found === undefined ? (hint ? `; ${hint}` : '')
    : found.length > 0 ? `; the data's tag keys are ${keyList(found)}` : '; the data has no tag keys at all';
  return `no charge between ${query.from} and ${query.to} carries the "${query.tagKeys.service}" tag in Tags (keys are compared exactly), `
    + `so every row is reported without a service and the tagged share is 0${keys}: if one of them names the service, read it with `
    + `${found && found.length > 0 ? mapping('service', found) : '--tag-key service=KEY'} (or set it in cdk.json, context "customer-value:costDataTagKeys")`;
}
