import { applyAttribution, RuleOutcome, TargetService } from './apply';
import { AttributionPlan, orderRules } from './rules';
import { Decimal } from '../../private/decimal';
import { AssemblySet } from '../declarations/cloud-assembly';
import { CostQuery, CostResult } from '../query';
import { CostGrouping } from '../query-terms';

/**
 * The attribution rules between a source and the reports (docs/attribution.md, section 8): the plan a source is asked
 * to match, and the source's result with what the rules attributed moved from the untagged row to the services, the
 * attributed share and each rule's amount as notes (every output format shows them) and as `attribution` in JSON.
 */

/** The rules of the assemblies read, in order, and what reading them gave to warn about. */
export function attributionPlanOf(set: AssemblySet): { plan?: AttributionPlan; warnings: string[] } {
  const { rules, warnings } = orderRules(set.ruleSets ?? []);
  if (rules.length === 0) {
    return { warnings };
  }
  const declaredStacks = [...new Set(set.services.map((s) => s.stack))].sort();
  const names = new Set(set.services.map((s) => s.record.serviceName));
  for (const r of rules) {
    for (const s of r.rule.target.services ?? []) {
      if (!names.has(s)) {
        warnings.push(`rule ${r.id}: its target service "${s}" is declared in none of the assemblies read: what the rule matches stays `
          + 'unattributed; pass the assembly that declares it with --assembly');
      }
    }
  }
  return { plan: { rules, declaredStacks }, warnings };
}

/** Whether the rules apply to a query's grouping: the rows must be per service (the default grouping, and --allocate). */
export function attributionApplies(query: Pick<CostQuery, 'groupBy' | 'dimension'>): boolean {
  return query.groupBy === CostGrouping.SERVICE && query.dimension === undefined;
}

/** The `attribution` object of the JSON output. */
export interface AttributionJson {
  readonly currency: string;
  readonly tagged: number;
  readonly attributed: number;
  readonly unattributed: number;
  readonly rules: Array<{
    ruleSet: string;
    rule: string;
    amount: number;
    months: Record<string, number>;
    targets: Record<string, number>;
    unattributed: number;
    matched: boolean;
  }>;
  readonly warnings: string[];
}

/** The source's result after the rules, with the notes and warnings saying what they did. */
export interface AttributedResult {
  readonly result: CostResult;
  readonly attribution?: AttributionJson;
}

const money = (d: Decimal, currency: string) => `${d.toFixed(2)} ${currency}`;
const percent = (part: Decimal, total: Decimal) => (total.sign() === 0 ? '-' : `${((part.toNumber() / total.toNumber()) * 100).toFixed(1)} %`);

/**
 * Applies the plan's rules to a source's result: moves what each rule attributed from the untagged rows to its
 * target services. A source that cannot apply rules (no `attributionMatches`) or a grouping they do not apply to gets
 * a note and a warning naming every rule: a rule is never ignored silently.
 */
export function attributeResult(query: CostQuery, result: CostResult, set: AssemblySet, sourceName: string): AttributedResult {
  const plan = query.attribution ?? attributionPlanOf(set).plan;
  if (!plan || plan.rules.length === 0) {
    return { result };
  }
  const ids = plan.rules.map((r) => r.id).join(', ');
  if (!attributionApplies(query)) {
    const note = `attribution rules (${ids}) apply when cost is grouped by service (the default, and --allocate): grouped otherwise, `
      + 'untagged spend stays its own row';
    return { result: { ...result, notes: [...result.notes, note] } };
  }
  if (!result.attributionMatches) {
    const warning = `${sourceName} does not apply attribution rules yet (the CUR 2.0 and FOCUS file sources do): rules ${ids} are not `
      + 'applied, their spend stays untagged';
    return { result: { ...result, notes: [...result.notes, warning], warnings: [...(result.warnings ?? []), warning] } };
  }
  const matches = query.currency ? result.attributionMatches.filter((m) => m.currency === query.currency) : result.attributionMatches;
  const services = new Map<string, TargetService>();
  for (const d of set.services) {
    const prev = services.get(d.record.serviceName);
    services.set(d.record.serviceName, {
      name: d.record.serviceName,
      businessUnit: d.record.businessUnit,
      stacks: [...new Set([...(prev?.stacks ?? []), d.stack])],
    });
  }
  const outcome = applyAttribution(result.rows, matches, plan.rules, [...services.values()]);
  const currency = result.rows[0]?.currency ?? matches[0]?.currency ?? '';
  const total = outcome.tagged.plus(outcome.attributed).plus(outcome.unattributed);
  const notes = [
    `attribution: tagged ${money(outcome.tagged, currency)} (${percent(outcome.tagged, total)}), attributed by rules `
      + `${money(outcome.attributed, currency)} (${percent(outcome.attributed, total)}), unattributed ${money(outcome.unattributed, currency)} `
      + `(${percent(outcome.unattributed, total)}) of ${money(total, currency)}`,
    ...outcome.rules.filter((o) => o.matched).map((o) => ruleNote(o, currency)),
  ];
  const warnings = [...outcome.warnings, ...outcome.rules.flatMap((o) => o.reasons.map((r) => `${r}: ${o.unattributed.toFixed(2)} ${currency} `
    + 'left unattributed'))];
  const attribution: AttributionJson = {
    currency,
    tagged: outcome.tagged.toNumber(),
    attributed: outcome.attributed.toNumber(),
    unattributed: outcome.unattributed.toNumber(),
    rules: outcome.rules.map((o) => ({
      ruleSet: o.rule.slice(0, o.rule.indexOf('/')),
      rule: o.rule.slice(o.rule.indexOf('/') + 1),
      amount: o.amount.toNumber(),
      months: numbers(o.months),
      targets: numbers(o.targets),
      unattributed: o.unattributed.toNumber(),
      matched: o.matched,
    })),
    warnings,
  };
  return {
    result: { ...result, rows: outcome.rows, notes: [...result.notes, ...notes, ...warnings], warnings: [...(result.warnings ?? []), ...warnings] },
    attribution,
  };
}

function numbers(r: Record<string, Decimal>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, v.toNumber()]));
}

function ruleNote(o: RuleOutcome, currency: string): string {
  const targets = Object.entries(o.targets).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  const months = Object.keys(o.months).length > 1
    ? ` (${Object.entries(o.months).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')})` : '';
  return `rule ${o.rule} attributed ${o.amount.toFixed(2)} ${currency}${months}${targets ? `: ${targets}` : ''}`;
}
