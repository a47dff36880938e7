/**
 * Day bills (对账单): a whole store on loopback, payments and refunds made through the API, then each
 * provider's `dayBill` read from its sandbox — exact entries, every page of mct1's list, and each
 * discrepancy the sandboxes' back offices can plant in their books (drop, extra, amountOff,
 * unrecordedRefund, bookNextDay), as the provider would report it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMct1Provider } from '../../proxy/providers/mct1/client.ts';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/simulator.ts';
import type { CallRecord, DayBill, PaymentRef, ProviderBillEntry, Result } from '../../proxy/providers/types.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let cashier: Client;
let manager: Client;

beforeAll(async () => {
  store = await startTestStore({ providers: ['weishouyin', 'mct1'] });
  cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager');
});
afterAll(() => store?.close());

const DAY_MS = 86_400_000;
const chinaDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const nextDay = (day: string) => chinaDay(Date.parse(`${day}T00:00:00+08:00`) + DAY_MS);
const freshAlipayCode = () => `28${String(Date.now()).slice(-9)}${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

interface View {
  outNo: string;
  status: string;
  amountFen: number;
  refundedFen: number;
  provider: string;
  method: string;
  providerRef?: string;
  tradeNo?: string;
  paidAt?: string;
}

/** A payment through the API: WeChat codes go to 微收银 (first in `providers`) unless a method is named. */
async function pay(amountFen: number, extra: { authCode?: string; method?: string } = { authCode: freshWechatCode() }): Promise<View> {
  const r = await cashier.post('/api/payments', { outNo: newOutNo(), amountFen, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as View;
}
const payMct1 = (amountFen: number, method = 'mct1:Weixin', authCode: string | null = freshWechatCode()) => pay(amountFen, { method, authCode: authCode ?? undefined });
async function refund(p: View, amountFen: number): Promise<void> {
  const r = await manager.post(`/api/payments/${p.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen });
  expect(r.body.status, JSON.stringify(r.body)).toBe('refunded');
}
const view = async (outNo: string) => (await cashier.get(`/api/payments/${outNo}`)).body as View;

/** What the ledger knows of a payment, as the reconciliation hands it to a provider. */
function refOf(p: View): PaymentRef {
  const method = store.providers.get(p.provider)!.methods().find((m) => m.id === p.method)!;
  return { outNo: p.outNo, method, amountFen: p.amountFen, providerRef: p.providerRef };
}

function ok<T extends object>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r;
}

const dayBill = async (id: 'mct1' | 'weishouyin', day: string, known: PaymentRef[] = []) => ok(await store.providers.get(id)!.dayBill!({ day, known })) as DayBill;
const byOutNo = (bill: DayBill) => new Map(bill.entries.map((e) => [e.outNo, e]));

async function admin(provider: string, path: string, init: { method: string; body?: unknown; raw?: string } = { method: 'GET' }) {
  const res = await fetch(`${store.url}/sandbox/${provider}/_admin${path}`, {
    method: init.method,
    headers: init.body !== undefined || init.raw !== undefined ? { 'content-type': 'application/json' } : undefined,
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const plant = (provider: 'mct1' | 'weishouyin', body: unknown) => admin(provider, '/discrepancies', { method: 'POST', body });

afterEach(async () => {
  await admin('mct1', '/discrepancies', { method: 'DELETE' });
  await admin('weishouyin', '/discrepancies', { method: 'DELETE' });
});

/** Close to `at` (the provider's seconds against our milliseconds). */
const near = (iso: string | undefined, at: string | undefined) => Math.abs(Date.parse(iso!) - Date.parse(at!)) <= 2_000;
const CHINA_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;

describe('mct1: the order list of a day', () => {
  let paid: View, partly: View, full: View, cash: View, alipay: View, declined: View;
  let day: string;

  beforeAll(async () => {
    paid = await payMct1(1234);
    partly = await payMct1(1000);
    await refund(partly, 300);
    full = await payMct1(500);
    await refund(full, 200);
    await refund(full, 300);
    cash = await payMct1(800, 'mct1:Cash', null);
    await refund(cash, 100);
    alipay = await payMct1(2000, 'mct1:Alipay', freshAlipayCode());
    declined = await payMct1(700, 'mct1:Weixin', `13${'0'.repeat(15)}3`);
    expect([paid, partly, full, cash, alipay].map((p) => p.status)).toEqual(['paid', 'paid', 'paid', 'paid', 'paid']);
    expect(declined.status).toBe('failed');
    day = chinaDay(Date.parse(paid.paidAt!));
  });

  it('lists every sale once, keyed by our out_no, refunds added to their sales, in integer fen', async () => {
    const bill = await dayBill('mct1', day);
    expect(bill.complete).toBe(true);
    const e = byOutNo(bill);
    // Every sale of the day, and nothing else: refunds are not entries of their own.
    const made = (await admin('mct1', '/orders')).body.orders.filter((o: any) => o.ordType === 1 && chinaDay(Date.parse(o.addTime.replace(' ', 'T') + '+08:00')) === day);
    expect(bill.entries.map((x) => x.outNo).sort()).toEqual(made.map((o: any) => o.outNo).sort());

    const wechat = (p: View, amountFen: number, refundedFen: number, state: ProviderBillEntry['state']) => ({
      outNo: p.outNo,
      providerRef: p.providerRef,
      tradeNo: p.tradeNo,
      amountFen,
      refundedFen,
      state,
      bookedAt: expect.stringMatching(CHINA_ISO),
      payer: expect.stringMatching(/^o01mvsy/),
      channel: 'wechat',
    });
    expect(e.get(paid.outNo)).toEqual(wechat(paid, 1234, 0, 'paid'));
    expect(e.get(partly.outNo)).toEqual(wechat(partly, 1000, 300, 'paid'));
    expect(e.get(full.outNo)).toEqual(wechat(full, 500, 500, 'refunded'));
    expect(e.get(alipay.outNo)).toEqual({ ...wechat(alipay, 2000, 0, 'paid'), payer: expect.stringMatching(/^2088\d{12}$/), channel: 'alipay' });
    // Cash has no trade_no: its refund is linked to it by order/view's original_ord_no.
    expect(e.get(cash.outNo)).toEqual({ outNo: cash.outNo, providerRef: cash.providerRef, amountFen: 800, refundedFen: 100, state: 'paid', bookedAt: expect.stringMatching(CHINA_ISO), channel: 'other' });
    // Declined: kept by the provider, closed (status 4), never charged.
    expect(e.get(declined.outNo)).toMatchObject({ amountFen: 700, refundedFen: 0, state: 'unpaid', channel: 'wechat' });
    for (const p of [paid, partly, full, cash, alipay]) expect(near(e.get(p.outNo)!.bookedAt, p.paidAt), p.outNo).toBe(true);
    // The ledger agrees on every figure (no discrepancy planted).
    for (const p of [paid, partly, full, cash, alipay]) {
      const v = await view(p.outNo);
      expect([e.get(p.outNo)!.amountFen, e.get(p.outNo)!.refundedFen]).toEqual([v.amountFen, v.refundedFen]);
    }
  });

  it('reads every page: two orders a page gives the same bill, one list call per page', async () => {
    const calls: CallRecord[] = [];
    const small = createMct1Provider({ baseUrl: `${store.url}/sandbox/mct1`, openId: SANDBOX_STORE.openId, openKey: SANDBOX_STORE.openKey, dayBillPageSize: 2, onCall: (c) => calls.push(c) });
    const listed = (await admin('mct1', '/orders')).body.orders.filter((o: any) => chinaDay(Date.parse(o.addTime.replace(' ', 'T') + '+08:00')) === day);
    expect(listed.length).toBeGreaterThan(8);
    const paged = ok(await small.dayBill({ day, known: [] }));
    const whole = await dayBill('mct1', day);
    const sorted = (b: DayBill) => [...b.entries].sort((x, y) => x.providerRef!.localeCompare(y.providerRef!));
    expect(sorted(paged)).toEqual(sorted(whole));
    const pages = calls.filter((c) => c.op === 'order').map((c) => JSON.parse(c.request.slice(c.request.indexOf('{'))) as { page?: number; pagesize?: number });
    expect(pages.length).toBe(Math.ceil(listed.length / 2));
    expect(pages.map((p) => p.page)).toEqual(Array.from({ length: pages.length }, (_, i) => i + 1));
  });

  it('drop: an order we were paid for is missing from the books (短款)', async () => {
    expect((await plant('mct1', { drop: [partly.outNo] })).status).toBe(201);
    const e = byOutNo(await dayBill('mct1', day));
    expect(e.has(partly.outNo)).toBe(false);
    expect(e.get(paid.outNo)?.state).toBe('paid');
    expect((await admin('mct1', '/discrepancies', { method: 'DELETE' })).body.discrepancies.drop).toEqual([]);
    expect(byOutNo(await dayBill('mct1', day)).get(partly.outNo)?.refundedFen).toBe(300);
  });

  it('extra: money in the books for an out_no we never made (长款)', async () => {
    const planted = await plant('mct1', { extra: [{ amountFen: 777 }, { amountFen: 50, outNo: 'STRANGER1', pmtTag: 'Alipay' }] });
    expect(planted.status).toBe(201);
    const [a, b] = planted.body.discrepancies.extra as { outNo: string; ordNo: string }[];
    const e = byOutNo(await dayBill('mct1', day));
    expect(e.get(a.outNo)).toMatchObject({ providerRef: a.ordNo, amountFen: 777, refundedFen: 0, state: 'paid', channel: 'wechat', tradeNo: expect.any(String) });
    expect(e.get('STRANGER1')).toMatchObject({ providerRef: b.ordNo, amountFen: 50, state: 'paid', channel: 'alipay' });
    // Our ledger has no such payment.
    expect((await cashier.get(`/api/payments/${a.outNo}`)).status).toBe(404);
  });

  it('amountOff: the books say one fen more than was charged', async () => {
    expect((await plant('mct1', { amountOff: [{ outNo: paid.outNo, deltaFen: 1 }] })).status).toBe(201);
    expect(byOutNo(await dayBill('mct1', day)).get(paid.outNo)).toMatchObject({ amountFen: 1235, refundedFen: 0, state: 'paid' });
    expect((await view(paid.outNo)).amountFen).toBe(1234);
  });

  it('unrecordedRefund: a refund order in the list that our ledger never made', async () => {
    expect((await plant('mct1', { unrecordedRefund: [{ outNo: paid.outNo, amountFen: 234 }, { outNo: partly.outNo, amountFen: 700 }] })).status).toBe(201);
    const e = byOutNo(await dayBill('mct1', day));
    expect(e.get(paid.outNo)).toMatchObject({ amountFen: 1234, refundedFen: 234, state: 'paid' });
    expect(e.get(partly.outNo)).toMatchObject({ amountFen: 1000, refundedFen: 1000, state: 'refunded' });
    expect((await view(paid.outNo)).refundedFen).toBe(0);
    // More than is left to refund is refused, and changes nothing.
    const over = await plant('mct1', { unrecordedRefund: [{ outNo: partly.outNo, amountFen: 1 }] });
    expect(over.status).toBe(409);
  });

  it('bookNextDay: paid just before midnight, booked on the next day — on that day\'s list, not this one', async () => {
    const late = await payMct1(4321);
    expect((await plant('mct1', { bookNextDay: [late.outNo] })).status).toBe(201);
    expect(byOutNo(await dayBill('mct1', day)).has(late.outNo)).toBe(false);
    const tomorrow = nextDay(day);
    const next = await dayBill('mct1', tomorrow);
    expect(next.entries.map((x) => x.outNo)).toEqual([late.outNo]);
    expect(next.entries[0]).toMatchObject({ amountFen: 4321, state: 'paid', bookedAt: `${tomorrow}T00:00:01+08:00` });
  });

  it('a sale of an earlier day refunded today is on today\'s bill, with its own bookedAt and all its refunds', async () => {
    const yesterday = chinaDay(Date.parse(`${day}T00:00:00+08:00`) - DAY_MS);
    const planted = await plant('mct1', { extra: [{ amountFen: 900, at: `${yesterday} 23:59:58` }] });
    const old = planted.body.discrepancies.extra[0] as { outNo: string; ordNo: string };
    expect((await plant('mct1', { unrecordedRefund: [{ outNo: old.outNo, amountFen: 400 }, { outNo: old.outNo, amountFen: 100 }] })).status).toBe(201);
    expect(byOutNo(await dayBill('mct1', day)).get(old.outNo)).toMatchObject({ providerRef: old.ordNo, amountFen: 900, refundedFen: 500, state: 'paid', bookedAt: `${yesterday}T23:59:58+08:00` });
    expect(byOutNo(await dayBill('mct1', yesterday)).get(old.outNo)).toMatchObject({ amountFen: 900, refundedFen: 500 });
  });
});

describe('微收银: bills read one by one', () => {
  let paid: View, partly: View, full: View, declined: View;
  let day: string;
  let known: PaymentRef[];

  beforeAll(async () => {
    paid = await pay(1234);
    partly = await pay(1000);
    await refund(partly, 400);
    full = await pay(500);
    await refund(full, 500);
    declined = await pay(700, { authCode: `13${'0'.repeat(15)}3` });
    expect([paid, partly, full].map((p) => [p.provider, p.status])).toEqual([
      ['weishouyin', 'paid'],
      ['weishouyin', 'paid'],
      ['weishouyin', 'paid'],
    ]);
    expect(declined).toMatchObject({ provider: 'weishouyin', status: 'failed', providerRef: expect.stringMatching(/^dm\d+$/) });
    day = chinaDay(Date.parse(paid.paidAt!));
    const ghost: PaymentRef = { ...refOf(paid), outNo: 'GHOST1', providerRef: 'dm1999999999' };
    const noRef: PaymentRef = { ...refOf(paid), outNo: 'NOREF1', providerRef: undefined };
    known = [paid, partly, full, declined].map(refOf).concat([ghost, noRef]);
  });

  it('reads the known bills: amount, refund_total, pay_time; a bill the provider does not have is absent', async () => {
    const bill = await dayBill('weishouyin', day, known);
    expect(bill.complete).toBe(false);
    const entry = (p: View, refundedFen: number, state: ProviderBillEntry['state']) => ({
      outNo: p.outNo,
      providerRef: p.providerRef,
      tradeNo: p.tradeNo,
      amountFen: p.amountFen,
      refundedFen,
      state,
      bookedAt: expect.stringMatching(CHINA_ISO),
      channel: 'wechat',
    });
    expect(bill.entries).toEqual([
      entry(paid, 0, 'paid'),
      entry(partly, 400, 'paid'),
      entry(full, 500, 'refunded'),
      { outNo: declined.outNo, providerRef: declined.providerRef, amountFen: 700, refundedFen: 0, state: 'unpaid', channel: 'wechat' },
    ]);
    for (const p of [paid, partly, full]) expect(near(bill.entries.find((e) => e.outNo === p.outNo)!.bookedAt, p.paidAt)).toBe(true);
    // Another day holds none of them.
    expect((await dayBill('weishouyin', nextDay(day), known)).entries.map((e) => e.state)).toEqual(['unpaid']);
  });

  it('drop, amountOff, unrecordedRefund and bookNextDay change what read answers', async () => {
    const late = await pay(4321);
    const all = [...known, refOf(late)];
    const planted = await plant('weishouyin', {
      drop: [partly.providerRef],
      amountOff: [{ dmId: paid.providerRef, deltaFen: -1 }],
      unrecordedRefund: [{ dmId: paid.providerRef, amountFen: 34 }],
      bookNextDay: [late.providerRef],
    });
    expect(planted.status, JSON.stringify(planted.body)).toBe(201);
    const e = byOutNo(await dayBill('weishouyin', day, all));
    expect(e.has(partly.outNo)).toBe(false);
    expect(e.get(paid.outNo)).toMatchObject({ amountFen: 1233, refundedFen: 34, state: 'paid' });
    expect(e.has(late.outNo)).toBe(false);
    const tomorrow = nextDay(day);
    expect(byOutNo(await dayBill('weishouyin', tomorrow, all)).get(late.outNo)).toMatchObject({ amountFen: 4321, state: 'paid', bookedAt: `${tomorrow}T00:00:01+08:00` });
    // The payment calls are untouched: the ledger still shows what was charged and refunded.
    expect(await view(paid.outNo)).toMatchObject({ amountFen: 1234, refundedFen: 0, status: 'paid' });
  });

  it('cannot plant an extra (no day list), and refuses what it cannot do without changing anything', async () => {
    const extra = await plant('weishouyin', { extra: [{ amountFen: 100 }] });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toContain('no day list');
    expect((await plant('weishouyin', { drop: ['dm1999999999'] })).status).toBe(404);
    expect((await plant('weishouyin', { amountOff: [{ dmId: paid.providerRef, deltaFen: -1234 }] })).status).toBe(409);
    expect((await plant('weishouyin', { drop: [paid.providerRef], unrecordedRefund: [{ dmId: full.providerRef, amountFen: 1 }] })).status).toBe(409);
    expect((await admin('weishouyin', '/discrepancies')).body.discrepancies).toEqual({ drop: [], bookNextDay: [], amountOff: [], unrecordedRefund: [] });
  });
});

describe('the back offices refuse a body that is not a JSON object with 400, never 500', () => {
  for (const provider of ['weishouyin', 'mct1', 'kioskv5', 'posmini']) {
    it(`${provider}: POST /_admin/faults`, async () => {
      for (const raw of ['null', '[]', '3', '"x"', '{']) expect((await admin(provider, '/faults', { method: 'POST', raw })).status, raw).toBe(400);
    });
  }
  for (const provider of ['weishouyin', 'mct1']) {
    it(`${provider}: POST /_admin/discrepancies`, async () => {
      for (const raw of ['null', '[]', '3', '"x"', '{', '{"drop": "dm1"}', '{"drop": [1]}', '{"boom": []}', '{"reset": "yes"}', '{"amountOff": [{"deltaFen": 1}]}', '{"unrecordedRefund": [{"outNo": "a", "dmId": "a", "amountFen": 0}]}']) {
        expect((await admin(provider, '/discrepancies', { method: 'POST', raw })).status, raw).toBe(400);
      }
    });
  }
});
