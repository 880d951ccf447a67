import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { exampleAppProps } from '../util';
import { describeFindings, validatorFindings } from '../validator-report';

/**
 * Every template of every example: 0 errors and 0 warnings from AWS's offline CloudFormation validator, counted the way
 * aws-cdk-lib's "CloudFormation Validate" plugin counts them at synth (see ../validator-report.ts). A finding
 * acknowledged in the app is still counted (issue 12, item 9: aws-cdk-lib acknowledges W3045, the deprecated
 * `AccessControl` it writes on access-log buckets without the `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag).
 */

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
/** Examples that must be refused at synth (tested by governance.test.ts). */
const REFUSED = ['refused.ts'];

const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts') && !REFUSED.includes(f)).sort();

test('the examples are discovered', () => {
  expect(files).toEqual(expect.arrayContaining(['full-reporting.ts', 'minimal.ts', 'online-shop.ts', 'payer-account.ts', 'pipeline.ts']));
});

test('positive control: the plugin runs on an example app, and its acknowledged W3045 is counted', () => {
  // GIVEN an access-log bucket as aws-cdk-lib writes it without the feature flag (AccessControl: LogDeliveryWrite)
  const app = new App(exampleAppProps());
  const stack = new Stack(app, 'Control', { env: { account: '123456789012', region: 'eu-west-1' } });
  const logs = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
  new s3.Bucket(stack, 'Data', { enforceSSL: true, serverAccessLogsBucket: logs });

  // WHEN
  app.synth();

  // THEN
  expect(validatorFindings(app).map((f) => `${f.rule} ${f.acknowledged} ${f.paths.join()}`)).toEqual(['W3045 true Control/Logs/Resource']);
});

test.each(files)('examples/%s: 0 errors and 0 warnings from the CloudFormation validator, acknowledged ones included', (file) => {
  // GIVEN the example's app (examples are discovered at run time, so they are loaded with require)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createApp } = require(path.join(EXAMPLES, file)) as { createApp: (props?: AppProps) => App };
  const app = createApp(exampleAppProps());

  // WHEN synthesized (the plugin runs at synth, on every stack)
  app.synth();

  // THEN
  expect(describeFindings(validatorFindings(app))).toEqual([]);
});
