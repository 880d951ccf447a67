import * as fc from 'fast-check';
import { formatMoney, plainCell, round } from '../../src/cost-data/report/model';
import { Decimal } from '../../src/private/decimal';

/*
 * Exact decimal amounts (issue 21: amounts from about 9e13 on were shown with wrong cents, 123456789012345.67 as
 * ...345.69, through Math.round(n * 100) / 100). Checked against bigint arithmetic on cents.
 */

describe('Decimal', () => {
  test.each([
    ['123.45', '123.45'], ['-0.5', '-0.5'], ['+1', '1'], ['.5', '0.5'], ['1.5E-7', '0.00000015'], ['1e+25', '10000000000000000000000000'],
    ['123456789012345.670000000000000000', '123456789012345.67'], ['0.0000000000000000005', '0.000000000000000001'], ['-0', '0'],
  ])('parses %s as %s', (text, exact) => {
    expect(Decimal.parse(text)!.toString()).toBe(exact);
  });

  test.each([[''], ['NaN'], ['Infinity'], ['abc'], ['1,5'], ['.'], ['1e'], ['e5']])('refuses %j', (text) => {
    expect(Decimal.parse(text)).toBeUndefined();
  });

  test('a number is taken by its shortest form', () => {
    expect(Decimal.fromNumber(0.1).toString()).toBe('0.1');
    expect(Decimal.fromNumber(1e25).toString()).toBe('10000000000000000000000000');
    expect(() => Decimal.fromNumber(NaN)).toThrow(/not a finite number/);
  });

  test('toFixed rounds half away from zero and never writes -0.00', () => {
    expect(Decimal.of('2.675').toFixed(2)).toBe('2.68');
    expect(Decimal.of('-2.675').toFixed(2)).toBe('-2.68');
    expect(Decimal.of('-0.001').toFixed(2)).toBe('0.00');
    expect(Decimal.of('123456789012345.67').toFixed(2)).toBe('123456789012345.67');
    expect(Decimal.of('5').toFixed(0)).toBe('5');
  });

  test('sums of cents are exact at any size (property, against bigint)', () => {
    const cents = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
    fc.assert(fc.property(fc.array(cents, { minLength: 1, maxLength: 20 }), (values) => {
      const text = (c: bigint) => `${c < 0n ? '-' : ''}${(c < 0n ? -c : c) / 100n}.${((c < 0n ? -c : c) % 100n).toString().padStart(2, '0')}`;
      const sum = Decimal.sum(values.map((c) => Decimal.of(text(c))));
      const expected = values.reduce((a, b) => a + b, 0n);
      expect(sum.toFixed(2)).toBe(text(expected).replace(/^-(0\.00)$/, '$1'));
    }));
  });
});

describe('money formats from the exact decimal', () => {
  test('formatMoney: 9e13 and more keep their cents', () => {
    expect(formatMoney(Decimal.of('123456789012345.67'))).toBe('123,456,789,012,345.67');
    expect(formatMoney(123456789012345.67)).toBe('123,456,789,012,345.67');
    expect(formatMoney(-1234.5)).toBe('-1,234.50');
    expect(formatMoney(-0.001)).toBe('0.00');
  });

  test('CSV cells and JSON rounding do not go through n * 10^digits', () => {
    expect(plainCell(123456789012345.67, 'money')).toBe('123456789012345.67');
    expect(plainCell(Decimal.of('193825533190009.74'), 'money')).toBe('193825533190009.74');
    expect(round(123456789012.123456789)).toBe(123456789012.123457);
    expect(round(0.1 + 0.2)).toBe(0.3);
    expect(round(NaN)).toBeNaN();
  });
});

test('a number that is not finite is shown as it is (no exception in a report)', () => {
  expect(formatMoney(NaN)).toBe('NaN');
  expect(plainCell(Infinity, 'money')).toBe('Infinity');
});
