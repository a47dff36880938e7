import { describe, expect, it } from 'vitest';
import type { PayMethodInfo } from '../../contract/api.ts';
import { CATALOGUE, findItem } from '../../web/data/catalogue.ts';
import { aimSymbology, classifyScan, gs1Gtin, gtinValid, itemCode, normalizeScan } from '../../web/devices/scanner/barcodes.ts';

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
    expect(itemCode('6902890227670')).toEqual({ gtin: '06902890227670', barcode: '6902890227670' });
    expect(itemCode('69012341')).toEqual({ gtin: '00000069012341', barcode: '69012341' });
    expect(itemCode('012345678905')).toEqual({ gtin: '00012345678905', barcode: '012345678905' });
    expect(itemCode('6902890227671')).toBeNull();
  });

  it('reads the GTIN of GS1 element strings, bracketed or raw', () => {
    expect(itemCode('(01)06902890227670(10)A1')).toEqual({ gtin: '06902890227670', barcode: '6902890227670' });
    expect(itemCode('0106902890227670')).toEqual({ gtin: '06902890227670', barcode: '6902890227670' });
    expect(itemCode('0106902890227670\x1d10BATCH7\x1d21S1')?.barcode).toBe('6902890227670');
    expect(gs1Gtin('0106902890227670' + '17261231' + '10LOT', 'gs1_128')).toBe('06902890227670');
    expect(gs1Gtin('\x1d0106902890227670', undefined)).toBe('06902890227670'); // leading FNC1
    expect(gs1Gtin('0212345678901231' + '37' + '24', 'gs1_databar')).toBe('12345678901231'); // AI 02, GTIN-14 of another indicator
    expect(itemCode('0212345678901231\x1d3724')).toEqual({ gtin: '12345678901231', barcode: '12345678901231' });
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
    expect(classifyScan('6902890227670', undefined, METHODS)).toEqual({ kind: 'item', item: { gtin: '06902890227670', barcode: '6902890227670' } });
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
