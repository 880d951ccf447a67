import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { OWNER } from './owner';
import {
  AnomalyAlertTarget, CostAllocationTags, CostAndUsageExport, CustomerValueCostCategories, ServiceAnomalyDetection,
} from '../../src';
import { onCustomResource, partitionProblem } from '../../src/billing/cost-allocation-tags.lambda';
import { BundledFunction } from '../../src/private/bundled-function';
import { synthFindings, testApp } from '../util';

/**
 * The billing constructs run in the aws partition only (issue 12, item 8). Sources:
 * - AWS GovCloud (US): "billing information for GovCloud accounts and regions are only available in the commercial
 *   partition" (https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/usage-and-payment.html);
 * - China: the Cost Explorer endpoint is https://ce.cn-northwest-1.amazonaws.com.cn
 *   (https://docs.amazonaws.cn/en_us/cost-management/latest/userguide/ce-api.html), not the us-east-1 endpoint the
 *   activation function calls, and AWS::BCMDataExports::Export is not in cfn-lint's cn-northwest-1 provider list.
 * They are refused at synth when the stack's region is known, with a warning when it is not, and the activation
 * function refuses to run outside the aws partition (an environment-agnostic stack deployed there).
 */

const DECLARATIONS = [OWNER];

function allFour(region?: string) {
  const app = testApp();
  const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region } });
  new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });
  new CustomerValueCostCategories(stack, 'CostCategories', { owner: OWNER, declarations: DECLARATIONS });
  new ServiceAnomalyDetection(stack, 'Anomalies', { owner: OWNER, declarations: DECLARATIONS, serviceMonitorAlert: { targets: [AnomalyAlertTarget.email('finops@example.com')] } });
  new CostAndUsageExport(stack, 'Cur', { owner: OWNER });
  return { app, stack };
}

describe('partition guard at synth', () => {
  test.each([
    ['us-gov-west-1', 'aws-us-gov', /only available in the commercial \(aws\) partition.*usage-and-payment\.html\): deploy it to the management account of that standard account, in an aws region/],
    ['cn-north-1', 'aws-cn', /Cost Explorer endpoint is ce\.cn-northwest-1\.amazonaws\.com\.cn, not the us-east-1 endpoint.*AWS::BCMDataExports::Export\) is not in the CloudFormation registry of the China regions/],
    ['cn-northwest-1', 'aws-cn', /this library does not support it: activate cost allocation tags and create cost categories in the China management account by hand/],
    ['us-iso-east-1', 'aws-iso', /only the aws partition has the AWS Billing and Cost Management features this library uses/],
  ])('%s (%s): every construct is refused, once, with the reason', (region, partition, reason) => {
    const { app } = allFour(region);
    const { error } = synthFindings(app);
    for (const [id, what] of [
      ['TagActivation', 'cost allocation tag activation'], ['CostCategories', 'cost categories'], ['Anomalies', 'cost anomaly detection'],
      ['Cur', 'a CUR 2.0 data export'],
    ]) {
      const lines = (error ?? '').split('\n').filter((l) => l.includes(`[Billing/${id}]`));
      expect(lines).toEqual([expect.stringContaining(`[Billing/${id}] the stack is in the ${partition} partition (region ${region}): ${what} cannot run there: `)]);
      expect(lines[0]).toMatch(reason);
    }
  });

  test.each(['us-east-1', 'eu-west-1'])('%s: no partition problem (the export alone needs us-east-1)', (region) => {
    const { app } = allFour(region);
    const { error } = synthFindings(app);
    if (region === 'us-east-1') {
      expect(error).toBeUndefined();
    } else {
      expect(error?.split('\n').filter((l) => l.includes('[Billing/'))).toEqual([expect.stringMatching(/^\s*\[Billing\/Cur\] the stack region is eu-west-1: AWS Data Exports/)]);
    }
  });

  test('a region aws-cdk-lib does not know, or no region: an acknowledgeable warning', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'eu-future-9' } });
    new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });
    Annotations.fromStack(stack).hasWarning('/Billing/TagActivation', Match.stringLikeRegexp(
      '^The region eu-future-9 is unknown to aws-cdk-lib, so the partition cannot be checked at synth: cost allocation tag activation works in the aws partition only .*\\[ack: cdk-customer-value:billing.partitionUnknown\\]$'));
    const agnostic = allFour(undefined);
    for (const id of ['TagActivation', 'CostCategories', 'Anomalies']) {
      Annotations.fromStack(agnostic.stack).hasWarning(`/Billing/${id}`, Match.stringLikeRegexp('^The stack is environment-agnostic, so the partition cannot be checked'));
    }
    expect(synthFindings(agnostic.app).error).toBeUndefined();
  });
});

describe('partition guard of the activation function (an environment-agnostic stack deployed outside aws)', () => {
  const event = {
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: 'arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/Billing/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'TagActivation',
    ResourceProperties: { TagKeys: ['team'], DeactivateOnDelete: 'true' },
  };
  const region = process.env.AWS_REGION;
  afterEach(() => {
    process.env.AWS_REGION = region;
  });

  test('knows the partitions by region prefix', () => {
    expect(partitionProblem('us-east-1')).toBeUndefined();
    expect(partitionProblem('eu-central-2')).toBeUndefined();
    expect(partitionProblem('cn-north-1')).toMatch(/^this function runs in cn-north-1 \(aws-cn partition\)/);
    expect(partitionProblem('us-gov-east-1')).toMatch(/\(aws-us-gov partition\).*GovCloud billing lives in the commercial partition/);
  });

  test('Create fails with the reason, without calling AWS; Delete never blocks the stack deletion', async () => {
    process.env.AWS_REGION = 'cn-north-1';
    const created = await onCustomResource({ ...event, RequestType: 'Create' });
    expect(created).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/aws-cn partition.*deploy CostAllocationTags to the management account in an aws region/) });
    const deleted = await onCustomResource({ ...event, RequestType: 'Delete', PhysicalResourceId: 'x' });
    expect(deleted.status).toBe('SUCCESS');
  });

  test('the function exists in any aws region (it calls the us-east-1 endpoint)', () => {
    const app = testApp();
    const stack = new Stack(app, 'Billing', { env: { account: '123456789012', region: 'eu-west-1' } });
    const tags = new CostAllocationTags(stack, 'TagActivation', { owner: OWNER });
    expect(tags.handler).toBeInstanceOf(BundledFunction);
    expect(synthFindings(app)).toEqual({ findings: [] });
  });
});
