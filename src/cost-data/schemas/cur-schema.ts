import { CostSchema } from './schema';
import { TagKeys } from '../../tag-keys';
import { CostDimension, CostMetric } from '../query-terms';

/**
 * The CUR 2.0 schema (`COST_AND_USAGE_REPORT`), the object `CurQueries` is the public face of: names and types of the
 * CUR 2.0 table dictionary (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html).
 */

/** The columns of the amortized cost beyond `line_item_unblended_cost` (see `CurQueries.metricExpression`). */
const AMORTIZED_COLUMNS = [
  'line_item_product_code',
  'reservation_reservation_a_r_n',
  'reservation_effective_cost',
  'reservation_unused_amortized_upfront_fee_for_billing_period',
  'reservation_unused_recurring_fee',
  'savings_plan_savings_plan_effective_cost',
  'savings_plan_total_commitment_to_date',
  'savings_plan_used_commitment',
];

/** The columns each metric reads beyond `line_item_unblended_cost`. */
export const METRIC_COLUMNS: Record<CostMetric, readonly string[]> = {
  [CostMetric.UNBLENDED]: [],
  [CostMetric.NET_UNBLENDED]: ['line_item_net_unblended_cost'],
  [CostMetric.AMORTIZED]: AMORTIZED_COLUMNS,
};

export const CUR_2_0_SCHEMA: CostSchema<CostMetric> = {
  owner: 'CurQueries',
  label: 'CUR 2.0',
  tableName: 'COST_AND_USAGE_REPORT',
  exportColumns: [
    { name: 'bill_bill_type', type: 'string' },
    { name: 'bill_billing_entity', type: 'string' },
    { name: 'bill_billing_period_start_date', type: 'timestamp' },
    { name: 'bill_billing_period_end_date', type: 'timestamp' },
    { name: 'bill_invoice_id', type: 'string' },
    { name: 'bill_payer_account_id', type: 'string' },
    { name: 'identity_line_item_id', type: 'string' },
    { name: 'identity_time_interval', type: 'string' },
    { name: 'line_item_usage_account_id', type: 'string' },
    { name: 'line_item_line_item_type', type: 'string' },
    { name: 'line_item_usage_start_date', type: 'timestamp' },
    { name: 'line_item_usage_end_date', type: 'timestamp' },
    { name: 'line_item_product_code', type: 'string' },
    { name: 'line_item_usage_type', type: 'string' },
    { name: 'line_item_operation', type: 'string' },
    { name: 'line_item_resource_id', type: 'string' },
    { name: 'line_item_line_item_description', type: 'string' },
    { name: 'line_item_usage_amount', type: 'double' },
    { name: 'line_item_currency_code', type: 'string' },
    { name: 'line_item_unblended_rate', type: 'string' },
    { name: 'line_item_unblended_cost', type: 'double' },
    { name: 'line_item_net_unblended_cost', type: 'double' },
    { name: 'product_servicecode', type: 'string' },
    { name: 'product_region_code', type: 'string' },
    { name: 'pricing_public_on_demand_cost', type: 'double' },
    { name: 'reservation_reservation_a_r_n', type: 'string' },
    { name: 'reservation_effective_cost', type: 'double' },
    { name: 'reservation_unused_amortized_upfront_fee_for_billing_period', type: 'double' },
    { name: 'reservation_unused_recurring_fee', type: 'double' },
    { name: 'savings_plan_savings_plan_a_r_n', type: 'string' },
    { name: 'savings_plan_savings_plan_effective_cost', type: 'double' },
    { name: 'savings_plan_total_commitment_to_date', type: 'double' },
    { name: 'savings_plan_used_commitment', type: 'double' },
    { name: 'resource_tags', type: 'map<string,string>' },
    { name: 'cost_category', type: 'map<string,string>' },
  ],
  partitionFolder: {
    // "For CUR 2.0, the partition corresponds to the billing period in the format BILLING_PERIOD=YYYY-MM" (AWS Data
    // Exports user guide, "Understanding export delivery"; its example `.../business_group_a_cur/data/BILLING_PERIOD=2023-11`).
    name: 'BILLING_PERIOD',
    source: 'AWS Data Exports user guide, Understanding export delivery (CUR 2.0: BILLING_PERIOD=YYYY-MM)',
  },
  timeColumn: 'line_item_usage_start_date',
  currencyColumn: 'line_item_currency_code',
  categoryColumn: 'line_item_line_item_type',
  // the line item types that carry no resource and so never carry resource tags
  nonResourceCategories: ['Tax', 'Credit', 'Refund'],
  tagColumn: 'resource_tags',
  // `customer-service` becomes `user_customer_service`
  tagMapKey: (key) => TagKeys.curMapKey(key),
  tagKeysFilter: "lower(substr(tag_key, 1, 5)) = 'user_'",
  defaultMetric: CostMetric.UNBLENDED,
  metricExpressions: {
    [CostMetric.UNBLENDED]: 'line_item_unblended_cost',
    [CostMetric.AMORTIZED]: [
      'CASE line_item_line_item_type',
      "WHEN 'SavingsPlanCoveredUsage' THEN COALESCE(savings_plan_savings_plan_effective_cost, 0)",
      "WHEN 'SavingsPlanRecurringFee' THEN COALESCE(savings_plan_total_commitment_to_date, 0) - COALESCE(savings_plan_used_commitment, 0)",
      "WHEN 'SavingsPlanNegation' THEN 0",
      "WHEN 'SavingsPlanUpfrontFee' THEN 0",
      "WHEN 'DiscountedUsage' THEN COALESCE(reservation_effective_cost, 0)",
      "WHEN 'RIFee' THEN COALESCE(reservation_unused_amortized_upfront_fee_for_billing_period, 0) + COALESCE(reservation_unused_recurring_fee, 0)",
      "WHEN 'Fee' THEN CASE WHEN COALESCE(reservation_reservation_a_r_n, '') <> '' THEN 0 ELSE line_item_unblended_cost END",
      "WHEN 'Refund' THEN CASE WHEN line_item_product_code = 'ComputeSavingsPlans' THEN 0 ELSE line_item_unblended_cost END",
      'ELSE line_item_unblended_cost END',
    ].join(' '),
    [CostMetric.NET_UNBLENDED]: 'COALESCE(line_item_net_unblended_cost, line_item_unblended_cost)',
  },
  dimensionColumns: {
    [CostDimension.BILLING_ACCOUNT]: 'bill_payer_account_id',
    [CostDimension.SUB_ACCOUNT]: 'line_item_usage_account_id',
    [CostDimension.CHARGE_CATEGORY]: 'line_item_line_item_type',
    [CostDimension.REGION]: 'product_region_code',
  },
  noDimensionColumn: () => 'CurQueries: CUR 2.0 has no service category column (FOCUS ServiceCategory): group by service category over FOCUS data '
    + '(FocusQueries, the FOCUS_1_2_AWS export)',
  rowsAlias: 'line_items',
};
