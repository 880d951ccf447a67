import { Allocation } from '../cost-allocation';
import { CHARGE_TYPE_DEFINITIONS } from '../declaration/attribution-charges';
import { AttributionRuleKind, AttributionTargetKind, STACK_NAME_TAG_KEY } from '../declaration/attribution-record';
import { ICustomerServiceRef } from '../service-ref';

const CHARGE_TYPE_SYMBOL = Symbol.for('cdk-customer-value.ChargeType');
const TARGET_SYMBOL = Symbol.for('cdk-customer-value.AttributionTarget');
const RULE_SYMBOL = Symbol.for('cdk-customer-value.AttributionRule');

/**
 * A kind of charge that belongs to no resource, or to none the service tags reach, for `AttributionRule.charges()`:
 * taxes, credits, AWS Support, data transfer, the recurring fees of Savings Plans and reservations, AWS Marketplace.
 *
 * Each is defined once, on the columns every source has (Cost Explorer `RECORD_TYPE`, `SERVICE_CODE`, `USAGE_TYPE`;
 * CUR 2.0 `line_item_line_item_type`, `line_item_product_code`, `line_item_usage_type`, `bill_billing_entity`; FOCUS
 * `ChargeCategory`, `x_ServiceCode`, `SkuMeter`): docs/attribution.md, "Charge types".
 */
export class ChargeType {
  /** Taxes (CUR 2.0 line item type `Tax`, FOCUS charge category `Tax`). */
  public static readonly TAX = new ChargeType('tax');
  /** Credits (line item type `Credit`, FOCUS charge category `Credit`). */
  public static readonly CREDIT = new ChargeType('credit');
  /** AWS Support plans (their product codes: `AWSSupportBusiness`, `AWSSupportEnterprise`, ...). */
  public static readonly SUPPORT = new ChargeType('support');
  /** Data transfer (usage types holding `DataTransfer`, and inter-region `-AWS-In-Bytes` / `-AWS-Out-Bytes`). */
  public static readonly DATA_TRANSFER = new ChargeType('data-transfer');
  /** The recurring fee of a Savings Plan (line item type `SavingsPlanRecurringFee`). */
  public static readonly SAVINGS_PLAN_RECURRING_FEE = new ChargeType('savings-plan-recurring-fee');
  /** The recurring fee of a reservation (line item type `RIFee`). */
  public static readonly RESERVED_INSTANCE_FEE = new ChargeType('reserved-instance-fee');
  /** AWS Marketplace charges (billing entity `AWS Marketplace`). */
  public static readonly MARKETPLACE = new ChargeType('marketplace');

  /** Every charge type. */
  public static all(): ChargeType[] {
    return [ChargeType.TAX, ChargeType.CREDIT, ChargeType.SUPPORT, ChargeType.DATA_TRANSFER, ChargeType.SAVINGS_PLAN_RECURRING_FEE,
      ChargeType.RESERVED_INSTANCE_FEE, ChargeType.MARKETPLACE];
  }

  /** Whether `x` is a `ChargeType` (also across copies of this library). */
  public static isChargeType(x: any): x is ChargeType {
    return x !== null && typeof x === 'object' && CHARGE_TYPE_SYMBOL in x;
  }

  /** The name recorded in the cloud assembly, e.g. `tax`. */
  public readonly name: string;
  /** What it matches, in one line. */
  public readonly description: string;

  private constructor(name: string) {
    this.name = name;
    this.description = CHARGE_TYPE_DEFINITIONS.find((d) => d.name === name)!.description;
    Object.defineProperty(this, CHARGE_TYPE_SYMBOL, { value: true });
  }
}


/**
 * Where the spend an attribution rule matches goes: one service, several services, a business unit's services, every
 * service, or (for stack rules) the services declared in the stack; split by the value chain's vocabulary
 * (`Allocation.proportional()`, `.even()`, `.fixed({...})`), each billing month by that month's shares.
 *
 * `proportional` weighs each service by its direct cost in the month before any split (its tagged cost plus what
 * rules with a single-service target gave it), as AWS split charge rules do; a month in which no target has such cost
 * leaves the amount unattributed, and the coverage report says why.
 *
 * @example
 * AttributionTarget.service(checkout);
 * AttributionTarget.service(ServiceRef.named('search'));
 * AttributionTarget.services([checkout, ServiceRef.named('search')], Allocation.fixed({ checkout: 70, search: 30 }));
 * AttributionTarget.businessUnit('retail');
 * AttributionTarget.everyone(Allocation.even());
 */
export class AttributionTarget {
  /**
   * One service takes the whole amount.
   *
   * @param service a `CustomerService` of this app, or `ServiceRef.named(...)` for a service of another app
   */
  public static service(service: ICustomerServiceRef): AttributionTarget {
    return new AttributionTarget('service', [service]);
  }

  /**
   * Split over the services named.
   *
   * @param services two services or more (a `CustomerService` of this app, or `ServiceRef.named(...)`)
   * @param allocation how the amount is split; a fixed allocation gives each of the services its percentage
   * @default allocation Allocation.proportional()
   */
  public static services(services: ICustomerServiceRef[], allocation?: Allocation): AttributionTarget {
    return new AttributionTarget('services', services, undefined, allocation ?? Allocation.proportional());
  }

  /**
   * Split over the services of a business unit, as the cloud assemblies read declare them in that month.
   *
   * @param businessUnit the business unit (in the registry `customer-value:businessUnits` when the app has one)
   * @param allocation `Allocation.proportional()` or `Allocation.even()`
   * @default allocation Allocation.proportional()
   */
  public static businessUnit(businessUnit: string, allocation?: Allocation): AttributionTarget {
    return new AttributionTarget('business-unit', undefined, businessUnit, allocation ?? Allocation.proportional());
  }

  /**
   * Split over every service the cloud assemblies read declare.
   *
   * @param allocation `Allocation.proportional()` or `Allocation.even()`
   * @default allocation Allocation.proportional()
   */
  public static everyone(allocation?: Allocation): AttributionTarget {
    return new AttributionTarget('everyone', undefined, undefined, allocation ?? Allocation.proportional());
  }

  /**
   * Split over the services declared in the stack the spend comes from (its own services, and those that `include()`
   * a scope of it), as the cloud assemblies read declare them. Only for stack rules.
   *
   * @param allocation `Allocation.proportional()` or `Allocation.even()`
   * @default allocation Allocation.proportional()
   */
  public static stackServices(allocation?: Allocation): AttributionTarget {
    return new AttributionTarget('stack-services', undefined, undefined, allocation ?? Allocation.proportional());
  }

  /** Whether `x` is an `AttributionTarget` (also across copies of this library). */
  public static isAttributionTarget(x: any): x is AttributionTarget {
    return x !== null && typeof x === 'object' && TARGET_SYMBOL in x;
  }

  /** The kind of target: `service`, `services`, `business-unit`, `everyone` or `stack-services`. */
  public readonly kind: string;
  /**
   * The services named.
   *
   * @default - none: the target finds its services itself
   */
  public readonly serviceRefs?: ICustomerServiceRef[];
  /**
   * The business unit whose services share the amount.
   *
   * @default - none: not a business unit's services
   */
  public readonly businessUnitName?: string;
  /**
   * How the amount is split.
   *
   * @default - none: one service takes the whole amount
   */
  public readonly allocation?: Allocation;

  private constructor(kind: AttributionTargetKind, services?: ICustomerServiceRef[], businessUnit?: string, allocation?: Allocation) {
    this.kind = kind;
    this.serviceRefs = services;
    this.businessUnitName = businessUnit;
    this.allocation = allocation;
    Object.defineProperty(this, TARGET_SYMBOL, { value: true });
  }
}


/** What every attribution rule takes. */
export interface AttributionRuleOptions {
  /**
   * The rule's name, unique in its rule set: reports say how much each rule attributed under this name, warnings name
   * rules by it. 1-40 ASCII letters, digits, `_` and `-`.
   *
   * @default - derived from what the rule matches (e.g. `tax`, `account-111122223333`, `stack-Shop-Prod`), numbered
   * when two rules would get the same name
   */
  readonly name?: string;
}

/** Properties of `AttributionRule.accounts()`. */
export interface AccountRuleProps extends AttributionRuleOptions {
  /**
   * The accounts: AWS account ids (12 digits, as strings), or the FOCUS sub-account ids (`SubAccountId`) of another
   * provider's export, matched exactly.
   */
  readonly accountIds: string[];
  /** Where their spend without a service tag goes. */
  readonly to: AttributionTarget;
}

/** Properties of `AttributionRule.stacks()`. */
export interface StackRuleProps extends AttributionRuleOptions {
  /**
   * The CloudFormation stack names (the value of the AWS-generated tag `aws:cloudformation:stack-name`); `*` matches
   * any run of characters (`Shop-*`).
   */
  readonly stackNames: string[];
  /**
   * Where their spend without a service tag goes.
   *
   * @default AttributionTarget.stackServices()
   */
  readonly to?: AttributionTarget;
}

/** Properties of `AttributionRule.declaredStacks()`. */
export interface DeclaredStacksRuleProps extends AttributionRuleOptions {
  /**
   * How the spend of a stack holding several services is split among them.
   *
   * @default Allocation.proportional()
   */
  readonly allocation?: Allocation;
}

/** Properties of `AttributionRule.charges()`. */
export interface ChargeRuleProps extends AttributionRuleOptions {
  /**
   * Kinds of charges, e.g. `[ChargeType.TAX, ChargeType.SUPPORT]`.
   *
   * @default - any kind of charge
   */
  readonly chargeTypes?: ChargeType[];
  /**
   * Product / service codes (Cost Explorer `SERVICE_CODE`, CUR 2.0 `line_item_product_code`, FOCUS `x_ServiceCode`),
   * e.g. `AmazonCloudWatch`; `*` matches any run of characters.
   *
   * @default - any product
   */
  readonly serviceCodes?: string[];
  /**
   * Usage types (Cost Explorer `USAGE_TYPE`, CUR 2.0 `line_item_usage_type`, FOCUS 1.2 `SkuMeter`), e.g.
   * `USE1-NatGateway-Bytes`; `*` matches any run of characters.
   *
   * @default - any usage type
   */
  readonly usageTypes?: string[];
  /** Where the spend goes. */
  readonly to: AttributionTarget;
}

/** Properties of `AttributionRule.resources()`. */
export interface ResourceRuleProps extends AttributionRuleOptions {
  /**
   * Resource ids or ARNs (CUR 2.0 `line_item_resource_id`, FOCUS `ResourceId`); `*` matches any run of characters
   * (`arn:aws:s3:::shop-*`).
   */
  readonly resourceIds: string[];
  /** Where their spend goes. */
  readonly to: AttributionTarget;
}

/**
 * A rule that says where spend without a service tag goes. Add rules to an `AttributionRules` rule set; the first
 * rule that matches a line item attributes it (as in AWS cost categories), before the value chain passes shared cost
 * on, each billing month, conserved to the cent. The whole design: docs/attribution.md.
 *
 * @example
 * AttributionRule.accounts({ accountIds: ['111122223333'], to: AttributionTarget.service(checkout) });
 * AttributionRule.declaredStacks();
 * AttributionRule.charges({ chargeTypes: [ChargeType.TAX, ChargeType.SUPPORT], to: AttributionTarget.everyone() });
 * AttributionRule.resources({ resourceIds: ['arn:aws:s3:::shop-assets'], to: AttributionTarget.businessUnit('retail') });
 */
export class AttributionRule {
  /**
   * The AWS-generated cost allocation tag that names the CloudFormation stack that created a resource: what stack
   * rules match on. `CostAllocationTags` activates it when a rule set of the app has a stack rule.
   */
  public static readonly STACK_NAME_TAG_KEY = STACK_NAME_TAG_KEY;

  /**
   * The spend of AWS accounts (or FOCUS sub-accounts) that belong to one service, or to one business unit's services.
   */
  public static accounts(props: AccountRuleProps): AttributionRule {
    return new AttributionRule('accounts', props, props?.to, { accounts: props?.accountIds });
  }

  /**
   * The spend of resources created by the CloudFormation stacks named (the AWS-generated tag
   * `aws:cloudformation:stack-name`), by default to the services declared in each stack.
   */
  public static stacks(props: StackRuleProps): AttributionRule {
    return new AttributionRule('stacks', props, props?.to ?? AttributionTarget.stackServices(), { stacks: props?.stackNames });
  }

  /**
   * The spend of resources created by any stack a service is declared in (in the cloud assemblies read), to the
   * services declared in that stack: a resource CloudFormation created that the customer-value tags did not reach (an
   * untaggable type, one created before the tags were active, one excluded from tagging).
   */
  public static declaredStacks(props: DeclaredStacksRuleProps = {}): AttributionRule {
    return new AttributionRule('declared-stacks', props, AttributionTarget.stackServices(props?.allocation), {});
  }

  /**
   * Charges of a kind, a product / service code or a usage type (support, tax, data transfer, a Savings Plan's
   * recurring fee, Marketplace), split over named services, a business unit's services or everyone.
   */
  public static charges(props: ChargeRuleProps): AttributionRule {
    return new AttributionRule('charges', props, props?.to, {
      chargeTypes: props?.chargeTypes, serviceCodes: props?.serviceCodes, usageTypes: props?.usageTypes,
    });
  }

  /** The spend of resources by id or ARN. */
  public static resources(props: ResourceRuleProps): AttributionRule {
    return new AttributionRule('resources', props, props?.to, { resources: props?.resourceIds });
  }

  /** Whether `x` is an `AttributionRule` (also across copies of this library). */
  public static isAttributionRule(x: any): x is AttributionRule {
    return x !== null && typeof x === 'object' && RULE_SYMBOL in x;
  }

  /** The kind of rule: `accounts`, `stacks`, `declared-stacks`, `charges` or `resources`. */
  public readonly kind: string;
  /**
   * The name given.
   *
   * @default - derived when the rule is added to a rule set
   */
  public readonly name?: string;
  /** Where the spend goes. */
  public readonly target: AttributionTarget;

  /** @internal the criteria as declared (checked when the rule set is validated) */
  public readonly _match: { readonly [field: string]: unknown };

  private constructor(kind: AttributionRuleKind, options: AttributionRuleOptions | undefined, target: AttributionTarget,
    match: { readonly [field: string]: unknown }) {
    this.kind = kind;
    this.name = options?.name;
    this.target = target;
    this._match = match;
    Object.defineProperty(this, RULE_SYMBOL, { value: true });
  }
}

