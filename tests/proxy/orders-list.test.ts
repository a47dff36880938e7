/**
 * The manager's order list, `GET /api/payments`, over real HTTP against the sandboxes: each filter
 * alone, combinations, paging, what a cashier sees, and every malformed parameter (400 query_invalid).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let a: Client;
let b: Client;
let manager: Client;

const WSY = 'weishouyin:o2o_dm_code_wxpaysub';
const ALIPAY = 'mct1:Alipay';
const CASH = 'mct1:Cash';

/** The payments of this file, by amount (every amount differs). */
const by = new Map<number, string>();
let between = '';
let partialRefundNo = '';

const mct1Code = () => '25' + String(Date.now()).slice(-10) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');

async function pay(who: Client, amountFen: number, body: Record<string, unknown>, status = 'paid') {
  const outNo = newOutNo('LST');
  const r = await who.post('/api/payments', { outNo, amountFen, ...body });
  expect(r.body.status).toBe(status);
  by.set(amountFen, outNo);
  return r.body as { outNo: string; providerRef?: string; tradeNo?: string; method: string };
}

type Item = { outNo: string; amountFen: number; status: string; method: string; terminalId: string; refundedFen: number };
const list = async (who: Client, query = '') => {
  const r = await who.get(`/api/payments${query ? `?${query}` : ''}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { total: number; page: number; pageSize: number; sums: { paidCount: number; paidFen: number; refundedFen: number }; items: Item[] };
};
const amounts = async (query: string, who = manager) => (await list(who, query)).items.map((p) => p.amountFen);

beforeAll(async () => {
  store = await startTestStore();
  a = await pair(store, 'cashier', 'A');
  b = await pair(store, 'cashier', 'B');
  manager = await pair(store, 'manager');
  await pay(a, 1001, { authCode: freshWechatCode() });
  await pay(a, 2002, { authCode: freshWechatCode() });
  await pay(a, 3003, { authCode: CODE.declined }, 'failed');
  await pay(a, 4004, { authCode: mct1Code() });
  await new Promise((r) => setTimeout(r, 5));
  between = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  await pay(b, 5005, { authCode: freshWechatCode() });
  await pay(b, 6006, { method: CASH });
  partialRefundNo = newOutNo('RFD');
  expect((await manager.post(`/api/payments/${by.get(1001)}/refunds`, { refundNo: partialRefundNo, amountFen: 500, reason: 'test' })).body.status).toBe('refunded');
  expect((await manager.post(`/api/payments/${by.get(2002)}/refunds`, { refundNo: newOutNo('RFD'), amountFen: 2002, reason: 'test' })).body.status).toBe('refunded');
});
afterAll(() => store?.close());

describe('GET /api/payments filters', () => {
  it('lists everything newest first, with the terminal and sums over all pages', async () => {
    const all = await list(manager);
    expect(all.total).toBe(6);
    expect(all.items.map((p) => p.amountFen)).toEqual([6006, 5005, 4004, 3003, 2002, 1001]);
    expect(all.items.find((p) => p.amountFen === 1001)).toMatchObject({ terminalId: a.terminalId, status: 'paid', refundedFen: 500, method: WSY });
    expect(all.items.find((p) => p.amountFen === 6006)).toMatchObject({ terminalId: b.terminalId, method: CASH });
    expect(all.sums).toEqual({ paidCount: 5, paidFen: 1001 + 2002 + 4004 + 5005 + 6006, refundedFen: 2502 });
    expect(all).toMatchObject({ page: 1, pageSize: 50 });
  });

  it('by status, one or several', async () => {
    expect(await amounts('status=paid')).toEqual([6006, 5005, 4004, 1001]);
    expect(await amounts('status=refunded')).toEqual([2002]);
    expect(await amounts('status=failed')).toEqual([3003]);
    expect(await amounts('status=paid,refunded')).toEqual([6006, 5005, 4004, 2002, 1001]);
    expect(await amounts('status=paying')).toEqual([]);
  });

  it('by method, one or several', async () => {
    expect(await amounts(`method=${encodeURIComponent(WSY)}`)).toEqual([5005, 3003, 2002, 1001]);
    expect(await amounts(`method=${ALIPAY}`)).toEqual([4004]);
    expect(await amounts(`method=${ALIPAY},${CASH}`)).toEqual([6006, 4004]);
    expect(await amounts('method=nobody:none')).toEqual([]);
  });

  it('by amount, both bounds inclusive, in fen', async () => {
    expect(await amounts('minFen=2002&maxFen=5005')).toEqual([5005, 4004, 3003, 2002]);
    expect(await amounts('minFen=5005')).toEqual([6006, 5005]);
    expect(await amounts('maxFen=1001')).toEqual([1001]);
    expect(await amounts('minFen=4004&maxFen=4004')).toEqual([4004]);
    expect(await amounts('maxFen=1000')).toEqual([]);
  });

  it('by number: ours, the provider\'s, a refund\'s; a part of one; case-insensitive; no wildcards', async () => {
    const outNo = by.get(4004)!;
    expect(await amounts(`q=${outNo}`)).toEqual([4004]);
    expect(await amounts(`q=${outNo.toUpperCase()}`)).toEqual([4004]);
    expect(await amounts(`q=${outNo.slice(-6)}`)).toEqual([4004]);
    // Every outNo of this file starts LST: a part shared by all.
    expect((await list(manager, 'q=LST')).total).toBe(6);
    // "_" and "-" are literal: LS_ would match LST as a LIKE wildcard.
    expect((await list(manager, 'q=LS_')).total).toBe(0);
    const ref = store.ledger.getPayment(by.get(5005)!)!.providerRef!;
    expect(ref).toBeTruthy();
    expect(await amounts(`q=${encodeURIComponent(ref)}`)).toEqual([5005]);
    expect(await amounts(`q=${partialRefundNo}`)).toEqual([1001]);
    const trade = store.ledger.getPayment(by.get(4004)!)!.tradeNo;
    if (trade) expect(await amounts(`q=${trade}`)).toContain(4004);
  });

  it('by terminal', async () => {
    expect(await amounts(`terminal=${a.terminalId}`)).toEqual([4004, 3003, 2002, 1001]);
    expect(await amounts(`terminal=${b.terminalId}`)).toEqual([6006, 5005]);
    expect(await amounts('terminal=TNOBODY')).toEqual([]);
  });

  it('by time: instants with any offset, or a China day', async () => {
    expect(await amounts(`from=${between}`)).toEqual([6006, 5005]);
    expect(await amounts(`to=${between}`)).toEqual([4004, 3003, 2002, 1001]);
    // The same instant written in China time.
    const china = new Date(Date.parse(between) + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    expect(await amounts(`from=${encodeURIComponent(china)}`)).toEqual([6006, 5005]);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 32 * 3600_000).toISOString().slice(0, 10);
    expect((await list(manager, `from=${today}&to=${tomorrow}`)).total).toBe(6);
    expect((await list(manager, `to=${today}`)).total).toBe(0);
    expect((await list(manager, `from=${tomorrow}`)).total).toBe(0);
  });

  it('combines filters (all must hold)', async () => {
    expect(await amounts(`terminal=${a.terminalId}&status=paid&minFen=1500`)).toEqual([4004]);
    expect(await amounts(`terminal=${a.terminalId}&status=paid,refunded&method=${encodeURIComponent(WSY)}`)).toEqual([2002, 1001]);
    expect(await amounts(`from=${between}&method=${CASH}&maxFen=9999`)).toEqual([6006]);
    expect(await amounts(`to=${between}&terminal=${b.terminalId}`)).toEqual([]);
    const r = await list(manager, `status=paid&terminal=${a.terminalId}`);
    expect(r.sums).toEqual({ paidCount: 2, paidFen: 1001 + 4004, refundedFen: 500 });
  });

  it('pages through the filtered list without gaps or repeats', async () => {
    const pages = [];
    for (let page = 1; page <= 3; page++) {
      const r = await list(manager, `pageSize=2&page=${page}`);
      expect(r).toMatchObject({ total: 6, page, pageSize: 2 });
      expect(r.items).toHaveLength(2);
      pages.push(...r.items.map((p) => p.amountFen));
    }
    expect(pages).toEqual([6006, 5005, 4004, 3003, 2002, 1001]);
    expect(await list(manager, 'pageSize=2&page=4')).toMatchObject({ total: 6, items: [] });
    const filtered = await list(manager, 'status=paid&pageSize=3&page=2');
    expect(filtered.total).toBe(4);
    expect(filtered.items.map((p) => p.amountFen)).toEqual([1001]);
  });
});

describe('what a cashier sees', () => {
  it('only its own terminal\'s payments, and sums of those only', async () => {
    const mine = await list(a);
    expect(mine.items.map((p) => p.amountFen)).toEqual([4004, 3003, 2002, 1001]);
    expect(mine.sums).toEqual({ paidCount: 3, paidFen: 1001 + 2002 + 4004, refundedFen: 2502 });
    expect(await amounts('', b)).toEqual([6006, 5005]);
    // Filters narrow its own list; never widen it.
    expect(await amounts('status=paid', b)).toEqual([6006, 5005]);
    expect(await amounts(`q=${by.get(1001)}`, b)).toEqual([]);
    expect(await amounts(`terminal=${a.terminalId}`, a)).toEqual([4004, 3003, 2002, 1001]);
  });

  it('403 for another terminal\'s list', async () => {
    const r = await a.get(`/api/payments?terminal=${b.terminalId}`);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: { code: 'forbidden' } });
  });
});

describe('malformed parameters', () => {
  const bad: [string, string][] = [
    ['from=yesterday', 'from'],
    ['from=2026-02-30', 'from'],
    ['from=2026-11-23T24:00:00Z', 'from'],
    ['from=2026-11-23T08:00:00', 'from'], // no offset: which zone?
    ['to=2026-13-01', 'to'],
    [`from=${encodeURIComponent('2026-11-23T08:00:00+08:00')}&to=2026-11-23`, 'to'],
    ['from=2026-11-23&to=2026-11-23', 'to'],
    ['status=bogus', 'status'],
    ['status=paid,', 'status'],
    ['method=%01x', 'method'],
    ['minFen=-1', 'minFen'],
    ['minFen=1.5', 'minFen'],
    ['maxFen=abc', 'maxFen'],
    ['maxFen=99999999999999999', 'maxFen'],
    ['minFen=200&maxFen=100', 'maxFen'],
    ['q=a', 'q'],
    ['q=x%25y', 'q'],
    [`q=${'1'.repeat(65)}`, 'q'],
    ['terminal=bad%20id', 'terminal'],
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['pageSize=201', 'pageSize'],
    ['pageSize=0', 'pageSize'],
    ['pageSize=-5', 'pageSize'],
  ];
  it.each(bad)('%s → 400 query_invalid naming %s, in Chinese and English', async (query, param) => {
    const r = await manager.get(`/api/payments?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('query_invalid');
    expect(r.body.error.message).toContain(`参数 ${param} 无效`);
    expect(r.body.error.message).toContain(`Invalid ${param}`);
  });

  it('leaves parameters it does not know alone, and empty ones count as absent', async () => {
    expect((await list(manager, 'whatever=1&status=&q=&minFen=')).total).toBe(6);
  });
});
