import * as path from 'path';
import { buildSync } from 'esbuild';

/*
 * The reader is imported by the scheduled value-review function (phase 2 of issue 24) and the CLI: bundled as projen
 * bundles a handler (test/lambda-bundles.test.ts checks the handlers themselves), it must take in no CDK.
 */
const ROOT = path.resolve(__dirname, '..', '..');

test.each(['src/registry/reader.ts', 'src/registry/entry.ts', 'src/registry/lifecycle.ts'])('%s bundles without aws-cdk-lib or constructs', (entry) => {
  const result = buildSync({
    absWorkingDir: ROOT,
    entryPoints: [entry],
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
  expect(inputs.filter((i) => /^node_modules\/(aws-cdk-lib|constructs)\//.test(i))).toEqual([]);
  expect(result.outputFiles[0].contents.length).toBeLessThan(200_000);
});
