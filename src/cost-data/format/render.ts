import { renderCsv } from './csv';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderText } from './text';
import { Report } from '../report/model';

/** Renders a report in a format: json, csv, markdown, html, or the terminal table. */
export function render(report: Report, output: string): string {
  switch (output) {
    case 'json': return renderJson(report);
    case 'csv': return renderCsv(report);
    case 'markdown': return renderMarkdown(report);
    case 'html': return renderHtml(report);
    default: return renderText(report);
  }
}
