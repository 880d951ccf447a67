/**
 * Which `@duckdb/node-api` the CUR 2.0 reader is written for: the one place that says so. .projenrc.ts reads it
 * for the dev dependency the tests run on and for the optional peer dependency the package declares; the CLI
 * checks the loaded version against it.
 */

/** The DuckDB release line (major.minor) the CUR 2.0 SQL is written and tested for. */
export const DUCKDB_LINE = '1.5';

/**
 * The `@duckdb/node-api` releases of that line published so far (add one when DuckDB publishes it and the CUR
 * tests pass on it). Every version is prerelease-shaped (`1.5.6-r.1`), and npm matches a prerelease only against a
 * comparator of the same major.minor.patch, so a range such as `>=1.5.0-r.1 <1.6.0` would refuse 1.5.6-r.1: the
 * peer range lists each patch.
 */
export const DUCKDB_RELEASES: readonly string[] = ['1.5.0-r.1', '1.5.1-r.1', '1.5.2-r.1', '1.5.3-r.1', '1.5.4-r.1', '1.5.5-r.1', '1.5.6-r.1'];

/** The release the tests run on, and the one install hints name. */
export const DUCKDB_RECOMMENDED = '1.5.6-r.1';

/** The optional peer dependency range: every listed patch release and its later `-r.N` rebuilds. */
export const DUCKDB_PEER_RANGE = DUCKDB_RELEASES.map((v) => `~${v}`).join(' || ');

/**
 * The command that installs it. A range such as `@1.5` matches no `@duckdb/node-api` version (they are all
 * prerelease-shaped): name the exact version.
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
