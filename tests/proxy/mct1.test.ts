/**
 * The proxy with the mct1 aggregated provider (seed 004) against its simulator, over real HTTP on
 * loopback: barcode codes, QR (C扫B) paid by the provider's callback, cash and custom tenders,
 * refunds with the supervisor password, and the callback's verification, idempotency and replay cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackSign } from '../../proxy/providers/mct1/sign.ts';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/simulator.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, freshWechatCode, newOutNo, pair, startTestStore, waitFor, type Client } from '../helpers/store.ts';

let store: RunningStore;
let cashier: Client;
let manager: Client;

beforeAll(async () => {
  store = await startTestStore({ providers: ['mct1'], timing: { payingTimeoutMs: 1_500, qrTimeoutMs: 30_000 } });
  cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager');
});
afterAll(() => store?.close());

const sim = (path: string, init?: RequestInit) => fetch(`${store.url}/sandbox/mct1/_admin${path}`, init);
const simOrder = async (key: string) => ((await (await sim(`/orders/${key}`)).json()) as { order: { status: number; amountFen: number } }).order;
const simOrders = async (outNo: string) => {
  const body = (await (await sim(`/orders?out_no=${outNo}`)).json()) as unknown;
  return (Array.isArray(body) ? body : (body as { orders: unknown[] }).orders) as unknown[];
};
const pay = (code: string, amountFen = 1234, outNo = newOutNo()) => cashier.post('/api/payments', { outNo, amountFen, authCode: code });
const settle = (outNo: string, statuses: string[], timeoutMs = 10_000) =>
  waitFor(async () => {
    const r = await cashier.get(`/api/payments/${outNo}`);
    return statuses.includes(r.body.status) ? r.body : undefined;
  }, timeoutMs);
const code = (n: number) => `13${'0'.repeat(15)}${n}`;

describe('mct1 methods', () => {
  it('offers barcode, QR, cash and custom tenders from the paylist', async () => {
    const methods = (await cashier.get('/api/methods')).body as { id: string; kind: string; codePattern?: string }[];
    const byId = Object.fromEntries(methods.map((m) => [m.id, m]));
    expect(byId['mct1:Weixin']).toMatchObject({ kind: 'barcode', codePattern: expect.any(String) });
    expect(byId['mct1:Alipay']).toMatchObject({ kind: 'barcode' });
    expect(byId['mct1:Weixin:qr']).toMatchObject({ kind: 'qr' });
    expect(byId['mct1:Cash']).toMatchObject({ kind: 'cash' });
    expect(byId['mct1:Diy:会员卡']).toMatchObject({ kind: 'cash' });
  });
});

describe('mct1 barcode payments', () => {
  it('1: paid at once with the provider order number', async () => {
    const r = await pay(code(1), 1234);
    expect(r.body).toMatchObject({ status: 'paid', provider: 'mct1', method: 'mct1:Weixin', amountFen: 1234, providerRef: expect.any(String) });
  });

  it('2: waits for the password, then paid', async () => {
    const outNo = newOutNo();
    expect((await pay(code(2), 500, outNo)).body.status).toBe('paying');
    expect((await settle(outNo, ['paid'])).amountFen).toBe(500);
  });

  it('3: declined with the wallet\'s reason', async () => {
    const r = await pay(code(3), 500);
    expect(r.body.status).toBe('failed');
    expect(r.body.message).toContain('余额不足');
  });

  it('4: charged but the answer lost: resolved to paid by paystatus, one order at the provider', async () => {
    const outNo = newOutNo();
    expect((await pay(code(4), 700, outNo)).body.status).toBe('unknown');
    expect((await settle(outNo, ['paid'])).amountFen).toBe(700);
    expect(await simOrders(outNo)).toHaveLength(1);
  });

  it('5: provider hangs: unknown, then failed once paystatus says there is no such order', async () => {
    const outNo = newOutNo();
    expect((await pay(code(5), 700, outNo)).body.status).toBe('unknown');
    expect((await settle(outNo, ['failed'])).status).toBe('failed');
  });

  it('7: garbage answer: unknown, then failed', async () => {
    const outNo = newOutNo();
    expect((await pay(code(7), 700, outNo)).body.status).toBe('unknown');
    expect((await settle(outNo, ['failed'])).status).toBe('failed');
  });

  it('8: an answer whose signature does not verify is not taken as a result: unknown, then paid by query', async () => {
    const outNo = newOutNo();
    const r = await pay(code(8), 880, outNo);
    expect(r.body.status).toBe('unknown');
    expect((await settle(outNo, ['paid'])).amountFen).toBe(880);
    expect(await simOrders(outNo)).toHaveLength(1);
  });

  it('6: the customer never confirms: cancelled at the provider when the time is up', async () => {
    const outNo = newOutNo();
    expect((await pay(code(6), 990, outNo)).body.status).toBe('paying');
    const done = await settle(outNo, ['cancelled']);
    expect(done.message).toContain('未被扣款');
    expect(Number((await simOrder(outNo)).status)).toBe(4);
  });

  it('the race: the customer pays just before the cashier cancels — cancel is refused (8012), the query says paid', async () => {
    const outNo = newOutNo();
    expect((await pay(code(6), 1500, outNo)).body.status).toBe('paying');
    expect((await sim(`/orders/${outNo}/pay`, { method: 'POST' })).ok).toBe(true);
    const r = await cashier.post(`/api/payments/${outNo}/cancel`);
    expect(r.body.status).toBe('paid');
  });

  it('the same outNo twice never charges twice', async () => {
    const outNo = newOutNo();
    const c = freshWechatCode();
    const [a, b] = await Promise.all([pay(c, 300, outNo), pay(c, 300, outNo)]);
    expect(a.body.providerRef).toBe(b.body.providerRef);
    expect(await simOrders(outNo)).toHaveLength(1);
  });
});

describe('mct1 QR (C扫B), the callback, cash', () => {
  it('shows a QR code and turns to paid on the provider\'s callback, with an event', async () => {
    // A store that never polls in this test's time: only the callback can settle the payment.
    const quiet = await startTestStore({ providers: ['mct1'], timing: { pollIntervalMs: 120_000 } });
    try {
      const c = await pair(quiet);
      const events: string[] = [];
      const ac = new AbortController();
      void fetch(`${quiet.url}/api/events`, { headers: { authorization: `Bearer ${c.token}` }, signal: ac.signal })
        .then(async (res) => {
          const reader = res.body!.getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            events.push(new TextDecoder().decode(value));
          }
        })
        .catch(() => undefined);
      const outNo = newOutNo();
      const r = await c.post('/api/payments', { outNo, amountFen: 2300, method: 'mct1:Weixin:qr' });
      expect(r.body).toMatchObject({ status: 'paying', qrCode: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=/) });
      expect(r.body.message).toContain('扫码');

      const paid = await fetch(`${quiet.url}/sandbox/mct1/_admin/orders/${outNo}/pay`, { method: 'POST' });
      expect(paid.ok).toBe(true);
      await waitFor(() => events.join('').includes(`"outNo":"${outNo}","status":"paid"`));
      expect(quiet.ledger.getPayment(outNo)).toMatchObject({ status: 'paid', amountFen: 2300 });
      const notes = (await (await fetch(`${quiet.url}/sandbox/mct1/_admin/notifications`)).json()) as { outNo: string; answer?: string }[] | { notifications: { outNo: string; answer?: string }[] };
      const list = Array.isArray(notes) ? notes : notes.notifications;
      expect(list.filter((n) => n.outNo === outNo).map((n) => n.answer)).toContain('notify_success');
      expect(quiet.ledger.callbacks(outNo).map((x) => x.outcome)).toEqual(['accepted']);
      ac.abort();
    } finally {
      await quiet.close();
    }
  });

  it('takes cash and custom tenders through payorder, paid at once', async () => {
    for (const method of ['mct1:Cash', 'mct1:Diy:会员卡']) {
      const outNo = newOutNo();
      const r = await cashier.post('/api/payments', { outNo, amountFen: 1000, method });
      expect(r.body).toMatchObject({ status: 'paid', method });
      expect(Number((await simOrder(outNo)).status)).toBe(1);
    }
  });

  it('refuses a payment code on a QR or cash method', async () => {
    const r = await cashier.post('/api/payments', { outNo: newOutNo(), amountFen: 1000, method: 'mct1:Cash', authCode: CODE.paid });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('auth_code_unexpected');
  });
});

describe('the notify endpoint', () => {
  const notifyUrl = (params: Record<string, string>) => `${store.url}/notify/mct1?${new URLSearchParams(params)}`;
  const signed = (p: Record<string, string>) => ({ ...p, sign: callbackSign(p, SANDBOX_STORE.openKey) });
  const now = () => String(Math.floor(Date.now() / 1000));

  it('valid, repeated ×5, replayed, forged, stale and unknown: exactly one state change', async () => {
    const outNo = newOutNo();
    const r = await cashier.post('/api/payments', { outNo, amountFen: 4200, method: 'mct1:Alipay:qr' });
    expect(r.body.status).toBe('paying');
    const ordNo = r.body.providerRef as string;

    // A forged callback (wrong signature) before anything else changes nothing.
    const forged = await fetch(notifyUrl({ ...signed({ ord_no: ordNo, out_no: outNo, status: '1', timestamp: now(), rand_str: 'x1' }), sign: '0'.repeat(32) }));
    expect(forged.status).toBe(400);
    // A stale one (an hour old), correctly signed, changes nothing either.
    const stale = await fetch(notifyUrl(signed({ ord_no: ordNo, out_no: outNo, status: '1', timestamp: String(Math.floor(Date.now() / 1000) - 3600), rand_str: 'x2' })));
    expect(stale.status).toBe(400);
    expect(store.ledger.getPayment(outNo)!.status).toBe('paying');

    // The customer pays: the provider calls us; then it repeats itself five more times.
    expect((await sim(`/orders/${outNo}/pay`, { method: 'POST' })).ok).toBe(true);
    await waitFor(() => store.ledger.getPayment(outNo)?.status === 'paid');
    for (let i = 0; i < 5; i++) expect((await sim(`/orders/${outNo}/notify`, { method: 'POST' })).ok).toBe(true);
    await waitFor(() => store.ledger.callbacks(outNo).filter((c) => c.outcome === 'accepted').length >= 6);

    // An exact replay of one of them is recognised as such.
    const genuine = signed({ ord_no: ordNo, out_no: outNo, status: '1', timestamp: now(), rand_str: 'replay-me' });
    expect(await (await fetch(notifyUrl(genuine))).text()).toBe('notify_success');
    for (let i = 0; i < 3; i++) expect(await (await fetch(notifyUrl(genuine))).text()).toBe('notify_success');
    expect(store.ledger.callbacks(outNo).filter((c) => c.outcome === 'replayed')).toHaveLength(3);

    // A callback for an order we never made.
    const unknown = await fetch(notifyUrl(signed({ ord_no: '9999', out_no: 'NOSUCHORDER1', status: '1', timestamp: now(), rand_str: 'x3' })));
    expect(unknown.status).toBe(404);

    const changes = store.ledger.events(outNo).map((e) => e.to);
    expect(changes.filter((s) => s === 'paid')).toHaveLength(1);
    expect(store.ledger.callbacks(outNo).filter((c) => c.outcome === 'rejected')).toHaveLength(2);
  });
});

describe('mct1 refunds', () => {
  it('refund with the proxy-held supervisor password, partial, adding up; over-refund refused', async () => {
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 1000, outNo)).body.status).toBe('paid');
    const a = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 400 });
    expect(a.body).toMatchObject({ status: 'refunded', refundableFen: 600 });
    const b = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 600 });
    expect(b.body).toMatchObject({ status: 'refunded', refundableFen: 0 });
    expect((await cashier.get(`/api/payments/${outNo}`)).body).toMatchObject({ status: 'refunded', refundedFen: 1000 });
    const over = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 1 });
    expect(over.status).toBe(422);
  });

  it('a wrong supervisor password typed by the manager is the provider\'s 8017, shown plainly', async () => {
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 500, outNo)).body.status).toBe('paid');
    const r = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100, supervisorPassword: 'not-it' });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toContain('主管密码');
    expect(r.body.error.provider).toMatchObject({ code: '8017' });
    expect(JSON.stringify(r.body)).not.toContain('not-it');
  });

  it('a refund whose answer was lost is confirmed by paystatus on the refund number, never sent twice', async () => {
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 800, outNo)).body.status).toBe('paid');
    expect((await sim('/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ op: 'payrefund', fault: 'drop', count: 1 }) })).ok).toBe(true);
    const refundNo = newOutNo('R');
    const r = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 300 });
    expect(r.body.status).toBe('unknown');
    await waitFor(() => store.ledger.getRefund(refundNo)?.status === 'refunded');
    expect(await simOrders(refundNo)).toHaveLength(1);
  });
});

describe('two providers in one store', () => {
  it('a WeChat code goes to the first provider that accepts it; QR and cash to the one that has them', async () => {
    const both = await startTestStore({ providers: ['mct1', 'weishouyin'] });
    try {
      const c = await pair(both);
      const r = await c.post('/api/payments', { outNo: newOutNo(), amountFen: 100, authCode: freshWechatCode() });
      expect(r.body).toMatchObject({ status: 'paid', provider: 'mct1' });
      const cash = await c.post('/api/payments', { outNo: newOutNo(), amountFen: 100, method: 'mct1:Cash' });
      expect(cash.body).toMatchObject({ status: 'paid', provider: 'mct1' });
    } finally {
      await both.close();
    }
    const other = await startTestStore({ providers: ['weishouyin', 'mct1'] });
    try {
      const c = await pair(other);
      const r = await c.post('/api/payments', { outNo: newOutNo(), amountFen: 100, authCode: freshWechatCode() });
      expect(r.body).toMatchObject({ status: 'paid', provider: 'weishouyin' });
    } finally {
      await other.close();
    }
  });
});

describe('our own receipts (the provider sends none)', () => {
  it('a cash sale\'s receipt carries the order number as a QR code (GS ( k)', async () => {
    const outNo = newOutNo();
    expect((await cashier.post('/api/payments', { outNo, amountFen: 1234, method: 'mct1:Cash' })).body.status).toBe('paid');
    const bytes = (await cashier.get(`/api/payments/${outNo}/receipt`)).body as Uint8Array;
    const latin = Buffer.from(bytes).toString('latin1');
    const qrStore = `\x1d(k${String.fromCharCode(outNo.length + 3)}\x00\x31\x50\x30${outNo}`;
    expect(latin).toContain(qrStore);
    expect(latin).toContain('\x1d(k\x03\x00\x31\x51\x30'); // print the stored symbol
    const text = (await cashier.get(`/api/payments/${outNo}/receipt?format=text`)).body as string;
    expect(text).toContain('12.34');
    expect(text).toContain('现金');
    expect(text).not.toContain('\x1d');
  });

  it('a refund has its own receipt', async () => {
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 900, outNo)).body.status).toBe('paid');
    const refundNo = newOutNo('R');
    expect((await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 250 })).body.status).toBe('refunded');
    const text = (await cashier.get(`/api/payments/${outNo}/refunds/${refundNo}/receipt?format=text`)).body as string;
    expect(text).toContain('退款凭证');
    expect(text).toContain('2.50');
    expect(text).toContain(refundNo);
    expect((await cashier.get(`/api/payments/${outNo}/refunds/NOSUCHREFUND/receipt`)).status).toBe(404);
  });
});
