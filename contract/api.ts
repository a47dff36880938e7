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
  /** The payment code with all but its last four digits masked. */
  authCodeMasked?: string;
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
}

export interface HealthResponse {
  ok: boolean;
  mode: 'sandbox' | 'live';
  /** `clockSkewMs`: the provider's clock minus ours, where it was measured. */
  providers: { id: string; ready: boolean; message?: string; clockSkewMs?: number }[];
}
