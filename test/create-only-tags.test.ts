/**
 * Resource types whose tags are create-only: a change of a customer-value tag would replace the resource. The list is
 * derived from the CloudFormation registry schemas (scripts/generate-create-only-tags.ts), never written by hand.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Annotations as CoreAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apprunner from 'aws-cdk-lib/aws-apprunner';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { createOnlyTagTypes, OUTPUT, render } from '../scripts/generate-create-only-tags';
import { CostReporting, Customer, CustomerService, CustomerServiceProps } from '../src';
import { testApp } from './util';
import { ServiceDeclarationRecord } from '../src/declaration/record';
import { CREATE_ONLY_TAG_TYPES } from '../src/private/create-only-tag-types';

const DECLARATION: CustomerServiceProps = {
  customerNeed: 'Shoppers pay for their basket in one step',
  customer: Customer.external('Online shoppers'),
  team: 'payments',
  businessUnit: 'retail',
  costReporting: CostReporting.disabled('create-only tag tests'),
};
const WARNING = 'cdk-customer-value:CustomerService.createOnlyTags';

describe('the list of types with create-only tags', () => {
  test('is what the registry schemas say today (regenerate with scripts/generate-create-only-tags.ts)', () => {
    const { types, version } = createOnlyTagTypes();
    expect(fs.readFileSync(OUTPUT, 'utf8')).toBe(render(types, version));
    expect(types.length).toBeGreaterThan(50);
  });

  test('agrees with raw registry schemas (tagging.tagUpdatable / createOnlyProperties, test/data/registry-schemas)', () => {
    const dir = path.join(__dirname, 'data', 'registry-schemas');
    const schemas = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    const checked = schemas.filter((s) => s.tagging?.tagProperty);
    expect(checked.length).toBeGreaterThanOrEqual(5);
    for (const s of checked) {
      const createOnly = (s.createOnlyProperties ?? []).includes(s.tagging.tagProperty);
      expect({ type: s.typeName, createOnly: CREATE_ONLY_TAG_TYPES.has(s.typeName) }).toEqual({ type: s.typeName, createOnly });
    }
    // the two the anomaly detection construct already works around are in it
    expect(CREATE_ONLY_TAG_TYPES.has('AWS::CE::AnomalyMonitor')).toBe(true);
    expect(CREATE_ONLY_TAG_TYPES.has('AWS::S3::Bucket')).toBe(false);
  });
});

describe('a service with resources whose tags are create-only', () => {
  function shop(props: Partial<CustomerServiceProps> = {}) {
    const app = testApp();
    const stack = new Stack(app, 'Shop');
    const svc = new CustomerService(stack, 'Checkout', { ...DECLARATION, ...props });
    new ec2.CfnKeyPair(svc, 'Deploy', { keyName: 'deploy' });
    new apprunner.CfnService(svc, 'Web', { sourceConfiguration: { imageRepository: { imageIdentifier: 'public.ecr.aws/x/y:latest', imageRepositoryType: 'ECR_PUBLIC' } } });
    new sqs.Queue(svc, 'Orders', { enforceSSL: true });
    return { app, stack, svc };
  }

  test('warns at synth about each of them, naming the resource and the consequence; the others are not named', () => {
    const { app, stack } = shop();
    app.synth();
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNING));
    expect(warnings.map((w) => w.id).sort()).toEqual(['/Shop/Checkout/Deploy', '/Shop/Checkout/Web']);
    expect(warnings[0].entry.data).toMatch(/tags are create-only .* replaces the resource, which then gets a new identity .*excludeResourceTypes: \["AWS::/);
    // the tags are there: keeping them is the default
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::KeyPair', { Tags: Match.arrayWith([{ Key: 'team', Value: 'payments' }]) });
  });

  test('the warning is decided where the tags are applied: it is there when synthesis skips validation', () => {
    const { app, stack } = shop();
    const messages = app.synth({ skipValidation: true }).getStackByName(stack.stackName).messages;
    expect(messages.filter((m) => m.level === 'warning' && String(m.entry.data).includes(WARNING)).map((m) => m.id).sort()).toEqual(['/Shop/Checkout/Deploy', '/Shop/Checkout/Web']);
  });

  test('acknowledging the warning on the service keeps the tags and silences it', () => {
    const { app, stack, svc } = shop();
    CoreAnnotations.of(svc).acknowledgeWarning(WARNING, 'the key pair and the App Runner service are recreated by our pipeline anyway');
    app.synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNING))).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::AppRunner::Service', { Tags: Match.arrayWith([{ Key: 'team', Value: 'payments' }]) });
  });

  test('excludeResourceTypes leaves the type untagged, without a warning, and the metadata counts it as excluded', () => {
    const { app, stack, svc } = shop({ excludeResourceTypes: ['AWS::AppRunner::Service'] });
    const assembly = app.synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNING)).map((w) => w.id)).toEqual(['/Shop/Checkout/Deploy']);
    const web = Object.values(Template.fromStack(stack).findResources('AWS::AppRunner::Service'))[0];
    expect(web.Properties.Tags).toBeUndefined();
    const record = assembly.getStackByName('Shop').findMetadataByType('customer-value:service')
      .map((m) => m.data as unknown as ServiceDeclarationRecord).find((r) => r.constructPath === svc.node.path)!;
    expect(record.resources).toMatchObject({
      excludedByType: { 'AWS::AppRunner::Service': 1 },
      createOnlyTagsByType: { 'AWS::EC2::KeyPair': 1 },
    });
    expect(record.resources.tagged).toBe(record.resources.taggable);
  });

  test('a list that is not resource types is refused at synth', () => {
    const app = testApp();
    new CustomerService(new Stack(app, 'Shop'), 'Checkout', { ...DECLARATION, excludeResourceTypes: ['AppRunner Service'] });
    expect(() => app.synth()).toThrow('[Shop/Checkout] excludeResourceTypes[0] is "AppRunner Service": expected a CloudFormation resource type such as "AWS::AppRunner::Service"');
  });
});
