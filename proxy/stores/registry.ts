/**
 * The chain's stores, each with its own providers (its own merchant accounts at them). A terminal
 * works for one store, or, for a chain manager, for all of them; a payment belongs to the store whose
 * terminal took it and is always settled, queried and refunded through that store's providers.
 */
import { DEFAULT_STORE_ID } from '../config.ts';
import { ApiError } from '../http/errors.ts';
import { ProviderRegistry } from '../providers/index.ts';
import type { Provider } from '../providers/types.ts';

export interface Store {
  id: string;
  name: string;
  providers: ProviderRegistry;
}

export class Stores {
  readonly #stores = new Map<string, Store>();

  constructor(stores: { id: string; name: string }[]) {
    for (const s of stores) this.#stores.set(s.id, { id: s.id, name: s.name, providers: new ProviderRegistry([]) });
  }

  all(): Store[] {
    return [...this.#stores.values()];
  }

  get(id: string): Store | undefined {
    return this.#stores.get(id);
  }

  /** The store a terminal without one works at: `main`, else the first configured. */
  get default(): Store {
    return this.#stores.get(DEFAULT_STORE_ID) ?? this.all()[0]!;
  }

  /** A cashier's store (an older terminal paired before stores existed: the default store). */
  of(storeId: string | undefined): Store {
    if (storeId === undefined) return this.default;
    const s = this.#stores.get(storeId);
    if (!s) throw new ApiError(409, 'store_unknown', `门店 ${storeId} 不在配置中，请联系店长 / Store ${storeId} is not configured`);
    return s;
  }

  /** The provider that took a payment of `storeId`; undefined when that store no longer has it. */
  provider(storeId: string, providerId: string): Provider | undefined {
    return this.#stores.get(storeId)?.providers.get(providerId);
  }

  /** Every provider instance of every store (health, start-up, retries). */
  providers(): { store: Store; provider: Provider }[] {
    return this.all().flatMap((store) => store.providers.all().map((provider) => ({ store, provider })));
  }
}
