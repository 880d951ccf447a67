import * as http from 'http';
import { AddressInfo } from 'net';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CostExplorerClient,
  ListCostAllocationTagBackfillHistoryCommand,
  ListCostAllocationTagsCommand,
  StartCostAllocationTagBackfillCommand,
  UpdateCostAllocationTagsStatusCommand,
} from '@aws-sdk/client-cost-explorer';
import { DeleteParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  activate, backfillFrom, CustomResourceEvent, handler, onCustomResource,
} from '../../src/billing/cost-allocation-tags.lambda';

// AWS behaviour these tests encode: aws-cost-facts §3 (UpdateCostAllocationTagsStatus takes 1-20 keys, is idempotent
// and reports per-key failures in Errors[] inside a 200 response; a key is listed only after first use;
// StartCostAllocationTagBackfill takes the 1st of a month at most 12 months back, once per 24 h).

const ce = mockClient(CostExplorerClient);
const cw = mockClient(CloudWatchClient);
const ssm = mockClient(SSMClient);
/** Parameter Store, as far as the registry of live declarations uses it (name -> value). */
let parameters: Map<string, string>;

/** A fake Parameter Store: PutParameter (overwrite), DeleteParameter (ParameterNotFound), GetParametersByPath (10 per page). */
function parameterStore(): void {
  parameters = new Map();
  ssm.on(PutParameterCommand).callsFake((input) => {
    parameters.set(input.Name, input.Value);
    return { Version: 1 };
  });
  ssm.on(DeleteParameterCommand).callsFake((input) => {
    if (!parameters.delete(input.Name)) {
      const e = new Error(`Parameter ${input.Name} not found.`);
      e.name = 'ParameterNotFound';
      throw e;
    }
    return {};
  });
  ssm.on(GetParametersByPathCommand).callsFake((input) => {
    const all = [...parameters.entries()].filter(([name]) => name.startsWith(`${input.Path}/`)).sort();
    const start = Number(input.NextToken ?? 0);
    const page = all.slice(start, start + 10);
    return {
      Parameters: page.map(([Name, Value]) => ({ Name, Value, Type: 'String' })),
      NextToken: start + 10 < all.length ? String(start + 10) : undefined,
    };
  });
}
const NOW = new Date('2026-11-25T10:00:00Z');
const KEYS = ['customer-service', 'customer-need', 'customer', 'team', 'business-unit'];

type Status = 'Active' | 'Inactive';

/**
 * A request AWS refuses before looking at it: a list outside the API's documented array bounds
 * (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_UpdateCostAllocationTagsStatus.html,
 * CostAllocationTagsStatus: 1 to 20 items; API_ListCostAllocationTags.html, TagKeys: 1 to 100 items).
 */
function checkLength(field: string, list: unknown[] | undefined, max: number): void {
  if (list !== undefined && (list.length < 1 || list.length > max)) {
    const e = new Error(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
    e.name = 'ValidationException';
    throw e;
  }
}

/** A fake Cost Explorer account: keys AWS has seen, with their status; activation of a seen key succeeds. */
function account(seen: Record<string, Status>, lastUpdated = '2026-11-20T00:00:00Z'): void {
  // like Cost Explorer, a request with a Type lists the keys of that type only
  const typeOf = (k: string) => (k.startsWith('aws:') ? 'AWSGenerated' : 'UserDefined');
  ce.on(ListCostAllocationTagsCommand).callsFake((input) => {
    checkLength('tagKeys', input.TagKeys, 100);
    return {
      CostAllocationTags: (input.TagKeys as string[])
        .filter((k) => k in seen && (input.Type === undefined || input.Type === typeOf(k)))
        .map((k) => ({ TagKey: k, Type: typeOf(k), Status: seen[k], LastUpdatedDate: lastUpdated })),
    };
  });
  ce.on(UpdateCostAllocationTagsStatusCommand).callsFake((input) => {
    checkLength('costAllocationTagsStatus', input.CostAllocationTagsStatus, 20);
    return {
      Errors: (input.CostAllocationTagsStatus as Array<{ TagKey: string }>)
        .filter((e) => !(e.TagKey in seen))
        .map((e) => ({ TagKey: e.TagKey, Code: 'TagKeysNotFoundException', Message: `Tag key ${e.TagKey} not found` })),
    };
  });
}

function metricValues(): number[] {
  return cw.commandCalls(PutMetricDataCommand).map((c) => {
    expect(c.args[0].input.Namespace).toBe('CustomerValue');
    expect(c.args[0].input.MetricData?.[0]?.MetricName).toBe('InactiveCostAllocationTags');
    return c.args[0].input.MetricData![0].Value!;
  });
}

beforeEach(() => {
  ce.reset();
  cw.reset();
  ssm.reset();
  parameterStore();
  cw.on(PutMetricDataCommand).resolves({});
  process.env.AWS_REGION = 'eu-west-1';
  process.env.METRIC_NAMESPACE = 'CustomerValue';
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.TAG_KEYS;
  delete process.env.BACKFILL_MONTHS;
});

describe('activation run', () => {
  test('activates keys in batches of at most 20 (45 keys: 20 + 20 + 5)', async () => {
    // GIVEN 45 keys that AWS has seen, all inactive
    const keys = Array.from({ length: 45 }, (_, i) => `key-${i}`);
    account(Object.fromEntries(keys.map((k) => [k, 'Inactive' as Status])));

    // WHEN
    const report = await activate(keys, { metricNamespace: 'CustomerValue', now: NOW });

    // THEN
    const calls = ce.commandCalls(UpdateCostAllocationTagsStatusCommand);
    expect(calls.map((c) => c.args[0].input.CostAllocationTagsStatus!.length)).toEqual([20, 20, 5]);
    const sent = calls.flatMap((c) => c.args[0].input.CostAllocationTagsStatus!);
    expect(sent.map((e) => e.TagKey)).toEqual(keys);
    expect(new Set(sent.map((e) => e.Status))).toEqual(new Set(['Active']));
    expect(report.requested).toEqual(keys);
    expect(report.updateCalls).toBe(3);
    expect(metricValues()).toEqual([45]);
  });

  test.each([[1, [1]], [20, [20]], [21, [20, 1]], [40, [20, 20]]])('%d inactive keys: update calls of %j keys, all accepted by AWS', async (n, batches) => {
    // GIVEN n keys AWS has seen, all inactive (the fake account refuses a call outside 1-20 keys, as AWS does)
    const keys = Array.from({ length: n }, (_, i) => `key-${i}`);
    account(Object.fromEntries(keys.map((k) => [k, 'Inactive' as Status])));
    // WHEN
    const report = await activate(keys, { metricNamespace: 'CustomerValue', now: NOW });
    // THEN
    expect(ce.commandCalls(UpdateCostAllocationTagsStatusCommand).map((c) => c.args[0].input.CostAllocationTagsStatus!.length)).toEqual(batches);
    expect(report.requested).toEqual(keys);
  });

  test('the fake account refuses what AWS refuses: 21 keys in one update call', async () => {
    account({});
    const client = new CostExplorerClient({ region: 'us-east-1' });
    const status = Array.from({ length: 21 }, (_, i) => ({ TagKey: `key-${i}`, Status: 'Active' as const }));
    await expect(client.send(new UpdateCostAllocationTagsStatusCommand({ CostAllocationTagsStatus: status }))).rejects.toThrow(/length less than or equal to 20/);
  });

  test('talks to the us-east-1 Cost Explorer endpoint', async () => {
    account({ team: 'Active' });
    await activate(['team'], { now: NOW });
    const client = ce.commandCalls(ListCostAllocationTagsCommand)[0].thisValue as CostExplorerClient;
    await expect(client.config.region()).resolves.toBe('us-east-1');
  });

  test('lists the status of only the declared user-defined keys, 100 per request', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `key-${i}`);
    account(Object.fromEntries(keys.map((k) => [k, 'Active' as Status])));
    await activate(keys, { now: NOW });
    const lists = ce.commandCalls(ListCostAllocationTagsCommand).map((c) => c.args[0].input);
    expect(lists.map((l) => l.TagKeys!.length)).toEqual([100, 50]);
    expect(lists.every((l) => l.Type === 'UserDefined')).toBe(true);
  });

  test('lists the AWS-generated aws:cloudformation:stack-name by its own type and activates it like a user-defined key (issue 23)', async () => {
    // GIVEN a seen, inactive AWS-generated key next to active user-defined keys (a list of user-defined keys would not
    // return it, and the key would be reported "not seen yet" for ever)
    account({ ...Object.fromEntries(KEYS.map((k) => [k, 'Active' as Status])), 'aws:cloudformation:stack-name': 'Inactive' });

    // WHEN
    const report = await activate([...KEYS, 'aws:cloudformation:stack-name'], { metricNamespace: 'CustomerValue', now: NOW });

    // THEN one list request per type, and the key is activated
    const lists = ce.commandCalls(ListCostAllocationTagsCommand).map((c) => c.args[0].input);
    expect(lists.map((l) => [l.Type, l.TagKeys])).toEqual([['UserDefined', KEYS], ['AWSGenerated', ['aws:cloudformation:stack-name']]]);
    const sent = ce.commandCalls(UpdateCostAllocationTagsStatusCommand).flatMap((c) => c.args[0].input.CostAllocationTagsStatus!);
    expect(sent).toEqual([{ TagKey: 'aws:cloudformation:stack-name', Status: 'Active' }]);
    expect(report.notSeenYet).toEqual([]);
    expect(report.requested).toEqual(['aws:cloudformation:stack-name']);
    expect(metricValues()).toEqual([1]);
  });

  test('already active keys: no update call, metric 0', async () => {
    account(Object.fromEntries(KEYS.map((k) => [k, 'Active' as Status])));
    const report = await activate(KEYS, { metricNamespace: 'CustomerValue', now: NOW });
    expect(ce.commandCalls(UpdateCostAllocationTagsStatusCommand)).toHaveLength(0);
    expect(report.active).toEqual(KEYS);
    expect(report.inactive).toEqual([]);
    expect(metricValues()).toEqual([0]);
  });

  test('per-key errors inside a 200 response are reported, not thrown', async () => {
    // GIVEN AWS has seen every key, but refuses one of them in Errors[]
    account(Object.fromEntries(KEYS.map((k) => [k, 'Inactive' as Status])));
    ce.on(UpdateCostAllocationTagsStatusCommand).resolves({
      Errors: [{ TagKey: 'customer', Code: 'InvalidParameterValue', Message: 'tag key cannot be activated' }],
    });

    // WHEN
    const report = await activate(KEYS, { metricNamespace: 'CustomerValue', now: NOW });

    // THEN
    expect(report.errors).toEqual([{ tagKey: 'customer', code: 'InvalidParameterValue', message: 'tag key cannot be activated' }]);
    expect(report.requested).toEqual(KEYS.filter((k) => k !== 'customer'));
    expect(report.inactive).toEqual(KEYS);
    expect(metricValues()).toEqual([5]);
  });

  test('keys not seen on any resource yet are reported as such', async () => {
    // GIVEN only three keys were ever used on a resource
    account({ 'customer-service': 'Active', 'team': 'Inactive', 'business-unit': 'Inactive' });

    // WHEN
    const report = await activate(KEYS, { metricNamespace: 'CustomerValue', now: NOW });

    // THEN the missing keys are attempted (AWS answers with per-key errors) and reported as not seen yet
    expect(report.notSeenYet).toEqual(['customer-need', 'customer']);
    expect(report.errors.map((e) => e.tagKey)).toEqual(['customer-need', 'customer']);
    expect(report.requested).toEqual(['team', 'business-unit']);
    expect(report.inactive).toEqual(['customer-need', 'customer', 'team', 'business-unit']);
    expect(metricValues()).toEqual([4]);
    const logged = (console.log as jest.Mock).mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toMatch(/not seen on any resource yet/);
  });

  test('a failing metric publication does not fail the run', async () => {
    account({ team: 'Active' });
    cw.on(PutMetricDataCommand).rejects(new Error('AccessDenied'));
    await expect(activate(['team'], { metricNamespace: 'CustomerValue', now: NOW })).resolves.toMatchObject({ active: ['team'] });
  });
});

describe('daily retry (scheduled event)', () => {
  test('retries until every key is active, publishing the inactive count each day', async () => {
    process.env.TAG_KEYS = JSON.stringify(KEYS);
    const schedule = { source: 'customer-value.cost-allocation-tags', action: 'activate' };

    // day 1: two keys not seen yet
    account({ 'customer-service': 'Inactive', 'team': 'Inactive', 'business-unit': 'Inactive' });
    const day1 = await handler(schedule);
    expect(day1).toMatchObject({ notSeenYet: ['customer-need', 'customer'] });

    // day 2: every key was seen and activated
    ce.reset();
    account(Object.fromEntries(KEYS.map((k) => [k, 'Active' as Status])));
    const day2 = await handler(schedule);
    expect(day2).toMatchObject({ inactive: [], active: KEYS });
    expect(ce.commandCalls(UpdateCostAllocationTagsStatusCommand)).toHaveLength(0);

    expect(metricValues()).toEqual([5, 0]);
  });
});

describe('backfill', () => {
  test('BackfillFrom is the first day of the month, 0-12 months back', () => {
    expect(backfillFrom(NOW, 0)).toBe('2026-11-01T00:00:00Z');
    expect(backfillFrom(NOW, 3)).toBe('2026-08-01T00:00:00Z');
    expect(backfillFrom(NOW, 12)).toBe('2025-11-01T00:00:00Z');
    expect(backfillFrom(new Date('2026-01-31T23:59:59Z'), 1)).toBe('2025-12-01T00:00:00Z');
    expect(() => backfillFrom(NOW, 13)).toThrow(/0 to 12/);
    expect(() => backfillFrom(NOW, 1.5)).toThrow(/0 to 12/);
  });

  test('waits until every key is active (a backfill now would backfill "inactive")', async () => {
    account({ 'customer-service': 'Active' });
    const report = await activate(KEYS, { backfillMonths: 3, now: NOW });
    expect(report.backfill).toBe('waiting-for-activation');
    expect(ce.commandCalls(StartCostAllocationTagBackfillCommand)).toHaveLength(0);
  });

  test('is requested once, then recognised in the backfill history', async () => {
    // GIVEN every key active since 2026-11-20, no backfill yet
    account(Object.fromEntries(KEYS.map((k) => [k, 'Active' as Status])), '2026-11-20T00:00:00Z');
    ce.on(ListCostAllocationTagBackfillHistoryCommand).resolves({ BackfillRequests: [] });
    ce.on(StartCostAllocationTagBackfillCommand).resolves({});

    // WHEN the first run
    const first = await activate(KEYS, { backfillMonths: 3, now: NOW });

    // THEN one backfill from 2026-08-01
    expect(first.backfill).toBe('requested');
    const starts = ce.commandCalls(StartCostAllocationTagBackfillCommand);
    expect(starts).toHaveLength(1);
    expect(starts[0].args[0].input).toEqual({ BackfillFrom: '2026-08-01T00:00:00Z' });

    // WHEN later runs see it processing, then succeeded
    ce.on(ListCostAllocationTagBackfillHistoryCommand).resolves({
      BackfillRequests: [{ BackfillFrom: '2026-08-01T00:00:00Z', RequestedAt: '2026-11-25T10:00:01Z', BackfillStatus: 'PROCESSING' }],
    });
    const second = await activate(KEYS, { backfillMonths: 3, now: new Date('2026-11-26T06:00:00Z') });
    ce.on(ListCostAllocationTagBackfillHistoryCommand).resolves({
      BackfillRequests: [{ BackfillFrom: '2026-08-01T00:00:00Z', RequestedAt: '2026-11-25T10:00:01Z', BackfillStatus: 'SUCCEEDED' }],
    });
    const third = await activate(KEYS, { backfillMonths: 3, now: new Date('2026-11-27T06:00:00Z') });

    // THEN no second request
    expect(second.backfill).toBe('in-progress');
    expect(third.backfill).toBe('done');
    expect(ce.commandCalls(StartCostAllocationTagBackfillCommand)).toHaveLength(1);
  });

  test('a backfill older than the activation does not count; one per 24 h', async () => {
    // GIVEN keys re-activated on 2026-11-20, after a successful backfill on 2026-10-01, and a failed one 3 h ago
    account(Object.fromEntries(KEYS.map((k) => [k, 'Active' as Status])), '2026-11-20T00:00:00Z');
    ce.on(ListCostAllocationTagBackfillHistoryCommand).resolves({
      BackfillRequests: [
        { BackfillFrom: '2026-01-01T00:00:00Z', RequestedAt: '2026-10-01T00:00:00Z', BackfillStatus: 'SUCCEEDED' },
        { BackfillFrom: '2026-08-01T00:00:00Z', RequestedAt: '2026-11-25T07:00:00Z', BackfillStatus: 'FAILED' },
      ],
    });

    // WHEN / THEN rate-limited now, requested a day later
    expect((await activate(KEYS, { backfillMonths: 3, now: NOW })).backfill).toBe('rate-limited');
    ce.on(StartCostAllocationTagBackfillCommand).resolves({});
    expect((await activate(KEYS, { backfillMonths: 3, now: new Date('2026-11-26T08:00:00Z') })).backfill).toBe('requested');
  });

  test('BackfillLimitExceededException means a backfill is already running', async () => {
    account(Object.fromEntries(KEYS.map((k) => [k, 'Active' as Status])));
    ce.on(ListCostAllocationTagBackfillHistoryCommand).resolves({});
    const err = new Error('A request to backfill is already in progress');
    err.name = 'BackfillLimitExceededException';
    ce.on(StartCostAllocationTagBackfillCommand).rejects(err);
    expect((await activate(KEYS, { backfillMonths: 0, now: NOW })).backfill).toBe('in-progress');
  });
});

describe('custom resource', () => {
  const base: Omit<CustomResourceEvent, 'RequestType' | 'ResourceProperties'> = {
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Billing/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'TagActivation',
  };
  const props = { TagKeys: KEYS, DeactivateOnDelete: 'false' };

  test('Create never fails for keys that are not there yet: SUCCESS with the pending keys', async () => {
    account({ 'customer-service': 'Inactive' });
    const result = await onCustomResource({ ...base, RequestType: 'Create', ResourceProperties: props }, NOW);
    expect(result.status).toBe('SUCCESS');
    expect(result.data?.PendingTagKeys).toBe(KEYS.join(','));
    expect(result.data?.NotSeenYetTagKeys).toBe(KEYS.filter((k) => k !== 'customer-service').join(','));
    expect(result.reason).toMatch(/daily run retries/);
    expect(result.physicalResourceId).toBe('customer-value-cost-allocation-tags-TagActivation');
  });

  test('throttling does not fail the deployment; access denied does, with the management-account hint', async () => {
    const throttled = new Error('Rate exceeded');
    throttled.name = 'LimitExceededException';
    ce.on(ListCostAllocationTagsCommand).rejects(throttled);
    expect((await onCustomResource({ ...base, RequestType: 'Create', ResourceProperties: props }, NOW)).status).toBe('SUCCESS');

    const denied = new Error('not authorized');
    denied.name = 'AccessDeniedException';
    ce.on(ListCostAllocationTagsCommand).rejects(denied);
    const result = await onCustomResource({ ...base, RequestType: 'Create', ResourceProperties: props }, NOW);
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/AccessDeniedException: not authorized \(.*management \(payer\) account/);
  });

  test('Delete leaves the keys active by default', async () => {
    const result = await onCustomResource({ ...base, RequestType: 'Delete', PhysicalResourceId: 'pid', ResourceProperties: props }, NOW);
    expect(result).toMatchObject({ status: 'SUCCESS', physicalResourceId: 'pid' });
    expect(ce.calls()).toHaveLength(0);
  });

  test('Update with DeactivateOnDelete deactivates keys that were removed', async () => {
    account(Object.fromEntries([...KEYS, 'cost-center'].map((k) => [k, 'Active' as Status])));
    await onCustomResource({
      ...base,
      RequestType: 'Update',
      PhysicalResourceId: 'pid',
      ResourceProperties: { TagKeys: KEYS, DeactivateOnDelete: 'true' },
      OldResourceProperties: { TagKeys: [...KEYS, 'cost-center'], DeactivateOnDelete: 'true' },
    }, NOW);
    const calls = ce.commandCalls(UpdateCostAllocationTagsStatusCommand).map((c) => c.args[0].input.CostAllocationTagsStatus);
    expect(calls).toEqual([[{ TagKey: 'cost-center', Status: 'Inactive' }]]);
  });

  describe('DeactivateOnDelete deactivates only the keys no live declaration still needs', () => {
    const stackB = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Other/guid2';
    const deactivated = () => ce.commandCalls(UpdateCostAllocationTagsStatusCommand)
      .flatMap((c) => c.args[0].input.CostAllocationTagsStatus!).filter((e) => e.Status === 'Inactive').map((e) => e.TagKey);
    const create = (logicalId: string, keys: string[], stackId = base.StackId) => onCustomResource({
      ...base, StackId: stackId, LogicalResourceId: logicalId, RequestType: 'Create', ResourceProperties: { TagKeys: keys, DeactivateOnDelete: 'true' },
    }, NOW);
    const remove = (logicalId: string, keys: string[], stackId = base.StackId) => onCustomResource({
      ...base,
      StackId: stackId,
      LogicalResourceId: logicalId,
      RequestType: 'Delete',
      PhysicalResourceId: `customer-value-cost-allocation-tags-${logicalId}`,
      ResourceProperties: { TagKeys: keys, DeactivateOnDelete: 'true' },
    }, NOW);

    beforeEach(() => {
      account(Object.fromEntries([...KEYS, 'cost-center'].map((k) => [k, 'Active' as Status])));
    });

    test('moving or renaming the construct: CloudFormation creates the new resource, then deletes the old one; the keys stay active', async () => {
      // GIVEN the deployed construct
      expect((await create('TagActivationA1B2C3', KEYS)).status).toBe('SUCCESS');
      expect([...parameters.keys()]).toEqual(['/cdk-customer-value/cost-allocation-tags/Billing/TagActivationA1B2C3']);

      // WHEN it moves (new logical id): Create of the new one, then Delete of the old one
      expect((await create('BillingTagActivationD4E5F6', KEYS)).status).toBe('SUCCESS');
      const old = await remove('TagActivationA1B2C3', KEYS);

      // THEN nothing is deactivated, and only the new declaration is recorded
      expect(old).toMatchObject({ status: 'SUCCESS', data: { DeactivatedTagKeys: '', KeptTagKeys: KEYS.join(',') } });
      expect(deactivated()).toEqual([]);
      expect([...parameters.keys()]).toEqual(['/cdk-customer-value/cost-allocation-tags/Billing/BillingTagActivationD4E5F6']);
      expect(JSON.parse(parameters.get('/cdk-customer-value/cost-allocation-tags/Billing/BillingTagActivationD4E5F6')!)).toEqual({ tagKeys: KEYS });
    });

    test('a move that also drops a key: only that key is deactivated', async () => {
      await create('Old', [...KEYS, 'cost-center']);
      await create('New', KEYS);
      const old = await remove('Old', [...KEYS, 'cost-center']);
      expect(deactivated()).toEqual(['cost-center']);
      expect(old.data).toEqual({ DeactivatedTagKeys: 'cost-center', KeptTagKeys: KEYS.join(',') });
    });

    test('a key another stack declares stays active; the last declaration deactivates, 20 keys per call', async () => {
      const keys = Array.from({ length: 25 }, (_, i) => `k${i}`);
      account(Object.fromEntries(keys.map((k) => [k, 'Active' as Status])));
      await create('TagActivation', keys);
      await create('TagActivation', ['k0'], stackB);
      await remove('TagActivation', keys);
      const calls = ce.commandCalls(UpdateCostAllocationTagsStatusCommand).map((c) => c.args[0].input.CostAllocationTagsStatus!)
        .filter((c) => c.every((e) => e.Status === 'Inactive'));
      expect(calls.map((c) => c.length)).toEqual([20, 4]);
      expect(deactivated()).not.toContain('k0');
      ce.resetHistory();
      await remove('TagActivation', ['k0'], stackB);
      expect(deactivated()).toEqual(['k0']);
      expect(parameters.size).toBe(0);
    });

    test('Update that drops a key another declaration still has: left active', async () => {
      await create('Shared', ['cost-center'], stackB);
      await create('TagActivation', [...KEYS, 'cost-center']);
      await onCustomResource({
        ...base,
        RequestType: 'Update',
        PhysicalResourceId: 'pid',
        ResourceProperties: { TagKeys: KEYS, DeactivateOnDelete: 'true' },
        OldResourceProperties: { TagKeys: [...KEYS, 'cost-center'], DeactivateOnDelete: 'true' },
      }, NOW);
      expect(deactivated()).toEqual([]);
      expect(JSON.parse(parameters.get('/cdk-customer-value/cost-allocation-tags/Billing/TagActivation')!)).toEqual({ tagKeys: KEYS });
    });

    test('when the registry cannot be read completely, nothing is deactivated and the deletion still succeeds', async () => {
      await create('TagActivation', KEYS);
      // an unreadable entry
      parameters.set('/cdk-customer-value/cost-allocation-tags/Other/Broken', 'not json');
      const result = await remove('TagActivation', KEYS);
      expect(result.status).toBe('SUCCESS');
      expect(deactivated()).toEqual([]);
      const logged = (console.log as jest.Mock).mock.calls.map((c) => String(c[0])).join('\n');
      expect(logged).toMatch(/"level":"ERROR".*left customer-service, .* active: the registry of live declarations could not be read \(the registry entry \/cdk-customer-value\/cost-allocation-tags\/Other\/Broken does not hold/);
      // more pages than the bound: not trusted either
      parameters.clear();
      for (let i = 0; i < 1001; i++) {
        parameters.set(`/cdk-customer-value/cost-allocation-tags/S${String(i).padStart(4, '0')}/X`, JSON.stringify({ tagKeys: [] }));
      }
      await remove('TagActivation', KEYS);
      expect(deactivated()).toEqual([]);
      expect(ssm.commandCalls(GetParametersByPathCommand).length).toBe(1 + 100);
    });

    test('Create records the declaration before activating; a registry it may not write fails the deployment, throttling does not', async () => {
      const denied = new Error('not authorized to perform ssm:PutParameter');
      denied.name = 'AccessDeniedException';
      ssm.on(PutParameterCommand).rejects(denied);
      const failed = await create('TagActivation', KEYS);
      expect(failed).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^AccessDeniedException: not authorized to perform ssm:PutParameter/) });
      expect(ce.commandCalls(UpdateCostAllocationTagsStatusCommand)).toHaveLength(0);
      const throttled = new Error('Rate exceeded');
      throttled.name = 'ThrottlingException';
      ssm.on(PutParameterCommand).rejects(throttled);
      expect((await create('TagActivation', KEYS)).status).toBe('SUCCESS');
    });

    test('the daily run records the declaration again (an entry deleted by hand comes back)', async () => {
      process.env.TAG_KEYS = JSON.stringify(KEYS);
      process.env.REGISTRY_ENTRY = '/cdk-customer-value/cost-allocation-tags/Billing/TagActivation';
      try {
        await handler({ source: 'customer-value.cost-allocation-tags', action: 'activate' });
      } finally {
        delete process.env.REGISTRY_ENTRY;
      }
      expect(JSON.parse(parameters.get('/cdk-customer-value/cost-allocation-tags/Billing/TagActivation')!)).toEqual({ tagKeys: KEYS });
    });
  });

  test('the handler answers CloudFormation on the pre-signed URL', async () => {
    // GIVEN a local stand-in for the pre-signed S3 URL
    const received: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: any }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body: JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    account(Object.fromEntries(KEYS.map((k) => [k, 'Active' as Status])));

    try {
      // WHEN
      await handler({
        ...base,
        ResponseURL: `http://127.0.0.1:${port}/response?X-Amz-Signature=abc`,
        RequestType: 'Create',
        ResourceProperties: { ServiceToken: 'arn', ...props },
      });
    } finally {
      server.close();
    }

    // THEN
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('PUT');
    expect(received[0].headers['content-type']).toBe('');
    expect(received[0].body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'customer-value-cost-allocation-tags-TagActivation',
      StackId: base.StackId,
      RequestId: 'req-1',
      LogicalResourceId: 'TagActivation',
      Data: { ActiveTagKeys: KEYS.join(','), PendingTagKeys: '', Backfill: 'not-requested' },
    });
  });

  test('an answer the response URL refuses is sent again, a bounded number of times (src/private/custom-resource-response.ts)', async () => {
    // GIVEN a response URL that answers HTTP 500 once, then 200 (a pre-signed S3 URL answers 5xx when S3 is busy)
    const statuses: number[] = [];
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = statuses.length === 0 ? 500 : 200;
        statuses.push(res.statusCode);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    account(Object.fromEntries(KEYS.map((k) => [k, 'Active' as Status])));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    let logged: string;
    try {
      // WHEN
      await handler({ ...base, ResponseURL: `http://127.0.0.1:${port}/response`, RequestType: 'Create', ResourceProperties: { ServiceToken: 'arn', ...props } });
    } finally {
      server.close();
      logged = log.mock.calls.map((c) => String(c[0])).join('\n');
      log.mockRestore();
    }
    // THEN the second attempt delivered it, and the failed one is in the logs
    expect(statuses).toEqual([500, 200]);
    expect(logged).toMatch(/answering CloudFormation failed \(attempt 1 of 3\): the response URL answered HTTP 500/);
  });
});
