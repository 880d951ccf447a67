import * as fs from 'fs';
import { MonthlyUsage } from './review';
import { monthEnd } from './review-run';
import { closest } from '../../private/placeholders';
import { CostDataError } from '../errors';
import { UsageReader, UsageRequest } from '../sources/unit-usage';

/**
 * Usage per service and month for the value review's unit cost: from a CSV file the business keeps (orders, searches
 * per month from its own systems), or from CloudWatch (the `UnitUsage` the per-service reporting publishes, read once
 * per month of the trend).
 */

const HEADER = ['service', 'month', 'units'];
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A usage file read: units per service and month, and the first line of each service (for messages). */
export interface UsageFile {
  readonly usage: Map<string, MonthlyUsage>;
  readonly lineOf: ReadonlyMap<string, number>;
  /** The file as the user named it. */
  readonly shown: string;
}

/**
 * Reads `service,month,units` lines (a header line first; months `YYYY-MM`; units a number >= 0). A line that does
 * not parse is an error naming the file, the line and the value; a service or month given twice too. The file is
 * the business's own count of units: it is used for every service it names, whether or not the service declares a
 * usage metric (`checkUsageServices` refuses a service no assembly declares).
 */
export function readUsageFile(file: string, shown: string): UsageFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CostDataError(`cannot read --usage-file ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  if (HEADER.some((h, i) => header[i] !== h)) {
    throw new CostDataError(`--usage-file ${shown}: the first line is ${JSON.stringify(lines[0] ?? '')}: expected the header "service,month,units"`);
  }
  const out = new Map<string, Map<string, number>>();
  const lineOf = new Map<string, number>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') {
      return;
    }
    const at = `--usage-file ${shown} line ${i + 2}`;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 3) {
      throw new CostDataError(`${at} is ${JSON.stringify(line)}: expected 3 values (service,month,units)`);
    }
    const [service, month, units] = cells;
    if (service === '') {
      throw new CostDataError(`${at}: the service is empty`);
    }
    if (!MONTH.test(month)) {
      throw new CostDataError(`${at}: month is ${JSON.stringify(month)}: expected YYYY-MM, e.g. 2026-10`);
    }
    const n = Number(units);
    if (!/^\d+(\.\d+)?$/.test(units) || !Number.isFinite(n)) {
      throw new CostDataError(`${at}: units is ${JSON.stringify(units)}: expected a number >= 0`);
    }
    const byMonth = out.get(service) ?? new Map<string, number>();
    if (byMonth.has(month)) {
      throw new CostDataError(`${at}: ${service} ${month} is given twice`);
    }
    byMonth.set(month, n);
    out.set(service, byMonth);
    if (!lineOf.has(service)) {
      lineOf.set(service, i + 2);
    }
  });
  const source = `the usage file ${shown}`;
  return { usage: new Map([...out.entries()].map(([service, byMonth]) => [service, { byMonth, source }])), lineOf, shown };
}

/**
 * Refuses a usage file line whose service no cloud assembly read declares (a typo, or an assembly left out), naming
 * the line and the nearest declared names.
 */
export function checkUsageServices(file: UsageFile, declared: readonly string[]): void {
  for (const [service, line] of file.lineOf) {
    if (declared.includes(service)) {
      continue;
    }
    const near = closest(service, [...declared]);
    throw new CostDataError(`--usage-file ${file.shown} line ${line}: service ${JSON.stringify(service)} is declared in no cloud assembly read`
      + `${near ? `; did you mean ${JSON.stringify(near)}?` : ''} (the declared services: ${declared.length > 0 ? [...declared].sort().join(', ') : 'none'}; `
      + 'pass the assembly that declares it with --assembly, or correct the name)');
  }
}

/** Reads each month of the trend from CloudWatch (one read per month); a service without data in a month has none there. */
export async function readMonthlyUsage(reader: UsageReader, requests: UsageRequest[], months: string[],
  progress: (m: string) => void): Promise<Map<string, MonthlyUsage>> {
  const byService = new Map<string, Map<string, number>>();
  const reasons = new Map<string, string>();
  for (const month of months) {
    const read = await reader.read(requests, `${month}-01`, monthEnd(month), progress);
    for (const [service, outcome] of read) {
      if (outcome.units !== undefined) {
        byService.set(service, (byService.get(service) ?? new Map()).set(month, outcome.units));
      } else if (outcome.reason && !reasons.has(service)) {
        reasons.set(service, outcome.reason);
      }
    }
  }
  const out = new Map<string, MonthlyUsage>();
  for (const r of requests) {
    const byMonth = byService.get(r.service);
    out.set(r.service, byMonth ? { byMonth, source: `CloudWatch (${r.namespace} ${r.metricName}, ${r.statistic} per day)` }
      : { reason: reasons.get(r.service) ?? 'no usage datapoints' });
  }
  return out;
}
