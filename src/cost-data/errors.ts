import { STATUS_CODES } from 'http';

/**
 * A failure of the cost engine that a person can act on: bad input (a data file, a declaration record, a value given
 * to a query), a source that refused, stopped or did not answer, an output that cannot be written. Its message is one
 * line naming what failed, the value and what to do; the CLI prints it without a stack trace (exit code 1) and the
 * scheduled value review fails its invocation with it.
 */
export class CostDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostDataError';
  }
}

/** AWS SDK error names that mean "slow down". */
const THROTTLING = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'LimitExceededException',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown',
]);

/**
 * Turns an AWS SDK error into one line that says what failed and what to do, for `what` (e.g.
 * "Cost Explorer GetCostAndUsage"). Returns a `CostDataError`; other errors are returned unchanged.
 */
export function awsError(e: unknown, what: string, hint: { profile?: string; permission: string }): Error {
  if (e instanceof CostDataError || !(e instanceof Error)) {
    return e instanceof Error ? e : new CostDataError(`${what} failed: ${String(e)}`);
  }
  const name = e.name ?? '';
  const attempts = (e as any).$metadata?.attempts;
  const profile = hint.profile ? ` (profile "${hint.profile}")` : '';
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(name)) {
    return new CostDataError(`${what}: no AWS credentials found${profile}: sign in (aws sso login / aws configure) or pass --profile; `
      + `the identity needs ${hint.permission}`);
  }
  if (THROTTLING.has(name)) {
    const tries = attempts ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
    return new CostDataError(`${what} was throttled (${name})${tries}: wait a minute and retry, or shorten the period`);
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation') {
    return new CostDataError(`${what}: access denied${profile}: the identity needs ${hint.permission} (${firstLine(e.message)})`);
  }
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken' || /token.*expired/i.test(e.message)) {
    return new CostDataError(`${what}: the AWS session${profile} has expired: sign in again (aws sso login)`);
  }
  if (name === 'InvalidSignatureException' || name === 'UnrecognizedClientException') {
    return new CostDataError(`${what}: AWS rejected the credentials${profile} (${name}): check the access key or sign in again`);
  }
  const tries = attempts && attempts > 1 ? `, after ${attempts} attempts` : '';
  if (name === 'TimeoutError' || (e as any).code === 'ETIMEDOUT') {
    const ms = /(\d+) ?ms/.exec(e.message)?.[1];
    return noAnswerError(what, `${ms ? ` within ${Number(ms) / 1000} s` : ''}${tries}`);
  }
  const status: number | undefined = (e as any).$response?.statusCode ?? (e as any).$metadata?.httpStatusCode;
  if (status !== undefined && (name === 'SyntaxError' || /Deserialization error/i.test(e.message))) {
    const type = headerOf(e, 'content-type');
    return new CostDataError(`${what} failed: HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd()
      + ` with a body that is not an AWS answer${type ? ` (${type.split(';')[0]})` : ''}${tries}: `
      + `${status >= 500 ? 'AWS, or a proxy in between, is unavailable; retry later' : 'a proxy in between may have answered; check the proxy or AWS_ENDPOINT_URL settings'}`);
  }
  if ((e as any).$metadata !== undefined || (e as any).$fault !== undefined) {
    return new CostDataError(`${what} failed (${name || 'error'}${status && status >= 400 ? `, HTTP ${status}` : ''}): ${firstLine(e.message)}`);
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|socket hang up/i.test(`${(e as any).code ?? ''} ${e.message}`)) {
    return new CostDataError(`${what}: cannot reach AWS (${firstLine(e.message)}): check the network or proxy settings`);
  }
  return e;
}

/** An endpoint that accepts connections and does not answer: `detail` says for how long, e.g. ` within 60 s, after 3 attempts`. */
export function noAnswerError(what: string, detail: string): CostDataError {
  return new CostDataError(`${what}: no answer${detail}: the endpoint${customEndpoint()} accepts connections but does not answer; check the network, `
    + 'proxy or AWS_ENDPOINT_URL settings, or retry later');
}

/** What went wrong with one attempt of an AWS call, in a few words (for the line announcing a retry). */
export function attemptFailure(e: unknown, requestTimeoutMs: number): string {
  const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = err?.name ?? '';
  if (name === 'TimeoutError' || err?.code === 'ETIMEDOUT') {
    return `no answer within ${requestTimeoutMs / 1000} s`;
  }
  if (THROTTLING.has(name)) {
    return `throttled (${name})`;
  }
  const status = err?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400) {
    return `HTTP ${status}${name && name !== 'Error' ? ` (${name})` : ''}`;
  }
  return firstLine(`${err?.code ?? name}${err?.message ? `: ${err.message}` : ''}`) || 'it failed';
}

function headerOf(e: unknown, header: string): string | undefined {
  const headers = (e as any).$response?.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === header);
  return key ? String(headers[key]) : undefined;
}

/** ` (http://127.0.0.1:4566, from AWS_ENDPOINT_URL)` when an endpoint is set by AWS_ENDPOINT_URL*, else ''. */
function customEndpoint(): string {
  const custom = Object.entries(process.env).find(([k, v]) => k.startsWith('AWS_ENDPOINT_URL') && v);
  return custom ? ` (${custom[1]}, from ${custom[0]})` : '';
}

export function firstLine(text: string): string {
  const line = String(text ?? '').split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
  return line.trim();
}
