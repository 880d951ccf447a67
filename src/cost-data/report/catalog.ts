import { createHash } from 'crypto';
import * as YAML from 'yaml';
import { AssemblySet, DeclaredService } from '../declarations/cloud-assembly';
import { relativePath } from '../paths';
import { unitLabel } from './labels';
import { allocationLabel, allocationOf, isProvider, valueChain } from '../value-chain/declared-chain';

/**
 * Backstage entity names: 1-63 characters, sequences of `[A-Za-z0-9]` separated by one of `-`, `_`, `.`
 * (the strict reading of Backstage's rule, which every Backstage version accepts).
 */
export const ENTITY_NAME = /^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$/;
export const ENTITY_NAME_MAX = 63;
/** Backstage tags: 1-63 characters, sequences of `[a-z0-9:+#]` separated by `-`. */
export const ENTITY_TAG = /^[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*$/;

const API_VERSION = 'backstage.io/v1alpha1';

/**
 * Derives a Backstage entity name from a service, team or business-unit name, deterministically:
 * a valid name is kept as is; otherwise accents are folded (`é` → `e`), every run of characters other than
 * ASCII letters and digits becomes `-` (a lone `_` or `.` between letters is kept), leading and trailing
 * separators are dropped, and a result longer than 63 characters is cut to 54 and suffixed with `-` and the first
 * 8 hex digits of the SHA-256 of the original. Nothing left: `x-` and 16 hex digits of the hash.
 */
export function entityName(value: string): string {
  if (value.length <= ENTITY_NAME_MAX && ENTITY_NAME.test(value)) {
    return value;
  }
  const folded = value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  let name = folded
    .replace(/[^A-Za-z0-9]+/g, (run) => (run === '_' || run === '.' ? run : '-'))
    .replace(/^[-_.]+|[-_.]+$/g, '');
  if (name.length === 0) {
    return `x-${sha(value).slice(0, 16)}`;
  }
  if (name.length > ENTITY_NAME_MAX) {
    name = `${name.slice(0, 54).replace(/[-_.]+$/, '')}-${sha(value).slice(0, 8)}`;
  }
  return name;
}

/** Derives a Backstage tag (lower-case, `-` separated, at most 63 characters). */
export function entityTag(value: string): string {
  const tag = value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9:+#]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return tag.length > 0 ? tag : `x-${sha(value).slice(0, 8)}`;
}

/**
 * Names per entity kind, made unique: when two different things (e.g. a team and a business unit, both Groups)
 * derive to the same name, the later one gets `-` and 8 hex digits of the SHA-256 of its key appended.
 */
class Names {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Map<string, string>();

  public get(key: string, value: string = key): string {
    const known = this.byKey.get(key);
    if (known) {
      return known;
    }
    let name = entityName(value);
    const owner = this.taken.get(name.toLowerCase());
    if (owner !== undefined && owner !== key) {
      name = `${name.slice(0, 54).replace(/[-_.]+$/, '')}-${sha(key).slice(0, 8)}`;
    }
    this.taken.set(name.toLowerCase(), key);
    this.byKey.set(key, name);
    return name;
  }
}

export interface CatalogResult {
  readonly yaml: string;
  readonly entities: number;
  readonly warnings: string[];
}

/**
 * Backstage catalog entities for the declared services: a `Component` per service (type `service`,
 * lifecycle `production`, owner its team, system its business unit, the need as description, customer-value
 * annotations and the AWS Cost Insights tag annotation), a `Group` per team (type `team`) and per business unit
 * (type `business-unit`), and a `Domain` and `System` per business unit. The value chain becomes `dependsOn` (the
 * services a service consumes, also those of other apps) and `dependencyOf` (the declared services that consume it).
 */
export function catalog(set: AssemblySet, cwd: string): CatalogResult {
  const warnings: string[] = [];
  const services = new Map<string, { decl: DeclaredService; stages: string[] }>();
  for (const d of set.services) {
    const existing = services.get(d.record.serviceName);
    if (existing) {
      if (d.stage) existing.stages.push(d.stage);
      if (JSON.stringify(existing.decl.record.tags) !== JSON.stringify(d.record.tags)) {
        warnings.push(`service ${d.record.serviceName} is declared differently in ${existing.decl.stage ?? existing.decl.stack} and `
          + `${d.stage ?? d.stack}: the catalog uses the first declaration`);
      }
      continue;
    }
    services.set(d.record.serviceName, { decl: d, stages: d.stage ? [d.stage] : [] });
  }
  const sorted = [...services.values()].sort((a, b) => a.decl.record.serviceName.localeCompare(b.decl.record.serviceName));

  const chain = valueChain(set.services, cwd);
  warnings.push(...chain.warnings);
  const componentNames = new Names();
  const groupNames = new Names();
  const systemNames = new Names();
  const teams = [...new Set(sorted.map((s) => s.decl.record.team))].sort();
  const units = [...new Set(sorted.map((s) => s.decl.record.businessUnit))].sort();
  // Teams and business units are both Groups: team names are taken first, so a unit named like a team gets a suffix.
  const teamRef = new Map(teams.map((t) => [t, groupNames.get(`team:${t}`, t)]));
  const unitRef = new Map(units.map((u) => [u, groupNames.get(`unit:${u}`, u)]));
  const unitSystem = new Map(units.map((u) => [u, systemNames.get(u)]));

  const docs: Record<string, unknown>[] = [];
  for (const { decl, stages } of sorted) {
    const r = decl.record;
    const name = componentNames.get(r.serviceName);
    const annotations: Record<string, string> = {
      'customer-value/need': r.customerNeed,
      'customer-value/customer': `${r.customer.kind}:${r.customer.name}`,
      'customer-value/team': r.team,
      'customer-value/business-unit': r.businessUnit,
      'customer-value/value-review': r.valueReview
        ? `${r.valueReview.status}, every ${r.valueReview.everyDays} days, last ${r.valueReview.lastReviewed}, next ${r.valueReview.nextReview}`
          + `${r.valueReview.reviewer ? `, reviewer ${r.valueReview.reviewer}` : ''}`
        : 'not-scheduled',
      'customer-value/cost-reporting': r.costReporting.enabled ? 'on' : `off${r.costReporting.disabledReason ? ` (${r.costReporting.disabledReason})` : ''}`,
      'customer-value/stack': decl.stack,
      'aws.amazon.com/cost-insights-tags': `${r.tagKeys.service}=${r.tags[r.tagKeys.service] ?? r.serviceName}`,
    };
    if (r.valueReview?.outcome) {
      annotations['customer-value/review-outcome'] = `${r.valueReview.outcome} (${r.valueReview.lastReviewed})`;
    }
    if (r.valueReview?.note) {
      annotations['customer-value/review-note'] = r.valueReview.note;
    }
    const unit = unitLabel(decl);
    if (unit) {
      annotations['customer-value/unit-metric'] = unit;
    }
    if (stages.length > 0) {
      annotations['customer-value/stages'] = stages.join(', ');
    }
    if (decl.account) {
      annotations['customer-value/account'] = decl.account;
    }
    if (decl.region) {
      annotations['customer-value/region'] = decl.region;
    }
    const node = chain.nodes.get(r.serviceName)!;
    if (isProvider(node)) {
      annotations['customer-value/cost-allocation'] = allocationLabel(allocationOf(node));
    }
    const dependsOn = node.consumes.map((p) => `component:${componentNames.get(p)}`);
    const dependencyOf = node.consumers.map((c) => `component:${componentNames.get(c)}`);
    docs.push({
      apiVersion: API_VERSION,
      kind: 'Component',
      metadata: {
        name,
        ...(name !== r.serviceName ? { title: r.serviceName } : {}),
        description: r.customerNeed,
        tags: [...new Set(['customer-value', `${entityTag(r.customer.kind)}-customer`])],
        annotations,
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: `group:${teamRef.get(r.team)}`,
        system: unitSystem.get(r.businessUnit),
        ...(dependsOn.length > 0 ? { dependsOn } : {}),
        ...(dependencyOf.length > 0 ? { dependencyOf } : {}),
      },
    });
  }
  for (const u of units) {
    const tagKey = sorted.find((s) => s.decl.record.businessUnit === u)!.decl.record.tagKeys.businessUnit;
    docs.push({
      apiVersion: API_VERSION,
      kind: 'System',
      metadata: {
        name: unitSystem.get(u),
        ...(unitSystem.get(u) !== u ? { title: u } : {}),
        description: `Customer services of the ${u} business unit`,
        tags: ['customer-value'],
        annotations: { 'customer-value/business-unit': u, 'aws.amazon.com/cost-insights-tags': `${tagKey}=${u}` },
      },
      spec: { owner: `group:${unitRef.get(u)}`, domain: unitSystem.get(u) },
    });
  }
  for (const u of units) {
    docs.push({
      apiVersion: API_VERSION,
      kind: 'Domain',
      metadata: {
        name: unitSystem.get(u),
        ...(unitSystem.get(u) !== u ? { title: u } : {}),
        description: `The ${u} business unit, which reviews the value of its services`,
      },
      spec: { owner: `group:${unitRef.get(u)}` },
    });
  }
  for (const t of teams) {
    const theirUnits = [...new Set(sorted.filter((s) => s.decl.record.team === t).map((s) => s.decl.record.businessUnit))];
    const tagKey = sorted.find((s) => s.decl.record.team === t)!.decl.record.tagKeys.team;
    docs.push({
      apiVersion: API_VERSION,
      kind: 'Group',
      metadata: {
        name: teamRef.get(t),
        ...(teamRef.get(t) !== t ? { title: t } : {}),
        description: `Team ${t}: builds and runs its customer services`,
        annotations: { 'aws.amazon.com/cost-insights-tags': `${tagKey}=${t}` },
      },
      spec: {
        type: 'team',
        // A team that serves one business unit sits under it; a team serving several has no single parent.
        ...(theirUnits.length === 1 ? { parent: unitRef.get(theirUnits[0]) } : {}),
        children: [],
      },
    });
  }
  for (const u of units) {
    const children = teams.filter((t) => {
      const theirUnits = new Set(sorted.filter((s) => s.decl.record.team === t).map((s) => s.decl.record.businessUnit));
      return theirUnits.size === 1 && theirUnits.has(u);
    }).map((t) => teamRef.get(t)!);
    docs.push({
      apiVersion: API_VERSION,
      kind: 'Group',
      metadata: {
        name: unitRef.get(u),
        ...(unitRef.get(u) !== u ? { title: u } : {}),
        description: `Business unit ${u}: reviews the value of its customer services`,
      },
      spec: { type: 'business-unit', children },
    });
  }

  const header = [
    '# Backstage catalog entities generated by `customer-value catalog` from the cloud assembly',
    `# (${set.assemblies.map((a) => relativePath(a, cwd)).join(', ')}). Regenerate after cdk synth instead of editing.`,
  ].join('\n');
  const body = docs.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n');
  return { yaml: docs.length > 0 ? `${header}\n${body}` : `${header}\n`, entities: docs.length, warnings };
}

function sha(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
