/**
 * A declaration that is refused: `cdk synth` prints every problem with the construct path, the field, the value
 * received and what would be accepted, the way the cdk CLI prints errors, and exits 1 (`cdk deploy` deploys nothing):
 *
 *   npx cdk synth --no-notices --app 'npx tsx examples/refused.ts'
 *
 * prints (README.md, "When a declaration is refused", shows it all):
 *   ERROR customerNeed is "TBD": a placeholder, not a need; declare the customer need ... (Construct Annotations)
 *      Legacy/Reports
 *   ERROR customer is "finance" (a string): declare who the customer is with Customer.external(...) ...
 *   ERROR team is "Data & Analytics": ... "&" is not allowed
 *   ERROR businessUnit is missing: declare the business unit that reviews its value, e.g. "retail"
 *   Synthesis finished with errors
 *
 * Synthesized without the cdk CLI (createApp().synth()), synthesis throws one error listing them and writes no template.
 */
import { App, AppProps, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CustomerService, CustomerServiceProps } from '../src';

export function createApp(props: AppProps = {}): App {
  const app = new App(props);
  const stack = new Stack(app, 'Legacy');

  // A JavaScript caller can omit required props and pass strings where types are expected;
  // the cast shows what such a declaration looks like.
  const reports = new CustomerService(stack, 'Reports', {
    customerNeed: 'TBD',
    customer: 'finance',
    team: 'Data & Analytics',
  } as unknown as CustomerServiceProps);

  new s3.Bucket(reports, 'Exports', { enforceSSL: true });
  return app;
}

if (require.main === module) {
  createApp();
}
