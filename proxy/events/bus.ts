/** In-process fan-out of payment state changes to the terminals' event streams. */
import type { PaymentView } from '../../contract/api.ts';

/** `terminalId` is the terminal that took the payment: cashiers only see their own. */
export type PaymentListener = (p: PaymentView, terminalId: string) => void;

export class EventBus {
  readonly #listeners = new Set<PaymentListener>();

  subscribe(fn: PaymentListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  publish(p: PaymentView, terminalId: string): void {
    for (const fn of this.#listeners) {
      try {
        fn(p, terminalId);
      } catch {
        // one broken stream must not stop the others
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
