/**
 * Asking the browser to keep this origin's storage (DESIGN "PWA"): under storage pressure an
 * origin's IndexedDB is evicted whole, unsettled payments with it, unless it is persistent.
 * Chrome grants or refuses silently (by engagement, an installed app…), so refusal is normal on a
 * fresh kiosk: it is recorded, not alarmed about, and shown to managers.
 */

/** `persisted`: not evicted without the user; `best-effort`: may be evicted under pressure. */
export type PersistState = 'persisted' | 'best-effort' | 'unsupported';

export interface StorageRecord {
  state: PersistState;
  /** ISO 8601: when the browser last answered. */
  at: string;
}

type StorageLike = Pick<StorageManager, 'persist' | 'persisted'>;

/** Asks only when not persistent yet (asking again later is how a refusal turns into a grant). */
export async function requestPersistence(storage: StorageLike | undefined = globalThis.navigator?.storage): Promise<PersistState> {
  if (typeof storage?.persist !== 'function') return 'unsupported';
  try {
    if (await storage.persisted?.()) return 'persisted';
    return (await storage.persist()) ? 'persisted' : 'best-effort';
  } catch {
    return 'best-effort';
  }
}

/** For the manager's eyes, zh-CN first. */
export function describePersistence(state: PersistState): string {
  return {
    persisted: '存储已持久 / Storage persistent',
    'best-effort': '存储未持久 / Storage not persistent',
    unsupported: '存储无法持久 / Storage cannot persist',
  }[state];
}
