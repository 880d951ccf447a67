import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IApplyRule, NagMessageLevel, NagPack } from 'cdk-nag';
import { Construct } from 'constructs';
import { CostReporting, CustomerService, CustomerServiceProps } from '../../src';
import { Finding, synthFindings, testApp, VALID } from '../util';

/** A sound declaration (cost reporting off, so only the rule under test decides). */
export const DECLARATION: CustomerServiceProps = { ...VALID, costReporting: CostReporting.disabled('rule tests') };

/** Applies only the given rules, like cdk-nag's own rule tests (ids still `CustomerValue-<Rule>`). */
export class TestPack extends NagPack {
  public readonly name = 'CustomerValueTest';
  constructor(private readonly rules: Array<IApplyRule['rule']>, private readonly level = NagMessageLevel.ERROR) {
    super();
    this.packName = 'CustomerValue';
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of this.rules) {
      this.applyRule({ info: `${rule.name} info.`, explanation: `${rule.name} explanation.`, level: this.level, rule, node });
    }
  }
}

/** An app with a stack `Shop` holding a service `Checkout` (with `props`) that holds a secure bucket. */
export function shop(props: Partial<CustomerServiceProps> = {}, context: Record<string, unknown> = {}):
{ app: App; stack: Stack; service: CustomerService; bucket: s3.Bucket } {
  const app = testApp({ context });
  const stack = new Stack(app, 'Shop');
  const service = new CustomerService(stack, 'Checkout', { ...DECLARATION, ...props });
  const bucket = secureBucket(service, 'Receipts');
  return { app, stack, service, bucket };
}

/** A bucket AwsSolutionsChecks and the CloudFormation validator accept. */
export function secureBucket(scope: Construct, id: string): s3.Bucket {
  return new s3.Bucket(scope, id, { enforceSSL: true });
}

/** Registers `pack`, synthesizes, and returns the synth error (if any) and the findings of `pack` only. */
export function synthWith(app: App, pack: NagPack): { error?: string; findings: Finding[] } {
  Validations.of(app).addPlugins(pack);
  const { error, findings } = synthFindings(app);
  return { error, findings: findings.filter((f) => f.plugin === pack.name) };
}

/** `rule path` lines, sorted: compact to compare. */
export function summary(findings: Finding[]): string[] {
  return findings.flatMap((f) => f.paths.map((p) => `${f.rule} ${p}`)).sort();
}
