import { describe, expect, it } from 'vitest';
import type { CreatePaymentRequest, PaymentView } from '../../contract/api.ts';
import { ApiError, NetworkError } from '../../web/data/api.ts';
import { makeOutNo, mergeView, PaymentFlow, type FlowApi, type FlowStore } from '../../web/data/payment-flow.ts';
import { isFinal, type PaymentRecord } from '../../web/data/records.ts';

/** An in-memory store that logs every write, to check what was stored before what was sent. */
class MemoryStore implements FlowStore {
  rows = new Map<string, PaymentRecord>();
  constructor(private log: string[]) {}
  async get(outNo: string) {
    const r = this.rows.get(outNo);
    return r && { ...r };
  }
  async put(rec: PaymentRecord) {
    this.log.push(`put ${rec.outNo} ${rec.status}`);
    this.rows.set(rec.outNo, { ...rec });
  }
  async update(outNo: string, fn: (r: PaymentRecord) => PaymentRecord | null) {
    const r = this.rows.get(outNo);
    if (!r) return undefined;
    const next = fn({ ...r });
    if (!next) return r;
    this.log.push(`update ${outNo} ${next.status}`);
    this.rows.set(outNo, next);
    return next;
  }
  async unfinished() {
    return [...this.rows.values()].filter((r) => !isFinal(r.status)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}

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
