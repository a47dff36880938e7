/** `/api/payments...` and `/api/methods`: see README "HTTP API". */
import { Hono } from 'hono';
import type { AuthEnv } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import { toView, type Ledger } from '../ledger/payments.ts';
import type { PaymentService } from '../payments/service.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import { encodeEscPos, ownReceipt, ownRefundReceipt, receiptText } from '../receipt/escpos.ts';

export interface PaymentRoutesDeps {
  service: PaymentService;
  ledger: Ledger;
  providers: ProviderRegistry;
  storeName: string;
  /** A terminal's name by id (操作员 on the provider's receipt). */
  terminalName: (id: string) => string | undefined;
}

export function paymentRoutes({ service, ledger, providers, storeName, terminalName }: PaymentRoutesDeps) {
  const app = new Hono<AuthEnv>();

  app.get('/methods', (c) => c.json(providers.methods()));

  app.post('/payments', async (c) => c.json(await service.create(c.get('terminal'), await readJson(c))));

  app.get('/payments', (c) => {
    const q = c.req.query();
    const page = Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1);
    const pageSize = Math.min(200, Math.max(1, Number.parseInt(q.pageSize ?? '50', 10) || 50));
    const terminal = c.get('terminal');
    const { total, items } = ledger.listPayments({ from: q.from, to: q.to, status: q.status, method: q.method, page, pageSize, terminalId: terminal.role === 'manager' ? undefined : terminal.id });
    return c.json({ total, page, pageSize, items: items.map(toView) });
  });

  app.get('/payments/:outNo', async (c) => {
    ownPayment(c.get('terminal'), c.req.param('outNo'));
    return c.json(await service.get(c.req.param('outNo')));
  });

  app.post('/payments/:outNo/cancel', async (c) => {
    ownPayment(c.get('terminal'), c.req.param('outNo'));
    return c.json(await service.cancel(c.req.param('outNo')));
  });

  app.post('/payments/:outNo/refunds', async (c) =>
    c.json(await service.refund(c.get('terminal'), c.req.param('outNo'), await readJson(c))),
  );

  app.get('/payments/:outNo/history', (c) => {
    if (c.get('terminal').role !== 'manager') throw new ApiError(403, 'forbidden', '需要店长权限 / Manager role required');
    const outNo = c.req.param('outNo');
    if (!ledger.getPayment(outNo)) throw notFound(outNo);
    const p = ledger.getPayment(outNo)!;
    return c.json({
      events: ledger.events(outNo),
      calls: ledger.calls(outNo),
      refunds: ledger.refundsOf(outNo),
      callbacks: ledger.callbacks(outNo),
      // The provider's own figures (kioskv5 fees: user fee, withdraw fee, activity fee, real price to the store).
      details: p.details ?? {},
      billNo: p.billNo,
    });
  });

  app.get('/payments/:outNo/receipt', async (c) => {
    const p = ownPayment(c.get('terminal'), c.req.param('outNo'));
    const provider = providers.get(p.provider);
    const methodName = provider?.methods().find((m) => m.id === p.method)?.name ?? p.method;
    // The provider's printinfo; else its own layout filled here (微收银 payremind_template); else ours.
    const paid = p.status === 'paid' || p.status === 'refunded';
    let text =
      p.printinfo ??
      (paid ? provider?.paidReceipt?.({ outNo: p.outNo, providerRef: p.providerRef, amountFen: p.amountFen, paidAt: p.paidAt, staff: terminalName(p.terminalId) }) : undefined) ??
      ownReceipt(p, { storeName, methodName, refunds: ledger.refundsOf(p.outNo) });
    // ?reprint=1: the provider's own reprint (微收银 补打小票) where it has one, else the stored receipt.
    if (c.req.query('reprint') && provider && p.providerRef && (p.status === 'paid' || p.status === 'refunded')) {
      const method = provider.methods().find((m) => m.id === p.method);
      if (method) {
        const again = await provider.reprint({ outNo: p.outNo, method, amountFen: p.amountFen, providerRef: p.providerRef });
        if (again.ok) text = again.printinfo;
      }
    }
    if (c.req.query('format') === 'text') return c.text(receiptText(text));
    return c.body(encodeEscPos(text), 200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
  });

  // A refund's receipt: the provider's printinfo (微收银 退款凭证) where it sent one, else ours.
  app.get('/payments/:outNo/refunds/:refundNo/receipt', (c) => {
    const p = ownPayment(c.get('terminal'), c.req.param('outNo'));
    const r = ledger.getRefund(c.req.param('refundNo'));
    if (!r || r.outNo !== p.outNo) throw new ApiError(404, 'refund_not_found', '没有这笔退款 / No such refund');
    const methodName = providers.get(p.provider)?.methods().find((m) => m.id === p.method)?.name ?? p.method;
    const text = r.printinfo ?? ownRefundReceipt(p, r, { storeName, methodName });
    if (c.req.query('format') === 'text') return c.text(receiptText(text));
    return c.body(encodeEscPos(text), 200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
  });

  /** Cashiers see the payments their terminal took; managers see all. */
  function ownPayment(terminal: { id: string; role: string }, outNo: string) {
    const p = ledger.getPayment(outNo);
    if (!p || (terminal.role !== 'manager' && p.terminalId !== terminal.id)) throw notFound(outNo);
    return p;
  }

  return app;
}

function notFound(outNo: string) {
  return new ApiError(404, 'payment_not_found', `没有单号为 ${outNo} 的支付 / No such payment`);
}
