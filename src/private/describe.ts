/** A value as it appears in a message: strings quoted, other types named. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array (${safeJson(value).slice(0, 60)})`;
  if (typeof value === 'function') return 'a function';
  return `an object (${safeJson(value).slice(0, 60)})`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
