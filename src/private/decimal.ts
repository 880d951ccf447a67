/**
 * Exact decimal amounts, for money that must keep its cents whatever its size. A JavaScript number holds about 16
 * significant digits: from about 7e13 (2^46) on it can no longer hold every cent, and `Math.round(n * 100)` is wrong
 * from 9e13 (2^53 / 100) on. Costs read as decimals (DuckDB `DECIMAL` as text, Athena and Cost Explorer strings) are
 * added up and formatted here, as integers of 10^-18 units (`bigint`), never through a float.
 */

/** Decimal places kept: those of the `DECIMAL(38, 18)` DuckDB reads costs from text as. */
export const DECIMAL_SCALE = 18;

/** The SQL type costs read from text are summed in (DuckDB): 38 digits, 18 of them decimals. */
export const EXACT_SQL_TYPE = 'DECIMAL(38, 18)';

/**
 * What the CLI adds up exactly, said in messages: 38 digits of which 18 are decimals leave 20 before the point, so
 * every amount and every sum must stay below 10^20 in absolute value.
 */
export const EXACT_RANGE = 'costs read from text are added up exactly as decimals of 38 digits with 18 places, which holds amounts and '
  + 'sums below 100,000,000,000,000,000,000 (1e20) in absolute value';

const UNIT = 10n ** BigInt(DECIMAL_SCALE);
const NUMBER = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** An exact decimal amount: an integer number of 10^-18 units. Immutable. */
export class Decimal {
  public static readonly ZERO = new Decimal(0n);

  /**
   * Parses a decimal number as DuckDB, Athena and Cost Explorer write them: `123.45`, `-0.5`, `+1`, `.5`, `1.5E-7`,
   * `1e+25`. Digits beyond the 18th decimal are rounded half away from zero. `undefined` for anything else
   * (empty, `NaN`, `Infinity`, text).
   */
  public static parse(text: string): Decimal | undefined {
    const m = NUMBER.exec(String(text));
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
      return undefined;
    }
    const fraction = m[3] ?? '';
    const exponent = Number(m[4] ?? '0');
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 4000) {
      return undefined;
    }
    const digits = BigInt(`${m[2]}${fraction}` || '0');
    const shift = exponent - fraction.length + DECIMAL_SCALE;
    const units = shift >= 0 ? digits * 10n ** BigInt(shift) : divideRounded(digits, 10n ** BigInt(-shift));
    return new Decimal(m[1] === '-' ? -units : units);
  }

  /**
   * The decimal a number stands for: its shortest round-trip form (`String(0.1)` is `0.1`), which is what a writer of
   * the number meant when it had at most 15 significant digits. Throws on NaN and infinities.
   */
  public static fromNumber(n: number): Decimal {
    const d = Number.isFinite(n) ? Decimal.parse(String(n)) : undefined;
    if (!d) {
      throw new Error(`Decimal.fromNumber: ${n} is not a finite number`);
    }
    return d;
  }

  /** A decimal from exact text (`parse`) or a number (`fromNumber`); throws when the text is not a number. */
  public static of(value: string | number | Decimal): Decimal {
    if (value instanceof Decimal) {
      return value;
    }
    if (typeof value === 'number') {
      return Decimal.fromNumber(value);
    }
    const d = Decimal.parse(value);
    if (!d) {
      throw new Error(`Decimal.of: ${JSON.stringify(value)} is not a decimal number`);
    }
    return d;
  }

  /** The sum of `values` (numbers are taken by their shortest form). */
  public static sum(values: Iterable<Decimal | number>): Decimal {
    let units = 0n;
    for (const v of values) {
      units += Decimal.of(v).units;
    }
    return new Decimal(units);
  }

  private constructor(private readonly units: bigint) {}

  public plus(other: Decimal | number): Decimal {
    return new Decimal(this.units + Decimal.of(other).units);
  }

  public minus(other: Decimal | number): Decimal {
    return new Decimal(this.units - Decimal.of(other).units);
  }

  public negate(): Decimal {
    return new Decimal(-this.units);
  }

  /** -1, 0 or 1. */
  public sign(): number {
    return this.units < 0n ? -1 : this.units > 0n ? 1 : 0;
  }

  public compare(other: Decimal): number {
    return this.units < other.units ? -1 : this.units > other.units ? 1 : 0;
  }

  /** The number nearest to the decimal (for arithmetic that is not money: shares, charts, sorting). */
  public toNumber(): number {
    return Number(this.toString());
  }

  /** Rounded to `digits` decimals (0 to 18), half away from zero. */
  public round(digits: number): Decimal {
    const f = 10n ** BigInt(DECIMAL_SCALE - checkDigits(digits));
    return new Decimal(divideRounded(this.units, f) * f);
  }

  /** `digits` decimals, rounded half away from zero, never `-0.00`: `1234.57`. */
  public toFixed(digits: number): string {
    const rounded = this.round(digits);
    const text = rounded.plain();
    const [int, frac = ''] = text.split('.');
    const sign = int.startsWith('-') ? '-' : '';
    const body = `${sign ? int.slice(1) : int}${digits > 0 ? `.${frac.padEnd(digits, '0').slice(0, digits)}` : ''}`;
    return rounded.units === 0n ? body : `${sign}${body}`;
  }

  /** The shortest exact form: `123.45`, `-0.5`, `10`. */
  public toString(): string {
    return this.plain();
  }

  /** In `JSON.stringify`: the nearest number (`renderJson` writes the exact digits instead). */
  public toJSON(): number {
    return this.toNumber();
  }

  private plain(): string {
    const negative = this.units < 0n;
    const abs = negative ? -this.units : this.units;
    const int = abs / UNIT;
    const frac = (abs % UNIT).toString().padStart(DECIMAL_SCALE, '0').replace(/0+$/, '');
    return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
  }
}

/** `n / d` rounded half away from zero (`d` > 0). */
function divideRounded(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let q = abs / d;
  if ((abs % d) * 2n >= d) {
    q += 1n;
  }
  return negative ? -q : q;
}

function checkDigits(digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > DECIMAL_SCALE) {
    throw new Error(`Decimal: ${digits} decimals: expected a whole number from 0 to ${DECIMAL_SCALE}`);
  }
  return digits;
}
