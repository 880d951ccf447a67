/**
 * A customer service another service can consume: a `CustomerService` of the same app, or `ServiceRef.named(...)`
 * for a service declared in another app or repository.
 */
export interface ICustomerServiceRef {
  /** The service name: the value of its service tag. */
  readonly serviceName: string;
}

/**
 * A customer service referred to by its name, for a service declared in another app (a platform team's network,
 * a data platform): `checkout.consumes(ServiceRef.named('private-network'))`.
 *
 * The name is checked at synth like a `serviceName`. A name no service of the app declares is a warning (the
 * service may live in another app); the `customer-value` CLI checks it again across every cloud assembly it reads.
 */
export class ServiceRef implements ICustomerServiceRef {
  /**
   * A service by its name (the value of its service tag).
   *
   * @param serviceName the service's name, e.g. "private-network"
   */
  public static named(serviceName: string): ServiceRef {
    return new ServiceRef(serviceName);
  }

  /** The service name. */
  public readonly serviceName: string;

  private constructor(serviceName: string) {
    this.serviceName = serviceName;
  }
}
