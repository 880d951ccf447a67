import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DUCKDB_INSTALL, duckDbVersionProblem } from './duckdb-version';
import type { CallLimits } from './limits';
import { CostDataError } from '../errors';

/** The parts of `@duckdb/node-api` the CLI uses (the package is optional and loaded on demand). */
export type DuckDbModule = typeof import('@duckdb/node-api');
export type DuckDbConnection = import('@duckdb/node-api').DuckDBConnection;

/** The one line printed when DuckDB is not installed. */
export const DUCKDB_MISSING = `reading CUR 2.0 files needs DuckDB, which is not installed: run \`${DUCKDB_INSTALL}\` `
  + '(or use --source ce or --source athena)';

/**
 * Loads `@duckdb/node-api` on demand. A missing package (or a missing native binding for this platform) becomes a
 * one-line `CostDataError` saying how to install it.
 *
 * @param moduleName the package to load (tests pass a missing one)
 */
export async function loadDuckDb(moduleName: string = '@duckdb/node-api'): Promise<DuckDbModule> {
  let duckdb: DuckDbModule;
  try {
    // require, not import(): the package is CommonJS, and a real dynamic import() needs ESM support the test runner
    // (jest) does not enable.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    duckdb = require(moduleName) as DuckDbModule;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = e instanceof Error ? e.message : String(e);
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(message)) {
      throw new CostDataError(DUCKDB_MISSING);
    }
    throw new CostDataError(`cannot load DuckDB (${moduleName}): ${firstLine(message)}; reinstall it with \`${DUCKDB_INSTALL}\``);
  }
  const problem = duckDbVersionProblem(installedVersion(moduleName) ?? engineVersion(duckdb));
  if (problem) {
    throw new CostDataError(problem);
  }
  return duckdb;
}

/** The DuckDB engine version (`v1.5.6`): the package's own version line. */
function engineVersion(duckdb: DuckDbModule): string | undefined {
  try {
    return duckdb.version();
  } catch {
    return undefined;
  }
}

/** The version of the installed package (its package.json), `undefined` when it cannot be read. */
function installedVersion(moduleName: string): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(`${moduleName}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export interface DuckDbSessionOptions {
  /**
   * Most memory DuckDB may use; larger aggregations spill to `tempDirectory`.
   * @default '1GB'
   */
  readonly memoryLimit?: string;
  /**
   * Worker threads.
   * @default - the number of CPU cores
   */
  readonly threads?: number;
  /**
   * Where DuckDB spills when it reaches the memory limit.
   * @default - a new directory under the OS temporary directory, removed on close
   */
  readonly tempDirectory?: string;
  /** @default '@duckdb/node-api' */
  readonly moduleName?: string;
}

/** An in-memory DuckDB database with bounded memory, for one command. */
export class DuckDbSession {
  /** Opens a session: in-memory database, memory limit, spill directory, UTC, progress tracking on. */
  public static async open(options: DuckDbSessionOptions = {}): Promise<DuckDbSession> {
    const duckdb = await loadDuckDb(options.moduleName);
    const ownTemp = options.tempDirectory === undefined ? makeSpillDirectory() : undefined;
    try {
      const instance = await duckdb.DuckDBInstance.create(':memory:', {
        memory_limit: options.memoryLimit ?? '1GB',
        threads: String(options.threads ?? Math.max(1, os.cpus().length)),
        temp_directory: options.tempDirectory ?? ownTemp!,
        preserve_insertion_order: 'false',
      });
      const connection = await instance.connect();
      await connection.run("SET TimeZone = 'UTC'");
      await connection.run('SET enable_progress_bar = true');
      await connection.run('SET enable_progress_bar_print = false');
      return new DuckDbSession(instance, connection, ownTemp);
    } catch (e) {
      if (ownTemp) {
        removeSpillDirectory(ownTemp);
      }
      throw e;
    }
  }

  private unregister?: () => void;
  private limits?: CallLimits;
  private what = 'DuckDB';

  private constructor(
    private readonly instance: import('@duckdb/node-api').DuckDBInstance,
    public readonly connection: DuckDbConnection,
    private readonly ownTemp: string | undefined,
  ) {}

  /**
   * Interrupts the running query when the command is stopped (deadline, SIGINT, SIGTERM), and refuses to start
   * another one then: every query of the session fails with the reason, prefixed with `what`.
   */
  public interruptOn(limits: CallLimits, what: string): void {
    this.limits = limits;
    this.what = what;
    this.unregister = limits.onStop(() => this.connection.interrupt());
  }

  /** Runs a statement that returns no rows (e.g. CREATE VIEW). */
  public async run(sql: string): Promise<void> {
    this.throwIfStopped();
    try {
      await this.connection.run(sql);
    } catch (e) {
      this.throwIfStopped();
      throw e;
    }
  }

  private throwIfStopped(): void {
    const stopped = this.limits?.stoppedError(this.what);
    if (stopped) {
      throw stopped;
    }
  }

  /** Runs a query and returns its rows as JSON-friendly objects (numbers as strings where DuckDB gives BIGINT/HUGEINT). */
  public async rows(sql: string): Promise<Array<Record<string, unknown>>> {
    this.throwIfStopped();
    try {
      const reader = await this.connection.runAndReadAll(sql);
      this.throwIfStopped();
      return reader.getRowObjectsJson() as Array<Record<string, unknown>>;
    } catch (e) {
      this.throwIfStopped();
      throw e;
    }
  }

  /**
   * Runs a long query, calling `onProgress` with the percentage done every `intervalMs` while it runs
   * (DuckDB's own progress estimate, from the rows of the files read so far).
   */
  public async rowsWithProgress(sql: string, onProgress: (percentage: number) => void, intervalMs: number): Promise<Array<Record<string, unknown>>> {
    let last = -1;
    const timer = setInterval(() => {
      const p = this.connection.progress.percentage;
      if (p >= 0 && Math.floor(p) !== last) {
        last = Math.floor(p);
        onProgress(p);
      }
    }, intervalMs);
    try {
      return await this.rows(sql);
    } finally {
      clearInterval(timer);
    }
  }

  public close(): void {
    this.unregister?.();
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      if (this.ownTemp) {
        removeSpillDirectory(this.ownTemp);
      }
    }
  }
}

/**
 * Spill directories of open sessions: removed on close, and at process exit whatever ends the process (a signal the
 * CLI handles ends it through process.exit, which runs 'exit' listeners).
 */
const spillDirectories = new Set<string>();
let exitHook = false;

function makeSpillDirectory(): string {
  const base = os.tmpdir();
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(base, 'customer-value-duckdb-'));
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'ENOTDIR' ? 'it is not a folder' : firstLine(e instanceof Error ? e.message : String(e));
    throw new CostDataError(`cannot create DuckDB's spill folder in the temporary folder ${base} (${why}): set TMPDIR to an existing `
      + 'writable folder');
  }
  spillDirectories.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const d of spillDirectories) {
        fs.rmSync(d, { recursive: true, force: true });
      }
    });
  }
  return dir;
}

function removeSpillDirectory(dir: string): void {
  spillDirectories.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

export function firstLine(message: string): string {
  return message.split('\n').map((l) => l.trim()).filter((l) => l.length > 0)[0] ?? message;
}
