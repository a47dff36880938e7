/**
 * This browser as a paired terminal: its token (kept in Dexie), the connection state shown
 * in the status chip, and the server event stream.
 *
 * "Online" is what the cashier needs to know: the browser has a network *and* the proxy answers.
 * A kiosk on a working LAN whose proxy is down is offline too: no payment can reach a provider.
 */
import type { PairResponse } from '../../contract/api.ts';
import { api, ApiError, NetworkError } from './api.ts';
import { db } from './db.ts';
import { connectEvents, type SseMessage, type StreamState } from './events.ts';
import type { PersistState } from './storage.ts';

class Terminal {
  /** Settings read from IndexedDB (until then nothing is shown). */
  loaded = $state(false);
  info = $state<PairResponse | null>(null);
  paired = $derived(this.info !== null);
  /** Fixed at pairing (the pairing answer, kept with the token); the proxy checks it on every call. */
  manager = $derived(this.info?.role === 'manager');
  pairing = $state(false);
  pairError = $state<string | null>(null);
  /** The proxy stopped accepting our token (revoked, or the proxy's data was reset). */
  unauthorized = $state(false);
  /** The browser's own idea (`navigator.onLine`). */
  #network = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** The proxy answered the last request (or nothing was tried yet). */
  #reached = $state(true);
  online = $derived(this.#network && this.#reached);
  stream = $state<StreamState>('closed');
  /** The browser's answer to `navigator.storage.persist()` (managers see it). */
  storage = $state<PersistState | null>(null);
  /** What managers see of it. */
  storageText = $state('');

  #stopEvents: (() => void) | null = null;
  #listeners = new Set<(msg: SseMessage) => void>();
  #reconnect = new Set<() => void>();
  #persistAsked = false;

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => {
        this.#network = true;
        this.#backOnline();
      });
      window.addEventListener('offline', () => (this.#network = false));
    }
    api.onReach = (ok) => this.reach(ok);
  }

  /** Whether the proxy answered a request at all; a false → true turn wakes every waiting payment. */
  reach(ok: boolean): void {
    if (ok === this.#reached) return;
    this.#reached = ok;
    if (ok) this.#backOnline();
  }

  /** Called when the network or the proxy comes back (the outbox's wake-up). */
  onReconnect(fn: () => void): () => void {
    this.#reconnect.add(fn);
    return () => this.#reconnect.delete(fn);
  }

  #backOnline(): void {
    for (const fn of this.#reconnect) fn();
  }

  async load(): Promise<void> {
    const info = (await db.getSetting('terminal')) ?? null;
    this.#use(info);
    this.loaded = true;
  }

  /** POST /api/terminals/pair; the token is stored only once the proxy has answered. */
  async pair(code: string): Promise<boolean> {
    const c = code.trim();
    if (!c) {
      this.pairError = '请输入配对码 / Enter the pairing code';
      return false;
    }
    this.pairing = true;
    this.pairError = null;
    try {
      const res = await api.pair(c);
      await db.setSetting('terminal', res);
      this.#use(res);
      return true;
    } catch (err) {
      // The proxy's own sentence says what was wrong (wrong code, expired, used already…).
      this.pairError =
        err instanceof ApiError || err instanceof NetworkError
          ? `配对失败 / Pairing failed — ${err.message}`
          : `配对失败 / Pairing failed — ${String(err)}`;
      return false;
    } finally {
      this.pairing = false;
    }
  }

  /** Forgets the token (payments stay in IndexedDB and resume after pairing again). */
  async unpair(): Promise<void> {
    await db.deleteSetting('terminal');
    this.#use(null);
  }

  /** Called when any request answers 401/403. */
  reject(): void {
    this.unauthorized = true;
  }

  /** Server events for as long as the terminal is paired. */
  onEvent(fn: (msg: SseMessage) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #use(info: PairResponse | null): void {
    this.#stopEvents?.();
    this.#stopEvents = null;
    this.info = info;
    this.unauthorized = false;
    api.setToken(info?.token ?? null);
    if (!info) {
      this.stream = 'closed';
      return;
    }
    void this.#persist();
    this.#stopEvents = connectEvents({
      token: info.token,
      onState: (s) => (this.stream = s),
      onReach: (ok) => this.reach(ok),
      wakeOn: (wake) => this.onReconnect(wake),
      onUnauthorized: () => this.reject(),
      onMessage: (msg) => {
        for (const fn of this.#listeners) fn(msg);
      },
    });
  }

  /** Once paired, once per load: pending payments must not be evicted with the origin's storage. */
  async #persist(): Promise<void> {
    if (this.#persistAsked) return;
    this.#persistAsked = true;
    // Asked once per load, after pairing: its code is not needed for the first paint.
    const { requestPersistence, describePersistence } = await import('./storage.ts');
    const state = await requestPersistence();
    this.storageText = describePersistence(state);
    this.storage = state;
    try {
      await db.setSetting('storage', { state, at: new Date().toISOString() });
    } catch {
      // Only a record for managers; the answer is on screen anyway.
    }
  }
}

export const terminal = new Terminal();
