/**
 * Rate limits and lock-outs in the ledger's database (proxy/http/db-limit-store.ts): the LimitStore
 * contract on a real ledger (SQLite here, PostgreSQL under vitest.postgres.config.ts), counts that add
 * up when two processes hit one key at once, and over HTTP two proxies on one ledger: pairing failures
 * counted on one refuse the client on the other, a supervisor lock-out made on one holds on the other,
 * and both survive a restart.
 *
 * Two proxies on one SQLite file in one test process work (WAL; every transaction is synchronous, so
 * neither waits on the other); a real chain runs them on PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DbLimitStore } from '../../proxy/http/db-limit-store.ts';
import { RateLimit } from '../../proxy/http/rate-limit.ts';
import { openDb, type Db } from '../../proxy/ledger/db.ts';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/simulator.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, tempDataDir, type Client } from '../helpers/store.ts';

const SUPERVISOR = 'sup-secret-8841'; // tests/helpers/store.ts
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}

describe('DbLimitStore: the LimitStore contract on a ledger database', () => {
  let db: Db;
  let store: DbLimitStore;
  beforeEach(() => {
    db = openDb(':memory:');
    store = new DbLimitStore(db);
  });
  afterEach(() => db.close());

  it('counts in a fixed window that starts with the first hit, then starts a fresh one', () => {
    expect(db.dialect).toBe(process.env.POS_TEST_POSTGRES_URL ? 'postgres' : 'sqlite');
    expect(store.hit('k', 100, 1_000)).toEqual({ count: 1, resetAt: 1_100 });
    expect(store.hit('k', 100, 1_050)).toEqual({ count: 2, resetAt: 1_100 });
    expect(store.hit('k', 100, 1_099)).toEqual({ count: 3, resetAt: 1_100 });
    expect(store.hit('other', 100, 1_099)).toEqual({ count: 1, resetAt: 1_199 });
    // The window ends at resetAt: the hit there opens a new one.
    expect(store.hit('k', 100, 1_100)).toEqual({ count: 1, resetAt: 1_200 });
  });

  it('peeks without counting; nothing once the window is over or reset', () => {
    expect(store.peek('k', 0)).toBeUndefined();
    store.hit('k', 100, 1_000);
    store.hit('k', 100, 1_010);
    expect(store.peek('k', 1_020)).toEqual({ count: 2, resetAt: 1_100 });
    expect(store.peek('k', 1_020)).toEqual({ count: 2, resetAt: 1_100 });
    expect(store.peek('k', 1_100)).toBeUndefined();
    store.hit('k', 100, 1_200);
    store.reset('k');
    expect(store.peek('k', 1_201)).toBeUndefined();
    expect(store.hit('k', 100, 1_202)).toEqual({ count: 1, resetAt: 1_302 });
  });

  it('locks until a time; a new lock replaces the old one; unlock lifts it', () => {
    expect(store.lockedUntil('k', 0)).toBeUndefined();
    store.lock('k', 5_000);
    expect(store.lockedUntil('k', 4_999)).toBe(5_000);
    expect(store.lockedUntil('k', 5_000)).toBeUndefined();
    expect(store.lockedUntil('other', 4_999)).toBeUndefined();
    store.lock('k', 9_000);
    expect(store.lockedUntil('k', 6_000)).toBe(9_000);
    // Times past 2^31 ms (every real one) round-trip exactly.
    const now = Date.now();
    store.lock('real', now + 900_000);
    expect(store.lockedUntil('real', now)).toBe(now + 900_000);
    // A manager lifts a lock early; other keys keep theirs.
    store.unlock('real');
    expect(store.lockedUntil('real', now)).toBeUndefined();
    expect(store.lockedUntil('k', 6_000)).toBe(9_000);
  });

  it('drives RateLimit as the memory store does: 429 with the time left, the first refusal marked', () => {
    let now = 1_000;
    const limit = new RateLimit('t', store, { max: 2, windowMs: 100 }, () => now);
    expect(limit.take('a')).toBe(1);
    expect(limit.take('a')).toBe(2);
    expect(() => limit.take('a')).toThrow(expect.objectContaining({ status: 429, retryAfterMs: 100, firstInWindow: true }));
    now += 40;
    expect(() => limit.take('a')).toThrow(expect.objectContaining({ retryAfterMs: 60, firstInWindow: false }));
    expect(limit.take('b')).toBe(1);
    now += 60;
    expect(limit.take('a')).toBe(1);
  });

  it('sweeps expired rows a bounded batch at a time, and keeps the live ones', () => {
    const count = (table: string) => Number(db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get());
    for (let i = 0; i < 450; i++) {
      store.hit(`old${i}`, 10, 0);
      store.lock(`old${i}`, 10);
    }
    store.hit('live', 120_000, 0);
    store.lock('live', 120_000);
    expect([count('rate_windows'), count('rate_locks')]).toEqual([451, 451]);
    // The first hit swept (nothing was expired then); the next sweep is a minute later.
    store.hit('x', 10, 30_000);
    expect(count('rate_windows')).toBe(452);
    store.hit('x', 10, 60_000);
    expect([count('rate_windows'), count('rate_locks')]).toEqual([252, 251]);
    // A full batch sweeps again on the next hit, until the backlog is gone.
    store.hit('x', 10, 60_001);
    store.hit('x', 10, 60_002);
    expect([count('rate_windows'), count('rate_locks')]).toEqual([2, 1]);
    expect(store.peek('live', 60_002)).toEqual({ count: 1, resetAt: 120_000 });
    expect(store.lockedUntil('live', 60_002)).toBe(120_000);
  });
});

describe('DbLimitStore across processes', () => {
  it('two processes hitting one key at once lose no count', async () => {
    const dir = dataDir();
    const db = openDb(dir); // migrated before the workers start
    const run = promisify(execFile);
    const worker = `
      import { DbLimitStore } from ${JSON.stringify(`${ROOT}proxy/http/db-limit-store.ts`)};
      import { openDb } from ${JSON.stringify(`${ROOT}proxy/ledger/db.ts`)};
      const db = openDb(process.env.LIMIT_DIR);
      const store = new DbLimitStore(db);
      for (let i = 0; i < 150; i++) store.hit('shared', 600000, 1000);
      db.close();
    `;
    const args = ['--import', 'tsx', '--input-type=module', '-e', worker];
    const env = { ...process.env, LIMIT_DIR: dir };
    await Promise.all([run(process.execPath, args, { cwd: ROOT, env }), run(process.execPath, args, { cwd: ROOT, env })]);
    expect(new DbLimitStore(db).peek('shared', 1_000)).toEqual({ count: 300, resetAt: 601_000 });
    db.close();
  }, 30_000);
});

describe('two proxies on one ledger, over HTTP', () => {
  const stores: RunningStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
  });

  const security = {
    trustProxy: true,
    pairing: { max: 3, windowMs: 60_000 },
    supervisor: { maxFailures: 2, windowMs: 60_000, lockMs: 60_000 },
  };
  /** Proxy A: a sandbox store. */
  const startA = (dir: string) => startTestStore({ dataDir: dir, security });
  /** Proxy B on A's ledger, with A's sandbox as its provider (a second sandbox would share A's book files). */
  const startB = (dir: string, a: RunningStore) =>
    startTestStore({
      dataDir: dir,
      security,
      mode: 'live',
      providers: ['mct1'],
      mct1: { baseUrl: `${a.url}/sandbox/mct1`, openId: SANDBOX_STORE.openId, openKey: SANDBOX_STORE.openKey, shopPass: SANDBOX_STORE.shopPass },
    });
  const track = (s: RunningStore) => (stores.push(s), s);

  function pairFrom(s: RunningStore, address: string, code: string) {
    return fetch(`${s.url}/api/terminals/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ code }),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  }

  it('pairing failures counted on A refuse the client on B, and after B restarts', async () => {
    const dir = dataDir();
    const a = track(await startA(dir));
    let b = track(await startB(dir, a));
    for (let i = 0; i < 3; i++) expect((await pairFrom(a, '10.7.0.1', '99999999')).status).toBe(401);
    const good = b.terminals.createPairingCode('cashier', 60_000).code;
    const refused = await pairFrom(b, '10.7.0.1', good);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    // Per address: another client pairs on B with the same code (it was not used up).
    expect((await pairFrom(b, '10.7.0.2', good)).status).toBe(200);

    await b.close();
    b = track(await startB(dir, a));
    expect((await pairFrom(b, '10.7.0.1', b.terminals.createPairingCode('cashier', 60_000).code)).status).toBe(429);
  });

  it('a supervisor lock-out made on A holds on B, the right password too', async () => {
    const dir = dataDir();
    const a = track(await startA(dir));
    const b = track(await startB(dir, a));
    // Terminals are in the shared ledger: paired on A, the till's token works on B.
    const tillOnA = await pair(a, 'cashier');
    const tillOnB: Client = { ...tillOnA, post: (path, body) => callAs(b, tillOnA.token, path, body) };
    const outNo = newOutNo();
    expect((await tillOnA.post('/api/payments', { outNo, amountFen: 1000, authCode: freshWechatCode() })).body.status).toBe('paid');
    const refund = (client: Client, supervisorPassword: string) =>
      client.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 1, reason: 'chain lock', supervisorPassword });

    expect((await refund(tillOnB, 'guess-1')).body.error.code).toBe('supervisor_password_wrong');
    const locked = await refund(tillOnA, 'guess-2');
    expect([locked.status, locked.body.error.code]).toEqual([429, 'supervisor_locked']);
    const onB = await refund(tillOnB, SUPERVISOR);
    expect([onB.status, onB.body.error.code]).toEqual([429, 'supervisor_locked']);
    expect(Number(onB.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(a.ledger.refundsOf(outNo)).toHaveLength(0);
  });
});

async function callAs(s: RunningStore, token: string, path: string, body: unknown) {
  const r = await fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  return { status: r.status, body: await r.json(), headers: r.headers };
}
