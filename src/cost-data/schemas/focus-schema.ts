import { CostSchema } from './schema';
import { CostDimension, FocusMetric } from '../query-terms';

/**
 * The FOCUS 1.2 with AWS columns schema (`FOCUS_1_2_AWS`), the object `FocusQueries` is the public face of: names and
 * types of its table dictionary (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-aws-columns.html).
 * A tag key is looked up in the `Tags` map exactly as written (FOCUS keeps the provider's key).
 */
export const FOCUS_1_2_SCHEMA: CostSchema<FocusMetric> = {
  owner: 'FocusQueries',
  label: 'FOCUS',
  tableName: 'FOCUS_1_2_AWS',
  exportColumns: [
    { name: 'BilledCost', type: 'double' },
    { name: 'BillingAccountId', type: 'string' },
    { name: 'BillingAccountName', type: 'string' },
    { name: 'BillingCurrency', type: 'string' },
    { name: 'BillingPeriodStart', type: 'timestamp' },
    { name: 'BillingPeriodEnd', type: 'timestamp' },
    { name: 'ChargeCategory', type: 'string' },
    { name: 'ChargeClass', type: 'string' },
    { name: 'ChargeDescription', type: 'string' },
    { name: 'ChargeFrequency', type: 'string' },
    { name: 'ChargePeriodStart', type: 'timestamp' },
    { name: 'ChargePeriodEnd', type: 'timestamp' },
    { name: 'CommitmentDiscountId', type: 'string' },
    { name: 'CommitmentDiscountStatus', type: 'string' },
    { name: 'CommitmentDiscountType', type: 'string' },
    { name: 'ConsumedQuantity', type: 'double' },
    { name: 'ConsumedUnit', type: 'string' },
    { name: 'ContractedCost', type: 'double' },
    { name: 'EffectiveCost', type: 'double' },
    { name: 'InvoiceId', type: 'string' },
    { name: 'InvoiceIssuerName', type: 'string' },
    { name: 'ListCost', type: 'double' },
    { name: 'PricingCategory', type: 'string' },
    { name: 'ProviderName', type: 'string' },
    { name: 'PublisherName', type: 'string' },
    { name: 'RegionId', type: 'string' },
    { name: 'ResourceId', type: 'string' },
    { name: 'ResourceType', type: 'string' },
    { name: 'ServiceCategory', type: 'string' },
    { name: 'ServiceName', type: 'string' },
    { name: 'SkuId', type: 'string' },
    { name: 'SubAccountId', type: 'string' },
    { name: 'SubAccountName', type: 'string' },
    { name: 'Tags', type: 'map<string,string>' },
    { name: 'x_ServiceCode', type: 'string' },
    { name: 'x_Operation', type: 'string' },
  ],
  partitionFolder: {
    // The delivery page documents the partition of CUR 2.0 only, and the table's page ("FOCUS 1.2 with AWS columns",
    // table-dictionary-focus-1-2-aws.html) none. FOCUS exports are reported delivered under lower-case
    // `billing_period=YYYY-MM` folders (independent public reports of delivered keys, e.g.
    // `focus/data/billing_period=2026-03/...`), the Hive-style name of the partition column; not verified on a delivery of
    // ours: the README's "Not verified without an AWS account" says how to check the first one.
    name: 'billing_period',
    source: 'FOCUS exports as delivered (billing_period=YYYY-MM; AWS documents the partition folder of CUR 2.0 only)',
  },
  timeColumn: 'ChargePeriodStart',
  currencyColumn: 'BillingCurrency',
  categoryColumn: 'ChargeCategory',
  // the charge categories that belong to no resource (never carry resource tags in the usual case)
  nonResourceCategories: ['Tax', 'Credit', 'Adjustment', 'Purchase'],
  tagColumn: 'Tags',
  tagMapKey: (key) => key,
  defaultMetric: FocusMetric.BILLED,
  metricExpressions: {
    [FocusMetric.BILLED]: 'BilledCost',
    [FocusMetric.EFFECTIVE]: 'EffectiveCost',
    [FocusMetric.LIST]: 'ListCost',
    [FocusMetric.CONTRACTED]: 'ContractedCost',
  },
  // columns of every FOCUS version from 1.0 on
  dimensionColumns: {
    [CostDimension.BILLING_ACCOUNT]: 'BillingAccountId',
    [CostDimension.SUB_ACCOUNT]: 'SubAccountId',
    [CostDimension.CHARGE_CATEGORY]: 'ChargeCategory',
    [CostDimension.REGION]: 'RegionId',
    [CostDimension.SERVICE_CATEGORY]: 'ServiceCategory',
  },
  noDimensionColumn: (dimension) => `FocusQueries: no column for ${dimension}`,
  rowsAlias: 'charges',
};
