import { deriveTagValue } from './private/tag-safe';

/**
 * Whether a customer is outside or inside the organisation.
 */
export enum CustomerKind {
  /** A customer outside the organisation (shoppers, partners, patients...). */
  EXTERNAL = 'external',
  /** A customer inside the organisation (finance controlling, the data team...). */
  INTERNAL = 'internal',
}

/**
 * The customer whose need a service fulfils.
 *
 * @example
 * Customer.external('Online shoppers');
 * Customer.internal('Finance controlling');
 */
export class Customer {
  /**
   * A customer outside the organisation.
   * @param name who the customer is, e.g. "Online shoppers"
   */
  public static external(name: string): Customer {
    return new Customer(CustomerKind.EXTERNAL, name);
  }

  /**
   * A customer inside the organisation.
   * @param name who the customer is, e.g. "Finance controlling"
   */
  public static internal(name: string): Customer {
    return new Customer(CustomerKind.INTERNAL, name);
  }

  /**
   * Whether `x` is a `Customer` (also across copies of this library).
   */
  public static isCustomer(x: any): x is Customer {
    return x !== null && typeof x === 'object' && CUSTOMER_SYMBOL in x;
  }

  /** External or internal. */
  public readonly kind: CustomerKind;
  /** The customer's name, as declared. */
  public readonly name: string;

  private constructor(kind: CustomerKind, name: string) {
    this.kind = kind;
    this.name = name;
    Object.defineProperty(this, CUSTOMER_SYMBOL, { value: true });
  }

  /**
   * The value of the `customer` tag: `external:<name>` or `internal:<name>`, the name in tag-safe form
   * (same derivation as the customer need; see the README).
   */
  public get tagValue(): string {
    return `${this.kind}:${deriveTagValue(String(this.name), 256 - this.kind.length - 1)}`;
  }

  /** `external:Online shoppers` */
  public toString(): string {
    return `${this.kind}:${this.name}`;
  }
}

const CUSTOMER_SYMBOL = Symbol.for('cdk-customer-value.Customer');
