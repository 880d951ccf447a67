import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/**
 * The SNS topic and KMS key grants that let AWS services deliver alerts to a topic, written once for every construct
 * that sends them: per-service reporting (budgets, the unit-cost alarm), the per-stack cost publisher (its health
 * alarms), anomaly detection and the value-review packs (their failure alarm).
 *
 * Topic policy. A topic policy replaces SNS's default policy, so every AWS service that publishes needs its own
 * statement:
 * - AWS Budgets: `budgets.amazonaws.com` may `sns:Publish`, conditions `aws:SourceAccount` = the budget's account
 *   and `aws:SourceArn` like `arn:<partition>:budgets::<account>:*` (AWS Cost Management user guide, "Creating an
 *   Amazon SNS topic for budget notifications");
 * - Cost Anomaly Detection: `costalerts.amazonaws.com` may `sns:Publish`, condition `aws:SourceAccount` = the
 *   account that owns the subscription (the management account may alert a workload account's topic; "... for
 *   anomaly notifications");
 * - CloudWatch alarms: `cloudwatch.amazonaws.com` may `sns:Publish`, conditions `aws:SourceAccount` = the alarms'
 *   account and `aws:SourceArn` like `arn:<partition>:cloudwatch:<region>:<account>:alarm:*` (the account's alarms in
 *   the region; an alarm only notifies topics of its own region). Without it the alarm changes state and the publish
 *   fails, visible only in the alarm's history ("... is not authorized to perform: SNS:Publish"): AWS re:Post
 *   knowledge center, https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger, and the SNS
 *   developer guide, https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html.
 * Key policy, for an encrypted topic: each service that publishes may `kms:GenerateDataKey*` and `kms:Decrypt`
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services). AWS documents
 * these grants without conditions, and whether the services send the account on their KMS calls is undocumented: a
 * condition they do not meet would drop every alert silently, so there is none. The topic policy keeps publishing
 * scoped.
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
  /** CloudWatch alarms of `account`, in the region of the caller's stack. */
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
  if (publishers.alarms) {
    const stack = Stack.of(scope);
    statements.push({
      id: `cloudwatch/${account}`,
      needed: `${CLOUDWATCH} (conditions aws:SourceAccount = ${accountText(account)}, aws:SourceArn like arn:<partition>:cloudwatch:<region>:<account>:alarm:*)`,
      statement: () => new iam.PolicyStatement({
        sid: sameAccount ? 'CloudWatchAlarmsPublish' : `CloudWatchAlarmsPublish${account}`,
        principals: [new iam.ServicePrincipal(CLOUDWATCH)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${account}:alarm:*` },
        },
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
      `The SNS topic ${describeTopic(topic)} is imported, so its policy cannot be changed here: allow sns:Publish to ${missing.join(' and ')} in the topic policy, or the alerts are never delivered (a failed delivery shows only in the sender's history, e.g. the alarm history).`);
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
