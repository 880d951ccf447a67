import * as fs from 'fs';
import { App, Duration, Lazy, Stack, Stage, Token, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  Customer, CustomerService, CustomerServiceProps, CustomerValueChecks, CostReporting, TagKeys, ValueReviewStatus,
} from '../src';
import { testApp, validationFindings, VALID } from './util';

/** A sound declaration; each case below breaks one thing. */
const GOOD: CustomerServiceProps = { ...VALID, costReporting: CostReporting.disabled('declaration tests') };

/** The validation messages of one service declared in a fresh app (construct-level, without synthesizing). */
function messagesFor(props: Partial<CustomerServiceProps> | Record<string, unknown>, context: Record<string, unknown> = {}, id = 'Checkout'): string[] {
  const app = testApp({ context });
  const stack = new Stack(app, 'Shop');
  const svc = new CustomerService(stack, id, props as CustomerServiceProps);
  return svc.node.validate();
}

type Case = [string, Record<string, unknown>, RegExp, Record<string, unknown>?];

const BAD: Case[] = [
  // missing, empty, blank
  ['missing customerNeed', { customerNeed: undefined }, /^customerNeed is missing: declare the customer need this service fulfils, as a sentence \(e\.g\./],
  ['empty customerNeed', { customerNeed: '' }, /^customerNeed is empty: declare the customer need/],
  ['whitespace customerNeed', { customerNeed: '   \t ' }, /^customerNeed is blank: declare the customer need/],
  ['missing customer', { customer: undefined }, /^customer is missing: declare who the customer is with Customer\.external\("Online shoppers"\) or Customer\.internal/],
  ['missing team', { team: undefined }, /^team is missing: declare the owning team/],
  ['blank team', { team: '  ' }, /^team is blank: declare the owning team/],
  ['missing businessUnit', { businessUnit: undefined }, /^businessUnit is missing: declare the business unit that reviews its value/],
  ['empty businessUnit', { businessUnit: '' }, /^businessUnit is empty/],
  // placeholders in several casings
  ['TBD need', { customerNeed: 'TBD' }, /^customerNeed is "TBD": a placeholder, not a need/],
  ['todo need (lower case)', { customerNeed: 'todo' }, /^customerNeed is "todo": a placeholder/],
  ['TODO: need with text', { customerNeed: 'TODO: describe what shoppers need' }, /^customerNeed is "TODO: describe what shoppers need": a placeholder/],
  ['FixMe need (mixed case)', { customerNeed: 'FixMe' }, /^customerNeed is "FixMe": a placeholder/],
  ['"To be defined" need', { customerNeed: 'To be defined' }, /^customerNeed is "To be defined": a placeholder/],
  ['N/A team', { team: 'N/A' }, /^team is "N\/A": a placeholder/],
  ['none business unit', { businessUnit: 'None' }, /^businessUnit is "None": a placeholder/],
  ['Unknown team', { team: 'UNKNOWN' }, /^team is "UNKNOWN": a placeholder/],
  ['changeme business unit', { businessUnit: 'changeme' }, /^businessUnit is "changeme": a placeholder/],
  ['xxx team', { team: 'xxx' }, /^team is "xxx": a placeholder/],
  ['dash team', { team: '-' }, /^team is "-": a placeholder/],
  ['question mark business unit', { businessUnit: '?' }, /^businessUnit is "\?": a placeholder/],
  ['placeholder customer name', { customer: Customer.internal('tbd') }, /^customer name is "tbd": a placeholder; name the internal customer/],
  ['placeholder serviceName', { serviceName: 'TODO' }, /^serviceName is "TODO": a placeholder/],
  ['placeholder reviewer', { valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', reviewer: 'n/a' } }, /^valueReview\.reviewer is "n\/a": a placeholder/],
  // labels instead of needs
  ['one-word need', { customerNeed: 'Checkout' }, /^customerNeed is "Checkout": a label, not a need; describe what the customer gets done in a sentence of at least three words/],
  ['two-word need', { customerNeed: 'Payment processing' }, /^customerNeed is "Payment processing": a label, not a need/],
  // wrong types (JavaScript callers)
  ['customer as a string', { customer: 'Online shoppers' }, /^customer is "Online shoppers" \(a string\): declare who the customer is with Customer\.external/],
  ['customer as a plain object', { customer: { kind: 'external', name: 'x' } }, /^customer is an object \(\{"kind":"external","name":"x"\}\): declare who the customer is/],
  ['team as a number', { team: 42 }, /^team is number 42, not a string: declare the owning team/],
  // values that cannot be tags
  ['team with &', { team: 'Payments & Risk' }, /^team is "Payments & Risk": it is used as-is as a tag value and cost category value, so it must be 1-50 ASCII letters, digits, spaces, _ and -.*"&" is not allowed/],
  ['team with @', { team: 'payments@example.com' }, /^team is "payments@example\.com": .*"@", "\." are not allowed/],
  ['business unit with accents', { businessUnit: 'Épicerie' }, /^businessUnit is "Épicerie": .*"É" is not allowed/],
  ['business unit with +', { businessUnit: 'retail+b2b' }, /^businessUnit is "retail\+b2b": .*"\+" is not allowed/],
  ['team with a slash (tag-safe, but not a cost category value)', { team: 'retail/payments' }, /^team is "retail\/payments": .*"\/" is not allowed/],
  ['team with trailing space', { team: 'payments ' }, /^team is "payments ": .*no trailing space/],
  ['serviceName with a space', { serviceName: 'check out' }, /^serviceName is "check out": it names the service's tag value, budget, dashboard and metrics, so it must be 1-50 ASCII letters, digits, _ and -, starting with a letter or digit; " " is not allowed$/],
  ['serviceName with a colon', { serviceName: 'shop:checkout' }, /^serviceName is "shop:checkout": .*; ":" is not allowed$/],
  ['id without usable default name', {}, /^serviceName is not set and the construct id "結帳" gives no usable default: set serviceName/],
  // over-long values
  ['over-long team', { team: 'payments-'.repeat(6) }, /^team is "(payments-){6}" \(54 characters\): at most 50 characters, the limit of AWS cost category values/],
  ['over-long business unit', { businessUnit: 'retail '.repeat(40).trim() }, /^businessUnit is "(retail ){39}retail" \(279 characters\): at most 50 characters/],
  ['over-long serviceName', { serviceName: 'checkout-'.repeat(6) }, /^serviceName is "(checkout-){6}": .*\(it has 54 characters\)/],
  ['over-long need', { customerNeed: 'Shoppers pay quickly '.repeat(60) }, /^customerNeed is 1260 characters long: a need is one sentence \(at most 1024 characters\)/],
  ['over-long customer name', { customer: Customer.external('Shopper '.repeat(30)) }, /^customer name is 240 characters long: at most 200 characters/],
  // tokens
  ['token need', { customerNeed: Lazy.string({ produce: () => 'Shoppers pay in one step' }) }, /^customerNeed is an unresolved token \(\$\{Token\[TOKEN\.\d+\]\}\): declarations must be known at synth, because budgets, cost categories and reports depend on them/],
  ['token team', { team: Token.asString({ Ref: 'TeamParam' }) }, /^team is an unresolved token/],
  ['token business unit', { businessUnit: Lazy.string({ produce: () => 'retail' }) }, /^businessUnit is an unresolved token/],
  ['token serviceName', { serviceName: Lazy.string({ produce: () => 'checkout' }) }, /^serviceName is an unresolved token/],
  ['token customer name', { customer: Customer.external(Lazy.string({ produce: () => 'Shoppers' })) }, /^customer name is an unresolved token/],
  // value review
  ['review date not a date', { valueReview: { every: Duration.days(90), lastReviewed: '2026-13-01' } }, /^valueReview\.lastReviewed is "2026-13-01": not a date; give the date of the last review as YYYY-MM-DD/],
  ['review in the future', { valueReview: { every: Duration.days(90), lastReviewed: '2027-01-01' } }, /^valueReview\.lastReviewed is "2027-01-01", after today \(2026-11-25\): a review cannot be in the future/],
  ['review every 0 days', { valueReview: { every: Duration.hours(12), lastReviewed: '2026-10-01' } }, /^valueReview\.every is 12 hours: use whole days between 1 and 731/],
  ['review without every', { valueReview: { lastReviewed: '2026-10-01' } }, /^valueReview\.every is undefined: pass a Duration such as Duration\.days\(90\)/],
  ['review outcome as a string', { valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', outcome: 'retire' } },
    /^valueReview\.outcome is "retire" \(a string\): pass ValueReviewOutcome\.RETIRE$/],
  ['review outcome unknown', { valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', outcome: 'keep' } },
    /^valueReview\.outcome is "keep": pass one of ValueReviewOutcome\.INVEST, ValueReviewOutcome\.SUSTAIN, ValueReviewOutcome\.IMPROVE, ValueReviewOutcome\.RETIRE, or leave outcome out$/],
  ['review note blank', { valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', note: '  ' } },
    /^valueReview\.note is blank: write what the review decided and why in a sentence, or leave note out$/],
  ['review note too long', { valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01', note: 'Keep it. '.repeat(60) } },
    /^valueReview\.note is 540 characters long: a note is short \(at most 500 characters\)/],
  ['retirement grace period not a number', {}, /^context "customer-value:retirementGraceDays" is "soon": expected whole days from 0 to 731/,
    { 'customer-value:retirementGraceDays': 'soon' }],
  ['overdue review under strict mode', { valueReview: { every: Duration.days(30), lastReviewed: '2026-01-10' } },
    /^valueReview is overdue: the last review was 2026-01-10 and the next was due 2026-02-09 \(checked on 2026-11-25\); customer-value:strictReviews is true/,
    { 'customer-value:strictReviews': true }],
  // registries
  ['unknown team under a registry', { team: 'paymnets' }, /^team is "paymnets", which is not in the registry "customer-value:teams" \(payments, search\); did you mean "payments"\?/,
    { 'customer-value:teams': ['payments', 'search'] }],
  ['unknown business unit under a comma-separated registry', { businessUnit: 'wholesale' },
    /^businessUnit is "wholesale", which is not in the registry "customer-value:businessUnits" \(retail, finance\) Use a registered name/,
    { 'customer-value:businessUnits': 'retail, finance' }],
  ['malformed registry', {}, /^context "customer-value:teams" is \{"payments":true\}: expected a non-empty list of names/, { 'customer-value:teams': { payments: true } }],
  // tag keys
  ['tagKeys different from the app', { tagKeys: TagKeys.custom({ team: 'owner-team' }) },
    /^tagKeys is \{.*"team":"owner-team".*\} but the app uses \{.*"team":"team".*\}: tag keys are set once per app/],
];

describe('CustomerService refuses bad declarations', () => {
  test('every field broken at once: each is reported, none hides another', () => {
    // GIVEN one declaration breaking every field, each as the last case of the table that breaks that field alone
    const byField = new Map<string, Case>();
    for (const row of BAD.filter(([, change, , context]) => Object.keys(change).length === 1 && context === undefined)) {
      byField.set(Object.keys(row[1])[0], row);
    }
    const broken = Object.assign({}, GOOD, ...[...byField.values()].map(([, change]) => change));
    // WHEN
    const messages = messagesFor(broken);
    // THEN one problem per field, each the one reported when that field alone is broken
    expect(messages).toHaveLength(byField.size);
    for (const [, , expected] of byField.values()) {
      expect(messages).toContainEqual(expect.stringMatching(expected));
    }
  });

  // (rows have 3 or 4 cells: take them as one array, or jest would read a 4th parameter as a `done` callback)
  test.each(BAD.map((row) => [row[0], row] as const))('%s', (_name, row) => {
    const [, change, expected, context] = row;
    // GIVEN a sound declaration with one field broken
    const id = row[0] === 'id without usable default name' ? '結帳' : 'Checkout';
    // WHEN
    const messages = messagesFor({ ...GOOD, ...change }, context ?? {}, id);
    // THEN exactly the broken field is reported, with the value and what is accepted
    expect(messages).toEqual([expect.stringMatching(expected)]);
  });

  test('a sound declaration has no findings', () => {
    expect(messagesFor(GOOD)).toEqual([]);
  });

  test('JavaScript callers can omit props entirely: every required field is reported', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const svc = new (CustomerService as any)(stack, 'Checkout');
    expect(svc.node.validate()).toEqual([
      expect.stringMatching(/^customerNeed is missing/),
      expect.stringMatching(/^customer is missing/),
      expect.stringMatching(/^team is missing/),
      expect.stringMatching(/^businessUnit is missing/),
    ]);
  });

  test('all errors of all services are collected and synth fails with the construct paths', () => {
    // GIVEN two broken services in two stacks
    const app = testApp();
    new CustomerService(new Stack(app, 'Shop'), 'Checkout', { ...GOOD, customerNeed: 'TBD', team: 'N/A' });
    new CustomerService(new Stack(app, 'Legal'), 'Archive', { ...GOOD, businessUnit: '' });
    // WHEN / THEN
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('[Shop/Checkout] customerNeed is "TBD": a placeholder, not a need; declare the customer need this service fulfils, as a sentence (e.g. "Shoppers pay for their basket in one step")');
    expect(message).toContain('[Shop/Checkout] team is "N/A": a placeholder');
    expect(message).toContain('[Legal/Archive] businessUnit is empty');
  });

  test('a refused app writes no template', () => {
    const app = testApp();
    new CustomerService(new Stack(app, 'Shop'), 'Checkout', { ...GOOD, customerNeed: 'TBD' });
    expect(() => app.synth()).toThrow(/Validation failed/);
    expect(fs.readdirSync(app.outdir).filter((f: string) => f.endsWith('.template.json'))).toEqual([]);
  });

  test('duplicate service names in one app are refused on both services', () => {
    const app = testApp();
    const a = new CustomerService(new Stack(app, 'ShopEu'), 'Checkout', GOOD);
    const b = new CustomerService(new Stack(app, 'ShopUs'), 'Checkout', GOOD);
    expect(a.node.validate()).toEqual([expect.stringMatching(/^serviceName is "checkout", already declared by ShopUs\/Checkout: service names are unique within an app/)]);
    expect(b.node.validate()).toEqual([expect.stringMatching(/^serviceName is "checkout", already declared by ShopEu\/Checkout/)]);
  });

  test('the same service in two stages (beta, prod) is not a duplicate', () => {
    const app = testApp();
    const beta = new CustomerService(new Stack(new Stage(app, 'Beta'), 'Shop'), 'Checkout', GOOD);
    const prod = new CustomerService(new Stack(new Stage(app, 'Prod'), 'Shop'), 'Checkout', GOOD);
    expect(beta.node.validate()).toEqual([]);
    expect(prod.node.validate()).toEqual([]);
  });

  test('a service nested inside another is refused', () => {
    const app = testApp();
    const outer = new CustomerService(new Stack(app, 'Shop'), 'Checkout', GOOD);
    const inner = new CustomerService(outer, 'Receipts', { ...GOOD, customerNeed: 'Shoppers get a receipt for each order' });
    expect(outer.node.validate()).toEqual([]);
    expect(inner.node.validate()).toEqual([expect.stringMatching(/^this service is nested inside the customer service Shop\/Checkout: a resource belongs to exactly one service; declare services side by side/)]);
  });

  test('a service declared inside a scope included by another service is refused', () => {
    const app = testApp();
    const checkout = new CustomerService(new Stack(app, 'Shop'), 'Checkout', GOOD);
    const edge = new Stack(app, 'Edge');
    checkout.include(edge);
    const inner = new CustomerService(edge, 'Receipts', { ...GOOD, customerNeed: 'Shoppers get a receipt for each order' });
    expect(inner.node.validate()).toEqual([expect.stringMatching(/^this service is nested inside the customer service Shop\/Checkout \(through include\(Edge\)\)/)]);
  });

  test('the need may hold any text', () => {
    expect(messagesFor({ ...GOOD, customerNeed: 'Kund:innen bezahlen ihren Warenkorb in einem Schritt – sicher & schnell!' })).toEqual([]);
    expect(messagesFor({ ...GOOD, customerNeed: '顧客 が ワンステップで 支払う' })).toEqual([]);
  });

  test('an invalid tag-keys context is reported', () => {
    expect(messagesFor(GOOD, { 'customer-value:tagKeys': { team: 'aws:team' } })).toEqual([
      expect.stringMatching(/^context "customer-value:tagKeys": team key is "aws:team": the aws: prefix is reserved by AWS/),
    ]);
  });

  test('an invalid today context is reported', () => {
    expect(messagesFor(GOOD, { 'customer-value:today': 'yesterday' })).toEqual([
      expect.stringMatching(/^context "customer-value:today" is "yesterday": expected a date YYYY-MM-DD/),
    ]);
  });
});

describe('a refused declaration under the cdk CLI', () => {
  test('its problems are error annotations the CLI prints, and CustomerValueChecks does not repeat them as findings', () => {
    // GIVEN the context the cdk CLI sets: it reports validation problems itself, from the cloud assembly
    const app = testApp({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false, '@aws-cdk/core:strictCfnValidateErrors': false } });
    Validations.of(app).addPlugins(new CustomerValueChecks(app));
    const stack = new Stack(app, 'Legacy');
    const reports = new CustomerService(stack, 'Reports', { ...GOOD, customerNeed: 'TBD', team: 'Data & Analytics' });
    new sns.Topic(reports, 'Exports', { enforceSSL: true });
    // WHEN
    const assembly = app.synth();
    // THEN no exception with a stack trace: the problems, as errors on the service, and nothing else
    const errors = assembly.getStackByName('Legacy').messages.filter((m) => m.level === 'error').map((m) => `${m.id} ${m.entry.data}`);
    expect(errors).toEqual([
      expect.stringMatching(/^\/Legacy\/Reports customerNeed is "TBD": a placeholder, not a need/),
      expect.stringMatching(/^\/Legacy\/Reports team is "Data & Analytics": .*"&" is not allowed$/),
    ]);
    expect(validationFindings(app.outdir)).toEqual([]);
  });

  test('without the CLI\'s context, synthesis throws one error listing them', () => {
    const app = testApp();
    const stack = new Stack(app, 'Legacy');
    new sns.Topic(new CustomerService(stack, 'Reports', { ...GOOD, customerNeed: 'TBD' }), 'Exports', { enforceSSL: true });
    expect(() => app.synth()).toThrow(/Validation failed with the following errors:\n {2}\[Legacy\/Reports\] customerNeed is "TBD"/);
  });
});

describe('value reviews', () => {
  test('an overdue review is an acknowledgeable warning by default', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const svc = new CustomerService(stack, 'Checkout', { ...GOOD, valueReview: { every: Duration.days(30), lastReviewed: '2026-01-10' } });
    new sns.Topic(svc, 'Orders', { enforceSSL: true });
    expect(svc.node.validate()).toEqual([]);
    expect(svc.valueReviewStatus).toBe(ValueReviewStatus.OVERDUE);
    Annotations.fromStack(stack).hasWarning('/Shop/Checkout', Match.stringLikeRegexp('The value review of "checkout" is overdue: the last review was 2026-01-10 and the next was due 2026-02-09.*\\[ack: CustomerValue-ValueReviewOverdue\\]'));
  });

  test('the overdue warning does not depend on validation: it is there when synthesis skips validation', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const svc = new CustomerService(stack, 'Checkout', { ...GOOD, valueReview: { every: Duration.days(30), lastReviewed: '2026-01-10' } });
    new sns.Topic(svc, 'Orders', { enforceSSL: true });
    const messages = app.synth({ skipValidation: true }).getStackByName(stack.stackName).messages;
    expect(messages.filter((m) => m.level === 'warning' && /The value review of "checkout" is overdue/.test(String(m.entry.data))).map((m) => m.id)).toEqual(['/Shop/Checkout']);
  });

  describe('an overdue review is warned once, under one id', () => {
    /** The app's overdue warnings: the validation report's findings and the warning annotations, as `cdk synth` shows them. */
    function overdueWarnings(withPack: boolean, acknowledge: boolean): string[] {
      const app = testApp({ context: { '@aws-cdk/core:strictCfnValidateErrors': false } });
      if (withPack) {
        Validations.of(app).addPlugins(new CustomerValueChecks(app));
      }
      const stack = new Stack(app, 'Shop');
      const svc = new CustomerService(stack, 'Checkout', { ...GOOD, valueReview: { every: Duration.days(30), lastReviewed: '2026-01-10' } });
      new sns.Topic(svc, 'Orders', { enforceSSL: true });
      svc.addUsageMetric('orders', new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders' }));
      if (acknowledge) {
        Validations.of(svc).acknowledge({ id: 'CustomerValue-ValueReviewOverdue', reason: 'the board meets next week' });
      }
      const assembly = app.synth();
      const findings = validationFindings(app.outdir).filter((f) => /Overdue/.test(f.rule)).map((f) => `finding ${f.rule}`);
      const annotations = assembly.stacksRecursively.flatMap((st) => st.messages)
        .filter((m) => m.level === 'warning' && /overdue/.test(String(m.entry.data))).map((m) => `annotation ${String(m.entry.data).replace(/^.*\[ack: (.*)\]$/s, '$1')}`);
      return [...findings, ...annotations];
    }

    test('with CustomerValueChecks registered: the pack\'s finding only', () => {
      expect(overdueWarnings(true, false)).toEqual(['finding CustomerValue-ValueReviewOverdue']);
    });

    test('without the pack: the construct\'s warning, under the pack rule\'s id', () => {
      expect(overdueWarnings(false, false)).toEqual(['annotation CustomerValue-ValueReviewOverdue']);
    });

    test('one acknowledgement of CustomerValue-ValueReviewOverdue on the service silences it either way', () => {
      expect(overdueWarnings(true, true)).toEqual([]);
      expect(overdueWarnings(false, true)).toEqual([]);
    });
  });

  test('status ok, due soon, not scheduled', () => {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const ok = new CustomerService(stack, 'A', { ...GOOD, valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01' } });
    const soon = new CustomerService(stack, 'B', { ...GOOD, valueReview: { every: Duration.days(30), lastReviewed: '2026-11-01' } });
    const none = new CustomerService(stack, 'C', GOOD);
    expect([ok.valueReviewStatus, ok.nextValueReview]).toEqual([ValueReviewStatus.OK, '2026-12-30']);
    expect([soon.valueReviewStatus, soon.nextValueReview]).toEqual([ValueReviewStatus.DUE_SOON, '2026-12-01']);
    expect([none.valueReviewStatus, none.nextValueReview]).toEqual([ValueReviewStatus.NOT_SCHEDULED, undefined]);
  });
});

describe('usage metrics', () => {
  test('the first usage metric is the unit unless another is chosen', () => {
    const app = new App();
    const svc = new CustomerService(new Stack(app, 'Shop'), 'Checkout', GOOD);
    const topic = new sns.Topic(svc, 'Orders');
    svc.addUsageMetric('orders', topic.metricNumberOfMessagesPublished());
    svc.addUsageMetric('payments', topic.metricNumberOfNotificationsDelivered());
    expect(svc.unitMetric?.name).toBe('orders');
    svc.addUsageMetric('baskets', topic.metricNumberOfNotificationsFailed(), { unit: true, unitScale: 1000 });
    expect(svc.unitMetric).toMatchObject({ name: 'baskets', unitScale: 1000 });
    expect(svc.usageMetrics.map((u) => [u.name, u.unit])).toEqual([['orders', false], ['payments', false], ['baskets', true]]);
  });

  test('addUsageMetric returns the metric as registered', () => {
    const app = new App();
    const svc = new CustomerService(new Stack(app, 'Shop'), 'Checkout', GOOD);
    const metric = new sns.Topic(svc, 'Orders').metricNumberOfMessagesPublished();
    expect(svc.addUsageMetric('orders', metric, { unitScale: 1000 })).toEqual({ name: 'orders', metric, unit: true, unitScale: 1000 });
    expect(svc.addUsageMetric('refunds', metric)).toEqual({ name: 'refunds', metric, unit: false, unitScale: 1 });
  });

  test('bad usage metrics are refused at synth with the field and value, all at once and with the declaration\'s problems', () => {
    const app = testApp();
    const svc = new CustomerService(new Stack(app, 'Shop'), 'Checkout', { ...GOOD, team: 'TBD' });
    const topic = new sns.Topic(svc, 'Orders');
    svc.addUsageMetric('', topic.metricNumberOfMessagesPublished());
    svc.addUsageMetric('orders', topic.metricNumberOfMessagesPublished());
    svc.addUsageMetric('orders', topic.metricNumberOfMessagesPublished());
    svc.addUsageMetric('x', {} as any);
    svc.addUsageMetric('y', topic.metricNumberOfMessagesPublished(), { unitScale: 0 });
    const thrower = () => app.synth();
    expect(thrower).toThrow(/\[Shop\/Checkout\] team is "TBD": a placeholder/);
    expect(thrower).toThrow(/\[Shop\/Checkout\] addUsageMetric: name is "": use 1-64 letters/);
    expect(thrower).toThrow(/name "orders" is already registered/);
    expect(thrower).toThrow(/addUsageMetric\("x"\): metric is an object \(\{\}\): pass a CloudWatch metric/);
    expect(thrower).toThrow(/unitScale is number 0: use a positive number/);
    // the refused metrics are not registered
    expect(svc.usageMetrics.map((u) => u.name)).toEqual(['orders']);
  });
});
