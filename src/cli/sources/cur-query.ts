import { CliError, CostQuery, CostRow } from './types';
import { CostGrouping, CurQueries, SqlDialect } from '../../billing/cur-sql';
import { TagKeys } from '../../tag-keys';

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
}

/** The cost query of a report: cost per (service, group, day, currency), one scan, one aggregation. */
export function curCostSql(query: CostQuery, target: CurTarget): string {
  return CurQueries.costBy({
    table: target.table,
    dialect: target.dialect,
    groupBy: query.groupBy,
    metric: query.metric,
    tagKeys: query.tagKeys,
    from: query.from,
    to: query.to,
    daily: true,
    estimatedFlag: target.estimatedFlag,
    billingPeriodColumn: target.billingPeriodColumn,
  });
}

/** The cost table read from the result rows of `curCostSql`, with the tax and credits it holds. */
export interface CurCostTable {
  readonly rows: CostRow[];
  /** Sum of `tax_amount`. */
  readonly tax: number;
  /** Sum of `credit_amount` (credits and refunds, usually negative). */
  readonly credits: number;
}

/**
 * Reads the result rows of `curCostSql` (values as DuckDB or Athena give them: numbers or strings) into cost rows.
 * Refuses rows that mix currencies.
 */
export function curCostTable(raw: ReadonlyArray<Record<string, unknown>>, query: CostQuery): CurCostTable {
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
      nonResourceAmount: taxAmount + creditAmount,
      currency: text(r.currency),
      estimated: Number(r.estimated ?? 0) === 1,
    };
  });
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  if (currencies.length > 1) {
    throw new CliError(`the CUR data mixes currencies (${currencies.join(', ')}) between ${query.from} and ${query.to}: `
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

/** The tag keys of the report (the grouped one, and the service key) that no row carries. */
export function absentTagKeys(query: CostQuery, rows: readonly CostRow[]): string[] {
  const groupKey = CurQueries.groupingTagKey(query.groupBy, query.tagKeys);
  const absent: string[] = [];
  if (!rows.some((r) => r.group !== '')) {
    absent.push(groupKey);
  }
  if (query.groupBy !== CostGrouping.SERVICE && !rows.some((r) => r.service !== '')) {
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
  if (absent.includes(groupKey) && !present.has(mapKey(groupKey))) {
    const found = [...present].sort();
    throw new CliError(`no line item ${where} carries ${mapKey(groupKey)} (tag "${groupKey}") in resource_tags${span}`
      + ` (found: ${found.length > 0 ? found.join(', ') : 'no user tag keys at all'}): `
      + 'the key was probably never activated as a cost allocation tag; activate the customer-value tag keys in the management account '
      + '(Billing console > Cost allocation tags, or the CostAllocationTags construct); CUR 2.0 includes a key only from its activation on');
  }
  return absent.map((key) => `no line item between ${query.from} and ${query.to} carries the "${key}" tag `
    + `(${mapKey(key)})${present.has(mapKey(key)) ? ', though line items outside the period do' : ': it was probably never activated as a cost allocation tag'}`);
}

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}
