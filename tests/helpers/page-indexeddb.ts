/**
 * Reading the PWA's own IndexedDB (`pos`) from a real page, and recording how the page opens its
 * transactions, for the browser cells of the fault matrix.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** A payment record straight from the page's IndexedDB (undefined when there is none). */
export function storedPayment(page: Page, outNo: string): Promise<Record<string, unknown> | undefined> {
  return page.evaluate(
    (o) =>
      new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
        const req = indexedDB.open('pos');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction('payments').objectStore('payments').get(o);
          get.onsuccess = () => {
            resolve(get.result as Record<string, unknown> | undefined);
            req.result.close();
          };
          get.onerror = () => reject(get.error);
        };
      }),
    outNo,
  );
}

/** A row of the page's `settings` table (the terminal, the payment methods kept for offline use…). */
export function storedSetting(page: Page, key: string): Promise<unknown> {
  return page.evaluate(
    (k) =>
      new Promise<unknown>((resolve, reject) => {
        const req = indexedDB.open('pos');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction('settings').objectStore('settings').get(k);
          get.onsuccess = () => {
            resolve((get.result as { value?: unknown } | undefined)?.value);
            req.result.close();
          };
          get.onerror = () => reject(get.error);
        };
      }),
    key,
  );
}

export interface TransactionSeen {
  db: string;
  stores: string[];
  mode: string;
  /** What the browser will do on commit (`IDBTransaction.durability`): 'strict', 'relaxed' or 'default'. */
  durability: string;
}

/**
 * From the next page load on, every IndexedDB transaction the page opens is recorded with the
 * durability the browser gives it. Read them with `transactionsSeen`.
 */
export async function recordTransactions(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: unknown[] = [];
    (globalThis as { __posTransactions?: unknown[] }).__posTransactions = seen;
    const original = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, stores: string | string[], mode?: IDBTransactionMode, options?: IDBTransactionOptions) {
      const tx = original.call(this, stores, mode, options);
      seen.push({ db: this.name, stores: typeof stores === 'string' ? [stores] : [...stores], mode: tx.mode, durability: (tx as IDBTransaction & { durability?: string }).durability ?? 'unsupported' });
      return tx;
    } as typeof original;
  });
}

export function transactionsSeen(page: Page): Promise<TransactionSeen[]> {
  return page.evaluate(() => ((globalThis as { __posTransactions?: TransactionSeen[] }).__posTransactions ?? []).slice());
}
