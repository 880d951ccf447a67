import { Decimal } from '../../private/decimal';

export { Decimal } from '../../private/decimal';

/**
 * The report model every output format renders: a title, summary lines, sections holding a table and/or
 * lines, notes, and (for cost) a chart. Reports (`report/`) build one `Report`; the formats in `format/` render it
 * and depend on this file only, never the other way round.
 */

/** How a column's values are rendered. */
export type ColumnType = 'text' | 'money' | 'percent' | 'number';

export interface Column {
  readonly key: string;
  readonly header: string;
  readonly type?: ColumnType;
  /** Longest cell in the terminal table (longer values are cut with an ellipsis); other formats show the full value. */
  readonly maxWidth?: number;
}

/**
 * A cell: text, a number, or an exact decimal amount (`Decimal`: money added up from the source's decimals, shown to
 * the cent whatever its size).
 */
export type Cell = string | number | Decimal | undefined;

export interface Table {
  readonly columns: Column[];
  readonly rows: Record<string, Cell>[];
  /** A class per row (e.g. `declared`, `undeclared`, `untagged`), used by the HTML output. */
  readonly rowKinds?: string[];
}

export interface Section {
  readonly heading?: string;
  readonly table?: Table;
  readonly lines?: string[];
  /** Small charts of monthly series (HTML draws them; the tables carry the same numbers for the other formats). */
  readonly trendCharts?: TrendChart[];
}

/**
 * A small chart of one monthly series (e.g. a service's cost) as bars, with an optional limit (its budget) drawn as a
 * line across, or a series drawn as a line on a scale of its own (e.g. unit cost).
 */
export interface TrendChart {
  readonly title: string;
  /** Unit of the values, e.g. `USD`. */
  readonly unit: string;
  /** Bucket labels (months), oldest first. */
  readonly buckets: string[];
  /** One value per bucket, drawn as bars. */
  readonly bars?: number[];
  /** One value per bucket (null where unknown), drawn as a line. */
  readonly line?: Array<number | null>;
  /** A level drawn across (e.g. the monthly budget), with its label. */
  readonly limit?: { readonly value: number; readonly label: string };
}

/** What a chart series stands for: one group, the groups beyond the drawn ones summed, or untagged spend. */
export type SeriesKind = 'group' | 'other' | 'untagged';

export interface ChartSeries {
  readonly label: string;
  /** Formats colour `other` and `untagged` series apart. @default 'group' */
  readonly kind?: SeriesKind;
  /** One value per bucket. */
  readonly values: number[];
  /** The same values exactly (tooltips and the legend's total show them). @default - `values` */
  readonly exactValues?: Decimal[];
}

export interface Chart {
  readonly title: string;
  /** Unit of the values, e.g. `USD`. */
  readonly unit: string;
  /** Bucket labels (days or week starts), oldest first. */
  readonly buckets: string[];
  readonly series: ChartSeries[];
}

/** What a segment of a breakdown bar stands for. */
export type SegmentKind = 'direct' | 'provider' | 'untagged';

/** One bar per group, split into segments (e.g. a need's direct cost and each provider's share of it). */
export interface Breakdown {
  readonly title: string;
  /** Unit of the values, e.g. `USD`. */
  readonly unit: string;
  /** The segments, in drawing and legend order. */
  readonly segments: ReadonlyArray<{ readonly label: string; readonly kind: SegmentKind }>;
  /** One bar per group: its label and one value per segment. */
  readonly bars: ReadonlyArray<{ readonly label: string; readonly values: number[] }>;
}

export interface Report {
  /** What `--output json` prints. */
  readonly data: unknown;
  readonly title: string;
  readonly summary: string[];
  /** The first section holds the main table (the one `--output csv` writes). */
  readonly sections: Section[];
  readonly notes: string[];
  readonly chart?: Chart;
  /** Bars that show what each group's cost is made of (the HTML output draws them). */
  readonly breakdown?: Breakdown;
  /** What the command also says on stderr, once, whatever the output (e.g. days without data). */
  readonly warnings?: string[];
}

/**
 * Unicode bidirectional controls (embeddings, overrides, isolates, marks): a tag value holding one reorders the text
 * after it on screen (U+202E shows `24.00 USD` as `DSU 00.42`). Every format neutralises them.
 */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The code point of a character as `U+202E`. */
export function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Text with each bidi control shown as a visible `<U+202E>` instead of acting on the text around it. */
export function showBidi(s: string): string {
  return s.replace(BIDI_CONTROLS, (c) => `<${codePoint(c)}>`);
}

/** C0 and C1 control characters and DEL: line breaks, tabs, ANSI escape sequences (ESC), BEL. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text made safe for a terminal, the one escaping of everything the CLI shows there (table cells, report lines,
 * every line on stderr): control characters (newlines, tabs, ANSI escapes such as `ESC]0;...BEL` or `ESC[2J`) become
 * spaces, so a value cannot break a line, retitle the window or clear the screen; bidi controls are shown as
 * `<U+202E>`, so a value cannot reorder the text after it.
 */
export function terminalText(s: string): string {
  return showBidi(s.replace(CONTROL_CHARACTERS, ' '));
}

/** `value` cut to `max` characters, the last one an ellipsis. */
export function cutText(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : value;
}

/**
 * A line of terminal text (`terminalText`) of bounded size: each run of more than `maxRun` characters without a space
 * is cut with an ellipsis, then the line to `maxLine` characters (a 100 kB tag value stays one readable line).
 */
export function terminalLine(s: string, maxRun: number, maxLine: number): string {
  return cutText(terminalText(s).replace(new RegExp(`\\S{${maxRun + 1},}`, 'gu'), (run) => cutText(run, maxRun)), maxLine);
}

/**
 * Renders a money amount for people: thousands separators, two decimals, rounded half away from zero from the exact
 * decimal (a `Decimal`, or a number's shortest form), never through a float: 123,456,789,012,345.67.
 */
export function formatMoney(n: number | Decimal): string {
  if (typeof n === 'number' && !Number.isFinite(n)) {
    return String(n);
  }
  const fixed = Decimal.of(n).toFixed(2);
  const [int, dec] = fixed.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${dec}`;
}

/** Renders a share (0..1) for people: `12.3 %`. */
export function formatPercent(share: number): string {
  return `${(Math.round(share * 1000) / 10).toFixed(1)} %`;
}

/** Renders a cell for people (terminal, markdown, HTML). */
export function displayCell(value: Cell, type: ColumnType | undefined): string {
  if (value === undefined) {
    return '';
  }
  if (value instanceof Decimal) {
    return type === 'money' ? formatMoney(value) : value.toString();
  }
  if (typeof value === 'number') {
    switch (type) {
      case 'money': return formatMoney(value);
      case 'percent': return formatPercent(value);
      default: return String(value);
    }
  }
  return value;
}

/** Whether a cell is a number the CLI computed (a number or an exact amount), not text. */
export function isNumberCell(value: Cell): boolean {
  return typeof value === 'number' || value instanceof Decimal;
}

/** Renders a cell for machines (CSV): plain numbers, money with two decimals, shares in percent with one decimal. */
export function plainCell(value: Cell, type: ColumnType | undefined): string {
  if (value === undefined) {
    return '';
  }
  if (value instanceof Decimal) {
    return type === 'money' ? value.toFixed(2) : value.toString();
  }
  if (typeof value === 'number') {
    switch (type) {
      case 'money': return Number.isFinite(value) ? Decimal.fromNumber(value).toFixed(2) : String(value);
      case 'percent': return (Math.round(value * 1000) / 10).toFixed(1);
      default: return String(value);
    }
  }
  return value;
}

/**
 * Rounds to `digits` decimals for JSON output (floating-point sums otherwise print as 12.300000000000002): from the
 * number's decimal form, half away from zero, never through `n * 10^digits` (wrong from 9e9 on with 6 digits).
 */
export function round(n: number, digits = 6): number {
  return Number.isFinite(n) ? Decimal.fromNumber(n).round(digits).toNumber() : n;
}
