/**
 * Which `@duckdb/node-api` the CUR 2.0 reader is written for: the one place that says so. .projenrc.ts takes the
 * dev dependency the tests run on from it; the CLI checks the loaded version against it and names the release to
 * install.
 */

/** The DuckDB release line (major.minor) the CUR 2.0 SQL is written and tested for. */
export const DUCKDB_LINE = '1.5';

/** The `@duckdb/node-api` release the tests run on, and the one install hints name. */
export const DUCKDB_RECOMMENDED = '1.5.6-r.1';

/**
 * The command that installs it. Every `@duckdb/node-api` version is prerelease-shaped (`1.5.6-r.1`), and npm
 * matches a prerelease only against a comparator of the same major.minor.patch, so a range such as `@1.5` or
 * `@^1.5.0` matches none of them: name the exact version.
 */
export const DUCKDB_INSTALL = `npm install @duckdb/node-api@${DUCKDB_RECOMMENDED}`;

/**
 * `undefined` when `version` (of `@duckdb/node-api`, or the DuckDB engine's `v1.5.6`) is of the line the SQL is
 * written for; otherwise the one-line problem, with the command that installs the right one.
 */
export function duckDbVersionProblem(version: string | undefined): string | undefined {
  const m = /^v?(\d+)\.(\d+)\.\d+/.exec(version ?? '');
  if (m && `${m[1]}.${m[2]}` === DUCKDB_LINE) {
    return undefined;
  }
  return `reading CUR 2.0 files needs @duckdb/node-api ${DUCKDB_LINE}.x, but ${version ? `version ${version}` : 'a version that cannot be read'} `
    + `is installed: run \`${DUCKDB_INSTALL}\``;
}
