import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';

/*
 * The Lambda handlers (src/**\/*.lambda.ts) run the CLI's report code in the cloud; they must never pull in the CDK
 * (aws-cdk-lib is ~60 MB bundled: a slow cold start and an asset upload per deploy) or DuckDB (a native module the
 * Lambda runtime cannot load). Each handler is bundled here as projen's bundle task does (.projen/tasks.json), and
 * the modules it took in are checked.
 */

const ROOT = path.resolve(__dirname, '..');
const FORBIDDEN = [/^node_modules\/aws-cdk-lib\//, /^node_modules\/constructs\//, /^node_modules\/@duckdb\//];

function handlers(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const f = path.join(dir, e.name);
    return e.isDirectory() ? handlers(f) : e.name.endsWith('.lambda.ts') ? [path.relative(ROOT, f)] : [];
  });
}

const HANDLERS = handlers(path.join(ROOT, 'src')).sort();

test('there are handlers to check', () => {
  expect(HANDLERS).toEqual(expect.arrayContaining(['src/billing/value-review-reports.lambda.ts', 'src/reporting/cost-publisher.lambda.ts']));
});

test.each(HANDLERS)('%s bundles without the CDK or DuckDB, under 1 MB', (handler) => {
  const result = buildSync({
    absWorkingDir: ROOT,
    entryPoints: [handler],
    bundle: true,
    platform: 'node',
    target: 'node22',
    external: ['@aws-sdk/*'],
    tsconfig: 'test/tsconfig.json',
    write: false,
    metafile: true,
    outfile: 'out/index.js',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile!.inputs);
  expect(inputs.filter((i) => FORBIDDEN.some((f) => f.test(i)))).toEqual([]);
  expect(result.outputFiles[0].contents.length).toBeLessThan(1_000_000);
});
