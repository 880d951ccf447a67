import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CostExplorerClient, GetCostAndUsageCommand, GetCostAndUsageCommandInput } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { cePages } from './ce-data';
import { runCli, shopAssembly } from './fixtures';
import { tempDir } from '../util';

/*
 * Behaviours the reliability probe of issue 13 found correct (files, dates, flags, content, Cost Explorer faults,
 * assemblies), kept as tests where no other test covers them: one clear line and the right exit code each.
 */

const ce = mockClient(CostExplorerClient);
let cwd: string;
beforeAll(() => {
  cwd = tempDir();
  shopAssembly(path.join(cwd, 'cdk.out'));
});
beforeEach(() => {
  ce.reset();
  ce.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) =>
    cePages((input.GroupBy ?? []).map((g) => g.Key!))[input.NextPageToken ? 1 : 0]);
});
afterAll(() => ce.restore());

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |unexpected error/);
}

describe('dates', () => {
  test('a leap day is a date; the period is sent as given, --to exclusive', async () => {
    const res = await runCli(['cost', '--from', '2028-02-29', '--to', '2028-03-01', '--no-usage', '-q'], { cwd });
    expect(ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.TimePeriod).toEqual({ Start: '2028-02-29', End: '2028-03-01' });
    expect(res.stderr).not.toMatch(/is "2028-02-29"/);
  });

  test.each([['2027-02-29'], ['2026-13-01'], ['2026-10-1'], ['20261001'], ['']])('--from %j is refused (exit 2)', async (value) => {
    const res = await runCli(['cost', '--from', value, '--to', '2026-11-01'], { cwd });
    expect(res.code).toBe(2);
    expectOneLine(res.stderr);
    expect(res.stderr).toContain(`--from is ${JSON.stringify(value)}: expected a calendar date written YYYY-MM-DD`);
  });
});

describe('flags', () => {
  test('--name=value works like --name value', async () => {
    const res = await runCli(['cost', '--from=2026-10-01', '--to=2026-10-05', '--output=json', '--no-usage', '--quiet=true'], { cwd });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout).period).toEqual({ from: '2026-10-01', to: '2026-10-05', toExclusive: true });
  });

  test.each([
    [['--output', 'json', '--output', 'csv'], 'option --output is given twice ("json" and "csv")'],
    [['--quiet=yes'], 'option --quiet takes no value (got "yes")'],
    [['--output'], 'option --output needs a value: accepted values are table, json, csv, markdown, html'],
    [['--by', '--quiet'], 'option --by needs a value'],
    [['--timeout', '0'], '--timeout is "0": expected a number greater than 0'],
    [['-z'], 'unknown option -z for "cost"'],
  ])('%j: usage error, exit 2, no request', async (argv, message) => {
    const res = await runCli(['cost', ...argv], { cwd });
    expect(res.code).toBe(2);
    expectOneLine(res.stderr);
    expect(res.stderr).toContain(message);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);
  });

  test('unknown command and option before a command', async () => {
    expect((await runCli(['report'], { cwd })).stderr).toBe('customer-value: unknown command "report": commands are services, cost, coverage, review, catalog, sample '
      + '(see "customer-value --help")\n');
    expect((await runCli(['--by', 'team'], { cwd })).code).toBe(2);
  });
});

describe('files', () => {
  async function cur(file: string) {
    return runCli(['cost', '--source', 'cur', file, '--from', '2026-10-01', '--to', '2026-11-01', '-q'], { cwd });
  }

  test('an empty file, a gzip file without CSV in it, a corrupt gzip, a header without rows: one line each, exit 1', async () => {
    const dir = tempDir();
    const header = 'line_item_usage_start_date,line_item_line_item_type,line_item_currency_code,line_item_unblended_cost,resource_tags\n';
    fs.writeFileSync(path.join(dir, 'empty.csv'), '');
    fs.writeFileSync(path.join(dir, 'text.csv.gz'), zlib.gzipSync('garbage\n'));
    fs.writeFileSync(path.join(dir, 'corrupt.csv.gz'), Buffer.from('1f8b0800deadbeefdeadbeef', 'hex'));
    fs.writeFileSync(path.join(dir, 'header.csv'), header);
    const results = await Promise.all(['empty.csv', 'text.csv.gz', 'corrupt.csv.gz', 'header.csv'].map((f) => cur(path.join(dir, f))));
    for (const res of results) {
      expect(res.code).toBe(1);
      expectOneLine(res.stderr);
    }
    expect(results[0].stderr).toMatch(/empty\.csv is not a CUR 2\.0 export this command can read: missing columns/);
    expect(results[1].stderr).toMatch(/text\.csv\.gz is not a CUR 2\.0 export this command can read: missing columns/);
    expect(results[2].stderr).toMatch(/^customer-value: cannot read .*corrupt\.csv\.gz as CUR 2\.0 data: /);
    expect(results[3].stderr).toMatch(/no CUR line items between 2026-10-01 and 2026-11-01 \(exclusive\) in .*header\.csv: the files hold no line items/);
  });

  test('a folder of other files: no CUR files', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
    const res = await cur(dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^customer-value: no CUR files in .* \(expected \.parquet, \.csv or \.csv\.gz files/);
  });
});

describe('Cost Explorer faults', () => {
  test.each([
    [{ name: 'ExpiredTokenException', message: 'The security token included in the request is expired' }, /the AWS session \(profile "dev"\) has expired: sign in again/],
    [{ name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid' }, /AWS rejected the credentials \(profile "dev"\)/],
    [{ name: 'InternalServerError', message: 'internal error' }, /^customer-value: Cost Explorer GetCostAndUsage failed \(InternalServerError, HTTP 500\): internal error\n$/],
  ])('%j: one line, exit 1', async (fault, message) => {
    ce.reset();
    ce.on(GetCostAndUsageCommand).rejects(Object.assign(new Error(fault.message), { name: fault.name, $fault: 'server', $metadata: { httpStatusCode: 500 } }));
    const res = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-05', '--profile', 'dev', '-q', '--no-usage'], { cwd });
    expect(res.code).toBe(1);
    expectOneLine(res.stderr);
    expect(res.stderr).toMatch(message);
  });
});

describe('content', () => {
  test('credits exceeding charges: shares are not shown, a note says why', async () => {
    ce.reset();
    ce.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [{
        TimePeriod: { Start: '2026-10-01', End: '2026-10-02' },
        Groups: [
          { Keys: ['customer-service$checkout'], Metrics: { UnblendedCost: { Amount: '5', Unit: 'USD' } } },
          { Keys: ['customer-service$'], Metrics: { UnblendedCost: { Amount: '-8', Unit: 'USD' } } },
        ],
      }],
    });
    const res = await runCli(['cost', '--from', '2026-10-01', '--to', '2026-10-02', '-q', '--no-usage', '-o', 'json'], { cwd });
    expect(res.code).toBe(0);
    const data = JSON.parse(res.stdout);
    expect(data.total).toBe(-3);
    expect(data.rows.every((r: any) => r.share === null)).toBe(true);
    expect(data.notes).toContain('total spend is -3.00 USD (credits exceed charges): shares are not shown');
  });
});
