import { Customer } from '../customer';
import { deriveTagValue } from '../private/tag-safe';
import { TagKeys } from '../tag-keys';

/** The declared fields the five customer-value tags are made of. */
export interface TaggedFields {
  readonly serviceName: string;
  readonly customerNeed: string;
  readonly customer?: Customer;
  readonly team: string;
  readonly businessUnit: string;
}

/** The tag value of a need statement (see `deriveTagValue`). */
export function needTagValue(customerNeed: unknown): string {
  return typeof customerNeed === 'string' ? deriveTagValue(customerNeed) : '';
}

/** The tag value of a customer (`external:<name>` or `internal:<name>`), or undefined when there is none. */
export function customerTagValue(customer: unknown): string | undefined {
  return Customer.isCustomer(customer) ? customer.tagValue : undefined;
}

/**
 * The customer-value tags (key to value) of a declaration: what `CustomerService` puts on every resource, and
 * what budgets, cost categories, anomaly monitors and reports match. The customer tag is left out when the
 * declaration has no customer (billing declarations of other apps may omit it).
 */
export function declaredTagValues(keys: TagKeys, d: TaggedFields, need: string = needTagValue(d.customerNeed)): Record<string, string> {
  const customer = customerTagValue(d.customer);
  return {
    [keys.service]: d.serviceName,
    [keys.need]: need,
    ...(customer !== undefined ? { [keys.customer]: customer } : {}),
    [keys.team]: d.team,
    [keys.businessUnit]: d.businessUnit,
  };
}
