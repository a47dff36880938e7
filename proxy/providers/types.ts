/**
 * The provider boundary. Every payment backend implements `Provider`; results are typed
 * values, never thrown (programming mistakes still throw). Only the route layer turns a
 * `ProviderError` into an HTTP answer.
 */
import type { CartItem, MethodKind } from '../../contract/api.ts';

export type ProviderId = 'weishouyin';

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
  | 'unsupported'; // the provider has no such operation

export interface ProviderError {
  kind: ProviderErrorKind;
  /** Human sentence, zh-CN first where it reaches a cashier. Never contains a secret. */
  message: string;
  /** The provider's own code and message, as it sent them. */
  provider?: { code?: string; message?: string };
}

export type Result<T> = ({ ok: true } & T) | { ok: false; error: ProviderError };

export interface ProviderMethod {
  /** Stable id used by the API, e.g. "weishouyin:o2o_dm_code_wxpaysub". */
  id: string;
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
  authCode: string;
  method: ProviderMethod;
  items?: CartItem[];
  remark?: string;
}

/** Identifies a payment at the provider: whatever we know of it. */
export interface PaymentRef {
  outNo: string;
  method: ProviderMethod;
  amountFen: number;
  authCode?: string;
  /** The provider's bill number (微收银 dm_id). */
  providerRef?: string;
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
  refund(ref: PaymentRef, refund: { refundNo: string; amountFen: number }): Promise<Result<RefundOutcome>>;
  bill(ref: PaymentRef): Promise<Result<Bill>>;
  /** The provider's reprint of a receipt (decoded printinfo), where it has one. */
  reprint(ref: PaymentRef): Promise<Result<{ printinfo: string }>>;
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
