/** Durable payment writes, persistent storage, and telling "the proxy did not answer" apart. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api, ApiError, NetworkError } from '../../web/data/api.ts';
import { db, PAYMENT_DURABILITY, PosDb } from '../../web/data/db.ts';
import { describePersistence, requestPersistence } from '../../web/data/storage.ts';

describe('IndexedDB durability', () => {
  it('the database is opened with strict durability, so every payment write reaches the disk', () => {
    expect(PAYMENT_DURABILITY).toBe('strict');
    expect(db._options.chromeTransactionDurability).toBe('strict');
    expect(new PosDb('another')._options.chromeTransactionDurability).toBe('strict');
  });

  it('and every transaction Dexie makes on it carries it (explicit ones and single writes alike)', () => {
    const make = (db as unknown as { _createTransaction: (m: string, s: string[], schema: unknown) => { chromeTransactionDurability: string } })
      ._createTransaction;
    const tx = make.call(db, 'readwrite', ['payments'], (db as unknown as { _dbSchema: unknown })._dbSchema);
    expect(tx.chromeTransactionDurability).toBe('strict');
  });
});

describe('requestPersistence', () => {
  it('does not ask again once persistent', async () => {
    const persist = vi.fn(async () => true);
    expect(await requestPersistence({ persisted: async () => true, persist })).toBe('persisted');
    expect(persist).not.toHaveBeenCalled();
  });

  it('asks otherwise, and takes a refusal calmly', async () => {
    expect(await requestPersistence({ persisted: async () => false, persist: async () => true })).toBe('persisted');
    expect(await requestPersistence({ persisted: async () => false, persist: async () => false })).toBe('best-effort');
    expect(
      await requestPersistence({
        persisted: async () => false,
        persist: async () => {
          throw new Error('denied');
        },
      }),
    ).toBe('best-effort');
    expect(await requestPersistence(undefined)).toBe('unsupported');
  });

  it('has a bilingual line for managers, zh-CN first', () => {
    for (const s of ['persisted', 'best-effort', 'unsupported'] as const) expect(describePersistence(s)).toMatch(/^[\u4e00-\u9fff].* \/ [A-Z]/);
  });
});

describe('Api.onReach: the store is offline when the proxy does not answer', () => {
  afterEach(() => vi.unstubAllGlobals());

  async function reachAfter(answer: () => Promise<Response>) {
    vi.stubGlobal('fetch', vi.fn(answer));
    const api = new Api('http://proxy.test');
    const seen: boolean[] = [];
    api.onReach = (ok) => seen.push(ok);
    const error = await api.methods().then(
      () => null,
      (e: unknown) => e,
    );
    return { seen, error };
  }

  it('no connection or a gateway error: not reached', async () => {
    let r = await reachAfter(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(r.seen).toEqual([false]);
    expect(r.error).toBeInstanceOf(NetworkError);
    r = await reachAfter(async () => new Response('<html>Bad Gateway</html>', { status: 502 }));
    expect(r.seen).toEqual([false]);
    expect(r.error).toBeInstanceOf(NetworkError);
  });

  it('any answer of the proxy, an error too: reached', async () => {
    let r = await reachAfter(async () => Response.json([]));
    expect(r.seen).toEqual([true]);
    r = await reachAfter(async () => Response.json({ error: { code: 'unauthorized', message: 'x' } }, { status: 401 }));
    expect(r.seen).toEqual([true]);
    expect(r.error).toBeInstanceOf(ApiError);
    r = await reachAfter(async () => Response.json({ error: { code: 'provider_unreachable', message: 'x' } }, { status: 502 }));
    expect(r.seen).toEqual([true]);
  });
});
