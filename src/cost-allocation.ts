/**
 * How a provider's cost is shared among the services that consume it.
 */
export enum AllocationMethod {
  /** By the consumers' direct cost in the same period. */
  PROPORTIONAL = 'proportional',
  /** In equal parts. */
  EVEN = 'even',
  /** By fixed percentages. */
  FIXED = 'fixed',
}

/**
 * How a service passes its cost on to the services that consume it (`costAllocation` of a `CustomerService`).
 *
 * The cost passed on is the provider's fully-loaded cost: its direct cost plus what it received from its own
 * providers. With `proportional()` and `even()` all of it goes to the consumers; a service that also fulfils a need
 * of its own (search, used by shoppers and by checkout) names itself in `fixed()` to keep that share.
 *
 * @example
 * Allocation.proportional();
 * Allocation.even();
 * Allocation.fixed({ 'checkout': 60, 'product-search': 40 });
 * Allocation.fixed({ 'product-search': 70, 'checkout': 30 }); // declared on product-search: it keeps 70 %
 */
export class Allocation {
  /**
   * By the consumers' direct cost in the same period: a consumer with twice the cost gets twice the share. When no
   * consumer has cost in the period, the provider's cost stays unallocated (the report says why).
   */
  public static proportional(): Allocation {
    return new Allocation(AllocationMethod.PROPORTIONAL);
  }

  /**
   * In equal parts among the consumers, whatever their cost.
   */
  public static even(): Allocation {
    return new Allocation(AllocationMethod.EVEN);
  }

  /**
   * By fixed percentages, keyed by service name. The percentages add up to 100; each names a service that
   * consumes this one, or this service itself for the share it keeps for its own need.
   *
   * @param percentages service name to percentage (greater than 0, at most 100), e.g. `{ checkout: 60, search: 40 }`
   */
  public static fixed(percentages: { [serviceName: string]: number }): Allocation {
    return new Allocation(AllocationMethod.FIXED, percentages);
  }

  /**
   * Whether `x` is an `Allocation` (also across copies of this library).
   */
  public static isAllocation(x: any): x is Allocation {
    return x !== null && typeof x === 'object' && ALLOCATION_SYMBOL in x;
  }

  /** How the cost is shared. */
  public readonly method: AllocationMethod;

  /**
   * The percentages of a fixed allocation, keyed by service name.
   *
   * @default - none: the method is not `FIXED`
   */
  public readonly percentages?: { [serviceName: string]: number };

  private constructor(method: AllocationMethod, percentages?: { [serviceName: string]: number }) {
    this.method = method;
    this.percentages = percentages;
    Object.defineProperty(this, ALLOCATION_SYMBOL, { value: true });
  }
}

const ALLOCATION_SYMBOL = Symbol.for('cdk-customer-value.Allocation');
