import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';
import { synthInProcess } from '../scripts/demo';

/**
 * `npx projen demo` synthesizes the examples in its own process (one aws-cdk-lib, one CloudFormation validator engine
 * for all of them) with the context the cdk CLI hands an app, instead of a `cdk synth` process each.
 */
describe('the demo\'s synthesis of an example', () => {
  // one synthesis of value-review.ts (its services' reviews are overdue today: the validation report has warnings)
  const outdir = path.join(tempDir('cv-demo-'), 'value-review');
  const writes: string[] = [];
  let res: ReturnType<typeof synthInProcess>;
  beforeAll(() => {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { writes.push(String(chunk)); return true; });
    try {
      res = synthInProcess('value-review.ts', outdir);
    } finally {
      spy.mockRestore();
    }
  });

  test('writes the cloud assembly `cdk synth` writes: templates with construct paths and asset metadata, the Lambda bundles staged', () => {
    expect(res.ok).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const stacks = Object.values<any>(manifest.artifacts).filter((a) => a.type === 'aws:cloudformation:stack');
    expect(stacks.length).toBeGreaterThan(0);
    const resources = stacks.flatMap((s) => Object.values<any>(JSON.parse(fs.readFileSync(path.join(outdir, s.properties.templateFile), 'utf8')).Resources));
    // the cdk CLI's context: every resource names its construct path, the function its staged asset
    expect(resources.filter((r) => r.Type !== 'AWS::CDK::Metadata' && typeof r.Metadata?.['aws:cdk:path'] !== 'string')).toEqual([]);
    const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Code.S3Key !== undefined);
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fs.existsSync(path.join(outdir, fn.Metadata['aws:asset:path'], 'index.js'))).toBe(true);
    }
  });

  test('what the synthesis prints is kept, not printed, as the cdk CLI\'s output was: the validation report\'s warnings', () => {
    expect(res.output).toMatch(/CustomerValue-ValueReviewOverdue/);
    expect(writes.join('')).toBe('');
  });

  test('a refused example fails with its problems, and writes no template', () => {
    // GIVEN
    const refusedOut = path.join(tempDir('cv-demo-'), 'refused');
    // WHEN
    const refused = synthInProcess('refused.ts', refusedOut);
    // THEN
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/\[Legacy\/Reports\] businessUnit is missing/);
    expect(fs.existsSync(refusedOut) ? fs.readdirSync(refusedOut).filter((f) => f.endsWith('.template.json')) : []).toEqual([]);
  });

  test('an example that exports no createApp is a failure naming it, not a crash', () => {
    // GIVEN: a module of examples/ without createApp (its tsconfig.json)
    const notAnApp = synthInProcess('tsconfig.json', tempDir('cv-demo-'));
    // THEN
    expect(notAnApp).toEqual(expect.objectContaining({ ok: false, output: 'examples/tsconfig.json exports no createApp(props) function' }));
  });
});
