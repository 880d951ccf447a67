import { BIDI_CONTROLS, Report } from '../report/model';

/**
 * The report model as JSON (the only thing written to stdout with `--output json`). Values are complete; bidi
 * controls in them are written as `\u202e` escapes, so the text cannot reorder itself where the JSON is shown, and
 * parses back to the same value.
 */
export function renderJson(report: Report): string {
  const json = JSON.stringify(report.data, null, 2).replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${json}\n`;
}
