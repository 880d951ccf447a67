/** The partition column of the Glue table over a CUR 2.0 export: the `BILLING_PERIOD=YYYY-MM` folders of the export. */
export const BILLING_PERIOD_COLUMN = 'billing_period';

/**
 * The table of the named queries: only the current billing period's partition. Athena named queries take no parameters
 * in CloudFormation, so the period is the current UTC month at run time, `date_format(current_date, '%Y-%m')` on the
 * `billing_period` partition column: Athena reads one month of the export instead of every month the partition
 * projection covers (three years by default), which a large organisation's data would need more than the workgroup's
 * bytes-scanned cutoff to read.
 */
export function currentBillingPeriod(table: string): { table: string; comment: string } {
  const predicate = `${BILLING_PERIOD_COLUMN} = date_format(current_date, '%Y-%m')`;
  return {
    table: `(SELECT * FROM ${table} WHERE ${predicate}) AS cur`,
    comment: '-- The current billing period (UTC month) only. For another month, replace date_format(current_date, \'%Y-%m\') with e.g. \'2026-10\'.',
  };
}
