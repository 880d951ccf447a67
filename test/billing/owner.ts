import { Customer, ServiceValueDeclaration } from '../../src';

/**
 * The service that owns the cost of the billing constructs' own resources in these tests: the FinOps team's cost
 * reporting, declared as a service of another app (the `owner` prop).
 */
export const OWNER: ServiceValueDeclaration = {
  serviceName: 'cost-reporting',
  customerNeed: 'Business units see what each customer need costs them every month',
  customer: Customer.internal('Business units'),
  team: 'finops',
  businessUnit: 'finance',
};
