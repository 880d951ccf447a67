import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps } from 'aws-cdk-lib';
import { governanceProblems, synthesizeExample } from './governance';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

test('every example synthesizes with AwsSolutionsChecks and CustomerValueChecks and no unacknowledged finding', () => {
  // GIVEN: every app in examples/ (each exports createApp(props))
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).sort();
  expect(files).toEqual(expect.arrayContaining(['minimal.ts', 'pipeline.ts', 'refused.ts']));

  const problems: Record<string, string[]> = {};
  for (const file of files) {
    // An example with a test file of its own is checked there, on the synthesis its other tests read.
    const ownTest = path.join(__dirname, file.replace(/\.ts$/, '.test.ts'));
    if (fs.existsSync(ownTest)) {
      if (!fs.readFileSync(ownTest, 'utf8').includes(`governanceProblems('${file}', `)) {
        problems[file] = [`${path.relative(ROOT, ownTest)} does not run governanceProblems('${file}', ...) on its synthesis`];
      }
      continue;
    }
    // Examples are discovered at run time, so they are loaded with require.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createApp } = require(path.join(EXAMPLES, file)) as { createApp?: (props?: AppProps) => App };
    if (typeof createApp !== 'function') {
      problems[file] = ['does not export createApp(props: AppProps): App'];
      continue;
    }
    // WHEN: synthesized with both packs and the test context (a validator warning fails synthesis)
    const example = synthesizeExample(createApp);

    // THEN
    const lines = governanceProblems(file, example);
    if (lines.length > 0) {
      problems[file] = lines;
    }
  }
  expect(problems).toEqual({});
});
