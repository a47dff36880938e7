/**
 * This browser as a paired terminal: its token (kept in Dexie), the connection state shown
 * in the status chip, and the server event stream.
 */
import type { PairResponse } from '../../contract/api.ts';
import { api, ApiError, NetworkError } from './api.ts';
import { db } from './db.ts';
import { connectEvents, type SseMessage, type StreamState } from './events.ts';

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
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  stream = $state<StreamState>('closed');

  #stopEvents: (() => void) | null = null;
  #listeners = new Set<(msg: SseMessage) => void>();

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('online', () => (this.online = true));
      window.addEventListener('offline', () => (this.online = false));
    }
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
    this.#stopEvents = connectEvents({
      token: info.token,
      onState: (s) => (this.stream = s),
      onUnauthorized: () => this.reject(),
      onMessage: (msg) => {
        for (const fn of this.#listeners) fn(msg);
      },
    });
  }
}

export const terminal = new Terminal();
