import { csvHeader, parquetColumnNames, readError, refuseCaseDuplicates } from './cur-view';
import { CurFile, describePaths } from './data-files';
import { DuckDbSession } from './duckdb-loader';
import { CostDataError } from '../errors';
import { CostDimension, FocusMetric } from '../query-terms';
import { FocusQueries } from '../schemas/focus-sql';
import { sqlLiteral } from '../schemas/sql-util';

/**
 * Which FOCUS version a file is, from the columns it has (FOCUS names its version nowhere in the data). Each version
 * adds columns to the one before; a file is the newest version whose added columns it all has:
 * - 1.0: the base (BilledCost, EffectiveCost, ListCost, ContractedCost, ChargeCategory, ChargeClass, ChargePeriodStart,
 *   BillingCurrency, ProviderName, Tags, ...);
 * - 1.1 adds ServiceSubcategory, SkuMeter, SkuPriceDetails, CapacityReservationId, CommitmentDiscountQuantity, ...;
 * - 1.2 adds InvoiceId, PricingCurrency and its prices, BillingAccountType, SubAccountType;
 * - 1.3 adds ServiceProviderName and HostProviderName (ProviderName deprecated), the Allocated* columns (split cost
 *   allocation: a row's AllocatedTags are read with its Tags, see focus-view.ts) and ContractApplied, and a second
 *   dataset, Contract Commitment, which holds no charges (refused, named). The provider is ServiceProviderName
 *   (ProviderName when empty).
 * Sources: the FOCUS specification changelog (https://focus.finops.org/focus-specification/changelog/), AWS's
 * FOCUS 1.0 and 1.2 table dictionaries, Microsoft's FOCUS file schema.
 */

export interface FocusVersion {
  readonly version: string;
  /** The columns that version adds (all must be present). */
  readonly added: readonly string[];
}

export const FOCUS_VERSIONS: readonly FocusVersion[] = [
  { version: '1.3', added: ['ServiceProviderName', 'HostProviderName'] },
  { version: '1.2', added: ['InvoiceId', 'PricingCurrency'] },
  { version: '1.1', added: ['ServiceSubcategory', 'SkuMeter'] },
  { version: '1.0', added: [] },
];

/** The columns without which a file is not FOCUS data at all (every FOCUS version has them). */
export const FOCUS_CORE = ['BilledCost', 'BillingCurrency', 'ChargeCategory', 'ChargePeriodStart', 'ChargePeriodEnd'];

/** What a file's columns say. */
export interface FocusLayout {
  readonly version: string;
  /** Lower-case column name to the name as the file spells it, and its DuckDB type (`VARCHAR` for CSV). */
  readonly columns: ReadonlyMap<string, { readonly name: string; readonly type: string }>;
  /** The CSV header, when the file is CSV. */
  readonly csvHeader?: string[];
}

/**
 * The layout of one file: its columns (Parquet footer, CSV header) and its FOCUS version. A file without the columns
 * every FOCUS version has is refused, naming every column the report needs that it lacks, and what it is when that
 * can be told (CUR 2.0 data, FOCUS 0.5, the FOCUS 1.3 Contract Commitment dataset).
 *
 * @param required the columns the report reads besides those (`FocusQueries.requiredColumns`)
 */
export async function fileLayout(session: DuckDbSession, file: CurFile, required: readonly string[] = []): Promise<FocusLayout> {
  let pairs: Array<[string, string]>;
  let header: string[] | undefined;
  if (file.format === 'csv') {
    header = csvHeader(file.file, 'any');
    if (!header) {
      throw new CostDataError(`cannot read ${file.file} as FOCUS data: its first line is not a header of column names (FOCUS columns such as `
        + 'BilledCost, ChargePeriodStart, separated by commas)');
    }
    refuseCaseDuplicates(header, file.file);
    pairs = header.map((c) => [c, 'VARCHAR']);
  } else {
    let names: string[];
    try {
      const rows = await session.rows(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file.file)})`);
      pairs = rows.map((r) => [String(r.column_name), String(r.column_type)]);
      names = [...(await parquetColumnNames(session, [file.file])).values()][0] ?? [];
    } catch (e) {
      throw readError(e, [file.file], 'FOCUS');
    }
    // DuckDB renames the second of two names differing only in case (`billedcost_1`), and the report would read the
    // first only: refused as a CSV header is, by the names the file holds
    refuseCaseDuplicates(names, file.file);
  }
  const columns = new Map(pairs.map(([name, type]) => [name.toLowerCase(), { name, type }]));
  const has = (c: string) => columns.has(c.toLowerCase());
  const missingCore = FOCUS_CORE.filter((c) => !has(c));
  if (missingCore.length > 0) {
    const missing = [...new Set([...FOCUS_CORE, ...required, ...(has('ProviderName') || has('ServiceProviderName') ? [] : ['ProviderName'])])]
      .filter((c) => !has(c));
    const what = recognise(has);
    if (missingCore.length === FOCUS_CORE.length) {
      throw new CostDataError(`${file.file} is not FOCUS data: it has none of the FOCUS columns ${missing.join(', ')}${what ? ` (${what})` : ''}`);
    }
    throw new CostDataError(`${file.file} is not FOCUS data this command can read: missing column${missing.length === 1 ? '' : 's'} `
      + `${missing.join(', ')} (${what ?? `every FOCUS version from 1.0 on has ${missingCore.join(', ')}`})`);
  }
  const version = FOCUS_VERSIONS.find((v) => v.added.every(has))!.version;
  return { version, columns, csvHeader: header };
}

/** What a file that is not FOCUS cost and usage data is, when its columns tell. */
function recognise(has: (column: string) => boolean): string | undefined {
  if (has('line_item_unblended_cost')) {
    return 'it is CUR 2.0 data: use --source cur';
  }
  if (has('ContractCommitmentId') && !has('ChargePeriodStart')) {
    return 'it is a FOCUS 1.3 Contract Commitment dataset (ContractCommitmentId, ContractCommitmentCost, ContractId, ...), which describes '
      + 'the terms of contracts rather than charges: pass the files of the Cost and Usage dataset of the same export';
  }
  if ((has('ChargeType') || has('AmortizedCost')) && !has('ChargeCategory')) {
    return 'it looks like FOCUS 0.5 (ChargeType, AmortizedCost), whose ChargeType became ChargeCategory and AmortizedCost became '
      + 'EffectiveCost in FOCUS 1.0, which also added Tags: export FOCUS 1.0 or later';
  }
  return undefined;
}

/**
 * The layouts of the files, refusing files of different FOCUS versions (one export, one version, at a time).
 *
 * @param required the columns the report reads besides those every FOCUS file has, named when a file is refused
 */
export async function readLayouts(session: DuckDbSession, files: CurFile[], paths: string[],
  required: readonly string[] = []): Promise<FocusLayout[]> {
  const layouts: FocusLayout[] = [];
  for (const f of files) {
    layouts.push(await fileLayout(session, f, required));
  }
  const versions = [...new Set(layouts.map((l) => l.version))];
  if (versions.length > 1) {
    const example = (v: string) => files[layouts.findIndex((l) => l.version === v)].file;
    throw new CostDataError(`${describePaths(paths)} mixes FOCUS versions (${versions.map((v) => `${v}: ${example(v)}`).join('; ')}): `
      + 'pass the files of one export (one FOCUS version) at a time');
  }
  return layouts;
}

/**
 * The columns a report reads, by their FOCUS names; refuses a layout without them, naming each missing column.
 *
 * @param dimension the column grouped by instead of a tag, if any
 */
export function checkColumns(layouts: FocusLayout[], files: CurFile[], metric: FocusMetric, dimension?: CostDimension): FocusColumns {
  for (const [i, layout] of layouts.entries()) {
    const has = (c: string) => layout.columns.has(c.toLowerCase());
    const missing = FocusQueries.requiredColumns(metric, dimension).filter((c) => !has(c));
    if (!has('ProviderName') && !has('ServiceProviderName')) {
      missing.push('ProviderName');
    }
    if (missing.length > 0) {
      const grouping = dimension !== undefined && missing.includes(FocusQueries.dimensionColumn(dimension))
        ? ` and --by ${dimension} (${FocusQueries.dimensionColumn(dimension)})` : '';
      throw new CostDataError(`${files[i].file} (FOCUS ${layout.version}) lacks the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} `
        + `that ${metricWhat(metric)}${grouping} per customer value needs${missing.includes('Tags') ? ' (select Tags in the export)' : ''}`);
    }
  }
  const all = (c: string) => layouts.every((l) => l.columns.has(c.toLowerCase()));
  return {
    provider: all('ServiceProviderName') ? (all('ProviderName') ? "COALESCE(NULLIF(ServiceProviderName, ''), ProviderName)" : 'ServiceProviderName') : 'ProviderName',
    invoice: all('InvoiceId'),
    commitmentStatus: all('CommitmentDiscountStatus') && all('EffectiveCost'),
    allocatedTags: all('AllocatedTags'),
  };
}

/** What the files have beyond the columns a report needs. */
export interface FocusColumns {
  /** SQL expression of the provider over the file columns. */
  readonly provider: string;
  /** Every file has InvoiceId (1.2 and later). */
  readonly invoice: boolean;
  /** Every file has CommitmentDiscountStatus and EffectiveCost (unused commitment can be named). */
  readonly commitmentStatus: boolean;
  /** Every file has AllocatedTags (1.3 split cost allocation). */
  readonly allocatedTags: boolean;
}

function metricWhat(metric: FocusMetric): string {
  return `--metric ${metric} (${FocusQueries.metricColumn(metric)})`;
}
