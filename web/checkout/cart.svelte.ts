/**
 * The items of the sale on the amount screen. Created with the first scan there (route-scan.ts),
 * so a store that never scans items never loads it. While it has lines, the amount is its total.
 *
 * The lines are kept in localStorage until the payment takes them (`handOver`), so a reload or a
 * crash in the middle of scanning a full basket does not lose it. They are a draft, not money:
 * the payment record in IndexedDB carries its own copy of the items.
 */
import type { CartItem } from '../../contract/api.ts';
import { formatYuan, parseYuan } from '../../contract/money.ts';
import type { ItemCode } from '../devices/scanner/barcodes.ts';
import { addLine, keyedLine, removeLine, scannedLine, toItems, totalFen, type CartLine } from './cart.ts';

export class Cart {
  lines = $state.raw<CartLine[]>([]);
  totalFen = $derived(totalFen(this.lines));
  /** A scanned item whose price the cashier must key: not in the catalogue, or a weight label of an unknown PLU. */
  unknown = $state<ItemCode | null>(null);
  /** The last scan's message (unrecognised, key the amount first…), or null. */
  message = $state<string | null>(null);
  readonly #setAmount: (text: string) => void;

  /** `setAmount`: the checkout's amount, set to the total on every change ('' when empty). */
  constructor(setAmount: (text: string) => void, lines: CartLine[] = []) {
    this.#setAmount = setAmount;
    if (lines.length) this.#set(lines);
  }

  /** An item barcode was scanned: one more of it, a scale label's own line, or its price asked for. */
  scanned(code: ItemCode): void {
    this.message = null;
    const line = scannedLine(code);
    if (!line) {
      this.unknown = code;
      return;
    }
    this.#set(addLine(this.lines, line));
  }

  /** The price keyed for the unknown item ("12.50"); false when it is not a price. */
  price(text: string): boolean {
    const item = this.unknown;
    const p = parseYuan(text);
    if (!item || !p.ok || p.fen <= 0) {
      this.message = '请输入单价，如 12.50 / Key the unit price, e.g. 12.50';
      return false;
    }
    this.unknown = null;
    this.message = null;
    this.#set(addLine(this.lines, keyedLine(item, p.fen)));
    return true;
  }

  remove(index: number): void {
    this.#set(removeLine(this.lines, index));
  }

  clear(): void {
    this.unknown = null;
    this.message = null;
    this.#set([]);
  }

  /** What the payment carries (POST /api/payments `items`). */
  items(): CartItem[] {
    return toItems(this.lines);
  }

  /** The payment starts with these items: from now on they are the payment's, not a draft to restore. */
  handOver(): CartItem[] {
    saveLines([]);
    return this.items();
  }

  #set(lines: CartLine[]): void {
    this.lines = lines;
    saveLines(lines);
    this.#setAmount(lines.length ? formatYuan(totalFen(lines)) : '');
  }
}

const SAVED = 'pos.cart';

function saveLines(lines: CartLine[]): void {
  try {
    if (lines.length) localStorage.setItem(SAVED, JSON.stringify(lines));
    else localStorage.removeItem(SAVED);
  } catch {
    // Storage full or refused: the cart still works, it just does not survive a reload.
  }
}

/** The lines left by a reload or a crash, checked line by line (anything malformed is dropped). */
export function savedLines(): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SAVED) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (l): l is CartLine =>
        typeof l?.name === 'string' &&
        Number.isSafeInteger(l.unitFen) && l.unitFen >= 0 &&
        Number.isSafeInteger(l.quantity) && l.quantity > 0 &&
        (l.barcode === undefined || typeof l.barcode === 'string') &&
        (l.weighed === undefined || typeof l.weighed === 'boolean'),
    );
  } catch {
    return [];
  }
}
