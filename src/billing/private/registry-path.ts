/**
 * The SSM Parameter Store path of the registry of live `CostAllocationTags` declarations (see `tag-key-registry.ts`),
 * shared by the construct (its IAM policy and the function's environment) and the function. No imports: the construct
 * must not load the AWS SDK.
 */
export const REGISTRY_PATH = '/cdk-customer-value/cost-allocation-tags';
