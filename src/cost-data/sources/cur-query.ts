import { Decimal } from '../../private/decimal';
import { curColumnCollisions } from '../../private/tag-safe';
import { TagKeys } from '../../tag-keys';
import { CostDataError } from '../errors';
import { curMetric } from '../metrics';
import { CostQuery, CostRow } from '../query';
import { CostGrouping, SqlDialect } from '../query-terms';
import { CurQueries } from '../schemas/cur-sql';
import { ScanKeys } from '../schemas/schema';

/**
 * What the two CUR 2.0 sources (files through DuckDB, the Athena table) share: the one cost query they run, the
 * reading of its result rows into the normalized cost table, and the explanations when tags are missing.
 */

/** Where a CUR 2.0 cost query runs. */
export interface CurTarget {
  /** Table, view or table expression, as `CostQueryOptions.table`. */
  readonly table: string;
  readonly dialect: SqlDialect;
  /** Whether the table has `bill_invoice_id` (the estimated flag reads it). */
  readonly estimatedFlag: boolean;
  /** The partition column holding the billing period, when the table has one (Athena reads only those partitions). */
  readonly billingPeriodColumn?: string;
  /**
   * Read every row, without the date filter (the caller keeps the period's rows): the rows without a date come back
   * with a null `usage_date`. For CSV files, which have no statistics to skip rows by. @default false
   */
  readonly everyRow?: boolean;
  /** The keys of the file sources' one scan for the cost, the rules and the coverage (`scanKeysOf`). @default - the plain cost query */
  readonly scan?: ScanKeys;
}

/** The cost query of a report: cost per (service, group, day, currency), one scan, one aggregation. */
export function curCostSql(query: CostQuery, target: CurTarget): string {
  return CurQueries._costBy({
    table: target.table,
    dialect: target.dialect,
    groupBy: query.groupBy,
    metric: curMetric(query.metric, target.table),
    tagKeys: query.tagKeys,
    from: target.everyRow ? undefined : query.from,
    to: target.everyRow ? undefined : query.to,
    daily: query.granularity !== 'month',
    monthly: query.granularity === 'month',
    estimatedFlag: target.estimatedFlag,
    dimension: query.dimension,
    billingPeriodColumn: target.billingPeriodColumn,
  }, target.scan);
}

/** The cost table read from the result rows of `curCostSql`, with the tax and credits it holds. */
export interface CurCostTable {
  readonly rows: CostRow[];
  /** Sum of `tax_amount`. */
  readonly tax: number;
  /** Sum of `credit_amount` (credits and refunds, usually negative). */
  readonly credits: number;
}

/** The amount columns of `curCostSql`. */
const AMOUNT_COLUMNS = ['amount', 'tax_amount', 'credit_amount'];

/** A result row whose amount is not a finite number (NaN, ±Infinity, text), with the column and value. */
export interface NonFiniteAmount {
  readonly row: Record<string, unknown>;
  readonly column: string;
  readonly value: unknown;
}

/** The first result row of `curCostSql` with an amount (of `columns`) that is not a finite number, if any. */
export function firstNonFinite(raw: ReadonlyArray<Record<string, unknown>>,
  columns: readonly string[] = AMOUNT_COLUMNS): NonFiniteAmount | undefined {
  for (const row of raw) {
    for (const column of columns) {
      const value = row[column];
      if (value !== undefined && value !== null && value !== '' && !Number.isFinite(Number(value))) {
        return { row, column, value };
      }
    }
  }
  return undefined;
}

/** The message for an amount that is not a number: where (file or table), the day, the service and the group. */
export function nonFiniteMessage(bad: NonFiniteAmount, where: string, query: CostQuery): string {
  const r = bad.row;
  const group = query.groupBy === CostGrouping.SERVICE ? '' : `, ${CurQueries.groupingTagKey(query.groupBy, query.tagKeys)} "${text(r.group_value)}"`;
  return `${where} holds a cost that is not a number (${String(bad.value)}) on ${text(r.usage_date) || 'an unknown day'} `
    + `for ${query.tagKeys.service} "${text(r.service)}"${group}: refusing to add it up; fix or remove those line items`;
}

/**
 * Reads the result rows of `curCostSql` (values as DuckDB or Athena give them: numbers or strings) into cost rows.
 * Refuses amounts that are not finite numbers (naming `where`, the day and the group) and rows that mix currencies.
 */
export function curCostTable(raw: ReadonlyArray<Record<string, unknown>>, query: CostQuery, where: string): CurCostTable {
  const bad = firstNonFinite(raw);
  if (bad) {
    throw new CostDataError(nonFiniteMessage(bad, where, query));
  }
  let tax = 0;
  let credits = 0;
  const rows = raw.map((r): CostRow => {
    const taxAmount = Number(r.tax_amount ?? 0);
    const creditAmount = Number(r.credit_amount ?? 0);
    tax += taxAmount;
    credits += creditAmount;
    return {
      service: text(r.service),
      group: text(r.group_value),
      day: text(r.usage_date),
      amount: Number(r.amount),
      exactAmount: text(r.amount),
      nonResourceAmount: taxAmount + creditAmount,
      exactNonResourceAmount: Decimal.of(text(r.tax_amount) || 0).plus(Decimal.of(text(r.credit_amount) || 0)).toString(),
      currency: text(r.currency),
      estimated: Number(r.estimated ?? 0) === 1,
    };
  });
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const noCurrency = rows.find((r) => r.currency.trim() === '');
  if (noCurrency) {
    throw new CostDataError(`${where} holds line items without a currency (line_item_currency_code is empty) on ${noCurrency.day}: `
      + 'amounts without a currency cannot be added up; check the export');
  }
  if (currencies.length > 1) {
    throw new CostDataError(`the CUR data mixes currencies (${currencies.join(', ')}) between ${query.from} and ${query.to}: `
      + 'amounts in different currencies cannot be added; report on one payer account (one currency) at a time');
  }
  return { rows, tax, credits };
}

/** The notes every CUR report carries: tax and credits in the totals, estimated amounts. */
export function curNotes(table: CurCostTable): string[] {
  const notes: string[] = [];
  const currency = table.rows[0]?.currency ?? '';
  if (table.tax !== 0 || table.credits !== 0) {
    notes.push(`totals include tax (${table.tax.toFixed(2)} ${currency}) and credits/refunds (${table.credits.toFixed(2)} ${currency}), `
      + 'which belong to no resource: they are in the untagged row and left out of the tagged share');
  }
  if (table.rows.some((r) => r.estimated)) {
    notes.push('part of the period is not invoiced yet (no bill_invoice_id): those amounts are estimates and can still change');
  }
  return notes;
}

/**
 * The tag keys of the report (the grouped one, and the service key) that no row carries. A report grouped by the
 * provider or a column (`--by region`) has no grouped tag: only the service key can be absent.
 */
export function absentTagKeys(query: CostQuery, rows: readonly CostRow[]): string[] {
  const groupKey = CurQueries.groupingTagKey(query.groupBy, query.tagKeys);
  const byTag = !query.byProvider && query.dimension === undefined;
  const absent: string[] = [];
  if (byTag && !rows.some((r) => r.group !== '')) {
    absent.push(groupKey);
  }
  if ((!byTag || query.groupBy !== CostGrouping.SERVICE) && !rows.some((r) => r.service !== '')) {
    absent.push(query.tagKeys.service);
  }
  return absent;
}

/**
 * Explains keys that no row carries, given the `resource_tags` keys present in the data (`CurQueries.tagKeysPresent`):
 * a grouped key found nowhere is an error (it was probably never activated as a cost allocation tag); any other
 * absent key gets a note.
 *
 * @param where how the data is named in the error, e.g. `in export/` or `of Athena table db.cur2`
 * @param span what the error adds after `resource_tags`, e.g. ` between 2026-10-01 and 2026-11-01`
 */
export function explainAbsentKeys(query: CostQuery, absent: string[], present: ReadonlySet<string>, where: string, span = ''): string[] {
  const groupKey = CurQueries.groupingTagKey(query.groupBy, query.tagKeys);
  const mapKey = TagKeys.curMapKey;
  // grouped by the provider or a column, no tag is needed: an absent service key is a note
  const byTag = !query.byProvider && query.dimension === undefined;
  if (byTag && absent.includes(groupKey) && !present.has(mapKey(groupKey))) {
    const found = [...present].sort();
    const near = nearMatch(mapKey(groupKey), found);
    throw new CostDataError(`no line item ${where} carries ${mapKey(groupKey)} (tag "${groupKey}") in resource_tags${span}`
      + ` (found: ${found.length > 0 ? found.join(', ') : 'no user tag keys at all'}): `
      + (near ? nearMatchAdvice(near, mapKey(groupKey))
        : 'the key was probably never activated as a cost allocation tag; activate the customer-value tag keys in the management account '
          + '(Billing console > Cost allocation tags, or the CostAllocationTags construct); CUR 2.0 includes a key only from its activation on'));
  }
  return absent.map((key) => {
    const base = `no line item between ${query.from} and ${query.to} carries the "${key}" tag (${mapKey(key)})`;
    if (present.has(mapKey(key))) {
      return `${base}, though line items outside the period do`;
    }
    const near = nearMatch(mapKey(key), [...present]);
    return `${base}: ${near ? nearMatchAdvice(near, mapKey(key)) : 'it was probably never activated as a cost allocation tag'}`;
  });
}

/** A key of the data that differs from `wanted` only in letter case or punctuation (`USER_CUSTOMER_SERVICE`). */
function nearMatch(wanted: string, found: readonly string[]): string | undefined {
  const fold = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
  return found.find((k) => k !== wanted && fold(k) === fold(wanted));
}

function nearMatchAdvice(near: string, wanted: string): string {
  const kind = near.toLowerCase() === wanted.toLowerCase() ? 'only in letter case' : 'only in letter case or punctuation';
  return `the data has ${near}, which differs from ${wanted} ${kind}, and keys are compared exactly: `
    + `rename the key in the data to ${wanted} (or tag the resources with the key the app declares)`;
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

/**
 * The CUR 2.0 rule on the keys a report reads: keys that become the same `resource_tags` column (`team` read from
 * `business_unit` and `businessUnit` from `business-unit` both become `user_business_unit`) cannot be told apart in
 * CUR 2.0 data, so such a mapping is refused, naming the flag. FOCUS and Cost Explorer keys are exact strings: this
 * rule is not theirs.
 */
export function curKeyCollisions(keys: TagKeys): string | undefined {
  const collisions = curColumnCollisions(keys.toJson() as Record<string, string>);
  return collisions.length === 0 ? undefined
    : `the tag keys read (--tag-key, cdk.json): ${collisions.join('; ')} (CUR 2.0 turns tag keys into column names: \`_\` before capitals, lower case, other `
      + 'characters to `_`; FOCUS and Cost Explorer keys are compared exactly)';
}
