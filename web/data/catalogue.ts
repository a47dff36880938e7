/**
 * The sandbox's item catalogue: what an item barcode scanned on the amount screen adds to the cart.
 * A handful of made-up items (the first is seed 001's own example line, 双汇王中王80克 at ¥2.80);
 * every barcode has a valid GS1 check digit. A real store would load its own list; a barcode not
 * here asks the cashier to key the price.
 *
 * Weighed goods (散装, sold by the scale's label) are a second list keyed by the scale's PLU, with a
 * price per kilogram: what a weight label is priced by. A price label needs no list (it carries the
 * price); the list gives it its name.
 */

export interface CatalogueItem {
  /** As printed under the bars: EAN-13, EAN-8 or UPC-A. */
  barcode: string;
  name: string;
  /** Integer fen. */
  unitFen: number;
}

export interface WeighedItem {
  /** The scale's item code (PLU, 货号), as its labels carry it. */
  plu: string;
  name: string;
  /** Integer fen per kilogram (a shelf tag's per-斤 price × 2). */
  fenPerKg: number;
}

export const CATALOGUE: readonly CatalogueItem[] = [
  { barcode: '6902890227670', name: '双汇王中王80克', unitFen: 280 }, // seeds/001 §4 3.1 (单品上传模式1)
  { barcode: '6901234567892', name: '农夫山泉饮用天然水550毫升', unitFen: 200 },
  { barcode: '6923456789012', name: '康师傅红烧牛肉面', unitFen: 450 },
  { barcode: '6934567890122', name: '旺旺雪饼84克', unitFen: 650 },
  { barcode: '6945678901232', name: '可口可乐330毫升', unitFen: 300 },
  { barcode: '69012341', name: '白象榨菜80克', unitFen: 150 }, // EAN-8
  { barcode: '012345678905', name: '进口黑巧克力40克', unitFen: 1200 }, // UPC-A
  { barcode: '042100005264', name: '进口薄荷糖14克', unitFen: 890 }, // UPC-A, printed as the UPC-E 04252614
];

export const WEIGHED_ITEMS: readonly WeighedItem[] = [
  { plu: '10001', name: '散装苹果', fenPerKg: 1196 }, // ¥5.98/斤
  { plu: '20001', name: '猪肉', fenPerKg: 3160 }, // ¥15.80/斤
];

/** The item whose GTIN (any length, compared as GTIN-14) is this one. */
export function findItem(gtin: string, catalogue: readonly CatalogueItem[] = CATALOGUE): CatalogueItem | undefined {
  const key = gtin.padStart(14, '0');
  return catalogue.find((i) => i.barcode.padStart(14, '0') === key);
}

/** The weighed item with this PLU; PLUs compare as numbers, so a 4- and a 5-digit layout agree. */
export function findWeighed(plu: string, items: readonly WeighedItem[] = WEIGHED_ITEMS): WeighedItem | undefined {
  return items.find((i) => Number(i.plu) === Number(plu));
}
