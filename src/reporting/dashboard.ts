import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { CustomerValueMetrics } from './customer-value-metrics';
import type { ICustomerService } from '../customer-service-base';
import { ResolvedReporting } from './options-check';
import { ReportingDashboard } from './private/dashboard-body';
import { DiscoveredMetric } from './private/discovery';
import { LazyWidgets, markdown } from './private/lazy-widgets';
import { accountUniqueName, AccountUniqueName } from './private/names';
import { REPUBLISH_DAYS } from './private/publisher-config';
import { graphWidget, textWidget } from './private/widget-json';
import { METRIC_NAMES, METRIC_NAMESPACE } from '../private/metric-names';

/*
 * The dashboard of a customer service: the declaration as text, the daily cost and the unit cost, the unit-cost
 * alarm, and the usage metrics (registered with addUsageMetric, then those discovered from the service's resources,
 * one graph per kind of resource). Named `<service>-<stack>-<region>`: dashboard names are unique per account (the
 * ARN has no region) and allow [A-Za-z0-9_-]. The widgets are built when the body is rendered, so usage metrics
 * registered after the service was created are shown.
 */

const MAX_DASHBOARD_NAME = 255;

/** What shows the health of the cost publisher on a dashboard. */
export interface HealthWidgets {
  healthWidgets(): cloudwatch.IWidget[];
}

/** What the dashboard shows besides the service's declaration and usage metrics. */
export interface DashboardInputs {
  readonly options: ResolvedReporting;
  readonly unitCostAlarm?: cloudwatch.IAlarm;
  /** The stack's cost publisher: its alarms and runs are shown under the cost. */
  readonly health: HealthWidgets;
  /** What the cost counts, for the cost graph's title: "all deployments in account 111111111111". */
  readonly costCoverage: string;
  /** Where the budget is, when another deployment of the service owns it. */
  readonly budgetOwner: () => string | undefined;
  /** The usage metrics discovered from the service's resources (computed once, at synth). */
  readonly discovered: () => DiscoveredMetric[];
}

export interface ServiceDashboard {
  readonly dashboard: cloudwatch.Dashboard;
  readonly name: AccountUniqueName;
}

/** Creates the service's dashboard as `Dashboard` in `scope`. */
export function createServiceDashboard(scope: Construct, service: ICustomerService, inputs: DashboardInputs): ServiceDashboard {
  return createDashboard(scope, 'Dashboard', service.serviceName, () => dashboardRows(service, inputs, true));
}

/** A dashboard named `<prefix>-<stack>-<region>` whose widgets are built when its body is rendered. */
export function createDashboard(scope: Construct, id: string, prefix: string, rows: () => cloudwatch.IWidget[][]): ServiceDashboard {
  const name = accountUniqueName(prefix, Stack.of(scope), MAX_DASHBOARD_NAME);
  const dashboard = new ReportingDashboard(scope, id, {
    dashboardName: name.name,
    defaultInterval: Duration.days(35),
    periodOverride: cloudwatch.PeriodOverride.INHERIT,
  });
  dashboard.addWidgets(new LazyWidgets(rows));
  return { dashboard, name };
}

/** "USD per 1000 orders", or "no usage metric". */
export function unitLabel(service: ICustomerService): string {
  const unit = service.unitMetric;
  if (!unit) {
    return 'no usage metric';
  }
  return `USD per ${unit.unitScale === 1 ? '' : `${unit.unitScale} `}${unit.name}`;
}

/** The rows of a service's dashboard (or of its section of the stack's dashboard, without the publisher's health). */
export function dashboardRows(s: ICustomerService, inputs: DashboardInputs, withHealth: boolean): cloudwatch.IWidget[][] {
  const unit = s.unitMetric;
  const stack = Stack.of(s);
  const cost = CustomerValueMetrics.serviceCost(s.serviceName, { label: 'Daily cost (USD)' });
  const rows: cloudwatch.IWidget[][] = [];

  // 1. the declaration
  rows.push([textWidget(stack, { markdown: declarationMarkdown(s, inputs), width: 24, height: 6 })]);

  // 2. daily cost and unit cost
  const costWidget = graphWidget(stack, {
    title: `Daily cost of ${s.serviceName} (USD), ${inputs.costCoverage}`,
    left: [cost],
    leftYAxis: { min: 0, showUnits: false },
    width: 12,
    height: 6,
  });
  let unitWidget: cloudwatch.IWidget;
  if (unit) {
    const usage = withDailyPeriod(unit.metric);
    unitWidget = new cloudwatch.GraphWidget({
      title: `Unit cost: ${unitLabel(s)}`,
      left: [new cloudwatch.MathExpression({
        expression: `cost * ${unit.unitScale} / usage`,
        usingMetrics: { cost, usage },
        period: Duration.days(1),
        label: unitLabel(s),
      })],
      leftYAxis: { min: 0, showUnits: false },
      width: 12,
      height: 6,
    });
  } else {
    unitWidget = textWidget(stack, {
      markdown: '### Unit cost\nNo usage metric is registered, so there is no unit cost. Register the service\'s demand driver: `service.addUsageMetric(\'orders\', metric)`.',
      width: 12,
      height: 6,
    });
  }
  rows.push([costWidget, unitWidget]);
  if (withHealth) {
    rows.push(inputs.health.healthWidgets());
  }
  const alarm = inputs.unitCostAlarm;
  if (alarm) {
    rows.push([
      new cloudwatch.AlarmWidget({ title: `Unit-cost alarm (change over ${inputs.options.unitCostAlarm?.compareDays} day(s), %)`, alarm, width: 12, height: 6 }),
      graphWidget(stack, {
        title: 'Unit usage and unit cost, as published',
        left: [CustomerValueMetrics.unitUsage(s.serviceName, { label: 'Unit usage' })],
        right: [CustomerValueMetrics.unitCost(s.serviceName, { label: unitLabel(s) })],
        width: 12,
        height: 6,
      }),
    ]);
  }

  // 3. usage: registered, then discovered (one graph per kind of resource)
  const usageWidgets: cloudwatch.IWidget[] = s.usageMetrics.map((u) => graphWidget(stack, {
    title: `Usage: ${u.name}${u.unit ? ' (unit)' : ''}`,
    left: [withDailyPeriod(u.metric)],
    width: 8,
    height: 6,
  }));
  const byKind = new Map<string, DiscoveredMetric[]>();
  for (const d of inputs.discovered()) {
    byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
  }
  for (const [kind, list] of byKind) {
    usageWidgets.push(graphWidget(stack, {
      title: `${kind} (discovered)`,
      left: list.map((d) => labelled(d.metric, d.name)),
      width: 8,
      height: 6,
    }));
  }
  for (let i = 0; i < usageWidgets.length; i += 3) {
    rows.push(usageWidgets.slice(i, i + 3));
  }
  return rows;
}

function declarationMarkdown(s: ICustomerService, inputs: DashboardInputs): string {
  const options = inputs.options;
  const owner = inputs.budgetOwner();
  const review = s.nextValueReview
    ? `${markdown(s.nextValueReview)} (${markdown(s.valueReviewStatus)}; every ${reviewDays(s)} days${s.valueReview?.reviewer ? `, reviewer ${markdown(s.valueReview.reviewer)}` : ''})`
    : 'not scheduled';
  const budget = owner !== undefined
    ? `kept by the deployment in stack ${markdown(owner)} (one budget for ${markdown(inputs.costCoverage)})`
    : options.fixedBudget !== undefined
      ? `${markdown(String(options.fixedBudget))} USD per month (fixed)`
      : `auto\\-adjusting (average of the last ${options.autoAdjustMonths} months)`;
  return [
    `# ${markdown(s.serviceName)}: cost per customer value`,
    `**Customer need:** ${markdown(s.customerNeed)}`,
    '',
    `**Customer:** ${markdown(s.customer.kind)}: ${markdown(s.customer.name)} · **Team:** ${markdown(s.team)} · **Business unit:** ${markdown(s.businessUnit)}`,
    '',
    `**Next value review:** ${review} · **Budget:** ${budget}`,
    '',
    `Cost: \`${METRIC_NAMESPACE}/${METRIC_NAMES.cost}\` (ServiceName=${markdown(s.serviceName)}), daily unblended cost without credits and refunds from Cost Explorer, published once a day for the previous days; the last ${REPUBLISH_DAYS} days are published again while the data settles, so graphs use the Maximum statistic per day.`,
  ].join('\n');
}

function withDailyPeriod(metric: cloudwatch.IMetric): cloudwatch.IMetric {
  const m = metric as cloudwatch.IMetric & { with?: (o: cloudwatch.MetricOptions) => cloudwatch.IMetric };
  return typeof m.with === 'function' ? m.with({ period: Duration.days(1) }) : metric;
}

function labelled(metric: cloudwatch.IMetric, label: string): cloudwatch.IMetric {
  const m = metric as cloudwatch.IMetric & { with?: (o: cloudwatch.MetricOptions) => cloudwatch.IMetric };
  return typeof m.with === 'function' ? m.with({ label }) : metric;
}

function reviewDays(s: ICustomerService): number {
  const every = s.valueReview?.every;
  return every ? Math.round(every.toSeconds({ integral: false }) / 86_400) : 0;
}
