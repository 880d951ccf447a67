import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Marks a `CustomerValueChecks` pack (the construct cannot import the pack: the pack imports the construct). */
export const CUSTOMER_VALUE_PACK = Symbol.for('cdk-customer-value.CustomerValueChecks');

/**
 * Whether a `CustomerValueChecks` pack is registered (`Validations.of(app).addPlugins(...)`) on the stage of `scope`
 * or a stage above it: then the pack reports what the pack's rules cover, and the construct does not report it a
 * second time under another id. Reads the stages' registered plugins (`Stage._validationPlugins`, the list aws-cdk-lib
 * runs at synth; the same in every aws-cdk-lib the peer range allows); `false` when it cannot be read.
 */
export function customerValuePackRegistered(scope: IConstruct): boolean {
  for (let stage = Stage.of(scope); stage; stage = Stage.of(stage)) {
    const plugins = (stage as unknown as { readonly _validationPlugins?: unknown })._validationPlugins;
    if (Array.isArray(plugins) && plugins.some((p) => typeof p === 'object' && p !== null && (p as Record<symbol, unknown>)[CUSTOMER_VALUE_PACK] === true)) {
      return true;
    }
  }
  return false;
}
