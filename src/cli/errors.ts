import { CostDataError } from '../cost-data/errors';

/** A mistake in the command line (unknown option, bad value): exit code 2 and a usage hint. */
export class UsageError extends CostDataError {
  /** The command whose `--help` the hint points to, if any. */
  public readonly command?: string;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Exit codes of the `customer-value` CLI. */
export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;
