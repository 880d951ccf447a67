import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudAssemblyBuilder } from 'aws-cdk-lib/cx-api';
import { CliIo, run } from '../../src/cli/main';
import { UsageReader } from '../../src/cost-data/sources/unit-usage';
import { CostAllocationRecord, ServiceDeclarationRecord, SERVICE_METADATA_TYPE } from '../../src/declaration/record';
import { daysFrom } from '../../src/declaration/review-dates';
import { addDays } from '../../src/private/iso-date';

const KEYS = { service: 'customer-service', need: 'customer-need', customer: 'customer', team: 'team', businessUnit: 'business-unit' };

export interface RecordProps {
  readonly serviceName: string;
  readonly customerNeed: string;
  readonly customer: { kind: string; name: string };
  readonly team: string;
  readonly businessUnit: string;
  readonly review?: { status: string; next: string; last?: string; every?: number; reviewer?: string; outcome?: string; note?: string };
  readonly unit?: { name: string; scale: number };
  readonly reporting?: { enabled: boolean; reason?: string; budget?: number };
  readonly resources?: { taggable: number; tagged: number; untaggable?: Record<string, number> };
  readonly stackName: string;
  readonly needTag?: string;
  /** The value chain: services it consumes, and its declared allocation (absent from the record when not given). */
  readonly consumes?: string[];
  readonly allocation?: CostAllocationRecord;
}

/** A `customer-value:service` record as the construct writes it (fixed values, for golden outputs). */
export function record(p: RecordProps): ServiceDeclarationRecord {
  const needTag = p.needTag ?? p.customerNeed.replace(/[^A-Za-z0-9 _.:/=+\-]/g, ' ').replace(/\s+/g, ' ').trim();
  const untaggable = p.resources?.untaggable ?? { 'AWS::IAM::Policy': 1 };
  return {
    schemaVersion: 1,
    serviceName: p.serviceName,
    customerNeed: p.customerNeed,
    customer: p.customer,
    team: p.team,
    businessUnit: p.businessUnit,
    valueReview: p.review ? {
      // as the construct writes it: the next review is the last one plus the interval (the CLI refuses other records)
      everyDays: p.review.every ?? (p.review.last ? daysFrom(p.review.last, p.review.next) : 90),
      lastReviewed: p.review.last ?? addDays(p.review.next, -(p.review.every ?? 90)),
      nextReview: p.review.next,
      reviewer: p.review.reviewer,
      status: p.review.status,
      checkedOn: '2026-11-25',
      outcome: p.review.outcome,
      note: p.review.note,
    } : undefined,
    tagKeys: KEYS,
    tags: {
      'customer-service': p.serviceName,
      'customer-need': needTag,
      'customer': `${p.customer.kind}:${p.customer.name}`,
      'team': p.team,
      'business-unit': p.businessUnit,
    },
    resources: {
      total: (p.resources?.taggable ?? 3) + Object.values(untaggable).reduce((a, b) => a + b, 0),
      taggable: p.resources?.taggable ?? 3,
      tagged: p.resources?.tagged ?? 3,
      untaggableByType: untaggable,
    },
    costReporting: {
      enabled: p.reporting?.enabled ?? true,
      disabledReason: p.reporting?.reason,
      monthlyBudgetUsd: p.reporting?.budget,
      unitMetric: p.unit?.name,
      unitScale: p.unit?.scale,
    },
    usageMetrics: p.unit ? [{
      name: p.unit.name,
      origin: 'declared',
      namespace: 'AWS/Lambda',
      metricName: 'Invocations',
      dimensions: { FunctionName: '{"Ref":"ApiFn"}' },
      statistic: 'Sum',
      periodSeconds: 300,
    }] : [],
    constructPath: `${p.stackName}/${p.serviceName}`,
    stackName: p.stackName,
    includedScopes: [],
    ...(p.consumes ? { consumes: p.consumes } : {}),
    ...(p.allocation ? { costAllocation: p.allocation } : {}),
  };
}

export const CHECKOUT = record({
  serviceName: 'checkout',
  customerNeed: 'Shoppers pay for their basket in one step',
  customer: { kind: 'external', name: 'Online shoppers' },
  team: 'payments',
  businessUnit: 'retail',
  review: { status: 'ok', next: '2026-12-30', reviewer: 'retail-board' },
  unit: { name: 'orders', scale: 1000 },
  reporting: { enabled: true, budget: 500 },
  stackName: 'Shop',
});

export const WISHLIST = record({
  serviceName: 'wishlist',
  customerNeed: 'Shoppers keep a list of products they want to buy later',
  customer: { kind: 'external', name: 'Online shoppers' },
  team: 'discovery',
  businessUnit: 'retail',
  review: { status: 'due-soon', next: '2026-12-01' },
  unit: { name: 'wishlist requests', scale: 1000 },
  stackName: 'Shop',
});

export const SEARCH = record({
  serviceName: 'search',
  customerNeed: 'Shoppers find the product they are looking for',
  customer: { kind: 'external', name: 'Online shoppers' },
  team: 'discovery',
  businessUnit: 'retail',
  review: { status: 'overdue', next: '2026-11-01' },
  resources: { taggable: 5, tagged: 4, untaggable: { 'AWS::IAM::Policy': 2, 'AWS::Lambda::Permission': 1 } },
  stackName: 'Search',
});

/** A need with characters every format must escape: quotes, a comma, a pipe, a leading "=" in the customer name. */
export const REPORTS = record({
  serviceName: 'reports',
  customerNeed: 'Finance closes the month with "actuals, accruals | variances" in one place',
  customer: { kind: 'internal', name: '=Finance controlling' },
  team: 'data',
  businessUnit: 'finance',
  reporting: { enabled: false, reason: 'sandbox, torn down nightly' },
  stackName: 'Reports',
});

export interface FixtureStack {
  readonly id: string;
  readonly stackName?: string;
  readonly env?: string;
  readonly services: ServiceDeclarationRecord[];
  /** Raw metadata entries, for malformed-record tests. */
  readonly raw?: unknown[];
  /** `customer-value:attribution` records (rule sets), as the AttributionRules construct writes them. */
  readonly attribution?: unknown[];
  /** `customer-value:member` records (a scope of the stack a service include()s), as CustomerService writes them. */
  readonly members?: unknown[];
}

function addStacks(builder: CloudAssemblyBuilder, stacks: FixtureStack[]): void {
  for (const s of stacks) {
    const templateFile = `${s.id}.template.json`;
    fs.writeFileSync(path.join(builder.outdir, templateFile), JSON.stringify({ Resources: {} }));
    const metadata: Record<string, any[]> = {};
    for (const r of s.services) {
      metadata[`/${s.id}/${r.serviceName}`] = [{ type: SERVICE_METADATA_TYPE, data: r }];
    }
    if (s.raw) {
      metadata[`/${s.id}/Raw`] = s.raw.map((data) => ({ type: SERVICE_METADATA_TYPE, data }));
    }
    (s.attribution ?? []).forEach((data, i) => {
      metadata[`/${s.id}/Rules${i}`] = [{ type: 'customer-value:attribution', data }];
    });
    (s.members ?? []).forEach((data, i) => {
      metadata[`/${s.id}/Member${i}`] = [{ type: 'customer-value:member', data }];
    });
    builder.addArtifact(s.id, {
      type: 'aws:cloudformation:stack' as any,
      environment: s.env ?? 'aws://111111111111/eu-west-1',
      properties: { templateFile, stackName: s.stackName ?? s.id },
      metadata,
    });
  }
}

/** Writes a cloud assembly with the given stacks (and stages as nested assemblies) to `dir`. */
export function buildAssembly(dir: string, stacks: FixtureStack[], stages: { name: string; stacks: FixtureStack[] }[] = []): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const builder = new CloudAssemblyBuilder(dir);
  addStacks(builder, stacks);
  for (const stage of stages) {
    const nested = builder.createNestedAssembly(`assembly-${stage.name}`, stage.name);
    addStacks(nested, stage.stacks);
    nested.buildAssembly();
  }
  builder.buildAssembly();
  return dir;
}

/** The standard fixture: checkout + wishlist in Shop, search in Search, reports (no cost) in Reports. */
export function shopAssembly(dir: string): string {
  return buildAssembly(dir, [
    { id: 'Shop', services: [CHECKOUT, WISHLIST] },
    { id: 'Search', services: [SEARCH] },
    { id: 'Reports', env: 'aws://111111111111/us-east-1', services: [REPORTS] },
  ]);
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process, capturing stdout and stderr. */
export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  readonly usageReader?: (o: any) => UsageReader;
  readonly now?: Date;
}

export async function runCli(argv: string[], opts: RunOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
    cwd: opts.cwd,
    env: opts.env ?? {},
    now: () => opts.now ?? new Date('2026-11-25T12:00:00Z'),
    usageReader: opts.usageReader,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/**
 * Compares `actual` with the committed golden file test/cli/golden/<name>. Never rewrites it: on a mismatch the
 * actual output is written to the system temp directory for review.
 */
export function expectGolden(name: string, output: string, options: { crlf?: boolean } = {}): void {
  let actual = output;
  if (options.crlf) {
    // RFC 4180 line ends; the golden file is stored with LF (the repository normalises line ends).
    expect(output.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    actual = output.replace(/\r\n/g, '\n');
  }
  const file = path.join(__dirname, 'golden', name);
  const review = path.join(os.tmpdir(), `customer-value-golden-${name}`);
  if (!fs.existsSync(file)) {
    fs.writeFileSync(review, actual);
    throw new Error(`golden file test/cli/golden/${name} is missing: review ${review} and commit it as test/cli/golden/${name}`);
  }
  const expected = fs.readFileSync(file, 'utf8');
  if (expected !== actual) {
    fs.writeFileSync(review, actual);
  }
  expect(actual).toEqual(expected);
}

/** A small CUR 2.0 CSV export: header + rows; `resource_tags` is a JSON object string, as in a CSV data export. */
export function curCsv(file: string, rows: Array<Record<string, string | number>>, columns?: string[]): string {
  const cols = columns ?? ['line_item_usage_start_date', 'line_item_line_item_type', 'line_item_currency_code', 'line_item_unblended_cost', 'resource_tags'];
  const quote = (v: string | number) => (typeof v === 'number' ? String(v) : `"${v.replace(/"/g, '""')}"`);
  const lines = [cols.join(','), ...rows.map((r) => cols.map((c) => quote(r[c] ?? '')).join(','))];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export function line(day: string, amount: number, tags: Record<string, string>, currency = 'USD') {
  return {
    line_item_usage_start_date: `${day} 10:00:00`,
    line_item_line_item_type: 'Usage',
    line_item_currency_code: currency,
    line_item_unblended_cost: amount,
    resource_tags: JSON.stringify(tags),
  };
}

/** stderr without the missing-days warning `review` gives over fixtures with few days (issue 20); nothing else is removed. */
export function withoutMissingDays(stderr: string): string {
  return stderr.replace(/^customer-value: warning: no cost data for \d+ of the \d+ days .*\n/m, '');
}
