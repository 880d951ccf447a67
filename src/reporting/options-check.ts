import { Duration, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BudgetAlert } from './budget-alert';
import { CostAlertTarget } from './cost-alert-target';
import { CostReportingOptions, CostScope, DashboardLayout } from './cost-reporting-options';
import { describe, monthlyBudgetProblems } from '../declaration/rules';

/**
 * The checks of `CostReportingOptions`: every problem as a message naming the option (relative to
 * `costReporting`), and the options resolved with their defaults. The limits are AWS's: a budget notification has
 * at most 1 SNS and 10 e-mail subscribers, a budget at most 5 notifications, a MONTHLY auto-adjusting budget
 * averages 1 to 12 months.
 */

export const MAX_EMAILS = 10;
export const MAX_NOTIFICATIONS = 5;
export const DEFAULT_AUTO_ADJUST_MONTHS = 6;
export const DEFAULT_INCREASE_PERCENT = 20;
export const DEFAULT_COMPARE_DAYS = 7;
/** Budget amounts are sent as decimal strings: the range is a declaration rule (`field-rules.ts`). */
export { MIN_BUDGET, MAX_BUDGET } from '../declaration/field-rules';
/** The dashboard layout when none is chosen (bench/RESULTS.md, "Dashboard layout", has the numbers behind it). */
export const DEFAULT_DASHBOARD_LAYOUT = DashboardLayout.STACK;

export interface UnitCostAlarmSettings {
  readonly increasePercent: number;
  readonly compareDays: number;
}

/** The options with their defaults, each target split into its e-mail address or topic. */
export interface ResolvedReporting {
  /** Fixed monthly budget in USD; undefined for an auto-adjusting budget. */
  readonly fixedBudget?: number;
  readonly autoAdjustMonths: number;
  readonly emails: string[];
  readonly topic?: sns.ITopic;
  readonly alerts: BudgetAlert[];
  readonly dashboard: boolean;
  readonly dashboardLayout: DashboardLayout;
  readonly costScope: CostScope;
  readonly unitCostAlarm?: UnitCostAlarmSettings;
  readonly alertTopicKey?: kms.IKey;
}

export interface ReportingCheck {
  readonly problems: string[];
  readonly resolved: ResolvedReporting;
}

/** Checks the options of an enabled reporting. */
export function checkReportingOptions(p: CostReportingOptions): ReportingCheck {
  const problems: string[] = [];
  if (p.enabled === false) {
    problems.push('enabled is false: reporting is disabled, so nothing is created (use CostReporting.disabled(reason) on the service)');
  } else if (p.disabledReason !== undefined) {
    problems.push(`disabledReason is ${JSON.stringify(p.disabledReason)} but reporting is enabled: to turn reporting off pass CostReporting.disabled(${JSON.stringify(p.disabledReason)})`);
  }
  const fixedBudget = checkMonthlyBudget(p.monthlyBudget, problems);
  const autoAdjustMonths = checkAutoAdjust(p, problems);
  const { emails, topics } = checkTargets(p.notify, problems);
  const alerts = checkAlerts(p.alerts, problems);
  if (p.dashboard !== undefined && typeof p.dashboard !== 'boolean') {
    problems.push(`dashboard is ${describe(p.dashboard)}: pass true or false`);
  }
  const unitCostAlarm = checkUnitCostAlarm(p.unitCostAlarm, problems);
  let dashboardLayout = p.dashboardLayout ?? DEFAULT_DASHBOARD_LAYOUT;
  if (!Object.values(DashboardLayout).includes(dashboardLayout)) {
    problems.push(`dashboardLayout is ${describe(dashboardLayout)}: accepted values are ${Object.values(DashboardLayout).map((v) => `DashboardLayout.${v}`).join(', ')}`);
    dashboardLayout = DEFAULT_DASHBOARD_LAYOUT;
  }
  let costScope = p.costScope ?? CostScope.ACCOUNT;
  if (!Object.values(CostScope).includes(costScope)) {
    problems.push(`costScope is ${describe(costScope)}: accepted values are ${Object.values(CostScope).map((v) => `CostScope.${v}`).join(', ')}`);
    costScope = CostScope.ACCOUNT;
  }
  if (p.alertTopicKey !== undefined && (!p.alertTopicKey || typeof (p.alertTopicKey as kms.IKey).keyArn !== 'string')) {
    problems.push(`alertTopicKey is ${describe(p.alertTopicKey)}: pass a KMS key (kms.Key or kms.Key.fromKeyArn(...))`);
  }
  return {
    problems,
    resolved: {
      fixedBudget,
      autoAdjustMonths,
      emails,
      topic: topics[0],
      alerts,
      dashboard: p.dashboard !== false,
      dashboardLayout,
      costScope,
      unitCostAlarm,
      alertTopicKey: p.alertTopicKey,
    },
  };
}

function checkMonthlyBudget(value: unknown, problems: string[]): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const found = monthlyBudgetProblems('monthlyBudget', value);
  problems.push(...found);
  return found.length > 0 ? undefined : value as number;
}

function checkAutoAdjust(p: CostReportingOptions, problems: string[]): number {
  const months = p.autoAdjustMonths;
  if (months === undefined) {
    return DEFAULT_AUTO_ADJUST_MONTHS;
  }
  if (p.monthlyBudget !== undefined) {
    problems.push(`autoAdjustMonths is ${describe(months)} but monthlyBudget is set: autoAdjustMonths tunes the auto-adjusting budget, which is used only without monthlyBudget; remove one of them`);
  }
  if (typeof months !== 'number' || !Number.isInteger(months) || months < 1 || months > 12) {
    problems.push(`autoAdjustMonths is ${describe(months)}: expected a whole number of months from 1 to 12 (the BudgetAdjustmentPeriod of a monthly budget)`);
  }
  return months;
}

function checkTargets(value: unknown, problems: string[]): { emails: string[]; topics: sns.ITopic[] } {
  const emails: string[] = [];
  const topics: sns.ITopic[] = [];
  if (value === undefined) {
    return { emails, topics };
  }
  if (!Array.isArray(value)) {
    problems.push(`notify is ${describe(value)}: pass a list such as [CostAlertTarget.email("payments@example.com")]`);
    return { emails, topics };
  }
  value.forEach((t, i) => {
    if (!CostAlertTarget.isCostAlertTarget(t)) {
      problems.push(`notify[${i}] is ${describe(t)}: use CostAlertTarget.email("payments@example.com") or CostAlertTarget.topic(topic)`);
      return;
    }
    const found = t._problems(`notify[${i}]`);
    const r = t._recipient();
    if (found.length > 0) {
      problems.push(...found);
    } else if (r.topic) {
      topics.push(r.topic);
    } else if (r.email !== undefined) {
      emails.push(r.email);
    }
  });
  if (emails.length > MAX_EMAILS) {
    problems.push(`notify has ${emails.length} e-mail addresses: a budget notification accepts at most ${MAX_EMAILS} e-mail subscribers (and 1 SNS topic); send to a distribution list or a topic instead`);
  }
  if (topics.length > 1) {
    problems.push(`notify has ${topics.length} topics: a budget notification accepts at most 1 SNS subscriber; publish to one topic and fan out from it`);
  }
  const seen = new Set<string>();
  for (const e of emails) {
    const k = Token.isUnresolved(e) ? e : e.toLowerCase();
    if (seen.has(k)) {
      problems.push(`notify lists the e-mail address ${JSON.stringify(e)} twice`);
    }
    seen.add(k);
  }
  return { emails, topics };
}

function checkAlerts(value: unknown, problems: string[]): BudgetAlert[] {
  if (value === undefined) {
    return [...BudgetAlert.DEFAULTS];
  }
  if (!Array.isArray(value)) {
    problems.push(`alerts is ${describe(value)}: pass a list such as [BudgetAlert.actual(80), BudgetAlert.forecast(100)]`);
    return [];
  }
  const alerts: BudgetAlert[] = [];
  value.forEach((a, i) => {
    if (!BudgetAlert.isBudgetAlert(a)) {
      problems.push(`alerts[${i}] is ${describe(a)}: use BudgetAlert.actual(80) or BudgetAlert.forecast(100)`);
    } else if (a._problems(`alerts[${i}]`).length > 0) {
      problems.push(...a._problems(`alerts[${i}]`));
    } else {
      alerts.push(a);
    }
  });
  if (alerts.length > MAX_NOTIFICATIONS) {
    problems.push(`alerts has ${alerts.length} alerts: a budget accepts at most ${MAX_NOTIFICATIONS} notifications`);
  }
  const seen = new Set<string>();
  for (const a of alerts) {
    const k = `${a.type}/${a.thresholdPercent}`;
    if (seen.has(k)) {
      problems.push(`alerts lists "${a.toString()}" twice`);
    }
    seen.add(k);
  }
  return alerts;
}

function checkUnitCostAlarm(value: unknown, problems: string[]): UnitCostAlarmSettings | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`unitCostAlarm is ${describe(value)}: pass { increasePercent: 20, comparePeriod: Duration.days(7) } (or {} for the defaults)`);
    return undefined;
  }
  const o = value as { increasePercent?: unknown; comparePeriod?: unknown };
  let increasePercent = DEFAULT_INCREASE_PERCENT;
  if (o.increasePercent !== undefined) {
    const v = o.increasePercent;
    if (typeof v !== 'number' || Token.isUnresolved(v) || !Number.isFinite(v) || v <= 0 || v > 1_000_000) {
      problems.push(`unitCostAlarm.increasePercent is ${describe(v)}: expected a percentage greater than 0 and at most 1000000 (e.g. 20 for +20 %)`);
    } else {
      increasePercent = v;
    }
  }
  let compareDays = DEFAULT_COMPARE_DAYS;
  if (o.comparePeriod !== undefined) {
    const d = o.comparePeriod as Duration;
    if (!d || typeof (d as any).toSeconds !== 'function' || Token.isUnresolved(d.toSeconds({ integral: false }))) {
      problems.push(`unitCostAlarm.comparePeriod is ${describe(o.comparePeriod)}: pass a Duration in whole days, e.g. Duration.days(7)`);
    } else {
      const days = d.toSeconds({ integral: false }) / 86_400;
      if (!Number.isInteger(days) || days < 1 || days > 30) {
        problems.push(`unitCostAlarm.comparePeriod is ${d.toHumanString()}: expected whole days from 1 to 30 (e.g. Duration.days(7) for week over week)`);
      } else {
        compareDays = days;
      }
    }
  }
  return { increasePercent, compareDays };
}
