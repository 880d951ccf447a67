import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildAssembly, CHECKOUT, expectGolden, REPORTS, runCli, SEARCH, shopAssembly, WISHLIST } from './fixtures';
import { createApp } from '../../examples/minimal';
import { CostReporting, Customer, CustomerService } from '../../src';
import { exampleAppProps, tempDir } from '../util';

function expectOneLine(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('customer-value services over a real synthesized app', () => {
  let outdir: string;
  beforeAll(() => {
    // GIVEN examples/minimal.ts synthesized with the test context
    const app = createApp(exampleAppProps());
    outdir = app.synth().directory;
  });

  test('reads the declaration back through the cloud-assembly API (metadata in <stack>.metadata.json)', async () => {
    // The metadata is not in manifest.json itself: recent aws-cdk-lib writes it to a separate file.
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(JSON.stringify(manifest)).not.toContain('customer-value:service');

    // WHEN
    const res = await runCli(['services', '--assembly', outdir, '--output', 'json'], { cwd: path.dirname(outdir) });

    // THEN
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const data = JSON.parse(res.stdout);
    expect(data.services).toHaveLength(1);
    expect(data.services[0]).toMatchObject({
      serviceName: 'wishlist',
      customerNeed: 'Shoppers keep a list of products they want to buy later',
      customer: { kind: 'external', name: 'Online shoppers' },
      team: 'discovery',
      businessUnit: 'retail',
      valueReview: { status: 'ok', nextReview: '2027-03-14', reviewer: 'retail-board' },
      unitMetric: 'per 1000 wishlist requests',
      stack: 'Wishlist',
      stage: null,
      account: '111111111111',
      region: 'eu-west-1',
    });
    expect(data.services[0].tagCoverage.tagged).toBe(data.services[0].tagCoverage.taggable);
    expect(data.services[0].tagCoverage.taggable).toBeGreaterThan(0);
  });

  test('the outcome of the last value review is shown with the review, and its note is in the JSON', async () => {
    // GIVEN
    const cwd = tempDir();
    const improve = { ...CHECKOUT, valueReview: { ...CHECKOUT.valueReview!, outcome: 'improve', note: 'Halve the cost per order' } };
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Shop', services: [improve, WISHLIST] }]);
    // WHEN
    const table = await runCli(['services'], { cwd });
    const json = await runCli(['services', '--output', 'json'], { cwd });
    // THEN
    expect(table.stdout).toMatch(/^checkout .* ok \(next 2026-12-30; 2026-10-01: improve\)/m);
    expect(table.stdout).toMatch(/^wishlist .* due-soon \(next 2026-12-01\) /m);
    expect(JSON.parse(json.stdout).services[0].valueReview).toMatchObject({ outcome: 'improve', note: 'Halve the cost per order' });
  });

  test('accepts the manifest.json path and prints the table', async () => {
    const res = await runCli(['services', '--assembly', path.join(outdir, 'manifest.json')], { cwd: outdir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^wishlist\s+Shoppers keep a list/m);
    expect(res.stdout).toContain('per 1000 wishlist requests');
  });
});

describe('customer-value services: assemblies', () => {
  test('a real CDK app with two Stages: the nested assemblies are read through the cloud-assembly API', async () => {
    // GIVEN the minimal service deployed by two stages of one app (what CDK Pipelines synthesizes)
    const app = new App(exampleAppProps());
    for (const name of ['Beta', 'Prod']) {
      const stage = new Stage(app, name, { env: { account: name === 'Beta' ? '222222222222' : '333333333333', region: 'eu-west-1' } });
      const stack = new Stack(stage, 'Shop');
      const service = new CustomerService(stack, 'Orders', {
        customerNeed: 'Shoppers see where their order is',
        customer: Customer.external('Online shoppers'),
        team: 'fulfilment',
        businessUnit: 'retail',
        costReporting: CostReporting.disabled('test'),
      });
      new sqs.Queue(service, 'Events', { enforceSSL: true });
    }
    const dir = app.synth().directory;

    // WHEN
    const res = await runCli(['services', '--assembly', dir, '--output', 'json'], { cwd: dir });

    // THEN
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).services.map((s: any) => [s.serviceName, s.stage, s.stack, s.account])).toEqual([
      ['orders', 'Beta', 'Beta-Shop', '222222222222'],
      ['orders', 'Prod', 'Prod-Shop', '333333333333'],
    ]);
  });

  test('includes nested assemblies (CDK Pipelines stages) with the stage name', async () => {
    // GIVEN the same service deployed by two stages, plus one top-level stack
    const dir = buildAssembly(path.join(tempDir(), 'cdk.out'), [{ id: 'Tools', services: [REPORTS] }], [
      { name: 'Beta', stacks: [{ id: 'BetaShop', stackName: 'Beta-Shop', services: [CHECKOUT] }] },
      { name: 'Prod', stacks: [{ id: 'ProdShop', stackName: 'Prod-Shop', env: 'aws://333333333333/eu-west-1', services: [CHECKOUT] }] },
    ]);

    // WHEN
    const res = await runCli(['services', '--assembly', dir, '--output', 'json'], { cwd: path.dirname(dir) });

    // THEN
    expect(res.code).toBe(0);
    const rows = JSON.parse(res.stdout).services.map((s: any) => [s.serviceName, s.stage, s.stack, s.account]);
    expect(rows).toEqual([
      ['checkout', 'Beta', 'Beta-Shop', '111111111111'],
      ['checkout', 'Prod', 'Prod-Shop', '333333333333'],
      ['reports', null, 'Tools', '111111111111'],
    ]);
  });

  test('reads a directory of assemblies and repeated --assembly', async () => {
    // GIVEN cdk.out/<app>/ per app
    const root = path.join(tempDir(), 'cdk.out');
    buildAssembly(path.join(root, 'shop'), [{ id: 'Shop', services: [CHECKOUT, WISHLIST] }]);
    buildAssembly(path.join(root, 'search'), [{ id: 'Search', services: [SEARCH] }]);
    const other = buildAssembly(path.join(tempDir(), 'reports.out'), [{ id: 'Reports', services: [REPORTS] }]);

    // WHEN
    const res = await runCli(['services', '--assembly', 'cdk.out', '--assembly', other, '--output', 'json'], { cwd: path.dirname(root) });

    // THEN
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.assemblies).toEqual(['cdk.out/search', 'cdk.out/shop', other]);
    expect(data.services.map((s: any) => s.serviceName)).toEqual(['checkout', 'reports', 'search', 'wishlist']);
  });

  test('an assembly without services prints an empty table and says so on stderr', async () => {
    const dir = buildAssembly(path.join(tempDir(), 'cdk.out'), [{ id: 'Empty', services: [] }]);
    const res = await runCli(['services', '--assembly', dir], { cwd: path.dirname(dir) });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('customer-value: no customer services declared in cdk.out\n');
    expect(res.stdout).toContain('(none)');
  });
});

describe('customer-value services: golden outputs', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = tempDir();
    shopAssembly(path.join(cwd, 'cdk.out'));
  });

  test.each([
    ['table', 'services.table.txt'],
    ['json', 'services.json'],
    ['csv', 'services.csv'],
    ['markdown', 'services.md'],
  ])('--output %s', async (output, golden) => {
    const res = await runCli(['services', '--output', output], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expectGolden(golden, res.stdout);
  });

  test('--out writes the file and prints nothing on stdout', async () => {
    const res = await runCli(['services', '--output', 'csv', '--out', 'services.csv'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('customer-value: wrote services.csv\n');
    expectGolden('services.csv', fs.readFileSync(path.join(cwd, 'services.csv'), 'utf8'));
  });
});

describe('customer-value services: bad input gives one line and a non-zero exit code', () => {
  test('missing assembly', async () => {
    const cwd = tempDir();
    const res = await runCli(['services'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: no cloud assembly at ".*cdk\.out": the path does not exist; run "cdk synth" first/);
    expect(res.stdout).toBe('');
  });

  test('a directory that holds no assembly', async () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, 'cdk.out'));
    const res = await runCli(['services'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toContain('no cloud assembly in');
  });

  test('a manifest.json that is not JSON', async () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, 'cdk.out'));
    fs.writeFileSync(path.join(cwd, 'cdk.out', 'manifest.json'), '{ "version": "55.0.0", "artifacts": {');
    const res = await runCli(['services'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: cannot read the cloud assembly in ".*cdk\.out": /);
  });

  test('a stack whose metadata file is missing', async () => {
    const cwd = tempDir();
    const dir = shopAssembly(path.join(cwd, 'cdk.out'));
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    manifest.artifacts.Shop.additionalMetadataFile = 'Shop.metadata.json';
    delete manifest.artifacts.Shop.metadata;
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const res = await runCli(['services'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: cannot read the (metadata of stack Shop|cloud assembly)/);
  });

  test('a record without the fields the CLI needs', async () => {
    const cwd = tempDir();
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'Odd', services: [], raw: [{ schemaVersion: 1, serviceName: 'x' }] }]);
    const res = await runCli(['services'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: the customer-value:service record of service "x" in .*cdk\.out\/manifest\.json \(stack Odd, \/Odd\/Raw\) is refused: customerNeed is missing \(and 9 more problems\); /);
  });

  test('a record written by a newer schema', async () => {
    const cwd = tempDir();
    buildAssembly(path.join(cwd, 'cdk.out'), [{ id: 'New', services: [], raw: [{ ...CHECKOUT, schemaVersion: 99 }] }]);
    const res = await runCli(['services'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(/^customer-value: the customer-value:service record of service "checkout" in .*manifest\.json \(stack New, \/New\/Raw\) is refused: schemaVersion is 99, this version of cdk-customer-value reads up to 1: upgrade cdk-customer-value\n$/);
  });

  test('--assembly pointing at a file', async () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'notes.txt'), 'x');
    const res = await runCli(['services', '--assembly', 'notes.txt'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toContain('"notes.txt" is a file');
  });

  test.each([
    [['services', '--output', 'xml'], 'customer-value services: --output is "xml": accepted values are table, json, csv, markdown'],
    [['services', '--outptu', 'json'], 'customer-value services: unknown option --outptu for "services" (did you mean --output?)'],
    [['services', 'extra'], 'customer-value services: unexpected argument "extra" for "services"'],
    [['services', '--output'], 'customer-value services: option --output needs a value: accepted values are table, json, csv, markdown'],
    [['servcies'], 'customer-value: unknown command "servcies": commands are services, cost, coverage, review, catalog, sample'],
    [['--bogus'], 'customer-value: unknown option --bogus: give a command first (services, cost, coverage, review, catalog, sample)'],
  ])('usage error %j', async (argv, message) => {
    const res = await runCli(argv, { cwd: tempDir() });
    expect(res.code).toBe(2);
    expectOneLine(res.stderr);
    expect(res.stderr.startsWith(message)).toBe(true);
    expect(res.stderr).toMatch(/\(see "customer-value( services)? --help"\)\n$/);
  });
});
