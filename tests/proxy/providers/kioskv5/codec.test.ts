/**
 * kioskv5 codec, errors and redaction: pure functions, pinned to the seed's Go struct
 * (tests/fixtures/kioskv5/pay-record.go.txt, copied from seeds/000) and to the constructed samples.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FEE_FIELDS,
  PAY_RECORD_FIELDS,
  RATIO_FIELDS,
  decodePassCards,
  decodePayRecord,
  descMatches,
  descOf,
  encodeBody,
  encodeCreate,
  encodeGet,
  encodePassCards,
  encodePay,
  parseAnswer,
  qrContentOf,
  recordDetails,
  recordTimeToIso,
  tradeNoOf,
  type PayRecord,
} from '../../../../proxy/providers/kioskv5/codec.ts';
import { refusalError } from '../../../../proxy/providers/kioskv5/errors.ts';
import { describeAuth, maskAuthCode, recordRequest, recordResponse, scrub } from '../../../../proxy/providers/kioskv5/redact.ts';
import { feeFen, feesOf } from '../../../../proxy/providers/kioskv5/simulator.ts';
import { recordJson, type SimPayRecord } from '../../../../proxy/providers/kioskv5/simulator-answers.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/kioskv5/${name}`, import.meta.url), 'utf8');
const json = (name: string) => JSON.parse(fixture(name)) as unknown;

/** The seed's struct: [name, Go type, omitempty]. */
function goStruct(): { name: string; type: string; omitempty: boolean }[] {
  return fixture('pay-record.go.txt')
    .split('\n')
    .map((l) => /^\t(\w+)\s+(\w+)\s*(`[^`]*`)?/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ name: m[1], type: m[2], omitempty: /json:",omitempty"/.test(m[3] ?? '') }));
}

function decoded(data: unknown): PayRecord {
  const r = decodePayRecord(data);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('the seed\'s Go struct', () => {
  const struct = goStruct();

  it('has the 26 fields the codec reads, in the same order, with the types it expects', () => {
    expect(struct).toHaveLength(26);
    expect(PAY_RECORD_FIELDS.map((f) => f[0])).toEqual(struct.map((f) => f.name));
    const want: Record<string, string> = { int: 'int', int64: 'int', float64: 'float', string: 'string' };
    expect(PAY_RECORD_FIELDS.map((f) => f[1])).toEqual(struct.map((f) => want[f.type]));
    // Every fen and ratio field of `details` is an int64 / float64 of the struct.
    for (const k of FEE_FIELDS) expect(struct.find((f) => f.name === k)?.type).toBe('int64');
    for (const k of RATIO_FIELDS) expect(struct.find((f) => f.name === k)?.type).toBe('float64');
  });

  it('the simulator prints exactly the struct: keys in order, omitempty fields left out when zero', () => {
    const zero: SimPayRecord = {
      id: 1, shopId: 0, orderId: 0, ptype: 312, kind: 'barcode', status: 0, price: 0, userFee: 0, userId: 0, accountId: 0, payOrderId: '',
      createTime: '', createMs: 0, payTime: '', exUserFee: 0, userFeePrice: 0, userFeeRatio: '0', payPrice: 0, withdrawFeeRatio: '0',
      withdrawFee: 0, realPrice: 0, actPrice: 0, actFeeRatio: '0', actFee: 0, totalPrice: 0, refunds: 0, paidType: 0, bankType: '', desc: '',
    };
    // Id is never zero in a record; everything else zero: only the fields without omitempty remain.
    expect(Object.keys(recordJson(zero))).toEqual(struct.filter((f) => !f.omitempty || f.name === 'Id').map((f) => f.name));
    const full = recordJson({ ...zero, shopId: 1, orderId: 2, status: 1, price: 3, userId: 4, accountId: 5, payOrderId: 'x', createTime: 'c', payTime: 'p', payPrice: 3, withdrawFeeRatio: '0.1', withdrawFee: 1, refunds: 1, paidType: 14, bankType: '储蓄卡', desc: 'd' });
    // ShopUserId (收银员) is the one field the sandbox never sets.
    expect(Object.keys(full)).toEqual(struct.map((f) => f.name).filter((n) => n !== 'ShopUserId'));
  });
});

describe('decodePayRecord', () => {
  it('a paid record with every field', () => {
    expect(decoded(json('pay-record-paid.json'))).toEqual({
      Id: 880123, OrderId: 1714536000, UserId: 900123, ShopId: 10001, AccountId: 20001, ShopUserId: 7,
      PayOrderId: '4200000123202405011234567890', CreateTime: '2024-05-01 12:00:00', PayTime: '2024-05-01 12:00:07', Status: 1,
      Price: 10000, ExUserFee: 60, UserFeePrice: 10000, UserFeeRatio: 0.006, PayPrice: 10060, WithdrawFeeRatio: 0.0038, WithdrawFee: 38,
      RealPrice: 10022, ActPrice: 10000, ActFeeRatio: 0.001, ActFee: 10, TotalPrice: 10032, Refunds: 5, PaidType: 10, BankType: '信用卡',
      Desc: 'POS20240501A1',
    });
  });

  it('a pending record: omitted omitempty fields read as Go zero values (no Status → 0)', () => {
    const r = decoded(json('pay-record-pending.json'));
    expect(r).toMatchObject({ Id: 880124, Status: 0, PayTime: '', PayOrderId: '', Refunds: 0, PaidType: 0, BankType: '', ShopUserId: 0, Price: 2500, WithdrawFee: 10, RealPrice: 2490 });
    expect(decoded({ Id: 5 })).toMatchObject({ Id: 5, Status: 0, Price: 0, Desc: '', UserFeeRatio: 0 });
  });

  it('tolerates column names, other case, numeric strings and null', () => {
    const r = decoded({ id: '77', order_id: '12', shop_id: 10001, suser_id: 3, STATUS: '1', price: '2500', withdraw_fee_ratio: '0.0038', pay_order_id: 4200001, Desc: null });
    expect(r).toMatchObject({ Id: 77, OrderId: 12, ShopId: 10001, ShopUserId: 3, Status: 1, Price: 2500, WithdrawFeeRatio: 0.0038, PayOrderId: '4200001', Desc: '' });
    // The exact Go name wins over another spelling.
    expect(decoded({ Id: 1, Price: 100, price: 999 }).Price).toBe(100);
  });

  it('refuses what it cannot trust, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /不是支付单/],
      [[{ Id: 1 }], /不是支付单/],
      [{ Price: 100 }, /没有 Id/],
      [{ Id: 0 }, /没有 Id/],
      [{ Id: 1, Status: 3 }, /状态未知/],
      [{ Id: 1, Price: 1.5 }, /Price/],
      [{ Id: 1, Price: '12.50' }, /Price/],
      [{ Id: 1, Price: 2 ** 60 }, /Price/],
      [{ Id: 1, UserFeeRatio: 'a lot' }, /UserFeeRatio/],
      [{ Id: 1, Desc: { x: 1 } }, /Desc/],
      [{ Id: 1, Status: true }, /Status/],
    ];
    for (const [data, message] of cases) {
      const r = decodePayRecord(data);
      expect(r.ok, JSON.stringify(data)).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ kind: 'response', code: 'kioskv5_malformed_answer', message: expect.stringMatching(message) });
    }
  });

  it('QR content, trade number, details', () => {
    const paid = decoded(json('pay-record-paid.json'));
    expect(qrContentOf(paid)).toBeUndefined();
    expect(tradeNoOf(paid)).toBe('4200000123202405011234567890');
    expect(recordDetails(paid)).toEqual({
      ExUserFee: 60, UserFeePrice: 10000, PayPrice: 10060, WithdrawFee: 38, RealPrice: 10022, ActPrice: 10000, ActFee: 10, TotalPrice: 10032, Refunds: 5,
      UserFeeRatio: 0.006, WithdrawFeeRatio: 0.0038, ActFeeRatio: 0.001, PaidType: 10, BankType: '信用卡', PayOrderId: '4200000123202405011234567890', OrderId: 1714536000,
    });
    const pending = decoded(json('pay-record-pending.json'));
    expect(recordDetails(pending)).toEqual({
      ExUserFee: 0, UserFeePrice: 0, PayPrice: 2500, WithdrawFee: 10, RealPrice: 2490, ActPrice: 0, ActFee: 0, TotalPrice: 2490, Refunds: 0,
      UserFeeRatio: 0, WithdrawFeeRatio: 0.0038, ActFeeRatio: 0, OrderId: 1714536001,
    });
    for (const qr of ['weixin://wxpay/bizpayurl?pr=AbC1234', 'https://qr.alipay.com/bax01234abcd']) {
      const r = decoded({ Id: 1, PayOrderId: qr });
      expect(qrContentOf(r)).toBe(qr);
      expect(tradeNoOf(r)).toBeUndefined();
    }
    for (const notQr of ['', '4200000123', 'weixin:// spaces inside', 'pr=abc']) expect(qrContentOf(decoded({ Id: 1, PayOrderId: notQr }))).toBeUndefined();
  });
});

describe('recordTimeToIso', () => {
  it('China time, RFC 3339, and the rest dropped', () => {
    expect(recordTimeToIso('2024-05-01 12:00:07')).toBe('2024-05-01T12:00:07+08:00');
    expect(recordTimeToIso('2024-05-01T12:00:07Z')).toBe('2024-05-01T12:00:07Z');
    expect(recordTimeToIso('2024-05-01T12:00:07.123+08:00')).toBe('2024-05-01T12:00:07.123+08:00');
    for (const bad of ['', '0000-00-00 00:00:00', '0001-01-01T00:00:00Z', '2024-13-01 00:00:00', '2024-05-01', 'yesterday']) expect(recordTimeToIso(bad)).toBeUndefined();
  });
});

describe('parseAnswer', () => {
  it('an envelope: code 0 (number or string) → its data; null data → undefined', () => {
    const a = parseAnswer(200, fixture('envelope-ok.json'));
    expect(a.ok && a.value).toMatchObject({ kind: 'data', envelope: true, msg: 'ok', data: { Id: 880124 } });
    expect(parseAnswer(200, '{"code":"0","msg":"ok","data":null}')).toEqual({ ok: true, value: { kind: 'data', envelope: true, msg: 'ok', data: undefined } });
    expect(parseAnswer(200, '{"code":0,"message":"成功"}')).toMatchObject({ ok: true, value: { kind: 'data', msg: '成功', data: undefined } });
  });

  it('a refusal: non-zero code, its msg kept; also on a non-2xx status', () => {
    expect(parseAnswer(200, fixture('envelope-refusal.json'))).toEqual({ ok: true, value: { kind: 'refusal', refusal: { code: '50001', msg: '支付失败：余额不足', httpStatus: 200 } } });
    expect(parseAnswer(401, '{"code":40100,"msg":"鉴权失败"}')).toEqual({ ok: true, value: { kind: 'refusal', refusal: { code: '40100', msg: '鉴权失败', httpStatus: 401 } } });
    // code 0 on an error status is not a success: the status is the code.
    expect(parseAnswer(500, '{"code":0,"msg":"ok"}')).toEqual({ ok: true, value: { kind: 'refusal', refusal: { code: '500', msg: 'ok', httpStatus: 500 } } });
  });

  it('a bare record or list (a record with Id is never read as an envelope, even with a "code" key)', () => {
    expect(parseAnswer(200, fixture('pay-record-paid.json'))).toMatchObject({ ok: true, value: { kind: 'data', envelope: false, data: { Id: 880123 } } });
    expect(parseAnswer(200, '{"Id":3,"code":"PC1"}')).toMatchObject({ ok: true, value: { kind: 'data', envelope: false } });
    expect(parseAnswer(200, 'null')).toEqual({ ok: true, value: { kind: 'data', envelope: false, data: null } });
  });

  it('HTML, garbage and a non-integer code are `response` errors', () => {
    expect(parseAnswer(502, '<html>Bad Gateway</html>')).toMatchObject({ ok: false, error: { kind: 'response', code: 'kioskv5_http_status', provider: { code: '502' } } });
    expect(parseAnswer(404, '[]')).toMatchObject({ ok: false, error: { code: 'kioskv5_http_status' } });
    expect(parseAnswer(200, 'runtime error {"code":')).toMatchObject({ ok: false, error: { kind: 'response', code: 'kioskv5_malformed_answer' } });
    expect(parseAnswer(200, '{"code":"oops","msg":"x"}')).toMatchObject({ ok: false, error: { kind: 'response', code: 'kioskv5_malformed_answer' } });
  });
});

describe('requests', () => {
  it('the seed\'s parameter names, in its order; get_pay_record sends sip AND sid', () => {
    expect(Object.entries(encodeCreate({ ptype: 312, sid: 10001, oid: 42, priceFen: 2500, userFeeFen: 0, desc: 'A1' }))).toEqual([
      ['ptype', 312], ['sid', 10001], ['oid', 42], ['price', 2500], ['user_fee', 0], ['desc', 'A1'],
    ]);
    expect(encodePay({ sid: 10001, prId: 880001, authCode: '130000000000000001', authCodeParam: 'auth_code' })).toEqual({ sid: 10001, pr_id: 880001, auth_code: '130000000000000001' });
    expect(encodePay({ sid: 1, prId: 2, authCode: '3', authCodeParam: 'barcode' })).toEqual({ sid: 1, pr_id: 2, barcode: '3' });
    expect(Object.entries(encodeGet({ sid: 10001, prId: 880001 }))).toEqual([['pr_id', 880001], ['sip', 10001], ['sid', 10001]]);
    expect(encodePassCards({ sid: 10001 })).toEqual({ sid: 10001 });
    expect(encodePassCards({ sid: 10001, status: 0 })).toEqual({ sid: 10001, status: 0 });
  });

  it('JSON (numbers stay numbers) or form, auth parameters added', () => {
    const p = encodeCreate({ ptype: 210, sid: 1, oid: 2, priceFen: 3, userFeeFen: 0, desc: 'A 1' });
    expect(encodeBody(p, 'json')).toEqual({ contentType: 'application/json; charset=utf-8', body: '{"ptype":210,"sid":1,"oid":2,"price":3,"user_fee":0,"desc":"A 1"}' });
    expect(encodeBody(p, 'form', { token: 's3cret' })).toEqual({ contentType: 'application/x-www-form-urlencoded; charset=UTF-8', body: 'ptype=210&sid=1&oid=2&price=3&user_fee=0&desc=A+1&token=s3cret' });
  });

  it('desc: the outNo, then the remark (cut to 50 characters); a Desc names us when it starts with our outNo', () => {
    expect(descOf('A1')).toBe('A1');
    expect(descOf('A1', '  二楼\n收银台 ')).toBe('A1 二楼 收银台');
    expect([...descOf('A1', '长'.repeat(80))]).toHaveLength(53);
    expect(descMatches('', 'A1')).toBe(true);
    expect(descMatches('A1', 'A1')).toBe(true);
    expect(descMatches('A1 二楼', 'A1')).toBe(true);
    expect(descMatches('A12', 'A1')).toBe(false);
    expect(descMatches('B7', 'A1')).toBe(false);
  });
});

describe('pass cards (assumed shape)', () => {
  it('an array, Go null, or {List: […]}; missing Status/UseTime read as 0/""', () => {
    const r = decodePassCards(json('pass-cards.json'));
    expect(r.ok && r.value).toEqual([
      { Id: 1, ShopId: 10001, OrderId: 1714536000, PayRecordId: 880123, UserId: 900123, Code: 'PC0123456789', Status: 0, CreateTime: '2024-05-01 12:00:07', UseTime: '', Desc: '出门单' },
      { Id: 2, ShopId: 10001, OrderId: 1714535000, PayRecordId: 880100, UserId: 900100, Code: 'PC9876543210', Status: 1, CreateTime: '2024-05-01 11:40:00', UseTime: '2024-05-01 11:45:12', Desc: '出门单' },
    ]);
    expect(decodePassCards(null)).toEqual({ ok: true, value: [] });
    expect(decodePassCards(undefined)).toEqual({ ok: true, value: [] });
    const paged = decodePassCards({ List: [{ id: 9, order_id: 5, pr_id: 6, code: 'X' }], Total: 1 });
    expect(paged.ok && paged.value[0]).toMatchObject({ Id: 9, OrderId: 5, PayRecordId: 6, Code: 'X', Status: 0 });
    expect(decodePassCards('cards').ok).toBe(false);
    expect(decodePassCards([1]).ok).toBe(false);
    expect(decodePassCards([{ Id: 1, Status: 'used' }]).ok).toBe(false);
  });
});

describe('errors', () => {
  it('401/403 → config, 404 or 不存在 → not_found, anything else → declined; the provider\'s words kept', () => {
    expect(refusalError({ code: '40100', msg: '鉴权失败', httpStatus: 401 })).toMatchObject({ kind: 'config', code: 'kioskv5_auth_refused', provider: { code: '40100', message: '鉴权失败' } });
    expect(refusalError({ code: '403', msg: '', httpStatus: 403 }).kind).toBe('config');
    expect(refusalError({ code: '40401', msg: '支付单不存在', httpStatus: 200 })).toMatchObject({ kind: 'not_found', code: 'kioskv5_not_found' });
    expect(refusalError({ code: '1', msg: '', httpStatus: 404 }).kind).toBe('not_found');
    expect(refusalError({ code: '50001', msg: '支付失败：余额不足', httpStatus: 200 })).toMatchObject({ kind: 'declined', code: 'kioskv5_refused', message: expect.stringContaining('余额不足') });
  });
});

describe('redaction', () => {
  it('masks payment codes, hides the auth secret, shows the scheme only', () => {
    expect(maskAuthCode('130000000000000001')).toBe('**************0001');
    expect(maskAuthCode('123')).toBe('***');
    const auth = { type: 'param', name: 'token', value: 'tok-SECRET-1' } as const;
    expect(scrub('x tok-SECRET-1 y 130000000000000001', auth, ['130000000000000001'])).toBe('x *** y **************0001');
    expect(describeAuth(undefined)).toBe('auth: none');
    expect(describeAuth({ type: 'bearer', token: 'abc' })).toBe('auth: bearer ***');
    expect(describeAuth({ type: 'header', name: 'X-Api-Key', value: 'abc' })).toBe('auth: header x-api-key ***');
    expect(describeAuth(auth)).toBe('auth: param token ***');
    expect(recordRequest('http://h/v5/order/pay_pay_record', auth, { sid: 1, pr_id: 2, auth_code: '130000000000000001' }, 'auth_code')).toBe(
      'POST http://h/v5/order/pay_pay_record\nauth: param token ***\n{"sid":1,"pr_id":2,"auth_code":"**************0001"}',
    );
    expect(recordResponse(200, 'x'.repeat(9000))).toMatch(/^HTTP 200\nx{8192}…\(9000 chars\)$/);
  });
});

describe('the sandbox\'s fee arithmetic (exact fen)', () => {
  it('round half up in integer arithmetic, where a float product would round down', () => {
    expect(feeFen(10000, '0.0038')).toBe(38);
    expect(feeFen(12500, '0.0038')).toBe(48); // 47.5 → 48
    expect(feeFen(131, '0.0038')).toBe(0); // 0.4978
    expect(feeFen(132, '0.0038')).toBe(1); // 0.5016
    expect(feeFen(1, '0.0038')).toBe(0);
    expect(feeFen(23000, '0.0055')).toBe(127); // 126.5 exactly; 23000 * 0.0055 = 126.49999999999999 in floating point
    expect(Math.round(23000 * 0.0055)).toBe(126);
    expect(feeFen(3000, '0.0045')).toBe(14); // 13.5
    expect(feeFen(9_007_199_254_740, '0.0038')).toBe(34_227_357_168); // 34227357168.012
    expect(feeFen(500, '0')).toBe(0);
    expect(feeFen(500, '1')).toBe(500);
    expect(() => feeFen(1.5, '0.0038')).toThrow(RangeError);
    expect(() => feeFen(100, '-0.1')).toThrow(RangeError);
  });

  it('the record\'s fee fields', () => {
    const plain = { withdrawFeeRatio: '0.0038', userFeeRatio: '0', actFeeRatio: '0' };
    expect(feesOf(12500, 0, plain)).toEqual({
      exUserFee: 0, userFeePrice: 0, userFeeRatio: '0', payPrice: 12500, withdrawFeeRatio: '0.0038', withdrawFee: 48, realPrice: 12452,
      actPrice: 0, actFeeRatio: '0', actFee: 0, totalPrice: 12452, refunds: 0,
    });
    const rich = { withdrawFeeRatio: '0.0038', userFeeRatio: '0.006', actFeeRatio: '0.001' };
    // The constructed paid fixture follows this model.
    expect(feesOf(10000, 0, rich)).toMatchObject({ exUserFee: 60, userFeePrice: 10000, payPrice: 10060, withdrawFee: 38, realPrice: 10022, actPrice: 10000, actFee: 10, totalPrice: 10032 });
    // A user_fee in the request replaces the ratio.
    expect(feesOf(10000, 25, rich)).toMatchObject({ exUserFee: 25, payPrice: 10025, withdrawFee: 38, realPrice: 9987, totalPrice: 9997 });
  });
});
