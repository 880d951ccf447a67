import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomerService } from '../../src/customer-service';
import { CustomerServiceProps } from '../../src/customer-service-props';
import { CostReportingOptions } from '../../src/reporting/cost-reporting-options';
import { testApp, VALID } from '../util';

export const ENV = { account: '111111111111', region: 'eu-west-1' };

export const DECLARATION: CustomerServiceProps = { ...VALID, serviceName: 'checkout' };

export interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly service: CustomerService;
}

export interface FixtureOptions {
  readonly stack?: StackProps;
  readonly context?: Record<string, unknown>;
  readonly declaration?: Partial<CustomerServiceProps>;
}

/** An app with the test context, a stack "Shop" in eu-west-1 and the service "checkout" with the given reporting. */
export function fixture(costReporting?: CostReportingOptions, options: FixtureOptions = {}): Fixture {
  const app = testApp({ context: options.context });
  const stack = new Stack(app, 'Shop', { env: ENV, ...options.stack });
  const service = new CustomerService(stack, 'Checkout', { ...DECLARATION, ...options.declaration, costReporting });
  return { app, stack, service };
}

/** The only resource of a type in a template (fails otherwise). */
export function only(template: Template, type: string): { id: string; props: any } {
  const found = template.findResources(type);
  const ids = Object.keys(found);
  if (ids.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  }
  return { id: ids[0], props: found[ids[0]].Properties };
}

/**
 * A CloudFormation string value (possibly an Fn::Join) as a plain string: references become `@Ref:Id@`,
 * `@GetAtt:Id.Attr@` (so JSON held in the string stays parseable).
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const v = value as Record<string, any>;
  if (v && v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'];
    return (parts as unknown[]).map(flatten).join(sep);
  }
  if (v && v.Ref) {
    return `@Ref:${v.Ref}@`;
  }
  if (v && v['Fn::GetAtt']) {
    return `@GetAtt:${v['Fn::GetAtt'].join('.')}@`;
  }
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

/** The dashboard body of the only dashboard, parsed. */
export function dashboardBody(template: Template): { widgets: any[]; start?: string; periodOverride?: string } {
  return JSON.parse(flatten(only(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody));
}
