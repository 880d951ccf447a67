/**
 * What the reporting itself costs a month, from the declarations (prices in src/cost-data/report/running-cost.ts).
 */
import { DeclaredService } from '../../src/cost-data/declarations/cloud-assembly';
import { estimateRunningCost, REPORTING_PRICES } from '../../src/cost-data/report/running-cost';
import { CostReportingRecord } from '../../src/declaration/record';

function service(name: string, stack: string, costReporting: Partial<CostReportingRecord>, team = 'payments'): DeclaredService {
  return {
    record: { serviceName: name, team, businessUnit: 'retail', costReporting: { enabled: true, budgetName: `${name}-b`, ...costReporting } } as any,
    assembly: 'cdk.out',
    stack,
    account: '111111111111',
    region: 'eu-west-1',
  };
}

test('a dashboard per service against one per stack, unit metrics, an alarm, the publisher per stack, team and unit metrics per account', () => {
  const p = REPORTING_PRICES;
  // GIVEN two services sharing their stack's dashboard, one with its own dashboard, a unit metric and an alarm
  const result = estimateRunningCost([
    service('checkout', 'Shop', {
      dashboardLayout: 'stack', dashboardName: 'customer-value-Shop', unitMetric: 'orders', unitCostAlarm: { increasePercent: 20, comparePeriodDays: 7 },
    }),
    service('search', 'Shop', { dashboardLayout: 'stack', dashboardName: 'customer-value-Shop' }, 'discovery'),
    service('returns', 'Returns', { dashboardLayout: 'service', dashboardName: 'returns-Returns' }),
    { ...service('sandbox', 'Sandbox', {}), record: { serviceName: 'sandbox', team: 'payments', businessUnit: 'retail', costReporting: { enabled: false } } as any },
  ]);

  // THEN each stack with reporting has its publisher: 60 Cost Explorer requests, 2 metrics, 2 alarms (+ the stack dashboard)
  const publisher = 60 * p.costExplorerRequest + 2 * p.metricMonth + 2 * p.alarmMonth;
  expect(result.stacks.map((s) => [s.stack, round(s.usd)])).toEqual([['Shop', round(publisher + p.dashboardMonth)], ['Returns', round(publisher)]]);
  // checkout: cost metric, unit usage and cost, change metric and alarm, half the stack dashboard, half the publisher
  expect(round(result.services[0].usd)).toBe(round(p.metricMonth * 4 + p.alarmMonth + p.dashboardMonth / 2 + publisher / 2));
  expect(round(result.services[1].usd)).toBe(round(p.metricMonth + p.dashboardMonth / 2 + publisher / 2));
  expect(round(result.services[2].usd)).toBe(round(p.metricMonth + p.dashboardMonth + publisher));
  expect(result.services[3].usd).toBe(0);
  // team and business-unit metrics: payments, discovery, retail in one account
  expect(result.accountItems.map((i) => round(i.usd))).toEqual([round(3 * p.metricMonth)]);
  // the total counts every publisher and dashboard once
  const services = p.metricMonth * 4 + p.alarmMonth + p.metricMonth + p.metricMonth + p.dashboardMonth;
  const total = services + 2 * publisher + p.dashboardMonth + 3 * p.metricMonth;
  expect(round(result.totalUsd)).toBe(round(total));
});

test('a service counted per region adds the region-filtered Cost Explorer query to its stack\'s publisher', () => {
  const result = estimateRunningCost([service('checkout', 'Shop', { costScope: 'region' })]);
  expect(result.stacks[0].items[0]).toEqual({ what: 'cost publisher: 90 Cost Explorer requests (at least one page per query and day)', usd: 0.9 });
});

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
