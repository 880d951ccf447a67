import { renderCsv } from './csv';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderText } from './text';
import { CostDataError } from '../errors';
import { Report } from '../report/model';

/** The formats a report is rendered in: the terminal table, json, csv, markdown, html. */
export const REPORT_FORMATS: readonly string[] = ['table', 'json', 'csv', 'markdown', 'html'];

/** Renders a report in one of `REPORT_FORMATS`; any other format is refused (never a table by default). */
export function render(report: Report, output: string): string {
  switch (output) {
    case 'table': return renderText(report);
    case 'json': return renderJson(report);
    case 'csv': return renderCsv(report);
    case 'markdown': return renderMarkdown(report);
    case 'html': return renderHtml(report);
    default: throw new CostDataError(`the output format is ${JSON.stringify(output)}: accepted values are ${REPORT_FORMATS.join(', ')}`);
  }
}
