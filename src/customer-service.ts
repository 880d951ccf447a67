/*
 * Over 400 lines: the construct is the declaration's one entry point (props, include(), usage metrics, consumes(),
 * review schedule and outcome, the metadata record), and each check it runs lives in declaration/; what is left here
 * is the wiring between them.
 */
import { Annotations, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { ContextKeys } from './context-keys';
import { Allocation } from './cost-allocation';
import { Customer } from './customer';
import { ICustomerService } from './customer-service-base';
import { CustomerServiceProps } from './customer-service-props';
import { readRegistry, readRetirementGraceDays, readToday, strictReviews } from './declaration/context-settings';
import { Inventory, takeInventory } from './declaration/inventory';
import {
  MEMBER_METADATA_TYPE, MemberRecord, SERVICE_METADATA_SCHEMA, SERVICE_METADATA_TYPE, ServiceDeclarationRecord, ServiceResourceCounts,
  ShippedDeclaration,
} from './declaration/record';
import {
  coveredServicesProblem, duplicateNameProblem, includeProblem, isService, nestingProblem, recordInclude, registerService,
  serviceOf, servicesUnder,
} from './declaration/registry';
import { retireBy, ReviewSchedule } from './declaration/review-dates';
import {
  BUSINESS_UNIT_WHAT, customerProblems, describe, needProblems, ownerNameProblems, resourceTypesProblems, reviewProblems, reviewSchedule,
  SERVICE_NAME_DESCRIPTION, SERVICE_NAME_PATTERN, serviceNameProblems, TEAM_WHAT,
} from './declaration/rules';
import { ServiceChain } from './declaration/service-chain';
import { ServiceTags } from './declaration/service-tags';
import { declaredTagValues, needTagValue } from './declaration/tag-values';
import { usageMetricProblems, withUsageMetric } from './declaration/usage-metric-rules';
import { usageRecord } from './declaration/usage-record';
import { refuseOnProblems } from './private/problems';
import { kebabFromId } from './private/tag-safe';
import { customerValuePackRegistered } from './private/validation-plugins';
import { registerWhereConfigured } from './registry/auto';
import { CostReportingOptions } from './reporting/cost-reporting-options';
import { checkReportingOptions } from './reporting/options-check';
import { ServiceCostReporting } from './reporting/service-cost-reporting';
import { ICustomerServiceRef } from './service-ref';
import { resolveTagKeys, TagKeys } from './tag-keys';
import { UsageMetric, UsageMetricOptions } from './usage-metric';
import { ValueReview, ValueReviewStatus } from './value-review';

/** Warning id: a tagged resource whose tags are create-only. */
const CREATE_ONLY_TAGS_WARNING = 'cdk-customer-value:CustomerService.createOnlyTags';
/** The id of the overdue-review warning: the id of the CustomerValueChecks rule, so that one acknowledgement covers both. */
const VALUE_REVIEW_OVERDUE_WARNING = 'CustomerValue-ValueReviewOverdue';

/**
 * A service grouped around customer value: it fulfils a customer need, of an internal or external customer,
 * is owned by a joint dev-and-ops team and linked to a business unit that reviews its value.
 *
 * Put the service's resources inside it (it is their scope). It then:
 * - refuses to synthesize unless the need, the customer, the team and the business unit are declared with
 *   real values (every problem, cost-reporting options and usage metrics included, is reported at synth, with
 *   the construct path, the field, the value received and what is accepted);
 * - tags every taggable resource inside it (and in scopes added with `include()`) with the five
 *   customer-value tags, at priority `CustomerService.TAG_PRIORITY` so ordinary user tags cannot override them;
 * - records its declaration as `customer-value:service` metadata in the cloud assembly;
 * - wires up cost and usage reporting (`costReporting`).
 *
 * @example
 * const checkout = new CustomerService(this, 'Checkout', {
 *   customerNeed: 'Shoppers pay for their basket in one step',
 *   customer: Customer.external('Online shoppers'),
 *   team: 'payments',
 *   businessUnit: 'retail',
 * });
 */
export class CustomerService extends Construct implements ICustomerService {
  /**
   * Priority of the customer-value tags. Tags added with `Tags.of()` at the default priority (100), and
   * `Tags.of().remove()` (200), cannot change them; a tag forced at this priority or above, or an escape
   * hatch that rewrites tags, makes synthesis fail with an error naming the resource.
   */
  public static readonly TAG_PRIORITY = 1000;

  /**
   * Whether `x` is a `CustomerService`.
   */
  public static isCustomerService(x: any): x is CustomerService {
    return isService(x);
  }

  /**
   * The customer service a construct belongs to (as a descendant, or through `include()`), or undefined.
   */
  public static of(construct: IConstruct): CustomerService | undefined {
    return serviceOf(construct) as CustomerService | undefined;
  }

  /**
   * Every customer service declared under `scope` (for instance the app), in declaration order.
   */
  public static all(scope: IConstruct): CustomerService[] {
    return servicesUnder(scope) as CustomerService[];
  }

  /** The service name: the value of the service tag. */
  public readonly serviceName: string;
  /** The customer need statement, as declared. */
  public readonly customerNeed: string;
  /** The customer. */
  public readonly customer: Customer;
  /** The owning team. */
  public readonly team: string;
  /** The business unit. */
  public readonly businessUnit: string;
  /** The value review schedule, if declared. */
  public readonly valueReview?: ValueReview;
  /** The tag keys in use. */
  public readonly tagKeys: TagKeys;
  /** The cost reporting options, as declared. */
  public readonly costReportingOptions: CostReportingOptions;
  /** Whether cost and usage reporting is on for this service. */
  public readonly costReportingEnabled: boolean;
  /**
   * The service's cost and usage reporting (budget, dashboard, alarms), when it is on and the declaration is sound.
   */
  public readonly costReporting?: ServiceCostReporting;
  /** CloudFormation resource types of the service that get no customer-value tags (`excludeResourceTypes`). */
  public readonly excludedResourceTypes: string[];
  /** How this service passes its cost on to the services that consume it (`costAllocation`). */
  public readonly costAllocation: Allocation;

  /** Every problem of the declaration, reported at synth (all at once, with the construct path). */
  private readonly problems: string[] = [];
  private readonly included: IConstruct[] = [];
  /** What it consumes and how it shares its cost (the checks live in declaration/). */
  private readonly chain: ServiceChain;
  private usage: UsageMetric[] = [];
  private readonly today: string;
  private readonly review?: ReviewSchedule;
  private readonly retireByDate?: string;
  private readonly tagsApplied: boolean;
  /** Set when synthesis has invoked the aspects (so the tags are on the resources). */
  private aspectsInvoked = false;
  /** The need's tag value, derived once (checks read the tags of every resource). */
  private needTag?: string;
  /** The inventory taken by the last validation, for the metadata record that follows it (`resourceCounts`). */
  private validatedInventory?: Inventory;

  constructor(scope: Construct, id: string, props: CustomerServiceProps) {
    super(scope, id);
    const p: Partial<CustomerServiceProps> = props ?? {};
    const problems = this.problems;

    this.customerNeed = p.customerNeed as string;
    this.customer = p.customer as Customer;
    this.team = p.team as string;
    this.businessUnit = p.businessUnit as string;
    this.valueReview = p.valueReview;
    this.costReportingOptions = p.costReporting ?? {};
    this.costReportingEnabled = this.costReportingOptions.enabled !== false;
    const today = readToday(this);
    this.today = today.value;
    this.tagKeys = this.resolveTagKeys(p.tagKeys);

    // -- the declaration (the rules live in declaration/rules.ts)
    const teams = readRegistry(this, ContextKeys.TEAMS);
    const units = readRegistry(this, ContextKeys.BUSINESS_UNITS);
    problems.push(
      ...[today.problem, teams.problem, units.problem].filter((x): x is string => x !== undefined),
      ...needProblems('customerNeed', p.customerNeed),
      ...customerProblems('customer', p.customer),
      ...ownerNameProblems('team', p.team, TEAM_WHAT, teams.value),
      ...ownerNameProblems('businessUnit', p.businessUnit, BUSINESS_UNIT_WHAT, units.value),
    );
    this.serviceName = this.resolveServiceName(id, p.serviceName);
    const exclusions = resourceTypesProblems('excludeResourceTypes', p.excludeResourceTypes);
    problems.push(...exclusions);
    this.excludedResourceTypes = exclusions.length === 0 ? [...(p.excludeResourceTypes ?? [])] : [];
    const reviewIssues = reviewProblems('valueReview', p.valueReview, this.today);
    problems.push(...reviewIssues);
    this.review = reviewIssues.length === 0 ? reviewSchedule(p.valueReview, this.today) : undefined;
    const grace = readRetirementGraceDays(this);
    if (grace.problem) {
      problems.push(grace.problem);
    }
    this.retireByDate = this.review
      ? retireBy({ lastReviewed: this.review.lastReviewed, outcome: p.valueReview?.outcome?.name }, grace.value) : undefined;
    const nested = nestingProblem(this);
    if (nested) {
      problems.push(nested);
    }
    const reporting = this.costReportingEnabled ? checkReportingOptions(this.costReportingOptions) : undefined;
    problems.push(...(reporting?.problems ?? []).map((x) => `costReporting.${x}`));

    this.chain = new ServiceChain(this, p.costAllocation, problems);
    this.costAllocation = this.chain.allocation ?? Allocation.proportional();

    registerService(this);
    const sound = problems.length === 0;
    this.tagsApplied = sound;
    // the tags, through the service's own aspect (which also says when synthesis reaches the service: on a refused
    // declaration it applies no tag, and still decides the overdue-review warning)
    this.applyTags(this);
    this.node.addMetadata(SERVICE_METADATA_TYPE, Lazy.any({ produce: () => this.declarationRecord() }));
    refuseOnProblems(this, () => this.validateService());

    // -- cost and usage reporting: it reads the declaration, so only on a sound one
    if (reporting && sound) {
      this.costReporting = new ServiceCostReporting(this, ServiceCostReporting.ID, { ...this.costReportingOptions, service: this });
    }
    // -- the organization's declaration registry, where the context names one (registry/)
    registerWhereConfigured(this);
  }

  /**
   * The five customer-value tags (key to value) this service puts on every taggable resource.
   */
  public get tagValues(): Record<string, string> {
    return declaredTagValues(this.tagKeys, this, this.needTagValue);
  }

  /**
   * The tag value derived from the need statement (see the README, "How the need becomes a tag value").
   */
  public get needTagValue(): string {
    if (this.needTag === undefined) {
      this.needTag = needTagValue(this.customerNeed);
    }
    return this.needTag;
  }

  /**
   * Scopes outside the service's subtree that were made part of it with `include()`.
   */
  public get includedScopes(): IConstruct[] {
    return [...this.included];
  }

  /**
   * The usage metrics registered with `addUsageMetric`.
   */
  public get usageMetrics(): UsageMetric[] {
    return [...this.usage];
  }

  /**
   * The usage metric that is the unit of the unit-cost metric, if any.
   */
  public get unitMetric(): UsageMetric | undefined {
    return this.usage.find((u) => u.unit);
  }

  /**
   * The date of the next value review (`YYYY-MM-DD`), if a schedule is declared.
   */
  public get nextValueReview(): string | undefined {
    return this.review?.nextReview;
  }

  /**
   * Where the service stands against its value review schedule, as of today (or the
   * `customer-value:today` context).
   */
  public get valueReviewStatus(): ValueReviewStatus {
    return (this.review?.status ?? ValueReviewStatus.NOT_SCHEDULED) as ValueReviewStatus;
  }

  /**
   * When the last value review decided to retire the service (`ValueReviewOutcome.RETIRE`): the date by which it
   * should be gone from the app (the review date plus the grace period of the context
   * `customer-value:retirementGraceDays`, 90 days by default).
   */
  public get retireBy(): string | undefined {
    return this.retireByDate;
  }

  /**
   * Whether the last value review decided to retire the service and the grace period has passed (as of today, or the
   * `customer-value:today` context) while the service is still in the app.
   */
  public get retirementOverdue(): boolean {
    return this.retireByDate !== undefined && this.retireByDate < this.today;
  }

  /**
   * Make constructs outside this service's subtree part of it (for instance the service's resources in
   * another stack of the same app): they are tagged and counted the same way.
   *
   * A scope cannot contain another customer service, belong to another service, or live in another stage.
   * Including a scope that is already inside this service changes nothing.
   */
  public include(scope: IConstruct): void {
    if (!scope || !scope.node) {
      this.problems.push(`include() got ${describe(scope)}: pass a construct (a stack or any construct holding the service's resources)`);
      return;
    }
    if (serviceOf(scope) === this || this.included.includes(scope)) {
      return;
    }
    const problem = includeProblem(this, scope);
    if (problem) {
      this.problems.push(problem);
      return;
    }
    this.included.push(scope);
    recordInclude(this, scope);
    if (this.tagsApplied) {
      this.applyTags(scope);
    }
    if (scope.node.scopes.some((s) => Stack.isStack(s))) {
      const member: MemberRecord = { serviceName: this.serviceName, servicePath: this.node.path };
      scope.node.addMetadata(MEMBER_METADATA_TYPE, member);
    }
  }

  /**
   * Declare the services this one consumes: a `CustomerService` of this app (`checkout.consumes(network)`), or a
   * service of another app by name (`checkout.consumes(ServiceRef.named('private-network'))`).
   *
   * A provider passes its cost on to its consumers by its `costAllocation`, which the `customer-value cost
   * --allocate` report and the cost categories' split charge rules follow. Consuming itself (directly or through
   * other services of the app) is refused at synth; a name no service of the app declares is a warning (it may be
   * declared in another app), checked again by the CLI across the assemblies it reads.
   *
   * @param providers the services this one consumes
   */
  public consumes(...providers: ICustomerServiceRef[]): void {
    this.chain.add(providers);
  }

  /**
   * The names of the services this one consumes (`consumes()`), in the order declared.
   */
  public get consumedServices(): string[] {
    return this.chain.consumed;
  }

  /**
   * Register a usage metric: the service's demand driver (orders, requests, active customers...).
   *
   * Usage metrics are shown on the service's dashboard; the first one (or the one added with
   * `unit: true`) is the unit of the unit-cost metric (cost per order, per 1 000 requests...).
   * A problem with the name, the metric or the options is reported at synth with the declaration's.
   *
   * @param name a short name, e.g. "orders" (1-64 letters, digits, spaces, `_` or `-`)
   * @param metric the CloudWatch metric counting it (use a Sum statistic for counts)
   * @returns the usage metric as registered
   */
  public addUsageMetric(name: string, metric: cloudwatch.IMetric, options: UsageMetricOptions = {}): UsageMetric {
    const problems = usageMetricProblems(this.usage, name, metric, options ?? {});
    if (problems.length > 0) {
      this.problems.push(...problems);
      return { name, metric, unit: false, unitScale: options?.unitScale ?? 1 };
    }
    this.usage = withUsageMetric(this.usage, name, metric, options);
    return this.usage.find((u) => u.name === name)!;
  }

  private validateService(): string[] {
    const problems = [...this.problems, ...this.chain.validate()];
    const duplicate = duplicateNameProblem(this);
    if (duplicate) {
      problems.push(duplicate);
    }
    // included scopes that grew another service after include()
    for (const scope of this.included) {
      const covered = coveredServicesProblem(this, scope);
      if (covered) {
        problems.push(covered);
      }
    }
    if (this.review?.status === 'overdue' && strictReviews(this)) {
      problems.push(`valueReview is overdue: the last review was ${this.review.lastReviewed} and the next was due ${this.review.nextReview} (checked on ${this.today}); ${ContextKeys.STRICT_REVIEWS} is true, so review the service's value with the business unit and update lastReviewed`);
    }
    // the tags are applied by aspects, so they can only be checked once synthesis has invoked them
    if (this.tagsApplied && this.aspectsInvoked) {
      this.validatedInventory = this.inventory();
      problems.push(...this.validatedInventory.overrides);
    }
    return problems;
  }

  private inventory(): Inventory {
    return takeInventory([this, ...this.included], this.tagValues, CustomerService.TAG_PRIORITY, this.excludedResourceTypes);
  }

  /**
   * The resource counts of the metadata record: from the walk the validation just made (validation runs after the
   * aspects and before the cloud assembly is written, and nothing changes the tree in between), used once so that
   * a later synthesis walks again; a walk of its own when synthesis skipped validation.
   */
  private resourceCounts(): ServiceResourceCounts {
    const taken = this.validatedInventory ?? this.inventory();
    this.validatedInventory = undefined;
    return taken.counts;
  }

  private resolveTagKeys(given: unknown): TagKeys {
    const { keys: appKeys, problems } = resolveTagKeys(this);
    this.problems.push(...problems);
    if (given === undefined) {
      return appKeys;
    }
    if (!(given instanceof TagKeys)) {
      this.problems.push(`tagKeys is ${describe(given)}: pass TagKeys.custom({...}) or TagKeys.DEFAULT`);
      return appKeys;
    }
    if (!given.sameAs(appKeys)) {
      this.problems.push(`tagKeys is ${JSON.stringify(given.toJson())} but the app uses ${JSON.stringify(appKeys.toJson())}: tag keys are set once per app (context "${ContextKeys.TAG_KEYS}" or TagKeys.useForApp) so that every report groups by the same keys`);
    }
    return given;
  }

  private resolveServiceName(id: string, value: unknown): string {
    if (value === undefined) {
      const derived = kebabFromId(id).slice(0, 50).replace(/-+$/, '');
      if (!SERVICE_NAME_PATTERN.test(derived)) {
        this.problems.push(`serviceName is not set and the construct id ${JSON.stringify(id)} gives no usable default: set serviceName (${SERVICE_NAME_DESCRIPTION}, e.g. "checkout")`);
      }
      return derived;
    }
    this.problems.push(...serviceNameProblems('serviceName', value, `name the service, e.g. "checkout" (${SERVICE_NAME_DESCRIPTION}), or leave serviceName out to derive it from the construct id`));
    return typeof value === 'string' ? value : '';
  }

  /**
   * Puts the customer-value tags on `scope` (nothing while the declaration is refused) with the service's own aspect
   * (`ServiceTags`), which reports back when synthesis reaches this service (`aspectsInvoked`, so that the tag-override
   * check runs once the tags are on the resources) and each tagged resource whose tags are create-only. One aspect per
   * scope, not one per tag: aspect bookkeeping per construct grows with the number of aspects, which counts at
   * hundreds of services.
   */
  private applyTags(scope: IConstruct): void {
    const tags = this.tagsApplied ? this.tagValues : {};
    ServiceTags.apply(scope, tags, CustomerService.TAG_PRIORITY, this.excludedResourceTypes, {
      visited: (node) => {
        if (node === this) {
          this.aspectsInvoked = true;
          this.warnOverdueReview();
          this.chain.warn();
        }
      },
      createOnly: (resource) => Annotations.of(resource).addWarningV2(CREATE_ONLY_TAGS_WARNING,
        `${resource.cfnResourceType} ${resource.node.path} carries the customer-value tags of "${this.serviceName}", and its tags are create-only `
        + '(CloudFormation registry schema): a change of these tags (a renamed team or business unit, a reworded need or customer) replaces '
        + 'the resource, which then gets a new identity (a new URL, key or ARN), and an update of a resource with a fixed physical name fails. '
        + `Keep the tags and acknowledge this warning on the resource or the service, or leave the type untagged with excludeResourceTypes: ["${resource.cfnResourceType}"] (its cost then counts as untagged).`),
    });
  }

  /**
   * An overdue review is one warning under one id: the pack's finding when CustomerValueChecks is registered, else
   * this annotation (acknowledging CustomerValue-ValueReviewOverdue on the service silences either). Decided when
   * synthesis reaches the service, once the app has registered its validation plugins.
   */
  private warnOverdueReview(): void {
    if (this.review?.status === 'overdue' && !strictReviews(this) && !customerValuePackRegistered(this)) {
      Annotations.of(this).addWarningV2(VALUE_REVIEW_OVERDUE_WARNING,
        `The value review of "${this.serviceName ?? this.node.id}" is overdue: the last review was ${this.review.lastReviewed} and the next was due ${this.review.nextReview} (checked on ${this.today}). Review the service's value with the business unit and update valueReview.lastReviewed. Set the context ${ContextKeys.STRICT_REVIEWS}=true to refuse synthesis instead.`);
    }
  }

  /**
   * The record as `ValueReviewReports` ships it to its function (`ShippedDeclaration`): the same record as the
   * `customer-value:service` metadata, from the same builder, without what is only known at synth (resource counts,
   * the review status on the synth date, the reporting details and the usage metrics found in the service's scope).
   * @internal
   */
  public _shippedRecord(): ShippedDeclaration {
    const { resources: _resources, valueReview, ...record } = this.record(false);
    if (valueReview === undefined) {
      return record;
    }
    const { status: _status, checkedOn: _checkedOn, ...review } = valueReview;
    return { ...record, valueReview: review };
  }

  /** The `customer-value:service` metadata record. */
  private declarationRecord(): ServiceDeclarationRecord {
    return this.record(true) as ServiceDeclarationRecord;
  }

  /** The record of the declaration; `atSynth` false leaves out what only synthesis knows (see `_shippedRecord`). */
  private record(atSynth: boolean): Omit<ServiceDeclarationRecord, 'resources'> & { resources?: ServiceResourceCounts } {
    const review = this.review;
    const stack = this.node.scopes.some((s) => Stack.isStack(s)) ? Stack.of(this) : undefined;
    const reporting = atSynth ? this.costReporting : undefined;
    return {
      schemaVersion: SERVICE_METADATA_SCHEMA,
      serviceName: this.serviceName,
      customerNeed: this.customerNeed,
      customer: { kind: this.customer?.kind, name: this.customer?.name },
      team: this.team,
      businessUnit: this.businessUnit,
      valueReview: review ? {
        everyDays: review.everyDays,
        lastReviewed: review.lastReviewed,
        nextReview: review.nextReview,
        reviewer: this.valueReview?.reviewer,
        status: review.status,
        checkedOn: this.today,
        outcome: this.valueReview?.outcome?.name,
        note: this.valueReview?.note,
        retireBy: this.retireByDate,
      } : undefined,
      tagKeys: this.tagKeys.toJson() as ServiceDeclarationRecord['tagKeys'],
      tags: this.tagValues,
      ...(atSynth ? { resources: this.resourceCounts() } : {}),
      costReporting: reporting?._record() ?? {
        enabled: this.costReportingEnabled,
        disabledReason: this.costReportingOptions.disabledReason,
        monthlyBudgetUsd: this.costReportingOptions.monthlyBudget,
        unitMetric: this.unitMetric?.name,
        unitScale: this.unitMetric?.unitScale,
      },
      usageMetrics: [
        ...this.usage.map((u) => usageRecord(this, u.name, u.metric, 'declared')),
        ...(reporting?._discoveredUsageRecords() ?? []),
      ],
      constructPath: this.node.path,
      stackName: stack?.stackName ?? '',
      includedScopes: this.included.map((s) => s.node.path),
      ...this.chain.record(),
    };
  }
}
