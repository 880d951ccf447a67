import { App, Stack } from 'aws-cdk-lib';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';
import { checkedRegistration } from './registered';
import { createApp, LEDGER_ACCOUNT } from '../../examples/registered-ledger';

describe('examples/registered-ledger.ts (the other of two apps in two accounts)', () => {
  let example: SynthesizedExample;
  beforeAll(() => {
    example = synthesizeExample(createApp);
  });

  test('synthesizes with AwsSolutionsChecks, CustomerValueChecks and the CloudFormation validator: no finding', () => {
    expect(example.error).toBeUndefined();
    expect(example.findings).toEqual([]);
    expect(governanceProblems('registered-ledger.ts', example)).toEqual([]);
  });

  test('one app, one stack in the ledger account: two services and its rule set registered, writing its own entry only', () => {
    const app = example.app as App;
    expect(app.node.children.filter((c) => Stack.isStack(c)).map((s) => (s as Stack).stackName)).toEqual(['Ledger']);
    const stack = app.node.findChild('Ledger') as Stack;
    expect(stack.account).toBe(LEDGER_ACCOUNT);
    const { services, ruleSets } = checkedRegistration(stack);
    expect(services.map((s) => [s.stackName, s.serviceName])).toEqual([['Ledger', 'invoicing'], ['Ledger', 'payouts']]);
    expect(ruleSets.map((r) => [r.stackName, r.ruleSet])).toEqual([['Ledger', 'ledger-account']]);
  });
});
