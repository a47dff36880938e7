/** `/api/payments...` and `/api/methods`: see README "HTTP API". */
import { Hono } from 'hono';
import type { AuthEnv } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import { readJson } from '../http/json-body.ts';
import { toView, type Ledger, type ListFilter } from '../ledger/payments.ts';
import { isDay } from '../ledger/reports.ts';
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

  // The order list: filters in listQuery() below; cashiers see only their own terminal's payments.
  app.get('/payments', (c) => {
    const f = listQuery(c.req.query(), c.get('terminal'));
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

const STATUSES: readonly string[] = ['paying', 'paid', 'failed', 'cancelled', 'unknown', 'refunded'];
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `GET /api/payments` query → a ledger filter, or 400 `query_invalid` naming the parameter.
 * from/to: an ISO 8601 instant with its offset, or a day `YYYY-MM-DD` meaning 00:00 China time (UTC+8);
 * status, method: one or a comma-separated list; minFen/maxFen: whole fen, inclusive; q: 2–64 letters,
 * digits, `-` or `_`; terminal: a terminal id (a cashier may name only its own: 403); page ≥ 1;
 * pageSize 1–200 (default 50). Parameters not listed are ignored.
 */
function listQuery(q: Record<string, string>, terminal: { id: string; role: string }): ListFilter {
  const bad = (param: string, zh: string, en: string) => new ApiError(400, 'query_invalid', `参数 ${param} 无效：${zh} / Invalid ${param}: ${en}`);
  const instant = (param: 'from' | 'to'): string | undefined => {
    const v = q[param];
    if (v === undefined || v === '') return undefined;
    const text = DAY.test(v) ? `${v}T00:00:00+08:00` : v;
    const m = INSTANT.exec(text);
    // Date.parse rolls 02-30 over to March and takes 24:00: a calendar check first.
    const real = m && isDay(text.slice(0, 10)) && Number(text.slice(11, 13)) <= 23 && Number(text.slice(14, 16)) <= 59 && Number(m[1]?.slice(1, 3) ?? 0) <= 59;
    const ms = real ? Date.parse(text) : Number.NaN;
    if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799999) {
      throw bad(param, '应为带时区的 ISO 8601 时间（如 2026-11-23T08:00:00+08:00）或日期 YYYY-MM-DD', 'expected an ISO 8601 time with its offset (e.g. 2026-11-23T08:00:00+08:00) or a day YYYY-MM-DD');
    }
    return new Date(ms).toISOString();
  };
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
  const int = (param: 'page' | 'pageSize', fallback: number, max: number): number => {
    const v = q[param];
    if (v === undefined || v === '') return fallback;
    const n = /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
    if (!(n >= 1 && n <= max)) throw bad(param, `应为 1–${max} 的整数`, `expected a whole number from 1 to ${max}`);
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

function notFound(outNo: string) {
  return new ApiError(404, 'payment_not_found', `没有单号为 ${outNo} 的支付 / No such payment`);
}
