import { createHash } from 'crypto';

/**
 * The strictest character set that every AWS service accepts in tag keys and values
 * (DataSync, CloudFormation StackSets and stack tags are the strictest: ASCII only, no `@`).
 * See ../shared/reference/aws-cost-facts.md §1.
 */
export const TAG_SAFE_CHARS = 'ASCII letters, digits, spaces and _ . : / = + -';
export const TAG_VALUE_PATTERN = /^[A-Za-z0-9 _.:/=+\-]+$/;
export const TAG_KEY_PATTERN = /^[A-Za-z0-9 _.:/=+\-]+$/;
export const MAX_TAG_VALUE_LENGTH = 256;

/** Whether a value can be used as-is as a tag value everywhere in AWS. */
export function isTagSafe(value: string): boolean {
  return value.length >= 1
    && value.length <= MAX_TAG_VALUE_LENGTH
    && TAG_VALUE_PATTERN.test(value)
    && value === value.trim()
    && !value.toLowerCase().startsWith('aws:');
}

/** The characters of `value` that are not tag-safe, each listed once, for error messages. */
export function unsafeCharacters(value: string): string[] {
  const out: string[] = [];
  for (const ch of value) {
    if (!/[A-Za-z0-9 _.:/=+\-]/.test(ch) && !out.includes(ch)) {
      out.push(ch);
    }
  }
  return out;
}

/**
 * Derives the tag value of free text (a customer need statement, a customer name), deterministically:
 *
 * 1. Unicode NFKD normalisation, then combining marks are dropped (`é` becomes `e`, `ﬁ` becomes `fi`);
 * 2. every character outside the tag-safe set (ASCII letters, digits, space, `_ . : / = + -`) becomes a space;
 * 3. runs of whitespace collapse to one space; leading and trailing spaces are trimmed;
 * 4. a leading `aws:` (any case) is prefixed with `_` (the prefix is reserved by AWS);
 * 5. if the result is longer than `maxLength` (256), it is cut to `maxLength - 9` characters, trailing
 *    spaces are trimmed, and `/` plus the first 8 hex digits of the SHA-256 of the original text are appended,
 *    so two long statements that share a prefix still get different values;
 * 6. if nothing is left (text without any Latin letter or digit), the value is `h/` plus the first 16 hex
 *    digits of the SHA-256 of the original text.
 *
 * The original text is kept in the cloud-assembly metadata, so reports always show the full statement.
 */
export function deriveTagValue(text: string, maxLength: number = MAX_TAG_VALUE_LENGTH): string {
  const folded = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let value = folded.replace(/[^A-Za-z0-9 _.:/=+\-]/g, ' ').replace(/\s+/g, ' ').trim();
  if (value.toLowerCase().startsWith('aws:')) {
    value = `_${value}`;
  }
  if (value.length === 0) {
    return `h/${sha256(text).slice(0, 16)}`;
  }
  if (value.length > maxLength) {
    value = `${value.slice(0, maxLength - 9).trimEnd()}/${sha256(text).slice(0, 8)}`;
  }
  return value;
}

/**
 * The `resource_tags` map key CUR 2.0 uses for a user tag key (legacy CUR column-name rules, which the
 * CUR 2.0 map keys follow): `_` before each upper-case letter, lower-case, non-alphanumerics to `_`,
 * collapse and trim `_`, prefix `user_`. `customer-service` becomes `user_customer_service`.
 */
export function curMapKey(tagKey: string): string {
  const normalised = tagKey
    .replace(/([A-Z])/g, '_$1')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `user_${normalised}`;
}

/**
 * The CUR 2.0 collision rule: two fields whose keys become the same `resource_tags` column (`team` read from
 * `business_unit` and `businessUnit` from `business-unit` both become `user_business_unit`), one message each.
 * CUR 2.0 only: FOCUS and Cost Explorer keys are exact strings.
 */
export function curColumnCollisions(fields: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const seen = new Map<string, string>();
  for (const [field, key] of Object.entries(fields)) {
    const col = curMapKey(key);
    const prev = seen.get(col);
    if (prev) {
      out.push(`${prev} and ${field} keys both become the CUR 2.0 column "${col}": choose keys that differ after CUR normalisation`);
    }
    seen.set(col, field);
  }
  return out;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Turns a construct id into a default service name: kebab-case ASCII (`OrderHistory` → `order-history`).
 */
export function kebabFromId(id: string): string {
  return id
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
