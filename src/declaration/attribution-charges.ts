/**
 * What each of the library's charge types (`ChargeType`) matches, as data, free of aws-cdk-lib: the cost categories
 * (`CustomerValueCostCategories`) express it as cost category rules, and the cost engine (phase 2 of issue 23) as the
 * predicate of each source. One definition, so a rule matches the same line items in Cost Explorer, in cost
 * categories, in CUR 2.0 and in FOCUS. The mapping and its sources: docs/attribution.md, "Charge types".
 *
 * A line item matches a charge type when it matches any of the criteria given for it (OR). `recordTypes` are the
 * values of Cost Explorer's `RECORD_TYPE` ("charge type" in the console), which are CUR 2.0's
 * `line_item_line_item_type` values (AWS Billing user guide, "Managing your costs with Cost Categories", term
 * comparisons: Usage, SavingsPlanCoveredUsage, DiscountedUsage, RIFee, SavingsPlanRecurringFee, Tax, Credit,
 * SavingsPlanNegation).
 */
export interface ChargeTypeDefinition {
  /** The name recorded (`AttributionMatchRecord.chargeTypes`). */
  readonly name: string;
  /** One line for messages and the docs. */
  readonly description: string;
  /** Cost Explorer `RECORD_TYPE` = CUR 2.0 `line_item_line_item_type`, exact. */
  readonly recordTypes?: readonly string[];
  /** Cost Explorer `SERVICE_CODE` = CUR 2.0 `line_item_product_code` = FOCUS `x_ServiceCode`, exact. */
  readonly serviceCodes?: readonly string[];
  /** Cost Explorer `USAGE_TYPE` = CUR 2.0 `line_item_usage_type` = FOCUS 1.2 `SkuMeter` (1.0 `x_UsageType`), patterns. */
  readonly usageTypes?: readonly string[];
  /** Cost Explorer `BILLING_ENTITY` = CUR 2.0 `bill_billing_entity`, exact. */
  readonly billingEntities?: readonly string[];
  /** FOCUS `ChargeCategory`, exact (for the charge types FOCUS tells by category). */
  readonly focusChargeCategories?: readonly string[];
  /**
   * What is not settled from the documentation for this type and needs a real export (also listed in the README,
   * "Not verified without an AWS account").
   */
  readonly unverified?: string;
}

export const CHARGE_TYPE_DEFINITIONS: readonly ChargeTypeDefinition[] = [
  {
    name: 'tax',
    description: 'taxes (CUR 2.0 line item type Tax, FOCUS charge category Tax)',
    recordTypes: ['Tax'],
    focusChargeCategories: ['Tax'],
  },
  {
    name: 'credit',
    description: 'credits (CUR 2.0 line item type Credit, FOCUS charge category Credit)',
    recordTypes: ['Credit'],
    focusChargeCategories: ['Credit'],
  },
  {
    name: 'support',
    description: 'AWS Support plans (their product codes)',
    serviceCodes: ['AWSSupportBusiness', 'AWSSupportEnterprise', 'AWSSupportEnterpriseOnRamp', 'AWSDeveloperSupport'],
    unverified: 'the product codes of the AWS Support plans are read from public CUR samples, not from an AWS list',
  },
  {
    name: 'data-transfer',
    description: 'data transfer (usage types holding "DataTransfer", and inter-region "-AWS-In-Bytes" / "-AWS-Out-Bytes")',
    usageTypes: ['*DataTransfer*', '*-AWS-In-Bytes', '*-AWS-Out-Bytes'],
    unverified: 'the usage type names of data transfer follow AWS\'s naming, not a documented list',
  },
  {
    name: 'savings-plan-recurring-fee',
    description: 'the recurring fee of a Savings Plan (line item type SavingsPlanRecurringFee)',
    recordTypes: ['SavingsPlanRecurringFee'],
    unverified: 'how a FOCUS 1.2 export marks the fee (expected: charge category Purchase with the plan as commitment discount)',
  },
  {
    name: 'reserved-instance-fee',
    description: 'the recurring fee of a reservation (line item type RIFee)',
    recordTypes: ['RIFee'],
    unverified: 'how a FOCUS 1.2 export marks the fee (expected: charge category Purchase with the reservation as commitment discount)',
  },
  {
    name: 'marketplace',
    description: 'AWS Marketplace charges (billing entity "AWS Marketplace")',
    billingEntities: ['AWS Marketplace'],
    unverified: 'how a FOCUS 1.2 export tells a Marketplace charge (billing entity has no FOCUS column)',
  },
];

/** The definition of a charge type name, or undefined. */
export function chargeTypeDefinition(name: string): ChargeTypeDefinition | undefined {
  return CHARGE_TYPE_DEFINITIONS.find((d) => d.name === name);
}

/** The names of the charge types, in the order above. */
export function chargeTypeNames(): string[] {
  return CHARGE_TYPE_DEFINITIONS.map((d) => d.name);
}
