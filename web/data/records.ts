/** The browser's record of a payment (stored in IndexedDB by db.ts). */
import type { CartItem, PaymentStatus } from '../../contract/api.ts';
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
  status: LocalStatus;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
  provider?: string;
  providerRef?: string;
  tradeNo?: string;
  paidAt?: string;
  message?: string;
  /** The proxy's error code when it refused the payment (e.g. `conflict` on a 409). */
  errorCode?: string;
  httpStatus?: number;
  items?: CartItem[];
}

export function isFinal(status: LocalStatus): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}
