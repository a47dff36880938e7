/**
 * What a scanned code is. An item: EAN-13, EAN-8 or UPC-A with a good check digit, or a GS1 element
 * string carrying a GTIN in AI (01)/(02). A payment code: one the providers' patterns accept
 * (GET /api/methods, e.g. 微收银's `coderegex`). Anything else is unknown.
 *
 * Where the device names the symbology (HID POS, the camera, an AIM prefix), an EAN/UPC/GS1 code is
 * an item first; otherwise the payment patterns are tried first. The two never overlap in practice
 * (payment codes are 16–24 digits starting 10–15 or 25–30; GTINs are 8–14 digits, and a GS1 string
 * starts with 01 or 02), but a payment must never be taken for an item or the other way round.
 */
import type { PayMethodInfo } from '../../../contract/api.ts';
import { routeCode } from '../../data/methods.ts';
import type { Scan } from './scans.ts';

/** AIM symbology identifiers (ISO/IEC 15424, `]` + letter + modifier) by the names used here. */
const AIM: Record<string, string> = {
  E0: 'ean_13', // EAN-13, UPC-A and UPC-E sent as 13 digits
  E3: 'ean_13', // with an add-on
  E4: 'ean_8',
  C0: 'code_128',
  C1: 'gs1_128',
  e0: 'gs1_databar',
  d1: 'data_matrix',
  d2: 'gs1_datamatrix',
  Q1: 'qr_code',
  Q3: 'gs1_qr',
  A0: 'code_39',
  I0: 'itf',
  I1: 'itf',
  F0: 'codabar',
  G0: 'code_93',
  L0: 'pdf417',
  z0: 'aztec',
};

/** ']E0' → 'ean_13'; an identifier not in the table keeps its own name (']X0'). */
export function aimSymbology(id: string): string {
  return AIM[id.slice(1)] ?? id;
}

/**
 * The code as sent, tidied: surrounding whitespace and NULs (a suffix CR/LF some scanners add even
 * in HID mode) dropped, and a leading AIM identifier (scanners set to send it in keyboard mode)
 * taken as the symbology. A GS (FNC1) inside a GS1 string is kept.
 */
export function normalizeScan(scan: Scan): Scan {
  let code = scan.code.replace(/^[\s\0]+|[\s\0]+$/g, '');
  let symbology = scan.symbology;
  const aim = /^\][A-Za-z][0-9A-Za-z]/.exec(code)?.[0];
  if (aim) {
    symbology ??= aimSymbology(aim);
    code = code.slice(3);
  }
  return symbology === undefined ? { ...scan, code } : { ...scan, code, symbology };
}

/** The GS1 mod-10 check digit of a GTIN-8/12/13/14 (weights 3,1,3… from the right). */
export function gtinValid(digits: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 2, w = 3; i >= 0; i--, w = 4 - w) sum += Number(digits[i]) * w;
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

export interface ItemCode {
  /** The GTIN, 14 digits (zero-padded): how the catalogue is searched. */
  gtin: string;
  /** As the item line carries it (8–14 digits): the code as scanned, or the GTIN without its padding. */
  barcode: string;
}

const GS = '\x1d';

/**
 * The GTIN of a GS1 element string: `(01)06902890227670(10)A1`, or the same without brackets
 * (`0106902890227670…`, fields ended by GS) when the scanner said GS1 (]C1, ]e0, ]d2, ]Q3), a GS
 * separates fields, or it is exactly AI 01 and its 14 digits.
 */
export function gs1Gtin(code: string, symbology?: string): string | null {
  const s = code.startsWith(GS) ? code.slice(1) : code;
  const bracketed = /^\(0[12]\)(\d{14})/.exec(s);
  const bare = /^0[12](\d{14})/.exec(s);
  const gs1 = !!symbology?.startsWith('gs1') || s.includes(GS) || s.length === 16;
  const gtin = bracketed?.[1] ?? (gs1 ? bare?.[1] : undefined);
  return gtin && gtinValid(gtin) ? gtin : null;
}

/** An item barcode (EAN-13, EAN-8, UPC-A or a GS1 string with a GTIN), or null. */
export function itemCode(code: string, symbology?: string): ItemCode | null {
  if (/^(\d{8}|\d{12,13})$/.test(code) && gtinValid(code)) return { gtin: code.padStart(14, '0'), barcode: code };
  const gtin = gs1Gtin(code, symbology);
  if (!gtin) return null;
  // GTIN-14 with a leading zero is the EAN-13 (or UPC-A) on the pack.
  return { gtin, barcode: gtin.startsWith('0') ? gtin.slice(1) : gtin };
}

export type ScanKind =
  | { kind: 'item'; item: ItemCode }
  | { kind: 'payment'; method: PayMethodInfo }
  | { kind: 'unknown' };

const RETAIL = /^(ean|upc|gs1|itf)/;

export function classifyScan(code: string, symbology: string | undefined, methods: readonly PayMethodInfo[]): ScanKind {
  const item = itemCode(code, symbology);
  if (item && symbology && RETAIL.test(symbology)) return { kind: 'item', item };
  const method = routeCode(code, methods);
  if (method) return { kind: 'payment', method };
  return item ? { kind: 'item', item } : { kind: 'unknown' };
}
