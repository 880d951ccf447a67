import { terminalLine } from '../cost-data/report/model';
import { UsageReader } from '../cost-data/sources/unit-usage';

/** The program name in every message. */
export const PROGRAM = 'customer-value';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  /** One message per call, ending with a line break (see `terminalIo`). */
  readonly stderr: (text: string) => void;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  /** "Today", for the default period. */
  readonly now: () => Date;
  /** Aborted (with the signal's name as reason) when the process gets SIGINT or SIGTERM. */
  readonly interrupt?: AbortSignal;
  /** Reads usage for unit cost; default: CloudWatch. */
  readonly usageReader?: (o: { profile?: string; region?: string }) => UsageReader;
}

/** Line breaks (and the blanks around them) as one space: every message is one line. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Longest run of characters without a space in a line on stderr (a path stays whole), and longest line. */
const STDERR_MAX_RUN = 512;
const STDERR_MAX_LINE = 4000;

/**
 * A message for stderr as the terminal will show it: one line, escaped as the table output escapes its cells
 * (`terminalText`: control characters such as ESC, BEL and line breaks become spaces, bidi controls are shown as
 * `<U+202E>`), a run of more than 512 characters without a space and a line over 4000 cut with an ellipsis.
 */
export function stderrLine(message: string): string {
  return terminalLine(message.endsWith('\n') ? message.slice(0, -1) : message, STDERR_MAX_RUN, STDERR_MAX_LINE);
}

/**
 * The CLI's I/O with stderr made safe, the one place every error, warning, progress and "wrote ..." line passes:
 * each call writes one line (`stderrLine`), whatever the tag values, file names or AWS messages in it hold.
 */
export function terminalIo(io: CliIo): CliIo {
  return { ...io, stderr: (text: string) => io.stderr(`${stderrLine(text)}\n`) };
}

/** Writes text of several lines of the CLI's own (help, a stack trace) to stderr, one line per call. */
export function stderrLines(io: CliIo, text: string): void {
  for (const line of text.replace(/\n$/, '').split('\n')) {
    io.stderr(`${line}\n`);
  }
}
