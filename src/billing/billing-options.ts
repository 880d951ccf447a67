import { Allocation } from '../cost-allocation';
import { Customer } from '../customer';
import { CustomerService } from '../customer-service';

/**
 * The declaration of a customer service, for billing constructs in an app that does not contain the service
 * itself (typically the management-account app, while the services are deployed from their own apps).
 *
 * The same rules as `CustomerServiceProps` apply: real values (no placeholders), tag-safe team and business
 * unit, a customer need stated as a sentence.
 */
export interface ServiceValueDeclaration {
  /**
   * The service's name: the value of its service tag (1-50 ASCII letters, digits, `_` and `-`, starting with a
   * letter or digit).
   */
  readonly serviceName: string;

  /**
   * The customer need the service fulfils, as a sentence of at least three words. Its tag value is derived
   * exactly as `CustomerService` derives it, so the cost categories match the tags on the resources.
   */
  readonly customerNeed: string;

  /** The owning team (tag-safe: 1-50 ASCII letters, digits, spaces and `_ . : / = -`). */
  readonly team: string;

  /** The business unit (tag-safe: 1-50 ASCII letters, digits, spaces and `_ . : / = -`). */
  readonly businessUnit: string;

  /**
   * The customer (only used by the customer cost category).
   *
   * @default - no customer: a customer cost category cannot be built for this service
   */
  readonly customer?: Customer;

  /**
   * Names of the services this one consumes, as `CustomerService.consumes()` declares them (used by the split charge
   * rules of `CustomerValueCostCategories`).
   *
   * @default - it consumes no other service
   */
  readonly consumes?: string[];

  /**
   * How it passes its cost on to the services that consume it, as its `CustomerService` declares it.
   *
   * @default Allocation.proportional()
   */
  readonly costAllocation?: Allocation;
}

/**
 * Which customer services a billing construct serves.
 *
 * Give `services`, `declarations`, or both (a payer-account app that declares some services itself and
 * describes the others). With neither, the construct serves every `CustomerService` declared in the app when
 * the construct is created (`CustomerService.all(app)`): declare the services first; one declared later makes
 * synthesis fail with an error naming it rather than being silently left out.
 */
export interface BillingServicesOptions {
  /**
   * Customer services of this app to serve (e.g. `CustomerService.all(app)`).
   *
   * @default - every service of the app, unless `declarations` are given
   */
  readonly services?: CustomerService[];

  /**
   * Declarations of services deployed from other apps.
   *
   * @default - none
   */
  readonly declarations?: ServiceValueDeclaration[];
}

/**
 * Where the billing constructs are meant to run.
 *
 * Cost allocation tag activation, cost categories and anomaly monitors on cost allocation tags only work in the
 * management (payer) account of an AWS Organization, or in a standalone account.
 *
 * @see https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/custom-tags.html
 */
export interface ManagementAccountOptions {
  /**
   * The 12-digit id of the management (payer) account. When the stack's account is known and differs, synthesis
   * emits a warning (acknowledgeable, id `cdk-customer-value:billing.notManagementAccount`): in a member account
   * these resources fail to deploy or see only that account's own costs.
   *
   * @default - not checked
   */
  readonly managementAccountId?: string;
}

/**
 * Which customer service owns the cost of a billing construct's own resources (functions, buckets, the workgroup,
 * topics, keys...), so that the cost of cost reporting is attributed like any other cost, never left untagged.
 */
export interface BillingOwnerOptions {
  /**
   * The customer service that owns the cost of this construct's resources, typically the service of the team that
   * runs cost reporting (FinOps, platform), declared as in another app: its taggable resources carry that service's
   * five customer-value tags. The declaration needs a `customer`.
   *
   * Leave it out when the construct is created inside a `CustomerService` (or in a scope a service `include()`s):
   * its resources then belong to that service and carry its tags. With neither, synthesis fails with a message saying
   * how to fix it; with both, too (a resource belongs to exactly one service).
   *
   * Cost categories and anomaly monitors created by the construct also cover the owner, so its cost is not
   * "Unallocated".
   *
   * @default - the customer service the construct is part of
   */
  readonly owner?: ServiceValueDeclaration;
}
