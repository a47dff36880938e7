/**
 * How a chain's resolvers share the work on one ledger (proxy/payments/resolver.ts on PostgreSQL):
 * a due check is claimed by one proxy in a transaction, the others skip it until the claim runs
 * out; and a proxy's restart makes the unsettled payments due at once except one that may be in a
 * provider call on another proxy right now. Two connections to one ledger, on whichever backend
 * the run uses (`npm run test:postgres` puts them on PostgreSQL).
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../proxy/ledger/db.ts';
import { Ledger } from '../../proxy/ledger/payments.ts';
import { newOutNo, tempDataDir } from '../helpers/store.ts';

const dataDir = tempDataDir();
const dbs: Db[] = [];
const ledgerOn = () => {
  const db = openDb(dataDir);
  dbs.push(db);
  return new Ledger(db);
};
const a = ledgerOn();
const b = ledgerOn();
a.origin = 'proxy-a:8787';
b.origin = 'proxy-b:8787';
afterAll(() => {
  for (const db of dbs) db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function insert(ledger: Ledger, createdAt: number, nextCheckAt: number, status: 'unknown' | 'paying' = 'unknown'): string {
  const outNo = newOutNo('CL');
  ledger.insertPayment({
    outNo, terminalId: 'T1', storeId: 'main', provider: 'mct1', method: 'mct1:Alipay', amountFen: 100, status,
    createdAt: new Date(createdAt).toISOString(), nextCheckAt,
  });
  return outNo;
}
const all = () => true;

describe("a chain's resolvers on one ledger", () => {
  it('claims a due check for one proxy only, until the claim runs out', () => {
    const now = Date.now();
    const outNo = insert(a, now - 5_000, now - 1);
    const mine = a.claimDue(now, now + 2_000, all).payments.map((p) => p.outNo);
    expect(mine).toContain(outNo);
    expect(b.claimDue(now, now + 2_000, all).payments.map((p) => p.outNo)).not.toContain(outNo);
    expect(b.getPayment(outNo)!.nextCheckAt).toBe(now + 2_000);
    // The claiming proxy died mid-check: once the claim runs out, another proxy takes it.
    expect(b.claimDue(now + 2_001, now + 4_000, all).payments.map((p) => p.outNo)).toContain(outNo);
    // A check this proxy is making already is left alone (and not claimed).
    const busy = insert(a, now - 5_000, now - 1);
    expect(a.claimDue(now, now + 2_000, (id) => id !== busy).payments.map((p) => p.outNo)).not.toContain(busy);
    expect(a.getPayment(busy)!.nextCheckAt).toBe(now - 1);
  });

  it('an idle tick (nothing due) takes no write lock, so it never waits for another proxy writing', () => {
    const started = Date.now();
    // Proxy A is in a write transaction; B's resolver ticks with nothing due (time 0: nothing is due then).
    const idle = a.transaction(() => b.claimDue(0, 1_000, all));
    expect(idle).toEqual({ payments: [], refunds: [] });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("a restart makes the unsettled due at once, but spares a payment that may be in another proxy's provider call", () => {
    const now = Date.now();
    const inCall = insert(a, now - 1_000, now + 60_000); // just stored by a live proxy, its pay call running
    const answered = insert(a, now - 1_000, now + 60_000); // its pay call answered "unknown" since
    a.updatePayment(answered, { message: '结果未知 / Unknown', nextCheckAt: now + 60_000 }, 'answer lost');
    const old = insert(a, now - 120_000, now + 60_000); // stored long ago, untouched: no call can be running
    const paying = insert(a, now - 1_000, now + 60_000, 'paying');
    a.updatePayment(paying, { message: '等待输入密码 / Waiting for the password' }, 'paying');

    const ownInCall = insert(b, now - 1_000, now + 60_000); // B's own, its call died with B's previous process

    b.makeUnsettledDue(now, new Date(now - 30_000).toISOString());
    expect(b.getPayment(inCall)!.nextCheckAt).toBe(now + 60_000);
    expect(b.getPayment(ownInCall)!.nextCheckAt).toBe(now);
    expect(b.getPayment(answered)!.nextCheckAt).toBe(now);
    expect(b.getPayment(old)!.nextCheckAt).toBe(now);
    expect(b.getPayment(paying)!.nextCheckAt).toBe(now);
    // One proxy alone (SQLite, no sparing): everything unsettled is due.
    b.makeUnsettledDue(now);
    expect(b.getPayment(inCall)!.nextCheckAt).toBe(now);
  });

  it('drops a change decided on an older reading that would take a paid payment back', () => {
    const now = Date.now();
    const outNo = insert(a, now, now + 60_000, 'paying');
    // Proxy A books it paid; proxy B, whose query went out before, answers "still paying" after.
    a.updatePayment(outNo, { status: 'paid', providerRef: 'R1', nextCheckAt: undefined }, 'query');
    const stale = b.updatePayment(outNo, { status: 'paying', message: '等待输入密码', nextCheckAt: now + 5_000 }, 'query');
    expect(stale.status).toBe('paid');
    expect(b.getPayment(outNo)).toMatchObject({ status: 'paid', providerRef: 'R1', nextCheckAt: undefined });
    expect(b.events(outNo).map((e) => e.to)).toEqual(['paying', 'paid']);
    // Money may still move forward: refunded; and never back from refunded.
    expect(b.updatePayment(outNo, { status: 'refunded', refundedFen: 100 }, 'refund').status).toBe('refunded');
    expect(a.updatePayment(outNo, { status: 'paid' }, 'stale query').status).toBe('refunded');
  });
});
