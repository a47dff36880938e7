/** The browser's record of a payment (stored in IndexedDB by db.ts). */
import type { BillView, CartItem, MethodKind, PaymentStatus } from '../../contract/api.ts';
import { FINAL_STATUSES } from '../../contract/api.ts';

/**
 * `pending`: written here, no answer from the proxy yet (the request may or may not have
 * reached it). Every other status is the proxy's.
 */
export type LocalStatus = PaymentStatus | 'pending';

export interface PaymentRecord {
  /** The idempotency key, made in this browser. */
  outNo: string;
  amountFen: number;
  /** The customer's payment code; dropped once the payment is final (it is single-use anyway). */
  authCode?: string;
  method?: string;
  /**
   * How the money is taken: `barcode` (we scan the customer's code), `qr` (the customer scans
   * ours), `cash`. Absent on records made before QR and cash existed: those are barcode.
   */
  kind?: MethodKind;
  status: LocalStatus;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
  provider?: string;
  providerRef?: string;
  tradeNo?: string;
  paidAt?: string;
  /** For `qr` payments: the string the customer's wallet scans, kept so a reload shows the same code. */
  qrCode?: string;
  message?: string;
  /** The proxy's error code when it refused the payment (e.g. `conflict` on a 409). */
  errorCode?: string;
  httpStatus?: number;
  items?: CartItem[];
  /** The backend's sales bill this payment goes to (`needsBill` methods): stored before sending, sent with every resend. */
  billNo?: string;
  /** The bill after this payment, as the proxy last reported it (split tender: not fully paid yet). */
  bill?: BillView;
}

export function isFinal(status: LocalStatus): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}
