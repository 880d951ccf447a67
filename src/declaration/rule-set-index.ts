import { IConstruct } from 'constructs';

/**
 * The attribution rule sets (`AttributionRules`) of an app, by the app's root, for the constructs that carry them
 * without depending on the construct itself: the stack's `DeclarationRegistration` registers its stack's rule sets
 * (their `customer-value:attribution` metadata) with its services.
 */
const RULE_SETS = new WeakMap<IConstruct, IConstruct[]>();

/** Records a rule set construct (called by its constructor). */
export function indexRuleSet(ruleSet: IConstruct): void {
  const root = ruleSet.node.root;
  RULE_SETS.set(root, [...(RULE_SETS.get(root) ?? []), ruleSet]);
}

/** The rule set constructs of the app `scope` is in, in declaration order. */
export function ruleSetsOfApp(scope: IConstruct): IConstruct[] {
  return [...(RULE_SETS.get(scope.node.root) ?? [])];
}
