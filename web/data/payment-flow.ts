/**
 * The life of one payment, from the browser's side (DESIGN "Payment invariants" 2 and 3):
 *
 * 1. The record (with its idempotency key `outNo`) is written to IndexedDB first.
 * 2. `POST /api/payments`. The answer is written back.
 * 3. No answer (network): never re-send blindly. `GET /api/payments/:outNo`; a 404 means the
 *    proxy never stored it, so the same request (same outNo, same body) is sent again; any
 *    other answer is the payment's state. Retried with backoff while offline.
 * 4. While it is not final (paying, unknown), poll `GET` every 2 s (server events may also
 *    apply updates through `apply`), until the proxy reports a final state.
 *
 * A barcode payment carries the customer's code; a QR payment (the customer scans the code the
 * proxy answers with) and a cash payment carry none, and follow the same steps.
 *
 * Several tabs share one IndexedDB, so one payment could be driven twice. Driving it takes the
 * Web Lock `pos-payment-<outNo>` (if it is free); a tab that finds it held only follows the
 * payment through the store (the driving tab writes every answer there, server events too) and
 * takes over once the lock is free again (the other tab was closed) — by asking, never by re-sending.
 *
 * Plain TypeScript with its I/O injected, so the rules above are unit-tested in Node.
 */
import type { CreatePaymentRequest, CartItem, MethodKind, PaymentView } from '../../contract/api.ts';
import { ApiError, NetworkError } from './api.ts';
import { isFinal, type PaymentRecord } from './records.ts';

export interface FlowApi {
  createPayment(req: CreatePaymentRequest): Promise<PaymentView>;
  getPayment(outNo: string): Promise<PaymentView>;
}

export interface FlowStore {
  get(outNo: string): Promise<PaymentRecord | undefined>;
  /** Must be durable before it resolves: the request goes out right after. */
  put(rec: PaymentRecord): Promise<void>;
  /** Read-modify-write in one transaction; `fn` returns the new record or null to leave it. */
  update(outNo: string, fn: (rec: PaymentRecord) => PaymentRecord | null): Promise<PaymentRecord | undefined>;
  /** Every record that is not final, oldest first. */
  unfinished(): Promise<PaymentRecord[]>;
}

export interface FlowHooks {
  /** true while the proxy cannot be reached for this payment. */
  onNetwork?(outNo: string, down: boolean): void;
  /** The proxy answered with an error while resolving (shown; resolving goes on). Null clears it. */
  onProblem?(outNo: string, message: string | null): void;
  /** 401/403: the terminal's token is no longer accepted. The payment stays unresolved. */
  onUnauthorized?(): void;
}

export interface FlowTiming {
  pollMs: number;
  /** After this long the poll slows to `slowPollMs` (the proxy is still resolving it). */
  slowAfterMs: number;
  slowPollMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /**
   * A wallet's payment code is valid for about a minute. A payment that never reached the proxy
   * and is older than this is closed here (nothing was charged) instead of sending a dead code.
   * The same goes for a QR payment (the customer who would have scanned it has gone); a cash
   * payment is always sent, however late: the money is already in the drawer.
   */
  codeLifetimeMs: number;
}

export const DEFAULT_TIMING: FlowTiming = {
  pollMs: 2_000,
  slowAfterMs: 120_000,
  slowPollMs: 15_000,
  minBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  codeLifetimeMs: 5 * 60_000,
};

/** As much of the Web Locks API (`navigator.locks`) as the flow uses. */
export interface FlowLocks {
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/** Without Web Locks (an old browser, Node): every request is granted; one tab drives its own payments. */
const NO_LOCKS: FlowLocks = { request: (_name, _options, callback) => callback({}) };

function browserLocks(): FlowLocks {
  const locks = (globalThis as { navigator?: { locks?: unknown } }).navigator?.locks;
  return locks ? (locks as FlowLocks) : NO_LOCKS;
}

/** The lock a tab holds while it drives one payment. */
export function paymentLockName(outNo: string): string {
  return `pos-payment-${outNo}`;
}

export interface FlowDeps {
  api: FlowApi;
  store: FlowStore;
  hooks?: FlowHooks;
  timing?: Partial<FlowTiming>;
  now?: () => Date;
  /** Defaults to `navigator.locks`. */
  locks?: FlowLocks;
}

export interface NewPayment {
  amountFen: number;
  /** The customer's payment code: for `barcode` methods only. */
  authCode?: string;
  method: string;
  /** Defaults to `barcode` with an `authCode`; `qr` and `cash` payments carry none. */
  kind?: MethodKind;
  items?: CartItem[];
  /** The backend's sales bill (methods with `needsBill`). */
  billNo?: string;
}

/**
 * 'P' + local yyyyMMddHHmmss + 8 random base36 characters: 23 of [A-Za-z0-9], sortable by
 * time, and unguessable enough that two terminals never collide.
 */
export function makeOutNo(now: Date = new Date(), random: Uint8Array = crypto.getRandomValues(new Uint8Array(8))): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    p(now.getFullYear(), 4) + p(now.getMonth() + 1) + p(now.getDate()) + p(now.getHours()) + p(now.getMinutes()) + p(now.getSeconds());
  const tail = Array.from(random.subarray(0, 8), (b) => (b % 36).toString(36)).join('');
  return `P${stamp}${tail}`;
}

/** What the proxy's answers may change on a record. */
export function mergeView(rec: PaymentRecord, view: PaymentView, now: Date): PaymentRecord | null {
  if (view.outNo !== rec.outNo) return null;
  // A late answer must never reopen a payment that has already ended.
  if (isFinal(rec.status) && !isFinal(view.status)) return null;
  if (view.amountFen !== rec.amountFen) {
    // The proxy holds a different payment under our key. Ours was never taken.
    return {
      ...rec,
      status: 'failed',
      errorCode: 'conflict',
      message: `订单号冲突，未收款 / This order number belongs to another amount (${view.amountFen} fen) — not charged`,
      authCode: undefined,
      updatedAt: now.toISOString(),
    };
  }
  const next: PaymentRecord = {
    ...rec,
    status: view.status,
    provider: view.provider ?? rec.provider,
    method: view.method ?? rec.method,
    providerRef: view.providerRef ?? rec.providerRef,
    tradeNo: view.tradeNo ?? rec.tradeNo,
    paidAt: view.paidAt ?? rec.paidAt,
    qrCode: view.qrCode ?? rec.qrCode,
    bill: view.bill ?? rec.bill,
    message: view.message,
    errorCode: undefined,
    httpStatus: undefined,
    updatedAt: now.toISOString(),
  };
  if (isFinal(next.status)) delete next.authCode; // single-use code, no longer needed
  return next;
}

/** HTTP answers to the POST that mean "refused, nothing stored, nothing charged". */
function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 408 && status !== 429;
}

/** The POST body: a QR or cash payment has no `authCode` at all (the method says how to pay). */
export function bodyOf(rec: PaymentRecord): CreatePaymentRequest {
  const body: CreatePaymentRequest = { outNo: rec.outNo, amountFen: rec.amountFen };
  if (rec.authCode !== undefined) body.authCode = rec.authCode;
  if (rec.method !== undefined) body.method = rec.method;
  if (rec.items?.length) body.items = rec.items;
  if (rec.billNo !== undefined) body.billNo = rec.billNo;
  return body;
}

/** How a record is taken; records from before QR and cash are barcode ones. */
function kindOf(rec: PaymentRecord): MethodKind {
  return rec.kind ?? 'barcode';
}

export class PaymentFlow {
  readonly #api: FlowApi;
  readonly #store: FlowStore;
  readonly #hooks: FlowHooks;
  readonly #timing: FlowTiming;
  readonly #now: () => Date;
  readonly #locks: FlowLocks;
  readonly #running = new Map<string, Promise<void>>();
  readonly #wakers = new Map<string, () => void>();
  #stopped = false;

  constructor(deps: FlowDeps) {
    this.#api = deps.api;
    this.#store = deps.store;
    this.#hooks = deps.hooks ?? {};
    this.#timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.#now = deps.now ?? (() => new Date());
    this.#locks = deps.locks ?? browserLocks();
  }

  /**
   * Writes the new payment to the store, then sends it. Resolves once it is stored, with
   * the record; `done` settles when the payment is final (or the flow is stopped).
   */
  async start(p: NewPayment, outNo = makeOutNo(this.#now())): Promise<{ record: PaymentRecord; done: Promise<void> }> {
    const kind = p.kind ?? 'barcode';
    if (kind === 'barcode' ? !p.authCode : p.authCode !== undefined) {
      throw new Error(`a ${kind} payment ${kind === 'barcode' ? 'needs' : 'takes no'} payment code`);
    }
    const at = this.#now().toISOString();
    const record: PaymentRecord = {
      outNo,
      amountFen: p.amountFen,
      method: p.method,
      kind,
      status: 'pending',
      createdAt: at,
      updatedAt: at,
    };
    if (p.authCode !== undefined) record.authCode = p.authCode;
    if (p.items?.length) record.items = p.items;
    if (p.billNo !== undefined) record.billNo = p.billNo;
    // Held from before the record exists, so no other tab can pick it up and send it too.
    const release = await this.#acquire(outNo);
    if (!release) throw new Error(`payment ${outNo} is already being taken in another tab`);
    try {
      await this.#store.put(record); // before anything leaves the browser
    } catch (err) {
      release();
      throw err;
    }
    return { record, done: this.#run(outNo, true, release) };
  }

  /** Resolves a stored payment that is not final (after a reload, a re-pairing…). */
  resume(outNo: string): Promise<void> {
    return this.#run(outNo, false);
  }

  /** Resumes every unfinished payment; returns them, oldest first. */
  async resumeAll(): Promise<PaymentRecord[]> {
    const open = await this.#store.unfinished();
    for (const rec of open) void this.resume(rec.outNo);
    return open;
  }

  /** Applies a PaymentView from anywhere (server events, an answer to cancel). */
  async apply(view: PaymentView): Promise<PaymentRecord | undefined> {
    const now = this.#now();
    const rec = await this.#store.update(view.outNo, (r) => mergeView(r, view, now));
    this.wake(view.outNo);
    return rec;
  }

  /** Cuts short the wait of one payment (or all): e.g. the browser came back online. */
  wake(outNo?: string): void {
    if (outNo === undefined) for (const w of [...this.#wakers.values()]) w();
    else this.#wakers.get(outNo)?.();
  }

  isRunning(outNo: string): boolean {
    return this.#running.has(outNo);
  }

  stop(): void {
    this.#stopped = true;
    this.wake();
  }

  #run(outNo: string, post: boolean, held?: () => void): Promise<void> {
    const existing = this.#running.get(outNo);
    if (existing) {
      held?.(); // the run already under way takes the lock when it is free: it asks before sending
      this.wake(outNo);
      return existing;
    }
    this.#stopped = false;
    const p = this.#lead(outNo, post, held ?? null).finally(() => {
      this.#running.delete(outNo);
      this.#hooks.onNetwork?.(outNo, false);
    });
    this.#running.set(outNo, p);
    return p;
  }

  /** Resolves with the release of the payment's lock, or null when another tab holds it. */
  #acquire(outNo: string): Promise<(() => void) | null> {
    return new Promise((resolve, reject) => {
      this.#locks
        .request(paymentLockName(outNo), { ifAvailable: true }, (lock) => {
          if (!lock) {
            resolve(null);
            return Promise.resolve();
          }
          // The lock is held until this promise settles: until the release is called.
          return new Promise<void>((release) => resolve(() => release()));
        })
        .catch(reject);
    });
  }

  /** Drives the payment while holding its lock; follows it through the store while another tab does. */
  async #lead(outNo: string, post: boolean, held: (() => void) | null): Promise<void> {
    let release = held;
    for (;;) {
      release ??= await this.#acquire(outNo);
      if (release) {
        try {
          return await this.#drive(outNo, post);
        } finally {
          release();
        }
      }
      if (this.#stopped) return;
      const rec = await this.#store.get(outNo);
      if (!rec || isFinal(rec.status)) return;
      // Whoever holds the lock sent it (or will): if it is ever ours, ask first.
      post = false;
      await this.#sleep(outNo, this.#timing.pollMs);
    }
  }

  async #drive(outNo: string, post: boolean): Promise<void> {
    let needPost = post;
    /** The proxy's error answer to our POST, if it gave one. */
    let postError: ApiError | null = null;
    let failures = 0;
    const backoff = () => Math.min(this.#timing.maxBackoffMs, this.#timing.minBackoffMs * 2 ** failures++);

    while (!this.#stopped) {
      const rec = await this.#store.get(outNo);
      if (!rec || isFinal(rec.status)) return;

      let view: PaymentView;
      try {
        view = needPost ? await this.#api.createPayment(bodyOf(rec)) : await this.#api.getPayment(outNo);
      } catch (err) {
        if (err instanceof NetworkError) {
          // No answer: it may or may not have arrived. Ask before sending anything again.
          this.#hooks.onNetwork?.(outNo, true);
          needPost = false;
          await this.#sleep(outNo, backoff());
          continue;
        }
        if (!(err instanceof ApiError)) throw err;
        this.#hooks.onNetwork?.(outNo, false);
        if (err.status === 401 || err.status === 403) {
          this.#hooks.onUnauthorized?.();
          return;
        }
        if (needPost) {
          if (isRefusal(err.status)) {
            await this.#refuse(outNo, err);
            return;
          }
          // A server error: it may have stored the payment first. Ask.
          postError = err;
          needPost = false;
          this.#hooks.onProblem?.(outNo, err.message);
          continue;
        }
        if (err.status === 404 && rec.status === 'pending') {
          if (postError) {
            // It answered our POST with an error and never stored it: nothing was charged.
            await this.#refuse(outNo, postError);
            return;
          }
          const kind = kindOf(rec);
          if (kind !== 'cash' && this.#now().getTime() - Date.parse(rec.createdAt) > this.#timing.codeLifetimeMs) {
            await this.#refuse(
              outNo,
              kind === 'qr'
                ? new ApiError(410, 'payment_expired', '交易未送达，顾客未被扣款，请重新收款 / The payment never reached the server; the customer was not charged — start again')
                : new ApiError(410, 'auth_code_expired', '付款码已过期，顾客未被扣款，请重新扫码 / The payment code expired; the customer was not charged — scan again'),
            );
            return;
          }
          // The request never reached the proxy: send the very same one again.
          needPost = true;
          continue;
        }
        this.#hooks.onProblem?.(outNo, err.message);
        await this.#sleep(outNo, backoff());
        continue;
      }

      this.#hooks.onNetwork?.(outNo, false);
      this.#hooks.onProblem?.(outNo, null);
      needPost = false;
      failures = 0;
      const next = await this.apply(view);
      if (!next || isFinal(next.status)) return;
      const age = this.#now().getTime() - Date.parse(next.createdAt);
      await this.#sleep(outNo, age > this.#timing.slowAfterMs ? this.#timing.slowPollMs : this.#timing.pollMs);
    }
  }

  async #refuse(outNo: string, err: ApiError): Promise<void> {
    const now = this.#now().toISOString();
    await this.#store.update(outNo, (r) =>
      isFinal(r.status)
        ? null
        : { ...r, status: 'failed', message: err.message, errorCode: err.code, httpStatus: err.status, authCode: undefined, updatedAt: now },
    );
  }

  #sleep(outNo: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.#wakers.get(outNo) === done) this.#wakers.delete(outNo);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.set(outNo, done);
    });
  }
}
