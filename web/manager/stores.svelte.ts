/**
 * Which store of a chain the manager screens show: a chain manager of several stores picks one, or
 * all of them; a store-bound terminal always sees its own (the proxy narrows it anyway). One choice
 * for the order list, the day report, reconciliation and settlement, kept in localStorage so the
 * screens open where the manager left them. Imported by manager screens only (not the first load).
 */
import type { StoreView } from '../../contract/api.ts';
import { api } from '../data/api.ts';

const SAVED = 'pos.manager.store';
/** The store of a record that names none (a till paired before stores existed), as the proxy has it. */
const DEFAULT_STORE_ID = 'main';

function saved(): string {
  try {
    return localStorage.getItem(SAVED) ?? '';
  } catch {
    return '';
  }
}

class StoreScope {
  /** The stores this terminal may see (`GET /api/stores`): every one for a chain manager, else its own. */
  stores = $state.raw<StoreView[]>([]);
  /** This terminal's own store (`GET /api/terminals/me`); null for a chain manager. */
  own = $state<string | null>(null);
  /** Both answers arrived (or failed: then the screens are simply not narrowed). */
  loaded = $state(false);
  #chosen = $state(saved());
  /** Only a chain manager with more than one store has a choice to make. */
  picker = $derived(this.own === null && this.stores.length > 1);
  /** The store the screens are narrowed to; '' for every store the terminal may see. */
  current = $derived(this.picker && this.stores.some((s) => s.id === this.#chosen) ? this.#chosen : '');
  #loading: Promise<void> | null = null;
  #listeners = new Set<() => void>();

  /** Reads the stores again (a manager screen opening); resolves once they are known. */
  load(): Promise<void> {
    this.#loading ??= Promise.all([
      api.json<{ stores?: StoreView[] }>('GET', '/api/stores'),
      api.json<{ storeId?: string }>('GET', '/api/terminals/me'),
    ])
      .then(([s, me]) => {
        const before = this.current;
        this.stores = Array.isArray(s?.stores) ? s.stores : [];
        this.own = typeof me?.storeId === 'string' ? me.storeId : null;
        if (this.loaded && this.current !== before) this.#changed();
      })
      .catch(() => {}) // not narrowed; each screen shows its own errors
      .finally(() => {
        this.loaded = true;
        this.#loading = null;
      });
    return this.#loading;
  }

  /** Resolves once the stores are known, loading them the first time. */
  ready(): Promise<void> {
    return this.loaded ? Promise.resolve() : (this.#loading ?? this.load());
  }

  /** '' for every store. */
  choose(id: string): void {
    if (id === this.current) return;
    this.#chosen = id;
    try {
      localStorage.setItem(SAVED, id);
    } catch {
      // Not remembered across a reload; the choice still holds on screen.
    }
    this.#changed();
  }

  /** Called after the choice changed: each screen reloads what it shows. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(): void {
    for (const fn of this.#listeners) fn();
  }

  /** `store=` of a query: the chosen store, or undefined for all. */
  get param(): string | undefined {
    return this.current || undefined;
  }

  /** The store's name, else its id; '' for none. */
  name(id: string | undefined): string {
    if (!id) return '';
    return this.stores.find((s) => s.id === id)?.name ?? id;
  }

  /** The store a terminal works at: its own; a cashier of none, the default store's; a manager of none, the chain's (undefined). */
  storeOf(t: { role: string; storeId?: string }): string | undefined {
    if (t.storeId || t.role !== 'cashier') return t.storeId;
    return this.stores.some((s) => s.id === DEFAULT_STORE_ID) ? DEFAULT_STORE_ID : this.stores[0]?.id;
  }

  /** The providers reconciliation and accounts work with: the chosen store's, or the only store's; none while all are shown. */
  get providers(): string[] {
    return this.providersOf(this.current || (this.stores.length === 1 ? this.stores[0].id : undefined));
  }

  providersOf(id: string | undefined): string[] {
    return this.stores.find((s) => s.id === id)?.providers ?? [];
  }

  /**
   * Several stores on screen at once: rows name their store, and an action on one store (a
   * reconciliation run, a new account) asks for a store to be chosen first.
   */
  get showsAll(): boolean {
    return this.picker && !this.current;
  }
}

export const storeScope = new StoreScope();
