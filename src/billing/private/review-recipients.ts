import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { describe, OWNER_NAME_PATTERN } from '../../declaration/rules';
import { deployedLength } from '../../private/deployed-size';
import { closest } from '../../private/placeholders';
import type { ValueReviewRecipient } from '../value-review-recipient';

/**
 * Who receives the value-review packs (`ValueReviewReports.recipients`), and what their topics cost the function's
 * configuration: the checks at synth, one subscription per address, the warning for a unit no service declares.
 */

/**
 * Lambda allows 4 KB for all the environment variables of a function, keys and values together
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** The most values SNS accepts in one subscription filter policy (the total combination of values). */
const FILTER_POLICY_VALUES = 150;

/** The recipients that are usable; a problem for each that is not. */
export function checkRecipients(recipients: ValueReviewRecipient[] | undefined, problems: string[]): ValueReviewRecipient[] {
  if (recipients === undefined) return [];
  if (!Array.isArray(recipients)) {
    problems.push(`recipients is ${describe(recipients)}: pass [{ businessUnit: 'retail', emails: ['retail-board@example.com'] }]`);
    return [];
  }
  const ok: ValueReviewRecipient[] = [];
  recipients.forEach((r, i) => {
    const at = `recipients[${i}]`;
    if (!r || typeof r.businessUnit !== 'string' || !OWNER_NAME_PATTERN.test(r.businessUnit)) {
      problems.push(`${at}.businessUnit is ${describe(r?.businessUnit)}: name the business unit as its services declare it`);
      return;
    }
    const bad = (r.emails ?? []).filter((e) => typeof e !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e));
    if (bad.length > 0) {
      problems.push(`${at}.emails has ${bad.map((e) => describe(e)).join(', ')}: expected e-mail addresses`);
      return;
    }
    if ((r.emails ?? []).length === 0 && !r.topic) {
      problems.push(`${at} (${r.businessUnit}) has neither emails nor a topic: give one, or leave the unit out of recipients`);
      return;
    }
    // One topic of its own per unit: the function's configuration maps a unit to one topic ARN (and each ARN costs
    // room in Lambda's 4 KB environment); a second topic for the same unit would silently replace the first.
    const first = r.topic ? ok.find((o) => o.topic && o.businessUnit === r.businessUnit && !sameTopic(o.topic, r.topic!)) : undefined;
    if (first) {
      problems.push(`recipients[${recipients.indexOf(first)}] and ${at} both give a topic for business unit "${r.businessUnit}" `
        + `(${describeTopic(first.topic!)} and ${describeTopic(r.topic!)}): a unit has one topic of its own, which receives its summary; `
        + 'give it in one entry and subscribe the other endpoint to that topic, or list the e-mail addresses under emails');
      return;
    }
    ok.push(r);
  });
  return ok;
}

/** One topic: the same construct, or two imports of the same ARN (`Topic.fromTopicArn` twice). */
function sameTopic(a: sns.ITopic, b: sns.ITopic): boolean {
  return a === b || (!Token.isUnresolved(a.topicArn) && a.topicArn === b.topicArn);
}

/** A topic as the user named it: its construct path, or its ARN when imported by ARN. */
function describeTopic(topic: sns.ITopic): string {
  return Token.isUnresolved(topic.topicArn) ? topic.node.path : topic.topicArn;
}

/**
 * One subscription per e-mail address, with every unit it is listed under (SNS refuses a second subscription of the
 * same address to a topic, and aws-cdk-lib a second construct for it). Addresses are compared without case.
 */
export function subscriptionsByAddress(recipients: ValueReviewRecipient[], problems: string[]): Array<{ address: string; units: string[] }> {
  const byAddress = new Map<string, { address: string; units: string[] }>();
  for (const r of recipients) {
    for (const address of r.emails ?? []) {
      const entry = byAddress.get(address.toLowerCase()) ?? { address, units: [] };
      if (!entry.units.includes(r.businessUnit)) {
        entry.units.push(r.businessUnit);
      }
      byAddress.set(address.toLowerCase(), entry);
    }
  }
  const out = [...byAddress.values()];
  for (const { address, units } of out) {
    if (units.length > FILTER_POLICY_VALUES) {
      problems.push(`recipients: ${address} is listed under ${units.length} business units: an SNS filter policy holds at most `
        + `${FILTER_POLICY_VALUES} values; give the address a topic of its own, or list it under fewer units`);
    }
  }
  return out.filter((s) => s.units.length <= FILTER_POLICY_VALUES);
}

/**
 * Warns about a recipient's business unit that no declared service carries: SNS filters match exactly, so a typo or
 * another case would receive nothing, silently. Only a warning: a unit can come from the bill's tags alone.
 */
export function warnUnknownUnits(scope: Construct, recipients: ValueReviewRecipient[], declaredUnits: string[]): void {
  const declared = [...new Set(declaredUnits)].sort();
  recipients.forEach((r, i) => {
    if (declared.includes(r.businessUnit)) {
      return;
    }
    const suggestion = closest(r.businessUnit, declared);
    Annotations.of(scope).addWarningV2('cdk-customer-value:ValueReviewReports.unknownRecipientUnit',
      `recipients[${i}].businessUnit is ${JSON.stringify(r.businessUnit)}, which no declared service carries `
      + `(${declared.length > 0 ? `business units: ${declared.join(', ')}` : 'no services declared'})`
      + `${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''} Packs are sent to the unit exactly as the services' `
      + 'tags name it, so these recipients receive one only if the bill carries that unit in its tags.');
  });
}

/** The function's environment against Lambda's 4 KB (references counted at their longest likely length once deployed). */
export function checkEnvironmentSize(fn: lambda.Function, recipients: ValueReviewRecipient[]): string[] {
  const stack = Stack.of(fn);
  const environment = stack.resolve((fn.node.defaultChild as lambda.CfnFunction).environment) as { variables?: Record<string, unknown> } | undefined;
  const variables = environment?.variables ?? {};
  const bytes = Object.entries(variables).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + deployedLength(v), 0);
  if (bytes <= LAMBDA_ENVIRONMENT_BYTES) {
    return [];
  }
  const topics = recipients.filter((r) => r.topic).length;
  return [`the environment of the value-review function would be about ${bytes} bytes once deployed (its CONFIG variable holds the `
    + `construct's settings, the business units and the ARNs of ${topics} recipients' own topics), over the ${LAMBDA_ENVIRONMENT_BYTES} bytes `
    + 'Lambda allows for all environment variables: give fewer recipients a topic of their own (e-mail recipients of the '
    + "construct's topic take no room), list fewer businessUnits, or split the units over two ValueReviewReports"];
}
