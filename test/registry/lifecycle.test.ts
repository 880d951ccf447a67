import { GetObjectCommand } from '@aws-sdk/client-s3';
import { LocalS3, ruleSetRecord, serviceRecord, startLocalS3 } from './local-s3';
import { CustomResourceEvent, onCustomResource, RegistrationDeps } from '../../src/registry/declaration-registration.lambda';
import { entryKey, RegistryEntry } from '../../src/registry/entry';

/*
 * The registration function against a real S3-compatible server (s3rver), one CloudFormation lifecycle per row: the
 * events CloudFormation sends (and the duplicates and late deliveries Lambda's asynchronous invocation may add), and
 * what the registry holds afterwards. Every event is answered SUCCESS unless the row says otherwise.
 */

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const STACK = 'Shop';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/5e0c7a80-0000-11ef-8c3f-0a1b2c3d4e5f`;

/** One event: a request id, the services it declares, and (for Update and Delete) the request whose physical id it is about. */
interface Step {
  readonly type: 'Create' | 'Update' | 'Delete';
  readonly request: string;
  readonly services?: string[];
  /** The stack's attribution rule sets, by name (they travel with its services). */
  readonly ruleSets?: string[];
  /** The Create (or location-changing Update) request that gave the physical id this event names. */
  readonly of?: string;
  readonly prefix?: string;
  readonly logicalId?: string;
}

/**
 * What the registry holds at the end: by prefix and logical id, the live services (and `rules:<name>` for each
 * attribution rule set the entry carries), or 'withdrawn', or 'absent'.
 */
type Expected = Record<string, string[] | 'withdrawn' | 'absent'>;

const P1 = 'customer-value/';
const P2 = 'moved/';
const at = (prefix: string, logicalId = 'Registration') => `${prefix}${logicalId}`;

const CASES: Array<[string, Step[], Expected]> = [
  ['create registers the stack\'s services',
    [{ type: 'Create', request: 'r1', services: ['checkout', 'refunds'] }],
    { [at(P1)]: ['checkout', 'refunds'] }],
  ['update replaces them',
    [{ type: 'Create', request: 'r1', services: ['checkout', 'refunds'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout', 'wishlist'] }],
    { [at(P1)]: ['checkout', 'wishlist'] }],
  ['delete withdraws them',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Delete', request: 'r2', of: 'r1' }],
    { [at(P1)]: 'withdrawn' }],
  ['retried create (the same request again, after an update) changes nothing',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout', 'refunds'] },
      { type: 'Create', request: 'r1', services: ['checkout'] }],
    { [at(P1)]: ['checkout', 'refunds'] }],
  ['create after delete (a late copy of the create) does not bring the services back',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Delete', request: 'r2', of: 'r1' },
      { type: 'Create', request: 'r1', services: ['checkout'] }],
    { [at(P1)]: 'withdrawn' }],
  ['retried delete changes nothing',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Delete', request: 'r2', of: 'r1' }, { type: 'Delete', request: 'r2', of: 'r1' }],
    { [at(P1)]: 'withdrawn' }],
  ['an update that fails and rolls back: the old declarations again',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout', 'refunds'] },
      { type: 'Update', request: 'r3', of: 'r1', services: ['checkout'] }],
    { [at(P1)]: ['checkout'] }],
  ['a late copy of the failed update, after the rollback, changes nothing',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout', 'refunds'] },
      { type: 'Update', request: 'r3', of: 'r1', services: ['checkout'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout', 'refunds'] }],
    { [at(P1)]: ['checkout'] }],
  ['physical id change (the registry moved): the delete of the old id withdraws the old entry, not the new one',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout'], prefix: P2 },
      { type: 'Delete', request: 'r3', of: 'r1' }],
    { [at(P1)]: 'withdrawn', [at(P2)]: ['checkout'] }],
  ['moved and moved back: the delete of the older registration at the same key leaves the newer entry live',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout'], prefix: P2 },
      { type: 'Update', request: 'r3', of: 'r2', services: ['refunds'], prefix: P1 }, { type: 'Delete', request: 'r4', of: 'r1' },
      { type: 'Delete', request: 'r5', of: 'r2', prefix: P2 }],
    { [at(P1)]: ['refunds'], [at(P2)]: 'withdrawn' }],
  ['an update rolled back after the move: the new location\'s registration is deleted, the old one is untouched',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout', 'refunds'], prefix: P2 },
      { type: 'Delete', request: 'r3', of: 'r2', prefix: P2 }],
    { [at(P1)]: ['checkout'], [at(P2)]: 'withdrawn' }],
  ['construct moved (a new logical id): both registered while the stack updates, then the old one withdrawn',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Create', request: 'r2', services: ['checkout'], logicalId: 'Moved' },
      { type: 'Delete', request: 'r3', of: 'r1' }],
    { [at(P1)]: 'withdrawn', [at(P1, 'Moved')]: ['checkout'] }],
  ['stack deleted and created again under the same name: registered again',
    [{ type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Delete', request: 'r2', of: 'r1' },
      { type: 'Create', request: 'r3', services: ['refunds'] }],
    { [at(P1)]: ['refunds'] }],
  ['delete of a registration that never wrote (its create failed): nothing to withdraw, a later create of the stack registers',
    [{ type: 'Delete', request: 'r2', of: 'r1' }, { type: 'Create', request: 'r1', services: ['checkout'] }, { type: 'Create', request: 'r3', services: ['refunds'] }],
    { [at(P1)]: ['refunds'] }],
  ['create registers the stack\'s attribution rule sets with its services',
    [{ type: 'Create', request: 'r1', services: ['checkout'], ruleSets: ['shop-shared', 'shop-tax'] }],
    { [at(P1)]: ['checkout', 'rules:shop-shared', 'rules:shop-tax'] }],
  ['an update that removes the rule sets: the services only',
    [{ type: 'Create', request: 'r1', services: ['checkout'], ruleSets: ['shop-shared'] }, { type: 'Update', request: 'r2', of: 'r1', services: ['checkout'] }],
    { [at(P1)]: ['checkout'] }],
  ['delete withdraws the rule sets with the services',
    [{ type: 'Create', request: 'r1', services: ['checkout'], ruleSets: ['shop-shared'] }, { type: 'Delete', request: 'r2', of: 'r1' }],
    { [at(P1)]: 'withdrawn' }],
  ['an update that fails and rolls back: the old rule sets again',
    [{ type: 'Create', request: 'r1', services: ['checkout'], ruleSets: ['shop-shared'] },
      { type: 'Update', request: 'r2', of: 'r1', services: ['checkout'], ruleSets: ['shop-new'] },
      { type: 'Update', request: 'r3', of: 'r1', services: ['checkout'], ruleSets: ['shop-shared'] }],
    { [at(P1)]: ['checkout', 'rules:shop-shared'] }],
  ['moved and moved back: the delete of the older registration leaves the newer entry\'s rule sets live',
    [{ type: 'Create', request: 'r1', services: ['checkout'], ruleSets: ['shop-shared'] },
      { type: 'Update', request: 'r2', of: 'r1', services: ['checkout'], ruleSets: ['shop-shared'], prefix: P2 },
      { type: 'Update', request: 'r3', of: 'r2', services: ['refunds'], ruleSets: ['shop-shared'], prefix: P1 }, { type: 'Delete', request: 'r4', of: 'r1' }],
    { [at(P1)]: ['refunds', 'rules:shop-shared'], [at(P2)]: ['checkout', 'rules:shop-shared'] }],
];

describe('the registration function\'s lifecycle, on a local S3 server', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    s3 = await startLocalS3();
  });
  afterAll(async () => s3.close());

  let run = 0;
  test.each(CASES)('%s', async (_name, steps, expected) => {
    // each row in a folder of its own
    const root = `row${++run}/`;
    const deps: RegistrationDeps = { s3: () => s3.client, now: () => new Date('2026-12-01T06:00:00.000Z') };
    const physical = new Map<string, string>();
    for (const step of steps) {
      const prefix = root + (step.prefix ?? P1);
      const event: CustomResourceEvent = {
        RequestType: step.type,
        ResponseURL: 'http://127.0.0.1:1/unused',
        StackId: STACK_ID,
        RequestId: step.request,
        LogicalResourceId: step.logicalId ?? 'Registration',
        ...(step.of ? { PhysicalResourceId: physical.get(step.of) ?? `s3://${s3.bucket}/${prefix}v1/${ACCOUNT}/${REGION}/${STACK}/Registration.json#${step.of}` } : {}),
        ResourceProperties: {
          ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:registration',
          Bucket: s3.bucket,
          Region: 'us-east-1',
          Prefix: prefix,
          Services: JSON.stringify((step.services ?? []).map((name) => serviceRecord(name, STACK))),
          ...(step.ruleSets ? { AttributionRules: JSON.stringify(step.ruleSets.map((name) => ruleSetRecord(name, STACK))) } : {}),
        },
      };
      const result = await onCustomResource(event, deps);
      expect({ step, status: result.status, reason: result.reason }).toEqual({ step, status: 'SUCCESS', reason: result.reason });
      if (!physical.has(step.request)) {
        physical.set(step.request, result.physicalResourceId);
      }
    }
    const found: Expected = {};
    for (const where of Object.keys(expected)) {
      const [prefix, logicalId] = where.startsWith(P2) ? [P2, where.slice(P2.length)] : [P1, where.slice(P1.length)];
      const entry = await readEntry(entryKey(root + prefix, { account: ACCOUNT, region: REGION, stackName: STACK, logicalId }));
      found[where] = entry === undefined ? 'absent' : entry.state === 'withdrawn' ? 'withdrawn'
        : [...entry.services.map((s) => s.serviceName), ...(entry.attribution ?? []).map((r) => `rules:${r.ruleSet}`)];
      // an entry with rule sets is schema 2 (a reader too old to apply them refuses it), one without stays 1
      if (entry !== undefined) {
        expect([where, entry.schemaVersion]).toEqual([where, (entry.attribution ?? []).length > 0 ? 2 : 1]);
      }
    }
    expect(found).toEqual(expected);
  });

  async function readEntry(key: string): Promise<RegistryEntry | undefined> {
    try {
      const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      return JSON.parse(await out.Body!.transformToString()) as RegistryEntry;
    } catch (e) {
      if ((e as Error).name === 'NoSuchKey') return undefined;
      throw e;
    }
  }
});
