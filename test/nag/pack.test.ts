import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IApplyRule, NagMessageLevel } from 'cdk-nag';
import { CostReporting, CustomerService, CustomerValueChecks } from '../../src';
import { testApp } from '../util';
import { DECLARATION, secureBucket, shop, summary, synthWith } from './util';

const ORDERS = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' });
const OVERDUE = { every: Duration.days(90), lastReviewed: '2026-01-10' };

/** Records every rule the pack applies, by level (cdk-nag's Packs.test.ts pattern). */
class RecordingChecks extends CustomerValueChecks {
  public readonly applied: Record<string, Set<string>> = { [NagMessageLevel.ERROR]: new Set(), [NagMessageLevel.WARN]: new Set() };
  protected applyRule(params: IApplyRule): void {
    (this.applied[params.level] ??= new Set()).add(`${this.readPackName}-${params.ruleSuffixOverride ?? params.rule.name}`);
  }
}

describe('pack membership', () => {
  function membership(context: Record<string, unknown> = {}) {
    const { app } = shop({}, context);
    app.synth();
    const pack = new RecordingChecks(app);
    pack.validateScope(app);
    return { errors: [...pack.applied[NagMessageLevel.ERROR]].sort(), warnings: [...pack.applied[NagMessageLevel.WARN]].sort() };
  }

  test('exact rule ids and levels', () => {
    expect(membership()).toEqual({
      errors: ['CustomerValue-ResourceOutsideService', 'CustomerValue-TagsMissingOrOverridden'],
      warnings: ['CustomerValue-CostReportingDisabled', 'CustomerValue-NoUsageMetric', 'CustomerValue-RetiredServiceDeployed',
        'CustomerValue-ValueReviewOverdue'],
    });
  });

  test('with customer-value:strictReviews, an overdue value review is an error', () => {
    expect(membership({ 'customer-value:strictReviews': true })).toEqual({
      errors: ['CustomerValue-ResourceOutsideService', 'CustomerValue-TagsMissingOrOverridden', 'CustomerValue-ValueReviewOverdue'],
      warnings: ['CustomerValue-CostReportingDisabled', 'CustomerValue-NoUsageMetric', 'CustomerValue-RetiredServiceDeployed'],
    });
  });

  test('the plugin and the pack are named CustomerValue', () => {
    const pack = new CustomerValueChecks();
    expect([pack.name, pack.readPackName]).toEqual(['CustomerValue', 'CustomerValue']);
  });
});

describe('findings', () => {
  /** Every rule fails once: a bucket outside, overridden tags, reporting off, review overdue, no usage metric. */
  function everythingWrong(context: Record<string, unknown> = {}) {
    const { app, stack, bucket, service } = shop({ costReporting: CostReporting.disabled('sandbox account, torn down nightly'), valueReview: OVERDUE }, context);
    secureBucket(stack, 'Loose');
    (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('Tags', [{ Key: 'team', Value: 'growth' }]);
    return { app, service };
  }

  test('each finding names the resource or the service and says how to fix it', () => {
    // GIVEN
    const { app } = everythingWrong();
    // WHEN
    const { findings } = synthWith(app, new CustomerValueChecks(app));
    // THEN
    const byRule = Object.fromEntries(findings.map((f) => [f.rule + (f.paths[0].includes('Policy') ? '/policy' : ''), f]));
    expect(byRule['CustomerValue-ResourceOutsideService'].description)
      .toBe('The AWS::S3::Bucket Shop/Loose/Resource is outside any customer service.');
    expect(byRule['CustomerValue-TagsMissingOrOverridden'].description).toBe(
      'The AWS::S3::Bucket Shop/Checkout/Receipts/Resource does not carry the customer-value tags of the customer service "checkout" '
      + '(Shop/Checkout): customer-service is missing (expected "checkout"), customer-need is missing (expected "Shoppers pay for their '
      + 'basket in one step"), customer is missing (expected "external:Online shoppers"), team is "growth" instead of "payments", '
      + 'business-unit is missing (expected "retail").');
    expect(byRule['CustomerValue-CostReportingDisabled'].description)
      .toBe('The customer service "checkout" (Shop/Checkout) has cost reporting disabled (recorded reason: "sandbox account, torn down nightly").');
    expect(byRule['CustomerValue-ValueReviewOverdue'].description)
      .toBe('The value review of the customer service "checkout" (Shop/Checkout) is overdue: last reviewed 2026-01-10, next review was due 2026-04-10.');
    expect(byRule['CustomerValue-NoUsageMetric'].description).toMatch(/^The customer service "checkout" \(Shop\/Checkout\) declares no usage metric/);
    expect(summary(findings)).toEqual([
      'CustomerValue-CostReportingDisabled Shop/Checkout/Receipts/Resource',
      'CustomerValue-NoUsageMetric Shop/Checkout/Receipts/Resource',
      'CustomerValue-ResourceOutsideService Shop/Loose/Policy/Resource',
      'CustomerValue-ResourceOutsideService Shop/Loose/Resource',
      'CustomerValue-TagsMissingOrOverridden Shop/Checkout/Receipts/Resource',
      'CustomerValue-ValueReviewOverdue Shop/Checkout/Receipts/Resource',
    ]);
    expect(findings.map((f) => [f.rule, f.severity]).sort()).toEqual([
      ['CustomerValue-CostReportingDisabled', 'warning'],
      ['CustomerValue-NoUsageMetric', 'warning'],
      ['CustomerValue-ResourceOutsideService', 'error'],
      ['CustomerValue-ResourceOutsideService', 'error'],
      ['CustomerValue-TagsMissingOrOverridden', 'error'],
      ['CustomerValue-ValueReviewOverdue', 'warning'],
    ]);
    // the explanation is the report's suggested fix
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    const fixes = report.pluginReports.find((r: any) => r.pluginName === 'CustomerValue').violations.map((v: any) => v.suggestedFix);
    expect(fixes).toEqual(expect.arrayContaining([
      expect.stringContaining('Declare the resource inside the CustomerService it serves'),
      expect.stringContaining('Register the demand driver with service.addUsageMetric'),
    ]));
  });

  test('verbose adds the explanation to each description', () => {
    const { app, stack } = shop();
    secureBucket(stack, 'Loose');
    app.synth();
    const report = new CustomerValueChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations.find((v) => v.ruleName === 'CustomerValue-ResourceOutsideService')?.description).toMatch(
      /^The AWS::S3::Bucket Shop\/Loose\/Resource is outside any customer service\. Every resource exists to fulfil a customer need/);
    expect(report.success).toBe(false);
  });

  test('errors fail synthesis, naming the rule; warnings alone do not (outside construct-library strict mode)', () => {
    // GIVEN: an app outside strict mode
    const relaxed = { '@aws-cdk/core:strictCfnValidateErrors': false };
    const { app: bad } = everythingWrong(relaxed);
    Validations.of(bad).addPlugins(new CustomerValueChecks(bad));
    const { app: warnOnly } = shop({ valueReview: OVERDUE }, relaxed);
    Validations.of(warnOnly).addPlugins(new CustomerValueChecks(warnOnly));
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    // THEN
    expect(() => bad.synth()).toThrow(/CustomerValue-ResourceOutsideService/);
    expect(() => warnOnly.synth()).not.toThrow();
    // the warnings are printed (the CDK prints the validation report) and kept in the report file
    expect(printed).toHaveBeenCalledWith(expect.stringContaining('WARNING The value review of the customer service "checkout"'));
    printed.mockRestore();
    const report = JSON.parse(fs.readFileSync(path.join(warnOnly.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports[0].conclusion).toBe('success');
    expect(report.pluginReports[0].violations.map((v: any) => `${v.ruleName} ${v.severity}`).sort())
      .toEqual(['CustomerValue-CostReportingDisabled warning', 'CustomerValue-NoUsageMetric warning', 'CustomerValue-ValueReviewOverdue warning']);
  });

  test('one finding per service, each naming its service', () => {
    // GIVEN
    const { app, stack } = shop();
    secureBucket(new CustomerService(stack, 'Search', { ...DECLARATION, team: 'discovery' }), 'Index');
    // WHEN
    const { findings } = synthWith(app, new CustomerValueChecks(app));
    // THEN
    expect(findings.filter((f) => f.rule === 'CustomerValue-NoUsageMetric').map((f) => [f.paths, f.description.slice(0, 40)])).toEqual([
      [['Shop/Checkout/Receipts/Resource'], 'The customer service "checkout" (Shop/Ch'],
      [['Shop/Search/Index/Resource'], 'The customer service "search" (Shop/Sear'],
    ]);
  });

  test('a singleton outside the service says which service uses it and how to include it', () => {
    // GIVEN
    const { app, service } = shop();
    service.addUsageMetric('orders', ORDERS);
    Validations.of(service).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'pack tests' });
    new s3.Bucket(service, 'Exports', { enforceSSL: true, autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    // WHEN
    const { findings } = synthWith(app, new CustomerValueChecks(app));
    // THEN
    expect(findings.map((f) => f.description)).toEqual([
      'The AWS::IAM::Role Shop/Custom::S3AutoDeleteObjectsCustomResourceProvider/Role is outside any customer service (it is part of '
      + 'Shop/Custom::S3AutoDeleteObjectsCustomResourceProvider, a custom-resource provider aws-cdk-lib creates once per stack); it serves '
      + 'only the customer service "checkout" (Shop/Checkout): include it there, e.g. '
      + 'checkout.include(Stack.of(checkout).node.findChild(\'Custom::S3AutoDeleteObjectsCustomResourceProvider\')).',
      'The AWS::Lambda::Function Shop/Custom::S3AutoDeleteObjectsCustomResourceProvider/Handler is outside any customer service (it is part of '
      + 'Shop/Custom::S3AutoDeleteObjectsCustomResourceProvider, a custom-resource provider aws-cdk-lib creates once per stack); it serves '
      + 'only the customer service "checkout" (Shop/Checkout): include it there, e.g. '
      + 'checkout.include(Stack.of(checkout).node.findChild(\'Custom::S3AutoDeleteObjectsCustomResourceProvider\')).',
    ]);
  });
});

describe('acknowledging findings the cdk-nag v3 way', () => {
  test('README: acknowledge a resource outside any service, and a service-level finding on the service', () => {
    const { app, stack, service } = shop({ costReporting: CostReporting.disabled('sandbox account, torn down nightly') });
    const sharedBucket = secureBucket(stack, 'PlatformLogs');
    // README snippet -->
    // A resource that serves every service of the stack: say why it is outside any service.
    Validations.of(sharedBucket).acknowledge({
      id: 'CustomerValue-ResourceOutsideService',
      reason: 'Access logs of every bucket in the shop; owned by the platform team and split by prefix',
    });
    // Service-level findings are reported on the service's first resource: acknowledge them on the service.
    Validations.of(service).acknowledge(
      { id: 'CustomerValue-CostReportingDisabled', reason: 'Sandbox account, torn down every night' },
      { id: 'CustomerValue-NoUsageMetric', reason: 'Internal batch service; its demand driver is being defined with finance' },
    );
    // <-- README snippet
    const { error, findings } = synthWith(app, new CustomerValueChecks(app));
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  test('the namespaced id also works and keeps the reason in validation-report.json (suppressedViolations)', () => {
    const { app, service } = shop();
    Validations.of(service).acknowledge(
      { id: 'CustomerValue::CustomerValue-CostReportingDisabled', reason: 'Sandbox account, torn down every night' },
      { id: 'CustomerValue::CustomerValue-NoUsageMetric', reason: 'Demand driver being defined with finance' },
    );
    const { error, findings } = synthWith(app, new CustomerValueChecks(app));
    expect([error, findings]).toEqual([undefined, []]);
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports[0].suppressedViolations.map((v: any) => [v.ruleName, v.acknowledgedAt, v.reason])).toEqual([
      ['CustomerValue-CostReportingDisabled', 'Shop/Checkout', 'Sandbox account, torn down every night'],
      ['CustomerValue-NoUsageMetric', 'Shop/Checkout', 'Demand driver being defined with finance'],
    ]);
  });

  test('an acknowledgement on one service does not cover another', () => {
    const { app, stack, service } = shop();
    const search = new CustomerService(stack, 'Search', DECLARATION);
    secureBucket(search, 'Index');
    for (const s of [service, search]) {
      Validations.of(s).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'pack tests' });
    }
    Validations.of(service).acknowledge({ id: 'CustomerValue-NoUsageMetric', reason: 'pack tests' });
    const { findings } = synthWith(app, new CustomerValueChecks(app));
    expect(summary(findings)).toEqual(['CustomerValue-NoUsageMetric Shop/Search/Index/Resource']);
  });

  test('a service whose resources all live in an included stack is acknowledged on the service too', () => {
    // GIVEN: the service construct holds no resource; its bucket is in another stack it includes
    const app = testApp();
    const service = new CustomerService(new Stack(app, 'Shop'), 'Checkout', DECLARATION);
    const data = new Stack(app, 'ShopData');
    secureBucket(data, 'Archive');
    service.include(data);
    Validations.of(service).acknowledge({ id: 'CustomerValue-CostReportingDisabled', reason: 'pack tests' });
    // WHEN
    const { findings } = synthWith(app, new CustomerValueChecks(app));
    // THEN: still reported once, on the included resource, and the acknowledgement on the service holds
    expect(summary(findings)).toEqual(['CustomerValue-NoUsageMetric ShopData/Archive/Resource']);
  });
});
