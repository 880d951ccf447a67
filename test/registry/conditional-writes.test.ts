import * as http from 'http';
import { AddressInfo } from 'net';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { serviceRecord } from './local-s3';
import { sendResponse } from '../../src/private/custom-resource-response';
import {
  CustomResourceEvent, MAX_WRITE_ATTEMPTS, onCustomResource, onHeartbeat, RegistrationDeps,
} from '../../src/registry/declaration-registration.lambda';
import { HEARTBEAT_ACTION, RegistryEntry } from '../../src/registry/entry';

/*
 * What s3rver does not do: conditional writes (it ignores If-Match and If-None-Match on PutObject) and access denied.
 * Tested against S3's documented contract with the SDK client mock (API_PutObject.html): "If-Match ... If the ETag values
 * do not match, the operation returns a 412 Precondition Failed error"; "If-None-Match ... Otherwise, Amazon S3 returns
 * a 412 Precondition Failed error"; "If a conflicting operation occurs during the upload S3 returns a 409
 * ConditionalRequestConflict response. On a 409 failure you should retry the upload". And GetObject: without
 * s3:ListBucket a missing key is 403, not 404 (API_GetObject.html).
 */

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Shop/5e0c7a80-0000-11ef-8c3f-0a1b2c3d4e5f';
const KEY = 'customer-value/v1/111111111111/eu-west-1/Shop/Registration.json';

function event(type: 'Create' | 'Update' | 'Delete', request: string, physical?: string): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: 'http://127.0.0.1:1/unused',
    StackId: STACK_ID,
    RequestId: request,
    LogicalResourceId: 'Registration',
    ...(physical ? { PhysicalResourceId: physical } : {}),
    ResourceProperties: { Bucket: 'org-registry', Region: 'us-east-1', Prefix: 'customer-value/', Services: JSON.stringify([serviceRecord('checkout', 'Shop')]) },
  };
}

function body(entry: RegistryEntry | string) {
  const text = typeof entry === 'string' ? entry : JSON.stringify(entry);
  // the SDK's streaming body, as far as the function reads it
  return { Body: { transformToString: async () => text } as any, ETag: `"${text.length}"`, ContentLength: Buffer.byteLength(text) };
}

function liveEntry(owner: string, requests: string[]): RegistryEntry {
  return {
    kind: 'customer-value:registry-entry',
    schemaVersion: 1,
    state: 'live',
    account: '111111111111',
    region: 'eu-west-1',
    stackName: 'Shop',
    stackId: STACK_ID,
    logicalId: 'Registration',
    owner,
    registeredAt: '2026-12-01T06:00:00.000Z',
    heartbeatAt: '2026-12-01T06:00:00.000Z',
    services: [serviceRecord('checkout', 'Shop')],
    requests,
    withdrawn: [],
  };
}

const error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('conditional writes (S3 API contract, SDK client mock)', () => {
  const s3 = mockClient(S3Client);
  const client = new S3Client({ region: 'us-east-1' });
  const deps: RegistrationDeps = { s3: () => client, now: () => new Date('2026-12-02T06:00:00.000Z') };
  beforeEach(() => {
    s3.reset();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  test('a first write is If-None-Match *, a later one If-Match the ETag read', async () => {
    s3.on(GetObjectCommand).rejectsOnce(error('NoSuchKey', 404));
    s3.on(PutObjectCommand).resolves({});
    const created = await onCustomResource(event('Create', 'r1'), deps);
    expect(created.status).toBe('SUCCESS');
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Key: KEY, IfNoneMatch: '*' });
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input.IfMatch).toBeUndefined();

    const current = body(liveEntry(created.physicalResourceId, ['r1']));
    s3.on(GetObjectCommand).resolves(current);
    expect((await onCustomResource(event('Update', 'r2', created.physicalResourceId), deps)).status).toBe('SUCCESS');
    expect(s3.commandCalls(PutObjectCommand)[1].args[0].input).toMatchObject({ Key: KEY, IfMatch: current.ETag });
  });

  test.each([['412 Precondition Failed', 'PreconditionFailed', 412], ['409 ConditionalRequestConflict', 'ConditionalRequestConflict', 409]])(
    'a write answered %s is read and decided again: the other writer\'s entry is kept in the history', async (_, name, status) => {
      const owner = `s3://org-registry/${KEY}#r1`;
      // another writer (the heartbeat) changed the entry between this function's read and its write
      s3.on(GetObjectCommand).resolvesOnce(body(liveEntry(owner, ['r1']))).resolves(body({ ...liveEntry(owner, ['r1', 'r0']), heartbeatAt: '2026-12-02T05:00:00.000Z' }));
      s3.on(PutObjectCommand).rejectsOnce(error(name, status)).resolves({});
      const result = await onCustomResource(event('Update', 'r2', owner), deps);
      expect(result.status).toBe('SUCCESS');
      const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
      expect(puts).toHaveLength(2);
      expect(puts[0].IfMatch).not.toEqual(puts[1].IfMatch);
      expect(JSON.parse(String(puts[1].Body)).requests).toEqual(['r1', 'r0', 'r2']);
    });

  test(`an entry that keeps changing fails the deployment after ${MAX_WRITE_ATTEMPTS} attempts, saying so`, async () => {
    s3.on(GetObjectCommand).callsFake(() => body(liveEntry(`s3://org-registry/${KEY}#r1`, ['r1'])));
    s3.on(PutObjectCommand).rejects(error('PreconditionFailed', 412));
    const result = await onCustomResource(event('Update', 'r2', `s3://org-registry/${KEY}#r1`), deps);
    expect(result).toMatchObject({ status: 'FAILED' });
    expect(result.reason).toMatch(/kept changing while it was being written \(5 attempts\)/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(MAX_WRITE_ATTEMPTS);
  });

  test('403 on a missing key (no s3:ListBucket on it): the function lists its own key, finds none, and creates the entry', async () => {
    s3.on(GetObjectCommand).rejects(error('AccessDenied', 403));
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(PutObjectCommand).resolves({});
    expect((await onCustomResource(event('Create', 'r1'), deps)).status).toBe('SUCCESS');
    expect(s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({ Prefix: KEY, MaxKeys: 1 });
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input.IfNoneMatch).toBe('*');
  });

  test('403 on a key that exists: the deployment fails with the reason and what the bucket policy allows', async () => {
    s3.on(GetObjectCommand).rejects(error('AccessDenied', 403));
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: KEY }] });
    const result = await onCustomResource(event('Create', 'r1'), deps);
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/^could not write the registry entry s3:\/\/org-registry\/customer-value\/v1\/111111111111\/eu-west-1\/Shop\/Registration\.json: AccessDenied: .*under their own account's folder only/);
  });

  test('a registry that does not answer: a create fails before the function\'s deadline, a delete never blocks the stack\'s deletion', async () => {
    const hanging = {
      send: (_: unknown, options?: { abortSignal?: AbortSignal }) => new Promise((_resolve, reject) => {
        options?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })));
      }),
    };
    const slow: RegistrationDeps = { s3: () => hanging, now: () => new Date(), signal: AbortSignal.timeout(200) };
    const created = await onCustomResource(event('Create', 'r1'), slow);
    expect(created).toMatchObject({ status: 'FAILED' });
    expect(created.reason).toMatch(/AbortError/);
    const deleted = await onCustomResource(event('Delete', 'r2', `s3://org-registry/${KEY}#r1`), { ...slow, signal: AbortSignal.timeout(200) });
    expect(deleted).toMatchObject({ status: 'SUCCESS' });
    expect(deleted.reason).toMatch(/^not withdrawn \(AbortError.*the entry goes stale/);
  });

  test('a bad declaration is refused before anything is written, naming the service and the field', async () => {
    const bad = event('Create', 'r1');
    const result = await onCustomResource({ ...bad, ResourceProperties: { ...bad.ResourceProperties, Services: JSON.stringify([serviceRecord('checkout', 'Shop', { customerNeed: 'TBD' })]) } }, deps);
    expect(result.status).toBe('FAILED');
    expect(result.reason).toMatch(/^the declaration is refused: services\[0\] \(service "checkout"\): customerNeed is "TBD": a placeholder/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('the heartbeat confirms the entry with If-Match; on a withdrawn or missing entry it fails (the function\'s error alarm)', async () => {
    const owner = `s3://org-registry/${KEY}#r1`;
    const current = body(liveEntry(owner, ['r1']));
    s3.on(GetObjectCommand).resolves(current);
    s3.on(PutObjectCommand).resolves({});
    const beat = { action: HEARTBEAT_ACTION, bucket: 'org-registry', region: 'us-east-1', prefix: 'customer-value/', stackId: STACK_ID, logicalId: 'Registration' } as const;
    await onHeartbeat(beat, deps);
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put.IfMatch).toBe(current.ETag);
    expect(JSON.parse(String(put.Body))).toEqual({ ...liveEntry(owner, ['r1']), heartbeatAt: '2026-12-02T06:00:00.000Z' });

    s3.on(GetObjectCommand).rejects(error('NoSuchKey', 404));
    await expect(onHeartbeat(beat, deps)).rejects.toThrow(/there is no registry entry for this stack/);
    s3.on(GetObjectCommand).resolves(body({ ...liveEntry(owner, ['r1']), state: 'withdrawn', services: [], withdrawn: [owner] }));
    await expect(onHeartbeat(beat, deps)).rejects.toThrow(/is withdrawn/);
  });
});

describe('answering CloudFormation', () => {
  test('the answer is PUT to the response URL; a URL that fails is tried a bounded number of times, then the function fails', async () => {
    const bodies: string[] = [];
    let fail = 2;
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => { text += c; });
      req.on('end', () => {
        bodies.push(text);
        res.statusCode = fail-- > 0 ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await sendResponse({ ...event('Create', 'r1'), ResponseURL: url }, { status: 'SUCCESS', reason: 'registered', physicalResourceId: 'p' });
      expect(bodies).toHaveLength(3);
      expect(JSON.parse(bodies[2])).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'p', RequestId: 'r1', LogicalResourceId: 'Registration', StackId: STACK_ID });
      fail = 10;
      await expect(sendResponse({ ...event('Create', 'r1'), ResponseURL: url }, { status: 'FAILED', reason: 'x', physicalResourceId: 'p' }))
        .rejects.toThrow(/could not answer CloudFormation after 3 attempts: the response URL answered HTTP 500/);
    } finally {
      server.close();
    }
  });
});
