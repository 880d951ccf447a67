import { DeclaredService } from '../declarations/cloud-assembly';

/**
 * What the library's own cost and usage reporting costs per month, estimated from the declarations: the prices AWS
 * lists for what the reporting creates, us-east-1, before the free tier (the first 3 dashboards, 10 custom metrics and
 * 10 alarms of an account are free). Prices read on the date below; check them with the AWS Pricing Calculator.
 */
export const REPORTING_PRICES = {
  checked: '2026-11-27',
  region: 'us-east-1',
  /** A CloudWatch dashboard, per month. https://aws.amazon.com/cloudwatch/pricing/ */
  dashboardMonth: 3.0,
  /** A custom metric (a name and dimension set), per month, first 10 000 metrics. https://aws.amazon.com/cloudwatch/pricing/ */
  metricMonth: 0.3,
  /** A standard-resolution alarm metric, per month. https://aws.amazon.com/cloudwatch/pricing/ */
  alarmMonth: 0.1,
  /** A Cost Explorer API request (each result page). https://aws.amazon.com/aws-cost-management/aws-cost-explorer/pricing/ */
  costExplorerRequest: 0.01,
  /**
   * A budget without actions, per month: no charge (only action-enabled budgets beyond the first two cost 0.10 USD a
   * day). https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/
   */
  budgetMonth: 0,
} as const;

/** Days a month of the daily publisher runs counts. */
const DAYS = 30;

/** One thing the reporting creates, with its monthly price. */
export interface RunningCostItem {
  readonly what: string;
  readonly usd: number;
}

export interface ServiceRunningCost {
  /** What the service's own reporting creates (its budget, its metrics and alarms, its dashboard or its share). */
  readonly items: RunningCostItem[];
  /** Its share of its stack's publisher (split evenly over the stack's services with reporting). */
  readonly publisherShare: number;
  readonly usd: number;
}

export interface RunningCost {
  /** Per service, in the order given. */
  readonly services: ServiceRunningCost[];
  /** Per stack: the publisher (Cost Explorer requests, health metrics and alarms) and the stack dashboard, if any. */
  readonly stacks: Array<{ readonly stack: string; readonly items: RunningCostItem[]; readonly usd: number }>;
  /** Per account: the team and business-unit cost metrics (one per value, whichever stack publishes it). */
  readonly accountItems: RunningCostItem[];
  readonly totalUsd: number;
}

/**
 * The monthly running cost of the cost and usage reporting the declarations describe. A service without reporting
 * costs nothing; a stack dashboard (DashboardLayout.STACK) is split evenly over the services it shows.
 */
export function estimateRunningCost(services: DeclaredService[]): RunningCost {
  const p = REPORTING_PRICES;
  const stackKey = (s: DeclaredService) => `${s.account ?? '?'}/${s.region ?? '?'}/${s.stage ?? ''}/${s.stack}`;
  const reporting = services.filter((s) => s.record.costReporting?.enabled);
  const byStack = new Map<string, DeclaredService[]>();
  for (const s of reporting) {
    byStack.set(stackKey(s), [...(byStack.get(stackKey(s)) ?? []), s]);
  }
  const stacks = [...byStack.entries()].map(([key, members]) => {
    const regional = members.some((m) => m.record.costReporting.costScope === 'region');
    const sharedDashboards = new Set(members.filter((m) => m.record.costReporting.dashboardLayout === 'stack').map((m) => m.record.costReporting.dashboardName));
    const requests = (2 + (regional ? 1 : 0)) * DAYS;
    const items: RunningCostItem[] = [
      { what: `cost publisher: ${requests} Cost Explorer requests (at least one page per query and day)`, usd: requests * p.costExplorerRequest },
      { what: 'cost publisher: 2 health metrics (runs per outcome, cost data points)', usd: 2 * p.metricMonth },
      { what: 'cost publisher: 2 health alarms', usd: 2 * p.alarmMonth },
      ...[...sharedDashboards].map(() => ({ what: 'stack dashboard', usd: p.dashboardMonth })),
    ];
    return { key, stack: members[0].stack, members, items, usd: sum(items) };
  });
  const perService = services.map((s): ServiceRunningCost => {
    const r = s.record.costReporting;
    if (!r?.enabled) {
      return { items: [], publisherShare: 0, usd: 0 };
    }
    const stack = stacks.find((x) => x.key === stackKey(s))!;
    const items: RunningCostItem[] = [];
    if (r.budgetName !== undefined) {
      items.push({ what: 'budget (no actions)', usd: p.budgetMonth });
    }
    items.push({ what: 'daily cost metric', usd: p.metricMonth });
    if (r.unitMetric) {
      items.push({ what: 'unit usage and unit cost metrics', usd: 2 * p.metricMonth });
    }
    if (r.unitCostAlarm) {
      items.push({ what: 'unit-cost change metric and alarm', usd: p.metricMonth + p.alarmMonth });
    }
    if (r.dashboardLayout === 'service' || (r.dashboardName !== undefined && r.dashboardLayout === undefined)) {
      items.push({ what: 'dashboard', usd: p.dashboardMonth });
    }
    const withDashboard = stack.members.filter((m) => m.record.costReporting.dashboardLayout === 'stack' && m.record.costReporting.dashboardName === r.dashboardName);
    if (r.dashboardLayout === 'stack' && withDashboard.length > 0) {
      items.push({ what: `share of the stack dashboard (1/${withDashboard.length})`, usd: p.dashboardMonth / withDashboard.length });
    }
    const publisherShare = (stack.usd - stack.items.filter((i) => i.what === 'stack dashboard').reduce((n, i) => n + i.usd, 0)) / stack.members.length;
    return { items, publisherShare, usd: sum(items) + publisherShare };
  });
  const accounts = new Map<string, Set<string>>();
  for (const s of reporting) {
    const values = accounts.get(s.account ?? '?') ?? new Set<string>();
    values.add(`team:${s.record.team}`).add(`bu:${s.record.businessUnit}`);
    accounts.set(s.account ?? '?', values);
  }
  const accountItems = [...accounts.entries()].map(([account, values]) => ({
    what: `team and business-unit cost metrics of account ${account === '?' ? '(known at deploy)' : account} (${values.size})`,
    usd: values.size * p.metricMonth,
  }));
  // the total counts each stack's publisher and dashboard once (the services' shares of them are left out)
  const own = perService.flatMap((s) => s.items.filter((i) => !i.what.startsWith('share of the stack dashboard')));
  const totalUsd = sum(own) + sum(stacks) + sum(accountItems);
  return {
    services: perService,
    stacks: stacks.map(({ stack, items, usd }) => ({ stack, items, usd })),
    accountItems,
    totalUsd,
  };
}

function sum(items: ReadonlyArray<{ readonly usd: number }>): number {
  return items.reduce((n, i) => n + i.usd, 0);
}
