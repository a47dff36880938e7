/**
 * The proxy's HTTP contract (see README "HTTP API"), shared by the proxy and the PWA.
 * Types only: nothing here may import from proxy/ or web/.
 */

export type PaymentStatus = 'paying' | 'paid' | 'failed' | 'cancelled' | 'unknown' | 'refunded';
export const FINAL_STATUSES: readonly PaymentStatus[] = ['paid', 'failed', 'cancelled', 'refunded'];

export type MethodKind = 'barcode' | 'qr' | 'cash';

export interface PayMethodInfo {
  id: string;
  provider: string;
  name: string;
  kind: MethodKind;
  /** A JavaScript regular expression source the payment code must match (the provider's coderegex). */
  codePattern?: string;
  /** The payment must name the backend's sales bill (`billNo`); split tender until it is fully paid. */
  needsBill?: boolean;
}

export interface CartItem {
  name: string;
  /** GS1 / EAN-13 barcode of the item, when it was scanned. */
  barcode?: string;
  unitFen: number;
  quantity: number;
}

export interface CreatePaymentRequest {
  outNo: string;
  amountFen: number;
  authCode?: string;
  method?: string;
  items?: CartItem[];
  remark?: string;
  /** The backend's sales bill this payment goes to (methods with `needsBill`). */
  billNo?: string;
}

export interface PaymentView {
  outNo: string;
  status: PaymentStatus;
  amountFen: number;
  provider: string;
  method: string;
  providerRef?: string;
  tradeNo?: string;
  paidAt?: string;
  qrCode?: string;
  message?: string;
  refundedFen?: number;
  createdAt?: string;
  /** The store of the terminal that took it. */
  storeId?: string;
  /** The payment code with all but its last four digits masked. */
  authCodeMasked?: string;
  /** For bill-based backends: the bill after this payment; not fully paid → take another payment. */
  bill?: { billNo: string; fullyPaid: boolean; balanceFen?: number };
}

export interface RefundRequest {
  refundNo: string;
  amountFen: number;
  supervisorPassword?: string;
  reason?: string;
}

export interface RefundView {
  refundNo: string;
  status: 'refunded' | 'failed' | 'unknown';
  amountFen: number;
  refundableFen: number;
  message?: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string; provider?: { code?: string; message?: string } };
}

export interface PairResponse {
  terminalId: string;
  token: string;
  role: 'cashier' | 'manager';
  /** The store it works at; none for a manager of the whole chain. */
  storeId?: string;
}

/** `GET /api/stores`: the chain's stores a terminal may see (a store-bound terminal: its own). */
export interface StoreView {
  id: string;
  name: string;
  providers: string[];
}

export interface HealthResponse {
  ok: boolean;
  mode: 'sandbox' | 'live';
  /** `clockSkewMs`: the provider's clock minus ours, where it was measured. */
  providers: { id: string; ready: boolean; message?: string; clockSkewMs?: number; /** A chain store other than the default. */ storeId?: string }[];
}

/** A kiosk pass card (出门单, kioskv5). */
export interface PassCardView {
  id: string;
  code: string;
  status: 'unused' | 'used' | 'void';
  statusText: string;
  orderId: string;
  outNo?: string;
  createdAt: string;
  usedAt?: string;
}

/** A bill number as the backend takes it (posmini billnum): 1–20 letters, digits or `-`. */
export const BILL_NO_PATTERN = /^[A-Za-z0-9-]{1,20}$/;

/** The state of the bill a payment went to (`PaymentView.bill`). */
export type BillView = NonNullable<PaymentView['bill']>;

/**
 * A pass card's status. `GET /api/payments/:outNo/passcard` answers a `PassCardView` (404
 * `passcard_not_found` while there is none, 501 `passcard_unsupported` for providers without pass
 * cards); `GET /api/payments/:outNo/passcard/receipt` is its ESC/POS receipt.
 */
export type PassCardStatus = PassCardView['status'];

/** `GET /api/passcards?status=unused|used|void` (501 when no provider has pass cards). */
export interface PassCardList {
  cards: PassCardView[];
}

/** `GET /api/payments?from=&to=&status=&method=&page=&pageSize=`: newest first (cashiers: their own terminal's). */
export interface PaymentList {
  total: number;
  page: number;
  pageSize: number;
  items: PaymentView[];
}

/** One state change of a payment (`payment_events`). `from` is absent on the first one. */
export interface PaymentEventView {
  from?: string;
  to: string;
  reason: string;
  at: string;
}

/** One call to the provider, request and response as text with secrets redacted by the proxy. */
export interface ProviderCallView {
  op: string;
  ok: boolean;
  request: string;
  response: string;
  errorKind?: string;
  at: string;
}

/** A refund of a payment as the ledger keeps it. */
export interface PaymentRefundView {
  refundNo: string;
  amountFen: number;
  status: RefundView['status'];
  reason?: string;
  message?: string;
  createdAt: string;
}

/** A provider callback about a payment: `outcome` accepted, rejected, replayed… */
export interface CallbackView {
  outcome: string;
  state?: string;
  receivedAt: string;
  detail?: string;
}

/** `GET /api/payments/:outNo/history` (manager). */
export interface PaymentHistory {
  events: PaymentEventView[];
  calls: ProviderCallView[];
  refunds: PaymentRefundView[];
  callbacks: CallbackView[];
  /** The provider's own figures (kioskv5: fees in integer fen, ratios, pay type…). */
  details: Record<string, number | string>;
  billNo?: string;
}

/** One figure of the day report (GET /api/reports/day): integer fen. */
export interface DayFigures {
  /** Payments paid that day. */
  count: number;
  paidFen: number;
  /** Refunds confirmed that day (of payments of any day). */
  refundCount: number;
  refundedFen: number;
  netFen: number;
}

/** GET /api/reports/day: the takings of a China day (README "Which money counts on which day"). */
export interface DayReport {
  /** The China day, `YYYY-MM-DD`. */
  date: string;
  timeZone: 'Asia/Shanghai';
  /** The day as instants: `from` inclusive, `to` exclusive. */
  from: string;
  to: string;
  totals: DayFigures;
  /** Every method with a payment or a refund that day, by paid amount (largest first); `name` as the provider calls it (else the id). */
  methods: (DayFigures & { method: string; provider: string; name: string })[];
  /** All 24 hours, 0–23, China time. */
  hours: (DayFigures & { hour: number })[];
  /** Refunds made that day whose outcome is not known yet: not in the figures above. */
  pendingRefunds: { count: number; fen: number };
}
