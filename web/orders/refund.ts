/**
 * Refunds from the order detail (manager): what is left to refund, the refund number, the call, and
 * what the manager is told when it fails. Pure apart from the calls; no Svelte, no db.ts.
 */
import type { PaymentRefundView, RefundRequest, RefundView } from '../../contract/api.ts';
import { parseYuan } from '../../contract/money.ts';
import { ApiError, NetworkError, describeError, type Api } from '../data/api.ts';

/**
 * What each provider's refund needs. mct1's payrefund carries the provider's supervisor password
 * (shop_pass): the proxy sends its configured one (`mct1.shopPass`) when the manager types none, so
 * the field is optional until the provider refuses. The kiosk and mini-program backends have no refund
 * (the proxy answers 501): no form for them.
 */
export const REFUND_RULES: Record<string, { password?: boolean; none?: boolean }> = {
  mct1: { password: true },
  kioskv5: { none: true },
  posmini: { none: true },
};

export function refundRule(provider: string): { password: boolean; none: boolean } {
  const r = Object.hasOwn(REFUND_RULES, provider) ? REFUND_RULES[provider] : {};
  return { password: r.password === true, none: r.none === true };
}

/** A refund as the history answers it (the ledger's record: more than the contract names). */
export type RefundRow = PaymentRefundView & { providerRef?: string; terminalId?: string; updatedAt?: string };

/** Fen still refundable: the amount less refunds done or maybe done (unknown), as the proxy counts. */
export function refundableFen(amountFen: number, refunds: readonly Pick<PaymentRefundView, 'amountFen' | 'status'>[]): number {
  const committed = refunds.reduce((s, r) => (r.status === 'refunded' || r.status === 'unknown' ? s + r.amountFen : s), 0);
  return Math.max(0, amountFen - committed);
}

/** A fresh refund number: letters and digits, 6–32 (what every provider takes). */
export function newRefundNo(now = Date.now()): string {
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => (b % 36).toString(36)).join('');
  return `RF${now.toString(36)}${rand}`.toUpperCase().slice(0, 32);
}

export type RefundField = 'amount' | 'reason' | 'password';
export type RefundCheck = { ok: true; amountFen: number; reason: string } | { ok: false; field: RefundField; message: string };

export const REASON_MAX = 200;

/**
 * The form before anything is sent. How much is left is the proxy's to judge (422 `refund_exceeds`,
 * shown as it comes): another terminal may have refunded since this screen read the order.
 */
export function checkRefund(form: { amount: string; reason: string }): RefundCheck {
  const t = form.amount.trim();
  const p = t === '' ? null : parseYuan(t);
  if (!p || !p.ok) {
    const why = p && !p.ok && p.reason === 'precision' ? '最多两位小数 / At most two decimal places' : '请输入退款金额 / Enter the amount to refund';
    return { ok: false, field: 'amount', message: why };
  }
  if (p.fen <= 0) return { ok: false, field: 'amount', message: '退款金额必须大于零 / The refund must be more than zero' };
  const reason = form.reason.trim();
  if (!reason) return { ok: false, field: 'reason', message: '请填写退款原因 / Enter the reason for the refund' };
  if (reason.length > REASON_MAX) return { ok: false, field: 'reason', message: `退款原因最多 ${REASON_MAX} 字 / At most ${REASON_MAX} characters` };
  return { ok: true, amountFen: p.fen, reason };
}

const PASSWORD_CODES = new Set(['mct1_supervisor_password_required', 'mct1_supervisor_password_missing', 'mct1_supervisor_password_wrong']);

export interface RefundProblem {
  code: string;
  message: string;
  /** The field to fix, when one is at fault. */
  field?: RefundField;
  /** No answer arrived: send the same refund number again (the proxy never refunds one twice). */
  sameRefundNo: boolean;
  /** What is refundable may have changed: read the order again. */
  reload: boolean;
}

/** What the manager is told, zh-CN first, and what the form does next. */
export function refundProblem(err: unknown): RefundProblem {
  if (err instanceof NetworkError) {
    return {
      code: 'network',
      message: `${err.message}。退款结果未知：请重试，不会重复退款 / No answer: retry — it will not refund twice`,
      sameRefundNo: true,
      reload: false,
    };
  }
  if (err instanceof ApiError) {
    const base = { code: err.code, message: err.message, sameRefundNo: false };
    if (PASSWORD_CODES.has(err.code)) return { ...base, field: 'password', reload: true };
    if (err.code === 'refund_exceeds') return { ...base, field: 'amount', reload: true };
    if (err.code === 'amount_invalid' || err.code === 'amount_too_large') return { ...base, field: 'amount', reload: false };
    if (err.status === 501) return { ...base, message: `该支付机构不支持退款 / This provider has no refunds: ${err.message}`, reload: false };
    return { ...base, reload: true };
  }
  return { code: 'error', message: describeError(err), sameRefundNo: false, reload: true };
}

const path = (outNo: string) => `/api/payments/${encodeURIComponent(outNo)}`;

/** `POST /api/payments/:outNo/refunds` (a refund may wait for the provider: the payment's timeout). */
export function postRefund(api: Api, outNo: string, req: RefundRequest): Promise<RefundView> {
  return api.json('POST', `${path(outNo)}/refunds`, { body: req, timeoutMs: 60_000 });
}

/** `GET /api/payments/:outNo/refunds/:refundNo/receipt`: the refund's receipt as ESC/POS bytes. */
export async function refundReceipt(api: Api, outNo: string, refundNo: string): Promise<Uint8Array> {
  const res = await api.fetch('GET', `${path(outNo)}/refunds/${encodeURIComponent(refundNo)}/receipt`, { accept: 'application/octet-stream' });
  return new Uint8Array(await res.arrayBuffer());
}
