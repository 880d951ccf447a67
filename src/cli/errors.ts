import { CliError } from './sources/types';

/** A mistake in the command line (unknown option, bad value): exit code 2 and a usage hint. */
export class UsageError extends CliError {
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

/** AWS SDK error names that mean "slow down". */
const THROTTLING = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'LimitExceededException',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown',
]);

/**
 * Turns an AWS SDK error into one line that says what failed and what to do, for `what` (e.g.
 * "Cost Explorer GetCostAndUsage"). Returns a `CliError`; other errors are returned unchanged.
 */
export function awsError(e: unknown, what: string, hint: { profile?: string; permission: string }): Error {
  if (e instanceof CliError || !(e instanceof Error)) {
    return e instanceof Error ? e : new CliError(`${what} failed: ${String(e)}`);
  }
  const name = e.name ?? '';
  const attempts = (e as any).$metadata?.attempts;
  const profile = hint.profile ? ` (profile "${hint.profile}")` : '';
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(name)) {
    return new CliError(`${what}: no AWS credentials found${profile}: sign in (aws sso login / aws configure) or pass --profile; `
      + `the identity needs ${hint.permission}`);
  }
  if (THROTTLING.has(name)) {
    const tries = attempts ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
    return new CliError(`${what} was throttled (${name})${tries}: wait a minute and retry, or shorten the period`);
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation') {
    return new CliError(`${what}: access denied${profile}: the identity needs ${hint.permission} (${firstLine(e.message)})`);
  }
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken' || /token.*expired/i.test(e.message)) {
    return new CliError(`${what}: the AWS session${profile} has expired: sign in again (aws sso login)`);
  }
  if (name === 'InvalidSignatureException' || name === 'UnrecognizedClientException') {
    return new CliError(`${what}: AWS rejected the credentials${profile} (${name}): check the access key or sign in again`);
  }
  if ((e as any).$metadata !== undefined || (e as any).$fault !== undefined) {
    return new CliError(`${what} failed (${name || 'error'}): ${firstLine(e.message)}`);
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|socket hang up/i.test(`${(e as any).code ?? ''} ${e.message}`)) {
    return new CliError(`${what}: cannot reach AWS (${firstLine(e.message)}): check the network or proxy settings`);
  }
  return e;
}

export function firstLine(text: string): string {
  const line = String(text ?? '').split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
  return line.trim();
}
