/**
 * The cart's arithmetic, in integer fen, on plain arrays (cart.svelte.ts holds the state).
 * A line is one item: scanning it again adds one to its quantity — except a scale label, which is
 * one package: each label is its own line.
 */
import type { CartItem } from '../../contract/api.ts';
import { CATALOGUE, findItem, findWeighed, WEIGHED_ITEMS, type CatalogueItem, type WeighedItem } from '../data/catalogue.ts';
import type { ItemCode } from '../devices/scanner/barcodes.ts';

export interface CartLine {
  name: string;
  /** The barcode it was scanned as (8–14 digits), if any. */
  barcode?: string;
  unitFen: number;
  /** Whole units. */
  quantity: number;
  /** A scale label (one package, priced by the scale or by its weight): never merged with another line. */
  weighed?: boolean;
}

export type NewLine = Omit<CartLine, 'quantity'>;

function checkFen(fen: number): number {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not a whole, non-negative number of fen: ${fen}`);
  return fen;
}

/** The same item (barcode and price, not a scale label) gets one more; anything else is a new line at the end. */
export function addLine(lines: readonly CartLine[], item: NewLine, quantity = 1): CartLine[] {
  checkFen(item.unitFen);
  if (!Number.isSafeInteger(quantity) || quantity <= 0) throw new RangeError(`quantity must be a whole number above 0: ${quantity}`);
  const i = item.weighed ? -1 : lines.findIndex((l) => !l.weighed && l.barcode !== undefined && l.barcode === item.barcode && l.unitFen === item.unitFen);
  if (i < 0) return [...lines, { ...item, quantity }];
  return lines.map((l, j) => (j === i ? { ...l, quantity: l.quantity + quantity } : l));
}

export function removeLine(lines: readonly CartLine[], index: number): CartLine[] {
  return lines.filter((_, j) => j !== index);
}

export function subtotalFen(line: CartLine): number {
  return checkFen(line.unitFen * line.quantity);
}

export function totalFen(lines: readonly CartLine[]): number {
  return checkFen(lines.reduce((sum, l) => sum + subtotalFen(l), 0));
}

/** The payment's `items` (POST /api/payments), in the contract's shape. */
export function toItems(lines: readonly CartLine[]): CartItem[] {
  return lines.map((l) => (l.barcode ? { name: l.name, barcode: l.barcode, unitFen: l.unitFen, quantity: l.quantity } : { name: l.name, unitFen: l.unitFen, quantity: l.quantity }));
}

/** weightG × fenPerKg / 1000, rounded half up to the fen, in integers (512 g at 1196 fen/kg → 612). */
export function weighedPriceFen(weightG: number, fenPerKg: number): number {
  if (!Number.isSafeInteger(weightG) || weightG < 0) throw new RangeError(`not a whole number of grams: ${weightG}`);
  // g × fen/kg is thousandths of a fen; + 500 then whole thousands rounds half up.
  const up = checkFen(weightG * checkFen(fenPerKg) + 500);
  return (up - (up % 1000)) / 1000;
}

/** 512 → "0.512kg", 1500 → "1.500kg": a scale's three decimals, from whole grams. */
export function formatKg(weightG: number): string {
  return `${(weightG - (weightG % 1000)) / 1000}.${String(weightG % 1000).padStart(3, '0')}kg`;
}

/**
 * The line a scanned item makes, or null when the cashier must key its price (then `keyedLine`).
 * A barcode in the catalogue is that item (a store's fixed in-store code too, even under a scale
 * flag). A scale label with a price sells at it (`称重商品 PLU 00123` when the PLU is not in the
 * list); with a weight it is priced by the PLU's price per kg, or asks when the PLU is unknown.
 */
export function scannedLine(
  code: ItemCode,
  catalogue: readonly CatalogueItem[] = CATALOGUE,
  weighed: readonly WeighedItem[] = WEIGHED_ITEMS,
): NewLine | null {
  const known = findItem(code.gtin, catalogue) ?? (code.kind === 'gtin' && code.upcE ? findItem(code.upcE.gtin, catalogue) : undefined);
  if (known) return { name: known.name, barcode: known.barcode, unitFen: known.unitFen };
  if (code.kind === 'gtin') return null;
  const item = findWeighed(code.plu, weighed);
  if ('priceFen' in code) return { name: item?.name ?? `称重商品 PLU ${code.plu}`, barcode: code.barcode, unitFen: code.priceFen, weighed: true };
  if (!item) return null;
  return { name: `${item.name} ${formatKg(code.weightG)}`, barcode: code.barcode, unitFen: weighedPriceFen(code.weightG, item.fenPerKg), weighed: true };
}

/** The line of a scanned item at the price the cashier keyed (the label's amount for a scale label). */
export function keyedLine(code: ItemCode, unitFen: number): NewLine {
  checkFen(unitFen);
  if (code.kind === 'gtin') return { name: `商品 ${code.barcode}`, barcode: code.barcode, unitFen };
  const weight = 'weightG' in code ? ` ${formatKg(code.weightG)}` : '';
  return { name: `称重商品 PLU ${code.plu}${weight}`, barcode: code.barcode, unitFen, weighed: true };
}
