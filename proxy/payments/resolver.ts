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

  /** A chain's proxies share the ledger (PostgreSQL): each check is claimed first, so one proxy makes it. */
  readonly #shared: boolean;
  /** How long a claimed check stays this proxy's before another may take it. */
  readonly #leaseMs: number;

  /**
   * `leaseMs`: how long a claimed check stays this proxy's, and how long a provider call may still be
   * running on another proxy (at least the longest provider call).
   */
  constructor(ledger: Ledger, service: PaymentService, tickMs: number, leaseMs = 60_000) {
    this.#ledger = ledger;
    this.#service = service;
    this.#tickMs = tickMs;
    this.#shared = ledger.db.dialect === 'postgres';
    this.#leaseMs = leaseMs;
  }

  start(): void {
    if (this.#timer) return;
    // A restart: what was left unsettled is due now. In a chain the other proxies live on: a payment
    // or refund that may be in a provider call there right now keeps its own schedule.
    const now = Date.now();
    this.#ledger.makeUnsettledDue(now, this.#shared ? new Date(now - this.#leaseMs).toISOString() : undefined);
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
    const { payments: due, refunds } = this.#shared
      ? this.#ledger.claimDue(now, now + this.#leaseMs, (id) => !this.#service.isBusy(id) && !this.#refunds.has(id))
      : {
          payments: this.#ledger.due(now).filter((p) => !this.#service.isBusy(p.outNo)),
          refunds: this.#ledger.dueRefunds(now).filter((r) => !this.#refunds.has(r.refundNo)),
        };
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
