import { CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BillingOwnerOptions } from './billing-options';
import { accessLogsBucket, logAccess, privateBucket } from './private/buckets';
import { attributeCost } from './private/ownership';
import { describe } from '../declaration/field-rules';
import { reportProblems } from '../private/problems';
import { DEFAULT_REGISTRY_PREFIX, ENTRY_FOLDER, PREFIX_PATTERN } from '../registry/entry';
import { RegistryLocation } from '../registry/registry-location';

/** An AWS Organizations organization id. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/**
 * Properties of `DeclarationRegistry`.
 */
export interface DeclarationRegistryProps extends BillingOwnerOptions {
  /**
   * The organization whose accounts register their services (`o-` and 10 to 32 lowercase letters or digits): only
   * principals of its accounts may write (condition `aws:PrincipalOrgID`), each under its own account's folder.
   */
  readonly organizationId: string;

  /**
   * The accounts that may write, named as the bucket policy's principals (each still writes under its own folder only,
   * and only while it is in the organization). Name them when the organization's S3 Block Public Access settings refuse
   * a policy whose principal is `*` (see docs/registry.md).
   *
   * @default - every account of the organization (principal `*` with the `aws:PrincipalOrgID` condition)
   */
  readonly accounts?: string[];

  /**
   * The registry bucket's name: workload apps name it in the context `customer-value:registry`, so a fixed name is
   * easier to hand out.
   *
   * @default - a name CloudFormation generates
   */
  readonly bucketName?: string;

  /**
   * The prefix the entries are written under (folders ending with `/`).
   *
   * @default 'customer-value/'
   */
  readonly prefix?: string;

  /**
   * How long an entry that no heartbeat refreshes is kept: the entries of stacks that were deleted without withdrawing
   * them (their account left, the registry was unreachable) and withdrawn entries (tombstones). Live entries are
   * rewritten daily, so they never reach it. Older versions are kept 30 days more.
   *
   * @default Duration.days(30)
   */
  readonly expireUnconfirmedEntriesAfter?: Duration;

  /**
   * Where S3 writes the access logs of the registry bucket.
   *
   * @default - a new access-log bucket
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * What happens to the registry bucket when the stack is deleted (DESTROY only removes an empty bucket).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The organization's declaration registry, in the FinOps or management account: an S3 bucket where every stack that
 * holds customer services registers their declarations (`DeclarationRegistration`, created in each stack when the
 * context `customer-value:registry` names this registry), so that the CLI and the value-review packs read every
 * deployed service without anyone copying declarations.
 *
 * - Writers: principals of the organization's accounts, each under `<prefix>v1/<its own account>/` only (the bucket
 *   policy's resource holds the `${aws:PrincipalAccount}` policy variable), with conditional writes only (a
 *   PutObject without If-Match or If-None-Match is denied); no one else, and no workload can read another's entries.
 * - Readers: what `grantRead` grants (list and read the prefix, nothing else).
 * - Encrypted at rest (SSE-S3), TLS only, all public access blocked, ACLs off, versioned, access-logged; entries no
 *   heartbeat refreshes expire (`expireUnconfirmedEntriesAfter`).
 *
 * Why an S3 prefix and not AWS Service Catalog AppRegistry, the costs, limits and failure modes: docs/registry.md.
 *
 * @example
 * const registry = new DeclarationRegistry(finopsStack, 'Registry', {
 *   organizationId: 'o-a1b2c3d4e5',
 *   bucketName: 'example-customer-value-registry',
 *   owner: {
 *     serviceName: 'cost-reporting',
 *     customerNeed: 'Business units see what each customer need costs them every month',
 *     customer: Customer.internal('Business units'),
 *     team: 'finops',
 *     businessUnit: 'finance',
 *   },
 * });
 * registry.grantRead(finopsRole);
 */
export class DeclarationRegistry extends Construct {
  /** The registry bucket. */
  public readonly bucket: s3.Bucket;
  /** The prefix the entries are written under. */
  public readonly prefix: string;
  /** The organization whose accounts may write. */
  public readonly organizationId: string;

  constructor(scope: Construct, id: string, props: DeclarationRegistryProps) {
    super(scope, id);
    const p: Partial<DeclarationRegistryProps> = props ?? {};
    const ownership = attributeCost(this, 'declaration registry', 'bucket, access-log bucket', p.owner);
    const problems = [...ownership.problems];
    if (typeof p.organizationId !== 'string' || (!Token.isUnresolved(p.organizationId) && !ORGANIZATION_ID.test(p.organizationId))) {
      problems.push(`organizationId is ${describe(p.organizationId)}: expected the organization's id, "o-" and 10 to 32 lowercase letters or digits `
        + '(aws organizations describe-organization)');
    }
    const prefix = p.prefix ?? DEFAULT_REGISTRY_PREFIX;
    if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix) || prefix.length > 200) {
      problems.push(`prefix is ${describe(prefix)}: expected folders ending with "/" (letters, digits and !_.*'()-, at most 200 characters), e.g. "customer-value/"`);
    }
    (p.accounts ?? []).forEach((a, i) => {
      if (typeof a !== 'string' || !/^\d{12}$/.test(a)) {
        problems.push(`accounts[${i}] is ${describe(a)}: expected a 12-digit account id`);
      }
    });
    if (p.accounts !== undefined && p.accounts.length === 0) {
      problems.push('accounts is empty: name the accounts that may write, or leave accounts out to let every account of the organization write');
    }
    const expire = p.expireUnconfirmedEntriesAfter ?? Duration.days(30);
    if (expire.toDays() < 7) {
      problems.push(`expireUnconfirmedEntriesAfter is ${expire.toDays()} days: at least 7, so that a registration function failing for a few days `
        + 'is reported stale by the readers before its entry disappears');
    }
    reportProblems(this, problems);
    this.prefix = prefix;
    this.organizationId = p.organizationId as string;

    const removalPolicy = p.removalPolicy ?? RemovalPolicy.RETAIN;
    this.bucket = privateBucket(this, 'Bucket', {
      bucketName: p.bucketName,
      versioned: true,
      removalPolicy,
      lifecycleRules: [
        // live entries are rewritten daily by their heartbeat: what reaches this age is stale or withdrawn
        { id: 'ExpireUnconfirmedEntries', prefix, expiration: expire, noncurrentVersionExpiration: Duration.days(30) },
        { id: 'CleanUp', expiredObjectDeleteMarker: true, abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    logAccess(this, p.serverAccessLogsBucket ?? accessLogsBucket(this, removalPolicy, Duration.days(365)), { 'declaration-registry/': this.bucket });

    const entries = `${prefix}${ENTRY_FOLDER}`;
    const writers: iam.IPrincipal[] = p.accounts && p.accounts.length > 0
      ? p.accounts.map((a) => new iam.AccountPrincipal(a)) : [new iam.AnyPrincipal()];
    const inOrganization = { 'aws:PrincipalOrgID': this.organizationId };
    // IAM policy variables: "Global condition context keys can be used as variables" in resource-based policies, in the
    // Resource element and string conditions (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'WorkloadsWriteTheirOwnEntries',
      principals: writers,
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [this.bucket.arnForObjects(`${entries}\${aws:PrincipalAccount}/*`)],
      conditions: { StringEquals: inOrganization },
    }));
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'WorkloadsFindTheirOwnEntries',
      principals: writers,
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringEquals: inOrganization, StringLike: { 's3:prefix': `${entries}\${aws:PrincipalAccount}/*` } },
    }));
    // every write names what it replaces (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html)
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'ConditionalWritesOnly',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects(`${prefix}*`)],
      conditions: { Null: { 's3:if-match': 'true', 's3:if-none-match': 'true' } },
    }));

    new CfnOutput(this, 'RegistryContext', {
      description: 'The value of the context customer-value:registry for the workload apps (cdk.json)',
      value: Stack.of(this).toJsonString(this.location),
    });
  }

  /** Where the registry is: what workload apps put in the context `customer-value:registry`. */
  public get location(): RegistryLocation {
    return { bucketName: this.bucket.bucketName, region: Stack.of(this).region, prefix: this.prefix };
  }

  /**
   * Lets `grantee` read the registry: list the entries and read them (`customer-value ... --registry`, the value-review
   * function), nothing else.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const list = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      resource: this.bucket,
      conditions: { StringLike: { 's3:prefix': `${this.prefix}*` } },
    } as iam.GrantWithResourceOptions);
    const read = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${this.prefix}*`)],
      resource: this.bucket,
    });
    return list.combine(read);
  }
}
