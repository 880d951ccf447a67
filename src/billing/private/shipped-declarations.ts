import { IConstruct } from 'constructs';
import { ResolvedServices } from './declarations';
import { AttributionRules } from '../../attribution/attribution-rules';
import { CustomerService } from '../../customer-service';
import { ShippedRuleSets } from '../../declaration/attribution-record';
import { SERVICE_METADATA_SCHEMA, ShippedDeclaration, ShippedDeclarations } from '../../declaration/record';
import { allocationRecord } from '../../declaration/value-chain-rules';
import { BillingServicesOptions, ServiceValueDeclaration } from '../billing-options';

/**
 * The declarations `ValueReviewReports` ships to its function: the records of the services it reviews, as the
 * `customer-value:service` metadata holds them (without resource counts and the synth-time review status), written
 * when the construct is created, value chain included (what each service consumes, its consumers, its allocation). `recheck` builds them again at synth: a service declared or changed afterwards
 * (a usage metric added, a review recorded) is a problem, never a stale pack.
 */
export interface Shipped {
  readonly json: string;
  readonly problems: string[];
  recheck(): string[];
}

/** The prefix of `constructPath` for services declared by value (other apps): their usage metrics are not known. */
export const DECLARED_ELSEWHERE = 'declarations[';

export function shippedDeclarations(scope: IConstruct, options: BillingServicesOptions, resolved: ResolvedServices): Shipped {
  const services = options.services ?? (options.declarations === undefined ? CustomerService.all(scope.node.root) : []);
  const declarations = Array.isArray(options.declarations) ? options.declarations : [];
  // the app's attribution rules travel with the services (the records the assembly holds, each checked at synth by its construct)
  const ruleSets = () => AttributionRules.all(scope.node.root).map((r) => r._record());
  const build = (): ShippedDeclarations & ShippedRuleSets => ({
    schemaVersion: SERVICE_METADATA_SCHEMA,
    tagKeys: resolved.tagKeys.toJson() as unknown as ShippedDeclarations['tagKeys'],
    services: withConsumers([
      ...(Array.isArray(services) ? services : []).filter((s) => CustomerService.isCustomerService(s)).map(fromService),
      ...declarations.filter((d) => d && typeof d === 'object').map((d, i) => fromDeclaration(d, i, resolved)),
    ]),
    ...withRuleSets(ruleSets()),
  });
  const problems: string[] = [];
  let shipped: ShippedDeclarations & ShippedRuleSets = { schemaVersion: SERVICE_METADATA_SCHEMA, tagKeys: {} as any, services: [] };
  try {
    shipped = build();
  } catch (e) {
    // a declaration too broken to record: the service reports the details itself
    problems.push(`the declarations cannot be recorded for the value review: ${(e as Error).message.split('\n')[0]}`);
  }
  const json = `${JSON.stringify(shipped, null, 1)}\n`;
  return {
    json,
    problems,
    recheck: () => {
      let now: ShippedDeclarations & ShippedRuleSets;
      try {
        now = build();
      } catch {
        return [];
      }
      const before = new Map(shipped.services.map((s) => [s.serviceName, JSON.stringify(s)]));
      const changed = now.services.filter((s) => before.get(s.serviceName) !== JSON.stringify(s)).map((s) => s.serviceName);
      const rules = JSON.stringify(now.ruleSets ?? []) === JSON.stringify(shipped.ruleSets ?? []) ? [] : [
        'the attribution rules of the app changed after this construct was created (a rule set or a rule added): the value review ships the rules '
        + 'as they were then; create ValueReviewReports after the AttributionRules are complete',
      ];
      return changed.length === 0 ? rules : [...rules,
        `the declaration of ${changed.join(', ')} changed after this construct was created (a usage metric added, a review recorded, ...): `
        + 'the value review ships the declarations as they were then; create ValueReviewReports after the services are complete'];
    },
  };
}

/** The rule sets when the app declares any (a file without rules stays as it was). */
function withRuleSets(sets: ShippedRuleSets['ruleSets']): ShippedRuleSets {
  return sets && sets.length > 0 ? { ruleSets: sets } : {};
}

/** A service's record from the builder of its metadata (`CustomerService`), so the packs get what `services` shows. */
function fromService(s: CustomerService): ShippedDeclaration {
  return s._shippedRecord();
}

function fromDeclaration(d: ServiceValueDeclaration, i: number, resolved: ResolvedServices): ShippedDeclaration {
  const keys = resolved.tagKeys;
  const need = resolved.services.find((r) => r.serviceName === d.serviceName)?.needTagValue ?? '';
  return {
    schemaVersion: SERVICE_METADATA_SCHEMA,
    serviceName: d.serviceName,
    customerNeed: d.customerNeed,
    customer: d.customer ? { kind: d.customer.kind, name: d.customer.name } : { kind: 'not declared', name: '(customer)' },
    team: d.team,
    businessUnit: d.businessUnit,
    tagKeys: keys.toJson() as unknown as ShippedDeclaration['tagKeys'],
    tags: { [keys.service]: d.serviceName, [keys.need]: need, [keys.team]: d.team, [keys.businessUnit]: d.businessUnit },
    costReporting: { enabled: true },
    usageMetrics: [],
    constructPath: `${DECLARED_ELSEWHERE}${i}]`,
    stackName: '',
    includedScopes: [],
    consumes: [...new Set(Array.isArray(d.consumes) ? d.consumes : [])],
    consumedBy: [],
    costAllocation: d.costAllocation ? allocationRecord(d.costAllocation) : undefined,
  };
}

/**
 * The consumers of a service declared elsewhere, among the shipped services (the CLI's value chain works them out
 * from `consumes` as well; this keeps the record readable). A service of the app keeps its record as its metadata has it.
 */
function withConsumers(records: ShippedDeclaration[]): ShippedDeclaration[] {
  return records.map((r) => !r.constructPath.startsWith(DECLARED_ELSEWHERE) ? r : {
    ...r,
    consumedBy: records.filter((c) => (c.consumes ?? []).includes(r.serviceName)).map((c) => c.serviceName),
  });
}
