import { CostGrouping, CurQueries } from '../billing/cur-sql';
import { TagKeys } from '../tag-keys';

/** `--by provider`: cost per provider (FOCUS `ProviderName`), not per tag value. */
export const BY_PROVIDER = 'provider' as const;

/** What a report groups by: a customer-value tag, or the provider (FOCUS data). */
export type ReportGrouping = CostGrouping | typeof BY_PROVIDER;

/** The grouping of a report's query. */
export function reportGrouping(query: { readonly groupBy: CostGrouping; readonly byProvider?: boolean }): ReportGrouping {
  return query.byProvider ? BY_PROVIDER : query.groupBy;
}

/** The tag key a report grouping reads (one definition, in `CurQueries`). */
export function groupTagKey(grouping: CostGrouping, keys: TagKeys): string {
  return CurQueries.groupingTagKey(grouping, keys);
}

/** The `TagKeyNames` field (and `ServiceDeclarationRecord.tagKeys` field) a grouping reads. */
export function groupField(grouping: CostGrouping): 'service' | 'need' | 'customer' | 'team' | 'businessUnit' {
  switch (grouping) {
    case CostGrouping.SERVICE: return 'service';
    case CostGrouping.NEED: return 'need';
    case CostGrouping.CUSTOMER: return 'customer';
    case CostGrouping.TEAM: return 'team';
    case CostGrouping.BUSINESS_UNIT: return 'businessUnit';
    default: throw new Error(`unknown grouping ${String(grouping)}`);
  }
}
