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
