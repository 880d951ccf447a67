import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { PutObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalS3, ruleSetRecord, serviceRecord, startLocalS3 } from './local-s3';
import type { DeclaredService } from '../../src/cost-data/declarations/cloud-assembly';
import { mergeRegistry } from '../../src/cost-data/declarations/registry-merge';
import { CustomResourceEvent, onCustomResource, onHeartbeat, RegistrationDeps } from '../../src/registry/declaration-registration.lambda';
import { entryKey, HEARTBEAT_ACTION } from '../../src/registry/entry';
import { mergeWithAssemblies, readRegistry, RegistryError, RegistryReadResult } from '../../src/registry/reader';

/*
 * Two simulated workload accounts register their stacks' services through the registration function, on a real local
 * S3 server (s3rver); one reader in the management account lists them.
 */

const SHOP = { account: '111111111111', region: 'eu-west-1', stack: 'Shop', services: ['checkout', 'refunds', 'wishlist'] };
const LEDGER = { account: '222222222222', region: 'eu-central-1', stack: 'Ledger', services: ['invoicing', 'payouts'] };
type Workload = typeof SHOP;
const stackId = (w: Workload) => `arn:aws:cloudformation:${w.region}:${w.account}:stack/${w.stack}/5e0c7a80-0000-11ef-8c3f-0a1b2c3d4e5f`;
const DAY = 86_400_000;

describe('the registry reader, on a local S3 server', () => {
  let s3: LocalS3;
  let clock = new Date('2026-12-01T06:00:00.000Z');
  let root = '';
  let requests = 0;
  const deps = (): RegistrationDeps => ({ s3: () => s3.client, now: () => clock });
  const physical = new Map<string, string>();
  /** A live entry of the ledger stack as a registration function writes it, for entries written by hand (schema, services, rules given). */
  const ledgerEntry = (body: { schemaVersion: number; services: unknown[]; attribution?: unknown[] }) => ({
    kind: 'customer-value:registry-entry',
    schemaVersion: body.schemaVersion,
    state: 'live',
    account: '222222222222',
    region: 'eu-central-1',
    stackName: 'Ledger',
    stackId: stackId(LEDGER),
    logicalId: 'CustomerValueRegistration',
    owner: 'x',
    registeredAt: clock.toISOString(),
    heartbeatAt: clock.toISOString(),
    services: body.services,
    ...(body.attribution ? { attribution: body.attribution } : {}),
    requests: [],
    withdrawn: [],
  });

  beforeAll(async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    s3 = await startLocalS3();
  });
  afterAll(async () => s3.close());

  let test_ = 0;
  beforeEach(() => {
    root = `t${++test_}/`;
    clock = new Date('2026-12-01T06:00:00.000Z');
  });

  async function cfn(type: 'Create' | 'Update' | 'Delete', w: Workload, services: string[] = w.services): Promise<void> {
    const event: CustomResourceEvent = {
      RequestType: type,
      ResponseURL: 'http://127.0.0.1:1/unused',
      StackId: stackId(w),
      RequestId: `req-${++requests}`,
      LogicalResourceId: 'CustomerValueRegistration',
      PhysicalResourceId: type === 'Create' ? undefined : physical.get(root + w.stack),
      ResourceProperties: { Bucket: s3.bucket, Region: 'us-east-1', Prefix: root, Services: JSON.stringify(services.map((s) => serviceRecord(s, w.stack))) },
    };
    const result = await onCustomResource(event, deps());
    expect(result.status).toBe('SUCCESS');
    physical.set(root + w.stack, result.physicalResourceId);
  }

  const read = (options: Partial<Parameters<typeof readRegistry>[0]> = {}): Promise<RegistryReadResult> =>
    readRegistry({ bucket: s3.bucket, prefix: root, s3: s3.client, now: clock, ...options });
  const names = (r: RegistryReadResult) => r.services.map((s) => `${s.account}/${s.stack}/${s.record.serviceName}`).sort();

  test('two accounts register their services; the reader lists them in the shape the CLI reads from assemblies', async () => {
    await cfn('Create', SHOP);
    await cfn('Create', LEDGER);
    const result = await read();
    expect(names(result)).toEqual([
      '111111111111/Shop/checkout', '111111111111/Shop/refunds', '111111111111/Shop/wishlist',
      '222222222222/Ledger/invoicing', '222222222222/Ledger/payouts',
    ]);
    expect(result).toMatchObject({ source: `s3://${s3.bucket}/${root}`, entries: 2, withdrawn: 0, stale: [], refused: [], accountsChecked: false });
    // the records are the metadata records as registered, with where they were read
    const checkout = result.services.find((s) => s.record.serviceName === 'checkout')!;
    expect(checkout.record).toEqual(serviceRecord('checkout', 'Shop'));
    expect(checkout).toMatchObject({
      assembly: `s3://${s3.bucket}/${root}v1/111111111111/eu-west-1/Shop/CustomerValueRegistration.json`, stack: 'Shop', account: '111111111111', region: 'eu-west-1',
    });
    // what the CLI's commands take (src/cli/assembly.ts): a compile-time check, run by `npx projen typecheck`
    const declared: DeclaredService[] = result.services;
    expect(declared).toHaveLength(5);
  });

  test('an updated stack\'s services are updated; a deleted stack\'s services disappear', async () => {
    await cfn('Create', SHOP);
    await cfn('Create', LEDGER);
    await cfn('Update', SHOP, ['checkout', 'refunds']);
    await cfn('Delete', LEDGER);
    const result = await read();
    expect(names(result)).toEqual(['111111111111/Shop/checkout', '111111111111/Shop/refunds']);
    expect(result).toMatchObject({ entries: 2, withdrawn: 1, stale: [] });
  });

  test('an entry whose heartbeat is older than the limit is stale and left out, naming the stack and the reason', async () => {
    await cfn('Create', SHOP);
    await cfn('Create', LEDGER);
    // five days later: the shop's function confirmed its entry yesterday, the ledger stack is gone without withdrawing
    clock = new Date(clock.getTime() + 4 * DAY);
    await onHeartbeat({ action: HEARTBEAT_ACTION, bucket: s3.bucket, region: 'us-east-1', prefix: root, stackId: stackId(SHOP), logicalId: 'CustomerValueRegistration' }, deps());
    clock = new Date(clock.getTime() + DAY);
    const result = await read();
    expect(names(result)).toEqual(['111111111111/Shop/checkout', '111111111111/Shop/refunds', '111111111111/Shop/wishlist']);
    expect(result.stale).toEqual([{
      key: `${root}v1/222222222222/eu-central-1/Ledger/CustomerValueRegistration.json`,
      account: '222222222222',
      region: 'eu-central-1',
      stackName: 'Ledger',
      services: ['invoicing', 'payouts'],
      ruleSets: [],
      reason: 'no-heartbeat',
      detail: 'no heartbeat since 2026-12-01T06:00:00.000Z (5 days, more than 3): the stack Ledger in 222222222222/eu-central-1 is gone, or its registration function fails (its error alarm says why)',
    }]);
    // a longer limit keeps it
    expect(names(await read({ staleAfterDays: 7 }))).toHaveLength(5);
  });

  test('an entry of an account that left the organization, or is closed, is stale (ListAccounts, paginated)', async () => {
    await cfn('Create', SHOP);
    await cfn('Create', LEDGER);
    const orgs = mockClient(OrganizationsClient);
    orgs.on(ListAccountsCommand, { NextToken: undefined, MaxResults: 20 }).resolves({ Accounts: [{ Id: '999999999999', State: 'ACTIVE' }], NextToken: 'p2' })
      .on(ListAccountsCommand, { NextToken: 'p2', MaxResults: 20 }).resolves({ Accounts: [{ Id: '111111111111', Status: 'SUSPENDED' }] });
    const result = await read({ organizations: new OrganizationsClient({ region: 'us-east-1' }) });
    expect(result.services).toEqual([]);
    expect(result.stale.map((s) => [s.stackName, s.reason, s.detail])).toEqual([
      ['Shop', 'account-not-active', 'account 111111111111 is SUSPENDED in the organization'],
      ['Ledger', 'account-not-in-organization', 'account 222222222222 is not in the organization (it left, or was removed)'],
    ].sort((a, b) => a[0] === 'Shop' ? 1 : b[0] === 'Shop' ? -1 : 0).reverse());
    expect(result.accountsChecked).toBe(true);

    // outside the management account ListAccounts is denied: the heartbeat alone tells stale entries, with a warning
    orgs.reset();
    orgs.on(ListAccountsCommand).rejects(Object.assign(new Error('You don\'t have permissions to access this resource.'), { name: 'AccessDeniedException' }));
    const member = await read({ organizations: new OrganizationsClient({ region: 'us-east-1' }) });
    expect(names(member)).toHaveLength(5);
    expect(member.accountsChecked).toBe(false);
    expect(member.warnings).toEqual([expect.stringMatching(/^the organization's accounts were not checked \(AccessDeniedException: .*management account or a delegated administrator/)]);
    orgs.restore();
  });

  test('a bad entry is refused naming the object key, the service and the field (or returned in refused, not strict)', async () => {
    await cfn('Create', SHOP);
    const key = entryKey(root, { account: '222222222222', region: 'eu-central-1', stackName: 'Ledger', logicalId: 'CustomerValueRegistration' });
    const entry = ledgerEntry({ schemaVersion: 1, services: [serviceRecord('invoicing', 'Ledger'), serviceRecord('payouts', 'Ledger', { team: 'Data & Analytics' })] });
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: JSON.stringify(entry) }));
    await expect(read()).rejects.toThrow(new RegistryError(`the registry entry s3://${s3.bucket}/${key} is refused: services[1] (service "payouts"): `
      + 'team is "Data & Analytics": it is used as-is as a tag value and cost category value, so it must be 1-50 ASCII letters, digits, spaces, _ and -, '
      + 'starting with a letter or digit, no trailing space; "&" is not allowed (and 1 more problem); entries are written by the stacks\' registration functions: correct the '
      + 'declaration and deploy the stack again, never edit them'));
    const lenient = await read({ strict: false });
    expect(names(lenient)).toHaveLength(3);
    expect(lenient.refused.map((r) => r.key)).toEqual([key]);

    // an entry under another account's folder than its own body says is refused too (the key is what the bucket policy enforces)
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: JSON.stringify({ ...entry, services: [], account: '111111111111' }) }));
    await expect(read()).rejects.toThrow(/is refused: account is "111111111111", but the entry's key says "222222222222"/);
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${root}v1/notes.txt`, Body: 'hello' }));
    await expect(read({ strict: false })).resolves.toMatchObject({ refused: expect.arrayContaining([expect.objectContaining({ key: `${root}v1/notes.txt` })]) });
  });

  test('rule sets travel with their stack: read from live entries only, a bad one refused naming the key, the rule set and the field', async () => {
    const withRules = async (w: Workload, sets: unknown[]) => {
      const result = await onCustomResource({
        RequestType: 'Create',
        ResponseURL: 'http://127.0.0.1:1/unused',
        StackId: stackId(w),
        RequestId: `req-${++requests}`,
        LogicalResourceId: 'CustomerValueRegistration',
        ResourceProperties: {
          Bucket: s3.bucket, Region: 'us-east-1', Prefix: root, Services: JSON.stringify(w.services.map((x) => serviceRecord(x, w.stack))), AttributionRules: JSON.stringify(sets),
        },
      }, deps());
      physical.set(root + w.stack, result.physicalResourceId);
      return result;
    };
    expect((await withRules(SHOP, [ruleSetRecord('shop-shared', 'Shop')])).status).toBe('SUCCESS');
    expect((await withRules(LEDGER, [ruleSetRecord('ledger-shared', 'Ledger', 'invoicing')])).status).toBe('SUCCESS');
    const result = await read();
    expect(result.ruleSets.map((r) => [r.account, r.stack, r.record.ruleSet, r.where])).toEqual([
      ['111111111111', 'Shop', 'shop-shared', `s3://${s3.bucket}/${root}v1/111111111111/eu-west-1/Shop/CustomerValueRegistration.json (stack Shop, Shop/shop-shared)`],
      ['222222222222', 'Ledger', 'ledger-shared', `s3://${s3.bucket}/${root}v1/222222222222/eu-central-1/Ledger/CustomerValueRegistration.json (stack Ledger, Ledger/ledger-shared)`],
    ].sort((a, b) => a[3].localeCompare(b[3])));
    // the readers merge them as from assemblies
    expect(mergeRegistry({ assemblies: [], services: [], warnings: [] }, result).ruleSets!.map((r) => r.record.ruleSet)).toEqual(['shop-shared', 'ledger-shared']);

    // the ledger stack is deleted: its rule set goes with its services
    await cfn('Delete', LEDGER);
    expect((await read()).ruleSets.map((r) => r.record.ruleSet)).toEqual(['shop-shared']);
    // a stale entry's rule sets are left out with it
    clock = new Date(clock.getTime() + 5 * DAY);
    const stale = await read();
    expect([stale.ruleSets, stale.stale.map((x) => x.ruleSets)]).toEqual([[], [['shop-shared']]]);
    clock = new Date(clock.getTime() - 5 * DAY);

    // the writer refuses a rule set the construct would have refused, naming the rule set and the field
    const refused = await withRules(LEDGER, [ruleSetRecord('ledger-shared', 'Ledger', 'invoicing', { precedence: 5000 })]);
    expect([refused.status, refused.reason]).toEqual(['FAILED', 'the attribution rules are refused: attribution[0] (rule set "ledger-shared"): '
      + 'precedence is number 5000: expected a whole number from 0 to 1000 (rule sets with a lower precedence are evaluated first)']);
    const other = await withRules(LEDGER, [ruleSetRecord('ledger-shared', 'Shop')]);
    expect(other.reason).toBe('the attribution rules are refused: attribution[0] (rule set "ledger-shared"): stackName is "Shop", but the entry is the stack "Ledger"\'s');

    // and so does the reader, for an entry written by hand
    const key = entryKey(root, { account: '222222222222', region: 'eu-central-1', stackName: 'Ledger', logicalId: 'CustomerValueRegistration' });
    const entry = ledgerEntry({
      schemaVersion: 2,
      services: [serviceRecord('invoicing', 'Ledger')],
      attribution: [ruleSetRecord('ledger-shared', 'Ledger', 'invoicing', { rules: [{ name: 'acct', kind: 'accounts', match: { accounts: ['12345'] }, target: { kind: 'service', services: ['invoicing'] } }] })],
    });
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: JSON.stringify(entry) }));
    await expect(read()).rejects.toThrow(new RegistryError(`the registry entry s3://${s3.bucket}/${key} is refused: attribution[0] (rule set "ledger-shared"): `
      + 'rules[0] ("acct").match.accounts[0] is "12345" (5 digits): an AWS account id has 12 digits, leading zeros included (e.g. "012345678901"); entries '
      + 'are written by the stacks\' registration functions: correct the declaration and deploy the stack again, never edit them'));
    // rule sets in an entry of schema 1 (which a reader without rules would have read, leaving them out) are refused
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: JSON.stringify({ ...entry, schemaVersion: 1, attribution: [ruleSetRecord('ledger-shared', 'Ledger', 'invoicing')] }) }));
    await expect(read()).rejects.toThrow(/is refused: attribution holds rule sets, but schemaVersion is 1: an entry with rule sets is schema 2/);
    // a newer schema: upgrade
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: JSON.stringify({ ...entry, schemaVersion: 3 }) }));
    await expect(read()).rejects.toThrow(/is refused: schemaVersion is 3, this version of cdk-customer-value reads registry entries up to 2: upgrade cdk-customer-value$/);
  });

  test('lists in bounded pages: every page read, and a page limit stops the read with a clear line', async () => {
    await cfn('Create', SHOP);
    await cfn('Create', LEDGER);
    expect(names(await read({ pageSize: 1 }))).toHaveLength(5);
    await expect(read({ pageSize: 1, maxPages: 1 })).rejects.toThrow(`stopped listing s3://${s3.bucket}/${root}v1/ after 1 pages (1 entries): raise the page limit, or check the prefix`);
  });

  test('one service per account, region, stack and name: two registrations of one stack (a construct moving) are one', async () => {
    await cfn('Create', SHOP);
    const moved: CustomResourceEvent = {
      RequestType: 'Create',
      ResponseURL: 'http://127.0.0.1:1/unused',
      StackId: stackId(SHOP),
      RequestId: 'moved',
      LogicalResourceId: 'Moved',
      ResourceProperties: { Bucket: s3.bucket, Region: 'us-east-1', Prefix: root, Services: JSON.stringify(SHOP.services.map((s) => serviceRecord(s, 'Shop'))) },
    };
    clock = new Date(clock.getTime() + 60_000);
    expect((await onCustomResource(moved, deps())).status).toBe('SUCCESS');
    const result = await read();
    expect(names(result)).toEqual(['111111111111/Shop/checkout', '111111111111/Shop/refunds', '111111111111/Shop/wishlist']);
    expect(result.services.every((s) => s.registry.key.endsWith('/Moved.json'))).toBe(true);
  });

  test('merged with cloud assemblies: the same service from both is one service (the assembly\'s record kept)', async () => {
    await cfn('Create', SHOP);
    await cfn('Create', LEDGER);
    const result = await read();
    const fromAssembly: DeclaredService[] = [
      { record: serviceRecord('checkout', 'Shop', { team: 'checkout-team' }), assembly: 'cdk.out', stack: 'Shop', account: '111111111111', region: 'eu-west-1' },
      // the same name deployed elsewhere (another account) is another deployment, kept
      { record: serviceRecord('invoicing', 'Ledger'), assembly: 'cdk.out', stack: 'Ledger', account: '333333333333', region: 'eu-central-1' },
    ];
    const merged = mergeWithAssemblies(fromAssembly, result.services);
    expect(merged.map((s) => `${s.assembly === 'cdk.out' ? 'assembly' : 'registry'}:${s.account}/${s.record.serviceName}`).sort()).toEqual([
      'assembly:111111111111/checkout', 'assembly:333333333333/invoicing', 'registry:111111111111/refunds', 'registry:111111111111/wishlist',
      'registry:222222222222/invoicing', 'registry:222222222222/payouts',
    ]);
  });
});

describe('the registry reader against a misbehaving S3 (SDK client mock)', () => {
  test('a repeated continuation token stops the listing with a clear line', async () => {
    const s3 = mockClient(S3Client);
    s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: true, NextContinuationToken: 'same' });
    await expect(readRegistry({ bucket: 'b', prefix: 'p/', s3: new S3Client({ region: 'us-east-1' }) }))
      .rejects.toThrow('S3 answered page 2 of s3://b/p/v1/ with a continuation token it gave before while saying more entries follow: stopped');
    s3.reset();
    s3.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(readRegistry({ bucket: 'b', prefix: 'p/', s3: new S3Client({ region: 'us-east-1' }) }))
      .rejects.toThrow('cannot list the registry s3://b/p/v1/: AccessDenied: Access Denied (readers need s3:ListBucket and s3:GetObject on the registry\'s prefix: DeclarationRegistry.grantRead)');
    s3.restore();
  });
});
