/**
 * The terms a cost query is written in, shared by every schema (CUR 2.0, FOCUS), every source and every report: what
 * cost is grouped by (`CostGrouping`, `CostDimension`), which figure is summed (`CostMetric`, `FocusMetric`) and the
 * SQL engine (`SqlDialect`). Public API (`src/index.ts` exports this module): enums only, free of aws-cdk-lib, so
 * that the CLI and the deployed functions load it without the CDK.
 */

/**
 * What cost is grouped by: the service tag or one of the other customer-value tags.
 */
export enum CostGrouping {
  /** The service tag (`customer-service` by default). */
  SERVICE = 'service',
  /** The customer-need tag (`customer-need` by default). */
  NEED = 'need',
  /** The owning-team tag (`team` by default). */
  TEAM = 'team',
  /** The business-unit tag (`business-unit` by default). */
  BUSINESS_UNIT = 'business-unit',
  /** The customer tag (`customer` by default). */
  CUSTOMER = 'customer',
}

/**
 * A column of the cost data that a query can group by instead of a tag: the dimensions a FinOps practitioner reads
 * FOCUS data by, taken from the CUR 2.0 column that holds the same where CUR 2.0 has one.
 */
export enum CostDimension {
  /** The billing account: FOCUS `BillingAccountId`; CUR 2.0 `bill_payer_account_id` (the payer account). */
  BILLING_ACCOUNT = 'billing-account',
  /**
   * The sub-account: FOCUS `SubAccountId` (an AWS member account, an Azure subscription, a Google Cloud project);
   * CUR 2.0 `line_item_usage_account_id`.
   */
  SUB_ACCOUNT = 'sub-account',
  /**
   * The charge category: FOCUS `ChargeCategory` (Usage, Purchase, Tax, Credit, Adjustment); CUR 2.0
   * `line_item_line_item_type`, its nearest column (Usage, Tax, Credit, Refund, Fee, RIFee, SavingsPlanCoveredUsage, ...).
   */
  CHARGE_CATEGORY = 'charge-category',
  /** The region: FOCUS `RegionId`; CUR 2.0 `product_region_code`. */
  REGION = 'region',
  /** The service category: FOCUS `ServiceCategory` (Compute, Databases, Storage, ...); CUR 2.0 has no such column. */
  SERVICE_CATEGORY = 'service-category',
}

/**
 * Which cost figure of a CUR 2.0 line item is summed.
 */
export enum CostMetric {
  /**
   * `line_item_unblended_cost`: what the line item was charged, as on the invoice (Cost Explorer `UnblendedCost`).
   */
  UNBLENDED = 'unblended',
  /**
   * Amortized cost (Cost Explorer `AmortizedCost`): Savings Plans and reservations spread over the usage they cover,
   * computed from the line item type as AWS's Cloud Intelligence Dashboards do for CUR 2.0.
   */
  AMORTIZED = 'amortized',
  /**
   * `line_item_net_unblended_cost` (after discounts), falling back to the unblended cost where it is empty
   * (Cost Explorer `NetUnblendedCost`).
   */
  NET_UNBLENDED = 'net-unblended',
}

/**
 * The SQL engine a query is written for.
 */
export enum SqlDialect {
  /** Amazon Athena (Trino): map values through `element_at(map, key)`. */
  ATHENA = 'athena',
  /**
   * DuckDB: map values through `map[key]`, which DuckDB 1.5 returns as the value, or NULL when the key is missing
   * (`element_at` and `map_extract` return a list there). The table must expose `resource_tags` as a `MAP(VARCHAR, VARCHAR)`; a CUR 2.0 CSV export stores it as
   * a JSON string, which a view casts to a map first (the `customer-value` CLI does this).
   */
  DUCKDB = 'duckdb',
}

/**
 * Which cost column of a FOCUS row is summed.
 */
export enum FocusMetric {
  /** `BilledCost`: the charge as invoiced, after discounts, upfront purchases not amortized (FOCUS's invoice basis). */
  BILLED = 'billed',
  /** `EffectiveCost`: the amortized cost, commitment purchases spread over the usage they cover. */
  EFFECTIVE = 'effective',
  /** `ListCost`: the cost at the provider's public list prices. */
  LIST = 'list',
  /** `ContractedCost`: the cost at the prices negotiated with the provider, before commitment discounts. */
  CONTRACTED = 'contracted',
}
