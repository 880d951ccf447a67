/**
 * Placeholder detection: values people type when they do not (yet) know the real answer.
 *
 * A value is a placeholder when, lower-cased and stripped of everything but letters and digits, it is one of
 * the words below; when it holds no letter or digit at all ("-", "?", "..."); when it is one letter or digit
 * repeated ("xxx", "aaaa", "000"); or when it starts with TODO / TBD / FIXME / XXX / TBA / TBC / WIP as a word
 * ("TODO: describe the need").
 */
const PLACEHOLDER_WORDS = new Set([
  'todo', 'tbd', 'tba', 'tbc', 'tbs', 'fixme', 'xxx', 'wip',
  'na', 'nan', 'none', 'null', 'nil', 'undefined', 'unknown', 'unknow', 'unset', 'notset', 'empty', 'blank',
  'changeme', 'changethis', 'replaceme', 'fillme', 'fillmein', 'fillin', 'placeholder', 'dummy', 'sample', 'example',
  'test', 'testing', 'tmp', 'temp', 'default', 'foo', 'bar', 'baz', 'foobar', 'qux', 'asdf', 'qwerty',
  'lorem', 'loremipsum', 'loremipsumdolorsitamet', 'whatever', 'something', 'somebody', 'someone', 'anyone', 'nobody', 'noone',
  'notapplicable', 'notavailable', 'notknown', 'notyetknown', 'tobedefined', 'tobedetermined', 'tobeannounced',
  'tobeconfirmed', 'tobedone', 'tobedecided', 'later', 'pending', 'nothing',
  'yourteam', 'yourbusinessunit', 'yourneed', 'yourcustomer', 'myteam', 'team', 'businessunit', 'customer', 'customerneed',
  'service', 'myservice', 'owner', 'nameofteam', 'teamname', 'unitname', 'bu',
]);

const LEADING_MARKERS = /^(todo|tbd|tba|tbc|fixme|xxx|wip|placeholder|changeme)\b/i;

/** Whether a value is a placeholder rather than a real declaration. */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  const squashed = trimmed.normalize('NFKD').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  if (squashed.length === 0) {
    return true;
  }
  if (PLACEHOLDER_WORDS.has(squashed)) {
    return true;
  }
  if (/^(.)\1+$/u.test(squashed)) {
    return true;
  }
  return LEADING_MARKERS.test(trimmed);
}

/** Words of a statement (letters or digits, any script). */
export function words(value: string): string[] {
  return value.split(/[^\p{L}\p{N}'’-]+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

/** Levenshtein distance, for "did you mean" suggestions on registry typos. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest registered name, if it is close enough to be a likely typo. */
export function closest(value: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}
