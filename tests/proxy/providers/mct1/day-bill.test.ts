/**
 * mct1 day bills: the mapping of an order to a bill entry (pure, against the seed's own list sample),
 * and the reader against the simulator with its clock set, so sales and refunds fall on chosen China
 * days: refunds of later days counted, a sale of an earlier day refunded today, the refund → sale
 * links (trade_no, else order/view, cached), the page bound, and the books' discrepancy knobs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeOrderPage, type Mct1Order } from '../../../../proxy/providers/mct1/codec.ts';
import { billEntry, bookedAtOn, channelOf, dayRange, payerOf, saleState } from '../../../../proxy/providers/mct1/day-bill.ts';
import { createMct1Simulator } from '../../../../proxy/providers/mct1/simulator.ts';
import type { PayOutcome, ProviderMethod } from '../../../../proxy/providers/types.ts';
import { ok, startSandbox, type Sandbox } from './harness.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/mct1/${name}`, import.meta.url), 'utf8'));
const seedList = () => {
  const page = decodeOrderPage(fixture('order-list.json').data);
  if (!page.ok) throw new Error(page.error.message);
  return page.value.items;
};
const order = (over: Partial<Mct1Order>): Mct1Order => ({ ordNo: '9100', status: 1, tradeAmountFen: 1000, ...over });

describe('mapping an order to a bill entry', () => {
  it('the seed\'s list sample: the sale, its channel, payer and time', () => {
    const [refund, sale] = seedList();
    expect(refund.ordType).toBe(2);
    const range = dayRange('2015-10-30')!;
    expect(billEntry(sale, 1, range)).toEqual({
      providerRef: '10151030113629560001',
      tradeNo: '2015103021001004950010956927',
      amountFen: 1,
      refundedFen: 1,
      state: 'refunded',
      bookedAt: '2015-10-30T11:36:46+08:00',
      // Alipay's buyer_user_id in trade_result, before the masked trade_account.
      payer: '2088202642306951',
      channel: 'alipay',
    });
    expect(billEntry(sale, 0, range)).toMatchObject({ refundedFen: 0, state: 'paid' });
  });

  it('status: 1 paid (refunded once the refunds cover it), 2 and 9 unpaid, 4 unpaid or reversed when it was charged', () => {
    expect(saleState(order({ status: 1 }), 0)).toBe('paid');
    expect(saleState(order({ status: 1 }), 999)).toBe('paid');
    expect(saleState(order({ status: 1 }), 1000)).toBe('refunded');
    expect(saleState(order({ status: 2 }), 0)).toBe('unpaid');
    expect(saleState(order({ status: 9 }), 0)).toBe('unpaid');
    expect(saleState(order({ status: 4 }), 0)).toBe('unpaid');
    expect(saleState(order({ status: 4, tradePayTime: '2026-11-20T10:00:00+08:00' }), 0)).toBe('reversed');
  });

  it('channel by pmt_tag; payer from the channel\'s ids, else trade_account', () => {
    expect(['Weixin', 'WeixinBERL', 'Alipay', 'AlipayCS', 'Cash', 'Diy', 'Baifubao', undefined].map(channelOf)).toEqual(['wechat', 'wechat', 'alipay', 'alipay', 'other', 'other', 'other', 'other']);
    expect(payerOf(order({ tradeResult: JSON.stringify({ return_code: 'SUCCESS', openid: 'o01mvsyABC', transaction_id: '4200' }), tradeAccount: 'CFT' }))).toBe('o01mvsyABC');
    expect(payerOf(order({ tradeResult: '<xml>not json</xml>', tradeAccount: 'lin***@vip.qq.com' }))).toBe('lin***@vip.qq.com');
    expect(payerOf(order({}))).toBeUndefined();
  });

  it('bookedAt is the time that puts the order on the day: add_time, else a payment time on that day', () => {
    const range = dayRange('2026-11-21')!;
    expect(bookedAtOn({ addTime: '2026-11-21T08:00:00+08:00', tradePayTime: '2026-11-21T08:00:05+08:00' }, range)).toBe('2026-11-21T08:00:00+08:00');
    // Ordered before midnight, paid after: a provider that lists by payment time lists it on the 21st.
    expect(bookedAtOn({ addTime: '2026-11-20T23:59:50+08:00', tradePayTime: '2026-11-21T00:00:10+08:00' }, range)).toBe('2026-11-21T00:00:10+08:00');
    expect(bookedAtOn({ addTime: '2026-11-19T10:00:00+08:00' }, range)).toBe('2026-11-19T10:00:00+08:00');
    expect(bookedAtOn({}, range)).toBeUndefined();
  });

  it('days are China calendar days', () => {
    expect(dayRange('2026-11-21')).toEqual({ day: '2026-11-21', startMs: Date.parse('2026-11-20T16:00:00Z'), endMs: Date.parse('2026-11-21T16:00:00Z') });
    for (const bad of ['2026-02-30', '2026-1-01', '20261121', '', undefined, 20261121]) expect(dayRange(bad), String(bad)).toBeUndefined();
  });
});

// --- against the simulator, on a clock we set ------------------------------------------------------

const at = (china: string) => Date.parse(`${china.replace(' ', 'T')}+08:00`);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function sandboxAt(start: string) {
  let clock = at(start);
  sb = await startSandbox({ now: () => clock });
  const client = sb.client({ now: () => clock });
  ok(await client.init());
  const method = (id: string) => client.methods().find((m) => m.id === id)!;
  let n = 0;
  const code = () => `134${String(Date.now()).slice(-6)}${String(++n).padStart(9, '0')}`;
  return {
    sb,
    client,
    now: () => clock,
    set: (china: string) => void (clock = at(china)),
    async pay(amountFen: number, methodId = 'mct1:Weixin'): Promise<PayOutcome & { outNo: string; method: ProviderMethod }> {
      const m = method(methodId);
      const outNo = `S${Date.now().toString(36)}${++n}`;
      const r = ok(await client.pay({ outNo, amountFen, method: m, authCode: m.kind === 'barcode' ? code() : undefined }));
      expect(r.state).toBe('paid');
      return { ...r, outNo, method: m };
    },
    async refund(p: { outNo: string; method: ProviderMethod; providerRef?: string }, amountFen: number) {
      ok(await client.refund({ outNo: p.outNo, method: p.method, amountFen, providerRef: p.providerRef }, { refundNo: `R${Date.now().toString(36)}${++n}`, amountFen }));
    },
    views: () => client.calls.filter((c) => c.op === 'order/view').length,
    lists: () => client.calls.filter((c) => c.op === 'order').length,
  };
}

describe('the day bill against the simulator', () => {
  it('counts refunds of later days, and puts an earlier sale refunded today on today\'s bill', async () => {
    const s = await sandboxAt('2026-11-20 12:00:00');
    const a = await s.pay(1000);
    const c = await s.pay(500, 'mct1:Cash');
    s.set('2026-11-21 10:00:00');
    const b = await s.pay(800);
    await s.refund(a, 300);
    await s.refund(c, 100);
    await s.refund(b, 200);

    let views = s.views();
    const day1 = ok(await s.client.dayBill({ day: '2026-11-20', known: [] }));
    expect(day1.complete).toBe(true);
    const d1 = new Map(day1.entries.map((x) => [x.outNo, x]));
    expect([...d1.keys()].sort()).toEqual([a.outNo, c.outNo].sort());
    expect(d1.get(a.outNo)).toMatchObject({ amountFen: 1000, refundedFen: 300, state: 'paid', bookedAt: '2026-11-20T12:00:00+08:00', channel: 'wechat' });
    expect(d1.get(c.outNo)).toMatchObject({ amountFen: 500, refundedFen: 100, state: 'paid', bookedAt: '2026-11-20T12:00:00+08:00', channel: 'other' });
    // A's refund carries A's trade_no: no call. The cash refund has none: one order/view. B's refund
    // belongs to a sale of another day: not looked at.
    expect(s.views() - views).toBe(1);

    views = s.views();
    const day2 = ok(await s.client.dayBill({ day: '2026-11-21', known: [] }));
    const e = new Map(day2.entries.map((x) => [x.outNo, x]));
    expect([...e.keys()].sort()).toEqual([a.outNo, b.outNo, c.outNo].sort());
    expect(e.get(b.outNo)).toMatchObject({ amountFen: 800, refundedFen: 200, state: 'paid', bookedAt: '2026-11-21T10:00:00+08:00' });
    expect(e.get(a.outNo)).toMatchObject({ amountFen: 1000, refundedFen: 300, state: 'paid', bookedAt: '2026-11-20T12:00:00+08:00', tradeNo: a.tradeNo });
    expect(e.get(c.outNo)).toMatchObject({ amountFen: 500, refundedFen: 100, state: 'paid', bookedAt: '2026-11-20T12:00:00+08:00', channel: 'other' });
    // A: its refund (not cached yet) and the sale; C: the sale only (its refund's sale was cached).
    expect(s.views() - views).toBe(3);
    views = s.views();
    ok(await s.client.dayBill({ day: '2026-11-21', known: [] }));
    expect(s.views() - views).toBe(2); // the two sales; every refund's sale is known now

    // Nothing on a day without orders; a day in the future too.
    expect(ok(await s.client.dayBill({ day: '2026-11-19', known: [] })).entries).toEqual([]);
    expect(ok(await s.client.dayBill({ day: '2026-12-01', known: [] })).entries).toEqual([]);
  });

  it('reads to the last page and stops; refuses a list longer than the bound without reading it', async () => {
    const s = await sandboxAt('2026-11-20 09:00:00');
    for (const f of [101, 102, 103, 104, 105]) await s.pay(f);
    const paged = s.sb.client({ now: s.now, dayBillPageSize: 2 });
    const bill = ok(await paged.dayBill({ day: '2026-11-20', known: [] }));
    expect(bill.entries.map((e) => e.amountFen).sort()).toEqual([101, 102, 103, 104, 105]);
    expect(paged.calls.filter((c) => c.op === 'order')).toHaveLength(3);

    const bounded = s.sb.client({ now: s.now, dayBillPageSize: 2, dayBillMaxPages: 2 });
    const refused = await bounded.dayBill({ day: '2026-11-20', known: [] });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error).toMatchObject({ kind: 'response', code: 'mct1_list_too_long' });
    expect(refused.error.message).toContain('3');
    expect(bounded.calls.filter((c) => c.op === 'order')).toHaveLength(1);
    expect(() => s.sb.client({ dayBillPageSize: 101 })).toThrow(TypeError);
  });

  it('refuses a day that is not YYYY-MM-DD without calling the provider', async () => {
    const s = await sandboxAt('2026-11-20 09:00:00');
    const before = s.lists();
    for (const day of ['2026-11-31', 'today', '']) {
      const r = await s.client.dayBill({ day, known: [] });
      expect(r.ok ? 'ok' : r.error.kind, day).toBe('params');
    }
    expect(s.lists()).toBe(before);
  });

  it('a list error (the provider answers garbage) fails the whole bill', async () => {
    const s = await sandboxAt('2026-11-20 09:00:00');
    await s.pay(100);
    expect((await s.sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'order', fault: 'garbage' }) })).status).toBe(201);
    const r = await s.client.dayBill({ day: '2026-11-20', known: [] });
    expect(r.ok ? 'ok' : r.error.kind).toBe('response');
  });
});

describe('the books\' discrepancy knobs', () => {
  it('change the list and order/view only, never paystatus; persist in the state file; DELETE clears', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mct1-books-')), 'sandbox-mct1.json');
    let clock = at('2026-11-20 23:59:58');
    sb = await startSandbox({ stateFile: file, now: () => clock });
    const client = sb.client({ now: () => clock });
    ok(await client.init());
    const method = client.methods().find((m) => m.id === 'mct1:Weixin')!;
    const outNo = 'LATE1';
    ok(await client.pay({ outNo, amountFen: 990, method, authCode: '134000000000000777' }));
    const planted = await sb.admin('/discrepancies', { method: 'POST', body: JSON.stringify({ bookNextDay: [outNo], amountOff: [{ outNo, deltaFen: 5 }] }) });
    expect(planted.status).toBe(201);
    clock = at('2026-11-21 08:00:00');
    expect(ok(await client.dayBill({ day: '2026-11-20', known: [] })).entries).toEqual([]);
    expect(ok(await client.dayBill({ day: '2026-11-21', known: [] })).entries).toMatchObject([{ outNo, amountFen: 995, bookedAt: '2026-11-21T00:00:01+08:00' }]);
    expect(ok(await client.orderView({ outNo })).order).toMatchObject({ tradeAmountFen: 995, addTime: '2026-11-21T00:00:01+08:00' });
    // The payment itself is as it was.
    expect(ok(await client.query({ outNo, method, amountFen: 990 }))).toMatchObject({ state: 'paid', amountFen: 990, paidAt: '2026-11-20T23:59:58+08:00' });

    // A new simulator on the same file has the same books.
    const again = createMct1Simulator({ stateFile: file, now: () => clock });
    const view = (await (await again.app.request('/_admin/discrepancies')).json()) as { discrepancies: { bookNextDay: { outNo: string }[]; amountOff: { outNo: string; deltaFen: number }[] } };
    expect(view.discrepancies.bookNextDay.map((x) => x.outNo)).toEqual([outNo]);
    expect(view.discrepancies.amountOff).toMatchObject([{ outNo, deltaFen: 5 }]);
    again.close();

    expect((await sb.admin('/discrepancies', { method: 'DELETE' })).status).toBe(200);
    expect(ok(await client.dayBill({ day: '2026-11-20', known: [] })).entries).toMatchObject([{ outNo, amountFen: 990 }]);
  });

  it('{reset: true} clears first; unknown orders 404; refunds only of paid sales, within what is left (409)', async () => {
    const s = await sandboxAt('2026-11-20 09:00:00');
    const a = await s.pay(300);
    const post = (body: unknown) => s.sb.admin('/discrepancies', { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ drop: [a.outNo] })).status).toBe(201);
    const reset = await post({ reset: true, amountOff: [{ outNo: a.outNo, deltaFen: -1 }] });
    expect(((await reset.json()) as { discrepancies: unknown }).discrepancies).toMatchObject({ drop: [], amountOff: [{ outNo: a.outNo, deltaFen: -1 }] });
    expect((await post({ drop: ['NOSUCH'] })).status).toBe(404);
    expect((await post({ unrecordedRefund: [{ outNo: a.outNo, amountFen: 200 }, { outNo: a.outNo, amountFen: 101 }] })).status).toBe(409);
    expect((await post({ extra: [{ amountFen: 1, outNo: a.outNo }] })).status).toBe(409);
    expect((await post({ extra: [{ amountFen: 1.5 }] })).status).toBe(400);
    expect((await post({ extra: [{ amountFen: 1, at: 'yesterday' }] })).status).toBe(400);
    const declined = await s.client.pay({ outNo: 'DECL1', amountFen: 100, method: s.client.methods().find((m) => m.id === 'mct1:Weixin')!, authCode: `13${'0'.repeat(15)}3` });
    expect(ok(declined).state).toBe('failed');
    expect((await post({ unrecordedRefund: [{ outNo: 'DECL1', amountFen: 1 }] })).status).toBe(409);
    // None of the refused requests changed anything.
    expect(((await (await s.sb.admin('/discrepancies')).json()) as { discrepancies: unknown }).discrepancies).toEqual({
      drop: [],
      bookNextDay: [],
      amountOff: [{ ordNo: a.providerRef, outNo: a.outNo, deltaFen: -1 }],
      extra: [],
      unrecordedRefund: [],
    });
  });
});
