import { Aws, CfnResource, CustomResource, Duration, Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { ContextKeys } from '../context-keys';
import type { ICustomerService } from '../customer-service-base';
import { accountPrefix, HEARTBEAT_ACTION, MAX_ENTRY_BYTES } from './entry';
import { ATTRIBUTION_METADATA_TYPE } from '../declaration/attribution-record';
import { SERVICE_METADATA_TYPE } from '../declaration/record';
import { servicesUnder } from '../declaration/registry';
import { ruleSetsOfApp } from '../declaration/rule-set-index';
import { checkLocation, configuredRegistry, ResolvedLocation } from './private/location';
import { RegistryLocation } from './registry-location';
import { BundledFunction } from '../private/bundled-function';
import { allowAlertPublishing } from '../private/grants';
import { refuseOnProblems } from '../private/problems';
import { markShared } from '../private/shared-marker';
import { attributeCost } from '../reporting/cost-attribution';

/** The services' records travel twice in one CloudFormation event (old and new properties) of at most 256 KB. */
const MAX_SERVICES_JSON = 100_000;

/**
 * Properties of `DeclarationRegistration`.
 */
export interface DeclarationRegistrationProps {
  /**
   * The organization's declaration registry.
   *
   * @default - the context `customer-value:registry`
   */
  readonly registry?: RegistryLocation;

  /**
   * When the registration function confirms the stack's entry (its heartbeat). A reader reports an entry stale when
   * its heartbeat is older than its limit (3 days by default), so keep it at least daily.
   *
   * @default - once a day
   */
  readonly heartbeat?: events.Schedule;

  /**
   * The SNS topic the function's error alarm notifies (a failed heartbeat: the entry goes stale in the registry).
   *
   * @default - no notification: the alarm shows in CloudWatch, and the management account's readers report the entry stale
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Retention of the function's logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Registers the declarations of a stack's customer services in the organization's declaration registry
 * (`DeclarationRegistry`), so that the management or FinOps account reads every deployed service without anyone
 * copying declarations: deploying the stack registers them (the same records as the `customer-value:service`
 * metadata, with the stack and account), updating it updates them, deleting it withdraws them.
 *
 * One per stack, at the root of the stack, outside every service: a custom resource backed by a small function that
 * writes one JSON entry under `<prefix>v1/<account>/<region>/<stack>/<logical id>.json` with conditional writes,
 * confirms it once a day (the heartbeat that tells readers the stack still exists), and may read and write that one
 * key only. Its resources carry the customer-value tags of the stack's first service (or of the context
 * `customer-value:reportingOwner`), like the cost publisher.
 *
 * Created automatically for every stack holding a `CustomerService` when the context `customer-value:registry` names a
 * registry (and `customer-value:registerDeclarations` is not false); create it yourself with `DeclarationRegistration.of`
 * to pass props. See docs/registry.md.
 */
export class DeclarationRegistration extends Construct {
  /** The construct id of the registration at the root of its stack. */
  public static readonly ID = 'CustomerValueRegistration';

  /**
   * The registration of the stack `scope` belongs to, created on first use (props apply only then).
   */
  public static of(scope: IConstruct, props: DeclarationRegistrationProps = {}): DeclarationRegistration {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(DeclarationRegistration.ID);
    if (existing instanceof DeclarationRegistration) {
      return existing;
    }
    if (existing) {
      const taken = existing;
      refuseOnProblems(stack, () => [`the construct id "${DeclarationRegistration.ID}" at the root of the stack is taken by another construct `
        + `(${taken.constructor.name}); it is reserved for the customer-value declaration registration: rename that construct`]);
      const fallback = stack.node.tryFindChild(`${DeclarationRegistration.ID}2`);
      return fallback instanceof DeclarationRegistration ? fallback : new DeclarationRegistration(stack, `${DeclarationRegistration.ID}2`, props);
    }
    return new DeclarationRegistration(stack, DeclarationRegistration.ID, props);
  }

  /** Whether the stack `scope` belongs to has a registration. */
  public static isCreated(scope: IConstruct): boolean {
    return Stack.of(scope).node.tryFindChild(DeclarationRegistration.ID) instanceof DeclarationRegistration;
  }

  /** The registration function (custom resource and daily heartbeat). */
  public readonly function: lambda.IFunction;
  /** The custom resource that writes the entry. */
  public readonly resource: CustomResource;
  /** The daily heartbeat. */
  public readonly heartbeatRule: events.Rule;
  /** Goes off when the function fails (a heartbeat that cannot confirm the entry), over a day. */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** The function's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The object key of the stack's entry (a token where the account or region is known only at deploy). */
  public readonly entryKey: string;

  private readonly location?: ResolvedLocation;

  private constructor(scope: Stack, id: string, props: DeclarationRegistrationProps) {
    super(scope, id);
    markShared(this, 'declaration registration');
    const stack = Stack.of(this);
    const given = props.registry !== undefined;
    const checked = checkLocation(given ? props.registry : configuredRegistry(this), given ? 'registry' : `context "${ContextKeys.REGISTRY}"`);
    this.location = checked.location;
    const location = checked.location ?? { bucketName: 'unknown', region: 'us-east-1', prefix: '' };

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Writes this stack\'s customer-value declarations into the organization\'s registry (its own entry only)',
    });
    const fn = new BundledFunction(this, 'Function', {
      handler: 'registry/declaration-registration',
      description: 'cdk-customer-value: registers the stack\'s service declarations in the organization\'s registry',
      role,
      logGroup: this.logGroup,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(2),
    });
    // bounded: Lambda retries a failed asynchronous invocation (CloudFormation invokes the function asynchronously) at
    // most twice, and drops an event older than an hour (CloudFormation waits for an answer up to serviceTimeout)
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });
    this.function = fn;

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::CustomerValueRegistration',
      serviceTimeout: Duration.minutes(10),
      properties: {
        Bucket: location.bucketName,
        Region: location.region,
        Prefix: location.prefix,
        Services: Lazy.string({ produce: () => stack.toJsonString(this.records()) }),
        // the stack's attribution rule sets travel with its services (left out when it has none)
        AttributionRules: Lazy.any({ produce: () => (this.ruleSetRecords().length > 0 ? stack.toJsonString(this.ruleSetRecords()) : undefined) }),
      },
    });
    const logicalId = stack.getLogicalId(this.resource.node.defaultChild as CfnResource);
    this.entryKey = `${accountPrefix(location.prefix, stack.account)}${stack.region}/${stack.stackName}/${logicalId}.json`;

    const bucketArn = stack.formatArn({ service: 's3', region: '', account: '', resource: location.bucketName });
    const policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'OwnEntry',
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [`${bucketArn}/${this.entryKey}`],
        }),
        new iam.PolicyStatement({
          // tells a missing entry (404) from a denied one: S3 answers 403 for a missing key without s3:ListBucket
          sid: 'FindOwnEntry',
          actions: ['s3:ListBucket'],
          resources: [bucketArn],
          conditions: { StringEquals: { 's3:prefix': this.entryKey } },
        }),
        new iam.PolicyStatement({
          sid: 'Logs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    fn.node.addDependency(policy);
    this.resource.node.addDependency(policy);

    this.heartbeatRule = new events.Rule(this, 'Heartbeat', {
      description: 'cdk-customer-value: confirms the stack\'s entry in the declaration registry (readers report an entry without one stale)',
      schedule: props.heartbeat ?? events.Schedule.rate(Duration.days(1)),
    });
    this.heartbeatRule.addTarget(new targets.LambdaFunction(fn, {
      event: events.RuleTargetInput.fromObject({
        action: HEARTBEAT_ACTION,
        bucket: location.bucketName,
        region: location.region,
        prefix: location.prefix,
        stackId: Aws.STACK_ID,
        logicalId,
      }),
      retryAttempts: 2,
    }));
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `The customer-value declaration registration of stack ${stack.stackName} failed (function errors over a day): `
        + `its entry in the registry is not confirmed and goes stale. Its log group ${this.logGroup.logGroupName} says why.`,
      metric: fn.metricErrors({ period: Duration.days(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      allowAlertPublishing(this, props.alarmTopic, { alarms: true, account: stack.account });
      this.errorsAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      this.errorsAlarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
    }

    attributeCost(this, () => this.costOwner);
    refuseOnProblems(this, () => this.problems(checked.problems));
  }

  /** The services registered: those declared in this stack. */
  public get services(): ICustomerService[] {
    const stack = Stack.of(this);
    return servicesUnder(stack).filter((s) => Stack.of(s) === stack);
  }

  /** The registry written to, when its location is sound. */
  public get registry(): RegistryLocation | undefined {
    return this.location;
  }

  /**
   * The service whose customer-value tags the registration's resources carry: the one the context
   * `customer-value:reportingOwner` names, or the first service declared in the stack.
   */
  public get costOwner(): ICustomerService | undefined {
    const name = this.node.tryGetContext(ContextKeys.REPORTING_OWNER);
    if (name === undefined || name === null) {
      return this.services[0];
    }
    const stage = Stage.of(this) ?? this.node.root;
    const candidates = servicesUnder(this.node.root).filter((s) => s.serviceName === name);
    return candidates.find((s) => (Stage.of(s) ?? s.node.root) === stage) ?? candidates[0];
  }

  /** The services' `customer-value:service` metadata records, resolved at synth like the metadata itself. */
  private records(): unknown[] {
    return this.services.map((s) => s.node.metadata.find((m) => m.type === SERVICE_METADATA_TYPE)?.data).filter((d) => d !== undefined);
  }

  /** The `customer-value:attribution` records of the stack's rule sets (`AttributionRules`), resolved at synth like the metadata. */
  private ruleSetRecords(): unknown[] {
    const stack = Stack.of(this);
    return ruleSetsOfApp(this).filter((r) => Stack.of(r) === stack)
      .map((r) => r.node.metadata.find((m) => m.type === ATTRIBUTION_METADATA_TYPE)?.data).filter((d) => d !== undefined);
  }

  private problems(location: string[]): string[] {
    const problems = [...location];
    if (problems.length > 0) {
      return problems;
    }
    if (this.services.length === 0) {
      problems.push(`the stack ${Stack.of(this).stackName} declares no CustomerService: a registration registers the services of its stack; `
        + 'remove it, or declare the services in this stack');
    }
    const size = JSON.stringify(Stack.of(this).resolve(this.records())).length + JSON.stringify(Stack.of(this).resolve(this.ruleSetRecords())).length;
    if (size > MAX_SERVICES_JSON) {
      problems.push(`the declarations of the ${this.services.length} services (and the attribution rule sets) of stack ${Stack.of(this).stackName} take ${size} characters, over the `
        + `${MAX_SERVICES_JSON} a registration carries (CloudFormation sends them twice in an event of at most 256 KB; an entry holds at most `
        + `${MAX_ENTRY_BYTES} bytes): spread the services over more stacks`);
    }
    if (Token.isUnresolved(Stack.of(this).stackName)) {
      problems.push('the stack\'s name is known only at deploy: the registry entry\'s key holds it, and the function may write that key only');
    }
    return problems;
  }
}
