import { applyAttribution, AttributionOutcome, RuleOutcome, TargetService } from './apply';
import { AttributionPlan, orderRules } from './rules';
import { Decimal } from '../../private/decimal';
import { closest } from '../../private/placeholders';
import { AssemblySet } from '../declarations/cloud-assembly';
import { stackServices } from '../declarations/stack-services';
import { CostQuery, CostResult, exactAmountOf } from '../query';
import { CostGrouping } from '../query-terms';
import { Report, Section } from '../report/model';

/**
 * The attribution rules between a source and the reports (docs/attribution.md, section 8): the plan a source is asked
 * to match, and the source's result with what the rules attributed moved from the untagged row to the services, the
 * attributed share and each rule's amount as notes (every output format shows them) and as `attribution` in JSON.
 */

/** The rules of the assemblies read, in order, and what reading them gave to warn about. */
export function attributionPlanOf(set: RuleDeclarations): { plan?: AttributionPlan; warnings: string[] } {
  const { rules, warnings } = orderRules(set.ruleSets ?? []);
  if (rules.length === 0) {
    return { warnings };
  }
  // the stacks of the services, with the stacks of the scopes they include() (member records)
  const declaredStacks = [...new Set(stackServices(set).map((s) => s.stack))].sort();
  const names = new Set(set.services.map((s) => s.record.serviceName));
  for (const r of rules) {
    for (const s of r.rule.target.services ?? []) {
      if (!names.has(s)) {
        const near = closest(s, [...names]);
        warnings.push(`rule ${r.id}: its target service "${s}" is declared in none of the declarations read: what the rule matches stays `
          + `unattributed; ${near ? `did you mean "${near}"? Otherwise ` : ''}read the app that declares it too (--assembly, or --registry)`);
      }
    }
  }
  return { plan: { rules, declaredStacks }, warnings };
}

/** What the rules are read from: the services declared and the rule sets (an `AssemblySet`, or the packs' shipped declarations). */
export type RuleDeclarations = Pick<AssemblySet, 'services' | 'ruleSets'> & Partial<AssemblySet>;

export interface AttributeOptions {
  /**
   * The grouped tag's value of a service, for a cost table grouped by another tag than the service's (the review's
   * business unit): the rows the rules give a service carry it. @default - rules apply to a table grouped by service only
   */
  readonly groupOf?: (service: string) => string;
}

/**
 * The review's cost table after the rules (the `review` command and the scheduled packs, one path): the table is
 * grouped by the business-unit tag, so the spend a rule gives a service joins its declared business unit.
 */
export function attributeReview(query: CostQuery, result: CostResult, set: RuleDeclarations, sourceName: string): AttributedResult {
  const units = new Map(set.services.map((d) => [d.record.serviceName, d.record.businessUnit]));
  return attributeResult(query, result, set, sourceName, { groupOf: (service) => units.get(service) ?? '' });
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
  /** Per service: its tagged cost and what the rules attributed to it (the report's section and JSON rows). */
  readonly byService?: Map<string, { tagged: Decimal; attributed: Decimal }>;
  /** What the rules did, exactly (coverage reads each rule's amount per month and what its split left). */
  readonly outcome?: AttributionOutcome;
}

const money = (d: Decimal, currency: string) => `${d.toFixed(2)} ${currency}`;
const percent = (part: Decimal, total: Decimal) => (total.sign() === 0 ? '-' : `${((part.toNumber() / total.toNumber()) * 100).toFixed(1)} %`);

/** How the note on the spend with a service tag value no declaration carries begins (coverage leaves it out: its reasons list it). */
export const UNDECLARED_NOTE = 'of the unattributed spend, ';

/**
 * Applies the plan's rules to a source's result: moves what each rule attributed from the untagged rows to its
 * target services. A source that cannot apply rules (no `attributionMatches`) or a grouping they do not apply to gets
 * a note and a warning naming every rule: a rule is never ignored silently.
 */
export function attributeResult(query: CostQuery, result: CostResult, set: RuleDeclarations, sourceName: string,
  options: AttributeOptions = {}): AttributedResult {
  const plan = query.attribution ?? attributionPlanOf(set).plan;
  if (!plan || plan.rules.length === 0) {
    return { result };
  }
  const ids = plan.rules.map((r) => r.id).join(', ');
  if (!attributionApplies(query) && !options.groupOf) {
    const note = `attribution rules (${ids}) apply when cost is grouped by service (the default, and --allocate): grouped otherwise, `
      + 'untagged spend stays its own row';
    return { result: { ...result, notes: [...result.notes, note] } };
  }
  if (!result.attributionMatches) {
    // every source returns what the rules matched (docs/attribution.md section 7): never expected, never silent
    const warning = `${sourceName} returned no attribution matches: rules ${ids} are not applied, their spend stays untagged`;
    // a warning: on stderr once, and in the report's notes (every format) as every source warning is
    return { result: { ...result, warnings: [...(result.warnings ?? []), warning] } };
  }
  const matches = query.currency ? result.attributionMatches.filter((m) => m.currency === query.currency) : result.attributionMatches;
  const services = new Map<string, TargetService>();
  for (const { stack, service: d } of stackServices(set)) {
    const prev = services.get(d.record.serviceName);
    services.set(d.record.serviceName, {
      name: d.record.serviceName,
      businessUnit: d.record.businessUnit,
      stacks: [...new Set([...(prev?.stacks ?? []), stack])],
    });
  }
  const outcome = applyAttribution(result.rows, matches, plan.rules, [...services.values()], options.groupOf);
  const currency = result.rows[0]?.currency ?? matches[0]?.currency ?? '';
  // docs/attribution.md section 1, as coverage counts: tagged is a declared service's tag; a value no declaration
  // carries is unattributed (coverage's reason "a tag value no declaration carries"), so both give the same figures
  const tagged = outcome.tagged.minus(outcome.undeclared);
  const unattributed = outcome.unattributed.plus(outcome.undeclared);
  const total = tagged.plus(outcome.attributed).plus(unattributed);
  const notes = [
    `attribution: tagged ${money(tagged, currency)} (${percent(tagged, total)}), attributed by rules `
      + `${money(outcome.attributed, currency)} (${percent(outcome.attributed, total)}), unattributed ${money(unattributed, currency)} `
      + `(${percent(unattributed, total)}) of ${money(total, currency)}`,
    ...outcome.rules.filter((o) => o.matched).map((o) => ruleNote(o, currency)),
  ];
  if (outcome.undeclared.sign() !== 0) {
    notes.push(`${UNDECLARED_NOTE}${money(outcome.undeclared, currency)} carries a service tag value no declaration holds (customer-value `
      + 'coverage lists it: a tag value no declaration carries); rules never apply to it');
  }
  if (outcome.attributedNonResource.sign() !== 0) {
    notes.push(`${money(outcome.attributedNonResource, currency)} of the tax, credits and other charges of no resource was attributed by rules: `
      + 'it is no longer in the untagged row');
  }
  const warnings = [...(result.attributionWarnings ?? []), ...outcome.warnings, ...outcome.rules.flatMap((o) => o.reasons.map((r) => `${r}: ${o.unattributed.toFixed(2)} ${currency} `
    + 'left unattributed'))];
  const attribution: AttributionJson = {
    currency,
    tagged: tagged.toNumber(),
    attributed: outcome.attributed.toNumber(),
    unattributed: unattributed.toNumber(),
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
  const byService = new Map<string, { tagged: Decimal; attributed: Decimal }>();
  for (const r of result.rows.filter((x) => x.service !== '')) {
    const e = byService.get(r.service) ?? { tagged: Decimal.ZERO, attributed: Decimal.ZERO };
    byService.set(r.service, { ...e, tagged: e.tagged.plus(exactAmountOf(r)) });
  }
  for (const o of outcome.rules) {
    for (const [name, amount] of Object.entries(o.targets)) {
      const e = byService.get(name) ?? { tagged: Decimal.ZERO, attributed: Decimal.ZERO };
      byService.set(name, { ...e, attributed: e.attributed.plus(amount) });
    }
  }
  return {
    // the warnings reach the notes through the report (as every source warning does)
    result: { ...result, rows: outcome.rows, notes: [...result.notes, ...notes], warnings: [...(result.warnings ?? []), ...warnings] },
    attribution,
    byService,
    outcome,
  };
}

/**
 * The report with the attribution in it: `tagged` and `attributed` as columns of the main table, before the cost (with
 * `--allocate`, before the direct cost, which they add up to), on each service's row, in every format that shows the
 * table (CSV writes it); `tagged` and `attributed` on each JSON row of a service, and the `attribution` object in JSON.
 * Rows that are no declared service's (the untagged row, an undeclared tag value) leave the two cells empty.
 */
export function withAttribution(report: Report, attributed: AttributedResult): Report {
  const { attribution, byService } = attributed;
  if (!attribution || !byService) {
    return report;
  }
  const [main, ...rest] = report.sections;
  const table = main?.table;
  const before = table?.columns.some((c) => c.key === 'direct') ? 'direct' : 'cost';
  const sections: Section[] = table && table.columns.some((c) => c.key === before)
    ? [{
      ...main,
      table: {
        ...table,
        columns: table.columns.flatMap((c) => (c.key !== before ? [c] : [
          { key: 'tagged', header: 'Tagged', type: 'money' as const },
          { key: 'attributed', header: 'Attributed', type: 'money' as const },
          c,
        ])),
        rows: table.rows.map((r) => {
          const e = typeof r.group === 'string' ? byService.get(r.group) : undefined;
          return e ? { ...r, tagged: e.tagged, attributed: e.attributed } : r;
        }),
      },
    }, ...rest]
    : report.sections;
  const data = report.data as { rows?: Array<Record<string, unknown>> } & Record<string, unknown>;
  const rows = Array.isArray(data.rows)
    ? data.rows.map((r) => {
      const e = typeof r.group === 'string' ? byService.get(r.group) : undefined;
      return e ? { ...r, tagged: e.tagged.toNumber(), attributed: e.attributed.toNumber() } : r;
    })
    : data.rows;
  return { ...report, sections, data: { ...data, ...(rows ? { rows } : {}), attribution } };
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
