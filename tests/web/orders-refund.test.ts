/** Refunds from the order detail: what is left, the form's checks, the refund number, what a failure tells the manager. */
import { describe, expect, it, vi } from 'vitest';
import { Api, ApiError, NetworkError } from '../../web/data/api.ts';
import { checkRefund, newRefundNo, postRefund, refundableFen, refundProblem, refundReceipt, refundRule } from '../../web/orders/refund.ts';

describe('refundableFen', () => {
  it('is the amount less refunds done or not yet known; failed ones gave nothing back', () => {
    expect(refundableFen(1000, [])).toBe(1000);
    expect(refundableFen(1000, [{ amountFen: 300, status: 'refunded' }, { amountFen: 200, status: 'unknown' }, { amountFen: 500, status: 'failed' }])).toBe(500);
    expect(refundableFen(1000, [{ amountFen: 1000, status: 'refunded' }])).toBe(0);
  });
});

describe('checkRefund', () => {
  it('takes yuan as exact fen; how much is left is the proxy\'s to judge (422)', () => {
    expect(checkRefund({ amount: '0.29', reason: '退货' })).toEqual({ ok: true, amountFen: 29, reason: '退货' });
    expect(checkRefund({ amount: '10', reason: ' 退货 ' })).toEqual({ ok: true, amountFen: 1000, reason: '退货' });
    expect(checkRefund({ amount: '99999.99', reason: '退货' })).toEqual({ ok: true, amountFen: 9999999, reason: '退货' });
  });

  it.each([
    [{ amount: '', reason: 'x' }, 'amount', '请输入退款金额'],
    [{ amount: 'abc', reason: 'x' }, 'amount', '请输入退款金额'],
    [{ amount: '1.234', reason: 'x' }, 'amount', '最多两位小数'],
    [{ amount: '0', reason: 'x' }, 'amount', '必须大于零'],
    [{ amount: '1', reason: '  ' }, 'reason', '请填写退款原因'],
    [{ amount: '1', reason: '长'.repeat(201) }, 'reason', '最多 200 字'],
  ])('%j → %s: %s', (form, field, text) => {
    const r = checkRefund(form);
    expect(r).toMatchObject({ ok: false, field });
    if (!r.ok) expect(r.message).toContain(text);
  });
});

describe('newRefundNo', () => {
  it('is 6–32 letters and digits, different every time', () => {
    const a = newRefundNo();
    expect(a).toMatch(/^[A-Za-z0-9]{6,32}$/);
    expect(new Set(Array.from({ length: 50 }, () => newRefundNo())).size).toBe(50);
  });
});

describe('refundRule', () => {
  it('asks for the provider password at mct1; no refunds at the kiosk and mini-program backends', () => {
    expect(refundRule('mct1')).toEqual({ password: true, none: false });
    expect(refundRule('weishouyin')).toEqual({ password: false, none: false });
    expect(refundRule('kioskv5').none).toBe(true);
    expect(refundRule('posmini').none).toBe(true);
    expect(refundRule('constructor')).toEqual({ password: false, none: false });
  });
});

describe('refundProblem', () => {
  it('a lost answer is retried under the same refund number', () => {
    const p = refundProblem(new NetworkError('无法连接服务器 / Cannot reach the server'));
    expect(p).toMatchObject({ code: 'network', sameRefundNo: true, reload: false });
    expect(p.message).toMatch(/^无法连接服务器.*不会重复退款/);
  });

  it('"more than is left" points at the amount and reloads the order', () => {
    const p = refundProblem(new ApiError(422, 'refund_exceeds', '最多可退 5.00 元 / At most 5.00 yuan can be refunded'));
    expect(p).toEqual({ code: 'refund_exceeds', message: '最多可退 5.00 元 / At most 5.00 yuan can be refunded', field: 'amount', sameRefundNo: false, reload: true });
  });

  it.each(['mct1_supervisor_password_required', 'mct1_supervisor_password_missing', 'mct1_supervisor_password_wrong'])('%s points at the password', (code) => {
    expect(refundProblem(new ApiError(422, code, '主管密码错误'))).toMatchObject({ field: 'password', sameRefundNo: false });
  });

  it('a provider without refunds says so', () => {
    expect(refundProblem(new ApiError(501, 'provider_unsupported', 'no refunds')).message).toMatch(/^该支付机构不支持退款/);
  });
});

describe('the calls', () => {
  it('posts the refund and reads its receipt bytes', async () => {
    const api = new Api('http://pos.test');
    const json = vi.spyOn(api, 'json').mockResolvedValue({ refundNo: 'R1', status: 'refunded', amountFen: 5, refundableFen: 0 } as never);
    const fetch = vi.spyOn(api, 'fetch').mockResolvedValue(new Response(new Uint8Array([0x1b, 0x40]) as BodyInit));
    await postRefund(api, 'A/1', { refundNo: 'R1', amountFen: 5, reason: 'x' });
    expect(json).toHaveBeenCalledWith('POST', '/api/payments/A%2F1/refunds', { body: { refundNo: 'R1', amountFen: 5, reason: 'x' }, timeoutMs: 60_000 });
    expect(await refundReceipt(api, 'A1', 'R1')).toEqual(new Uint8Array([0x1b, 0x40]));
    expect(fetch).toHaveBeenCalledWith('GET', '/api/payments/A1/refunds/R1/receipt', { accept: 'application/octet-stream' });
  });
});
