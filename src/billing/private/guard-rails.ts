import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { IConstruct } from 'constructs';

/** Warning id: the stack's account is not the declared management account. */
export const NOT_MANAGEMENT_ACCOUNT = 'cdk-customer-value:billing.notManagementAccount';
/** Warning id: the export's stack has no region at synth, so us-east-1 cannot be checked. */
export const EXPORT_REGION_UNKNOWN = 'cdk-customer-value:billing.exportRegionUnknown';

/** Warning id: the stack's partition is not known at synth (environment-agnostic stack). */
export const PARTITION_UNKNOWN = 'cdk-customer-value:billing.partitionUnknown';

/** The one partition the billing constructs support. */
export const BILLING_PARTITION = 'aws';

/** The one region AWS Data Exports (CUR 2.0) exports are created in (AWS Data Exports user guide). */
export const DATA_EXPORTS_REGION = 'us-east-1';

/**
 * Checks `managementAccountId` (12 digits; the problem is returned, to report with the construct's others) and warns
 * when the stack's account is known and differs: `what` only works in the management (payer) account.
 */
export function checkManagementAccount(construct: IConstruct, what: string, managementAccountId: string | undefined): string[] {
  if (managementAccountId === undefined) {
    return [];
  }
  if (typeof managementAccountId !== 'string' || (!Token.isUnresolved(managementAccountId) && !/^\d{12}$/.test(managementAccountId))) {
    return [`managementAccountId is ${JSON.stringify(managementAccountId)}: expected the 12-digit id of the management (payer) account, e.g. "123456789012"`];
  }
  const account = Stack.of(construct).account;
  if (Token.isUnresolved(account) || Token.isUnresolved(managementAccountId) || account === managementAccountId) {
    return [];
  }
  Annotations.of(construct).addWarningV2(NOT_MANAGEMENT_ACCOUNT,
    `Only the management (payer) account ${managementAccountId} (or a standalone account) can use ${what}, `
    + `but this stack deploys to account ${account}: in a member account it fails to deploy or sees only that account's costs `
    + '(https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/custom-tags.html). Deploy this stack to the management account.');
  return [];
}

/**
 * Refuses a Data Exports export outside us-east-1 (the problem is returned, to report with the construct's others),
 * and warns when the stack's region is not known at synth.
 */
export function requireDataExportsRegion(construct: IConstruct): string[] {
  const region = Stack.of(construct).region;
  if (Token.isUnresolved(region)) {
    Annotations.of(construct).addWarningV2(EXPORT_REGION_UNKNOWN,
      'The stack is environment-agnostic, so its region cannot be checked at synth: AWS Data Exports (CUR 2.0) exports '
      + `are created in ${DATA_EXPORTS_REGION} of the aws partition (their ARNs and the bucket policy's aws:SourceArn are us-east-1 ARNs); `
      + `deploy this stack to ${DATA_EXPORTS_REGION}, or give it env: { region: '${DATA_EXPORTS_REGION}' }.`);
    return [];
  }
  if (region !== DATA_EXPORTS_REGION) {
    return [`the stack region is ${region}: AWS Data Exports (CUR 2.0) exports are created in `
      + `${DATA_EXPORTS_REGION} only (the service endpoint, the export ARNs and the bucket policy's aws:SourceArn are us-east-1), `
      + `so put CostAndUsageExport in a stack with env: { region: '${DATA_EXPORTS_REGION}' } (the management account's billing stack)`];
  }
  return [];
}

/**
 * Why a partition cannot run the billing constructs (sources in the README and the test of this guard):
 * - aws-us-gov: billing data of AWS GovCloud (US) accounts is only available in the commercial partition, through the
 *   standard account each GovCloud account is associated with (AWS GovCloud (US) User Guide, "AWS GovCloud (US) Billing
 *   and Payment");
 * - aws-cn: Cost Explorer answers on ce.cn-northwest-1.amazonaws.com.cn, not the us-east-1 endpoint the activation
 *   function calls (Amazon Cost Management user guide, China regions, "Using the Amazon Cost Explorer API"),
 *   AWS::BCMDataExports::Export is not in the CloudFormation registry of the China regions (cfn-lint's cn-northwest-1
 *   provider list), and anomaly monitors on cost allocation tags are not verified there.
 */
const PARTITION_REASONS: Record<string, string> = {
  'aws-us-gov': 'billing data of AWS GovCloud (US) accounts is only available in the commercial (aws) partition, through the standard '
    + 'account each GovCloud account is associated with (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/usage-and-payment.html): '
    + 'deploy it to the management account of that standard account, in an aws region',
  'aws-cn': 'the China partition\'s Cost Explorer endpoint is ce.cn-northwest-1.amazonaws.com.cn, not the us-east-1 endpoint this library calls '
    + '(https://docs.amazonaws.cn/en_us/cost-management/latest/userguide/ce-api.html), AWS Data Exports (AWS::BCMDataExports::Export) is not '
    + 'in the CloudFormation registry of the China regions, and anomaly monitors on cost allocation tags are not verified there; '
    + 'this library does not support it: activate cost allocation tags and create cost categories in the China management account by hand',
};

/**
 * Refuses a known partition other than aws (the problem is returned, to report with the construct's others), and warns
 * when the partition is not known at synth (`warnWhenUnknown`: CostAndUsageExport's region warning already covers it).
 */
export function requireAwsPartition(construct: IConstruct, what: string, warnWhenUnknown = true): string[] {
  // Stack.partition is a literal only with the @aws-cdk/core:enablePartitionLiterals flag: read it from the region.
  const region = Stack.of(construct).region;
  const partition = Token.isUnresolved(region) ? undefined : RegionInfo.get(region).partition;
  if (partition === undefined) {
    if (warnWhenUnknown) {
      Annotations.of(construct).addWarningV2(PARTITION_UNKNOWN,
        `${Token.isUnresolved(region) ? 'The stack is environment-agnostic' : `The region ${region} is unknown to aws-cdk-lib`}, `
        + `so the partition cannot be checked at synth: ${what} works in the aws partition only `
        + '(AWS GovCloud (US) billing lives in the commercial partition; the China partition is not supported). '
        + 'Give the stack an env with the management account and a commercial region, e.g. us-east-1.');
    }
    return [];
  }
  if (partition === BILLING_PARTITION) {
    return [];
  }
  const reason = PARTITION_REASONS[partition] ?? 'only the aws partition has the AWS Billing and Cost Management features this library uses';
  return [`the stack is in the ${partition} partition (region ${region}): ${what} cannot run there: ${reason}`];
}
