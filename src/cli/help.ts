/**
 * Usage texts of the `customer-value` CLI, derived from the commands' declarations (`CommandSpec`): the general help
 * lists each command's synopsis and summary, a command's help its description and every option it declares, under
 * its section, with its values, default and whether it repeats. Nothing here names an option by hand.
 */
import { CommandSpec, OptionSpec } from './command-spec';
import { PROGRAM } from './io';

/** Width the help is wrapped to. */
const WIDTH = 112;
/** Widest option label before its description moves to the next line. */
const LABEL_WIDTH = 26;

/** `customer-value --help` (and what a bare `customer-value` prints on stderr). */
export function generalHelp(commands: readonly CommandSpec[]): string {
  const namePad = Math.max(...commands.map((c) => c.name.length));
  const summaryPad = namePad + 3;
  const lines = [
    `${PROGRAM}: read the customer value your CDK services declare, and what it costs`,
    '',
    'Usage:',
    ...synopsis(commands).map((l) => `  ${l}`),
    '',
    'Commands:',
    ...commands.flatMap((c) => wrap(c.summary, WIDTH, `  ${c.name.padEnd(summaryPad)}`, ' '.repeat(summaryPad + 2))),
    '',
    'Options for every command:',
    '  -h, --help       show the help of a command',
    '  -V, --version    print the version',
    '',
    `Run "${PROGRAM} <command> --help" for the options of a command.`,
    'Exit codes: 0 success, 1 the command failed (one line on stderr says why), 2 the command line is wrong,',
    '130 / 143 stopped by SIGINT / SIGTERM (a running Athena query is stopped first).',
    '--out files are written atomically (a temporary file, then a rename) and never over an input.',
    'Set CUSTOMER_VALUE_DEBUG=1 to print stack traces.',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * One synopsis per command, every option in it (`customer-value cost [--source ce|cur|focus|athena] ...`), the command
 * names padded to one column and long lines wrapped under it. The README's CLI reference is this text.
 */
export function synopsis(commands: readonly CommandSpec[]): string[] {
  const pad = Math.max(...commands.map((c) => c.name.length));
  return commands.flatMap((c) => {
    const head = `${PROGRAM} ${c.name.padEnd(pad)} `;
    const tokens = [...Object.entries(c.options).map(([name, opt]) => usageToken(name, opt))];
    if (c.positionals) {
      tokens.push(`[${c.positionals.placeholder}...]`);
    }
    return wrapTokens(tokens, WIDTH - 2, head, ' '.repeat(head.length));
  });
}

/** `customer-value <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${PROGRAM} ${spec.name} [options]${spec.positionals ? ` [${spec.positionals.placeholder}...]` : ''}`, ''];
  lines.push(...paragraphs(spec.description), '');
  if (spec.positionals) {
    lines.push('Arguments:', ...row(`${spec.positionals.placeholder}...`, spec.positionals.description, LABEL_WIDTH), '');
  }
  const sections = new Map<string, Array<[string, OptionSpec]>>();
  for (const [name, opt] of Object.entries(spec.options)) {
    const section = opt.section ?? 'Options';
    sections.set(section, [...(sections.get(section) ?? []), [name, opt]]);
  }
  for (const [section, options] of sections) {
    const labels = options.map(([name, opt]) => optionLabel(name, opt));
    const width = Math.min(LABEL_WIDTH, Math.max(...labels.map((l) => l.length)));
    lines.push(`${section}:`);
    options.forEach(([, opt], i) => {
      lines.push(...row(labels[i], optionText(opt), width));
      for (const [label, text] of Object.entries(opt.valueHelp ?? {})) {
        lines.push(...row(`  ${label}`, text, width));
      }
    });
    lines.push('');
  }
  if (spec.epilogue) {
    lines.push(...paragraphs(spec.epilogue), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** `-a, --assembly DIR`, `--usage, --no-usage`, `-q, --quiet`. */
export function optionLabel(name: string, opt: OptionSpec): string {
  const long = `--${name}${opt.type === 'string' ? ` ${opt.placeholder ?? 'VALUE'}` : ''}`;
  const both = opt.type === 'boolean' && opt.negatable ? `${long}, --no-${name}` : long;
  return opt.short ? `-${opt.short}, ${both}` : both;
}

/** The description with what the declaration adds: the accepted values, whether it repeats, the default. */
function optionText(opt: OptionSpec): string {
  const parts = [opt.description];
  if (opt.values && !opt.valueHelp) {
    parts.push(`Values: ${opt.values.join(', ')}.`);
  }
  if (opt.repeatable) {
    parts.push('Repeatable.');
  }
  if (opt.default !== undefined) {
    parts.push(`Default: ${opt.default}.`);
  }
  return parts.join(' ');
}

/** `[-a DIR]...`, `[--by service|need|...]`, `[--usage | --no-usage]`, `[-q]`. */
function usageToken(name: string, opt: OptionSpec): string {
  const flag = opt.short ? `-${opt.short}` : `--${name}`;
  if (opt.type === 'boolean') {
    return opt.negatable ? `[--${name} | --no-${name}]` : `[${flag}]`;
  }
  return `[${flag} ${opt.values ? opt.values.join('|') : opt.placeholder ?? 'VALUE'}]${opt.repeatable ? '...' : ''}`;
}

/** An option row: the label in its column, the text wrapped beside it (or below a label wider than the column). */
function row(label: string, text: string, width: number): string[] {
  const indent = ' '.repeat(width + 4);
  if (label.length > width) {
    return [`  ${label}`, ...wrap(text, WIDTH, indent, indent)];
  }
  return wrap(text, WIDTH, `  ${label.padEnd(width)}  `, indent);
}

/** Paragraphs separated by an empty line, each wrapped; a paragraph starting with two spaces is kept as written. */
function paragraphs(text: string): string[] {
  return text.split('\n\n').flatMap((p, i) => [...(i > 0 ? [''] : []), ...(p.startsWith('  ') ? p.split('\n') : wrap(p, WIDTH, '', ''))]);
}

/** Words wrapped to `width`, the first line after `first`, the others after `rest`. */
function wrap(text: string, width: number, first: string, rest: string): string[] {
  return wrapTokens(text.split(/\s+/).filter((w) => w !== ''), width, first, rest, ' ');
}

function wrapTokens(tokens: readonly string[], width: number, first: string, rest: string, sep = ' '): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const token of tokens) {
    // a token wider than a line (a long list of values) is cut after a `|`, its pieces glued together
    for (const [i, piece] of splitLong(token, width - rest.length).entries()) {
      const glue = i === 0 ? sep : '';
      if (!empty && line.length + glue.length + piece.length > width) {
        lines.push(line);
        line = rest;
        empty = true;
      }
      line += empty ? piece : `${glue}${piece}`;
      empty = false;
    }
  }
  lines.push(line);
  return lines.map((l) => l.trimEnd());
}

/** A token cut after `|` into pieces of at most `width` characters (a piece without `|` stays whole). */
function splitLong(token: string, width: number): string[] {
  if (token.length <= width || !token.includes('|')) {
    return [token];
  }
  const pieces: string[] = [];
  let piece = '';
  for (const part of token.split(/(?<=\|)/)) {
    if (piece !== '' && piece.length + part.length > width) {
      pieces.push(piece);
      piece = '';
    }
    piece += part;
  }
  return [...pieces, piece];
}
