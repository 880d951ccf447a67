import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { tempDir } from '../util';

/**
 * A real local HTTP server standing in for an AWS endpoint (AWS JSON 1.0/1.1 protocols: POST / with an
 * `X-Amz-Target` header naming the operation), for faults a mocked `send` cannot show: an endpoint that accepts the
 * connection and never answers, an HTML error page, a process that gets SIGINT while it waits.
 * The SDK is pointed at it with `AWS_ENDPOINT_URL` (the SDK's documented endpoint override) and fake credentials.
 */

export interface FakeCall {
  /** The operation, e.g. `GetCostAndUsage`. */
  readonly operation: string;
  readonly body: any;
}

export interface FakeAnswer {
  readonly status?: number;
  /** A JSON body (the AWS JSON protocols). */
  readonly json?: unknown;
  /** A raw body, e.g. an HTML error page. */
  readonly raw?: string;
  readonly contentType?: string;
  /** Accept the request and never answer. */
  readonly hang?: boolean;
}

export class FakeAws {
  /** Starts a server answering each call with `answer(call, callsSoFar)`. */
  public static async start(answer: (call: FakeCall, calls: FakeCall[]) => FakeAnswer): Promise<FakeAws> {
    const fake = new FakeAws(answer);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  public readonly calls: FakeCall[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();
  private listeners: Array<(call: FakeCall) => void> = [];

  private constructor(private readonly answer: (call: FakeCall, calls: FakeCall[]) => FakeAnswer) {
    this.server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => { text += chunk; });
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const call: FakeCall = { operation: target.slice(target.lastIndexOf('.') + 1), body: text ? JSON.parse(text) : {} };
        this.calls.push(call);
        this.listeners.forEach((l) => l(call));
        const a = this.answer(call, this.calls);
        if (a.hang) {
          return;
        }
        const body = a.raw ?? JSON.stringify(a.json ?? {});
        res.writeHead(a.status ?? 200, {
          'content-type': a.contentType ?? 'application/x-amz-json-1.1',
          'x-amzn-requestid': `req-${this.calls.length}`,
        });
        res.end(body);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  public get url(): string {
    const address = this.server.address() as net.AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** Calls of one operation. */
  public of(operation: string): FakeCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** Resolves on the first call for which `predicate` holds. */
  public waitFor(predicate: (call: FakeCall) => boolean): Promise<FakeCall> {
    const seen = this.calls.find(predicate);
    if (seen) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => {
      const listener = (call: FakeCall) => {
        if (predicate(call)) {
          this.listeners = this.listeners.filter((l) => l !== listener);
          resolve(call);
        }
      };
      this.listeners.push(listener);
    });
  }

  /** Environment for the SDK: this endpoint, fake credentials, no shared config, no instance metadata. */
  public env(): Record<string, string> {
    const empty = tempDir();
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: path.join(empty, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(empty, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  public async close(): Promise<void> {
    for (const s of this.sockets) {
      s.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Sets `vars` in process.env for the duration of `fn` (the SDK reads endpoint and credentials from there). */
export async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  }
}

/** One day of Cost Explorer cost for checkout (a page of GetCostAndUsage), with the given next token. */
export function cePage(day: string, next?: string): unknown {
  const end = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return {
    ResultsByTime: [{
      TimePeriod: { Start: day, End: end },
      Estimated: false,
      Groups: [{ Keys: ['customer-service$checkout'], Metrics: { UnblendedCost: { Amount: '10', Unit: 'USD' } } }],
    }],
    ...(next ? { NextPageToken: next } : {}),
  };
}
