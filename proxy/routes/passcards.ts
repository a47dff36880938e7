/**
 * Pass cards (出门单) of the kiosk backend (kioskv5, seed 000): the card of a paid order, its receipt,
 * and the shop's list by status. Other providers issue none: 501 `passcard_unsupported`.
 */
import { Hono } from 'hono';
import type { PassCardView } from '../../contract/api.ts';
import type { AuthEnv } from '../auth/terminals.ts';
import { ApiError, fromProviderError } from '../http/errors.ts';
import type { Ledger } from '../ledger/payments.ts';
import type { Terminal } from '../auth/terminals.ts';
import type { Stores } from '../stores/registry.ts';
import { inScope } from '../stores/scope.ts';
import type { PassCard } from '../providers/kioskv5/index.ts';
import type { Provider, Result } from '../providers/types.ts';
import { encodeEscPos, receiptText } from '../receipt/escpos.ts';
import { passCardReceipt } from '../receipt/pass-card.ts';

interface PassCardProvider extends Provider {
  passCards(filter?: { status?: number }): Promise<Result<{ cards: PassCard[] }>>;
  passCardFor(outNo: string): Promise<Result<{ card: PassCard }>>;
}

const STATUS: Record<number, { status: PassCardView['status']; text: string }> = {
  0: { status: 'unused', text: '未使用 / Unused' },
  1: { status: 'used', text: '已使用 / Used' },
  2: { status: 'void', text: '已作废 / Void' },
};
const STATUS_CODE: Record<string, number> = { unused: 0, used: 1, void: 2 };

function hasPassCards(p: Provider | undefined): p is PassCardProvider {
  return !!p && typeof (p as Partial<PassCardProvider>).passCards === 'function';
}

/** Kiosk times are China time without an offset ("2026-11-23 14:21:53"). */
function iso(t: string): string | undefined {
  if (!t) return undefined;
  return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(t) ? `${t.replace(' ', 'T')}+08:00` : t;
}

export function passCardRoutes(deps: { ledger: Ledger; stores: Stores }) {
  const { ledger, stores } = deps;
  const app = new Hono<AuthEnv>();

  const view = (card: PassCard, outNo?: string): PassCardView => ({
    id: String(card.Id),
    code: card.Code,
    status: STATUS[card.Status]?.status ?? 'void',
    statusText: STATUS[card.Status]?.text ?? String(card.Status),
    orderId: String(card.OrderId),
    outNo,
    createdAt: iso(card.CreateTime) ?? '',
    usedAt: iso(card.UseTime),
  });

  async function cardOf(terminal: Terminal, outNo: string): Promise<PassCardView & { storeName: string }> {
    const p = ledger.getPayment(outNo);
    if (!p || (terminal.role !== 'manager' && p.terminalId !== terminal.id) || !inScope(terminal, p.storeId, stores)) {
      throw new ApiError(404, 'payment_not_found', `没有单号为 ${outNo} 的支付 / No such payment`);
    }
    const provider = stores.provider(p.storeId, p.provider);
    if (!hasPassCards(provider)) throw new ApiError(501, 'passcard_unsupported', '该支付渠道没有出门单 / This provider issues no pass cards');
    if (p.status !== 'paid') throw new ApiError(404, 'passcard_not_found', '订单未支付，没有出门单 / Not paid: no pass card');
    const r = await provider.passCardFor(outNo);
    if (!r.ok) {
      if (r.error.kind === 'not_found') throw new ApiError(404, 'passcard_not_found', '出门单尚未生成，稍后再试 / Not issued yet — try again shortly');
      throw fromProviderError(r.error);
    }
    return { ...view(r.card, outNo), storeName: stores.get(p.storeId)?.name ?? p.storeId };
  }

  app.get('/passcards', async (c) => {
    const provider = stores.of(c.get('terminal').storeId).providers.all().find(hasPassCards);
    if (!provider) throw new ApiError(501, 'passcard_unsupported', '本店没有出门单 / This store issues no pass cards');
    const q = c.req.query('status');
    if (q !== undefined && !(q in STATUS_CODE)) throw new ApiError(400, 'status_invalid', 'status 为 unused、used 或 void / status is unused, used or void');
    const r = await provider.passCards(q === undefined ? {} : { status: STATUS_CODE[q] });
    if (!r.ok) throw fromProviderError(r.error);
    return c.json({ cards: r.cards.map((card) => view(card)) });
  });

  app.get('/payments/:outNo/passcard', async (c) => {
    const { storeName: _, ...card } = await cardOf(c.get('terminal'), c.req.param('outNo'));
    return c.json(card);
  });

  app.get('/payments/:outNo/passcard/receipt', async (c) => {
    const { storeName, ...card } = await cardOf(c.get('terminal'), c.req.param('outNo'));
    const text = passCardReceipt(card, storeName);
    if (c.req.query('format') === 'text') return c.text(receiptText(text));
    return c.body(encodeEscPos(text), 200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
  });

  return app;
}
