import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { BillingServicesOptions, ManagementAccountOptions } from './billing-options';
import { checkNoLateServices, resolveServices } from './private/declarations';
import { checkManagementAccount } from './private/guard-rails';
import { markShared } from '../private/shared-marker';
import { TAG_KEY_PATTERN } from '../private/tag-safe';
import { CostAlertTarget, CostAlertTargetType } from '../reporting/cost-alert-target';

/**
 * How often anomaly alerts are sent: e-mail goes out as a DAILY or WEEKLY summary, SNS topics
 * receive each anomaly IMMEDIATEly.
 */
export enum AnomalyAlertFrequency {
  /** Each anomaly as soon as it is detected; SNS topics only. */
  IMMEDIATE = 'IMMEDIATE',
  /** A daily summary; e-mail only. */
  DAILY = 'DAILY',
  /** A weekly summary; e-mail only. */
  WEEKLY = 'WEEKLY',
}

/**
 * How an anomaly alert target is reached.
 */
export enum AnomalyAlertTargetType {
  /** An e-mail address (DAILY or WEEKLY summaries). */
  EMAIL = 'EMAIL',
  /** An SNS topic (IMMEDIATE alerts). */
  SNS = 'SNS',
  /**
   * An e-mail address that receives IMMEDIATE alerts through an SNS topic the construct creates (KMS-encrypted,
   * TLS-only, publishable by Cost Anomaly Detection only).
   */
  IMMEDIATE_EMAIL = 'IMMEDIATE_EMAIL',
}

/**
 * Who receives anomaly alerts.
 */
export class AnomalyAlertTarget {
  /**
   * An e-mail address: receives a DAILY or WEEKLY summary of anomalies (the default is DAILY).
   * @param address the e-mail address
   */
  public static email(address: string): AnomalyAlertTarget {
    return new AnomalyAlertTarget(AnomalyAlertTargetType.EMAIL, address, undefined);
  }

  /**
   * An SNS topic: receives each anomaly IMMEDIATEly (e.g. a chat channel through AWS Chatbot).
   *
   * The construct adds the topic policy that lets `costalerts.amazonaws.com` publish (scoped to this account) and,
   * for a topic encrypted with a customer-managed KMS key, the key policy grant; for an imported topic or key it
   * cannot, and warns.
   * @param topic the topic
   */
  public static topic(topic: sns.ITopic): AnomalyAlertTarget {
    return new AnomalyAlertTarget(AnomalyAlertTargetType.SNS, undefined, topic);
  }

  /**
   * An e-mail address that receives each anomaly IMMEDIATEly: the construct creates an SNS topic for the alert
   * (KMS-encrypted, TLS-only, publishable by Cost Anomaly Detection in this account) and subscribes the address
   * (the recipient confirms the subscription from the e-mail AWS sends).
   * @param address the e-mail address
   */
  public static immediateEmail(address: string): AnomalyAlertTarget {
    return new AnomalyAlertTarget(AnomalyAlertTargetType.IMMEDIATE_EMAIL, address, undefined);
  }

  /**
   * The same recipient as a budget alert target (`CostAlertTarget`): an e-mail address gets DAILY or WEEKLY
   * summaries, a topic IMMEDIATE alerts. Lets a team reuse the targets of its services' budgets.
   * @param target the budget alert target
   */
  public static fromCostAlertTarget(target: CostAlertTarget): AnomalyAlertTarget {
    if (!CostAlertTarget.isCostAlertTarget(target)) {
      throw new Error(`AnomalyAlertTarget.fromCostAlertTarget: target is ${JSON.stringify(target)}: expected CostAlertTarget.email(...) or CostAlertTarget.topic(...)`);
    }
    return target.type === CostAlertTargetType.SNS
      ? AnomalyAlertTarget.topic(target.snsTopic!)
      : AnomalyAlertTarget.email(target.address!);
  }

  /** How the target is reached. */
  public readonly type: AnomalyAlertTargetType;
  /** The e-mail address (EMAIL and IMMEDIATE_EMAIL targets). */
  public readonly address?: string;
  /** The SNS topic (SNS targets). */
  public readonly snsTopic?: sns.ITopic;

  private constructor(type: AnomalyAlertTargetType, address: string | undefined, topic: sns.ITopic | undefined) {
    this.type = type;
    this.address = address;
    this.snsTopic = topic;
  }

  /** Describes the target for messages. */
  public toString(): string {
    return this.type === AnomalyAlertTargetType.SNS ? 'an SNS topic' : `${this.type === AnomalyAlertTargetType.EMAIL ? 'e-mail' : 'immediate e-mail'} ${JSON.stringify(this.address)}`;
  }
}

/**
 * Which anomalies are worth an alert: the `ThresholdExpression` of the subscription (the deprecated `Threshold` is
 * never used). Amounts are the anomaly's total impact in USD; percentages are its impact relative to the expected
 * spend.
 *
 * @see https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_AnomalySubscription.html
 */
export class AnomalyThreshold {
  /**
   * Alert when the anomaly's total impact is at least `amountUsd` dollars.
   * @param amountUsd 0 to 10 000 000 000
   */
  public static absolute(amountUsd: number): AnomalyThreshold {
    return new AnomalyThreshold(dimension('ANOMALY_TOTAL_IMPACT_ABSOLUTE', amountUsd, 'amountUsd'));
  }

  /**
   * Alert when the anomaly's total impact is at least `percent` % of the expected spend.
   * @param percent 0 to 10 000 000 000
   */
  public static percentage(percent: number): AnomalyThreshold {
    return new AnomalyThreshold(dimension('ANOMALY_TOTAL_IMPACT_PERCENTAGE', percent, 'percent'));
  }

  /**
   * Alert when the impact is at least `amountUsd` dollars AND at least `percent` %.
   */
  public static absoluteAndPercentage(amountUsd: number, percent: number): AnomalyThreshold {
    return new AnomalyThreshold({
      And: [dimension('ANOMALY_TOTAL_IMPACT_ABSOLUTE', amountUsd, 'amountUsd'), dimension('ANOMALY_TOTAL_IMPACT_PERCENTAGE', percent, 'percent')],
    });
  }

  /**
   * Alert when the impact is at least `amountUsd` dollars OR at least `percent` %.
   */
  public static absoluteOrPercentage(amountUsd: number, percent: number): AnomalyThreshold {
    return new AnomalyThreshold({
      Or: [dimension('ANOMALY_TOTAL_IMPACT_ABSOLUTE', amountUsd, 'amountUsd'), dimension('ANOMALY_TOTAL_IMPACT_PERCENTAGE', percent, 'percent')],
    });
  }

  private constructor(private readonly expression: Record<string, unknown>) {}

  /** The `ThresholdExpression` JSON string of `AWS::CE::AnomalySubscription`. */
  public toThresholdExpression(): string {
    return JSON.stringify(this.expression);
  }
}

function dimension(key: string, value: number, field: string): Record<string, unknown> {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 10_000_000_000) {
    throw new Error(`AnomalyThreshold: ${field} is ${JSON.stringify(value)}: expected a number from 0 to 10000000000`);
  }
  return { Dimensions: { Key: key, MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [decimal(value)] } };
}

/** A number as a plain decimal string: the API takes numbers in string format, never exponent notation (1e-7). */
function decimal(value: number): string {
  const plain = String(value);
  return /e/i.test(plain) ? value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : plain;
}

/**
 * An alert: who receives which anomalies, how often.
 */
export interface AnomalyAlertOptions {
  /** Who receives the alerts. */
  readonly targets: AnomalyAlertTarget[];

  /**
   * How often. E-mail needs DAILY or WEEKLY and SNS needs IMMEDIATE; a combination AWS cannot deliver is refused.
   *
   * @default - one subscription per kind of target: e-mail addresses get a DAILY summary, topics (and immediate
   * e-mail) IMMEDIATE alerts
   */
  readonly frequency?: AnomalyAlertFrequency;

  /**
   * Which anomalies are worth an alert.
   *
   * @default AnomalyThreshold.absolute(100)
   */
  readonly threshold?: AnomalyThreshold;
}

/**
 * The alert of one team: anomalies in the team's services reach the team's targets.
 */
export interface TeamAnomalyAlert extends AnomalyAlertOptions {
  /** The team, as declared by its services. */
  readonly team: string;
}

/**
 * A customer-managed monitor: the spend of up to 10 values of one tag key, watched together as one total.
 */
export interface CustomAnomalyMonitorOptions {
  /** Monitor name (unique in the account, with the name prefix). */
  readonly name: string;

  /** The tag values watched together (1-10). */
  readonly values: string[];

  /**
   * The tag key (the raw key, without `user:`).
   *
   * @default - the service tag key
   */
  readonly tagKey?: string;

  /**
   * Who is alerted about this monitor's anomalies.
   *
   * @default - no alert (anomalies show in the console and the GetAnomalies API)
   */
  readonly alert?: AnomalyAlertOptions;
}

/**
 * Properties of `ServiceAnomalyDetection`.
 */
export interface ServiceAnomalyDetectionProps extends BillingServicesOptions, ManagementAccountOptions {
  /**
   * Create the AWS-managed monitor on the service tag (`MonitorType` DIMENSIONAL, `MonitorDimension` TAG): AWS
   * tracks the spend of every service tag value separately (up to the top 5 000) and picks up new services itself.
   *
   * @default true
   */
  readonly serviceMonitor?: boolean;

  /**
   * Who is alerted about anomalies of the service monitor (every service), e.g. the FinOps team.
   *
   * @default - no alert on the service monitor
   */
  readonly serviceMonitorAlert?: AnomalyAlertOptions;

  /**
   * Per-team alerts. For each team, a customer-managed monitor watches the team's services (its service tag
   * values, at most 10 per monitor, so a team with more services gets several monitors) and a subscription sends
   * their anomalies to the team's targets.
   *
   * @default - no team alerts
   */
  readonly teamAlerts?: TeamAnomalyAlert[];

  /**
   * More customer-managed monitors.
   *
   * @default - none
   */
  readonly customMonitors?: CustomAnomalyMonitorOptions[];

  /**
   * Prefix of monitor and subscription names.
   *
   * @default "customer-value"
   */
  readonly namePrefix?: string;

  /**
   * Let the monitors and subscriptions carry the tags applied to them (`Tags.of(app).add(...)` and the like).
   *
   * Their `ResourceTags` are create-only (aws-cost-facts §4: `tagUpdatable: false`): any change to a tag that
   * reaches them replaces every monitor and subscription, and a replaced monitor detects nothing for about 24 hours
   * and needs 10 days of history again, silently. Monitors and subscriptions cost nothing, so cost allocation does
   * not need their tags; by default they are left untagged. Set this when a tag policy requires tags on them, and
   * keep those tags stable.
   *
   * @default false
   */
  readonly tagMonitorsAndSubscriptions?: boolean;
}

/** Values per customer-managed monitor (API limit, aws-cost-facts §4). */
const MAX_CUSTOM_VALUES = 10;
/** The e-mail pattern of the API's SubscriberAddress. */
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+=?^_`{|}~-]+@[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)+$/;
const COSTALERTS = 'costalerts.amazonaws.com';
const TOPIC_POLICY_ADDED = Symbol.for('cdk-customer-value.costalertsTopicPolicy');

/**
 * Cost Anomaly Detection for customer services, in the management (payer) account.
 *
 * - An AWS-managed monitor on the service tag key (`{"Tags":{"Key":"customer-service"}}`, DIMENSIONAL / TAG): each
 *   service is tracked separately, new services automatically.
 * - Per team: customer-managed monitors on the team's services (`{"Tags":{"Key":"customer-service","Values":[...]}}`,
 *   at most 10 values each) and subscriptions that reach the team's targets: e-mail as a DAILY (or WEEKLY) summary,
 *   SNS topics IMMEDIATEly. A combination AWS cannot deliver (IMMEDIATE e-mail, a DAILY topic) is refused.
 * - Subscriptions use `ThresholdExpression` (default: total impact at least 100 USD).
 *
 * Monitors on cost allocation tags only work in the management account and on activated tags (see
 * `CostAllocationTags`); a new monitor needs about 24 h before it detects anything, and a new service about 10 days
 * of history. Monitor type and specification are create-only: changing a team's services
 * replaces its monitor. Tags are create-only too, so monitors and subscriptions carry none unless
 * `tagMonitorsAndSubscriptions` is set (a tag change would replace them all).
 */
export class ServiceAnomalyDetection extends Construct {
  /** The AWS-managed monitor on the service tag, if created. */
  public readonly serviceMonitor?: ce.CfnAnomalyMonitor;
  /** Every monitor created. */
  public readonly monitors: ce.CfnAnomalyMonitor[] = [];
  /** Every subscription created. */
  public readonly subscriptions: ce.CfnAnomalySubscription[] = [];
  /** The SNS topics the construct created for immediate e-mail targets. */
  public readonly alertTopics: sns.ITopic[] = [];

  private readonly prefix: string;
  private key?: kms.Key;
  private readonly usedIds = new Set<string>();

  constructor(scope: Construct, id: string, props: ServiceAnomalyDetectionProps = {}) {
    super(scope, id);
    markShared(this, 'cost anomaly detection');
    checkManagementAccount(this, 'anomaly monitors on cost allocation tags', props.managementAccountId);
    this.prefix = props.namePrefix ?? 'customer-value';

    const resolved = resolveServices(this, props);
    const serviceKey = resolved.tagKeys.service;
    const errors: string[] = [];
    if (typeof this.prefix !== 'string' || this.prefix.trim() === '' || this.prefix.length > 200) {
      errors.push(`namePrefix is ${JSON.stringify(props.namePrefix)}: expected 1-200 characters`);
    }
    if (props.tagMonitorsAndSubscriptions !== undefined && typeof props.tagMonitorsAndSubscriptions !== 'boolean') {
      errors.push(`tagMonitorsAndSubscriptions is ${JSON.stringify(props.tagMonitorsAndSubscriptions)}: pass true or false`);
    }
    const teamAlerts = props.teamAlerts ?? [];
    const customMonitors = props.customMonitors ?? [];
    const withServiceMonitor = props.serviceMonitor ?? true;
    if (!withServiceMonitor && props.serviceMonitorAlert) {
      errors.push('serviceMonitorAlert is set but serviceMonitor is false: the alert needs the service monitor');
    }
    if (!withServiceMonitor && teamAlerts.length === 0 && customMonitors.length === 0) {
      errors.push('nothing to monitor: keep serviceMonitor, or add teamAlerts or customMonitors');
    }

    // -- check every alert first, so that all problems are reported at once
    const plans: Array<{ at: string; groups: SubscriptionGroup[] }> = [];
    const plan = (at: string, alert: AnomalyAlertOptions | undefined) => {
      if (alert !== undefined) {
        plans.push({ at, groups: planSubscriptions(at, alert, errors) });
      }
    };
    plan('serviceMonitorAlert', props.serviceMonitorAlert);

    const servicesByTeam = new Map<string, string[]>();
    for (const s of resolved.services) {
      servicesByTeam.set(s.team, [...(servicesByTeam.get(s.team) ?? []), s.serviceName]);
    }
    const teamsSeen = new Set<string>();
    teamAlerts.forEach((a, i) => {
      const at = `teamAlerts[${i}]`;
      if (a === null || typeof a !== 'object') {
        errors.push(`${at} is ${JSON.stringify(a)}: pass { team, targets, frequency?, threshold? }`);
        return;
      }
      if (typeof a.team !== 'string' || !servicesByTeam.has(a.team)) {
        const known = [...servicesByTeam.keys()].sort();
        errors.push(`${at}.team is ${JSON.stringify(a.team)}, which no service declares: known teams are ${known.length > 0 ? known.join(', ') : '(none: pass services or declarations)'}`);
      } else if (teamsSeen.has(a.team)) {
        errors.push(`${at}.team ${JSON.stringify(a.team)} has two alerts: put every target of the team in one alert (or use customMonitors)`);
      }
      teamsSeen.add(a.team);
      plan(at, a);
    });
    customMonitors.forEach((m, i) => {
      const at = `customMonitors[${i}]`;
      if (m === null || typeof m !== 'object') {
        errors.push(`${at} is ${JSON.stringify(m)}: pass { name, values, tagKey?, alert? }`);
        return;
      }
      if (typeof m.name !== 'string' || m.name.trim() === '') {
        errors.push(`${at}.name is ${JSON.stringify(m.name)}: name the monitor`);
      }
      const key = m.tagKey ?? serviceKey;
      if (typeof key !== 'string' || !TAG_KEY_PATTERN.test(key) || key.length > 128) {
        errors.push(`${at}.tagKey is ${JSON.stringify(m.tagKey)}: a tag key is 1-128 ASCII letters, digits, spaces and _ . : / = + -`);
      } else if (key.startsWith('user:')) {
        errors.push(`${at}.tagKey is ${JSON.stringify(m.tagKey)}: anomaly monitors take the raw tag key, without the "user:" prefix of cost allocation reports (${JSON.stringify(key.slice(5))})`);
      }
      if (!Array.isArray(m.values) || m.values.length === 0 || m.values.length > MAX_CUSTOM_VALUES) {
        errors.push(`${at}.values has ${Array.isArray(m.values) ? m.values.length : JSON.stringify(m.values)} value(s): a customer-managed monitor watches 1 to ${MAX_CUSTOM_VALUES} tag values; split them over several monitors`);
      } else if (m.values.some((v) => typeof v !== 'string' || v === '') || new Set(m.values).size !== m.values.length) {
        errors.push(`${at}.values is ${JSON.stringify(m.values)}: expected distinct, non-empty tag values`);
      }
      plan(at, m.alert);
    });
    if (errors.length > 0) {
      throw new Error(`[${this.node.path}] ${errors.join('; ')}`);
    }
    if (teamAlerts.length > 0) {
      checkNoLateServices(this, resolved);
    }

    // -- monitors and subscriptions
    let planIndex = 0;
    const nextPlan = (alert: AnomalyAlertOptions | undefined) => (alert === undefined ? undefined : plans[planIndex++]);

    const servicePlan = nextPlan(props.serviceMonitorAlert);
    if (withServiceMonitor) {
      this.serviceMonitor = new ce.CfnAnomalyMonitor(this, 'ServiceMonitor', {
        monitorName: `${this.prefix}-services`,
        monitorType: 'DIMENSIONAL',
        monitorDimension: 'TAG',
        monitorSpecification: JSON.stringify({ Tags: { Key: serviceKey } }),
      });
      this.monitors.push(this.serviceMonitor);
      if (servicePlan) {
        this.subscribe('Services', `${this.prefix}-services`, [this.serviceMonitor], servicePlan.groups);
      }
    }

    for (const alert of teamAlerts) {
      const teamPlan = nextPlan(alert)!;
      const services = [...servicesByTeam.get(alert.team)!].sort();
      const chunks: string[][] = [];
      for (let i = 0; i < services.length; i += MAX_CUSTOM_VALUES) {
        chunks.push(services.slice(i, i + MAX_CUSTOM_VALUES));
      }
      const base = this.uniqueId(`Team${pascal(alert.team)}`);
      const monitors = chunks.map((values, i) => {
        const suffix = chunks.length > 1 ? `-${i + 1}` : '';
        const monitor = new ce.CfnAnomalyMonitor(this, `${base}Monitor${chunks.length > 1 ? i + 1 : ''}`, {
          monitorName: `${this.prefix}-team-${alert.team}${suffix}`,
          monitorType: 'CUSTOM',
          monitorSpecification: JSON.stringify({ Tags: { Key: serviceKey, Values: values } }),
        });
        this.monitors.push(monitor);
        return monitor;
      });
      this.subscribe(base, `${this.prefix}-team-${alert.team}`, monitors, teamPlan.groups);
    }

    for (const m of customMonitors) {
      const customPlan = nextPlan(m.alert);
      const base = this.uniqueId(`Custom${pascal(m.name)}`);
      const monitor = new ce.CfnAnomalyMonitor(this, `${base}Monitor`, {
        monitorName: `${this.prefix}-${m.name}`,
        monitorType: 'CUSTOM',
        monitorSpecification: JSON.stringify({ Tags: { Key: m.tagKey ?? serviceKey, Values: m.values } }),
      });
      this.monitors.push(monitor);
      if (customPlan) {
        this.subscribe(base, `${this.prefix}-${m.name}`, [monitor], customPlan.groups);
      }
    }

    // ResourceTags are create-only: a tag change would replace every monitor and subscription (see the prop)
    if (props.tagMonitorsAndSubscriptions !== true) {
      for (const resource of [...this.monitors, ...this.subscriptions]) {
        resource.addPropertyDeletionOverride('ResourceTags');
      }
    }
  }

  private uniqueId(id: string): string {
    let candidate = id;
    for (let i = 2; this.usedIds.has(candidate); i++) {
      candidate = `${id}${i}`;
    }
    this.usedIds.add(candidate);
    return candidate;
  }

  private subscribe(id: string, name: string, monitors: ce.CfnAnomalyMonitor[], groups: SubscriptionGroup[]): void {
    for (const group of groups) {
      const subscribers: ce.CfnAnomalySubscription.SubscriberProperty[] = [];
      for (const address of group.emails) {
        subscribers.push({ type: 'EMAIL', address });
      }
      const topics = [...group.topics];
      if (group.immediateEmails.length > 0) {
        const topic = this.createAlertTopic(`${id}Topic`, `${name} anomalies`);
        for (const address of group.immediateEmails) {
          topic.addSubscription(new subs.EmailSubscription(address));
        }
        topics.push(topic);
      }
      for (const topic of topics) {
        this.allowCostAlerts(topic);
        subscribers.push({ type: 'SNS', address: topic.topicArn });
      }
      const frequency = group.frequency.toLowerCase();
      const subscription = new ce.CfnAnomalySubscription(this, `${id}${pascal(frequency)}Subscription`, {
        subscriptionName: `${name}-${frequency}`,
        frequency: group.frequency,
        monitorArnList: monitors.map((m) => m.attrMonitorArn),
        subscribers,
        thresholdExpression: group.threshold.toThresholdExpression(),
      });
      // The topic policy (and key policy) must be in place before Cost Anomaly Detection publishes.
      for (const topic of topics) {
        const policy = topic.node.tryFindChild('Policy');
        if (policy && Stack.of(policy) === Stack.of(this)) {
          subscription.node.addDependency(policy);
        }
      }
      this.subscriptions.push(subscription);
    }
  }

  private createAlertTopic(id: string, displayName: string): sns.Topic {
    if (!this.key) {
      this.key = new kms.Key(this, 'AlertKey', {
        description: 'Encrypts the customer-value anomaly alert topics (cdk-customer-value ServiceAnomalyDetection)',
        enableKeyRotation: true,
      });
      this.key.addToResourcePolicy(costAlertsKeyStatement());
    }
    const topic = new sns.Topic(this, id, {
      displayName: displayName.slice(0, 100),
      masterKey: this.key,
      enforceSSL: true,
    });
    this.allowCostAlerts(topic);
    this.alertTopics.push(topic);
    return topic;
  }

  /**
   * Lets Cost Anomaly Detection publish to `topic` (and use its KMS key), once per topic and account. The service
   * publishes on behalf of the account that owns the subscription, this construct's account (the management
   * account), which can differ from the topic's account (a workload team's topic): `aws:SourceAccount` names it.
   */
  private allowCostAlerts(topic: sns.ITopic): void {
    const account = Stack.of(this).account;
    const done: Set<string> = (topic as any)[TOPIC_POLICY_ADDED] ?? new Set<string>();
    if (done.has(account)) {
      return;
    }
    if (done.size === 0) {
      Object.defineProperty(topic, TOPIC_POLICY_ADDED, { value: done });
    }
    done.add(account);
    const sameAccount = Token.isUnresolved(account) || account === Stack.of(topic).account;
    const added = topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: sameAccount ? 'CostAnomalyDetectionPublish' : `CostAnomalyDetectionPublish${account}`,
      principals: [new iam.ServicePrincipal(COSTALERTS)],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': account } },
    }));
    if (!added.statementAdded) {
      warnManual(this, `the imported SNS topic ${topic.topicArn}`,
        `a topic policy statement allowing ${COSTALERTS} to sns:Publish with the condition aws:SourceAccount = ${Token.isUnresolved(account) ? 'the account of this stack' : account}`);
    }
    const key = topic.masterKey;
    if (key && key !== this.key) {
      const keyAdded = key.addToResourcePolicy(costAlertsKeyStatement(), true);
      if (!keyAdded.statementAdded) {
        warnManual(this, `the KMS key of SNS topic ${topic.topicArn}`, `a key policy statement allowing ${COSTALERTS} kms:GenerateDataKey* and kms:Decrypt`);
      }
    }
  }
}

function costAlertsKeyStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'CostAnomalyDetectionPublish',
    principals: [new iam.ServicePrincipal(COSTALERTS)],
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    resources: ['*'],
    // No aws:SourceAccount: AWS documents this grant without conditions (aws-cost-facts §4), and a condition the
    // service does not meet on its KMS calls would drop every alert silently. The topic policy scopes publishing.
  });
}

function warnManual(scope: IConstruct, what: string, needed: string): void {
  const text = Token.isUnresolved(what) ? what.replace(/\$\{Token\[[^\]]+\]\}/g, '(token)') : what;
  Annotations.of(scope).addWarningV2('cdk-customer-value:billing.anomalyTopicPolicy',
    `Cost Anomaly Detection cannot deliver to ${text} unless it has ${needed}; this construct cannot change it, add it where the topic is defined`);
}

interface SubscriptionGroup {
  readonly frequency: AnomalyAlertFrequency;
  readonly emails: string[];
  readonly topics: sns.ITopic[];
  readonly immediateEmails: string[];
  readonly threshold: AnomalyThreshold;
}

/**
 * Checks an alert and splits it into the subscriptions AWS can deliver (aws-cost-facts §4: e-mail needs DAILY or
 * WEEKLY, SNS needs IMMEDIATE).
 */
function planSubscriptions(at: string, alert: AnomalyAlertOptions, errors: string[]): SubscriptionGroup[] {
  const before = errors.length;
  if (alert === null || typeof alert !== 'object') {
    errors.push(`${at} is ${JSON.stringify(alert)}: pass { targets, frequency?, threshold? }`);
    return [];
  }
  const targets = alert.targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    errors.push(`${at}.targets is ${JSON.stringify(targets)}: add at least one AnomalyAlertTarget.email(...), .topic(...) or .immediateEmail(...)`);
    return [];
  }
  const emails: string[] = [];
  const immediateEmails: string[] = [];
  const topics: sns.ITopic[] = [];
  targets.forEach((t, i) => {
    if (!(t instanceof AnomalyAlertTarget)) {
      errors.push(`${at}.targets[${i}] is ${JSON.stringify(t)}: use AnomalyAlertTarget.email(...), .topic(...) or .immediateEmail(...)`);
      return;
    }
    if (t.type === AnomalyAlertTargetType.SNS) {
      if (!t.snsTopic || typeof t.snsTopic.topicArn !== 'string') {
        errors.push(`${at}.targets[${i}]: AnomalyAlertTarget.topic() needs an SNS topic`);
      } else if (!topics.includes(t.snsTopic)) {
        topics.push(t.snsTopic);
      }
      return;
    }
    const address = t.address;
    if (typeof address !== 'string' || (!Token.isUnresolved(address) && !EMAIL.test(address))) {
      errors.push(`${at}.targets[${i}] is ${t}: not an e-mail address (name@example.com)`);
      return;
    }
    const list = t.type === AnomalyAlertTargetType.EMAIL ? emails : immediateEmails;
    if (emails.includes(address) || immediateEmails.includes(address)) {
      errors.push(`${at}.targets[${i}]: ${JSON.stringify(address)} is listed twice`);
      return;
    }
    list.push(address);
  });
  const frequency = alert.frequency;
  if (frequency !== undefined && !Object.values(AnomalyAlertFrequency).includes(frequency)) {
    errors.push(`${at}.frequency is ${JSON.stringify(frequency)}: accepted values are ${Object.values(AnomalyAlertFrequency).join(', ')}`);
  }
  if (frequency === AnomalyAlertFrequency.IMMEDIATE && emails.length > 0) {
    errors.push(`${at}: frequency IMMEDIATE is delivered over SNS only, but the targets include e-mail ${emails.map((e) => JSON.stringify(e)).join(', ')} `
      + '(Cost Anomaly Detection e-mails DAILY or WEEKLY summaries): use frequency DAILY or WEEKLY for e-mail, or AnomalyAlertTarget.immediateEmail(...) / .topic(...) for immediate alerts');
  }
  const summary = frequency === AnomalyAlertFrequency.DAILY || frequency === AnomalyAlertFrequency.WEEKLY;
  if (summary && (topics.length > 0 || immediateEmails.length > 0)) {
    errors.push(`${at}: frequency ${frequency} is delivered by e-mail only, but the targets include ${topics.length > 0 ? 'an SNS topic' : 'immediate e-mail'} `
      + '(SNS topics receive IMMEDIATE alerts only): leave frequency out to get one subscription per kind of target, or move the topics to an IMMEDIATE alert');
  }
  const threshold = alert.threshold ?? AnomalyThreshold.absolute(100);
  if (!(threshold instanceof AnomalyThreshold)) {
    errors.push(`${at}.threshold is ${JSON.stringify(threshold)}: use AnomalyThreshold.absolute(100), .percentage(...), .absoluteAndPercentage(...) or .absoluteOrPercentage(...)`);
  }
  if (errors.length > before) {
    return [];
  }
  const groups: SubscriptionGroup[] = [];
  if (emails.length > 0) {
    groups.push({ frequency: frequency ?? AnomalyAlertFrequency.DAILY, emails, topics: [], immediateEmails: [], threshold });
  }
  if (topics.length > 0 || immediateEmails.length > 0) {
    groups.push({ frequency: AnomalyAlertFrequency.IMMEDIATE, emails: [], topics, immediateEmails, threshold });
  }
  return groups;
}

function pascal(text: string): string {
  const out = text.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
  return out.length > 0 ? out : 'X';
}
