import * as fs from 'fs';
import * as path from 'path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { buildAssembly, CHECKOUT, runCli, SEARCH } from './fixtures';
import { DATA_PLATFORM, NETWORK } from './value-chain-fixtures';
import {
  Allocation, CostAndUsageExport, CostReporting, CustomerService, ServiceRef, ValueReviewOutcome, ValueReviewReports,
} from '../../src';
import { runReview, ValueReviewConfig } from '../../src/billing/value-review-reports.lambda';
import { DEFAULT_THRESHOLDS } from '../../src/cost-data/review/review-flags';
import { ServiceDeclarationRecord } from '../../src/declaration/record';
import { recordProblems } from '../../src/declaration/record-rules';
import { monthlyBudgetProblems, needProblems, ownerNameProblems, reviewProblems, TEAM_WHAT } from '../../src/declaration/rules';
import { allocationProblems } from '../../src/declaration/value-chain-rules';
import { OWNER } from '../billing/owner';
import { tempDir, testApp, VALID } from '../util';

/*
 * Declaration records read back (cloud assemblies for the CLI, shipped declarations for the scheduled value review)
 * are checked with the construct's own rules (issue 20, item 3): a hand-edited record is refused in one line naming
 * the file, the service and the field, never trusted (90 % + 90 % would make fully-loaded cost larger than the bill,
 * 150 % / -50 % a consumer's cost negative, "not-a-date" a review "ok", "lots" a printed budget, "" a blank row).
 */

type Edit = (r: ServiceDeclarationRecord) => Record<string, unknown>;

const CASES: Array<[string, Edit, string, RegExp]> = [
  ['a fixed allocation of 90 % + 90 %', (r) => ({ ...r, costAllocation: { method: 'fixed', percentages: { checkout: 90, search: 90 } } }),
    'data-platform', /costAllocation percentages add up to 180 \(checkout 90 \+ search 90\), not 100: the whole cost is shared, so make them add up to 100/],
  ['150 % and -50 %', (r) => ({ ...r, costAllocation: { method: 'fixed', percentages: { checkout: 150, search: -50 } } }),
    'data-platform', /costAllocation share of "checkout" is 150: a percentage is greater than 0 and at most 100 \(and 1 more problem\)/],
  ['a next review that is not a date', (r) => ({ ...r, valueReview: { ...CHECKOUT.valueReview!, nextReview: 'not-a-date' } }),
    'data-platform', /valueReview\.nextReview is "not-a-date": not a date; expected YYYY-MM-DD/],
  ['a budget of "lots"', (r) => ({ ...r, costReporting: { ...r.costReporting, monthlyBudgetUsd: 'lots' } }),
    'data-platform', /costReporting\.monthlyBudgetUsd is "lots": expected an amount in USD, positive and finite, from 0\.01 to 1000000000000/],
  ['an empty service name', (r) => ({ ...r, serviceName: '', tags: { ...r.tags, 'customer-service': '' } }),
    '', /serviceName is empty: /],
  ['a placeholder team', (r) => ({ ...r, team: 'TBD', tags: { ...r.tags, team: 'TBD' } }), 'data-platform', /team is "TBD": a placeholder; /],
  ['a service tag that is not the service name', (r) => ({ ...r, tags: { ...r.tags, 'customer-service': 'other' } }),
    'data-platform', /tags\["customer-service"\] is "other": the service tag holds serviceName as-is \("data-platform"\)/],
  ['an unknown review outcome', (r) => ({ ...r, valueReview: { ...CHECKOUT.valueReview!, outcome: 'celebrate' } }),
    'data-platform', /valueReview\.outcome is "celebrate": expected one of invest, sustain, improve, retire, or none/],
  ['a consumer that is the service itself', (r) => ({ ...r, consumes: ['data-platform'] }),
    'data-platform', /consumes\[0\] is "data-platform", the service itself: a service cannot consume itself/],
];

describe('the CLI refuses a record the construct would not have written, naming the file, the service and the field', () => {
  test.each(CASES)('%s', async (_name, edit, service, message) => {
    // GIVEN the platform app's assembly with data-platform's record edited by hand
    const cwd = tempDir();
    const dir = buildAssembly(path.join(cwd, 'platform.out'), [{ id: 'Platform', services: [NETWORK], raw: [edit(DATA_PLATFORM)] }]);

    // WHEN every command that reads declarations reads it
    for (const argv of [['services'], ['catalog'], ['cost', '--source', 'cur', 'no-such.csv', '--allocate', '-q'], ['review', '--source', 'cur', 'no-such.csv', '-q']]) {
      const res = await runCli([...argv, '--assembly', 'platform.out'], { cwd });

      // THEN one line, before any cost is read (the cost path does not exist)
      expect([argv[0], res.stderr.slice(0, 80)]).toEqual([argv[0], expect.stringMatching(/^customer-value: the customer-value:service record/)]);
      expect(res.code).toBe(1);
      expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(res.stderr).toContain(`customer-value: the customer-value:service record of ${service ? `service "${service}"` : 'a service'} in `
        + `${path.join(dir, 'manifest.json')} (stack Platform, /Platform/Raw) is refused: `);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).toMatch(/; records are written by "cdk synth": correct the declaration in the app and synthesize it again, never edit them\n$/);
    }
  });

  test('the records the construct writes pass (the fixtures, a real synthesized app in services.test.ts)', () => {
    for (const r of [CHECKOUT, SEARCH, NETWORK, DATA_PLATFORM]) {
      expect(recordProblems(r)).toEqual([]);
    }
  });

  test('one implementation: the record is refused with the construct\'s own messages, under the record\'s field names', () => {
    const record = (edit: Edit) => recordProblems(edit(DATA_PLATFORM));
    expect(record((r) => ({ ...r, costAllocation: { method: 'fixed', percentages: { checkout: 90, search: 90 } } })))
      .toEqual(allocationProblems('costAllocation', Allocation.fixed({ checkout: 90, search: 90 })));
    expect(record((r) => ({ ...r, costAllocation: { method: 'fixed', percentages: { checkout: 150, search: -50 } } })))
      .toEqual(allocationProblems('costAllocation', Allocation.fixed({ checkout: 150, search: -50 })));
    expect(record((r) => ({ ...r, team: 'TBD', tags: { ...r.tags, team: 'TBD' } }))).toEqual(ownerNameProblems('team', 'TBD', TEAM_WHAT));
    expect(record((r) => ({ ...r, customerNeed: 'Checkout' }))).toEqual(needProblems('customerNeed', 'Checkout'));
    expect(record((r) => ({ ...r, costReporting: { enabled: true, monthlyBudgetUsd: -5 } })))
      .toEqual(monthlyBudgetProblems('costReporting.monthlyBudgetUsd', -5));
    const longNote = 'x '.repeat(300);
    expect(record((r) => ({ ...r, valueReview: { ...CHECKOUT.valueReview!, note: longNote } })))
      .toEqual(reviewProblems('valueReview', { every: Duration.days(90), lastReviewed: '2026-10-01', note: longNote }, '2026-11-25'));
  });
});

describe('the scheduled value review refuses a shipped record the same way', () => {
  test('the declarations ValueReviewReports ships pass: services of the app and declarations of other apps (no customer, no stack)', () => {
    // GIVEN a real synthesis
    const app = testApp();
    const workload = new Stack(app, 'Retail', { env: { account: '111111111111', region: 'eu-west-1' } });
    const checkout = new CustomerService(workload, 'Checkout', {
      ...VALID,
      valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'retail-board', outcome: ValueReviewOutcome.INVEST, note: 'Grow it' },
      costReporting: CostReporting.disabled('record validation test'),
    });
    checkout.consumes(ServiceRef.named('private-network'));
    new sns.Topic(checkout, 'Events', { enforceSSL: true });
    const billing = new Stack(app, 'Billing', { env: { account: '222222222222', region: 'us-east-1' } });
    const cur = new CostAndUsageExport(billing, 'Cur', { owner: OWNER });
    new ValueReviewReports(billing, 'ValueReview', {
      owner: OWNER,
      costAndUsageExport: cur,
      services: [checkout],
      declarations: [{
        serviceName: 'private-network',
        customerNeed: 'Teams reach their services privately',
        team: 'platform',
        businessUnit: 'technology',
        costAllocation: Allocation.even(),
      }],
    });
    const assembly = app.synth();

    // WHEN the shipped file is read back
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${billing.artifactId}.assets.json`), 'utf8'));
    const file = Object.keys(manifest.files).map((h) => path.join(assembly.directory, manifest.files[h].source.path))
      .find((f) => f.endsWith('.json') && fs.statSync(f).isFile() && fs.readFileSync(f, 'utf8').includes('"services"'));
    const shipped = JSON.parse(fs.readFileSync(file!, 'utf8'));

    // THEN
    expect(shipped.services.map((r: any) => [r.serviceName, r.customer.kind, r.stackName])).toEqual([
      ['checkout', 'external', 'Retail'], ['private-network', 'not declared', ''],
    ]);
    for (const record of shipped.services) {
      expect(recordProblems(record, { shipped: true })).toEqual([]);
    }
  });

  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());

  test('a shipped record with a fixed allocation of 90 % + 90 % fails the run before any query, naming the file, the service and the field', async () => {
    // GIVEN the shipped declarations, data-platform's edited
    const { resources: _r, valueReview: _v, ...shipped } = { ...DATA_PLATFORM, costAllocation: { method: 'fixed', percentages: { checkout: 90, search: 90 } } };
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: { transformToString: async () => JSON.stringify({ schemaVersion: 1, tagKeys: NETWORK.tagKeys, services: [NETWORK, shipped] }) } as any,
    }));
    const config = {
      declarationsBucket: 'assets',
      declarationsKey: 'd.json',
      months: 3,
      businessUnits: [],
      thresholds: DEFAULT_THRESHOLDS,
      unitTopics: {},
      timeoutSeconds: 900,
    } as unknown as ValueReviewConfig;
    let queried = false;
    const source = { fetch: async () => { queried = true; throw new Error('not reached'); } } as any;

    // WHEN / THEN
    await expect(runReview(config, new Date('2026-12-03T00:00:00Z'), { s3: new S3Client({ region: 'us-east-1' }), sns: new SNSClient({}), log: () => undefined, source }))
      .rejects.toThrow('the customer-value:service record of service "data-platform" in s3://assets/d.json (services[1]) is refused: costAllocation '
        + 'percentages add up to 180 (checkout 90 + search 90), not 100');
    expect(queried).toBe(false);
  });
});
