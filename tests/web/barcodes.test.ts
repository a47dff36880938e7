import { describe, expect, it } from 'vitest';
import type { PayMethodInfo } from '../../contract/api.ts';
import { CATALOGUE, findItem } from '../../web/data/catalogue.ts';
import {
  aimSymbology,
  CHINA_SCALE_LAYOUT,
  checkWeighedLayout,
  classifyScan,
  expandUpcE,
  gs1Gtin,
  gtinValid,
  itemCode,
  normalizeScan,
  priceCheckDigit,
  weighedCode,
  type WeighedLayout,
} from '../../web/devices/scanner/barcodes.ts';

/** The sandbox store's barcode methods, as GET /api/methods lists them (微收银 coderegex, mct1 patterns). */
const METHODS: PayMethodInfo[] = [
  { id: 'weishouyin:o2o_dm_code_wxpaysub', provider: 'weishouyin', name: '微信', kind: 'barcode', codePattern: '^1[0-5]\\d{16}$' },
  { id: 'weishouyin:o2o_dm_code_alipay_isv_beta', provider: 'weishouyin', name: '支付宝', kind: 'barcode', codePattern: '^28\\d{15,16}$' },
  { id: 'mct1:Alipay', provider: 'mct1', name: '支付宝', kind: 'barcode', codePattern: '^(2[5-9]|30)\\d{14,22}$' },
  { id: 'mct1:Cash', provider: 'mct1', name: '现金', kind: 'cash' },
];

describe('GTIN check digits (EAN-13, EAN-8, UPC-A, GTIN-14)', () => {
  it('accepts good check digits', () => {
    expect(gtinValid('6902890227670')).toBe(true); // seed 001's 双汇王中王80克
    expect(gtinValid('4006381333931')).toBe(true); // the textbook EAN-13
    expect(gtinValid('69012341')).toBe(true); // EAN-8
    expect(gtinValid('96385074')).toBe(true); // EAN-8
    expect(gtinValid('036000291452')).toBe(true); // UPC-A
    expect(gtinValid('012345678905')).toBe(true); // UPC-A
    expect(gtinValid('06902890227670')).toBe(true); // GTIN-14
  });

  it('refuses a wrong check digit, a wrong length, letters', () => {
    expect(gtinValid('6902890227671')).toBe(false);
    expect(gtinValid('4006381333932')).toBe(false);
    expect(gtinValid('69012342')).toBe(false);
    expect(gtinValid('036000291453')).toBe(false);
    expect(gtinValid('1234567')).toBe(false);
    expect(gtinValid('69028902276a0')).toBe(false);
    expect(gtinValid('')).toBe(false);
  });

  it('every catalogue barcode has a valid check digit and a price in whole fen', () => {
    for (const item of CATALOGUE) {
      expect(gtinValid(item.barcode), item.barcode).toBe(true);
      expect(Number.isSafeInteger(item.unitFen) && item.unitFen > 0).toBe(true);
    }
    expect(findItem('06902890227670')).toMatchObject({ name: '双汇王中王80克', unitFen: 280 });
    expect(findItem('0012345678905')?.name).toBe('进口黑巧克力40克'); // UPC-A found as EAN-13 with a leading 0
    expect(findItem('6956789012342')).toBeUndefined();
  });
});

describe('item codes', () => {
  it('reads EAN-13, EAN-8 and UPC-A with good check digits', () => {
    expect(itemCode('6902890227670')).toEqual({ kind: 'gtin', gtin: '06902890227670', barcode: '6902890227670' });
    expect(itemCode('69012341')).toEqual({ kind: 'gtin', gtin: '00000069012341', barcode: '69012341' });
    expect(itemCode('012345678905')).toEqual({ kind: 'gtin', gtin: '00012345678905', barcode: '012345678905' });
    expect(itemCode('6902890227671')).toBeNull();
  });

  it('reads the GTIN of GS1 element strings, bracketed or raw', () => {
    expect(itemCode('(01)06902890227670(10)A1')).toEqual({ kind: 'gtin', gtin: '06902890227670', barcode: '6902890227670' });
    expect(itemCode('0106902890227670')).toEqual({ kind: 'gtin', gtin: '06902890227670', barcode: '6902890227670' });
    expect(itemCode('0106902890227670\x1d10BATCH7\x1d21S1')?.barcode).toBe('6902890227670');
    expect(gs1Gtin('0106902890227670' + '17261231' + '10LOT', 'gs1_128')).toBe('06902890227670');
    expect(gs1Gtin('\x1d0106902890227670', undefined)).toBe('06902890227670'); // leading FNC1
    expect(gs1Gtin('0212345678901231' + '37' + '24', 'gs1_databar')).toBe('12345678901231'); // AI 02, GTIN-14 of another indicator
    expect(itemCode('0212345678901231\x1d3724')).toEqual({ kind: 'gtin', gtin: '12345678901231', barcode: '12345678901231' });
    // Without a GS1 hint (symbology, GS, brackets, exactly AI 01 + 14 digits) a digit string is not taken apart.
    expect(gs1Gtin('010690289022767017261231', undefined)).toBeNull();
    expect(gs1Gtin('(01)06902890227671', undefined)).toBeNull(); // bad check digit
  });

  it('takes an AIM identifier typed before the code as its symbology', () => {
    expect(normalizeScan({ code: ']E06902890227670\r\n', source: 'wedge' })).toEqual({ code: '6902890227670', symbology: 'ean_13', source: 'wedge' });
    expect(normalizeScan({ code: ']C10106902890227670', source: 'wedge' })).toMatchObject({ code: '0106902890227670', symbology: 'gs1_128' });
    expect(normalizeScan({ code: '  130000000000000001\0', symbology: 'code_128', source: 'hid' })).toEqual({
      code: '130000000000000001',
      symbology: 'code_128',
      source: 'hid',
    });
    expect(aimSymbology(']X0')).toBe(']X0');
    expect(aimSymbology(']E4')).toBe('ean_8');
  });
});

describe('item or payment', () => {
  it('sends the providers\' payment codes to payment, with their method', () => {
    const wx = classifyScan('130000000000000001', undefined, METHODS);
    expect(wx).toMatchObject({ kind: 'payment', method: { id: 'weishouyin:o2o_dm_code_wxpaysub' } });
    expect(classifyScan('280000000000000001', 'qr_code', METHODS)).toMatchObject({ kind: 'payment', method: { id: 'weishouyin:o2o_dm_code_alipay_isv_beta' } });
    expect(classifyScan('2512345678901234', undefined, METHODS)).toMatchObject({ kind: 'payment', method: { id: 'mct1:Alipay' } });
  });

  it('sends item barcodes to the cart', () => {
    expect(classifyScan('6902890227670', undefined, METHODS)).toEqual({ kind: 'item', item: { kind: 'gtin', gtin: '06902890227670', barcode: '6902890227670' } });
    expect(classifyScan('6902890227670', 'ean_13', METHODS).kind).toBe('item');
    expect(classifyScan('0106902890227670', 'gs1_128', METHODS).kind).toBe('item');
  });

  it('calls anything else unknown: a bad check digit, a QR link, a code no method accepts', () => {
    expect(classifyScan('6902890227671', undefined, METHODS)).toEqual({ kind: 'unknown' });
    expect(classifyScan('https://example.com/x', 'qr_code', METHODS)).toEqual({ kind: 'unknown' });
    expect(classifyScan('160000000000000001', undefined, METHODS)).toEqual({ kind: 'unknown' }); // 16: no WeChat prefix
    expect(classifyScan('130000000000000001', undefined, [])).toEqual({ kind: 'unknown' }); // methods not loaded
  });
});

/**
 * The GS1 check digit, written out here so the vectors below are checked independently of the code
 * under test: from the right, digits weighted 3, 1, 3, …; the check digit takes the sum to a multiple of 10.
 */
function gs1Check(body: string): string {
  let sum = 0;
  [...body].reverse().forEach((c, i) => (sum += Number(c) * (i % 2 === 0 ? 3 : 1)));
  return String((10 - (sum % 10)) % 10);
}

/** A 13-digit label from its first 12 digits. */
const label = (body: string) => body + gs1Check(body);

/**
 * UPC-E ↔ UPC-A. The check digit of a UPC-E is the one of its UPC-A expansion.
 * - 04252614: the textbook example (manufacturer 42100, item 00526).
 * - 04963406 / 04904403: Coca-Cola and Diet Coke 12 fl oz cans, as commonly cited.
 * - The six data digits 124560, 275831, 412022, 876543, 753774, 213756, 517019 are the Printronix
 *   manual's zero-expansion table (one per rule); their check digits are computed here.
 */
const UPC_E: [upcE: string, upcA: string][] = [
  ['04252614', '042100005264'], // last data digit 1: S d1 d2 1 0000 d3 d4 d5
  ['04963406', '049000006346'], // 0
  ['04904403', '049000000443'], // 0, and a valid EAN-8 too
  ['01245608', '012000004568'], // 0
  ['02758314', '027100005834'], // 1
  ['04120229', '041200002029'], // 2
  ['08765438', '087600000548'], // 3: S d1 d2 d3 00000 d4 d5
  ['07537743', '075370000073'], // 4: S d1 d2 d3 d4 00000 d5
  ['02137568', '021375000068'], // 6: S d1 … d5 0000 d6
  ['05170197', '051701000097'], // 9
  ['11245605', '112000004565'], // number system 1
  ['01234565', '012345000065'], // 5, and a valid EAN-8 too
];

describe('UPC-E', () => {
  it('the vectors\' check digits are right by the GS1 algorithm (computed on the UPC-A)', () => {
    for (const [upcE, upcA] of UPC_E) {
      expect(gs1Check(upcA.slice(0, 11)), upcA).toBe(upcA[11]);
      expect(upcE[7], upcE).toBe(upcA[11]);
      expect(upcE[0], upcE).toBe(upcA[0]);
    }
  });

  it('expands by the last data digit to the UPC-A, and is looked up by that GTIN', () => {
    for (const [upcE, upcA] of UPC_E) {
      expect(expandUpcE(upcE), upcE).toBe(upcA);
      expect(itemCode(upcE, 'upc_e'), upcE).toEqual({ kind: 'gtin', gtin: '00' + upcA, barcode: upcA });
    }
    expect(findItem(itemCode('04252614', 'upc_e')!.gtin)?.name).toBe('进口薄荷糖14克');
  });

  it('refuses a wrong check digit, number systems other than 0 and 1, other lengths', () => {
    expect(itemCode('04252615', 'upc_e')).toBeNull();
    expect(itemCode('04252615')).toBeNull();
    expect(expandUpcE('24252614')).toBeNull();
    expect(itemCode('69012341', 'upc_e')).toBeNull(); // an EAN-8 is no UPC-E
    expect(expandUpcE('0425261')).toBeNull();
    expect(expandUpcE('042526144')).toBeNull();
  });

  it('a UPC-E sent expanded under AIM ]E0 (13 digits) is the same GTIN', () => {
    const scan = normalizeScan({ code: ']E00042100005264', source: 'wedge' });
    expect(itemCode(scan.code, scan.symbology)).toEqual({ kind: 'gtin', gtin: '00042100005264', barcode: '0042100005264' });
    expect(itemCode('04252614', 'upc_e')?.gtin).toBe('00042100005264');
  });
});

describe('EAN-8 or UPC-E (eight digits valid as both)', () => {
  it('the ambiguous vectors really are both', () => {
    for (const code of ['01234565', '04904403', '01245608', '11245605']) {
      expect(gs1Check(code.slice(0, 7)), code).toBe(code[7]); // EAN-8
      expect(gs1Check(expandUpcE(code)!.slice(0, 11)), code).toBe(code[7]); // UPC-E
    }
  });

  it('follows the symbology the device names', () => {
    expect(itemCode('01234565', 'upc_e')).toEqual({ kind: 'gtin', gtin: '00012345000065', barcode: '012345000065' });
    expect(itemCode('01234565', 'ean_8')).toEqual({ kind: 'gtin', gtin: '00000001234565', barcode: '01234565' });
    // AIM ]E0 is EAN-13/UPC-A/UPC-E (EAN-8 is ]E4): eight digits under it are a UPC-E.
    const e0 = normalizeScan({ code: ']E001234565', source: 'hid' });
    expect(itemCode(e0.code, e0.symbology)?.barcode).toBe('012345000065');
    const e4 = normalizeScan({ code: ']E401234565', source: 'hid' });
    expect(itemCode(e4.code, e4.symbology)?.barcode).toBe('01234565');
    expect(itemCode('69012341', 'ean_13')?.barcode).toBe('69012341'); // not a UPC-E: the EAN-8 after all
  });

  it('without a symbology prefers EAN-8, keeping the UPC-E reading beside it', () => {
    expect(itemCode('01234565')).toEqual({
      kind: 'gtin',
      gtin: '00000001234565',
      barcode: '01234565',
      upcE: { gtin: '00012345000065', barcode: '012345000065' },
    });
    expect(itemCode('69012341')).toEqual({ kind: 'gtin', gtin: '00000069012341', barcode: '69012341' }); // 69…: EAN-8 only
    expect(itemCode('04252614')).toEqual({ kind: 'gtin', gtin: '00042100005264', barcode: '042100005264' }); // UPC-E only
    expect(classifyScan('04252614', undefined, METHODS)).toMatchObject({ kind: 'item', item: { barcode: '042100005264' } });
  });
});

describe('price check digit (GS1 General Specifications 7.9.3)', () => {
  // The weighting factors written out as arithmetic, independently of the tables in the code.
  const w2m = (d: number) => (2 * d - Math.trunc((2 * d) / 10)) % 10;
  const w3 = (d: number) => (3 * d) % 10;
  const w5p = (d: number) => (5 * d + Math.trunc((5 * d) / 10)) % 10;
  const w5m = (d: number) => (5 * d - Math.trunc((5 * d) / 10)) % 10;

  it('worked by hand: 2875 → 9, 14685 → 6', () => {
    // 2875: 2-(2)=4, 2-(8)=5, 3(7)=1, 5-(5)=3 → 13, × 3 = 39 → 9.
    expect(priceCheckDigit('2875')).toBe(9);
    // 14685: 5+(1)=5, 2-(4)=8, 5-(6)=7, 5+(8)=4, 2-(5)=9 → 33; 5-(6) = 7 makes 40.
    expect(priceCheckDigit('14685')).toBe(6);
  });

  it('agrees with the weighting factors for every 4- and 5-digit value', () => {
    for (let v = 0; v < 10_000; v++) {
      const d = String(v).padStart(4, '0').split('').map(Number);
      expect(priceCheckDigit(String(v).padStart(4, '0'))).toBe(((w2m(d[0]) + w2m(d[1]) + w3(d[2]) + w5m(d[3])) * 3) % 10);
    }
    for (let v = 0; v < 100_000; v++) {
      const s = String(v).padStart(5, '0');
      const d = s.split('').map(Number);
      const c = priceCheckDigit(s);
      if ((w5p(d[0]) + w2m(d[1]) + w5m(d[2]) + w5p(d[3]) + w2m(d[4]) + w5m(c)) % 10 !== 0) expect.fail(`${s} → ${c}`);
    }
  });

  it('is only defined over 4 or 5 digits', () => {
    expect(() => priceCheckDigit('123')).toThrow(RangeError);
    expect(() => priceCheckDigit('123456')).toThrow(RangeError);
    expect(() => priceCheckDigit('12a4')).toThrow(RangeError);
  });
});

describe('scale labels (店内码, EAN-13 with prefix 2)', () => {
  it('the default layout: 2 flag digits (20–29), 5-digit PLU, 5-digit price in fen', () => {
    expect(CHINA_SCALE_LAYOUT).toEqual({ flags: ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29'], pluDigits: 5, valueDigits: 5, value: 'price_fen' });
    const code = label('211000100612'); // 21 · 10001 · 00612 (¥6.12)
    expect(code).toBe('2110001006128'); // 2+3+1+1+18+1+6 = 32 → 8
    expect(itemCode(code)).toEqual({ kind: 'weighed', gtin: '0' + code, barcode: code, plu: '10001', priceFen: 612 });
    expect(itemCode(label('200012399999'))).toMatchObject({ kind: 'weighed', plu: '00123', priceFen: 99999 }); // ¥999.99, the most 5 digits hold
    for (let f = 0; f <= 9; f++) expect(weighedCode(label(`2${f}0012300100`))?.plu).toBe('00123');
  });

  it('is not read as weighed: a bad check digit, another prefix, a value of 0', () => {
    expect(itemCode('2110001006122')).toBeNull(); // EAN check digit wrong: a misread
    expect(itemCode('6902890227670')?.kind).toBe('gtin');
    // A store's own fixed in-store code (no price in it) stays an ordinary GTIN, looked up as it is.
    expect(gs1Check('200000100000')).toBe('7');
    expect(itemCode('2000001000007')).toEqual({ kind: 'gtin', gtin: '02000001000007', barcode: '2000001000007' });
    expect(itemCode(label('211000100612'), undefined, [])?.kind).toBe('gtin'); // no layouts: none read
  });

  it('reads a weight layout, and the first layout whose flag matches', () => {
    const weight: WeighedLayout = { flags: ['28'], pluDigits: 5, valueDigits: 5, value: 'weight_g' };
    const code = label('282000100512'); // 28 · 20001 · 00512 g
    expect(itemCode(code, 'ean_13', [weight])).toEqual({ kind: 'weighed', gtin: '0' + code, barcode: code, plu: '20001', weightG: 512 });
    const both = [weight, CHINA_SCALE_LAYOUT];
    expect(weighedCode(code, both)).toMatchObject({ plu: '20001', weightG: 512 });
    expect(weighedCode(label('211000100612'), both)).toMatchObject({ plu: '10001', priceFen: 612 });
    expect(weighedCode(label('211000100612'), [weight])).toBeNull(); // flag 21 is not this layout's
  });

  it('checks the price check digit where the layout has one', () => {
    // 22 · PLU 0042 · price check · 14685 fen (¥146.85): the check digit is 6.
    const five: WeighedLayout = { flags: ['22'], pluDigits: 4, priceCheck: true, valueDigits: 5, value: 'price_fen' };
    expect(weighedCode(label('220042614685'), [five])).toMatchObject({ plu: '0042', priceFen: 14685 });
    expect(weighedCode(label('220042514685'), [five])).toBeNull();
    expect(itemCode(label('220042514685'), undefined, [five])?.kind).toBe('gtin'); // not a label then: an in-store code
    // 23 · PLU 00042 · price check · 2875 g: the check digit is 9.
    const four: WeighedLayout = { flags: ['23'], pluDigits: 5, priceCheck: true, valueDigits: 4, value: 'weight_g' };
    expect(weighedCode(label('230004292875'), [four])).toMatchObject({ plu: '00042', weightG: 2875 });
    expect(weighedCode(label('230004282875'), [four])).toBeNull();
  });

  it('refuses a layout that cannot describe 13 digits', () => {
    const ok: WeighedLayout = { flags: ['2'], pluDigits: 6, valueDigits: 5, value: 'price_fen' };
    expect(checkWeighedLayout(ok)).toBe(ok);
    const bad: WeighedLayout[] = [
      { ...ok, pluDigits: 5 }, // 12 digits
      { ...ok, flags: ['2', '21'] }, // flags of two lengths
      { ...ok, flags: ['6'] }, // not an in-store prefix
      { ...ok, flags: [] },
      { flags: ['21'], pluDigits: 6, priceCheck: true, valueDigits: 3, value: 'price_fen' }, // no check digit over 3 digits
    ];
    for (const l of bad) expect(() => weighedCode(label('211000100612'), [l]), JSON.stringify(l)).toThrow(RangeError);
  });
});

describe('items and payment codes stay apart', () => {
  it('a scale label is an item, with or without a symbology', () => {
    const code = label('251000100612'); // flag 25, like an Alipay code's first digits, but 13 digits
    expect(classifyScan(code, undefined, METHODS)).toMatchObject({ kind: 'item', item: { kind: 'weighed', plu: '10001', priceFen: 612 } });
    expect(classifyScan(code, 'ean_13', METHODS)).toMatchObject({ kind: 'item', item: { kind: 'weighed' } });
    expect(classifyScan(label('281000100612'), undefined, METHODS)).toMatchObject({ kind: 'item', item: { kind: 'weighed' } });
  });

  it('payment codes starting 25–30 stay payments, whatever the scanner says', () => {
    expect(classifyScan('2512345678901234', undefined, METHODS)).toMatchObject({ kind: 'payment', method: { id: 'mct1:Alipay' } });
    expect(classifyScan('2512345678901234', 'code_128', METHODS)).toMatchObject({ kind: 'payment', method: { id: 'mct1:Alipay' } });
    expect(classifyScan('281234567890123456', 'code_128', METHODS)).toMatchObject({ kind: 'payment' });
    expect(classifyScan('301234567890123456789012', undefined, METHODS)).toMatchObject({ kind: 'payment', method: { id: 'mct1:Alipay' } });
    // 16 digits starting 25 is no GTIN nor a scale label, even if a check digit happens to fit.
    expect(itemCode('2512345678901234')).toBeNull();
    expect(itemCode(label('251234567890') + '234')).toBeNull();
  });

  it('a 13-digit prefix-2 code with a wrong check digit is unknown, never a payment', () => {
    expect(classifyScan('2510001006120', undefined, METHODS)).toEqual({ kind: 'unknown' });
    expect(classifyScan('2510001006120', 'ean_13', METHODS)).toEqual({ kind: 'unknown' });
  });
});
