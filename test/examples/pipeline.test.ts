import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { createApp, ShopStage } from '../../examples/pipeline';
import { Customer, CustomerService, CustomerServiceProps } from '../../src';
import { exampleAppProps, synthFindings, tempDir } from '../util';
import { governanceProblems, SynthesizedExample, synthesizeExample } from './governance';

const ROOT = path.join(__dirname, '..', '..');

function stage(app: ReturnType<typeof createApp>, id: 'Beta' | 'Prod'): ShopStage {
  return app.node.findChild(id) as ShopStage;
}

describe('examples/pipeline.ts', () => {
  // One synthesis of the example (with both packs) serves the tests that only read it.
  let app: ReturnType<typeof createApp>;
  let synthesized: SynthesizedExample;
  beforeAll(() => {
    synthesized = synthesizeExample(createApp);
    app = synthesized.app!;
  });

  test('synthesizes with AwsSolutionsChecks and CustomerValueChecks registered and no finding', () => {
    const { error, findings, registeredPlugins } = synthesized;
    expect(error).toBeUndefined();
    expect(findings).toEqual([]);
    // the example registers both packs itself
    expect(registeredPlugins).toEqual(['AwsSolutions', 'CustomerValue']);
    // and no warning from any construct either
    for (const stack of [app.node.findChild('Delivery') as Stack, stage(app, 'Beta').stack, stage(app, 'Prod').stack]) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    }
    // and what governance.test.ts checks on every example
    expect(governanceProblems('pipeline.ts', synthesized)).toEqual([]);
  });

  test('the pipeline: connection source, a synth step running cdk synth, two stages in two accounts', () => {
    const delivery = Template.fromStack(app.node.findChild('Delivery') as Stack);
    // THEN: the source is a CodeConnections connection
    delivery.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({
          Name: 'Source',
          Actions: [Match.objectLike({
            ActionTypeId: Match.objectLike({ Provider: 'CodeStarSourceConnection' }),
            Configuration: Match.objectLike({ FullRepositoryId: 'example-org/shop', BranchName: 'main', ConnectionArn: Match.stringLikeRegexp('^arn:aws:codeconnections:') }),
          })],
        }),
        Match.objectLike({ Name: 'Beta' }),
        Match.objectLike({ Name: 'Prod', Actions: Match.arrayWith([Match.objectLike({ Name: 'PromoteToProd', ActionTypeId: Match.objectLike({ Category: 'Approval' }) })]) }),
      ]),
    });
    // the synth step runs `npm ci` then `npx cdk synth`
    const projects = delivery.findResources('AWS::CodeBuild::Project');
    const buildSpecs = Object.values(projects).map((p: any) => JSON.parse(p.Properties.Source.BuildSpec));
    expect(buildSpecs.map((b) => b.phases.build.commands)).toContainEqual(['npm ci', 'npx cdk synth']);
    // the stages deploy the same services to two accounts
    for (const [id, account] of [['Beta', '222222222222'], ['Prod', '333333333333']] as const) {
      const s = stage(app, id);
      expect(s.account).toBe(account);
      expect(CustomerService.all(s).map((svc) => svc.serviceName)).toEqual(['checkout', 'wishlist']);
    }
  });

  test('the pipeline\'s own resources belong to the delivery-platform service and carry its tags', () => {
    const delivery = Template.fromStack(app.node.findChild('Delivery') as Stack);
    const platform = CustomerService.all(app).find((s) => s.serviceName === 'delivery-platform')!;
    // THEN
    expect(platform.customer.kind).toBe('internal');
    const tagged = (type: string) => delivery.hasResourceProperties(type, {
      Tags: Match.arrayWith([{ Key: 'customer-service', Value: 'delivery-platform' }, { Key: 'team', Value: 'platform' }]),
    });
    for (const type of ['AWS::CodePipeline::Pipeline', 'AWS::CodeBuild::Project', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::IAM::Role']) {
      tagged(type);
    }
    // its demand driver: pipeline runs, counted as builds of the (named) synth project
    expect(platform.usageMetrics.map((u) => u.name)).toEqual(['pipeline runs']);
    expect(platform.usageMetrics[0].metric.toMetricConfig().metricStat?.dimensions).toEqual([{ name: 'ProjectName', value: 'shop-delivery-synth' }]);
    delivery.hasResourceProperties('AWS::CodeBuild::Project', { Name: 'shop-delivery-synth' });
  });

  describe('a governance failure fails the synth step', () => {
    test('a resource outside any customer service', () => {
      // GIVEN: someone adds a bucket to the Beta stage's stack, outside any service
      const broken = createApp(exampleAppProps(), (s) => {
        if (s.node.id === 'Beta') {
          new s3.Bucket(s.stack, 'Scratch', { enforceSSL: true, serverAccessLogsPrefix: 'scratch/' });
        }
      });
      // WHEN
      const { error, findings } = synthFindings(broken);
      // THEN
      expect(error).toMatch(/CustomerValue-ResourceOutsideService/);
      expect(findings.filter((f) => f.plugin === 'CustomerValue').map((f) => f.description)).toEqual([
        'The AWS::S3::Bucket Beta/Shop/Scratch/Resource is outside any customer service.',
        'The AWS::S3::BucketPolicy Beta/Shop/Scratch/Policy/Resource is outside any customer service.',
      ]);
    });

    test('an untagged resource (an escape hatch removed its tags)', () => {
      // GIVEN
      const broken = createApp(exampleAppProps(), (s) => {
        if (s.node.id === 'Prod') {
          const checkout = CustomerService.all(s).find((svc) => svc.serviceName === 'checkout')!;
          const bucket = new s3.Bucket(checkout, 'Receipts', { enforceSSL: true, serverAccessLogsPrefix: 'receipts/' });
          (bucket.node.defaultChild as s3.CfnBucket).addPropertyDeletionOverride('Tags');
        }
      });
      // WHEN
      const { error, findings } = synthFindings(broken);
      // THEN
      expect(error).toMatch(/CustomerValue-TagsMissingOrOverridden/);
      expect(findings.map((f) => `${f.rule} ${f.paths.join()}`)).toEqual(['CustomerValue-TagsMissingOrOverridden Prod/Shop/Checkout/Receipts/Resource']);
    });

    test('a refused declaration', () => {
      // GIVEN: a new service declared with a placeholder need and no business unit
      const customize = (s: ShopStage) => {
        if (s.node.id === 'Beta') {
          new CustomerService(s.stack, 'Reports', {
            customerNeed: 'TBD', customer: Customer.internal('Finance controlling'), team: 'data',
          } as unknown as CustomerServiceProps);
        }
      };
      // WHEN / THEN: the pipeline reads the stage when it is added, so the refusal surfaces right away
      expect(() => createApp(exampleAppProps(), customize)).toThrow(/\[Beta\/Shop\/Reports\] customerNeed is "TBD": a placeholder[\s\S]*\[Beta\/Shop\/Reports\] businessUnit is missing/);
    });

    test('`cdk synth` (what the synth step runs) exits non-zero and names the rule', () => {
      // GIVEN: an app file that adds a resource outside any service to the pipeline app
      const dir = tempDir('cv-pipeline-');
      const appFile = path.join(dir, 'app.ts');
      fs.writeFileSync(appFile, [
        `import * as s3 from ${JSON.stringify(require.resolve('aws-cdk-lib/aws-s3'))};`,
        `import { createApp } from ${JSON.stringify(path.join(ROOT, 'examples', 'pipeline'))};`,
        'createApp({}, (stage) => {',
        '  if (stage.node.id === \'Prod\') { new s3.Bucket(stage.stack, \'Scratch\', { enforceSSL: true, serverAccessLogsPrefix: \'x/\' }); }',
        '});',
      ].join('\n'));
      // WHEN
      let status = 0;
      let output = '';
      try {
        execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk'),
          ['synth', '--no-notices', '--quiet', '--app', `${path.join(ROOT, 'node_modules', '.bin', 'tsx')} ${appFile}`, '--output', path.join(dir, 'cdk.out')],
          { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CI: 'true' } });
      } catch (e) {
        status = (e as { status: number }).status;
        output = `${(e as { stdout: string }).stdout}${(e as { stderr: string }).stderr}`;
      }
      // THEN
      expect(status).not.toBe(0);
      expect(output).toContain('The AWS::S3::Bucket Prod/Shop/Scratch/Resource is outside any customer service.');
      expect(output).toContain('CustomerValue');
    });
  });

  test('the stages are real stages of the app (nested assemblies)', () => {
    expect(Stage.isStage(stage(app, 'Beta'))).toBe(true);
    const assembly = app.synth();
    expect(assembly.nestedAssemblies.map((a) => a.id)).toEqual(['assembly-Beta', 'assembly-Prod']);
  });
});
