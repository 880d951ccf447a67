import * as fs from 'fs';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';

/*
 * FOCUS files shaped like those of other providers, written for the tests (no public sample could be committed with
 * a licence we could verify, so these follow the specification's column definitions instead):
 *
 * - the columns of each version, in the specification's names: FOCUS 1.0 (43 columns), 1.1 (+ CapacityReservationId,
 *   CapacityReservationStatus, CommitmentDiscountQuantity, CommitmentDiscountUnit, ServiceSubcategory, SkuMeter,
 *   SkuPriceDetails), 1.2 (+ BillingAccountType, SubAccountType, InvoiceId, PricingCurrency and its three prices), 1.3
 *   (+ ServiceProviderName, HostProviderName, AllocatedMethodId, AllocatedMethodDetails, AllocatedResourceId,
 *   AllocatedResourceName, AllocatedTags, ContractApplied: the 65 columns of the Cost and Usage dataset);
 *   https://github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec (CHANGELOG.md, specification/columns/);
 * - values as each provider writes them: Microsoft's FocusCost 1.0 CSV (minute-precision timestamps such as
 *   `2026-10-01T00:00Z`, resource tags as a JSON object with keys in any casing, `x_` columns), Google Cloud's FOCUS
 *   export (lower-case labels, `goog-` system labels, projects as sub-accounts), AWS Data Exports FOCUS 1.2 (Parquet,
 *   DOUBLE costs, MAP tags, `BILLING_PERIOD=` folders, a correction delivered with the next billing period, savings plan
 *   purchase, used and unused commitment), and a FOCUS 1.3 file of three providers in two billing currencies with split
 *   cost allocation (AllocatedTags), a marketplace charge (ServiceProviderName differs from HostProviderName) and
 *   charges whose ContractedCost the provider left empty (Oracle usage and adjustments);
 * - custom columns with the names the specification allows (`x_` and any characters: `x_Custom Column`,
 *   `x_Billing-Profile.Id`, a quoted `x_Cost, adjusted`);
 * - files that are not FOCUS cost and usage data: FOCUS 0.5 (ChargeType, AmortizedCost), the FOCUS 1.3 Contract
 *   Commitment dataset, and a FOCUS 1.2 file whose dates are written 4/1/25.
 *
 * Amounts carry up to 10 decimals; the tests compare the CLI with plain DuckDB queries over these files.
 */

const V10 = ['AvailabilityZone', 'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart',
  'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart', 'CommitmentDiscountCategory',
  'CommitmentDiscountId', 'CommitmentDiscountName', 'CommitmentDiscountStatus', 'CommitmentDiscountType', 'ConsumedQuantity', 'ConsumedUnit',
  'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost', 'ListUnitPrice', 'PricingCategory', 'PricingQuantity',
  'PricingUnit', 'ProviderName', 'PublisherName', 'RegionId', 'RegionName', 'ResourceId', 'ResourceName', 'ResourceType', 'ServiceCategory',
  'ServiceName', 'SkuId', 'SkuPriceId', 'SubAccountId', 'SubAccountName', 'Tags'];
const V11 = [...V10, 'CapacityReservationId', 'CapacityReservationStatus', 'CommitmentDiscountQuantity', 'CommitmentDiscountUnit',
  'ServiceSubcategory', 'SkuMeter', 'SkuPriceDetails'];
const V12 = [...V11, 'BillingAccountType', 'SubAccountType', 'InvoiceId', 'PricingCurrency', 'PricingCurrencyContractedUnitPrice',
  'PricingCurrencyEffectiveCost', 'PricingCurrencyListUnitPrice'];
const V13 = [...V12, 'ServiceProviderName', 'HostProviderName', 'AllocatedMethodId', 'AllocatedMethodDetails', 'AllocatedResourceId',
  'AllocatedResourceName', 'AllocatedTags', 'ContractApplied'];

/** The columns of a FOCUS version's Cost and Usage dataset. */
export const FOCUS_COLUMNS: Record<string, string[]> = { '1.0': V10, '1.1': V11, '1.2': V12, '1.3': V13 };

/** One charge, in the columns the tests read; the others are filled as the provider would. */
export interface Charge {
  readonly provider: string;
  readonly currency: string;
  readonly billingAccount: string;
  readonly subAccount?: string;
  readonly region?: string;
  readonly serviceName: string;
  readonly serviceCategory: string;
  readonly category: 'Usage' | 'Purchase' | 'Tax' | 'Credit' | 'Adjustment';
  readonly correction?: boolean;
  /** Charge day, `YYYY-MM-DD`. */
  readonly day: string;
  /** Billing period, `YYYY-MM` (the month of `day` unless a correction). */
  readonly billingPeriod: string;
  readonly billed: string;
  readonly effective: string;
  readonly list: string;
  /** `null`: the provider left ContractedCost empty. */
  readonly contracted: string | null;
  readonly tags?: Record<string, string | boolean>;
  readonly allocatedTags?: Record<string, string | boolean>;
  readonly commitmentStatus?: 'Used' | 'Unused';
  readonly invoiceId?: string;
  /** FOCUS 1.3: the service provider when it differs from the host (a marketplace charge). */
  readonly serviceProvider?: string;
}

/** A deterministic amount with `decimals` decimals, below `max`: the n-th of a sequence. */
export function amount(n: number, max: number, decimals = 10, sign = 1): string {
  const x = ((n * 7919 + 104729) % 1_000_003) / 1_000_003;
  const value = Math.floor(x * max * 10 ** decimals);
  const s = String(value).padStart(decimals + 1, '0');
  return `${sign < 0 && value > 0 ? '-' : ''}${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function monthEnd(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/** A charge's value of every column of a version, as text (`undefined`: null). */
function columnValues(c: Charge, timestamp: (day: string) => string): Record<string, string | undefined> {
  const usage = c.category === 'Usage';
  const committed = c.commitmentStatus !== undefined;
  return {
    AvailabilityZone: undefined,
    BilledCost: c.billed,
    BillingAccountId: c.billingAccount,
    BillingAccountName: `${c.provider} billing`,
    BillingCurrency: c.currency,
    BillingPeriodEnd: timestamp(monthEnd(c.billingPeriod)),
    BillingPeriodStart: timestamp(`${c.billingPeriod}-01`),
    ChargeCategory: c.category,
    ChargeClass: c.correction ? 'Correction' : undefined,
    ChargeDescription: `${c.serviceName} ${c.category.toLowerCase()}`,
    ChargeFrequency: c.category === 'Purchase' ? 'One-Time' : 'Usage-Based',
    ChargePeriodEnd: timestamp(nextDay(c.day)),
    ChargePeriodStart: timestamp(c.day),
    CommitmentDiscountCategory: committed || c.category === 'Purchase' ? 'Spend' : undefined,
    CommitmentDiscountId: committed || c.category === 'Purchase' ? `${c.provider.toLowerCase()}-commitment-1` : undefined,
    CommitmentDiscountName: committed || c.category === 'Purchase' ? 'Compute commitment' : undefined,
    CommitmentDiscountStatus: c.commitmentStatus,
    CommitmentDiscountType: committed || c.category === 'Purchase' ? 'Savings Plan' : undefined,
    ConsumedQuantity: usage && c.commitmentStatus !== 'Unused' ? '24' : undefined,
    ConsumedUnit: usage && c.commitmentStatus !== 'Unused' ? 'Hours' : undefined,
    ContractedCost: c.contracted ?? undefined,
    ContractedUnitPrice: usage && c.contracted !== null ? '0.1' : undefined,
    EffectiveCost: c.effective,
    InvoiceIssuerName: c.provider,
    ListCost: c.list,
    ListUnitPrice: usage ? '0.12' : undefined,
    PricingCategory: usage ? (committed ? 'Committed' : 'Standard') : undefined,
    PricingQuantity: usage ? '24' : undefined,
    PricingUnit: usage ? 'Hours' : undefined,
    ProviderName: c.serviceProvider ?? c.provider,
    PublisherName: c.serviceProvider ?? c.provider,
    RegionId: c.region,
    RegionName: c.region ? `Region ${c.region}` : undefined,
    ResourceId: usage ? `${c.provider}/${c.serviceName}/${c.subAccount ?? 'none'}` : undefined,
    ResourceName: usage ? c.serviceName : undefined,
    ResourceType: usage ? c.serviceCategory : undefined,
    ServiceCategory: c.serviceCategory,
    ServiceName: c.serviceName,
    SkuId: usage ? `${c.serviceName}-sku` : undefined,
    SkuPriceId: usage ? `${c.serviceName}-price` : undefined,
    SubAccountId: c.subAccount,
    SubAccountName: c.subAccount ? `Sub-account ${c.subAccount}` : undefined,
    Tags: c.tags === undefined ? undefined : JSON.stringify(c.tags),
    CapacityReservationId: undefined,
    CapacityReservationStatus: undefined,
    CommitmentDiscountQuantity: committed ? '1' : undefined,
    CommitmentDiscountUnit: committed ? c.currency : undefined,
    ServiceSubcategory: `${c.serviceCategory} (other)`,
    SkuMeter: usage ? 'Compute hours' : undefined,
    SkuPriceDetails: usage ? '{"CoreCount":2}' : undefined,
    BillingAccountType: 'Billing Account',
    SubAccountType: c.subAccount ? 'Sub Account' : undefined,
    InvoiceId: c.invoiceId,
    PricingCurrency: c.currency,
    PricingCurrencyContractedUnitPrice: usage && c.contracted !== null ? '0.1' : undefined,
    PricingCurrencyEffectiveCost: c.effective,
    PricingCurrencyListUnitPrice: usage ? '0.12' : undefined,
    ServiceProviderName: c.serviceProvider ?? c.provider,
    HostProviderName: c.provider,
    AllocatedMethodId: c.allocatedTags ? 'kubernetes-cpu-memory' : undefined,
    AllocatedMethodDetails: c.allocatedTags ? '{"Elements":[{"AllocatedRatio":0.5,"UsageUnit":"vCPU","UsageQuantity":2}]}' : undefined,
    AllocatedResourceId: c.allocatedTags ? `${c.provider}/cluster/workload-${Object.values(c.allocatedTags)[0]}` : undefined,
    AllocatedResourceName: c.allocatedTags ? `workload ${Object.values(c.allocatedTags)[0]}` : undefined,
    AllocatedTags: c.allocatedTags === undefined ? undefined : JSON.stringify(c.allocatedTags),
    ContractApplied: undefined,
  };
}

/** A CSV field as RFC 4180 writes it. */
function csvField(v: string | undefined): string {
  if (v === undefined) {
    return '';
  }
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Writes charges as a FOCUS CSV file of a version, with extra columns after the FOCUS ones. */
export function writeFocusCsv(file: string, version: string, charges: readonly Charge[], o: {
  readonly timestamp?: (day: string) => string;
  readonly extra?: Record<string, (c: Charge, i: number) => string | undefined>;
} = {}): string {
  const columns = FOCUS_COLUMNS[version];
  const extra = o.extra ?? {};
  const timestamp = o.timestamp ?? ((d: string) => `${d}T00:00:00Z`);
  const lines = [[...columns, ...Object.keys(extra)].map(csvField).join(',')];
  charges.forEach((c, i) => {
    const values = columnValues(c, timestamp);
    lines.push([...columns.map((k) => csvField(values[k])), ...Object.values(extra).map((f) => csvField(f(c, i)))].join(','));
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The cost columns of a version. */
const COSTS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'ContractedUnitPrice', 'ListUnitPrice', 'PricingQuantity',
  'ConsumedQuantity', 'CommitmentDiscountQuantity', 'PricingCurrencyContractedUnitPrice', 'PricingCurrencyEffectiveCost', 'PricingCurrencyListUnitPrice'];

/**
 * Writes charges as a FOCUS Parquet file of a version, as AWS Data Exports and Google Cloud write it: costs DOUBLE
 * (or DECIMAL(38, 10)), timestamps TIMESTAMP, Tags a MAP(VARCHAR, VARCHAR).
 */
export async function writeFocusParquet(file: string, version: string, charges: readonly Charge[], costType = 'DOUBLE'): Promise<string> {
  const csv = writeFocusCsv(`${file}.source.csv`, version, charges);
  const columns = FOCUS_COLUMNS[version];
  const select = columns.map((c) => {
    if (COSTS.includes(c)) return `CAST("${c}" AS ${costType}) AS "${c}"`;
    if (/Period(Start|End)$/.test(c)) return `CAST("${c}" AS TIMESTAMP) AS "${c}"`;
    if (c === 'Tags' || c === 'AllocatedTags') return `CAST(CAST("${c}" AS JSON) AS MAP(VARCHAR, VARCHAR)) AS "${c}"`;
    return `"${c}"`;
  });
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    await db.run("SET TimeZone = 'UTC'");
    await db.run(`COPY (SELECT ${select.join(', ')} FROM read_csv('${csv}', all_varchar = true, nullstr = [''])) TO '${file}' (FORMAT parquet)`);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
  fs.unlinkSync(csv);
  return file;
}

/** A charge whose four costs are one amount (tax, credits, adjustments, marketplace charges), in the billing period of its day. */
function flat(base: Pick<Charge, 'provider' | 'currency' | 'billingAccount'> & Partial<Charge>, category: Charge['category'], day: string,
  cost: string, more: Partial<Charge> = {}): Charge {
  return {
    serviceName: base.provider,
    serviceCategory: 'Other',
    billingPeriod: day.slice(0, 7),
    ...base,
    category,
    day,
    billed: cost,
    effective: cost,
    list: cost,
    contracted: cost,
    ...more,
  };
}

/** Microsoft: FOCUS 1.0 CSV, no customer-value tag at all (keys Owner, " org", CostCenter), custom columns. */
export function azureCharges(): Charge[] {
  const base = { provider: 'Microsoft', currency: 'USD', billingAccount: '/providers/Microsoft.Billing/billingAccounts/8611537' };
  const services = [['Virtual Machines', 'Compute'], ['Azure Cosmos DB', 'Databases'], ['Storage Accounts', 'Storage']];
  const out: Charge[] = [];
  for (let i = 0; i < 48; i++) {
    const billed = amount(i, 40);
    const owner = ['payments', 'discovery', undefined][i % 3];
    out.push({
      ...base,
      subAccount: `/subscriptions/0000000${i % 2}-aaaa-bbbb-cccc-000000000000`,
      region: i % 4 === 0 ? 'northeurope' : 'westeurope',
      serviceName: services[i % 3][0],
      serviceCategory: services[i % 3][1],
      category: 'Usage',
      day: `2026-10-${String((i % 28) + 1).padStart(2, '0')}`,
      billingPeriod: '2026-10',
      billed,
      effective: billed,
      list: amount(i + 1, 50),
      contracted: billed,
      tags: owner === undefined ? (i % 2 === 0 ? undefined : { CostCenter: 'CC-1' })
        : { 'Owner': owner, ' org': 'retail', 'CostCenter': `CC-${i % 5}`, 'Cost department': 'Engineering' },
    });
  }
  out.push(flat(base, 'Tax', '2026-10-31', '12.3456789012'));
  out.push(flat(base, 'Adjustment', '2026-10-11', '-3.2500000001', { contracted: null }));
  out.push(flat(base, 'Adjustment', '2026-10-12', '1.1000000009', { contracted: null }));
  out.push(flat(base, 'Credit', '2026-10-20', '-5.0000000001'));
  return out;
}

/** The custom columns of the Microsoft file: names with spaces, dots, dashes and a comma. */
export const AZURE_EXTRA: Record<string, (c: Charge, i: number) => string | undefined> = {
  'x_Custom Column': (_, i) => `value ${i}`,
  'x_Billing-Profile.Id': () => 'BP-0001',
  'x_Cost, adjusted': (c) => c.billed,
};

/** Google Cloud: FOCUS 1.1 Parquet, lower-case labels, a few rows with the customer-value service label. */
export function gcpCharges(): Charge[] {
  const base = { provider: 'Google Cloud', currency: 'USD', billingAccount: '01A2B3-C4D5E6-F7G8H9' };
  const services = [['Compute Engine', 'Compute'], ['Cloud Storage', 'Storage'], ['BigQuery', 'Analytics']];
  const out: Charge[] = [];
  for (let i = 0; i < 40; i++) {
    const billed = amount(i + 100, 25);
    out.push({
      ...base,
      subAccount: i % 2 === 0 ? 'shop-prod' : 'shop-dev',
      region: i % 3 === 0 ? 'us-central1' : 'europe-west1',
      serviceName: services[i % 3][0],
      serviceCategory: services[i % 3][1],
      category: 'Usage',
      day: `2026-10-${String((i % 30) + 1).padStart(2, '0')}`,
      billingPeriod: '2026-10',
      billed,
      effective: billed,
      list: amount(i + 101, 30),
      contracted: billed,
      tags: i % 5 === 4 ? undefined : {
        'team': ['payments', 'discovery'][i % 2],
        'goog-k8s-cluster-name': `gke-${i % 2}`,
        ...(i % 4 === 0 ? { 'customer-service': 'checkout' } : {}),
      },
    });
  }
  out.push(flat(base, 'Credit', '2026-10-15', '-7.1234567891'));
  return out;
}

/**
 * AWS: FOCUS 1.2, two billing periods; November's files hold a correction of October; a savings plan purchased,
 * partly used and partly unused; the keys `business_unit` and `business-unit` both present with different values.
 */
export function awsCharges(): Charge[] {
  const base = { provider: 'AWS', currency: 'USD', billingAccount: '123456789012' };
  const out: Charge[] = [];
  for (const period of ['2026-10', '2026-11']) {
    const invoiceId = period === '2026-10' ? 'INV-2026-10' : undefined;
    for (let i = 0; i < 36; i++) {
      const billed = amount(i + (period === '2026-10' ? 200 : 300), 60);
      const used = i % 6 === 0;
      out.push({
        ...base,
        subAccount: ['111111111111', '222222222222'][i % 2],
        region: i % 3 === 0 ? 'us-east-1' : 'eu-west-1',
        serviceName: ['AmazonEC2', 'AmazonDynamoDB', 'AmazonS3'][i % 3],
        serviceCategory: ['Compute', 'Databases', 'Storage'][i % 3],
        category: 'Usage',
        day: `${period}-${String((i % 28) + 1).padStart(2, '0')}`,
        billingPeriod: period,
        billed: used ? '0.0000000000' : billed,
        effective: billed,
        list: amount(i + 400, 70),
        contracted: billed,
        commitmentStatus: used ? 'Used' : undefined,
        invoiceId,
        tags: i % 7 === 6 ? undefined : {
          'customer-service': ['checkout', 'wishlist', 'product-search'][i % 3],
          'team': ['payments', 'discovery'][i % 2],
          'business_unit': ['retail-eu', 'retail-us'][i % 2],
          'business-unit': 'retail',
          'aws:createdBy': 'IAMUser:AIDA0000:deployer',
        },
      });
    }
    out.push(flat(base, 'Purchase', `${period}-01`, '100.0000000000', {
      serviceName: 'ComputeSavingsPlans',
      serviceCategory: 'Compute',
      effective: '0.0000000000',
      invoiceId,
    }));
    out.push(flat(base, 'Usage', `${period}-28`, '0.0000000000', {
      subAccount: '111111111111',
      region: 'us-east-1',
      serviceName: 'AmazonEC2',
      serviceCategory: 'Compute',
      effective: period === '2026-10' ? '17.2500000003' : '4.5000000001',
      commitmentStatus: 'Unused',
      invoiceId,
    }));
    out.push(flat(base, 'Tax', `${period}-28`, '8.8800000001', { invoiceId }));
  }
  // a correction of October, delivered with November's billing period
  out.push(flat(base, 'Usage', '2026-10-17', '-21.4300000007', {
    subAccount: '111111111111',
    region: 'eu-west-1',
    serviceName: 'AmazonDynamoDB',
    serviceCategory: 'Databases',
    correction: true,
    billingPeriod: '2026-11',
    tags: { 'customer-service': 'wishlist', 'team': 'discovery', 'business_unit': 'retail-eu', 'business-unit': 'retail' },
  }));
  return out;
}

/**
 * Three providers in one FOCUS 1.3 file, two billing currencies (AWS and Oracle in USD, Microsoft in EUR): split cost
 * allocation (a shared cluster's cost, tagged `team=platform`, allocated to workloads whose AllocatedTags carry their
 * own team and a `workload` key found nowhere in Tags), a marketplace charge, and Oracle charges and adjustments whose
 * ContractedCost is empty.
 */
export function multiCharges(): Charge[] {
  const out: Charge[] = [];
  for (let i = 0; i < 30; i++) {
    const aws = i % 2 === 0;
    const billed = amount(i + 500, 30);
    out.push({
      provider: aws ? 'AWS' : 'Microsoft',
      currency: aws ? 'USD' : 'EUR',
      billingAccount: aws ? '123456789012' : 'EA-4455',
      subAccount: aws ? '111111111111' : 'sub-eu',
      region: aws ? 'eu-west-1' : 'westeurope',
      serviceName: aws ? 'AmazonEKS' : 'Azure Kubernetes Service',
      serviceCategory: 'Compute',
      category: 'Usage',
      day: `2026-10-${String((i % 28) + 1).padStart(2, '0')}`,
      billingPeriod: '2026-10',
      billed,
      effective: billed,
      list: amount(i + 501, 35),
      contracted: billed,
      tags: { 'customer-service': 'shared-cluster', 'team': 'platform' },
      allocatedTags: i % 3 === 2 ? undefined : { workload: aws ? 'checkout' : 'wishlist', team: ['payments', 'discovery'][i % 3] },
      invoiceId: 'INV-1',
    });
  }
  const oracle = { provider: 'Oracle', currency: 'USD', billingAccount: 'ocid1.tenancy.oc1..aaaa', invoiceId: 'INV-OCI' };
  for (let i = 0; i < 7; i++) {
    out.push(flat(oracle, 'Usage', `2026-10-0${i + 1}`, amount(i + 700, 15), {
      subAccount: 'ocid1.compartment.oc1..shop',
      region: 'eu-frankfurt-1',
      serviceName: 'Compute',
      serviceCategory: 'Compute',
      contracted: null,
      tags: { 'customer-service': 'reports', 'team': 'finance' },
    }));
  }
  out.push(flat(oracle, 'Adjustment', '2026-10-21', '-0.7500000001', { contracted: null }));
  out.push(flat(oracle, 'Adjustment', '2026-10-22', '2.0000000003', { contracted: null }));
  out.push(flat({ provider: 'AWS', currency: 'USD', billingAccount: '123456789012' }, 'Usage', '2026-10-10', '45.0000000001', {
    serviceProvider: 'Datadog',
    subAccount: '111111111111',
    serviceName: 'Datadog Pro',
    serviceCategory: 'Management and Governance',
    tags: { team: 'platform' },
    invoiceId: 'INV-1',
  }));
  return out;
}

/** A CSV file of a header and one row. */
function writeCsvText(file: string, header: string, row: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${header}\n${row}\n`);
  return file;
}

/** A FOCUS 0.5 file: ChargeType and AmortizedCost (ChargeCategory and EffectiveCost from 1.0), no Tags. */
export function writeFocus05(file: string): string {
  return writeCsvText(file, 'AmortizedCost,AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodEnd,'
    + 'BillingPeriodStart,ChargePeriodEnd,ChargePeriodStart,ChargeType,InvoiceIssuerName,ProviderName,PublisherName,Region,ResourceId,ResourceName,'
    + 'ServiceCategory,ServiceName,SubAccountId,SubAccountName',
  '1.5,,1.5,acct,Account,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,2026-10-01T00:00:00Z,Usage,AWS,AWS,AWS,'
    + 'eu-west-1,i-1,vm,Compute,AmazonEC2,sub,Sub');
}

/** The FOCUS 1.3 Contract Commitment dataset (13 columns): contracts, not charges. */
export function writeContractCommitment(file: string): string {
  return writeCsvText(file, 'ContractCommitmentId,ContractCommitmentType,ContractCommitmentCategory,ContractCommitmentCost,'
    + 'ContractCommitmentQuantity,ContractCommitmentUnit,ContractCommitmentDescription,ContractCommitmentPeriodStart,ContractCommitmentPeriodEnd,'
    + 'ContractId,ContractPeriodStart,ContractPeriodEnd,BillingCurrency',
  'CMT-SPEND-001,Enterprise Agreement,Spend,925000.00,,,3yr spend goal,2025-12-01T00:00:00Z,2028-12-01T00:00:00Z,AGR-1,'
    + '2025-12-01T00:00:00Z,2028-12-01T00:00:00Z,USD');
}

/** A plain DuckDB query, without the CLI (the session in UTC), for the tests' truths. */
export async function plainQuery(sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    await db.run("SET TimeZone = 'UTC'");
    return (await db.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
