import { describe, expect, it } from 'vitest';
import { formatYuan } from '../../contract/money.ts';
import { addLine, formatKg, keyedLine, scannedLine, totalFen, weighedPriceFen, type CartLine } from '../../web/checkout/cart.ts';
import { CATALOGUE, findWeighed, WEIGHED_ITEMS, type CatalogueItem } from '../../web/data/catalogue.ts';
import { itemCode, type ItemCode, type WeighedLayout } from '../../web/devices/scanner/barcodes.ts';

/** The EAN-13 check digit, written out here (not the code under test): weights 1, 3, 1, … from the left. */
function label(body: string): string {
  let sum = 0;
  [...body].forEach((c, i) => (sum += Number(c) * (i % 2 === 0 ? 1 : 3)));
  return body + String((10 - (sum % 10)) % 10);
}

const WEIGHT: WeighedLayout = { flags: ['28'], pluDigits: 5, valueDigits: 5, value: 'weight_g' };

/** What the cart does with a scanned code: the line, or null (key the price). */
function scan(code: string, layouts?: WeighedLayout[]) {
  const item = itemCode(code, 'ean_13', layouts);
  if (!item) throw new Error(`not an item: ${code}`);
  return scannedLine(item);
}

describe('price of a weight, in integer fen', () => {
  it('rounds half up to the fen', () => {
    expect(weighedPriceFen(512, 1196)).toBe(612); // 612.352
    expect(weighedPriceFen(125, 1196)).toBe(150); // 149.5 → 150
    expect(weighedPriceFen(1, 500)).toBe(1); // 0.5 → 1
    expect(weighedPriceFen(1, 499)).toBe(0); // 0.499
    expect(weighedPriceFen(999, 1)).toBe(1); // 0.999
    expect(weighedPriceFen(0, 1196)).toBe(0);
    expect(weighedPriceFen(1000, 3160)).toBe(3160);
    expect(weighedPriceFen(99_999, 9_999_999)).toBe(999_989_900); // 99.999 kg at ¥99,999.99/kg: 999989900.001
  });

  it('agrees with exact rational arithmetic (BigInt) across many weights and prices', () => {
    for (const fenPerKg of [1, 7, 99, 1196, 3160, 4999, 12_345]) {
      for (let g = 0; g <= 3000; g++) {
        const exact = Number((BigInt(g) * BigInt(fenPerKg) * 2n + 1000n) / 2000n); // floor(x + 1/2)
        if (weighedPriceFen(g, fenPerKg) !== exact) expect.fail(`${g} g × ${fenPerKg} fen/kg`);
      }
    }
  });

  it('refuses fractions of a gram or a fen', () => {
    expect(() => weighedPriceFen(0.5, 1196)).toThrow(RangeError);
    expect(() => weighedPriceFen(512, 11.96)).toThrow(RangeError);
    expect(() => weighedPriceFen(-1, 1196)).toThrow(RangeError);
  });

  it('writes a weight as the scale does', () => {
    expect(formatKg(512)).toBe('0.512kg');
    expect(formatKg(1500)).toBe('1.500kg');
    expect(formatKg(5)).toBe('0.005kg');
    expect(formatKg(99_999)).toBe('99.999kg');
  });
});

describe('the weighed catalogue', () => {
  it('has whole-fen per-kg prices and finds a PLU however it is padded', () => {
    for (const i of WEIGHED_ITEMS) expect(Number.isSafeInteger(i.fenPerKg) && i.fenPerKg > 0, i.plu).toBe(true);
    expect(findWeighed('10001')).toMatchObject({ name: '散装苹果', fenPerKg: 1196 });
    expect(findWeighed('020001')).toMatchObject({ name: '猪肉', fenPerKg: 3160 });
    expect(findWeighed('00123')).toBeUndefined();
  });
});

describe('scale labels into the cart', () => {
  it('a price label sells at the printed price, named from the PLU', () => {
    const code = label('211000100612'); // 21 · 10001 · ¥6.12
    expect(scan(code)).toEqual({ name: '散装苹果', barcode: code, unitFen: 612, weighed: true });
  });

  it('a price label of an unknown PLU still sells at the printed price', () => {
    const code = label('210012301250'); // PLU 00123, ¥12.50
    expect(scan(code)).toEqual({ name: '称重商品 PLU 00123', barcode: code, unitFen: 1250, weighed: true });
  });

  it('a weight label is priced by the PLU\'s price per kg, its name showing the weight', () => {
    const apples = label('281000100512'); // 28 · 10001 · 512 g
    expect(scan(apples, [WEIGHT])).toEqual({ name: '散装苹果 0.512kg', barcode: apples, unitFen: 612, weighed: true });
    const pork = label('282000101250'); // 1.250 kg at ¥31.60/kg = ¥39.50
    expect(scan(pork, [WEIGHT])).toEqual({ name: '猪肉 1.250kg', barcode: pork, unitFen: 3950, weighed: true });
    const half = label('281000100125'); // 125 g × 1196 = 149.5 fen → 150
    expect(scan(half, [WEIGHT])?.unitFen).toBe(150);
  });

  it('a weight label of an unknown PLU asks for the price, and the keyed price makes its line', () => {
    const code = label('280012300512');
    const item = itemCode(code, undefined, [WEIGHT]) as ItemCode;
    expect(item).toMatchObject({ kind: 'weighed', plu: '00123', weightG: 512 });
    expect(scannedLine(item)).toBeNull();
    expect(keyedLine(item, 980)).toEqual({ name: '称重商品 PLU 00123 0.512kg', barcode: code, unitFen: 980, weighed: true });
  });

  it('two labels of the same item, even identical, are two lines', () => {
    const a = label('281000100512');
    const b = label('281000100730');
    let lines: CartLine[] = [];
    for (const code of [a, a, b]) lines = addLine(lines, scan(code, [WEIGHT])!);
    expect(lines.map((l) => [l.name, l.unitFen, l.quantity])).toEqual([
      ['散装苹果 0.512kg', 612, 1],
      ['散装苹果 0.512kg', 612, 1],
      ['散装苹果 0.730kg', 873, 1], // 873.08
    ]);
    // With ordinary items, which still merge.
    lines = addLine(addLine(lines, scan('6902890227670')!), scan('6902890227670')!);
    expect(lines.at(-1)).toMatchObject({ name: '双汇王中王80克', quantity: 2 });
    expect(totalFen(lines)).toBe(612 + 612 + 873 + 560);
    expect(formatYuan(totalFen(lines))).toBe('26.57');
  });

  it('a barcode in the catalogue wins over reading it as a label (a store\'s fixed in-store code)', () => {
    const fixed = label('210000500350');
    const catalogue: CatalogueItem[] = [...CATALOGUE, { barcode: fixed, name: '店内面包', unitFen: 350 }];
    const item = itemCode(fixed) as ItemCode;
    expect(item.kind).toBe('weighed');
    expect(scannedLine(item, catalogue)).toEqual({ name: '店内面包', barcode: fixed, unitFen: 350 });
  });
});

describe('ordinary items into the cart', () => {
  it('known items by GTIN, unknown ones ask for the price', () => {
    expect(scan('6902890227670')).toEqual({ name: '双汇王中王80克', barcode: '6902890227670', unitFen: 280 });
    const unknown = itemCode('6956789012342') as ItemCode;
    expect(scannedLine(unknown)).toBeNull();
    expect(keyedLine(unknown, 1250)).toEqual({ name: '商品 6956789012342', barcode: '6956789012342', unitFen: 1250 });
    expect(() => keyedLine(unknown, 12.5)).toThrow(RangeError);
  });

  it('a UPC-E by its UPC-A, with or without a symbology, and as 13 digits after ]E0', () => {
    const line = { name: '进口薄荷糖14克', barcode: '042100005264', unitFen: 890 };
    expect(scannedLine(itemCode('04252614', 'upc_e')!)).toEqual(line);
    expect(scannedLine(itemCode('04252614')!)).toEqual(line);
    expect(scannedLine(itemCode('0042100005264', 'ean_13')!)).toEqual(line);
  });

  it('eight digits valid as EAN-8 and UPC-E: the EAN-8 first, the UPC-E when only it is known', () => {
    const upcA: CatalogueItem = { barcode: '012345000065', name: 'UPC-E 商品', unitFen: 500 };
    const ean8: CatalogueItem = { barcode: '01234565', name: 'EAN-8 商品', unitFen: 300 };
    const item = itemCode('01234565')!;
    expect(scannedLine(item, [upcA])?.name).toBe('UPC-E 商品');
    expect(scannedLine(item, [ean8, upcA])?.name).toBe('EAN-8 商品');
    expect(scannedLine(item, [])).toBeNull();
    expect(keyedLine(item, 100).barcode).toBe('01234565');
    expect(scannedLine(itemCode('01234565', 'ean_8')!, [upcA])).toBeNull(); // the scanner said EAN-8
  });
});
