import { Column, cutText, displayCell, Report, Table, terminalLine, terminalText } from '../report/model';

/** Longest cell of a column without a `maxWidth` of its own (a tag value can be thousands of characters). */
const DEFAULT_MAX_WIDTH = 60;
/** Longest run of characters without a space in a line outside tables; longest line. */
const MAX_RUN = 120;
const MAX_LINE = 2000;

/**
 * The terminal table: aligned columns, long cells cut with an ellipsis, control characters removed, bidi controls
 * shown as `<U+202E>`. Lines outside the table (summary, sections, notes) keep their words; a run of more than
 * 120 characters without a space, or a line over 2000, is cut with an ellipsis.
 */
export function renderText(report: Report): string {
  const out: string[] = [line(report.title), ''];
  for (const l of report.summary) {
    out.push(line(l));
  }
  if (report.summary.length > 0) {
    out.push('');
  }
  for (const section of report.sections) {
    if (section.heading) {
      out.push(line(section.heading));
    }
    if (section.table) {
      out.push(...renderTable(section.table));
    }
    for (const l of section.lines ?? []) {
      out.push(line(l));
    }
    out.push('');
  }
  for (const note of report.notes) {
    out.push(`note: ${line(note)}`);
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
  const row = (values: string[]) => values
    .map((v, i) => (isNumeric(table.columns[i]) ? pad(v, widths[i], true) : pad(v, widths[i], false)))
    .join('  ')
    .trimEnd();
  return [row(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(row)];
}

function isNumeric(c: Column): boolean {
  return c.type === 'money' || c.type === 'percent' || c.type === 'number';
}

function fit(value: string, c: Column): string {
  const max = c.maxWidth ?? (isNumeric(c) ? undefined : DEFAULT_MAX_WIDTH);
  return max ? cut(value, max) : value;
}

/** `value` cut to `max` characters, the last one an ellipsis. */
function cut(value: string, max: number): string {
  return cutText(value, max);
}

/** A line outside tables: cleaned, long runs without a space and overlong lines cut. */
function line(s: string): string {
  return terminalLine(s, MAX_RUN, MAX_LINE);
}

function width(s: string): number {
  return Array.from(s).length;
}

function pad(s: string, w: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return right ? fill + s : s + fill;
}

/**
 * Control characters (newlines, tabs, ANSI escapes) become spaces, so a value cannot break or recolour the terminal;
 * bidi controls are shown as `<U+202E>`, so a value cannot reorder the columns after it (`terminalText`, which
 * stderr uses too).
 */
export function clean(s: string): string {
  return terminalText(s);
}
