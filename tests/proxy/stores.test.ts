/**
 * A chain of stores on one proxy, over real HTTP against the sandboxes: each store's tills pay
 * through that store's own providers, receipts carry the store's name, provider callbacks find the
 * store's merchant account, a store's manager sees and refunds only that store, a chain manager sees
 * all or one (`?store=`), and reconciliation runs per store and provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { openEvents } from '../helpers/event-stream.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, waitFor, type Client } from '../helpers/store.ts';

let store: RunningStore;
let chainManager: Client;
let shCashier: Client;
let bjCashier: Client;
let shManager: Client;
let bjManager: Client;

const mct1AlipayCode = () => '25' + String(Date.now()).slice(-10) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  store = await startTestStore({
    stores: [
      { id: 'sh01', name: '上海一店', providers: ['weishouyin', 'mct1'] },
      { id: 'bj01', name: '北京一店', providers: ['mct1'] },
    ],
  });
  chainManager = await pair(store, 'manager', '总部');
  shCashier = await pair(store, 'cashier', '上海收银1', 'sh01');
  bjCashier = await pair(store, 'cashier', '北京收银1', 'bj01');
  shManager = await pair(store, 'manager', '上海店长', 'sh01');
  bjManager = await pair(store, 'manager', '北京店长', 'bj01');
});
afterAll(async () => {
  await store?.close();
});

async function pay(cashier: Client, amountFen: number, authCode: string) {
  const outNo = newOutNo('CH');
  const r = await cashier.post('/api/payments', { outNo, amountFen, authCode });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.status).toBe('paid');
  return r.body as { outNo: string; provider: string; storeId: string };
}

describe('a chain of stores on one proxy', () => {
  it('lists the stores a terminal may see: a chain manager every one, a store-bound terminal its own', async () => {
    expect((await chainManager.get('/api/stores')).body.stores).toEqual([
      { id: 'sh01', name: '上海一店', providers: ['weishouyin', 'mct1'] },
      { id: 'bj01', name: '北京一店', providers: ['mct1'] },
    ]);
    expect((await bjCashier.get('/api/stores')).body.stores.map((s: { id: string }) => s.id)).toEqual(['bj01']);
    expect((await shManager.get('/api/stores')).body.stores.map((s: { id: string }) => s.id)).toEqual(['sh01']);
    expect((await bjCashier.get('/api/terminals/me')).body.storeId).toBe('bj01');
  });

  it('pairs tills into a store: a chain manager names it, a store manager only its own', async () => {
    const none = await chainManager.post('/api/terminals/pairing-codes', { role: 'cashier' });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('store_required');
    const made = await chainManager.post('/api/terminals/pairing-codes', { role: 'cashier', storeId: 'bj01' });
    expect(made.status).toBe(200);
    expect(made.body.storeId).toBe('bj01');
    const paired = await fetch(`${store.url}/api/terminals/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: made.body.code, name: '北京收银2' }),
    });
    expect(((await paired.json()) as { storeId: string }).storeId).toBe('bj01');

    expect((await shManager.post('/api/terminals/pairing-codes', { role: 'cashier' })).body.storeId).toBe('sh01');
    const foreign = await shManager.post('/api/terminals/pairing-codes', { role: 'cashier', storeId: 'bj01' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('store_forbidden');
    const chainWide = await shManager.post('/api/terminals/pairing-codes', { role: 'manager' });
    expect(chainWide.body.storeId).toBe('sh01');
    expect((await chainManager.post('/api/terminals/pairing-codes', { role: 'cashier', storeId: 'nope' })).body.error.code).toBe('store_unknown');
    // A store's manager lists its own store's terminals only.
    const listed = (await shManager.get('/api/terminals')).body as { storeId?: string }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((t) => t.storeId === 'sh01')).toBe(true);
  });

  it("pays through the till's own store's providers, and prints that store's name", async () => {
    const sh = await pay(shCashier, 1200, freshWechatCode());
    expect(sh.storeId).toBe('sh01');
    expect(sh.provider).toBe('weishouyin');
    // bj01 has no 微收银: the same kind of code goes to its mct1 account.
    const bj = await pay(bjCashier, 800, mct1AlipayCode());
    expect(bj.storeId).toBe('bj01');
    expect(bj.provider).toBe('mct1');
    const receipt = (await bjCashier.get(`/api/payments/${bj.outNo}/receipt?format=text`)).body as string;
    expect(receipt).toContain('北京一店');
    expect(receipt).not.toContain('上海一店');
    // The till's methods are its store's.
    const methods = (await bjCashier.get('/api/methods')).body as { provider: string }[];
    expect(new Set(methods.map((m) => m.provider))).toEqual(new Set(['mct1']));
  });

  it("tells mct1 to call back at the store's own address", async () => {
    const bj = await pay(bjCashier, 300, mct1AlipayCode());
    const requests = store.ledger.calls(bj.outNo).map((c) => c.request).join('\n');
    expect(requests).toContain('"notify_url":"http://127.0.0.1:' + store.port + '/notify/mct1/bj01"');
    // The sandbox calls back there, and bj01's mct1 account verifies and accepts it.
    const callbacks = await waitFor(() => {
      const seen = store.ledger.callbacks(bj.outNo);
      return seen.length ? seen : undefined;
    });
    expect(callbacks.map((c) => c.outcome)).toEqual(['accepted']);
  });

  it("keeps each store's books apart: lists, reports, details and refunds", async () => {
    const sh = await pay(shCashier, 1500, freshWechatCode());
    const bj = await pay(bjCashier, 700, mct1AlipayCode());

    const onlyBj = (await chainManager.get('/api/payments?store=bj01&pageSize=200')).body.items as { outNo: string; storeId: string }[];
    expect(onlyBj.some((p) => p.outNo === bj.outNo)).toBe(true);
    expect(onlyBj.every((p) => p.storeId === 'bj01')).toBe(true);
    const all = (await chainManager.get('/api/payments?pageSize=200')).body.items as { outNo: string }[];
    expect(all.some((p) => p.outNo === sh.outNo) && all.some((p) => p.outNo === bj.outNo)).toBe(true);

    const shList = (await shManager.get('/api/payments?pageSize=200')).body.items as { storeId: string }[];
    expect(shList.length).toBeGreaterThan(0);
    expect(shList.every((p) => p.storeId === 'sh01')).toBe(true);
    expect((await shManager.get('/api/payments?store=bj01')).status).toBe(403);
    expect((await shManager.get(`/api/payments/${bj.outNo}`)).status).toBe(404);
    expect((await shManager.get(`/api/payments/${bj.outNo}/history`)).status).toBe(404);
    const refused = await shManager.post(`/api/payments/${bj.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100 });
    expect(refused.status).toBe(404);
    const refunded = await bjManager.post(`/api/payments/${bj.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100 });
    expect(refunded.body.status).toBe('refunded');

    const dayOf = async (c: Client, q = '') => (await c.get(`/api/reports/day?date=${today()}${q}`)).body;
    const chain = await dayOf(chainManager);
    const bjDay = await dayOf(chainManager, '&store=bj01');
    const shDay = await dayOf(shManager);
    expect(bjDay.storeId).toBe('bj01');
    expect(shDay.storeId).toBe('sh01');
    expect(bjDay.totals.paidFen + shDay.totals.paidFen).toBe(chain.totals.paidFen);
    expect(bjDay.totals.refundedFen).toBeGreaterThanOrEqual(100);
    expect(shDay.totals.refundedFen + bjDay.totals.refundedFen).toBe(chain.totals.refundedFen);
    expect((await bjManager.get(`/api/reports/day?date=${today()}&store=sh01`)).status).toBe(403);
  });

  it('reconciles per store and provider, and each store manager sees its own runs', async () => {
    await pay(bjCashier, 900, mct1AlipayCode());
    await pay(shCashier, 600, mct1AlipayCode());
    const bjRun = await chainManager.post('/pay/check_record/', { provider: 'mct1', day: today(), store: 'bj01' });
    expect(bjRun.status, JSON.stringify(bjRun.body)).toBe(200);
    const shRun = await shManager.post('/pay/check_record/', { provider: 'mct1', day: today() });
    expect(shRun.status, JSON.stringify(shRun.body)).toBe(200);
    expect(bjRun.body.data.code).not.toBe(shRun.body.data.code);

    // Each run holds its own store's orders only.
    const equipment = async (code: string) => {
      const grid = (await chainManager.get(`/pay/check_bills?code=${code}`)).body.data.grid as { name: string; equipment_id: string | null }[];
      expect(grid.length).toBeGreaterThan(0);
      return { name: grid[0]!.name, terminals: new Set(grid.map((r) => r.equipment_id).filter(Boolean)) };
    };
    const bjBills = await equipment(bjRun.body.data.code);
    expect(bjBills.name).toBe('北京一店');
    expect([...bjBills.terminals].every((t) => t === bjCashier.terminalId)).toBe(true);
    const shBills = await equipment(shRun.body.data.code);
    expect([...shBills.terminals].every((t) => t === shCashier.terminalId)).toBe(true);

    const bjRecords = (await bjManager.get('/pay/check_record/')).body.data.data as { code: string; store: string }[];
    expect(bjRecords.map((r) => r.code)).toContain(bjRun.body.data.code);
    expect(bjRecords.every((r) => r.store === 'bj01')).toBe(true);
    expect((await bjManager.get(`/pay/check_bills?code=${shRun.body.data.code}`)).status).toBe(404);
    expect((await bjManager.post('/pay/check_record/', { provider: 'mct1', day: today(), store: 'sh01' })).status).toBe(403);
    // Nor may a store's manager change another store's order's auto-reconcile flag.
    const shOrder = (await chainManager.get('/api/payments?store=sh01&pageSize=1')).body.items[0].outNo as string;
    expect((await bjManager.post('/pay/consume_order', { code: shOrder, auto: false })).status).toBe(404);
    expect((await shManager.post('/pay/consume_order', { code: shOrder, auto: false })).status).toBe(200);
    expect((await bjManager.get(`/pay/order_details?code=${shOrder}&pay_way=2`)).status).toBe(404);
  });

  it('keeps a merchant account per store and provider for settlement', async () => {
    const accounts = (await chainManager.get('/pay/account/')).body.data.data as { store: string; provider: string; merchant: string }[];
    expect(accounts.map((a) => `${a.store}/${a.provider}`).sort()).toEqual(['bj01/mct1', 'sh01/mct1', 'sh01/weishouyin']);
    expect(accounts.find((a) => a.store === 'bj01')!.merchant).toBe('北京一店');
    const own = (await bjManager.get('/pay/account/')).body.data.data as { store: string }[];
    expect(own.every((a) => a.store === 'bj01')).toBe(true);
    // A chain manager editing bj01's account without naming the store leaves it with bj01.
    const bjAccount = accounts.find((a) => a.store === 'bj01') as unknown as { code: string; provider: string; method: number; account: string; period: number };
    const edited = await chainManager.post('/pay/account/', { code: bjAccount.code, provider: bjAccount.provider, method: bjAccount.method, name: '北京一店 mct1 结算户', account: bjAccount.account, period: bjAccount.period });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const after = ((await chainManager.get('/pay/account/')).body.data.data as { code: string; store: string; name: string }[]).find((a) => a.code === bjAccount.code)!;
    expect(after).toMatchObject({ store: 'bj01', name: '北京一店 mct1 结算户' });
    // A store's manager cannot reach another store's account.
    expect((await shManager.post('/pay/account/', { code: bjAccount.code, provider: 'mct1', method: 1, name: 'x', account: 'y', period: 1 })).status).toBe(404);
  });

  it("streams a store's payments to its manager and every store's to a chain manager", async () => {
    const bjStream = await openEvents(store, bjManager.token);
    const chainStream = await openEvents(store, chainManager.token);
    try {
      const sh = await pay(shCashier, 400, freshWechatCode());
      const bj = await pay(bjCashier, 500, mct1AlipayCode());
      await waitFor(() => chainStream.statuses(sh.outNo).includes('paid') && chainStream.statuses(bj.outNo).includes('paid'));
      await waitFor(() => bjStream.statuses(bj.outNo).includes('paid'));
      expect(bjStream.events.every((e) => e.storeId === 'bj01')).toBe(true);
      expect(bjStream.statuses(sh.outNo)).toEqual([]);
    } finally {
      bjStream.close();
      chainStream.close();
    }
  });

  it('refuses a configuration with a duplicated or malformed store id', async () => {
    await expect(startTestStore({ stores: [{ id: 'a', name: 'A', providers: ['mct1'] }, { id: 'a', name: 'B', providers: ['mct1'] }] })).rejects.toThrow(/appears twice/);
  });
});
