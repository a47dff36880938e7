/**
 * The checkout state machine: amount → scan → payment (→ amount again once it is final).
 * Components read these fields and call these methods; nothing else holds checkout state.
 * The payment itself lives in IndexedDB (the flow writes it there first) and is shown
 * through a Dexie liveQuery, so every writer (answers, polling, server events) is seen.
 */
import { liveQuery, type Subscription } from 'dexie';
import type { PaymentView, PayMethodInfo } from '../../contract/api.ts';
import { FINAL_STATUSES } from '../../contract/api.ts';
import { formatYuan } from '../../contract/money.ts';
import { checkAmount } from '../checkout/amount.ts';
import { anyNeedsBill, billFor, checkBillNo, nextPaymentFrom } from '../checkout/bill.ts';
import { api, ApiError, describeError } from './api.ts';
import { db, dexieStore, isFinal, type PaymentRecord } from './db.ts';
import { routeCode } from './methods.ts';
import { OFFLINE_UNAVAILABLE } from './offline.ts';
import { PaymentFlow, type NewPayment } from './payment-flow.ts';
import { terminal } from './terminal.svelte.ts';
import type { Cart } from '../checkout/cart.svelte.ts';

export type Phase = 'amount' | 'scan' | 'payment';

export type ReceiptState =
  | { outNo: string; state: 'loading' }
  | { outNo: string; state: 'ready'; bytes: Uint8Array }
  | { outNo: string; state: 'error'; message: string };

/**
 * A message on the checkout about a payment no longer on screen: cash taken while offline
 * (`stored`), then booked by the proxy (`booked`) or, rarely, refused (`failed`).
 */
export interface CheckoutNotice {
  outNo: string;
  kind: 'stored' | 'booked' | 'failed';
  text: string;
}

function isPaymentView(x: unknown): x is PaymentView {
  const v = x as PaymentView | null;
  return typeof v === 'object' && v !== null && typeof v.outNo === 'string' && typeof v.status === 'string';
}

class Checkout {
  phase = $state<Phase>('amount');
  amountText = $state('');
  amount = $derived(checkAmount(this.amountText));
  /** Set when Collect was pressed with a bad amount, so the message shows only then. */
  amountTouched = $state(false);

  /** The sales bill number (单号) keyed on the amount screen, for `needsBill` methods. */
  billText = $state('');
  /** Set when a payment could not start for want of a (well-formed) bill number. */
  #billError = $state<string | null>(null);
  /** The message under the bill field: the last refusal, or a malformed number as it is typed. */
  billError = $derived.by(() => {
    if (this.#billError) return this.#billError;
    const c = checkBillNo(this.billText);
    return c.ok ? null : c.message;
  });

  methods = $state<PayMethodInfo[]>([]);
  /** Some method needs a bill number: the amount screen shows the field. */
  needsBill = $derived(anyNeedsBill(this.methods));
  methodsError = $state<string | null>(null);
  scanError = $state<string | null>(null);
  submitting = $state(false);

  /** The payment on screen. */
  outNo = $state<string | null>(null);
  current = $state<PaymentRecord | null>(null);
  final = $derived(this.current !== null && isFinal(this.current.status));
  /** Every payment not final yet, newest first (the one on screen included). */
  open = $state<PaymentRecord[]>([]);

  cancelling = $state(false);
  cancelResult = $state<string | null>(null);
  receipt = $state<ReceiptState | null>(null);
  notice = $state<CheckoutNotice | null>(null);
  /** The items scanned for this sale (made by the first scan on the amount screen); its lines go with the payment. */
  cart = $state<Cart | null>(null);
  /** Cash payments taken here, by outNo: their label ("现金 ¥12.34"). */
  #cash = new Map<string, string>();
  /** Those of them left to the outbox while offline. */
  #parked = new Set<string>();

  #network = $state<Record<string, boolean>>({});
  #problems = $state<Record<string, string>>({});
  /** The proxy cannot be reached for the payment on screen. */
  networkDown = $derived(this.outNo !== null && this.#network[this.outNo] === true);
  /** An error the proxy gave while the payment on screen is being resolved. */
  problem = $derived(this.outNo === null ? null : (this.#problems[this.outNo] ?? null));

  #flow = new PaymentFlow({
    api,
    store: dexieStore(db),
    hooks: {
      onNetwork: (outNo, down) => {
        if ((this.#network[outNo] === true) !== down) this.#network[outNo] = down;
        // Cash on screen that cannot be sent: the money is in the drawer and the sale is stored,
        // so the cashier goes on; the outbox sends it when the store is back online.
        if (down && outNo === this.outNo && this.phase === 'payment' && !this.final && this.#isCash(outNo)) this.#park(outNo);
      },
      onProblem: (outNo, message) => {
        if (message === null) delete this.#problems[outNo];
        else this.#problems[outNo] = message;
      },
      onUnauthorized: () => terminal.reject(),
    },
  });
  #current: Subscription | null = null;
  #openSub: Subscription | null = null;
  #wired = false;

  /** Once paired: methods, server events, and every payment left unfinished. */
  async start(): Promise<void> {
    if (!this.#wired) {
      this.#wired = true;
      // The outbox's wake-up: the browser's `online` event, or the proxy answering again.
      terminal.onReconnect(() => this.#flow.wake());
      terminal.onEvent((msg) => {
        if (msg.event !== 'payment') return;
        try {
          const view: unknown = JSON.parse(msg.data);
          if (isPaymentView(view)) void this.#flow.apply(view);
        } catch {
          // not JSON: ignore
        }
      });
      this.#openSub = liveQuery(() =>
        db.payments.where('status').noneOf([...FINAL_STATUSES]).reverse().sortBy('createdAt'),
      ).subscribe({
        next: (rows) => {
          this.open = rows;
          // Payments stored by another tab: followed here (and taken over if that tab closes);
          // the Web Lock in the flow makes sure only one tab drives each.
          for (const r of rows) if (!this.#flow.isRunning(r.outNo)) void this.#flow.resume(r.outNo);
        },
        error: (e) => console.error(e),
      });
    }
    void this.loadMethods();
    const open = await this.#flow.resumeAll();
    const newest = open[open.length - 1];
    if (newest && (this.phase !== 'payment' || this.final)) this.show(newest.outNo);
  }

  async loadMethods(): Promise<void> {
    try {
      const methods = await api.methods();
      this.methods = methods;
      this.methodsError = null;
      await db.setSetting('methods', methods);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) terminal.reject();
      const cached = await db.getSetting('methods');
      if (cached?.length && this.methods.length === 0) this.methods = cached;
      this.methodsError = describeError(err);
    }
  }

  /** The method's display name ("微信"), or its id when the methods are not loaded. */
  methodName(id: string | undefined): string | undefined {
    return id === undefined ? undefined : (this.methods.find((m) => m.id === id)?.name ?? id);
  }

  /** A method the proxy listed, or undefined. */
  method(id: string | undefined): PayMethodInfo | undefined {
    return id === undefined ? undefined : this.methods.find((m) => m.id === id);
  }

  setAmount(text: string): void {
    this.amountText = text;
    this.amountTouched = false;
  }

  setBill(text: string): void {
    this.billText = text;
    this.#billError = null;
  }

  /** "收款 / Collect": on to the scan step if the amount (and a bill number, if keyed) is good. */
  collect(): boolean {
    if (!this.amount.ok) {
      this.amountTouched = true;
      return false;
    }
    const bill = checkBillNo(this.needsBill ? this.billText : '');
    if (!bill.ok) {
      this.#billError = bill.message;
      return false;
    }
    this.scanError = null;
    if (this.notice?.kind !== 'failed') this.notice = null;
    this.phase = 'scan';
    return true;
  }

  back(): void {
    if (this.phase === 'scan') this.phase = 'amount';
  }

  /** A payment code from the scanner (or confirmed manual entry): route, store, send. */
  async submitCode(code: string): Promise<boolean> {
    if (this.submitting || this.phase !== 'scan') return false;
    const amount = this.amount;
    if (!amount.ok) {
      this.phase = 'amount';
      this.amountTouched = true;
      return false;
    }
    if (this.methods.length === 0) await this.loadMethods();
    const method = routeCode(code, this.methods);
    if (!method) {
      this.scanError =
        this.methods.length > 0
          ? '无法识别的付款码 / Unrecognised payment code'
          : `无法识别的付款码：支付方式未加载 / Unrecognised payment code: payment methods not loaded (${this.methodsError ?? ''})`;
      return false;
    }
    const bill = billFor(method, this.billText);
    if (!bill.ok) return this.#needBill(bill.message);
    return this.#begin({ amountFen: amount.fen, authCode: code, method: method.id, kind: 'barcode', billNo: bill.billNo });
  }

  /**
   * A QR method ("customer scans") or cash (already confirmed by the cashier): started exactly
   * like a scanned payment, stored first, but sent with no payment code.
   */
  async submitTender(methodId: string): Promise<boolean> {
    if (this.submitting || this.phase !== 'scan') return false;
    const amount = this.amount;
    if (!amount.ok) {
      this.phase = 'amount';
      this.amountTouched = true;
      return false;
    }
    const method = this.methods.find((m) => m.id === methodId);
    if (!method || (method.kind !== 'qr' && method.kind !== 'cash')) {
      this.scanError = `不支持的收款方式 / Unknown way to pay: ${methodId}`;
      return false;
    }
    // The customer's QR code comes from the provider, now: nothing to store and send later.
    if (method.kind === 'qr' && !terminal.online) {
      this.scanError = OFFLINE_UNAVAILABLE;
      return false;
    }
    const bill = billFor(method, this.billText);
    if (!bill.ok) return this.#needBill(bill.message);
    return this.#begin({ amountFen: amount.fen, method: method.id, kind: method.kind, billNo: bill.billNo });
  }

  /** Nothing is sent: back to the amount screen, where the bill field is, with the reason under it. */
  #needBill(message: string): false {
    this.#billError = message;
    this.scanError = null;
    this.phase = 'amount';
    return false;
  }

  async #begin(p: NewPayment): Promise<boolean> {
    this.submitting = true;
    this.scanError = null;
    try {
      const offline = !terminal.online;
      const { record, done } = await this.#flow.start({ ...p, items: this.cart?.handOver() });
      if (p.kind === 'cash') {
        this.#cash.set(record.outNo, `${this.methodName(p.method) ?? p.method} ¥${formatYuan(p.amountFen)}`);
        void done.then(() => this.#settled(record.outNo));
      }
      if (p.kind === 'cash' && offline) this.#park(record.outNo);
      else this.show(record.outNo);
      return true;
    } catch (err) {
      // Nothing was sent: the request only leaves once the record is stored.
      this.scanError = `无法保存交易，未收款 / Could not store the payment — nothing was sent: ${describeError(err)}`;
      return false;
    } finally {
      this.submitting = false;
    }
  }

  #isCash(outNo: string): boolean {
    return this.#cash.has(outNo) || (this.current?.outNo === outNo && this.current.kind === 'cash');
  }

  /** Cash stored while offline: back to an empty amount screen, the sale left to the outbox. */
  #park(outNo: string): void {
    const label = this.#cash.get(outNo) ?? (this.current ? `¥${formatYuan(this.current.amountFen)}` : outNo);
    this.#parked.add(outNo);
    if (this.outNo === outNo || this.phase !== 'payment') this.#clear();
    this.notice = {
      outNo,
      kind: 'stored',
      text: `${label} 已存本机，联网后自动上传 / ${label} saved here — sent when back online`,
    };
  }

  /** A cash payment ended: say so if it had been left to the outbox. */
  async #settled(outNo: string): Promise<void> {
    const label = this.#cash.get(outNo);
    const rec = await db.payments.get(outNo).catch(() => undefined);
    if (!rec || !isFinal(rec.status)) return; // stopped, or driven by another tab: still in the outbox
    this.#cash.delete(outNo);
    if (!this.#parked.delete(outNo)) return; // it was on screen: the status screen said it all
    if (rec.status === 'paid' && this.notice?.outNo !== outNo) return;
    this.notice =
      rec.status === 'paid'
        ? { outNo, kind: 'booked', text: `离线收款已入账 / Offline sale booked: ${label}` }
        : { outNo, kind: 'failed', text: `离线收款未能入账 / Offline sale not booked: ${label} (${outNo}) ${rec.message ?? rec.status}` };
  }

  /** Shows one payment (the newest unfinished on load, or one picked from the list). */
  show(outNo: string): void {
    if (this.outNo === outNo && this.phase === 'payment') return;
    this.#current?.unsubscribe();
    this.outNo = outNo;
    this.current = null;
    this.cancelResult = null;
    this.receipt = null;
    this.phase = 'payment';
    this.#current = liveQuery(() => db.payments.get(outNo)).subscribe({
      next: (rec) => {
        if (this.outNo !== outNo) return;
        this.current = rec ?? null;
        if (rec?.status === 'paid' && this.receipt?.outNo !== outNo) void this.#loadReceipt(outNo);
      },
      error: (e) => console.error(e),
    });
  }

  /** "撤销 / Cancel" while the customer has not confirmed. */
  async cancel(): Promise<void> {
    const outNo = this.outNo;
    if (!outNo || this.cancelling) return;
    this.cancelling = true;
    this.cancelResult = null;
    try {
      const res = await api.cancelPayment(outNo);
      if (isPaymentView(res)) {
        await this.#flow.apply(res);
        this.cancelResult =
          res.status === 'cancelled'
            ? `已撤销 / Cancelled${res.message ? ` — ${res.message}` : ''}`
            : `撤销请求已发送 / Cancel sent — ${res.status}${res.message ? `: ${res.message}` : ''}`;
      } else {
        this.cancelResult = '撤销请求已发送 / Cancel requested';
      }
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) terminal.reject();
      this.cancelResult = `无法撤销 / Cannot cancel: ${describeError(err)}`;
    } finally {
      this.cancelling = false;
      this.#flow.wake(outNo);
    }
  }

  /** "新交易 / New sale": only once the payment on screen is final. */
  newSale(): boolean {
    if (this.phase === 'payment' && !this.final) return false;
    this.#clear();
    if (this.notice?.kind === 'failed') this.notice = null;
    return true;
  }

  #clear(): void {
    this.#current?.unsubscribe();
    this.#current = null;
    this.cart = null;
    this.outNo = null;
    this.current = null;
    this.cancelResult = null;
    this.receipt = null;
    this.amountText = '';
    this.amountTouched = false;
    this.billText = '';
    this.#billError = null;
    this.scanError = null;
    this.phase = 'amount';
  }

  /**
   * "继续收款 / Take another payment" after a payment that left its bill not fully paid: a new
   * sale to the same bill, for the balance when the backend said how much is left.
   */
  nextPayment(): boolean {
    const next = this.current ? nextPaymentFrom(this.current) : null;
    if (!next || !this.newSale()) return false;
    this.billText = next.billNo;
    this.amountText = next.amountText;
    return true;
  }

  async retryReceipt(): Promise<void> {
    if (this.outNo) await this.#loadReceipt(this.outNo);
  }

  async #loadReceipt(outNo: string): Promise<void> {
    this.receipt = { outNo, state: 'loading' };
    try {
      const bytes = await api.receipt(outNo);
      if (this.outNo === outNo) this.receipt = { outNo, state: 'ready', bytes };
    } catch (err) {
      if (this.outNo === outNo) this.receipt = { outNo, state: 'error', message: describeError(err) };
    }
  }
}

export const checkout = new Checkout();
