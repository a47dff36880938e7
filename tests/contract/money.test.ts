import { describe, expect, it } from 'vitest';
import { formatYuan, isValidAmountFen, parseYuan } from '../../contract/money.ts';

describe('parseYuan', () => {
  it.each([
    ['12.34', 1234], ['0.01', 1], ['12', 1200], ['12.3', 1230], ['12.', 1200], ['0.10', 10], ['1.230', 123],
    ['007.05', 705], ['99999999.99', 9999999999],
  ])('%s yuan is %i fen', (text, fen) => {
    expect(parseYuan(text)).toEqual({ ok: true, fen });
  });

  it('never goes through floating point', () => {
    // 0.29 * 100 = 28.999999999999996 in floating point; 1.005 rounds wrongly the same way.
    expect(parseYuan('0.29')).toEqual({ ok: true, fen: 29 });
    expect(parseYuan('4.35')).toEqual({ ok: true, fen: 435 });
    expect(parseYuan('1.005')).toEqual({ ok: false, reason: 'precision' });
  });

  it.each([['abc', 'format'], ['', 'format'], ['1,00', 'format'], ['1e3', 'format'], ['12.345', 'precision'], ['-1', 'range'], ['99999999999999', 'range']])(
    'refuses %j (%s)',
    (text, reason) => {
      expect(parseYuan(text)).toEqual({ ok: false, reason });
    },
  );

  it('takes negative provider amounts when asked', () => {
    expect(parseYuan('-0.01', { allowNegative: true })).toEqual({ ok: true, fen: -1 });
  });
});

describe('formatYuan', () => {
  it.each([[1234, '12.34'], [5, '0.05'], [100, '1.00'], [-1, '-0.01'], [0, '0.00']])('%i fen is %s', (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });
  it('refuses non-integers', () => {
    expect(() => formatYuan(1.5)).toThrow();
  });
  it('round-trips', () => {
    for (const fen of [1, 99, 100, 12345, 9999999999]) expect(parseYuan(formatYuan(fen))).toEqual({ ok: true, fen });
  });
});

describe('isValidAmountFen', () => {
  it('accepts whole positive fen up to the limit only', () => {
    expect(isValidAmountFen(1, 100)).toBe(true);
    expect(isValidAmountFen(100, 100)).toBe(true);
    expect(isValidAmountFen(101, 100)).toBe(false);
    expect(isValidAmountFen(0, 100)).toBe(false);
    expect(isValidAmountFen(-5, 100)).toBe(false);
    expect(isValidAmountFen(1.5, 100)).toBe(false);
    expect(isValidAmountFen('12', 100)).toBe(false);
  });
});
