/**
 * Provider callbacks (mct1 §4.8, `GET|POST /notify/mct1`), table-driven, over real HTTP: a forged
 * signature, a timestamp outside the ±600 s window on either side, a replay, an unknown order, a
 * different amount, a valid signature the order query contradicts, malformed bodies — each changes
 * nothing in the ledger (payments, state changes, refunds) and is answered as a refusal (anything
 * but `notify_success`, so a genuine provider would try again). A valid callback changes the state
 * exactly once, even delivered ten times at once.
 *
 * The store's mct1 is the simulator behind the test's provider host (the sandbox store's own
 * credentials), so a test can shape the provider's books (an order's amount) the way no API can.
 * Its callbacks go to a closed port: only the callbacks this test sends reach the proxy.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackSign } from '../../proxy/providers/mct1/sign.ts';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/simulator.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { newOutNo, pair, startTestStore, tempDataDir, type Client } from '../helpers/store.ts';
import { startProviderHost, type ProviderHost } from './provider-host.ts';
import { ledgerRows } from './scan.ts';

let host: ProviderHost;
let store: RunningStore;
let cashier: Client;
let dataDir: string;

beforeAll(async () => {
  host = await startProviderHost({ mct1: { notifyBaseMs: 600_000 } });
  dataDir = tempDataDir();
  store = await startTestStore({
    dataDir,
    providers: ['mct1'],
    mct1: { baseUrl: host.baseUrl('mct1') },
    // Nothing listens on port 9: the simulator's own callbacks never arrive.
    publicUrl: 'http://127.0.0.1:9',
    // No polling in the test's time: only a callback (and the query it makes) can move a payment.
    timing: { pollIntervalMs: 600_000, qrTimeoutMs: 600_000 },
  });
  cashier = await pair(store, 'cashier');
});
afterAll(async () => {
  await store?.close();
  await host?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type Params = Record<string, string>;
const nowS = () => Math.floor(Date.now() / 1000);
let rand = 0;
/** A callback as mct1 signs it (§4.8.1.1), for our order `outNo`. */
function signed(outNo: string, ordNo: string, over: Params = {}, key: string = SANDBOX_STORE.openKey): Params {
  const p: Params = { ord_no: ordNo, out_no: outNo, status: '1', timestamp: String(nowS()), rand_str: `r${++rand}x${Math.random().toString(36).slice(2)}`, ...over };
  return { ...p, sign: callbackSign(p, key) };
}

interface Delivery {
  method?: 'GET' | 'POST';
  params?: Params;
  /** A raw POST body instead of params (then `contentType` says what it is). */
  body?: string;
  contentType?: string;
}

async function deliver(d: Delivery): Promise<{ status: number; text: string }> {
  const url = `${store.url}/notify/mct1`;
  let res: Response;
  if (d.body !== undefined || d.method === 'POST') {
    const body = d.body ?? new URLSearchParams(d.params).toString();
    res = await fetch(url, { method: 'POST', headers: { 'content-type': d.contentType ?? 'application/x-www-form-urlencoded' }, body });
  } else {
    res = await fetch(`${url}?${new URLSearchParams(d.params)}`);
  }
  return { status: res.status, text: await res.text() };
}

/**
 * Everything a callback must not touch, as the ledger file has it, one line per row: every state
 * change and refund, and every payment but for when the resolver asks next (`next_check_at`,
 * `checks`, `updated_at`: a callback may make the proxy ask the provider, and other payments are
 * being asked about meanwhile).
 */
function books(): string[] {
  const payment = ({ next_check_at, checks, updated_at, ...r }: Record<string, unknown>) => `payments ${JSON.stringify(r)}`;
  return [
    ...ledgerRows(dataDir, 'SELECT * FROM payments ORDER BY out_no').map(payment),
    ...ledgerRows(dataDir, 'SELECT * FROM payment_events ORDER BY id').map((r) => `payment_events ${JSON.stringify(r)}`),
    ...ledgerRows(dataDir, 'SELECT * FROM refunds ORDER BY refund_no').map((r) => `refunds ${JSON.stringify(r)}`),
  ];
}

/** The rows that changed between two looks at the books (empty: nothing did). */
function changes(before: string[], after: string[]): string[] {
  const was = new Set(before);
  const is = new Set(after);
  return [...before.filter((r) => !is.has(r)).map((r) => `- ${r}`), ...after.filter((r) => !was.has(r)).map((r) => `+ ${r}`)];
}

/** A QR (C扫B) order waiting for the customer: `paying` in our books, status 2 at the provider. */
async function waitingOrder(amountFen = 2300): Promise<{ outNo: string; ordNo: string }> {
  const outNo = newOutNo('N');
  const r = await cashier.post('/api/payments', { outNo, amountFen, method: 'mct1:Weixin:qr' });
  expect(r.body).toMatchObject({ status: 'paying', providerRef: expect.any(String) });
  return { outNo, ordNo: r.body.providerRef };
}

const simOrder = (ordNo: string) => host.mct1.state.orders[ordNo];
/** The customer pays at the provider (its callback goes nowhere). */
async function payAtProvider(ordNo: string) {
  expect((await host.admin('mct1', `/orders/${ordNo}/pay`, { method: 'POST' })).status).toBe(200);
  expect(simOrder(ordNo).status).toBe(1);
}

interface Refusal {
  name: string;
  /** Sets the scene (the order as the provider has it) and returns the delivery. */
  make(o: { outNo: string; ordNo: string }): Delivery | Promise<Delivery>;
  /** 400 `fail` unless said otherwise; `any`: not asserted (a genuine, signed callback may be acknowledged). */
  status?: number | 'any';
  /** The callbacks table's word for it (null: not recorded); `any`: not asserted. */
  outcome: 'rejected' | 'unknown_order' | null | 'any';
}

const REFUSALS: Refusal[] = [
  { name: 'forged signature (random)', make: (o) => ({ params: { ...signed(o.outNo, o.ordNo), sign: 'a'.repeat(32) } }), outcome: 'rejected' },
  { name: 'signed with another key', make: (o) => ({ params: signed(o.outNo, o.ordNo, {}, 'f'.repeat(32)) }), outcome: 'rejected' },
  { name: 'signed fields changed after signing (status 4 → 1)', make: (o) => ({ params: { ...signed(o.outNo, o.ordNo, { status: '4' }), status: '1' } }), outcome: 'rejected' },
  { name: 'signed, other out_no substituted', make: async (o) => ({ params: { ...signed(o.outNo, o.ordNo), out_no: (await waitingOrder()).outNo } }), outcome: 'rejected' },
  { name: 'signature upper-cased and padded', make: (o) => { const p = signed(o.outNo, o.ordNo); return { params: { ...p, sign: ` ${p.sign.toUpperCase()}0` } }; }, outcome: 'rejected' },
  { name: 'timestamp 601 s old', make: (o) => ({ params: signed(o.outNo, o.ordNo, { timestamp: String(nowS() - 601) }) }), outcome: 'rejected' },
  { name: 'timestamp 601 s ahead', make: (o) => ({ params: signed(o.outNo, o.ordNo, { timestamp: String(nowS() + 601) }) }), outcome: 'rejected' },
  { name: 'timestamp a day old, by POST', make: (o) => ({ method: 'POST', params: signed(o.outNo, o.ordNo, { timestamp: String(nowS() - 86_400) }) }), outcome: 'rejected' },
  {
    name: 'unknown order (valid signature)',
    make: () => ({ params: signed('NOSUCHORDER42', '9999999') }),
    status: 404,
    outcome: 'unknown_order',
  },
  {
    name: 'valid signature, the provider still waits for the customer (query disagrees)',
    make: (o) => ({ params: signed(o.outNo, o.ordNo) }),
    outcome: 'any',
    status: 'any',
  },
  {
    name: 'valid signature, the provider was paid a different amount than our books',
    async make(o) {
      await payAtProvider(o.ordNo);
      simOrder(o.ordNo).tradeAmount += 1;
      return { params: signed(o.outNo, o.ordNo, { trade_amount: '1', total_fee: '0.01' }) };
    },
    outcome: 'any',
    status: 'any',
  },
  // Malformed: refused before anything is looked at.
  { name: 'no parameters', make: () => ({ params: {} }), outcome: 'rejected' },
  { name: 'sign not hex', make: (o) => ({ params: { ...signed(o.outNo, o.ordNo), sign: 'z'.repeat(32) } }), outcome: 'rejected' },
  { name: 'status 2 (not a callback status)', make: (o) => ({ params: signed(o.outNo, o.ordNo, { status: '2' }) }), outcome: 'rejected' },
  { name: 'timestamp not a number', make: (o) => ({ params: signed(o.outNo, o.ordNo, { timestamp: '1e9' }) }), outcome: 'rejected' },
  { name: 'out_no 65 characters', make: (o) => ({ params: signed('X'.repeat(65), o.ordNo) }), outcome: 'rejected' },
  { name: 'no rand_str', make: (o) => { const p = signed(o.outNo, o.ordNo); delete p.rand_str; return { params: p }; }, outcome: 'rejected' },
  { name: 'JSON body that is not JSON', make: () => ({ body: '{"out_no":', contentType: 'application/json' }), outcome: 'rejected' },
  { name: 'JSON array body', make: (o) => ({ body: JSON.stringify([signed(o.outNo, o.ordNo)]), contentType: 'application/json' }), outcome: 'rejected' },
  { name: 'XML body', make: (o) => ({ body: `<xml><out_no>${o.outNo}</out_no></xml>`, contentType: 'text/xml' }), outcome: 'rejected' },
  { name: 'body over 16 KiB', make: (o) => ({ method: 'POST', params: { ...signed(o.outNo, o.ordNo), pad: 'x'.repeat(20_000) } }), status: 413, outcome: null },
  { name: 'parameters repeated (two out_no)', make: (o) => ({ body: `${new URLSearchParams(signed(o.outNo, o.ordNo))}&out_no=OTHER1`, method: 'POST' }), outcome: 'rejected' },
];

describe('mct1 callbacks that must change nothing', () => {
  for (const r of REFUSALS) {
    it(r.name, async () => {
      const o = await waitingOrder();
      const delivery = await r.make(o);
      const before = books();
      const callbacksBefore = store.ledger.callbacks().length;
      const answer = await deliver(delivery);
      if (r.status !== 'any') {
        expect(answer.status).toBe(r.status ?? 400);
        expect(answer.text).not.toBe('notify_success');
      }
      // Give a wrongly accepted callback the time to do its damage before looking.
      await new Promise((res) => setTimeout(res, 100));
      expect(changes(before, books()), 'payments, state changes and refunds are untouched').toEqual([]);
      expect(store.ledger.getPayment(o.outNo)!.status).toBe('paying');
      const arrived = store.ledger.callbacks().slice(callbacksBefore);
      if (r.outcome === null) expect(arrived).toEqual([]);
      else if (r.outcome !== 'any') expect(arrived.map((c) => c.outcome)).toEqual([r.outcome]);
      // The refused one did not even create a payment for an order we do not have.
      expect(store.ledger.getPayment('NOSUCHORDER42')).toBeUndefined();
    });
  }

  it('a replayed valid callback changes nothing after the first and is answered notify_success', async () => {
    const o = await waitingOrder();
    await payAtProvider(o.ordNo);
    const params = signed(o.outNo, o.ordNo);
    expect(await deliver({ params })).toEqual({ status: 200, text: 'notify_success' });
    expect(store.ledger.getPayment(o.outNo)!.status).toBe('paid');
    const before = books();
    for (const method of ['GET', 'POST', 'GET'] as const) expect(await deliver({ method, params })).toEqual({ status: 200, text: 'notify_success' });
    expect(changes(before, books())).toEqual([]);
    expect(store.ledger.callbacks(o.outNo).map((c) => c.outcome)).toEqual(['accepted', 'replayed', 'replayed', 'replayed']);
  });
});

describe('a valid callback', () => {
  it('delivered 10 times at once changes the state exactly once', async () => {
    const o = await waitingOrder(4200);
    await payAtProvider(o.ordNo);
    const params = signed(o.outNo, o.ordNo);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => deliver({ method: i % 2 ? 'POST' : 'GET', params })));
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ status: 200, text: 'notify_success' })));
    expect(store.ledger.getPayment(o.outNo)).toMatchObject({ status: 'paid', amountFen: 4200, providerRef: o.ordNo });
    expect(store.ledger.events(o.outNo).filter((e) => e.to === 'paid')).toHaveLength(1);
    const outcomes = store.ledger.callbacks(o.outNo).map((c) => c.outcome).sort();
    expect(outcomes).toEqual(['accepted', ...Array(9).fill('replayed')]);
  });

  it('sent 10 times at once with different signatures (the provider repeating itself) still pays once', async () => {
    const o = await waitingOrder(4300);
    await payAtProvider(o.ordNo);
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver({ params: signed(o.outNo, o.ordNo) })));
    expect(answers.every((a) => a.status === 200 && a.text === 'notify_success')).toBe(true);
    expect(store.ledger.getPayment(o.outNo)).toMatchObject({ status: 'paid', amountFen: 4300 });
    expect(store.ledger.events(o.outNo).filter((e) => e.to === 'paid')).toHaveLength(1);
    expect(store.ledger.callbacks(o.outNo).filter((c) => c.outcome === 'accepted')).toHaveLength(10);
  });

  it('when the provider cannot be asked (connection dropped), the signed callback alone settles it — once', async () => {
    const o = await waitingOrder(4500);
    await payAtProvider(o.ordNo);
    expect((await host.admin('mct1', '/faults', { body: { op: 'paystatus', fault: 'drop', count: 1 } })).status).toBe(201);
    const params = signed(o.outNo, o.ordNo);
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver({ params })));
    expect(answers.every((a) => a.status === 200 && a.text === 'notify_success')).toBe(true);
    expect(store.ledger.getPayment(o.outNo)).toMatchObject({ status: 'paid', amountFen: 4500 });
    expect(store.ledger.events(o.outNo).filter((e) => e.to === 'paid')).toEqual([expect.objectContaining({ reason: 'verified callback' })]);
    await host.admin('mct1', '/faults', { method: 'DELETE' });
  });

  it('a cancel callback the provider confirms closes a waiting order once', async () => {
    const o = await waitingOrder(4400);
    // The provider closed it (e.g. the QR expired there).
    simOrder(o.ordNo).status = 4;
    const params = signed(o.outNo, o.ordNo, { status: '4' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver({ params })));
    expect(answers.every((a) => a.text === 'notify_success')).toBe(true);
    expect(store.ledger.getPayment(o.outNo)!.status).toBe('cancelled');
    expect(store.ledger.events(o.outNo).filter((e) => e.to === 'cancelled')).toHaveLength(1);
  });
});
