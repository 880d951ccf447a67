import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from './args';
import { COMMANDS } from './commands';
import { EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, UsageError } from './errors';
import { commandHelp, generalHelp } from './help';
import { CliIo, oneLine, PROGRAM, stderrLines, terminalIo } from './io';
import { firstLine, CostDataError } from '../cost-data/errors';
import { StoppedError } from '../cost-data/sources/limits';

export type { CliIo } from './io';

/** The process entry point used by `bin/customer-value`: runs the CLI and sets `process.exitCode`. */
export async function main(argv: string[]): Promise<void> {
  // The SDK warns on every run under Node 20 about a future Node 22 requirement: keep stderr to one line per problem.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `customer-value services | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  // SIGINT / SIGTERM: stop what runs (an Athena query is stopped, DuckDB interrupted), say so in one line, exit 130 /
  // 143. A second signal, or a command that does not stop within FORCE_EXIT_MS, exits at once; temporary folders are
  // removed by 'exit' listeners either way.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? 143 : 130;
    if (interrupt.signal.aborted) {
      process.exit(code);
    }
    interrupt.abort(signal);
    setTimeout(() => {
      process.stderr.write(`${PROGRAM}: ${signal}: did not stop within ${FORCE_EXIT_MS / 1000} s, exiting\n`);
      process.exit(code);
    }, FORCE_EXIT_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    process.exitCode = await run(argv, {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      cwd: process.cwd(),
      env: process.env,
      now: () => new Date(),
      interrupt: interrupt.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (interrupt.signal.aborted) {
    // the command stopped on the signal: exit now, even if a socket the SDK opened is still closing
    process.exit(process.exitCode);
  }
}

/** Longest wait for a command to stop after SIGINT / SIGTERM (stopping an Athena query takes one request). */
const FORCE_EXIT_MS = 15_000;

/** Runs the CLI; returns the exit code (0 success, 1 runtime error, 2 usage error). Never throws. */
export async function run(argv: readonly string[], given: CliIo): Promise<number> {
  const io = terminalIo(given);
  const command = argv[0];
  const spec = COMMANDS.find((c) => c.name === command);
  try {
    if (command === undefined) {
      stderrLines(io, generalHelp(COMMANDS));
      return EXIT_USAGE;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      const topic = COMMANDS.find((c) => c.name === argv[1]);
      io.stdout(topic ? commandHelp(topic) : generalHelp(COMMANDS));
      return EXIT_OK;
    }
    if (command === '--version' || command === '-V') {
      io.stdout(`${version()}\n`);
      return EXIT_OK;
    }
    if (!spec) {
      const names = COMMANDS.map((c) => c.name).join(', ');
      throw new UsageError(command.startsWith('-')
        ? `unknown option ${command}: give a command first (${names})`
        : `unknown command ${JSON.stringify(command)}: commands are ${names}`);
    }
    const args = parseArgs(spec, argv.slice(1));
    if (args.help) {
      io.stdout(commandHelp(spec));
      return EXIT_OK;
    }
    return await spec.run(args, io);
  } catch (e) {
    return reportError(e, io, spec?.name);
  }
}

function reportError(e: unknown, io: CliIo, command: string | undefined): number {
  const debug = io.env.CUSTOMER_VALUE_DEBUG === '1' || io.env.CUSTOMER_VALUE_DEBUG === 'true';
  let code: number;
  if (e instanceof UsageError) {
    const cmd = e.command ?? command;
    io.stderr(`${PROGRAM}${cmd ? ` ${cmd}` : ''}: ${oneLine(e.message)} (see "${PROGRAM}${cmd ? ` ${cmd}` : ''} --help")\n`);
    code = EXIT_USAGE;
  } else if (e instanceof CostDataError) {
    io.stderr(`${PROGRAM}: ${oneLine(e.message)}\n`);
    code = e instanceof StoppedError ? e.exitCode : EXIT_RUNTIME;
  } else {
    const message = e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e);
    io.stderr(`${PROGRAM}: unexpected error: ${oneLine(firstLine(message))}${debug ? '' : ' (set CUSTOMER_VALUE_DEBUG=1 for the stack trace)'}\n`);
    code = EXIT_RUNTIME;
  }
  if (debug && e instanceof Error && e.stack) {
    stderrLines(io, e.stack);
  }
  return code;
}

function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
