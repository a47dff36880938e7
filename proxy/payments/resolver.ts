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
  /** Refund checks running now. */
  readonly #refunds = new Set<string>();

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
    const now = Date.now();
    const due = this.#ledger.due(now).filter((p) => !this.#service.isBusy(p.outNo));
    const refunds = this.#ledger.dueRefunds(now).filter((r) => !this.#refunds.has(r.refundNo));
    const log = (id: string) => (err: Error) => console.error(`[resolver] ${id}: ${err.message}`);
    return Promise.all([
      ...due.map((p) => this.#service.check(p.outNo).catch(log(p.outNo))),
      ...refunds.map((r) => {
        this.#refunds.add(r.refundNo);
        return this.#service
          .checkRefund(r.refundNo)
          .catch(log(r.refundNo))
          .finally(() => this.#refunds.delete(r.refundNo));
      }),
    ]).then(() => undefined);
  }
}
