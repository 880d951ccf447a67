import { chargeTypeDefinition } from '../../declaration/attribution-charges';
import { AttributionRuleRecord, AttributionRulesRecord } from '../../declaration/attribution-record';
import { SqlDialect } from '../query-terms';
import { dayTextSql, mapValueSql, sqlLiteral } from '../schemas/sql-util';

/**
 * Attribution rules as the cost engine applies them (docs/attribution.md, sections 5 and 7): the rule sets read from
 * the assemblies, put in the order of section 5 (ascending precedence, then rule-set name, then declaration order),
 * and compiled into one SQL `CASE` that gives each untagged line item the index of the first rule it matches.
 */

/** A rule set read back from a cloud assembly (checked with `attributionRecordProblems`). */
export interface ReadRuleSet {
  readonly record: AttributionRulesRecord;
  /** Where it was read, for messages: the metadata file and the construct path. */
  readonly where: string;
}

/** One rule in evaluation order, named `<rule set>/<rule>`. */
export interface OrderedRule {
  readonly id: string;
  readonly rule: AttributionRuleRecord;
}

/** What a source needs to apply the rules: the rules in order, and the stacks the declarations are in. */
export interface AttributionPlan {
  readonly rules: readonly OrderedRule[];
  /** Stack names holding a declared service (`declared-stacks`). */
  readonly declaredStacks: readonly string[];
}

/** The rules of the rule sets in the order of section 5: the first that matches a line item attributes it. */
export function orderRules(sets: readonly ReadRuleSet[]): { rules: OrderedRule[]; warnings: string[] } {
  const warnings: string[] = [];
  const byName = new Map<string, ReadRuleSet>();
  for (const s of sets) {
    const first = byName.get(s.record.ruleSet);
    if (first) {
      warnings.push(`two rule sets are named "${s.record.ruleSet}" (${first.where} and ${s.where}): the second is ignored; give one of them `
        + 'another ruleSetName');
      continue;
    }
    byName.set(s.record.ruleSet, s);
  }
  const ordered = [...byName.values()].sort((a, b) => a.record.precedence - b.record.precedence
    || (a.record.ruleSet < b.record.ruleSet ? -1 : a.record.ruleSet > b.record.ruleSet ? 1 : 0));
  const rules = ordered.flatMap((s) => s.record.rules.map((rule) => ({ id: `${s.record.ruleSet}/${rule.name}`, rule })));
  return { rules, warnings };
}

/** The columns (SQL expressions) a schema holds each criterion in (docs/attribution.md, section 7). */
export interface RuleColumns {
  /** The schema, for messages (`CUR 2.0`, `FOCUS`). */
  readonly label: string;
  readonly account: string;
  readonly stack: string;
  readonly serviceCode: string;
  readonly usageType: string;
  readonly resource: string;
  /** CUR 2.0 `line_item_line_item_type`; undefined where the schema has none. */
  readonly recordType?: string;
  /** FOCUS `ChargeCategory`; undefined where the schema has none. */
  readonly chargeCategory?: string;
  /** CUR 2.0 `bill_billing_entity`; undefined where the schema has none. */
  readonly billingEntity?: string;
}

/**
 * The columns of a schema's criteria in a dialect: the one place the rules' SQL differs between DuckDB (files) and
 * Athena (tables), the map value of the stack tag (`mapValueSql`). CUR 2.0's `resource_tags['aws_cloudformation_stack_name']`
 * and FOCUS's `Tags` key `aws:cloudformation:stack-name` are [unverified] (docs/attribution.md section 7).
 */
export function ruleColumnsOf(label: 'CUR 2.0' | 'FOCUS', dialect: SqlDialect): RuleColumns {
  return label === 'CUR 2.0' ? {
    label: 'CUR 2.0',
    account: 'line_item_usage_account_id',
    stack: mapValueSql('resource_tags', 'aws_cloudformation_stack_name', dialect),
    serviceCode: 'line_item_product_code',
    usageType: 'line_item_usage_type',
    resource: 'line_item_resource_id',
    recordType: 'line_item_line_item_type',
    billingEntity: 'bill_billing_entity',
  } : {
    label: 'FOCUS',
    account: 'SubAccountId',
    stack: mapValueSql('Tags', 'aws:cloudformation:stack-name', dialect),
    serviceCode: 'x_ServiceCode',
    usageType: 'SkuMeter',
    resource: 'ResourceId',
    chargeCategory: 'ChargeCategory',
  };
}

/** CUR 2.0 files (DuckDB). */
export const CUR_RULE_COLUMNS: RuleColumns = ruleColumnsOf('CUR 2.0', SqlDialect.DUCKDB);

/** FOCUS 1.2 files with AWS columns (DuckDB). */
export const FOCUS_RULE_COLUMNS: RuleColumns = ruleColumnsOf('FOCUS', SqlDialect.DUCKDB);

/** The CUR 2.0 columns the rules read (the view selects them when rules are declared and the files have them). */
export const CUR_RULE_SOURCE_COLUMNS = ['line_item_usage_account_id', 'line_item_product_code', 'line_item_usage_type',
  'line_item_resource_id', 'line_item_line_item_type', 'bill_billing_entity'];

/** The FOCUS text columns the rules read. */
export const FOCUS_RULE_SOURCE_COLUMNS = ['SubAccountId', 'x_ServiceCode', 'SkuMeter', 'ResourceId'];

/** A pattern (`*` for any run of characters, the rest literal) as a SQL `LIKE` (docs/attribution.md, "Patterns"). */
export function likePattern(column: string, pattern: string): string {
  const escaped = pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
  return `${column} LIKE ${sqlLiteral(escaped)} ESCAPE '\\'`;
}

function anyOf(column: string, values: readonly string[], patterns: boolean): string {
  const col = `COALESCE(CAST(${column} AS VARCHAR), '')`;
  const parts = values.map((v) => (patterns && v.includes('*') ? likePattern(col, v) : `${col} = ${sqlLiteral(v)}`));
  return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`;
}

/** The SQL condition of a rule on a schema, and what the schema cannot tell (a warning naming the rule). */
export function ruleCondition(r: OrderedRule, columns: RuleColumns, declaredStacks: readonly string[]): { sql: string; warnings: string[] } {
  const m = r.rule.match;
  const warnings: string[] = [];
  const all: string[] = [];
  switch (r.rule.kind) {
    case 'accounts':
      all.push(anyOf(columns.account, m.accounts ?? [], false));
      break;
    case 'stacks':
      all.push(anyOf(columns.stack, m.stacks ?? [], true));
      break;
    case 'declared-stacks':
      all.push(anyOf(columns.stack, declaredStacks, false));
      break;
    case 'resources':
      all.push(anyOf(columns.resource, m.resources ?? [], true));
      break;
    case 'charges': {
      if (m.chargeTypes && m.chargeTypes.length > 0) {
        const types: string[] = [];
        for (const name of m.chargeTypes) {
          const d = chargeTypeDefinition(name);
          const parts: string[] = [];
          if (d?.recordTypes && columns.recordType) {
            parts.push(anyOf(columns.recordType, d.recordTypes, false));
          }
          if (d?.focusChargeCategories && columns.chargeCategory) {
            parts.push(anyOf(columns.chargeCategory, d.focusChargeCategories, false));
          }
          if (d?.serviceCodes) {
            parts.push(anyOf(columns.serviceCode, d.serviceCodes, false));
          }
          if (d?.usageTypes) {
            parts.push(anyOf(columns.usageType, d.usageTypes, true));
          }
          if (d?.billingEntities && columns.billingEntity) {
            parts.push(anyOf(columns.billingEntity, d.billingEntities, false));
          }
          if (parts.length === 0) {
            warnings.push(`rule ${r.id}: ${columns.label} data has no column telling charge type "${name}" (${d?.unverified ?? 'unknown type'}): `
              + 'the rule does not match it on this source');
            types.push('FALSE');
          } else {
            types.push(`(${parts.join(' OR ')})`);
          }
        }
        all.push(`(${types.join(' OR ')})`);
      }
      if (m.serviceCodes && m.serviceCodes.length > 0) {
        all.push(anyOf(columns.serviceCode, m.serviceCodes, true));
      }
      if (m.usageTypes && m.usageTypes.length > 0) {
        all.push(anyOf(columns.usageType, m.usageTypes, true));
      }
      break;
    }
  }
  return { sql: all.length === 0 ? 'FALSE' : all.join(' AND '), warnings };
}

/** One `CASE` giving the index of the first rule a line item matches (NULL when none). */
export function ruleIndexSql(plan: AttributionPlan, columns: RuleColumns): { sql: string; conditions: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const conditions = plan.rules.map((r) => {
    const c = ruleCondition(r, columns, plan.declaredStacks);
    warnings.push(...c.warnings);
    return c.sql;
  });
  const whens = conditions.map((c, i) => `WHEN ${c} THEN ${i}`);
  return { sql: whens.length === 0 ? 'CAST(NULL AS INTEGER)' : `CASE ${whens.join(' ')} END`, conditions, warnings };
}

/**
 * Most rules whose overlap with earlier rules the match scan measures (one sum per rule); above, the overlap is not
 * measured and the report says so.
 */
export const MAX_OVERLAP_RULES = 50;

/** What the match query of a file source reads: its view and the expressions of the line items' parts. */
export interface MatchQueryParts {
  readonly view: string;
  readonly columns: RuleColumns;
  /** The service tag's value (NULL when absent). */
  readonly serviceTag: string;
  readonly time: string;
  readonly currency: string;
  readonly cost: string;
  /** The charge-category column and its non-resource values (tax, credits...). */
  readonly category: string;
  readonly nonResource: readonly string[];
  /** The provider expression (FOCUS), grouped by. */
  readonly provider?: string;
  /** The grouped tag's value (NULL when absent), grouped by, when the cost table is grouped by another tag than the service's. */
  readonly group?: string;
  readonly from: string;
  readonly to: string;
  /** The SQL dialect. @default SqlDialect.DUCKDB */
  readonly dialect?: SqlDialect;
  /** More conditions on the line items (Athena: the billing-period partitions of the period). @default - none */
  readonly where?: readonly string[];
  /**
   * How many line items a row of `view` stands for: a column of an aggregate (the file sources' scan table), else one
   * per row. @default - one line item per row
   */
  readonly lineItems?: string;
}

/** The criteria columns of `RuleColumns` (everything but the label). */
type CriterionField = Exclude<keyof RuleColumns, 'label'>;

/** The criteria columns the rules of a plan read (the stack is always read: the matches are per stack). */
export function criterionFields(plan: AttributionPlan, columns: RuleColumns): CriterionField[] {
  const used = new Set<CriterionField>(['stack']);
  for (const r of plan.rules) {
    switch (r.rule.kind) {
      case 'accounts':
        used.add('account');
        break;
      case 'resources':
        used.add('resource');
        break;
      case 'charges':
        for (const f of ['serviceCode', 'usageType', 'recordType', 'chargeCategory', 'billingEntity'] as const) {
          used.add(f);
        }
        break;
      default:
        break;
    }
  }
  const order: CriterionField[] = ['account', 'stack', 'serviceCode', 'usageType', 'resource', 'recordType', 'chargeCategory', 'billingEntity'];
  return order.filter((f) => used.has(f) && columns[f] !== undefined);
}

/**
 * The untagged spend each rule matches, per (rule, stack, day, currency[, provider]): one scan of the untagged line
 * items of the period, amounts summed as exact decimals and returned as text.
 *
 * The line items are first summed per distinct value of the columns the rules read (with the day, the currency, the
 * provider and whether the charge has no resource); the rules' `CASE` and the overlap tests run once per distinct
 * criteria (a few hundred in a month's bill, where line items are millions), and the sums per rule add up those
 * groups: the same exact sums (decimal addition does not depend on the order), overlaps counted in line items
 * (bench/RESULTS.md, "Attribution rules at scale").
 */
export function matchSql(plan: AttributionPlan, p: MatchQueryParts): { sql: string; warnings: string[] } {
  // the first aggregation's keys: each criterion column the rules read, named k_<field>; the rules read them there
  const fields = criterionFields(plan, p.columns);
  const grouped: RuleColumns = { ...p.columns };
  for (const f of fields) {
    (grouped as any)[f] = `k_${f}`;
  }
  const index = ruleIndexSql(plan, grouped);
  const exact = (e: string) => `CAST(${e} AS DECIMAL(38, 18))`;
  const nonResource = p.nonResource.map(sqlLiteral).join(', ');
  // what a later rule would also have matched of the line items an earlier rule took (section 5: a warning naming both)
  const overlap = plan.rules.length > 1 && plan.rules.length <= MAX_OVERLAP_RULES;
  const also = overlap ? index.conditions.map((c, j) => `CASE WHEN ${c} THEN 1 ELSE 0 END AS also_${j}`) : [];
  const alsoSums = overlap ? index.conditions.map((_c, j) => `CAST(SUM(CASE WHEN also_${j} = 1 THEN cost ELSE 0 END) AS VARCHAR) AS also_amount_${j}, `
    + `SUM(also_${j} * line_items) AS also_count_${j}`) : [];
  const criteria = fields.map((f) => `k_${f}`);
  const extra = [...(p.provider ? ['provider'] : []), ...(p.group ? ['group_value'] : [])];
  const keys = [...criteria, 'usage_date', 'currency', ...extra, 'no_resource'];
  const outKeys = ['rule_index', 'stack', 'usage_date', 'currency', ...extra];
  const sql = [
    // 1. the untagged line items of the period, summed per distinct criteria, day, currency (provider, grouped tag);
    //    grouped in an outer SELECT, as Athena (Trino) groups by columns, not by the aliases of its own SELECT
    'WITH untagged_groups AS (',
    `  SELECT ${keys.join(', ')}, SUM(cost) AS cost, ${p.lineItems ? 'SUM(line_items)' : 'COUNT(*)'} AS line_items`,
    '  FROM (',
    `    SELECT ${fields.map((f) => `COALESCE(CAST(${p.columns[f]} AS VARCHAR), '') AS k_${f}, `).join('')}`,
    `      ${dayTextSql(p.time, p.dialect ?? SqlDialect.DUCKDB)} AS usage_date, ${p.currency} AS currency,`
      + (p.provider ? ` COALESCE(${p.provider}, '') AS provider,` : '')
      + (p.group ? ` COALESCE(${p.group}, '') AS group_value,` : ''),
    `      COALESCE(${p.category} IN (${nonResource}), FALSE) AS no_resource,${p.lineItems ? ` ${p.lineItems} AS line_items,` : ''}`,
    `      ${exact(`COALESCE(${p.cost}, 0)`)} AS cost`,
    `    FROM ${p.view}`,
    `    WHERE COALESCE(${p.serviceTag}, '') = ''`,
    `      AND ${p.time} >= TIMESTAMP '${p.from} 00:00:00' AND ${p.time} < TIMESTAMP '${p.to} 00:00:00'`,
    ...(p.where ?? []).map((w) => `      AND ${w}`),
    '  ) AS untagged_line_items',
    `  GROUP BY ${keys.join(', ')}`,
    // 2. the first rule each distinct criteria matches, and the rules that also match it: once per distinct criteria
    '), criteria AS (',
    `  SELECT ${criteria.join(', ')}, ${index.sql} AS rule_index${also.map((x) => `, ${x}`).join('')}`,
    `  FROM (SELECT DISTINCT ${criteria.join(', ')} FROM untagged_groups) AS distinct_criteria`,
    ')',
    `SELECT ${outKeys.join(', ')},`,
    '  CAST(SUM(cost) AS VARCHAR) AS amount, CAST(SUM(non_resource) AS VARCHAR) AS non_resource'
      + alsoSums.map((x) => `, ${x}`).join(''),
    'FROM (',
    `  SELECT c.rule_index, g.k_stack AS stack, g.usage_date, g.currency,${extra.map((k) => ` g.${k},`).join('')} g.cost, g.line_items,`,
    `    CASE WHEN g.no_resource THEN g.cost ELSE ${exact('0')} END AS non_resource${also.map((_x, j) => `, c.also_${j}`).join('')}`,
    `  FROM untagged_groups AS g JOIN criteria AS c ON ${criteria.map((k) => `g.${k} = c.${k}`).join(' AND ')}`,
    ') AS untagged_items',
    'WHERE rule_index IS NOT NULL',
    `GROUP BY ${outKeys.join(', ')}`,
    `ORDER BY rule_index, usage_date, stack, currency${p.provider ? ', provider' : ''}${p.group ? ', group_value' : ''}`,
  ].join('\n');
  const warnings = [...index.warnings];
  if (plan.rules.length > MAX_OVERLAP_RULES) {
    warnings.push(`the overlap of rules (spend two rules match) is measured for up to ${MAX_OVERLAP_RULES} rules; ${plan.rules.length} are `
      + 'declared: it is not measured');
  }
  return { sql, warnings };
}

/** The line items' columns of the coverage's probe for the stack key, when the coverage query reads an aggregate of them. */
export interface CoverageProbe {
  /** The stack tag's expression on the probed view. */
  readonly stack: string;
  /** Its time column. */
  readonly time: string;
  /** The period's first day. */
  readonly from: string;
}

/**
 * The coverage scan's SQL (docs/attribution.md section 9): the untagged line items no rule matches and the line items
 * whose service tag holds an undeclared value, summed over the period per currency[, provider], tag value, resource, account,
 * region, product, usage type, stack, type and whether the charge belongs to no resource (one aggregation: the rule
 * `CASE` is the match scan's); and a probe of `probeView` (every line item, owned or not) for the stack key that stops at
 * the first line item holding it.
 */
export function coverageSql(plan: AttributionPlan, p: MatchQueryParts,
  o: { declaredServices: readonly string[]; region?: string; itemType: string; probeView: string; probe?: CoverageProbe })
  : { items: string; stackKeyProbe: string } {
  const index = ruleIndexSql(plan, p.columns);
  const text = (e: string) => `COALESCE(CAST(${e} AS VARCHAR), '')`;
  const tag = text(p.serviceTag);
  const declared = o.declaredServices.length === 0 ? 'FALSE' : `${tag} IN (${o.declaredServices.map(sqlLiteral).join(', ')})`;
  const period = `${p.time} >= TIMESTAMP '${p.from} 00:00:00' AND ${p.time} < TIMESTAMP '${p.to} 00:00:00'`;
  const items = [
    `SELECT currency,${p.provider ? ' provider,' : ''} tag, resource, account, region, product, usage_type, stack, item_type, non_resource,`,
    '  CAST(SUM(cost) AS VARCHAR) AS amount',
    'FROM (',
    `  SELECT CASE WHEN ${tag} = '' THEN ${index.sql} END AS rule_index, ${tag} AS tag,`,
    `    ${p.currency} AS currency,${p.provider ? ` COALESCE(${p.provider}, '') AS provider,` : ''}`,
    `    ${text(p.columns.resource)} AS resource, ${text(p.columns.account)} AS account, ${o.region ? text(o.region) : "''"} AS region,`,
    `    ${text(p.columns.serviceCode)} AS product, ${text(p.columns.usageType)} AS usage_type, ${text(p.columns.stack)} AS stack,`,
    `    ${text(o.itemType)} AS item_type, COALESCE(${p.category} IN (${p.nonResource.map(sqlLiteral).join(', ')}), FALSE) AS non_resource,`,
    `    CAST(COALESCE(${p.cost}, 0) AS DECIMAL(38, 18)) AS cost`,
    `  FROM ${p.view}`,
    `  WHERE NOT (${declared}) AND ${period}`,
    ') AS unattributed_items',
    // untagged line items a rule matched are attributed (or left by the split: the rule's outcome tells)
    "WHERE NOT (tag = '' AND rule_index IS NOT NULL)",
    'GROUP BY ALL',
    'ORDER BY currency, tag, resource, account, product, usage_type',
  ].join('\n');
  // the probe reads the line items (`probe`: where `p` reads an aggregate of them, the file sources' scan table)
  const probeTime = o.probe?.time ?? p.time;
  const probeFrom = o.probe?.from ?? p.from;
  const probePeriod = `${probeTime} >= TIMESTAMP '${probeFrom} 00:00:00' AND ${probeTime} < TIMESTAMP '${p.to} 00:00:00'`;
  const stackKeyProbe = `SELECT 1 AS present FROM ${o.probeView} WHERE ${probePeriod} AND ${text(o.probe?.stack ?? p.columns.stack)} <> '' LIMIT 1`;
  return { items, stackKeyProbe };
}
