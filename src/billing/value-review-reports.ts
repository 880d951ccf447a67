import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Duration, FileSystem, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { BillingOwnerOptions, BillingServicesOptions, ManagementAccountOptions } from './billing-options';
import { CostAndUsageExport } from './cost-and-usage-export';
import { DeclarationRegistry } from './declaration-registry';
import { accessLogsBucket, logAccess, privateBucket } from './private/buckets';
import { checkNoLateServices, resolveServices } from './private/declarations';
import { checkManagementAccount, requireAwsPartition } from './private/guard-rails';
import { attributeCost } from './private/ownership';
import { acknowledgeObjectWildcards, objectsFinding, queryStatements } from './private/query-grants';
import { checkEnvironmentSize, checkRecipients, subscriptionsByAddress, warnUnknownUnits } from './private/review-recipients';
import { shippedDeclarations } from './private/shipped-declarations';
import { ValueReviewRecipient } from './value-review-recipient';
import { describe, OWNER_NAME_PATTERN } from '../declaration/rules';
import { BundledFunction } from '../private/bundled-function';
import { allowAlertPublishing } from '../private/grants';
import { refuseOnProblems, reportProblems } from '../private/problems';
import { addressProblems, DEFAULT_REGISTRY_PREFIX } from '../registry/entry';
import { RegistryLocation } from '../registry/registry-location';

/**
 * The thresholds of the value review's flags.
 */
export interface ValueReviewThresholds {
  /**
   * Month-over-month cost increase (percent) above which a service whose usage did not grow is flagged.
   * @default 20
   */
  readonly costIncreasePercent?: number;
  /**
   * Month-over-month unit cost increase (percent) above which a service is flagged.
   * @default 10
   */
  readonly unitCostIncreasePercent?: number;
  /**
   * Days past the next review date before an overdue review is flagged.
   * @default 0
   */
  readonly overdueDays?: number;
  /**
   * Cost (in the bill's currency) below which a month is too small to judge a change, or a tag value to flag.
   * @default 1
   */
  readonly minimumCost?: number;
}

/**
 * Properties of `ValueReviewReports`.
 */
export interface ValueReviewReportsProps extends BillingServicesOptions, ManagementAccountOptions, BillingOwnerOptions {
  /** The CUR 2.0 export whose Athena table the review reads. */
  readonly costAndUsageExport: CostAndUsageExport;

  /**
   * Who receives each business unit's pack.
   * @default - nobody: the packs are only written to the reports bucket
   */
  readonly recipients?: ValueReviewRecipient[];

  /**
   * The business units to review.
   * @default - every business unit of the declarations or the bill
   */
  readonly businessUnits?: string[];

  /**
   * Months in the trend, ending with the last full month (1 to 36).
   * @default 6
   */
  readonly months?: number;

  /**
   * When the packs are made. AWS may update the CUR data of a billing period during the first two weeks after it ends
   * (AWS Data Exports user guide, "Understanding export delivery"), so a pack made before the 15th marks its last month
   * provisional: its figures can still change.
   * @default - the 15th of every month at 07:00 UTC, when the last month's CUR data is final
   */
  readonly schedule?: events.Schedule;

  /**
   * The thresholds of the flags.
   * @default - 20 % cost up, 10 % unit cost up, overdue by 0 days, minimum cost 1
   */
  readonly thresholds?: ValueReviewThresholds;

  /**
   * A topic that is told when a run fails (the alarm on the function's errors). Its topic policy gets the statement
   * that lets CloudWatch alarms of this account publish to it (and its key, when encrypted with a key of the app, the
   * grant CloudWatch needs); an imported topic gets a synth warning saying what to add.
   * @default - the alarm has no action, and synthesis warns (`cdk-customer-value:ValueReviewReports.noAlarmTopic`): add an
   * action to `failureAlarm` or watch it on a dashboard, and acknowledge the warning
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Where S3 writes the access logs of the reports bucket.
   * @default - a new access-log bucket
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * What happens to the reports bucket when the stack is deleted (`RemovalPolicy.RETAIN` or `DESTROY`; DESTROY only
   * removes an empty bucket).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long the packs (and their older versions) are kept.
   * @default Duration.days(730)
   */
  readonly retention?: Duration;

  /**
   * The organization's declaration registry (in this app): every month the packs read the services every deployed
   * stack registered there, so they cover the apps of every account without a hand-kept list. The function is granted
   * `grantRead` (list and read the entries). The declarations shipped with the construct (`services`, `declarations`)
   * are kept for services the registry does not hold, and are the fallback when it cannot be read (each pack says so).
   * @default - no registry: the shipped declarations
   */
  readonly registry?: DeclarationRegistry;

  /**
   * A registry of another app (its `DeclarationRegistry.location`, or the context `customer-value:registry` of the
   * workload apps), when it is not in this app. The function's role is allowed to list and read its prefix; the
   * registry's account grants the role the same (`grantRead`, or its bucket policy) when it is another account.
   * @default - `registry`, or none
   */
  readonly registryLocation?: RegistryLocation;
}

/** Warning id: no `alarmTopic`, so the failure alarm has no action. */
const NO_ALARM_TOPIC = 'cdk-customer-value:ValueReviewReports.noAlarmTopic';
/** The key prefix of the packs in the reports bucket. */
const PREFIX = 'value-review/';
/**
 * The day of the month the packs are made by default: AWS "can update the export delivery of the previous billing
 * period within the first two weeks after it ends" (AWS Data Exports user guide, "Understanding export delivery",
 * https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html), so on the 15th the last month is
 * final. The function marks the last month provisional in a pack made earlier (the same rule, `PROVISIONAL_UNTIL_DAY`).
 */
const DEFAULT_DAY = 15;
/**
 * The business units' value-review packs, every month, without anyone running the CLI: a scheduled function runs the
 * same report code as `customer-value review --source athena` over the CUR 2.0 table of a `CostAndUsageExport`, writes
 * each unit's pack (HTML, markdown, JSON) to a private, encrypted, versioned bucket under
 * `value-review/<last month>/value-review-<unit>.<ext>`, and sends each unit's summary and flags to its recipients.
 *
 * The declarations the review needs (need, customer, team, review schedule and last outcome, budget, unit) are those of
 * the services of this app (`services`, by default every `CustomerService` declared before this construct) and of
 * `declarations` of services deployed from other apps; they are written to a file when the construct is created and
 * shipped to the function as an S3 asset. A service declared or changed after the construct makes synthesis fail,
 * naming it, rather than shipping stale declarations.
 *
 * Failures (the query, a pack, a notification) fail the run after the other units are done; `failureAlarm` goes off.
 * Deploy it in the management account, in the stack of the `CostAndUsageExport`.
 *
 * @example
 * declare const cur: CostAndUsageExport;
 * new ValueReviewReports(this, 'ValueReview', {
 *   costAndUsageExport: cur,
 *   recipients: [{ businessUnit: 'retail', emails: ['retail-board@example.com'] }],
 * });
 */
export class ValueReviewReports extends Construct {
  /** The bucket the packs are written to. */
  public readonly bucket: s3.IBucket;
  /** The topic the e-mail recipients are subscribed to (filtered by business unit). */
  public readonly topic: sns.ITopic;
  /** The function that makes the packs. */
  public readonly handler: lambda.IFunction;
  /** The alarm on the function's errors (a failed run). */
  public readonly failureAlarm: cloudwatch.Alarm;
  /** The monthly rule. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ValueReviewReportsProps) {
    super(scope, id);
    const p = props ?? ({} as ValueReviewReportsProps);
    const ownership = attributeCost(this, 'value review packs', 'function, role, log group, bucket, topic, rule, alarm', p.owner);
    const resolved = resolveServices(this, p, undefined, ownership.owner);
    checkNoLateServices(this, resolved);
    const problems = [
      ...ownership.problems,
      ...resolved.problems,
      ...requireAwsPartition(this, 'value review packs'),
      ...checkManagementAccount(this, 'value review packs', p.managementAccountId),
    ];
    if (!(p.costAndUsageExport instanceof CostAndUsageExport)) {
      problems.push(`costAndUsageExport is ${describe(p.costAndUsageExport)}: pass the CostAndUsageExport whose Athena table the review reads`);
    }
    const months = p.months ?? 6;
    if (!Number.isInteger(months) || months < 1 || months > 36) {
      problems.push(`months is ${describe(p.months)}: expected a whole number of months from 1 to 36`);
    }
    if (p.registry !== undefined && p.registryLocation !== undefined) {
      problems.push('registry and registryLocation both name the declaration registry: give the DeclarationRegistry of this app, or the location of another\'s');
    }
    if (p.registry !== undefined && !(p.registry instanceof DeclarationRegistry)) {
      problems.push(`registry is ${describe(p.registry)}: pass the DeclarationRegistry (or its location as registryLocation)`);
    }
    const registryLocation = p.registry instanceof DeclarationRegistry ? p.registry.location : p.registryLocation;
    if (p.registryLocation !== undefined) {
      const l = p.registryLocation ?? {};
      problems.push(...addressProblems({
        bucket: Token.isUnresolved(l.bucketName) ? 'token' : l.bucketName,
        region: Token.isUnresolved(l.region) ? 'us-east-1' : l.region,
        prefix: l.prefix,
      }, 'registryLocation'));
    }
    const thresholds = checkThresholds(p.thresholds, problems);
    const recipients = checkRecipients(p.recipients, problems);
    const subscribers = subscriptionsByAddress(recipients, problems);
    const units = checkUnits(p.businessUnits, problems);
    const retention = p.retention ?? Duration.days(730);
    const retentionDays = Token.isUnresolved(retention.toSeconds()) ? 1 : retention.toDays({ integral: false });
    if (retentionDays < 1 || !Number.isInteger(retentionDays)) {
      problems.push(`retention is ${retention.toHumanString()}: expected whole days, at least Duration.days(1)`);
    }

    // The declarations, shipped as an asset: written now, checked again at synth (a late change fails synthesis).
    const shipped = shippedDeclarations(this, p, resolved);
    problems.push(...shipped.problems);
    reportProblems(this, problems);
    warnUnknownUnits(this, recipients, resolved.services.map((s) => s.businessUnit));
    const dir = FileSystem.mkdtemp('customer-value-review-');
    fs.writeFileSync(path.join(dir, 'declarations.json'), shipped.json);
    const asset = new s3assets.Asset(this, 'Declarations', { path: path.join(dir, 'declarations.json') });
    refuseOnProblems(this, () => shipped.recheck());

    const removalPolicy = p.removalPolicy ?? RemovalPolicy.RETAIN;
    const bucket = privateBucket(this, 'Reports', {
      versioned: true,
      removalPolicy,
      lifecycleRules: [
        { id: 'ExpirePacks', prefix: PREFIX, expiration: retention, noncurrentVersionExpiration: Duration.days(30) },
        // S3 removes the delete markers of expired packs itself (a rule that expires current versions); this covers the
        // rest of the bucket, and uploads the function did not finish (a timeout in the middle of a PutObject)
        { id: 'CleanUp', expiredObjectDeleteMarker: true, abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    // the access logs of the packs are kept as long as the packs
    logAccess(this, p.serverAccessLogsBucket ?? accessLogsBucket(this, removalPolicy, retention), { 'value-review/': bucket });
    this.bucket = bucket;

    // SNS encrypted with the AWS managed key: its key policy lets principals of the account that may publish use it
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'Value review packs',
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    // one subscription per address, filtered on the businessUnit message attribute the function sets; the scope is set
    // explicitly, as updates of a subscription without it are reported to fail (https://github.com/aws/aws-cdk/issues/24804)
    for (const subscriber of subscribers) {
      const subscription = topic.addSubscription(new subs.EmailSubscription(subscriber.address, {
        filterPolicy: { businessUnit: sns.SubscriptionFilter.stringFilter({ allowlist: subscriber.units }) },
      }));
      (subscription.node.defaultChild as sns.CfnSubscription).filterPolicyScope = 'MessageAttributes';
    }
    this.topic = topic;

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Makes the value review packs (cdk-customer-value ValueReviewReports)',
    });
    const cur = p.costAndUsageExport;
    // the CUR 2.0 table, or the FOCUS table when it is the only one exported
    const table = (cur.cur ?? cur.focus)!;
    const query = table._queryTarget();
    const timeout = Duration.minutes(15);
    const stack = Stack.of(this);
    const policy = new iam.Policy(this, 'Policy', {
      roles: [role],
      statements: [
        // the Athena, Glue and S3 reads of the table, as CostAndUsageExport.grantQuery grants them (one implementation)
        ...queryStatements(this, query),
        new iam.PolicyStatement({
          sid: 'ReadDeclarations',
          actions: ['s3:GetObject'],
          resources: [`arn:${stack.partition}:s3:::${asset.s3BucketName}/${asset.s3ObjectKey}`],
        }),
        new iam.PolicyStatement({ sid: 'WritePacks', actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${PREFIX}*`)] }),
        new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: [topic.topicArn, ...recipients.flatMap((r) => (r.topic ? [r.topic.topicArn] : []))] }),
        new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      ],
    });
    // cdk-nag names each object-level wildcard after the bucket's logical id
    acknowledgeObjectWildcards(policy, query);
    const packs = objectsFinding(policy, bucket, `${PREFIX}*`);
    if (packs) {
      Validations.of(policy).acknowledge({ id: packs, reason: 'Object-level wildcard only: the packs are written under value-review/, one key per unit and format' });
    }

    const config = stack.toJsonString({
      declarationsBucket: asset.s3BucketName,
      declarationsKey: asset.s3ObjectKey,
      reportsBucket: bucket.bucketName,
      reportsPrefix: PREFIX,
      database: table.databaseName,
      table: table.tableName,
      workgroup: table.workGroupName,
      months,
      businessUnits: units,
      thresholds,
      topicArn: topic.topicArn,
      unitTopics: Object.fromEntries(recipients.filter((r) => r.topic).map((r) => [r.businessUnit, r.topic!.topicArn])),
      timeoutSeconds: timeout.toSeconds(),
      ...(registryLocation ? {
        registry: {
          bucket: registryLocation.bucketName, region: registryLocation.region, prefix: registryLocation.prefix ?? DEFAULT_REGISTRY_PREFIX,
        },
      } : {}),
    });
    const fn = new BundledFunction(this, 'Handler', {
      handler: 'billing/value-review-reports',
      description: 'Makes the value review packs of the business units (cdk-customer-value)',
      role,
      logGroup,
      timeout,
      memorySize: 1024,
      environment: { CONFIG: config },
      // A failed run fails after every other unit is done: an asynchronous retry (Lambda's default is 2) would mail the
      // units that succeeded again and scan again. The failure alarm counts the one failed invocation.
      retryAttempts: 0,
    });
    if (p.registry instanceof DeclarationRegistry) {
      p.registry.grantRead(role);
      const finding = objectsFinding(role, p.registry.bucket, `${p.registry.prefix}*`);
      const grant = role.node.tryFindChild('DefaultPolicy');
      if (finding && grant) {
        Validations.of(grant).acknowledge({ id: finding, reason: REGISTRY_READ_REASON });
      }
    } else if (registryLocation) {
      readRegistryLocation(role, registryLocation);
    }
    fn.node.addDependency(policy);
    this.handler = fn;
    refuseOnProblems(this, () => checkEnvironmentSize(fn, recipients));

    this.rule = new events.Rule(this, 'Monthly', {
      description: 'Makes the value review packs of the business units every month',
      schedule: p.schedule ?? events.Schedule.cron({ day: String(DEFAULT_DAY), hour: '7', minute: '0' }),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });

    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: 'A value review run failed (the query, a pack or a notification): see the function\'s log',
      metric: fn.metricErrors({ period: Duration.hours(6), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (p.alarmTopic) {
      this.failureAlarm.addAlarmAction(new cwActions.SnsAction(p.alarmTopic));
      allowAlertPublishing(this, p.alarmTopic, { alarms: true, account: stack.account });
    } else {
      // warned here, where the alarm is left without an action: a failed run would otherwise reach no one
      Annotations.of(this).addWarningV2(NO_ALARM_TOPIC,
        'alarmTopic is not set, so failureAlarm (a failed value-review run: the query, a pack or a notification) notifies no one: '
        + 'pass alarmTopic (a topic someone is subscribed to), add an action to failureAlarm yourself and acknowledge this warning, '
        + 'or watch the alarm on a dashboard and acknowledge it');
    }
  }
}

const REGISTRY_READ_REASON = 'The declaration registry\'s entries (DeclarationRegistry.grantRead): one object per registered stack, under keys '
  + 'the stacks\' accounts, regions and names make';

/** What `DeclarationRegistry.grantRead` grants, for a registry of another app: list the prefix, read the entries. */
function readRegistryLocation(role: iam.Role, l: RegistryLocation): void {
  const prefix = l.prefix ?? DEFAULT_REGISTRY_PREFIX;
  const bucketArn = `arn:${Stack.of(role).partition}:s3:::${l.bucketName}`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'ListRegistry', actions: ['s3:ListBucket'], resources: [bucketArn], conditions: { StringLike: { 's3:prefix': `${prefix}*` } },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadRegistry', actions: ['s3:GetObject'], resources: [`${bucketArn}/${prefix}*`] }));
  // cdk-nag names the resource with the partition as <AWS::Partition>
  if (Token.isUnresolved(l.bucketName) || Token.isUnresolved(prefix)) {
    return; // a registry of another stack of this app: give it as registry, whose grant names its bucket
  }
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${l.bucketName}/${prefix}*]`, reason: REGISTRY_READ_REASON });
}

function checkThresholds(t: ValueReviewThresholds | undefined, problems: string[]) {
  const out = { costIncreasePercent: 20, unitCostIncreasePercent: 10, overdueDays: 0, minimumCost: 1 };
  for (const [field, value] of Object.entries(t ?? {})) {
    if (!(field in out)) {
      problems.push(`thresholds.${field}: not a threshold (costIncreasePercent, unitCostIncreasePercent, overdueDays, minimumCost)`);
    } else if (value !== undefined) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (field === 'overdueDays' && !Number.isInteger(value))) {
        problems.push(`thresholds.${field} is ${describe(value)}: expected ${field === 'overdueDays' ? 'whole days' : 'a number'} >= 0`);
      } else {
        (out as Record<string, number>)[field] = value;
      }
    }
  }
  return out;
}

function checkUnits(units: string[] | undefined, problems: string[]): string[] {
  if (units === undefined) return [];
  if (!Array.isArray(units) || units.some((u) => typeof u !== 'string' || !OWNER_NAME_PATTERN.test(u))) {
    problems.push(`businessUnits is ${describe(units)}: pass the business units as the services declare them, e.g. ["retail"]`);
    return [];
  }
  return [...new Set(units)];
}
