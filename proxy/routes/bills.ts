/**
 * `POST /api/bills/receipt`: a bill printed before payment (预结单) for the customer to check the
 * lines and the total, with the provider's footer where it has one (微收银 qrcode_template: its QR
 * and thank-you lines). Nothing is charged or stored: the payment comes later, as any other.
 */
import { chinaWallClock } from '../china-time.ts';
import { Hono } from 'hono';
import type { AuthEnv } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import { itemsTotalFen, readItems } from '../payments/items.ts';
import type { Stores } from '../stores/registry.ts';
import { encodeEscPos, ownBill, receiptText } from '../receipt/escpos.ts';

export interface BillRoutesDeps {
  stores: Stores;
  maxAmountFen: number;
  now?: () => Date;
}

export function billRoutes({ stores, maxAmountFen, now = () => new Date() }: BillRoutesDeps) {
  const app = new Hono<AuthEnv>();

  app.post('/bills/receipt', async (c) => {
    const body = (await readJson(c)) as Record<string, unknown>;
    const items = readItems(body.items);
    const amountFen = body.amountFen ?? (items ? itemsTotalFen(items) : undefined);
    if (!Number.isSafeInteger(amountFen) || (amountFen as number) <= 0 || (amountFen as number) > maxAmountFen) {
      throw new ApiError(400, 'amount_invalid', '金额必须是大于 0 的整数分 / amountFen must be a whole number of fen above 0');
    }
    if (items && itemsTotalFen(items) !== amountFen) {
      throw new ApiError(400, 'amount_mismatch', '金额与商品合计不符 / The amount is not the total of the items');
    }
    const table = typeof body.table === 'string' && body.table.trim() ? body.table.trim().slice(0, 20) : undefined;
    const at = now();
    const bill = { billNo: billNumber(at, c.get('terminal').id), amountFen: amountFen as number, items, at, table };
    // The till's store: its name heads the bill, its providers may add a footer.
    const store = stores.of(c.get('terminal').storeId);
    const footer = store.providers
      .all()
      .map((p) => p.billFooter?.(bill))
      .find((f) => !!f);
    const text = ownBill(bill, { storeName: store.name, footer });
    if (c.req.query('format') === 'text') return c.text(receiptText(text));
    return c.body(encodeEscPos(text), 200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store', 'x-bill-no': bill.billNo });
  });

  return app;
}

/** "YJ" + China wall-clock time to the second + the terminal's last four characters: unique per till and second. */
function billNumber(at: Date, terminalId: string): string {
  const t = chinaWallClock(at.getTime()).replace(/\D/g, '');
  return `YJ${t}${terminalId.slice(-4)}`;
}
