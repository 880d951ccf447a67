/**
 * The physical limit of a CUR report: a bare DuckDB query over the same files, with the same SQL the CLI runs
 * (`CurQueries.costBy`), in a process of its own so that it pays DuckDB's native-module load like the CLI.
 *
 *   node bench/out/duckdb-bare.js CONFIG.json      (compiled by the harness with esbuild; or with tsx)
 *
 * CONFIG: `{ "files": ["...parquet"], "sql": "SELECT ...", "memoryLimit"?: "128MB" }`. The view `cur_line_items`
 * is `SELECT * FROM read_parquet(files)` (DuckDB reads only the columns the query uses). DuckDB's defaults
 * otherwise (all cores, memory limit 80 % of RAM). Prints one JSON line: rows and the total amount.
 */
import * as fs from 'fs';
import { DuckDBInstance } from '@duckdb/node-api';

interface BareConfig {
  readonly files: string[];
  readonly sql: string;
  readonly memoryLimit?: string;
}

async function main(): Promise<void> {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as BareConfig;
  const instance = await DuckDBInstance.create(':memory:', config.memoryLimit ? { memory_limit: config.memoryLimit } : {});
  const connection = await instance.connect();
  const list = config.files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ');
  await connection.run(`CREATE TEMP VIEW cur_line_items AS SELECT * FROM read_parquet([${list}])`);
  const reader = await connection.runAndReadAll(config.sql);
  const rows = reader.getRowObjectsJson() as Array<Record<string, unknown>>;
  const total = rows.reduce((s, r) => s + Number(r.amount), 0);
  connection.closeSync();
  instance.closeSync();
  process.stdout.write(`${JSON.stringify({ rows: rows.length, total })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
