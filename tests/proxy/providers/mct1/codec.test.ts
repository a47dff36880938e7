import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_ANSWER_BYTES,
  chinaTime,
  chinaTimeToIso,
  decodeCallback,
  decodeCancel,
  decodeFen,
  decodeJsapi,
  decodeOrder,
  decodeOrderPage,
  decodePaylist,
  decodeRefund,
  decodeStatus,
  encodeOrderList,
  encodeOrderRef,
  encodePaylist,
  encodePayorder,
  encodePayrefund,
  filterTime,
  ordNameOf,
  parseDataJson,
  parseEnvelope,
  type Decoded,
} from '../../../../proxy/providers/mct1/codec.ts';
import { MCT1_ERRCODES, errcodeError } from '../../../../proxy/providers/mct1/errors.ts';
import { maskAuthCode, recordRequest, recordResponse, redactPayload, scrub } from '../../../../proxy/providers/mct1/redact.ts';

/** The seed's sample answers (see tests/fixtures/mct1/README.md for the few repairs). */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/mct1', name), 'utf8');
const sample = (name: string) => (JSON.parse(fixture(name)) as { errcode: number; msg: string; data: unknown }).data;

function value<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`expected ok, got ${d.error.kind}: ${d.error.message} ${d.error.provider?.message ?? ''}`);
  return d.value;
}

describe('mct1 codec: the seed sample answers', () => {
  it('§2.2/§2.5 envelopes', () => {
    for (const name of ['envelope-2.2.json', 'envelope-2.5.json']) {
      const env = value(parseEnvelope(fixture(name)));
      expect(env).toMatchObject({ errcode: '0', msg: '成功', timestamp: 1461642890, data: 'BE493732102064876B89862824DF8B0B779', sign: '406571b4852680d8463e653f669fe449' });
    }
  });

  it('§4.1.4 paylist', () => {
    expect(value(decodePaylist(sample('paylist.json')))).toEqual([
      { tag: 'AlipayCS', name: '支付宝', types: [2, 3], icon: '/Public/images/Alipay.jpg' },
      { tag: 'WeixinBERL', name: '微信', types: [2, 3], icon: '/Public/images/Weixin.jpg' },
      { tag: 'Baifubao', name: '百付宝', types: [2, 3], icon: '/Public/images/Baidu.jpg' },
      { tag: 'Cash', name: '现金', types: [0], icon: '/Public/images/Cash.png' },
    ]);
  });

  it('§4.2.4 order list: "pages" with a string total, a refund (ord_type 2) and a sale', () => {
    const page = value(decodeOrderPage(sample('order-list.json')));
    expect(page).toMatchObject({ total: 176, totalPages: 18, pageSize: 10, page: 1 });
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      ordNo: '12151030113729320002',
      outNo: '12345',
      ordType: 2,
      status: 1,
      pmtTag: 'Alipay',
      pmtName: '支付宝',
      ordName: '香烟啤酒饮料',
      tradeAmountFen: 1,
      tradeNo: '2015103021001004950010956927',
      tradeAccount: 'lin***@vip.qq.com',
      addTime: '2015-10-30T11:37:32+08:00',
      tradePayTime: '2015-10-30T11:37:32+08:00',
    });
    expect(page.items[0].tradeQrcode).toBeUndefined(); // null in the sample
    expect(page.items[0].remark).toBeUndefined(); // ""
    // The refund carries its sale's trade_no, and its trade_result names the sale's ord_no.
    expect(page.items[1]).toMatchObject({ ordNo: '10151030113629560001', ordType: 1, tradeNo: page.items[0].tradeNo });
    expect(page.items[0].tradeResult).toContain('"out_trade_no\\":\\"10151030113629560001\\"'.replace(/\\/g, ''));
    // The sample's amounts do not add up (0 − 60 − 5 ≠ 1): decoded as printed, not "corrected".
    expect(page.items[1]).toMatchObject({ originalAmountFen: 0, discountFen: 60, ignoreFen: 5, tradeAmountFen: 1 });
    expect(page.items[1].outNo).toBeUndefined();
  });

  it('§4.3.4 order/view', () => {
    const o = value(decodeOrder(sample('order-view.json')));
    expect(o).toMatchObject({
      ordNo: '10151030113629560001',
      outNo: '12345',
      ordType: 1,
      status: 1,
      tradeAmountFen: 1,
      ordMctId: '175',
      ordShopId: '175',
      tradeTime: '2015-10-30T11:36:47+08:00',
      tradePayTime: '2015-10-30T11:37:09+08:00',
      tradeQrcode: 'http://qr.alipay.com/baxc5kdssyeuf7did8',
    });
    expect(o.originalOrdNo).toBeUndefined(); // null for a sale
    expect(JSON.parse(o.tradeResult!)).toMatchObject({ is_success: 'T' });
  });

  it('§4.4.1.4 C扫B: status 2 with trade_qrcode', () => {
    expect(value(decodeOrder(sample('payorder-qr.json')))).toMatchObject({
      ordNo: '9149870509258853878433528',
      outNo: '1214987050997427',
      status: 2,
      tradeAmountFen: 1,
      tradeQrcode: 'weixin://wxpay/bizpayurl?pr=UgaOMDG',
      currency: 'CNY',
      currencySign: '¥',
      tradeDiscountFen: 0,
    });
  });

  it('§4.4.2.4 B扫C: paid', () => {
    const o = value(decodeOrder(sample('payorder-barcode.json')));
    expect(o).toMatchObject({
      ordNo: '9149870539009977236294766',
      outNo: '1214987053965760',
      status: 1,
      tradeAmountFen: 1,
      tradeNo: '4003722001201706297935421355',
      tradeAccount: 'CFT',
      tradePayTime: '2017-06-29T11:03:11+08:00',
      pmtTag: 'Weixin',
      pmtName: '微信支付',
    });
    expect(o.tradeQrcode).toBeUndefined();
  });

  it('§4.4.3.4 / §4.4.5.4 微信 JSAPI and 小程序: the stray spaces (" MD5", " prepay_id=…") are trimmed', () => {
    const jsapi = value(decodeJsapi(sample('payorder-wechat-jsapi.json'), 'wechat-jsapi'));
    expect(jsapi.wechat).toEqual({
      appId: 'wxad4459eb8e963029',
      timeStamp: '1498536981',
      nonceStr: 'TkU7xo8b7MKKcbBSdH6XybE0m8zYvqWp',
      signType: 'MD5',
      package: 'prepay_id=wx2017062712162160e8b4d9b50962607473',
      paySign: '8A1C95076918DF0C91CFB5B1FB965B13',
    });
    expect(jsapi.order).toMatchObject({ ordNo: '9149853698138671785993018', status: 2, tradeAmountFen: 1 });
    const raw = sample('payorder-wechat-jsapi.json') as Record<string, string>;
    expect([raw.appId, raw.nonceStr, raw.signType, raw.package, raw.paySign].every((v) => v.startsWith(' '))).toBe(true);

    const mini = value(decodeJsapi(sample('payorder-miniprogram.json'), 'miniprogram'));
    expect(mini.wechat).toMatchObject({ appId: '123', signType: 'MD5', package: 'prepay_id=wx2017062712162160e8b4d9b50962607473' });
    expect(mini.order).toMatchObject({ status: 2, outNo: '1214985369851733' });
  });

  it('§4.4.4.4 支付宝服务窗 (the native JS variant: trade_no, no jsapi_pay_url)', () => {
    const a = value(decodeJsapi(sample('payorder-alipay-jsapi.json'), 'alipay-jsapi'));
    expect(a.tradeNo).toBe('2017071021001004310291381130');
    expect(a.order).toMatchObject({ pmtTag: 'Alipay', status: 2, tradeAmountFen: 1 });
    // As a jump order it lacks its payment link.
    const jump = decodeJsapi(sample('payorder-alipay-jsapi.json'), 'alipay-jump');
    expect(!jump.ok && jump.error.kind).toBe('response');
  });

  it('the three broken examples are refused as printed', () => {
    for (const name of ['payorder-miniprogram.as-printed.json', 'payorder-wechat-jsapi.as-printed.json', 'payorder-alipay-jsapi.as-printed.json']) {
      const env = parseEnvelope(fixture(name));
      expect(env.ok, name).toBe(false);
      if (!env.ok) {
        expect(env.error).toMatchObject({ kind: 'response', code: 'mct1_malformed_answer' });
        expect(env.error.message).toContain('不是有效的 JSON');
      }
    }
  });

  it('§4.5.4 paystatus', () => {
    const o = value(decodeOrder(sample('paystatus.json')));
    expect(o).toMatchObject({ ordNo: '10151103104619770001', outNo: '12345', status: 2, tradeAmountFen: 300, tradeQrcode: 'weixin://wxpay/bizpayurl?pr=t2Gwibv' });
    expect(o.tradeAccount).toBeUndefined();
  });

  it('§4.6.4 paycancel ("ord_stautus" as printed)', () => {
    expect(value(decodeCancel(sample('paycancel.json')))).toEqual({ ordNo: '123456', status: 4 });
    expect(value(decodeCancel({ ord_no: '1', ord_status: '4' }))).toEqual({ ordNo: '1', status: 4 });
  });

  it('§4.7.4 payrefund: refunds the §4.4.2.4 sale', () => {
    const r = value(decodeRefund(sample('payrefund.json')));
    expect(r).toEqual({
      ordNo: '9149870559317598480923506',
      originalOrdNo: '9149870539009977236294766',
      amountFen: 1,
      status: 1,
      tradeTime: '2017-06-29T11:06:34+08:00',
      tradeDiscountFen: 0,
      ordMctId: '174144',
      ordShopId: '585',
      currency: 'CNY',
    });
    expect(r.originalOrdNo).toBe(value(decodeOrder(sample('payorder-barcode.json'))).ordNo);
  });

  it('§4.8.1.3 notify: the example has the placeholder sign "SIGN" and no ord_no', () => {
    const params = Object.fromEntries(new URL(fixture('notify-url.txt').trim()).searchParams);
    const r = decodeCallback(params);
    expect(!r.ok && r.error).toMatchObject({ kind: 'params', code: 'mct1_callback_malformed' });
    expect(value(decodeCallback({ ...params, sign: 'A'.repeat(32) }))).toEqual({
      outNo: '123456',
      status: 1,
      timestamp: 1234567890,
      randStr: 'RAND_STR',
      sign: 'a'.repeat(32),
    });
    expect(fixture('notify-answer.txt').trim()).toBe('notify_success');
  });
});

describe('mct1 codec: values', () => {
  it('amounts: whole fen as an integer or a string of digits, nothing else', () => {
    expect(value(decodeFen('1', 'x'))).toBe(1);
    expect(value(decodeFen(300, 'x'))).toBe(300);
    expect(value(decodeFen('0', 'x'))).toBe(0);
    for (const bad of ['1.00', '-1', '1e2', ' 1', '', '0x10', 1.5, -1, null, undefined, true, '１', Number.MAX_SAFE_INTEGER + 2]) {
      const d = decodeFen(bad, 'trade_amount');
      expect(d.ok, String(bad)).toBe(false);
      if (!d.ok) expect(d.error.kind).toBe('response');
    }
    const o = decodeOrder({ ord_no: '1', status: '1', trade_amount: '1.00' });
    expect(!o.ok && o.error.message).toContain('trade_amount');
  });

  it('status: 1, 2, 4, 9 (number or string); anything else is refused', () => {
    for (const [v, s] of [[1, 1], ['2', 2], [4, 4], ['9', 9]] as const) expect(value(decodeStatus(v))).toBe(s);
    for (const bad of [0, 3, '5', 'paid', null, '10']) expect(decodeStatus(bad).ok).toBe(false);
    expect(decodeOrder({ ord_no: '1', status: 3, trade_amount: 1 }).ok).toBe(false);
    expect(decodeOrder({ ord_no: '1', status: 1, trade_amount: 1, ord_type: 3 }).ok).toBe(false);
    expect(decodeOrder({ status: 1, trade_amount: 1 }).ok).toBe(false);
    expect(decodeOrder([]).ok).toBe(false);
  });

  it('China time ↔ ISO; malformed times are dropped, not fatal', () => {
    expect(chinaTimeToIso('2017-06-29 11:03:11')).toBe('2017-06-29T11:03:11+08:00');
    expect(chinaTimeToIso('20170629110311')).toBe('2017-06-29T11:03:11+08:00');
    for (const bad of ['', null, '0000-00-00 00:00:00', '2017-13-01 00:00:00', 'yesterday', 1498705391]) expect(chinaTimeToIso(bad)).toBeUndefined();
    expect(value(decodeOrder({ ord_no: '1', status: 1, trade_amount: 1, trade_pay_time: 'garbage' }))).toEqual({ ordNo: '1', status: 1, tradeAmountFen: 1 });
    expect(chinaTime(Date.parse('2017-06-29T03:03:11Z'))).toBe('2017-06-29 11:03:11');
    expect(filterTime('2017-06-20', false)).toBe('2017-06-20 00:00:00');
    expect(filterTime('2017-06-20', true)).toBe('2017-06-20 23:59:59');
    expect(filterTime('2017-06-20 17:05:50', false)).toBe('2017-06-20 17:05:50');
    expect(filterTime('2017-06-20T09:05:50Z', false)).toBe('2017-06-20 17:05:50');
    expect(filterTime(new Date('2017-06-20T09:05:50Z'), false)).toBe('2017-06-20 17:05:50');
    expect(filterTime('20/06/2017', false)).toBeUndefined();
  });

  it('envelope: refuses non-JSON, non-objects, no errcode, non-string data, too large', () => {
    for (const bad of ['', '<html>502</html>', '[]', '"ok"', '{"msg":"ok"}', '{"errcode":"x"}', '{"errcode":0,"data":{"a":1}}']) {
      expect(parseEnvelope(bad).ok, bad).toBe(false);
    }
    expect(parseEnvelope(`{"errcode":0,"msg":"${'x'.repeat(MAX_ANSWER_BYTES)}"}`).ok).toBe(false);
    expect(value(parseEnvelope('\uFEFF{"errcode":"8002","msg":"订单不存在","timestamp":"1461642890"}'))).toMatchObject({ errcode: '8002', timestamp: 1461642890 });
    expect(value(parseEnvelope('{"errcode":9,"msg":"timestamp error"}')).timestamp).toBeUndefined();
    expect(parseDataJson('{oops').ok).toBe(false);
  });

  it('paylist entries need a tag; unknown types are ignored', () => {
    expect(decodePaylist({}).ok).toBe(false);
    expect(decodePaylist([{ pmt_name: 'x' }]).ok).toBe(false);
    expect(decodePaylist([{ pmt_tag: 'a b' }]).ok).toBe(false);
    expect(value(decodePaylist([{ pmt_tag: 'Card', pmt_type: '1, x', pmt_split_refund: '0' }]))).toEqual([{ tag: 'Card', name: 'Card', types: [1], splitRefund: false }]);
  });

  it('the order page also reads the table\'s "page" block; a bad item spoils the page', () => {
    expect(value(decodeOrderPage({ page: { totalnum: 0, totalpage: 0, pagesize: 10, page: 1 }, list: null }))).toEqual({ total: 0, totalPages: 0, pageSize: 10, page: 1, items: [] });
    expect(decodeOrderPage({ pages: { totalnum: 1, totalpage: 1, pagesize: 10, page: 1 }, list: [{ ord_no: '1', status: 1, trade_amount: 'x' }] }).ok).toBe(false);
    expect(decodeOrderPage({ list: [] }).ok).toBe(false);
  });
});

describe('mct1 codec: requests', () => {
  it('paylist, order ref', () => {
    expect(encodePaylist('0,2,3')).toEqual({ pmt_type: '0,2,3' });
    expect(encodeOrderRef({ outNo: 'A1' })).toEqual({ out_no: 'A1' });
    expect(encodeOrderRef({ ordNo: '9', outNo: 'A1' })).toEqual({ ord_no: '9', out_no: 'A1' });
  });

  it('payorder for each scene: integer amounts, original = trade, no discount', () => {
    const base = { outNo: 'A1', pmtTag: 'Weixin', ordName: '商品', amountFen: 101 };
    expect(encodePayorder({ ...base, authCode: '130000000000000001', remark: 'r', notifyUrl: 'http://x/n' })).toEqual({
      out_no: 'A1',
      pmt_tag: 'Weixin',
      ord_name: '商品',
      original_amount: 101,
      discount_amount: 0,
      ignore_amount: 0,
      trade_amount: 101,
      remark: 'r',
      notify_url: 'http://x/n',
      auth_code: '130000000000000001',
    });
    expect(encodePayorder({ ...base, pmtTag: 'Diy', pmtName: '会员卡' })).toMatchObject({ pmt_tag: 'Diy', pmt_name: '会员卡' });
    expect(encodePayorder({ ...base, jsapi: { kind: 'wechat-jsapi', subAppId: 'wxa', subOpenId: 'o1' } })).toMatchObject({ JSAPI: 1, sub_appid: 'wxa', sub_openid: 'o1' });
    expect(encodePayorder({ ...base, jsapi: { kind: 'miniprogram', subAppId: 'wxa', subOpenId: 'o1' } })).toMatchObject({ JSAPI: '1' });
    expect(encodePayorder({ ...base, pmtTag: 'Alipay', jsapi: { kind: 'alipay-jsapi', buyerId: '2088' } })).toMatchObject({ JSAPI: 1, buyer_id: '2088' });
    const jump = encodePayorder({ ...base, jsapi: { kind: 'wechat-jump', jumpUrl: 'https://shop/done' } });
    expect(jump).toMatchObject({ jump_url: 'https://shop/done' });
    expect(jump.JSAPI).toBeUndefined();
  });

  it('ord_name from the items, clipped to 100 characters', () => {
    expect(ordNameOf(undefined)).toBe('商品');
    expect(ordNameOf([{ name: '双汇王中王80克', unitFen: 280, quantity: 2 }, { name: ' 可乐 ', unitFen: 300, quantity: 1 }])).toBe('双汇王中王80克、可乐');
    expect([...ordNameOf([{ name: '长'.repeat(150), unitFen: 1, quantity: 1 }])]).toHaveLength(100);
  });

  it('refund payload', () => {
    expect(encodePayrefund({ outNo: 'A1', ordNo: '9', refundNo: 'R1', amountFen: 50, remark: '退货', shopPassSha1: 'x'.repeat(40) })).toEqual({
      out_no: 'A1',
      ord_no: '9',
      refund_out_no: 'R1',
      refund_amount: 50,
      remark: '退货',
      shop_pass: 'x'.repeat(40),
    });
  });

  it('order list filters are validated before sending', () => {
    expect(value(encodeOrderList({ page: 2, pageSize: 100, ordType: 2, status: 1, tradeNo: '4200', pmtTag: 'Weixin', from: '2017-06-20', to: '2017-06-21' }))).toEqual({
      page: 2,
      pagesize: 100,
      trade_no: '4200',
      pmt_tag: 'Weixin',
      ord_type: 2,
      status: 1,
      sdate: '2017-06-20 00:00:00',
      edate: '2017-06-21 23:59:59',
    });
    for (const bad of [{ pageSize: 101 }, { page: 0 }, { outNo: 'a_b' }, { status: 3 as 1 }, { from: 'soon' }, { ordType: 3 as 1 }]) {
      const r = encodeOrderList(bad);
      expect(!r.ok && r.error.kind, JSON.stringify(bad)).toBe('params');
    }
  });
});

describe('mct1 error codes (§5)', () => {
  const SEED_CODES = ['0', '3002', '5', '8', ...Array.from({ length: 23 }, (_, i) => String(8001 + i)), '8040', '8044', '8045', '8046', '9'];

  it('every code of the table has a stable machine code, a zh-CN-first message and a kind', () => {
    expect(Object.keys(MCT1_ERRCODES).sort()).toEqual([...SEED_CODES].sort());
    const codes = new Set<string>();
    for (const [errcode, info] of Object.entries(MCT1_ERRCODES)) {
      expect(info.code, errcode).toMatch(/^mct1_[a-z0-9_]+$/);
      expect(codes.has(info.code), info.code).toBe(false);
      codes.add(info.code);
      expect(info.message, errcode).toMatch(/^[\u4e00-\u9fff].* \/ [A-Za-z]/);
      if (errcode !== '0') expect(info.kind, errcode).not.toBeNull();
    }
  });

  it('kinds as the service needs them', () => {
    const kind = (c: string) => errcodeError(c, 'x').kind;
    for (const c of ['8005', '8045', '8020']) expect(kind(c), c).toBe('duplicate');
    expect(kind('5')).toBe('sign');
    for (const c of ['8011', '8012', '8013', '8017', '8019', '8021', '8022', '8023', '8040', '8046', '8008']) expect(kind(c), c).toBe('declined');
    for (const c of ['8002', '8018']) expect(kind(c), c).toBe('not_found');
    for (const c of ['3002', '8', '8007', '9']) expect(kind(c), c).toBe('config');
    for (const c of ['8001', '8003', '8004', '8006', '8009', '8010', '8014', '8015', '8016', '8044']) expect(kind(c), c).toBe('params');
    expect(kind('7777')).toBe('response');
  });

  it('keeps the provider\'s msg: in the sentence for 8011, always in `provider`', () => {
    expect(errcodeError('8011', '余额不足')).toEqual({
      kind: 'declined',
      code: 'mct1_payment_failed',
      message: '支付失败：余额不足 / payment failed',
      provider: { code: '8011', message: '余额不足' },
    });
    expect(errcodeError('8017', '主管密码错误').message).toContain('重新输入');
    expect(errcodeError('8011', '').message).toBe('支付失败：支付失败（msg返回支付通道原始失败原因） / payment failed');
  });
});

describe('mct1 call-record redaction', () => {
  it('masks the payment code, hides shop_pass and sign; scrubs secrets', () => {
    expect(maskAuthCode('130000000000000001')).toBe('**************0001');
    expect(redactPayload({ auth_code: '130000000000000001', shop_pass: 'a'.repeat(40), out_no: 'A1' })).toBe('{"auth_code":"**************0001","shop_pass":"***","out_no":"A1"}');
    const req = recordRequest('http://x/payrefund', { open_id: 'oid', timestamp: '1' }, { shop_pass: 'b'.repeat(40) });
    expect(req).toBe('POST http://x/payrefund\nopen_id=oid&timestamp=1&sign=***\ndata={"shop_pass":"***"}');
    expect(recordResponse(200, '', { fields: { errcode: 0, data: 'ABCD', sign: 'f'.repeat(32) } }, { ord_no: '1' })).toBe('HTTP 200\n{"errcode":0,"data":{"ord_no":"1"},"sign":"***"}');
    expect(recordResponse(200, '', { fields: { errcode: 0, data: 'ABCD', sign: 'f'.repeat(32) } })).toContain('<4 hex digits, not decrypted>');
    expect(recordResponse(502, 'x'.repeat(10_000))).toMatch(/^HTTP 502\nx+…\(10000 chars\)$/);
    expect(scrub('key=SECRETKEY code 130000000000000001', { hide: ['SECRETKEY'], authCodes: ['130000000000000001'] })).toBe('key=*** code **************0001');
  });
});
