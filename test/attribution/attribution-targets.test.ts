import { RULES } from './rules-fixture';
import { attributionPlanOf } from '../../src/cost-data/attribution/attribute';
import { CHECKOUT, WISHLIST } from '../cli/fixtures';

/*
 * A rule whose target service no declaration read holds attributes nothing to it: a warning names the rule and the
 * service, with the closest declared name when there is one (a typo), and how to read the app that declares it.
 */

const services = [{ record: CHECKOUT, stack: 'Shop', assembly: 'cdk.out' }, { record: WISHLIST, stack: 'Shop', assembly: 'cdk.out' }];
const where = 'cdk.out/Billing.metadata.json';

test('a target service nobody declares: did you mean the closest declared name', () => {
  const rules = { ...RULES, rules: [{ name: 'acct', kind: 'accounts', match: { accounts: ['222233334444'] }, target: { kind: 'service', services: ['chekout'] } }] };
  const { plan, warnings } = attributionPlanOf({ services, ruleSets: [{ record: rules as any, where }] });
  expect(plan?.rules).toHaveLength(1);
  expect(warnings).toEqual(['rule shared/acct: its target service "chekout" is declared in none of the declarations read: what the rule matches '
    + 'stays unattributed; did you mean "checkout"? Otherwise read the app that declares it too (--assembly, or --registry)']);
});

test('a target service far from every declared name: no guess', () => {
  const rules = { ...RULES, rules: [{ name: 'acct', kind: 'accounts', match: { accounts: ['222233334444'] }, target: { kind: 'service', services: ['invoicing'] } }] };
  const { warnings } = attributionPlanOf({ services, ruleSets: [{ record: rules as any, where }] });
  expect(warnings).toEqual(['rule shared/acct: its target service "invoicing" is declared in none of the declarations read: what the rule '
    + 'matches stays unattributed; read the app that declares it too (--assembly, or --registry)']);
});
