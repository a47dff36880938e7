import { describe, expect, it } from 'vitest';
import type { PayMethodInfo } from '../../contract/api.ts';
import { checkAmount, keypad, MAX_AMOUNT_FEN, showWhileTyping } from '../../web/checkout/amount.ts';
import { routeCode } from '../../web/data/methods.ts';

describe('checkAmount', () => {
  it('accepts whole fen amounts up to 50000.00 yuan', () => {
    expect(checkAmount('12.34')).toEqual({ ok: true, fen: 1234 });
    expect(checkAmount('0.01')).toEqual({ ok: true, fen: 1 });
    expect(checkAmount('50000')).toEqual({ ok: true, fen: MAX_AMOUNT_FEN });
    expect(checkAmount('1.230')).toEqual({ ok: true, fen: 123 });
  });

  it('refuses with a zh-CN message: three decimals, zero, negative, too large, not a number', () => {
    const cases: [string, string, RegExp][] = [
      ['1.234', 'precision', /两位小数/],
      ['0', 'zero', /大于零/],
      ['0.00', 'zero', /大于零/],
      ['-5', 'negative', /负数/],
      ['50000.01', 'range', /上限 ¥50000\.00/],
      ['99999999999999999', 'range', /上限/],
      ['abc', 'format', /格式/],
      ['1e3', 'format', /格式/],
      ['', 'empty', /请输入金额/],
    ];
    for (const [text, reason, message] of cases) {
      const c = checkAmount(text);
      expect(c.ok, text).toBe(false);
      if (!c.ok) {
        expect(c.reason, text).toBe(reason);
        expect(c.message, text).toMatch(message);
      }
    }
    expect(showWhileTyping(checkAmount('0.'))).toBe(false);
    expect(showWhileTyping(checkAmount('1.234'))).toBe(true);
  });
});

describe('keypad', () => {
  it('builds an amount key by key', () => {
    const press = (...keys: string[]) => keys.reduce(keypad, '');
    expect(press('1', '2', '.', '3', '4')).toBe('12.34');
    expect(press('.', '5')).toBe('0.5');
    expect(press('1', '.', '.', '2', '3', '4')).toBe('1.23');
    expect(press('0', '0', '7')).toBe('7');
    expect(press('1', '2', 'back')).toBe('1');
    expect(press('1', '2', 'clear')).toBe('');
  });
});

describe('routeCode', () => {
  const methods: PayMethodInfo[] = [
    { id: 'cash', provider: 'local', name: '现金', kind: 'cash' },
    { id: 'wsy:wx', provider: 'weishouyin', name: '微信', kind: 'barcode', codePattern: '^1[0-5]\\d{16}$' },
    { id: 'wsy:ali', provider: 'weishouyin', name: '支付宝', kind: 'barcode', codePattern: '^28\\d{15,16}$' },
    { id: 'broken', provider: 'x', name: 'x', kind: 'barcode', codePattern: '([' },
  ];
  it('routes by the providers’ code patterns', () => {
    expect(routeCode('134567890123456789', methods)?.id).toBe('wsy:wx');
    expect(routeCode('28012345678901234', methods)?.id).toBe('wsy:ali');
    expect(routeCode('999999999999999999', methods)).toBeNull();
    expect(routeCode('1345678901234567890', methods)).toBeNull();
  });
});
