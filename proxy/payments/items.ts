/** A sale's item lines as the terminal sends them (payments, bills): checked, integer fen. */
import type { CartItem } from '../../contract/api.ts';
import { ApiError } from '../http/errors.ts';

export const MAX_ITEMS = 200;

/** `items` of a request body, or undefined when absent; 400 `items_invalid` when malformed. */
export function readItems(items: unknown): CartItem[] | undefined {
  if (items === undefined) return undefined;
  const bad = () => new ApiError(400, 'items_invalid', '商品明细无效 / Invalid items');
  if (!Array.isArray(items) || items.length > MAX_ITEMS) throw bad();
  return items.map((it) => {
    const i = it as Record<string, unknown>;
    if (typeof i?.name !== 'string' || !i.name || i.name.length > 60) throw bad();
    if (!Number.isSafeInteger(i.unitFen) || (i.unitFen as number) < 0) throw bad();
    if (!Number.isSafeInteger(i.quantity) || (i.quantity as number) <= 0) throw bad();
    if (i.barcode !== undefined && (typeof i.barcode !== 'string' || !/^\d{8,14}$/.test(i.barcode))) throw bad();
    return { name: i.name, unitFen: i.unitFen as number, quantity: i.quantity as number, barcode: i.barcode as string | undefined };
  });
}

/** What the lines add up to, in fen. */
export function itemsTotalFen(items: readonly CartItem[]): number {
  return items.reduce((sum, i) => sum + i.unitFen * i.quantity, 0);
}
