import { Report } from '../report/model';

/** The report model as JSON (the only thing written to stdout with `--output json`). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report.data, null, 2)}\n`;
}
