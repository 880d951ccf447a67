import { sha256 } from '../../private/tag-safe';

/**
 * Cost category names and values (API `CostCategoryName` / `CostCategoryValue`):
 * `^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$`, 1-50 characters: letters, numbers, separators (spaces), `-` and `_`, no
 * leading or trailing space (aws-cost-facts §5). The `-_` at the end of the API's character class is read as the two
 * characters `-` and `_` (a range cannot start at a property class).
 */
export const CATEGORY_TEXT = /^(?! )[\p{L}\p{N}\p{Z}\-_]*(?<! )$/u;
export const CATEGORY_TEXT_DESCRIPTION = '1-50 letters, numbers, spaces, - and _, without leading or trailing spaces';
export const MAX_CATEGORY_TEXT = 50;
const HASH_LENGTH = 8;

/** Whether `value` is a valid cost category name or value. */
export function isCategoryText(value: string): boolean {
  return value.length >= 1 && value.length <= MAX_CATEGORY_TEXT && CATEGORY_TEXT.test(value);
}

/**
 * The cost category value for a tag value, deterministic and independent of the other values:
 *
 * 1. every character a category value cannot hold (anything but letters, numbers, spaces, `-` and `_`; for a
 *    tag-safe value that is `. : / = +`) becomes `-`; runs of spaces collapse to one, leading and trailing spaces go;
 * 2. if that is at most 50 characters, it is the value (a valid tag value of at most 50 characters that needs no
 *    replacement is used unchanged: `payments` stays `payments`);
 * 3. otherwise it is cut to 41 characters (trailing spaces and `-` trimmed), followed by a space and the first
 *    8 hex digits of the SHA-256 of the tag value, so two long values that share a prefix differ.
 *
 * Two different tag values that still end up with the same category value (e.g. `a.b` and `a:b`) are refused by
 * the caller: a category value names exactly one tag value.
 */
export function categoryValue(tagValue: string): string {
  let value = tagValue
    .replace(/[^\p{L}\p{N}\p{Z}\-_]/gu, '-')
    .replace(/\p{Z}+/gu, ' ')
    .trim();
  if (value.length === 0) {
    value = `h ${sha256(tagValue).slice(0, 16)}`;
  }
  if (value.length <= MAX_CATEGORY_TEXT) {
    return value;
  }
  const head = value.slice(0, MAX_CATEGORY_TEXT - HASH_LENGTH - 1).replace(/[\s-]+$/u, '');
  return `${head} ${sha256(tagValue).slice(0, HASH_LENGTH)}`;
}
