import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Warning id: the stack's account is not the declared management account. */
export const NOT_MANAGEMENT_ACCOUNT = 'cdk-customer-value:billing.notManagementAccount';
/** Warning id: the export's stack has no region at synth, so us-east-1 cannot be checked. */
export const EXPORT_REGION_UNKNOWN = 'cdk-customer-value:billing.exportRegionUnknown';

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
      + `are created in ${DATA_EXPORTS_REGION} (their ARNs and the bucket policy's aws:SourceArn are us-east-1 ARNs); `
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
