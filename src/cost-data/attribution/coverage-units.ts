import { byName, Coverage, CoverageEntry } from './coverage';
import { Decimal } from '../../private/decimal';
import { DeclaredService } from '../declarations/cloud-assembly';

/*
 * A business unit's part of the coverage (docs/attribution.md section 9, "The review pack"): the unattributed spend each
 * unit likely owns, and the rest, owned by no single unit.
 */

/** The unattributed spend a business unit likely owns, and the rest (owned by no single unit). */
export interface UnitCoverage {
  readonly businessUnit: string;
  /** The period's coverage restricted to the unit's entries: reasons and accounts of those; totals of the period. */
  readonly coverage: Coverage;
  /** What the unit likely owns (the sum of its entries). */
  readonly owned: Decimal;
  /** What no single unit owns: no owner, owners in several units, everyone by share (no resource), a rule's split. */
  readonly rest: Decimal;
  readonly restEntries: number;
}

/**
 * Each unattributed entry's business unit: the one unit all its likely owner services are declared in (the services of
 * its stack, of its account, the closest name of an undeclared tag value); none when it has no owner service, or owners
 * in several units. Every entry goes to at most one unit, so the units' amounts plus the rest are the entries' sum.
 */
export function entriesByUnit(c: Coverage, services: readonly DeclaredService[]): { units: Map<string, CoverageEntry[]>; rest: CoverageEntry[] } {
  const unitOf = new Map(services.map((s) => [s.record.serviceName, s.record.businessUnit]));
  const units = new Map<string, CoverageEntry[]>();
  const rest: CoverageEntry[] = [];
  for (const e of c.entries) {
    const owners = new Set(e.ownerServices.map((n) => unitOf.get(n)));
    const [unit] = owners;
    if (owners.size === 1 && unit !== undefined) {
      units.set(unit, [...(units.get(unit) ?? []), e]);
    } else {
      rest.push(e);
    }
  }
  return { units, rest };
}

/** The coverage of one business unit's pack: the entries it likely owns, with their reasons, and the rest as one amount. */
export function unitCoverage(c: Coverage, businessUnit: string, services: readonly DeclaredService[]): UnitCoverage {
  const { units, rest } = entriesByUnit(c, services);
  const entries = units.get(businessUnit) ?? [];
  const inAccount = (account: string) => entries.filter((e) => e.account === account);
  return {
    businessUnit,
    coverage: {
      ...c,
      reasons: c.reasons.map((r) => ({ ...r, amount: Decimal.sum(entries.filter((e) => e.reason === r.reason).map((e) => e.amount)) })),
      entries,
      // the unit's part of each account it owns spend in (main reason and services as in the period's table)
      accounts: c.accounts.filter((a) => inAccount(a.account).length > 0)
        .map((a) => ({ ...a, amount: Decimal.sum(inAccount(a.account).map((e) => e.amount)), entries: inAccount(a.account).length }))
        .sort((x, y) => y.amount.compare(x.amount) || byName(x.account, y.account)),
    },
    owned: Decimal.sum(entries.map((e) => e.amount)),
    rest: Decimal.sum(rest.map((e) => e.amount)),
    restEntries: rest.length,
  };
}
