import { Annotations, AspectPriority, Aspects, Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { AttributionRule, AttributionTarget, ChargeType } from './attribution-rule';
import { ContextKeys } from '../context-keys';
import { Allocation } from '../cost-allocation';
import { CustomerService } from '../customer-service';
import {
  ATTRIBUTION_METADATA_SCHEMA, ATTRIBUTION_METADATA_TYPE, AttributionRuleKind, AttributionRuleRecord, AttributionRulesRecord,
  AttributionTargetRecord,
} from '../declaration/attribution-record';
import { attributionRecordProblems, RULE_NAME_PATTERN, ruleOverlaps } from '../declaration/attribution-record-rules';
import { readRegistry } from '../declaration/context-settings';
import { indexRuleSet } from '../declaration/rule-set-index';
import { describe } from '../declaration/rules';
import { allocationRecord } from '../declaration/value-chain-rules';
import { closest } from '../private/placeholders';
import { refuseOnProblems } from '../private/problems';
import { kebabFromId } from '../private/tag-safe';
import { registryConfigured } from '../registry/auto';

/** Warning id: a rule names a service no service of the app declares. */
const SERVICE_NOT_IN_APP_WARNING = 'cdk-customer-value:AttributionRules.serviceNotInApp';
/** Warning id: a rule matches nothing an earlier rule leaves, or part of it. */
const RULE_OVERLAP_WARNING = 'cdk-customer-value:AttributionRules.overlap';
/** Warning id: a rule set the declaration registry does not carry (its stack holds no service, so has no registration). */
const NOT_REGISTERED_WARNING = 'cdk-customer-value:AttributionRules.notRegistered';
/** Warning id: a rule set without rules. */
const EMPTY_RULE_SET_WARNING = 'cdk-customer-value:AttributionRules.empty';

/** The default precedence of a rule set. */
const DEFAULT_PRECEDENCE = 100;

/**
 * Properties of `AttributionRules`.
 */
export interface AttributionRulesProps {
  /**
   * The rules, in the order they are evaluated: the first that matches a line item attributes it. More can be added
   * with `addRule()`.
   *
   * @default - none yet
   */
  readonly rules?: AttributionRule[];

  /**
   * The rule set's name, unique across the apps whose cloud assemblies the CLI reads (1-40 ASCII letters, digits, `_`
   * and `-`). Reports name a rule as `<rule set>/<rule>`.
   *
   * @default - derived from the construct id (`SharedCosts` becomes `shared-costs`)
   */
  readonly ruleSetName?: string;

  /**
   * Where this rule set stands among the rule sets of every app read: sets are evaluated by ascending precedence,
   * then by name, so a central set (e.g. the FinOps team's, precedence 0) can go before the sets of service teams. A
   * whole number from 0 to 1000.
   *
   * @default 100
   */
  readonly precedence?: number;
}

/**
 * A rule set: where spend without a service tag goes, declared in the app with the services, and recorded in the
 * cloud assembly as `customer-value:attribution` metadata for the `customer-value` CLI, the scheduled value review and
 * `CustomerValueCostCategories`.
 *
 * Create it in a stack (its metadata is written with that stack's), e.g. the billing stack of the management account
 * or the stack of the services it concerns; it creates no resource. Rules are checked at synth with the rest of the
 * app: every problem with its rule and field, did-you-mean for a service name no service of the app declares (a
 * warning: the service may live in another app), and a warning for a rule that an earlier rule shadows.
 *
 * The semantics (evaluation order, splits, rounding, what each source can express): docs/attribution.md.
 *
 * @example
 * const rules = new AttributionRules(billingStack, 'SharedCosts', {
 *   rules: [
 *     AttributionRule.declaredStacks(),
 *     AttributionRule.accounts({ accountIds: ['111122223333'], to: AttributionTarget.businessUnit('retail') }),
 *     AttributionRule.charges({ chargeTypes: [ChargeType.TAX, ChargeType.SUPPORT], to: AttributionTarget.everyone() }),
 *   ],
 * });
 * rules.addRule(AttributionRule.resources({ resourceIds: ['arn:aws:s3:::shop-assets'], to: AttributionTarget.service(ServiceRef.named('catalog')) }));
 */
export class AttributionRules extends Construct {
  /** Whether `x` is an `AttributionRules` (also across copies of this library). */
  public static isAttributionRules(x: any): x is AttributionRules {
    return x !== null && typeof x === 'object' && RULES_SYMBOL in x;
  }

  /** Every rule set declared under `scope` (for instance the app), in declaration order. */
  public static all(scope: IConstruct): AttributionRules[] {
    const sets = SETS.get(scope.node.root) ?? [];
    if (scope.node.root === scope) {
      return [...sets];
    }
    return sets.filter((s) => s.node.scopes.includes(scope));
  }

  /** The rule set's name. */
  public readonly ruleSetName: string;
  /** Its precedence among the rule sets of every app read. */
  public readonly precedence: number;

  private readonly declared: unknown[] = [];
  private warned = false;

  constructor(scope: Construct, id: string, props: AttributionRulesProps = {}) {
    super(scope, id);
    Object.defineProperty(this, RULES_SYMBOL, { value: true });
    const p: AttributionRulesProps = props ?? {};
    this.ruleSetName = (p.ruleSetName ?? kebabFromId(id).slice(0, 40).replace(/-+$/, '')) as string;
    this.precedence = (p.precedence ?? DEFAULT_PRECEDENCE) as number;
    if (p.rules !== undefined && !Array.isArray(p.rules)) {
      this.declared.push(p.rules);
    } else {
      this.declared.push(...(p.rules ?? []));
    }
    const root = this.node.root;
    SETS.set(root, [...(SETS.get(root) ?? []), this]);
    indexRuleSet(this);
    if (this.inStack()) {
      this.node.addMetadata(ATTRIBUTION_METADATA_TYPE, Lazy.any({ produce: () => this._record() }));
    }
    refuseOnProblems(this, () => this.validateRules());
    // the warnings of a sound rule set, decided once the app is complete (the services it names are declared): when
    // synthesis reaches the rule set, not from its validation
    Aspects.of(this).add({
      visit: (node) => {
        if (node === this && !this.warned) {
          this.warned = true;
          const { record, problems } = this.check();
          if (problems.length === 0) {
            this.warn(record);
          }
        }
      },
    }, { priority: AspectPriority.READONLY });
  }

  /**
   * Add rules at the end of the rule set (they are evaluated after the rules already there).
   *
   * @param rules the rules to add
   */
  public addRule(...rules: AttributionRule[]): void {
    this.declared.push(...rules);
  }

  /** The rules, in the order they are evaluated. */
  public get rules(): AttributionRule[] {
    return this.declared.filter((r): r is AttributionRule => AttributionRule.isAttributionRule(r));
  }

  /**
   * Whether a rule matches on the CloudFormation stack (`AttributionRule.stacks()` or `.declaredStacks()`): the
   * AWS-generated cost allocation tag `aws:cloudformation:stack-name` must then be active (`CostAllocationTags`
   * activates it).
   */
  public get matchesOnStacks(): boolean {
    return this.rules.some((r) => r.kind === 'stacks' || r.kind === 'declared-stacks');
  }

  /**
   * The `customer-value:attribution` record, as written to the cloud assembly.
   * @internal
   */
  public _record(): AttributionRulesRecord {
    return this.build().record;
  }

  private inStack(): boolean {
    return this.node.scopes.some((s) => Stack.isStack(s));
  }

  /** The record, and the problems of what is not even of the right type (the record cannot say them). */
  private build(): { record: AttributionRulesRecord; problems: string[] } {
    const problems: string[] = [];
    const names = new Set(this.declared.map((r) => (AttributionRule.isAttributionRule(r) ? r.name : undefined)).filter((n) => n !== undefined));
    const rules: AttributionRuleRecord[] = [];
    this.declared.forEach((rule, i) => {
      if (!AttributionRule.isAttributionRule(rule)) {
        problems.push(`rules[${i}] is ${describe(rule)}: pass rules made with AttributionRule.accounts(), .stacks(), .declaredStacks(), .charges() or .resources()`);
        return;
      }
      const name = rule.name ?? uniqueName(defaultName(rule), names);
      const at = `rules[${i}] (${JSON.stringify(name)})`;
      rules.push({
        name: name as string,
        kind: rule.kind as AttributionRuleKind,
        match: matchRecord(at, rule, problems),
        target: targetRecord(`${at}.to`, rule.target, problems),
      });
    });
    const stack = this.inStack() ? Stack.of(this) : undefined;
    return {
      problems,
      record: {
        schemaVersion: ATTRIBUTION_METADATA_SCHEMA,
        ruleSet: this.ruleSetName,
        precedence: this.precedence,
        rules,
        constructPath: this.node.path,
        stackName: stack?.stackName ?? '',
      },
    };
  }

  private validateRules(): string[] {
    return this.check().problems;
  }

  /** The record and every problem with it, once the app is complete. */
  private check(): { record: AttributionRulesRecord; problems: string[] } {
    const { record, problems } = this.build();
    if (!this.inStack()) {
      problems.push('this rule set is not inside a stack: its rules are recorded in the cloud assembly with the metadata of the stack that holds it; '
        + 'create it in a stack (e.g. the billing stack of the management account, or the stack of the services it concerns)');
    }
    const units = readRegistry(this, ContextKeys.BUSINESS_UNITS);
    if (units.problem) {
      problems.push(units.problem);
    }
    problems.push(...attributionRecordProblems(record, { unresolved: (v) => Token.isUnresolved(v), businessUnits: units.value }));
    const stage = Stage.of(this) ?? this.node.root;
    const twins = AttributionRules.all(this.node.root).filter((s) => s !== this && s.ruleSetName === this.ruleSetName
      && (Stage.of(s) ?? s.node.root) === stage);
    if (twins.length > 0) {
      problems.push(`ruleSetName is ${JSON.stringify(this.ruleSetName)}, already the name of ${twins.map((t) => t.node.path).join(', ')}: `
        + 'rule sets are told apart by name in reports and across apps; give one another ruleSetName');
    }
    return { record, problems };
  }

  /** The warnings of a sound rule set, once. */
  private warn(record: AttributionRulesRecord): void {
    if (record.rules.length === 0) {
      Annotations.of(this).addWarningV2(EMPTY_RULE_SET_WARNING, `the rule set "${record.ruleSet}" has no rule: add rules with addRule(), or remove it`);
    }
    for (const o of ruleOverlaps(record.rules)) {
      Annotations.of(this).addWarningV2(RULE_OVERLAP_WARNING, o.shadowed
        ? `rule "${o.second}" of "${record.ruleSet}" never attributes anything: rule "${o.first}", earlier, matches all it matches (${o.what}) and the first `
          + 'rule that matches a line item attributes it; remove it, or move it before the other'
        : `rules "${o.first}" and "${o.second}" of "${record.ruleSet}" both match ${o.what}: "${o.first}", earlier, attributes it; make them disjoint, `
          + 'or keep the order if that is what you mean');
    }
    const services = CustomerService.all(this.node.root);
    // rule sets travel to the declaration registry with their stack's registration, which only a stack holding a
    // service has: said here rather than found missing in the management account's reports
    if (this.inStack() && registryConfigured(this) && !services.some((s) => Stack.of(s) === Stack.of(this))) {
      Annotations.of(this).addWarningV2(NOT_REGISTERED_WARNING, `the rule set "${record.ruleSet}" is not registered in the declaration registry `
        + `(customer-value:registry): its stack ${Stack.of(this).stackName} holds no CustomerService, and only a stack with services has a `
        + 'registration; declare it in the stack of the services it concerns, or give readers this app\'s cloud assembly (--assembly)');
    }
    if (services.length === 0) {
      return;
    }
    const declared = services.map((s) => s.serviceName);
    for (const rule of record.rules) {
      for (const name of rule.target.services ?? []) {
        if (!declared.includes(name)) {
          const suggestion = closest(name, declared);
          Annotations.of(this).addWarningV2(SERVICE_NOT_IN_APP_WARNING,
            `rule "${rule.name}" of "${record.ruleSet}" attributes to "${name}", which no service of this app declares: `
            + `${suggestion ? `did you mean ${JSON.stringify(suggestion)}? ` : ''}fine when another app declares it (the customer-value CLI checks the `
            + 'name across the cloud assemblies it reads); otherwise correct the name');
        }
      }
    }
  }
}

const RULES_SYMBOL = Symbol.for('cdk-customer-value.AttributionRules');
const SETS = new WeakMap<IConstruct, AttributionRules[]>();

/** The criteria as recorded; values that are not even lists or charge types become problems. */
function matchRecord(at: string, rule: AttributionRule, problems: string[]): AttributionRuleRecord['match'] {
  const out: Record<string, string[]> = {};
  for (const [field, value] of Object.entries(rule._match)) {
    if (value === undefined) {
      continue;
    }
    if (!Array.isArray(value)) {
      problems.push(`${at}: ${fieldName(field)} is ${describe(value)}: pass a list`);
      continue;
    }
    if (field === 'chargeTypes') {
      const names: string[] = [];
      value.forEach((t, i) => {
        if (ChargeType.isChargeType(t)) {
          names.push(t.name);
        } else {
          problems.push(`${at}: chargeTypes[${i}] is ${describe(t)}: pass ChargeType.TAX, ChargeType.SUPPORT, ... (${ChargeType.all().map((c) => c.name).join(', ')})`);
        }
      });
      out[field] = names;
    } else {
      out[field] = [...value] as string[];
    }
  }
  return out;
}

/** The property a match field comes from, for messages about values the record cannot hold. */
function fieldName(field: string): string {
  return ({ accounts: 'accountIds', stacks: 'stackNames', resources: 'resourceIds' } as Record<string, string>)[field] ?? field;
}

/** The target as recorded; a target, service or allocation of the wrong type becomes a problem. */
function targetRecord(at: string, target: unknown, problems: string[]): AttributionTargetRecord {
  if (!AttributionTarget.isAttributionTarget(target)) {
    problems.push(`${at} is ${describe(target)}: pass AttributionTarget.service(...), .services([...]), .businessUnit('retail'), .everyone() `
      + 'or .stackServices()');
    return { kind: 'everyone' };
  }
  const services = target.serviceRefs?.map((s, i) => {
    if (s === null || typeof s !== 'object' || typeof (s as { serviceName?: unknown }).serviceName !== 'string') {
      problems.push(`${at}: service ${i + 1} is ${describe(s)}: pass a CustomerService of this app, or ServiceRef.named("checkout")`);
      return '';
    }
    return s.serviceName;
  });
  let allocation;
  if (target.allocation !== undefined) {
    if (!Allocation.isAllocation(target.allocation)) {
      problems.push(`${at}: the allocation is ${describe(target.allocation)}: pass Allocation.proportional(), Allocation.even() or Allocation.fixed({...})`);
    } else {
      allocation = allocationRecord(target.allocation);
    }
  }
  return {
    kind: target.kind as AttributionTargetRecord['kind'],
    ...(services !== undefined ? { services } : {}),
    ...(target.businessUnitName !== undefined ? { businessUnit: target.businessUnitName } : {}),
    ...(allocation !== undefined ? { allocation } : {}),
  };
}

/** The name of a rule declared without one: what it matches, in the characters a name holds. */
function defaultName(rule: AttributionRule): string {
  const m = rule._match as Record<string, unknown>;
  const first = (field: string) => (Array.isArray(m[field]) && (m[field] as unknown[]).length > 0 ? (m[field] as unknown[])[0] : undefined);
  let base: string;
  switch (rule.kind) {
    case 'accounts': base = `account-${String(first('accounts') ?? '')}`; break;
    case 'stacks': base = `stack-${String(first('stacks') ?? '')}`; break;
    case 'declared-stacks': base = 'declared-stacks'; break;
    case 'resources': base = 'resources'; break;
    default: {
      const types = Array.isArray(m.chargeTypes) ? (m.chargeTypes as unknown[]).map((t) => (ChargeType.isChargeType(t) ? t.name : '')) : [];
      base = types.length > 0 ? types.join('-')
        : first('serviceCodes') !== undefined ? `service-${String(first('serviceCodes'))}` : `usage-${String(first('usageTypes') ?? '')}`;
    }
  }
  const name = base.replace(/\*/g, 'x').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+/, '').slice(0, 36).replace(/[-_]+$/, '');
  return RULE_NAME_PATTERN.test(name) ? name : 'rule';
}

/** `base`, or `base-2`, `base-3`... when taken; records it as taken. */
function uniqueName(base: string, taken: Set<string | undefined>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) {
    name = `${base}-${n}`;
  }
  taken.add(name);
  return name;
}
