/**
 * A query to save as an Athena named query, over the table of any export (`CurQueries.namedQueries`,
 * `FocusQueries.namedQueries`).
 */
export interface NamedQuery {
  /** Name of the query, e.g. `cost-per-service`. */
  readonly name: string;
  /** What the query answers. */
  readonly description: string;
  /** The SQL. */
  readonly queryString: string;
}
