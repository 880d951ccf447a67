import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/**
 * The SNS topic and KMS key grants that let AWS's cost alerting deliver to a topic, written once for every
 * construct that sends cost alerts (per-service reporting and anomaly detection).
 *
 * Topic policy (documented in the AWS Cost Management user guide, "Creating an Amazon SNS topic for budget
 * notifications" and "... for anomaly notifications"):
 * - AWS Budgets: `budgets.amazonaws.com` may `sns:Publish`, conditions `aws:SourceAccount` = the budget's account
 *   and `aws:SourceArn` like `arn:<partition>:budgets::<account>:*`;
 * - Cost Anomaly Detection: `costalerts.amazonaws.com` may `sns:Publish`, condition `aws:SourceAccount` = the
 *   account that owns the subscription (the management account may alert a workload account's topic).
 * Key policy, for an encrypted topic: each service that publishes (and CloudWatch, for alarms) may
 * `kms:GenerateDataKey*` and `kms:Decrypt`. AWS documents these grants without conditions, and whether the services
 * send the account on their KMS calls is undocumented: a condition they do not meet would drop every alert
 * silently, so there is none. The topic policy keeps publishing scoped.
 *
 * Each statement is added once per topic (or key) however many services or alerts share it. An imported topic or
 * key cannot be changed: the caller's scope then gets a warning saying what to add.
 */

export const BUDGETS = 'budgets.amazonaws.com';
export const COST_ALERTS = 'costalerts.amazonaws.com';
export const CLOUDWATCH = 'cloudwatch.amazonaws.com';

/** Who publishes to the topic. */
export interface AlertPublishers {
  /** AWS Budgets notifications of budgets in `account`. */
  readonly budgets?: boolean;
  /** Cost Anomaly Detection subscriptions owned by `account`. */
  readonly anomalies?: boolean;
  /** CloudWatch alarms (only the key grant: alarms publish with the alarm owner's permissions). */
  readonly alarms?: boolean;
  /** The account the alerts come from. */
  readonly account: string;
}

const DONE = new WeakMap<object, Set<string>>();

/** Adds once what lets `publishers` deliver to `topic` (topic policy and key policy); warns at `scope` when it cannot. */
export function allowAlertPublishing(scope: IConstruct, topic: sns.ITopic, publishers: AlertPublishers): void {
  const { account } = publishers;
  const sameAccount = Token.isUnresolved(account) || account === Stack.of(topic).account;
  const statements: Array<{ id: string; statement: () => iam.PolicyStatement; needed: string }> = [];
  if (publishers.budgets) {
    statements.push({
      id: `budgets/${account}`,
      needed: `${BUDGETS} (conditions aws:SourceAccount = ${accountText(account)}, aws:SourceArn like arn:<partition>:budgets::<account>:*)`,
      statement: () => new iam.PolicyStatement({
        sid: sameAccount ? 'AWSBudgetsPublish' : `AWSBudgetsPublish${account}`,
        principals: [new iam.ServicePrincipal(BUDGETS)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${Stack.of(scope).partition}:budgets::${account}:*` },
        },
      }),
    });
  }
  if (publishers.anomalies) {
    statements.push({
      id: `costalerts/${account}`,
      needed: `${COST_ALERTS} (condition aws:SourceAccount = ${accountText(account)})`,
      statement: () => new iam.PolicyStatement({
        sid: sameAccount ? 'AWSCostAnomalyDetectionPublish' : `AWSCostAnomalyDetectionPublish${account}`,
        principals: [new iam.ServicePrincipal(COST_ALERTS)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    });
  }
  const missing: string[] = [];
  for (const s of statements.filter((x) => once(topic, x.id))) {
    if (!topic.addToResourcePolicy(s.statement()).statementAdded) {
      missing.push(s.needed);
    }
  }
  if (missing.length > 0) {
    Annotations.of(scope).addWarningV2('cdk-customer-value:alerts.topicPolicyNotManaged',
      `The SNS topic ${describeTopic(topic)} is imported, so its policy cannot be changed here: allow sns:Publish to ${missing.join(' and ')} in the topic policy, or the cost alerts cannot be delivered.`);
  }

  const key = topic.masterKey;
  if (key) {
    const principals = [
      ...(publishers.budgets ? [BUDGETS] : []),
      ...(publishers.anomalies ? [COST_ALERTS] : []),
      ...(publishers.alarms ? [CLOUDWATCH] : []),
    ];
    allowKeyUse(scope, key, principals, `the KMS key of the SNS topic ${describeTopic(topic)}`);
  }
}

const KEY_SIDS: Record<string, string> = {
  [BUDGETS]: 'AWSBudgetsUseKey',
  [COST_ALERTS]: 'AWSCostAnomalyDetectionUseKey',
  [CLOUDWATCH]: 'CloudWatchAlarmsUseKey',
};

/** Lets each of `principals` use `key` for an encrypted topic, once per key and principal. */
function allowKeyUse(scope: IConstruct, key: kms.IKey, principals: string[], what: string): void {
  const missing: string[] = [];
  for (const principal of principals.filter((p) => once(key, p))) {
    const added = key.addToResourcePolicy(new iam.PolicyStatement({
      sid: KEY_SIDS[principal],
      principals: [new iam.ServicePrincipal(principal)],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
    }), true);
    if (!added.statementAdded) {
      missing.push(principal);
    }
  }
  if (missing.length > 0) {
    Annotations.of(scope).addWarningV2('cdk-customer-value:alerts.keyPolicyNotManaged',
      `${capitalize(what)} is imported, so its key policy cannot be changed here: allow kms:GenerateDataKey* and kms:Decrypt to ${missing.join(', ')}, or the encrypted topic cannot receive the alerts.`);
  }
}

/** True the first time `id` is seen for `target`. */
function once(target: object, id: string): boolean {
  let done = DONE.get(target);
  if (!done) {
    done = new Set();
    DONE.set(target, done);
  }
  if (done.has(id)) {
    return false;
  }
  done.add(id);
  return true;
}

function describeTopic(topic: sns.ITopic): string {
  return Token.isUnresolved(topic.topicArn) ? topic.node.path : topic.topicArn;
}

function accountText(account: string): string {
  return Token.isUnresolved(account) ? 'the account of this stack' : account;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
