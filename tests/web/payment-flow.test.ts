import { describe, expect, it } from 'vitest';
import type { CreatePaymentRequest, PaymentView } from '../../contract/api.ts';
import { ApiError, NetworkError } from '../../web/data/api.ts';
import { bodyOf, makeOutNo, mergeView, PaymentFlow, type FlowApi } from '../../web/data/payment-flow.ts';
import { isFinal, type PaymentRecord } from '../../web/data/records.ts';
import { MemoryStore } from './payment-flow-store.ts';

type Step = PaymentView | Error | ((req?: CreatePaymentRequest) => PaymentView | Error);

/** An API that answers from scripts, one entry per call, and logs the calls. */
class ScriptedApi implements FlowApi {
  posts: CreatePaymentRequest[] = [];
  constructor(
    private log: string[],
    private postScript: Step[],
    private getScript: Step[],
  ) {}
  async createPayment(req: CreatePaymentRequest) {
    this.log.push(`POST ${req.outNo}`);
    this.posts.push(req);
    return this.#next(this.postScript, req, 'POST');
  }
  async getPayment(outNo: string) {
    this.log.push(`GET ${outNo}`);
    return this.#next(this.getScript, undefined, 'GET');
  }
  #next(script: Step[], req: CreatePaymentRequest | undefined, what: string): PaymentView {
    const step = script.shift();
    if (step === undefined) throw new Error(`unexpected ${what}`);
    const v = typeof step === 'function' ? step(req) : step;
    if (v instanceof Error) throw v;
    return v;
  }
}

const OUT = 'P20240501120000abcdefgh';
const view = (status: PaymentView['status'], extra: Partial<PaymentView> = {}): PaymentView => ({
  outNo: OUT,
  status,
  amountFen: 1234,
  provider: 'weishouyin',
  method: 'weishouyin:wx',
  ...extra,
});
const NEW = { amountFen: 1234, authCode: '134567890123456789', method: 'weishouyin:wx' };
const FAST = { pollMs: 1, slowPollMs: 1, minBackoffMs: 1, maxBackoffMs: 2, slowAfterMs: 60_000 };

function setup(posts: Step[], gets: Step[]) {
  const log: string[] = [];
  const store = new MemoryStore(log);
  const api = new ScriptedApi(log, posts, gets);
  const network: boolean[] = [];
  const problems: (string | null)[] = [];
  let unauthorized = 0;
  const flow = new PaymentFlow({
    api,
    store,
    timing: FAST,
    hooks: {
      onNetwork: (_o, down) => network.push(down),
      onProblem: (_o, m) => problems.push(m),
      onUnauthorized: () => unauthorized++,
    },
  });
  return { log, store, api, flow, network, problems, unauthorized: () => unauthorized };
}

describe('makeOutNo', () => {
  it('is P + yyyyMMddHHmmss + 8 base36 characters, at most 32 of [A-Za-z0-9]', () => {
    const o = makeOutNo(new Date(2024, 4, 1, 9, 5, 7), Uint8Array.from([0, 1, 35, 36, 71, 200, 255, 10]));
    expect(o).toBe('P20240501090507' + '01z0zk3a');
    expect(o.length).toBeLessThanOrEqual(32);
    const random = makeOutNo();
    expect(random).toMatch(/^P\d{14}[0-9a-z]{8}$/);
    expect(makeOutNo()).not.toBe(random);
  });
});

describe('PaymentFlow', () => {
  it('stores the payment before the request leaves, then stores the answer', async () => {
    const t = setup([view('paid', { providerRef: 'DM1', tradeNo: 'T1' })], []);
    const { record, done } = await t.flow.start(NEW, OUT);
    await done;
    expect(t.log).toEqual([`put ${OUT} pending`, `POST ${OUT}`, `update ${OUT} paid`]);
    expect(record.status).toBe('pending');
    const rec = t.store.rows.get(OUT)!;
    expect(rec).toMatchObject({ status: 'paid', providerRef: 'DM1', tradeNo: 'T1', amountFen: 1234 });
    expect(rec.authCode).toBeUndefined(); // dropped once final
    expect(t.api.posts[0]).toEqual({ outNo: OUT, amountFen: 1234, authCode: NEW.authCode, method: NEW.method });
  });

  it('follows a paying payment by polling until it is final', async () => {
    const t = setup([view('paying')], [view('paying'), view('unknown'), view('paid')]);
    await (await t.flow.start(NEW, OUT)).done;
    expect(t.log.filter((l) => l.startsWith('GET'))).toHaveLength(3);
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
  });

  it('after a network failure asks first; 404 → sends the same request again', async () => {
    const t = setup([new NetworkError('down'), view('paid')], [new NetworkError('still down'), new ApiError(404, 'payment_not_found', 'no')]);
    await (await t.flow.start(NEW, OUT)).done;
    expect(t.log).toEqual([
      `put ${OUT} pending`,
      `POST ${OUT}`,
      `GET ${OUT}`,
      `GET ${OUT}`,
      `POST ${OUT}`,
      `update ${OUT} paid`,
    ]);
    expect(t.api.posts[1]).toEqual(t.api.posts[0]); // same outNo, same body
    expect(t.network).toContain(true);
    expect(t.network.at(-1)).toBe(false);
  });

  it('after a network failure takes the state the proxy has, never sending again', async () => {
    const t = setup([new NetworkError('cut')], [view('paying'), view('paid')]);
    await (await t.flow.start(NEW, OUT)).done;
    expect(t.api.posts).toHaveLength(1);
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
  });

  it('a refusal (409, 400, 422) ends the payment as failed with the server message', async () => {
    for (const status of [409, 400, 422]) {
      const t = setup([new ApiError(status, 'conflict', '同一单号金额不同 / Same outNo, other amount')], []);
      await (await t.flow.start(NEW, OUT)).done;
      expect(t.store.rows.get(OUT)).toMatchObject({
        status: 'failed',
        message: '同一单号金额不同 / Same outNo, other amount',
        httpStatus: status,
        errorCode: 'conflict',
      });
      expect(t.log.filter((l) => l.startsWith('GET'))).toHaveLength(0);
    }
  });

  it('a server error on POST: asks; not stored → failed (nothing was charged)', async () => {
    const t = setup([new ApiError(500, 'internal', 'boom')], [new ApiError(404, 'payment_not_found', 'no')]);
    await (await t.flow.start(NEW, OUT)).done;
    expect(t.api.posts).toHaveLength(1);
    expect(t.store.rows.get(OUT)).toMatchObject({ status: 'failed', message: 'boom', httpStatus: 500 });
  });

  it('a server error on POST: asks; stored → follows it', async () => {
    const t = setup([new ApiError(502, 'provider_unreachable', 'provider down')], [view('unknown'), view('paid')]);
    await (await t.flow.start(NEW, OUT)).done;
    expect(t.api.posts).toHaveLength(1);
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
    expect(t.problems).toContain('provider down');
  });

  it('401 stops and reports; the payment stays unresolved for later', async () => {
    const t = setup([new ApiError(401, 'unauthorized', 'token')], []);
    await (await t.flow.start(NEW, OUT)).done;
    expect(t.unauthorized()).toBe(1);
    expect(t.store.rows.get(OUT)!.status).toBe('pending');
  });

  it('resumes unfinished payments on load the same way (GET first, never POST blindly)', async () => {
    const t = setup([view('paid')], [new ApiError(404, 'payment_not_found', 'no')]);
    const at = new Date().toISOString();
    await t.store.put({ outNo: OUT, amountFen: 1234, authCode: NEW.authCode, method: NEW.method, status: 'pending', createdAt: at, updatedAt: at });
    await t.store.put({ outNo: 'Pdone', amountFen: 1, status: 'paid', createdAt: at, updatedAt: at });
    t.log.length = 0;
    const open = await t.flow.resumeAll();
    expect(open.map((r) => r.outNo)).toEqual([OUT]);
    await t.flow.resume(OUT); // joins the running one
    expect(t.log).toEqual([`GET ${OUT}`, `POST ${OUT}`, `update ${OUT} paid`]);
  });

  it('a payment that never reached the proxy and whose code has expired is closed, not sent', async () => {
    const t = setup([], [new ApiError(404, 'payment_not_found', 'no')]);
    const at = new Date(Date.now() - 6 * 60_000).toISOString();
    await t.store.put({ outNo: OUT, amountFen: 1234, authCode: NEW.authCode, method: NEW.method, status: 'pending', createdAt: at, updatedAt: at });
    t.log.length = 0;
    await t.flow.resume(OUT);
    expect(t.log).toEqual([`GET ${OUT}`, `update ${OUT} failed`]);
    expect(t.store.rows.get(OUT)).toMatchObject({ status: 'failed', errorCode: 'auth_code_expired' });
    expect(t.store.rows.get(OUT)!.message).toContain('未被扣款');
  });

  it('an unknown payment found on load is followed, never re-sent', async () => {
    const t = setup([], [new ApiError(404, 'payment_not_found', 'gone?'), view('paid')]);
    const at = new Date().toISOString();
    await t.store.put({ outNo: OUT, amountFen: 1234, authCode: NEW.authCode, method: NEW.method, status: 'unknown', createdAt: at, updatedAt: at });
    await t.flow.resume(OUT);
    expect(t.api.posts).toHaveLength(0);
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
  });

  it('server events apply through apply(); a late non-final answer never reopens a final payment', async () => {
    const t = setup([view('paying')], [view('paying'), view('paying'), view('paying'), view('paying')]);
    const { done } = await t.flow.start(NEW, OUT);
    await t.flow.apply(view('paid', { providerRef: 'DM9' }));
    await done;
    expect(t.store.rows.get(OUT)).toMatchObject({ status: 'paid', providerRef: 'DM9' });
    await t.flow.apply(view('paying'));
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
    await t.flow.apply(view('refunded'));
    expect(t.store.rows.get(OUT)!.status).toBe('refunded');
  });
});

describe('PaymentFlow: QR and cash (no payment code)', () => {
  const QR = { amountFen: 1234, method: 'mct1:Weixin:qr', kind: 'qr' as const };
  const CASH = { amountFen: 1234, method: 'mct1:Cash', kind: 'cash' as const };
  const QR_TEXT = 'weixin://wxpay/bizpayurl?pr=abc123';

  it('stores a QR payment before the request, sends the method and no authCode, keeps the QR code', async () => {
    const t = setup([view('paying', { method: QR.method, qrCode: QR_TEXT })], [view('paying', { method: QR.method }), view('paid', { method: QR.method })]);
    const { record, done } = await t.flow.start(QR, OUT);
    expect(record).toMatchObject({ status: 'pending', kind: 'qr', method: QR.method });
    expect(record).not.toHaveProperty('authCode');
    await done;
    expect(t.log.slice(0, 3)).toEqual([`put ${OUT} pending`, `POST ${OUT}`, `update ${OUT} paying`]);
    expect(t.api.posts[0]).toStrictEqual({ outNo: OUT, amountFen: 1234, method: QR.method });
    expect(JSON.stringify(t.api.posts[0])).not.toContain('authCode');
    // A later view without the code (a poll, a server event) does not lose it.
    expect(t.store.rows.get(OUT)).toMatchObject({ status: 'paid', qrCode: QR_TEXT, kind: 'qr' });
  });

  it('the QR code is in the record while paying, so a reload shows the same one', async () => {
    let flow: PaymentFlow | null = null;
    const stopThen = () => {
      flow?.stop(); // the tab is closed while the customer is still scanning
      return view('paying', { method: QR.method });
    };
    const t = setup([view('paying', { method: QR.method, qrCode: QR_TEXT })], [stopThen]);
    flow = t.flow;
    await (await t.flow.start(QR, OUT)).done;
    expect(t.store.rows.get(OUT)).toMatchObject({ status: 'paying', qrCode: QR_TEXT, kind: 'qr' });
    expect(await t.store.unfinished()).toMatchObject([{ outNo: OUT, qrCode: QR_TEXT }]);
  });

  it('cash: stored first, sent once with no authCode, paid at once', async () => {
    const t = setup([view('paid', { method: CASH.method, provider: 'mct1' })], []);
    const { done } = await t.flow.start(CASH, OUT);
    await done;
    expect(t.log).toEqual([`put ${OUT} pending`, `POST ${OUT}`, `update ${OUT} paid`]);
    expect(t.api.posts).toStrictEqual([{ outNo: OUT, amountFen: 1234, method: CASH.method }]);
  });

  it('refuses to mix the kinds: a barcode payment needs a code, a QR or cash one takes none', async () => {
    const t = setup([], []);
    await expect(t.flow.start({ amountFen: 1, method: 'wx' }, OUT)).rejects.toThrow();
    await expect(t.flow.start({ ...CASH, authCode: NEW.authCode }, OUT)).rejects.toThrow();
    expect(t.log).toEqual([]);
  });

  it('a cash payment that never reached the proxy is sent however late (the money is in the drawer)', async () => {
    const t = setup([view('paid', { method: CASH.method })], [new ApiError(404, 'payment_not_found', 'no')]);
    const at = new Date(Date.now() - 60 * 60_000).toISOString();
    await t.store.put({ outNo: OUT, amountFen: 1234, method: CASH.method, kind: 'cash', status: 'pending', createdAt: at, updatedAt: at });
    t.log.length = 0;
    await t.flow.resume(OUT);
    expect(t.log).toEqual([`GET ${OUT}`, `POST ${OUT}`, `update ${OUT} paid`]);
    expect(t.api.posts[0]).toStrictEqual({ outNo: OUT, amountFen: 1234, method: CASH.method });
  });

  it('a stale QR payment that never reached the proxy is closed, not sent (nobody is there to scan)', async () => {
    const t = setup([], [new ApiError(404, 'payment_not_found', 'no')]);
    const at = new Date(Date.now() - 6 * 60_000).toISOString();
    await t.store.put({ outNo: OUT, amountFen: 1234, method: QR.method, kind: 'qr', status: 'pending', createdAt: at, updatedAt: at });
    t.log.length = 0;
    await t.flow.resume(OUT);
    expect(t.log).toEqual([`GET ${OUT}`, `update ${OUT} failed`]);
    expect(t.store.rows.get(OUT)).toMatchObject({ status: 'failed', errorCode: 'payment_expired' });
  });
});

describe('bodyOf', () => {
  it('carries the code only when there is one, and the method', () => {
    const base = { outNo: OUT, amountFen: 1, status: 'pending' as const, createdAt: 'x', updatedAt: 'x' };
    expect(bodyOf({ ...base, method: 'mct1:Alipay:qr', kind: 'qr' })).toStrictEqual({ outNo: OUT, amountFen: 1, method: 'mct1:Alipay:qr' });
    expect(bodyOf({ ...base, method: 'wx', authCode: '13' })).toStrictEqual({ outNo: OUT, amountFen: 1, authCode: '13', method: 'wx' });
  });
});

describe('mergeView', () => {
  const rec: PaymentRecord = { outNo: OUT, amountFen: 1234, status: 'pending', createdAt: 'x', updatedAt: 'x', authCode: '1' };
  it('refuses a view with another amount (someone else’s payment under our key)', () => {
    const m = mergeView(rec, view('paid', { amountFen: 999 }), new Date(0));
    expect(m).toMatchObject({ status: 'failed', errorCode: 'conflict' });
  });
  it('ignores a view for another outNo', () => {
    expect(mergeView(rec, { ...view('paid'), outNo: 'other' }, new Date(0))).toBeNull();
  });
});
