import type { AttributionPlan } from './attribution/rules';
import { CostDimension, CostGrouping, CostMetric, FocusMetric } from './query-terms';
import { Decimal } from '../private/decimal';
import { TagKeys } from '../tag-keys';

/** The untagged spend one rule matched on one day (a row of the source's match query). */
export interface RuleMatch {
  /** Index into the ordered rules. */
  readonly rule: number;
  /** The value of `aws:cloudformation:stack-name`, `''` when absent. */
  readonly stack: string;
  /** `YYYY-MM-DD`. */
  readonly day: string;
  readonly currency: string;
  readonly provider?: string;
  /**
   * The value of the grouped tag (the review's business-unit tag), `''` when absent, when the cost table is grouped by
   * a tag other than the service tag: the spend is then taken off the untagged row of that group. @default - by service
   */
  readonly group?: string;
  readonly amount: Decimal;
  readonly nonResource: Decimal;
  /** Later rules that also match these line items, and how much of them (section 5: overlap, a warning). */
  readonly also?: ReadonlyArray<{ rule: number; amount: Decimal }>;
}

/** What `--metric` names: a CUR 2.0 / Cost Explorer figure, or a FOCUS cost column. */
export type ReportMetric = CostMetric | FocusMetric;

/** What a cost source is asked for. */
export interface CostQuery {
  /** First day, `YYYY-MM-DD` (inclusive). */
  readonly from: string;
  /** Last day, `YYYY-MM-DD` (exclusive). */
  readonly to: string;
  readonly groupBy: CostGrouping;
  /** A CUR 2.0 / Cost Explorer figure, or a FOCUS cost column (`--source focus`, FOCUS tables in Athena). */
  readonly metric: ReportMetric;
  readonly tagKeys: TagKeys;
  /**
   * Report one billing currency of data that holds several (`--currency`); other currencies are left out, with a
   * note. @default - data in several currencies is refused
   */
  readonly currency?: string;
  /**
   * Group the report by provider instead of a tag value (`--by provider`); `groupBy` is then `SERVICE`, so that the
   * rows still carry the service tag for the tagged share. @default false
   */
  readonly byProvider?: boolean;
  /**
   * Group the report by a column of the data instead of a tag value (`--by billing-account`, `sub-account`,
   * `charge-category`, `region`, `service-category`): the rows' `group` holds the column's value; `groupBy` is then
   * `SERVICE`, so that the rows still carry the service tag for the tagged share. @default - grouped by a tag
   */
  readonly dimension?: CostDimension;
  /**
   * The time buckets of the rows: `day` (the default) or `month` (one row per calendar month, `day` holding its first
   * day: one Cost Explorer request per page with MONTHLY granularity, one SQL aggregation by month).
   */
  readonly granularity?: 'day' | 'month';
  /**
   * The attribution rules to match untagged spend with (docs/attribution.md): a source that can apply them returns
   * `attributionMatches`. @default - no rules
   */
  readonly attribution?: AttributionPlan;
  /**
   * Ask for the coverage scan (`customer-value coverage`, docs/attribution.md section 9): a source that can tell
   * resources apart returns `coverage`, the unattributed line items summed per resource. @default - no coverage
   */
  readonly coverage?: CoverageRequest;
}

/** What the coverage scan needs besides the rules: the declared services (undeclared tag values are listed too). */
export interface CoverageRequest {
  readonly declaredServices: readonly string[];
  /** The stacks holding a declared service (the `declared-stacks` rule's, and the reasons of section 9). */
  readonly declaredStacks: readonly string[];
}

/**
 * Unattributed spend of the period summed per (currency, provider, tag value, resource, account, region, product, usage
 * type, stack, type): the months come from the cost rows, so the scan does not split resources by month.
 */
export interface CoverageItem {
  readonly currency: string;
  readonly provider?: string;
  /** The service tag's value: `''` untagged (no rule matched it), else a value no declaration carries. */
  readonly tag: string;
  readonly resource: string;
  readonly account: string;
  readonly region: string;
  readonly product: string;
  readonly usageType: string;
  /** `aws:cloudformation:stack-name`, `''` when absent. */
  readonly stack: string;
  /** CUR 2.0 `line_item_line_item_type`, FOCUS `ChargeCategory`. */
  readonly itemType: string;
  /** Of a charge category that belongs to no resource (tax, credits, refunds; FOCUS also adjustments, purchases). */
  readonly nonResource: boolean;
  readonly amount: Decimal;
}

/** What the coverage scan returned. */
export interface CoverageScan {
  readonly items: CoverageItem[];
  /** Whether any line item of the period holds `aws:cloudformation:stack-name` (the key is active). */
  readonly stackKeyActive: boolean;
  /** The column the stack is read from, for messages. */
  readonly stackColumn: string;
  /**
   * Whether the items hold resource ids and stacks (CUR 2.0, FOCUS); false for Cost Explorer, whose items are the
   * untagged spend per account and record type. @default true
   */
  readonly resourceLevel?: boolean;
}

/**
 * One row of the normalized cost table every source returns: the cost of one (service tag value, grouped tag value)
 * pair on one day, in one currency. Sources only read and normalize; the report model (`report/aggregate.ts`)
 * joins the rows with the declarations and adds them up, so a new source (e.g. FOCUS files) returns these rows and
 * nothing else changes, and a new report (e.g. a monthly review, allocation over a consumption graph) starts from
 * them.
 */
export interface CostRow {
  /** Value of the service tag, `''` = untagged. */
  readonly service: string;
  /** Value of the grouped tag, `''` = untagged. */
  readonly group: string;
  /** `YYYY-MM-DD`: the day, or the first day of the bucket when a source groups coarser (e.g. a month). */
  readonly day: string;
  readonly amount: number;
  /**
   * `amount` exactly, as the decimal the source returned (DuckDB's `DECIMAL` sum as text, an Athena or Cost Explorer
   * string), when it has one: totals are added up from it, so no cent is lost to floating point whatever the size.
   * Trusted only while `amount` is its nearest number: a transformation that changes `amount` and leaves this field
   * (e.g. `{ ...row, amount }`) is added up from `amount`. @default - `amount`
   */
  readonly exactAmount?: string;
  /**
   * The part of `amount` from Tax, Credit and Refund line items (FOCUS: Tax, Credit, Adjustment and Purchase charge
   * categories), which belong to no resource and so never carry a tag, when the source can tell them apart (CUR 2.0
   * files, FOCUS files, Athena); undefined for Cost Explorer.
   */
  readonly nonResourceAmount?: number;
  /** `nonResourceAmount` exactly, as `exactAmount` is `amount`. @default - `nonResourceAmount` */
  readonly exactNonResourceAmount?: string;
  readonly currency: string;
  readonly estimated: boolean;
  /**
   * Who charged the cost (FOCUS `ProviderName`, or `ServiceProviderName` from FOCUS 1.3), when the source can hold
   * several providers (FOCUS); undefined for the AWS-only sources. A transformation of the table keeps it.
   */
  readonly provider?: string;
  /**
   * Whether the attribution rules made the row (untagged spend a rule gave the service, docs/attribution.md): its
   * cost is the service's direct cost, not tagged spend. @default false
   */
  readonly attributed?: boolean;
}

/** A row's amount exactly: `exactAmount` while `amount` is its nearest number, else `amount`'s shortest form. */
export function exactAmountOf(row: CostRow): Decimal {
  return exact(row.exactAmount, row.amount);
}

/** A row's non-resource amount exactly (as `exactAmountOf`), zero when the source cannot tell. */
export function exactNonResourceOf(row: CostRow): Decimal {
  return exact(row.exactNonResourceAmount, row.nonResourceAmount ?? 0);
}

function exact(text: string | undefined, amount: number): Decimal {
  const d = text !== undefined ? Decimal.parse(text) : undefined;
  return d && d.toNumber() === amount ? d : Decimal.fromNumber(amount);
}

/** What a cost source returns: the cost table, and what it took to read it. */
export interface CostResult {
  readonly rows: CostRow[];
  /** Human description of the source, e.g. "Cost Explorer" or "CUR 2.0 files (3 Parquet files)". */
  readonly source: string;
  /** Billable API requests made (Cost Explorer pages, Athena queries). */
  readonly requests?: number;
  readonly bytesScanned?: number;
  readonly notes: string[];
  /** Problems with the data that the user should see even under --quiet (printed once on stderr, and in the notes). */
  readonly warnings?: string[];
  /** The local files read, when the source reads files (an output must never overwrite one). */
  readonly files?: string[];
  /** What the rows' `group` holds when the query groups by a column (`FOCUS RegionId`), for the report's summary. */
  readonly groupedBy?: string;
  /** The untagged spend each attribution rule of the query matched, when the source applies rules. */
  readonly attributionMatches?: RuleMatch[];
  /** What the source could not apply of the rules (e.g. a charge type it has no column for), naming each rule. */
  readonly attributionWarnings?: string[];
  /** The coverage scan, when the query asked for it and the source can tell resources apart. */
  readonly coverage?: CoverageScan;
}

/** A place cost comes from: Cost Explorer, CUR 2.0 files, Athena; chosen in `factory.ts`. */
export interface CostSource {
  fetch(query: CostQuery, progress: (message: string) => void): Promise<CostResult>;
}
