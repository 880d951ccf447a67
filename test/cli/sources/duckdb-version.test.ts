import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CostDataError } from '../../../src/cost-data/errors';
import { DUCKDB_MISSING, loadDuckDb } from '../../../src/cost-data/sources/duckdb-loader';
import { DUCKDB_LINE, DUCKDB_RECOMMENDED, duckDbVersionProblem } from '../../../src/cost-data/sources/duckdb-version';

const ROOT = path.resolve(__dirname, '../../..');

/** A stand-in `@duckdb/node-api` of the given version, loadable by path. */
function fakeDuckDb(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-duckdb-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@duckdb/node-api', version, main: 'index.js' }));
  fs.writeFileSync(path.join(dir, 'index.js'), `exports.version = () => 'v${version.replace(/-.*/, '')}';\n`);
  return dir;
}

describe('the DuckDB the CUR 2.0 reader is written for', () => {
  test.each(['1.5.0-r.1', '1.5.6-r.1', '1.5.9-r.3', 'v1.5.6'])('%s is accepted', (version) => {
    expect(duckDbVersionProblem(version)).toBeUndefined();
  });

  test.each(['1.4.4-r.4', '1.3.4-alpha.27', '1.6.0-r.1', '2.0.0-r.1'])('%s is refused, naming the release to install', (version) => {
    expect(duckDbVersionProblem(version)).toBe(`reading CUR 2.0 files needs @duckdb/node-api 1.5.x, but version ${version} is installed: `
      + 'run `npm install @duckdb/node-api@1.5.6-r.1`');
  });

  test('an unreadable version is refused too', () => {
    expect(duckDbVersionProblem(undefined)).toMatch(/^reading CUR 2.0 files needs @duckdb\/node-api 1.5.x, but a version that cannot be read is installed: run `npm install @duckdb\/node-api@1.5.6-r.1`$/);
  });

  test('the CLI refuses to load a DuckDB of another release line, in one line', async () => {
    // GIVEN: DuckDB 1.4 installed
    const dir = fakeDuckDb('1.4.4-r.4');
    // THEN
    await expect(loadDuckDb(dir)).rejects.toThrow(new CostDataError(duckDbVersionProblem('1.4.4-r.4')!));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the CLI loads the DuckDB the tests run on', async () => {
    const duckdb = await loadDuckDb();
    expect(duckdb.version()).toBe(`v${DUCKDB_RECOMMENDED.replace(/-.*/, '')}`);
  });

  test('the not-installed message names the exact release (a range such as @1.5 matches no @duckdb/node-api version)', () => {
    expect(DUCKDB_MISSING).toContain('`npm install @duckdb/node-api@1.5.6-r.1`');
    // every install hint a user reads installs the release the tests run on, which the CLI then accepts
    const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@duckdb/node-api/package.json'), 'utf8')).version;
    for (const hint of [DUCKDB_MISSING, duckDbVersionProblem('1.4.4-r.4')!, duckDbVersionProblem(undefined)!]) {
      const [, spec] = /`npm install @duckdb\/node-api@(\S+)`/.exec(hint) ?? [];
      expect({ hint, spec }).toEqual({ hint, spec: installed });
      expect(duckDbVersionProblem(spec)).toBeUndefined();
    }
  });

  test('the tests run on the recommended release, of the line the SQL is written for', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['@duckdb/node-api']).toBe(DUCKDB_RECOMMENDED);
    expect(DUCKDB_RECOMMENDED.startsWith(`${DUCKDB_LINE}.`)).toBe(true);
    // not a peer dependency: a jsii package may only declare jsii modules (see .projenrc.ts)
    expect(pkg.peerDependencies['@duckdb/node-api']).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@duckdb/node-api/package.json'), 'utf8')).version).toBe(DUCKDB_RECOMMENDED);
  });
});
