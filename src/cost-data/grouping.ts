import { customerValueField, tagKeyOf } from './customer-value-fields';
import { CostDimension, CostGrouping } from './query-terms';
import { TagKeys } from '../tag-keys';

/** `--by provider`: cost per provider (FOCUS `ProviderName`), not per tag value. */
export const BY_PROVIDER = 'provider' as const;

/**
 * What a report groups by: a customer-value tag, the provider (FOCUS data), or a column of the data
 * (`CostDimension`: billing account, sub-account, charge category, region, service category).
 */
export type ReportGrouping = CostGrouping | typeof BY_PROVIDER | CostDimension;

/** Every `--by` value: the tags, the provider, the columns. */
export const BY_VALUES: string[] = [...Object.values(CostGrouping), BY_PROVIDER, ...Object.values(CostDimension)];

/** The grouping of a report's query. */
export function reportGrouping(query: { readonly groupBy: CostGrouping; readonly byProvider?: boolean; readonly dimension?: CostDimension }):
ReportGrouping {
  return query.byProvider ? BY_PROVIDER : query.dimension ?? query.groupBy;
}

/** Whether a grouping is a column of the data (`--by region`, ...). */
export function isDimension(grouping: string): grouping is CostDimension {
  return (Object.values(CostDimension) as string[]).includes(grouping);
}

/** The tag key a report grouping reads (the customer-value field table). */
export function groupTagKey(grouping: CostGrouping, keys: TagKeys): string {
  return tagKeyOf(grouping, keys);
}

/** The `TagKeyNames` field (and `ServiceDeclarationRecord.tagKeys` field) a grouping reads. */
export function groupField(grouping: CostGrouping): 'service' | 'need' | 'customer' | 'team' | 'businessUnit' {
  return customerValueField(grouping).tagKeyField;
}

/**
 * The Cost Explorer dimension of a column grouping, where `GetCostAndUsage` has one: its `GroupBy` accepts the
 * dimensions AZ, INSTANCE_TYPE, LEGAL_ENTITY_NAME, INVOICING_ENTITY, LINKED_ACCOUNT, OPERATION, PLATFORM,
 * PURCHASE_TYPE, SERVICE, TENANCY, RECORD_TYPE and USAGE_TYPE
 * (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html).
 */
export const CE_DIMENSIONS: Partial<Record<CostDimension, string>> = {
  [CostDimension.SUB_ACCOUNT]: 'LINKED_ACCOUNT',
  [CostDimension.CHARGE_CATEGORY]: 'RECORD_TYPE',
};

/**
 * Why a source cannot group by a column, in one line naming the source, or undefined when it can. FOCUS data has
 * every column; CUR 2.0 all but the service category; Cost Explorer the sub-account (LINKED_ACCOUNT) and the charge
 * category (RECORD_TYPE). Athena is decided once its table is known (FOCUS or CUR 2.0).
 */
export function dimensionRefusal(source: 'ce' | 'cur', dimension: CostDimension): string | undefined {
  const focus = 'read FOCUS data for it (--source focus, or --source athena over the FOCUS table of the CostAndUsageExport construct)';
  if (source === 'cur') {
    return dimension === CostDimension.SERVICE_CATEGORY
      ? `--by ${dimension}: CUR 2.0 data has no service category column (FOCUS ServiceCategory); ${focus}` : undefined;
  }
  if (CE_DIMENSIONS[dimension] !== undefined) {
    return undefined;
  }
  switch (dimension) {
    case CostDimension.BILLING_ACCOUNT:
      return `--by ${dimension}: Cost Explorer reports the cost of the one payer account it is called in, and its GetCostAndUsage cannot group `
        + 'by payer; read CUR 2.0 (--source cur, bill_payer_account_id) or FOCUS data (BillingAccountId) of several payers for it';
    case CostDimension.SERVICE_CATEGORY:
      return `--by ${dimension}: Cost Explorer has no service category (FOCUS ServiceCategory); ${focus}`;
    default:
      return `--by ${dimension}: Cost Explorer's GetCostAndUsage cannot group by ${dimension} (its GroupBy dimensions are AZ, INSTANCE_TYPE, `
        + 'LEGAL_ENTITY_NAME, INVOICING_ENTITY, LINKED_ACCOUNT, OPERATION, PLATFORM, PURCHASE_TYPE, SERVICE, TENANCY, RECORD_TYPE and USAGE_TYPE); '
        + 'read CUR 2.0 (--source cur, product_region_code) or FOCUS data (RegionId) for it';
  }
}
