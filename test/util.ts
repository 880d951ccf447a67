import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Customer } from '../src/customer';
import type { CustomerServiceProps } from '../src/customer-service-props';
import type { ServiceDeclarationRecord } from '../src/declaration/record';

/**
 * A valid declaration, for every test that just needs a valid service: spread it and set what the test is about
 * (`{ ...VALID, costReporting: CostReporting.disabled('tagging tests') }`).
 */
export const VALID: CustomerServiceProps = {
  customerNeed: 'Shoppers pay for their basket in one step',
  customer: Customer.external('Online shoppers'),
  team: 'payments',
  businessUnit: 'retail',
};

/**
 * Context every test app runs with:
 * - AWS's offline CloudFormation validator (the "CloudFormation Validate" plugin aws-cdk-lib runs at synth)
 *   reports errors as errors and fails synthesis on any warning, so a template we emit with a single
 *   finding fails the test;
 * - a fixed "today" for value-review checks, so results do not depend on the day the tests run.
 */
export const TEST_CONTEXT: Record<string, unknown> = {
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  '@aws-cdk/core:strictCfnValidateErrors': true,
  'customer-value:today': '2026-11-25',
};

const TEMP_DIRS: string[] = [];
process.once('exit', () => {
  for (const dir of TEMP_DIRS) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh temporary directory, removed when the process exits. */
export function tempDir(prefix = 'cv-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  TEMP_DIRS.push(dir);
  return dir;
}

/** An App with the test context, writing to its own temporary directory. */
export function testApp(props: AppProps = {}): App {
  return new App({
    outdir: tempDir(),
    stackTraces: false,
    ...props,
    context: { ...TEST_CONTEXT, ...(props.context ?? {}) },
  });
}

/** AppProps for an example's `createApp()`: test context plus a temporary outdir. */
export function exampleAppProps(context: Record<string, unknown> = {}): AppProps {
  return { outdir: tempDir(), stackTraces: false, context: { ...TEST_CONTEXT, ...context } };
}

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly description: string;
  readonly paths: string[];
}

/**
 * Every finding of every validation plugin (CloudFormation Validate, cdk-nag packs) in the assembly's
 * validation report; `[]` when the report is absent or empty. INFO I4010 (no architecture metadata),
 * which the validator raises on every template, is left out.
 */
export function validationFindings(outdir: string): Finding[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) {
    return [];
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const out: Finding[] = [];
  for (const r of report.pluginReports ?? []) {
    for (const v of r.violations ?? []) {
      if (v.ruleName === 'I4010') {
        continue;
      }
      out.push({
        plugin: r.pluginName,
        rule: v.ruleName,
        severity: v.severity,
        description: v.description,
        paths: (v.violatingConstructs ?? []).map((c: any) => c.constructPath),
      });
    }
  }
  return out;
}

/** Synthesizes and returns the findings, or the synth error message together with the findings. */
export function synthFindings(app: App): { error?: string; findings: Finding[] } {
  try {
    app.synth();
    return { findings: validationFindings(app.outdir) };
  } catch (e) {
    return { error: (e as Error).message, findings: validationFindings(app.outdir) };
  }
}

/**
 * The `customer-value:service` metadata of a synthesized cloud assembly (nested stage assemblies included), by the
 * service's construct path: what the CLI and other tools read, rather than the construct's internals.
 */
export function serviceMetadata(assembly: CloudAssembly): Record<string, ServiceDeclarationRecord> {
  const records: Record<string, ServiceDeclarationRecord> = {};
  for (const stack of assembly.stacksRecursively) {
    for (const entry of stack.findMetadataByType('customer-value:service')) {
      records[entry.path] = entry.data as unknown as ServiceDeclarationRecord;
    }
  }
  return records;
}
