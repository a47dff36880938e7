/** `/api/payments...` and `/api/methods`: see README "HTTP API". */
import { Hono } from 'hono';
import { outcomeOf, type AuditLog } from '../audit/log.ts';
import type { SupervisorGate } from '../auth/supervisor.ts';
import type { AuthEnv } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import { queryReader } from '../http/query.ts';
import { RateLimitError, type RateLimit } from '../http/rate-limit.ts';
import { toView, type Ledger, type ListFilter } from '../ledger/payments.ts';
import type { PaymentService } from '../payments/service.ts';
import type { Terminal } from '../auth/terminals.ts';
import type { Stores } from '../stores/registry.ts';
import { inScope, storeFilter } from '../stores/scope.ts';
import { encodeEscPos, ownReceipt, ownRefundReceipt, receiptText } from '../receipt/escpos.ts';

export interface PaymentRoutesDeps {
  service: PaymentService;
  ledger: Ledger;
  stores: Stores;
  /** A terminal's name by id (操作员 on the provider's receipt). */
  terminalName: (id: string) => string | undefined;
  audit: AuditLog;
  /** Refund requests per terminal. */
  refundLimit: RateLimit;
  /** A cashier's refund needs the supervisor password; wrong ones lock the terminal out. */
  supervisor: SupervisorGate;
}

export function paymentRoutes({ service, ledger, stores, terminalName, audit, refundLimit, supervisor }: PaymentRoutesDeps) {
  const app = new Hono<AuthEnv>();
  /** A payment's provider and the name on its receipts: its own store's. */
  const providerOf = (p: { storeId: string; provider: string }) => stores.provider(p.storeId, p.provider);
  const storeNameOf = (p: { storeId: string }) => stores.get(p.storeId)?.name ?? p.storeId;

  // A till's methods are its store's; a chain manager's, the default store's (or `?store=`'s).
  app.get('/methods', (c) => c.json(stores.of(storeFilter(c.get('terminal'), c.req.query('store'), stores)).providers.methods()));

  app.post('/payments', async (c) => c.json(await service.create(c.get('terminal'), await readJson(c))));

  // The order list: filters in listQuery() below; cashiers see only their own terminal's payments.
  app.get('/payments', (c) => {
    const f = { ...listQuery(c.req.query(), c.get('terminal')), storeId: storeFilter(c.get('terminal'), c.req.query('store'), stores) };
    const { total, sums, items } = ledger.listPayments(f);
    return c.json({
      total,
      page: f.page,
      pageSize: f.pageSize,
      sums,
      items: items.map((p) => ({ ...toView(p), terminalId: p.terminalId, ...(p.billNo ? { billNo: p.billNo } : {}) })),
    });
  });

  app.get('/payments/:outNo', async (c) => {
    ownPayment(c.get('terminal'), c.req.param('outNo'));
    return c.json(await service.get(c.req.param('outNo')));
  });

  app.post('/payments/:outNo/cancel', async (c) => {
    const p = ownPayment(c.get('terminal'), c.req.param('outNo'));
    const entry = { action: 'payment.cancel', actor: c.get('terminal'), terminalId: p.terminalId, subject: p.outNo, amountFen: p.amountFen } as const;
    try {
      const view = await service.cancel(p.outNo);
      audit.record({ ...entry, outcome: view.status });
      return c.json(view);
    } catch (err) {
      audit.record({ ...entry, outcome: outcomeOf(err) });
      throw err;
    }
  });

  // Every refund request leaves one audit row with its outcome (a refusal's error code included);
  // of a flood over the rate limit, only the first refusal in each window.
  app.post('/payments/:outNo/refunds', async (c) => {
    const terminal = c.get('terminal');
    const outNo = c.req.param('outNo');
    const payment = ledger.getPayment(outNo);
    const entry = { action: 'refund.request', actor: terminal, terminalId: payment?.terminalId, subject: outNo.slice(0, 64) } as const;
    try {
      refundLimit.take(terminal.id);
    } catch (err) {
      if (err instanceof RateLimitError && err.firstInWindow) audit.record({ ...entry, outcome: outcomeOf(err) });
      throw err;
    }
    let body: Record<string, unknown> | undefined;
    let authorizedBy: string | undefined;
    try {
      body = (await readJson(c)) as Record<string, unknown>;
      authorizedBy = supervisor.authorize(terminal, body?.supervisorPassword);
      const view = await service.refund(terminal, outNo, body);
      audit.record({ ...entry, refundNo: view.refundNo, amountFen: view.amountFen, outcome: view.status, detail: { authorizedBy, reason: reasonOf(body) } });
      return c.json(view);
    } catch (err) {
      const refundNo = typeof body?.refundNo === 'string' ? body.refundNo.slice(0, 32) : undefined;
      const amountFen = Number.isSafeInteger(body?.amountFen) ? (body!.amountFen as number) : undefined;
      audit.record({ ...entry, refundNo, amountFen, outcome: outcomeOf(err), detail: { authorizedBy, reason: reasonOf(body) } });
      throw err;
    }
  });

  app.get('/payments/:outNo/history', (c) => {
    if (c.get('terminal').role !== 'manager') throw new ApiError(403, 'forbidden', '需要店长权限 / Manager role required');
    const outNo = c.req.param('outNo');
    const p = ownPayment(c.get('terminal'), outNo);
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
    const provider = providerOf(p);
    const storeName = storeNameOf(p);
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
    const methodName = providerOf(p)?.methods().find((m) => m.id === p.method)?.name ?? p.method;
    const text = r.printinfo ?? ownRefundReceipt(p, r, { storeName: storeNameOf(p), methodName });
    if (c.req.query('format') === 'text') return c.text(receiptText(text));
    return c.body(encodeEscPos(text), 200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
  });

  /** Cashiers see the payments their terminal took; managers those of their store (a chain manager: all). */
  function ownPayment(terminal: Terminal, outNo: string) {
    const p = ledger.getPayment(outNo);
    if (!p || (terminal.role !== 'manager' && p.terminalId !== terminal.id) || !inScope(terminal, p.storeId, stores)) throw notFound(outNo);
    return p;
  }

  return app;
}

const STATUSES: readonly string[] = ['paying', 'paid', 'failed', 'cancelled', 'unknown', 'refunded'];

/**
 * `GET /api/payments` query → a ledger filter, or 400 `query_invalid` naming the parameter.
 * from/to: an ISO 8601 instant with its offset, or a day `YYYY-MM-DD` meaning 00:00 China time (UTC+8);
 * status, method: one or a comma-separated list; minFen/maxFen: whole fen, inclusive; q: 2–64 letters,
 * digits, `-` or `_`; terminal: a terminal id (a cashier may name only its own: 403); page ≥ 1;
 * pageSize 1–200 (default 50). Parameters not listed are ignored.
 */
function listQuery(q: Record<string, string>, terminal: { id: string; role: string }): ListFilter {
  const { bad, instant, int } = queryReader(q);
  const list = (param: string, ok: (x: string) => boolean, zh: string, en: string): string[] | undefined => {
    const v = q[param];
    if (v === undefined || v === '') return undefined;
    const items = v.split(',');
    if (items.length > 20 || !items.every(ok)) throw bad(param, zh, en);
    return items;
  };
  const fen = (param: 'minFen' | 'maxFen'): number | undefined => {
    const v = q[param];
    if (v === undefined || v === '') return undefined;
    const n = /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n)) throw bad(param, '应为不小于 0 的整数（单位：分）', 'expected a whole number of fen, 0 or more');
    return n;
  };

  const from = instant('from');
  const to = instant('to');
  if (from && to && from >= to) throw bad('to', 'to 必须晚于 from', 'to must be later than from');
  const minFen = fen('minFen');
  const maxFen = fen('maxFen');
  if (minFen !== undefined && maxFen !== undefined && minFen > maxFen) throw bad('maxFen', 'maxFen 不能小于 minFen', 'maxFen must not be less than minFen');
  const search = q.q?.trim();
  if (search && !/^[A-Za-z0-9_-]{2,64}$/.test(search)) {
    throw bad('q', '单号应为 2–64 位字母、数字、- 或 _', 'a number is 2–64 letters, digits, - or _');
  }
  let terminalId = q.terminal || undefined;
  if (terminalId !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(terminalId)) throw bad('terminal', '不是终端编号', 'not a terminal id');
  if (terminal.role !== 'manager') {
    if (terminalId !== undefined && terminalId !== terminal.id) {
      throw new ApiError(403, 'forbidden', '收银终端只能查看本机的订单 / A cashier terminal sees only its own payments');
    }
    terminalId = terminal.id;
  }
  return {
    from,
    to,
    status: list('status', (s) => STATUSES.includes(s), `应为 ${STATUSES.join('、')} 之一（可用逗号分隔多个）`, `expected one or more of ${STATUSES.join(', ')}, comma-separated`),
    method: list('method', (m) => m.length >= 1 && m.length <= 64 && !/[\u0000-\u001f]/.test(m), '应为支付方式编号（可用逗号分隔多个）', 'expected method ids, comma-separated'),
    minFen,
    maxFen,
    q: search || undefined,
    terminalId,
    page: int('page', 1, 1_000_000),
    pageSize: int('pageSize', 50, 200),
  };
}

const reasonOf = (body: Record<string, unknown> | undefined) => (typeof body?.reason === 'string' ? body.reason.slice(0, 200) : undefined);

function notFound(outNo: string) {
  return new ApiError(404, 'payment_not_found', `没有单号为 ${outNo} 的支付 / No such payment`);
}
