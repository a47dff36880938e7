/**
 * The mct1 client against the sandbox simulator over real HTTP on loopback (simulator mounted at
 * /sandbox/mct1 in a parent Hono app, as the proxy mounts it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCT1_SANDBOX_CODES as CODES, SANDBOX_STORE } from '../../../../proxy/providers/mct1/index.ts';
import { sha1Hex } from '../../../../proxy/providers/mct1/sign.ts';
import type { PaymentRef, ProviderMethod } from '../../../../proxy/providers/types.ts';
import { ok, startSandbox, type Sandbox } from './harness.ts';

let sb: Sandbox;
let main: ReturnType<Sandbox['client']>;
const m: Record<'wx' | 'ali' | 'wxQr' | 'aliQr' | 'cash' | 'diy', ProviderMethod> = {} as never;
/** Every payment code used (must appear only masked in call records). */
const usedCodes = new Set<string>();
let seq = 0;
const outNo = (p = 'T') => `${p}${Date.now().toString(36)}${++seq}`;

function pay(code: string, amountFen: number, opts: { client?: typeof main; out?: string; notifyUrl?: string } = {}) {
  usedCodes.add(code);
  const method = code.startsWith('28') ? m.ali : m.wx;
  return (opts.client ?? main).pay({ outNo: opts.out ?? outNo(), amountFen, authCode: code, method, notifyUrl: opts.notifyUrl });
}
function refOf(o: { providerRef?: string }, out: string, amountFen: number, method = m.wx): PaymentRef {
  return { outNo: out, amountFen, method, providerRef: o.providerRef };
}
async function payRef(code: string, amountFen: number) {
  const out = outNo();
  const r = ok(await pay(code, amountFen, { out }));
  return { r, ref: refOf(r, out, amountFen, code.startsWith('28') ? m.ali : m.wx) };
}
async function adminOrder(key: string) {
  return (await sb.adminJson<{ order: { status: number; amountFen: number; pollsLeft?: number } }>(`/orders/${key}`)).order;
}

beforeAll(async () => {
  sb = await startSandbox({ passwordPolls: 2, hangMs: 1_000 });
  main = sb.client();
  ok(await main.init());
  const byId = (id: string) => main.methods().find((x) => x.id === id)!;
  m.wx = byId('mct1:Weixin');
  m.ali = byId('mct1:Alipay');
  m.wxQr = byId('mct1:Weixin:qr');
  m.aliQr = byId('mct1:Alipay:qr');
  m.cash = byId('mct1:Cash');
  m.diy = byId('mct1:Diy:会员卡');
});
afterAll(async () => {
  await sb?.close();
});

describe('init: paylist → methods', () => {
  it('the sandbox store: barcode with patterns, QR, cash, Diy', () => {
    expect(main.methods()).toEqual([
      { id: 'mct1:Alipay', code: 'Alipay', name: '支付宝', kind: 'barcode', codePattern: '^(2[5-9]|30)\\d{14,22}$' },
      { id: 'mct1:Weixin', code: 'Weixin', name: '微信', kind: 'barcode', codePattern: '^1[0-5]\\d{16}$' },
      { id: 'mct1:Alipay:qr', code: 'Alipay', name: '支付宝 扫码', kind: 'qr' },
      { id: 'mct1:Weixin:qr', code: 'Weixin', name: '微信 扫码', kind: 'qr' },
      { id: 'mct1:Cash', code: 'Cash', name: '现金', kind: 'cash' },
      { id: 'mct1:Diy:会员卡', code: 'Diy', name: '会员卡', kind: 'cash' },
    ]);
    for (const code of Object.values(CODES.wechat)) expect(new RegExp(m.wx.codePattern!).test(code)).toBe(true);
    for (const code of Object.values(CODES.alipay)) expect(new RegExp(m.ali.codePattern!).test(code)).toBe(true);
    expect(new RegExp(m.wx.codePattern!).test(CODES.alipay.paid)).toBe(false);
    expect(main.calls[0].request).toContain('data={"pmt_type":"0,2,3"}');
    const info = main.info();
    expect(info.ready).toBe(true);
    expect(Math.abs(info.clockSkewMs!)).toBeLessThan(1_500);
    expect(main.paylist().map((e) => e.tag)).toEqual(['Alipay', 'Weixin', 'Cash']);
  });

  it('another store: tag prefixes get the default patterns, an unknown tag none (and goes last), 刷卡 is ignored', async () => {
    const res = await sb.admin('/stores', {
      method: 'POST',
      body: JSON.stringify({
        paylist: [
          { pmt_tag: 'Baifubao', pmt_name: '百付宝', pmt_type: '2,3' },
          { pmt_tag: 'WeixinBERL', pmt_name: '微信', pmt_type: '2,3' },
          { pmt_tag: 'AlipayCS', pmt_name: '支付宝', pmt_type: '3' },
          { pmt_tag: 'Card', pmt_name: '银行卡', pmt_type: '1' },
          { pmt_tag: 'Cash', pmt_name: '现金', pmt_type: '0' },
        ],
      }),
    });
    expect(res.status).toBe(201);
    const { store } = (await res.json()) as { store: { openId: string; openKey: string } };
    const c = sb.client({ openId: store.openId, openKey: store.openKey, diyMethods: [], codePatterns: { Baifubao: '^31\\d{16}$', 'WeixinBE*': '^13\\d{16}$' } });
    ok(await c.init());
    expect(c.methods().map((x) => [x.id, x.kind, x.codePattern])).toEqual([
      ['mct1:Baifubao', 'barcode', '^31\\d{16}$'],
      ['mct1:WeixinBERL', 'barcode', '^13\\d{16}$'], // the longest prefix wins
      ['mct1:AlipayCS', 'barcode', '^(2[5-9]|30)\\d{14,22}$'],
      ['mct1:Baifubao:qr', 'qr', undefined],
      ['mct1:WeixinBERL:qr', 'qr', undefined],
      ['mct1:Cash', 'cash', undefined],
    ]);
    const plain = sb.client({ openId: store.openId, openKey: store.openKey, diyMethods: [] });
    ok(await plain.init());
    expect(plain.methods().at(-1)).toEqual({ id: 'mct1:Baifubao', code: 'Baifubao', name: '百付宝', kind: 'barcode' });
    // A method without a pattern can only be chosen explicitly; it then accepts any digits.
    usedCodes.add('501234567890123456');
    const r = ok(await plain.pay({ outNo: outNo(), amountFen: 5, authCode: '501234567890123456', method: plain.methods().at(-1)! }));
    expect(r.state).toBe('paid');
  });

  it('unknown store → 3002 config; wrong key → 5 sign; neither is ready', async () => {
    const unknown = sb.client({ openId: 'nosuchstore12345' });
    const u = await unknown.init();
    expect(!u.ok && u.error).toMatchObject({ kind: 'config', code: 'mct1_store_not_found', provider: { code: '3002', message: '门店不存在' } });
    expect(unknown.info()).toMatchObject({ ready: false, message: expect.stringContaining('门店') });
    const wrongKey = sb.client({ openKey: 'f'.repeat(32) });
    const w = await wrongKey.init();
    expect(!w.ok && w.error).toMatchObject({ kind: 'sign', code: 'mct1_sign_refused' });
    expect(!w.ok && w.error.message).not.toContain('f'.repeat(32));
    const before = unknown.calls.length;
    const p = await unknown.pay({ outNo: 'X1', amountFen: 1, authCode: CODES.wechat.paid, method: m.wx });
    expect(!p.ok && p.error.kind).toBe('config');
    expect(unknown.calls.length).toBe(before);
  });

  it('lower-case hex data works too; a key of another length works like PHP (NUL-padded) on both sides', async () => {
    const lower = sb.client({ hexCase: 'lower' });
    ok(await lower.init());
    expect(ok(await pay(CODES.wechat.paid, 7, { client: lower })).state).toBe('paid');
    const res = await sb.admin('/stores', { method: 'POST', body: JSON.stringify({ open_key: '1234567890abcdef' }) });
    const { store } = (await res.json()) as { store: { openId: string } };
    const short = sb.client({ openId: store.openId, openKey: '1234567890abcdef' });
    ok(await short.init());
  });

  it('init keeps the methods through a transient failure', async () => {
    const c = sb.client();
    ok(await c.init());
    expect((await sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'paylist', fault: 'garbage' }) })).status).toBe(201);
    const r = await c.init();
    expect(!r.ok && r.error.kind).toBe('response');
    expect(c.info().ready).toBe(true);
    expect(c.methods()).toHaveLength(6);
  });
});

describe('B扫C: every sandbox code', () => {
  it('1: paid at once (微信 and 支付宝)', async () => {
    const w = ok(await pay(CODES.wechat.paid, 101));
    expect(w).toMatchObject({ state: 'paid', amountFen: 101, providerCode: '1' });
    expect(w.providerRef).toMatch(/^9\d{24}$/);
    expect(w.tradeNo).toMatch(/^4200\d{24}$/);
    expect(w.paidAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(Math.abs(Date.parse(w.paidAt!) - Date.now())).toBeLessThan(5_000);
    const a = ok(await pay(CODES.alipay.paid, 102));
    expect(a).toMatchObject({ state: 'paid', amountFen: 102 });
    expect(a.tradeNo).toMatch(/^\d{8}2100100\d{13}$/);
    const rec = main.calls.at(-1)!;
    expect(rec).toMatchObject({ provider: 'mct1', op: 'payorder', ok: true });
    expect(rec.request).toMatch(/"auth_code":"\*{14}0001"/);
    expect(rec.response).toContain('"status":"1"');
  });

  it('2: password — status 9, paying, then paid on the 2nd paystatus', async () => {
    const { r, ref } = await payRef(CODES.wechat.password, 201);
    expect(r).toMatchObject({ state: 'paying', providerCode: '9', message: expect.stringContaining('密码') });
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paying', providerCode: '9' });
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paid', amountFen: 201, providerRef: r.providerRef });
  });

  it('3: declined — a failed outcome with the wallet\'s message; the order is closed', async () => {
    const out = outNo();
    const r = ok(await pay(CODES.alipay.declined, 301, { out }));
    expect(r).toEqual({ ok: true, state: 'failed', providerCode: '8011', message: '支付失败：买家余额不足 / payment failed' });
    expect(main.calls.at(-1)).toMatchObject({ op: 'payorder', ok: false, errorKind: 'declined' });
    expect(ok(await main.query({ outNo: out, amountFen: 301, method: m.ali }))).toMatchObject({ state: 'cancelled', providerCode: '4' });
  });

  it('4: charged, answer lost → network; paystatus says paid', async () => {
    const out = outNo();
    const r = await pay(CODES.wechat.answerLost, 401, { out });
    expect(!r.ok && r.error).toMatchObject({ kind: 'network', code: 'mct1_network' });
    expect(ok(await main.query({ outNo: out, amountFen: 401, method: m.wx }))).toMatchObject({ state: 'paid', amountFen: 401 });
  });

  it('5: hangs → timeout; nothing charged (paystatus → 8002 failed)', async () => {
    const impatient = sb.client({ timeoutMs: 150 });
    ok(await impatient.init());
    const out = outNo();
    const started = Date.now();
    const r = await pay(CODES.wechat.hang, 501, { client: impatient, out });
    expect(!r.ok && r.error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(900);
    expect(ok(await main.query({ outNo: out, amountFen: 501, method: m.wx }))).toEqual({
      ok: true,
      state: 'failed',
      providerCode: '8002',
      message: '订单不存在（支付平台没有这笔订单） / no such order at the provider',
    });
  });

  it('6: password forever, until the customer completes it in the back office', async () => {
    const { r, ref } = await payRef(CODES.alipay.passwordForever, 601);
    for (let i = 0; i < 3; i++) expect(ok(await main.query(ref)).state).toBe('paying');
    expect((await sb.admin(`/orders/${ref.outNo}/pay`, { method: 'POST' })).status).toBe(200);
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paid', providerRef: r.providerRef });
    expect((await sb.admin(`/orders/${r.providerRef}/pay`, { method: 'POST' })).status).toBe(409);
  });

  it('7: HTTP 502 HTML → response, nothing charged', async () => {
    const out = outNo();
    const r = await pay(CODES.wechat.garbage, 701, { out });
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'mct1_http_status', provider: { code: '502' } });
    expect(ok(await main.query({ outNo: out, amountFen: 701, method: m.wx })).providerCode).toBe('8002');
  });

  it('8: charged, but the answer\'s sign is corrupted → response (not sign); paystatus says paid', async () => {
    const out = outNo();
    const r = await pay(CODES.alipay.badSign, 801, { out });
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'mct1_unverifiable_answer' });
    expect(ok(await main.query({ outNo: out, amountFen: 801, method: m.ali })).state).toBe('paid');
  });

  it('any other code of the right shape pays once; the same code again is refused by the wallet', async () => {
    const code = '134604005619969099';
    expect(ok(await pay(code, 901)).state).toBe('paid');
    expect(ok(await pay(code, 901))).toMatchObject({ state: 'failed', providerCode: '8011', message: expect.stringContaining('仅限使用一次') });
  });

  it('the same out_no twice is a duplicate (8045), never a second charge; the query tells the state', async () => {
    const out = outNo();
    const first = ok(await pay(CODES.wechat.paid, 902, { out }));
    const again = await pay(CODES.wechat.paid, 902, { out });
    expect(!again.ok && again.error).toMatchObject({ kind: 'duplicate', code: 'mct1_out_no_exists', provider: { code: '8045' } });
    expect(ok(await main.query({ outNo: out, amountFen: 902, method: m.wx })).providerRef).toBe(first.providerRef);
    const orders = ok(await main.orders({ outNo: out }));
    expect(orders.total).toBe(1);
  });

  it('an amount in the answer that differs from ours is not accepted', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 903);
    const r = await main.query({ ...ref, amountFen: 904 });
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'mct1_amount_mismatch' });
  });

  it('refuses bad input before sending', async () => {
    const before = main.calls.length;
    const cases = [
      { outNo: 'T-1', amountFen: 1, authCode: CODES.wechat.paid, method: m.wx },
      { outNo: 'T_1', amountFen: 1, authCode: CODES.wechat.paid, method: m.wx },
      { outNo: 'x'.repeat(65), amountFen: 1, authCode: CODES.wechat.paid, method: m.wx },
      { outNo: 'T1', amountFen: 0, authCode: CODES.wechat.paid, method: m.wx },
      { outNo: 'T1', amountFen: 1.5, authCode: CODES.wechat.paid, method: m.wx },
      { outNo: 'T1', amountFen: 1, authCode: '13abc', method: m.wx },
      { outNo: 'T1', amountFen: 1, authCode: CODES.alipay.paid, method: m.wx },
      { outNo: 'T1', amountFen: 1, method: m.wx },
      { outNo: 'T1', amountFen: 1, method: m.wxQr, notifyUrl: 'ftp://x' },
    ];
    for (const c of cases) {
      const r = await main.pay(c);
      expect(!r.ok && r.error.kind, JSON.stringify(c)).toBe('params');
    }
    const unknown = await main.pay({ outNo: 'T1', amountFen: 1, authCode: CODES.wechat.paid, method: { ...m.wx, id: 'mct1:Nope' } });
    expect(!unknown.ok && unknown.error.kind).toBe('config');
    expect(main.calls.length).toBe(before);
  });
});

describe('C扫B (QR), cash, Diy', () => {
  it('微信 QR: paying with the code to show; the customer pays; paystatus says paid', async () => {
    const out = outNo('Q');
    const r = ok(await main.pay({ outNo: out, amountFen: 1001, method: m.wxQr, items: [{ name: '可乐', unitFen: 1001, quantity: 1 }] }));
    expect(r).toMatchObject({ state: 'paying', providerCode: '2' });
    expect(r.qrCode).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=\w{7}$/);
    expect(main.calls.at(-1)!.request).toContain('"ord_name":"可乐"');
    const ref = refOf(r, out, 1001, m.wxQr);
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paying', qrCode: r.qrCode });
    expect((await sb.admin(`/orders/${out}/pay`, { method: 'POST' })).status).toBe(200);
    const paid = ok(await main.query(ref));
    expect(paid).toMatchObject({ state: 'paid', amountFen: 1001 });
    expect(paid.tradeNo).toMatch(/^4200\d{24}$/);
  });

  it('支付宝 QR; a QR order cannot be cancelled (8013: B扫C only) → declined', async () => {
    const out = outNo('Q');
    const r = ok(await main.pay({ outNo: out, amountFen: 1002, method: m.aliQr }));
    expect(r.qrCode).toMatch(/^https:\/\/qr\.alipay\.com\/[a-z0-9]{18}$/);
    const c = await main.cancel(refOf(r, out, 1002, m.aliQr));
    expect(!c.ok && c.error).toMatchObject({
      kind: 'declined',
      code: 'mct1_cancel_failed',
      provider: { code: '8013', message: '订单取消失败,错误原因：订单的支付场景不支持该请求' },
    });
  });

  it('cash and Diy are paid at once', async () => {
    const cash = ok(await main.pay({ outNo: outNo('C'), amountFen: 1500, method: m.cash }));
    expect(cash).toMatchObject({ state: 'paid', amountFen: 1500 });
    expect(cash.tradeNo).toBeUndefined();
    expect(main.calls.at(-1)!.request).toMatch(/"pmt_tag":"Cash"/);
    const out = outNo('D');
    const diy = ok(await main.pay({ outNo: out, amountFen: 1600, method: m.diy, remark: '会员 0001' }));
    expect(diy.state).toBe('paid');
    expect(main.calls.at(-1)!.request).toMatch(/"pmt_tag":"Diy","pmt_name":"会员卡"/);
    const view = ok(await main.orderView({ outNo: out }));
    expect(view.order).toMatchObject({ pmtTag: 'Diy', diyPmtName: '会员卡', remark: '会员 0001', status: 1 });
  });
});

describe('cancel', () => {
  it('a password order is cancelled; then paystatus says cancelled, a second cancel 8012', async () => {
    const { ref } = await payRef(CODES.wechat.passwordForever, 1101);
    expect(ok(await main.cancel(ref))).toEqual({ ok: true, state: 'cancelled' });
    expect(ok(await main.query(ref))).toMatchObject({ state: 'cancelled' });
    const again = await main.cancel(ref);
    expect(!again.ok && again.error).toMatchObject({ kind: 'declined', code: 'mct1_cancel_not_allowed', provider: { code: '8012' } });
  });

  it('a paid order: 8012 → declined; an unknown one: 8002 → not_found', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 1102);
    const r = await main.cancel(ref);
    expect(!r.ok && r.error.kind).toBe('declined');
    const none = await main.cancel({ outNo: 'NoSuchOrder1', amountFen: 1, method: m.wx });
    expect(!none.ok && none.error).toMatchObject({ kind: 'not_found', provider: { code: '8002' } });
  });
});

describe('refunds and bills', () => {
  it('partial refunds add up; over the rest → 8021; bill finds every refund', async () => {
    const { r, ref } = await payRef(CODES.wechat.paid, 1000);
    const r1 = ok(await main.refund(ref, { refundNo: `${ref.outNo}R1`, amountFen: 300, reason: '退货' }));
    expect(r1).toMatchObject({ state: 'refunded', amountFen: 300, message: '订单退款成功' });
    expect(r1.providerRef).toMatch(/^9\d{24}$/);
    expect(r1.providerRef).not.toBe(r.providerRef);
    expect(r1.refundedAt).toMatch(/\+08:00$/);
    ok(await main.refund(ref, { refundNo: `${ref.outNo}R2`, amountFen: 500 }));
    const over = await main.refund(ref, { refundNo: `${ref.outNo}R3`, amountFen: 201 });
    expect(!over.ok && over.error).toMatchObject({ kind: 'declined', code: 'mct1_refund_exceeds_remaining', provider: { code: '8021' } });
    ok(await main.refund(ref, { refundNo: `${ref.outNo}R4`, amountFen: 200 }));
    const b = ok(await main.bill(ref));
    expect(b).toMatchObject({ providerRef: r.providerRef, amountFen: 1000, refundedFen: 1000, paidAt: r.paidAt });
    expect(b.lines.map((l) => l.amountFen).sort((x, y) => x - y)).toEqual([-500, -300, -200, 1000]);
    expect(b.lines[0]).toMatchObject({ amountFen: 1000, tradeNo: r.tradeNo, methodName: '微信' });
    // The sale keeps its status: a refund is a new order (ord_type 2) naming it in original_ord_no.
    expect(ok(await main.query(ref)).state).toBe('paid');
    const refunds = ok(await main.orders({ ordType: 2, tradeNo: r.tradeNo }));
    expect(refunds.items).toHaveLength(3);
    const view = ok(await main.orderView({ ordNo: r1.providerRef }));
    expect(view.order).toMatchObject({ ordType: 2, originalOrdNo: r.providerRef, outNo: `${ref.outNo}R1`, tradeAmountFen: 300 });
  });

  it('more than paid at once → 8022; a refund number used twice → duplicate (8020); refundQuery reads it', async () => {
    const { ref } = await payRef(CODES.alipay.paid, 500);
    const over = await main.refund(ref, { refundNo: `${ref.outNo}X`, amountFen: 501 });
    expect(!over.ok && over.error).toMatchObject({ kind: 'declined', code: 'mct1_refund_exceeds_paid', provider: { code: '8022' } });
    const refundNo = `${ref.outNo}R`;
    const first = ok(await main.refund(ref, { refundNo, amountFen: 100 }));
    const again = await main.refund(ref, { refundNo, amountFen: 100 });
    expect(!again.ok && again.error).toMatchObject({ kind: 'duplicate', code: 'mct1_refund_no_exists', provider: { code: '8020' } });
    expect(ok(await main.refundQuery(ref, refundNo))).toEqual({ ok: true, state: 'refunded', amountFen: 100, providerRef: first.providerRef });
    expect(ok(await main.bill(ref)).refundedFen).toBe(100);
    expect(ok(await main.refundQuery(ref, 'NoSuchRefund1'))).toEqual({ ok: true, state: 'failed' });
    // The sale's own out_no is not a refund.
    const sale = await main.refundQuery(ref, ref.outNo);
    expect(!sale.ok && sale.error.kind).toBe('response');
    const badNo = await main.refund(ref, { refundNo: 'R-1', amountFen: 1 });
    expect(!badNo.ok && badNo.error.kind).toBe('params');
  });

  it('supervisor password: the typed one wins, sent as lower-case SHA-1; wrong → 8017; none → params, not sent', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 300);
    const wrong = await main.refund(ref, { refundNo: `${ref.outNo}W`, amountFen: 1, supervisorPassword: '654321' });
    expect(!wrong.ok && wrong.error).toMatchObject({ kind: 'declined', code: 'mct1_supervisor_password_wrong', message: expect.stringContaining('重新输入') });
    expect(main.calls.at(-1)!.request).toContain('"shop_pass":"***"');
    ok(await main.refund(ref, { refundNo: `${ref.outNo}T`, amountFen: 1, supervisorPassword: SANDBOX_STORE.shopPass }));
    const noPass = sb.client({ shopPass: undefined });
    const before = noPass.calls.length;
    const r = await noPass.refund(ref, { refundNo: `${ref.outNo}N`, amountFen: 1 });
    expect(!r.ok && r.error).toMatchObject({ kind: 'params', code: 'mct1_supervisor_password_required' });
    expect(noPass.calls.length).toBe(before);
  });

  it('refund of an unpaid order → 8019 declined; of an unknown one → 8018 not_found; bill of an unpaid one → declined', async () => {
    const { ref } = await payRef(CODES.wechat.passwordForever, 1201);
    const r = await main.refund(ref, { refundNo: `${ref.outNo}R`, amountFen: 1 });
    expect(!r.ok && r.error).toMatchObject({ kind: 'declined', code: 'mct1_refund_not_allowed' });
    const b = await main.bill(ref);
    expect(!b.ok && b.error.kind).toBe('declined');
    const none = await main.refund({ outNo: 'NoSuchOrder2', amountFen: 1, method: m.wx }, { refundNo: 'NoSuchRefund2', amountFen: 1 });
    expect(!none.ok && none.error).toMatchObject({ kind: 'not_found', code: 'mct1_original_order_not_found' });
  });

  it('bill of a cash sale (no trade_no) finds its refunds by pmt_tag and original_ord_no', async () => {
    const out = outNo('C');
    const cash = ok(await main.pay({ outNo: out, amountFen: 900, method: m.cash }));
    const ref = refOf(cash, out, 900, m.cash);
    // Another cash sale refunded too: must not be counted.
    const other = outNo('C');
    ok(await main.pay({ outNo: other, amountFen: 50, method: m.cash }));
    ok(await main.refund({ outNo: other, amountFen: 50, method: m.cash }, { refundNo: `${other}R`, amountFen: 50 }));
    ok(await main.refund(ref, { refundNo: `${out}R1`, amountFen: 100 }));
    ok(await main.refund(ref, { refundNo: `${out}R2`, amountFen: 200 }));
    const b = ok(await main.bill(ref));
    expect(b).toMatchObject({ providerRef: cash.providerRef, amountFen: 900, refundedFen: 300 });
    expect(b.lines).toHaveLength(3);
  });

  it('bill with no refunds; by out_no only', async () => {
    const { ref } = await payRef(CODES.alipay.paid, 77);
    const b = ok(await main.bill({ ...ref, providerRef: undefined }));
    expect(b).toMatchObject({ amountFen: 77, refundedFen: 0 });
    expect(b.lines).toHaveLength(1);
  });
});

describe('order list and view', () => {
  it('pages, filters, view by either number', async () => {
    const out = outNo('L');
    const r = ok(await pay(CODES.wechat.paid, 4242, { out }));
    const page = ok(await main.orders({ pageSize: 2 }));
    expect(page.pageSize).toBe(2);
    expect(page.items).toHaveLength(2);
    expect(page.totalPages).toBe(Math.ceil(page.total / 2));
    const mine = ok(await main.orders({ outNo: out, from: Date.now() - 60_000, to: new Date(Date.now() + 60_000) }));
    expect(mine.items).toEqual([expect.objectContaining({ ordNo: r.providerRef, outNo: out, ordType: 1, status: 1, tradeAmountFen: 4242, pmtTag: 'Weixin' })]);
    expect(ok(await main.orders({ outNo: out, to: '2000-01-01' })).total).toBe(0);
    const byOrd = ok(await main.orderView({ ordNo: r.providerRef }));
    const byOut = ok(await main.orderView({ outNo: out }));
    expect(byOrd.order).toEqual(byOut.order);
    expect(byOrd.order.shopName).toBe('mct1沙箱门店');
    const none = await main.orderView({ outNo: 'NoSuchOrder3' });
    expect(!none.ok && none.error.kind).toBe('not_found');
    const bad = await main.orders({ pageSize: 500 });
    expect(!bad.ok && bad.error.kind).toBe('params');
  });
});

describe('JSAPI family (for a later web shop)', () => {
  it('微信 JSAPI and 小程序: the pay parameters, trimmed of the seed\'s stray spaces', async () => {
    for (const kind of ['wechat-jsapi', 'miniprogram'] as const) {
      const out = outNo('J');
      const r = ok(await main.jsapiOrder({ kind, subAppId: 'wxde66bf91cac57773', subOpenId: 'oRBXQs6pH6F9R5Yw4dkJ8y9aXPqA' }, { outNo: out, amountFen: 1 }));
      expect(r.wechat).toEqual({
        appId: 'wxde66bf91cac57773',
        timeStamp: expect.stringMatching(/^\d{10}$/),
        nonceStr: expect.stringMatching(/^\w{32}$/),
        signType: 'MD5',
        package: expect.stringMatching(/^prepay_id=wx\d{14}[0-9a-f]{22}$/),
        paySign: expect.stringMatching(/^[0-9A-F]{32}$/),
      });
      expect(r.order).toMatchObject({ outNo: out, status: 2 });
      // The simulator answers with the spaces, as §4.4.3.4 prints them.
      expect(main.calls.at(-1)!.response).toContain('"signType":" MD5"');
    }
  });

  it('支付宝 JSAPI: trade_no; jump variants: jsapi_pay_url served by the sandbox; paid in the back office', async () => {
    const a = ok(await main.jsapiOrder({ kind: 'alipay-jsapi', buyerId: '2088102146225135' }, { outNo: outNo('J'), amountFen: 2 }));
    expect(a.tradeNo).toMatch(/^\d{8}2100100\d{13}$/);
    for (const kind of ['wechat-jump', 'alipay-jump'] as const) {
      const out = outNo('J');
      const j = ok(await main.jsapiOrder({ kind, jumpUrl: 'https://shop.example/paid' }, { outNo: out, amountFen: 3, ordName: '网店订单' }));
      expect(j.jsapiPayUrl).toBe(`${sb.baseUrl}/jsapi/${j.order.ordNo}`);
      expect((await fetch(j.jsapiPayUrl!)).status).toBe(200);
      expect((await sb.admin(`/orders/${out}/pay`, { method: 'POST' })).status).toBe(200);
      expect(ok(await main.query({ outNo: out, amountFen: 3, method: m.wxQr })).state).toBe('paid');
    }
  });

  it('refuses missing ids before sending; without a matching tag → config', async () => {
    const before = main.calls.length;
    const r = await main.jsapiOrder({ kind: 'wechat-jsapi', subAppId: '', subOpenId: 'o' }, { outNo: 'J1', amountFen: 1 });
    expect(!r.ok && r.error.kind).toBe('params');
    const j = await main.jsapiOrder({ kind: 'alipay-jump', jumpUrl: 'javascript:alert(1)' }, { outNo: 'J1', amountFen: 1 });
    expect(!j.ok && j.error.kind).toBe('params');
    expect(main.calls.length).toBe(before);
    const fresh = sb.client();
    const n = await fresh.jsapiOrder({ kind: 'alipay-jsapi', buyerId: '2088' }, { outNo: 'J2', amountFen: 1 });
    expect(!n.ok && n.error.kind).toBe('config');
  });
});

describe('clock', () => {
  it('a local clock 20 minutes slow: errcode 9 once, resync, retry, success; the skew is reported', async () => {
    const slow = sb.client({ now: () => Date.now() - 20 * 60_000 });
    ok(await slow.init());
    expect(slow.calls.map((c) => [c.op, c.ok])).toEqual([
      ['paylist', false],
      ['paylist', true],
    ]);
    expect(slow.calls[0].response).toContain('"errcode":9');
    expect(slow.info().clockSkewMs).toBeGreaterThan(20 * 60_000 - 2_000);
    expect(slow.info().clockSkewMs).toBeLessThan(20 * 60_000 + 2_000);
    expect(ok(await pay(CODES.wechat.paid, 5, { client: slow })).state).toBe('paid');
    expect(slow.calls).toHaveLength(3);
  });

  it('a local clock 20 minutes fast, the first call being a query', async () => {
    const fresh = sb.client({ now: () => Date.now() + 20 * 60_000 });
    const r = await fresh.query({ outNo: outNo(), amountFen: 1, method: m.wx });
    expect(ok(r).providerCode).toBe('8002');
    expect(fresh.calls.map((c) => c.ok)).toEqual([false, false]);
    expect(fresh.calls[0].response).toContain('"errcode":9');
    expect(fresh.info().clockSkewMs).toBeLessThan(-20 * 60_000 + 2_000);
  });

  it('errcode 9 twice: one retry only, then a config error', async () => {
    const c = sb.client();
    await sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'paylist', fault: 'errcode', errcode: 9, count: 2 }) });
    const r = await c.init();
    expect(!r.ok && r.error).toMatchObject({ kind: 'config', code: 'mct1_timestamp_refused' });
    expect(c.calls).toHaveLength(2);
  });
});

describe('fault injection', () => {
  async function fault(body: object) {
    const res = await sb.admin('/faults', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(201);
  }

  it('5xx on paystatus, then normal again', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 1301);
    await fault({ op: 'paystatus', fault: '5xx' });
    const r = await main.query(ref);
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', provider: { code: '503' } });
    expect(ok(await main.query(ref)).state).toBe('paid');
  });

  it('drop on payorder: executed, answer lost → network; paystatus says paid', async () => {
    await fault({ op: 'payorder', fault: 'drop' });
    const out = outNo();
    const r = await pay('131111111111111111', 1401, { out });
    expect(!r.ok && r.error.kind).toBe('network');
    expect(ok(await main.query({ outNo: out, amountFen: 1401, method: m.wx })).state).toBe('paid');
  });

  it('badjson on order/view, badsign on payrefund (executed: a retry is a duplicate)', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 1501);
    await fault({ op: 'view', fault: 'badjson' });
    const v = await main.orderView(ref);
    expect(!v.ok && v.error).toMatchObject({ kind: 'response', code: 'mct1_malformed_answer' });
    await fault({ op: 'payrefund', fault: 'badsign' });
    const refundNo = `${ref.outNo}R`;
    const r = await main.refund(ref, { refundNo, amountFen: 1 });
    expect(!r.ok && r.error.kind).toBe('response');
    const again = await main.refund(ref, { refundNo, amountFen: 1 });
    expect(!again.ok && again.error.kind).toBe('duplicate');
    expect(ok(await main.refundQuery(ref, refundNo)).state).toBe('refunded');
  });

  it('errcode faults: 8023 on payrefund → declined; 8046 on payorder → a failed outcome', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 1601);
    await fault({ op: 'payrefund', fault: 'errcode', errcode: 8023, msg: '退款失败：通道维护中' });
    const r = await main.refund(ref, { refundNo: `${ref.outNo}R`, amountFen: 1 });
    expect(!r.ok && r.error).toMatchObject({ kind: 'declined', code: 'mct1_refund_failed', message: '退款失败：退款失败：通道维护中 / refund failed' });
    await fault({ op: 'payorder', fault: 'errcode', errcode: 8046 });
    expect(ok(await pay(CODES.wechat.paid, 1602))).toMatchObject({ state: 'failed', providerCode: '8046' });
  });

  it('hang on payrefund: timeout, not executed', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 1701);
    const impatient = sb.client({ timeoutMs: 150 });
    await fault({ op: 'payrefund', fault: 'hang' });
    const r = await impatient.refund(ref, { refundNo: `${ref.outNo}R`, amountFen: 1 });
    expect(!r.ok && r.error.kind).toBe('timeout');
    expect(ok(await main.bill(ref)).refundedFen).toBe(0);
  });

  it('a malformed fault is refused', async () => {
    expect((await sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'pay', fault: 'boom' }) })).status).toBe(400);
    expect((await sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'payorder', fault: 'errcode' }) })).status).toBe(400);
    expect(await sb.adminJson('/faults')).toEqual({ sandbox: true, faults: [] });
  });
});

describe('call records', () => {
  it('no open_key, supervisor password hash, full payment code or signature in any record', () => {
    const stores = Object.values(sb.sim.state.stores);
    const secrets = [...stores.map((s) => s.openKey), sha1Hex(SANDBOX_STORE.shopPass), sha1Hex('654321'), sha1Hex(SANDBOX_STORE.shopPass).toUpperCase()];
    expect(sb.calls.length).toBeGreaterThan(80);
    for (const call of sb.calls) {
      const text = `${call.request}\n${call.response}`;
      for (const s of secrets) expect(text).not.toContain(s);
      for (const code of usedCodes) expect(text).not.toContain(code);
      expect(text).not.toMatch(/"shop_pass":"(?!\*\*\*")/);
      expect(text).not.toMatch(/"sign":"(?!\*\*\*")/);
      expect(text).not.toMatch(/sign=(?!\*\*\*)/);
      // The supervisor password itself is never sent (only its hash, hidden above).
      expect(text).not.toMatch(/"(123456|654321)"/);
      expect(call.provider).toBe('mct1');
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
    }
    const refund = sb.calls.find((c) => c.op === 'payrefund' && c.ok)!;
    expect(refund.request).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/sandbox\/mct1\/payrefund\nopen_id=87f46f5db1b65f0ac195285f49ee6958&timestamp=\d{10}&sign=\*\*\*\ndata=\{.*"shop_pass":"\*\*\*"\}$/);
    expect(refund.response).toMatch(/^HTTP 200\n\{"errcode":0,"msg":"订单退款成功","timestamp":\d+,"data":\{"ord_no":"\d{25}"/);
  });
});
