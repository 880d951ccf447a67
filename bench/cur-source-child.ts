/**
 * The CUR source of the CLI (`CurFileSource`) with a lowered DuckDB memory limit, which the CLI itself does not
 * expose as an option:
 *
 *   node bench/out/cur-source-child.js LIB_DIR CONFIG.json
 *
 * LIB_DIR is the compiled library (`bench/out/cli-build`) or `src` (with tsx). CONFIG: `{ "paths": [...],
 * "from", "to", "memoryLimit" }`. Prints one JSON line: rows and the total amount.
 */
import * as fs from 'fs';
import * as path from 'path';

interface SourceConfig {
  readonly paths: string[];
  readonly from: string;
  readonly to: string;
  readonly memoryLimit: string;
}

async function main(): Promise<void> {
  const lib = path.resolve(process.argv[2]);
  const config = JSON.parse(fs.readFileSync(process.argv[3], 'utf8')) as SourceConfig;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { CurFileSource } = require(path.join(lib, 'cost-data', 'sources', 'cur')) as typeof import('../src/cost-data/sources/cur');
  const { CostGrouping, CostMetric } = require(path.join(lib, 'cost-data', 'query-terms')) as typeof import('../src/cost-data/query-terms');
  const { TagKeys } = require(path.join(lib, 'tag-keys')) as typeof import('../src/tag-keys');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const source = new CurFileSource({ paths: config.paths, memoryLimit: config.memoryLimit });
  const result = await source.fetch({
    from: config.from,
    to: config.to,
    groupBy: CostGrouping.SERVICE,
    metric: CostMetric.UNBLENDED,
    tagKeys: TagKeys.DEFAULT,
  }, () => undefined);
  const total = result.rows.reduce((s, r) => s + r.amount, 0);
  process.stdout.write(`${JSON.stringify({ rows: result.rows.length, total })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
