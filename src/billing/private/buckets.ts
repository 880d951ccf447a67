import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The private buckets of the billing constructs (export, query results, value-review packs, access logs): SSE-S3
 * encryption, all public access blocked, ACLs off (bucket owner enforced), TLS only; `props` adds the rest.
 */
export function privateBucket(scope: Construct, id: string, props: s3.BucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    ...props,
  });
}

/**
 * S3 server access logging of `sources` into `target`, set on the L1 with a bucket policy for the logging service,
 * so the template does not depend on the app's `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` feature flag.
 */
export function logAccess(scope: Construct, target: s3.IBucket, sources: Record<string, s3.Bucket>): void {
  for (const [prefix, source] of Object.entries(sources)) {
    (source.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: target.bucketName,
      logFilePrefix: prefix,
    };
  }
  const added = target.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'S3ServerAccessLogs',
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [target.arnForObjects('*')],
    conditions: {
      ArnLike: { 'aws:SourceArn': Object.values(sources).map((b) => b.bucketArn) },
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
    },
  }));
  if (!added.statementAdded) {
    Annotations.of(scope).addWarningV2('cdk-customer-value:billing.accessLogsBucketPolicy',
      `serverAccessLogsBucket ${target.bucketName} is imported, so its policy cannot be changed here: allow logging.s3.amazonaws.com `
      + 's3:PutObject on it for the CUR 2.0 export and Athena results buckets, or S3 drops their access logs');
  }
}

/**
 * The bucket that receives the access logs of a construct's buckets, when none is given; with `expiration`, the logs
 * are deleted after that long, and their older versions after `rule.noncurrentVersionExpiration` (default 30 days);
 * `rule.abortIncompleteMultipartUploadAfter` adds that clean-up.
 */
export function accessLogsBucket(scope: Construct, removalPolicy: RemovalPolicy, expiration?: Duration,
  rule: { readonly noncurrentVersionExpiration?: Duration; readonly abortIncompleteMultipartUploadAfter?: Duration } = {}): s3.Bucket {
  const logs = privateBucket(scope, 'AccessLogs', {
    versioned: true,
    removalPolicy,
    lifecycleRules: expiration ? [{
      id: 'ExpireAccessLogs',
      expiration,
      noncurrentVersionExpiration: rule.noncurrentVersionExpiration ?? Duration.days(30),
      ...(rule.abortIncompleteMultipartUploadAfter ? { abortIncompleteMultipartUploadAfter: rule.abortIncompleteMultipartUploadAfter } : {}),
    }] : undefined,
  });
  Validations.of(logs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket receives the S3 server access logs of the CUR 2.0 export and Athena results buckets; '
      + 'logging it into itself would log every log delivery, and logging it elsewhere only moves the question',
  });
  return logs;
}
