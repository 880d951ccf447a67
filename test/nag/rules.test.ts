import { Duration, RemovalPolicy, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagRuleCompliance } from 'cdk-nag';
import { Construct } from 'constructs';
import { customerValueRules, CustomerService, ValueReviewOutcome } from '../../src';
import { markShared } from '../../src/private/shared-marker';
import { testApp } from '../util';
import { DECLARATION, TestPack, secureBucket, shop, summary, synthWith } from './util';

const {
  ResourceOutsideService, TagsMissingOrOverridden, CostReportingDisabled, ValueReviewOverdue, NoUsageMetric, RetiredServiceDeployed,
} = customerValueRules;

const ORDERS = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' });

test('rules are named after their file', () => {
  expect([ResourceOutsideService, TagsMissingOrOverridden, CostReportingDisabled, ValueReviewOverdue, NoUsageMetric, RetiredServiceDeployed]
    .map((r) => r.name))
    .toEqual(['ResourceOutsideService', 'TagsMissingOrOverridden', 'CostReportingDisabled', 'ValueReviewOverdue', 'NoUsageMetric',
      'RetiredServiceDeployed']);
});

describe('ResourceOutsideService: every resource belongs to a customer service', () => {
  test('Noncompliance: a resource declared next to the service', () => {
    // GIVEN
    const { app, stack } = shop();
    secureBucket(stack, 'Loose');
    // WHEN
    const { error, findings } = synthWith(app, new TestPack([ResourceOutsideService]));
    // THEN
    expect(summary(findings)).toEqual([
      'CustomerValue-ResourceOutsideService Shop/Loose/Policy/Resource',
      'CustomerValue-ResourceOutsideService Shop/Loose/Resource',
    ]);
    expect(error).toMatch(/CustomerValue-ResourceOutsideService/);
  });

  test('Noncompliance: a stack-level singleton aws-cdk-lib creates for a resource inside the service', () => {
    // GIVEN: autoDeleteObjects creates one custom-resource provider per stack, at the stack's root
    const { app, service } = shop();
    new s3.Bucket(service, 'Exports', { enforceSSL: true, autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    // WHEN
    const { findings } = synthWith(app, new TestPack([ResourceOutsideService]));
    // THEN
    expect(summary(findings)).toEqual([
      'CustomerValue-ResourceOutsideService Shop/Custom::S3AutoDeleteObjectsCustomResourceProvider/Handler',
      'CustomerValue-ResourceOutsideService Shop/Custom::S3AutoDeleteObjectsCustomResourceProvider/Role',
    ]);
  });

  test('Compliance: resources inside the service, in an included stack, and an included singleton', () => {
    // GIVEN
    const { app, stack, service } = shop();
    const data = new Stack(app, 'ShopData');
    secureBucket(data, 'Archive');
    service.include(data);
    new s3.Bucket(service, 'Exports', { enforceSSL: true, autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    service.include(stack.node.findChild('Custom::S3AutoDeleteObjectsCustomResourceProvider'));
    // WHEN
    const { error, findings } = synthWith(app, new TestPack([ResourceOutsideService]));
    // THEN
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  test('Compliance: the CDK metadata resource and shared customer-value infrastructure are not judged', () => {
    // GIVEN
    const app = testApp({ analyticsReporting: true });
    const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
    const service = new CustomerService(stack, 'Checkout', DECLARATION);
    secureBucket(service, 'Receipts');
    const shared = new Construct(stack, 'CostPublisher');
    markShared(shared, 'daily cost metric publisher');
    secureBucket(shared, 'Scratch');
    // WHEN
    const { error, findings } = synthWith(app, new TestPack([ResourceOutsideService]));
    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::CDK::Metadata', 1);
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  test('resources of nested stages are checked too (a pack registered on the app sees the whole tree)', () => {
    // GIVEN
    const app = testApp();
    const beta = new Stage(app, 'Beta');
    const stack = new Stack(beta, 'Shop');
    secureBucket(new CustomerService(stack, 'Checkout', DECLARATION), 'Receipts');
    secureBucket(stack, 'Loose');
    // WHEN
    const { findings } = synthWith(app, new TestPack([ResourceOutsideService]));
    // THEN
    expect(summary(findings)).toEqual([
      'CustomerValue-ResourceOutsideService Beta/Shop/Loose/Policy/Resource',
      'CustomerValue-ResourceOutsideService Beta/Shop/Loose/Resource',
    ]);
  });
});

describe('TagsMissingOrOverridden: taggable resources carry their service\'s tags', () => {
  test('Compliance: an L1 resource gets the tags from the Tags.of() aspects before the rule runs', () => {
    // GIVEN: a raw CfnBucket, no tags declared on it
    const { app, stack, service } = shop();
    new s3.CfnBucket(service, 'Raw');
    // WHEN
    const { error, findings } = synthWith(app, new TestPack([TagsMissingOrOverridden]));
    // THEN
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
    expect(Template.fromStack(stack).findResources('AWS::S3::Bucket')).toHaveProperty(
      [Stack.of(service).getLogicalId(service.node.findChild('Raw') as s3.CfnBucket), 'Properties', 'Tags'],
      expect.arrayContaining([{ Key: 'customer-service', Value: 'checkout' }, { Key: 'team', Value: 'payments' }]));
  });

  test('Compliance: a user tag on the same key at the default priority loses to the service tag', () => {
    // GIVEN
    const { app, bucket } = shop();
    Tags.of(bucket).add('team', 'growth');
    // WHEN
    const { findings } = synthWith(app, new TestPack([TagsMissingOrOverridden]));
    // THEN
    expect(findings).toEqual([]);
  });

  test('the rule judges the rendered tags: before synthesis (aspects not run) the same resource is non-compliant', () => {
    // GIVEN
    const { app, service } = shop();
    const raw = new s3.CfnBucket(service, 'Raw');
    const pack = new TestPack([TagsMissingOrOverridden]);
    // WHEN / THEN: before the Tags.of() aspects ran
    expect(TagsMissingOrOverridden(raw)).toBe(NagRuleCompliance.NON_COMPLIANT);
    expect(pack.validateScope(app).violations.map((v) => v.ruleName)).toEqual(['CustomerValue-TagsMissingOrOverridden']);
    // after synthesis
    app.synth();
    expect(TagsMissingOrOverridden(raw)).toBe(NagRuleCompliance.COMPLIANT);
    expect(pack.validateScope(app).violations).toEqual([]);
  });

  test('Noncompliance: an escape hatch replaces the tags', () => {
    // GIVEN
    const { app, bucket } = shop();
    (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('Tags', [{ Key: 'team', Value: 'growth' }]);
    // WHEN
    const { error, findings } = synthWith(app, new TestPack([TagsMissingOrOverridden]));
    // THEN
    expect(summary(findings)).toEqual(['CustomerValue-TagsMissingOrOverridden Shop/Checkout/Receipts/Resource']);
    expect(error).toMatch(/CustomerValue-TagsMissingOrOverridden/);
  });

  test('Noncompliance: an escape hatch deletes the tags', () => {
    // GIVEN
    const { app, bucket } = shop();
    (bucket.node.defaultChild as s3.CfnBucket).addPropertyDeletionOverride('Tags');
    // WHEN
    const { findings } = synthWith(app, new TestPack([TagsMissingOrOverridden]));
    // THEN
    expect(summary(findings)).toEqual(['CustomerValue-TagsMissingOrOverridden Shop/Checkout/Receipts/Resource']);
  });

  test('Noncompliance: Tags.of() above the service priority overrides or removes a tag', () => {
    // GIVEN
    const { app, bucket, service } = shop();
    const other = secureBucket(service, 'Invoices');
    Tags.of(bucket).add('team', 'growth', { priority: CustomerService.TAG_PRIORITY + 1 });
    Tags.of(other).remove('customer-service', { priority: CustomerService.TAG_PRIORITY + 1 });
    // WHEN: the service refuses synthesis itself (after the aspects ran)...
    expect(() => app.synth()).toThrow(/carry customer-value tags that differ from the declaration/);
    // THEN: ...and the rule sees the same rendered tags
    const report = new TestPack([TagsMissingOrOverridden]).validateScope(app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath)).sort())
      .toEqual(['Shop/Checkout/Invoices/Resource', 'Shop/Checkout/Receipts/Resource']);
  });

  test('Noncompliance and compliance in an included stack', () => {
    // GIVEN
    const { app, service } = shop();
    const data = new Stack(app, 'ShopData');
    const archive = secureBucket(data, 'Archive');
    secureBucket(data, 'Cold');
    service.include(data);
    (archive.node.defaultChild as s3.CfnBucket).addPropertyOverride('Tags', []);
    // WHEN
    const { findings } = synthWith(app, new TestPack([TagsMissingOrOverridden]));
    // THEN
    expect(summary(findings)).toEqual(['CustomerValue-TagsMissingOrOverridden ShopData/Archive/Resource']);
  });

  test('map-style tags (AWS::SSM::Parameter): compliant as rendered, non-compliant once overridden', () => {
    // GIVEN
    const { app, service } = shop();
    new ssm.StringParameter(service, 'Flag', { stringValue: 'on' });
    const other = new ssm.StringParameter(service, 'Other', { stringValue: 'off' });
    (other.node.defaultChild as ssm.CfnParameter).addPropertyOverride('Tags', { 'team': 'growth', 'customer-service': 'checkout' });
    // WHEN
    const { findings } = synthWith(app, new TestPack([TagsMissingOrOverridden]));
    // THEN
    expect(summary(findings)).toEqual(['CustomerValue-TagsMissingOrOverridden Shop/Checkout/Other/Resource']);
  });

  test('Not applicable: untaggable resources and resources outside any service', () => {
    // GIVEN: the bucket policy (untaggable) inside the service; a bucket outside any service
    const { app, stack } = shop();
    secureBucket(stack, 'Loose');
    // WHEN
    const { findings } = synthWith(app, new TestPack([TagsMissingOrOverridden]));
    // THEN
    expect(findings).toEqual([]);
  });
});

describe('CostReportingDisabled: every service reports its cost', () => {
  test('Noncompliance: reported once per service, on its first resource', () => {
    // GIVEN: two resources in the service
    const { app, service } = shop();
    secureBucket(service, 'Invoices');
    service.addUsageMetric('orders', ORDERS);
    // WHEN
    const { findings } = synthWith(app, new TestPack([CostReportingDisabled]));
    // THEN
    expect(summary(findings)).toEqual(['CustomerValue-CostReportingDisabled Shop/Checkout/Receipts/Resource']);
  });

  test('Compliance: reporting on (the default)', () => {
    // GIVEN
    const { app, service } = shop({ costReporting: undefined });
    service.addUsageMetric('orders', ORDERS);
    // WHEN
    const { findings } = synthWith(app, new TestPack([CostReportingDisabled]));
    // THEN
    expect(findings).toEqual([]);
  });
});

describe('ValueReviewOverdue: the business unit reviews the value on schedule', () => {
  test('Noncompliance: the next review date has passed (today is 2026-11-25 in tests)', () => {
    // GIVEN
    const { app } = shop({ valueReview: { every: Duration.days(90), lastReviewed: '2026-01-10' } });
    // WHEN
    const { findings } = synthWith(app, new TestPack([ValueReviewOverdue]));
    // THEN
    expect(summary(findings)).toEqual(['CustomerValue-ValueReviewOverdue Shop/Checkout/Receipts/Resource']);
  });

  test('Compliance: reviewed recently', () => {
    const { app } = shop({ valueReview: { every: Duration.days(90), lastReviewed: '2026-10-01' } });
    expect(synthWith(app, new TestPack([ValueReviewOverdue])).findings).toEqual([]);
  });

  test('Not applicable: no review schedule declared', () => {
    const { app, bucket } = shop();
    expect(synthWith(app, new TestPack([ValueReviewOverdue])).findings).toEqual([]);
    expect(ValueReviewOverdue(bucket.node.defaultChild as s3.CfnBucket)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  });
});

describe('NoUsageMetric: every service declares its demand driver', () => {
  test('Noncompliance: no addUsageMetric call, reported once', () => {
    // GIVEN
    const { app, service } = shop();
    secureBucket(service, 'Invoices');
    // WHEN
    const { findings } = synthWith(app, new TestPack([NoUsageMetric]));
    // THEN
    expect(summary(findings)).toEqual(['CustomerValue-NoUsageMetric Shop/Checkout/Receipts/Resource']);
  });

  test('Compliance: a usage metric is declared', () => {
    const { app, service } = shop();
    service.addUsageMetric('orders', ORDERS);
    expect(synthWith(app, new TestPack([NoUsageMetric])).findings).toEqual([]);
  });
});

describe('RetiredServiceDeployed: a service the business unit decided to retire is gone after the grace period', () => {
  const retired = (lastReviewed: string) => ({
    valueReview: { every: Duration.days(365), lastReviewed, outcome: ValueReviewOutcome.RETIRE, note: 'Replaced by the new search' },
  });

  test('Noncompliance: retired at a review more than 90 days ago (today is 2026-11-25 in tests)', () => {
    // GIVEN
    const { app, service } = shop(retired('2026-08-01'));
    // WHEN
    const { findings } = synthWith(app, new TestPack([RetiredServiceDeployed]));
    // THEN
    expect(summary(findings)).toEqual(['CustomerValue-RetiredServiceDeployed Shop/Checkout/Receipts/Resource']);
    expect(service.retireBy).toBe('2026-10-30');
  });

  test('Compliance: retired at a review within the grace period', () => {
    const { app, service } = shop(retired('2026-09-01'));
    expect(synthWith(app, new TestPack([RetiredServiceDeployed])).findings).toEqual([]);
    expect([service.retireBy, service.retirementOverdue]).toEqual(['2026-11-30', false]);
  });

  test('the grace period comes from the context customer-value:retirementGraceDays', () => {
    // GIVEN: 30 days of grace instead of 90
    const { app } = shop(retired('2026-09-01'), { 'customer-value:retirementGraceDays': 30 });
    // THEN
    expect(summary(synthWith(app, new TestPack([RetiredServiceDeployed])).findings))
      .toEqual(['CustomerValue-RetiredServiceDeployed Shop/Checkout/Receipts/Resource']);
  });

  test('Not applicable: the last outcome is not retire, or none is recorded', () => {
    for (const outcome of [ValueReviewOutcome.SUSTAIN, undefined]) {
      const { app, bucket } = shop({ valueReview: { every: Duration.days(365), lastReviewed: '2026-01-10', outcome } });
      expect(synthWith(app, new TestPack([RetiredServiceDeployed])).findings).toEqual([]);
      expect(RetiredServiceDeployed(bucket.node.defaultChild as s3.CfnBucket)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    }
  });
});
