/**
 * Payment changes made by the other proxies of a chain, relayed to this proxy's terminals.
 *
 * Every proxy writes its id (`origin`: `proxyId`, default host:port) on the payment events it records. A provider's
 * callback may reach proxy A while the till that took the payment streams its events from proxy B:
 * B's feed reads the events other proxies wrote since it last looked and publishes the payment, as it
 * now stands in the ledger, on B's own EventBus. The proxy's own changes are published by its
 * PaymentService already, so the feed skips them (and an event a later change has overtaken).
 *
 * Why a cursor on `id` misses nothing: every ledger write is a top-level transaction that first takes
 * one advisory lock (proxy/ledger/postgres.ts), and payment events are only written inside such
 * transactions (Ledger.insertPayment/updatePayment). An event's id is drawn from the identity
 * sequence (no per-session cache: CACHE 1, the default) after the lock is taken, and PostgreSQL
 * releases a transaction-level advisory lock only after its commit is visible to new snapshots. So writers draw ids and commit in the same order: when a read sees id
 * n, every smaller id is either visible to the same read or belongs to a transaction that rolled back
 * (a gap, never filled). The feed may therefore move its cursor to the largest id it read. SQLite
 * serializes writers by itself; there the feed is not started (one proxy per ledger file).
 */
import { toView, type Ledger, type PaymentRecord } from '../ledger/payments.ts';
import type { EventBus } from './bus.ts';

/** Events read per poll; a full batch polls again at once. */
const BATCH = 500;
/** (outNo, status, refunded fen) remembered as published; the oldest are forgotten past this. */
const SEEN_MAX = 10_000;

export interface ChainFeedOptions {
  ledger: Ledger;
  bus: EventBus;
  /** This proxy's id: its own events are skipped. */
  origin: string;
  /** Time between polls (default 500 ms). */
  intervalMs?: number;
}

type EventRow = { id: number; out_no: string; to_status: string };

export class ChainFeed {
  readonly #ledger: Ledger;
  readonly #bus: EventBus;
  readonly #origin: string;
  readonly #intervalMs: number;
  readonly #seen = new Set<string>();
  #cursor = 0;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;

  constructor(options: ChainFeedOptions) {
    this.#ledger = options.ledger;
    this.#bus = options.bus;
    this.#origin = options.origin;
    this.#intervalMs = options.intervalMs ?? 500;
  }

  /** Starts after the events already in the ledger: a proxy relays what happens from now on. */
  start(): void {
    if (this.#timer) return;
    this.#cursor = Number(this.#ledger.db.prepare('SELECT COALESCE(MAX(id), 0) FROM payment_events').pluck().get());
    this.#schedule(this.#intervalMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Reads one batch of the other proxies' events and publishes the payment each names, at most once
   * per (outNo, status, refunded fen). Returns how many events it read.
   */
  poll(): number {
    const rows = this.#ledger.db
      .prepare('SELECT id, out_no, to_status FROM payment_events WHERE id > ? AND (origin IS NULL OR origin <> ?) ORDER BY id LIMIT ?')
      .all(this.#cursor, this.#origin, BATCH) as EventRow[];
    const payments = new Map<string, PaymentRecord | undefined>();
    for (const row of rows) {
      this.#cursor = Math.max(this.#cursor, Number(row.id));
      if (!payments.has(row.out_no)) payments.set(row.out_no, this.#ledger.getPayment(row.out_no));
      const payment = payments.get(row.out_no);
      // Only a change that still stands: a later one is published by whoever made it (a later row
      // here, or this proxy's own PaymentService), so the same state never goes out twice.
      if (!payment || payment.status !== row.to_status) continue;
      // A partial refund leaves the status as it was: the refunded amount tells the changes apart.
      const key = `${payment.outNo}:${payment.status}:${payment.refundedFen}`;
      if (this.#seen.has(key)) continue;
      this.#remember(key);
      this.#bus.publish(toView(payment), payment.terminalId);
    }
    return rows.length;
  }

  #remember(key: string): void {
    this.#seen.add(key);
    if (this.#seen.size > SEEN_MAX) this.#seen.delete(this.#seen.values().next().value as string);
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => this.#tick(), delayMs);
    this.#timer.unref();
  }

  /** One poll, then the next; a lost database connection is logged once per outage and retried. */
  #tick(): void {
    let read = 0;
    try {
      read = this.poll();
      if (this.#failing) console.error('[chain-feed] reading payment events again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) console.error(`[chain-feed] cannot read payment events: ${(err as Error).message}`);
      this.#failing = true;
    }
    this.#schedule(read === BATCH ? 0 : this.#intervalMs);
  }
}
