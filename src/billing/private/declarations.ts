import { IConstruct } from 'constructs';
import { ContextKeys } from '../../context-keys';
import { Allocation } from '../../cost-allocation';
import { CustomerService } from '../../customer-service';
import { readRegistry } from '../../declaration/context-settings';
import {
  BUSINESS_UNIT_WHAT, customerProblems, describe, needProblems, ownerNameProblems, SERVICE_NAME_DESCRIPTION, serviceNameProblems, TEAM_WHAT,
} from '../../declaration/rules';
import { customerTagValue, needTagValue } from '../../declaration/tag-values';
import { allocationProblems } from '../../declaration/value-chain-rules';
import { refuseOnProblems } from '../../private/problems';
import { resolveTagKeys, TagKeys } from '../../tag-keys';
import { BillingServicesOptions, ServiceValueDeclaration } from '../billing-options';

/** A service as the billing constructs see it: names and the tag values on its resources. */
export interface ResolvedService {
  readonly serviceName: string;
  readonly customerNeed: string;
  /** The value of the need tag (derived from the statement exactly as CustomerService does). */
  readonly needTagValue: string;
  readonly team: string;
  readonly businessUnit: string;
  /** The value of the customer tag, when the customer is known. */
  readonly customerTagValue?: string;
  /** Where it came from, for error messages: a construct path or `declarations[i]`. */
  readonly source: string;
  /** Names of the services it consumes. */
  readonly consumes: readonly string[];
  /** How it passes its cost on. */
  readonly allocation: Allocation;
}

export interface ResolvedServices {
  readonly services: ResolvedService[];
  readonly tagKeys: TagKeys;
  /** Whether the list defaulted to every service of the app. */
  readonly defaulted: boolean;
  /** Every problem with `services`, `declarations` and `tagKeys`, to report at synth. */
  readonly problems: string[];
}

/**
 * A declaration of a service of another app, checked with the same rules as `CustomerServiceProps` (and the same
 * team and business-unit registries, when the app has them).
 */
export function checkDeclaration(scope: IConstruct, d: ServiceValueDeclaration, at: string, problems: string[]): ResolvedService | undefined {
  if (d === null || typeof d !== 'object') {
    problems.push(`${at} is ${describe(d)}: pass { serviceName, customerNeed, team, businessUnit }`);
    return undefined;
  }
  const teams = readRegistry(scope, ContextKeys.TEAMS);
  const units = readRegistry(scope, ContextKeys.BUSINESS_UNITS);
  const found = [
    ...serviceNameProblems(`${at}.serviceName`, d.serviceName, `name the service as its service tag value, e.g. "checkout" (${SERVICE_NAME_DESCRIPTION})`),
    ...needProblems(`${at}.customerNeed`, d.customerNeed),
    ...ownerNameProblems(`${at}.team`, d.team, TEAM_WHAT, teams.value),
    ...ownerNameProblems(`${at}.businessUnit`, d.businessUnit, BUSINESS_UNIT_WHAT, units.value),
    ...(d.customer !== undefined ? customerProblems(`${at}.customer`, d.customer) : []),
    ...consumesProblems(`${at}.consumes`, d.consumes, d.serviceName),
    ...allocationProblems(`${at}.costAllocation`, d.costAllocation),
  ];
  problems.push(...found);
  if (found.length > 0) {
    return undefined;
  }
  return {
    serviceName: d.serviceName,
    customerNeed: d.customerNeed,
    needTagValue: needTagValue(d.customerNeed),
    team: d.team,
    businessUnit: d.businessUnit,
    customerTagValue: customerTagValue(d.customer),
    source: at,
    consumes: [...new Set(d.consumes ?? [])],
    allocation: d.costAllocation ?? Allocation.proportional(),
  };
}

/** The services a declaration consumes: service names, not itself. */
function consumesProblems(field: string, value: unknown, self: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    return [`${field} is ${describe(value)}: pass the names of the services it consumes, e.g. ["private-network"]`];
  }
  return value.flatMap((name, i) => {
    const found = serviceNameProblems(`${field}[${i}]`, name, 'name a service it consumes, as its service tag value (e.g. "private-network")');
    return found.length > 0 ? found
      : name === self ? [`${field}[${i}] is ${JSON.stringify(name)}, the service itself: a service cannot consume itself`] : [];
  });
}

/**
 * A customer service of this app as the billing constructs see it; undefined when its declaration is not even made of
 * strings (the service refuses to synthesize on its own, with the details).
 */
export function resolvedFromService(s: CustomerService): ResolvedService | undefined {
  if ([s.serviceName, s.team, s.businessUnit, s.customerNeed].some((v) => typeof v !== 'string')) {
    return undefined;
  }
  return {
    serviceName: s.serviceName,
    customerNeed: s.customerNeed,
    needTagValue: s.needTagValue,
    team: s.team,
    businessUnit: s.businessUnit,
    customerTagValue: customerTagValue(s.customer),
    source: s.node.path,
    consumes: s.consumedServices,
    allocation: s.costAllocation,
  };
}

/**
 * The services a billing construct serves: `services` and `declarations`, or every service of the app. Problems are
 * returned, for the construct to report at synth with its own.
 */
export function resolveServices(
  construct: IConstruct, options: BillingServicesOptions, tagKeys?: TagKeys, owner?: ResolvedService,
): ResolvedServices {
  const { keys, problems: keyProblems } = resolveTagKeys(construct, tagKeys);
  const problems: string[] = [...keyProblems];
  const defaulted = options.services === undefined && options.declarations === undefined;
  const services = defaulted ? CustomerService.all(construct.node.root) : (options.services ?? []);
  const out: ResolvedService[] = [];

  if (!Array.isArray(services)) {
    problems.push(`services is ${describe(services)}: pass an array of CustomerService, e.g. CustomerService.all(app)`);
  } else {
    services.forEach((s, i) => {
      if (!CustomerService.isCustomerService(s)) {
        problems.push(`services[${i}] is ${describe(s)}: pass CustomerService constructs (for services of other apps, use declarations)`);
        return;
      }
      if (!s.tagKeys.sameAs(keys)) {
        problems.push(`services[${i}] (${s.serviceName}) uses the tag keys ${JSON.stringify(s.tagKeys.toJson())} but this construct uses ${JSON.stringify(keys.toJson())}: tag keys are set once per app`);
        return;
      }
      const resolved = resolvedFromService(s);
      if (resolved) {
        out.push(resolved);
      }
    });
  }

  const declarations = options.declarations ?? [];
  if (!Array.isArray(declarations)) {
    problems.push(`declarations is ${describe(declarations)}: pass an array of { serviceName, customerNeed, team, businessUnit }`);
  } else {
    declarations.forEach((d, i) => {
      const resolved = checkDeclaration(construct, d, `declarations[${i}]`, problems);
      if (resolved) {
        out.push(resolved);
      }
    });
  }

  const seen = new Map<string, ResolvedService>();
  for (const s of out) {
    const prev = seen.get(s.serviceName);
    if (prev) {
      problems.push(`service "${s.serviceName}" is declared twice (${prev.source} and ${s.source}): a service name is unique`);
    }
    seen.set(s.serviceName, s);
  }
  // The service that owns the construct's own resources is served too: its cost must not be "Unallocated".
  if (owner) {
    const same = seen.get(owner.serviceName);
    if (!same) {
      out.push(owner);
    } else if (same.team !== owner.team || same.businessUnit !== owner.businessUnit || same.needTagValue !== owner.needTagValue
      || (same.customerTagValue !== undefined && same.customerTagValue !== owner.customerTagValue)) {
      problems.push(`${owner.source} declares the service "${owner.serviceName}" differently from ${same.source} `
        + '(team, business unit, customer need or customer): a service has one declaration; use the same values');
    }
  }
  return { services: out, tagKeys: keys, defaulted, problems };
}

/**
 * When the list defaulted to every service of the app, fails synthesis if services were declared after the
 * construct (they would silently be left out otherwise).
 */
export function checkNoLateServices(construct: IConstruct, resolved: ResolvedServices): void {
  if (!resolved.defaulted) {
    return;
  }
  const known = new Set(resolved.services.map((s) => s.serviceName));
  refuseOnProblems(construct, () => {
    const late = CustomerService.all(construct.node.root)
      .filter((s) => typeof s.serviceName === 'string' && !known.has(s.serviceName))
      .map((s) => `${s.serviceName} (${s.node.path})`);
    return late.length === 0 ? [] : [
      `${late.length} customer service(s) were declared after this construct was created and are not part of it: ${late.join(', ')}. `
      + 'Create it after declaring the services, or pass services / declarations explicitly',
    ];
  });
}
