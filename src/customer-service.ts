import { Annotations, AspectPriority, Aspects, CfnResource, Lazy, Stack, Stage, Tag, Tags, TagManager, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { ContextKeys } from './context-keys';
import { Customer, CustomerKind } from './customer';
import {
  MEMBER_METADATA_TYPE, MemberRecord, SERVICE_METADATA_SCHEMA, SERVICE_METADATA_TYPE, ServiceDeclarationRecord,
  ServiceResourceCounts, CostReportingRecord, UsageMetricRecord, ValueReviewRecord,
} from './declaration/record';
import { closest, isPlaceholder, words } from './private/placeholders';
import { deriveTagValue, kebabFromId } from './private/tag-safe';
import { usageRecord } from './private/usage-record';
import { CostReportingOptions } from './reporting/cost-reporting-options';
import { ServiceCostReporting } from './reporting/service-cost-reporting';
import { TagKeys } from './tag-keys';
import { ValueReview, ValueReviewStatus } from './value-review';

/**
 * The declaration of a customer service.
 */
export interface CustomerServiceProps {
  /**
   * The customer need this service fulfils, as a sentence of at least three words
   * (e.g. "Shoppers pay for their basket in one step").
   *
   * Any text is accepted; the `customer-need` tag carries a tag-safe form derived from it
   * (see the README, "How the need becomes a tag value").
   */
  readonly customerNeed: string;

  /**
   * Who the customer is: `Customer.external('Online shoppers')` or `Customer.internal('Finance controlling')`.
   */
  readonly customer: Customer;

  /**
   * The joint development-and-operations team that owns the service.
   *
   * Used as-is as a tag value and a cost category value: 1-50 ASCII letters, digits, spaces, `_` and `-`,
   * starting with a letter or digit. When the context `customer-value:teams` lists the known teams, it must
   * be one of them.
   */
  readonly team: string;

  /**
   * The business unit that reviews the value this service delivers.
   *
   * Used as-is as a tag value and a cost category value: 1-50 ASCII letters, digits, spaces, `_` and `-`,
   * starting with a letter or digit. When the context `customer-value:businessUnits` lists the known units,
   * it must be one of them.
   */
  readonly businessUnit: string;

  /**
   * The service's name: the value of the `customer-service` tag and the key of its budget, dashboard,
   * cost metrics and reports. Unique within an app (or stage).
   *
   * 1-50 ASCII letters, digits, `_` and `-`, starting with a letter or digit.
   *
   * @default - the construct id in kebab-case (`OrderHistory` becomes `order-history`)
   */
  readonly serviceName?: string;

  /**
   * When the business unit reviews the service's value. An overdue review is a warning, or an error when
   * the context `customer-value:strictReviews` is true.
   *
   * @default - no review schedule is recorded
   */
  readonly valueReview?: ValueReview;

  /**
   * Cost and usage reporting for the service (budget and alerts, dashboard, daily cost metric, unit cost).
   *
   * @default - reporting on: an auto-adjusting budget, a dashboard and the daily cost metric; budget alerts
   * need a target (`notify`), without one the budget has no notifications and a warning says so
   */
  readonly costReporting?: CostReportingOptions;

  /**
   * The tag keys. Set them once per app instead, with the `customer-value:tagKeys` context or
   * `TagKeys.useForApp()`; when given here they must match the app's keys.
   *
   * @default TagKeys.of(this)
   */
  readonly tagKeys?: TagKeys;
}

/**
 * Options for a usage metric of a customer service.
 */
export interface UsageMetricOptions {
  /**
   * Use this metric as the unit of the unit-cost metric (cost per order, per request...).
   *
   * @default - the first usage metric added is the unit, unless another one sets `unit: true`
   */
  readonly unit?: boolean;

  /**
   * Express the unit cost per this many units (e.g. 1000 for "cost per 1 000 orders").
   *
   * @default 1
   */
  readonly unitScale?: number;
}

/**
 * A usage metric registered on a customer service.
 */
export interface UsageMetric {
  /** Name of the metric, e.g. "orders". */
  readonly name: string;
  /** The CloudWatch metric counting the service's demand. */
  readonly metric: cloudwatch.IMetric;
  /** Whether this metric is the unit of the unit-cost metric. */
  readonly unit: boolean;
  /** Unit cost is expressed per this many units. */
  readonly unitScale: number;
}

interface RootRegistry {
  readonly services: CustomerService[];
  /** Services by name, built on first use after the last declaration (duplicate-name check, linear in N). */
  byName?: Map<string, CustomerService[]>;
}

const REGISTRY = new WeakMap<IConstruct, RootRegistry>();
const INCLUDED = new WeakMap<IConstruct, CustomerService>();
const SERVICE_SYMBOL = Symbol.for('cdk-customer-value.CustomerService');

const NEED_EXAMPLE = '(e.g. "Shoppers pay for their basket in one step")';
const NAME_SAFE = /^[A-Za-z0-9][A-Za-z0-9 _-]*$/;
const NAME_SAFE_DESCRIPTION = '1-50 ASCII letters, digits, spaces, _ and -, starting with a letter or digit, no trailing space';
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * A service grouped around customer value: it fulfils a customer need, of an internal or external customer,
 * is owned by a joint dev-and-ops team and linked to a business unit that reviews its value.
 *
 * Put the service's resources inside it (it is their scope). It then:
 * - refuses to synthesize unless the need, the customer, the team and the business unit are declared with
 *   real values (every problem is reported at synth, with the construct path, the field, the value received
 *   and what is accepted);
 * - tags every taggable resource inside it (and in scopes added with `include()`) with the five
 *   customer-value tags, at priority `CustomerService.TAG_PRIORITY` so ordinary user tags cannot override them;
 * - records its declaration as `customer-value:service` metadata in the cloud assembly;
 * - wires up cost and usage reporting (see `costReporting`).
 *
 * @example
 * const checkout = new CustomerService(this, 'Checkout', {
 *   customerNeed: 'Shoppers pay for their basket in one step',
 *   customer: Customer.external('Online shoppers'),
 *   team: 'payments',
 *   businessUnit: 'retail',
 * });
 */
export class CustomerService extends Construct {
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
    return x !== null && typeof x === 'object' && SERVICE_SYMBOL in x;
  }

  /**
   * The customer service a construct belongs to (as a descendant, or through `include()`), or undefined.
   */
  public static of(construct: IConstruct): CustomerService | undefined {
    let node: IConstruct | undefined = construct;
    while (node) {
      if (CustomerService.isCustomerService(node)) {
        return node;
      }
      const included = INCLUDED.get(node);
      if (included) {
        return included;
      }
      node = node.node.scope;
    }
    return undefined;
  }

  /**
   * Every customer service declared under `scope` (for instance the app), in declaration order.
   */
  public static all(scope: IConstruct): CustomerService[] {
    const registry = REGISTRY.get(scope.node.root);
    if (!registry) {
      return [];
    }
    if (scope.node.root === scope) {
      return [...registry.services];
    }
    const prefix = `${scope.node.path}/`;
    return registry.services.filter((s) => s.node.path.startsWith(prefix));
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
   * Internal: how the cost-reporting wiring describes itself in the metadata.
   * @internal
   */
  public _costReportingRecord?: () => CostReportingRecord;
  /**
   * Internal: the usage metrics discovered from the service's resources.
   * @internal
   */
  public _discoveredUsageMetrics?: () => UsageMetricRecord[];

  private readonly declarationErrors: string[] = [];
  private readonly included: IConstruct[] = [];
  private readonly usage: UsageMetric[] = [];
  private readonly today: string;
  private tagsApplied = false;
  /** Set when synthesis has invoked the aspects (so the tags are on the resources). */
  private aspectsInvoked = false;
  /** The need's tag value, derived once (the need is read-only; checks read the tags for every resource). */
  private needTag?: string;

  constructor(scope: Construct, id: string, props: CustomerServiceProps) {
    super(scope, id);
    Object.defineProperty(this, SERVICE_SYMBOL, { value: true });
    const p: Partial<CustomerServiceProps> = props ?? {};
    const errors = this.declarationErrors;

    this.customerNeed = p.customerNeed as string;
    this.customer = p.customer as Customer;
    this.team = p.team as string;
    this.businessUnit = p.businessUnit as string;
    this.valueReview = p.valueReview;
    this.costReportingOptions = p.costReporting ?? {};
    this.costReportingEnabled = this.costReportingOptions.enabled !== false;
    this.today = this.resolveToday(errors);

    // -- tag keys: one set per app
    const appKeys = this.safely(errors, () => TagKeys.of(this)) ?? TagKeys.DEFAULT;
    if (p.tagKeys !== undefined && !(p.tagKeys instanceof TagKeys)) {
      errors.push(`tagKeys is ${describe(p.tagKeys)}: pass TagKeys.custom({...}) or TagKeys.DEFAULT`);
      this.tagKeys = appKeys;
    } else if (p.tagKeys && !p.tagKeys.sameAs(appKeys)) {
      errors.push(`tagKeys is ${JSON.stringify(p.tagKeys.toJson())} but the app uses ${JSON.stringify(appKeys.toJson())}: tag keys are set once per app (context "${ContextKeys.TAG_KEYS}" or TagKeys.useForApp) so that every report groups by the same keys`);
      this.tagKeys = p.tagKeys;
    } else {
      this.tagKeys = p.tagKeys ?? appKeys;
    }

    // -- the declaration
    this.checkNeed(p.customerNeed, errors);
    this.checkCustomer(p.customer, errors);
    this.checkName('team', p.team, errors, ContextKeys.TEAMS, 'the owning team, e.g. "payments"');
    this.checkName('businessUnit', p.businessUnit, errors, ContextKeys.BUSINESS_UNITS, 'the business unit that reviews its value, e.g. "retail"');
    this.serviceName = this.checkServiceName(id, p.serviceName, errors);
    this.checkReview(p.valueReview, errors);
    this.checkNesting(errors);

    // -- registry (for all(), of() and duplicate names)
    const root = this.node.root;
    let registry = REGISTRY.get(root);
    if (!registry) {
      registry = { services: [] };
      REGISTRY.set(root, registry);
    }
    registry.services.push(this);
    registry.byName = undefined;

    // -- tags, only on a sound declaration (synthesis fails otherwise)
    if (errors.length === 0) {
      this.applyTags(this);
      this.tagsApplied = true;
    }

    this.observeAspects();
    this.node.addMetadata(SERVICE_METADATA_TYPE, Lazy.any({ produce: () => this.declarationRecord() }));
    this.node.addValidation({ validate: () => this.validateService() });

    // -- cost and usage reporting, only on a sound declaration
    if (this.costReportingEnabled && errors.length === 0) {
      const reporting = new ServiceCostReporting(this, ServiceCostReporting.ID, { ...this.costReportingOptions, service: this });
      this._costReportingRecord = () => reporting._record();
      this._discoveredUsageMetrics = () => reporting._discoveredUsageRecords();
    }
  }

  /**
   * The five customer-value tags (key → value) this service puts on every taggable resource.
   */
  public get tags(): Record<string, string> {
    const k = this.tagKeys;
    return {
      [k.service]: this.serviceName,
      [k.need]: this.needTagValue,
      [k.customer]: Customer.isCustomer(this.customer) ? this.customer.tagValue : String(this.customer),
      [k.team]: this.team,
      [k.businessUnit]: this.businessUnit,
    };
  }

  /**
   * The tag value derived from the need statement (see the README, "How the need becomes a tag value").
   */
  public get needTagValue(): string {
    if (this.needTag === undefined) {
      this.needTag = typeof this.customerNeed === 'string' ? deriveTagValue(this.customerNeed) : '';
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
    const review = this.reviewDates();
    return review?.next;
  }

  /**
   * Where the service stands against its value review schedule, as of today (or the
   * `customer-value:today` context).
   */
  public get valueReviewStatus(): ValueReviewStatus {
    const review = this.reviewDates();
    if (!review) {
      return ValueReviewStatus.NOT_SCHEDULED;
    }
    if (review.next < this.today) {
      return ValueReviewStatus.OVERDUE;
    }
    const daysLeft = (Date.parse(review.next) - Date.parse(this.today)) / DAY_MS;
    return daysLeft <= 14 ? ValueReviewStatus.DUE_SOON : ValueReviewStatus.OK;
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
      this.declarationErrors.push(`include() got ${describe(scope)}: pass a construct (a stack or any construct holding the service's resources)`);
      return;
    }
    if (CustomerService.of(scope) === this || this.included.includes(scope)) {
      return;
    }
    const problem = this.includeProblem(scope);
    if (problem) {
      this.declarationErrors.push(problem);
      return;
    }
    this.included.push(scope);
    INCLUDED.set(scope, this);
    if (this.tagsApplied) {
      this.applyTags(scope);
    }
    if (Stack.isStack(scope) || this.hasStack(scope)) {
      const member: MemberRecord = { serviceName: this.serviceName, servicePath: this.node.path };
      scope.node.addMetadata(MEMBER_METADATA_TYPE, member);
    }
  }

  /**
   * Register a usage metric: the service's demand driver (orders, requests, active customers...).
   *
   * Usage metrics are shown on the service's dashboard; the first one (or the one added with
   * `unit: true`) is the unit of the unit-cost metric (cost per order, per 1 000 requests...).
   *
   * @param name a short name, e.g. "orders" (1-64 letters, digits, spaces, `_` or `-`)
   * @param metric the CloudWatch metric counting it (use a Sum statistic for counts)
   */
  public addUsageMetric(name: string, metric: cloudwatch.IMetric, options: UsageMetricOptions = {}): void {
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$/.test(name)) {
      throw new Error(`[${this.node.path}] addUsageMetric: name is ${describe(name)}: use 1-64 letters, digits, spaces, _ or -, starting with a letter or digit (e.g. "orders")`);
    }
    if (this.usage.some((u) => u.name === name)) {
      throw new Error(`[${this.node.path}] addUsageMetric: name "${name}" is already registered on this service: each usage metric needs its own name`);
    }
    if (!metric || typeof (metric as cloudwatch.IMetric).toMetricConfig !== 'function') {
      throw new Error(`[${this.node.path}] addUsageMetric("${name}"): metric is ${describe(metric)}: pass a CloudWatch metric (e.g. api.metricCount() or new cloudwatch.Metric({...}))`);
    }
    const scale = options.unitScale ?? 1;
    if (Token.isUnresolved(scale) || !Number.isFinite(scale) || scale <= 0) {
      throw new Error(`[${this.node.path}] addUsageMetric("${name}"): unitScale is ${describe(scale)}: use a positive number such as 1 or 1000`);
    }
    let unit = options.unit === true || (options.unit === undefined && this.usage.length === 0);
    if (options.unit === true) {
      this.usage.forEach((u, i) => {
        if (u.unit) {
          this.usage[i] = { ...u, unit: false };
        }
      });
    } else if (options.unit === undefined && this.usage.some((u) => u.unit)) {
      unit = false;
    }
    this.usage.push({ name, metric, unit, unitScale: scale });
  }

  /**
   * The declaration as recorded in the cloud assembly (`customer-value:service` metadata).
   * @internal
   */
  public _declarationRecord(): ServiceDeclarationRecord {
    return this.declarationRecord();
  }

  // ------------------------------------------------------------------ validation

  private validateService(): string[] {
    const errors = [...this.declarationErrors];
    // duplicate service names within the stage (through a name index: a scan of every service per service was
    // quadratic in the number of services)
    const stage = Stage.of(this) ?? this.node.root;
    const registry = REGISTRY.get(this.node.root);
    if (registry && !registry.byName) {
      registry.byName = new Map();
      for (const s of registry.services) {
        registry.byName.set(s.serviceName, [...(registry.byName.get(s.serviceName) ?? []), s]);
      }
    }
    const others = (registry?.byName?.get(this.serviceName) ?? []).filter((s) => s !== this && (Stage.of(s) ?? s.node.root) === stage);
    if (others.length > 0 && this.serviceName) {
      errors.push(`serviceName is "${this.serviceName}", already declared by ${others.map((o) => o.node.path).join(', ')}: service names are unique within an app (they key the cost tag, budgets, dashboards and reports); choose another serviceName`);
    }
    // included scopes that grew another service after include()
    for (const scope of this.included) {
      const inner = CustomerService.all(scope).filter((s) => s !== this);
      if (inner.length > 0) {
        errors.push(`include(${scope.node.path}) covers the customer service ${inner.map((s) => s.node.path).join(', ')}: a resource belongs to exactly one service; include a narrower scope`);
      }
    }
    // value review, strict mode
    if (this.valueReviewStatus === ValueReviewStatus.OVERDUE && this.strictReviews()) {
      errors.push(`valueReview is overdue: the last review was ${this.valueReview!.lastReviewed} and the next was due ${this.nextValueReview} (checked on ${this.today}); ${ContextKeys.STRICT_REVIEWS} is true, so review the service's value with the business unit and update lastReviewed`);
    }
    // the tags are applied by aspects, so they can only be checked once synthesis has invoked them
    if (this.tagsApplied && this.aspectsInvoked) {
      errors.push(...this.takeInventory().overrides);
    }
    return errors;
  }

  /** One walk over the service's resources (its subtree and included scopes): counts and tag overrides. */
  private takeInventory(): { counts: ServiceResourceCounts; overrides: string[] } {
    const expected = this.tags;
    const untaggable: Record<string, number> = {};
    const overridden: string[] = [];
    let total = 0;
    let taggable = 0;
    let tagged = 0;
    const seen = new Set<IConstruct>();
    for (const top of [this, ...this.included]) {
      const queue: IConstruct[] = [top];
      while (queue.length > 0) {
        const node = queue.pop()!;
        if (seen.has(node)) {
          continue;
        }
        seen.add(node);
        queue.push(...node.node.children);
        if (!CfnResource.isCfnResource(node) || node.cfnResourceType === 'AWS::CDK::Metadata') {
          continue;
        }
        total++;
        const tm = tagManagerOf(node);
        if (!tm) {
          untaggable[node.cfnResourceType] = (untaggable[node.cfnResourceType] ?? 0) + 1;
          continue;
        }
        taggable++;
        const values = tm.tagValues();
        const wrong = Object.entries(expected).filter(([k, v]) => values[k] !== v);
        if (wrong.length === 0) {
          tagged++;
        } else {
          overridden.push(`${node.node.path} (${wrong.map(([k, v]) => `${k}=${values[k] === undefined ? '<removed>' : JSON.stringify(values[k])} instead of ${JSON.stringify(v)}`).join(', ')})`);
        }
      }
    }
    const overrides = overridden.length === 0 ? [] : [
      `${overridden.length} resource(s) carry customer-value tags that differ from the declaration: ${overridden.slice(0, 5).join('; ')}${overridden.length > 5 ? `; and ${overridden.length - 5} more` : ''}. Tags set with a priority of ${CustomerService.TAG_PRIORITY} or more (or escape hatches) must not change the customer-value tags: remove them, or declare the resources in the service they belong to`,
    ];
    return { counts: { total, taggable, tagged, untaggableByType: sortKeys(untaggable) }, overrides };
  }

  // ------------------------------------------------------------------ declaration checks

  private checkNeed(value: unknown, errors: string[]): void {
    const hint = `declare the customer need this service fulfils, as a sentence ${NEED_EXAMPLE}`;
    const common = this.commonProblem('customerNeed', value, hint);
    if (common) {
      errors.push(common);
      return;
    }
    const need = value as string;
    if (isPlaceholder(need)) {
      errors.push(`customerNeed is ${JSON.stringify(need)}: a placeholder, not a need; ${hint}`);
    } else if (words(need).length < 3) {
      errors.push(`customerNeed is ${JSON.stringify(need)}: a label, not a need; describe what the customer gets done in a sentence of at least three words ${NEED_EXAMPLE}`);
    } else if (need.length > 1024) {
      errors.push(`customerNeed is ${need.length} characters long: a need is one sentence (at most 1024 characters); move the details to the service's documentation`);
    }
  }

  private checkCustomer(value: unknown, errors: string[]): void {
    const hint = 'declare who the customer is with Customer.external("Online shoppers") or Customer.internal("Finance controlling")';
    if (value === undefined || value === null) {
      errors.push(`customer is missing: ${hint}`);
      return;
    }
    if (typeof value === 'string') {
      errors.push(`customer is ${JSON.stringify(value)} (a string): ${hint}, which also says whether the customer is external or internal`);
      return;
    }
    if (!Customer.isCustomer(value)) {
      errors.push(`customer is ${describe(value)}: ${hint}`);
      return;
    }
    const kind = value.kind === CustomerKind.EXTERNAL ? 'external' : 'internal';
    const nameHint = `name the ${kind} customer, e.g. Customer.${kind}(${kind === 'external' ? '"Online shoppers"' : '"Finance controlling"'})`;
    const common = this.commonProblem('customer name', value.name, nameHint);
    if (common) {
      errors.push(common);
    } else if (isPlaceholder(value.name)) {
      errors.push(`customer name is ${JSON.stringify(value.name)}: a placeholder; ${nameHint}`);
    } else if (value.name.length > 200) {
      errors.push(`customer name is ${value.name.length} characters long: at most 200 characters; ${nameHint}`);
    }
  }

  private checkName(field: 'team' | 'businessUnit', value: unknown, errors: string[], registryKey: string, what: string): void {
    const hint = `declare ${what}`;
    const common = this.commonProblem(field, value, hint);
    if (common) {
      errors.push(common);
      return;
    }
    const name = value as string;
    if (isPlaceholder(name)) {
      errors.push(`${field} is ${JSON.stringify(name)}: a placeholder; ${hint}`);
      return;
    }
    if (name.length > 50) {
      errors.push(`${field} is ${JSON.stringify(name)} (${name.length} characters): at most 50 characters, the limit of AWS cost category values`);
      return;
    }
    if (!NAME_SAFE.test(name) || name !== name.trim()) {
      const bad = [...new Set([...name].filter((c) => !/[A-Za-z0-9 _-]/.test(c)))];
      const detail = bad.length > 0 ? `; ${bad.map((c) => JSON.stringify(c)).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not allowed` : '';
      errors.push(`${field} is ${JSON.stringify(name)}: it is used as-is as a tag value and cost category value, so it must be ${NAME_SAFE_DESCRIPTION}${detail}`);
      return;
    }
    const registry = this.readRegistry(registryKey, errors);
    if (registry && !registry.includes(name)) {
      const suggestion = closest(name, registry);
      errors.push(`${field} is ${JSON.stringify(name)}, which is not in the registry "${registryKey}" (${registry.join(', ')})${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''} Use a registered name, or add it to the registry in cdk.json`);
    }
  }

  private checkServiceName(id: string, value: unknown, errors: string[]): string {
    if (value === undefined) {
      const derived = kebabFromId(id).slice(0, 50).replace(/-+$/, '');
      if (!SERVICE_NAME.test(derived)) {
        errors.push(`serviceName is not set and the construct id ${JSON.stringify(id)} gives no usable default: set serviceName (1-50 ASCII letters, digits, _ and -, e.g. "checkout")`);
      }
      return derived;
    }
    const hint = 'name the service, e.g. "checkout" (1-50 ASCII letters, digits, _ and -, starting with a letter or digit), or leave serviceName out to derive it from the construct id';
    const common = this.commonProblem('serviceName', value, hint);
    if (common) {
      errors.push(common);
      return typeof value === 'string' ? value : '';
    }
    const name = value as string;
    if (isPlaceholder(name)) {
      errors.push(`serviceName is ${JSON.stringify(name)}: a placeholder; ${hint}`);
    } else if (!SERVICE_NAME.test(name)) {
      const bad = [...new Set([...name].filter((c) => !/[A-Za-z0-9_-]/.test(c)))];
      errors.push(`serviceName is ${JSON.stringify(name)}: it names the service's tag value, budget, dashboard and metrics, so it must be 1-50 ASCII letters, digits, _ and -, starting with a letter or digit${name.length > 50 ? ` (it has ${name.length} characters)` : ''}${bad.length > 0 ? `; ${bad.map((c) => JSON.stringify(c)).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not allowed` : ''}`);
    }
    return name;
  }

  private checkReview(value: ValueReview | undefined, errors: string[]): void {
    if (value === undefined) {
      return;
    }
    if (value === null || typeof value !== 'object') {
      errors.push(`valueReview is ${describe(value)}: pass { every: Duration.days(90), lastReviewed: "2026-10-01", reviewer: "retail-board" }`);
      return;
    }
    const before = errors.length;
    const every = value.every as any;
    if (every === undefined || every === null || typeof every.toDays !== 'function') {
      errors.push(`valueReview.every is ${describe(every)}: pass a Duration such as Duration.days(90)`);
    } else if (Token.isUnresolved(every.toSeconds({ integral: false }))) {
      errors.push('valueReview.every is an unresolved token: declarations must be known at synth; pass a literal such as Duration.days(90)');
    } else {
      const days = every.toSeconds({ integral: false }) / 86400;
      if (!Number.isInteger(days) || days < 1 || days > 731) {
        errors.push(`valueReview.every is ${every.toHumanString()}: use whole days between 1 and 731 (e.g. Duration.days(90))`);
      }
    }
    const last = value.lastReviewed;
    if (typeof last !== 'string' || Token.isUnresolved(last)) {
      errors.push(`valueReview.lastReviewed is ${describe(last)}: give the date of the last review as YYYY-MM-DD (e.g. "2026-10-01")`);
    } else if (!isIsoDate(last)) {
      errors.push(`valueReview.lastReviewed is ${JSON.stringify(last)}: not a date; give the date of the last review as YYYY-MM-DD (e.g. "2026-10-01")`);
    } else if (last > this.today) {
      errors.push(`valueReview.lastReviewed is ${JSON.stringify(last)}, after today (${this.today}): a review cannot be in the future; give the date of the last review`);
    }
    if (value.reviewer !== undefined) {
      const common = this.commonProblem('valueReview.reviewer', value.reviewer, 'name who reviews the value (e.g. "retail-board"), or leave reviewer out');
      if (common) {
        errors.push(common);
      } else if (isPlaceholder(value.reviewer)) {
        errors.push(`valueReview.reviewer is ${JSON.stringify(value.reviewer)}: a placeholder; name who reviews the value (e.g. "retail-board"), or leave reviewer out`);
      } else if (value.reviewer.length > 256) {
        errors.push(`valueReview.reviewer is ${value.reviewer.length} characters long: at most 256`);
      }
    }
    if (errors.length === before && this.valueReviewStatus === ValueReviewStatus.OVERDUE && !this.strictReviews()) {
      Annotations.of(this).addWarningV2('cdk-customer-value:CustomerService.valueReviewOverdue',
        `The value review of "${this.serviceName ?? this.node.id}" is overdue: the last review was ${last} and the next was due ${this.nextValueReview} (checked on ${this.today}). Review the service's value with the business unit and update valueReview.lastReviewed. Set the context ${ContextKeys.STRICT_REVIEWS}=true to refuse synthesis instead.`);
    }
  }

  private checkNesting(errors: string[]): void {
    const scopes = this.node.scopes;
    for (let i = scopes.length - 2; i >= 0; i--) {
      const outer = scopes[i];
      const owner = CustomerService.isCustomerService(outer) ? outer : INCLUDED.get(outer);
      if (owner) {
        errors.push(`this service is nested inside the customer service ${owner.node.path}${owner === outer ? '' : ` (through include(${outer.node.path}))`}: a resource belongs to exactly one service; declare services side by side`);
        return;
      }
    }
  }

  private includeProblem(scope: IConstruct): string | undefined {
    const path = scope.node.path || '<app>';
    if (this.node.scopes.includes(scope)) {
      return `include(${path}) would cover this service itself and everything around it: include the scope that holds the service's other resources, such as its other stack`;
    }
    const owner = CustomerService.of(scope);
    if (owner) {
      return `include(${path}): that scope already belongs to the customer service ${owner.node.path}; a resource belongs to exactly one service`;
    }
    const inner = CustomerService.all(scope).filter((s) => s !== this);
    if (inner.length > 0) {
      return `include(${path}) covers the customer service ${inner.map((s) => s.node.path).join(', ')}: a resource belongs to exactly one service; include a narrower scope`;
    }
    if ((Stage.of(scope) ?? scope.node.root) !== (Stage.of(this) ?? this.node.root)) {
      return `include(${path}): that scope is in another stage than the service; declare the service in each stage instead`;
    }
    return undefined;
  }

  /** missing / wrong type / token / blank. */
  private commonProblem(field: string, value: unknown, hint: string): string | undefined {
    if (value === undefined || value === null) {
      return `${field} is missing: ${hint}`;
    }
    if (typeof value !== 'string') {
      return `${field} is ${describe(value)}, not a string: ${hint}`;
    }
    if (Token.isUnresolved(value)) {
      return `${field} is an unresolved token (${value}): declarations must be known at synth, because budgets, cost categories and reports depend on them; pass a literal string`;
    }
    if (value.trim().length === 0) {
      return `${field} is ${value.length === 0 ? 'empty' : 'blank'}: ${hint}`;
    }
    return undefined;
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Records when synthesis invokes the aspects on this service (`aspectsInvoked`), so that the tag-override check
   * runs only once the tags are on the resources. The service's own tag aspect is observed: an aspect of its own
   * would be invoked on every construct of the service, which costs measurably at hundreds of services (aspect
   * bookkeeping per construct grows with the number of aspects). Only needed when the tags were applied.
   */
  private observeAspects(): void {
    if (!this.tagsApplied) {
      return;
    }
    const all = Aspects.of(this).all;
    const last = all[all.length - 1];
    if (last instanceof Tag) {
      const visit = last.visit.bind(last);
      last.visit = (node: IConstruct) => {
        if (node === this) {
          this.aspectsInvoked = true;
        }
        visit(node);
      };
      return;
    }
    // not the tag aspect this service just added (another copy of aws-cdk-lib?): an aspect of its own
    Aspects.of(this).add({
      visit: (node: IConstruct) => {
        if (node === this) {
          this.aspectsInvoked = true;
        }
      },
    }, { priority: AspectPriority.READONLY });
  }

  private applyTags(scope: IConstruct): void {
    for (const [key, value] of Object.entries(this.tags)) {
      Tags.of(scope).add(key, value, { priority: CustomerService.TAG_PRIORITY });
    }
  }

  private readRegistry(key: string, errors: string[]): string[] | undefined {
    const raw = this.node.tryGetContext(key);
    if (raw === undefined || raw === null) {
      return undefined;
    }
    const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : raw;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string') || list.length === 0) {
      errors.push(`context "${key}" is ${JSON.stringify(raw)}: expected a non-empty list of names, e.g. ["payments", "search"] (or "payments,search")`);
      return undefined;
    }
    return list as string[];
  }

  private resolveToday(errors: string[]): string {
    const ctx = this.node.tryGetContext(ContextKeys.TODAY);
    if (ctx !== undefined && ctx !== null) {
      if (typeof ctx === 'string' && isIsoDate(ctx)) {
        return ctx;
      }
      errors.push(`context "${ContextKeys.TODAY}" is ${JSON.stringify(ctx)}: expected a date YYYY-MM-DD`);
    }
    return new Date().toISOString().slice(0, 10);
  }

  private strictReviews(): boolean {
    const v = this.node.tryGetContext(ContextKeys.STRICT_REVIEWS);
    return v === true || v === 'true';
  }

  private reviewDates(): { last: string; next: string; everyDays: number } | undefined {
    const r = this.valueReview;
    if (!r || typeof r !== 'object' || typeof r.lastReviewed !== 'string' || !isIsoDate(r.lastReviewed)) {
      return undefined;
    }
    const every = r.every as any;
    if (!every || typeof every.toSeconds !== 'function' || Token.isUnresolved(every.toSeconds({ integral: false }))) {
      return undefined;
    }
    const everyDays = Math.round(every.toSeconds({ integral: false }) / 86400);
    const next = new Date(Date.parse(r.lastReviewed) + everyDays * DAY_MS).toISOString().slice(0, 10);
    return { last: r.lastReviewed, next, everyDays };
  }

  private hasStack(scope: IConstruct): boolean {
    return scope.node.scopes.some((s) => Stack.isStack(s));
  }

  private safely<T>(errors: string[], fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      errors.push((e as Error).message);
      return undefined;
    }
  }

  private declarationRecord(): ServiceDeclarationRecord {
    const review = this.reviewDates();
    const stack = this.hasStack(this) ? Stack.of(this) : undefined;
    const reviewRecord: ValueReviewRecord | undefined = review ? {
      everyDays: review.everyDays,
      lastReviewed: review.last,
      nextReview: review.next,
      reviewer: this.valueReview?.reviewer,
      status: this.valueReviewStatus,
      checkedOn: this.today,
    } : undefined;
    const declared: UsageMetricRecord[] = this.usage.map((u) => usageRecord(this, u.name, u.metric, 'declared'));
    const costReporting: CostReportingRecord = this._costReportingRecord?.() ?? {
      enabled: this.costReportingEnabled,
      disabledReason: this.costReportingOptions.disabledReason,
      monthlyBudgetUsd: this.costReportingOptions.monthlyBudget,
      unitMetric: this.unitMetric?.name,
      unitScale: this.unitMetric?.unitScale,
    };
    return {
      schemaVersion: SERVICE_METADATA_SCHEMA,
      serviceName: this.serviceName,
      customerNeed: this.customerNeed,
      customer: { kind: this.customer?.kind, name: this.customer?.name },
      team: this.team,
      businessUnit: this.businessUnit,
      valueReview: reviewRecord,
      tagKeys: this.tagKeys.toJson() as ServiceDeclarationRecord['tagKeys'],
      tags: this.tags,
      resources: this.takeInventory().counts,
      costReporting,
      usageMetrics: [...declared, ...(this._discoveredUsageMetrics?.() ?? [])],
      constructPath: this.node.path,
      stackName: stack?.stackName ?? '',
      includedScopes: this.included.map((s) => s.node.path),
    };
  }
}

/**
 * The tag manager that tags a resource: its own, or that of the L2 whose default child it is (TableV2 tags
 * its AWS::DynamoDB::GlobalTable through the replicas, with a tag manager on the L2).
 */
function tagManagerOf(resource: CfnResource): TagManager | undefined {
  const own = TagManager.of(resource);
  if (own) {
    return own;
  }
  const parent = resource.node.scope;
  return parent && parent.node.defaultChild === resource ? TagManager.of(parent) : undefined;
}

function isIsoDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) {
    return false;
  }
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array (${JSON.stringify(value).slice(0, 60)})`;
  if (typeof value === 'function') return 'a function';
  try {
    return `an object (${JSON.stringify(value).slice(0, 60)})`;
  } catch {
    return 'an object';
  }
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
