import { formatMoney } from '../report/model';

/**
 * The flags of a value review: what a reviewer should look at, each from a documented, deterministic rule with its
 * threshold. `FLAG_RULES` is the documentation (the pack prints it, the README quotes it); the functions below apply
 * the same rules.
 */

export type FlagRule =
  | 'cost-up-usage-flat' | 'unit-cost-up' | 'over-budget' | 'review-overdue' | 'no-usage-metric' | 'cost-without-declaration' | 'no-cost';

export interface ReviewFlag {
  readonly rule: FlagRule;
  /** The service (or undeclared service tag value) flagged. */
  readonly service: string;
  readonly message: string;
}

/** The thresholds of the rules (`--threshold NAME=VALUE`). */
export interface ReviewThresholds {
  /** `cost-up`: month-over-month cost increase, in percent, above which `cost-up-usage-flat` is raised. */
  readonly costIncreasePercent: number;
  /** `unit-cost-up`: month-over-month unit cost increase, in percent. */
  readonly unitCostIncreasePercent: number;
  /** `overdue-days`: days past the next review date before `review-overdue` is raised. */
  readonly overdueDays: number;
  /** `min-cost`: cost (in the bill's currency) below which a month is too small to judge a change, or a tag value to flag. */
  readonly minimumCost: number;
}

export const DEFAULT_THRESHOLDS: ReviewThresholds = { costIncreasePercent: 20, unitCostIncreasePercent: 10, overdueDays: 0, minimumCost: 1 };

/** The names of the thresholds (`--threshold NAME=VALUE`, and how `FLAG_RULES` names them). */
export const THRESHOLD_NAMES: Readonly<Record<string, keyof ReviewThresholds>> = {
  'cost-up': 'costIncreasePercent',
  'unit-cost-up': 'unitCostIncreasePercent',
  'overdue-days': 'overdueDays',
  'min-cost': 'minimumCost',
};

/** Every rule, in the order a pack lists them, with the sentence that documents it. */
export const FLAG_RULES: ReadonlyArray<{ readonly rule: FlagRule; readonly describe: (t: ReviewThresholds) => string }> = [
  {
    rule: 'review-overdue',
    describe: (t) => `review-overdue: the next review date is more than ${t.overdueDays} day${t.overdueDays === 1 ? '' : 's'} past (overdue-days)`,
  },
  {
    rule: 'cost-up-usage-flat',
    describe: (t) => `cost-up-usage-flat: the last month cost more than ${t.costIncreasePercent} % more than the month before (cost-up), `
      + `the month before cost at least ${formatMoney(t.minimumCost)} (min-cost), and usage did not grow (or is not known)`,
  },
  {
    rule: 'unit-cost-up',
    describe: (t) => `unit-cost-up: the cost per unit of the last month is more than ${t.unitCostIncreasePercent} % above the month before (unit-cost-up)`,
  },
  { rule: 'over-budget', describe: () => 'over-budget: a month of the trend cost more than the declared monthly budget (USD bills only)' },
  {
    rule: 'no-usage-metric',
    describe: () => 'no-usage-metric: the service declares no usage metric and no usage file gives its units, so the value it delivers per cost '
      + 'cannot be measured',
  },
  {
    rule: 'cost-without-declaration',
    describe: (t) => `cost-without-declaration: a service tag value that no declaration carries has at least ${formatMoney(t.minimumCost)} `
      + 'of cost with the unit\'s business-unit tag over the trend (min-cost)',
  },
  { rule: 'no-cost', describe: () => 'no-cost: a declared service has no cost in any month of the trend (still needed? a candidate to retire)' },
];

/** What the service rules read of a service's review. */
export interface FlagInput {
  readonly name: string;
  readonly review: { readonly status: string; readonly daysOverdue: number; readonly nextReview?: string };
  readonly cost: number[];
  readonly total: number;
  readonly budget?: number;
  readonly overBudget: boolean[];
  readonly unit?: string;
  /** Whether the declaration cannot tell its usage metric (a service declared by value in another app). */
  readonly unitUnknown?: boolean;
  readonly usage?: Array<number | undefined>;
  readonly unitCost?: Array<number | undefined>;
  /** Per month: whether the cost data covers it; a month without data is compared with nothing. @default - every month */
  readonly withData?: boolean[];
}

const pct = (ratio: number) => `${ratio >= 0 ? '+' : ''}${(Math.round(ratio * 1000) / 10).toFixed(1)} %`;

/** The flags of one declared service. */
export function reviewFlags(s: FlagInput, months: string[], t: ReviewThresholds, currency: string): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  const flag = (rule: FlagRule, message: string) => flags.push({ rule, service: s.name, message });
  const n = s.cost.length;
  if (s.review.status === 'overdue' && s.review.daysOverdue > t.overdueDays) {
    flag('review-overdue', `${s.name}: the value review is ${s.review.daysOverdue} days overdue (it was due ${s.review.nextReview})`);
  }
  const covered = (i: number) => s.withData?.[i] ?? true;
  if (n >= 2 && covered(n - 1) && covered(n - 2)) {
    const [prev, last] = [s.cost[n - 2], s.cost[n - 1]];
    const grew = prev >= t.minimumCost && last > prev * (1 + t.costIncreasePercent / 100);
    const [uPrev, uLast] = s.usage ? [s.usage[n - 2], s.usage[n - 1]] : [undefined, undefined];
    const usageKnown = uPrev !== undefined && uLast !== undefined;
    if (grew && (!usageKnown || uLast! <= uPrev!)) {
      flag('cost-up-usage-flat', `${s.name}: cost ${pct((last - prev) / prev)} in ${months[n - 1]} against ${months[n - 2]} `
        + `(${formatMoney(prev)} to ${formatMoney(last)} ${currency}), ${usageKnown
          ? `while usage did not grow (${uPrev} to ${uLast} units)` : 'and usage is not known'}`);
    }
    const [cPrev, cLast] = s.unitCost ? [s.unitCost[n - 2], s.unitCost[n - 1]] : [undefined, undefined];
    if (cPrev !== undefined && cLast !== undefined && cPrev > 0 && cLast > cPrev * (1 + t.unitCostIncreasePercent / 100)) {
      flag('unit-cost-up', `${s.name}: cost ${s.unit} ${pct((cLast - cPrev) / cPrev)} in ${months[n - 1]} against ${months[n - 2]} `
        + `(${significant(cPrev)} to ${significant(cLast)} ${currency})`);
    }
  }
  const over = months.filter((_, i) => s.overBudget[i]);
  if (over.length > 0) {
    flag('over-budget', `${s.name}: over its budget of ${formatMoney(s.budget!)} USD a month in ${over.length} of ${months.length} months (${over.join(', ')})`);
  }
  if (!s.unit && !s.unitUnknown) {
    flag('no-usage-metric', `${s.name}: no usage metric is declared, so its unit cost (the value it delivers per cost) cannot be measured`);
  }
  // without data for any month, no cost says nothing about the service
  const judged = months.map((_, i) => i).filter(covered);
  if (judged.length > 0 && judged.every((i) => Math.abs(s.cost[i]) < 0.005)) {
    flag('no-cost', judged.length === months.length
      ? `${s.name}: no cost in any month from ${months[0]} to ${months[months.length - 1]}: is it still needed, or deployed elsewhere?`
      : `${s.name}: no cost in any of the ${judged.length} months with cost data: is it still needed, or deployed elsewhere?`);
  }
  return flags;
}

/** The unit's own flags: service tag values with cost that no declaration carries. */
export function unitFlags(undeclared: ReadonlyArray<{ value: string; total: number }>, t: ReviewThresholds, currency: string): ReviewFlag[] {
  return undeclared.filter((u) => u.total >= t.minimumCost).map((u) => ({
    rule: 'cost-without-declaration' as const,
    service: u.value,
    message: `${u.value}: ${formatMoney(u.total)} ${currency} over the trend carry the service tag "${u.value}", which no declaration carries`,
  }));
}

/** Four significant digits, no exponent. */
export function significant(n: number): string {
  if (n === 0) return '0';
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(n))));
  return n.toFixed(Math.min(digits, 10));
}
