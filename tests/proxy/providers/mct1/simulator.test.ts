/**
 * The mct1 simulator on its own, spoken to with raw protocol requests (crypto.ts + sign.ts, no
 * client): every error code it can produce (over real HTTP), the seed's answer shapes, the state
 * machine, persistence and the back office. Clock-dependent cases use app.request with a fake clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptData } from '../../../../proxy/providers/mct1/crypto.ts';
import { createMct1Simulator, MCT1_SANDBOX_CODES as CODES, SANDBOX_STORE } from '../../../../proxy/providers/mct1/simulator.ts';
import { sha1Hex, signParams } from '../../../../proxy/providers/mct1/sign.ts';
import { rawForm, readAnswer, startSandbox, type RawAnswer, type RawOptions, type Sandbox } from './harness.ts';

let sb: Sandbox;
let seq = 0;
const outNo = (p = 'S') => `${p}${Date.now().toString(36)}${++seq}`;
const errcode = (a: RawAnswer) => a.json?.errcode;
const tmp = mkdtempSync(join(tmpdir(), 'mct1-sim-'));

function order(extra: Record<string, unknown> = {}) {
  return { out_no: outNo(), pmt_tag: 'Weixin', ord_name: '商品', original_amount: 100, trade_amount: 100, auth_code: CODES.wechat.paid, ...extra };
}
async function paid(amount = 100, extra: Record<string, unknown> = {}) {
  const o = order({ original_amount: amount, trade_amount: amount, ...extra });
  const a = await sb.raw('/payorder', o);
  expect(errcode(a)).toBe(0);
  return { out_no: o.out_no as string, ord_no: (a.data as { ord_no: string }).ord_no };
}
async function appCall(app: Hono, path: string, payload: unknown, o: RawOptions = {}): Promise<RawAnswer> {
  const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: rawForm(payload, o) });
  return readAnswer(res, o.openKey);
}

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('protocol: open_id → store → sign → timestamp → data', () => {
  it('8: no open_id, or a JSON body instead of a form', async () => {
    expect(errcode(await sb.raw('/paylist', { pmt_type: '2,3' }, { omit: ['open_id'] }))).toBe(8);
    const json = await fetch(`${sb.baseUrl}/paylist`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.fromEntries(rawForm({ pmt_type: '2,3' }))) });
    expect(await json.json()).toEqual({ errcode: 8, msg: 'token不能为空', timestamp: expect.any(Number) });
  });

  it('3002 unknown store; 5 bad sign; 9 stale timestamp (±600 s allowed)', async () => {
    expect(await sb.raw('/paylist', { pmt_type: '2,3' }, { openId: 'nosuchstore1' }).then((a) => a.json)).toMatchObject({ errcode: 3002, msg: '门店不存在' });
    expect(errcode(await sb.raw('/paylist', { pmt_type: '2,3' }, { sign: '0'.repeat(32) }))).toBe(5);
    expect(errcode(await sb.raw('/paylist', { pmt_type: '2,3' }, { omit: ['sign'] }))).toBe(5);
    // An extra field is signed too (all posted fields take part).
    expect(errcode(await sb.raw('/paylist', { pmt_type: '2,3' }, { extra: { randStr: 'abc' } }))).toBe(0);
    const now = Math.floor(Date.now() / 1000);
    expect(await sb.raw('/paylist', { pmt_type: '2,3' }, { timestamp: now - 660 }).then((a) => a.json)).toMatchObject({ errcode: 9, msg: 'timestamp error' });
    expect(errcode(await sb.raw('/paylist', { pmt_type: '2,3' }, { timestamp: now + 660 }))).toBe(9);
    expect(errcode(await sb.raw('/paylist', { pmt_type: '2,3' }, { timestamp: now - 590 }))).toBe(0);
    expect(errcode(await sb.raw('/paylist', { pmt_type: '2,3' }, { timestamp: now + 590 }))).toBe(0);
  });

  it('8044: data that does not decrypt, or is not a JSON object; payorder without a proper out_no', async () => {
    expect(await sb.raw('/paylist', {}, { data: 'zz' }).then((a) => a.json)).toMatchObject({ errcode: 8044, msg: 'out_no不能为空' });
    expect(errcode(await sb.raw('/paylist', {}, { data: encryptData('{"pmt_type":"2,3"}', 'another-key-of-32-characters-xxx') }))).toBe(8044);
    expect(errcode(await sb.raw('/paylist', '[1,2]'))).toBe(8044);
    expect(errcode(await sb.raw('/paylist', '{oops'))).toBe(8044);
    expect(errcode(await sb.raw('/payorder', order({ out_no: undefined })))).toBe(8044);
    expect(await sb.raw('/payorder', order({ out_no: 'A-1' })).then((a) => a.json)).toMatchObject({ errcode: 8044, msg: 'out_no只允许使用数字、字母' });
  });

  it('error answers carry no data and no sign; both hex cases are accepted', async () => {
    const a = await sb.raw('/paystatus', { out_no: 'NoSuchOrder9' });
    expect(Object.keys(a.json!)).toEqual(['errcode', 'msg', 'timestamp']);
    expect(a.text).toBe(`{"errcode":8002,"msg":"\\u8ba2\\u5355\\u4e0d\\u5b58\\u5728","timestamp":${a.json!.timestamp}}`);
    expect(errcode(await sb.raw('/paylist', { pmt_type: '2,3' }, { hexCase: 'upper' }))).toBe(0);
  });
});

describe('answers in the seed\'s shapes', () => {
  it('envelope: errcode, msg, timestamp, data (upper-case hex), sign over all of them; PHP-style JSON', async () => {
    const a = await sb.raw('/paylist', { pmt_type: '2,3' });
    expect(Object.keys(a.json!)).toEqual(['errcode', 'msg', 'timestamp', 'data', 'sign']);
    expect(a.json!.data).toMatch(/^[0-9A-F]+$/);
    const { sign, ...rest } = a.json!;
    expect(sign).toBe(signParams(rest, SANDBOX_STORE.openKey));
    expect(Math.abs((a.json!.timestamp as number) - Date.now() / 1000)).toBeLessThan(5);
    // json_encode escapes: like the seed's "\u6210\u529f" and "\/Public\/images".
    expect(a.dataText).toContain('"pmt_name":"\\u652f\\u4ed8\\u5b9d"');
    expect(a.dataText).toContain('"pmt_icon":"\\/Public\\/images\\/Alipay.jpg"');
  });

  it('paylist: every field of §4.1.2; pmt_type filters (0 as in §2.4\'s sample, "2,3", "0,2,3", "4"); none → 8004', async () => {
    const both = (await sb.raw('/paylist', { pmt_type: '2,3' })).data as Record<string, string>[];
    expect(both.map((e) => e.pmt_tag)).toEqual(['Alipay', 'Weixin']);
    expect(Object.keys(both[0]).sort()).toEqual(
      ['pmt_currency', 'pmt_icon', 'pmt_internal_name', 'pmt_name', 'pmt_split_refund', 'pmt_tag', 'pmt_ticket_icon', 'pmt_type', 'ticket_name'].sort(),
    );
    expect(((await sb.raw('/paylist', { pmt_type: 0 })).data as { pmt_tag: string }[]).map((e) => e.pmt_tag)).toEqual(['Cash']);
    expect(((await sb.raw('/paylist', { pmt_type: '0,2,3' })).data as unknown[]).length).toBe(3);
    expect(((await sb.raw('/paylist', { pmt_type: '4' })).data as unknown[]).length).toBe(2);
    expect(errcode(await sb.raw('/paylist', {}))).toBe(8004);
    expect(errcode(await sb.raw('/paylist', { pmt_type: 'all' }))).toBe(8004);
  });

  it('payorder (B扫C): the fields of §4.4.2.4', async () => {
    const a = await sb.raw('/payorder', order());
    expect(Object.keys(a.data as object)).toEqual([
      'ord_no', 'ord_mct_id', 'ord_shop_id', 'ord_currency', 'currency_sign', 'pmt_tag', 'pmt_name', 'trade_no', 'trade_amount',
      'trade_qrcode', 'trade_account', 'trade_result', 'trade_pay_time', 'trade_discout_amount', 'status', 'out_no',
    ]);
    expect(a.data).toMatchObject({ status: '1', trade_amount: '100', trade_qrcode: null, trade_account: 'CFT', currency_sign: '¥' });
    expect(JSON.parse((a.data as { trade_result: string }).trade_result)).toMatchObject({ trade_type: 'MICROPAY', total_fee: '100', result_code: 'SUCCESS' });
  });

  it('order list: "pages" (totalnum a string) and "list"; view of a refund names its sale', async () => {
    const sale = await paid(300);
    const refund = await sb.raw('/payrefund', { out_no: sale.out_no, refund_out_no: `${sale.out_no}R`, refund_amount: 100, shop_pass: sha1Hex('123456') });
    expect(refund.json).toMatchObject({ errcode: 0, msg: '订单退款成功' });
    expect(refund.data).toMatchObject({ original_ord_no: sale.ord_no, trade_amount: '100', status: '1' });
    const list = await sb.raw('/order', { ord_type: 2, out_no: `${sale.out_no}R` });
    expect(list.data).toMatchObject({ pages: { totalnum: '1', totalpage: 1, pagesize: 10, page: 1 } });
    const item = (list.data as { list: Record<string, unknown>[] }).list[0];
    expect(item).toMatchObject({ ord_type: '2', status: '1', trade_amount: '100', out_no: `${sale.out_no}R`, shop_name: 'mct1沙箱门店' });
    expect(item.original_ord_no).toBeUndefined(); // not in §4.2.2: the client reads it from order/view
    const view = await sb.raw('/order/view', { out_no: `${sale.out_no}R` });
    expect(view.data).toMatchObject({ ord_type: '2', original_ord_no: sale.ord_no });
    expect((await sb.raw('/order/view', { out_no: sale.out_no })).data).toMatchObject({ ord_type: '1', original_ord_no: null });
  });

  it('order list: paging (pagesize at most 100), filters', async () => {
    const tag = outNo('P');
    for (let i = 0; i < 3; i++) await paid(10 + i, { out_no: `${tag}x${i}`, pmt_tag: 'Alipay', auth_code: CODES.alipay.paid });
    const p1 = await sb.raw('/order', { pmt_tag: 'Alipay', pagesize: 2, page: 1, status: 1, ord_type: 1 });
    const pages = (p1.data as { pages: { totalnum: string; totalpage: number } }).pages;
    expect(Number(pages.totalnum)).toBeGreaterThanOrEqual(3);
    expect(pages.totalpage).toBe(Math.ceil(Number(pages.totalnum) / 2));
    expect((p1.data as { list: unknown[] }).list).toHaveLength(2);
    expect(((await sb.raw('/order', { pagesize: 1000 })).data as { pages: { pagesize: number } }).pages.pagesize).toBe(100);
    expect(((await sb.raw('/order', { out_no: `${tag}x1` })).data as { list: { trade_amount: string }[] }).list.map((o) => o.trade_amount)).toEqual(['11']);
    expect(((await sb.raw('/order', { out_no: `${tag}x1`, edate: '2000-01-01 00:00:00' })).data as { list: unknown[] }).list).toEqual([]);
  });
});

describe('payorder refusals', () => {
  it('8004 / 8007 / 8003 / 8008', async () => {
    expect(errcode(await sb.raw('/payorder', order({ pmt_tag: '' })))).toBe(8004);
    expect(await sb.raw('/payorder', order({ pmt_tag: 'Diy', auth_code: undefined })).then((a) => a.json)).toMatchObject({ errcode: 8004, msg: '自定义付款方式名称不能为空' });
    expect(errcode(await sb.raw('/payorder', order({ pmt_tag: 'Baifubao' })))).toBe(8007);
    expect(errcode(await sb.raw('/payorder', order({ pmt_tag: 'weixin' })))).toBe(8007);
    expect(errcode(await sb.raw('/payorder', order({ ord_name: '  ' })))).toBe(8003);
    expect(errcode(await sb.raw('/payorder', order({ ord_name: '长'.repeat(101) })))).toBe(8008);
    expect(errcode(await sb.raw('/payorder', order({ notify_url: 'not a url' })))).toBe(8008);
    expect(errcode(await sb.raw('/payorder', order({ notify_url: `http://x/${'a'.repeat(200)}` })))).toBe(8008);
  });

  it('8006: amounts must be whole fen, > 0, trade = original − discount − ignore', async () => {
    for (const bad of [
      { trade_amount: 99 },
      { trade_amount: 0, original_amount: 0 },
      { trade_amount: '1.5', original_amount: '1.5' },
      { original_amount: undefined },
      { trade_amount: undefined },
      { original_amount: 100, discount_amount: -10, trade_amount: 110 },
      { original_amount: 'abc' },
    ]) {
      expect(errcode(await sb.raw('/payorder', order(bad))), JSON.stringify(bad)).toBe(8006);
    }
    const ok = await sb.raw('/payorder', order({ original_amount: '100', discount_amount: '10', ignore_amount: 5, trade_amount: '85' }));
    expect(ok.data).toMatchObject({ status: '1', trade_amount: '85' });
  });

  it('8046 over the risk limit; 8045 out_no used; 8005 out_no used by a refund', async () => {
    expect(errcode(await sb.raw('/payorder', order({ original_amount: 5_000_001, trade_amount: 5_000_001 })))).toBe(8046);
    const sale = await paid(50);
    expect(await sb.raw('/payorder', order({ out_no: sale.out_no })).then((a) => a.json)).toMatchObject({ errcode: 8045, msg: 'out_no已经存在，请勿重复发起支付' });
    await sb.raw('/payrefund', { out_no: sale.out_no, refund_out_no: `${sale.out_no}R`, refund_amount: 1, shop_pass: sha1Hex('123456') });
    expect(errcode(await sb.raw('/payorder', order({ out_no: `${sale.out_no}R` })))).toBe(8005);
  });

  it('8011: a code of the wrong shape, JSAPI without its ids, a scene the tag lacks', async () => {
    expect(await sb.raw('/payorder', order({ auth_code: CODES.alipay.paid })).then((a) => a.json)).toMatchObject({ errcode: 8011, msg: '条码格式不对' });
    expect(await sb.raw('/payorder', order({ auth_code: CODES.wechat.declined })).then((a) => a.json)).toMatchObject({ errcode: 8011, msg: '余额不足' });
    expect(errcode(await sb.raw('/payorder', order({ auth_code: undefined, JSAPI: 1, sub_appid: 'wx1' })))).toBe(8011);
    expect(errcode(await sb.raw('/payorder', order({ pmt_tag: 'Alipay', auth_code: undefined, JSAPI: '1' })))).toBe(8011);
    const store = await sb.adminJson<{ store: { openId: string; openKey: string } }>('/stores', {
      method: 'POST',
      body: JSON.stringify({ paylist: [{ pmt_tag: 'WeixinB', pmt_type: '3' }, { pmt_tag: 'Card', pmt_name: '银行卡', pmt_type: '1' }, { pmt_tag: 'Other', pmt_type: '2,3' }] }),
    });
    const o = { openId: store.store.openId, openKey: store.store.openKey };
    expect(await sb.raw('/payorder', order({ pmt_tag: 'WeixinB', auth_code: undefined }), o).then((a) => a.json)).toMatchObject({ errcode: 8011, msg: '该支付方式不支持扫码支付' });
    expect(errcode(await sb.raw('/payorder', order({ pmt_tag: 'Other', auth_code: undefined, JSAPI: 1 }), o))).toBe(8011);
    // 8009 / 8010: a card tender records the slip's trade number and card number.
    expect(errcode(await sb.raw('/payorder', order({ pmt_tag: 'Card', auth_code: undefined }), o))).toBe(8009);
    expect(errcode(await sb.raw('/payorder', order({ pmt_tag: 'Card', auth_code: undefined, trade_no: 'T123' }), o))).toBe(8010);
    const card = await sb.raw('/payorder', order({ pmt_tag: 'Card', auth_code: undefined, trade_no: 'T123', trade_account: '6222***1234' }), o);
    expect(card.data).toMatchObject({ status: '1', trade_no: 'T123', trade_account: '6222***1234' });
  });
});

describe('lookups, cancel, refunds', () => {
  it('8001 without ord_no/out_no; 8002 unknown or mismatched', async () => {
    for (const path of ['/order/view', '/paystatus', '/paycancel']) expect(errcode(await sb.raw(path, {})), path).toBe(8001);
    const sale = await paid();
    expect(errcode(await sb.raw('/paystatus', { ord_no: '9000000000000000000000000' }))).toBe(8002);
    expect(errcode(await sb.raw('/paystatus', { ord_no: sale.ord_no, out_no: 'Other1' }))).toBe(8002);
    expect(errcode(await sb.raw('/paystatus', { ord_no: sale.ord_no, out_no: sale.out_no }))).toBe(0);
    // Another store cannot see it.
    const other = await sb.adminJson<{ store: { openId: string; openKey: string } }>('/stores', { method: 'POST', body: '{}' });
    expect(errcode(await sb.raw('/paystatus', { ord_no: sale.ord_no }, { openId: other.store.openId, openKey: other.store.openKey }))).toBe(8002);
  });

  it('paycancel: 4 for a password order ("ord_status" of the table); 8012 paid or cancelled; 8013 not B扫C', async () => {
    const o = order({ auth_code: CODES.wechat.passwordForever });
    expect((await sb.raw('/payorder', o)).data).toMatchObject({ status: '9' });
    const c = await sb.raw('/paycancel', { out_no: o.out_no });
    expect(c.json).toMatchObject({ errcode: 0, msg: '订单取消成功' });
    expect(c.data).toEqual({ ord_no: expect.stringMatching(/^9\d{24}$/), ord_status: '4' });
    expect(errcode(await sb.raw('/paycancel', { out_no: o.out_no }))).toBe(8012);
    expect(errcode(await sb.raw('/paycancel', { out_no: (await paid()).out_no }))).toBe(8012);
    const qr = order({ auth_code: undefined });
    expect((await sb.raw('/payorder', qr)).data).toMatchObject({ status: '2', trade_qrcode: expect.stringMatching(/^weixin:\/\//) });
    expect(await sb.raw('/paycancel', { out_no: qr.out_no }).then((a) => a.json)).toMatchObject({ errcode: 8013, msg: '订单取消失败,错误原因：订单的支付场景不支持该请求' });
  });

  it('payrefund: 8014 8001 8015 8006 8016 8017 8018 8020 8019 8022 8021', async () => {
    const sale = await paid(100);
    const pass = sha1Hex('123456');
    const base = { out_no: sale.out_no, refund_out_no: `${sale.out_no}R1`, refund_amount: 10, shop_pass: pass };
    const code = async (over: Record<string, unknown>) => errcode(await sb.raw('/payrefund', { ...base, ...over }));
    expect(await code({ out_no: undefined })).toBe(8014);
    expect(await code({ refund_out_no: undefined })).toBe(8001);
    expect(await code({ refund_amount: undefined })).toBe(8015);
    expect(await code({ refund_amount: '1.5' })).toBe(8006);
    expect(await code({ refund_amount: 0 })).toBe(8006);
    expect(await code({ shop_pass: undefined })).toBe(8016);
    expect(await code({ shop_pass: sha1Hex('000000') })).toBe(8017);
    expect(await code({ shop_pass: '123456' })).toBe(8017); // plain text is not accepted: SHA-1 only
    expect(await code({ shop_pass: pass.toUpperCase() })).toBe(0); // either hex case
    expect(await code({ out_no: 'NoSuchOrder5', refund_out_no: 'Fresh1' })).toBe(8018);
    expect(await code({})).toBe(8020); // R1 was used just above
    expect(await code({ refund_out_no: sale.out_no })).toBe(8020); // a sale's out_no is taken too
    expect(await code({ out_no: `${sale.out_no}R1`, refund_out_no: `${sale.out_no}R9` })).toBe(8019); // a refund is not refundable
    const pending = order({ auth_code: CODES.wechat.passwordForever });
    await sb.raw('/payorder', pending);
    expect(await code({ out_no: pending.out_no, refund_out_no: `${pending.out_no}R` })).toBe(8019);
    const fresh = await paid(100);
    expect(errcode(await sb.raw('/payrefund', { ...base, out_no: fresh.out_no, refund_out_no: `${fresh.out_no}R1`, refund_amount: 101 }))).toBe(8022);
    expect(errcode(await sb.raw('/payrefund', { ...base, out_no: fresh.out_no, refund_out_no: `${fresh.out_no}R1`, refund_amount: 60 }))).toBe(0);
    expect(errcode(await sb.raw('/payrefund', { ...base, out_no: fresh.out_no, refund_out_no: `${fresh.out_no}R2`, refund_amount: 41 }))).toBe(8021);
    expect(errcode(await sb.raw('/payrefund', { ...base, ord_no: fresh.ord_no, out_no: undefined, refund_out_no: `${fresh.out_no}R2`, refund_amount: 40 }))).toBe(0);
  });
});

describe('clock-dependent behaviour (fake clock, app.request)', () => {
  it('8040: a wallet refund larger than today\'s takings on that tag; cash is exempt', async () => {
    let shift = -86400_000; // yesterday
    const sim = createMct1Simulator({ now: () => Date.now() + shift });
    const ts = () => Math.floor((Date.now() + shift) / 1000);
    const pay = (o: Record<string, unknown>) => appCall(sim.app, '/payorder', { ord_name: '商品', ...o }, { timestamp: ts() });
    expect((await pay({ out_no: 'Y1', pmt_tag: 'Weixin', original_amount: 1000, trade_amount: 1000, auth_code: CODES.wechat.paid })).data).toMatchObject({ status: '1' });
    expect((await pay({ out_no: 'Y2', pmt_tag: 'Cash', original_amount: 1000, trade_amount: 1000 })).data).toMatchObject({ status: '1' });
    shift = 0;
    expect((await pay({ out_no: 'T1', pmt_tag: 'Weixin', original_amount: 300, trade_amount: 300, auth_code: CODES.wechat.paid })).data).toMatchObject({ status: '1' });
    const refund = (out: string, n: string, amount: number) =>
      appCall(sim.app, '/payrefund', { out_no: out, refund_out_no: n, refund_amount: amount, shop_pass: sha1Hex('123456') }, { timestamp: ts() });
    expect(errcode(await refund('Y1', 'R1', 301))).toBe(8040);
    expect(errcode(await refund('Y1', 'R2', 300))).toBe(0);
    expect(errcode(await refund('Y1', 'R3', 1))).toBe(8040); // today's takings are used up
    expect(errcode(await refund('Y2', 'R4', 1000))).toBe(0);
    sim.close();
  });

  it('an unpaid QR order closes itself after qrExpireMs; the order list defaults to the last 90 days', async () => {
    let shift = 0;
    const sim = createMct1Simulator({ now: () => Date.now() + shift, qrExpireMs: 60_000 });
    const ts = () => Math.floor((Date.now() + shift) / 1000);
    expect((await appCall(sim.app, '/payorder', { out_no: 'Q1', pmt_tag: 'Alipay', original_amount: 5, trade_amount: 5 }, { timestamp: ts() })).data).toMatchObject({ status: '2' });
    shift = 61_000;
    expect((await appCall(sim.app, '/paystatus', { out_no: 'Q1' }, { timestamp: ts() })).data).toMatchObject({ status: '4' });
    shift = 91 * 86400_000;
    const list = await appCall(sim.app, '/order', {}, { timestamp: ts() });
    expect((list.data as { pages: { totalnum: string } }).pages.totalnum).toBe('0');
    const since = await appCall(sim.app, '/order', { sdate: '2000-01-01' }, { timestamp: ts() });
    expect((since.data as { pages: { totalnum: string } }).pages.totalnum).toBe('1');
    sim.close();
  });
});

describe('mounting, persistence, back office', () => {
  it('jsapi_pay_url follows the mount (standalone, mounted elsewhere, publicUrl)', async () => {
    const sim = createMct1Simulator();
    const jump = { pmt_tag: 'Weixin', original_amount: 1, trade_amount: 1, jump_url: 'https://shop/x' };
    const alone = await appCall(sim.app, '/payorder', { ...jump, out_no: 'J1' });
    expect((alone.data as { jsapi_pay_url: string }).jsapi_pay_url).toMatch(/^http:\/\/localhost\/jsapi\/9\d{24}$/);
    const parent = new Hono();
    parent.route('/elsewhere/mct1', sim.app);
    const res = await parent.request('http://shop.test:8787/elsewhere/mct1/payorder', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: rawForm({ ...jump, out_no: 'J2' }),
    });
    expect(((await readAnswer(res)).data as { jsapi_pay_url: string }).jsapi_pay_url).toMatch(/^http:\/\/shop\.test:8787\/elsewhere\/mct1\/jsapi\/\d+$/);
    sim.close();
    const pub = createMct1Simulator({ publicUrl: 'https://pos.example/sandbox/mct1/' });
    expect(((await appCall(pub.app, '/payorder', { ...jump, out_no: 'J3' })).data as { jsapi_pay_url: string }).jsapi_pay_url).toMatch(/^https:\/\/pos\.example\/sandbox\/mct1\/jsapi\//);
    pub.close();
  });

  it('stateFile: stores and orders survive a restart', async () => {
    const file = join(tmp, 'mct1.json');
    const a = createMct1Simulator({ stateFile: file });
    const created = await a.app.request('/_admin/stores', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ open_id: 'persist12345', open_key: 'k'.repeat(32) }) });
    expect(created.status).toBe(201);
    const o = await appCall(a.app, '/payorder', { out_no: 'P1', pmt_tag: 'Weixin', original_amount: 9, trade_amount: 9, auth_code: CODES.wechat.passwordForever });
    expect(o.data).toMatchObject({ status: '9' });
    a.close();
    const b = createMct1Simulator({ stateFile: file });
    expect((await appCall(b.app, '/paystatus', { out_no: 'P1' })).data).toMatchObject({ status: '9', trade_amount: '9' });
    expect(errcode(await appCall(b.app, '/paylist', { pmt_type: '2,3' }, { openId: 'persist12345', openKey: 'k'.repeat(32) }))).toBe(0);
    expect(errcode(await appCall(b.app, '/payorder', { out_no: 'P1', pmt_tag: 'Weixin', original_amount: 9, trade_amount: 9, auth_code: CODES.wechat.paid }))).toBe(8045);
    b.close();
  });

  it('stores: listed with their keys (sandbox), created, duplicates and bad input refused', async () => {
    const list = await sb.adminJson<{ stores: { openId: string; openKey: string; name: string }[] }>('/stores');
    expect(list.stores[0]).toMatchObject({ openId: SANDBOX_STORE.openId, openKey: SANDBOX_STORE.openKey, name: 'mct1沙箱门店' });
    expect((await sb.admin('/stores', { method: 'POST', body: JSON.stringify({ open_id: SANDBOX_STORE.openId }) })).status).toBe(409);
    expect((await sb.admin('/stores', { method: 'POST', body: JSON.stringify({ open_id: 'x' }) })).status).toBe(400);
    expect((await sb.admin('/stores', { method: 'POST', body: JSON.stringify({ paylist: [{ pmt_tag: 'a b' }] }) })).status).toBe(400);
    const made = await sb.adminJson<{ store: { openId: string; openKey: string } }>('/stores', { method: 'POST', body: JSON.stringify({ shop_pass: '888888' }) });
    expect(made.store.openId).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(made.store.openKey).toMatch(/^[A-Za-z0-9]{32}$/);
    const o = { openId: made.store.openId, openKey: made.store.openKey };
    const sale = await sb.raw('/payorder', order(), o);
    const out = (sale.data as { out_no: string }).out_no;
    expect(errcode(await sb.raw('/payrefund', { out_no: out, refund_out_no: `${out}R`, refund_amount: 1, shop_pass: sha1Hex('123456') }, o))).toBe(8017);
    expect(errcode(await sb.raw('/payrefund', { out_no: out, refund_out_no: `${out}R`, refund_amount: 1, shop_pass: sha1Hex('888888') }, o))).toBe(0);
  });

  it('orders: list, get by ord_no or out_no, ambiguous out_no, 404s, pay only when waiting', async () => {
    const sale = await paid(33);
    const got = await sb.adminJson<{ order: { ordNo: string; authCodeMasked: string; amountFen: number } }>(`/orders/${sale.out_no}`);
    expect(got.order).toMatchObject({ ordNo: sale.ord_no, amountFen: 33, authCodeMasked: '**************0001' });
    expect((await sb.adminJson<{ order: { ordNo: string } }>(`/orders/${sale.ord_no}`)).order.ordNo).toBe(sale.ord_no);
    expect((await sb.admin('/orders/NoSuchKey')).status).toBe(404);
    expect((await sb.admin('/orders/NoSuchKey/pay', { method: 'POST' })).status).toBe(404);
    expect((await sb.admin(`/orders/${sale.ord_no}/pay`, { method: 'POST' })).status).toBe(409);
    expect((await sb.admin(`/orders/${sale.ord_no}/notify`, { method: 'POST' })).status).toBe(409); // no notify_url
    const other = await sb.adminJson<{ store: { openId: string; openKey: string } }>('/stores', { method: 'POST', body: '{}' });
    await sb.raw('/payorder', order({ out_no: sale.out_no }), { openId: other.store.openId, openKey: other.store.openKey });
    expect((await sb.admin(`/orders/${sale.out_no}`)).status).toBe(409);
    const mine = await sb.adminJson<{ orders: { outNo: string }[] }>(`/orders?open_id=${other.store.openId}`);
    expect(mine.orders.map((x) => x.outNo)).toEqual([sale.out_no]);
    expect((await sb.admin('/orders')).headers.get('x-sandbox')).toBe('mct1');
  });
});
