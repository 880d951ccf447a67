/**
 * The declaration of a `customer-value` command: its name, summary, options (each with its type, whether it repeats,
 * its accepted values, its default and its description) and what runs it. The parser (`args.ts`), the help
 * (`help.ts`) and the dispatch (`main.ts`) are derived from these declarations, as aws-cdk's CLI derives its parser
 * and help from one declaration: adding an option is one entry in a command's `options`.
 */
import type { CliIo } from './io';

/** How an option of a command is parsed, and how the help describes it. */
export interface OptionSpec {
  /** `string` takes a value (`--name value`, `--name=value`); `boolean` takes none and also accepts `--no-<name>`. */
  readonly type: 'string' | 'boolean';
  /** A `string` option that may be given several times, each value kept (`-a one -a two`). Default: given at most once. */
  readonly repeatable?: boolean;
  /** Accepted values, when the set is closed; anything else is refused naming the value and these. */
  readonly values?: readonly string[];
  /** What each value means, shown under the option in the help (the key is the label, e.g. `cur PATH...`). */
  readonly valueHelp?: Readonly<Record<string, string>>;
  /** Placeholder of the value in the help and in messages, e.g. `YYYY-MM-DD`; `FILE` and `DIR` mark paths (never empty). */
  readonly placeholder?: string;
  /** A one-letter alias, e.g. `o` for `-o json`. */
  readonly short?: string;
  /** What the option does, one paragraph (the help wraps it). */
  readonly description: string;
  /** The value used when the option is not given, as the help shows it. */
  readonly default?: string;
  /** The heading of the help section the option is listed under (default `Options`); sections follow the options' order. */
  readonly section?: string;
  /** `boolean` options whose default can be on: the help lists `--no-<name>` next to it. */
  readonly negatable?: boolean;
  /**
   * Options this one cannot be given with, each with the message that says why. The key is another option's name; for a
   * `boolean` option, `name` means it was given on and `no-name` given off.
   */
  readonly conflicts?: Readonly<Record<string, string>>;
  /** Another option this one needs, with a value when it must have one (its default counts), and the message that says so. */
  readonly requires?: { readonly option: string; readonly value?: string | boolean; readonly message: string };
}

/** The values a command line gave, once parsed against a `CommandSpec`. */
export interface ParsedArgs {
  /** `string` options given once. */
  readonly strings: Map<string, string>;
  /** `repeatable` options, every value in order. */
  readonly lists: Map<string, string[]>;
  /** `boolean` options given (`--name`: true, `--no-name`: false). */
  readonly booleans: Map<string, boolean>;
  readonly positionals: string[];
  /** `-h` / `--help` was given. */
  readonly help: boolean;
}

/** One command of the CLI. */
export interface CommandSpec {
  readonly name: string;
  /** One line for the command list of `customer-value --help`. */
  readonly summary: string;
  /** What the command does, for `customer-value <name> --help`: paragraphs separated by an empty line. */
  readonly description: string;
  /** Arguments after the options, e.g. the CUR files of `--source cur`: their placeholder and what they are. */
  readonly positionals?: { readonly placeholder: string; readonly description: string };
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Text after the options in the command's help. */
  readonly epilogue?: string;
  /** Runs the command once its command line is parsed; returns the exit code. */
  readonly run: (args: ParsedArgs, io: CliIo) => Promise<number>;
}
