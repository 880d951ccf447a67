import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Customer } from '../../customer';
import { CustomerService } from '../../customer-service';
import { isPlaceholder, words } from '../../private/placeholders';
import { deriveTagValue } from '../../private/tag-safe';
import { TagKeys } from '../../tag-keys';
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
}

export interface ResolvedServices {
  readonly services: ResolvedService[];
  readonly tagKeys: TagKeys;
  /** Whether the list defaulted to every service of the app. */
  readonly defaulted: boolean;
}

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$/;
const NAME_SAFE = /^[A-Za-z0-9][A-Za-z0-9 _.:/=-]*$/;

function describe(value: unknown): string {
  if (value === undefined) {
    return 'missing';
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  return `${typeof value} ${JSON.stringify(value)}`;
}

function checkText(field: string, value: unknown, errors: string[], hint: string): value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    errors.push(`${field} is ${describe(value)}: ${hint}`);
    return false;
  }
  if (Token.isUnresolved(value)) {
    errors.push(`${field} is an unresolved token: declarations must be known at synth; ${hint}`);
    return false;
  }
  if (isPlaceholder(value)) {
    errors.push(`${field} is ${JSON.stringify(value)}: a placeholder; ${hint}`);
    return false;
  }
  return true;
}

function checkDeclaration(d: ServiceValueDeclaration, at: string, errors: string[]): ResolvedService | undefined {
  if (d === null || typeof d !== 'object') {
    errors.push(`${at} is ${describe(d)}: pass { serviceName, customerNeed, team, businessUnit }`);
    return undefined;
  }
  const before = errors.length;
  if (checkText(`${at}.serviceName`, d.serviceName, errors, 'name the service as its service tag value, e.g. "checkout"')
    && !SERVICE_NAME.test(d.serviceName)) {
    errors.push(`${at}.serviceName is ${JSON.stringify(d.serviceName)}: 1-50 ASCII letters, digits, _ and -, starting with a letter or digit`);
  }
  if (checkText(`${at}.customerNeed`, d.customerNeed, errors, 'state the need the service fulfils as a sentence (e.g. "Shoppers pay for their basket in one step")')
    && words(d.customerNeed).length < 3) {
    errors.push(`${at}.customerNeed is ${JSON.stringify(d.customerNeed)}: a label, not a need; describe what the customer gets done in a sentence of at least three words`);
  }
  for (const field of ['team', 'businessUnit'] as const) {
    const value = d[field];
    if (checkText(`${at}.${field}`, value, errors, `declare the ${field === 'team' ? 'owning team' : 'business unit'}`)
      && (value.length > 50 || !NAME_SAFE.test(value) || value !== value.trim())) {
      errors.push(`${at}.${field} is ${JSON.stringify(value)}: 1-50 ASCII letters, digits, spaces and _ . : / = -, starting with a letter or digit (it is a tag value on the service's resources)`);
    }
  }
  if (d.customer !== undefined && !Customer.isCustomer(d.customer)) {
    errors.push(`${at}.customer is ${describe(d.customer)}: pass Customer.external("...") or Customer.internal("..."), or leave it out`);
  }
  if (errors.length > before) {
    return undefined;
  }
  return {
    serviceName: d.serviceName,
    customerNeed: d.customerNeed,
    needTagValue: deriveTagValue(d.customerNeed),
    team: d.team,
    businessUnit: d.businessUnit,
    customerTagValue: d.customer ? d.customer.tagValue : undefined,
    source: at,
  };
}

/**
 * The services a billing construct serves: `services` and `declarations`, or every service of the app.
 * Throws once with every problem found (prefixed with the construct path).
 */
export function resolveServices(construct: IConstruct, options: BillingServicesOptions, tagKeys?: TagKeys): ResolvedServices {
  const errors: string[] = [];
  const keys = tagKeys ?? TagKeys.of(construct);
  if (tagKeys !== undefined && !(tagKeys instanceof TagKeys)) {
    throw new Error(`[${construct.node.path}] tagKeys is ${describe(tagKeys)}: pass TagKeys.custom({...}) or TagKeys.DEFAULT`);
  }
  const defaulted = options.services === undefined && options.declarations === undefined;
  const services = defaulted ? CustomerService.all(construct.node.root) : (options.services ?? []);
  const out: ResolvedService[] = [];

  if (!Array.isArray(services)) {
    errors.push(`services is ${describe(services)}: pass an array of CustomerService, e.g. CustomerService.all(app)`);
  } else {
    services.forEach((s, i) => {
      if (!CustomerService.isCustomerService(s)) {
        errors.push(`services[${i}] is ${describe(s)}: pass CustomerService constructs (for services of other apps, use declarations)`);
        return;
      }
      if (!s.tagKeys.sameAs(keys)) {
        errors.push(`services[${i}] (${s.serviceName}) uses the tag keys ${JSON.stringify(s.tagKeys.toJson())} but this construct uses ${JSON.stringify(keys.toJson())}: tag keys are set once per app`);
        return;
      }
      if ([s.serviceName, s.team, s.businessUnit, s.customerNeed].some((v) => typeof v !== 'string')) {
        // The service refuses to synthesize on its own (with the details); nothing to derive from it here.
        return;
      }
      out.push({
        serviceName: s.serviceName,
        customerNeed: s.customerNeed,
        needTagValue: s.needTagValue,
        team: s.team,
        businessUnit: s.businessUnit,
        customerTagValue: Customer.isCustomer(s.customer) ? s.customer.tagValue : undefined,
        source: s.node.path,
      });
    });
  }

  const declarations = options.declarations ?? [];
  if (!Array.isArray(declarations)) {
    errors.push(`declarations is ${describe(declarations)}: pass an array of { serviceName, customerNeed, team, businessUnit }`);
  } else {
    declarations.forEach((d, i) => {
      const resolved = checkDeclaration(d, `declarations[${i}]`, errors);
      if (resolved) {
        out.push(resolved);
      }
    });
  }

  const seen = new Map<string, ResolvedService>();
  for (const s of out) {
    const prev = seen.get(s.serviceName);
    if (prev) {
      errors.push(`service "${s.serviceName}" is declared twice (${prev.source} and ${s.source}): a service name is unique`);
    }
    seen.set(s.serviceName, s);
  }

  if (errors.length > 0) {
    throw new Error(`[${construct.node.path}] ${errors.join('; ')}`);
  }
  return { services: out, tagKeys: keys, defaulted };
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
  construct.node.addValidation({
    validate: () => {
      const late = CustomerService.all(construct.node.root)
        .filter((s) => typeof s.serviceName === 'string' && !known.has(s.serviceName))
        .map((s) => `${s.serviceName} (${s.node.path})`);
      return late.length === 0 ? [] : [
        `${late.length} customer service(s) were declared after this construct was created and are not part of it: ${late.join(', ')}. `
        + 'Create it after declaring the services, or pass services / declarations explicitly',
      ];
    },
  });
}
