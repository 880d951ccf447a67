/**
 * Stands in for `@aws/cloudformation-validate` in the tests (jest moduleNameMapper): the module and engines the
 * test environment keeps for the whole worker (see environment.ts).
 */
const sharedModule = (globalThis as any).__customerValueCfnValidate as (() => object) | undefined;
if (!sharedModule) {
  throw new Error('The tests run in the jest environment test/jest/environment.ts (testEnvironment in .projenrc.ts).');
}

export = sharedModule();
