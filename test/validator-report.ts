import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/**
 * Reads what AWS's offline CloudFormation validator reported at synth, as aws-cdk-lib's "CloudFormation Validate"
 * plugin counts it (it skips W3005, W1020, I4010, W4011, W4012, W9002, W9013 and W1103, and reports from WARN up):
 * its violations and the ones acknowledged in the app, which count too, except what aws-cdk-lib itself generates,
 * acknowledges as expected and safe, and no app can avoid (`EXPECTED_FROM_AWS_CDK_LIB`).
 */

const PLUGIN = 'CloudFormation Validate';

/** aws-cdk-lib's own acknowledgements of what it generates (rule, the reason it records). */
export const EXPECTED_FROM_AWS_CDK_LIB: Array<{ readonly rule: string; readonly reason: RegExp }> = [
  // ec2.Vpc in a stack with a known env renders the AZs of the context lookup as literals
  { rule: 'W3010', reason: /^Literal AZs in template are the result of accessing stack\.availabilityZones, this is expected and safe$/ },
];

export interface ValidatorFinding {
  readonly rule: string;
  readonly severity: string;
  readonly acknowledged: boolean;
  readonly paths: string[];
  readonly description: string;
}

/**
 * The validator's findings for the synthesized `app`. aws-cdk-lib writes the report only when some plugin found
 * something, so an absent report means none (test/examples/validator.test.ts has a positive control).
 */
export function validatorFindings(app: App): ValidatorFinding[] {
  const file = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return [];
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const plugin = (report.pluginReports ?? []).find((r: any) => r.pluginName === PLUGIN);
  const paths = (v: any) => (v.violatingConstructs ?? []).map((c: any) => c.constructPath);
  return [
    ...(plugin?.violations ?? []).map((v: any) => ({
      rule: v.ruleName, severity: v.severity, acknowledged: false, paths: paths(v), description: v.description,
    })),
    ...(plugin?.suppressedViolations ?? [])
      .filter((v: any) => !EXPECTED_FROM_AWS_CDK_LIB.some((e) => e.rule === v.ruleName && e.reason.test(v.reason ?? '')))
      .map((v: any) => ({ rule: v.ruleName, severity: v.severity, acknowledged: true, paths: paths(v), description: `${v.description} (acknowledged: ${v.reason})` })),
  ];
}

/** One line per finding, for `toEqual([])`. */
export function describeFindings(findings: ValidatorFinding[]): string[] {
  return findings.map((f) => `${f.rule} (${f.severity}${f.acknowledged ? ', acknowledged' : ''}) ${f.paths.join(', ')}: ${f.description}`);
}
