import { CfnResource, Stack } from 'aws-cdk-lib';
import { synthFindings, testApp } from '../util';

/**
 * The test environment shares the CloudFormation validator's engine between test files (environment.ts): this
 * proves the validator still runs at every synthesis and still fails it on a finding, including a synthesis that
 * brings resource types the engine has not seen, and a second one in the same file.
 */
describe('the CloudFormation validator in the test environment', () => {
  test.each([
    ['AWS::SNS::Topic', 'AWS::SQS::Queue'],
    ['AWS::SQS::Queue', 'AWS::Logs::LogGroup', 'AWS::DynamoDB::GlobalTable'],
  ])('fails synthesis on a property the resource type does not have (%s, ...)', (...types) => {
    // GIVEN a template whose resources each carry an unknown property
    const app = testApp();
    const stack = new Stack(app, 'Stack');
    types.forEach((type, i) => new CfnResource(stack, `R${i}`, { type, properties: { NotAProperty: 'x' } }));

    // WHEN
    const { error, findings } = synthFindings(app);

    // THEN every resource is reported by the validator, and synthesis fails
    expect(error).toMatch(/CloudFormation Validate/);
    const unknownProperty = findings.filter((f) => f.plugin === 'CloudFormation Validate' && /NotAProperty/.test(f.description));
    expect(unknownProperty.flatMap((f) => f.paths).sort()).toEqual(types.map((_, i) => `Stack/R${i}`));
  });
});

/**
 * The environment keeps V8's code cache of every module jest compiles, for the later test files of the worker
 * (environment.ts): a module compiled again from the same source is handed its cache, and a changed source is
 * compiled from the source, never run from the cache of another.
 */
// (CUSTOMER_VALUE_TEST_CODE_CACHE=off turns the cache off, to measure what it saves)
const withCodeCache = process.env.CUSTOMER_VALUE_TEST_CODE_CACHE === 'off' ? describe.skip : describe;
withCodeCache('the code cache of the test environment', () => {
  // the worker's vm module, which jest-runtime compiles every module with
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vm = require('vm') as typeof import('vm');
  const filename = `/code-cache-probe/${process.pid}-${Date.now()}.js`;
  const compile = (source: string) => vm.compileFunction(source, ['n'], { filename }) as Function & { cachedDataRejected?: boolean };

  test('the same file and source: compiled with the cache the first compilation made, and runs the same', () => {
    const first = compile('return n + 1;');
    const second = compile('return n + 1;');
    // cachedDataRejected is set only when cached data was offered: false means V8 took it
    expect(first.cachedDataRejected).toBeUndefined();
    expect(second.cachedDataRejected).toBe(false);
    expect([first(1), second(1)]).toEqual([2, 2]);
  });

  test('the same file with another source: compiled from that source', () => {
    const changed = compile('return n * 10;');
    expect(changed.cachedDataRejected).toBeUndefined();
    expect(changed(2)).toBe(20);
    expect(compile('return n * 10;')(3)).toBe(30);
  });
});
