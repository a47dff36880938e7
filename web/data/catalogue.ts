/**
 * The sandbox's item catalogue: what an item barcode scanned on the amount screen adds to the cart.
 * A handful of made-up items (the first is seed 001's own example line, 双汇王中王80克 at ¥2.80);
 * every barcode has a valid GS1 check digit. A real store would load its own list; a barcode not
 * here asks the cashier to key the price.
 */

export interface CatalogueItem {
  /** As printed under the bars: EAN-13, EAN-8 or UPC-A. */
  barcode: string;
  name: string;
  /** Integer fen. */
  unitFen: number;
}

export const CATALOGUE: readonly CatalogueItem[] = [
  { barcode: '6902890227670', name: '双汇王中王80克', unitFen: 280 }, // seeds/001 §4 3.1 (单品上传模式1)
  { barcode: '6901234567892', name: '农夫山泉饮用天然水550毫升', unitFen: 200 },
  { barcode: '6923456789012', name: '康师傅红烧牛肉面', unitFen: 450 },
  { barcode: '6934567890122', name: '旺旺雪饼84克', unitFen: 650 },
  { barcode: '6945678901232', name: '可口可乐330毫升', unitFen: 300 },
  { barcode: '69012341', name: '白象榨菜80克', unitFen: 150 }, // EAN-8
  { barcode: '012345678905', name: '进口黑巧克力40克', unitFen: 1200 }, // UPC-A
];

/** The item whose GTIN (any length, compared as GTIN-14) is this one. */
export function findItem(gtin: string, catalogue: readonly CatalogueItem[] = CATALOGUE): CatalogueItem | undefined {
  const key = gtin.padStart(14, '0');
  return catalogue.find((i) => i.barcode.padStart(14, '0') === key);
}
