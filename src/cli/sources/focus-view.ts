import { FILE_COLUMN } from './cur-view';
import { CurFile, Format } from './data-files';
import { FocusLayout } from './focus-layout';
import { CliError } from './types';
import { sqlLiteral } from '../../private/sql-util';

/**
 * The view every FOCUS file query reads: the FOCUS columns a cost query needs, by their FOCUS names, in one set of
 * types whatever the file format and the provider's habits:
 * - `Tags` as `MAP(VARCHAR, VARCHAR)`: a map in Parquet (as it is, or a list of key/value structs), a JSON object
 *   string in CSV (and in some Parquet writers); an empty cell, `{}`, `null` or the literal `NULL` means no tags;
 * - `ChargePeriodStart` as a UTC `TIMESTAMP`: Parquet timestamps of any unit or time zone, and text with or without
 *   seconds (`2024-01-01T00:00Z`, as Microsoft's FOCUS 1.0 files wrote it before 1.0r2) or a UTC offset;
 * - the cost column as it is when numeric (DOUBLE or DECIMAL, summed exactly), and as `DECIMAL(38, 18)` when text
 *   (CSV): many decimals are kept to the 18th, and a sum of decimals is exact;
 * - `ProviderName`: the provider column of the version (FOCUS 1.3's ServiceProviderName where it is filled).
 * CSV cells that are empty or the literal `NULL` (in any column) read as NULL.
 */
export const FOCUS_VIEW = 'focus_rows';

/** The DuckDB type of cost columns read from text. */
const DECIMAL = 'DECIMAL(38, 18)';

export interface FocusViewOptions {
  readonly metricColumn: string;
  /** SQL expression of the provider over the file columns. */
  readonly provider: string;
  /** Whether every file has InvoiceId (the estimated flag reads it). */
  readonly invoice: boolean;
}

/** The view over the files (one FOCUS version, one format). */
export function focusViewSql(files: CurFile[], format: Format, layouts: FocusLayout[], o: FocusViewOptions): string {
  const layout = layouts[0];
  const name = (c: string) => `"${(layout.columns.get(c.toLowerCase())?.name ?? c).replace(/"/g, '""')}"`;
  // The type of a column in every file (Parquet files of one export normally agree; when not, read as text).
  const typeOf = (c: string): string => {
    if (format === 'csv') {
      return c === o.metricColumn ? DECIMAL : 'VARCHAR';
    }
    const types = new Set(layouts.map((l) => l.columns.get(c.toLowerCase())?.type.toUpperCase() ?? 'VARCHAR'));
    return types.size === 1 ? [...types][0] : 'VARCHAR';
  };
  const select = [
    `${timestamp(name('ChargePeriodStart'), typeOf('ChargePeriodStart'))} AS ChargePeriodStart`,
    `CAST(${name('ChargeCategory')} AS VARCHAR) AS ChargeCategory`,
    layout.columns.has('chargeclass') ? `CAST(${name('ChargeClass')} AS VARCHAR) AS ChargeClass` : 'CAST(NULL AS VARCHAR) AS ChargeClass',
    `CAST(${name('BillingCurrency')} AS VARCHAR) AS BillingCurrency`,
    `${cost(name(o.metricColumn), typeOf(o.metricColumn))} AS ${o.metricColumn}`,
    `${tags(name('Tags'), typeOf('Tags'), files[0].file)} AS Tags`,
    `CAST(${o.provider.replace(/\b(ServiceProviderName|ProviderName)\b/g, (m) => name(m))} AS VARCHAR) AS ProviderName`,
    ...(o.invoice ? [`CAST(${name('InvoiceId')} AS VARCHAR) AS InvoiceId`] : []),
    FILE_COLUMN,
  ];
  return `CREATE OR REPLACE TEMP VIEW ${FOCUS_VIEW} AS SELECT ${select.join(', ')} FROM ${reader(files, format, layouts, o.metricColumn)}`;
}

function reader(files: CurFile[], format: Format, layouts: FocusLayout[], metricColumn: string): string {
  const list = `[${files.map((f) => sqlLiteral(f.file)).join(', ')}]`;
  if (format === 'parquet') {
    return `read_parquet(${list}, union_by_name = true, hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)})`;
  }
  const nulls = "nullstr = ['', 'NULL']";
  const headers = layouts.map((l) => (l.csvHeader ?? []).join(','));
  const header = layouts[0].csvHeader!;
  if (headers.every((h) => h === headers[0])) {
    // One header: read without DuckDB's (slow, and sometimes wrong) type sniffing, costs as decimals, the rest as text.
    const columns = header.map((c) => `${sqlLiteral(c)}: '${c.toLowerCase() === metricColumn.toLowerCase() ? DECIMAL : 'VARCHAR'}'`).join(', ');
    return `read_csv(${list}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', ${nulls}, `
      + `hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)}, columns = {${columns}})`;
  }
  return `read_csv(${list}, header = true, union_by_name = true, all_varchar = true, ${nulls}, hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)})`;
}

function timestamp(col: string, type: string): string {
  if (type === 'VARCHAR' || type === 'JSON') {
    // Text: add the seconds a minute-precision value lacks, then read it with its offset (the session is in UTC).
    const fixed = `regexp_replace(trim(${col}), '^(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2})(Z|[+-]\\d{2}(:?\\d{2})?)?$', '\\1:00\\2')`;
    return `CAST(CAST(${fixed} AS TIMESTAMPTZ) AS TIMESTAMP)`;
  }
  return type === 'TIMESTAMP' ? col : `CAST(${col} AS TIMESTAMP)`;
}

function cost(col: string, type: string): string {
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|BIGINT|INTEGER|HUGEINT|SMALLINT)/.test(type)) {
    return col;
  }
  return `CAST(${col} AS ${DECIMAL})`;
}

function tags(col: string, type: string, file: string): string {
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
    throw new CliError(`the Tags column of ${file} has type ${type}: expected a map of tag keys to values (MAP in Parquet, a JSON object in CSV)`);
  }
  return `CASE WHEN ${col} IS NULL OR lower(trim(${col})) IN ('', '{}', 'null') THEN NULL ELSE CAST(CAST(${col} AS JSON) AS MAP(VARCHAR, VARCHAR)) END`;
}
