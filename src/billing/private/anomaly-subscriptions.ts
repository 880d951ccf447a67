import * as sns from 'aws-cdk-lib/aws-sns';
import { describe } from '../../declaration/rules';
import { AnomalyAlertFrequency, AnomalyAlertOptions, AnomalyAlertTarget, AnomalyThreshold } from '../anomaly-alerts';

/** One subscription to create: its frequency, its subscribers and its threshold. */
export interface SubscriptionGroup {
  readonly frequency: AnomalyAlertFrequency;
  readonly emails: string[];
  readonly topics: sns.ITopic[];
  readonly immediateEmails: string[];
  readonly threshold: AnomalyThreshold;
}

/**
 * Checks an alert and splits it into the subscriptions AWS can deliver: e-mail needs DAILY or WEEKLY, SNS needs
 * IMMEDIATE (Cost Explorer API reference, `AnomalySubscription`). Problems are added to `errors`, named by `at`.
 */
export function planSubscriptions(at: string, alert: AnomalyAlertOptions, errors: string[]): SubscriptionGroup[] {
  const before = errors.length;
  if (alert === null || typeof alert !== 'object') {
    errors.push(`${at} is ${describe(alert)}: pass { targets, frequency?, threshold? }`);
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
      errors.push(`${at}.targets[${i}] is ${describe(t)}: use AnomalyAlertTarget.email(...), .topic(...) or .immediateEmail(...)`);
      return;
    }
    const found = t._problems(`${at}.targets[${i}]`);
    if (found.length > 0) {
      errors.push(...found);
      return;
    }
    const r = t._recipient();
    if (r.topic) {
      if (!topics.includes(r.topic)) {
        topics.push(r.topic);
      }
      return;
    }
    const address = r.email!;
    if (emails.includes(address) || immediateEmails.includes(address)) {
      errors.push(`${at}.targets[${i}]: ${JSON.stringify(address)} is listed twice`);
      return;
    }
    (r.immediate ? immediateEmails : emails).push(address);
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
    errors.push(`${at}.threshold is ${describe(threshold)}: use AnomalyThreshold.absolute(100), .percentage(...), .absoluteAndPercentage(...) or .absoluteOrPercentage(...)`);
  } else {
    errors.push(...threshold._problems(`${at}.threshold`));
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
