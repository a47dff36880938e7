/**
 * 微收银 day bills: a `read` answer as a bill entry (against the seed's own samples), the bounded pool
 * the bills are read with, and the reader against the simulator (its clock set, so bills fall on
 * chosen China days) with the books' discrepancy knobs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeReadAnswer } from '../../../../proxy/providers/weishouyin/codec.ts';
import { channelOf, dayRange, inPool, readEntry, unpaidEntry } from '../../../../proxy/providers/weishouyin/day-bill.ts';
import { SANDBOX_ACTIVATION_CODE, createWeishouyinSimulator } from '../../../../proxy/providers/weishouyin/simulator.ts';
import type { PaymentRef, ProviderMethod, Result } from '../../../../proxy/providers/types.ts';
import { startSandbox, type Sandbox } from './harness.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/weishouyin/${name}`, import.meta.url), 'utf8');
const read = (name: string) => {
  const d = decodeReadAnswer(fixture(name));
  if (!d.ok) throw new Error(d.error.message);
  return d.value;
};
const wechat: ProviderMethod = { id: 'weishouyin:o2o_dm_code_wxpaysub', code: 'o2o_dm_code_wxpaysub', name: '微信', kind: 'barcode' };
const ref = (over: Partial<PaymentRef> = {}): PaymentRef => ({ outNo: 'P1', method: wechat, amountFen: 2, providerRef: 'dm2032972220', ...over });

function ok<T extends object>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r;
}

describe('a read answer as the day\'s entry', () => {
  it('the seed\'s samples: paid, refunded 1 of 2 fen, refunded in full', () => {
    const day = dayRange('2018-04-21')!;
    const base = { outNo: 'P1', providerRef: 'dm2032972220', amountFen: 2, bookedAt: '2018-04-21T20:29:21+08:00', channel: 'wechat' };
    expect(readEntry(read('read-paid.xml'), ref(), day)).toEqual({ ...base, refundedFen: 0, state: 'paid', tradeNo: '4200000067201804213014837189' });
    expect(readEntry(read('read-refund1.xml'), ref(), day)).toEqual({ ...base, refundedFen: 1, state: 'paid', tradeNo: '4200000060201804213014837189' });
    expect(readEntry(read('read-refund2.xml'), ref(), day)).toEqual({ ...base, refundedFen: 2, state: 'refunded', tradeNo: '4200000060201804213014837189' });
  });

  it('a bill belongs to the day it was paid on, or to a day one of its refunds was made on', () => {
    const a = read('read-refund2.xml');
    expect(readEntry(a, ref(), dayRange('2018-04-22')!)).toBeUndefined();
    expect(readEntry(a, ref(), dayRange('2018-04-20')!)).toBeUndefined();
    const refundedNextDay = { ...a, lines: [...a.lines.slice(0, 2), { ...a.lines[2], at: '2018-04-22T09:00:00+08:00' }] };
    expect(readEntry(refundedNextDay, ref(), dayRange('2018-04-22')!)).toMatchObject({ bookedAt: '2018-04-21T20:29:21+08:00', refundedFen: 2 });
  });

  it('unpaid bills carry our amount; channels by name, else by code', () => {
    expect(unpaidEntry(ref({ amountFen: 700 }))).toEqual({ outNo: 'P1', providerRef: 'dm2032972220', amountFen: 700, refundedFen: 0, state: 'unpaid', channel: 'wechat' });
    expect([channelOf('微信', undefined), channelOf('支付宝', undefined), channelOf(undefined, 'o2o_dm_code_alipay_isv_beta'), channelOf('银联', 'x')]).toEqual(['wechat', 'alipay', 'alipay', 'other']);
  });

  it('the pool: at most `limit` at once, results in order, the first failure stops new calls', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const work = async (n: number) => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      if (n !== 6) await new Promise((r) => setTimeout(r, 3 + (n % 3)));
      running--;
      return n === 6 ? { ok: false as const, why: n } : { ok: true as const, value: n * 10 };
    };
    expect(await inPool([0, 1, 2, 3, 4, 5], 4, work)).toEqual({ ok: true, values: [0, 10, 20, 30, 40, 50] });
    expect(most).toBe(4);
    started.length = 0;
    expect(await inPool([...Array(20).keys()], 4, work)).toEqual({ ok: false, why: 6 });
    // 0–6 started; 6 failed first (at once), so the three still running start nothing after it.
    expect(started).toHaveLength(7);
    expect(await inPool([], 4, work)).toEqual({ ok: true, values: [] });
  });
});

// --- against the simulator, on a clock we set ------------------------------------------------------

const at = (china: string) => new Date(`${china.replace(' ', 'T')}+08:00`);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function sandboxAt(start: string, stateFile?: string) {
  let clock = at(start);
  sb = await startSandbox({ now: () => clock, stateFile });
  let reads = 0;
  let inFlight = 0;
  let most = 0;
  const client = sb.client({
    activationCode: SANDBOX_ACTIVATION_CODE,
    fetch: async (input, init) => {
      const isRead = String(init?.body ?? '').includes('action=read');
      if (isRead) {
        reads++;
        most = Math.max(most, ++inFlight);
      }
      try {
        return await fetch(input, init);
      } finally {
        if (isRead) inFlight--;
      }
    },
  });
  ok(await client.init());
  const method = client.methods()[0];
  let n = 0;
  return {
    client,
    set: (china: string) => void (clock = at(china)),
    reads: () => reads,
    most: () => most,
    async pay(amountFen: number, code?: string): Promise<PaymentRef> {
      const outNo = `W${++n}`;
      const r = await client.pay({ outNo, amountFen, method, authCode: code ?? `134${String(++n).padStart(15, '0')}` });
      if (!r.ok) throw new Error(r.error.message);
      return { outNo, method, amountFen, providerRef: r.providerRef };
    },
    refund: async (p: PaymentRef, amountFen: number) => ok(await client.refund(p, { refundNo: 'r', amountFen })),
  };
}

describe('the day bill against the simulator', () => {
  it('reads each known bill, four at a time; the day decides which are on it', async () => {
    const s = await sandboxAt('2026-11-20 23:59:00');
    const refs: PaymentRef[] = [];
    for (let i = 1; i <= 9; i++) refs.push(await s.pay(100 * i));
    s.set('2026-11-21 09:00:00');
    const next = await s.pay(5000);
    await s.refund(refs[0], 40);
    const declined = await s.pay(300, `13${'0'.repeat(15)}3`);
    const known = [...refs, next, declined, { ...refs[1], outNo: 'GHOST', providerRef: 'dm1999999999' }, { ...refs[1], outNo: 'NOREF', providerRef: undefined }];

    const before = s.reads();
    const day1 = ok(await s.client.dayBill({ day: '2026-11-20', known }));
    expect(day1.complete).toBe(false);
    expect(day1.entries.map((e) => [e.outNo, e.amountFen, e.refundedFen, e.state])).toEqual([
      ...refs.map((r, i) => [r.outNo, 100 * (i + 1), i === 0 ? 40 : 0, 'paid']),
      [declined.outNo, 300, 0, 'unpaid'],
    ]);
    expect(s.reads() - before).toBe(12); // every known bill with a dm_id, once
    expect(s.most()).toBe(4);

    const day2 = ok(await s.client.dayBill({ day: '2026-11-21', known }));
    // The bill paid on the 20th and refunded on the 21st is on both days' bills.
    expect(day2.entries.map((e) => [e.outNo, e.amountFen, e.refundedFen, e.bookedAt])).toEqual([
      [refs[0].outNo, 100, 40, '2026-11-20T23:59:00+08:00'],
      [next.outNo, 5000, 0, '2026-11-21T09:00:00+08:00'],
      [declined.outNo, 300, 0, undefined],
    ]);
  });

  it('a refusal or an unreadable answer fails the whole day rather than losing a bill', async () => {
    const s = await sandboxAt('2026-11-20 10:00:00');
    const known = [await s.pay(100), await s.pay(200)];
    expect((await sb!.admin('/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ op: 'read', fault: 'badxml' }) })).status).toBe(201);
    const r = await s.client.dayBill({ day: '2026-11-20', known });
    expect(r.ok ? 'ok' : r.error.kind).toBe('response');
    const bad = await s.client.dayBill({ day: '2026-11-32', known });
    expect(bad.ok ? 'ok' : bad.error.kind).toBe('params');
  });

  it('the books\' knobs change only what read answers, and persist in the state file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wsy-books-')), 'sandbox-weishouyin.json');
    const s = await sandboxAt('2026-11-20 23:59:59', file);
    const [a, b, c] = [await s.pay(1000), await s.pay(2000), await s.pay(3000)];
    const post = (body: unknown) => sb!.admin('/discrepancies', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ drop: [a.providerRef], amountOff: [{ dmId: b.providerRef, deltaFen: 1 }], bookNextDay: [c.providerRef] })).status).toBe(201);
    s.set('2026-11-21 10:00:00');
    // Planted the next morning: b is then on that day's bill too, for its refund.
    expect((await post({ unrecordedRefund: [{ dmId: b.providerRef, amountFen: 500 }] })).status).toBe(201);
    const known = [a, b, c];
    expect(ok(await s.client.dayBill({ day: '2026-11-20', known })).entries).toMatchObject([{ outNo: b.outNo, amountFen: 2001, refundedFen: 500, state: 'paid', bookedAt: '2026-11-20T23:59:59+08:00' }]);
    expect(ok(await s.client.dayBill({ day: '2026-11-21', known })).entries).toMatchObject([
      { outNo: b.outNo, amountFen: 2001, refundedFen: 500 },
      { outNo: c.outNo, amountFen: 3000, bookedAt: '2026-11-21T00:00:01+08:00' },
    ]);
    // query (the payment's own state) is untouched.
    expect(ok(await s.client.query(a))).toMatchObject({ state: 'paid', amountFen: 1000 });
    expect(ok(await s.client.query(b))).toMatchObject({ state: 'paid', amountFen: 2000 });

    const again = createWeishouyinSimulator({ stateFile: file });
    const view = (await (await again.app.request('/_admin/discrepancies')).json()) as { discrepancies: unknown };
    expect(view.discrepancies).toMatchObject({ drop: [a.providerRef], bookNextDay: [c.providerRef], amountOff: [{ dmId: b.providerRef, deltaFen: 1 }], unrecordedRefund: [{ dmId: b.providerRef, amountFen: 500 }] });

    expect((await post({ reset: true })).status).toBe(201);
    expect(ok(await s.client.dayBill({ day: '2026-11-20', known })).entries.map((e) => [e.outNo, e.amountFen, e.refundedFen])).toEqual([
      [a.outNo, 1000, 0],
      [b.outNo, 2000, 0],
      [c.outNo, 3000, 0],
    ]);
  });
});
