import { IConstruct } from 'constructs';

/**
 * The one channel for problems a user can make in props: they are reported when the app is synthesized, all at
 * once, each prefixed with the construct path by aws-cdk-lib ("[App/Stack/Construct] field is ...: ..."), and
 * synthesis writes no template. Returns whether there were any, so a construct can skip creating resources from
 * props it could not read.
 */
export function reportProblems(scope: IConstruct, problems: readonly string[]): boolean {
  if (problems.length === 0) {
    return false;
  }
  const list = [...problems];
  scope.node.addValidation({ validate: () => list });
  return true;
}
