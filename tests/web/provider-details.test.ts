import { describe, expect, it } from 'vitest';
import { detailRows, formatFenValue, formatRatio, isFenKey, isRatioKey } from '../../web/data/provider-details.ts';

describe('formatRatio', () => {
  it('moves the decimal point in the text, no float products', () => {
    expect(formatRatio(0.0038)).toBe('0.38%');
    expect(formatRatio(0.006)).toBe('0.6%');
    expect(formatRatio(0.07)).toBe('7%');
    expect(formatRatio(1)).toBe('100%');
    expect(formatRatio(0)).toBe('0%');
    expect(formatRatio(1.5)).toBe('150%');
    expect(formatRatio(0.123456789012)).toBe('12.3456789012%');
    expect(formatRatio('0.0038')).toBe('0.38%');
    expect(formatRatio('0.10')).toBe('10%');
    expect(formatRatio(-0.01)).toBe('-1%');
    expect(formatRatio(1e-7)).toBe('0.00001%');
  });

  it('shows what it cannot read as it came', () => {
    expect(formatRatio('n/a')).toBe('n/a');
    expect(formatRatio(Number.NaN)).toBe('NaN');
  });
});

describe('formatFenValue', () => {
  it('integer fen as yuan', () => {
    expect(formatFenValue(1234)).toBe('¥12.34');
    expect(formatFenValue(5)).toBe('¥0.05');
    expect(formatFenValue(0)).toBe('¥0.00');
    expect(formatFenValue(-47)).toBe('¥-0.47');
    expect(formatFenValue('1200')).toBe('¥12.00');
  });
  it('anything else as text', () => {
    expect(formatFenValue(12.5)).toBe('12.5');
    expect(formatFenValue('12.34')).toBe('12.34');
  });
});

describe('detailRows', () => {
  // A kiosk pay record's details, as the proxy keeps them (integer fen, float ratios).
  const details = {
    OrderId: 7,
    Refunds: 0,
    ExUserFee: 0,
    UserFeePrice: 0,
    PayPrice: 12500,
    WithdrawFee: 48,
    RealPrice: 12452,
    ActPrice: 12500,
    ActFee: 125,
    TotalPrice: 12577,
    UserFeeRatio: 0,
    WithdrawFeeRatio: 0.0038,
    ActFeeRatio: 0.01,
    PaidType: 14,
    BankType: 'CFT',
    Surprise: 'x',
    PayOrderId: 'weixin://wxpay/bizpayurl?pr=abc',
  };

  it('labels the fen fields in zh-CN and shows them as yuan', () => {
    const rows = detailRows(details);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    const fen = ['ExUserFee', 'UserFeePrice', 'PayPrice', 'WithdrawFee', 'RealPrice', 'ActPrice', 'ActFee', 'TotalPrice', 'Refunds'];
    const zh = ['用户手续费', '用户超额金额', '用户实付', '提现手续费', '到店金额', '活动金额', '活动奖励', '总金额', '返佣'];
    fen.forEach((k, i) => {
      expect(isFenKey(k)).toBe(true);
      expect(byKey[k]).toMatchObject({ kind: 'fen', label: { zh: zh[i] } });
    });
    expect(byKey.PayPrice.text).toBe('¥125.00');
    expect(byKey.WithdrawFee.text).toBe('¥0.48');
    expect(byKey.RealPrice.text).toBe('¥124.52');
    expect(byKey.Refunds.text).toBe('¥0.00');
  });

  it('shows ratios as percentages, everything else as text, and keeps every entry', () => {
    const rows = detailRows(details);
    expect(rows).toHaveLength(Object.keys(details).length);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey.WithdrawFeeRatio).toMatchObject({ kind: 'ratio', text: '0.38%', label: { zh: '提现费率' } });
    expect(byKey.ActFeeRatio).toMatchObject({ kind: 'ratio', text: '1%' });
    expect(byKey.UserFeeRatio).toMatchObject({ kind: 'ratio', text: '0%' });
    expect(byKey.PaidType).toMatchObject({ kind: 'text', text: '14（转账支付）' });
    expect(byKey.BankType).toMatchObject({ kind: 'text', text: 'CFT' });
    expect(byKey.OrderId).toMatchObject({ kind: 'text', text: '7' });
    expect(byKey.Surprise).toEqual({ key: 'Surprise', label: null, kind: 'text', text: 'x' });
  });

  it('puts the record in the seed order, unknown keys last in the order they came', () => {
    expect(detailRows(details).map((r) => r.key)).toEqual([
      'ExUserFee', 'UserFeePrice', 'UserFeeRatio', 'PayPrice', 'WithdrawFeeRatio', 'WithdrawFee', 'RealPrice',
      'ActPrice', 'ActFeeRatio', 'ActFee', 'TotalPrice', 'Refunds', 'PaidType', 'BankType', 'PayOrderId', 'OrderId', 'Surprise',
    ]);
  });

  it('any *Ratio key is a percentage; a non-integer amount is shown as it came', () => {
    expect(isRatioKey('SomeNewRatio')).toBe(true);
    expect(detailRows({ SomeNewRatio: 0.25, PayPrice: 'n/a', toString: 'y' })).toEqual([
      { key: 'PayPrice', label: { zh: '用户实付', en: 'Paid by the customer' }, kind: 'fen', text: 'n/a' },
      { key: 'SomeNewRatio', label: null, kind: 'ratio', text: '25%' },
      { key: 'toString', label: null, kind: 'text', text: 'y' },
    ]);
  });

  it('no details, no rows', () => {
    expect(detailRows({})).toEqual([]);
    expect(detailRows(undefined)).toEqual([]);
  });
});
