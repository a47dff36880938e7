/**
 * The client fed the seed's own sample answers (tests/fixtures/mct1), encrypted and signed as the
 * provider would send them, through a fake `fetch`; and the client's handling of answers it must not
 * trust (unverifiable, undecryptable, too large, not JSON, unknown errcodes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMct1Provider, type Mct1Options } from '../../../../proxy/providers/mct1/client.ts';
import { decryptData, encryptData } from '../../../../proxy/providers/mct1/crypto.ts';
import { signParams } from '../../../../proxy/providers/mct1/sign.ts';
import type { CallRecord, ProviderMethod } from '../../../../proxy/providers/types.ts';
import { ok } from './harness.ts';

const KEY = '0828e83720fdbe3685a7b94214af04f9';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/mct1', name), 'utf8');

interface Seen {
  path: string;
  form: Record<string, string>;
  payload: Record<string, unknown>;
}

/** A provider that answers every path with a given body (a fixture's data, encrypted and signed, by default). */
function fake(answers: Record<string, string | ((seen: Seen) => Response | string)>, over: Partial<Mct1Options> = {}) {
  const seen: Seen[] = [];
  const calls: CallRecord[] = [];
  const fetchImpl = (async (url: string | URL, init?: RequestInit) => {
    const path = new URL(String(url)).pathname.replace(/^\/mct1\//, '');
    const form = Object.fromEntries(new URLSearchParams(String(init?.body)));
    const plain = decryptData(form.data, KEY);
    const s: Seen = { path, form, payload: plain.ok ? JSON.parse(plain.text) : {} };
    seen.push(s);
    const a = answers[path];
    if (a === undefined) throw new Error(`unexpected ${path}`);
    const out = typeof a === 'function' ? a(s) : signedFixture(a);
    return typeof out === 'string' ? new Response(out) : out;
  }) as typeof fetch;
  const client = createMct1Provider({ baseUrl: 'https://api.example.test/mct1', openId: 'oid123', openKey: KEY, fetch: fetchImpl, onCall: (c) => calls.push(c), ...over });
  return { client, seen, calls };
}

/** The fixture's answer as the provider sends it: data encrypted, signed over every field. */
function signedFixture(name: string, mutate?: (env: Record<string, unknown>) => void): string {
  const sample = JSON.parse(fixture(name)) as { errcode: number; msg: string; data: unknown };
  const env: Record<string, unknown> = { errcode: sample.errcode, msg: sample.msg, timestamp: Math.floor(Date.now() / 1000), data: encryptData(JSON.stringify(sample.data), KEY) };
  env.sign = signParams(env, KEY);
  mutate?.(env);
  return JSON.stringify(env);
}

const method = (id: string, code: string, kind: ProviderMethod['kind'] = 'barcode'): ProviderMethod => ({ id, code, name: code, kind });

describe('the seed\'s samples through the client', () => {
  it('§4.1.4 paylist → methods (AlipayCS/WeixinBERL by prefix; Baifubao without a pattern, last)', async () => {
    const { client, seen } = fake({ paylist: 'paylist.json' });
    const r = ok(await client.init());
    expect(seen[0]).toMatchObject({ path: 'paylist', payload: { pmt_type: '0,2,3' } });
    expect(Object.keys(seen[0].form)).toEqual(['open_id', 'timestamp', 'data', 'sign']);
    expect(seen[0].form.data).toMatch(/^[0-9A-F]+$/);
    expect(seen[0].form.sign).toBe(signParams({ open_id: 'oid123', timestamp: seen[0].form.timestamp, data: seen[0].form.data }, KEY));
    expect(r.methods.map((x) => [x.id, x.kind, x.codePattern])).toEqual([
      ['mct1:AlipayCS', 'barcode', '^(2[5-9]|30)\\d{14,22}$'],
      ['mct1:WeixinBERL', 'barcode', '^1[0-5]\\d{16}$'],
      ['mct1:AlipayCS:qr', 'qr', undefined],
      ['mct1:WeixinBERL:qr', 'qr', undefined],
      ['mct1:Baifubao:qr', 'qr', undefined],
      ['mct1:Cash', 'cash', undefined],
      ['mct1:Baifubao', 'barcode', undefined],
    ]);
  });

  it('§4.4.2.4 B扫C paid; an answer about another out_no is not ours', async () => {
    const { client, seen } = fake({ paylist: 'paylist.json', payorder: 'payorder-barcode.json' });
    ok(await client.init());
    const wx = client.methods().find((x) => x.id === 'mct1:WeixinBERL')!;
    const r = ok(await client.pay({ outNo: '1214987053965760', amountFen: 1, authCode: '134604005619969099', method: wx }));
    expect(r).toEqual({
      ok: true,
      state: 'paid',
      providerRef: '9149870539009977236294766',
      amountFen: 1,
      providerCode: '1',
      message: '支付成功 / paid',
      tradeNo: '4003722001201706297935421355',
      paidAt: '2017-06-29T11:03:11+08:00',
    });
    expect(seen[1].payload).toEqual({
      out_no: '1214987053965760',
      pmt_tag: 'WeixinBERL',
      ord_name: '商品',
      original_amount: 1,
      discount_amount: 0,
      ignore_amount: 0,
      trade_amount: 1,
      auth_code: '134604005619969099',
    });
    const other = await client.pay({ outNo: 'X1', amountFen: 1, authCode: '134604005619969099', method: wx });
    expect(!other.ok && other.error).toMatchObject({ kind: 'response', code: 'mct1_order_mismatch' });
    const amount = await client.pay({ outNo: '1214987053965760', amountFen: 2, authCode: '134604005619969099', method: wx });
    expect(!amount.ok && amount.error.code).toBe('mct1_amount_mismatch');
  });

  it('§4.4.1.4 C扫B and §4.5.4 paystatus: paying with the QR code', async () => {
    const { client } = fake({ paylist: 'paylist.json', payorder: 'payorder-qr.json', paystatus: 'paystatus.json' });
    ok(await client.init());
    const qr = client.methods().find((x) => x.id === 'mct1:WeixinBERL:qr')!;
    expect(ok(await client.pay({ outNo: '1214987050997427', amountFen: 1, method: qr }))).toMatchObject({
      state: 'paying',
      providerRef: '9149870509258853878433528',
      qrCode: 'weixin://wxpay/bizpayurl?pr=UgaOMDG',
    });
    expect(ok(await client.query({ outNo: '12345', amountFen: 300, method: qr }))).toMatchObject({
      state: 'paying',
      providerRef: '10151103104619770001',
      qrCode: 'weixin://wxpay/bizpayurl?pr=t2Gwibv',
    });
  });

  it('§4.6.4 cancel, §4.7.4 refund, §4.2.4 order list, §4.3.4 view', async () => {
    const { client, seen } = fake({ paycancel: 'paycancel.json', payrefund: 'payrefund.json', order: 'order-list.json', 'order/view': 'order-view.json' });
    const wx = method('mct1:Weixin', 'Weixin');
    expect(ok(await client.cancel({ outNo: '1214987053965760', amountFen: 1, method: wx }))).toEqual({ ok: true, state: 'cancelled' });
    const sale = { outNo: '1214987053965760', amountFen: 1, method: wx, providerRef: '9149870539009977236294766' };
    const r = ok(await client.refund(sale, { refundNo: 'R1214987053965760', amountFen: 1, supervisorPassword: '123456' }));
    expect(r).toMatchObject({ state: 'refunded', amountFen: 1, providerRef: '9149870559317598480923506', refundedAt: '2017-06-29T11:06:34+08:00', message: '订单退款成功' });
    expect(seen.at(-1)!.payload).toEqual({
      out_no: '1214987053965760',
      ord_no: '9149870539009977236294766',
      refund_out_no: 'R1214987053965760',
      refund_amount: 1,
      shop_pass: '7c4a8d09ca3762af61e59520943dc26494f8941b', // sha1("123456"), lower-case
    });
    const wrongSale = await client.refund({ ...sale, providerRef: '9000000000000000000000000' }, { refundNo: 'R2', amountFen: 1, supervisorPassword: '123456' });
    expect(!wrongSale.ok && wrongSale.error.code).toBe('mct1_order_mismatch');
    const page = ok(await client.orders({ page: 1 }));
    expect(page).toMatchObject({ total: 176, totalPages: 18, page: 1, pageSize: 10 });
    expect(page.items.map((o) => o.ordType)).toEqual([2, 1]);
    expect(ok(await client.orderView({ outNo: '12345' })).order.ordNo).toBe('10151030113629560001');
  });

  it('§4.4.3.4 / §4.4.4.4 / §4.4.5.4 JSAPI answers (values trimmed)', async () => {
    const { client } = fake({ paylist: 'paylist.json', payorder: 'payorder-wechat-jsapi.json' });
    ok(await client.init());
    const r = ok(await client.jsapiOrder({ kind: 'wechat-jsapi', subAppId: 'wxde66bf91cac57773', subOpenId: 'o1' }, { outNo: '1214985369851733', amountFen: 1 }));
    expect(r.wechat).toMatchObject({ appId: 'wxad4459eb8e963029', signType: 'MD5', nonceStr: 'TkU7xo8b7MKKcbBSdH6XybE0m8zYvqWp', package: 'prepay_id=wx2017062712162160e8b4d9b50962607473', paySign: '8A1C95076918DF0C91CFB5B1FB965B13' });
    const ali = fake({ paylist: 'paylist.json', payorder: 'payorder-alipay-jsapi.json' });
    ok(await ali.client.init());
    const a = ok(await ali.client.jsapiOrder({ kind: 'alipay-jsapi', buyerId: '2088102146225135' }, { outNo: '1214985369851733', amountFen: 1 }));
    expect(a.tradeNo).toBe('2017071021001004310291381130');
    expect(ali.seen.at(-1)!.payload).toMatchObject({ pmt_tag: 'AlipayCS', JSAPI: 1, buyer_id: '2088102146225135' });
    const mini = fake({ payorder: 'payorder-miniprogram.json' });
    const m = ok(await mini.client.jsapiOrder({ kind: 'miniprogram', subAppId: '123', subOpenId: 'o1' }, { outNo: '1214985369851733', amountFen: 1, pmtTag: 'Weixin' }));
    expect(m.wechat?.appId).toBe('123');
  });
});

describe('answers the client must not trust', () => {
  const wx = method('mct1:Weixin', 'Weixin');
  const ref = { outNo: '1214987053965760', amountFen: 1, method: wx };

  it('a msg in \\u escapes is verified as its decoded text', async () => {
    const { client } = fake({
      paystatus: () => {
        const env: Record<string, unknown> = { errcode: 0, msg: '成功', timestamp: 1461642890, data: encryptData(JSON.stringify({ ord_no: '1', status: 1, trade_amount: 1, out_no: ref.outNo }), KEY) };
        env.sign = signParams(env, KEY);
        return JSON.stringify(env).replace('成功', '\\u6210\\u529f');
      },
    });
    expect(ok(await client.query(ref)).state).toBe('paid');
  });

  it('unverifiable (bad or missing sign, or another key) → response, never sign', async () => {
    for (const mutate of [(e: Record<string, unknown>) => (e.sign = '0'.repeat(32)), (e: Record<string, unknown>) => delete e.sign, (e: Record<string, unknown>) => (e.msg = 'changed')]) {
      const { client, calls } = fake({ paystatus: () => signedFixture('paystatus.json', mutate) });
      const r = await client.query({ ...ref, outNo: '12345', amountFen: 300 });
      expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'mct1_unverifiable_answer' });
      expect(calls[0]).toMatchObject({ ok: false, errorKind: 'response' });
    }
  });

  it('signed but not decryptable, or not JSON inside → response', async () => {
    const envWith = (data: string) => {
      const env: Record<string, unknown> = { errcode: 0, msg: 'ok', timestamp: 1, data };
      env.sign = signParams(env, KEY);
      return JSON.stringify(env);
    };
    for (const data of ['ABC', '00'.repeat(16), encryptData('{not json', KEY)]) {
      const { client } = fake({ paystatus: () => envWith(data) });
      const r = await client.query(ref);
      expect(!r.ok && r.error.kind, data).toBe('response');
    }
  });

  it('HTML, too large, unknown errcode, success without data, a network failure', async () => {
    const html = fake({ paystatus: () => new Response('<html>oops</html>', { status: 200 }) });
    expect(await html.client.query(ref)).toMatchObject({ ok: false, error: { kind: 'response', code: 'mct1_malformed_answer' } });
    const big = fake({ paystatus: () => new Response('x'.repeat(1024 * 1024 + 1)) });
    expect(await big.client.query(ref)).toMatchObject({ ok: false, error: { kind: 'response', code: 'mct1_answer_too_large' } });
    const odd = fake({ paystatus: () => JSON.stringify({ errcode: 7777, msg: '系统繁忙', timestamp: 1 }) });
    expect(await odd.client.query(ref)).toMatchObject({ ok: false, error: { kind: 'response', code: 'mct1_unknown_errcode', provider: { code: '7777', message: '系统繁忙' } } });
    const empty = fake({ paystatus: () => JSON.stringify({ errcode: 0, msg: 'ok', timestamp: 1 }) });
    expect(await empty.client.query(ref)).toMatchObject({ ok: false, error: { kind: 'response' } });
    const down = createMct1Provider({ baseUrl: 'http://127.0.0.1:9/mct1', openId: 'o', openKey: KEY, timeoutMs: 1_000 });
    expect(await down.query(ref)).toMatchObject({ ok: false, error: { kind: 'network', code: 'mct1_network' } });
  });

  it('a msg carrying a secret is scrubbed from the message; a throwing onCall sink changes nothing', async () => {
    const { client } = fake(
      { payrefund: () => JSON.stringify({ errcode: 8023, msg: `退款失败 ${KEY}`, timestamp: 1 }) },
      {
        onCall: () => {
          throw new Error('sink down');
        },
      },
    );
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a);
    try {
      const r = await client.refund(ref, { refundNo: 'R1', amountFen: 1, supervisorPassword: '123456' });
      expect(!r.ok && r.error.kind).toBe('declined');
      expect(!r.ok && r.error.message).not.toContain(KEY);
    } finally {
      console.error = original;
    }
    expect(errors.length).toBe(1);
  });

  it('options are checked once', () => {
    expect(() => createMct1Provider({ baseUrl: 'ftp://x', openId: 'o', openKey: KEY })).toThrow(TypeError);
    expect(() => createMct1Provider({ baseUrl: 'http://x', openId: '', openKey: KEY })).toThrow(TypeError);
    expect(() => createMct1Provider({ baseUrl: 'http://x', openId: 'o', openKey: '' })).toThrow(TypeError);
    expect(() => createMct1Provider({ baseUrl: 'http://x', openId: 'o', openKey: KEY, codePatterns: { Weixin: '(' } })).toThrow(TypeError);
    expect(() => createMct1Provider({ baseUrl: 'http://x', openId: 'o', openKey: KEY, diyMethods: [' '] })).toThrow(TypeError);
    const c = createMct1Provider({ baseUrl: 'http://x/', openId: 'o', openKey: KEY });
    expect(c.id).toBe('mct1');
    expect(c.info()).toEqual({ ready: false, message: '尚未读取支付方式 / not initialised' });
  });

  it('reprint is unsupported', async () => {
    const { client } = fake({});
    expect(await client.reprint(ref)).toMatchObject({ ok: false, error: { kind: 'unsupported' } });
  });
});
