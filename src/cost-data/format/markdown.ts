import { Column, displayCell, Report, showBidi, Table } from '../report/model';

/**
 * GitHub-flavoured markdown: headings, bullet lists, tables with `|` escaped and newlines turned into `<br>`. Text is
 * never live markup: emphasis, link, code and strike characters are backslash-escaped, HTML characters are entities,
 * bidi controls are shown as `<U+202E>`; what would start a block at the beginning of a heading or list item is
 * escaped where CommonMark would read it as one (and only there: `244.00 USD` stays as it is).
 */
export function renderMarkdown(report: Report): string {
  const out: string[] = [heading(1, report.title), ''];
  if (report.summary.length > 0) {
    out.push(...report.summary.map((l) => `- ${markdownLine(l)}`), '');
  }
  for (const section of report.sections) {
    if (section.heading) {
      out.push(heading(2, section.heading), '');
    }
    if (section.table) {
      out.push(...markdownTable(section.table), '');
    }
    if (section.lines && section.lines.length > 0) {
      out.push(...section.lines.map((l) => `- ${markdownLine(l)}`), '');
    }
  }
  if (report.notes.length > 0) {
    out.push('## Notes', '', ...report.notes.map((n) => `- ${markdownLine(n)}`), '');
  }
  while (out.length > 0 && out[out.length - 1] === '') {
    out.pop();
  }
  return `${out.join('\n')}\n`;
}

export function markdownTable(table: Table): string[] {
  if (table.rows.length === 0) {
    return ['_(none)_'];
  }
  const right = (c: Column) => c.type === 'money' || c.type === 'percent' || c.type === 'number';
  const lines = [
    `| ${table.columns.map((c) => markdownCell(c.header)).join(' | ')} |`,
    `| ${table.columns.map((c) => (right(c) ? '---:' : '---')).join(' | ')} |`,
  ];
  for (const row of table.rows) {
    lines.push(`| ${table.columns.map((c) => markdownCell(displayCell(row[c.key], c.type))).join(' | ')} |`);
  }
  return lines;
}

/** A table cell: `|` and `\` escaped, line breaks as `<br>`, `<` `>` `&` as entities (no HTML injection). */
export function markdownCell(value: string): string {
  return inline(value)
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * The text of a list item: like `inline`, with line breaks as spaces (a break would end the item), and what CommonMark
 * would read as the start of a block in the item escaped (https://spec.commonmark.org/0.31.2/): an ATX heading
 * (`#` to `######` then a space or the end), a bullet (`-` or `+` then a space or the end), an ordered list item (1 to
 * 9 digits, `.` or `)`, then a space or the end: `3. step`, not `244.00 USD`), a thematic break (the whole item made
 * of `-` and spaces), and leading spaces (four would start an indented code block). `*`, `_`, `` ` ``, `~`, `[`, `>`
 * and `<` are escaped by `inline` wherever they are.
 */
export function markdownLine(value: string): string {
  return inline(value).replace(/\r\n|\r|\n/g, ' ')
    .replace(/^[ \t]+/, '&#32;')
    .replace(/^(#{1,6})(?=[ \t]|$)/, '\\$1')
    .replace(/^([+-])(?=[ \t]|$)/, '\\$1')
    .replace(/^-(?=[- \t]*$)/, '\\-')
    .replace(/^(\d{1,9})([.)])(?=[ \t]|$)/, '$1\\$2');
}

/**
 * An ATX heading: the text as a list item's, and a closing sequence (` #` at the end, which CommonMark strips)
 * escaped.
 */
function heading(level: number, value: string): string {
  return `${'#'.repeat(level)} ${markdownLine(value)}`.replace(/([ \t])(#+)([ \t]*)$/, '$1\\$2$3');
}


/**
 * Inline text: `\` escaped first, markup characters (`* _ [ ] \` ~`) backslash-escaped so that `**x**` or
 * `[x](javascript:...)` stay text, HTML-significant characters as entities, control characters removed, bidi
 * controls shown.
 */
function inline(value: string): string {
  return showBidi(value)
    .replace(/\\/g, '\\\\')
    .replace(/[*_[\]`~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
}
