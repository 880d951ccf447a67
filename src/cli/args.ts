import { CommandSpec, OptionSpec, ParsedArgs } from './command-spec';
import { UsageError } from './errors';
import { closest } from '../private/placeholders';

export type { CommandSpec, OptionSpec, ParsedArgs } from './command-spec';

/**
 * Parses a command line against a command's declaration: `--name value`, `--name=value`, `-x value` (a `short`
 * alias), `--flag`, `--no-flag` and `--` (end of options).
 * Unknown options (with the closest known one), missing values, empty paths (an unset shell variable: `--out "$OUT"`,
 * an empty argument), values outside a closed set, repeated single-value options, a flag given both ways
 * (`--allocate --no-allocate`), and options the declaration says conflict or need another are usage errors naming the
 * option, the value and what is accepted: nothing is resolved silently by the last one winning.
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
    if (!spec.options[name] && name.startsWith('no-') && spec.options[name.slice(3)]?.type === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const opt = spec.options[name];
    if (!opt) {
      const near = closest(name, Object.keys(spec.options));
      throw new UsageError(`unknown option --${name} for "${spec.name}"${near ? ` (did you mean --${near}?)` : ''}`, spec.name);
    }
    if (opt.type === 'boolean') {
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
    if (opt.repeatable) {
      lists.set(name, [...(lists.get(name) ?? []), inline]);
    } else {
      if (strings.has(name)) {
        throw new UsageError(`option --${name} is given twice (${JSON.stringify(strings.get(name))} and ${JSON.stringify(inline)})`, spec.name);
      }
      strings.set(name, inline);
    }
  }
  const parsed = { strings, lists, booleans, positionals, help };
  if (!help) {
    checkRelations(spec, parsed);
  }
  return parsed;
}

/** Whether an option was given: `name` for any option, `no-name` for a boolean given off. */
function given(args: ParsedArgs, key: string): boolean {
  if (args.strings.has(key) || args.lists.has(key)) {
    return true;
  }
  if (args.booleans.has(key)) {
    return args.booleans.get(key) === true;
  }
  return key.startsWith('no-') && args.booleans.get(key.slice(3)) === false;
}

/** The declared `conflicts` and `requires` of the options given, in the order of the declaration. */
function checkRelations(spec: CommandSpec, args: ParsedArgs): void {
  for (const [name, opt] of Object.entries(spec.options)) {
    if (!given(args, name)) {
      continue;
    }
    for (const [other, message] of Object.entries(opt.conflicts ?? {})) {
      if (given(args, other)) {
        throw new UsageError(message, spec.name);
      }
    }
    const req = opt.requires;
    if (req) {
      const target = spec.options[req.option];
      const value = target?.type === 'boolean' ? args.booleans.get(req.option) : args.strings.get(req.option) ?? target?.default;
      if (req.value === undefined ? value === undefined : value !== req.value) {
        throw new UsageError(req.message, spec.name);
      }
    }
  }
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
