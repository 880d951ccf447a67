import * as fs from 'fs';
import * as path from 'path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LocalS3, startLocalS3 } from './local-s3';
import { createApp as createLedgerApp, LEDGER_ACCOUNT } from '../../examples/registered-ledger';
import { createApp as createShopApp, SHOP_ACCOUNT } from '../../examples/registered-shop';
import { runReview } from '../../src/billing/value-review-reports.lambda';
import { CurFileSource } from '../../src/cost-data/sources/cur';
import { onCustomResource, onHeartbeat } from '../../src/registry/declaration-registration.lambda';
import { HEARTBEAT_ACTION } from '../../src/registry/entry';
import { FakeAws, withEnv } from '../cli/fake-aws';
import { curCsv, line, runCli } from '../cli/fixtures';
import { exampleAppProps, tempDir } from '../util';

/*
 * Issue 24: the CLI's readers with --registry. The two example apps examples/registered-shop.ts and
 * examples/registered-ledger.ts (two apps in two accounts, five services, a rule set each) are synthesized into two
 * cloud assemblies, and their registrations' custom-resource events (the Services and AttributionRules properties as
 * the templates hold them) are run through the registration function against a real local S3 server (s3rver). The
 * CLI then reads the registry with the AWS SDK (AWS_ENDPOINT_URL_S3 points it at s3rver; AWS_ENDPOINT_URL_ORGANIZATIONS
 * at a local AWS JSON endpoint answering ListAccounts), and its reports must be the reports of the two assemblies.
 *
 * In test:slow: s3rver, two syntheses and some thirty CLI runs take more than 10 s of CPU.
 */

jest.setTimeout(180_000);

const NOW = new Date('2026-11-25T12:00:00Z');
const PREFIX = 'customer-value/';
/** The accounts ListAccounts answers: the two workload accounts, and one closed. */
const ORGANIZATION = [
  { Id: '123456789012', State: 'ACTIVE' }, { Id: SHOP_ACCOUNT, State: 'ACTIVE' }, { Id: LEDGER_ACCOUNT, State: 'ACTIVE' }, { Id: '444444444444', State: 'CLOSED' },
];

let s3: LocalS3;
let orgs: FakeAws;
/** The cloud assemblies of the two apps. */
const assemblies: Record<'Shop' | 'Ledger', string> = { Shop: '', Ledger: '' };
/** `--assembly A --assembly B`. */
const BOTH = () => ['--assembly', assemblies.Shop, '--assembly', assemblies.Ledger];
/** The registrations of the examples' stacks: stack name -> the custom resource's properties. */
const registrations = new Map<string, { stackId: string; logicalId: string; services: string; attribution?: string }>();
let cwd: string;
let requests = 0;

beforeAll(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  // synthesized first: a long synchronous synthesis would let the server close the client's idle keep-alive connection
  for (const [name, createApp] of [['Shop', createShopApp], ['Ledger', createLedgerApp]] as const) {
    const app = createApp(exampleAppProps());
    assemblies[name] = app.synth().directory;
    const stack = app.node.findChild(name) as Stack;
    const [logicalId, resource] = Object.entries(Template.fromStack(stack).findResources('Custom::CustomerValueRegistration'))[0];
    registrations.set(stack.stackName, {
      stackId: `arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${stack.stackName}/5e0c7a80-0000-11ef-8c3f-0a1b2c3d4e5f`,
      logicalId,
      services: stack.resolve(resource.Properties.Services),
      attribution: stack.resolve(resource.Properties.AttributionRules),
    });
  }
  expect(assemblies.Shop).not.toEqual(assemblies.Ledger);
  [s3, orgs] = await Promise.all([
    startLocalS3('example-customer-value-registry'),
    FakeAws.start((call) => (call.operation === 'ListAccounts' ? { json: { Accounts: ORGANIZATION } } : { status: 400, json: { __type: 'InvalidInputException' } })),
  ]);
  // the two stacks are deployed yesterday: their functions register them
  for (const name of ['Shop', 'Ledger']) {
    await create(name, new Date(NOW.getTime() - 86_400_000));
  }
  cwd = tempDir('cv-cli-registry-');
  // tagged spend of the five services, and spend without a service tag in the shop's account (the shop's rule gives it
  // to retail's services by their cost), the ledger's (to invoicing) and an account no rule names (unattributed)
  const account = (id: string) => ({ line_item_usage_account_id: id, line_item_product_code: 'AmazonEC2', line_item_usage_type: 'EUW1-BoxUsage' });
  curCsv(path.join(cwd, 'cur', 'data.csv'), [
    ...['2026-10-10', '2026-11-10'].flatMap((day) => [
      { ...line(day, 120.5, { user_customer_service: 'checkout', user_business_unit: 'retail' }), ...account(SHOP_ACCOUNT) },
      { ...line(day, 40.25, { user_customer_service: 'refunds', user_business_unit: 'retail' }), ...account(SHOP_ACCOUNT) },
      { ...line(day, 9.75, { user_customer_service: 'wishlist', user_business_unit: 'retail' }), ...account(SHOP_ACCOUNT) },
      { ...line(day, 75, { user_customer_service: 'invoicing', user_business_unit: 'finance' }), ...account(LEDGER_ACCOUNT) },
      { ...line(day, 33.3, { user_customer_service: 'payouts', user_business_unit: 'finance' }), ...account(LEDGER_ACCOUNT) },
      { ...line(day, 17, {}), ...account(SHOP_ACCOUNT) },
      { ...line(day, 8, {}), ...account(LEDGER_ACCOUNT) },
      { ...line(day, 12, {}), ...account('333333333333') },
    ]),
  ], CUR_COLUMNS);
});

/** The CUR 2.0 columns of the fixture: the usual ones and those the attribution rules read. */
const CUR_COLUMNS = ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags',
  'line_item_usage_account_id', 'line_item_product_code', 'line_item_usage_type', 'line_item_resource_id', 'bill_billing_entity'];

/** The AttributionRules property of a registration, when its stack has rule sets. */
const rulesOf = (r: { attribution?: string }) => (r.attribution === undefined ? {} : { AttributionRules: r.attribution });

afterAll(async () => {
  await Promise.all([s3?.close(), orgs?.close()]);
});

/**
 * The registration function's Create of a stack's registration, as CloudFormation sends it, at `at`, under `prefix`:
 * the stack's synthesized properties, or other `services` or rule sets (`attribution`), from another `account`.
 */
async function create(stackName: string, at: Date,
  o: { prefix?: string; services?: string; attribution?: string; account?: string } = {}): Promise<void> {
  const r = registrations.get(stackName)!;
  const stackId = o.account ? r.stackId.replace(/:\d{12}:/, `:${o.account}:`) : r.stackId;
  const attribution = o.attribution ?? r.attribution;
  const result = await onCustomResource({
    RequestType: 'Create',
    ResponseURL: 'http://127.0.0.1:1/unused',
    StackId: stackId,
    RequestId: `req-${++requests}`,
    LogicalResourceId: r.logicalId,
    ResourceProperties: {
      Bucket: s3.bucket, Region: 'us-east-1', Prefix: o.prefix ?? PREFIX, Services: o.services ?? r.services, ...(attribution === undefined ? {} : { AttributionRules: attribution }),
    },
  }, { s3: () => s3.client, now: () => at });
  expect([result.status, result.status === 'SUCCESS' ? '' : result.reason]).toEqual(['SUCCESS', '']);
}

/** The AWS SDK of the CLI pointed at s3rver and the local Organizations endpoint, with fake credentials. */
function awsEnv(): Record<string, string> {
  const { AWS_ENDPOINT_URL: _, ...env } = orgs.env();
  // s3rver's own credentials (the fake Organizations endpoint takes any)
  return { ...env, AWS_ENDPOINT_URL_S3: s3.url, AWS_ENDPOINT_URL_ORGANIZATIONS: orgs.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
}

const REGISTRY = 's3://example-customer-value-registry/customer-value/';

async function cli(args: string[]) {
  return withEnv(awsEnv(), () => runCli(args, { cwd, now: NOW }));
}

/**
 * A report with where its declarations were read made the same (the two assemblies' folders, and each registry entry's
 * S3 address, become `<declarations>`), and the registry's own note left out.
 */
function sameSources(text: string): string {
  return text.split(assemblies.Shop).join('<declarations>').split(assemblies.Ledger).join('<declarations>')
    .replace(/s3:\/\/example-customer-value-registry\/customer-value\/v1\/\d{12}\/[a-z0-9-]+\/\w+\/\w+\.json/g, '<declarations>')
    .split(REGISTRY.replace(/\/$/, '')).join('<declarations>')
    .replace(/\n\s*"declarations from the registry [^"]*",?/g, '').replace(/^(- )?declarations from the registry .*\n/gm, '').replace(/<declarations>\//g, '<declarations>')
    // the two assemblies read, or the one registry
    .replace(/"<declarations>",(\s*)"<declarations>"/g, '"<declarations>"').replace(/<declarations>, <declarations>/g, '<declarations>')
    .replace(/packs-(registry|assemblies)\//g, 'packs/');
}

/** The registry's own note: what it held, where. */
const REGISTRY_NOTE = `declarations from the registry ${REGISTRY}: 5 services and 2 attribution rule sets of 2 entries, accounts checked against the organization`;

describe('customer-value ... --registry: two apps registered give the reports of their two assemblies', () => {
  test('services: the five services of the two apps in two accounts, as from --assembly A --assembly B', async () => {
    const fromAssembly = await cli(['services', ...BOTH(), '-o', 'json']);
    const fromRegistry = await cli(['services', '--registry', REGISTRY, '-o', 'json']);
    expect([fromAssembly.code, fromAssembly.stderr]).toEqual([0, '']);
    expect([fromRegistry.code, fromRegistry.stderr]).toEqual([0, '']);
    const a = JSON.parse(fromAssembly.stdout);
    const r = JSON.parse(fromRegistry.stdout);
    expect(r.services.map((s: any) => `${s.account}/${s.stack}/${s.serviceName}`)).toEqual([
      `${LEDGER_ACCOUNT}/Ledger/invoicing`, `${LEDGER_ACCOUNT}/Ledger/payouts`,
      `${SHOP_ACCOUNT}/Shop/checkout`, `${SHOP_ACCOUNT}/Shop/refunds`, `${SHOP_ACCOUNT}/Shop/wishlist`,
    ].sort((x, y) => x.split('/')[2].localeCompare(y.split('/')[2])));
    // the same records, read from two places
    const strip = (data: any) => ({
      ...data, assemblies: undefined, notes: undefined, services: data.services.map((s: any) => ({ ...s, assembly: undefined })),
    });
    expect(strip(r)).toEqual(strip(a));
    expect(a.services.map((s: any) => s.assembly)).toEqual(expect.arrayContaining([assemblies.Shop, assemblies.Ledger]));
    expect(r.services[0].assembly).toMatch(/^s3:\/\/example-customer-value-registry\/customer-value\/v1\/\d{12}\/[a-z0-9-]+\/\w+\/\w+\.json$/);
    expect(r.notes).toEqual([REGISTRY_NOTE]);
    // the table names where it read them
    const table = await cli(['services', '--registry', REGISTRY]);
    expect(table.stdout).toContain(`5 services declared in ${REGISTRY}`);
  });

  test('cost from CUR data with the apps\' attribution rules: --registry alone gives the report of --assembly A --assembly B', async () => {
    const args = ['cost', '--source', 'cur', 'cur/', '--from', '2026-11-01', '--to', '2026-12-01', '-o', 'json', '--quiet'];
    const fromAssembly = await cli([...args, ...BOTH()]);
    const fromRegistry = await cli([...args, '--registry', REGISTRY]);
    expect([fromAssembly.code, fromAssembly.code === 0 ? '' : fromAssembly.stderr]).toEqual([0, '']);
    expect([fromRegistry.code, sameSources(fromRegistry.stderr)]).toEqual([0, sameSources(fromAssembly.stderr)]);
    expect(sameSources(fromRegistry.stdout)).toEqual(sameSources(fromAssembly.stdout));
    const report = JSON.parse(fromRegistry.stdout);
    expect(report.notes[0]).toBe(REGISTRY_NOTE);
    expect(JSON.stringify(report)).toContain('Shoppers pay for their basket in one step');
    // the rules the two apps registered applied: the shop account's 17 to retail by cost, the ledger's 8 to invoicing,
    // the other account's 12 unattributed
    expect(report.attribution).toMatchObject({ attributed: 25, unattributed: 12 });
    expect(report.attribution.rules.map((r: any) => [r.ruleSet, r.rule, r.amount])).toEqual([
      ['ledger-account', 'ledger-account', 8], ['shop-account', 'shop-account', 17],
    ]);
    const cost = (name: string) => report.rows.filter((row: any) => row.group === name).reduce((t: number, row: any) => t + row.cost, 0);
    expect(cost('invoicing')).toBeCloseTo(83, 9);
    expect(cost('checkout') + cost('refunds') + cost('wishlist')).toBeCloseTo(170.5 + 17, 9);
  });

  test('review: the same pack files, byte for byte but for where the declarations were read, from --registry alone as from --assembly A --assembly B', async () => {
    const args = ['review', '--source', 'cur', 'cur/', '--from', '2026-10-01', '--to', '2026-12-01', '--quiet'];
    const fromAssembly = await cli([...args, ...BOTH(), '--out-dir', 'packs-assemblies']);
    const fromRegistry = await cli([...args, '--registry', REGISTRY, '--out-dir', 'packs-registry']);
    expect([fromAssembly.code, fromAssembly.code === 0 ? '' : fromAssembly.stderr]).toEqual([0, '']);
    expect([fromRegistry.code, sameSources(fromRegistry.stderr)]).toEqual([0, sameSources(fromAssembly.stderr)]);
    const files = (dir: string) => fs.readdirSync(path.join(cwd, dir)).sort();
    expect(files('packs-registry')).toEqual(files('packs-assemblies'));
    expect(files('packs-registry').length).toBeGreaterThanOrEqual(2);
    for (const file of files('packs-registry')) {
      const read = (dir: string) => sameSources(fs.readFileSync(path.join(cwd, dir, file), 'utf8'));
      expect([file, read('packs-registry')]).toEqual([file, read('packs-assemblies')]);
    }
    const pack = JSON.parse((await cli([...args, '--registry', REGISTRY, '-o', 'json'])).stdout);
    expect(pack.businessUnits.map((u: any) => [u.businessUnit, u.services.map((s: any) => s.serviceName).sort()])).toEqual([
      ['finance', ['invoicing', 'payouts']], ['retail', ['checkout', 'refunds', 'wishlist']],
    ]);
  });

  test('catalog: the same Backstage entities from the registry as from the two assemblies', async () => {
    const fromAssembly = await cli(['catalog', ...BOTH()]);
    const fromRegistry = await cli(['catalog', '--registry', REGISTRY]);
    expect([fromRegistry.code, fromRegistry.stderr]).toEqual([0, '']);
    expect(sameSources(fromRegistry.stdout)).toEqual(sameSources(fromAssembly.stdout));
  });
});

describe('customer-value ... --registry: stale entries, conflicts, bad entries', () => {
  // each test adds entries of its own under another prefix, so the registry of the tests above stays as it was
  const prefix = (n: number) => `case${n}/`;
  const url = (n: number) => `s3://example-customer-value-registry/case${n}/`;
  const registerAt = (n: number, stackName: string, at: Date, o: { services?: string; account?: string } = {}) =>
    create(stackName, at, { ...o, prefix: prefix(n) });

  test('a stack gone (no heartbeat for 3 days) and an account no longer active are left out, on stderr and in the notes', async () => {
    const yesterday = new Date(NOW.getTime() - 86_400_000);
    await registerAt(1, 'Shop', yesterday);
    // the ledger stack was deleted ten days ago without its entry being withdrawn (the registry was unreachable)
    await registerAt(1, 'Ledger', new Date(NOW.getTime() - 10 * 86_400_000));
    // the shop app deployed to an account that was closed since (its function still confirms the entry)
    await registerAt(1, 'Shop', yesterday, { account: '444444444444' });
    const run = await cli(['services', '--registry', url(1), '-o', 'json']);
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout);
    expect(data.services.map((s: any) => `${s.account}/${s.serviceName}`)).toEqual([`${SHOP_ACCOUNT}/checkout`, `${SHOP_ACCOUNT}/refunds`, `${SHOP_ACCOUNT}/wishlist`]);
    const stale = [
      expect.stringMatching(/^stale registry entry left out: Ledger in 222222222222\/eu-central-1 \(invoicing, payouts, rule set ledger-account\): no heartbeat since 2026-11-15T12:00:00.000Z \(10 days, more than 3\): the stack Ledger .* is gone/),
      expect.stringMatching(/^stale registry entry left out: Shop in 444444444444\/eu-west-1 \(checkout, refunds, wishlist, rule set shop-account\): account 444444444444 is CLOSED in the organization \(s3:\/\/example-customer-value-registry\/case1\/v1\/444444444444\/eu-west-1\/Shop\/\w+\.json\)$/),
    ];
    expect(data.notes).toEqual([`declarations from the registry ${url(1)}: 3 services and 1 attribution rule set of 3 entries, accounts checked against the organization`, ...stale]);
    const warnings = run.stderr.trim().split('\n');
    expect(warnings).toEqual(stale.map(() => expect.stringMatching(/^customer-value: warning: stale registry entry left out: /)));
    // a heartbeat brings the ledger back
    await onHeartbeat({
      action: HEARTBEAT_ACTION,
      bucket: s3.bucket,
      region: 'us-east-1',
      prefix: prefix(1),
      stackId: registrations.get('Ledger')!.stackId,
      logicalId: registrations.get('Ledger')!.logicalId,
    }, { s3: () => s3.client, now: () => NOW });
    const again = JSON.parse((await cli(['services', '--registry', url(1), '-o', 'json'])).stdout);
    expect(again.services).toHaveLength(5);
  });

  test('with --assembly: the same service from both is one; a service the two declare differently is reported, naming the fields', async () => {
    const yesterday = new Date(NOW.getTime() - 86_400_000);
    const shop = JSON.parse(registrations.get('Shop')!.services) as any[];
    // the deployed checkout still has the team it had before the change in the assembly
    await registerAt(2, 'Shop', yesterday, { services: JSON.stringify(shop.map((s) => (s.serviceName === 'checkout' ? { ...s, team: 'checkout-team', tags: { ...s.tags, team: 'checkout-team' } } : s))) });
    await registerAt(2, 'Ledger', yesterday);
    const run = await cli(['services', ...BOTH(), '--registry', url(2), '-o', 'json']);
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout);
    expect(data.services).toHaveLength(5);
    expect(data.services.find((s: any) => s.serviceName === 'checkout').team).toBe('payments');
    const conflict = data.notes.find((n: string) => n.startsWith('service checkout'));
    expect(conflict).toMatch(/^service checkout \(stack Shop in 111111111111\/eu-west-1\) is declared differently in the cloud assembly .* and in the registry s3:\/\/example-customer-value-registry\/case2\/v1\/111111111111\/eu-west-1\/Shop\/\w+\.json: tags .*; team "payments" \(assembly\) \/ "checkout-team" \(registry\); the report uses the assembly's declaration/);
    expect(run.stderr).toContain('customer-value: warning: service checkout (stack Shop in 111111111111/eu-west-1) is declared differently');
    expect(data.services.filter((s: any) => s.assembly.startsWith('s3://'))).toEqual([]);
  });

  test('rule sets: two apps registering one rule-set name are warned as from assemblies; a deleted stack\'s rules no longer apply', async () => {
    const yesterday = new Date(NOW.getTime() - 86_400_000);
    const ledgerSets = JSON.parse(registrations.get('Ledger')!.attribution!) as any[];
    // the ledger team names its rule set as the shop team did
    const renamed = JSON.stringify(ledgerSets.map((r) => ({ ...r, ruleSet: 'shop-account' })));
    const r = registrations.get('Ledger')!;
    await create('Ledger', yesterday, { prefix: prefix(5), attribution: renamed });
    await registerAt(5, 'Shop', yesterday);
    const args = ['cost', '--source', 'cur', 'cur/', '--from', '2026-11-01', '--to', '2026-12-01', '-o', 'json', '--quiet'];
    const run = await cli([...args, '--registry', url(5)]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^customer-value: warning: two rule sets are named "shop-account" \(s3:\/\/example-customer-value-registry\/case5\/v1\/\d{12}\/[a-z0-9-]+\/(Shop|Ledger)\/\w+\.json \(stack (Shop|Ledger), (Shop|Ledger)\/\w+\) and s3:\/\/.* \(stack (Shop|Ledger), .*\)\): the second is ignored; give one of them another ruleSetName$/m);

    // with the assemblies too: the same rule set from both is one, no warning about it
    const both = await cli([...args, ...BOTH(), '--registry', REGISTRY]);
    expect(both.code).toBe(0);
    expect(both.stderr).not.toMatch(/rule set/);
    expect(JSON.parse(both.stdout).attribution.rules.map((x: any) => x.ruleSet)).toEqual(['ledger-account', 'shop-account']);

    // the ledger app's stack is deleted: its rule set goes with its services, the ledger account's 8 is unattributed
    await registerAt(6, 'Shop', yesterday);
    await registerAt(6, 'Ledger', yesterday);
    const before = JSON.parse((await cli([...args, '--registry', url(6)])).stdout);
    expect(before.attribution).toMatchObject({ attributed: 25, unattributed: 12 });
    const owner = JSON.parse(await (await s3.client.send(new GetObjectCommand({
      Bucket: s3.bucket, Key: `case6/v1/${LEDGER_ACCOUNT}/eu-central-1/Ledger/${r.logicalId}.json`,
    }))).Body!.transformToString()).owner;
    const deleted = await onCustomResource({
      RequestType: 'Delete',
      ResponseURL: 'http://127.0.0.1:1/unused',
      StackId: r.stackId,
      RequestId: `req-${++requests}`,
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: owner,
      ResourceProperties: { Bucket: s3.bucket, Region: 'us-east-1', Prefix: prefix(6), Services: r.services, ...rulesOf(r) },
    } as any, { s3: () => s3.client, now: () => NOW });
    expect([deleted.status, deleted.reason]).toEqual(['SUCCESS', 'withdrew 2 service(s)']);
    const after = await cli([...args, '--registry', url(6)]);
    const report = JSON.parse(after.stdout);
    // unattributed: the untagged 20 left (the ledger account's 8 among them), and the spend of the two withdrawn services,
    // whose tag value no declaration read holds any more (invoicing 75 + payouts 33.30; counted as coverage counts it)
    expect(report.attribution).toMatchObject({ attributed: 17, unattributed: 128.3 });
    expect(report.attribution.rules.map((x: any) => x.ruleSet)).toEqual(['shop-account']);
    // invoicing's tagged spend is still billed, but no declaration is read for it, nor does the rule give it the 8
    const invoicing = report.rows.find((row: any) => row.group === 'invoicing');
    expect([invoicing.status, invoicing.cost]).toEqual([expect.not.stringMatching(/^declared$/), 75]);
    const payouts = report.rows.find((row: any) => row.group === 'payouts');
    expect([payouts.status, payouts.cost]).toEqual([expect.not.stringMatching(/^declared$/), 33.3]);
    expect(report.rows.find((row: any) => row.status === 'untagged').cost).toBe(20);
  });

  test('a bad entry is refused naming its key and the field, with the rules of the assemblies', async () => {
    const yesterday = new Date(NOW.getTime() - 86_400_000);
    await registerAt(3, 'Ledger', yesterday);
    const shop = JSON.parse(registrations.get('Shop')!.services) as any[];
    const key = `case3/v1/${SHOP_ACCOUNT}/eu-west-1/Shop/${registrations.get('Shop')!.logicalId}.json`;
    await s3.client.send(new PutObjectCommand({
      Bucket: s3.bucket,
      Key: key,
      Body: JSON.stringify({
        kind: 'customer-value:registry-entry',
        schemaVersion: 1,
        state: 'live',
        account: SHOP_ACCOUNT,
        region: 'eu-west-1',
        stackName: 'Shop',
        stackId: registrations.get('Shop')!.stackId,
        logicalId: registrations.get('Shop')!.logicalId,
        owner: 'x',
        registeredAt: yesterday.toISOString(),
        heartbeatAt: yesterday.toISOString(),
        requests: [],
        withdrawn: [],
        services: shop.map((s) => (s.serviceName === 'refunds' ? { ...s, customerNeed: 'TBD' } : s)),
      }),
    }));
    for (const command of ['services', 'catalog']) {
      const run = await cli([command, '--registry', url(3)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^customer-value: the registry entry s3://example-customer-value-registry/${key.replace(/[/.]/g, '\\$&')} is refused: `
        + 'services\\[1\\] \\(service "refunds"\\): customerNeed is "TBD"'));
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  test('--registry that is not an S3 address is a usage error naming the value', async () => {
    const run = await cli(['services', '--registry', 'example-customer-value-registry']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^customer-value services: --registry: "example-customer-value-registry" is not an S3 address: expected s3:\/\/BUCKET/);
    const missing = await cli(['services', '--registry', 's3://no-such-registry-bucket/']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^customer-value: cannot list the registry s3:\/\/no-such-registry-bucket\/v1\/: NoSuchBucket/);
  });

  test('the registry\'s calls are bounded: an S3 endpoint that never answers is given up at --timeout, naming the registry', async () => {
    const silent = await FakeAws.start(() => ({ hang: true }));
    try {
      const started = Date.now();
      const run = await withEnv({ ...awsEnv(), AWS_ENDPOINT_URL_S3: silent.url }, () => runCli(['cost', '--source', 'cur', 'cur/', '--from', '2026-11-01',
        '--to', '2026-12-01', '--registry', REGISTRY, '--timeout', '2', '--quiet'], { cwd, now: NOW }));
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`customer-value: reading the registry ${REGISTRY}: stopped after 2 s, the limit set by --timeout; raise it with --timeout SECONDS, `
        + 'or shorten the period\n');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await silent.close();
    }
  });
});

describe('ValueReviewReports\' function reading the registry (runReview, on s3rver)', () => {
  const CONFIG = {
    declarationsBucket: 'example-customer-value-registry',
    declarationsKey: 'assets/declarations.json',
    reportsBucket: 'example-customer-value-registry',
    reportsPrefix: 'packs/',
    database: 'customer_value',
    table: 'cur2',
    workgroup: 'customer-value',
    months: 2,
    businessUnits: [],
    thresholds: { costIncreasePercent: 20, unitCostIncreasePercent: 10, overdueDays: 0, minimumCost: 1 },
    unitTopics: {},
    timeoutSeconds: 900,
  };
  const TODAY = new Date('2026-12-03T07:00:00Z');

  /** The example's records as ValueReviewReports ships declarations (no resource counts, no review status). */
  function shipped(services: any[], ruleSets?: any[]): string {
    const records = services.map(({ resources: _r, valueReview, ...rest }) => {
      const { status: _s, checkedOn: _c, ...review } = valueReview ?? {};
      return valueReview ? { ...rest, valueReview: review } : rest;
    });
    return JSON.stringify({ schemaVersion: 1, tagKeys: services[0].tagKeys, services: records, ...(ruleSets ? { ruleSets } : {}) });
  }

  async function runFunction(config: any, declarations: any[], at = TODAY, cur = 'cur', ruleSets?: any[]) {
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: config.declarationsKey, Body: declarations.length > 0 ? shipped(declarations, ruleSets) : JSON.stringify({ schemaVersion: 1, tagKeys: JSON.parse(registrations.get('Shop')!.services)[0].tagKeys, services: [] }) }));
    const log: string[] = [];
    const summary = await runReview(config, at, {
      s3: s3.client, sns: new SNSClient({ region: 'us-east-1' }), log: (m) => log.push(m), source: new CurFileSource({ paths: [path.join(cwd, cur)] }),
    });
    expect(summary.failures).toEqual([]);
    const pack = async (unit: string) => JSON.parse(await (await s3.client.send(new GetObjectCommand({
      Bucket: s3.bucket, Key: `${config.reportsPrefix}2026-11/value-review-${unit}.json`,
    }))).Body!.transformToString());
    const markdown = await (await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${config.reportsPrefix}2026-11/value-review-retail.md` }))).Body!.transformToString();
    return { summary, log, retail: await pack('retail'), finance: await pack('finance'), markdown };
  }

  const allRecords = () => ['Shop', 'Ledger'].flatMap((n) => JSON.parse(registrations.get(n)!.services));
  const allRuleSets = () => ['Shop', 'Ledger'].flatMap((n) => JSON.parse(registrations.get(n)!.attribution ?? '[]'));
  const withoutSources = (pack: any) => ({ ...pack, notes: pack.notes.filter((n: string) => !/registry|declarations|attribution rules/.test(n)) });

  async function registerAll(prefix: string, at: (name: string) => Date): Promise<void> {
    for (const name of ['Shop', 'Ledger']) {
      await create(name, at(name), { prefix });
    }
  }

  test('the packs from the registry are the packs from the two apps\' declarations', async () => {
    // deployed the day before the run
    await registerAll('case-fn1/', () => new Date(TODAY.getTime() - 86_400_000));
    // the declarations and rule sets of both apps shipped with the function, as ValueReviewReports ships its own app's
    const fromDeclarations = await runFunction({ ...CONFIG, reportsPrefix: 'packs-declared/' }, allRecords(), TODAY, 'cur', allRuleSets());
    const fromRegistry = await runFunction({ ...CONFIG, registry: { bucket: s3.bucket, region: 'us-east-1', prefix: 'case-fn1/' } }, []);
    expect(fromRegistry.summary.written).toHaveLength(6);
    expect(withoutSources(fromRegistry.retail)).toEqual(withoutSources(fromDeclarations.retail));
    expect(withoutSources(fromRegistry.finance)).toEqual(withoutSources(fromDeclarations.finance));
    expect(fromRegistry.retail.businessUnits[0].services.map((s: any) => s.serviceName).sort()).toEqual(['checkout', 'refunds', 'wishlist']);
    expect(fromRegistry.markdown).toContain(`declarations: 5 declared services: the registry s3://${s3.bucket}/case-fn1/`);
    expect(fromDeclarations.markdown).toContain('declarations: 5 declared services shipped with the ValueReviewReports construct');
    expect(fromRegistry.retail.notes).toContain(`declarations from the registry s3://${s3.bucket}/case-fn1/: 5 services and 2 attribution rule sets of 2 entries`);
    // the rule sets the two stacks registered are applied, as the shipped ones are: the same attributed spend either way
    expect(fromRegistry.retail.businessUnits[0].attributed).toEqual([17, 17]);
    expect(fromRegistry.retail.businessUnits[0].attributed).toEqual(fromDeclarations.retail.businessUnits[0].attributed);
  });

  test('the packs query the tag keys the registered services declare (their apps\'), not the shipped declarations\' defaults', async () => {
    const prefix = 'case-keys/';
    // the organization's apps use their own tag keys (customer-value:tagKeys); the ValueReviewReports app ships none
    const rename = (key: string) => `org-${key}`;
    const records = (name: string) => (JSON.parse(registrations.get(name)!.services) as any[]).map((r) => ({
      ...r,
      tagKeys: Object.fromEntries(Object.entries(r.tagKeys).map(([field, key]) => [field, rename(key as string)])),
      tags: Object.fromEntries(Object.entries(r.tags).map(([key, value]) => [rename(key), value])),
    }));
    for (const name of ['Shop', 'Ledger']) {
      await create(name, new Date(TODAY.getTime() - 86_400_000), { prefix, services: JSON.stringify(records(name)) });
    }
    curCsv(path.join(cwd, 'cur-org', 'data.csv'), ['2026-10-10', '2026-11-10'].flatMap((day) => [
      line(day, 50, { user_org_customer_service: 'checkout', user_org_business_unit: 'retail' }),
      line(day, 30, { user_org_customer_service: 'invoicing', user_org_business_unit: 'finance' }),
    ]), CUR_COLUMNS);
    const run = await runFunction({ ...CONFIG, reportsPrefix: 'packs-keys/', registry: { bucket: s3.bucket, region: 'us-east-1', prefix } }, [], TODAY, 'cur-org');
    // checkout's 50 a month is read under the registered services' tag key; with the shipped keys it was all untagged
    const service = (pack: any, name: string) => pack.businessUnits[0].services.find((x: any) => x.serviceName === name);
    expect([service(run.retail, 'checkout').cost, service(run.finance, 'invoicing').cost]).toEqual([[50, 50], [30, 30]]);
  });

  test('registered apps that disagree on tag keys fail the run naming both registry entries (stack, account, entry) and what to do without a command line', async () => {
    const prefix = 'case-keys-differ/';
    const renamed = (JSON.parse(registrations.get('Shop')!.services) as any[]).map((r) => ({
      ...r,
      tagKeys: { ...r.tagKeys, service: 'org-customer-service' },
      tags: Object.fromEntries(Object.entries(r.tags).map(([key, value]) => [key === r.tagKeys.service ? 'org-customer-service' : key, value])),
    }));
    await create('Shop', new Date(TODAY.getTime() - 86_400_000), { prefix, services: JSON.stringify(renamed) });
    await create('Ledger', new Date(TODAY.getTime() - 86_400_000), { prefix });
    const none = JSON.stringify({ schemaVersion: 1, tagKeys: renamed[0].tagKeys, services: [] });
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: CONFIG.declarationsKey, Body: none }));
    const run = runReview({ ...CONFIG, reportsPrefix: 'packs-keys-differ/', registry: { bucket: s3.bucket, region: 'us-east-1', prefix } }, TODAY, {
      s3: s3.client, sns: new SNSClient({ region: 'us-east-1' }), log: () => undefined, source: new CurFileSource({ paths: [path.join(cwd, 'cur')] }),
    });
    const entry = (stack: string, account: string) => `\\(stack ${stack} in ${account}/[a-z0-9-]+, registry entry s3://${s3.bucket}/${prefix}v1/${account}/[^)]+\\): \\{[^}]*"service":"`;
    const message = await run.then(() => '', (e: Error) => e.message);
    expect(message).toMatch(new RegExp(`^the declarations read use different tag keys \\(\\w[\\w-]* ${entry('Shop', SHOP_ACCOUNT)}org-customer-service"`));
    expect(message).toMatch(new RegExp(`\\w[\\w-]* ${entry('Ledger', LEDGER_ACCOUNT)}customer-service"`));
    // no CLI flag: the readers of a scheduled run have no command line
    expect(message).not.toMatch(/--assembly|--registry|assemblies/);
    expect(message).toMatch(/: the scheduled packs query one set of tag keys: declare the same tag keys \(context customer-value:tagKeys\) in every app registered under this prefix, or register the apps with other tag keys under a prefix of their own .* a ValueReviewReports of their own \(registryLocation with that prefix\)$/);

    // this app's own services (shipped, not registered) are read with the registered keys too: with other keys, refused, not left untagged
    const own = { ...renamed[0], serviceName: 'gift-cards', constructPath: 'Gifts/gift-cards', stackName: 'Gifts', tags: { ...renamed[0].tags, 'org-customer-service': 'gift-cards' } };
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: CONFIG.declarationsKey, Body: shipped([own]) }));
    await create('Ledger', new Date(TODAY.getTime() - 86_400_000), { prefix: 'case-keys-own/' });
    const ownRun = runReview({ ...CONFIG, reportsPrefix: 'packs-keys-own/', registry: { bucket: s3.bucket, region: 'us-east-1', prefix: 'case-keys-own/' } }, TODAY, {
      s3: s3.client, sns: new SNSClient({ region: 'us-east-1' }), log: () => undefined, source: new CurFileSource({ paths: [path.join(cwd, 'cur')] }),
    });
    expect(await ownRun.then(() => '', (e: Error) => e.message)).toMatch(/^the declarations read use different tag keys \(.*\): \{.*"service":"customer-service".*gift-cards \(Gifts\): \{.*"service":"org-customer-service".*\}\): the scheduled packs/);
  });

  test('deleting one app\'s stack withdraws its services: the next pack and the next CLI review no longer hold them', async () => {
    const prefix = 'case-delete/';
    const physical = new Map<string, string>();
    const event = async (type: 'Create' | 'Delete', name: string) => {
      const r = registrations.get(name)!;
      const result = await onCustomResource({
        RequestType: type,
        ResponseURL: 'http://127.0.0.1:1/unused',
        StackId: r.stackId,
        RequestId: `req-${++requests}`,
        LogicalResourceId: r.logicalId,
        ...(type === 'Delete' ? { PhysicalResourceId: physical.get(name)! } : {}),
        ResourceProperties: { Bucket: s3.bucket, Region: 'us-east-1', Prefix: prefix, Services: r.services, ...rulesOf(r) },
      } as any, { s3: () => s3.client, now: () => new Date(TODAY.getTime() - 3_600_000) });
      expect([result.status, result.status === 'SUCCESS' ? '' : result.reason]).toEqual(['SUCCESS', '']);
      physical.set(name, result.physicalResourceId!);
    };
    await event('Create', 'Shop');
    await event('Create', 'Ledger');
    const config = { ...CONFIG, registry: { bucket: s3.bucket, region: 'us-east-1', prefix } };
    const before = await runFunction({ ...config, reportsPrefix: 'packs-before-delete/' }, []);
    expect(before.finance.businessUnits[0].services.map((x: any) => x.serviceName).sort()).toEqual(['invoicing', 'payouts']);

    // the ledger app's stack is deleted: CloudFormation sends its registration a Delete
    await event('Delete', 'Ledger');
    const after = await runFunction({ ...config, reportsPrefix: 'packs-after-delete/' }, []);
    expect(after.finance.businessUnits[0].services).toEqual([]);
    expect(after.retail.businessUnits[0].services.map((x: any) => x.serviceName).sort()).toEqual(['checkout', 'refunds', 'wishlist']);
    // withdrawn, not stale: no note about a stale entry
    expect(after.retail.notes.filter((n: string) => /stale/.test(n))).toEqual([]);

    const review = await cli(['review', '--source', 'cur', 'cur/', '--from', '2026-10-01', '--to', '2026-12-01', '-o', 'json', '--quiet',
      '--registry', `s3://${s3.bucket}/${prefix}`]);
    expect([review.code, review.code === 0 ? '' : review.stderr]).toEqual([0, '']);
    const units = JSON.parse(review.stdout).businessUnits.map((u: any) => [u.businessUnit, u.services.map((x: any) => x.serviceName).sort()]);
    expect(units).toEqual(expect.arrayContaining([['retail', ['checkout', 'refunds', 'wishlist']]]));
    expect(units.flatMap((u: any) => u[1])).not.toEqual(expect.arrayContaining(['invoicing']));
  });

  test('a stale entry is left out of the packs with a note; a registry that cannot be read falls back to the shipped declarations, noted', async () => {
    const prefix = 'case-fn/';
    // the ledger stack was deleted nine days ago, its entry not withdrawn
    await registerAll(prefix, (name) => new Date(TODAY.getTime() - (name === 'Ledger' ? 9 : 1) * 86_400_000));
    const stale = await runFunction({ ...CONFIG, reportsPrefix: 'packs-stale/', registry: { bucket: s3.bucket, region: 'us-east-1', prefix } }, []);
    // finance's services are gone from the declarations: its pack shows its cost as undeclared
    expect(stale.finance.businessUnits[0].services).toEqual([]);
    expect(stale.retail.notes).toEqual(expect.arrayContaining([
      expect.stringMatching(/^stale registry entry left out: Ledger in 222222222222\/eu-central-1 \(invoicing, payouts, rule set ledger-account\): no heartbeat since 2026-11-24/),
    ]));

    const fallback = await runFunction({ ...CONFIG, reportsPrefix: 'packs-fallback/', registry: { bucket: 'no-such-registry-bucket', region: 'us-east-1', prefix } }, allRecords());
    expect(fallback.retail.businessUnits[0].services).toHaveLength(3);
    expect(fallback.retail.notes[0]).toMatch(/^the declaration registry s3:\/\/no-such-registry-bucket\/case-fn\/ could not be read \(cannot list the registry s3:\/\/no-such-registry-bucket\/case-fn\/v1\/: NoSuchBucket: .*\): this pack uses the 5 declared services shipped with the ValueReviewReports construct instead$/);
    expect(fallback.log).toContain(fallback.retail.notes[0]);
  });
});
