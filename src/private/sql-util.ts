/** A SQL string literal (single quotes doubled), for DuckDB and Athena alike. */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The billing period (YYYY-MM) of the day before `to` (the last month an exclusive end date reaches). */
export function lastMonthBefore(to: string): string {
  const d = new Date(`${to}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 7);
}
