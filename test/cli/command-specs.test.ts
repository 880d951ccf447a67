/**
 * The CLI's commands are declared once (src/cli/commands/*: CommandSpec); the parser, the help, the dispatch and the
 * README's synopsis are derived from those declarations. These tests hold the derivation: every declared option is in
 * its command's help, in the general help and in the README; the declarations are consistent (values, defaults,
 * conflicts, short letters); a declared relation (conflict, requirement) is enforced by the parser without code in the
 * command; and no report format is chosen by default when the one asked for is unknown.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from './fixtures';
import { parseArgs } from '../../src/cli/args';
import { CommandSpec } from '../../src/cli/command-spec';
import { COMMANDS } from '../../src/cli/commands';
import { commandHelp, generalHelp, optionLabel, synopsis } from '../../src/cli/help';
import { REPORT_FORMATS, render } from '../../src/cost-data/format/render';
import { Report } from '../../src/cost-data/report/model';
import { tempDir } from '../util';

const README = path.join(__dirname, '..', '..', 'README.md');
const SYNOPSIS_MARK = '<!-- customer-value synopsis:';

/** The README's synopsis block: the ```text block after the marker comment. */
function readmeSynopsis(): string {
  const text = fs.readFileSync(README, 'utf8');
  const at = text.indexOf(SYNOPSIS_MARK);
  expect(at).toBeGreaterThan(0);
  const start = text.indexOf('```text\n', at) + '```text\n'.length;
  return text.slice(start, text.indexOf('```\n', start));
}

const EVERY_OPTION = COMMANDS.flatMap((c) => Object.entries(c.options).map(([name, opt]) => [c.name, name, opt, c] as const));

describe('the help and the README are derived from the declarations', () => {
  test('the commands: dispatched, listed in the general help with their summary, each with its own help', async () => {
    const general = await runCli(['--help'], { cwd: tempDir() });
    expect(general.code).toBe(0);
    expect(general.stdout).toBe(generalHelp(COMMANDS));
    for (const c of COMMANDS) {
      expect(general.stdout).toMatch(new RegExp(`^  customer-value ${c.name} +\\[`, 'm'));
      expect(general.stdout).toMatch(new RegExp(`^  ${c.name} +${escape(c.summary.split(' ').slice(0, 4).join(' '))}`, 'm'));
      for (const argv of [[c.name, '--help'], [c.name, '-h'], ['help', c.name]]) {
        const res = await runCli(argv, { cwd: tempDir() });
        expect({ argv, code: res.code, stdout: res.stdout, stderr: res.stderr }).toEqual({ argv, code: 0, stdout: commandHelp(c), stderr: '' });
      }
    }
    const unknown = await runCli(['report'], { cwd: tempDir() });
    expect(unknown.stderr).toBe(`customer-value: unknown command "report": commands are ${COMMANDS.map((c) => c.name).join(', ')} (see "customer-value --help")\n`);
  });

  test.each(EVERY_OPTION.map(([command, name, opt]) => [command, name, opt]))('%s --%s: in its help, the general help and the README', (command, name, opt) => {
    const spec = COMMANDS.find((c) => c.name === command)!;
    const help = commandHelp(spec);
    // its row: the label (short, long, value placeholder, --no- form), then the start of its description
    expect(help).toMatch(new RegExp(`^  ${escape(optionLabel(name, opt))}\\s+${escape(opt.description.split(' ').slice(0, 3).join(' '))}`, 'm'));
    expect(help).toContain(`${opt.section ?? 'Options'}:\n`);
    for (const v of opt.values ?? []) {
      expect(help).toContain(v);
    }
    if (opt.default !== undefined) {
      expect(help.replace(/\s+/g, ' ')).toContain(`Default: ${opt.default}.`);
    }
    // the synopsis of its command, in the general help and in the README: `[-a DIR]...`, `[--by service|need|...]`, `[-q]`
    const flag = opt.short ? `-${opt.short}` : `--${name}`;
    const token = `[${flag}${opt.type === 'string' ? ` ${opt.values?.join('|') ?? opt.placeholder}` : ''}`;
    expect(commandSynopsis(generalHelp(COMMANDS), command)).toContain(token);
    expect(commandSynopsis(readmeSynopsis(), command)).toContain(token);
  });

  test('the README\'s synopsis is the one the declarations give', () => {
    const expected = `${synopsis(COMMANDS).join('\n')}\n`;
    // on a change of a declaration: paste this text into README.md, in the ```text block after the "customer-value synopsis" comment
    expect(readmeSynopsis()).toBe(expected);
  });

  test('every option is described: a description that ends a sentence, a placeholder where it takes a value', () => {
    for (const [command, name, opt] of EVERY_OPTION) {
      expect({ command, name, description: /[a-z0-9].*[.)]$/.test(opt.description) || opt.valueHelp !== undefined })
        .toEqual({ command, name, description: true });
      expect({ command, name, placeholder: opt.type === 'boolean' || opt.placeholder !== undefined }).toEqual({ command, name, placeholder: true });
    }
  });
});

describe('the declarations are consistent', () => {
  test.each(COMMANDS.map((c) => [c.name, c]))('%s', (_name, spec: CommandSpec) => {
    const options = Object.entries(spec.options);
    const shorts = options.map(([, o]) => o.short).filter((s) => s !== undefined);
    expect(new Set(shorts).size).toBe(shorts.length);
    expect(shorts).not.toContain('h');
    expect(shorts).not.toContain('V');
    for (const [name, opt] of options) {
      expect(name).toMatch(/^[a-z][a-z-]*$/);
      if (opt.type === 'boolean') {
        expect({ name, values: opt.values, repeatable: opt.repeatable, placeholder: opt.placeholder })
          .toEqual({ name, values: undefined, repeatable: undefined, placeholder: undefined });
      }
      if (opt.values && opt.default !== undefined) {
        expect(opt.values).toContain(opt.default);
      }
      for (const label of Object.keys(opt.valueHelp ?? {})) {
        expect(opt.values).toContain(label.split(' ')[0]);
      }
      for (const other of Object.keys(opt.conflicts ?? {})) {
        const target = spec.options[other.replace(/^no-/, '')];
        expect({ name, other, declared: target !== undefined && (!other.startsWith('no-') || target.type === 'boolean') })
          .toEqual({ name, other, declared: true });
      }
      if (opt.requires) {
        const target = spec.options[opt.requires.option];
        const requires = opt.requires.option;
        expect({ name, requires, declared: target !== undefined }).toEqual({ name, requires, declared: true });
        if (typeof opt.requires.value === 'string') {
          expect(target.values).toContain(opt.requires.value);
        }
      }
    }
    // every --output a command accepts is a format the renderer writes: none is turned into another one
    for (const v of spec.options.output?.values ?? []) {
      expect(REPORT_FORMATS).toContain(v);
    }
  });
});

describe('the parser follows the declaration', () => {
  const runs: string[] = [];
  const SPEC: CommandSpec = {
    name: 'probe',
    summary: 'a command declared for this test',
    description: 'Parses its options.',
    options: {
      format: { type: 'string', values: ['a', 'b'], placeholder: 'F', short: 'f', description: 'a closed set.', default: 'a' },
      file: { type: 'string', placeholder: 'FILE', description: 'a path.' },
      dir: { type: 'string', placeholder: 'DIR', description: 'another path.', conflicts: { file: '--dir and --file both say where' } },
      tag: { type: 'string', repeatable: true, placeholder: 'T', description: 'repeats.' },
      fast: { type: 'boolean', negatable: true, description: 'a flag.' },
      slow: { type: 'boolean', description: 'needs --fast off.', conflicts: { fast: '--slow and --fast disagree' } },
      deep: { type: 'boolean', description: 'needs --format b.', requires: { option: 'format', value: 'b', message: '--deep only with --format b' } },
    },
    run: async (args) => {
      runs.push(JSON.stringify(args));
      return 0;
    },
  };

  test.each([
    [['--formt', 'a'], 'unknown option --formt for "probe" (did you mean --format?)'],
    [['--zzz'], 'unknown option --zzz for "probe"'],
    [['--format'], 'option --format needs a value: accepted values are a, b'],
    [['-f', '--file', 'x'], 'option --format needs a value: accepted values are a, b'],
    [['--format', 'c'], '--format is "c": accepted values are a, b'],
    [['--format=c'], '--format is "c": accepted values are a, b'],
    [['--file', 'x', '--file', 'y'], 'option --file is given twice ("x" and "y")'],
    [['--file', ''], 'option --file is empty (""; an unset shell variable?): expected FILE'],
    [['--fast', '--no-fast'], '--fast and --no-fast contradict each other: give one of them'],
    [['--fast=yes'], 'option --fast takes no value (got "yes")'],
    [['--dir', 'd', '--file', 'f'], '--dir and --file both say where'],
    [['--slow', '--fast'], '--slow and --fast disagree'],
    [['--deep'], '--deep only with --format b'],
    [['--deep', '--format', 'a'], '--deep only with --format b'],
    [['extra'], 'unexpected argument "extra" for "probe"'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseArgs(SPEC, argv)).toThrow(message);
    try {
      parseArgs(SPEC, argv);
    } catch (e) {
      expect({ message: (e as Error).message, command: (e as any).command }).toEqual({ message, command: 'probe' });
    }
  });

  test('what the declaration allows is parsed', () => {
    const args = parseArgs(SPEC, ['-f', 'b', '--tag', 'x', '--tag=y', '--no-fast', '--slow', '--deep', '--dir', 'd']);
    expect(args.strings).toEqual(new Map([['format', 'b'], ['dir', 'd']]));
    expect(args.lists).toEqual(new Map([['tag', ['x', 'y']]]));
    expect(args.booleans).toEqual(new Map([['fast', false], ['slow', true], ['deep', true]]));
    // --slow conflicts with --fast given on, not off; the relations are not checked when the help is asked for
    expect(parseArgs(SPEC, ['--dir', 'd', '--file', 'f', '--help']).help).toBe(true);
  });

  test('adding an option is one entry: it is parsed, and listed in the help with its values and default', () => {
    const more: CommandSpec = { ...SPEC, options: { ...SPEC.options, registry: { type: 'string', placeholder: 'S3URI', description: 'the registry to read.', default: 'none' } } };
    expect(parseArgs(more, ['--registry', 's3://b/k']).strings.get('registry')).toBe('s3://b/k');
    expect(commandHelp(more)).toMatch(/^ {2}--registry S3URI +the registry to read\. Default: none\.$/m);
    expect(commandHelp(more)).toMatch(/^ {2}-f, --format F +a closed set\. Values: a, b\. Default: a\.$/m);
    expect(synopsis([more]).join(' ')).toContain('[--registry S3URI]');
  });
});

describe('an unknown report format is refused, never rendered as a table', () => {
  const report: Report = { title: 'T', summary: [], notes: [], data: {}, sections: [] };

  test('render() names the format and the accepted ones', () => {
    // before issue 22 item 7, any format other than json, csv, markdown and html was silently the terminal table
    expect(() => render(report, 'pdf')).toThrow('the output format is "pdf": accepted values are table, json, csv, markdown, html');
    expect(() => render(report, 'Table')).toThrow(/accepted values are table, json/);
    for (const format of REPORT_FORMATS) {
      expect(typeof render(report, format)).toBe('string');
    }
  });

  test.each([
    ['services', ['-o', 'pdf'], 'table, json, csv, markdown'],
    ['cost', ['--output=text'], 'table, json, csv, markdown, html'],
    ['review', ['-o', 'table'], 'markdown, html, json'],
  ])('customer-value %s %j: one line, exit 2', async (command, argv, accepted) => {
    const res = await runCli([command, ...argv], { cwd: tempDir() });
    const value = argv[argv.length - 1].replace(/^--output=/, '');
    expect(res).toEqual({
      code: 2,
      stdout: '',
      stderr: `customer-value ${command}: --output is "${value}": accepted values are ${accepted} (see "customer-value ${command} --help")\n`,
    });
  });
});

/** One command's synopsis out of a text holding every command's (the general help, the README), its lines joined. */
function commandSynopsis(text: string, command: string): string {
  const joined = text.replace(/\|\n\s+/g, '|').replace(/\s+/g, ' ');
  const m = new RegExp(`customer-value ${command} +(.*?)(?= customer-value [a-z]+ +\\[|$)`).exec(joined);
  expect(m).not.toBeNull();
  return m![1];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
