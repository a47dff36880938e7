/**
 * Sales bills (posmini): a payment by a `needsBill` method names the backend's bill (单号), and a
 * bill may take several payments (split tender) until it is fully paid. Pure, so it is unit-tested.
 */
import { BILL_NO_PATTERN, type PaymentView, type PayMethodInfo } from '../../contract/api.ts';
import { formatYuan } from '../../contract/money.ts';

export const BILL_REQUIRED = '请输入售货单号 / Enter the bill number';
export const BILL_FORMAT = '售货单号为 1–20 位字母、数字或 - / The bill number is 1–20 letters, digits or -';

/** The bill number as typed: `null` when none was keyed (the field is optional for most methods). */
export type BillCheck = { ok: true; billNo: string | null } | { ok: false; reason: 'required' | 'format'; message: string };

/** Checks the typed bill number; `required` when the method it goes to needs one. */
export function checkBillNo(text: string, required = false): BillCheck {
  const t = text.trim();
  if (t === '') return required ? { ok: false, reason: 'required', message: BILL_REQUIRED } : { ok: true, billNo: null };
  return BILL_NO_PATTERN.test(t) ? { ok: true, billNo: t } : { ok: false, reason: 'format', message: BILL_FORMAT };
}

/** The amount screen shows the bill field as soon as any method needs a bill. */
export function anyNeedsBill(methods: readonly Pick<PayMethodInfo, 'needsBill'>[]): boolean {
  return methods.some((m) => m.needsBill === true);
}

/**
 * The bill number a payment by `method` carries: the typed one for a `needsBill` method (refused
 * when empty or malformed), none for any other (the backends without bills have no such field).
 */
export function billFor(method: Pick<PayMethodInfo, 'needsBill'>, text: string): { ok: true; billNo?: string } | { ok: false; message: string } {
  if (!method.needsBill) return { ok: true };
  const c = checkBillNo(text, true);
  return c.ok ? { ok: true, billNo: c.billNo ?? undefined } : { ok: false, message: c.message };
}

/** What the amount screen starts with for the next payment to the same bill. */
export interface NextPayment {
  billNo: string;
  /** The balance still owed, in yuan as the amount field takes it; '' when the backend did not say. */
  amountText: string;
}

/** "继续收款 / Take another payment": only after a paid payment that left its bill not fully paid. */
export function nextPaymentFrom(p: { status: string; bill?: PaymentView['bill'] }): NextPayment | null {
  const bill = p.bill;
  if (p.status !== 'paid' || !bill || bill.fullyPaid !== false) return null;
  const owed = bill.balanceFen;
  const amountText = typeof owed === 'number' && Number.isSafeInteger(owed) && owed > 0 ? formatYuan(owed) : '';
  return { billNo: bill.billNo, amountText };
}
