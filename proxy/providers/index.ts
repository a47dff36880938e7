/** The explicit registry of configured providers. */
import type { PayMethodInfo } from '../../contract/api.ts';
import type { Provider, ProviderId, ProviderMethod } from './types.ts';

export class ProviderRegistry {
  readonly #providers = new Map<ProviderId, Provider>();

  constructor(providers: Provider[]) {
    for (const p of providers) this.#providers.set(p.id, p);
  }

  /** Providers are added at start-up, once the proxy knows its own address (the sandbox is served by it). */
  register(p: Provider): void {
    this.#providers.set(p.id, p);
  }

  get(id: string): Provider | undefined {
    return this.#providers.get(id as ProviderId);
  }

  all(): Provider[] {
    return [...this.#providers.values()];
  }

  /** Every method of every ready provider, as the API shows them. */
  methods(): PayMethodInfo[] {
    return this.all().flatMap((p) =>
      p.methods().map((m) => ({ id: m.id, provider: p.id, name: m.name, kind: m.kind, codePattern: m.codePattern, needsBill: m.needsBill })),
    );
  }

  /** The method with this id, or the first barcode method whose pattern matches the code. */
  route(authCode: string | undefined, methodId?: string): { provider: Provider; method: ProviderMethod } | undefined {
    for (const p of this.all()) {
      for (const m of p.methods()) {
        // By code, only barcode methods with a known pattern: a method without one is chosen explicitly.
        if (methodId ? m.id === methodId : m.kind === 'barcode' && m.codePattern && authCode && matches(m, authCode)) {
          return { provider: p, method: m };
        }
      }
    }
    return undefined;
  }
}

export function matches(m: ProviderMethod, code: string): boolean {
  if (!m.codePattern) return true;
  try {
    return new RegExp(m.codePattern).test(code);
  } catch {
    return false;
  }
}
