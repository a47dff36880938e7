/**
 * Where a scan goes (every source: HID, keyboard, paste, camera). Loaded at start (restoreCart);
 * the checkout is handed in by the entry (../devices/scanner/start.ts), so this chunk does not
 * import payments.svelte.ts (see ../devices/printer/chip.svelte.ts for why).
 *
 * - Amount screen: an item barcode goes into the cart (its total becomes the amount); a payment code
 *   collects at once when the amount (or the cart) is good, exactly as 收款 then a scan would.
 * - Scan screen: a payment code is paid; an item barcode is refused (the amount was agreed).
 * - Payment screen: ignored while the payment is not final (one payment at a time); once it is,
 *   the scan starts the next sale.
 * - Anywhere else (settings, orders, pass cards): ignored — and never typed into a field.
 */
import type { checkout as Checkout } from '../data/payments.svelte.ts';
import { classifyScan, normalizeScan } from '../devices/scanner/barcodes.ts';
import type { Scan } from '../devices/scanner/scans.ts';
import { Cart, savedLines } from './cart.svelte.ts';

export interface ScanContext {
  checkout: typeof Checkout;
  /** The checkout is on screen (not the settings, the orders…) and the terminal is paired. */
  active: () => boolean;
}

export type ScanOutcome = 'ignored' | 'item' | 'payment' | 'refused' | 'unknown';

export const ITEM_NOT_PAYMENT = '这是商品条码，不是付款码；请返回添加商品 / This is an item barcode, not a payment code — go back to add items';

export async function routeScan(raw: Scan, ctx: ScanContext): Promise<ScanOutcome> {
  const { checkout } = ctx;
  const scan = normalizeScan(raw);
  if (!ctx.active() || !scan.code) return 'ignored';
  if (checkout.phase === 'payment') {
    if (!checkout.final || !checkout.newSale()) return 'ignored';
  }
  if (checkout.methods.length === 0) await checkout.loadMethods();
  const kind = classifyScan(scan.code, scan.symbology, checkout.methods);

  if (checkout.phase === 'scan') {
    if (kind.kind === 'item') {
      checkout.scanError = ITEM_NOT_PAYMENT;
      return 'refused';
    }
    // An unknown code gets the checkout's own "unrecognised payment code" message.
    await checkout.submitCode(scan.code);
    return kind.kind;
  }

  if (kind.kind === 'payment' && checkout.collect()) {
    await checkout.submitCode(scan.code);
    return 'payment';
  }
  const cart = (checkout.cart ??= new Cart((text) => checkout.setAmount(text)));
  if (kind.kind === 'item') {
    cart.scanned(kind.item);
    return 'item';
  }
  cart.message =
    kind.kind === 'payment'
      ? '请先输入金额或扫商品，再扫付款码 / Key the amount or scan the items first, then the payment code'
      : `无法识别的条码 / Unrecognised barcode: ${scan.code}`;
  return kind.kind === 'payment' ? 'refused' : 'unknown';
}

/** On load: the cart a reload or a crash left behind, back on the amount screen (not over a sale in progress). */
export function restoreCart(checkout: typeof Checkout): void {
  const lines = savedLines();
  if (!lines.length || checkout.cart || checkout.phase !== 'amount' || checkout.amountText) return;
  checkout.cart = new Cart((text) => checkout.setAmount(text), lines);
}
