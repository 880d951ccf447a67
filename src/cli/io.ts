import { UsageReader } from './unit-usage';

/** The program name in every message. */
export const PROGRAM = 'customer-value';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
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
