import { describe, expect, it } from 'vitest';
import { formatYuan } from '../../contract/money.ts';
import { addLine, removeLine, subtotalFen, toItems, totalFen, type CartLine } from '../../web/checkout/cart.ts';

const SHUANGHUI = { name: '双汇王中王80克', barcode: '6902890227670', unitFen: 280 };
const COLA = { name: '可口可乐330毫升', barcode: '6945678901232', unitFen: 300 };

describe('cart arithmetic in integer fen', () => {
  it('scanning the same item twice makes one line of quantity 2', () => {
    let lines: CartLine[] = [];
    lines = addLine(lines, SHUANGHUI);
    lines = addLine(lines, SHUANGHUI);
    expect(lines).toEqual([{ ...SHUANGHUI, quantity: 2 }]);
    expect(subtotalFen(lines[0])).toBe(560);
    expect(totalFen(lines)).toBe(560);
  });

  it('adds other items as new lines and totals them', () => {
    let lines = addLine(addLine(addLine([], SHUANGHUI), COLA), SHUANGHUI);
    expect(lines.map((l) => [l.barcode, l.quantity])).toEqual([
      ['6902890227670', 2],
      ['6945678901232', 1],
    ]);
    expect(totalFen(lines)).toBe(860);
    expect(formatYuan(totalFen(lines))).toBe('8.60');
    lines = addLine(lines, COLA, 3);
    expect(totalFen(lines)).toBe(2 * 280 + 4 * 300);
  });

  it('keeps the same barcode at another price (keyed by hand) as its own line', () => {
    const lines = addLine(addLine([], { name: '商品 6956789012342', barcode: '6956789012342', unitFen: 1250 }), {
      name: '商品 6956789012342',
      barcode: '6956789012342',
      unitFen: 990,
    });
    expect(lines.length).toBe(2);
    expect(totalFen(lines)).toBe(2240);
  });

  it('removes a line, and an empty cart totals 0', () => {
    const lines = addLine(addLine([], SHUANGHUI), COLA);
    expect(removeLine(lines, 0)).toEqual([{ ...COLA, quantity: 1 }]);
    expect(totalFen(removeLine(removeLine(lines, 0), 0))).toBe(0);
  });

  it('adds up 0.01 many times exactly (no floating point)', () => {
    let lines: CartLine[] = [];
    for (let i = 0; i < 10; i++) lines = addLine(lines, { name: `x${i}`, barcode: `0000000${i}`, unitFen: 1 });
    lines = addLine(lines, { name: 'y', barcode: '1', unitFen: 10 }, 7);
    expect(totalFen(lines)).toBe(80);
    expect(formatYuan(totalFen(lines))).toBe('0.80');
  });

  it('refuses fractions of a fen, negative prices and non-whole quantities', () => {
    expect(() => addLine([], { name: 'x', unitFen: 2.5 })).toThrow(RangeError);
    expect(() => addLine([], { name: 'x', unitFen: -1 })).toThrow(RangeError);
    expect(() => addLine([], SHUANGHUI, 0)).toThrow(RangeError);
    expect(() => addLine([], SHUANGHUI, 1.5)).toThrow(RangeError);
    expect(() => totalFen([{ name: 'x', unitFen: Number.MAX_SAFE_INTEGER, quantity: 2 }])).toThrow(RangeError);
  });

  it('gives the payment its items in the contract\'s shape', () => {
    const lines = addLine(addLine(addLine([], SHUANGHUI), SHUANGHUI), { name: '手工', unitFen: 100 });
    expect(toItems(lines)).toEqual([
      { name: '双汇王中王80克', barcode: '6902890227670', unitFen: 280, quantity: 2 },
      { name: '手工', unitFen: 100, quantity: 1 },
    ]);
  });

  it('never merges scale labels: each label is one package', () => {
    const apples = { name: '散装苹果 0.512kg', barcode: '2110001006128', unitFen: 612, weighed: true };
    let lines = addLine(addLine([], apples), apples); // the same label scanned twice: the cashier removes one
    expect(lines.map((l) => l.quantity)).toEqual([1, 1]);
    expect(totalFen(lines)).toBe(1224);
    // Nor with an ordinary line of the same barcode and price, either way round.
    const plain = { name: '商品 2110001006128', barcode: '2110001006128', unitFen: 612 };
    lines = addLine(addLine([], plain), apples);
    expect(lines.length).toBe(2);
    lines = addLine(lines, plain);
    expect(lines.map((l) => l.quantity)).toEqual([2, 1]);
  });

  it('leaves the weighed flag out of the payment\'s items', () => {
    const lines = addLine([], { name: '散装苹果 0.512kg', barcode: '2110001006128', unitFen: 612, weighed: true });
    expect(toItems(lines)).toEqual([{ name: '散装苹果 0.512kg', barcode: '2110001006128', unitFen: 612, quantity: 1 }]);
  });
});
