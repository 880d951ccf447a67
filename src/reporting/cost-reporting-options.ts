/**
 * Cost and usage reporting of a customer service.
 *
 * Reporting is on by default; `CostReporting.disabled(reason)` turns it off (sandboxes, tests).
 */
export interface CostReportingOptions {
  /**
   * Whether cost and usage reporting is wired up for the service.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Why reporting is disabled (recorded in the cloud assembly and shown by the `customer-value` CLI and
   * the `CustomerValueChecks` pack). Only meaningful with `enabled: false`.
   * @default - no reason recorded
   */
  readonly disabledReason?: string;

  /**
   * A fixed monthly budget in USD (positive, finite).
   * @default - an auto-adjusting budget based on the service's recent spend
   */
  readonly monthlyBudget?: number;
}

/**
 * Helpers for `CostReportingOptions`.
 */
export class CostReporting {
  /**
   * Turn cost and usage reporting off for a service (sandboxes, tests). The reason is recorded.
   * @param reason why reporting is off, e.g. "sandbox account, torn down nightly"
   */
  public static disabled(reason?: string): CostReportingOptions {
    return { enabled: false, disabledReason: reason };
  }

  private constructor() {}
}
