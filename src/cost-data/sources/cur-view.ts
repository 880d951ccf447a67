import * as fs from 'fs';
import * as zlib from 'zlib';
import { CurFile, describePaths, Format } from './data-files';
import { DuckDbSession, firstLine } from './duckdb-loader';
import { Decimal, EXACT_RANGE, EXACT_SQL_TYPE } from '../../private/decimal';
import { CostDataError } from '../errors';
import { CurQueries } from '../schemas/cur-sql';
import { sqlLiteral } from '../schemas/sql-util';

/**
 * The view every CUR file query reads: the CUR columns a cost query needs, with CUR 2.0 types whatever the file
 * format (`resource_tags` as `MAP(VARCHAR, VARCHAR)`, the usage date as a UTC `TIMESTAMP`); costs are numbers that
 * add up exactly where the file holds decimals: text (CSV) is read as `DECIMAL(38, 18)` (`EXACT_SQL_TYPE`), a
 * Parquet `DECIMAL` stays one, a Parquet `DOUBLE` (as AWS writes CUR 2.0) stays a `DOUBLE`.
 */
export const VIEW = 'cur_line_items';

/**
 * The column DuckDB adds with each row's file (`filename = '...'` of read_csv / read_parquet): a private name, as a
 * data file may have a column named `filename` of its own.
 */
export const FILE_COLUMN = '__customer_value_file';

/** The column types the view normalises to. */
const TIMESTAMP_COLUMNS = new Set(['line_item_usage_start_date']);
const MAP_COLUMNS = new Set(['resource_tags']);
const COST_COLUMNS = new Set(CurQueries.EXPORT_COLUMNS.filter((c) => c.type === 'double').map((c) => c.name));

export interface FileSchema {
  /** Column name to DuckDB type (`VARCHAR` for every CSV column until typed by the view). */
  readonly columns: Map<string, string>;
  /** The CSV header shared by every file, when it is: the files are then read without DuckDB's (slow) sniffing. */
  readonly csvHeader?: string[];
}

/** The columns of the files. */
export async function describe(session: DuckDbSession, files: CurFile[], format: Format, paths: string[]): Promise<FileSchema> {
  if (format === 'csv') {
    const headers = files.map((f) => csvHeader(f.file));
    headers.forEach((h, i) => refuseCaseDuplicates(h ?? [], files[i].file));
    const first = headers[0];
    if (first && headers.every((h) => h !== undefined && h.join(',') === first.join(','))) {
      return { columns: new Map(first.map((c) => [c, 'VARCHAR'])), csvHeader: first };
    }
  }
  let columns: Map<string, string>;
  let names: Map<string, string[]> | undefined;
  try {
    const rows = await session.rows(`DESCRIBE SELECT * FROM ${reader(files, format)}`);
    columns = new Map(rows.map((r) => [String(r.column_name), String(r.column_type)]));
    names = format === 'parquet' ? await parquetColumnNames(session, files.map((f) => f.file)) : undefined;
  } catch (e) {
    throw readError(e, paths);
  }
  // a Parquet file's second name differing only in case is renamed by DuckDB (`x_1`) and would be left unread
  for (const [file, fileNames] of names ?? []) {
    refuseCaseDuplicates(fileNames, file);
  }
  return { columns };
}

/**
 * The header of a CSV or CSV.gz file (read from its first 64 KB), or undefined when it cannot be read simply.
 *
 * The first record is parsed as RFC 4180 says (a quoted name may hold commas, doubled quotes and line breaks). With
 * `names` `simple` (CUR 2.0), every name must be letters, digits and `_`, as CUR 2.0 writes them; with `any` (FOCUS,
 * whose custom columns may be named `x_Custom Column` or `x_Billing-Profile.Id`), any non-empty name is accepted.
 */
export function csvHeader(file: string, names: 'simple' | 'any' = 'simple'): string[] | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(65536);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    let text: string;
    if (n >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) {
      text = zlib.gunzipSync(buffer.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
    } else {
      text = buffer.subarray(0, n).toString('utf8');
    }
    const fields = firstRecord(text.replace(/^\uFEFF/, ''));
    if (!fields) {
      return undefined;
    }
    const header = fields.map((c) => (names === 'simple' ? c.trim() : c));
    const valid = names === 'simple' ? (c: string) => /^[A-Za-z0-9_]+$/.test(c) : (c: string) => c.trim() !== '' && !/[\u0000-\u001f]/.test(c);
    return header.every(valid) ? header : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

/** The fields of the first record of CSV text (RFC 4180), or undefined when it does not end within the text. */
function firstRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldStart = true;
    } else if (ch === '\n' || ch === '\r') {
      fields.push(field);
      return fields;
    } else {
      field += ch;
      fieldStart = false;
    }
  }
  return undefined;
}

function reader(files: CurFile[], format: Format, schema?: FileSchema, types: Record<string, string> = {}): string {
  const list = `[${files.map((f) => sqlLiteral(f.file)).join(', ')}]`;
  if (format === 'parquet') {
    return `read_parquet(${list}, union_by_name = true, hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)})`;
  }
  if (schema?.csvHeader) {
    const columns = schema.csvHeader.map((c) => `${sqlLiteral(c)}: ${sqlLiteral(types[c] ?? 'VARCHAR')}`).join(', ');
    return `read_csv(${list}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', `
      + `hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)}, columns = {${columns}})`;
  }
  const typeSpec = Object.keys(types).length > 0
    ? `, types = {${Object.entries(types).map(([k, v]) => `${sqlLiteral(k)}: ${sqlLiteral(v)}`).join(', ')}}`
    : '';
  return `read_csv(${list}, header = true, union_by_name = true, hive_partitioning = false, filename = ${sqlLiteral(FILE_COLUMN)}${typeSpec})`;
}

/** The view over the files: only the needed columns, in CUR 2.0 types (MAP tags, UTC TIMESTAMP, costs as numbers). */
export function viewSql(files: CurFile[], format: Format, wanted: string[], schema: FileSchema): string {
  // CSV: read the columns the queries need with the types below, every other column as text.
  const csvTypes: Record<string, string> = {};
  if (format === 'csv') {
    for (const name of wanted) {
      csvTypes[name] = COST_COLUMNS.has(name) ? EXACT_SQL_TYPE : 'VARCHAR';
    }
  }
  const select = wanted.map((name) => {
    const type = (format === 'csv' ? csvTypes[name] : schema.columns.get(name)!).toUpperCase();
    const col = `"${name}"`;
    if (MAP_COLUMNS.has(name)) {
      if (type === 'MAP(VARCHAR, VARCHAR)') {
        return col;
      }
      if (type.startsWith('MAP(')) {
        return `CAST(${col} AS MAP(VARCHAR, VARCHAR)) AS ${name}`;
      }
      if (/^STRUCT\("?KEY"? [A-Z]+, "?VALUE"? [A-Z]+\)\[\]$/.test(type)) {
        // Some writers store a map as a list of key/value structs.
        return `map_from_entries(${col}) AS ${name}`;
      }
      if (type !== 'VARCHAR' && type !== 'JSON') {
        throw new CostDataError(`the resource_tags column of ${files[0].file} has type ${type}: expected a map of tag keys to values `
          + '(MAP in Parquet, a JSON object in CSV)');
      }
      // CUR 2.0 CSV writes a map as a JSON object string; an empty cell means no tags.
      return `CASE WHEN ${col} IS NULL OR trim(${col}) IN ('', '{}') THEN NULL ELSE CAST(CAST(${col} AS JSON) AS MAP(VARCHAR, VARCHAR)) END AS ${name}`;
    }
    if (COST_COLUMNS.has(name)) {
      // summed as they are when numbers with decimals (exactly when DECIMAL); anything else as an exact decimal
      return format === 'csv' || /^(DOUBLE|FLOAT|REAL|DECIMAL)/.test(type) ? col : `CAST(${col} AS ${EXACT_SQL_TYPE}) AS ${name}`;
    }
    const target = TIMESTAMP_COLUMNS.has(name) ? 'TIMESTAMP' : 'VARCHAR';
    if (target === 'TIMESTAMP' && type === 'VARCHAR') {
      // Text timestamps may carry a UTC offset (2026-10-01T23:30:00+02:00): read them as TIMESTAMPTZ (the session is
      // in UTC) so that the offset counts; a plain CAST to TIMESTAMP would drop it.
      // An empty cell is a missing date (NULL), as in Parquet: reported with its cost (undated.ts), never a parse error.
      return `CAST(CAST(NULLIF(trim(${col}), '') AS TIMESTAMPTZ) AS TIMESTAMP) AS ${name}`;
    }
    return type === target ? col : `CAST(${col} AS ${target}) AS ${name}`;
  });
  // FILE_COLUMN (DuckDB's, of each line item) names the file when a line item is wrong.
  return `CREATE OR REPLACE TEMP VIEW ${VIEW} AS SELECT ${select.join(', ')}, ${FILE_COLUMN} FROM ${reader(files, format, schema, csvTypes)}`;
}

/**
 * The top-level column names of Parquet files as they hold them, by file, from their footers (`parquet_schema`: each
 * file's schema elements depth first, the root, then each column followed by its nested fields). DuckDB's own view of
 * a file renames the second of two names differing only in case (`x_1`); these are the names to check.
 */
export async function parquetColumnNames(session: DuckDbSession, files: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await session.rows(`SELECT file_name, name, num_children FROM parquet_schema([${files.map(sqlLiteral).join(', ')}])`);
  const byFile = new Map<string, Array<Record<string, unknown>>>();
  for (const r of rows) {
    const file = String(r.file_name);
    byFile.set(file, [...(byFile.get(file) ?? []), r]);
  }
  const names = new Map<string, string[]>();
  for (const [file, elements] of byFile) {
    const columns: string[] = [];
    let i = 1;
    const skip = (): void => {
      const children = Number(elements[i++]?.num_children ?? 0);
      for (let k = 0; k < children; k++) {
        skip();
      }
    };
    const count = Number(elements[0]?.num_children ?? 0);
    for (let k = 0; k < count && i < elements.length; k++) {
      columns.push(String(elements[i].name));
      skip();
    }
    names.set(file, columns);
  }
  return names;
}

/**
 * Refuses columns whose names differ only in letter case (`line_item_unblended_cost` and `Line_Item_Unblended_Cost`):
 * DuckDB compares column names without regard to case, so it cannot tell them apart (it fails, or renames one).
 */
export function refuseCaseDuplicates(names: readonly string[], file: string): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      throw new CostDataError(caseDuplicateMessage(file, first === name ? [name] : [first, name]));
    }
    seen.set(name.toLowerCase(), name);
  }
}

function caseDuplicateMessage(where: string, names: string[]): string {
  return names.length === 1
    ? `${where} has the column ${JSON.stringify(names[0])} twice: remove one of them`
    : `${where} has two columns whose names differ only in letter case (${names.map((n) => JSON.stringify(n)).join(' and ')}): column names `
      + 'are read without regard to case, so they cannot be told apart; remove or rename one of them';
}

/**
 * A DuckDB error reading the files, as one line naming them and saying what to do: for a CSV line that does not
 * read, the line and DuckDB's reason (`Expected Number of Columns: 9 Found: 7`) or the value that does not convert;
 * an amount or a sum beyond what is added up exactly (`EXACT_RANGE`); two columns differing only in letter case.
 */
export function readError(e: unknown, paths: string[], what: string = 'CUR 2.0'): Error {
  if (e instanceof CostDataError) {
    return e;
  }
  const full = e instanceof Error ? e.message : String(e);
  const where = describePaths(paths);
  const file = /^\s*file = (.+)$/m.exec(full)?.[1].trim() ?? where;
  const lineNo = /CSV Error on Line: (\d+)/.exec(full)?.[1];
  const conversion = /converting column "([^"]+)"\. Could not convert string "([^"]*)" to '([^']+)'/.exec(full);
  if (lineNo && conversion) {
    const [, column, value, type] = conversion;
    if (/^DECIMAL/i.test(type) && Decimal.parse(value)) {
      return new CostDataError(`cannot read ${file} as ${what} data: line ${lineNo} has ${value} in ${column}, outside what the CLI adds up: `
        + `${EXACT_RANGE}; check that line`);
    }
    const numeric = /^(DOUBLE|FLOAT|REAL|DECIMAL|BIGINT|INTEGER|HUGEINT|SMALLINT)/i.test(type);
    return new CostDataError(`cannot read ${file} as ${what} data: line ${lineNo} has ${JSON.stringify(value)} in ${column}, `
      + `which is not ${numeric ? 'a number' : `a ${type.toLowerCase()}`}: fix or remove that line`);
  }
  if (lineNo) {
    return new CostDataError(`cannot read ${file} as ${what} data: line ${lineNo}: ${csvReason(full)}: fix or remove that line`);
  }
  if (/Overflow in HUGEINT|Overflow in (addition|subtraction)|out of range for the (output|result)|Could not cast value .* to DECIMAL/i.test(full)) {
    return new CostDataError(`cannot add up the costs of ${where}: an amount or a sum of them is larger than the CLI adds up exactly: `
      + `${EXACT_RANGE}; check the data for amounts that large (DuckDB: ${firstLine(full).replace(/^(Error: )+/, '')})`);
  }
  const duplicate = /Duplicate struct entry name "([^"]+)"/.exec(full);
  if (duplicate) {
    return new CostDataError(caseDuplicateMessage(where, [duplicate[1]]).replace(/ twice: remove one of them$/,
      ' twice, in the same or another letter case: column names are read without regard to case; remove or rename one of them'));
  }
  const message = firstLine(full).replace(/^(Error: )+/, '');
  return new CostDataError(`cannot read ${where} as ${what} data: ${message}`);
}

/**
 * DuckDB's reason for a CSV line it cannot read: the lines after `Original Line: ...` (left out: it can be a whole
 * 100 kB line) up to its list of possible fixes, e.g. `Expected Number of Columns: 9 Found: 7`.
 */
function csvReason(full: string): string {
  const lines = full.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith('Original Line:'));
  const reason: string[] = [];
  for (const l of lines.slice(start >= 0 ? start + 1 : 1)) {
    if (l === '' || /^Possible (fixes|solutions)/i.test(l) || /^file = /.test(l)) {
      break;
    }
    reason.push(l);
  }
  return reason.length > 0 ? reason.join('; ') : firstLine(full).replace(/^(Error: )+/, '');
}
