import { CostDataError, attemptFailure, noAnswerError } from '../errors';

/**
 * Bounds on what one command may spend and wait for, shared by every remote call it makes: a cap on the pages read
 * from any paginated API, connection and request timeouts for every SDK client, a total deadline, and cancellation
 * (the deadline, or SIGINT/SIGTERM). A source that misbehaves is stopped with one clear line, never retried for ever.
 */

/** Most pages read from one paginated API call (`--max-pages`). */
export const DEFAULT_MAX_PAGES = 100;
/** Total time a command may take (`--timeout`, seconds): Athena queries over years of data take minutes. */
export const DEFAULT_TIMEOUT_SECONDS = 1800;
/**
 * The longest `--timeout`: Node.js timers hold at most 2^31 - 1 ms (about 24.8 days); a longer one fires at once
 * (TimeoutOverflowWarning).
 */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** Longest wait for a TCP (and TLS) connection to an AWS endpoint. */
export const CONNECTION_TIMEOUT_MS = 10_000;
/** Longest wait for an answer to one HTTP attempt (the socket idle that long: the endpoint does not answer). */
export const REQUEST_TIMEOUT_MS = 20_000;
/**
 * Longest time one call may take with its retries: an endpoint that accepts the connection and never answers is
 * given up on within a minute (3 attempts of 20 s), not after 5 attempts of a minute each.
 */
export const CALL_TIMEOUT_MS = 60_000;
/** Attempts per request (the SDK's standard retry strategy: throttling and transient errors, with backoff). */
export const MAX_ATTEMPTS = 5;

/** What a message says after "stopped after ..." when a limit stops a call: how to raise it, where the limit is set. */
export interface LimitAdvice {
  readonly timeout: string;
  readonly maxPages: string;
}

/** The CLI's: its flags. */
export const CLI_LIMIT_ADVICE: LimitAdvice = {
  timeout: 'the limit set by --timeout; raise it with --timeout SECONDS, or shorten the period',
  maxPages: `the limit set by --max-pages (default ${DEFAULT_MAX_PAGES}); raise it with --max-pages N, or shorten the period`,
};

export interface CallLimitsOptions {
  /** @default DEFAULT_MAX_PAGES */
  readonly maxPages?: number;
  /** Total deadline in seconds, from now. @default DEFAULT_TIMEOUT_SECONDS */
  readonly timeoutSeconds?: number;
  /** Aborts the command when it fires (the CLI passes one that SIGINT/SIGTERM abort). */
  readonly interrupt?: AbortSignal;
  /** @default CONNECTION_TIMEOUT_MS */
  readonly connectionTimeoutMs?: number;
  /** @default REQUEST_TIMEOUT_MS */
  readonly requestTimeoutMs?: number;
  /** What the messages of a stopped call tell the reader to change (the scheduled function names its props). @default CLI_LIMIT_ADVICE */
  readonly advice?: LimitAdvice;
  /** @default CALL_TIMEOUT_MS */
  readonly callTimeoutMs?: number;
}

/** An AWS SDK v3 client, as `CallLimits.send` uses it. */
export interface SdkClient {
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>;
}

/** An AWS SDK v3 command with output `O`: its own middleware stack gets the attempt counter. */
export interface SdkCommand<O> {
  readonly middlewareStack: { addRelativeTo(middleware: any, options: any): void };
  resolveMiddleware(stack: any, configuration: any, options: any): (args: any) => Promise<{ output: O }>;
}

export interface SendOptions {
  /** The call, e.g. `Cost Explorer GetCostAndUsage page 2`. */
  readonly what: string;
  /** Where retries are announced. @default - not announced */
  readonly progress?: (message: string) => void;
  /** The SDK's attempts per request, for the announcement. */
  readonly maxAttempts?: number;
}

/** Why a command was stopped from outside: the deadline, or a signal. */
export class StoppedError extends CostDataError {
  constructor(message: string, public readonly exitCode: number) {
    super(message);
    this.name = 'StoppedError';
  }
}

/** The limits of one command run. Call `dispose()` when the command ends. */
export class CallLimits {
  /** The default page cap and timeouts without a total deadline (sources used as a library, tests). */
  public static withoutDeadline(): CallLimits {
    return new CallLimits({ timeoutSeconds: 0 });
  }

  public readonly maxPages: number;
  public readonly connectionTimeoutMs: number;
  public readonly requestTimeoutMs: number;
  public readonly advice: LimitAdvice;
  public readonly callTimeoutMs: number;
  private readonly controller = new AbortController();
  private readonly timer?: NodeJS.Timeout;
  private stopped?: StoppedError;
  private readonly onInterrupt?: () => void;
  private readonly cleanups = new Set<() => void>();

  constructor(private readonly options: CallLimitsOptions = {}) {
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.advice = options.advice ?? CLI_LIMIT_ADVICE;
    this.callTimeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS;
    const seconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    if (!(seconds >= 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
      throw new CostDataError(`a timeout of ${seconds} s is outside 0 to ${MAX_TIMEOUT_SECONDS} s (the longest timer Node.js can set)`);
    }
    if (seconds > 0) {
      this.timer = setTimeout(() => this.stop(new StoppedError(`stopped after ${seconds} s, ${this.advice.timeout}`, 1)), seconds * 1000);
      this.timer.unref();
    }
    const interrupt = options.interrupt;
    if (interrupt) {
      this.onInterrupt = () => this.stop(new StoppedError(`interrupted (${String(interrupt.reason ?? 'signal')})`,
        interrupt.reason === 'SIGTERM' ? 143 : 130));
      if (interrupt.aborted) {
        this.onInterrupt();
      } else {
        interrupt.addEventListener('abort', this.onInterrupt, { once: true });
      }
    }
  }

  /** Aborted when the command is stopped; pass it to every SDK `send` and long wait. */
  public get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the command was stopped, when it was. */
  public get stoppedBy(): StoppedError | undefined {
    return this.stopped;
  }

  /** Throws the reason the command was stopped, if it was. */
  public check(): void {
    if (this.stopped) {
      throw this.stopped;
    }
  }

  /** The request handler options every SDK client of the command gets (connection and request timeouts). */
  public requestHandler(): { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean } {
    return { connectionTimeout: this.connectionTimeoutMs, requestTimeout: this.requestTimeoutMs, throwOnRequestTimeout: true };
  }

  /**
   * Sends one AWS SDK command within the limits: aborted when the command is stopped (`signal`) or when the call,
   * retries included, takes longer than `callTimeoutMs`; each retry the SDK makes is announced on `progress`
   * (`Cost Explorer GetCostAndUsage page 1: no answer within 20 s; retrying (attempt 2 of 5)`).
   *
   * Throws the SDK's error as it is (the caller maps it, after `stoppedError`), or, when the call's deadline ended it,
   * a `CostDataError` saying the endpoint does not answer.
   */
  public async send<O>(client: SdkClient, command: SdkCommand<O>, o: SendOptions): Promise<O> {
    this.check();
    const attempts: { count: number; failure?: unknown } = { count: 0 };
    command.middlewareStack.addRelativeTo((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      attempts.count++;
      if (attempts.count > 1) {
        o.progress?.(`${o.what}: ${attemptFailure(attempts.failure, this.requestTimeoutMs)}; retrying (attempt ${attempts.count}`
          + `${o.maxAttempts ? ` of ${o.maxAttempts}` : ''})`);
      }
      try {
        return await next(args);
      } catch (e) {
        attempts.failure = e;
        throw e;
      }
    }, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'customerValueAttempts', override: true });
    const deadline = AbortSignal.timeout(this.callTimeoutMs);
    try {
      return await client.send(command, { abortSignal: AbortSignal.any([this.signal, deadline]) });
    } catch (e) {
      if (deadline.aborted && !this.stopped) {
        throw noAnswerError(o.what, ` within ${this.callTimeoutMs / 1000} s, after ${attempts.count} attempt${attempts.count === 1 ? '' : 's'} `
          + `(${this.requestTimeoutMs / 1000} s each at most)`);
      }
      throw e;
    }
  }

  /** Runs `fn` once when the command is stopped (e.g. interrupt a DuckDB query); returns a function that unregisters it. */
  public onStop(fn: () => void): () => void {
    if (this.stopped) {
      fn();
      return () => undefined;
    }
    this.cleanups.add(fn);
    return () => this.cleanups.delete(fn);
  }

  /** Stops the command: every wait and request that uses `signal` ends. */
  public stop(reason: StoppedError): void {
    if (this.stopped) {
      return;
    }
    this.stopped = reason;
    this.controller.abort(reason);
    for (const fn of this.cleanups) {
      try {
        fn();
      } catch {
        // best effort: the command is stopping anyway
      }
    }
    this.cleanups.clear();
  }

  public dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    if (this.onInterrupt) {
      this.options.interrupt?.removeEventListener('abort', this.onInterrupt);
    }
  }

  /**
   * The error to report for a failed call: the reason the command was stopped when it was (the SDK then throws its
   * own AbortError, which says nothing useful), else `undefined`.
   *
   * @param what the call that was running, e.g. `Cost Explorer GetCostAndUsage`
   * @param detail what it had cost so far, e.g. ` (1 request, 0.01 USD)`
   */
  public stoppedError(what: string, detail = ''): StoppedError | undefined {
    if (!this.stopped) {
      return undefined;
    }
    return new StoppedError(`${what}${detail}: ${this.stopped.message}`, this.stopped.exitCode);
  }
}

/**
 * Follows the page tokens of one paginated call: refuses a token the API already gave (an API that repeats its token
 * would be called for ever, each call billed), and stops at the page cap.
 */
export class PageTokens {
  private readonly seen = new Set<string>();
  /** Pages requested so far. */
  public pages = 0;

  /**
   * @param what the call, e.g. `Cost Explorer GetCostAndUsage`
   * @param cost what the pages cost so far, for messages (e.g. `, 0.03 USD`), given the number of pages
   */
  constructor(private readonly what: string, private readonly limits: CallLimits, private readonly cost: (pages: number) => string = () => '') {}

  /** Call before each request: counts it, and refuses a request beyond the cap. */
  public beforeRequest(): void {
    this.limits.check();
    if (this.pages >= this.limits.maxPages) {
      throw new CostDataError(`${this.what}: stopped after ${this.pages} pages${this.cost(this.pages)}, ${this.limits.advice.maxPages}`);
    }
    this.pages++;
  }

  /** The next token to request with, or undefined at the end; refuses a token seen before. */
  public next(token: string | undefined): string | undefined {
    if (!token) {
      return undefined;
    }
    if (this.seen.has(token)) {
      throw new CostDataError(`${this.what} returned the same page token again after ${this.pages} request${this.pages === 1 ? '' : 's'}`
        + `${this.cost(this.pages)}: stopped, as following it would repeat requests for ever (an API or proxy fault; retry later)`);
    }
    this.seen.add(token);
    return token;
  }
}
