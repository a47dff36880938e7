/**
 * Payment changes made by one proxy reach the terminals of another on the same ledger
 * (proxy/events/chain-feed.ts): the feed itself, on two connections to one ledger (SQLite file
 * here, one PostgreSQL schema under vitest.postgres.config.ts). Two whole proxies: tests/chain/events.test.ts.
 */
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../proxy/events/bus.ts';
import { ChainFeed } from '../../proxy/events/chain-feed.ts';
import { openDb, type Db } from '../../proxy/ledger/db.ts';
import { Ledger } from '../../proxy/ledger/payments.ts';
import { newOutNo, tempDataDir } from '../helpers/store.ts';

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
    a = new Ledger(dbA);
    a.origin = 'PA0000001';
    b = new Ledger(dbB);
    b.origin = 'PB0000001';
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
