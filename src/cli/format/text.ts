import { Column, displayCell, Report, Table } from '../report/model';

/** The terminal table: aligned columns, long cells cut with an ellipsis, control characters removed. */
export function renderText(report: Report): string {
  const out: string[] = [clean(report.title), ''];
  for (const line of report.summary) {
    out.push(clean(line));
  }
  if (report.summary.length > 0) {
    out.push('');
  }
  for (const section of report.sections) {
    if (section.heading) {
      out.push(clean(section.heading));
    }
    if (section.table) {
      out.push(...renderTable(section.table));
    }
    for (const line of section.lines ?? []) {
      out.push(clean(line));
    }
    out.push('');
  }
  for (const note of report.notes) {
    out.push(`note: ${clean(note)}`);
  }
  while (out.length > 0 && out[out.length - 1] === '') {
    out.pop();
  }
  return `${out.join('\n')}\n`;
}

export function renderTable(table: Table): string[] {
  if (table.rows.length === 0) {
    return ['(none)'];
  }
  const cells = table.rows.map((row) => table.columns.map((c) => fit(clean(displayCell(row[c.key], c.type)), c)));
  const headers = table.columns.map((c) => clean(c.header));
  const widths = table.columns.map((_, i) => Math.max(width(headers[i]), ...cells.map((r) => width(r[i]))));
  const line = (values: string[]) => values
    .map((v, i) => (isNumeric(table.columns[i]) ? pad(v, widths[i], true) : pad(v, widths[i], false)))
    .join('  ')
    .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
}

function isNumeric(c: Column): boolean {
  return c.type === 'money' || c.type === 'percent' || c.type === 'number';
}

function fit(value: string, c: Column): string {
  const chars = Array.from(value);
  if (c.maxWidth && chars.length > c.maxWidth) {
    return `${chars.slice(0, c.maxWidth - 1).join('').trimEnd()}…`;
  }
  return value;
}

function width(s: string): number {
  return Array.from(s).length;
}

function pad(s: string, w: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return right ? fill + s : s + fill;
}

/** Control characters (newlines, tabs, ANSI escapes) become spaces, so a value cannot break or recolour the terminal. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
