import { App } from 'aws-cdk-lib';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';
import { registeredStack } from './registered';
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
    const { services, ruleSets } = registeredStack(example.app as App, 'Ledger', LEDGER_ACCOUNT);
    expect(services).toEqual([['Ledger', 'invoicing'], ['Ledger', 'payouts']]);
    expect(ruleSets).toEqual([['Ledger', 'ledger-account']]);
  });
});
