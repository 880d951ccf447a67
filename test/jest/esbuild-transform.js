// @ts-check
/**
 * The jest transform for TypeScript: esbuild, the transpiler that bundles the Lambda handlers, instead of ts-jest.
 *
 * Like ts-jest with isolatedModules, it transpiles one file at a time without type-checking (the types are checked by
 * `npx projen typecheck`); it is about 20 times faster, which on a clean clone (an empty jest cache, as in CI) took
 * about 12 s of CPU off the suite. Plain JavaScript: jest loads its transformers without transforming them.
 *
 * It does not hoist `jest.mock()` calls above the imports as ts-jest and babel-jest do, so a file that calls it is
 * refused with a message rather than mocked too late: mock AWS clients with aws-sdk-client-mock and everything else
 * with `jest.spyOn`.
 */
const crypto = require('crypto');
const fs = require('fs');
const esbuild = require('esbuild');

/** Compiler options of ../../tsconfig.json that change the JavaScript esbuild emits. */
const TSCONFIG = { compilerOptions: { target: 'ES2022', alwaysStrict: true, experimentalDecorators: true, esModuleInterop: true } };
const SELF = crypto.createHash('sha256').update(fs.readFileSync(__filename)).digest('hex');
const HOISTED = /\bjest\s*\.\s*(mock|unmock|enableAutomock|disableAutomock|deepUnmock)\s*\(/;

/** @type {import('@jest/transform').SyncTransformer} */
module.exports = {
  canInstrument: false,
  getCacheKey(sourceText, sourcePath, options) {
    return crypto.createHash('sha256')
      .update([SELF, esbuild.version, options.configString, sourcePath, sourceText].join('\0'))
      .digest('hex');
  },
  process(sourceText, sourcePath) {
    if (HOISTED.test(sourceText)) {
      throw new Error(`${sourcePath}: test/jest/esbuild-transform.js does not hoist jest.mock() above the imports; `
        + 'mock AWS clients with aws-sdk-client-mock and other modules with jest.spyOn');
    }
    const { code, map } = esbuild.transformSync(sourceText, {
      loader: sourcePath.endsWith('x') ? 'tsx' : 'ts',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcefile: sourcePath,
      sourcemap: 'external',
      tsconfigRaw: TSCONFIG,
    });
    return { code, map };
  },
};
