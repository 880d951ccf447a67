import { AttributionOutcome } from './apply';
import { OrderedRule } from './rules';
import { chargeTypeDefinition } from '../../declaration/attribution-charges';
import { Decimal } from '../../private/decimal';
import { closest } from '../../private/placeholders';
import { DeclaredService } from '../declarations/cloud-assembly';
import { StackMember, stackServices } from '../declarations/stack-services';
import { CostRow, CoverageItem, CoverageScan, exactAmountOf } from '../query';

/**
 * Coverage (docs/attribution.md section 9): every dollar of the period is tagged (a declared service's tag), attributed
 * by a rule, or unattributed with exactly one reason, taken in the order of `REASONS`; the unattributed spend per
 * resource with its likely owner (how it was found) and the fix (a rule to declare, a tag to activate); the attributed
 * share (tagged + attributed) month by month. Built from the source's cost rows, the rules' outcome and the coverage
 * scan (`fileSourceCoverage`), exactly (decimals to 10^-18), so tagged + attributed + the reasons = the total.
 */

/** The reasons, in the order a dollar is given the first that applies (docs/attribution.md, section 9's table). */
export const REASONS = [
  {
    key: 'no-resource',
    label: 'no resource: tax, support, fees, credits',
    owner: 'every business unit, by share',
    fix: 'a charges rule, e.g. AttributionRule.charges({ chargeTypes: [ChargeType.TAX, ChargeType.SUPPORT], to: AttributionTarget.everyone() })',
  },
  { key: 'untaggable', label: 'a resource of an untaggable type', owner: 'the services of its stack', fix: 'AttributionRule.declaredStacks()' },
  {
    key: 'stack-untagged',
    label: 'a resource in a CDK stack without the tag',
    owner: 'the services of its stack',
    fix: 'AttributionRule.declaredStacks(), and activate the tags with CostAllocationTags (backfill)',
  },
  {
    key: 'outside',
    label: 'a resource outside every assembly\'s stacks',
    owner: 'the services declared in its account',
    fix: 'move it into a service (include()), tag it, or a resources / accounts / stacks rule',
  },
  {
    key: 'unknown-tag',
    label: 'a tag value no declaration carries',
    owner: 'the closest declared service name',
    fix: 'correct the tag, or declare the service',
  },
  {
    key: 'stack-tag-inactive',
    label: 'the stack tag is not active',
    owner: 'FinOps (the management account)',
    fix: 'activate aws:cloudformation:stack-name: new CostAllocationTags(stack, \'Tags\', { activateStackNameTag: true })',
  },
  { key: 'split-failed', label: 'a rule could not split', owner: 'the rule\'s owner', fix: 'change the rule\'s allocation or target' },
  {
    // Cost Explorer only (no resource ids): untagged usage in an account where stacks are declared
    key: 'needs-resources',
    label: 'usage in a declared stack\'s account (needs resource ids)',
    owner: 'the services declared in its account',
    fix: 'read the CUR 2.0 or FOCUS files (--source cur|focus) for its reason, resources and fix',
  },
] as const;

/** The reasons a source without resource ids (Cost Explorer) can tell, in the order of `REASONS`. */
const ACCOUNT_LEVEL_REASONS: readonly ReasonKey[] = ['no-resource', 'outside', 'unknown-tag', 'split-failed', 'needs-resources'];

/** What coverage on Cost Explorer cannot tell (docs/attribution.md section 9), one note. */
export const CE_COVERAGE_NOTE = 'Cost Explorer has no resource ids (GetCostAndUsageWithResources is opt-in, daily, for the last 14 days only): '
  + 'it tells spend of no resource (tax, support, fees, credits, by RECORD_TYPE), untagged spend in accounts without declared stacks and '
  + 'undeclared tag values; the resource-level reasons (an untaggable type, a CDK stack without the tag, a resource outside every stack, '
  + 'the stack tag not active) and the top resources need the CUR 2.0 or FOCUS files (--source cur PATH, --source focus PATH) or Athena';

export type ReasonKey = typeof REASONS[number]['key'];

/** One reason's part of the period. */
export interface ReasonAmount {
  readonly reason: ReasonKey;
  readonly label: string;
  readonly amount: Decimal;
  readonly owner: string;
  readonly fix: string;
}

/** Unattributed spend of one resource (or one charge of no resource, one undeclared tag value's resource, one rule's split). */
export interface CoverageEntry {
  readonly reason: ReasonKey;
  /** The resource id, or what stands for it: `(no resource: Tax)`, `(rule shared/tax)`. */
  readonly resource: string;
  readonly account: string;
  readonly region: string;
  readonly product: string;
  /** The usage type of its largest part (`usageTypes` counts them all). */
  readonly usageType: string;
  readonly usageTypes: number;
  readonly stack: string;
  /** The undeclared tag value (reason `unknown-tag`). */
  readonly tag: string;
  readonly amount: Decimal;
  /** The likely owner: service names, or who. */
  readonly owner: string;
  /** The likely owner's declared services (empty: no service, or everyone by share); a unit's pack takes what they own. */
  readonly ownerServices: readonly string[];
  /** How the owner was found. */
  readonly ownerHow: string;
  /** The fix: a copy-pastable rule (TypeScript), or what to do. */
  readonly fix: string;
}

export interface MonthShare {
  /** `YYYY-MM` */
  readonly month: string;
  readonly total: Decimal;
  readonly tagged: Decimal;
  readonly attributed: Decimal;
  readonly unattributed: Decimal;
}

export interface AccountAmount {
  readonly account: string;
  readonly amount: Decimal;
  readonly entries: number;
  /** The reason of most of its amount. */
  readonly mainReason: ReasonKey;
  readonly owner: string;
}

export interface Coverage {
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  readonly total: Decimal;
  readonly tagged: Decimal;
  readonly attributed: Decimal;
  readonly unattributed: Decimal;
  /** Every reason, in the order of `REASONS` (zero when none). */
  readonly reasons: ReasonAmount[];
  /** Every unattributed entry, largest first. */
  readonly entries: CoverageEntry[];
  readonly accounts: AccountAmount[];
  readonly months: MonthShare[];
  readonly stackKeyActive: boolean;
  /** Whether the source told resources apart (false: Cost Explorer, by account and record type). */
  readonly resourceLevel: boolean;
  readonly warnings: string[];
  /** What the source could not tell (Cost Explorer), for the notes. */
  readonly notes: string[];
}

export interface CoverageInput {
  readonly from: string;
  readonly to: string;
  /** The source's cost rows per service, before the rules. */
  readonly rows: readonly CostRow[];
  readonly scan: CoverageScan;
  /** What the rules did (undefined without rules). */
  readonly outcome?: AttributionOutcome;
  readonly rules: readonly OrderedRule[];
  readonly services: readonly DeclaredService[];
  /** The stacks the services reach through `include()` (member records): theirs too. @default - none */
  readonly members?: readonly StackMember[];
  /** The currency reported (`--currency`); default: the rows'. */
  readonly currency?: string;
  /**
   * The tagged spend of the period per account and declared service (`taggedByAccount`), the owner hint of an account
   * without declared stacks. @default - none: such an account has no likely owner
   */
  readonly accountTagged?: AccountTagged;
}

/** Tagged spend per account, then per declared service (one currency). */
export type AccountTagged = ReadonlyMap<string, ReadonlyMap<string, Decimal>>;

/**
 * The tagged spend per account and declared service from the rows of a query grouped by service and by account
 * (`dimension: SUB_ACCOUNT`: the row's `group` is the account), in `currency`.
 */
export function taggedByAccount(rows: readonly CostRow[], declared: readonly string[], currency: string): AccountTagged {
  const names = new Set(declared);
  const out = new Map<string, Map<string, Decimal>>();
  for (const r of rows) {
    if (!names.has(r.service) || r.group === '' || r.currency !== currency) {
      continue;
    }
    const a = out.get(r.group) ?? new Map<string, Decimal>();
    a.set(r.service, (a.get(r.service) ?? Decimal.ZERO).plus(exactAmountOf(r)));
    out.set(r.group, a);
  }
  return out;
}

/**
 * The services that carry most of an account's tagged spend: largest first, until together they carry more than half
 * of it (positive amounts only; ties by name). Empty when the account has no positive tagged spend.
 */
export function majorityOwners(tagged: ReadonlyMap<string, Decimal> | undefined): Array<{ service: string; amount: Decimal; share: number }> {
  const parts = [...(tagged ?? new Map<string, Decimal>())].filter(([, d]) => d.sign() > 0)
    .sort(([a, x], [b, y]) => y.compare(x) || byName(a, b));
  const whole = Decimal.sum(parts.map(([, d]) => d));
  const out: Array<{ service: string; amount: Decimal; share: number }> = [];
  let sum = Decimal.ZERO;
  for (const [service, amount] of parts) {
    if (sum.plus(sum).compare(whole) > 0) {
      break;
    }
    sum = sum.plus(amount);
    out.push({ service, amount, share: amount.toNumber() / whole.toNumber() });
  }
  return out;
}

/** The line item types and FOCUS charge categories of fees: no resource (docs/attribution.md section 9). */
const FEE_TYPES = new Set(['Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee', 'Purchase', 'Adjustment', 'Refund']);
/** The charge type a fix names for a line item type / charge category. */
const CHARGE_TYPE_OF: Record<string, string> = {
  Tax: 'TAX', Credit: 'CREDIT', Support: 'SUPPORT', RIFee: 'RESERVED_INSTANCE_FEE', SavingsPlanRecurringFee: 'SAVINGS_PLAN_RECURRING_FEE',
};
const SUPPORT_CODES = new Set(chargeTypeDefinition('support')?.serviceCodes ?? []);

/** A TypeScript string literal of untrusted text (quotes, backslashes and control characters escaped). */
export function tsString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

function serviceTarget(names: readonly string[]): string {
  return names.length === 1
    ? `AttributionTarget.service(ServiceRef.named(${tsString(names[0])}))`
    : `AttributionTarget.services([${names.map((n) => `ServiceRef.named(${tsString(n)})`).join(', ')}])`;
}

/**
 * The CloudFormation types an ARN may be, told from its service and resource type (`arn:aws:logs:...:log-group:x` is
 * `AWS::Logs::LogGroup`): the declared untaggable type whose service and type read the same, letters and digits only,
 * case-insensitive. A resource id that is not an ARN tells no type.
 */
export function untaggableTypeOf(resource: string, types: readonly string[]): string | undefined {
  const m = /^arn:[^:]*:([^:]+):[^:]*:[^:]*:([^/:]+)[/:]/.exec(resource);
  if (!m) {
    return undefined;
  }
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return types.find((t) => {
    const [, service, type] = t.split('::');
    return service !== undefined && type !== undefined && norm(service) === norm(m[1]) && norm(type) === norm(m[2]);
  });
}

export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The coverage of the period (see the module's comment). */
export function coverageOf(input: CoverageInput): Coverage {
  const currency = input.currency ?? input.rows[0]?.currency ?? input.scan.items[0]?.currency ?? '';
  const declared = new Set(input.services.map((s) => s.record.serviceName));
  const month = (day: string) => day.slice(0, 7);
  const months = new Map<string, { total: Decimal; tagged: Decimal; attributed: Decimal }>();
  const monthOf = (m: string) => {
    const e = months.get(m) ?? { total: Decimal.ZERO, tagged: Decimal.ZERO, attributed: Decimal.ZERO };
    months.set(m, e);
    return e;
  };
  for (const r of input.rows.filter((x) => x.currency === currency)) {
    const e = monthOf(month(r.day));
    e.total = e.total.plus(exactAmountOf(r));
    if (declared.has(r.service)) {
      e.tagged = e.tagged.plus(exactAmountOf(r));
    }
  }
  for (const o of input.outcome?.rules ?? []) {
    for (const [m, amount] of Object.entries(o.months)) {
      const e = monthOf(m);
      e.attributed = e.attributed.plus(amount);
    }
  }
  const total = Decimal.sum([...months.values()].map((e) => e.total));
  const tagged = Decimal.sum([...months.values()].map((e) => e.tagged));
  const attributed = Decimal.sum([...months.values()].map((e) => e.attributed));

  // each stack's services: the records in it, and the services whose include()d scopes are in it (member records)
  const stacks = new Map<string, DeclaredService[]>();
  for (const { stack, service } of stackServices(input)) {
    stacks.set(stack, [...(stacks.get(stack) ?? []), service]);
  }
  const namesOf = (ss: readonly DeclaredService[]) => [...new Set(ss.map((s) => s.record.serviceName))].sort(byName);
  const servicesInAccount = (account: string) => namesOf(input.services.filter((s) => s.account === account));

  const resourceLevel = input.scan.resourceLevel !== false;
  const declaredAccounts = new Set(input.services.map((s) => s.account));
  // a stack without a concrete account may be deployed in any account: no account's usage is then told outside
  const agnostic = input.services.some((s) => s.account === undefined);
  // each item's reason, in the order of REASONS
  const reasonOf = (i: CoverageItem): ReasonKey => {
    if (i.tag !== '') {
      return 'unknown-tag';
    }
    if (!resourceLevel) {
      // Cost Explorer: by record type and account only
      return i.nonResource ? 'no-resource' : declaredAccounts.has(i.account) || agnostic ? 'needs-resources' : 'outside';
    }
    if (i.nonResource || i.resource === '' || FEE_TYPES.has(i.itemType) || SUPPORT_CODES.has(i.product)) {
      return 'no-resource';
    }
    const inStack = stacks.get(i.stack);
    if (i.stack !== '' && inStack) {
      const types = [...new Set(inStack.flatMap((s) => Object.keys(s.record.resources.untaggableByType ?? {})))];
      return untaggableTypeOf(i.resource, types) ? 'untaggable' : 'stack-untagged';
    }
    if (i.stack === '' && !input.scan.stackKeyActive && stacks.size > 0) {
      return 'stack-tag-inactive';
    }
    return 'outside';
  };

  // entries: one per (reason, resource or charge, account)
  const groups = new Map<string, { reason: ReasonKey; items: CoverageItem[]; amount: Decimal }>();
  for (const i of input.scan.items.filter((x) => x.currency === currency)) {
    const reason = reasonOf(i);
    const key = reason === 'no-resource'
      ? [reason, i.account, i.product, i.itemType, i.resource].join('\u0000')
      : [reason, i.resource, i.account, i.tag].join('\u0000');
    const g = groups.get(key) ?? { reason, items: [], amount: Decimal.ZERO };
    g.items.push(i);
    g.amount = g.amount.plus(i.amount);
    groups.set(key, g);
  }
  const entries: CoverageEntry[] = [];
  for (const g of groups.values()) {
    // the largest part names the region, product and usage type
    const usage = new Map<string, Decimal>();
    for (const i of g.items) {
      usage.set(i.usageType, (usage.get(i.usageType) ?? Decimal.ZERO).plus(i.amount));
    }
    const largest = [...g.items].sort((a, b) => b.amount.compare(a.amount) || byName(a.usageType, b.usageType))[0];
    const [usageType] = [...usage].sort(([a, x], [b, y]) => y.compare(x) || byName(a, b))[0];
    const i = largest;
    const base = {
      reason: g.reason,
      account: i.account,
      region: i.region,
      product: i.product,
      usageType,
      usageTypes: usage.size,
      stack: i.stack,
      tag: i.tag,
      amount: g.amount,
    };
    const context = {
      stacks,
      namesOf,
      servicesInAccount,
      declared: [...declared].sort(byName),
      column: input.scan.stackColumn,
      accountTagged: input.accountTagged,
      currency,
      resourceLevel,
    };
    entries.push({ ...base, ...entryDetails(g.reason, i, context) });
  }
  for (const o of input.outcome?.rules ?? []) {
    if (o.unattributed.sign() === 0) {
      continue;
    }
    const set = o.rule.slice(0, o.rule.indexOf('/'));
    entries.push({
      reason: 'split-failed',
      resource: `(rule ${o.rule})`,
      account: '',
      region: '',
      product: '',
      usageType: '',
      usageTypes: 0,
      stack: '',
      tag: '',
      amount: o.unattributed,
      owner: `rule set ${set}`,
      ownerServices: [],
      ownerHow: o.reasons.join('; '),
      fix: `change rule ${o.rule}: a target with cost in the month, or Allocation.even()`,
    });
  }
  entries.sort((a, b) => b.amount.compare(a.amount) || byName(a.reason, b.reason) || byName(a.resource, b.resource) || byName(a.account, b.account));

  const reasons: ReasonAmount[] = REASONS.filter((r) => (resourceLevel ? r.key !== 'needs-resources' : ACCOUNT_LEVEL_REASONS.includes(r.key))).map((r) => ({
    reason: r.key,
    label: r.label,
    amount: Decimal.sum(entries.filter((e) => e.reason === r.key).map((e) => e.amount)),
    owner: r.owner,
    fix: r.fix,
  }));
  const unattributed = total.minus(tagged).minus(attributed);
  const explained = Decimal.sum(reasons.map((r) => r.amount));
  const warnings: string[] = [];
  if (explained.compare(unattributed) !== 0) {
    // never expected: the scan and the cost table read the same line items of the period
    warnings.push(`coverage: the reasons add up to ${explained.toFixed(2)} ${currency}, the unattributed spend is ${unattributed.toFixed(2)} `
      + `${currency}: ${unattributed.minus(explained).toFixed(2)} ${currency} is not explained`);
  }
  if (resourceLevel && !input.scan.stackKeyActive && stacks.size > 0) {
    warnings.push(`no line item of the period holds aws:cloudformation:stack-name (${input.scan.stackColumn}): resources of the declared stacks `
      + 'cannot be told from others; activate the key (CostAllocationTags activateStackNameTag)');
  }

  const accounts = new Map<string, { amount: Decimal; entries: number; byReason: Map<ReasonKey, Decimal> }>();
  for (const e of entries) {
    const a = accounts.get(e.account) ?? { amount: Decimal.ZERO, entries: 0, byReason: new Map() };
    a.amount = a.amount.plus(e.amount);
    a.entries += 1;
    a.byReason.set(e.reason, (a.byReason.get(e.reason) ?? Decimal.ZERO).plus(e.amount));
    accounts.set(e.account, a);
  }
  return {
    from: input.from,
    to: input.to,
    currency,
    total,
    tagged,
    attributed,
    unattributed,
    reasons,
    entries,
    accounts: [...accounts].map(([account, a]) => {
      const owners = account === '' ? [] : servicesInAccount(account);
      if (account !== '' && owners.length === 0) {
        owners.push(...majorityOwners(input.accountTagged?.get(account)).map((o) => `${o.service} (tagged)`));
      }
      return {
        account,
        amount: a.amount,
        entries: a.entries,
        mainReason: [...a.byReason].sort(([x, u], [y, v]) => v.compare(u) || byName(x, y))[0][0],
        owner: owners.length > 0 ? owners.join(', ') : '',
      };
    }).sort((x, y) => y.amount.compare(x.amount) || byName(x.account, y.account)),
    months: [...months].sort(([a], [b]) => byName(a, b)).map(([m, e]) => ({
      month: m, total: e.total, tagged: e.tagged, attributed: e.attributed, unattributed: e.total.minus(e.tagged).minus(e.attributed),
    })),
    stackKeyActive: input.scan.stackKeyActive,
    resourceLevel,
    warnings,
    notes: resourceLevel ? [] : [CE_COVERAGE_NOTE],
  };
}

/** The resource shown, the likely owner (how found, its services) and the fix of an entry. */
function entryDetails(reason: ReasonKey, i: CoverageItem, c: {
  stacks: Map<string, DeclaredService[]>;
  namesOf: (ss: readonly DeclaredService[]) => string[];
  servicesInAccount: (account: string) => string[];
  declared: string[];
  column: string;
  accountTagged?: AccountTagged;
  currency: string;
  resourceLevel: boolean;
}): { resource: string; owner: string; ownerHow: string; ownerServices: string[]; fix: string } {
  // the account's owner: the services declared in its stacks; else the services carrying most of its tagged spend
  const accountOwners = () => {
    const names = c.servicesInAccount(i.account);
    if (names.length > 0) {
      return { owner: names.join(', '), ownerHow: `services declared in account ${i.account}`, names };
    }
    const most = majorityOwners(c.accountTagged?.get(i.account));
    if (most.length > 0) {
      const list = most.map((m) => `${m.service} ${formatShare(m.share)}`).join(', ');
      const sorted = most.map((m) => m.service).sort(byName);
      return { owner: sorted.join(', '), ownerHow: `no service is declared in account ${i.account}; most of its tagged spend: ${list}`, names: sorted };
    }
    const none = c.accountTagged ? `no service is declared in account ${i.account} nor tags spend in it` : `no service is declared in account ${i.account}`;
    return { owner: '', ownerHow: i.account ? none : 'no account', names };
  };
  if (!c.resourceLevel && (reason === 'outside' || reason === 'needs-resources')) {
    // Cost Explorer: the untagged usage of an account, no resource ids
    const a = accountOwners();
    const rule = a.names.length > 0 ? `AttributionRule.accounts({ accountIds: [${tsString(i.account)}], to: ${serviceTarget(a.names)} })` : undefined;
    return {
      resource: `(untagged usage in account ${i.account})`,
      owner: a.owner,
      ownerHow: a.ownerHow,
      ownerServices: a.names,
      fix: reason === 'needs-resources'
        ? 'read the CUR 2.0 or FOCUS files (customer-value coverage --source cur|focus) for its resources and their fixes'
        : rule ? `tag its resources, or ${rule}` : 'tag its resources, or an accounts rule for the account',
    };
  }
  switch (reason) {
    case 'no-resource': {
      const type = CHARGE_TYPE_OF[i.itemType] ?? (SUPPORT_CODES.has(i.product) ? 'SUPPORT' : undefined);
      const criteria = type ? `chargeTypes: [ChargeType.${type}]` : i.product ? `serviceCodes: [${tsString(i.product)}]` : undefined;
      return {
        resource: `(no resource: ${i.itemType || 'no type'}${i.resource === '' ? '' : ` ${i.resource}`})`,
        owner: 'every business unit, by share',
        ownerHow: 'a charge of no resource',
        ownerServices: [],
        fix: criteria ? `AttributionRule.charges({ ${criteria}, to: AttributionTarget.everyone() })`
          : `AttributionRule.accounts({ accountIds: [${tsString(i.account)}], to: AttributionTarget.everyone() })`,
      };
    }
    case 'untaggable':
    case 'stack-untagged': {
      const names = c.namesOf(c.stacks.get(i.stack) ?? []);
      return {
        resource: i.resource,
        owner: names.join(', '),
        ownerHow: `services of its stack ${i.stack}`,
        ownerServices: names,
        fix: reason === 'untaggable' ? 'AttributionRule.declaredStacks()'
          : 'AttributionRule.declaredStacks(); and activate the tags (CostAllocationTags, with backfill)',
      };
    }
    case 'outside':
    case 'stack-tag-inactive': {
      const a = accountOwners();
      const rule = a.names.length > 0 ? `AttributionRule.resources({ resourceIds: [${tsString(i.resource)}], to: ${serviceTarget(a.names)} })` : undefined;
      if (reason === 'stack-tag-inactive') {
        return {
          resource: i.resource,
          owner: a.owner || 'FinOps',
          ownerHow: a.owner ? a.ownerHow : 'the stack tag is not active: its stack is unknown',
          ownerServices: a.names,
          fix: `activate aws:cloudformation:stack-name (CostAllocationTags activateStackNameTag)${rule ? `; or ${rule}` : ''}`,
        };
      }
      return {
        resource: i.resource,
        owner: a.owner,
        ownerHow: i.stack ? `stack ${i.stack} is in no assembly read; ${a.ownerHow}` : a.ownerHow,
        ownerServices: a.names,
        fix: rule ?? 'move it into a service (include()) or tag it with the service tag',
      };
    }
    case 'unknown-tag': {
      const near = closest(i.tag, c.declared);
      return {
        resource: i.resource || (c.resourceLevel ? `(no resource: ${i.itemType || 'no type'})` : '(its spend: Cost Explorer has no resource ids)'),
        owner: near ?? '',
        ownerHow: near ? `tag "${i.tag}": did you mean "${near}"?` : `tag "${i.tag}": no declared service is close`,
        ownerServices: near ? [near] : [],
        fix: near ? `correct the tag "${i.tag}" to "${near}", or declare a service named "${i.tag}"` : `declare a service named "${i.tag}", or correct the tag`,
      };
    }
    default:
      return { resource: i.resource, owner: '', ownerHow: '', ownerServices: [], fix: '' };
  }
}

/** A share as the reports print it (one decimal). */
function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
