import { isNumberCell, plainCell, Report, showBidi, Table } from '../report/model';

/**
 * The main table as CSV (RFC 4180: CRLF line ends, fields with `,` `"` CR or LF quoted, quotes doubled).
 * Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) are
 * neutralised with a leading `'` (OWASP CSV injection guidance); plain numbers the CLI writes itself
 * (money, shares) are left as numbers. Values are complete (never cut); bidi controls are shown as `<U+202E>`.
 */
export function renderCsv(report: Report): string {
  const table = report.sections.find((s) => s.table)?.table;
  if (!table) {
    return '';
  }
  return tableToCsv(table);
}

export function tableToCsv(table: Table): string {
  const lines = [table.columns.map((c) => csvField(c.header, false))];
  for (const row of table.rows) {
    lines.push(table.columns.map((c) => csvField(plainCell(row[c.key], c.type), isNumberCell(row[c.key]))));
  }
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}

/** One CSV field: neutralised unless it is a number we formatted, then quoted when needed. */
export function csvField(value: string, isNumber: boolean): string {
  let v = showBidi(value);
  if (!isNumber && /^[=+\-@\t\r]/.test(v)) {
    v = `'${v}`;
  }
  if (/[",\r\n]/.test(v)) {
    v = `"${v.replace(/"/g, '""')}"`;
  }
  return v;
}
