/**
 * Generates synthetic FOCUS (FinOps Open Cost and Usage Specification) data as several clouds write it, messy parts
 * included, with exact known totals.
 *
 *   npx tsx scripts/generate-focus.ts --rows 100000 --out /tmp/focus [--format parquet|csv|csv.gz] [--months 2]
 *                                     [--start 2026-10] [--seed 1] [--export-name customer-value-focus]
 *                                     [--focus-version 1.0|1.1|1.2|1.3] [--rows-per-file 2000000]
 *                                     [--currencies "AWS=USD,Microsoft=EUR,Google Cloud=USD"] [--untagged-mix true]
 *
 * Writes
 *   <out>/<export-name>/data/billing_period=YYYY-MM/<export-name>-00001.snappy.parquet   (or .csv / .csv.gz)
 *   <out>/<export-name>/metadata/billing_period=YYYY-MM/<export-name>-Manifest.json
 *                                     (the partition folder of FOCUS exports: FOCUS_1_2_SCHEMA.partitionFolder)
 *   <out>/<export-name>-totals.json   the exact totals, per billing currency: per metric (billed, effective, list,
 *                                     contracted), per service tag value, provider, business unit, charge category;
 *                                     untagged; corrections; cost carried by near-duplicate keys
 *
 * What it writes, on purpose:
 * - three providers in one file: AWS (60 % of rows), Microsoft (30 %), Google Cloud (10 %), each with its own keys:
 *   AWS the customer-value keys plus AWS-generated `aws:createdBy`; Microsoft the same keys, but on some rows as
 *   `Customer-Service` (case) or ` customer-service` (a leading space), with `CostCenter`, `Cost department` and
 *   `aks-managed-cluster`; Google Cloud lower-case label keys and `goog-k8s-cluster-name`;
 * - Tags as a map in Parquet and a JSON object string in CSV; null tags as an empty cell, `{}`, or the literal `NULL`;
 *   other null cells in CSV as empty or `NULL`; costs in CSV with 9 to 18 decimals;
 * - charge categories Usage, Tax, Credit (negative), Adjustment, Purchase (commitment purchase: EffectiveCost 0), and
 *   `ChargeClass = Correction` rows delivered in a billing period's files for the charge period before it;
 * - several billing periods; `InvoiceId` empty in the last one (not invoiced yet) from FOCUS 1.2 on.
 *
 * Amounts are whole nano-units generated in DuckDB from range(), so the totals are exact and the files of any size
 * (10 M rows and more) are streamed with COPY ... TO; the same seed always gives the same files and totals.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DuckDBConnection } from '@duckdb/node-api';
import { SERVICES } from './generate-cur';
import {
  billingPeriods, commonProblems, EXPORT_DEFAULTS, ExportFileFormat, ExportOptions, intOption, lit, nextMonthStart, parseCommandLine, pickSql,
  runGenerator, splitEvenly, UNTAGGED_MIX, untaggedStackSql, withDuckDb, writeExport,
} from './lib/export-writer';
import { FOCUS_1_2_SCHEMA } from '../src/cost-data/schemas/focus-schema';
import { FocusQueries } from '../src/cost-data/schemas/focus-sql';
import { STACK_NAME_TAG_KEY } from '../src/declaration/attribution-record';
import { deriveTagValue } from '../src/private/tag-safe';
import { TagKeys } from '../src/tag-keys';

export type FocusFileFormat = ExportFileFormat;

export interface GenerateFocusOptions {
  readonly rows: number;
  readonly out: string;
  /** @default 'parquet' */
  readonly format?: FocusFileFormat;
  /** @default 2 */
  readonly months?: number;
  /** @default '2026-10' */
  readonly start?: string;
  /** @default 1 */
  readonly seed?: number;
  /** @default 'customer-value-focus' */
  readonly exportName?: string;
  /** @default '1.2' */
  readonly focusVersion?: string;
  /** @default 2000000 */
  readonly rowsPerFile?: number;
  /** Billing currency per provider. @default every provider USD */
  readonly currencies?: Record<string, string>;
  readonly threads?: number;
  /**
   * Untagged spend of the kinds attribution rules are declared for (`UNTAGGED_MIX` in scripts/lib/export-writer.ts):
   * AWS usage without a service carries a `SubAccountId` of the mix, and half of it the `aws:cloudformation:stack-name`
   * tag. Totals are computed the same way. @default false
   */
  readonly untaggedMix?: boolean;
}

/** Totals of one cost column. */
export interface FocusMetricTotals {
  readonly total: number;
  /** Rows without the exact service key (near-duplicate keys included: they are not merged). */
  readonly untagged: number;
  readonly byService: Record<string, number>;
  readonly byBusinessUnit: Record<string, number>;
  readonly byProvider: Record<string, number>;
  readonly byCategory: Record<string, number>;
  readonly corrections: number;
}

export interface FocusTotals {
  readonly exportName: string;
  readonly focusVersion: string;
  readonly format: FocusFileFormat;
  readonly rows: number;
  readonly billingPeriods: string[];
  /** First charge day and the day after the last: the period to report on. */
  readonly from: string;
  readonly to: string;
  readonly files: string[];
  /** Per billing currency, per metric. */
  readonly byCurrency: Record<string, Record<'billed' | 'effective' | 'list' | 'contracted', FocusMetricTotals>>;
  /** Billed cost carried by each near-duplicate service key (on rows without the exact key), per currency. */
  readonly nearDuplicateKeys: Record<string, Record<string, number>>;
  readonly elapsedMs?: number;
}

const PROVIDERS = ['AWS', 'Microsoft', 'Google Cloud'];
const KEYS = TagKeys.DEFAULT;

/** The columns each FOCUS version has here (the ones a cost report reads, and the version's marker columns). */
function columnsOf(version: string): string[] {
  const base = ['BilledCost', 'BillingAccountId', 'BillingCurrency', 'BillingPeriodStart', 'BillingPeriodEnd', 'ChargeCategory', 'ChargeClass',
    'ChargeDescription', 'ChargePeriodStart', 'ChargePeriodEnd', 'ContractedCost', 'EffectiveCost', 'ListCost', 'ProviderName',
    'PublisherName', 'RegionId', 'ResourceId', 'ServiceCategory', 'ServiceName', 'SubAccountId', 'Tags'];
  const v11 = ['ServiceSubcategory', 'SkuMeter'];
  const v12 = ['InvoiceId', 'PricingCurrency'];
  const v13 = ['ServiceProviderName', 'HostProviderName'];
  const extra = version === '1.0' ? [] : version === '1.1' ? v11 : version === '1.2' ? [...v11, ...v12] : [...v11, ...v12, ...v13];
  return [...base, ...extra].sort();
}

/** Generates the data and returns (and writes) its totals. */
export async function generateFocus(options: GenerateFocusOptions): Promise<FocusTotals> {
  const started = Date.now();
  const o = resolveOptions(options);
  return withDuckDb(o.threads, async (db) => {
    await createGenerator(db, o);
    const files = await writeExport(db, {
      options: o,
      periods: o.periods,
      partitionFolder: FOCUS_1_2_SCHEMA.partitionFolder,
      select: (lo, hi) => selectForFile(o, lo, hi),
      manifest: (period, dataFiles) => manifest(o, period, dataFiles),
    });
    const totals = await computeTotals(db, o, files);
    fs.writeFileSync(path.join(o.out, `${o.exportName}-totals.json`), `${JSON.stringify(totals, null, 2)}\n`);
    return { ...totals, elapsedMs: Date.now() - started };
  });
}

interface Resolved extends ExportOptions {
  readonly untaggedMix?: boolean;
  readonly focusVersion: string;
  readonly currencies: Record<string, string>;
  readonly periods: string[];
}

function resolveOptions(options: GenerateFocusOptions): Resolved {
  const o = {
    ...EXPORT_DEFAULTS,
    exportName: 'customer-value-focus',
    focusVersion: '1.2',
    currencies: {} as Record<string, string>,
    ...options,
  };
  const common = commonProblems(o);
  const problems: string[] = [...common.first];
  if (!['1.0', '1.1', '1.2', '1.3'].includes(o.focusVersion)) problems.push(`focus-version is ${JSON.stringify(o.focusVersion)}: expected 1.0, 1.1, 1.2 or 1.3`);
  problems.push(...common.last);
  for (const [p, c] of Object.entries(o.currencies)) {
    if (!PROVIDERS.includes(p) || !/^[A-Z]{3}$/.test(c)) problems.push(`currencies: ${p}=${c}: expected ${PROVIDERS.join(', ')} = a 3-letter code`);
  }
  if (!o.out) problems.push('out is missing: expected a directory');
  if (problems.length > 0) {
    throw new Error(`generate-focus: ${problems.join('; ')}`);
  }
  const periods = billingPeriods(o.start, o.months);
  const currencies = Object.fromEntries(PROVIDERS.map((p) => [p, o.currencies[p] ?? 'USD']));
  return { ...o, currencies, periods };
}

/**
 * A macro `gen(lo, hi)` giving rows lo..hi-1 with their truth columns: the provider, the charge category, the
 * service (0 = none), the form of the service key on the row, and the amounts in nano-units.
 */
async function createGenerator(db: DuckDBConnection, o: Resolved): Promise<void> {
  const services = SERVICES.map((s, i) => `(${i + 1}, ${lit(s.service)}, ${lit(deriveTagValue(s.need))}, ${lit(s.customer.tagValue)}, `
    + `${lit(s.team)}, ${lit(s.businessUnit)}, ${lit(s.account)})`).join(', ');
  await db.run(`CREATE TABLE svc(id INTEGER, service VARCHAR, need VARCHAR, customer VARCHAR, team VARCHAR, unit VARCHAR, account VARCHAR);
    INSERT INTO svc VALUES ${services}`);
  const months = o.periods.map((p, m) => {
    const start = `${p}-01`;
    const next = nextMonthStart(p);
    const days = Math.round((Date.parse(next) - Date.parse(start)) / 86_400_000);
    return `(${m}, DATE '${start}', DATE '${next}', ${days}, ${m === o.months - 1 ? "''" : lit(`INV-${p.replace('-', '')}-${o.seed}`)})`;
  }).join(', ');
  await db.run(`CREATE TABLE months(m INTEGER, start DATE, next DATE, days INTEGER, invoice VARCHAR); INSERT INTO months VALUES ${months}`);
  const perMonth = splitEvenly(o.rows, o.months);
  const bounds = perMonth.map((n, m) => `(${m}, ${perMonth.slice(0, m).reduce((a, b) => a + b, 0)}, ${n})`).join(', ');
  await db.run(`CREATE TABLE bounds(m INTEGER, lo BIGINT, n BIGINT); INSERT INTO bounds VALUES ${bounds}`);
  const currency = `CASE provider ${PROVIDERS.map((p) => `WHEN ${lit(p)} THEN ${lit(o.currencies[p])}`).join(' ')} END`;
  const nServices = SERVICES.length;
  const seed = o.seed;
  await db.run(`CREATE MACRO gen(lo, hi) AS TABLE
    WITH r AS (
      SELECT i, b.m AS billing_month,
        CAST(hash(i, ${seed}, 1) % 10 AS BIGINT) AS pr, CAST(hash(i, ${seed}, 2) % 1000 AS BIGINT) AS cat,
        CAST(hash(i, ${seed}, 3) % ${nServices + 2} AS BIGINT) AS sv, CAST(hash(i, ${seed}, 4) % 100 AS BIGINT) AS form,
        CAST(hash(i, ${seed}, 5) % 1000000000000 AS BIGINT) AS h5, CAST(hash(i, ${seed}, 6) % 1000000000000 AS BIGINT) AS h6
      FROM range(lo, hi) t(i) JOIN bounds b ON i >= b.lo AND i < b.lo + b.n
    ), c AS (
      SELECT *,
        CASE WHEN pr < 6 THEN 'AWS' WHEN pr < 9 THEN 'Microsoft' ELSE 'Google Cloud' END AS provider,
        CASE WHEN cat < 900 THEN 'Usage' WHEN cat < 920 THEN 'Tax' WHEN cat < 950 THEN 'Credit' WHEN cat < 965 THEN 'Adjustment'
          WHEN cat < 975 THEN 'Purchase' ELSE 'Usage' END AS category,
        cat >= 975 AS correction
      FROM r
    ), d AS (
      SELECT c.*, ${currency} AS currency,
        -- a correction is delivered with this billing period, for a charge period of the month before (when there is one)
        CASE WHEN correction AND billing_month > 0 THEN billing_month - 1 ELSE billing_month END AS charge_month,
        CASE WHEN category = 'Usage' AND sv BETWEEN 1 AND ${nServices} THEN sv ELSE 0 END AS service_id,
        CASE category
          WHEN 'Usage' THEN CASE WHEN correction THEN -(h5 % 2000000000) - 1 ELSE h5 % 9000000000 + 1 END
          WHEN 'Tax' THEN h5 % 4000000000 + 1
          WHEN 'Credit' THEN -(h5 % 6000000000) - 1
          WHEN 'Adjustment' THEN (h5 % 3000000000) - 1500000000
          ELSE h5 % 90000000000 + 1 END AS billed
      FROM c
    )
    SELECT d.*, mo.start AS charge_month_start, mo.days AS charge_days, bm.start AS billing_start, bm.next AS billing_next, bm.invoice,
      mo.start + CAST(h6 % mo.days AS INTEGER) AS charge_day,
      -- the form of the service key: 0 exact, 1 "Customer-Service", 2 " customer-service", 3 no tags at all
      CASE WHEN service_id = 0 THEN 0 WHEN provider = 'Microsoft' AND form >= 95 THEN 3 WHEN provider = 'Microsoft' AND form >= 90 THEN 2
        WHEN provider = 'Microsoft' AND form >= 80 THEN 1 ELSE 0 END AS key_form,
      CASE WHEN category = 'Usage' AND NOT correction THEN billed - billed // 10 WHEN category = 'Purchase' THEN 0 ELSE billed END AS effective,
      CASE WHEN category = 'Usage' THEN billed + billed // 5 ELSE billed END AS list,
      CASE WHEN category = 'Usage' THEN billed + billed // 10 ELSE billed END AS contracted,
      s.service, s.need, s.customer, s.team, s.unit, s.account
    FROM d JOIN months mo ON mo.m = d.charge_month JOIN months bm ON bm.m = d.billing_month LEFT JOIN svc s ON s.id = d.service_id`);
}

/** The Tags map of a row, as the provider writes it. */
function tagsSql(mix = false): string {
  const k = KEYS;
  const entry = (key: string, value: string) => `{'key': ${lit(key)}, 'value': ${value}}`;
  const serviceKey = `CASE key_form WHEN 1 THEN 'Customer-Service' WHEN 2 THEN ' customer-service' ELSE ${lit(k.service)} END`;
  const customer = [
    `{'key': ${serviceKey}, 'value': service}`,
    entry(k.need, 'need'), entry(k.customer, 'customer'), entry(k.team, 'team'), entry(k.businessUnit, 'unit'),
  ];
  const extra = `CASE provider WHEN 'AWS' THEN [${entry('aws:createdBy', "'IAMUser:AIDA0000:deployer'")}]
    WHEN 'Microsoft' THEN [${entry('CostCenter', "'CC-' || (h6 % 7)")}, ${entry('Cost department', "'Engineering'")}, ${entry('aks-managed-cluster', "'aks-' || (h6 % 3)")}]
    ELSE [${entry('goog-k8s-cluster-name', "'gke-' || (h6 % 3)")}] END`;
  return `CASE
    WHEN key_form = 3 OR category <> 'Usage' THEN NULL
    WHEN service_id = 0 THEN CASE WHEN h6 % 3 = 0 THEN NULL${mix ? `
      WHEN provider = 'AWS' AND category = 'Usage' AND (h5 % 1000) / 1000.0 < ${UNTAGGED_MIX.stackShare}
        THEN map_from_entries(list_concat(${extra}, [${entry(STACK_NAME_TAG_KEY, untaggedStackSql('(h5 % 1000) / 1000.0', '((h5 // 1000) % 997) / 997.0'))}]))` : ''}
      ELSE map_from_entries(${extra}) END
    ELSE map_from_entries(list_concat([${customer.join(', ')}], ${extra})) END`;
}

function selectForFile(o: Resolved, lo: number, hi: number): string {
  const csv = o.format !== 'parquet';
  const ts = (col: string) => (csv ? `strftime(${col}, '%Y-%m-%dT%H:%M:%SZ')` : `CAST(${col} AS TIMESTAMP)`);
  // CSV: money with 9 decimals (18 for Microsoft, whose files carry long decimals); Parquet: DOUBLE, as AWS writes it.
  const money = (col: string) => (csv
    ? `CASE WHEN ${col} < 0 THEN '-' ELSE '' END || CAST(abs(${col}) // 1000000000 AS VARCHAR) || '.' `
      + `|| lpad(CAST(abs(${col}) % 1000000000 AS VARCHAR), 9, '0') || CASE WHEN provider = 'Microsoft' THEN '000000000' ELSE '' END`
    : `CAST(${col} AS DOUBLE) / 1e9`);
  // CSV nulls: an empty cell on even rows, the literal NULL on odd ones.
  const nullable = (expr: string) => (csv ? `COALESCE(CAST(${expr} AS VARCHAR), CASE WHEN i % 2 = 1 THEN 'NULL' END)` : expr);
  const tags = csv
    ? `COALESCE(CASE WHEN (${tagsSql(o.untaggedMix)}) IS NULL THEN NULL ELSE CAST(to_json(${tagsSql(o.untaggedMix)}) AS VARCHAR) END, CASE i % 3 WHEN 1 THEN 'NULL' WHEN 2 THEN '{}' END)`
    : tagsSql(o.untaggedMix);
  const columns: Record<string, string> = {
    BilledCost: money('billed'),
    BillingAccountId: "'payer-' || provider",
    BillingCurrency: 'currency',
    BillingPeriodStart: ts('CAST(billing_start AS TIMESTAMP)'),
    BillingPeriodEnd: ts('CAST(billing_next AS TIMESTAMP)'),
    ChargeCategory: 'category',
    ChargeClass: nullable("CASE WHEN correction THEN 'Correction' END"),
    ChargeDescription: "category || ' charge'",
    ChargePeriodStart: ts('CAST(charge_day AS TIMESTAMP)'),
    ChargePeriodEnd: ts('CAST(charge_day + 1 AS TIMESTAMP)'),
    ContractedCost: money('contracted'),
    EffectiveCost: money('effective'),
    ListCost: money('list'),
    ProviderName: 'provider',
    PublisherName: 'provider',
    RegionId: "CASE provider WHEN 'AWS' THEN 'eu-west-1' WHEN 'Microsoft' THEN 'westeurope' ELSE 'europe-west1' END",
    ResourceId: nullable("CASE WHEN service_id > 0 THEN provider || '/' || service || '/' || (h6 % 5) END"),
    ServiceName: "CASE provider WHEN 'AWS' THEN 'Amazon DynamoDB' WHEN 'Microsoft' THEN 'Azure Cosmos DB' ELSE 'Cloud Run' END",
    ServiceCategory: "CASE provider WHEN 'Google Cloud' THEN 'Compute' ELSE 'Databases' END",
    SubAccountId: nullable(o.untaggedMix
      ? `COALESCE(account, CASE WHEN provider = 'AWS' AND category = 'Usage' THEN ${pickSql(UNTAGGED_MIX.accounts, '((h6 // 1000) % 991) / 991.0')} END)` : 'account'),
    Tags: tags,
    ServiceSubcategory: "'Databases'",
    SkuMeter: "'Requests'",
    InvoiceId: nullable("NULLIF(invoice, '')"),
    PricingCurrency: 'currency',
    ServiceProviderName: 'provider',
    HostProviderName: 'provider',
  };
  const names = columnsOf(o.focusVersion);
  return `SELECT ${names.map((n) => `${columns[n]} AS ${n}`).join(',\n  ')}\nFROM gen(${lo}, ${hi}) ORDER BY i`;
}

/** The manifest of a billing period. */
function manifest(o: Resolved, period: string, dataFiles: string[]): Record<string, unknown> {
  return {
    '//': 'Synthetic FOCUS data generated by scripts/generate-focus.ts (cdk-customer-value); not real billing data.',
    'exportName': o.exportName,
    'billingPeriod': period,
    'table': FocusQueries.TABLE_NAME,
    'focusVersion': o.focusVersion,
    'format': o.format === 'parquet' ? 'PARQUET' : 'TEXT_OR_CSV',
    'dataFiles': dataFiles,
  };
}

/** Totals from the truth columns of the same generator (not from reading the files back). */
async function computeTotals(db: DuckDBConnection, o: Resolved, files: string[]): Promise<FocusTotals> {
  const reader = await db.runAndReadAll(`SELECT currency, provider, category, correction, COALESCE(service, '') AS service, COALESCE(unit, '') AS unit,
      key_form, SUM(billed)::HUGEINT AS billed, SUM(effective)::HUGEINT AS effective, SUM(list)::HUGEINT AS list,
      SUM(contracted)::HUGEINT AS contracted, min(charge_day) AS first, max(charge_day) AS last
    FROM gen(0, ${o.rows}) GROUP BY ALL`);
  const rows = reader.getRowObjectsJson() as Array<Record<string, string | boolean | number>>;
  const metrics = ['billed', 'effective', 'list', 'contracted'] as const;
  const byCurrency: Record<string, Record<string, any>> = {};
  const nearDuplicateKeys: Record<string, Record<string, number>> = {};
  let first = '9999';
  let last = '0000';
  const add = (rec: Record<string, number>, key: string, v: number) => {
    rec[key] = round((rec[key] ?? 0) + v);
  };
  for (const r of rows) {
    const currency = String(r.currency);
    first = String(r.first) < first ? String(r.first) : first;
    last = String(r.last) > last ? String(r.last) : last;
    byCurrency[currency] ??= Object.fromEntries(metrics.map((m) => [m, {
      total: 0, untagged: 0, byService: {}, byBusinessUnit: {}, byProvider: {}, byCategory: {}, corrections: 0,
    }]));
    const form = Number(r.key_form);
    // only the exact key counts: near-duplicates and untagged rows are untagged
    const service = form === 0 ? String(r.service) : '';
    const unit = form === 0 ? String(r.unit) : '';
    for (const m of metrics) {
      const t = byCurrency[currency][m];
      const v = Number(BigInt(String(r[m]))) / 1e9;
      t.total = round(t.total + v);
      if (service === '') t.untagged = round(t.untagged + v);
      else add(t.byService, service, v);
      if (unit !== '') add(t.byBusinessUnit, unit, v);
      add(t.byProvider, String(r.provider), v);
      add(t.byCategory, String(r.category), v);
      if (r.correction === true || r.correction === 'true') t.corrections = round(t.corrections + v);
    }
    if (form === 1 || form === 2) {
      nearDuplicateKeys[currency] ??= {};
      add(nearDuplicateKeys[currency], form === 1 ? 'Customer-Service' : ' customer-service', Number(BigInt(String(r.billed))) / 1e9);
    }
  }
  const to = new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return {
    exportName: o.exportName,
    focusVersion: o.focusVersion,
    format: o.format,
    rows: o.rows,
    billingPeriods: o.periods,
    from: first,
    to,
    files,
    byCurrency: byCurrency as FocusTotals['byCurrency'],
    nearDuplicateKeys,
  };
}

/** Rounds to 9 decimals (the nano-units of the data): sums of exact nano amounts stay exact. */
function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

function parseArgs(argv: readonly string[]): GenerateFocusOptions {
  const opts = parseCommandLine(argv, 'generate-focus', __filename,
    ['rows', 'out', 'format', 'months', 'start', 'seed', 'export-name', 'focus-version', 'rows-per-file', 'currencies', 'threads', 'untagged-mix']);
  const int = (name: string) => intOption(opts, name);
  const currencies = opts.currencies === undefined ? undefined
    : Object.fromEntries(opts.currencies.split(',').map((pair) => pair.split('=').map((x) => x.trim()) as [string, string]));
  return {
    rows: int('rows')!,
    out: opts.out,
    format: opts.format as FocusFileFormat | undefined,
    months: int('months'),
    start: opts.start,
    seed: int('seed'),
    exportName: opts['export-name'],
    focusVersion: opts['focus-version'],
    rowsPerFile: int('rows-per-file'),
    currencies,
    threads: int('threads'),
    untaggedMix: opts['untagged-mix'] === undefined ? undefined : opts['untagged-mix'] === 'true',
  };
}

if (require.main === module) {
  runGenerator(process.argv.slice(2), parseArgs, generateFocus, (totals) => {
    const summary = Object.entries(totals.byCurrency).map(([c, t]) => `${t.billed.total.toFixed(2)} ${c}`).join(', ');
    return `generate-focus: ${totals.rows} rows, FOCUS ${totals.focusVersion}, ${totals.files.length} file(s), `
      + `${totals.billingPeriods.join(', ')}, billed ${summary}, ${totals.elapsedMs} ms`;
  });
}
