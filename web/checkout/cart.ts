/**
 * The cart's arithmetic, in integer fen, on plain arrays (cart.svelte.ts holds the state).
 * A line is one item: scanning it again adds one to its quantity.
 */
import type { CartItem } from '../../contract/api.ts';

export interface CartLine {
  name: string;
  /** The barcode it was scanned as (8–14 digits), if any. */
  barcode?: string;
  unitFen: number;
  /** Whole units. */
  quantity: number;
}

function checkFen(fen: number): number {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not a whole, non-negative number of fen: ${fen}`);
  return fen;
}

/** The same item (barcode and price) gets one more; anything else is a new line at the end. */
export function addLine(lines: readonly CartLine[], item: Omit<CartLine, 'quantity'>, quantity = 1): CartLine[] {
  checkFen(item.unitFen);
  if (!Number.isSafeInteger(quantity) || quantity <= 0) throw new RangeError(`quantity must be a whole number above 0: ${quantity}`);
  const i = lines.findIndex((l) => l.barcode !== undefined && l.barcode === item.barcode && l.unitFen === item.unitFen);
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
