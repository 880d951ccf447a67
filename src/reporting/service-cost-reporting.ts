import { Annotations, AspectPriority, Aspects, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { budgetCostFilters, createServiceBudget } from './budget';
import { BudgetAlert } from './budget-alert';
import { CostMetricPublisher } from './cost-metric-publisher';
import { CostReportingOptions, CostScope, DashboardLayout } from './cost-reporting-options';
import { CustomerValueMetrics } from './customer-value-metrics';
import { createServiceDashboard, unitLabel } from './dashboard';
import type { ICustomerService } from '../customer-service-base';
import { checkReportingOptions, ResolvedReporting } from './options-check';
import { Deployment, elected, groupKey, joinGroup } from './private/deployments';
import { DiscoveredMetric, discoverUsageMetrics } from './private/discovery';
import { METRIC_NAMES, METRIC_NAMESPACE } from '../private/metric-names';
import { usageQuerySpec } from './private/usage-spec';
import { CustomerValueDashboard } from './stack-dashboard';
import { CostReportingRecord, UsageMetricRecord } from '../declaration/record';
import { usageRecord } from '../declaration/usage-record';
import { withoutCreationStacks } from '../private/creation-stacks';
import { allowAlertPublishing } from '../private/grants';
import { refuseOnProblems } from '../private/problems';

/**
 * Props of `ServiceCostReporting`.
 */
export interface ServiceCostReportingProps extends CostReportingOptions {
  /** The service to report on. */
  readonly service: ICustomerService;
}

/**
 * The cost and usage reporting of one customer service, created by `CustomerService` inside itself (and exposed
 * as `service.costReporting`) unless reporting is disabled:
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
 * The budget tracks the cost of the resources tagged `<service tag key>=<service name>` (`costFilters`); the tag
 * must be an active cost allocation tag. Its name, `<service>-<stack>-<region>-<notifications>`, is unique in the
 * account and never holds the amount, so changing `monthlyBudget` updates it in place; changing the alerts or their
 * targets replaces it (budget notifications are create-only) under a new name.
 */
export class ServiceCostReporting extends Construct {
  /** The construct id of the reporting construct inside its service. */
  public static readonly ID = 'CostReporting';

  /**
   * The budget's `CostFilters` for a service: `{"TagKeyValue": ["user:<tag key>$<service name>"]}`.
   *
   * The `user:` prefix marks a user-defined cost allocation tag; without it AWS Budgets accepts the budget but
   * tracks $0.
   */
  public static costFilters(tagKey: string, serviceName: string): Record<string, string[]> {
    return budgetCostFilters(tagKey, serviceName);
  }

  /** The service reported on. */
  public readonly service: ICustomerService;
  /** The dashboard that shows the service (its own, or its stack's with `DashboardLayout.STACK`), unless `dashboard: false`. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The dashboard's name (a token when the region is only known at deploy). */
  public readonly dashboardName?: string;
  /** The service's alert topic, when the library created one (a unit-cost alarm with e-mail targets). */
  public readonly alertTopic?: sns.ITopic;
  /** The unit-cost alarm, when `unitCostAlarm` is set. */
  public readonly unitCostAlarm?: cloudwatch.Alarm;
  /** The stack's cost metric publisher. */
  public readonly publisher: CostMetricPublisher;
  /** The budget alerts. */
  public readonly alerts: BudgetAlert[];

  private readonly resolved: ResolvedReporting;
  /** Names for the metadata, `${AWS::Region}` standing for a region known only at deploy. */
  private readonly recordNames: { dashboard?: string } = {};
  private discovered?: DiscoveredMetric[];
  private ownBudget?: { budget: budgets.CfnBudget; name: string; display: string };
  /** The deployments of the same service that share this one's budget (see CostScope); undefined when none can. */
  private deployments?: Deployment[];
  private deployment?: Deployment;

  constructor(scope: Construct, id: string, props: ServiceCostReportingProps) {
    super(scope, id);
    withoutCreationStacks(this);
    const { problems, resolved } = checkReportingOptions(props);
    this.service = props.service;
    this.resolved = resolved;
    this.alerts = resolved.alerts;
    // CustomerService checks the options before it creates its reporting; this covers direct use.
    if (problems.length > 0) {
      refuseOnProblems(this, () => problems.map((p) => `costReporting.${p}`));
    }
    const service = this.service;
    const stack = Stack.of(this);
    const alarm = resolved.unitCostAlarm;

    // ---------------------------------------------------------------- alert topic(s)
    if (resolved.topic) {
      // alarms: the publisher's health alarms (and the unit-cost alarm) notify the topic too
      allowAlertPublishing(this, resolved.topic, { budgets: true, anomalies: true, alarms: true, account: stack.account });
    }
    if (alarm && resolved.emails.length > 0) {
      // CloudWatch alarms notify SNS topics only: the e-mail targets get the alarm through the service's topic.
      const topic = new sns.Topic(this, 'AlertTopic', {
        displayName: `Cost alerts of ${service.serviceName}`.slice(0, 100),
        masterKey: resolved.alertTopicKey,
        enforceSSL: true,
      });
      for (const address of resolved.emails) {
        topic.addSubscription(new subscriptions.EmailSubscription(address));
      }
      allowAlertPublishing(this, topic, { budgets: true, anomalies: true, alarms: true, account: stack.account });
      if (!resolved.alertTopicKey) {
        Validations.of(topic).acknowledge({
          id: 'AwsSolutions-SNS2',
          reason: 'The alert topic carries cost alerts (service name, amounts), no customer data. Encrypting it needs a customer managed key because AWS Budgets and Cost Anomaly Detection cannot use the AWS managed alias/aws/sns key; pass costReporting.alertTopicKey to encrypt it.',
        });
      }
      this.alertTopic = topic;
    } else if (resolved.alertTopicKey) {
      Annotations.of(this).addWarningV2('cdk-customer-value:CostReporting.alertTopicKeyUnused',
        `costReporting.alertTopicKey is set but the service "${service.serviceName}" has no alert topic to encrypt: the library creates one only for a unit-cost alarm with e-mail targets (budget e-mails are sent by AWS Budgets directly${resolved.topic ? ', and your own topic keeps its own encryption' : ''}). Remove alertTopicKey, or add unitCostAlarm and an e-mail target.`);
    }

    // ---------------------------------------------------------------- budget: one per group of deployments AWS cannot tell apart
    const key = groupKey(service.serviceName, resolved.costScope, stack);
    this.deployment = {
      stackPath: stack.node.path,
      label: `${stack.stackName} (${Token.isUnresolved(stack.region) ? 'region known at deploy' : stack.region})`,
      takeBudget: () => {
        const created = createServiceBudget(this, service, resolved);
        this.ownBudget = { budget: created.budget, name: created.name.name, display: created.name.display };
      },
      dropBudget: () => {
        this.node.tryRemoveChild('Budget');
        this.ownBudget = undefined;
      },
    };
    if (key === undefined) {
      this.deployment.takeBudget();
    } else {
      this.deployments = joinGroup(this.node.root, key, this.deployment);
      // whether the group is shared, and by whom, is known once the app is built: synthesis invokes this aspect first
      // on this construct, after every deployment has joined (a warning, not a problem: not from validation)
      Aspects.of(this).add({
        visit: (node) => {
          if (node === this) {
            this.warnSharedDeployments();
          }
        },
      }, { priority: AspectPriority.READONLY });
    }

    // ---------------------------------------------------------------- daily cost metric
    this.publisher = CostMetricPublisher.of(this);
    this.publisher._register(service, alarm?.compareDays, resolved.costScope, {
      topics: [resolved.topic, this.alertTopic].filter((t): t is sns.ITopic => t !== undefined),
      emails: resolved.emails,
    });

    // ---------------------------------------------------------------- unit-cost alarm
    if (alarm) {
      this.unitCostAlarm = new cloudwatch.Alarm(this, 'UnitCostAlarm', {
        metric: this.metricUnitCostChange(),
        threshold: alarm.increasePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: Lazy.string({
          produce: () => `The unit cost of ${service.serviceName} (${unitLabel(service)}) over the last ${alarm.compareDays} day(s) is more than ${alarm.increasePercent} % above the ${alarm.compareDays} day(s) before. Published daily by the cost publisher of stack ${stack.stackName} (metric ${METRIC_NAMESPACE}/${METRIC_NAMES.unitCostChange}).`,
        }),
      });
      for (const topic of [this.alertTopic, resolved.topic]) {
        if (topic) {
          this.unitCostAlarm.addAlarmAction(new cwActions.SnsAction(topic));
        }
      }
      refuseOnProblems(this, () => {
        const unit = service.unitMetric;
        if (!unit) {
          return [`costReporting.unitCostAlarm of "${service.serviceName}" needs a usage metric to divide the cost by: register one with service.addUsageMetric("orders", metric), or remove unitCostAlarm`];
        }
        const { problem } = usageQuerySpec(stack, unit.metric);
        return problem ? [`costReporting.unitCostAlarm of "${service.serviceName}": the cost publisher cannot read the unit metric "${unit.name}" (${problem}), so the alarm would never fire`] : [];
      });
    }

    // ---------------------------------------------------------------- dashboard
    if (resolved.dashboard) {
      const inputs = {
        options: resolved,
        unitCostAlarm: this.unitCostAlarm,
        health: this.publisher,
        costCoverage: this.costCoverage(),
        budgetOwner: () => this.budgetOwner?.label,
        discovered: () => this.discover(),
      };
      if (resolved.dashboardLayout === DashboardLayout.STACK) {
        const shared = CustomerValueDashboard.of(this);
        shared._addService(service, inputs);
        this.dashboard = shared.dashboard;
        this.dashboardName = shared.dashboardName;
        this.recordNames.dashboard = shared._displayName;
      } else {
        const own = createServiceDashboard(this, service, inputs);
        this.dashboard = own.dashboard;
        this.dashboardName = own.name.name;
        this.recordNames.dashboard = own.name.display;
      }
    }
  }

  /**
   * The daily cost of the service, USD (`CustomerValue` `Cost`, dimension `ServiceName`; Maximum over a day by default),
   * as its stack's cost publisher writes it and its dashboard shows it.
   * @param options to change the statistic, period, label...
   */
  public metricCost(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return CustomerValueMetrics.serviceCost(this.service.serviceName, options);
  }

  /**
   * The daily usage of the service's unit metric (`CustomerValue` `UnitUsage`), published when the service has one.
   * @param options to change the statistic, period, label...
   */
  public metricUnitUsage(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return CustomerValueMetrics.unitUsage(this.service.serviceName, options);
  }

  /**
   * The daily unit cost of the service, USD per `unitScale` units of its unit metric (`CustomerValue` `UnitCost`),
   * published when the service has a unit metric.
   * @param options to change the statistic, period, label...
   */
  public metricUnitCost(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return CustomerValueMetrics.unitCost(this.service.serviceName, options);
  }

  /**
   * The percent change of the service's unit cost over its comparison period (`CustomerValue` `UnitCostChange`): what
   * `unitCostAlarm` watches; published when the service has a unit-cost alarm.
   * @param options to change the statistic, period, label...
   */
  public metricUnitCostChange(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return CustomerValueMetrics.unitCostChange(this.service.serviceName, options);
  }

  /**
   * The budget, unless another deployment of the service in the same account (and region, with
   * `CostScope.REGION`) keeps the one budget they share.
   */
  public get budget(): budgets.CfnBudget | undefined {
    return this.ownBudget?.budget;
  }

  /**
   * The budget's name (a token when the region is only known at deploy), unless another deployment keeps the budget.
   */
  public get budgetName(): string | undefined {
    return this.ownBudget?.name;
  }

  /** The other deployment whose budget this one shares, if any. */
  private get budgetOwner(): Deployment | undefined {
    const owner = this.deployments ? elected(this.deployments) : undefined;
    return owner === this.deployment ? undefined : owner;
  }

  /** "all deployments in account 111111111111", "the deployments in account 111111111111, region eu-west-1". */
  private costCoverage(): string {
    const stack = Stack.of(this);
    const account = Token.isUnresolved(stack.account) ? 'this account' : `account ${stack.account}`;
    if (this.resolved.costScope === CostScope.REGION) {
      return `the deployments in ${account}, ${Token.isUnresolved(stack.region) ? 'this region' : `region ${stack.region}`}`;
    }
    return `all deployments in ${account}`;
  }

  /** Says, once per deployment, that the same service is deployed more than once where cost cannot tell them apart. */
  private warnSharedDeployments(): void {
    const group = this.deployments ?? [];
    if (group.length > 1) {
      const owner = elected(group)!;
      Annotations.of(this).addWarningV2('cdk-customer-value:CostReporting.sharedAccount',
        `The service "${this.service.serviceName}" is deployed ${group.length} times where its cost cannot be told apart (${this.costCoverage()}): `
        + `${[...group].sort((a, b) => (a.stackPath < b.stackPath ? -1 : 1)).map((d) => d.label).join(', ')}. Cost allocation tags are the same on every deployment, so the budget (one, kept by ${owner.label}), `
        + 'the daily cost metric and the dashboards of each show the cost of all of them. Use a separate account per stage, '
        + 'or costScope: CostScope.REGION for deployments in different regions.');
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
   * The cost-reporting part of the service's metadata.
   * @internal
   */
  public _record(): CostReportingRecord {
    const unit = this.service.unitMetric;
    const r = this.resolved;
    return {
      enabled: true,
      monthlyBudgetUsd: r.fixedBudget,
      budgetKind: r.fixedBudget !== undefined ? 'fixed' : 'auto-adjusting',
      autoAdjustMonths: r.fixedBudget !== undefined ? undefined : r.autoAdjustMonths,
      budgetName: this.ownBudget?.display,
      costScope: this.resolved.costScope === CostScope.REGION ? 'region' : 'account',
      budgetOwnerStack: this.budgetOwner?.stackPath,
      dashboardName: this.recordNames.dashboard,
      dashboardLayout: this.dashboard ? (this.resolved.dashboardLayout === DashboardLayout.STACK ? 'stack' : 'service') : undefined,
      alerts: this.alerts.map((a) => ({ type: a.type, thresholdPercent: a.thresholdPercent })),
      alertTargets: { emails: r.emails.length, topics: r.topic ? 1 : 0 },
      unitMetric: unit?.name,
      unitScale: unit?.unitScale,
      unitCostAlarm: r.unitCostAlarm && this.unitCostAlarm ? {
        increasePercent: r.unitCostAlarm.increasePercent,
        comparePeriodDays: r.unitCostAlarm.compareDays,
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

  private discover(): DiscoveredMetric[] {
    if (!this.discovered) {
      this.discovered = discoverUsageMetrics([this.service, ...this.service.includedScopes], this);
    }
    return this.discovered;
  }
}
