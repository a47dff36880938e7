/**
 * What a scanned code is. An item: EAN-13, EAN-8, UPC-A or UPC-E with a good check digit, a GS1
 * element string carrying a GTIN in AI (01)/(02), or a label printed by the store's scale (below).
 * A payment code: one the providers' patterns accept (GET /api/methods, e.g. 微收银's `coderegex`).
 * Anything else is unknown.
 *
 * Where the device names the symbology (HID POS, the camera, an AIM prefix), an EAN/UPC/GS1 code is
 * an item first; otherwise the payment patterns are tried first. The two never overlap in practice
 * (payment codes are 16–24 digits starting 10–15 or 25–30; GTINs are 8–14 digits, scale labels 13,
 * and a GS1 string starts with 01 or 02), but a payment must never be taken for an item or the other
 * way round.
 *
 * **EAN-8 or UPC-E.** Eight digits can be a valid EAN-8 and a valid UPC-E at once (01234565). The
 * symbology decides when the device names it: `upc_e` (BarcodeDetector, HID POS) is UPC-E, `ean_8`
 * (AIM ]E4) is EAN-8, and eight digits under AIM ]E0 (EAN-13/UPC-A/UPC-E; EAN-8 has its own ]E4)
 * are a UPC-E sent unexpanded (a conforming ]E0 scanner sends UPC-E as 13 digits, read as EAN-13).
 * Without a symbology EAN-8 wins: it is what Chinese goods carry (69…); UPC-E is on US imports.
 * The UPC-E reading is then kept beside it (`upcE`) for a catalogue that knows only that one. A
 * scanner checks the symbol's own check digit before it sends, so eight digits valid only as UPC-E
 * are a UPC-E.
 *
 * **Scale labels (店内码, GB/T 18283; GS1 restricted circulation numbers 20–29).** A 大华/顶尖 label
 * scale prints an EAN-13: flag digits, the item's PLU (货号), the price in fen or the weight in
 * grams, the EAN check digit; some layouts add a GS1 price check digit before the value. The layout
 * is a setting (`WeighedLayout`). The default, `CHINA_SCALE_LAYOUT`, is the common 13-digit layout
 * of these scales, `FF CCCCC XXXXX C`: two flag digits (any of 20–29: stores use the flag for the
 * department and 计重/计件, e.g. 21/20, so no single value is safe to assume), a 5-digit PLU and a
 * 5-digit **price** in fen (up to ¥999.99), no price check digit. Price rather than weight because
 * the scale is the verified measuring instrument and the amount on the label is what the customer
 * was shown; the till charges exactly that, and needs no per-kg price list to do it. A store whose
 * scales print weight sets `value: 'weight_g'` (the cart then prices it from the catalogue's per-kg
 * price). A label with a value of 0 is not read as weighed (a store's own fixed code, e.g.
 * 2000001000007, is looked up as it is). The 18-digit labels some scales print in Code 128 (flag,
 * PLU, price and weight) are not EAN-13 and are not read.
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

/** An item known by its GTIN: EAN-13, EAN-8, UPC-A, UPC-E or a GS1 string. */
export interface GtinCode {
  kind: 'gtin';
  /** The GTIN, 14 digits (zero-padded): how the catalogue is searched. */
  gtin: string;
  /** As the item line carries it (8–14 digits): the code as scanned, the UPC-A of a UPC-E, or the GTIN without its padding. */
  barcode: string;
  /** The same eight digits read as UPC-E, when they are also a valid EAN-8 and no symbology decided (see the top). */
  upcE?: { gtin: string; barcode: string };
}

interface WeighedBase {
  kind: 'weighed';
  /** The label's 13 digits as a GTIN-14, like any item's. */
  gtin: string;
  /** The label's 13 digits. */
  barcode: string;
  /** The scale's item code, as printed (zero-padded to the layout's width). */
  plu: string;
}

/** A scale label (店内码): its PLU and either the price in fen or the weight in grams. */
export type WeighedCode = (WeighedBase & { priceFen: number }) | (WeighedBase & { weightG: number });

export type ItemCode = GtinCode | WeighedCode;

function gtinCode(barcode: string): GtinCode {
  return { kind: 'gtin', gtin: barcode.padStart(14, '0'), barcode };
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

/**
 * A UPC-E (number system 0 or 1, six data digits, check digit) expanded to its UPC-A, by the last
 * data digit: 0–2 → S d1 d2 d6 0000 d3 d4 d5, 3 → S d1 d2 d3 00000 d4 d5, 4 → S d1 d2 d3 d4 00000 d5,
 * 5–9 → S d1 d2 d3 d4 d5 0000 d6; the check digit is carried over (it is computed on the UPC-A, so
 * `gtinValid` of the result validates the UPC-E). Null when the code is not shaped like a UPC-E.
 */
export function expandUpcE(code: string): string | null {
  const m = /^([01])(\d{6})(\d)$/.exec(code);
  if (!m) return null;
  const [, system, d, check] = m;
  const last = d[5];
  let body: string;
  if (last <= '2') body = d.slice(0, 2) + last + '0000' + d.slice(2, 5);
  else if (last === '3') body = d.slice(0, 3) + '00000' + d.slice(3, 5);
  else if (last === '4') body = d.slice(0, 4) + '00000' + d[4];
  else body = d.slice(0, 5) + '0000' + last;
  return system + body + check;
}

/** Eight digits: EAN-8 or UPC-E, by the symbology when there is one (see the top). */
function eightDigits(code: string, symbology: string | undefined): GtinCode | null {
  const upcA = expandUpcE(code);
  const upcE = upcA && gtinValid(upcA) ? gtinCode(upcA) : null;
  const ean8 = gtinValid(code) ? gtinCode(code) : null;
  if (symbology === 'upc_e') return upcE;
  if (symbology === 'ean_8') return ean8;
  if (symbology === 'ean_13') return upcE ?? ean8;
  if (ean8 && upcE) return { ...ean8, upcE: { gtin: upcE.gtin, barcode: upcE.barcode } };
  return ean8 ?? upcE;
}

/**
 * How the store's scales lay out a label's 13 digits, left to right: a flag, the PLU, an optional
 * price check digit, the value, the EAN check digit. flag + pluDigits + (priceCheck ? 1 : 0) +
 * valueDigits + 1 must be 13.
 */
export interface WeighedLayout {
  /** The leading digits that mark a label of this layout, all the same length, each starting with 2 (e.g. ['21', '22']). */
  flags: readonly string[];
  pluDigits: number;
  /** A GS1 price/weight check digit before the value (GS1 General Specifications 7.9.3; GB/T 18283 附录A): 4 or 5 value digits only. */
  priceCheck?: boolean;
  valueDigits: number;
  /** The value is the price in fen or the net weight in grams. */
  value: 'price_fen' | 'weight_g';
}

/** `FF CCCCC XXXXX C`, flags 20–29, price in fen: the reasons are at the top. */
export const CHINA_SCALE_LAYOUT: WeighedLayout = {
  flags: ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29'],
  pluDigits: 5,
  valueDigits: 5,
  value: 'price_fen',
};

/** The layouts tried, in order; the first whose flag matches reads the label. */
export const WEIGHED_LAYOUTS: readonly WeighedLayout[] = [CHINA_SCALE_LAYOUT];

/** Throws on a layout that cannot describe a 13-digit label (a settings mistake, not a scan). */
export function checkWeighedLayout(l: WeighedLayout): WeighedLayout {
  const flag = l.flags[0]?.length ?? 0;
  const fits = flag + l.pluDigits + (l.priceCheck ? 1 : 0) + l.valueDigits + 1 === 13;
  const flagsOk = flag > 0 && l.flags.every((f) => f.length === flag && /^2\d*$/.test(f));
  const widthsOk = [l.pluDigits, l.valueDigits].every((n) => Number.isSafeInteger(n) && n > 0);
  if (!fits || !flagsOk || !widthsOk || (l.priceCheck && l.valueDigits !== 4 && l.valueDigits !== 5)) {
    throw new RangeError(`not a 13-digit scale label layout: ${JSON.stringify(l)}`);
  }
  return l;
}

// GS1 General Specifications 7.9.3: each weighting factor as a digit → product table.
const W2_MINUS = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7]; // 2d, minus its tens digit, units
const W3 = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7]; // 3d, units
const W5_PLUS = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]; // 5d, plus its tens digit, units
const W5_MINUS = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1]; // 5d, minus its tens digit, units

/**
 * The GS1 price/weight check digit of a 4- or 5-digit value. Four digits: weights 2-, 2-, 3, 5-;
 * the sum times 3, units digit. Five: weights 5+, 2-, 5-, 5+, 2-; the check digit is the one whose
 * 5- product makes the sum a multiple of 10.
 */
export function priceCheckDigit(value: string): number {
  if (!/^\d{4,5}$/.test(value)) throw new RangeError(`a price check digit is over 4 or 5 digits: ${value}`);
  const d = [...value].map(Number);
  if (d.length === 4) return ((W2_MINUS[d[0]] + W2_MINUS[d[1]] + W3[d[2]] + W5_MINUS[d[3]]) * 3) % 10;
  const sum = W5_PLUS[d[0]] + W2_MINUS[d[1]] + W5_MINUS[d[2]] + W5_PLUS[d[3]] + W2_MINUS[d[4]];
  return W5_MINUS.indexOf((10 - (sum % 10)) % 10);
}

/**
 * A scale label by the first layout whose flag it carries, or null: not 13 digits starting with 2,
 * a bad EAN check digit, no layout's flag, a bad price check digit, or a value of 0 (then the code
 * is an ordinary in-store GTIN).
 */
export function weighedCode(code: string, layouts: readonly WeighedLayout[] = WEIGHED_LAYOUTS): WeighedCode | null {
  layouts.forEach(checkWeighedLayout);
  if (!/^2\d{12}$/.test(code) || !gtinValid(code)) return null;
  const l = layouts.find((x) => x.flags.includes(code.slice(0, x.flags[0].length)));
  if (!l) return null;
  let at = l.flags[0].length;
  const plu = code.slice(at, (at += l.pluDigits));
  const check = l.priceCheck ? Number(code[at++]) : undefined;
  const digits = code.slice(at, at + l.valueDigits);
  if (check !== undefined && check !== priceCheckDigit(digits)) return null;
  const value = Number(digits);
  if (value === 0) return null;
  const base: WeighedBase = { kind: 'weighed', gtin: code.padStart(14, '0'), barcode: code, plu };
  return l.value === 'price_fen' ? { ...base, priceFen: value } : { ...base, weightG: value };
}

/**
 * An item barcode (EAN-13, EAN-8, UPC-A, UPC-E, a scale label or a GS1 string with a GTIN), or null.
 * `layouts`: the store's scale label layouts ([] reads none).
 */
export function itemCode(code: string, symbology?: string, layouts: readonly WeighedLayout[] = WEIGHED_LAYOUTS): ItemCode | null {
  if (/^\d{8}$/.test(code)) return eightDigits(code, symbology);
  if (/^\d{12,13}$/.test(code) && gtinValid(code)) return weighedCode(code, layouts) ?? gtinCode(code);
  const gtin = gs1Gtin(code, symbology);
  if (!gtin) return null;
  // GTIN-14 with a leading zero is the EAN-13 (or UPC-A) on the pack.
  return { kind: 'gtin', gtin, barcode: gtin.startsWith('0') ? gtin.slice(1) : gtin };
}

export type ScanKind =
  | { kind: 'item'; item: ItemCode }
  | { kind: 'payment'; method: PayMethodInfo }
  | { kind: 'unknown' };

const RETAIL = /^(ean|upc|gs1|itf)/;

/** `layouts`: the store's scale label layouts (a setting; the default reads Chinese scales' price labels). */
export function classifyScan(
  code: string,
  symbology: string | undefined,
  methods: readonly PayMethodInfo[],
  layouts: readonly WeighedLayout[] = WEIGHED_LAYOUTS,
): ScanKind {
  const item = itemCode(code, symbology, layouts);
  if (item && symbology && RETAIL.test(symbology)) return { kind: 'item', item };
  const method = routeCode(code, methods);
  if (method) return { kind: 'payment', method };
  return item ? { kind: 'item', item } : { kind: 'unknown' };
}
