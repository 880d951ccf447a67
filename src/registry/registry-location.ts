/**
 * Where the organization's declaration registry is: the S3 bucket a `DeclarationRegistry` created in the FinOps or
 * management account, its region and the prefix the entries are written under. Workload apps name it in the context
 * `customer-value:registry` (or the `registry` prop of `DeclarationRegistration`); `DeclarationRegistry.location`
 * gives it.
 */
export interface RegistryLocation {
  /** The registry bucket's name. */
  readonly bucketName: string;
  /** The registry bucket's region, e.g. `eu-west-1`. */
  readonly region: string;
  /**
   * The prefix the entries are written under: folders ending with `/`, or empty.
   *
   * @default 'customer-value/'
   */
  readonly prefix?: string;
}
