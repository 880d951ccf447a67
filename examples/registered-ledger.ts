/**
 * Many apps, many accounts (2 of 2): the ledger app, another team's app deployed by its own pipeline into another
 * workload account. Its stack registers two services and its attribution rules in the same declaration registry as the
 * shop app (examples/registered-shop.ts); neither app knows the other, and the management account reads the five
 * services of both from the registry.
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/registered-ledger.ts'
 */
import { App, AppProps, Stack } from 'aws-cdk-lib';
import { AttributionRule, AttributionRules, AttributionTarget, ContextKeys, Customer } from '../src';
import { REGISTRY, registeredService } from './registered-shop';

/** The ledger's workload account. */
export const LEDGER_ACCOUNT = '222222222222';

export function createApp(props: AppProps = {}): App {
  // the same context as every app of the organization (cdk.json, or the pipeline's -c)
  const app = new App({ ...props, context: { [ContextKeys.REGISTRY]: REGISTRY, ...props.context } });

  const ledger = new Stack(app, 'Ledger', { env: { account: LEDGER_ACCOUNT, region: 'eu-central-1' } });
  const invoicing = registeredService(ledger, 'Invoicing', {
    customerNeed: 'Finance controlling sends correct invoices to business customers every month',
    customer: Customer.internal('Finance controlling'),
    team: 'ledger',
    businessUnit: 'finance',
  });
  registeredService(ledger, 'Payouts', {
    customerNeed: 'Marketplace sellers receive what they sold for every week', customer: Customer.external('Marketplace sellers'), team: 'ledger', businessUnit: 'finance',
  });
  // the ledger account's untagged spend goes to invoicing, which runs the account's shared database
  new AttributionRules(ledger, 'LedgerAccount', {
    rules: [AttributionRule.accounts({ name: 'ledger-account', accountIds: [LEDGER_ACCOUNT], to: AttributionTarget.service(invoicing) })],
  });
  return app;
}

if (require.main === module) {
  createApp();
}
