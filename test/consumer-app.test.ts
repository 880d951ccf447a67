/*
 * The helpers of the fresh-app check (scripts/consumer-app.ts, run in CI on the packed tarball with the newest and the
 * lowest allowed versions): what they catch, on fixed inputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';
import { failedPlugins, readmeSizeProblems } from '../scripts/consumer-app';

const README = 'jsii tools fail to load one that declares anything else. The package is 3.1 MB packed and 15 MB installed,\n68 % of it the AWS SDK clients of the CLI';

describe('the README\'s package size, checked against the package', () => {
  test('figures within 10 % (5 points for the share) pass', () => {
    expect(readmeSizeProblems(README, { packedBytes: 3_098_655, installedBytes: 15_200_000, bundledBytes: 10_400_000 })).toEqual([]);
  });

  test('stale figures fail, each named with the measured one', () => {
    // the README of issue 20: 2.4 MB packed, while the tarball was 3.07 MB
    const stale = README.replace('3.1 MB packed', '2.4 MB packed');
    expect(readmeSizeProblems(stale, { packedBytes: 3_070_263, installedBytes: 15_200_000, bundledBytes: 8_000_000 })).toEqual([
      'README.md says the package is 2.4 MB packed; it is 3.07 MB: update the Install section (and "Package size and the CLI": npx tsx scripts/measure-package.ts)',
      'README.md says 68 % of the installed package is the bundled AWS SDK clients; it is 53 %: update the Install section',
    ]);
  });

  test('a README that no longer states them fails too', () => {
    expect(readmeSizeProblems('The package is small.', { packedBytes: 1, installedBytes: 1, bundledBytes: 0 })[0]).toMatch(/^README\.md no longer says/);
  });

  test('the README states them', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(readmeSizeProblems(readme, { packedBytes: 5.13e6, installedBytes: 25.6e6, bundledBytes: 16.6e6 })).toEqual([]);
  });
});

test('a validation plugin that failed to run is found in the validation report (cdk synth exits 0 on it)', () => {
  // GIVEN what aws-cdk-lib 2.257.0 writes for cdk-nag 3 packs (legacy report), and what newer releases write
  const legacy = tempDir();
  fs.writeFileSync(path.join(legacy, 'policy-validation-report.json'), JSON.stringify({
    pluginReports: [{
      summary: { pluginName: 'AwsSolutions', status: 'failure', metadata: { error: "Validation plugin 'AwsSolutions' failed: NagPack requires a construct tree" } },
      violations: [],
    }],
  }));
  const current = tempDir();
  fs.writeFileSync(path.join(current, 'validation-report.json'), JSON.stringify({
    pluginReports: [
      { pluginName: 'CustomerValue', conclusion: 'failure', metadata: { error: "Validation plugin 'CustomerValue' failed: boom" }, violations: [] },
      { pluginName: 'AwsSolutions', conclusion: 'failure', violations: [{ ruleName: 'AwsSolutions-S1' }] },
    ],
  }));
  // THEN
  expect(failedPlugins(legacy)).toEqual(["AwsSolutions: Validation plugin 'AwsSolutions' failed: NagPack requires a construct tree"]);
  expect(failedPlugins(current)).toEqual(["CustomerValue: Validation plugin 'CustomerValue' failed: boom"]);
  expect(failedPlugins(tempDir())).toEqual([]);
});
