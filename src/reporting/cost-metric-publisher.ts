import { Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import type { ICustomerService } from '../customer-service-base';
import { CostPublisherFunction } from './cost-publisher-function';
import { markShared } from '../private/shared-marker';
import {
  METRIC_NAMESPACE, PUBLISHER_CONFIG_VERSION, PublishedService, PublisherConfig, REPUBLISH_DAYS,
} from './private/publisher-config';
import { usageQuerySpec } from './private/usage-spec';

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
}

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
      stack.node.addValidation({
        validate: () => [`the construct id "${CostMetricPublisher.ID}" at the root of the stack is taken by another construct (${taken.constructor.name}); it is reserved for the customer-value cost publisher: rename that construct`],
      });
      const fallback = stack.node.tryFindChild(`${CostMetricPublisher.ID}2`);
      return fallback instanceof CostMetricPublisher ? fallback : new CostMetricPublisher(stack, `${CostMetricPublisher.ID}2`);
    }
    return new CostMetricPublisher(stack, CostMetricPublisher.ID);
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

  private readonly registrations: Registration[] = [];

  private constructor(scope: Stack, id: string) {
    super(scope, id);
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

    const fn = new CostPublisherFunction(this, 'Function', {
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

    this.node.addValidation({ validate: () => this.validateConfig() });
  }

  /**
   * The services this publisher reports per service (those declared in its stack with reporting on).
   */
  public get serviceNames(): string[] {
    return this.registrations.map((r) => r.service.serviceName);
  }

  /**
   * Register a service of the stack.
   * @internal
   */
  public _register(service: ICustomerService, compareDays?: number): void {
    if (!this.registrations.some((r) => r.service === service)) {
      this.registrations.push({ service, compareDays });
    }
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
    const services: PublishedService[] = this.registrations.map(({ service, compareDays }) => {
      const unit = service.unitMetric;
      const spec = unit ? usageQuerySpec(stack, unit.metric).spec : undefined;
      return {
        name: service.serviceName,
        ...(spec ? { unit: spec, unitScale: unit!.unitScale } : {}),
        ...(compareDays && spec ? { compareDays } : {}),
      };
    });
    return {
      version: PUBLISHER_CONFIG_VERSION,
      tagKeys: { service: keys?.service ?? '', team: keys?.team ?? '', businessUnit: keys?.businessUnit ?? '' },
      namespace: METRIC_NAMESPACE,
      republishDays: REPUBLISH_DAYS,
      stackName: stack.stackName,
      services,
    };
  }

  private validateConfig(): string[] {
    const errors: string[] = [];
    const stack = Stack.of(this);
    // every CloudFormation reference (Ref, Fn::GetAtt...) becomes a name at deploy: count it as TOKEN_ALLOWANCE characters
    const estimate = JSON.stringify(withReferencesAs(stack.resolve(this.config()), 'x'.repeat(TOKEN_ALLOWANCE))).length;
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

/** `value` with every CloudFormation intrinsic (`{"Ref": ...}`, `{"Fn::...": ...}`) replaced by `placeholder`. */
function withReferencesAs(value: unknown, placeholder: string): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => withReferencesAs(v, placeholder));
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return placeholder;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withReferencesAs(v, placeholder)]));
  }
  return value;
}
