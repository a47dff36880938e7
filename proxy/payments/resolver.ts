/**
 * The resolver: a loop that asks the providers about every payment that is not settled
 * (waiting for a password, answer lost, closed-but-watched). It survives restarts because
 * its work list is the ledger itself (`next_check_at`).
 */
import type { Ledger } from '../ledger/payments.ts';
import type { PaymentService } from './service.ts';

export class Resolver {
  readonly #ledger: Ledger;
  readonly #service: PaymentService;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(ledger: Ledger, service: PaymentService, tickMs: number) {
    this.#ledger = ledger;
    this.#service = service;
    this.#tickMs = tickMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#ledger.makeUnsettledDue(Date.now());
    this.#timer = setInterval(() => void this.tick(), this.#tickMs);
    this.#timer.unref();
    void this.tick();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Starts the checks that are due now. A slow provider holds up only its own payments:
   * the next tick does not wait for this one, and a payment already being checked is skipped.
   */
  tick(): Promise<void> {
    const due = this.#ledger.due(Date.now()).filter((p) => !this.#service.isBusy(p.outNo));
    return Promise.all(
      due.map((p) =>
        this.#service.check(p.outNo).catch((err: Error) => {
          console.error(`[resolver] ${p.outNo}: ${err.message}`);
        }),
      ),
    ).then(() => undefined);
  }
}
