/**
 * Payment changes made by one proxy reach the terminals of another on the same ledger
 * (proxy/events/chain-feed.ts). First the feed itself, on two connections to one ledger (SQLite file
 * here, one PostgreSQL schema under vitest.postgres.config.ts); then, on PostgreSQL only, two whole
 * proxies: a till on B takes a QR payment whose provider callback lands on A, and B's event stream
 * tells the till it is paid.
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentView } from '../../contract/api.ts';
import { EventBus } from '../../proxy/events/bus.ts';
import { ChainFeed, newOrigin } from '../../proxy/events/chain-feed.ts';
import { openDb, type Db } from '../../proxy/ledger/db.ts';
import { Ledger } from '../../proxy/ledger/payments.ts';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/simulator.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { newOutNo, pair, startTestStore, tempDataDir, waitFor } from '../helpers/store.ts';
import { openEvents } from '../helpers/event-stream.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('ChainFeed on two connections to one ledger', () => {
  let dbA: Db;
  let dbB: Db;
  let a: Ledger;
  let b: Ledger;
  let feed: ChainFeed;
  let published: { outNo: string; status: string; terminalId: string }[];

  beforeEach(() => {
    const dir = tempDataDir();
    dirs.push(dir);
    [dbA, dbB] = [openDb(dir), openDb(dir)];
    a = new Ledger(dbA, { origin: 'PA0000001' });
    b = new Ledger(dbB, { origin: 'PB0000001' });
    const bus = new EventBus();
    published = [];
    bus.subscribe((p, terminalId) => published.push({ outNo: p.outNo, status: p.status, terminalId }));
    // Polled by hand below; the timer would only fire in an hour.
    feed = new ChainFeed({ ledger: b, bus, origin: 'PB0000001', intervalMs: 3_600_000 });
  });
  afterEach(() => {
    feed.stop();
    dbA.close();
    dbB.close();
  });

  const take = (ledger: Ledger, outNo = newOutNo()) => {
    ledger.insertPayment({ outNo, terminalId: 'till-1', storeId: 'main', provider: 'mct1', method: 'mct1:Weixin', amountFen: 1200, status: 'paying', createdAt: new Date().toISOString() });
    return outNo;
  };

  it('writes each event with its proxy', () => {
    const outNo = take(a);
    b.updatePayment(outNo, { status: 'paid' }, 'test');
    expect(dbA.prepare('SELECT to_status, origin FROM payment_events WHERE out_no = ? ORDER BY id').all(outNo)).toEqual([
      { to_status: 'paying', origin: 'PA0000001' },
      { to_status: 'paid', origin: 'PB0000001' },
    ]);
    expect(newOrigin()).toMatch(/^P[0-9a-f]{8}$/);
  });

  it('relays the other proxy\'s changes from its start, once per status, with the terminal', () => {
    const before = take(a);
    feed.start();
    expect(feed.poll()).toBe(0);

    const outNo = take(a);
    expect(feed.poll()).toBe(1);
    expect(published).toEqual([{ outNo, status: 'paying', terminalId: 'till-1' }]);

    // Two changes between polls: the payment as it stands, once.
    a.updatePayment(outNo, { status: 'unknown' }, 'test');
    a.updatePayment(outNo, { status: 'paid' }, 'test');
    expect(feed.poll()).toBe(2);
    expect(published.map((p) => p.status)).toEqual(['paying', 'paid']);
    // The same state recorded again is not published again.
    a.recordEvent(outNo, 'paid', 'paid', 'again');
    expect(feed.poll()).toBe(1);
    expect(published).toHaveLength(2);
    expect(published.some((p) => p.outNo === before)).toBe(false);
  });

  it('skips its own proxy\'s changes, and a change its own proxy has overtaken', () => {
    feed.start();
    const mine = take(b);
    b.updatePayment(mine, { status: 'paid' }, 'test');
    expect(feed.poll()).toBe(0);

    // A books it paid; before B polls, B itself refunds it (B's service published that one).
    const theirs = take(a);
    a.updatePayment(theirs, { status: 'paid' }, 'test');
    b.updatePayment(theirs, { status: 'refunded' }, 'test');
    expect(feed.poll()).toBe(2);
    expect(published).toEqual([]);
  });
});


describe.skipIf(!process.env.POS_TEST_POSTGRES_URL)('two proxies on one PostgreSQL ledger (PostgreSQL run only: a SQLite ledger has one proxy)', () => {
  const stores: RunningStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
  });

  it('a callback handled by A reaches the till streaming from B, and no proxy publishes a change twice', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    // The same data directory: the same schema of the test database (testSchemaFor), one ledger.
    const a = await startTestStore({ dataDir: dir });
    stores.push(a);
    // B takes payments at A's sandbox provider, and the provider calls back the chain's public
    // address, which is A. B never polls the provider in this test's time: only the callback settles.
    const b = await startTestStore({
      dataDir: dir,
      mode: 'live',
      providers: ['mct1'],
      mct1: { baseUrl: `${a.url}/sandbox/mct1`, openId: SANDBOX_STORE.openId, openKey: SANDBOX_STORE.openKey, shopPass: SANDBOX_STORE.shopPass },
      publicUrl: a.url,
      timing: { pollIntervalMs: 120_000 },
    });
    stores.push(b);
    expect(b.ledger.db.dialect).toBe('postgres');

    const till = await pair(b, 'cashier');
    const tillStream = await openEvents(b, till.token);
    const managerOnA = await pair(a, 'manager');
    const managerStream = await openEvents(a, managerOnA.token);
    try {
      const outNo = newOutNo();
      const r = await till.post('/api/payments', { outNo, amountFen: 2300, method: 'mct1:Weixin:qr' });
      expect(r.body).toMatchObject({ status: 'paying', qrCode: expect.any(String) });

      // The customer pays; the provider's callback goes to A.
      const paidAt = Date.now();
      expect((await fetch(`${a.url}/sandbox/mct1/_admin/orders/${outNo}/pay`, { method: 'POST' })).ok).toBe(true);
      await waitFor(() => tillStream.statuses(outNo).includes('paid'), 5_000, 20);
      // The callback's round trip plus at most one poll (500 ms) and some slack.
      expect(Date.now() - paidAt).toBeLessThan(3_000);
      expect(tillStream.events.find((e) => e.outNo === outNo && e.status === 'paid')).toMatchObject({ amountFen: 2300, provider: 'mct1' });
      expect(a.ledger.callbacks(outNo).map((x) => x.outcome)).toEqual(['accepted']);
      // B wrote the payment, A (the only other proxy) the change to paid.
      const origins = b.ledger.db.prepare('SELECT to_status, origin FROM payment_events WHERE out_no = ? ORDER BY id').all(outNo) as { to_status: string; origin: string }[];
      // (Written before the provider is called, the payment starts as unknown.)
      expect(origins.map((o) => o.to_status)).toEqual(['unknown', 'paying', 'paid']);
      const [taken, qr, paid] = origins.map((o) => o.origin);
      expect([taken, paid]).toEqual([`${hostname()}:${b.port}`, `${hostname()}:${a.port}`]);
      expect(qr).toBe(taken);
      expect(paid).not.toBe(taken);

      // Several more polls: nothing arrives twice, on either proxy. A's manager saw the payment taken
      // on B (relayed) and A's own change to paid (published by A, not relayed back to itself).
      await waitFor(() => managerStream.statuses(outNo).includes('paid'), 2_000, 20);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect(tillStream.statuses(outNo).filter((s) => s === 'paid')).toHaveLength(1);
      expect(managerStream.statuses(outNo).filter((s) => s === 'paid')).toHaveLength(1);
      expect(managerStream.statuses(outNo).filter((s) => s === 'paying').length).toBeLessThanOrEqual(1);
      expect(tillStream.statuses(outNo).filter((s) => s === 'paying').length).toBeLessThanOrEqual(1);
    } finally {
      tillStream.close();
      managerStream.close();
    }
  });
});
