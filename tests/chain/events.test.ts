/**
 * A provider's callback handled by one proxy reaches a till streaming its events from another
 * (proxy/events/chain-feed.ts): two whole proxies in one process on one PostgreSQL schema; a till on
 * B takes a QR payment whose callback lands on A, and B's event stream tells the till it is paid;
 * then a partial refund made through A reaches the till as well.
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/simulator.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { openEvents } from '../helpers/event-stream.ts';
import { newOutNo, pair, startTestStore, tempDataDir, waitFor } from '../helpers/store.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('two proxies on one PostgreSQL ledger', () => {
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

      // A partial refund through A (the status stays paid) reaches the till on B too, once.
      const refunded = await managerOnA.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 500, reason: '部分退款' });
      expect(refunded.body.status).toBe('refunded');
      const seen = () => tillStream.events.filter((e) => e.outNo === outNo && e.refundedFen === 500);
      await waitFor(() => seen().length > 0, 3_000, 20);
      expect(seen()[0]).toMatchObject({ status: 'paid', refundedFen: 500 });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(seen()).toHaveLength(1);
    } finally {
      tillStream.close();
      managerStream.close();
    }
  });
});
