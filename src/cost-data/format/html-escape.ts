import { showBidi } from '../report/model';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function esc(value: string): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** An attribute value (or short text): escaped, bidi controls shown. */
export function attr(value: string): string {
  return esc(showBidi(String(value)));
}

/** A coordinate with at most two decimals. */
export function fx(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}
