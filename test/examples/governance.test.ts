import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CustomerValueChecks } from '../../src';
import { exampleAppProps, synthFindings } from '../util';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** The example expected to be refused, and the problems it must report. */
const REFUSED: Record<string, RegExp[]> = {
  'refused.ts': [
    /\[Legacy\/Reports\] customerNeed is "TBD": a placeholder, not a need/,
    /\[Legacy\/Reports\] customer is "finance" \(a string\): declare who the customer is with Customer\.external/,
    /\[Legacy\/Reports\] team is "Data & Analytics": .*"&" is not allowed/,
    /\[Legacy\/Reports\] businessUnit is missing: declare the business unit that reviews its value/,
  ],
};

/** Registers the pack on the app unless the example already did (the pipeline example registers both). */
function ensurePlugin(app: App, name: string, create: () => AwsSolutionsChecks | CustomerValueChecks): void {
  const registered = ((app as any)._validationPlugins as Array<{ name: string }>).map((p) => p.name);
  if (!registered.includes(name)) {
    Validations.of(app).addPlugins(create());
  }
}

test('every example synthesizes with AwsSolutionsChecks and CustomerValueChecks and no unacknowledged finding', () => {
  // GIVEN: every app in examples/ (each exports createApp(props))
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();
  expect(files).toEqual(expect.arrayContaining(['minimal.ts', 'pipeline.ts', 'refused.ts']));

  const problems: Record<string, string[]> = {};
  for (const file of files) {
    // Examples are discovered at run time, so they are loaded with require.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createApp } = require(path.join(EXAMPLES, file)) as { createApp?: (props?: AppProps) => App };
    if (typeof createApp !== 'function') {
      problems[file] = ['does not export createApp(props: AppProps): App'];
      continue;
    }
    // WHEN: synthesized with both packs and the test context (a validator warning fails synthesis)
    let app: App;
    let result: { error?: string; findings: ReturnType<typeof synthFindings>['findings'] };
    try {
      app = createApp(exampleAppProps());
      ensurePlugin(app, 'AwsSolutions', () => new AwsSolutionsChecks(app));
      ensurePlugin(app, 'CustomerValue', () => new CustomerValueChecks(app));
      result = synthFindings(app);
    } catch (e) {
      result = { error: (e as Error).message, findings: [] };
    }

    // THEN
    const expectedRefusal = REFUSED[file];
    if (expectedRefusal) {
      const missing = expectedRefusal.filter((re) => !re.test(result.error ?? ''));
      if (!result.error || missing.length > 0) {
        problems[file] = [`expected synthesis to be refused with ${missing.map(String).join(', ')}; got ${result.error ?? 'no error'}`];
      }
      continue;
    }
    const lines = result.findings.map((f) => `${f.plugin} ${f.rule} (${f.severity}) ${f.paths.join(', ')}: ${f.description}`);
    if (result.error && lines.length === 0) {
      lines.push(`synthesis failed: ${result.error.split('\n').slice(0, 12).join('\n')}`);
    }
    // and no warning or error annotation from any construct (what `cdk synth` prints, or fails on)
    if (!result.error) {
      for (const stack of app!.synth().stacksRecursively) {
        for (const m of stack.messages) {
          if (m.level === 'warning' || m.level === 'error') {
            lines.push(`${m.level} annotation ${m.id}: ${String(m.entry.data).split('\n')[0]}`);
          }
        }
      }
    }
    if (lines.length > 0) {
      problems[file] = lines;
    }
  }
  expect(problems).toEqual({});
});
