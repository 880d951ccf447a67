import { CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CustomerService } from '../customer-service';
import { PACK_NAME, isAcknowledged } from '../nag/acknowledgements';
import { describeService, expectedTagsOf, isExempt } from '../nag/membership';
import { describeTagProblems, tagProblems } from '../nag/resource-tags';
import { ResourceOutsideService, TagsMissingOrOverridden } from '../nag/rules';
import { budgetsOf, dashboardsOf } from './private/cost-resources';

interface Section {
  readonly title: string;
  readonly lines: string[];
}

/**
 * Assertions for the tests of apps built with customer services, for any test framework (they throw an
 * `Error`): each check lists everything it finds missing in one readable message.
 *
 * The app is synthesized first (the customer-value tags are applied by aspects during synthesis).
 * Findings acknowledged the cdk-nag v3 way (`Validations.of(construct).acknowledge({ id, reason })` with the
 * `CustomerValue-...` rule id) are accepted, as in `CustomerValueChecks`.
 *
 * @example
 * const app = new App();
 * const stack = new Stack(app, 'Shop');
 * // ... customer services and their resources ...
 * CustomerValueAssertions.fromApp(app).assertAll();
 */
export class CustomerValueAssertions {
  /**
   * Assertions over a whole app (or stage), nested stages included. Synthesizes it.
   */
  public static fromApp(app: Stage): CustomerValueAssertions {
    if (!Stage.isStage(app)) {
      throw new Error(`CustomerValueAssertions.fromApp: expected an App or a Stage, got ${describe(app)}`);
    }
    CustomerValueAssertions.synthesize(app);
    return new CustomerValueAssertions(app, `App${app.node.path ? ` ${app.node.path}` : ''}`);
  }

  /**
   * Assertions over one stack (its resources, and the services declared in it). Synthesizes its app.
   */
  public static fromStack(stack: Stack): CustomerValueAssertions {
    if (!Stack.isStack(stack)) {
      throw new Error(`CustomerValueAssertions.fromStack: expected a Stack, got ${describe(stack)}`);
    }
    CustomerValueAssertions.synthesize(stack);
    return new CustomerValueAssertions(stack, `Stack ${stack.node.path}`);
  }

  private static synthesize(scope: IConstruct): void {
    const root = scope.node.root;
    if (!Stage.isStage(root)) {
      throw new Error(`CustomerValueAssertions: ${scope.node.path || 'the scope'} is not in an App (its root is not a Stage): create it in an App so that it can be synthesized`);
    }
    (root as Stage).synth();
  }

  private readonly scope: IConstruct;
  private readonly label: string;
  private readonly resources: CfnResource[];
  private readonly services: CustomerService[];

  private constructor(scope: IConstruct, label: string) {
    this.scope = scope;
    this.label = label;
    this.resources = scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
    this.services = CustomerService.all(scope);
  }

  /**
   * Every CloudFormation resource belongs to a customer service (declared inside it or in a scope it
   * `include()`s). Not judged: the CDK metadata resource, the library's shared infrastructure, and resources
   * where `CustomerValue-ResourceOutsideService` is acknowledged.
   */
  public everyResourceBelongsToAService(): void {
    this.throwIfAny([this.outsideServices()]);
  }

  /**
   * Every taggable resource of a service carries the service's five customer-value tags with the declared
   * values in its synthesized template (escape-hatch overrides included).
   */
  public everyResourceIsTagged(): void {
    this.throwIfAny([this.untagged()]);
  }

  /**
   * Every service has an `AWS::Budgets::Budget` whose filter selects its service tag, and an
   * `AWS::CloudWatch::Dashboard` (inside the service, or named after it), in its own stage (account).
   * A service with cost reporting disabled is listed, unless `CustomerValue-CostReportingDisabled` is
   * acknowledged on it.
   */
  public everyServiceHasBudgetAndDashboard(): void {
    this.throwIfAny(this.costResources());
  }

  /**
   * All the checks above, reported together in one error.
   */
  public assertAll(): void {
    this.throwIfAny(this.sections());
  }

  /**
   * What `assertAll()` would report, one line per problem (`[]` when everything is in place).
   */
  public findProblems(): string[] {
    return this.sections().flatMap((s) => s.lines.map((l) => `${s.title}: ${l}`));
  }

  private sections(): Section[] {
    return [this.outsideServices(), this.untagged(), ...this.costResources()];
  }

  private outsideServices(): Section {
    const lines = this.resources
      .filter((r) => ResourceOutsideService(r) === NagRuleCompliance.NON_COMPLIANT && !isAcknowledged(r, `${PACK_NAME}-ResourceOutsideService`))
      .map((r) => `${r.node.path} (${r.cfnResourceType})`);
    return {
      title: 'Resources outside any customer service (declare them inside a CustomerService or include() them; '
        + `acknowledge ${PACK_NAME}-ResourceOutsideService for shared infrastructure)`,
      lines,
    };
  }

  private untagged(): Section {
    const lines = this.resources
      .filter((r) => TagsMissingOrOverridden(r) === NagRuleCompliance.NON_COMPLIANT && !isAcknowledged(r, `${PACK_NAME}-TagsMissingOrOverridden`))
      .map((r) => {
        const expected = expectedTagsOf(r)!;
        const service = CustomerService.of(r);
        const owner = service ? `service "${service.serviceName}"` : expected.owner;
        return `${r.node.path} (${r.cfnResourceType}, ${owner}): ${describeTagProblems(tagProblems(r, expected.tags))}`;
      });
    return { title: 'Resources without the customer-value tags of their service', lines };
  }

  private costResources(): Section[] {
    const disabled: string[] = [];
    const budgets: string[] = [];
    const dashboards: string[] = [];
    const all = this.scope.node.root.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && !isExempt(c));
    for (const service of this.services) {
      if (!service.costReportingEnabled) {
        if (!isAcknowledged(service, `${PACK_NAME}-CostReportingDisabled`)) {
          const reason = service.costReportingOptions.disabledReason;
          disabled.push(`${describeService(service)}: cost reporting is disabled (${reason ? `reason: ${JSON.stringify(reason)}` : 'no reason recorded'})`);
        }
        continue;
      }
      if (budgetsOf(service, all).length === 0) {
        budgets.push(`${describeService(service)}: no budget filters on ${service.tagKeys.service}=${service.serviceName} `
          + `(e.g. CostFilters {"TagKeyValue": ["user:${service.tagKeys.service}$${service.serviceName}"]})`);
      }
      if (dashboardsOf(service, all).length === 0) {
        dashboards.push(`${describeService(service)}: no dashboard inside the service or named after it`);
      }
    }
    return [
      // The same way out as the CustomerValueChecks finding: the rule id to acknowledge, on the service.
      {
        title: 'Services with cost reporting disabled, so without budget and dashboard (turn it back on, or acknowledge it '
          + `on the service: Validations.of(service).acknowledge({ id: '${PACK_NAME}-CostReportingDisabled', reason: '...' }))`,
        lines: disabled,
      },
      { title: 'Services without a budget filtered to their service tag', lines: budgets },
      { title: 'Services without a dashboard', lines: dashboards },
    ];
  }

  private throwIfAny(sections: Section[]): void {
    const failing = sections.filter((s) => s.lines.length > 0);
    if (failing.length === 0) {
      return;
    }
    const count = failing.reduce((n, s) => n + s.lines.length, 0);
    const body = failing.map((s) => `${s.title} (${s.lines.length}):\n${s.lines.map((l) => `  - ${l}`).join('\n')}`).join('\n\n');
    throw new Error(`Customer-value assertions failed for ${this.label}: ${count} problem(s)\n\n${body}`);
  }
}

function describe(x: unknown): string {
  if (x === undefined || x === null) {
    return String(x);
  }
  const ctor = (x as object).constructor?.name;
  return ctor ? `${/^[AEIOU]/.test(ctor) ? 'an' : 'a'} ${ctor}` : typeof x;
}
