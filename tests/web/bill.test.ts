import { describe, expect, it } from 'vitest';
import type { PaymentView, PayMethodInfo } from '../../contract/api.ts';
import { anyNeedsBill, BILL_FORMAT, BILL_REQUIRED, billFor, checkBillNo, nextPaymentFrom } from '../../web/checkout/bill.ts';
import { routeCode } from '../../web/data/methods.ts';

const posmini: PayMethodInfo = {
  id: 'posmini:wechat',
  provider: 'posmini',
  kind: 'barcode',
  name: '微信',
  codePattern: '^1[0-5]\\d{16}$',
  needsBill: true,
};
const alipay: PayMethodInfo = { id: 'wsy:ali', provider: 'weishouyin', name: '支付宝', kind: 'barcode', codePattern: '^28\\d{15,16}$' };
const cash: PayMethodInfo = { id: 'mct1:Cash', provider: 'mct1', name: '现金', kind: 'cash' };

describe('checkBillNo', () => {
  it('takes 1–20 letters, digits or -, trimmed', () => {
    expect(checkBillNo('B2026-0001')).toEqual({ ok: true, billNo: 'B2026-0001' });
    expect(checkBillNo('  7 ')).toEqual({ ok: true, billNo: '7' });
    expect(checkBillNo('A'.repeat(20))).toEqual({ ok: true, billNo: 'A'.repeat(20) });
  });

  it('is optional unless the method needs it', () => {
    expect(checkBillNo('')).toEqual({ ok: true, billNo: null });
    expect(checkBillNo('   ')).toEqual({ ok: true, billNo: null });
    expect(checkBillNo('', true)).toEqual({ ok: false, reason: 'required', message: BILL_REQUIRED });
    expect(BILL_REQUIRED).toBe('请输入售货单号 / Enter the bill number');
  });

  it('refuses 21 characters, spaces inside, other punctuation and non-ASCII', () => {
    for (const bad of ['A'.repeat(21), 'B 1', 'B_1', 'B/1', '单号1', '１２３']) {
      expect(checkBillNo(bad), bad).toEqual({ ok: false, reason: 'format', message: BILL_FORMAT });
    }
  });
});

describe('routing a code to a needsBill method', () => {
  const methods = [posmini, alipay, cash];

  it('shows the bill field when any method needs a bill', () => {
    expect(anyNeedsBill(methods)).toBe(true);
    expect(anyNeedsBill([alipay, cash])).toBe(false);
    expect(anyNeedsBill([])).toBe(false);
  });

  it('a WeChat code goes to posmini and must carry the bill number', () => {
    const m = routeCode('134567890123456789', methods);
    expect(m?.id).toBe('posmini:wechat');
    expect(billFor(m!, '')).toEqual({ ok: false, message: BILL_REQUIRED });
    expect(billFor(m!, ' S-0042 ')).toEqual({ ok: true, billNo: 'S-0042' });
    expect(billFor(m!, 'S 0042')).toEqual({ ok: false, message: BILL_FORMAT });
  });

  it('a method without bills takes none, keyed or not', () => {
    const m = routeCode('28012345678901234', methods);
    expect(m?.id).toBe('wsy:ali');
    expect(billFor(m!, '')).toEqual({ ok: true });
    expect(billFor(m!, 'S-0042')).toEqual({ ok: true });
    expect(billFor(cash, '')).toEqual({ ok: true });
  });
});

describe('nextPaymentFrom (继续收款)', () => {
  const view = (over: Partial<PaymentView>): PaymentView => ({
    outNo: 'P2026112314215312345678',
    status: 'paid',
    amountFen: 5000,
    provider: 'posmini',
    method: 'posmini:wechat',
    ...over,
  });

  it('keeps the bill and prefills the balance still owed', () => {
    expect(nextPaymentFrom(view({ bill: { billNo: 'S-0042', fullyPaid: false, balanceFen: 1234 } }))).toEqual({
      billNo: 'S-0042',
      amountText: '12.34',
    });
    expect(nextPaymentFrom(view({ bill: { billNo: 'S-0042', fullyPaid: false, balanceFen: 5 } }))?.amountText).toBe('0.05');
  });

  it('leaves the amount empty when the balance is not known', () => {
    expect(nextPaymentFrom(view({ bill: { billNo: 'S-0042', fullyPaid: false } }))).toEqual({ billNo: 'S-0042', amountText: '' });
    expect(nextPaymentFrom(view({ bill: { billNo: 'S-0042', fullyPaid: false, balanceFen: 0 } }))?.amountText).toBe('');
    expect(nextPaymentFrom(view({ bill: { billNo: 'S-0042', fullyPaid: false, balanceFen: 12.5 } }))?.amountText).toBe('');
  });

  it('offers nothing for a fully paid bill, a payment without a bill, or one that is not paid', () => {
    expect(nextPaymentFrom(view({ bill: { billNo: 'S-0042', fullyPaid: true, balanceFen: 0 } }))).toBeNull();
    expect(nextPaymentFrom(view({}))).toBeNull();
    for (const status of ['paying', 'failed', 'unknown', 'cancelled', 'refunded'] as const) {
      expect(nextPaymentFrom(view({ status, bill: { billNo: 'S-0042', fullyPaid: false, balanceFen: 100 } })), status).toBeNull();
    }
  });
});
