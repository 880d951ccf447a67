/**
 * The documented contract of an alarm notification, checked on a synthesized template: alarm -> topic policy -> key
 * policy -> subscription.
 *
 * - An alarm action is an SNS topic of the alarm's region; CloudWatch publishes to it as the service principal
 *   `cloudwatch.amazonaws.com`, on behalf of the alarm (`aws:SourceArn` = the alarm's ARN,
 *   `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`, `aws:SourceAccount` = its account), over TLS. A topic
 *   policy replaces SNS's default policy (which lets the owner account's principals and services publish, condition
 *   `AWS:SourceOwner`); a publish that no statement allows, or that a Deny matches, fails and shows only in the alarm
 *   history: AWS re:Post knowledge center, https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger;
 *   SNS developer guide, https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html.
 * - An encrypted topic: the key policy must let `cloudwatch.amazonaws.com` use `kms:GenerateDataKey*` and `kms:Decrypt`;
 *   the AWS managed key `alias/aws/sns` cannot be granted, so CloudWatch cannot publish to a topic it encrypts
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * - A topic without a subscription reaches no one.
 * - PutMetricAlarm: Period x EvaluationPeriods at most 604 800 s (7 days), at most 86 400 s for periods under an hour
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
 */

export interface AlarmEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
  readonly stackName: string;
}

export interface AlarmDelivery {
  /** The alarm's logical id and the topic's (or the ARN of a topic outside the template). */
  readonly alarm: string;
  readonly topic: string;
  /** Whether the topic is defined in the template (its policy and subscriptions can be checked). */
  readonly inTemplate: boolean;
  /** What breaks the path; empty when the notification is delivered. */
  readonly problems: string[];
  /** How many subscriptions the topic has in the template. */
  readonly subscriptions: number;
}

type Resources = Record<string, { Type: string; Properties?: any }>;

/** Every (alarm, topic) pair of the template and what, if anything, keeps the notification from being delivered. */
export function alarmDeliveries(template: { Resources?: Resources }, env: AlarmEnvironment): AlarmDelivery[] {
  const resources = template.Resources ?? {};
  const partition = env.partition ?? 'aws';
  const resolve = (v: unknown): string | undefined => resolveText(v, { 'AWS::AccountId': env.account, 'AWS::Region': env.region, 'AWS::Partition': partition });
  const out: AlarmDelivery[] = [];
  for (const [alarmId, alarm] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties ?? {};
    const name = typeof p.AlarmName === 'string' ? p.AlarmName : `${env.stackName}-${alarmId}-ABCDEFGHIJKL`;
    const alarmArn = `arn:${partition}:cloudwatch:${env.region}:${env.account}:alarm:${name}`;
    const context: Record<string, string> = { 'aws:SourceArn': alarmArn, 'aws:SourceAccount': env.account, 'aws:SecureTransport': 'true', 'AWS:SourceOwner': env.account };
    const actions = [...(p.AlarmActions ?? []), ...(p.OKActions ?? []), ...(p.InsufficientDataActions ?? [])];
    const seen = new Set<string>();
    for (const action of actions) {
      const topicId = action && typeof action === 'object' && typeof action.Ref === 'string' && resources[action.Ref]?.Type === 'AWS::SNS::Topic' ? action.Ref as string : undefined;
      const key = topicId ?? JSON.stringify(action);
      if (seen.has(key)) continue;
      seen.add(key);
      if (!topicId) {
        out.push({ alarm: alarmId, topic: typeof action === 'string' ? action : key, inTemplate: false, problems: [], subscriptions: 0 });
        continue;
      }
      const problems: string[] = [];
      const policies = Object.values(resources).filter((r) => r.Type === 'AWS::SNS::TopicPolicy'
        && (r.Properties?.Topics ?? []).some((t: any) => t?.Ref === topicId));
      const statements: any[] = policies.length === 0 ? defaultTopicPolicy(topicId, env.account)
        : policies.flatMap((r) => r.Properties.PolicyDocument.Statement);
      const request = { principal: 'cloudwatch.amazonaws.com', action: 'sns:publish', resource: topicId, context };
      if (!statements.some((s) => s.Effect === 'Allow' && applies(s, request, resolve))) {
        problems.push(`the topic policy of ${topicId} has no statement that lets cloudwatch.amazonaws.com publish for ${alarmArn}`);
      }
      const deny = statements.find((s) => s.Effect === 'Deny' && applies(s, request, resolve));
      if (deny) {
        problems.push(`the topic policy of ${topicId} denies it (${deny.Sid ?? 'a Deny statement'})`);
      }
      const keyRef = resources[topicId].Properties?.KmsMasterKeyId;
      if (keyRef !== undefined) {
        const keyId = keyRef?.['Fn::GetAtt']?.[0] ?? keyRef?.Ref;
        if (typeof keyId !== 'string' || resources[keyId]?.Type !== 'AWS::KMS::Key') {
          problems.push(`${topicId} is encrypted with ${JSON.stringify(keyRef)}, a key whose policy this template does not hold`
            + (JSON.stringify(keyRef).includes('alias/aws/sns') ? ' (the AWS managed key: CloudWatch cannot use it)' : ''));
        } else {
          const keyStatements: any[] = resources[keyId].Properties!.KeyPolicy.Statement;
          for (const kmsAction of ['kms:generatedatakey', 'kms:decrypt']) {
            const keyRequest = { principal: 'cloudwatch.amazonaws.com', action: kmsAction, resource: '*', context };
            if (!keyStatements.some((s) => s.Effect === 'Allow' && applies(s, keyRequest, resolve))) {
              problems.push(`the key policy of ${keyId} does not let cloudwatch.amazonaws.com ${kmsAction}`);
            }
          }
        }
      }
      const subscriptions = Object.values(resources).filter((r) => r.Type === 'AWS::SNS::Subscription' && r.Properties?.TopicArn?.Ref === topicId).length
        + (resources[topicId].Properties?.Subscription ?? []).length;
      out.push({ alarm: alarmId, topic: topicId, inTemplate: true, problems, subscriptions });
    }
  }
  return out;
}

/** Alarms whose evaluation range PutMetricAlarm refuses. */
export function evaluationRangeProblems(template: { Resources?: Resources }): string[] {
  const out: string[] = [];
  for (const [id, alarm] of Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties ?? {};
    const periods: number[] = p.Period !== undefined ? [p.Period] : (p.Metrics ?? []).map((m: any) => m.MetricStat?.Period ?? m.Period).filter((x: unknown) => typeof x === 'number');
    for (const period of periods) {
      const range = period * p.EvaluationPeriods;
      const max = period < 3600 ? 86_400 : 604_800;
      if (range > max) {
        out.push(`${id}: ${p.EvaluationPeriods} x ${period} s = ${range} s of evaluation range, over ${max} s`);
      }
    }
  }
  return out;
}

/** SNS's default topic policy (the owner account's principals and services), the one in force without a topic policy. */
function defaultTopicPolicy(topicId: string, account: string): any[] {
  return [{
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic',
      'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
    Resource: { Ref: topicId },
    Condition: { StringEquals: { 'AWS:SourceOwner': account } },
  }];
}

interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
}

/** Whether a policy statement matches the request (principal, action, resource and every condition). */
function applies(s: any, r: Request, resolve: (v: unknown) => string | undefined): boolean {
  const principals = s.Principal === '*' ? ['*'] : [...list(s.Principal?.Service), ...list(s.Principal?.AWS)];
  if (!principals.some((p) => p === '*' || p === r.principal)) return false;
  if (!list(s.Action).some((a) => glob(String(a).toLowerCase(), r.action))) return false;
  if (!list(s.Resource).some((res) => res === '*' || res?.Ref === r.resource || r.resource === '*')) return false;
  for (const [operator, entries] of Object.entries(s.Condition ?? {})) {
    for (const [key, expected] of Object.entries(entries as Record<string, unknown>)) {
      const actual = Object.entries(r.context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      if (actual === undefined) return false;
      const values = list(expected).map(resolve);
      if (values.some((v) => v === undefined)) return false;
      const ok = operator === 'StringEquals' || operator === 'ArnEquals' || operator === 'Bool' ? values.includes(actual)
        : operator === 'StringLike' || operator === 'ArnLike' ? values.some((v) => glob(v!, actual))
          : false;
      if (!ok) return false;
    }
  }
  return true;
}

function list(v: unknown): any[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function glob(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return re.test(value);
}

/** A template value that is text once deployed, with the pseudo parameters given; undefined for other references. */
function resolveText(v: unknown, pseudo: Record<string, string>): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, any>;
    if (typeof o.Ref === 'string') return pseudo[o.Ref];
    if (Array.isArray(o['Fn::Join'])) {
      const parts = (o['Fn::Join'][1] as unknown[]).map((x) => resolveText(x, pseudo));
      return parts.some((x) => x === undefined) ? undefined : parts.join(o['Fn::Join'][0]);
    }
  }
  return undefined;
}
