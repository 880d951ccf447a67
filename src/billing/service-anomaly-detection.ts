import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { AnomalyAlertOptions, CustomAnomalyMonitorOptions, TeamAnomalyAlert } from './anomaly-alerts';
import { BillingOwnerOptions, BillingServicesOptions, ManagementAccountOptions } from './billing-options';
import { planSubscriptions, SubscriptionGroup } from './private/anomaly-subscriptions';
import { checkNoLateServices, resolveServices } from './private/declarations';
import { checkManagementAccount, requireAwsPartition } from './private/guard-rails';
import { attributeCost } from './private/ownership';
import { allowAlertPublishing } from '../private/grants';
import { reportProblems } from '../private/problems';
import { TAG_KEY_PATTERN } from '../private/tag-safe';

/**
 * Properties of `ServiceAnomalyDetection`.
 */
export interface ServiceAnomalyDetectionProps extends BillingServicesOptions, ManagementAccountOptions, BillingOwnerOptions {
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
   * Their `ResourceTags` are create-only (`tagUpdatable: false` in the CloudFormation registry schema): any change to a tag that
   * reaches them replaces every monitor and subscription, and a replaced monitor detects nothing for about 24 hours
   * and needs 10 days of history again, silently. Monitors and subscriptions cost nothing, so cost allocation does
   * not need their tags; by default they are left untagged. Set this when a tag policy requires tags on them, and
   * keep those tags stable.
   *
   * @default false
   */
  readonly tagMonitorsAndSubscriptions?: boolean;

  /**
   * What happens to the KMS key of the alert topics the construct creates (for `AnomalyAlertTarget.immediateEmail`)
   * when it leaves the stack.
   *
   * A customer managed KMS key costs 1 USD per month (prorated hourly), plus 1 USD per month for each automatic
   * rotation; a key scheduled for deletion costs nothing (https://aws.amazon.com/kms/pricing/). The key only protects
   * alert messages while SNS delivers them, so nothing is left to decrypt once its topics are gone: by default it is
   * scheduled for deletion with them (after KMS's 30-day waiting period, during which the deletion can be cancelled).
   * `RemovalPolicy.RETAIN` keeps it, and its monthly charge, for every stack that is deleted.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly alertKeyRemovalPolicy?: RemovalPolicy;
}

/** Values per customer-managed monitor (API limit, aws-cost-facts §4). */
const MAX_CUSTOM_VALUES = 10;

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
  private readonly keyRemovalPolicy: RemovalPolicy;
  private readonly usedIds = new Set<string>();

  constructor(scope: Construct, id: string, props: ServiceAnomalyDetectionProps = {}) {
    super(scope, id);
    const ownership = attributeCost(this, 'cost anomaly detection', 'alert topics and their KMS key', props.owner);
    this.prefix = props.namePrefix ?? 'customer-value';
    const resolved = resolveServices(this, props, undefined, ownership.owner);
    const serviceKey = resolved.tagKeys.service;
    const errors = [
      ...ownership.problems,
      ...requireAwsPartition(this, 'cost anomaly detection'),
      ...checkManagementAccount(this, 'anomaly monitors on cost allocation tags', props.managementAccountId),
      ...resolved.problems,
    ];
    if (typeof this.prefix !== 'string' || this.prefix.trim() === '' || this.prefix.length > 200) {
      errors.push(`namePrefix is ${JSON.stringify(props.namePrefix)}: expected 1-200 characters`);
    }
    this.keyRemovalPolicy = props.alertKeyRemovalPolicy ?? RemovalPolicy.DESTROY;
    if (this.keyRemovalPolicy !== RemovalPolicy.DESTROY && this.keyRemovalPolicy !== RemovalPolicy.RETAIN) {
      errors.push(`alertKeyRemovalPolicy is ${JSON.stringify(props.alertKeyRemovalPolicy)}: pass RemovalPolicy.DESTROY or RemovalPolicy.RETAIN`);
      this.keyRemovalPolicy = RemovalPolicy.DESTROY;
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
    if (reportProblems(this, errors)) {
      return;
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

    // ResourceTags are create-only: a tag change would replace every monitor and subscription (see the prop). They
    // cost nothing, so leaving them untagged attributes no cost to nobody.
    if (props.tagMonitorsAndSubscriptions !== true) {
      for (const resource of [...this.monitors, ...this.subscriptions]) {
        resource.addPropertyDeletionOverride('ResourceTags');
        Validations.of(resource).acknowledge({
          id: 'CustomerValue-TagsMissingOrOverridden',
          reason: 'Cost Anomaly Detection monitors and subscriptions are free, and their ResourceTags are create-only: any tag change '
            + 'would replace them, and a replaced monitor detects nothing for about a day. They carry no tags unless tagMonitorsAndSubscriptions is set.',
        });
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
        removalPolicy: this.keyRemovalPolicy,
      });
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
   * Lets Cost Anomaly Detection publish to `topic` (and use its KMS key). The service publishes on behalf of the
   * account that owns the subscription, this construct's account (the management account), which can differ from
   * the topic's account (a workload team's topic): `aws:SourceAccount` names it.
   */
  private allowCostAlerts(topic: sns.ITopic): void {
    allowAlertPublishing(this, topic, { anomalies: true, account: Stack.of(this).account });
  }
}

function pascal(text: string): string {
  const out = text.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
  return out.length > 0 ? out : 'X';
}
