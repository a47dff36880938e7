/**
 * The day's takings, `GET /api/reports/day`, over real HTTP: per method, per hour (China time) and the
 * day's totals equal, to the fen, an independent sum over the ledger's rows — with partial refunds,
 * refunds on another day than their payment, and payments a millisecond either side of midnight in
 * China (16:00 UTC). Payments are made through the sandboxes, then moved in time in the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let cashier: Client;
let manager: Client;

const WSY = 'weishouyin:o2o_dm_code_wxpaysub';
const ALIPAY = 'mct1:Alipay';
const CASH = 'mct1:Cash';
const D = '2026-03-15';

const mct1Code = () => '25' + String(Date.now()).slice(-10) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');

async function pay(amountFen: number, body: Record<string, unknown>, status = 'paid'): Promise<string> {
  const outNo = newOutNo('RPT');
  const r = await cashier.post('/api/payments', { outNo, amountFen, ...body });
  expect(r.body.status, JSON.stringify(r.body)).toBe(status);
  return outNo;
}
async function refund(outNo: string, amountFen: number): Promise<string> {
  const refundNo = newOutNo('RR');
  const r = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen, reason: '顾客退货' });
  expect(r.body.status).toBe('refunded');
  return refundNo;
}
/** Moves a payment in time, as if it had been paid then (paidAt null: a payment with no paid time). */
function movePayment(outNo: string, paidAt: string | null, createdAt = paidAt) {
  store.ledger.db.prepare('UPDATE payments SET paid_at = ?, created_at = ? WHERE out_no = ?').run(paidAt, createdAt, outNo);
}
function moveRefund(refundNo: string, at: string) {
  store.ledger.db.prepare('UPDATE refunds SET created_at = ?, updated_at = ? WHERE refund_no = ?').run(at, at, refundNo);
}

type Figures = { count: number; paidFen: number; refundCount: number; refundedFen: number; netFen: number };
type Report = {
  date: string;
  from: string;
  to: string;
  totals: Figures;
  methods: (Figures & { method: string; provider: string; name: string })[];
  hours: (Figures & { hour: number })[];
  pendingRefunds: { count: number; fen: number };
};

/** The report computed again in JavaScript from every row of the ledger: Date.parse, no SQL. */
function independent(date: string) {
  const china = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  const zero = (): Figures => ({ count: 0, paidFen: 0, refundCount: 0, refundedFen: 0, netFen: 0 });
  const totals = zero();
  const methods = new Map<string, Figures>();
  const hours = Array.from({ length: 24 }, zero);
  const m = (id: string) => methods.get(id) ?? (methods.set(id, zero()), methods.get(id)!);
  const payments = store.ledger.db.prepare('SELECT * FROM payments').all() as { out_no: string; method: string; status: string; amount_fen: number; paid_at: string | null; created_at: string }[];
  const method = new Map(payments.map((p) => [p.out_no, p.method]));
  for (const p of payments) {
    if (p.status !== 'paid' && p.status !== 'refunded') continue;
    const at = china(p.paid_at ?? p.created_at);
    if (at.slice(0, 10) !== date) continue;
    for (const f of [totals, m(p.method), hours[Number(at.slice(11, 13))]]) (f.count++, (f.paidFen += p.amount_fen));
  }
  const refunds = store.ledger.db.prepare('SELECT * FROM refunds').all() as { out_no: string; status: string; amount_fen: number; created_at: string }[];
  let pending = { count: 0, fen: 0 };
  for (const r of refunds) {
    const at = china(r.created_at);
    if (at.slice(0, 10) !== date) continue;
    if (r.status === 'unknown') pending = { count: pending.count + 1, fen: pending.fen + r.amount_fen };
    if (r.status !== 'refunded') continue;
    for (const f of [totals, m(method.get(r.out_no)!), hours[Number(at.slice(11, 13))]]) (f.refundCount++, (f.refundedFen += r.amount_fen));
  }
  for (const f of [totals, ...methods.values(), ...hours]) f.netFen = f.paidFen - f.refundedFen;
  return { totals, methods, hours, pending };
}

async function report(date?: string): Promise<Report> {
  const r = await manager.get(`/api/reports/day${date ? `?date=${date}` : ''}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as Report;
}

function expectMatchesLedger(rep: Report) {
  const want = independent(rep.date);
  expect(rep.totals).toEqual(want.totals);
  expect(Object.fromEntries(rep.methods.map(({ method, count, paidFen, refundCount, refundedFen, netFen }) => [method, { count, paidFen, refundCount, refundedFen, netFen }]))).toEqual(
    Object.fromEntries(want.methods),
  );
  expect(rep.hours.map(({ hour, ...f }) => (expect(hour).toBeTypeOf('number'), f))).toEqual(want.hours);
  expect(rep.pendingRefunds).toEqual(want.pending);
  // And the parts add up to the whole.
  const sum = (xs: Figures[], k: keyof Figures) => xs.reduce((s, x) => s + x[k], 0);
  for (const k of ['count', 'paidFen', 'refundCount', 'refundedFen', 'netFen'] as const) {
    expect(sum(rep.hours, k)).toBe(rep.totals[k]);
    expect(sum(rep.methods, k)).toBe(rep.totals[k]);
  }
}

beforeAll(async () => {
  store = await startTestStore();
  cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager');

  // D 00:00:00.000 China, written in UTC: the first instant of D.
  movePayment(await pay(1000, { authCode: freshWechatCode() }), '2026-03-14T16:00:00.000Z');
  // D 23:59:59.999 China, written with its offset: the last instant of D.
  movePayment(await pay(2000, { authCode: freshWechatCode() }), '2026-03-15T23:59:59.999+08:00');
  // D+1 00:00 China: not D, though it is still the 15th in UTC.
  movePayment(await pay(3000, { authCode: freshWechatCode() }), '2026-03-15T16:00:00.000Z');
  // D-1 23:59:59 China: not D, though it is the 15th… nowhere; and the 14th in UTC.
  movePayment(await pay(4000, { authCode: mct1Code() }), '2026-03-14T23:59:59+08:00');
  // Paid at D 12:30 China; refunded in part at D 13:05 and in part on D+1 09:00.
  const p5 = await pay(5000, { authCode: mct1Code() });
  movePayment(p5, '2026-03-15T12:30:00+08:00');
  moveRefund(await refund(p5, 1234), '2026-03-15T05:05:00.000Z');
  moveRefund(await refund(p5, 766), '2026-03-16T01:00:00.000Z');
  // Paid on D-1 20:00 China, refunded in full on D 08:15: the refund is D's.
  const p6 = await pay(6000, { authCode: freshWechatCode() });
  movePayment(p6, '2026-03-14T12:00:00.000Z');
  moveRefund(await refund(p6, 6000), '2026-03-15T00:15:00.000Z');
  // Declined on D: no money.
  movePayment(await pay(7000, { authCode: CODE.declined }, 'failed'), null, '2026-03-15T02:00:00.000Z');
  // Cash with no paid time: D 10:00 China by its creation.
  movePayment(await pay(9000, { method: CASH }), null, '2026-03-15T02:00:00.000Z');
  // A refund of D whose outcome is not known yet, and one that failed: neither moved money (yet).
  const p2 = store.ledger.db.prepare('SELECT out_no FROM payments WHERE amount_fen = 2000').pluck().get() as string;
  store.ledger.insertRefund({ refundNo: newOutNo('RU'), outNo: p2, amountFen: 100, status: 'unknown', createdAt: '2026-03-15T10:00:00.000Z' });
  store.ledger.insertRefund({ refundNo: newOutNo('RF'), outNo: p2, amountFen: 200, status: 'failed', createdAt: '2026-03-15T10:00:01.000Z' });
});
afterAll(() => store?.close());

describe('GET /api/reports/day', () => {
  it('counts the China day D: both ends of it, refunds by their own time, to the fen', async () => {
    const rep = await report(D);
    expect(rep).toMatchObject({ date: D, from: '2026-03-14T16:00:00.000Z', to: '2026-03-15T16:00:00.000Z' });
    // Written out by hand: P1 1000 + P2 2000 + P5 5000 + cash 9000; refunds 12.34 (P5) + 60.00 (P6).
    expect(rep.totals).toEqual({ count: 4, paidFen: 17000, refundCount: 2, refundedFen: 7234, netFen: 9766 });
    const methods = Object.fromEntries(rep.methods.map((m) => [m.method, m]));
    expect(methods[WSY]).toMatchObject({ count: 2, paidFen: 3000, refundCount: 1, refundedFen: 6000, netFen: -3000, name: '微信', provider: 'weishouyin' });
    expect(methods[ALIPAY]).toMatchObject({ count: 1, paidFen: 5000, refundCount: 1, refundedFen: 1234, netFen: 3766, name: '支付宝' });
    expect(methods[CASH]).toMatchObject({ count: 1, paidFen: 9000, refundedFen: 0, netFen: 9000, name: '现金' });
    expect(rep.methods.map((m) => m.method)).toEqual([CASH, ALIPAY, WSY]); // by paid amount
    const hour = (h: number) => rep.hours[h];
    expect(rep.hours.map((h) => h.hour)).toEqual([...Array(24).keys()]);
    expect(hour(0)).toMatchObject({ count: 1, paidFen: 1000 });
    expect(hour(23)).toMatchObject({ count: 1, paidFen: 2000 });
    expect(hour(12)).toMatchObject({ count: 1, paidFen: 5000, refundedFen: 0 });
    expect(hour(13)).toMatchObject({ count: 0, paidFen: 0, refundCount: 1, refundedFen: 1234, netFen: -1234 });
    expect(hour(8)).toMatchObject({ refundedFen: 6000, netFen: -6000 });
    expect(hour(10)).toMatchObject({ count: 1, paidFen: 9000 });
    expect(rep.pendingRefunds).toEqual({ count: 1, fen: 100 });
    expectMatchesLedger(rep);
  });

  it('the days either side get what D does not', async () => {
    const before = await report('2026-03-14');
    expect(before.totals).toEqual({ count: 2, paidFen: 10000, refundCount: 0, refundedFen: 0, netFen: 10000 });
    expect(before.hours[23].paidFen).toBe(4000);
    expect(before.hours[20].paidFen).toBe(6000);
    expectMatchesLedger(before);
    const after = await report('2026-03-16');
    expect(after.totals).toEqual({ count: 1, paidFen: 3000, refundCount: 1, refundedFen: 766, netFen: 2234 });
    expect(after.hours[0].paidFen).toBe(3000);
    expect(after.hours[9].refundedFen).toBe(766);
    expectMatchesLedger(after);
    const empty = await report('2026-03-17');
    expect(empty.totals).toEqual({ count: 0, paidFen: 0, refundCount: 0, refundedFen: 0, netFen: 0 });
    expect(empty.methods).toEqual([]);
  });

  it('today (the default) matches the ledger with payments as they were made', async () => {
    const a = await pay(1234, { authCode: freshWechatCode() });
    await pay(5678, { authCode: mct1Code() });
    await refund(a, 234);
    const rep = await report();
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(rep.date).toBe(today);
    expect(rep.totals).toMatchObject({ count: 2, paidFen: 1234 + 5678, refundedFen: 234, netFen: 1234 + 5678 - 234 });
    expectMatchesLedger(rep);
  });

  it('is for managers: 403 JSON for a cashier', async () => {
    const r = await cashier.get(`/api/reports/day?date=${D}`);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('Manager') } });
  });

  it.each(['2026-02-30', '20260315', '2026-3-15', 'today', '1969-12-31'])('refuses date=%s with 400 query_invalid', async (date) => {
    const r = await manager.get(`/api/reports/day?date=${date}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('query_invalid');
    expect(r.body.error.message).toMatch(/日期.*\/ date must be a day/);
  });
});
