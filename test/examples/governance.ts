/**
 * The check every example in examples/ passes: synthesized with AwsSolutionsChecks and CustomerValueChecks (the
 * example's own, or added here when it registers none) and the CloudFormation validator, with no finding and no
 * warning or error annotation; an example listed in REFUSED is refused with the problems listed.
 *
 * governance.test.ts runs it on every example, except those with a test file of their own
 * (test/examples/<name>.test.ts): that file runs it on the one synthesis its other tests read, so each example is
 * synthesized once.
 */
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomerValueChecks } from '../../src';
import { exampleAppProps, Finding, synthFindings } from '../util';

/** The example expected to be refused, and the problems it must report. */
export const REFUSED: Record<string, RegExp[]> = {
  'refused.ts': [
    /\[Legacy\/Reports\] customerNeed is "TBD": a placeholder, not a need/,
    /\[Legacy\/Reports\] customer is "finance" \(a string\): declare who the customer is with Customer\.external/,
    /\[Legacy\/Reports\] team is "Data & Analytics": .*"&" is not allowed/,
    /\[Legacy\/Reports\] businessUnit is missing: declare the business unit that reviews its value/,
  ],
};

export interface SynthesizedExample {
  /** The example's app, synthesized (undefined when creating it failed). */
  readonly app?: App;
  /** The validation plugins the example registers itself, by name (seen through `Validations.of(...).addPlugins`). */
  readonly registeredPlugins: string[];
  /** The error of a failed creation or synthesis. */
  readonly error?: string;
  /** Every finding of the validation report. */
  readonly findings: Finding[];
}

/**
 * Creates an example's app with the test context (a validator warning fails synthesis), registers the packs it does
 * not register itself, and synthesizes it.
 */
export function synthesizeExample(createApp: (props: AppProps) => App): SynthesizedExample {
  const addPlugins = jest.spyOn(Validations.prototype, 'addPlugins');
  let app: App;
  let registeredPlugins: string[];
  try {
    app = createApp(exampleAppProps());
    registeredPlugins = addPlugins.mock.calls.flat().map((plugin) => plugin.name);
  } catch (e) {
    return { registeredPlugins: [], error: (e as Error).message, findings: [] };
  } finally {
    addPlugins.mockRestore();
  }
  if (!registeredPlugins.includes('AwsSolutions')) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  if (!registeredPlugins.includes('CustomerValue')) {
    Validations.of(app).addPlugins(new CustomerValueChecks(app));
  }
  return { app, registeredPlugins, ...synthFindings(app) };
}

/** What is wrong with a synthesized example (`file`, e.g. `minimal.ts`); `[]` when nothing is. */
export function governanceProblems(file: string, example: SynthesizedExample): string[] {
  const expectedRefusal = REFUSED[file];
  if (expectedRefusal) {
    const missing = expectedRefusal.filter((re) => !re.test(example.error ?? ''));
    return !example.error || missing.length > 0
      ? [`expected synthesis to be refused with ${missing.map(String).join(', ')}; got ${example.error ?? 'no error'}`]
      : [];
  }
  const lines = example.findings.map((f) => `${f.plugin} ${f.rule} (${f.severity}) ${f.paths.join(', ')}: ${f.description}`);
  if (example.error && lines.length === 0) {
    lines.push(`synthesis failed: ${example.error.split('\n').slice(0, 12).join('\n')}`);
  }
  // and no warning or error annotation from any construct (what `cdk synth` prints, or fails on)
  if (!example.error && example.app) {
    for (const stack of example.app.synth().stacksRecursively) {
      for (const m of stack.messages) {
        if (m.level === 'warning' || m.level === 'error') {
          lines.push(`${m.level} annotation ${m.id}: ${String(m.entry.data).split('\n')[0]}`);
        }
      }
    }
  }
  return lines;
}
