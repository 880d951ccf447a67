import * as fs from 'fs';
import * as zlib from 'zlib';
import { CurFile, describePaths, Format } from './data-files';
import { DuckDbSession, firstLine } from './duckdb-loader';
import { CliError } from './types';
import { CurQueries } from '../../billing/cur-sql';
import { sqlLiteral } from '../../private/sql-util';

/**
 * The view every CUR file query reads: the CUR columns a cost query needs, with CUR 2.0 types whatever the file
 * format (`resource_tags` as `MAP(VARCHAR, VARCHAR)`, the usage date as a UTC `TIMESTAMP`, costs as `DOUBLE`).
 */
export const VIEW = 'cur_line_items';

/** The column types the view normalises to. */
const TIMESTAMP_COLUMNS = new Set(['line_item_usage_start_date']);
const MAP_COLUMNS = new Set(['resource_tags']);
const DOUBLE_COLUMNS = new Set(CurQueries.EXPORT_COLUMNS.filter((c) => c.type === 'double').map((c) => c.name));

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
    const first = headers[0];
    if (first && headers.every((h) => h !== undefined && h.join(',') === first.join(','))) {
      return { columns: new Map(first.map((c) => [c, 'VARCHAR'])), csvHeader: first };
    }
  }
  try {
    const rows = await session.rows(`DESCRIBE SELECT * FROM ${reader(files, format)}`);
    return { columns: new Map(rows.map((r) => [String(r.column_name), String(r.column_type)])) };
  } catch (e) {
    throw readError(e, paths);
  }
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
    return `read_parquet(${list}, union_by_name = true, hive_partitioning = false, filename = true)`;
  }
  if (schema?.csvHeader) {
    const columns = schema.csvHeader.map((c) => `${sqlLiteral(c)}: ${sqlLiteral(types[c] ?? 'VARCHAR')}`).join(', ');
    return `read_csv(${list}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', `
      + `hive_partitioning = false, filename = true, columns = {${columns}})`;
  }
  const typeSpec = Object.keys(types).length > 0
    ? `, types = {${Object.entries(types).map(([k, v]) => `${sqlLiteral(k)}: ${sqlLiteral(v)}`).join(', ')}}`
    : '';
  return `read_csv(${list}, header = true, union_by_name = true, hive_partitioning = false, filename = true${typeSpec})`;
}

/** The view over the files: only the needed columns, in CUR 2.0 types (MAP tags, UTC TIMESTAMP, DOUBLE costs). */
export function viewSql(files: CurFile[], format: Format, wanted: string[], schema: FileSchema): string {
  // CSV: read the columns the queries need with the types below, every other column as text.
  const csvTypes: Record<string, string> = {};
  if (format === 'csv') {
    for (const name of wanted) {
      csvTypes[name] = DOUBLE_COLUMNS.has(name) ? 'DOUBLE' : 'VARCHAR';
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
        throw new CliError(`the resource_tags column of ${files[0].file} has type ${type}: expected a map of tag keys to values `
          + '(MAP in Parquet, a JSON object in CSV)');
      }
      // CUR 2.0 CSV writes a map as a JSON object string; an empty cell means no tags.
      return `CASE WHEN ${col} IS NULL OR trim(${col}) IN ('', '{}') THEN NULL ELSE CAST(CAST(${col} AS JSON) AS MAP(VARCHAR, VARCHAR)) END AS ${name}`;
    }
    const target = TIMESTAMP_COLUMNS.has(name) ? 'TIMESTAMP' : DOUBLE_COLUMNS.has(name) ? 'DOUBLE' : 'VARCHAR';
    if (target === 'TIMESTAMP' && type === 'VARCHAR') {
      // Text timestamps may carry a UTC offset (2026-10-01T23:30:00+02:00): read them as TIMESTAMPTZ (the session is
      // in UTC) so that the offset counts; a plain CAST to TIMESTAMP would drop it.
      return `CAST(CAST(${col} AS TIMESTAMPTZ) AS TIMESTAMP) AS ${name}`;
    }
    return type === target ? col : `CAST(${col} AS ${target}) AS ${name}`;
  });
  // `filename` (DuckDB's, of each line item) names the file when a line item is wrong.
  return `CREATE OR REPLACE TEMP VIEW ${VIEW} AS SELECT ${select.join(', ')}, filename FROM ${reader(files, format, schema, csvTypes)}`;
}

/** A DuckDB error reading the files, as one line naming them (and, for a CSV value that does not convert, the line). */
export function readError(e: unknown, paths: string[], what: string = 'CUR 2.0'): Error {
  if (e instanceof CliError) {
    return e;
  }
  const full = e instanceof Error ? e.message : String(e);
  const csv = /CSV Error on Line: (\d+)[\s\S]*?converting column "([^"]+)"\. Could not convert string "([^"]*)" to '(\w+)'[\s\S]*?file = (.+)/.exec(full);
  if (csv) {
    const [, lineNo, column, value, type] = csv;
    return new CliError(`cannot read ${csv[5].trim()} as ${what} data: line ${lineNo} has ${JSON.stringify(value)} in ${column}, `
      + `which is not ${type === 'DOUBLE' ? 'a number' : `a ${type.toLowerCase()}`}: fix or remove that line`);
  }
  const message = firstLine(full).replace(/^(Error: )+/, '');
  return new CliError(`cannot read ${describePaths(paths)} as ${what} data: ${message}`);
}
