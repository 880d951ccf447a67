import { CfnResource, PolicyValidationPluginReport, PolicyViolation, Stack } from 'aws-cdk-lib';
import { IApplyRule, NagMessageLevel, NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ContextKeys } from '../context-keys';
import { CustomerService } from '../customer-service';
import { PACK_NAME } from './acknowledgements';
import { describeService, expectedTagsOf, isExempt } from './membership';
import { strictReviews } from '../declaration/context-settings';
import { refusedByToolkit } from '../private/problems';
import { CUSTOMER_VALUE_PACK } from '../private/validation-plugins';
import { anchorOf } from './private/anchor';
import { ConsumerIndex } from './private/consumer-index';
import { resourcesUnder, singletonOf } from './private/singletons';
import { describeTagProblems, tagProblems } from './resource-tags';
import {
  CostReportingDisabled, NoUsageMetric, ResourceOutsideService, RetiredServiceDeployed, TagsMissingOrOverridden, ValueReviewOverdue,
} from './rules';

/** How a rule explains itself: the generic sentence, the fix, and the sentence about one resource. */
interface RuleText {
  readonly info: string;
  readonly explanation: string;
  readonly detail: (node: CfnResource, ctx: DetailContext) => string;
}

interface DetailContext {
  readonly consumers: ConsumerIndex;
}

/** `order-history` -> `orderHistory`: how the service is likely named in code. */
const camel = (name: string) => name.replace(/[-_]+([A-Za-z0-9])/g, (_m, c: string) => c.toUpperCase());

const ACK = (id: string, on: string) => `Validations.of(${on}).acknowledge({ id: '${PACK_NAME}-${id}', reason: '...' })`;

const TEXT: Record<string, RuleText> = {
  ResourceOutsideService: {
    info: 'The resource is outside any customer service.',
    explanation: 'Every resource exists to fulfil a customer need: its cost is reported per customer service, and a '
      + 'resource outside any service is spend nobody owns (it carries no customer-value tags, so no budget, cost '
      + 'category or report sees it). Declare the resource inside the CustomerService it serves (use the service as '
      + 'its scope: new s3.Bucket(service, \'Id\')), or call service.include(construct) for a construct that must '
      + 'live elsewhere, such as another stack of the service or a singleton aws-cdk-lib creates once per stack (log '
      + 'retention, custom-resource providers, the bucket notifications handler, AwsCustomResource). If the resource '
      + `really serves several services (shared platform infrastructure), acknowledge it with a reason: ${ACK('ResourceOutsideService', 'resource')}.`,
    detail: (node, ctx) => {
      const base = `The ${node.cfnResourceType} ${node.node.path} is outside any customer service`;
      const singleton = singletonOf(node);
      const used = ctx.consumers.consumersOf(singleton ? resourcesUnder(singleton.construct).filter((r) => Stack.of(r) === Stack.of(node)) : [node]);
      const users = used.services.map(describeService);
      let hint = '';
      if (used.services.length === 1) {
        const name = used.services[0].serviceName;
        hint = singleton
          ? `; it serves only the customer service ${users[0]}: include it there, e.g. `
            + `${camel(name)}.include(Stack.of(${camel(name)}).node.findChild('${singleton.construct.node.id}'))`
          : `; it is used by the customer service ${users[0]}: declare it inside that service, or include it there`;
      } else if (used.services.length > 1) {
        hint = `; it serves the customer services ${users.join(', ')}: acknowledge it with the reason it is shared, `
          + 'or give each service its own';
      } else if (used.shared.length > 0) {
        hint = `; it serves only shared customer-value infrastructure (${used.shared.join(', ')}): acknowledge it with that reason`;
      }
      return `${base}${singleton ? ` (it is part of ${singleton.construct.node.path}, ${singleton.what})` : ''}${hint}.`;
    },
  },
  TagsMissingOrOverridden: {
    info: 'The resource does not carry the customer-value tags of its customer service.',
    explanation: 'Cost is attributed to a customer service, its need, team and business unit through the five '
      + 'customer-value tags: a resource without them (or with other values) is spend attributed to nobody or to the '
      + 'wrong service. The CustomerService applies them with Tags.of() at priority CustomerService.TAG_PRIORITY '
      + '(1000). Remove what changes them: a Tags.of(...).add/remove with a priority of 1000 or more, or an escape '
      + 'hatch on the Tags property (addPropertyOverride(\'Tags\', ...), addPropertyDeletionOverride(\'Tags\')). If '
      + 'the resource belongs to another service, declare it in that service.',
    detail: (node) => {
      const expected = expectedTagsOf(node)!;
      return `The ${node.cfnResourceType} ${node.node.path} does not carry the customer-value tags of ${expected.owner}: `
        + `${describeTagProblems(tagProblems(node, expected.tags))}.`;
    },
  },
  CostReportingDisabled: {
    info: 'The customer service has cost reporting disabled.',
    explanation: 'Without cost reporting (budget and alerts, dashboard, daily cost metric, unit cost) nobody sees '
      + 'what the service costs against the value it delivers, and the business unit cannot review it. Remove '
      + 'costReporting.enabled: false (or CostReporting.disabled()) from the service. For a sandbox or test service, '
      + `acknowledge the finding on the service with the reason: ${ACK('CostReportingDisabled', 'service')}.`,
    detail: (node) => {
      const service = CustomerService.of(node)!;
      const reason = service.costReportingOptions.disabledReason;
      return `The customer service ${describeService(service)} has cost reporting disabled `
        + `(${reason ? `recorded reason: ${JSON.stringify(reason)}` : 'no reason recorded'}).`;
    },
  },
  ValueReviewOverdue: {
    info: 'The value review of the customer service is overdue.',
    explanation: 'A service exists to fulfil a customer need, and its business unit reviews regularly whether it '
      + 'still does so at a reasonable cost. Hold the review, then update valueReview.lastReviewed to its date. '
      + `With the context ${ContextKeys.STRICT_REVIEWS}=true this finding is an error. To defer it with a reason, `
      + `acknowledge it on the service: ${ACK('ValueReviewOverdue', 'service')}.`,
    detail: (node) => {
      const service = CustomerService.of(node)!;
      return `The value review of the customer service ${describeService(service)} is overdue: last reviewed `
        + `${service.valueReview?.lastReviewed}, next review was due ${service.nextValueReview}.`;
    },
  },
  RetiredServiceDeployed: {
    info: 'The last value review decided to retire the customer service, and it is still deployed after the grace period.',
    explanation: 'A service exists to fulfil a customer need; when its business unit decided at a value review that the need '
      + 'is gone or served elsewhere (valueReview.outcome: ValueReviewOutcome.RETIRE), every day it stays deployed is cost '
      + 'without value. Remove the service from the app (and its resources from the account). If the decision changed, '
      + 'record the new review: update valueReview.lastReviewed, outcome and note. The grace period is the context '
      + `${ContextKeys.RETIREMENT_GRACE_DAYS} (90 days by default). To defer it with a reason, acknowledge it on the service: `
      + `${ACK('RetiredServiceDeployed', 'service')}.`,
    detail: (node) => {
      const service = CustomerService.of(node)!;
      const review = service.valueReview;
      return `The customer service ${describeService(service)} is still deployed: its value review of ${review?.lastReviewed}`
        + `${review?.reviewer ? ` (${review.reviewer})` : ''} decided to retire it, by ${service.retireBy}`
        + `${review?.note ? ` (note: ${JSON.stringify(review.note)})` : ''}.`;
    },
  },
  NoUsageMetric: {
    info: 'The customer service declares no usage metric.',
    explanation: 'The unit cost of a service (cost per order, per 1 000 requests, per active customer) is its cost '
      + 'divided by its demand driver; without a usage metric it cannot be computed and the dashboard shows cost '
      + 'without the value it buys. Register the demand driver with service.addUsageMetric(\'orders\', metric). '
      + `If the service has no meaningful unit, acknowledge it on the service with the reason: ${ACK('NoUsageMetric', 'service')}.`,
    detail: (node) => {
      const service = CustomerService.of(node)!;
      return `The customer service ${describeService(service)} declares no usage metric (addUsageMetric was never called), `
        + 'so its unit cost cannot be computed.';
    },
  },
};

/**
 * Checks that every resource of an app belongs to a declared customer service and carries its tags, and
 * that every service reports its cost, has its value reviewed on schedule, declares a usage metric and is gone once
 * its value review decided to retire it.
 *
 * A cdk-nag v3 pack: register it with `Validations.of(app).addPlugins(new CustomerValueChecks(app))`.
 * Rules (ids `CustomerValue-<Rule>`):
 * - `ResourceOutsideService` (error): a resource outside any `CustomerService`.
 * - `TagsMissingOrOverridden` (error): a taggable resource whose customer-value tags are missing or differ
 *   from its service's declaration in the synthesized template.
 * - `CostReportingDisabled` (warning): a service with cost reporting disabled.
 * - `ValueReviewOverdue` (warning; error with the context `customer-value:strictReviews` = true).
 * - `NoUsageMetric` (warning): a service without a usage metric.
 * - `RetiredServiceDeployed` (warning): a service whose last value review decided to retire it, still in the app
 *   after the grace period (context `customer-value:retirementGraceDays`, 90 days by default).
 *
 * Service-level rules are reported once per service, on its first resource; acknowledge them on the
 * service: `Validations.of(service).acknowledge({ id: 'CustomerValue-NoUsageMetric', reason })`.
 *
 * Each finding names the resource (type and path) or the service, and the report's "suggested fix" says
 * how to fix it. Errors fail synthesis; warnings are reported without failing it (unless the app runs in
 * the construct-library strict mode `@aws-cdk/core:strictCfnValidateErrors`).
 *
 * @example
 * const app = new App();
 * Validations.of(app).addPlugins(new CustomerValueChecks(app));
 */
export class CustomerValueChecks extends NagPack {
  /** The plugin name shown in validation reports. */
  public readonly name: string;
  private readonly verboseDescriptions: boolean;
  private readonly resourcesByPath = new Map<string, CfnResource>();

  /**
   * @param scope the app (or stage) the pack is registered on
   * @param props pack options (`verbose` adds the explanation to each description; the explanation is
   *   always reported as the suggested fix)
   */
  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = PACK_NAME;
    this.name = PACK_NAME;
    // CustomerService reads this mark to leave to the pack what the pack reports (an overdue value review)
    Object.defineProperty(this, CUSTOMER_VALUE_PACK, { value: true });
    this.verboseDescriptions = props?.verbose ?? false;
  }

  /**
   * Validate a construct tree (the app, a stage or a stack) and return one violation per finding.
   *
   * Call it after synthesis (`app.synth()`) when calling it directly: the customer-value tags are applied by
   * aspects that run during synthesis. Registered with `Validations.of(app).addPlugins()`, the pack runs
   * after synthesis.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.resourcesByPath.clear();
    const report = super.validateScope(scope);
    const ctx: DetailContext = { consumers: new ConsumerIndex() };
    const violations: PolicyViolation[] = [];
    for (const violation of report.violations) {
      const ruleName = violation.ruleName.slice(PACK_NAME.length + 1);
      const text = TEXT[ruleName];
      if (!text || violation.description.startsWith('Rule threw an error')) {
        violations.push(violation);
        continue;
      }
      for (const resource of violation.violatingResources) {
        const node = this.resourcesByPath.get(resource.constructPath ?? '');
        const detail = node ? text.detail(node, ctx) : text.info;
        violations.push({
          ruleName: violation.ruleName,
          description: this.verboseDescriptions ? `${detail} ${text.explanation}` : detail,
          fix: text.explanation,
          severity: violation.severity,
          violatingResources: [resource],
        });
      }
    }
    return { success: !violations.some((v) => v.severity === 'error'), violations };
  }

  protected checkResource(node: CfnResource): void {
    // a refused declaration is reported by the cdk CLI (its problems): its resources have no tags and no reporting
    // by design, and findings about that would bury the problems
    if (refusedByToolkit(node)) {
      return;
    }
    this.resourcesByPath.set(node.node.path, node);
    this.checkMembership(node);
    this.checkServices(node);
  }

  /**
   * Rules about a single resource: membership and tags.
   */
  private checkMembership(node: CfnResource): void {
    this.apply(node, ResourceOutsideService, NagMessageLevel.ERROR);
    this.apply(node, TagsMissingOrOverridden, NagMessageLevel.ERROR);
  }

  /**
   * Rules about a service, evaluated on the service's first resource.
   */
  private checkServices(node: CfnResource): void {
    if (isExempt(node)) {
      return;
    }
    const service = CustomerService.of(node);
    if (!service || anchorOf(service) !== node) {
      return;
    }
    this.apply(node, CostReportingDisabled, NagMessageLevel.WARN);
    this.apply(node, ValueReviewOverdue, strictReviews(service) ? NagMessageLevel.ERROR : NagMessageLevel.WARN);
    this.apply(node, NoUsageMetric, NagMessageLevel.WARN);
    this.apply(node, RetiredServiceDeployed, NagMessageLevel.WARN);
  }

  private apply(node: CfnResource, rule: IApplyRule['rule'], level: NagMessageLevel): void {
    const text = TEXT[rule.name];
    this.applyRule({ info: text.info, explanation: text.explanation, level, rule, node });
  }
}
