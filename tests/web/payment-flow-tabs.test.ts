/**
 * The payment flow across tabs (one Web Lock per payment) and offline (the Dexie outbox): two
 * flows share one store and one lock manager, as two tabs share IndexedDB and `navigator.locks`.
 */
import { describe, expect, it } from 'vitest';
import type { CreatePaymentRequest, PaymentView } from '../../contract/api.ts';
import { ApiError, NetworkError } from '../../web/data/api.ts';
import { paymentLockName, PaymentFlow, type FlowApi, type FlowLocks } from '../../web/data/payment-flow.ts';
import { MemoryStore } from './payment-flow-store.ts';
import { isFinal, type PaymentRecord } from '../../web/data/records.ts';


/** Web Locks with `ifAvailable`, in memory: one holder per name. */
class MemoryLocks implements FlowLocks {
  held = new Set<string>();
  async request<T>(name: string, _options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T> {
    if (this.held.has(name)) return callback(null);
    this.held.add(name);
    try {
      return await callback({ name });
    } finally {
      this.held.delete(name);
    }
  }
}

/**
 * The proxy as far as the browser sees it: stores a payment under its outNo once (a second POST
 * with the same outNo is answered with the stored one, never charged again), and can be down.
 */
class FakeProxy {
  up = true;
  /** Answers this many POSTs with a dropped connection after storing the payment. */
  dropAnswers = 0;
  /** Each POST that reached the proxy; `charged` counts payments actually taken. */
  arrived: string[] = [];
  charged = 0;
  payments = new Map<string, PaymentView>();
  /** The status a new payment gets (then `paid` on the next GET). */
  firstStatus: PaymentView['status'] = 'paid';

  /** One tab's API client over this proxy, logging its calls under `tab`. */
  client(tab: string, log: string[]): FlowApi {
    return {
      createPayment: async (req: CreatePaymentRequest) => {
        log.push(`${tab} POST ${req.outNo}`);
        if (!this.up) throw new NetworkError('无法连接服务器 / Cannot reach the server');
        this.arrived.push(req.outNo);
        const view: PaymentView = this.payments.get(req.outNo) ?? {
          outNo: req.outNo,
          amountFen: req.amountFen,
          status: this.firstStatus,
          method: req.method ?? 'mct1:Cash',
          provider: 'mct1',
        };
        if (!this.payments.has(req.outNo)) {
          this.payments.set(req.outNo, view);
          this.charged++;
        }
        if (this.dropAnswers > 0) {
          this.dropAnswers--;
          throw new NetworkError('connection dropped');
        }
        return { ...view };
      },
      getPayment: async (outNo: string) => {
        log.push(`${tab} GET ${outNo}`);
        if (!this.up) throw new NetworkError('无法连接服务器 / Cannot reach the server');
        const view = this.payments.get(outNo);
        if (!view) throw new ApiError(404, 'payment_not_found', 'no such payment');
        if (view.status === 'paying') view.status = 'paid';
        return { ...view };
      },
    };
  }
}

const FAST = { pollMs: 1, slowPollMs: 1, minBackoffMs: 1, maxBackoffMs: 2, slowAfterMs: 60_000 };
const OUT = 'P20240501120000abcdefgh';
const CASH = { amountFen: 1234, method: 'mct1:Cash', kind: 'cash' as const };
const SCAN = { amountFen: 500, method: 'weishouyin:wx', authCode: '134567890123456789' };

function tabs() {
  const log: string[] = [];
  const store = new MemoryStore(log);
  const locks = new MemoryLocks();
  const proxy = new FakeProxy();
  const flow = (tab: string) => new PaymentFlow({ api: proxy.client(tab, log), store, locks, timing: FAST });
  return { log, store, locks, proxy, a: flow('A'), b: flow('B') };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('one payment never runs in two tabs', () => {
  it('two flows over one store and one lock manager: only one drives it (one POST)', async () => {
    const t = tabs();
    t.proxy.firstStatus = 'paying';
    const { done } = await t.a.start(SCAN, OUT);
    expect(t.locks.held.has(paymentLockName(OUT))).toBe(true);
    // Tab B finds the payment (a reload, its open list) while A is sending it.
    const followed = t.b.resume(OUT);
    expect(t.b.isRunning(OUT)).toBe(true);
    await Promise.all([done, followed]);

    expect(t.store.rows.get(OUT)!.status).toBe('paid');
    expect(t.proxy.arrived).toEqual([OUT]);
    expect(t.log.filter((l) => l.includes('POST'))).toEqual([`A POST ${OUT}`]);
    // B only read the shared store: it never called the proxy for this payment.
    expect(t.log.filter((l) => l.startsWith('B '))).toEqual([]);
    expect(t.locks.held.size).toBe(0);
  });

  it('both tabs resume the same stored payment at once: one asks the proxy, the other follows', async () => {
    const t = tabs();
    const at = new Date().toISOString();
    await t.store.put({ outNo: OUT, amountFen: 1234, method: CASH.method, kind: 'cash', status: 'pending', createdAt: at, updatedAt: at });
    await Promise.all([t.a.resume(OUT), t.b.resume(OUT)]);
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
    expect(t.proxy.arrived).toEqual([OUT]);
    const calls = t.log.filter((l) => / (GET|POST) /.test(l));
    // Whoever drove it asked first (404), then sent it; the other never called.
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(/^[AB] GET /);
    expect(calls[1]).toBe(calls[0].replace('GET', 'POST'));
  });

  it('a tab closed mid-payment: the other takes over when the lock is free, asking before sending', async () => {
    const t = tabs();
    t.proxy.up = false;
    const { done } = await t.a.start(SCAN, OUT);
    const followed = t.b.resume(OUT);
    await tick(20);
    expect(t.log.filter((l) => l.startsWith('B '))).toEqual([]); // A holds it
    t.a.stop(); // the tab is closed: its lock goes with it
    await done;
    t.proxy.up = true;
    await followed;
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
    const b = t.log.filter((l) => l.startsWith('B '));
    expect(b[0]).toBe(`B GET ${OUT}`);
    expect(b.at(-1)).toBe(`B POST ${OUT}`);
    expect(t.proxy.arrived).toEqual([OUT]);
    expect(t.proxy.charged).toBe(1);
  });

  it('a fresh payment is locked before it is stored, so no other tab can send it first', async () => {
    const t = tabs();
    t.locks.held.add(paymentLockName(OUT)); // (only a colliding outNo could be held already)
    await expect(t.a.start(SCAN, OUT)).rejects.toThrow(/another tab/);
    expect(t.store.rows.size).toBe(0);
    expect(t.proxy.arrived).toEqual([]);
  });
});

describe('cash offline: the Dexie outbox', () => {
  it('is stored before anything else, waits while the proxy is down, then is sent once when it comes back', async () => {
    const t = tabs();
    t.proxy.up = false;
    const { record, done } = await t.a.start(CASH, OUT);
    expect(record.status).toBe('pending');
    expect(t.log[0]).toBe(`put ${OUT} pending`);
    await tick(30);
    // Offline: tried once, then only asked (never re-sent blindly); nothing arrived.
    expect(t.log.filter((l) => l.includes('POST'))).toEqual([`A POST ${OUT}`]);
    expect(t.log.filter((l) => l.includes('GET')).length).toBeGreaterThan(1);
    expect(t.proxy.arrived).toEqual([]);
    expect(t.store.rows.get(OUT)!.status).toBe('pending');

    // The network is back (the `online` event, or the proxy answering again, wakes the outbox).
    t.proxy.up = true;
    t.a.wake();
    await done;
    expect(t.store.rows.get(OUT)).toMatchObject({ status: 'paid', amountFen: 1234, method: CASH.method });
    expect(t.proxy.arrived).toEqual([OUT]);
    expect(t.proxy.charged).toBe(1);
    // Resuming it again (a reload, another tab) changes nothing.
    await t.b.resume(OUT);
    expect(t.proxy.arrived).toEqual([OUT]);
  });

  it('the answer lost after the proxy stored it: the outbox asks, and never sends it twice', async () => {
    const t = tabs();
    t.proxy.dropAnswers = 1;
    await (await t.a.start(CASH, OUT)).done;
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
    expect(t.proxy.arrived).toEqual([OUT]);
    expect(t.log.filter((l) => / (GET|POST) /.test(l))).toEqual([`A POST ${OUT}`, `A GET ${OUT}`]);
  });

  it('cash stored hours ago is still sent (the money is in the drawer); the same outNo is charged once', async () => {
    const t = tabs();
    const at = new Date(Date.now() - 3 * 3600_000).toISOString();
    await t.store.put({ outNo: OUT, amountFen: 1234, method: CASH.method, kind: 'cash', status: 'pending', createdAt: at, updatedAt: at });
    // Sent by a tab that then lost the answer: the proxy has it already.
    t.proxy.up = true;
    await t.proxy.client('X', []).createPayment({ outNo: OUT, amountFen: 1234, method: CASH.method });
    await t.a.resume(OUT);
    expect(t.store.rows.get(OUT)!.status).toBe('paid');
    expect(t.proxy.charged).toBe(1);
    expect(t.log.filter((l) => l.startsWith('A '))).toEqual([`A GET ${OUT}`]);
  });
});
