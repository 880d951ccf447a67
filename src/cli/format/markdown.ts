import { Column, displayCell, Report, showBidi, Table } from '../report/model';

/**
 * GitHub-flavoured markdown: headings, bullet lists, tables with `|` escaped and newlines turned into `<br>`. Text is
 * never live markup: emphasis, link, code and strike characters are backslash-escaped, HTML characters are entities,
 * bidi controls are shown as `<U+202E>`.
 */
export function renderMarkdown(report: Report): string {
  const out: string[] = [`# ${line(report.title)}`, ''];
  if (report.summary.length > 0) {
    out.push(...report.summary.map((l) => `- ${line(l)}`), '');
  }
  for (const section of report.sections) {
    if (section.heading) {
      out.push(`## ${line(section.heading)}`, '');
    }
    if (section.table) {
      out.push(...markdownTable(section.table), '');
    }
    if (section.lines && section.lines.length > 0) {
      out.push(...section.lines.map((l) => `- ${line(l)}`), '');
    }
  }
  if (report.notes.length > 0) {
    out.push('## Notes', '', ...report.notes.map((n) => `- ${line(n)}`), '');
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
 * A heading or list item: like `inline`, with line breaks as spaces (a break would end the item) and a leading block
 * marker (`#`, `+`, `-`, `1.`) escaped (it would start a heading or a nested list).
 */
function line(value: string): string {
  return inline(value).replace(/\r\n|\r|\n/g, ' ').replace(/^(\s*)([#+-]|\d+[.)])/, '$1\\$2');
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
