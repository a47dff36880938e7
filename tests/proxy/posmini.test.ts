/**
 * The proxy on the POS mini-program backend (posmini, seed 003) against its simulator over loopback:
 * payments applied to a sales bill, split tender until billpaystate 3, errcode 1 resolved by query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, waitFor, type Client } from '../helpers/store.ts';

let store: RunningStore;
let cashier: Client;
let manager: Client;

beforeAll(async () => {
  store = await startTestStore({ providers: ['posmini'] });
  cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager');
});
afterAll(() => store?.close());

const code = (n: number) => `13${'0'.repeat(15)}${n}`;
const newBill = async (totalFen: number) => {
  const r = await fetch(`${store.url}/sandbox/posmini/_admin/bills`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ totalFen }) });
  const body = (await r.json()) as { billnum?: string; bill?: { billnum: string } };
  return (body.billnum ?? body.bill?.billnum)!;
};
const pay = (authCode: string, amountFen: number, billNo?: string, outNo = newOutNo()) =>
  cashier.post('/api/payments', { outNo, amountFen, authCode, billNo });
const settle = (outNo: string, statuses: string[]) =>
  waitFor(async () => {
    const r = await cashier.get(`/api/payments/${outNo}`);
    return statuses.includes(r.body.status) ? r.body : undefined;
  });

describe('posmini', () => {
  it('offers WeChat barcode payments on a sales bill', async () => {
    const methods = (await cashier.get('/api/methods')).body;
    expect(methods).toMatchObject([{ id: 'posmini:wechat', kind: 'barcode', needsBill: true }]);
  });

  it('refuses a payment without a bill number', async () => {
    const r = await pay(freshWechatCode(), 100);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('bill_no_required');
  });

  it('split tender: payments add up on one bill until it is fully paid, the balance shown after each', async () => {
    const bill = await newBill(10000);
    const first = await pay(freshWechatCode(), 3000, bill);
    expect(first.body).toMatchObject({ status: 'paid', bill: { billNo: bill, fullyPaid: false, balanceFen: 7000 } });
    const second = await pay(freshWechatCode(), 5000, bill);
    expect(second.body).toMatchObject({ status: 'paid', bill: { billNo: bill, fullyPaid: false, balanceFen: 2000 } });
    const over = await pay(freshWechatCode(), 2001, bill);
    expect(over.body.status).toBe('failed');
    const last = await pay(freshWechatCode(), 2000, bill);
    expect(last.body).toMatchObject({ status: 'paid', bill: { billNo: bill, fullyPaid: true } });
  });

  it('errcode 1 is resolved by query, never by paying again', async () => {
    const bill = await newBill(500);
    const outNo = newOutNo();
    expect((await pay(code(2), 500, bill, outNo)).body.status).toBe('paying');
    const done = await settle(outNo, ['paid']);
    expect(done.bill).toMatchObject({ fullyPaid: true });
    const payments = (await (await fetch(`${store.url}/sandbox/posmini/_admin/payments`)).json()) as { payments: { billnum: string }[] };
    expect(payments.payments.filter((p) => p.billnum === bill)).toHaveLength(1);
  });

  it('a declined code fails with the reason; a lost answer is found paid by query', async () => {
    const bill = await newBill(900);
    const d = await pay(code(3), 100, bill);
    expect(d.body.status).toBe('failed');
    expect(d.body.message).toContain('余额不足');
    const outNo = newOutNo();
    expect((await pay(code(4), 900, bill, outNo)).body.status).toBe('unknown');
    expect((await settle(outNo, ['paid'])).bill).toMatchObject({ fullyPaid: true });
  });

  it('has no refunds: the manager is told plainly', async () => {
    const bill = await newBill(100);
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 100, bill, outNo)).body.status).toBe('paid');
    const r = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100 });
    expect(r.status).toBe(501);
    expect(r.body.error.message).toMatch(/[\u4e00-\u9fff]/);
  });
});
