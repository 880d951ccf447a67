import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  Allocation, AttributionRule, AttributionRules, AttributionTarget, ChargeType, CostReporting, CustomerService, ServiceRef,
} from '../../src';
import { AttributionRulesRecord } from '../../src/declaration/attribution-record';
import { attributionRecordProblems, refusedAttributionRecord } from '../../src/declaration/attribution-record-rules';
import { synthFindings, testApp, VALID } from '../util';

function app(context: Record<string, unknown> = {}) {
  const a = testApp({ context });
  const shop = new Stack(a, 'Shop', { env: { account: '111122223333', region: 'eu-west-1' } });
  const checkout = new CustomerService(shop, 'Checkout', { ...VALID, costReporting: CostReporting.disabled('attribution tests') });
  const search = new CustomerService(shop, 'ProductSearch', { ...VALID, team: 'discovery', costReporting: CostReporting.disabled('attribution tests') });
  new sns.Topic(checkout, 'Events', { enforceSSL: true });
  return { app: a, shop, checkout, search };
}

/** The `customer-value:attribution` records of the synthesized app, by construct path. */
function records(a: ReturnType<typeof testApp>): Record<string, AttributionRulesRecord> {
  const out: Record<string, AttributionRulesRecord> = {};
  for (const stack of a.synth().stacksRecursively) {
    for (const entry of stack.findMetadataByType('customer-value:attribution')) {
      out[entry.path] = entry.data as unknown as AttributionRulesRecord;
    }
  }
  return out;
}

describe('AttributionRules', () => {
  test('records every kind of rule in the cloud assembly, in the order declared, with derived names', () => {
    // GIVEN
    const { app: a, shop, checkout, search } = app();

    // WHEN
    const rules = new AttributionRules(shop, 'SharedCosts', {
      rules: [
        AttributionRule.declaredStacks(),
        AttributionRule.accounts({ accountIds: ['444455556666'], to: AttributionTarget.service(checkout) }),
        AttributionRule.stacks({ stackNames: ['Legacy-*'], to: AttributionTarget.businessUnit('retail', Allocation.even()) }),
        AttributionRule.charges({ chargeTypes: [ChargeType.TAX, ChargeType.SUPPORT], to: AttributionTarget.everyone() }),
        AttributionRule.charges({ serviceCodes: ['AmazonCloudWatch'], usageTypes: ['*-CW:Requests'], to: AttributionTarget.service(search) }),
      ],
      precedence: 10,
    });
    rules.addRule(AttributionRule.resources({
      name: 'assets-bucket',
      resourceIds: ['arn:aws:s3:::shop-assets'],
      to: AttributionTarget.services([checkout, ServiceRef.named('product-search')], Allocation.fixed({ 'checkout': 70, 'product-search': 30 })),
    }));

    // THEN
    expect(rules.ruleSetName).toBe('shared-costs');
    expect(rules.matchesOnStacks).toBe(true);
    const record = records(a)['/Shop/SharedCosts'];
    expect(record).toEqual({
      schemaVersion: 1,
      ruleSet: 'shared-costs',
      precedence: 10,
      constructPath: 'Shop/SharedCosts',
      stackName: 'Shop',
      rules: [
        { name: 'declared-stacks', kind: 'declared-stacks', match: {}, target: { kind: 'stack-services', allocation: { method: 'proportional' } } },
        { name: 'account-444455556666', kind: 'accounts', match: { accounts: ['444455556666'] }, target: { kind: 'service', services: ['checkout'] } },
        {
          name: 'stack-Legacy-x',
          kind: 'stacks',
          match: { stacks: ['Legacy-*'] },
          target: { kind: 'business-unit', businessUnit: 'retail', allocation: { method: 'even' } },
        },
        { name: 'tax-support', kind: 'charges', match: { chargeTypes: ['tax', 'support'] }, target: { kind: 'everyone', allocation: { method: 'proportional' } } },
        {
          name: 'service-AmazonCloudWatch',
          kind: 'charges',
          match: { serviceCodes: ['AmazonCloudWatch'], usageTypes: ['*-CW:Requests'] },
          target: { kind: 'service', services: ['product-search'] },
        },
        {
          name: 'assets-bucket',
          kind: 'resources',
          match: { resources: ['arn:aws:s3:::shop-assets'] },
          target: { kind: 'services', services: ['checkout', 'product-search'], allocation: { method: 'fixed', percentages: { 'checkout': 70, 'product-search': 30 } } },
        },
      ],
    });
    // the CLI checks what it reads back with the same rules: the record written is sound
    expect(attributionRecordProblems(record)).toEqual([]);
    expect(Annotations.fromStack(shop).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('derived names are numbered when two rules would get the same one', () => {
    const { app: a, shop, checkout } = app();
    new AttributionRules(shop, 'Taxes', {
      rules: [
        AttributionRule.charges({ chargeTypes: [ChargeType.TAX], serviceCodes: ['AmazonEC2'], to: AttributionTarget.service(checkout) }),
        AttributionRule.charges({ chargeTypes: [ChargeType.TAX], to: AttributionTarget.everyone() }),
      ],
    });
    expect(records(a)['/Shop/Taxes'].rules.map((r) => r.name)).toEqual(['tax', 'tax-2']);
  });

  test('refuses, all at once with the rule and the field, what a rule cannot be', () => {
    // GIVEN a registry of business units
    const { app: a, shop, checkout } = app({ 'customer-value:businessUnits': ['retail', 'finance'] });

    // WHEN
    new AttributionRules(shop, 'Bad', {
      rules: [
        AttributionRule.accounts({ accountIds: ['12345678901', 'sub *'], to: AttributionTarget.service(checkout) }),
        AttributionRule.accounts({ accountIds: [], to: AttributionTarget.businessUnit('retial') }),
        AttributionRule.stacks({ stackNames: ['*'] }),
        AttributionRule.charges({ to: AttributionTarget.everyone(Allocation.fixed({ checkout: 100 })) }),
        AttributionRule.charges({ name: 'fees', chargeTypes: ['tax' as any], usageTypes: ['has space'], to: AttributionTarget.stackServices() }),
        AttributionRule.resources({ resourceIds: ['i-1'], to: AttributionTarget.services([checkout, ServiceRef.named('search')], Allocation.fixed({ checkout: 50, other: 50 })) }),
        AttributionRule.resources({ name: 'fees', resourceIds: ['i-2'], to: 'checkout' as any }),
        'tax' as any,
      ],
      precedence: 2000,
    });

    // THEN
    const { error } = synthFindings(a);
    for (const expected of [
      '[Shop/Bad]',
      'precedence is number 2000: expected a whole number from 0 to 1000',
      'rules[0] ("account-12345678901").match.accounts[0] is "12345678901" (11 digits): an AWS account id has 12 digits',
      'rules[0] ("account-12345678901").match.accounts[1] is "sub *": expected an AWS account id (12 digits) or a FOCUS sub-account id',
      'rules[1] ("account").match.accounts is an array ([]): expected a non-empty list',
      'rules[1] ("account").target.businessUnit is "retial", which is not in the registry "customer-value:businessUnits" (retail, finance); did you mean "retail"?',
      'rules[2] ("stack-x").match.stacks[0] is "*": a pattern of * alone matches every line item',
      'rules[3] ("usage").match has no criterion: a rule of kind charges matches on chargeTypes and/or serviceCodes and/or usageTypes',
      'rules[3] ("usage").target.allocation is fixed, but the target is every service',
      'rules[4] ("fees"): chargeTypes[0] is "tax": pass ChargeType.TAX, ChargeType.SUPPORT',
      'rules[4] ("fees").match.usageTypes[0] is "has space": a usage type holds printable ASCII without spaces',
      'rules[4] ("fees").target is stack-services, which a rule of kind charges does not take',
      'rules[5] ("resources").target.allocation gives percentages to checkout, other but the target\'s services are checkout, search',
      'rules[6] ("fees").to is "checkout": pass AttributionTarget.service(...)',
      'rules[6] ("fees"): the name "fees" is already the name of rules[4]',
      'rules[7] is "tax": pass rules made with AttributionRule.accounts()',
    ]) {
      expect(error).toContain(expected);
    }
  });

  test('warns about a rule an earlier rule shadows, two rules that share a value, and a service name the app does not declare', () => {
    const { app: a, shop, checkout } = app();
    new AttributionRules(shop, 'Overlaps', {
      rules: [
        AttributionRule.accounts({ accountIds: ['444455556666', '777788889999'], to: AttributionTarget.service(checkout) }),
        AttributionRule.accounts({ accountIds: ['777788889999'], to: AttributionTarget.businessUnit('retail') }),
        AttributionRule.stacks({ stackNames: ['Legacy-*'] }),
        AttributionRule.stacks({ stackNames: ['Legacy-Shop', 'Other'] }),
        AttributionRule.charges({ chargeTypes: [ChargeType.TAX], to: AttributionTarget.service(ServiceRef.named('chekout')) }),
      ],
    });
    a.synth();
    const warnings = Annotations.fromStack(shop).findWarning('/Shop/Overlaps', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^rule "account-777788889999" of "overlaps" never attributes anything: rule "account-444455556666", earlier, matches all it matches \(accounts 777788889999\)/),
      expect.stringMatching(/^rules "stack-Legacy-x" and "stack-Legacy-Shop" of "overlaps" both match stacks Legacy-Shop: "stack-Legacy-x", earlier, attributes it/),
      expect.stringMatching(/^rule "tax" of "overlaps" attributes to "chekout", which no service of this app declares: did you mean "checkout"\? fine when another app declares it/),
    ]);
  });

  test('the warnings are decided once the app is complete, not by validation: they are there when synthesis skips validation', () => {
    const { app: a, shop } = app();
    new AttributionRules(shop, 'Empty');
    const messages = a.synth({ skipValidation: true }).getStackByName('Shop').messages;
    expect(messages.filter((m) => m.level === 'warning').map((m) => `${m.id} ${String(m.entry.data)}`))
      .toEqual([expect.stringMatching(/^\/Shop\/Empty the rule set "empty" has no rule: add rules with addRule\(\), or remove it/)]);
  });

  test('a rule set outside a stack is refused: its record would not reach the cloud assembly', () => {
    const a = testApp();
    new AttributionRules(a, 'Loose', { rules: [AttributionRule.declaredStacks()] });
    expect(synthFindings(a).error).toContain('[Loose] this rule set is not inside a stack');
  });

  test('two rule sets of one stage cannot share a name; an empty one is a warning', () => {
    const { app: a, shop } = app();
    new AttributionRules(shop, 'One', { ruleSetName: 'shared', rules: [AttributionRule.declaredStacks()] });
    new AttributionRules(shop, 'Two', { ruleSetName: 'shared' });
    expect(synthFindings(a).error).toContain('ruleSetName is "shared", already the name of Shop/One');
    const { app: b, shop: s } = app();
    new AttributionRules(s, 'Empty');
    b.synth();
    Annotations.fromStack(s).hasWarning('/Shop/Empty', Match.stringLikeRegexp('the rule set "empty" has no rule'));
  });
});

describe('the customer-value:attribution record read back', () => {
  const sound: AttributionRulesRecord = {
    schemaVersion: 1,
    ruleSet: 'shared',
    precedence: 0,
    constructPath: 'Billing/Shared',
    stackName: 'Billing',
    rules: [
      { name: 'tax', kind: 'charges', match: { chargeTypes: ['tax'] }, target: { kind: 'everyone', allocation: { method: 'proportional' } } },
      { name: 'shop', kind: 'accounts', match: { accounts: ['111122223333', 'azure-sub-01'] }, target: { kind: 'service', services: ['checkout'] } },
    ],
  };

  test('a sound record has no problem', () => {
    expect(attributionRecordProblems(sound)).toEqual([]);
  });

  test('a record edited by hand is refused naming the file, the rule set and the field', () => {
    const edited = {
      ...sound,
      rules: [
        { ...sound.rules[0], target: { kind: 'everyone', allocation: { method: 'fixed', percentages: { checkout: 150 } } } },
        { ...sound.rules[1], kind: 'accounts', match: { accounts: ['111122223333'], resources: ['x'] } },
        { name: 'bad kind', kind: 'tags', match: {}, target: { kind: 'everyone' } },
      ],
    };
    const problems = attributionRecordProblems(edited);
    expect(problems).toEqual([
      'rules[0] ("tax").target.allocation is fixed, but the target is every service, which are known only when the cost is read: name the services with their '
        + 'percentages (AttributionTarget.services([...], Allocation.fixed({...}))), or split proportionally or evenly',
      'rules[1] ("shop").match.resources is set, but a rule of kind accounts matches on accounts only',
      'rules[2] ("bad kind").name is "bad kind": a name is 1-40 ASCII letters, digits, _ and -, starting with a letter or digit; name the rule, e.g. "support"',
      'rules[2] ("bad kind").kind is "tags": expected one of accounts, stacks, declared-stacks, charges, resources',
    ]);
    expect(refusedAttributionRecord(problems, 'shared', 'cdk.out/Billing.metadata.json')).toBe('the customer-value:attribution record of rule set "shared" in '
      + `cdk.out/Billing.metadata.json is refused: ${problems[0]} (and 3 more problems); records are written by "cdk synth": correct the rules in the app `
      + 'and synthesize it again, never edit them');
  });

  test('a newer schema asks for an upgrade, a shape that is not a record says so', () => {
    expect(attributionRecordProblems({ ...sound, schemaVersion: 2 })).toEqual([
      'schemaVersion is 2, this version of cdk-customer-value reads up to 1: upgrade cdk-customer-value',
    ]);
    expect(attributionRecordProblems([])).toEqual(['the record is an array ([]), expected an object']);
    expect(attributionRecordProblems({ schemaVersion: 1 })).toEqual([
      'constructPath is missing',
      'stackName is missing',
      'ruleSet is undefined: name the rule set, e.g. "shared-costs" (1-40 ASCII letters, digits, _ and -, starting with a letter or digit)',
      'precedence is undefined: expected a whole number from 0 to 1000 (rule sets with a lower precedence are evaluated first)',
      'rules is undefined: expected the list of rules',
    ]);
  });
});
