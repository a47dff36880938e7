/**
 * When the connection to a chain's database drops (the database restarted, a network device dropped
 * the session, an administrator ended it): the proxy opens a new connection and goes on taking
 * payments, without being restarted. A write waiting too long for the ledger's write lock fails
 * within the statement limit instead of hanging the proxy, and leaves the connection usable. And the
 * connection strings carry bounds for a network gone silent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, PostgresError, withNetworkBounds } from '../../proxy/ledger/postgres.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { createChainDatabase, type ChainDatabase } from '../helpers/chain.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, tempDataDir, type Client } from '../helpers/store.ts';

let chain: ChainDatabase;
let store: RunningStore;
let cashier: Client;

/** Ends every other session on the chain's database, as a database restart or a dropped network does. */
function endSessions(): number {
  const admin = openPostgres({ url: chain.url });
  try {
    return admin.prepare('SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()').pluck().get() as number;
  } finally {
    admin.close();
  }
}

async function pay(amountFen: number) {
  const r = await cashier.post('/api/payments', { outNo: newOutNo('DB'), amountFen, authCode: freshWechatCode() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.status).toBe('paid');
  return r.body.outNo as string;
}

beforeAll(async () => {
  chain = createChainDatabase();
  store = await startTestStore({ dataDir: tempDataDir(), databaseUrl: chain.url, providers: ['weishouyin'] });
  cashier = await pair(store, 'cashier');
});
afterAll(async () => {
  await store?.close();
  chain?.drop();
});

describe("a proxy whose database connection drops", () => {
  it('opens a new connection and goes on: payments, the order list and the pairing of a till', async () => {
    const before = await pay(1200);
    expect(endSessions()).toBeGreaterThan(0);
    // The next payment's first statement meets the dead connection; it is read again or begun again on a new one.
    const after = await pay(3400);
    const listed = (await cashier.get('/api/payments?pageSize=10')).body.items.map((p: { outNo: string }) => p.outNo);
    expect(listed).toEqual(expect.arrayContaining([before, after]));

    expect(endSessions()).toBeGreaterThan(0);
    const manager = await pair(store, 'manager');
    expect((await manager.get(`/api/payments/${after}/history`)).status).toBe(200);
    expect(store.ledger.getPayment(after)?.status).toBe('paid');
  });

  it('fails a write that waits too long for the write lock, and the connection stays usable', () => {
    const holder = openPostgres({ url: chain.url });
    const waiter = openPostgres({ url: chain.url, statementTimeoutMs: 300 });
    try {
      let waited = 0;
      holder.transaction(() => {
        const started = Date.now();
        // Another proxy holds the ledger's write lock (this process blocks in the wait: synchronous calls).
        expect(() => waiter.transaction(() => waiter.exec('SELECT 1'))()).toThrow(PostgresError);
        waited = Date.now() - started;
      })();
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5_000);
      // The failed BEGIN was ended: the next transaction works.
      expect(waiter.transaction(() => waiter.prepare('SELECT 41 + 1 AS n').pluck().get())()).toBe(42);
    } finally {
      holder.close();
      waiter.close();
    }
  });
});

describe('connection strings', () => {
  it('gain bounds for a silent network, keeping any the operator set', () => {
    const url = new URL(withNetworkBounds('postgres://pos:secret@db.internal:5432/pos?connect_timeout=3&sslmode=require'));
    expect(url.searchParams.get('connect_timeout')).toBe('3');
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect(url.searchParams.get('keepalives')).toBe('1');
    expect(url.searchParams.get('tcp_user_timeout')).toBe('20000');
    expect(url.password).toBe('secret');
    const kv = withNetworkBounds('host=db.internal dbname=pos keepalives_idle=30');
    expect(kv).toContain('keepalives_idle=30');
    expect(kv).not.toContain('keepalives_idle=10');
    expect(kv).toContain('connect_timeout=10');
  });
});
