/**
 * Rate limits and the supervisor-password lock-out, over real HTTP with small limits from the config:
 * failed pairings per client address, refund requests per terminal, wrong supervisor passwords per
 * terminal (locked for a while; the right password does not lift the lock early).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLimitStore, RateLimit } from '../../proxy/http/rate-limit.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

const SUPERVISOR = 'sup-secret-8841'; // tests/helpers/store.ts
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let store: RunningStore;
let proxied: RunningStore;
/** Paired first: the pairing tests below leave this address locked out for a while. */
let manager: Client;
let other: Client;

beforeAll(async () => {
  [store, proxied] = await Promise.all([
    startTestStore({
      security: {
        pairing: { max: 3, windowMs: 500 },
        // Long enough for five refunds on a loaded machine with the ledger on PostgreSQL.
        refunds: { max: 4, windowMs: 2_000 },
        supervisor: { maxFailures: 3, windowMs: 5_000, lockMs: 1_000 },
      },
    }),
    startTestStore({ security: { trustProxy: true, pairing: { max: 2, windowMs: 60_000 } } }),
  ]);
  manager = await pair(store, 'manager');
  other = await pair(store, 'manager');
});
afterAll(async () => {
  await store?.close();
  await proxied?.close();
});

function pairWith(s: RunningStore, code: string, headers: Record<string, string> = {}) {
  return fetch(`${s.url}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ code }) }).then(
    async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() }),
  );
}

async function paidSale(client: Client, amountFen = 1000): Promise<string> {
  const outNo = newOutNo();
  const r = await client.post('/api/payments', { outNo, amountFen, authCode: freshWechatCode() });
  expect(r.body.status).toBe('paid');
  return outNo;
}

describe('pairing attempts per client address', () => {
  it('after `max` failures every attempt is 429 with Retry-After, a right code too (and it is not used up)', async () => {
    const good = store.terminals.createPairingCode('cashier', 60_000).code;
    for (let i = 0; i < 3; i++) expect((await pairWith(store, '99999999')).status).toBe(401);
    const refused = await pairWith(store, good);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toMatch(/[\u4e00-\u9fff].* \/ Too many attempts/);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(1);

    await sleep(550);
    expect((await pairWith(store, good)).status).toBe(200);
  });

  it('successful pairings do not count: a store can pair many tills in a row', async () => {
    for (let i = 0; i < 5; i++) expect((await pairWith(store, store.terminals.createPairingCode('cashier', 60_000).code)).status).toBe(200);
  });

  it('counts per address; X-Forwarded-For is believed only with trustProxy', async () => {
    // trustProxy: the last X-Forwarded-For entry (what our own reverse proxy appended) is the client.
    for (let i = 0; i < 2; i++) expect((await pairWith(proxied, '99999999', { 'x-forwarded-for': '10.0.0.1' })).status).toBe(401);
    expect((await pairWith(proxied, '99999999', { 'x-forwarded-for': '10.0.0.1' })).status).toBe(429);
    // A forged first entry does not change who the client is.
    expect((await pairWith(proxied, '99999999', { 'x-forwarded-for': '1.2.3.4, 10.0.0.1' })).status).toBe(429);
    expect((await pairWith(proxied, '99999999', { 'x-forwarded-for': '10.0.0.2' })).status).toBe(401);

    // Without trustProxy the header is ignored: all of these are 127.0.0.1.
    await sleep(550); // the first test's window is over
    for (let i = 0; i < 3; i++) expect((await pairWith(store, '99999999', { 'x-forwarded-for': `10.9.9.${i}` })).status).toBe(401);
    expect((await pairWith(store, '99999999', { 'x-forwarded-for': '10.9.9.200' })).status).toBe(429);
  });
});

describe('refund requests per terminal', () => {
  it('the request after `max` in a window is 429 with Retry-After; another terminal is not slowed; the window passes', async () => {
    const outNo = await paidSale(manager);
    const refund = (client: Client) => client.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 1, reason: 'limit' });
    for (let i = 0; i < 4; i++) expect((await refund(manager)).status).toBe(200);
    const refused = await refund(manager);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await refund(other)).status).toBe(200);
    expect(store.ledger.refundsOf(outNo)).toHaveLength(5);

    await sleep(Number(refused.headers.get('retry-after')) * 1000 + 50);
    expect((await refund(manager)).status).toBe(200);
  });
});

describe('supervisor-password attempts', () => {
  it('locks a cashier terminal out after `maxFailures` wrong passwords; the right one does not lift the lock early', async () => {
    const s = await startTestStore({ security: { supervisor: { maxFailures: 3, windowMs: 5_000, lockMs: 800 } } });
    try {
      const till = await pair(s, 'cashier');
      const otherTill = await pair(s, 'cashier');
      const manager = await pair(s, 'manager');
      const outNo = await paidSale(till);
      const refund = (client: Client, supervisorPassword?: string) =>
        client.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 1, reason: 'lock', ...(supervisorPassword === undefined ? {} : { supervisorPassword }) });

      // No password at all is not an attempt.
      expect((await refund(till)).body.error.code).toBe('supervisor_required');
      const first = await refund(till, 'guess-1');
      expect(first.status).toBe(403);
      expect(first.body.error).toMatchObject({ code: 'supervisor_password_wrong', message: expect.stringContaining('再错 2 次') });
      expect((await refund(till, 'guess-2')).body.error.code).toBe('supervisor_password_wrong');
      const third = await refund(till, 'guess-3');
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('supervisor_locked');
      expect(third.body.error.message).toMatch(/已锁定.* \/ Too many wrong supervisor passwords/);
      expect(Number(third.headers.get('retry-after'))).toBe(1);

      const right = await refund(till, SUPERVISOR);
      expect(right.status).toBe(429);
      expect(right.body.error.code).toBe('supervisor_locked');
      expect(s.ledger.refundsOf(outNo)).toHaveLength(0);

      // Only that terminal is locked, and a manager needs no password.
      expect((await refund(otherTill, SUPERVISOR)).body.status).toBe('refunded');
      expect((await refund(manager)).body.status).toBe('refunded');

      await sleep(850);
      expect((await refund(till, SUPERVISOR)).body.status).toBe('refunded');
      // The lock started a fresh count: one wrong password is not another lock.
      expect((await refund(till, 'guess-4')).body.error.code).toBe('supervisor_password_wrong');
    } finally {
      await s.close();
    }
  });

  it('a manager sees the lock-out in the terminal list and lifts it early; the till starts a fresh count', async () => {
    const s = await startTestStore({ security: { supervisor: { maxFailures: 2, windowMs: 60_000, lockMs: 60_000 } } });
    try {
      const till = await pair(s, 'cashier', '一号收银台');
      const manager = await pair(s, 'manager');
      const outNo = await paidSale(till);
      const refund = (supervisorPassword: string) => till.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 1, supervisorPassword });
      expect((await refund('wrong-1')).status).toBe(403);
      expect((await refund('wrong-2')).body.error.code).toBe('supervisor_locked');

      const listed = (await manager.get('/api/terminals')).body as { id: string; lockedUntil?: string }[];
      const lockedUntil = Date.parse(listed.find((t) => t.id === till.terminalId)!.lockedUntil!);
      expect(lockedUntil - Date.now()).toBeGreaterThan(50_000);
      expect(listed.find((t) => t.id === manager.terminalId)!.lockedUntil).toBeUndefined();
      // A cashier may not lift its own lock.
      expect((await till.post(`/api/terminals/${till.terminalId}/unlock`)).status).toBe(403);

      const unlocked = await manager.post(`/api/terminals/${till.terminalId}/unlock`);
      expect(unlocked.status).toBe(200);
      expect(((await manager.get('/api/terminals')).body as { id: string; lockedUntil?: string }[]).find((t) => t.id === till.terminalId)!.lockedUntil).toBeUndefined();
      expect((await refund(SUPERVISOR)).body.status).toBe('refunded');
      // The count starts again: one wrong password is a warning with the full allowance left.
      expect((await refund('wrong-3')).body.error.message).toContain('再错 1 次');
      const again = await manager.post(`/api/terminals/${till.terminalId}/unlock`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('terminal_not_locked');
      expect((await manager.post('/api/terminals/TNOPE/unlock')).status).toBe(404);
      expect(s.ledger.db.prepare("SELECT outcome FROM audit_log WHERE action = 'terminal.unlock' ORDER BY id").pluck().all()).toEqual(['ok', 'terminal_not_locked', 'terminal_not_found']);
    } finally {
      await s.close();
    }
  });

  it('wrong passwords far apart never add up to a lock', async () => {
    const s = await startTestStore({ security: { supervisor: { maxFailures: 2, windowMs: 300, lockMs: 60_000 } } });
    try {
      const till = await pair(s, 'cashier');
      const outNo = await paidSale(till);
      const refund = (supervisorPassword: string) => till.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 1, supervisorPassword });
      expect((await refund('wrong')).status).toBe(403);
      await sleep(350);
      expect((await refund('wrong')).status).toBe(403);
      expect((await refund(SUPERVISOR)).body.status).toBe('refunded');
    } finally {
      await s.close();
    }
  });
});

describe('the limit store', () => {
  it('counts in fixed windows per key, and locks until a time', () => {
    let now = 1_000;
    const mem = new MemoryLimitStore();
    const limit = new RateLimit('t', mem, { max: 2, windowMs: 100 }, () => now);
    expect(limit.take('a')).toBe(1);
    expect(limit.take('a')).toBe(2);
    expect(() => limit.take('a')).toThrow(expect.objectContaining({ status: 429, retryAfterMs: 100, firstInWindow: true }));
    expect(() => limit.take('a')).toThrow(expect.objectContaining({ firstInWindow: false }));
    expect(limit.take('b')).toBe(1);
    now += 100;
    expect(limit.take('a')).toBe(1);
    mem.lock('k', now + 50);
    expect(mem.lockedUntil('k', now + 49)).toBe(now + 50);
    expect(mem.lockedUntil('k', now + 50)).toBeUndefined();
    mem.lock('k', now + 500);
    mem.unlock('k');
    expect(mem.lockedUntil('k', now)).toBeUndefined();
  });
});
