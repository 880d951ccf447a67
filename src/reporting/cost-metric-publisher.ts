// The per-stack cost metric publisher: the function, its schedule and configuration, and its health alarms (about 400
// lines with their doc comments; what the function does is in cost-publisher.lambda.ts and private/*-read.ts).
import { Duration, Lazy, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { ContextKeys } from '../context-keys';
import type { ICustomerService } from '../customer-service-base';
import { attributeCost } from './cost-attribution';
import { CostPublisherOutcome } from './cost-publisher-outcome';
import { CostScope } from './cost-reporting-options';
import { servicesUnder } from '../declaration/registry';
import { BundledFunction } from '../private/bundled-function';
import { withoutCreationStacks } from '../private/creation-stacks';
import { deployedValue } from '../private/deployed-size';
import { allowAlertPublishing } from '../private/grants';
import { DIMENSIONS, METRIC_NAMES, METRIC_NAMESPACE } from '../private/metric-names';
import { markShared } from '../private/shared-marker';
import { PUBLISHER_CONFIG_VERSION, PUBLISHER_OUTCOMES, PublishedService, PublisherConfig, REPUBLISH_DAYS } from './private/publisher-config';
import { usageQuerySpec } from './private/usage-spec';
import { graphWidget } from './private/widget-json';
import { refuseOnProblems } from '../private/problems';

/** EventBridge accepts a target input of at most 8 192 characters. */
const MAX_INPUT = 8192;
/**
 * Length assumed for a CloudFormation reference resolved at deploy (a function, queue or table name: Lambda
 * function names have at most 64 characters, SQS queue names 80; generated table names are usually shorter).
 */
const TOKEN_ALLOWANCE = 100;

interface Registration {
  readonly service: ICustomerService;
  readonly compareDays?: number;
  readonly scope: CostScope;
}

/** Where a service's alerts go: its topics (the user's, the service's own), or e-mail addresses when it has no topic. */
export interface PublisherAlertRoute {
  readonly topics: sns.ITopic[];
  readonly emails: string[];
}

/** Days without cost data before the cost-data alarm goes off (context `customer-value:costDataAlarmDays`). */
const DEFAULT_COST_DATA_DAYS = 2;
/**
 * The fewest days the cost-data alarm may wait. The publisher runs once a day and stamps its data points with the run's
 * time; a run a few seconds later than the day before leaves one sliding 24-hour window without a data point, which
 * (missing data breaching) would put a 1-day alarm in ALARM and back to OK, notifying both. CloudWatch documents this
 * daily-job case on its alarm evaluation page ("a daily backup alarm with a sliding window can enter ALARM if
 * consecutive backups are more than 24 hours apart", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation-window.html);
 * with 2 or more daily periods, all of which must breach, one late run cannot empty two consecutive windows.
 */
const MIN_COST_DATA_DAYS = 2;
/**
 * The most days: PutMetricAlarm accepts an evaluation range (period x evaluation periods) of at most 7 days, 604 800 s
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html); with 1-day periods, 7.
 */
const MAX_COST_DATA_DAYS = 7;
const COST_DATA_DAYS_CONTEXT = ContextKeys.COST_DATA_ALARM_DAYS;

/**
 * The daily cost metric publisher of a stack: one scheduled Lambda function per stack, however many customer
 * services the stack holds (every Cost Explorer request costs $0.01, so grouped queries serve them all).
 *
 * Once a day (06:00 UTC) it reads the daily unblended cost of the last 13 days from Cost Explorer (in
 * us-east-1), grouped by the service and team tags and then by the business-unit tag, one request per result
 * page, and publishes the `CustomerValue` metrics (see `CustomerValueMetrics`): cost per service of its stack,
 * cost per team and per business unit of the account, the unit usage and unit cost, and the unit-cost change
 * for services with a unit-cost alarm. It lives at the root of the stack, outside every service, and is marked
 * as shared customer-value infrastructure.
 *
 * Its configuration travels as the input of its EventBridge schedule (at most 8 192 characters once deployed):
 * about 30 services with a unit metric per stack (more without); synthesis fails with advice beyond that.
 *
 * Created by the customer services of the stack (`CostMetricPublisher.of(stack)`); you do not create it.
 */
export class CostMetricPublisher extends Construct {
  /** The construct id of the publisher at the root of its stack. */
  public static readonly ID = 'CustomerValueCostPublisher';

  /** Every run outcome the publisher reports. */
  public static readonly OUTCOMES: string[] = [...PUBLISHER_OUTCOMES];

  /**
   * The publisher of the stack `scope` belongs to, created on first use.
   */
  public static of(scope: IConstruct): CostMetricPublisher {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(CostMetricPublisher.ID);
    if (existing instanceof CostMetricPublisher) {
      return existing;
    }
    if (existing) {
      // The id is taken by a construct of the user's: report it at synth, with every other problem, and carry on
      // under another id so that the rest of the app can still be checked.
      const taken = existing;
      refuseOnProblems(stack, () => [`the construct id "${CostMetricPublisher.ID}" at the root of the stack is taken by another construct (${taken.constructor.name}); it is reserved for the customer-value cost publisher: rename that construct`]);
      const fallback = stack.node.tryFindChild(`${CostMetricPublisher.ID}2`);
      return fallback instanceof CostMetricPublisher ? fallback : new CostMetricPublisher(stack, `${CostMetricPublisher.ID}2`);
    }
    return new CostMetricPublisher(stack, CostMetricPublisher.ID);
  }

  /**
   * Cost data points the publisher of a stack wrote for the stack's services per run (Maximum over a day). For the
   * publisher of a stack of this app, `publisher.metricCostDatapoints()`.
   * @param stackName the stack's name
   */
  public static costDatapointsMetric(stackName: string): cloudwatch.Metric {
    return costDatapoints(stackName, {});
  }

  /**
   * The runs of the publisher of a stack with one outcome (Sum over a day): `published`, `no-data`,
   * `inactive-tag-key`, `data-unavailable`, `usage-unreadable`, `access-denied` or `error` (`CostPublisherOutcome`).
   * For the publisher of a stack of this app, `publisher.metricRuns(outcome)`.
   * @param stackName the stack's name
   * @param outcome the outcome
   */
  public static runsMetric(stackName: string, outcome: string): cloudwatch.Metric {
    return runs(stackName, outcome, {});
  }

  /**
   * Whether the stack `scope` belongs to already has a publisher.
   */
  public static isCreated(scope: IConstruct): boolean {
    return Stack.of(scope).node.tryFindChild(CostMetricPublisher.ID) instanceof CostMetricPublisher;
  }

  /** The publisher function. */
  public readonly function: lambda.IFunction;
  /** The daily schedule. */
  public readonly rule: events.Rule;
  /** The function's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** Goes off when a run of the function fails (the Errors metric of the function, over a day). */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /**
   * Goes off when the publisher wrote no cost data point for the stack's services for `customer-value:costDataAlarmDays`
   * days in a row (default 2): failed or missing runs, Cost Explorer access denied, inactive tag keys, no data. Missing
   * data counts as breaching.
   */
  public readonly costDataAlarm: cloudwatch.Alarm;

  private readonly registrations: Registration[] = [];
  private readonly alarmTopics = new Set<sns.ITopic>();
  private readonly alarmEmails = new Set<string>();
  private healthTopic?: sns.Topic;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    withoutCreationStacks(this);
    markShared(this, 'daily cost metric publisher');

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reads the daily cost per service from Cost Explorer and publishes the CustomerValue metrics',
    });
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadDailyCost',
      actions: ['ce:GetCostAndUsage'],
      resources: ['*'],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'PublishCustomerValueMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadUnitMetrics',
      actions: ['cloudwatch:GetMetricData'],
      resources: ['*'],
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Cost Explorer (ce:GetCostAndUsage) and CloudWatch metric data (cloudwatch:PutMetricData, cloudwatch:GetMetricData) have no resource-level permissions, so the resource must be "*"; PutMetricData is limited to the CustomerValue namespace by the cloudwatch:namespace condition.',
    });

    const fn = new BundledFunction(this, 'Function', {
      handler: 'reporting/cost-publisher',
      description: 'cdk-customer-value: publishes the daily cost per customer service (CustomerValue metrics)',
      role,
      logGroup: this.logGroup,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(5),
    });
    this.function = fn;

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'cdk-customer-value: daily cost metric publication (Cost Explorer data updates about once a day)',
      schedule: events.Schedule.cron({ minute: '0', hour: '6' }),
    });
    this.rule.addTarget(new targets.LambdaFunction(fn, {
      event: events.RuleTargetInput.fromObject(Lazy.any({ produce: () => this.config() })),
      retryAttempts: 2,
    }));

    // ---- health: every way a run can fail becomes an alarm someone sees
    const stackName = Stack.of(this).stackName;
    const days = this.costDataDays();
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `The customer-value cost publisher of stack ${stackName} failed (function errors over a day): the daily cost metrics, dashboards and unit-cost alarms of its services are not being updated. Its log group ${this.logGroup.logGroupName} says why (e.g. Cost Explorer access denied).`,
      metric: fn.metricErrors({ period: Duration.days(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.costDataAlarm = new cloudwatch.Alarm(this, 'CostDataAlarm', {
      alarmDescription: `No cost data for the services of stack ${stackName} for ${days} day(s): the publisher did not run, failed, or found no cost (tag keys not active as cost allocation tags, Cost Explorer without data). The metric ${METRIC_NAMESPACE}/${METRIC_NAMES.publisherRuns} (dimensions Stack, Outcome) says which.`,
      metric: this.metricCostDatapoints(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: days,
      datapointsToAlarm: days,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    attributeCost(this, () => this.costOwner);
    refuseOnProblems(this, () => this.validateConfig());
  }

  /**
   * The service whose customer-value tags the publisher's resources carry: the one the context
   * `customer-value:reportingOwner` names, or the first service registered (declared) in the stack.
   */
  public get costOwner(): ICustomerService | undefined {
    const name = this.node.tryGetContext(ContextKeys.REPORTING_OWNER);
    if (name === undefined || name === null) {
      return this.registrations[0]?.service;
    }
    const stage = Stage.of(this) ?? this.node.root;
    const candidates = servicesUnder(this.node.root).filter((s) => s.serviceName === name);
    return candidates.find((s) => (Stage.of(s) ?? s.node.root) === stage) ?? candidates[0];
  }


  /**
   * The runs of this publisher with one outcome, one data point per run and finding (Sum over a day by default): what
   * the `Cost publisher runs per outcome` widget shows.
   * @param outcome the outcome
   * @param options to change the statistic, period, label...
   */
  public metricRuns(outcome: CostPublisherOutcome, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return runs(Stack.of(this).stackName, outcome, options);
  }

  /**
   * The cost data points this publisher wrote for its stack's services per run (Maximum over a day by default): what
   * `costDataAlarm` watches.
   * @param options to change the statistic, period, label...
   */
  public metricCostDatapoints(options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return costDatapoints(Stack.of(this).stackName, options);
  }

  /**
   * The dashboard widgets that show the publisher's health: the two alarms and the runs per outcome.
   */
  public healthWidgets(): cloudwatch.IWidget[] {
    const stackName = Stack.of(this).stackName;
    return [
      new cloudwatch.AlarmStatusWidget({
        title: `Cost publisher of stack ${stackName}`,
        alarms: [this.errorsAlarm, this.costDataAlarm],
        width: 12,
        height: 6,
      }),
      graphWidget(Stack.of(this), {
        title: 'Cost publisher runs per outcome',
        left: Object.values(CostPublisherOutcome).map((o) => this.metricRuns(o)),
        leftYAxis: { min: 0, showUnits: false },
        stacked: true,
        width: 12,
        height: 6,
      }),
    ];
  }

  /**
   * The services this publisher reports per service (those declared in its stack with reporting on).
   */
  public get serviceNames(): string[] {
    return this.registrations.map((r) => r.service.serviceName);
  }

  /**
   * Register a service of the stack, and where its alerts go: the health alarms notify its topics, or its e-mail
   * addresses through the publisher's health topic.
   * @internal
   */
  public _register(service: ICustomerService, compareDays: number | undefined, scope: CostScope, alerts: PublisherAlertRoute): void {
    if (!this.registrations.some((r) => r.service === service)) {
      this.registrations.push({ service, compareDays, scope });
    }
    for (const topic of alerts.topics) {
      this.notify(topic);
    }
    const emails = alerts.topics.length > 0 ? [] : alerts.emails.filter((e) => !this.alarmEmails.has(e.toLowerCase()));
    if (emails.length > 0) {
      if (!this.healthTopic) {
        this.healthTopic = new sns.Topic(this, 'HealthTopic', {
          displayName: `Cost publisher health of stack ${Stack.of(this).stackName}`.slice(0, 100),
          enforceSSL: true,
        });
        Validations.of(this.healthTopic).acknowledge({
          id: 'AwsSolutions-SNS2',
          reason: 'The topic carries the health alarms of the cost publisher (stack name, alarm state), no customer data. Services that want encrypted alerts pass their own encrypted topic as a CostAlertTarget.',
        });
        this.notify(this.healthTopic);
      }
      for (const address of emails) {
        this.alarmEmails.add(address.toLowerCase());
        this.healthTopic.addSubscription(new subscriptions.EmailSubscription(address));
      }
    }
  }

  private notify(topic: sns.ITopic): void {
    if (this.alarmTopics.has(topic)) {
      return;
    }
    this.alarmTopics.add(topic);
    // the topic policy must let CloudWatch publish (once per topic; an imported topic gets a warning instead)
    allowAlertPublishing(this, topic, { alarms: true, account: Stack.of(this).account });
    for (const alarm of [this.errorsAlarm, this.costDataAlarm]) {
      alarm.addAlarmAction(new cwActions.SnsAction(topic));
      alarm.addOkAction(new cwActions.SnsAction(topic));
    }
  }

  private costDataDays(): number {
    const raw = this.node.tryGetContext(COST_DATA_DAYS_CONTEXT);
    if (raw === undefined || raw === null) {
      return DEFAULT_COST_DATA_DAYS;
    }
    const days = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < MIN_COST_DATA_DAYS || days > MAX_COST_DATA_DAYS) {
      refuseOnProblems(this, () => [`context "${COST_DATA_DAYS_CONTEXT}" is ${JSON.stringify(raw)}: expected a whole number of days from `
        + `${MIN_COST_DATA_DAYS} to ${MAX_COST_DATA_DAYS} (CloudWatch evaluates an alarm over at most 7 days, and over 1 day the `
        + 'once-a-day run would leave some 24-hour windows empty and flap between ALARM and OK)']);
      return DEFAULT_COST_DATA_DAYS;
    }
    return days;
  }

  /**
   * The configuration passed to the function by the schedule.
   * @internal
   */
  public _config(): PublisherConfig {
    return this.config();
  }

  private config(): PublisherConfig {
    const stack = Stack.of(this);
    const first = this.registrations[0]?.service;
    const keys = first ? first.tagKeys : undefined;
    const services: PublishedService[] = this.registrations.map(({ service, compareDays, scope }) => {
      const unit = service.unitMetric;
      const spec = unit ? usageQuerySpec(stack, unit.metric).spec : undefined;
      return {
        name: service.serviceName,
        ...(spec ? { unit: spec, unitScale: unit!.unitScale } : {}),
        ...(compareDays && spec ? { compareDays } : {}),
        ...(scope === CostScope.REGION ? { scope: 'region' as const } : {}),
      };
    });
    return {
      version: PUBLISHER_CONFIG_VERSION,
      tagKeys: { service: keys?.service ?? '', team: keys?.team ?? '', businessUnit: keys?.businessUnit ?? '' },
      namespace: METRIC_NAMESPACE,
      republishDays: REPUBLISH_DAYS,
      stackName: stack.stackName,
      ...(services.some((x) => x.scope === 'region') ? { region: stack.region } : {}),
      services,
    };
  }

  private validateConfig(): string[] {
    const errors: string[] = [];
    const owner = this.node.tryGetContext(ContextKeys.REPORTING_OWNER);
    if (owner !== undefined && owner !== null && this.costOwner === undefined) {
      const known = [...new Set(servicesUnder(this.node.root).map((s) => s.serviceName))].sort();
      errors.push(`context "${ContextKeys.REPORTING_OWNER}" is ${JSON.stringify(owner)}, which no service of this app declares (services: ${known.join(', ')}): name the service that owns the cost of cost reporting, or leave the context out to attribute each stack's publisher to its first service`);
    }
    const stack = Stack.of(this);
    // every CloudFormation reference (Ref, Fn::GetAtt...) becomes a name at deploy: count it as TOKEN_ALLOWANCE characters
    const estimate = JSON.stringify(deployedValue(stack.resolve(this.config()), TOKEN_ALLOWANCE)).length;
    if (estimate > MAX_INPUT) {
      errors.push(`the cost publisher configuration of stack ${stack.stackName} (${this.registrations.length} services with reporting) would be about ${estimate} characters once deployed, over the ${MAX_INPUT} characters an EventBridge target input accepts: spread the services over more stacks (each stack has its own publisher)`);
    }
    const keys = new Set(this.registrations.map((r) => r.service.tagKeys.service));
    if (keys.size > 1) {
      errors.push(`the services of stack ${stack.stackName} use different service tag keys (${[...keys].join(', ')}): tag keys are set once per app`);
    }
    return errors;
  }
}

/** `CostDatapoints` of the publisher of `stackName`: the one definition of the static helper and the instance method. */
function costDatapoints(stackName: string, options: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: METRIC_NAMES.costDatapoints,
    dimensionsMap: { [DIMENSIONS.stack]: stackName },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.days(1),
    ...options,
  });
}

/** `PublisherRuns` of the publisher of `stackName` with `outcome`: the one definition of the static helper and the instance method. */
function runs(stackName: string, outcome: string, options: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: METRIC_NAMES.publisherRuns,
    dimensionsMap: { [DIMENSIONS.stack]: stackName, [DIMENSIONS.outcome]: outcome },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.days(1),
    label: outcome,
    ...options,
  });
}
