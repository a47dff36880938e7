/**
 * The provider boundary. Every payment backend implements `Provider`; results are typed
 * values, never thrown (programming mistakes still throw). Only the route layer turns a
 * `ProviderError` into an HTTP answer.
 */
import type { CartItem, MethodKind } from '../../contract/api.ts';

export type ProviderId = 'weishouyin' | 'mct1' | 'kioskv5' | 'posmini';

/** Grouped so callers can branch: e.g. `network`/`timeout`/`response` on a pay call mean "state unknown". */
export type ProviderErrorKind =
  | 'params' // we sent something the provider refuses, or input is malformed before sending
  | 'config' // missing/invalid configuration, device not activated, method not configured
  | 'sign' // the provider rejected our signature, or theirs did not verify
  | 'decrypt'
  | 'response' // the answer arrived but cannot be understood (garbage, hostile XML, too large)
  | 'network' // the answer did not arrive: connection refused/reset/dropped
  | 'timeout' // no answer within the configured time
  | 'declined' // the provider answered: this operation failed (insufficient funds, refund refused...)
  | 'not_found' // the provider does not know this order
  | 'duplicate' // the provider already has an order/refund with this number (e.g. mct1 8005/8045/8020): query it, never resend
  | 'unsupported'; // the provider has no such operation

export interface ProviderError {
  kind: ProviderErrorKind;
  /** A stable machine code more precise than the kind, where the adapter has one (e.g. mct1_shop_pass_wrong). */
  code?: string;
  /** Human sentence, zh-CN first where it reaches a cashier. Never contains a secret. */
  message: string;
  /** The provider's own code and message, as it sent them. */
  provider?: { code?: string; message?: string };
}

export type Result<T> = ({ ok: true } & T) | { ok: false; error: ProviderError };

export interface ProviderMethod {
  /** Stable id used by the API, e.g. "weishouyin:o2o_dm_code_wxpaysub". */
  id: string;
  /** The payment must name a sales bill of the backend (posmini): the cashier keys the bill number. */
  needsBill?: boolean;
  /** The provider's own code for the method (微收银 `paytype`). */
  code: string;
  name: string;
  kind: MethodKind;
  /** JavaScript RegExp source the payment code must match. */
  codePattern?: string;
}

export interface PayRequest {
  outNo: string;
  amountFen: number;
  /** The customer's payment code: required for `barcode` methods, absent for `qr` and `cash`. */
  authCode?: string;
  method: ProviderMethod;
  items?: CartItem[];
  remark?: string;
  /** Where the provider should send its asynchronous result (mct1 notify_url), when it supports one. */
  notifyUrl?: string;
  /** The sales bill this payment is applied to, where the backend keeps bills (posmini billnum, ≤ 20). */
  billNo?: string;
}

/** Identifies a payment at the provider: whatever we know of it. */
export interface PaymentRef {
  outNo: string;
  method: ProviderMethod;
  amountFen: number;
  authCode?: string;
  /** The provider's bill number (微收银 dm_id). */
  providerRef?: string;
  /** The sales bill the payment was applied to (posmini billnum). */
  billNo?: string;
}

export type PayState = 'paid' | 'paying' | 'failed' | 'cancelled';

export interface PayOutcome {
  state: PayState;
  providerRef?: string;
  /** The wallet's transaction number (微收银 pay_id). */
  tradeNo?: string;
  /** ISO 8601 with offset. */
  paidAt?: string;
  amountFen?: number;
  /** Receipt text with literal `\xNN` escapes decoded to characters (ESC/POS control codes + text). */
  printinfo?: string;
  message?: string;
  providerCode?: string;
  /** For `qr` methods: the string the customer's wallet scans (mct1 trade_qrcode). */
  qrCode?: string;
  /** The sales bill after this payment (posmini): fully paid, or how much is still owed when known. */
  bill?: BillState;
  /**
   * Provider figures worth keeping with the payment (kioskv5 fees: user fee, withdraw fee, activity
   * fee, real price to the store...). Amounts in fen, ratios as decimals; shown on the order detail.
   */
  details?: Record<string, number | string>;
}

export interface BillState {
  billNo: string;
  fullyPaid: boolean;
  /** Still owed, in fen, when the backend says. */
  balanceFen?: number;
  /** The backend's own state code (posmini billpaystate). */
  state?: string;
}

export interface RefundOutcome {
  state: 'refunded';
  amountFen: number;
  providerRef?: string;
  refundedAt?: string;
  printinfo?: string;
  message?: string;
}

export interface BillLine {
  amountFen: number; // negative for refunds
  at?: string;
  tradeNo?: string;
  methodName?: string;
}

export interface Bill {
  providerRef: string;
  amountFen: number;
  refundedFen: number;
  paidAt?: string;
  lines: BillLine[];
}

export interface ProviderInfo {
  ready: boolean;
  message?: string;
  storeName?: string;
  /** Provider clock minus ours, measured from its answers, when known. */
  clockSkewMs?: number;
}

export interface RefundRequest {
  refundNo: string;
  amountFen: number;
  /** The provider's supervisor password as typed by a manager (mct1 shop_pass, sent as SHA-1). */
  supervisorPassword?: string;
  reason?: string;
}

/** A verified provider callback (e.g. mct1 4.8 notify). */
export interface CallbackEvent {
  outNo: string;
  providerRef?: string;
  state: PayState;
  /** Unique per callback sent (e.g. its signature): a second arrival of the same key is a replay. */
  replayKey: string;
  /** Provider time of the callback, Unix seconds. */
  timestamp: number;
}

export interface CallbackRequest {
  method: string;
  /** Query-string parameters, decoded. */
  query: Record<string, string>;
  /** Form or raw body parameters, decoded, for POST callbacks. */
  body?: Record<string, string>;
}

export interface PaidReceiptFacts {
  outNo: string;
  providerRef?: string;
  amountFen: number;
  paidAt?: string;
  /** 操作员: the terminal's name. */
  staff?: string;
  table?: string;
}

/**
 * One order in the provider's own books for a day (对账单 line), as its order list or bill read
 * reports it. Integer fen.
 */
export interface ProviderBillEntry {
  /** Our order number (商户订单号, out_no) where the provider has it; an order we never made may lack one. */
  outNo?: string;
  providerRef?: string;
  /** The wallet's transaction id (微信/支付宝 流水号), where given. */
  tradeNo?: string;
  /** What was charged (> 0). */
  amountFen: number;
  /** Refunded so far (0 when none). */
  refundedFen: number;
  /** `reversed`: charged then reversed/cancelled by the provider (冲正); `unpaid`: never charged. */
  state: 'paid' | 'refunded' | 'reversed' | 'unpaid';
  /** When the provider booked it, ISO 8601 with offset: its China day decides which day's bill holds it. */
  bookedAt?: string;
  /** The payer as the provider names them (openid, buyer id), where given. */
  payer?: string;
  channel?: 'wechat' | 'alipay' | 'other';
}

export interface DayBillRequest {
  /** The China calendar day, "YYYY-MM-DD". */
  day: string;
  /** Our payments with this provider around that day: what a provider that can only read bill by bill reads. */
  known: PaymentRef[];
}

export interface DayBill {
  entries: ProviderBillEntry[];
  /**
   * True when the entries are the provider's whole day (an order list), so an order we have no
   * record of would show; false when only our known orders could be read (微收银 `read`).
   */
  complete: boolean;
}

/** A bill printed before payment (预结单). */
export interface BillFacts {
  billNo: string;
  amountFen: number;
  at: Date;
  table?: string;
}

export interface Provider {
  readonly id: ProviderId;
  /** Activation / configuration read on every start. Safe to call again. */
  init(): Promise<Result<{ methods: ProviderMethod[] }>>;
  info(): ProviderInfo;
  methods(): ProviderMethod[];
  pay(req: PayRequest): Promise<Result<PayOutcome>>;
  /** Asks the provider for the state of a payment (by bill number, else by payment code). */
  query(ref: PaymentRef): Promise<Result<PayOutcome>>;
  /** Cancels/reverses an unpaid payment. `unsupported` where the provider has no such call. */
  cancel(ref: PaymentRef): Promise<Result<{ state: 'cancelled' }>>;
  refund(ref: PaymentRef, refund: RefundRequest): Promise<Result<RefundOutcome>>;
  /** The state of a refund whose answer was lost, where the provider can tell it directly. */
  refundQuery?(ref: PaymentRef, refundNo: string): Promise<Result<{ state: 'refunded' | 'failed' | 'pending'; amountFen?: number; providerRef?: string }>>;
  bill(ref: PaymentRef): Promise<Result<Bill>>;
  /** The provider's reprint of a receipt (decoded printinfo), where it has one. */
  reprint(ref: PaymentRef): Promise<Result<{ printinfo: string }>>;
  /** The provider's books for one day (对账单), for reconciliation; absent where the provider has no way to read them. */
  dayBill?(req: DayBillRequest): Promise<Result<DayBill>>;
  /** The provider's own layout of a paid receipt, for a payment whose answers carried none (微收银 payremind_template). */
  paidReceipt?(facts: PaidReceiptFacts): string | undefined;
  /** What the provider prints under a bill before payment (微收银 qrcode_template). */
  billFooter?(facts: BillFacts): string | undefined;
  /**
   * Verifies a callback (signature, timestamp window) and reads it. Only providers that send
   * callbacks have this; `callbackAnswer` is what they expect back on success.
   */
  parseCallback?(req: CallbackRequest): Result<{ event: CallbackEvent }>;
  readonly callbackAnswer?: string;
}

/** Every call a provider makes is reported here, with secrets already redacted, for the ledger. */
export interface CallRecord {
  provider: ProviderId;
  op: string;
  outNo?: string;
  request: string;
  response: string;
  ok: boolean;
  errorKind?: ProviderErrorKind;
  durationMs: number;
}
export type CallSink = (call: CallRecord) => void;

/** Small persistent key/value store a provider keeps its own state in (e.g. 微收银 device_id and key). */
export interface ProviderStateStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}
