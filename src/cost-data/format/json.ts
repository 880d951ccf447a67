import { randomBytes } from 'crypto';
import { BIDI_CONTROLS, Decimal, Report } from '../report/model';

/**
 * The report model as JSON (the only thing written to stdout with `--output json`). Values are complete; bidi
 * controls in them are written as `\u202e` escapes, so the text cannot reorder itself where the JSON is shown, and
 * parses back to the same value. Exact amounts (`Decimal`) are written as JSON numbers with their exact digits
 * (`123456789012345.67`), never through a float; a reader that parses numbers as decimals gets the cents right.
 */
export function renderJson(report: Report): string {
  // A Decimal becomes a marker string that no JSON text holds (a fresh random tag), then its digits replace it.
  const tag = `\u0001${randomBytes(6).toString('hex')}:`;
  const json = JSON.stringify(report.data, function replace(this: any, key: string, value: unknown) {
    const original = this[key];
    return original instanceof Decimal ? `${tag}${original.toString()}` : value;
  }, 2)
    .replace(new RegExp(`"${JSON.stringify(tag).slice(1, -1).replace(/\\/g, '\\\\')}(-?[0-9.]+)"`, 'g'), '$1')
    .replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${json}\n`;
}
