import { CfnResource, CustomResource, Duration, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BillingOwnerOptions, ManagementAccountOptions } from './billing-options';
import { checkManagementAccount, requireAwsPartition } from './private/guard-rails';
import { attributeCost } from './private/ownership';
import { REGISTRY_PATH } from './private/registry-path';
import { AttributionRules } from '../attribution/attribution-rules';
import { STACK_NAME_TAG_KEY } from '../declaration/attribution-record';
import { describe } from '../declaration/rules';
import { BundledFunction } from '../private/bundled-function';
import { refuseOnProblems, reportProblems } from '../private/problems';
import { TAG_KEY_PATTERN } from '../private/tag-safe';
import { resolveTagKeys, TagKeys } from '../tag-keys';

/** The largest registry entry: an SSM standard parameter holds 4 KB. */
const REGISTRY_ENTRY_MAX = 4000;

/**
 * Properties of `CostAllocationTags`.
 */
export interface CostAllocationTagsProps extends ManagementAccountOptions, BillingOwnerOptions {
  /**
   * The customer-value tag keys to activate.
   *
   * @default TagKeys.of(this)
   */
  readonly tagKeys?: TagKeys;

  /**
   * More user-defined tag keys to activate with them (e.g. "cost-center").
   *
   * @default - none
   */
  readonly additionalTagKeys?: string[];

  /**
   * Also activate the AWS-generated cost allocation tag `aws:cloudformation:stack-name` (CloudFormation puts it on the
   * resources of every stack it creates), which attribution rules on stacks (`AttributionRule.stacks()`,
   * `.declaredStacks()`) match on. AWS-generated tags are activated like user-defined ones, with
   * `UpdateCostAllocationTagsStatus`, and show in cost data only from their activation on.
   *
   * @default - true when an `AttributionRules` of this app has a rule on stacks (read at synth)
   */
  readonly activateStackNameTag?: boolean;

  /**
   * When the activation is retried (and the inactive-keys metric published) after the deployment.
   *
   * @default - every day at 06:00 UTC
   */
  readonly retrySchedule?: events.Schedule;

  /**
   * Once every key is active, backfill the activation this many months back (0 = from the first day of the
   * current month, at most 12), so that cost before the activation is allocated too. AWS accepts one backfill
   * per 24 h; the function requests it once and then reads the backfill history.
   *
   * @default - no backfill
   */
  readonly backfillMonths?: number;

  /**
   * Deactivate the keys when this construct is deleted (and keys removed from it on update), except keys another
   * `CostAllocationTags` of the account and region still declares.
   *
   * Every `CostAllocationTags` records its keys in SSM Parameter Store (`/cdk-customer-value/cost-allocation-tags/<stack>/<id>`,
   * standard parameters, free) and removes them when it is deleted. Moving or renaming the construct creates the new
   * one before the old one is deleted, so the old one finds its keys still declared and leaves them active. When the
   * records cannot be read, nothing is deactivated.
   *
   * Off by default: budgets, cost categories, anomaly monitors and reports of every service rely on the keys,
   * and a deactivated key disappears from cost data from then on.
   *
   * @default false
   */
  readonly deactivateOnDelete?: boolean;

  /**
   * Retention of the function's logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Activates the customer-value tag keys as cost allocation tags, in the management (payer) account.
 *
 * There is no CloudFormation resource for it: a custom resource calls Cost Explorer
 * `UpdateCostAllocationTagsStatus` (us-east-1 endpoint, 20 keys per call). AWS only lists a key up to 24 h after
 * it was first used on a resource, and an activated key takes up to another 24 h to become active, so:
 * - the deployment never fails because a key is not there yet: it reports the pending keys (function logs,
 *   custom resource attributes);
 * - a daily schedule re-runs the activation until every key is active, logs what is still inactive and
 *   publishes it as the metric `CustomerValue/InactiveCostAllocationTags` (see `metricInactiveTags()`);
 * - deleting the construct leaves the keys active (see `deactivateOnDelete`).
 *
 * When a rule set of the app attributes spend by the CloudFormation stack (`AttributionRule.stacks()`,
 * `.declaredStacks()`), it also activates the AWS-generated tag `aws:cloudformation:stack-name` (see
 * `activateStackNameTag`).
 *
 * Deploy it once, in the management account (any region: the function calls the us-east-1 endpoint).
 *
 * @example
 * new CostAllocationTags(billingStack, 'TagActivation', {
 *   managementAccountId: '123456789012',
 *   // the service that pays for the activation function and its schedule
 *   owner: {
 *     serviceName: 'cost-reporting',
 *     customerNeed: 'Business units see what each customer need costs them every month',
 *     customer: Customer.internal('Business units'),
 *     team: 'finops',
 *     businessUnit: 'finance',
 *   },
 * });
 */
export class CostAllocationTags extends Construct {
  /** CloudWatch namespace of the inactive-keys metric. */
  public static readonly METRIC_NAMESPACE = 'CustomerValue';
  /** Name of the metric holding the number of keys that are not active yet. */
  public static readonly INACTIVE_METRIC_NAME = 'InactiveCostAllocationTags';

  /** The user-defined tag keys activated. */
  private readonly userKeys: string[];
  private readonly stackNameTag?: boolean;
  /** The function that activates the keys (custom resource and daily run). */
  public readonly handler: lambda.IFunction;
  /** The daily retry rule. */
  public readonly retryRule: events.IRule;

  constructor(scope: Construct, id: string, props: CostAllocationTagsProps = {}) {
    super(scope, id);
    const ownership = attributeCost(this, 'cost allocation tag activation', 'function, role, log group, daily rule', props.owner);
    const problems = [
      ...ownership.problems,
      ...requireAwsPartition(this, 'cost allocation tag activation'),
      ...checkManagementAccount(this, 'cost allocation tag activation', props.managementAccountId),
    ];
    const { keys, problems: keyProblems } = resolveTagKeys(this, props.tagKeys);
    problems.push(...keyProblems);
    this.userKeys = [...keys.all()];
    (props.additionalTagKeys ?? []).forEach((k, i) => {
      if (typeof k !== 'string' || Token.isUnresolved(k) || k.length < 1 || k.length > 128 || !TAG_KEY_PATTERN.test(k)
        || k !== k.trim() || k.toLowerCase().startsWith('aws:')) {
        problems.push(`additionalTagKeys[${i}] is ${JSON.stringify(k)}: a user-defined tag key is 1-128 ASCII letters, digits, spaces and _ . : / = + -, without leading or trailing spaces, not starting with aws:`);
      } else if (!this.userKeys.includes(k)) {
        this.userKeys.push(k);
      }
    });
    if (props.activateStackNameTag !== undefined && typeof props.activateStackNameTag !== 'boolean') {
      problems.push(`activateStackNameTag is ${describe(props.activateStackNameTag)}: pass true or false, or leave it out to activate `
        + `${STACK_NAME_TAG_KEY} when a rule set of the app matches on stacks`);
    } else {
      this.stackNameTag = props.activateStackNameTag;
    }
    // one registry entry (an SSM standard parameter) holds the keys: at most 4 KB (checked at synth: the keys depend
    // on the rule sets of the app)
    refuseOnProblems(this, () => (JSON.stringify({ tagKeys: this.tagKeys }).length > REGISTRY_ENTRY_MAX
      ? [`the ${this.tagKeys.length} tag keys take more than ${REGISTRY_ENTRY_MAX} characters as a list, the size of the record `
        + 'this construct keeps of them (an SSM standard parameter): split additionalTagKeys over two CostAllocationTags'] : []));
    let months = props.backfillMonths;
    if (months !== undefined && (!Number.isInteger(months) || months < 0 || months > 12)) {
      problems.push(`backfillMonths is ${months}: expected a whole number of months from 0 (the current month) to 12, the furthest AWS backfills`);
      months = undefined;
    }
    reportProblems(this, problems);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Activates the customer-value cost allocation tags (cdk-customer-value CostAllocationTags)',
    });
    const stack = Stack.of(this);
    const registryArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: REGISTRY_PATH.slice(1) });
    const policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'CostAllocationTags',
          actions: [
            'ce:ListCostAllocationTags',
            'ce:UpdateCostAllocationTagsStatus',
            'ce:StartCostAllocationTagBackfill',
            'ce:ListCostAllocationTagBackfillHistory',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'InactiveTagsMetric',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': CostAllocationTags.METRIC_NAMESPACE } },
        }),
        new iam.PolicyStatement({
          sid: 'DeclarationRegistry',
          actions: ['ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:GetParametersByPath'],
          resources: [registryArn, `${registryArn}/*`],
        }),
        new iam.PolicyStatement({
          sid: 'Logs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Cost Explorer cost-allocation-tag actions (ListCostAllocationTags, UpdateCostAllocationTagsStatus, '
        + 'StartCostAllocationTagBackfill, ListCostAllocationTagBackfillHistory) have no resource type and need Resource "*"; '
        + 'cloudwatch:PutMetricData has no resource type either and is limited to the CustomerValue namespace by the cloudwatch:namespace condition',
    });

    // cdk-nag names the granular finding after the ARN, with pseudo parameters where the stack's env is unknown
    const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:parameter${REGISTRY_PATH}/*]`,
      reason: 'The registry of live CostAllocationTags declarations: one SSM parameter per custom resource under this path '
        + '(their names are known only at deployment, from the stack name and logical id), read with GetParametersByPath',
    });

    const fn = new BundledFunction(this, 'Handler', {
      handler: 'billing/cost-allocation-tags',
      description: 'Activates the customer-value cost allocation tags (custom resource and daily retry)',
      role,
      logGroup,
      timeout: Duration.minutes(5),
      memorySize: 256,
      environment: {
        TAG_KEYS: Lazy.string({ produce: () => JSON.stringify(this.tagKeys) }),
        METRIC_NAMESPACE: CostAllocationTags.METRIC_NAMESPACE,
        ...(months !== undefined ? { BACKFILL_MONTHS: String(months) } : {}),
      },
    });
    fn.node.addDependency(policy);
    this.handler = fn;

    const resource = new CustomResource(this, 'Activation', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::CostAllocationTags',
      properties: {
        TagKeys: Lazy.list({ produce: () => this.tagKeys }),
        ...(months !== undefined ? { BackfillMonths: String(months) } : {}),
        DeactivateOnDelete: props.deactivateOnDelete === true ? 'true' : 'false',
      },
    });
    resource.node.addDependency(policy);
    // the daily run records the declaration again under the name the custom resource uses (stack name / logical id)
    fn.addEnvironment('REGISTRY_ENTRY',
      `${REGISTRY_PATH}/${stack.stackName}/${stack.getLogicalId(resource.node.defaultChild as CfnResource)}`);

    this.retryRule = new events.Rule(this, 'DailyRetry', {
      description: 'Retries the customer-value cost allocation tag activation until every key is active',
      schedule: props.retrySchedule ?? events.Schedule.cron({ minute: '0', hour: '6' }),
      targets: [new targets.LambdaFunction(fn, {
        event: events.RuleTargetInput.fromObject({ source: 'customer-value.cost-allocation-tags', action: 'activate' }),
        retryAttempts: 2,
      })],
    });
  }

  /**
   * The tag keys activated: the customer-value keys, `additionalTagKeys`, and `aws:cloudformation:stack-name` when it
   * is activated (`activateStackNameTag`; by default, as the rule sets of the app stand when read).
   */
  public get tagKeys(): string[] {
    const stackName = this.stackNameTag ?? AttributionRules.all(this.node.root).some((r) => r.matchesOnStacks);
    return stackName ? [...this.userKeys, STACK_NAME_TAG_KEY] : [...this.userKeys];
  }

  /**
   * The number of tag keys that are not active yet, published after the deployment and after every daily run
   * (0 once every key is active). Alarm on it to learn when activation is stuck, e.g. a key never used.
   *
   * @default - maximum over 1 day
   */
  public metricInactiveTags(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: CostAllocationTags.METRIC_NAMESPACE,
      metricName: CostAllocationTags.INACTIVE_METRIC_NAME,
      statistic: 'Maximum',
      period: Duration.days(1),
      ...props,
    });
  }
}
