import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FakeAws } from './fake-aws';
import { tempDir } from '../util';

/*
 * SIGINT / SIGTERM on the CLI as a process (what bin/customer-value runs), issue 13 item 3: a running Athena query is
 * stopped (StopQueryExecution, against a real local HTTP server speaking Athena's JSON protocol) and the CLI says so;
 * DuckDB's spill folder is removed whatever stops the scan.
 */

jest.setTimeout(90_000);

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const TSX_CJS = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs');

interface Run {
  readonly child: ChildProcess;
  stderr: string;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The CLI in a child process of its own (node with the TypeScript loader: one process, so signals reach it). */
function start(args: string[], env: Record<string, string>, cwd: string): Run {
  const child = spawn(process.execPath, ['-r', TSX_CJS, '-e', `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1))`, '--', ...args], {
    cwd,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    stderr: '',
    done: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stderr!.on('data', (d) => { run.stderr += d; });
  child.stdout!.resume();
  return run;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGINT while an Athena query runs: the query is stopped, one line says so, exit 130', async () => {
  // GIVEN an Athena endpoint whose query never finishes
  const fake = await FakeAws.start((call) => {
    switch (call.operation) {
      case 'StartQueryExecution': return { json: { QueryExecutionId: 'q-42' } };
      case 'GetQueryExecution': return { json: { QueryExecution: { QueryExecutionId: 'q-42', Status: { State: 'RUNNING' } } } };
      case 'StopQueryExecution': return { json: {} };
      default: return { status: 400, json: { __type: 'InvalidRequestException', message: call.operation } };
    }
  });
  try {
    const run = start(['cost', '--source', 'athena', '--region', 'eu-west-1', '--from', '2026-10-01', '--to', '2026-11-01', '--no-usage'],
      fake.env(), tempDir());

    // WHEN it is interrupted while it polls
    await fake.waitFor((c) => c.operation === 'GetQueryExecution');
    run.child.kill('SIGINT');
    const { code } = await run.done;

    // THEN
    expect(fake.of('StopQueryExecution').map((c) => c.body)).toEqual([{ QueryExecutionId: 'q-42' }]);
    expect(code).toBe(130);
    expect(run.stderr.trimEnd().split('\n').pop()).toBe('customer-value: waiting for Athena query q-42: interrupted (SIGINT); '
      + 'query q-42 was stopped (StopQueryExecution)');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  } finally {
    await fake.close();
  }
});

test('SIGTERM during a DuckDB scan: the spill folder is removed, exit 143', async () => {
  // GIVEN a CUR CSV.gz that takes a few seconds to scan, and a temporary folder of our own
  const data = tempDir();
  const file = path.join(data, 'cur.csv.gz');
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(`COPY (SELECT TIMESTAMP '2026-10-01 00:00:00' + INTERVAL (i % 30) DAY AS line_item_usage_start_date, 'Usage' AS line_item_line_item_type,
    'USD' AS line_item_currency_code, (i % 100) / 7.0 AS line_item_unblended_cost,
    '{"user_customer_service":"svc-' || (i % 500) || '","user_team":"team-' || (i % 37) || '"}' AS resource_tags
    FROM range(600000) t(i)) TO '${file}' (FORMAT csv, HEADER, COMPRESSION gzip)`);
  db.closeSync();
  instance.closeSync();
  const tmp = tempDir();
  const spill = () => fs.readdirSync(tmp).filter((d) => d.startsWith('customer-value-duckdb-'));

  // WHEN it is terminated once the scan has started
  const run = start(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01'], { TMPDIR: tmp }, tempDir());
  await until(() => /reading 1 CSV file/.test(run.stderr), 'the scan to start');
  expect(spill()).toHaveLength(1);
  run.child.kill('SIGTERM');
  const { code } = await run.done;

  // THEN
  expect(code).toBe(143);
  expect(spill()).toEqual([]);
  expect(run.stderr.trimEnd().split('\n').pop()).toMatch(/^customer-value: reading .*cur\.csv\.gz: interrupted \(SIGTERM\)$/);
});

test('item 10: TMPDIR that does not exist: one line saying so, not "unexpected error"', async () => {
  const file = path.join(tempDir(), 'cur.csv');
  fs.writeFileSync(file, 'line_item_usage_start_date,line_item_line_item_type,line_item_currency_code,line_item_unblended_cost,resource_tags\n'
    + '2026-10-03 10:00:00,Usage,USD,5,"{""user_customer_service"":""checkout""}"\n');
  const missing = path.join(tempDir(), 'gone');
  // (the TypeScript loader of the test keeps its cache off: it would create TMPDIR)
  const run = start(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '--quiet'],
    { TMPDIR: missing, TSX_DISABLE_CACHE: '1' }, tempDir());
  const { code } = await run.done;
  expect(run.stderr).toBe(`customer-value: cannot create DuckDB's spill folder in the temporary folder ${missing} (it does not exist): `
    + 'set TMPDIR to an existing writable folder\n');
  expect(code).toBe(1);
});
