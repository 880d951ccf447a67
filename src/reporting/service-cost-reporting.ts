import { Annotations, Aws, Duration, Fn, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { BudgetAlert } from './budget-alert';
import { CostAlertTarget, CostAlertTargetType } from './cost-alert-target';
import { CostMetricPublisher } from './cost-metric-publisher';
import { CostReportingOptions } from './cost-reporting-options';
import { CustomerValueMetrics } from './customer-value-metrics';
import type { CustomerService } from '../customer-service';
import { DiscoveredMetric, discoverUsageMetrics } from './private/discovery';
import { LazyWidgets, markdown } from './private/lazy-widgets';
import { METRIC_NAMES, METRIC_NAMESPACE, REPUBLISH_DAYS } from './private/publisher-config';
import { usageQuerySpec } from './private/usage-spec';
import { CostReportingRecord, UsageMetricRecord } from '../declaration/record';
import { sha256 } from '../private/tag-safe';
import { usageRecord } from '../private/usage-record';

/**
 * Props of `ServiceCostReporting`.
 */
export interface ServiceCostReportingProps extends CostReportingOptions {
  /** The service to report on. */
  readonly service: CustomerService;
}

const REPORTING_SYMBOL = Symbol.for('cdk-customer-value.ServiceCostReporting');
const MAX_EMAILS = 10;
const MAX_NOTIFICATIONS = 5;
const DEFAULT_AUTO_ADJUST_MONTHS = 6;
const DEFAULT_INCREASE_PERCENT = 20;
const DEFAULT_COMPARE_DAYS = 7;
/** Longest region name assumed when the region is only known at deploy (`ap-southeast-5` has 14 characters). */
const REGION_ALLOWANCE = 20;
const MAX_BUDGET_NAME = 100;
const MAX_DASHBOARD_NAME = 255;
/** Budget amounts are sent as decimal strings; keep them out of JavaScript's exponent notation. */
const MIN_BUDGET = 0.01;
const MAX_BUDGET = 1e12;
/** Topics already granted to the cost-alert services (a topic shared by several services is granted once). */
const GRANTED_TOPICS = new WeakSet<sns.ITopic>();
const GRANTED_KEYS = new WeakMap<kms.IKey, Set<string>>();

/**
 * The cost and usage reporting of one customer service (DESIGN §3.5), created by `CustomerService` inside
 * itself unless reporting is disabled:
 *
 * - a monthly COST budget (`AWS::Budgets::Budget`) filtered to the service's tag, fixed (`monthlyBudget`) or
 *   auto-adjusting, with its alerts (`alerts`, default actual 80 %, actual 100 %, forecast 100 %) sent to the
 *   `notify` targets;
 * - a CloudWatch dashboard with the declaration, the daily cost, the usage metrics (registered with
 *   `addUsageMetric` and discovered from the service's resources) and the unit cost;
 * - the registration of the service with its stack's daily cost metric publisher (`CostMetricPublisher`);
 * - optionally, an alarm when the unit cost regresses (`unitCostAlarm`), and the service's alert topic when an
 *   alert needs SNS on the targets' behalf.
 *
 * **The budget's tag filter.**
 *
 * The budget tracks the cost of the resources tagged `<service tag key>=<service name>` with the legacy
 * `CostFilters` form, `{"TagKeyValue": ["user:customer-service$checkout"]}`, paired with `CostTypes`. That is a
 * deliberate choice (aws-cost-facts §2): it is the form AWS documents (AWS CLI `create-budget` example) and the
 * one known to work; its one trap, a missing `user:` prefix that makes the budget track $0 without any error,
 * is closed here because the library always writes the prefix (and a test pins the exact filter). The newer
 * `FilterExpression` + `Metrics` pair is recommended by AWS since `CostFilters` was deprecated (2025-04-18),
 * but whether its `Tags.Key` takes the raw key or the `user:` form is undocumented, and a wrong guess also
 * tracks $0 silently. The two pairs cannot be mixed. Switching needs a deployed integration test that shows
 * which form reports non-zero actuals; until then the documented form wins.
 *
 * `CostTypes` excludes credits and refunds (the budget follows what the service consumes, like the
 * `CustomerValue` cost metric) and keeps unblended cost.
 *
 * **Names.**
 *
 * The budget is named `<service>-<stack>-<region>-<notifications>` (at most 100 characters; a long stack name
 * is shortened with a hash): unique in the account, stable across deployments, and free of the amount, so
 * changing `monthlyBudget` updates the budget in place. Budget notifications are create-only in CloudFormation:
 * changing `alerts` or `notify` replaces the budget, and CloudFormation creates the replacement before deleting
 * the old one, so the last part (8 hex digits of a hash of the alerts and subscribers) changes with them and the
 * replacement never collides with the old budget's name (budget names are unique per account).
 */
export class ServiceCostReporting extends Construct {
  /** The construct id of the reporting construct inside its service. */
  public static readonly ID = 'CostReporting';

  /**
   * The reporting of a service, or undefined when reporting is disabled (or the declaration was refused).
   */
  public static of(service: IConstruct): ServiceCostReporting | undefined {
    const child = service.node.tryFindChild(ServiceCostReporting.ID);
    return ServiceCostReporting.isServiceCostReporting(child) ? child : undefined;
  }

  /**
   * Whether `x` is a `ServiceCostReporting`.
   */
  public static isServiceCostReporting(x: any): x is ServiceCostReporting {
    return x !== null && typeof x === 'object' && REPORTING_SYMBOL in x;
  }

  /**
   * The budget's `CostFilters` for a service: `{"TagKeyValue": ["user:<tag key>$<service name>"]}`.
   *
   * The `user:` prefix marks a user-defined cost allocation tag; without it the budget is created without
   * error but tracks $0 (aws-cost-facts §2).
   */
  public static costFilters(tagKey: string, serviceName: string): Record<string, string[]> {
    return { TagKeyValue: [`user:${tagKey}$${serviceName}`] };
  }

  /** The service reported on. */
  public readonly service: CustomerService;
  /** The budget. */
  public readonly budget: budgets.CfnBudget;
  /** The budget's name (a token when the region is only known at deploy). */
  public readonly budgetName: string;
  /** The dashboard, unless `dashboard: false`. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The dashboard's name (a token when the region is only known at deploy). */
  public readonly dashboardName?: string;
  /** The service's alert topic, when the library created one (a unit-cost alarm with e-mail targets). */
  public readonly alertTopic?: sns.ITopic;
  /** The unit-cost alarm, when `unitCostAlarm` is set. */
  public readonly unitCostAlarm?: cloudwatch.Alarm;
  /** The stack's cost metric publisher. */
  public readonly publisher: CostMetricPublisher;
  /** The alert targets. */
  public readonly alertTargets: CostAlertTarget[];
  /** The budget alerts. */
  public readonly alerts: BudgetAlert[];

  private readonly options: CostReportingOptions;
  private readonly compareDays?: number;
  /** Names for the metadata, `${AWS::Region}` standing for a region known only at deploy. */
  private readonly recordNames: { budget?: string; dashboard?: string } = {};
  private discovered?: DiscoveredMetric[];

  constructor(scope: Construct, id: string, props: ServiceCostReportingProps) {
    super(scope, id);
    Object.defineProperty(this, REPORTING_SYMBOL, { value: true });
    const p = props ?? ({} as ServiceCostReportingProps);
    if (!p.service || !p.service.node || typeof p.service.serviceName !== 'string') {
      throw new Error(`[${this.node.path}] ServiceCostReporting: service is missing: pass the CustomerService to report on`);
    }
    this.service = p.service;
    this.options = p;
    const where = `[${this.service.node.path}] costReporting`;

    // ---------------------------------------------------------------- options
    const problems: string[] = [];
    if (p.enabled === false) {
      problems.push('enabled is false: reporting is disabled, so nothing is created (use CostReporting.disabled(reason) on the service)');
    } else if (p.disabledReason !== undefined) {
      problems.push(`disabledReason is ${JSON.stringify(p.disabledReason)} but reporting is enabled: to turn reporting off pass CostReporting.disabled(${JSON.stringify(p.disabledReason)})`);
    }
    const fixed = checkMonthlyBudget(p.monthlyBudget, problems);
    const autoMonths = checkAutoAdjust(p, problems);
    this.alertTargets = checkTargets(p.notify, problems);
    this.alerts = checkAlerts(p.alerts, problems);
    if (p.dashboard !== undefined && typeof p.dashboard !== 'boolean') {
      problems.push(`dashboard is ${describe(p.dashboard)}: pass true or false`);
    }
    const alarm = checkUnitCostAlarm(p.unitCostAlarm, problems);
    if (p.alertTopicKey !== undefined && (!p.alertTopicKey || typeof (p.alertTopicKey as kms.IKey).keyArn !== 'string')) {
      problems.push(`alertTopicKey is ${describe(p.alertTopicKey)}: pass a KMS key (kms.Key or kms.Key.fromKeyArn(...))`);
    }
    if (problems.length > 0) {
      throw new Error(`${where}: ${problems.join('; ')}`);
    }
    this.compareDays = alarm?.compareDays;

    const stack = Stack.of(this);
    const emails = this.alertTargets.filter((t) => t.type === CostAlertTargetType.EMAIL).map((t) => t.address!);
    const userTopic = this.alertTargets.find((t) => t.type === CostAlertTargetType.SNS)?.snsTopic;

    // ---------------------------------------------------------------- alert topic(s)
    if (userTopic) {
      this.grantCostAlertsOnTopic(userTopic, alarm !== undefined);
    }
    if (alarm && emails.length > 0) {
      // CloudWatch alarms notify SNS topics only: the e-mail targets get the alarm through the service's topic.
      const topic = new sns.Topic(this, 'AlertTopic', {
        displayName: `Cost alerts of ${this.service.serviceName}`.slice(0, 100),
        masterKey: p.alertTopicKey,
        enforceSSL: true,
      });
      for (const address of emails) {
        topic.addSubscription(new subscriptions.EmailSubscription(address));
      }
      this.grantCostAlertsOnTopic(topic, true);
      if (!p.alertTopicKey) {
        Validations.of(topic).acknowledge({
          id: 'AwsSolutions-SNS2',
          reason: 'The alert topic carries cost alerts (service name, amounts), no customer data. Encrypting it needs a customer managed key because AWS Budgets and Cost Anomaly Detection cannot use the AWS managed alias/aws/sns key; pass costReporting.alertTopicKey to encrypt it.',
        });
      }
      this.alertTopic = topic;
    } else if (p.alertTopicKey) {
      Annotations.of(this).addWarningV2('cdk-customer-value:CostReporting.alertTopicKeyUnused',
        `costReporting.alertTopicKey is set but the service "${this.service.serviceName}" has no alert topic to encrypt: the library creates one only for a unit-cost alarm with e-mail targets (budget e-mails are sent by AWS Budgets directly${userTopic ? ', and your own topic keeps its own encryption' : ''}). Remove alertTopicKey, or add unitCostAlarm and an e-mail target.`);
    }

    // ---------------------------------------------------------------- budget
    const subscribers: budgets.CfnBudget.SubscriberProperty[] = [
      ...emails.map((address) => ({ subscriptionType: 'EMAIL', address })),
      ...(userTopic ? [{ subscriptionType: 'SNS', address: userTopic.topicArn }] : []),
    ];
    const notified = subscribers.length > 0 && this.alerts.length > 0;
    this.budgetName = this.makeBudgetName(stack, notificationsFingerprint(notified ? this.alerts : [], notified ? emails : [],
      notified && userTopic ? (Token.isUnresolved(userTopic.topicArn) ? `construct:${userTopic.node.path}` : userTopic.topicArn) : undefined));
    if (subscribers.length === 0 && this.alerts.length > 0) {
      Annotations.of(this).addWarningV2('cdk-customer-value:CostReporting.noAlertTarget',
        `The budget of "${this.service.serviceName}" has no alert target, so it is created without its ${this.alerts.length} alert(s) (${this.alerts.map((a) => a.toString()).join(', ')}): a budget notification needs at least one subscriber. Add costReporting.notify: [CostAlertTarget.email(...)] or [CostAlertTarget.topic(...)].`);
    }
    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: this.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        ...(fixed !== undefined
          ? { budgetLimit: { amount: fixed, unit: 'USD' } }
          : { autoAdjustData: { autoAdjustType: 'HISTORICAL', historicalOptions: { budgetAdjustmentPeriod: autoMonths } } }),
        costFilters: ServiceCostReporting.costFilters(this.service.tagKeys.service, this.service.serviceName),
        costTypes: {
          includeCredit: false,
          includeRefund: false,
          useAmortized: false,
          useBlended: false,
        },
      },
      notificationsWithSubscribers: !notified ? undefined : this.alerts.map((a) => ({
        notification: {
          notificationType: a.type,
          comparisonOperator: 'GREATER_THAN',
          threshold: a.thresholdPercent,
          thresholdType: 'PERCENTAGE',
        },
        subscribers,
      })),
    });

    // ---------------------------------------------------------------- daily cost metric
    this.publisher = CostMetricPublisher.of(this);
    this.publisher._register(this.service, this.compareDays);

    // ---------------------------------------------------------------- unit-cost alarm
    if (alarm) {
      this.unitCostAlarm = new cloudwatch.Alarm(this, 'UnitCostAlarm', {
        metric: CustomerValueMetrics.unitCostChange(this.service.serviceName),
        threshold: alarm.increasePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: Lazy.string({
          produce: () => `The unit cost of ${this.service.serviceName} (${this.unitLabel()}) over the last ${alarm.compareDays} day(s) is more than ${alarm.increasePercent} % above the ${alarm.compareDays} day(s) before. Published daily by the cost publisher of stack ${stack.stackName} (metric ${METRIC_NAMESPACE}/${METRIC_NAMES.unitCostChange}).`,
        }),
      });
      for (const topic of [this.alertTopic, userTopic]) {
        if (topic) {
          this.unitCostAlarm.addAlarmAction(new cwActions.SnsAction(topic));
        }
      }
      this.node.addValidation({
        validate: () => {
          const unit = this.service.unitMetric;
          if (!unit) {
            return [`costReporting.unitCostAlarm of "${this.service.serviceName}" needs a usage metric to divide the cost by: register one with service.addUsageMetric("orders", metric), or remove unitCostAlarm`];
          }
          const { problem } = usageQuerySpec(stack, unit.metric);
          return problem ? [`costReporting.unitCostAlarm of "${this.service.serviceName}": the cost publisher cannot read the unit metric "${unit.name}" (${problem}), so the alarm would never fire`] : [];
        },
      });
    }

    // ---------------------------------------------------------------- dashboard
    if (p.dashboard !== false) {
      this.dashboardName = this.makeDashboardName(stack);
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
        dashboardName: this.dashboardName,
        defaultInterval: Duration.days(35),
        periodOverride: cloudwatch.PeriodOverride.INHERIT,
      });
      this.dashboard.addWidgets(new LazyWidgets(() => this.dashboardRows()));
    }
  }


  /**
   * The usage metrics discovered from the service's resources (its subtree and the scopes it included):
   * Lambda invocations, API Gateway requests (REST and HTTP APIs), DynamoDB consumed read and write capacity,
   * SQS messages sent, SNS messages published, Step Functions executions started, ECS service CPU utilization
   * and running tasks (Container Insights), ALB requests. Computed once, at synthesis.
   */
  public get discoveredUsageMetrics(): cloudwatch.IMetric[] {
    return this.discover().map((d) => d.metric);
  }

  /**
   * The cost-reporting record of the service's metadata.
   * @internal
   */
  public _record(): CostReportingRecord {
    const unit = this.service.unitMetric;
    const fixed = this.options.monthlyBudget;
    return {
      enabled: true,
      monthlyBudgetUsd: fixed,
      budgetKind: fixed !== undefined ? 'fixed' : 'auto-adjusting',
      autoAdjustMonths: fixed !== undefined ? undefined : this.options.autoAdjustMonths ?? DEFAULT_AUTO_ADJUST_MONTHS,
      budgetName: this.recordNames.budget,
      dashboardName: this.recordNames.dashboard,
      alerts: this.alerts.map((a) => ({ type: a.type, thresholdPercent: a.thresholdPercent })),
      alertTargets: {
        emails: this.alertTargets.filter((t) => t.type === CostAlertTargetType.EMAIL).length,
        topics: this.alertTargets.filter((t) => t.type === CostAlertTargetType.SNS).length,
      },
      unitMetric: unit?.name,
      unitScale: unit?.unitScale,
      unitCostAlarm: this.unitCostAlarm ? {
        increasePercent: this.options.unitCostAlarm?.increasePercent ?? DEFAULT_INCREASE_PERCENT,
        comparePeriodDays: this.compareDays!,
      } : undefined,
      metricNamespace: METRIC_NAMESPACE,
      costMetricName: METRIC_NAMES.cost,
      unitCostMetricName: METRIC_NAMES.unitCost,
      unitUsageMetricName: METRIC_NAMES.unitUsage,
      metricStatistic: 'Maximum',
      publisherPath: this.publisher.node.path,
    };
  }

  /**
   * The discovered usage metrics as metadata records.
   * @internal
   */
  public _discoveredUsageRecords(): UsageMetricRecord[] {
    return this.discover().map((d) => usageRecord(this.service, d.name, d.metric, 'discovered'));
  }

  // ------------------------------------------------------------------ internals

  private discover(): DiscoveredMetric[] {
    if (!this.discovered) {
      this.discovered = discoverUsageMetrics([this.service, ...this.service.includedScopes], this);
    }
    return this.discovered;
  }

  private unitLabel(): string {
    const unit = this.service.unitMetric;
    if (!unit) {
      return 'no usage metric';
    }
    return `USD per ${unit.unitScale === 1 ? '' : `${unit.unitScale} `}${unit.name}`;
  }

  private grantCostAlertsOnTopic(topic: sns.ITopic, withAlarm: boolean): void {
    const account = Stack.of(this).account;
    const partition = Stack.of(this).partition;
    if (!GRANTED_TOPICS.has(topic)) {
      const results = [
        topic.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'AWSBudgetsPublish',
          principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
          actions: ['SNS:Publish'],
          resources: [topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': `arn:${partition}:budgets::${account}:*` },
          },
        })),
        topic.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'AWSCostAnomalyDetectionPublish',
          principals: [new iam.ServicePrincipal('costalerts.amazonaws.com')],
          actions: ['SNS:Publish'],
          resources: [topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        })),
      ];
      GRANTED_TOPICS.add(topic);
      if (results.some((r) => !r.statementAdded)) {
        Annotations.of(this).addWarningV2('cdk-customer-value:CostReporting.topicPolicyNotManaged',
          `The alert topic ${topic.node.path} of "${this.service.serviceName}" is imported, so its policy cannot be changed here: allow SNS:Publish to the service principals budgets.amazonaws.com (condition aws:SourceAccount = this account, aws:SourceArn like arn:<partition>:budgets::<account>:*) and costalerts.amazonaws.com (aws:SourceAccount = this account) in the topic policy, or AWS Budgets cannot deliver the alerts.`);
      }
    }
    const key = topic.masterKey;
    if (key) {
      const principals = ['budgets.amazonaws.com', 'costalerts.amazonaws.com', ...(withAlarm ? ['cloudwatch.amazonaws.com'] : [])];
      let granted = GRANTED_KEYS.get(key);
      if (!granted) {
        granted = new Set();
        GRANTED_KEYS.set(key, granted);
      }
      const missing = principals.filter((pr) => !granted!.has(pr));
      if (missing.length > 0) {
        const result = key.addToResourcePolicy(new iam.PolicyStatement({
          sid: `CostAlerts${missing.map((m) => m.split('.')[0]).map((m) => m[0].toUpperCase() + m.slice(1)).join('')}`,
          principals: missing.map((m) => new iam.ServicePrincipal(m)),
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          // No aws:SourceAccount here: AWS documents these grants without conditions (aws-cost-facts §2, §4), and
          // whether the services send the key on their KMS calls is not documented; a condition they do not meet
          // would drop every alert silently. The topic policy keeps publishing scoped to this account.
        }));
        missing.forEach((m) => granted!.add(m));
        if (!result.statementAdded) {
          Annotations.of(this).addWarningV2('cdk-customer-value:CostReporting.keyPolicyNotManaged',
            `The KMS key of the alert topic ${topic.node.path} of "${this.service.serviceName}" is imported, so its key policy cannot be changed here: allow kms:GenerateDataKey* and kms:Decrypt to ${missing.join(', ')}, or the encrypted topic cannot receive the alerts.`);
        }
      }
    }
  }

  /**
   * `<service>-<stack>-<region>-<notifications>`. Notifications are create-only in CloudFormation, so changing
   * them replaces the budget, and CloudFormation creates the replacement before it deletes the old one: with the
   * same name, CreateBudget fails (DuplicateRecordException) and the update rolls back. The last part, a hash of
   * the notifications (alerts and subscribers), gives the replacement a name of its own; the amount is not part of
   * the name, so changing it updates the budget in place.
   */
  private makeBudgetName(stack: Stack, fingerprint: string): string {
    const { name, display } = this.accountUniqueName(stack, MAX_BUDGET_NAME, `-${fingerprint}`);
    this.recordNames.budget = display;
    return name;
  }

  private makeDashboardName(stack: Stack): string {
    // Dashboard names are unique per account (the ARN has no region) and allow [A-Za-z0-9_-].
    const { name, display } = this.accountUniqueName(stack, MAX_DASHBOARD_NAME);
    this.recordNames.dashboard = display;
    return name;
  }

  /**
   * `<service>-<stack>-<region>`: unique per account (a stack name is unique per account and region), stable,
   * within `max` characters (a long stack name is cut and suffixed with a hash of the full name).
   */
  private accountUniqueName(stack: Stack, max: number, suffix = ''): { name: string; display: string } {
    const service = this.service.serviceName;
    const regionKnown = !Token.isUnresolved(stack.region);
    const regionLength = regionKnown ? stack.region.length : REGION_ALLOWANCE;
    const room = max - service.length - regionLength - suffix.length - 2;
    let stackPart = Token.isUnresolved(stack.stackName) ? `h${sha256(stack.node.path).slice(0, 12)}` : stack.stackName;
    if (stackPart.length > room) {
      stackPart = `${stackPart.slice(0, Math.max(1, room - 9))}-${sha256(stackPart).slice(0, 8)}`;
    }
    const prefix = `${service}-${stackPart}-`;
    return regionKnown
      ? { name: `${prefix}${stack.region}${suffix}`, display: `${prefix}${stack.region}${suffix}` }
      : { name: Fn.join('', [prefix, Aws.REGION, ...(suffix ? [suffix] : [])]), display: `${prefix}\${AWS::Region}${suffix}` };
  }

  // ------------------------------------------------------------------ dashboard

  private dashboardRows(): cloudwatch.IWidget[][] {
    const s = this.service;
    const unit = s.unitMetric;
    const cost = CustomerValueMetrics.serviceCost(s.serviceName, { label: 'Daily cost (USD)' });
    const rows: cloudwatch.IWidget[][] = [];

    // 1. the declaration
    rows.push([new cloudwatch.TextWidget({ markdown: this.declarationMarkdown(), width: 24, height: 6 })]);

    // 2. daily cost and unit cost
    const costWidget = new cloudwatch.GraphWidget({
      title: `Daily cost of ${s.serviceName} (USD)`,
      left: [cost],
      leftYAxis: { min: 0, showUnits: false },
      width: 12,
      height: 6,
    });
    let unitWidget: cloudwatch.IWidget;
    if (unit) {
      const usage = withDailyPeriod(unit.metric);
      unitWidget = new cloudwatch.GraphWidget({
        title: `Unit cost: ${this.unitLabel()}`,
        left: [new cloudwatch.MathExpression({
          expression: `cost * ${unit.unitScale} / usage`,
          usingMetrics: { cost, usage },
          period: Duration.days(1),
          label: this.unitLabel(),
        })],
        leftYAxis: { min: 0, showUnits: false },
        width: 12,
        height: 6,
      });
    } else {
      unitWidget = new cloudwatch.TextWidget({
        markdown: '### Unit cost\nNo usage metric is registered, so there is no unit cost. Register the service\'s demand driver: `service.addUsageMetric(\'orders\', metric)`.',
        width: 12,
        height: 6,
      });
    }
    rows.push([costWidget, unitWidget]);
    if (this.unitCostAlarm) {
      rows.push([
        new cloudwatch.AlarmWidget({ title: `Unit-cost alarm (change over ${this.compareDays} day(s), %)`, alarm: this.unitCostAlarm, width: 12, height: 6 }),
        new cloudwatch.GraphWidget({
          title: 'Unit usage and unit cost, as published',
          left: [CustomerValueMetrics.unitUsage(s.serviceName, { label: 'Unit usage' })],
          right: [CustomerValueMetrics.unitCost(s.serviceName, { label: this.unitLabel() })],
          width: 12,
          height: 6,
        }),
      ]);
    }

    // 3. usage: registered, then discovered (one graph per kind of resource)
    const usageWidgets: cloudwatch.IWidget[] = s.usageMetrics.map((u) => new cloudwatch.GraphWidget({
      title: `Usage: ${u.name}${u.unit ? ' (unit)' : ''}`,
      left: [withDailyPeriod(u.metric)],
      width: 8,
      height: 6,
    }));
    const byKind = new Map<string, DiscoveredMetric[]>();
    for (const d of this.discover()) {
      byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
    }
    for (const [kind, list] of byKind) {
      usageWidgets.push(new cloudwatch.GraphWidget({
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

  private declarationMarkdown(): string {
    const s = this.service;
    const review = s.nextValueReview
      ? `${markdown(s.nextValueReview)} (${markdown(s.valueReviewStatus)}; every ${reviewDays(s)} days${s.valueReview?.reviewer ? `, reviewer ${markdown(s.valueReview.reviewer)}` : ''})`
      : 'not scheduled';
    const fixed = this.options.monthlyBudget;
    const budget = fixed !== undefined
      ? `${markdown(String(fixed))} USD per month (fixed)`
      : `auto\\-adjusting (average of the last ${this.options.autoAdjustMonths ?? DEFAULT_AUTO_ADJUST_MONTHS} months)`;
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
}

// -------------------------------------------------------------------- option checks

function checkMonthlyBudget(value: unknown, problems: string[]): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || Token.isUnresolved(value) || !Number.isFinite(value) || value < MIN_BUDGET || value > MAX_BUDGET) {
    problems.push(`monthlyBudget is ${describe(value)}: expected an amount in USD, positive and finite, from ${MIN_BUDGET} to ${MAX_BUDGET} (e.g. 500), or leave it out for an auto-adjusting budget`);
    return undefined;
  }
  return value;
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

function checkTargets(value: unknown, problems: string[]): CostAlertTarget[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push(`notify is ${describe(value)}: pass a list such as [CostAlertTarget.email("payments@example.com")]`);
    return [];
  }
  const targets: CostAlertTarget[] = [];
  value.forEach((t, i) => {
    if (!CostAlertTarget.isCostAlertTarget(t)) {
      problems.push(`notify[${i}] is ${describe(t)}: use CostAlertTarget.email("payments@example.com") or CostAlertTarget.topic(topic)`);
    } else {
      targets.push(t);
    }
  });
  const emails = targets.filter((t) => t.type === CostAlertTargetType.EMAIL).map((t) => t.address!);
  const topics = targets.filter((t) => t.type === CostAlertTargetType.SNS);
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
  return targets;
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

function checkUnitCostAlarm(value: unknown, problems: string[]): { increasePercent: number; compareDays: number } | undefined {
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

// -------------------------------------------------------------------- helpers

function withDailyPeriod(metric: cloudwatch.IMetric): cloudwatch.IMetric {
  const m = metric as cloudwatch.IMetric & { with?: (o: cloudwatch.MetricOptions) => cloudwatch.IMetric };
  return typeof m.with === 'function' ? m.with({ period: Duration.days(1) }) : metric;
}

function labelled(metric: cloudwatch.IMetric, label: string): cloudwatch.IMetric {
  const m = metric as cloudwatch.IMetric & { with?: (o: cloudwatch.MetricOptions) => cloudwatch.IMetric };
  return typeof m.with === 'function' ? m.with({ label }) : metric;
}

function reviewDays(s: CustomerService): number {
  const every = s.valueReview?.every;
  return every ? Math.round(every.toSeconds({ integral: false }) / 86_400) : 0;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  try {
    return `an object (${JSON.stringify(value).slice(0, 60)})`;
  } catch {
    return 'an object';
  }
}


/**
 * 8 hex digits identifying a budget's notifications: each alert (type and threshold) and each subscriber, in order.
 * A topic is identified by its ARN, or by its construct path when the ARN is a token (its logical id follows it).
 */
function notificationsFingerprint(alerts: BudgetAlert[], emails: string[], topic: string | undefined): string {
  return sha256(JSON.stringify({
    alerts: alerts.map((a) => [a.type, a.thresholdPercent]),
    emails,
    topic: topic ?? null,
  })).slice(0, 8);
}
