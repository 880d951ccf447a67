import { IConstruct } from 'constructs';

/**
 * The context the cdk CLI sets (`false`) when it reports validation problems itself, from the cloud assembly
 * (`cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT`, named here as a literal: it is read, whichever aws-cdk-lib).
 */
const TOOLKIT_REPORTS_PROBLEMS = '@aws-cdk/core:failSynthOnValidationErrors';

/** The metadata type of an error annotation (`cxschema.ArtifactMetadataEntryType.ERROR`). */
const ERROR_ANNOTATION = 'aws:cdk:error';

/** Scopes whose problems were handed to the cdk CLI as error annotations. */
const REFUSED = new WeakSet<IConstruct>();

/**
 * The one channel for problems a user can make in props: they are reported when the app is synthesized, all at once,
 * each with the construct path, the field, the value and what is accepted.
 *
 * - Run by the cdk CLI (`cdk synth`, `cdk deploy`: the CLI sets the context `@aws-cdk/core:failSynthOnValidationErrors`
 *   to false, meaning it reports problems from the cloud assembly), each problem is an error annotation on the
 *   construct: the CLI prints them the way it prints every error ("ERROR <problem>", the construct path below it),
 *   ends with "Synthesis finished with errors" and exits 1; `cdk deploy` deploys nothing. The cloud assembly is
 *   written, as it is for every error the CLI reports, and the refused constructs' resources carry no tags and no
 *   reporting.
 * - Otherwise (`app.synth()` in a test or a script, an older CLI), the problems are returned from the construct's
 *   validation, so aws-cdk-lib's synthesis throws one error listing them ("[App/Stack/Construct] field is ...: ...")
 *   and writes no template. Run as a process of its own, Node.js prints that error with a line of aws-cdk-lib's source
 *   and a stack trace around the problems.
 */
export function refuseOnProblems(scope: IConstruct, problems: () => readonly string[]): void {
  scope.node.addValidation({
    validate: () => {
      const found = problems();
      if (found.length === 0 || scope.node.tryGetContext(TOOLKIT_REPORTS_PROBLEMS) !== false) {
        return [...found];
      }
      REFUSED.add(scope);
      for (const problem of found) {
        // an error annotation (what Annotations.addError records), without a stack trace: the CLI would show the line
        // of this library that recorded it as the problem's location; the construct path says where it is
        if (!scope.node.metadata.some((m) => m.type === ERROR_ANNOTATION && m.data === problem)) {
          scope.node.addMetadata(ERROR_ANNOTATION, problem);
        }
      }
      return [];
    },
  });
}

/** Whether `construct` is, or is inside, a construct whose problems the cdk CLI reports (its checks would repeat them). */
export function refusedByToolkit(construct: IConstruct): boolean {
  return construct.node.scopes.some((s) => REFUSED.has(s));
}

/**
 * Reports `problems` through {@link refuseOnProblems}. Returns whether there were any, so a construct can skip
 * creating resources from props it could not read.
 */
export function reportProblems(scope: IConstruct, problems: readonly string[]): boolean {
  if (problems.length === 0) {
    return false;
  }
  const list = [...problems];
  refuseOnProblems(scope, () => list);
  return true;
}
