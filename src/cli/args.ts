import { UsageError } from './errors';

/** How an option of a command is parsed. */
export interface OptionSpec {
  /** `string` takes a value, `boolean` takes none (and accepts `--no-<name>`), `list` takes a value and repeats. */
  readonly kind: 'string' | 'boolean' | 'list';
  /** Accepted values, when the set is closed. */
  readonly values?: readonly string[];
  /** Placeholder shown in messages, e.g. `YYYY-MM-DD`. */
  readonly placeholder?: string;
  /** A one-letter alias, e.g. `o` for `-o json`. */
  readonly short?: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly options: Record<string, OptionSpec>;
  /** Whether the command takes positional arguments (e.g. the CUR files after `--source cur`). */
  readonly positionals?: boolean;
}

export interface ParsedArgs {
  readonly strings: Map<string, string>;
  readonly lists: Map<string, string[]>;
  readonly booleans: Map<string, boolean>;
  readonly positionals: string[];
  readonly help: boolean;
}

/**
 * Parses `--name value`, `--name=value`, `--flag`, `--no-flag` and `--` (end of options).
 * Unknown options, missing values, empty paths (an unset shell variable: `--out "$OUT"`, an empty argument), values outside
 * a closed set, repeated single-value options and a flag given both ways (`--allocate --no-allocate`) are usage
 * errors naming the option, the value and what is accepted: nothing is resolved silently by the last one winning.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const strings = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const booleans = new Map<string, boolean>();
  /** How each boolean was given (`--usage`, `--no-usage`, `--usage=false`), for a conflict's message. */
  const givenAs = new Map<string, string>();
  const positionals: string[] = [];
  let help = false;
  let endOfOptions = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (endOfOptions || !arg.startsWith('-') || arg === '-') {
      if (!spec.positionals) {
        throw new UsageError(`unexpected argument ${JSON.stringify(arg)} for "${spec.name}"`, spec.name);
      }
      if (arg.trim() === '') {
        throw new UsageError(`an argument is empty (${JSON.stringify(arg)}; an unset shell variable?): give the path of the data, `
          + 'e.g. ./cur-export/ (use . for the current folder)', spec.name);
      }
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      endOfOptions = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (!arg.startsWith('--')) {
      const long = Object.keys(spec.options).find((k) => spec.options[k].short !== undefined && `-${spec.options[k].short}` === arg);
      if (!long) {
        const shorts = Object.entries(spec.options).filter(([, o]) => o.short).map(([k, o]) => `-${o.short} (--${k})`);
        throw new UsageError(`unknown option ${arg} for "${spec.name}"${shorts.length > 0 ? `; short options are ${shorts.join(', ')}, -h` : ''}`, spec.name);
      }
      name = long;
      inline = undefined;
    } else {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    }
    let negated = false;
    if (!spec.options[name] && name.startsWith('no-') && spec.options[name.slice(3)]?.kind === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const opt = spec.options[name];
    if (!opt) {
      throw new UsageError(`unknown option --${name} for "${spec.name}"${suggest(name, Object.keys(spec.options))}`, spec.name);
    }
    if (opt.kind === 'boolean') {
      if (inline !== undefined && (negated || !['true', 'false'].includes(inline))) {
        throw new UsageError(`option --${name} takes no value (got ${JSON.stringify(inline)})`, spec.name);
      }
      const value = inline !== undefined ? inline === 'true' : !negated;
      const previous = booleans.get(name);
      if (previous !== undefined && previous !== value) {
        throw new UsageError(`${givenAs.get(name)} and ${arg} contradict each other: give one of them`, spec.name);
      }
      booleans.set(name, value);
      givenAs.set(name, arg);
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2) || isShortOption(spec, next)) {
        throw new UsageError(`option --${name} needs a value${accepted(opt)}`, spec.name);
      }
      inline = next;
      i++;
    }
    if (inline.trim() === '' && PATH_PLACEHOLDERS.includes(opt.placeholder ?? '')) {
      throw new UsageError(`option --${name} is empty (${JSON.stringify(inline)}; an unset shell variable?)${accepted(opt, 'expected')}`, spec.name);
    }
    if (opt.values && !opt.values.includes(inline)) {
      throw new UsageError(`--${name} is ${JSON.stringify(inline)}${accepted(opt)}`, spec.name);
    }
    if (opt.kind === 'list') {
      lists.set(name, [...(lists.get(name) ?? []), inline]);
    } else {
      if (strings.has(name)) {
        throw new UsageError(`option --${name} is given twice (${JSON.stringify(strings.get(name))} and ${JSON.stringify(inline)})`, spec.name);
      }
      strings.set(name, inline);
    }
  }
  return { strings, lists, booleans, positionals, help };
}

/** The placeholders of options that name a file or folder: an empty one would mean the current folder. */
const PATH_PLACEHOLDERS = ['FILE', 'DIR'];

function isShortOption(spec: CommandSpec, arg: string): boolean {
  return arg === '-h' || Object.values(spec.options).some((o) => o.short !== undefined && `-${o.short}` === arg);
}

function accepted(opt: OptionSpec, prefix?: string): string {
  if (opt.values) {
    return `: accepted values are ${opt.values.join(', ')}`;
  }
  if (prefix) {
    return opt.placeholder ? `: ${prefix} ${opt.placeholder}` : '';
  }
  return opt.placeholder ? ` (${opt.placeholder})` : '';
}

function suggest(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean --${best}?)` : '';
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}
