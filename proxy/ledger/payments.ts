/** The payments ledger: every payment, every refund, every state change. Amounts are integer fen. */
import type { CartItem, PaymentStatus, PaymentView } from '../../contract/api.ts';
import { deferWrite, drainDeferred, flushDeferred, isUniqueViolation, type Db } from './db.ts';

export interface PaymentRecord {
  outNo: string;
  terminalId: string;
  /** The store of the terminal that took it (its providers settle, query and refund it). */
  storeId: string;
  provider: string;
  method: string;
  amountFen: number;
  authCode?: string;
  status: PaymentStatus;
  providerRef?: string;
  tradeNo?: string;
  paidAt?: string;
  refundedFen: number;
  message?: string;
  errorCode?: string;
  items?: CartItem[];
  remark?: string;
  printinfo?: string;
  qrCode?: string;
  billNo?: string;
  billFullyPaid?: boolean;
  billBalanceFen?: number;
  details?: Record<string, number | string>;
  createdAt: string;
  updatedAt: string;
  nextCheckAt?: number;
  deadlineAt?: number;
  watchUntil?: number;
  checks: number;
}

export interface RefundRecord {
  refundNo: string;
  outNo: string;
  amountFen: number;
  status: 'unknown' | 'refunded' | 'failed';
  reason?: string;
  terminalId?: string;
  providerRef?: string;
  message?: string;
  printinfo?: string;
  createdAt: string;
  updatedAt: string;
  nextCheckAt?: number;
}

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
/**
 * Provider receipts (printinfo) hold ESC/POS commands with NUL bytes, which PostgreSQL text cannot:
 * they are written as UTF-8 bytes (BYTEA there; a BLOB in SQLite's TEXT column) and read back as
 * text, whichever way an older row was stored.
 */
const receiptBytes = (text: string | undefined) => (text === undefined ? null : Buffer.from(text, 'utf8'));
const receiptText = (v: unknown) => (v === null || v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

function toPayment(r: Row): PaymentRecord {
  return {
    outNo: String(r.out_no),
    terminalId: String(r.terminal_id),
    storeId: String(r.store_id),
    provider: String(r.provider),
    method: String(r.method),
    amountFen: Number(r.amount_fen),
    authCode: str(r.auth_code),
    status: r.status as PaymentStatus,
    providerRef: str(r.provider_ref),
    tradeNo: str(r.trade_no),
    paidAt: str(r.paid_at),
    refundedFen: Number(r.refunded_fen),
    message: str(r.message),
    errorCode: str(r.error_code),
    items: r.items ? (JSON.parse(String(r.items)) as CartItem[]) : undefined,
    remark: str(r.remark),
    printinfo: receiptText(r.printinfo),
    qrCode: str(r.qr_code),
    billNo: str(r.bill_no),
    billFullyPaid: r.bill_fully_paid === null || r.bill_fully_paid === undefined ? undefined : r.bill_fully_paid === 1,
    billBalanceFen: num(r.bill_balance_fen),
    details: r.details ? (JSON.parse(String(r.details)) as Record<string, number | string>) : undefined,
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    nextCheckAt: num(r.next_check_at),
    deadlineAt: num(r.deadline_at),
    watchUntil: num(r.watch_until),
    checks: Number(r.checks),
  };
}

function toRefund(r: Row): RefundRecord {
  return {
    refundNo: String(r.refund_no),
    outNo: String(r.out_no),
    amountFen: Number(r.amount_fen),
    status: r.status as RefundRecord['status'],
    reason: str(r.reason),
    terminalId: str(r.terminal_id),
    providerRef: str(r.provider_ref),
    message: str(r.message),
    printinfo: receiptText(r.printinfo),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    nextCheckAt: num(r.next_check_at),
  };
}

export function maskAuthCode(code: string | undefined): string | undefined {
  if (!code) return undefined;
  return code.length <= 4 ? '****' : '*'.repeat(code.length - 4) + code.slice(-4);
}

export function toView(p: PaymentRecord): PaymentView {
  return {
    outNo: p.outNo,
    status: p.status,
    amountFen: p.amountFen,
    provider: p.provider,
    method: p.method,
    providerRef: p.providerRef,
    tradeNo: p.tradeNo,
    paidAt: p.paidAt,
    message: p.message,
    qrCode: p.status === 'paying' ? p.qrCode : undefined,
    bill: p.billNo && p.billFullyPaid !== undefined ? { billNo: p.billNo, fullyPaid: p.billFullyPaid, balanceFen: p.billBalanceFen } : undefined,
    refundedFen: p.refundedFen,
    createdAt: p.createdAt,
    storeId: p.storeId,
    authCodeMasked: maskAuthCode(p.authCode),
  };
}

/**
 * A paid payment only becomes refunded, and a refunded one stays so: nothing else moves money back
 * on the books. (A failed or cancelled one may still turn out paid: the late payment the watch finds.)
 */
function movesMoneyBack(from: PaymentStatus, to: PaymentStatus): boolean {
  if (from === 'paid') return to !== 'paid' && to !== 'refunded';
  if (from === 'refunded') return to !== 'refunded';
  return false;
}

/** Fields the service may change on a payment. */
export type PaymentPatch = Partial<
  Pick<
    PaymentRecord,
    | 'status' | 'providerRef' | 'tradeNo' | 'paidAt' | 'refundedFen' | 'message' | 'errorCode' | 'printinfo'
    | 'nextCheckAt' | 'deadlineAt' | 'watchUntil' | 'checks' | 'authCode' | 'qrCode'
    | 'billFullyPaid' | 'billBalanceFen' | 'details'
  >
>;

const COLUMNS: Record<keyof PaymentPatch, string> = {
  status: 'status', providerRef: 'provider_ref', tradeNo: 'trade_no', paidAt: 'paid_at',
  refundedFen: 'refunded_fen', message: 'message', errorCode: 'error_code', printinfo: 'printinfo',
  nextCheckAt: 'next_check_at', deadlineAt: 'deadline_at', watchUntil: 'watch_until', checks: 'checks',
  authCode: 'auth_code', qrCode: 'qr_code',
  billFullyPaid: 'bill_fully_paid', billBalanceFen: 'bill_balance_fen', details: 'details',
};

/** SQLite values for the patchable fields that are not stored as they are. */
function column(key: keyof PaymentPatch, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (key === 'billFullyPaid') return value ? 1 : 0;
  if (key === 'details') return JSON.stringify(value);
  if (key === 'printinfo') return receiptBytes(String(value));
  // Stored in UTC so times compare as text in SQL (providers answer "+08:00").
  if (key === 'paidAt') return utcIso(String(value));
  return value;
}

/** "2018-04-21T18:58:01+08:00" → "2018-04-21T10:58:01.000Z"; anything unparseable kept as it is. */
export function utcIso(text: string): string {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : text;
}

/**
 * `GET /api/payments`: every condition is optional and they all apply together. Times are instants
 * (any ISO 8601 with an offset, compared as instants), on `created_at`: `from` inclusive, `to` exclusive.
 */
export interface ListFilter {
  from?: string;
  to?: string;
  /** One status, or any of several. */
  status?: string | readonly string[];
  /** One method id, or any of several. */
  method?: string | readonly string[];
  terminalId?: string;
  /** One store's payments (a chain). */
  storeId?: string;
  /** The payment's amount, inclusive, in fen. */
  minFen?: number;
  maxFen?: number;
  /**
   * A number, or a part of one (letters, digits, `-`, `_`; case-insensitive): our order number
   * (`outNo`), the provider's (`providerRef`), the wallet's transaction number (`tradeNo`), the sales
   * bill (`billNo`, posmini), or a refund's number (ours or the provider's).
   */
  q?: string;
  page: number;
  pageSize: number;
}

/** Sums over every page of a list: the money that came in (paid or refunded since) and went back. */
export interface ListSums {
  paidCount: number;
  paidFen: number;
  refundedFen: number;
}

export class Ledger {
  readonly #db: Db;
  /**
   * This proxy's id, the same across its restarts, written on every payment, refund and payment event
   * (proxy/events/chain-feed.ts relays the others'; makeUnsettledDue spares the others' calls).
   */
  #origin: string | null = null;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Set once the proxy knows its address (its id defaults to host:port). */
  set origin(id: string) {
    this.#origin = id;
  }

  get db(): Db {
    return this.#db;
  }

  /** Runs `fn` in one transaction (a savepoint when nested). */
  transaction<T>(fn: () => T): T {
    if (this.#db.inTransaction) return this.#db.transaction(fn)();
    // Deferred rows (call records, audit rows) ride on this commit.
    return this.#db.transaction(() => {
      drainDeferred(this.#db);
      return fn();
    }).immediate();
  }

  getPayment(outNo: string): PaymentRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM payments WHERE out_no = ?').get(outNo) as Row | undefined;
    return r ? toPayment(r) : undefined;
  }

  /** The payment and its first event in one transaction: one durable write. */
  insertPayment(p: Omit<PaymentRecord, 'refundedFen' | 'checks' | 'updatedAt'>): void {
    this.transaction(() => this.#insertPayment(p));
  }

  #insertPayment(p: Omit<PaymentRecord, 'refundedFen' | 'checks' | 'updatedAt'>): void {
    this.#db
      .prepare(
        `INSERT INTO payments (out_no, terminal_id, store_id, provider, method, amount_fen, auth_code, status, message,
           items, remark, bill_no, created_at, updated_at, next_check_at, deadline_at, origin)
         VALUES (@outNo, @terminalId, @storeId, @provider, @method, @amountFen, @authCode, @status, @message,
           @items, @remark, @billNo, @createdAt, @createdAt, @nextCheckAt, @deadlineAt, @origin)`,
      )
      .run({
        origin: this.#origin,
        outNo: p.outNo, terminalId: p.terminalId, storeId: p.storeId, provider: p.provider, method: p.method, amountFen: p.amountFen,
        authCode: p.authCode ?? null, status: p.status, message: p.message ?? null,
        items: p.items ? JSON.stringify(p.items) : null, remark: p.remark ?? null, billNo: p.billNo ?? null, createdAt: p.createdAt,
        nextCheckAt: p.nextCheckAt ?? null, deadlineAt: p.deadlineAt ?? null,
      });
    this.recordEvent(p.outNo, undefined, p.status, 'created');
  }

  /** Applies a patch; records a state change event when the status changes. Returns the new record. */
  updatePayment(outNo: string, patch: PaymentPatch, reason: string): PaymentRecord {
    return this.transaction(() => this.#updatePayment(outNo, patch, reason));
  }

  #updatePayment(outNo: string, patch: PaymentPatch, reason: string): PaymentRecord {
    const before = this.getPayment(outNo);
    if (!before) throw new Error(`no payment ${outNo}`);
    // A change decided on an older reading (a query answered after another proxy, a callback or the
    // till's own check booked the payment) must not undo money that moved: it is dropped whole.
    if (patch.status !== undefined && movesMoneyBack(before.status, patch.status)) return before;
    const keys = Object.keys(patch) as (keyof PaymentPatch)[];
    if (keys.length) {
      const sets = keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ');
      const values: Record<string, unknown> = { outNo, updatedAt: new Date().toISOString() };
      for (const k of keys) values[k] = column(k, patch[k]);
      this.#db.prepare(`UPDATE payments SET ${sets}, updated_at = @updatedAt WHERE out_no = @outNo`).run(values);
    }
    // A state change is an event; so is money going back without one (a partial refund): the history
    // shows it, and a chain's other proxies relay it to their terminals (proxy/events/chain-feed.ts).
    if (patch.status && patch.status !== before.status) this.recordEvent(outNo, before.status, patch.status, reason);
    else if (patch.refundedFen !== undefined && patch.refundedFen !== before.refundedFen) this.recordEvent(outNo, before.status, before.status, reason);
    return this.getPayment(outNo)!;
  }

  recordEvent(outNo: string, from: string | undefined, to: string, reason: string): void {
    this.#db
      .prepare('INSERT INTO payment_events (out_no, from_status, to_status, reason, at, origin) VALUES (?, ?, ?, ?, ?, ?)')
      .run(outNo, from ?? null, to, reason, new Date().toISOString(), this.#origin);
  }

  events(outNo: string): { from?: string; to: string; reason: string; at: string }[] {
    return (this.#db.prepare('SELECT * FROM payment_events WHERE out_no = ? ORDER BY id').all(outNo) as Row[]).map((r) => ({
      from: str(r.from_status),
      to: String(r.to_status),
      reason: String(r.reason),
      at: String(r.at),
    }));
  }

  /** Payments the resolver must look at now. */
  due(now: number, limit = 50): PaymentRecord[] {
    return (
      this.#db
        .prepare('SELECT * FROM payments WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?')
        .all(now, limit) as Row[]
    ).map(toPayment);
  }

  /**
   * For a chain's proxies on one database: the due payments and refunds `wanted` keeps, claimed for
   * this proxy by moving their next check to `leaseUntil` in one transaction (which holds the chain's
   * write lock), so another proxy's resolver skips them. The check sets the real next time; a proxy
   * that dies mid-check leaves the claim to run out and another proxy checks then.
   */
  claimDue(now: number, leaseUntil: number, wanted: (id: string) => boolean): { payments: PaymentRecord[]; refunds: RefundRecord[] } {
    // Most ticks find nothing due: they read, and take no write lock.
    if (!this.due(now, 1).length && !this.dueRefunds(now, 1).length) return { payments: [], refunds: [] };
    return this.transaction(() => {
      const payments = this.due(now).filter((p) => wanted(p.outNo));
      const refunds = this.dueRefunds(now).filter((r) => wanted(r.refundNo));
      const claimPayment = this.#db.prepare('UPDATE payments SET next_check_at = ? WHERE out_no = ? AND next_check_at = ?');
      const claimRefund = this.#db.prepare('UPDATE refunds SET next_check_at = ? WHERE refund_no = ? AND next_check_at = ?');
      return {
        payments: payments.filter((p) => claimPayment.run(leaseUntil, p.outNo, p.nextCheckAt!).changes === 1),
        refunds: refunds.filter((r) => claimRefund.run(leaseUntil, r.refundNo, r.nextCheckAt!).changes === 1),
      };
    });
  }

  /**
   * After a restart nothing unsettled waits for a schedule made by the previous process.
   * `sparedSince` (a chain's shared ledger, where the other proxies live on): a payment or refund
   * another proxy stored after it and that is untouched since may be in that proxy's provider call
   * right now; it keeps the schedule stored with it (due once that call must have ended), so no
   * check races the call it would be checking. This proxy's own (its origin) are due at once: its
   * calls died with its previous process.
   */
  makeUnsettledDue(now: number, sparedSince?: string): number {
    const spare = sparedSince === undefined ? '' : ' AND NOT (updated_at = created_at AND created_at > @sparedSince AND (origin IS NULL OR origin <> @origin))';
    const args = { now, ...(sparedSince === undefined ? {} : { sparedSince, origin: this.#origin ?? '' }) };
    const payments = this.#db
      .prepare(`UPDATE payments SET next_check_at = @now WHERE status IN ('unknown', 'paying') AND (next_check_at IS NULL OR next_check_at > @now)${spare}`)
      .run(args).changes;
    // Refunds too: one whose call was cut by the restart has no check scheduled at all.
    const refunds = this.#db
      .prepare(`UPDATE refunds SET next_check_at = @now WHERE status = 'unknown' AND (next_check_at IS NULL OR next_check_at > @now)${spare}`)
      .run(args).changes;
    return payments + refunds;
  }

  listPayments(f: ListFilter): { total: number; sums: ListSums; items: PaymentRecord[] } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    const instant = (t: string) => {
      const ms = Date.parse(t);
      return Number.isFinite(ms) ? new Date(ms).toISOString() : t;
    };
    const anyOf = (column: string, name: string, v: string | readonly string[]) => {
      const list = typeof v === 'string' ? [v] : [...v];
      where.push(`${column} IN (${list.map((_, i) => `@${name}${i}`).join(', ')})`);
      list.forEach((x, i) => (args[`${name}${i}`] = x));
    };
    // created_at is always our own toISOString(): instants in the same form compare as text.
    if (f.from) (where.push('created_at >= @from'), (args.from = instant(f.from)));
    if (f.to) (where.push('created_at < @to'), (args.to = instant(f.to)));
    if (f.status !== undefined && f.status.length) anyOf('status', 'status', f.status);
    if (f.method !== undefined && f.method.length) anyOf('method', 'method', f.method);
    if (f.terminalId) (where.push('terminal_id = @terminalId'), (args.terminalId = f.terminalId));
    if (f.storeId) (where.push('store_id = @storeId'), (args.storeId = f.storeId));
    if (f.minFen !== undefined) (where.push('amount_fen >= @minFen'), (args.minFen = f.minFen));
    if (f.maxFen !== undefined) (where.push('amount_fen <= @maxFen'), (args.maxFen = f.maxFen));
    if (f.q) {
      const like = "LIKE @q ESCAPE '\\'";
      where.push(
        `(out_no ${like} OR provider_ref ${like} OR trade_no ${like} OR bill_no ${like}
          OR EXISTS (SELECT 1 FROM refunds r WHERE r.out_no = payments.out_no AND (r.refund_no ${like} OR r.provider_ref ${like})))`,
      );
      args.q = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const head = this.#db
      .prepare(
        `SELECT COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN status IN ('paid', 'refunded') THEN 1 ELSE 0 END), 0) AS "paidCount",
                COALESCE(SUM(CASE WHEN status IN ('paid', 'refunded') THEN amount_fen ELSE 0 END), 0) AS "paidFen",
                COALESCE(SUM(refunded_fen), 0) AS "refundedFen"
           FROM payments ${w}`,
      )
      .get(args) as { total: number; paidCount: number; paidFen: number; refundedFen: number };
    const items = (
      this.#db
        .prepare(`SELECT * FROM payments ${w} ORDER BY created_at DESC, out_no LIMIT @limit OFFSET @offset`)
        .all({ ...args, limit: f.pageSize, offset: (f.page - 1) * f.pageSize }) as Row[]
    ).map(toPayment);
    return { total: head.total, sums: { paidCount: head.paidCount, paidFen: head.paidFen, refundedFen: head.refundedFen }, items };
  }

  getRefund(refundNo: string): RefundRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM refunds WHERE refund_no = ?').get(refundNo) as Row | undefined;
    return r ? toRefund(r) : undefined;
  }

  refundsOf(outNo: string): RefundRecord[] {
    return (this.#db.prepare('SELECT * FROM refunds WHERE out_no = ? ORDER BY created_at').all(outNo) as Row[]).map(toRefund);
  }

  /** Fen promised to refunds that are done or may be done (unknown) — what is no longer refundable. */
  committedRefundFen(outNo: string): number {
    return this.#db
      .prepare("SELECT COALESCE(SUM(amount_fen), 0) FROM refunds WHERE out_no = ? AND status IN ('refunded', 'unknown')")
      .pluck()
      .get(outNo) as number;
  }

  insertRefund(r: Omit<RefundRecord, 'updatedAt'>): void {
    this.#db
      .prepare(
        `INSERT INTO refunds (refund_no, out_no, amount_fen, status, reason, terminal_id, created_at, updated_at, origin)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.refundNo, r.outNo, r.amountFen, r.status, r.reason ?? null, r.terminalId ?? null, r.createdAt, r.createdAt, this.#origin);
  }

  updateRefund(refundNo: string, patch: Partial<Pick<RefundRecord, 'status' | 'providerRef' | 'message' | 'printinfo' | 'nextCheckAt'>>): RefundRecord {
    const cur = this.getRefund(refundNo)!;
    const next = { ...cur, ...patch };
    this.#db
      .prepare('UPDATE refunds SET status = ?, provider_ref = ?, message = ?, printinfo = ?, next_check_at = ?, updated_at = ? WHERE refund_no = ?')
      .run(next.status, next.providerRef ?? null, next.message ?? null, receiptBytes(next.printinfo), next.nextCheckAt ?? null, new Date().toISOString(), refundNo);
    return this.getRefund(refundNo)!;
  }

  /** Fen of this payment's refunds the provider confirmed. */
  refundedFen(outNo: string): number {
    return this.#db.prepare("SELECT COALESCE(SUM(amount_fen), 0) FROM refunds WHERE out_no = ? AND status = 'refunded'").pluck().get(outNo) as number;
  }

  /** Refunds whose outcome is unknown and due for a look at the provider's bill. */
  dueRefunds(now: number, limit = 20): RefundRecord[] {
    return (
      this.#db
        .prepare("SELECT * FROM refunds WHERE status = 'unknown' AND next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at LIMIT ?")
        .all(now, limit) as Row[]
    ).map(toRefund);
  }

  recordCall(c: {
    provider: string; op: string; outNo?: string; request: string; response: string; ok: boolean; errorKind?: string; durationMs: number;
  }): void {
    const at = new Date().toISOString();
    // Diagnostics, not money: written with the payment's next change (deferWrite).
    deferWrite(this.#db, () =>
      this.#db
        .prepare(
          'INSERT INTO provider_calls (provider, op, out_no, request, response, ok, error_kind, duration_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(c.provider, c.op, c.outNo ?? null, c.request, c.response, c.ok ? 1 : 0, c.errorKind ?? null, Math.round(c.durationMs), at),
    );
  }

  calls(outNo: string): { op: string; ok: boolean; request: string; response: string; errorKind?: string; at: string }[] {
    flushDeferred(this.#db);
    return (this.#db.prepare('SELECT * FROM provider_calls WHERE out_no = ? ORDER BY id').all(outNo) as Row[]).map((r) => ({
      op: String(r.op),
      ok: r.ok === 1,
      request: String(r.request),
      response: String(r.response),
      errorKind: str(r.error_kind),
      at: String(r.at),
    }));
  }

  /**
   * Records a callback. An accepted one with a replay key seen before is refused by the unique
   * index: returns false, and the caller treats it as a replay.
   */
  recordCallback(c: { provider: string; replayKey?: string; outNo?: string; state?: string; outcome: string; detail?: string }): boolean {
    try {
      this.#db
        .prepare('INSERT INTO callbacks (provider, replay_key, out_no, state, outcome, detail, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(c.provider, c.replayKey ?? null, c.outNo ?? null, c.state ?? null, c.outcome, c.detail?.slice(0, 500) ?? null, new Date().toISOString());
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  callbacks(outNo?: string): { provider: string; outNo?: string; state?: string; outcome: string; detail?: string; receivedAt: string }[] {
    const rows = (outNo
      ? this.#db.prepare('SELECT * FROM callbacks WHERE out_no = ? ORDER BY id').all(outNo)
      : this.#db.prepare('SELECT * FROM callbacks ORDER BY id').all()) as Row[];
    return rows.map((r) => ({ provider: String(r.provider), outNo: str(r.out_no), state: str(r.state), outcome: String(r.outcome), detail: str(r.detail), receivedAt: String(r.received_at) }));
  }

  /** A provider's own persistent state (device id, key...). */
  stateStore(provider: string) {
    const db = this.#db;
    return {
      get: (key: string) => db.prepare('SELECT value FROM provider_state WHERE provider = ? AND key = ?').pluck().get(provider, key) as string | undefined,
      set: (key: string, value: string) =>
        void db.prepare('INSERT INTO provider_state (provider, key, value) VALUES (?, ?, ?) ON CONFLICT (provider, key) DO UPDATE SET value = excluded.value').run(provider, key, value),
      delete: (key: string) => void db.prepare('DELETE FROM provider_state WHERE provider = ? AND key = ?').run(provider, key),
    };
  }
}
