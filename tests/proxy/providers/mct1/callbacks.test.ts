/**
 * §4.8 notify callbacks end to end: the simulator sends real GETs to a notify endpoint served by
 * the test (answering notify_success, something else, or hanging), with the retry unit scaled down
 * to 20 ms; the client's parseCallback accepts the genuine ones and refuses forged and stale ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCT1_SANDBOX_CODES as CODES } from '../../../../proxy/providers/mct1/index.ts';
import { callbackSign, verifyCallback } from '../../../../proxy/providers/mct1/sign.ts';
import type { ProviderMethod } from '../../../../proxy/providers/types.ts';
import { ok, startNotifyEndpoint, startSandbox, until, type NotifyHit, type Sandbox } from './harness.ts';

let sb: Sandbox;
let ep: Awaited<ReturnType<typeof startNotifyEndpoint>>;
let main: ReturnType<Sandbox['client']>;
let wx: ProviderMethod;
let seq = 0;
const outNo = () => `N${Date.now().toString(36)}${++seq}`;
const hitsFor = (out: string) => ep.hits.filter((h) => h.query.out_no === out);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Notification {
  ordNo: string;
  attempt: number;
  ok: boolean;
  answer?: string;
  error?: string;
  httpStatus?: number;
}
async function notifications(ordNo: string) {
  return (await sb.adminJson<{ notifications: Notification[] }>(`/notifications?ord_no=${ordNo}`)).notifications;
}

beforeAll(async () => {
  sb = await startSandbox({ notifyBaseMs: 20, notifyTimeoutMs: 150, notifyForMs: 400 });
  ep = await startNotifyEndpoint();
  main = sb.client();
  ok(await main.init());
  wx = main.methods().find((m) => m.id === 'mct1:Weixin')!;
});
afterAll(async () => {
  await sb?.close();
  await ep?.close();
});

describe('the simulator sends §4.8 callbacks', () => {
  it('paid: one GET with ord_no, timestamp, rand_str, out_no, status, sign; notify_success ends it', async () => {
    ep.answer(() => new Response('notify_success'));
    const out = outNo();
    const r = ok(await main.pay({ outNo: out, amountFen: 11, authCode: CODES.wechat.paid, method: wx, notifyUrl: ep.url }));
    expect(main.calls.at(-1)!.request).toContain(`"notify_url":"${ep.url}"`);
    await until(() => hitsFor(out).length >= 1);
    await sleep(100);
    const hits = hitsFor(out);
    expect(hits).toHaveLength(1);
    expect(Object.keys(hits[0].query)).toEqual(['ord_no', 'timestamp', 'rand_str', 'out_no', 'status', 'sign']);
    expect(hits[0].query).toMatchObject({ ord_no: r.providerRef, out_no: out, status: '1' });
    expect(hits[0].query.sign).toMatch(/^[0-9a-f]{32}$/);
    const parsed = ok(main.parseCallback({ method: 'GET', query: hits[0].query }));
    expect(parsed.event).toEqual({ outNo: out, providerRef: r.providerRef, state: 'paid', replayKey: hits[0].query.sign, timestamp: Number(hits[0].query.timestamp) });
    expect(main.callbackAnswer).toBe('notify_success');
    const n = await notifications(r.providerRef!);
    expect(n).toEqual([expect.objectContaining({ attempt: 1, ok: true, answer: 'notify_success', httpStatus: 200 })]);
    expect((await sb.adminJson<{ order: { notify: { done: boolean; attempts: number } } }>(`/orders/${out}`)).order.notify).toMatchObject({ done: true, attempts: 1 });
  });

  it('any other answer is retried after 1, 2, … × notifyBaseMs, each attempt freshly signed, until notify_success', async () => {
    const out = outNo();
    ep.answer((hit) => new Response(hitsFor(hit.query.out_no).length < 3 ? 'success' : 'notify_success'));
    const r = ok(await main.pay({ outNo: out, amountFen: 12, authCode: CODES.wechat.paid, method: wx, notifyUrl: ep.url }));
    await until(() => hitsFor(out).length >= 3);
    await sleep(120);
    const hits = hitsFor(out);
    expect(hits).toHaveLength(3);
    const gaps = [hits[1].at - hits[0].at, hits[2].at - hits[1].at];
    expect(gaps[0]).toBeGreaterThanOrEqual(15); // 1 × 20 ms
    expect(gaps[1]).toBeGreaterThanOrEqual(35); // 2 × 20 ms
    expect(new Set(hits.map((h) => h.query.sign)).size).toBe(3);
    expect(new Set(hits.map((h) => h.query.rand_str)).size).toBe(3);
    for (const h of hits) expect(ok(main.parseCallback({ method: 'GET', query: h.query })).event.state).toBe('paid');
    const n = await notifications(r.providerRef!);
    expect(n.map((x) => [x.attempt, x.ok, x.answer])).toEqual([
      [1, false, 'success'],
      [2, false, 'success'],
      [3, true, 'notify_success'],
    ]);
  });

  it('a hanging endpoint times out, is retried, and the simulator gives up after notifyForMs', async () => {
    const out = outNo();
    ep.answer(async () => {
      await sleep(600);
      return new Response('notify_success');
    });
    const r = ok(await main.pay({ outNo: out, amountFen: 13, authCode: CODES.wechat.paid, method: wx, notifyUrl: ep.url }));
    const view = async () => (await sb.adminJson<{ order: { notify: { done: boolean; gaveUp?: boolean; attempts: number } } }>(`/orders/${out}`)).order.notify;
    const end = Date.now() + 3_000;
    while (!(await view()).done && Date.now() < end) await sleep(20);
    const state = await view();
    expect(state).toMatchObject({ done: true, gaveUp: true });
    expect(state.attempts).toBeGreaterThanOrEqual(2);
    const n = await notifications(r.providerRef!);
    expect(n.length).toBe(state.attempts);
    expect(n.every((x) => !x.ok && x.error === 'timeout after 150 ms')).toBe(true);
    ep.answer(() => new Response('notify_success'));
  });

  it('cancelled (status 4): a callback too, read as cancelled', async () => {
    ep.answer(() => new Response('notify_success'));
    const out = outNo();
    const r = ok(await main.pay({ outNo: out, amountFen: 14, authCode: CODES.wechat.passwordForever, method: wx, notifyUrl: ep.url }));
    expect(r.state).toBe('paying');
    await sleep(50);
    expect(hitsFor(out)).toHaveLength(0); // nothing to tell while waiting for the password
    ok(await main.cancel({ outNo: out, amountFen: 14, method: wx, providerRef: r.providerRef }));
    await until(() => hitsFor(out).length >= 1);
    expect(hitsFor(out)[0].query.status).toBe('4');
    expect(ok(main.parseCallback({ method: 'GET', query: hitsFor(out)[0].query })).event).toMatchObject({ outNo: out, state: 'cancelled' });
  });

  it('a QR order paid by the customer (back office) is notified; POST /notify sends it again now', async () => {
    ep.answer(() => new Response('notify_success'));
    const out = outNo();
    const qr = main.methods().find((m) => m.id === 'mct1:Alipay:qr')!;
    ok(await main.pay({ outNo: out, amountFen: 15, method: qr, notifyUrl: ep.url }));
    expect((await sb.admin(`/orders/${out}/pay`, { method: 'POST' })).status).toBe(200);
    await until(() => hitsFor(out).length >= 1);
    expect((await sb.admin(`/orders/${out}/notify`, { method: 'POST' })).status).toBe(202);
    await until(() => hitsFor(out).length >= 2);
    const [a, b] = hitsFor(out);
    expect(a.query.status).toBe('1');
    expect(b.query.status).toBe('1');
    expect(b.query.sign).not.toBe(a.query.sign);
  });

  it('close() stops pending retries', async () => {
    const other = await startSandbox({ notifyBaseMs: 30, notifyTimeoutMs: 100 });
    const c = other.client();
    ok(await c.init());
    const out = outNo();
    ep.answer(() => new Response('no'));
    ok(await c.pay({ outNo: out, amountFen: 16, authCode: CODES.wechat.paid, method: wx, notifyUrl: ep.url }));
    await until(() => hitsFor(out).length >= 1);
    await other.close();
    const count = hitsFor(out).length;
    await sleep(200);
    expect(hitsFor(out).length).toBe(count);
    ep.answer(() => new Response('notify_success'));
  });
});

describe('parseCallback', () => {
  let genuine: NotifyHit;
  beforeAll(async () => {
    ep.answer(() => new Response('notify_success'));
    const out = outNo();
    ok(await main.pay({ outNo: out, amountFen: 21, authCode: CODES.wechat.paid, method: wx, notifyUrl: ep.url }));
    await until(() => hitsFor(out).length >= 1);
    genuine = hitsFor(out)[0];
  });

  it('forged: any changed field, or another key → sign', () => {
    for (const forged of [
      { ...genuine.query, status: '4' },
      { ...genuine.query, out_no: 'Other1' },
      { ...genuine.query, ord_no: '9000000000000000000000000' },
      { ...genuine.query, timestamp: String(Number(genuine.query.timestamp) + 1) },
      { ...genuine.query, sign: callbackSign(genuine.query, 'x'.repeat(32)) },
    ]) {
      const r = main.parseCallback({ method: 'GET', query: forged });
      expect(!r.ok && r.error, JSON.stringify(forged)).toMatchObject({ kind: 'sign', code: 'mct1_callback_forged' });
    }
  });

  it('stale: more than 600 s from the provider-corrected clock → params', () => {
    const later = sb.client({ now: () => Date.now() + 11 * 60_000 });
    const r = later.parseCallback({ method: 'GET', query: genuine.query });
    expect(!r.ok && r.error).toMatchObject({ kind: 'params', code: 'mct1_callback_stale', message: '回调时间戳超出允许范围 / callback timestamp outside the allowed window' });
    const earlier = sb.client({ now: () => Date.now() - 11 * 60_000 });
    expect(earlier.parseCallback({ method: 'GET', query: genuine.query }).ok).toBe(false);
  });

  it('the window uses the provider-corrected clock: a client 20 minutes slow that has synced accepts it', async () => {
    const slow = sb.client({ now: () => Date.now() - 20 * 60_000 });
    expect(slow.parseCallback({ method: 'GET', query: genuine.query }).ok).toBe(false);
    ok(await slow.init()); // errcode 9, resync, retry
    expect(ok(slow.parseCallback({ method: 'GET', query: genuine.query })).event.state).toBe('paid');
  });

  it('malformed → params; a form body is read when the query has no sign; a replay has the same key', () => {
    for (const bad of [
      { ...genuine.query, sign: undefined },
      { ...genuine.query, status: '2' },
      { ...genuine.query, timestamp: 'soon' },
      { ...genuine.query, out_no: '' },
      { ...genuine.query, rand_str: '' },
    ]) {
      const r = main.parseCallback({ method: 'GET', query: bad as Record<string, string> });
      expect(!r.ok && r.error.kind, JSON.stringify(bad)).toBe('params');
    }
    expect(main.parseCallback({ method: 'GET', query: {} }).ok).toBe(false);
    const viaBody = ok(main.parseCallback({ method: 'POST', query: {}, body: genuine.query }));
    const again = ok(main.parseCallback({ method: 'GET', query: { ...genuine.query } }));
    expect(again.event.replayKey).toBe(viaBody.event.replayKey);
    // Our own parameters in the notify URL are not part of the signature.
    expect(ok(main.parseCallback({ method: 'GET', query: { ...genuine.query, provider: 'mct1' } })).event.state).toBe('paid');
    expect(verifyCallback(genuine.query, 'x'.repeat(32))).toBe(false);
  });
});
