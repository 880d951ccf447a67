/**
 * The context keys (cdk.json `context`, or `cdk synth -c key=value`) that tune cdk-customer-value.
 */
export class ContextKeys {
  /**
   * Rename the customer-value tag keys once per app: an object with any of `service`, `need`,
   * `customer`, `team`, `businessUnit`, e.g. `{ "team": "owner-team" }`.
   */
  public static readonly TAG_KEYS = 'customer-value:tagKeys';

  /**
   * The registry of known teams: an array of team names (or one comma-separated string).
   * When set, a service whose `team` is not listed is refused.
   */
  public static readonly TEAMS = 'customer-value:teams';

  /**
   * The registry of known business units: an array of names (or one comma-separated string).
   * When set, a service whose `businessUnit` is not listed is refused.
   */
  public static readonly BUSINESS_UNITS = 'customer-value:businessUnits';

  /**
   * When `true`, an overdue value review refuses synthesis instead of warning.
   */
  public static readonly STRICT_REVIEWS = 'customer-value:strictReviews';

  /**
   * The date (`YYYY-MM-DD`) value reviews are checked against. Defaults to today (UTC); set it to
   * make synthesis reproducible (tests, audits).
   */
  public static readonly TODAY = 'customer-value:today';

  /**
   * Days without any cost data point for a stack's services before the cost publisher's cost-data alarm goes off
   * (2 to 7: CloudWatch evaluates an alarm over at most 7 days, and a 1-day alarm on a once-a-day run flaps).
   * Default: 2.
   */
  public static readonly COST_DATA_ALARM_DAYS = 'customer-value:costDataAlarmDays';

  /**
   * The service (its `serviceName`, declared in the app) whose customer-value tags the library's own per-stack
   * resources carry (the daily cost publisher), so that the cost of cost reporting is attributed, never untagged.
   * Default: the first service declared in each stack.
   */
  public static readonly REPORTING_OWNER = 'customer-value:reportingOwner';

  /**
   * Which tag keys of the cost data hold the customer-value fields, for the `customer-value cost` CLI when the data's
   * keys are not the app's (a company's existing keys, another cloud's FOCUS export): an object with any of
   * `service`, `need`, `customer`, `team`, `businessUnit`, e.g. `{ "businessUnit": "business_unit" }`. Read from
   * cdk.json in the folder the CLI runs in; `--tag-key FIELD=KEY` overrides it per field. It changes nothing in the
   * app.
   */
  public static readonly COST_DATA_TAG_KEYS = 'customer-value:costDataTagKeys';

  /**
   * Days a service whose last value review decided to retire it (`ValueReviewOutcome.RETIRE`) may stay in the app
   * after that review before `CustomerValueChecks` warns that it is still deployed (0 to 731). Default: 90.
   */
  public static readonly RETIREMENT_GRACE_DAYS = 'customer-value:retirementGraceDays';

  /**
   * The organization's declaration registry (`DeclarationRegistry`, in the FinOps or management account): an object
   * `{ "bucketName": "...", "region": "eu-west-1", "prefix": "customer-value/" }` (prefix optional). When set, every
   * stack holding a `CustomerService` registers its services' declarations there on deploy (`DeclarationRegistration`)
   * and withdraws them when it is deleted. Default: none (nothing is registered).
   */
  public static readonly REGISTRY = 'customer-value:registry';

  /**
   * `false` opts an app (or a stage or stack, set with `node.setContext`) out of registering its declarations in the
   * registry that `customer-value:registry` names. Default: `true` where a registry is configured.
   */
  public static readonly REGISTER_DECLARATIONS = 'customer-value:registerDeclarations';

  private constructor() {}
}
