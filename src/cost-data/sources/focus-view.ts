import { FILE_COLUMN, readError } from './cur-view';
import { CurFile, Format } from './data-files';
import { FocusLayout } from './focus-layout';
import { CostDataError } from '../errors';
import { sqlLiteral } from '../schemas/sql-util';

/**
 * The view every FOCUS file query reads: the FOCUS columns a cost query needs, by their FOCUS names, in one set of
 * types whatever the file format and the provider's habits:
 * - `Tags` as `MAP(VARCHAR, VARCHAR)`: a map in Parquet (as it is, or a list of key/value structs), a JSON object
 *   string in CSV (and in some Parquet writers); an empty cell, `{}`, `null` or the literal `NULL` means no tags.
 *   Where the file has FOCUS 1.3's `AllocatedTags` (split cost allocation), a row's tags are its `Tags` and its
 *   `AllocatedTags` together, an allocated tag winning over a resource tag of the same key: the specification says
 *   AllocatedTags holds "the set of tags ... which are specifically applicable to allocated charges" and "MUST include
 *   all applicable user-defined and data generator-defined tags for the AllocatedResourceId", and "MUST NOT include
 *   resource tags already present in Tags";
 * - `ChargePeriodStart` as a UTC `TIMESTAMP`: Parquet timestamps of any unit or time zone, and text in ISO 8601 with
 *   or without seconds (`2024-01-01T00:00Z`, as Microsoft's FOCUS 1.0 files wrote it before 1.0r2) or a UTC offset.
 *   Text that is not ISO 8601 (`4/1/25`) is refused, naming the file and the value: FOCUS's Date/Time Format requires
 *   ISO 8601 (`YYYY-MM-DDTHH:mm:ssZ`), and reading `4/1/25` as a date would put it in year 4;
 * - cost columns as they are when numeric (DOUBLE or DECIMAL, summed exactly), and as `DECIMAL(38, 18)` when text
 *   (CSV): many decimals are kept to the 18th, and a sum of decimals is exact;
 * - `ProviderName`: the provider column of the version (FOCUS 1.3's ServiceProviderName where it is filled);
 * - the other columns a query asks for, as text.
 * CSV cells that are empty or the literal `NULL` (in any column) read as NULL.
 */
export const FOCUS_VIEW = 'focus_rows';

/** The DuckDB type of cost columns read from text. */
const DECIMAL = 'DECIMAL(38, 18)';

/** What a refused timestamp error carries, to be told apart from DuckDB's own errors. */
const NOT_ISO = 'customer-value:focus-timestamp';
const SEPARATOR = '\u001f';

export interface FocusViewOptions {
  readonly metricColumn: string;
  /** SQL expression of the provider over the file columns. */
  readonly provider: string;
  /** Whether every file has InvoiceId (the estimated flag reads it). */
  readonly invoice: boolean;
  /** Other cost columns the queries read (`EffectiveCost` for unused commitment, `BilledCost` for empty costs). */
  readonly costColumns?: readonly string[];
  /** Other columns the queries read, as text (a dimension, `CommitmentDiscountStatus`). */
  readonly textColumns?: readonly string[];
  /** Whether the files have FOCUS 1.3's `AllocatedTags`: a row's tags are then its Tags and AllocatedTags together. */
  readonly allocatedTags?: boolean;
}

/** The view over the files (one FOCUS version, one format). */
export function focusViewSql(files: CurFile[], format: Format, layouts: FocusLayout[], o: FocusViewOptions): string {
  const layout = layouts[0];
  const name = (c: string) => `"${(layout.columns.get(c.toLowerCase())?.name ?? c).replace(/"/g, '""')}"`;
  const costs = [...new Set([o.metricColumn, ...(o.costColumns ?? [])])];
  // The type of a column in every file (Parquet files of one export normally agree; when not, read as text).
  const typeOf = (c: string): string => {
    if (format === 'csv') {
      return costs.includes(c) ? DECIMAL : 'VARCHAR';
    }
    const types = new Set(layouts.map((l) => l.columns.get(c.toLowerCase())?.type.toUpperCase() ?? 'VARCHAR'));
    return types.size === 1 ? [...types][0] : 'VARCHAR';
  };
  const text = (c: string) => (layout.columns.has(c.toLowerCase()) ? `CAST(${name(c)} AS VARCHAR) AS ${c}` : `CAST(NULL AS VARCHAR) AS ${c}`);
  const textColumns = [...new Set(['ChargeCategory', 'ChargeClass', 'BillingCurrency', ...(o.textColumns ?? [])])];
  const select = [
    `${timestamp(name('ChargePeriodStart'), typeOf('ChargePeriodStart'), 'ChargePeriodStart')} AS ChargePeriodStart`,
    ...textColumns.map(text),
    ...costs.map((c) => `${cost(name(c), typeOf(c))} AS ${c}`),
    `${tags(name('Tags'), typeOf('Tags'), files[0].file, 'Tags')} AS Tags`,
    ...(o.allocatedTags ? [`${tags(name('AllocatedTags'), typeOf('AllocatedTags'), files[0].file, 'AllocatedTags')} AS AllocatedTags`] : []),
    `CAST(${o.provider.replace(/\b(ServiceProviderName|ProviderName)\b/g, (m) => name(m))} AS VARCHAR) AS ProviderName`,
    ...(o.invoice ? [`CAST(${name('InvoiceId')} AS VARCHAR) AS InvoiceId`] : []),
    FILE_COLUMN,
  ];
  const rows = `SELECT ${select.join(', ')} FROM ${reader(files, format, layouts, costs)}`;
  if (!o.allocatedTags) {
    return `CREATE OR REPLACE TEMP VIEW ${FOCUS_VIEW} AS ${rows}`;
  }
  // split cost allocation: the allocated share carries its own tags too (an allocated key wins over a resource key)
  const merged = 'CASE WHEN AllocatedTags IS NULL THEN Tags WHEN Tags IS NULL THEN AllocatedTags ELSE map_concat(Tags, AllocatedTags) END';
  return `CREATE OR REPLACE TEMP VIEW ${FOCUS_VIEW} AS SELECT * EXCLUDE (Tags), ${merged} AS Tags FROM (${rows}) AS focus_files`;
}

function reader(files: CurFile[], format: Format, layouts: FocusLayout[], costs: string[]): string {
  const list = `[${files.map((f) => sqlLiteral(f.file)).join(', ')}]`;
  if (format === 'parquet') {
    return `read_parquet(${list}, union_by_name = true, hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)})`;
  }
  const nulls = "nullstr = ['', 'NULL']";
  const headers = layouts.map((l) => JSON.stringify(l.csvHeader ?? []));
  const header = layouts[0].csvHeader!;
  const decimals = new Set(costs.map((c) => c.toLowerCase()));
  if (headers.every((h) => h === headers[0])) {
    // One header: read without DuckDB's (slow, and sometimes wrong) type sniffing, costs as decimals, the rest as text.
    const columns = header.map((c) => `${sqlLiteral(c)}: '${decimals.has(c.toLowerCase()) ? DECIMAL : 'VARCHAR'}'`).join(', ');
    return `read_csv(${list}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ${nulls}, `
      + `hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)}, columns = {${columns}})`;
  }
  return `read_csv(${list}, header = true, union_by_name = true, all_varchar = true, ${nulls}, hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)})`;
}

/** ISO 8601 as FOCUS writes it: a date, a time with or without seconds and fractions, `Z` or an offset. */
const ISO_8601 = '^\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}(?::?\\d{2})?)?)?$';

function timestamp(col: string, type: string, column: string): string {
  if (type === 'VARCHAR' || type === 'JSON') {
    // Text: ISO 8601 only; add the seconds a minute-precision value lacks, then read it with its offset (the session
    // is in UTC). Anything else stops the query, naming the file and the value.
    const value = `trim(CAST(${col} AS VARCHAR))`;
    const fixed = `regexp_replace(${value}, '^(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2})(Z|[+-]\\d{2}(:?\\d{2})?)?$', '\\1:00\\2')`;
    const parsed = `CASE WHEN regexp_full_match(${value}, '${ISO_8601}') THEN TRY_CAST(${fixed} AS TIMESTAMPTZ) END`;
    const refuse = `error(${sqlLiteral(`${NOT_ISO}${SEPARATOR}${column}${SEPARATOR}`)} || to_json(${FILE_COLUMN}) || '${SEPARATOR}' || to_json(${value}))`;
    return `CASE WHEN ${col} IS NULL OR ${value} = '' THEN NULL ELSE CAST(COALESCE(${parsed}, ${refuse}) AS TIMESTAMP) END`;
  }
  return type === 'TIMESTAMP' ? col : `CAST(${col} AS TIMESTAMP)`;
}

/**
 * A DuckDB error of a query over the view, as one line: a timestamp that is not ISO 8601 names the column, the file
 * and the value; anything else as `readError` says it.
 */
export function focusReadError(e: unknown, paths: string[]): Error {
  const message = e instanceof Error ? e.message : String(e);
  const at = message.indexOf(`${NOT_ISO}${SEPARATOR}`);
  if (at >= 0) {
    const [, column, file, value] = message.slice(at).split('\n')[0].split(SEPARATOR);
    let fileName = file;
    let shown = value;
    try {
      fileName = JSON.parse(file);
      shown = JSON.stringify(JSON.parse(value));
    } catch {
      // keep them as DuckDB wrote them
    }
    return new CostDataError(`cannot read ${fileName} as FOCUS data: ${column} holds ${shown}, which is not an ISO 8601 date and time `
      + '(the FOCUS Date/Time Format is YYYY-MM-DDTHH:mm:ssZ, in UTC; a value such as 4/1/25 is ambiguous): export the data with ISO 8601 '
      + `timestamps, or convert ${column} before reading it`);
  }
  return readError(e, paths, 'FOCUS');
}

function cost(col: string, type: string): string {
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|BIGINT|INTEGER|HUGEINT|SMALLINT)/.test(type)) {
    return col;
  }
  return `CAST(${col} AS ${DECIMAL})`;
}

function tags(col: string, type: string, file: string, column: string): string {
  const t = type.toUpperCase();
  if (t === 'MAP(VARCHAR, VARCHAR)') {
    return col;
  }
  if (t.startsWith('MAP(')) {
    return `CAST(${col} AS MAP(VARCHAR, VARCHAR))`;
  }
  if (/^STRUCT\("?KEY"? [A-Z]+, "?VALUE"? [A-Z]+\)\[\]$/.test(t)) {
    return `map_from_entries(${col})`;
  }
  if (t !== 'VARCHAR' && t !== 'JSON') {
    throw new CostDataError(`the ${column} column of ${file} has type ${type}: expected a map of tag keys to values (MAP in Parquet, a JSON object in CSV)`);
  }
  return `CASE WHEN ${col} IS NULL OR lower(trim(${col})) IN ('', '{}', 'null') THEN NULL ELSE CAST(CAST(${col} AS JSON) AS MAP(VARCHAR, VARCHAR)) END`;
}
