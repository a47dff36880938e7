/**
 * The kioskv5 simulator on its own, spoken to with raw requests (no client) over real HTTP on
 * loopback: the Go record shape, fees in fen, idempotent create, auth schemes, answer styles, the
 * sandbox codes' effect on records, pass cards, the back office, persistence. Clock-dependent cases
 * use app.request with a fake clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpAuth } from '../../../../proxy/providers/http-auth.ts';
import { createKioskV5Simulator, KIOSKV5_SANDBOX_CODES as CODES, SANDBOX_SHOP } from '../../../../proxy/providers/kioskv5/simulator.ts';
import { recordOf, startSandbox, type RawAnswer, type Sandbox } from './harness.ts';

const CREATE = '/v5/order/create_pay_record';
const TERMINAL = '/v5/order/terminal_create_pay_record';
const PAY = '/v5/order/pay_pay_record';
const GET = '/v5/order/get_pay_record';
const CARDS = '/v5/passcard/get_my_pass_card_list';
const SID = SANDBOX_SHOP.shopId;

let sb: Sandbox;
let oidSeq = 1;
const tmp = mkdtempSync(join(tmpdir(), 'kioskv5-sim-'));
const code = (a: RawAnswer) => (a.json as { code?: number }).code;

async function create(extra: Record<string, unknown> = {}, path = CREATE, auth?: HttpAuth) {
  const a = await sb.raw(path, { ptype: 312, sid: SID, oid: oidSeq++, price: 100, user_fee: 0, desc: 'S1', ...extra }, { auth });
  return { a, r: recordOf(a) };
}
async function paid(price = 100, extra: Record<string, unknown> = {}) {
  const { r } = await create({ price, ...extra });
  const a = await sb.raw(PAY, { sid: SID, pr_id: r.Id, auth_code: CODES.wechat.paid });
  expect(code(a)).toBe(0);
  return recordOf(a);
}
async function newShop(body: Record<string, unknown>) {
  const res = await sb.admin('/shops', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { shop: { shopId: number; auth: HttpAuth } }).shop;
}

beforeAll(async () => {
  sb = await startSandbox({ passwordPolls: 2 });
});
afterAll(async () => {
  await sb?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('records: the seed\'s Go struct, fees in fen', () => {
  it('a pending record: omitempty zero fields absent (no Status), the others printed even when 0', async () => {
    const { a, r } = await create({ price: 12500, desc: 'S<&>' });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ code: 0, msg: 'ok' });
    expect(Object.keys(r)).toEqual([
      'Id', 'OrderId', 'UserId', 'ShopId', 'AccountId', 'CreateTime', 'Price', 'ExUserFee', 'UserFeePrice', 'UserFeeRatio', 'PayPrice',
      'WithdrawFeeRatio', 'WithdrawFee', 'RealPrice', 'ActPrice', 'ActFeeRatio', 'ActFee', 'TotalPrice', 'Desc',
    ]);
    expect(r).toMatchObject({ ShopId: SID, UserId: 0, Price: 12500, PayPrice: 12500, WithdrawFeeRatio: 0.0038, WithdrawFee: 48, RealPrice: 12452, TotalPrice: 12452, Desc: 'S<&>' });
    expect(r.CreateTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // Go's encoder escapes <, > and & in strings.
    expect(a.text).toContain('"Desc":"S\\u003c\\u0026\\u003e"');
  });

  it('paid: Status 1, PayTime, the wallet\'s number in PayOrderId, BankType (微信)', async () => {
    const r = await paid(10000);
    expect(r).toMatchObject({ Status: 1, Price: 10000, WithdrawFee: 38, RealPrice: 9962, BankType: '储蓄卡' });
    expect(r.PayOrderId).toMatch(/^4200000\d{21}$/);
    expect(r.PayTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(r.UserId).toBeGreaterThan(0);
  });

  it('fees: user fee and activity ratios, a request user_fee, a ratio where floats round wrong', async () => {
    const rich = await newShop({ auth: { type: 'none' }, withdrawFeeRatio: '0.0038', userFeeRatio: '0.006', actFeeRatio: '0.001' });
    const a = recordOf(await sb.raw(CREATE, { ptype: 210, sid: rich.shopId, oid: 1, price: 10000 }));
    expect(a).toMatchObject({ Price: 10000, ExUserFee: 60, UserFeePrice: 10000, UserFeeRatio: 0.006, PayPrice: 10060, WithdrawFee: 38, RealPrice: 10022, ActPrice: 10000, ActFeeRatio: 0.001, ActFee: 10, TotalPrice: 10032 });
    const b = recordOf(await sb.raw(CREATE, { ptype: 210, sid: rich.shopId, oid: 2, price: 10000, user_fee: 25 }));
    expect(b).toMatchObject({ ExUserFee: 25, PayPrice: 10025, WithdrawFee: 38, RealPrice: 9987, TotalPrice: 9997 });
    const odd = await newShop({ auth: { type: 'none' }, withdrawFeeRatio: '0.0055' });
    const c = recordOf(await sb.raw(CREATE, { ptype: 312, sid: odd.shopId, oid: 1, price: 23000 }));
    expect(c).toMatchObject({ WithdrawFeeRatio: 0.0055, WithdrawFee: 127, RealPrice: 22873 });
    for (const [price, fee] of [[90, 0], [91, 1], [3000, 17], [45000, 248], [99_999_999, 550_000]] as const) {
      const r = recordOf(await sb.raw(CREATE, { ptype: 312, sid: odd.shopId, oid: 100 + price, price }, { auth: { type: 'none' } }));
      expect([r.WithdrawFee ?? 0, r.RealPrice]).toEqual([fee, price - fee]);
    }
    // The default shop: 0.0038.
    for (const [price, fee] of [[131, 0], [132, 1], [2500, 10], [12500, 48], [99_999_999, 380_000]] as const) {
      const { r } = await create({ price });
      expect([r.WithdrawFee ?? 0, r.RealPrice]).toEqual([fee, price - fee]);
    }
  });

  it('QR records carry the wallet\'s QR content in PayOrderId', async () => {
    const wx = (await create({}, TERMINAL)).r;
    expect(wx.PayOrderId).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=[A-Za-z0-9]{7}$/);
    const ali = (await create({ ptype: 210 }, TERMINAL)).r;
    expect(ali.PayOrderId).toMatch(/^https:\/\/qr\.alipay\.com\/[a-z0-9]{18}$/);
    expect(wx.Status).toBeUndefined();
  });

  it('create is idempotent on (sid, oid): the same record from either create; another price or ptype → 40901', async () => {
    const oid = oidSeq++;
    const first = recordOf(await sb.raw(CREATE, { ptype: 312, sid: SID, oid, price: 300, desc: 'X1' }));
    const again = recordOf(await sb.raw(CREATE, { ptype: 312, sid: SID, oid, price: 300, desc: 'other desc', user_fee: 7 }));
    const viaTerminal = recordOf(await sb.raw(TERMINAL, { ptype: 312, sid: SID, oid, price: 300 }));
    expect(again).toEqual(first);
    expect(viaTerminal).toEqual(first);
    expect(await sb.raw(CREATE, { ptype: 312, sid: SID, oid, price: 301 }).then((a) => a.json)).toEqual({ code: 40901, msg: '订单已存在，支付类型或金额不同', data: null });
    expect(code(await sb.raw(CREATE, { ptype: 210, sid: SID, oid, price: 300 }))).toBe(40901);
    const { records } = await sb.adminJson<{ records: unknown[] }>(`/records?sid=${SID}&oid=${oid}`);
    expect(records).toHaveLength(1);
    // The same oid in another shop is another order.
    const other = await newShop({ auth: { type: 'none' } });
    expect(recordOf(await sb.raw(CREATE, { ptype: 312, sid: other.shopId, oid, price: 999 })).Id).not.toBe(first.Id);
  });

  it('40001 for malformed parameters', async () => {
    const bad: Record<string, unknown>[] = [
      { ptype: 311 },
      { ptype: 'wechat' },
      { oid: 0 },
      { oid: 'abc' },
      { price: 0 },
      { price: -5 },
      { price: 1.5 },
      { price: '12.50' },
      { user_fee: -1 },
      { desc: 'x'.repeat(256) },
    ];
    for (const extra of bad) {
      const a = await sb.raw(CREATE, { ptype: 312, sid: SID, oid: oidSeq++, price: 100, ...extra });
      expect(code(a), JSON.stringify(extra)).toBe(40001);
      expect((a.json as { msg: string }).msg).toMatch(/^参数错误/);
    }
    const notJson = await fetch(`${sb.baseUrl}${CREATE}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer kioskv5-sandbox-token-10001` }, body: '{' });
    expect(await notJson.json()).toMatchObject({ code: 40001 });
  });
});

describe('encodings and answer styles', () => {
  it('JSON, form and GET query strings are all read; numbers may be strings', async () => {
    const form = await sb.raw(CREATE, { ptype: '312', sid: String(SID), oid: String(oidSeq++), price: '250' }, { encoding: 'form' });
    expect(recordOf(form)).toMatchObject({ Price: 250 });
    const get = await sb.raw(GET, { sip: SID, pr_id: recordOf(form).Id }, { method: 'GET' });
    expect(recordOf(get)).toMatchObject({ Id: recordOf(form).Id });
  });

  it('get_pay_record takes sid or sip (the seed\'s spelling); both must agree', async () => {
    const { r } = await create();
    expect(recordOf(await sb.raw(GET, { pr_id: r.Id, sip: SID })).Id).toBe(r.Id);
    expect(recordOf(await sb.raw(GET, { pr_id: r.Id, sid: SID })).Id).toBe(r.Id);
    expect(recordOf(await sb.raw(GET, { pr_id: r.Id, sip: SID, sid: SID })).Id).toBe(r.Id);
    expect(code(await sb.raw(GET, { pr_id: r.Id, sip: SID, sid: SID + 1 }))).toBe(40001);
    expect(await sb.raw(GET, { pr_id: 1, sid: SID }).then((a) => a.json)).toEqual({ code: 40401, msg: '支付单不存在', data: null });
    expect(code(await sb.raw(GET, { sid: SID }))).toBe(40001);
  });

  it('a bare shop: the record alone; refusals as envelopes with HTTP 400/404', async () => {
    const bare = await newShop({ auth: { type: 'none' }, answers: 'bare' });
    const a = await sb.raw(CREATE, { ptype: 312, sid: bare.shopId, oid: 1, price: 100 });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ Id: expect.any(Number), Price: 100 });
    expect(a.json).not.toHaveProperty('code');
    const refused = await sb.raw(CREATE, { ptype: 312, sid: bare.shopId, oid: 1, price: 101 });
    expect([refused.status, refused.json]).toEqual([400, { code: 40901, msg: '订单已存在，支付类型或金额不同', data: null }]);
    expect((await sb.raw(GET, { sid: bare.shopId, pr_id: 1 })).status).toBe(404);
    expect((await sb.raw(CARDS, { sid: bare.shopId })).json).toBeNull();
  });
});

describe('auth', () => {
  it('the sandbox shop: its bearer token; wrong, missing or another scheme → 401', async () => {
    const ok = await sb.raw(CARDS, { sid: SID });
    expect(ok.status).toBe(200);
    const refusals: (HttpAuth | undefined)[] = [
      { type: 'none' },
      { type: 'bearer', token: 'kioskv5-sandbox-token-1000' },
      { type: 'bearer', token: 'kioskv5-sandbox-token-100011' },
      { type: 'header', name: 'X-Api-Key', value: 'kioskv5-sandbox-token-10001' },
      { type: 'param', name: 'token', value: 'kioskv5-sandbox-token-10001' },
    ];
    for (const auth of refusals) {
      const a = await sb.raw(CARDS, { sid: SID }, { auth });
      expect([a.status, a.json], JSON.stringify(auth)).toEqual([401, { code: 40100, msg: '鉴权失败：店铺或凭证不正确', data: null }]);
    }
    // The scheme's name is case-insensitive, as RFC 7235 says.
    const lower = await fetch(`${sb.baseUrl}${CARDS}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'bearer kioskv5-sandbox-token-10001' }, body: JSON.stringify({ sid: SID }) });
    expect(lower.status).toBe(200);
  });

  it('an unknown shop → 401 (no hint that the shop does not exist)', async () => {
    expect((await sb.raw(CARDS, { sid: 999_999 })).status).toBe(401);
    expect((await sb.raw(CARDS, {})).status).toBe(401);
  });

  it('header and param schemes; a param may come in the query string', async () => {
    const h = await newShop({ auth: { type: 'header', name: 'X-Kiosk-Key', value: 'hdr-secret-77' } });
    expect((await sb.raw(CARDS, { sid: h.shopId }, { auth: h.auth })).status).toBe(200);
    expect((await sb.raw(CARDS, { sid: h.shopId }, { auth: { type: 'header', name: 'X-Kiosk-Key', value: 'hdr-secret-78' } })).status).toBe(401);
    expect((await sb.raw(CARDS, { sid: h.shopId }, { auth: { type: 'header', name: 'X-Other', value: 'hdr-secret-77' } })).status).toBe(401);
    const p = await newShop({ auth: { type: 'param', name: 'token', value: 'prm-secret-88' } });
    expect((await sb.raw(CARDS, { sid: p.shopId }, { auth: p.auth })).status).toBe(200);
    expect((await sb.raw(CARDS, { sid: p.shopId }, { auth: p.auth, encoding: 'form' })).status).toBe(200);
    expect((await sb.raw(CARDS, { sid: p.shopId }, { auth: p.auth, method: 'GET' })).status).toBe(200);
    expect((await sb.raw(CARDS, { sid: p.shopId }, { auth: { type: 'param', name: 'token', value: 'prm-secret-89' } })).status).toBe(401);
  });

  it('a malformed shop is refused by the back office', async () => {
    for (const body of [{ auth: { type: 'bearer' } }, { auth: { type: 'magic' } }, { answers: 'xml' }, { withdrawFeeRatio: 0.0038 }, { withdrawFeeRatio: '-1' }, { shopId: -3 }]) {
      expect((await sb.admin('/shops', { method: 'POST', body: JSON.stringify(body) })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await sb.admin('/shops', { method: 'POST', body: JSON.stringify({ shopId: SID }) })).status).toBe(409);
  });
});

describe('pay_pay_record', () => {
  it('a paid record is never charged twice; a pending one is not restarted', async () => {
    const r = await paid(500);
    const again = await sb.raw(PAY, { sid: SID, pr_id: r.Id, auth_code: CODES.wechat.declined });
    expect(recordOf(again)).toEqual(r);
    const { r: p } = await create();
    expect(recordOf(await sb.raw(PAY, { sid: SID, pr_id: p.Id, auth_code: CODES.wechat.password })).Status).toBeUndefined();
    expect(recordOf(await sb.raw(GET, { sid: SID, pr_id: p.Id })).Status).toBeUndefined(); // 1st poll
    // A second pay while the customer confirms: answered as it is, no new charge, polls not reset.
    expect(recordOf(await sb.raw(PAY, { sid: SID, pr_id: p.Id, auth_code: CODES.wechat.paid })).Status).toBeUndefined();
    expect(recordOf(await sb.raw(GET, { sid: SID, pr_id: p.Id })).Status).toBe(1); // 2nd poll
  });

  it('3: declined → the record is cancelled (2), the answer says 余额不足', async () => {
    const { r } = await create({ ptype: 210 });
    const a = await sb.raw(PAY, { sid: SID, pr_id: r.Id, auth_code: CODES.alipay.declined });
    expect(a.json).toEqual({ code: 50001, msg: '支付失败：买家余额不足', data: null });
    expect(recordOf(await sb.raw(GET, { sid: SID, pr_id: r.Id })).Status).toBe(2);
    expect(await sb.raw(PAY, { sid: SID, pr_id: r.Id, auth_code: CODES.alipay.paid }).then(code)).toBe(40902);
    const { r: w } = await create();
    expect((await sb.raw(PAY, { sid: SID, pr_id: w.Id, auth_code: CODES.wechat.declined })).json).toMatchObject({ msg: '支付失败：余额不足' });
  });

  it('6: pending until the back office pays it; 7: HTTP 502 HTML, nothing changed', async () => {
    const { r } = await create();
    await sb.raw(PAY, { sid: SID, pr_id: r.Id, auth_code: CODES.wechat.passwordForever });
    for (let i = 0; i < 3; i++) expect(recordOf(await sb.raw(GET, { sid: SID, pr_id: r.Id })).Status).toBeUndefined();
    const admin = await sb.admin(`/records/${r.Id}/pay`, { method: 'POST', body: JSON.stringify({ bankType: '信用卡', paidType: 10 }) });
    expect(admin.status).toBe(200);
    expect(recordOf(await sb.raw(GET, { sid: SID, pr_id: r.Id }))).toMatchObject({ Status: 1, BankType: '信用卡', PaidType: 10 });
    const { r: g } = await create();
    const bad = await sb.raw(PAY, { sid: SID, pr_id: g.Id, auth_code: CODES.wechat.garbage });
    expect(bad.status).toBe(502);
    expect(bad.text).toContain('<h1>502 Bad Gateway</h1>');
    expect(recordOf(await sb.raw(GET, { sid: SID, pr_id: g.Id })).Status).toBeUndefined();
  });

  it('codes: missing → 40001, wrong shape → 42201, the other wallet → 42202; a real code pays once', async () => {
    const { r } = await create();
    expect(await sb.raw(PAY, { sid: SID, pr_id: r.Id }).then(code)).toBe(40001);
    expect(await sb.raw(PAY, { sid: SID, pr_id: r.Id, auth_code: '99' }).then(code)).toBe(42201);
    expect(await sb.raw(PAY, { sid: SID, pr_id: r.Id, auth_code: CODES.alipay.paid }).then(code)).toBe(42202);
    const real = '134567890123456789';
    expect(recordOf(await sb.raw(PAY, { sid: SID, pr_id: r.Id, auth_code: real })).Status).toBe(1);
    const { r: other } = await create();
    expect((await sb.raw(PAY, { sid: SID, pr_id: other.Id, auth_code: real })).json).toEqual({ code: 50002, msg: '付款码已使用，请刷新付款码', data: null });
    expect(recordOf(await sb.raw(GET, { sid: SID, pr_id: other.Id })).Status).toBe(2);
    // Another shop's record is not found.
    const shop = await newShop({ auth: { type: 'none' } });
    expect(await sb.raw(PAY, { sid: shop.shopId, pr_id: r.Id, auth_code: CODES.wechat.paid }).then(code)).toBe(40401);
  });

  it('the payment code parameter name is configurable', async () => {
    const sim = createKioskV5Simulator({ authCodeParam: 'pay_code' });
    const post = (path: string, body: Record<string, unknown>) =>
      Promise.resolve(sim.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer kioskv5-sandbox-token-10001' }, body: JSON.stringify(body) })).then((r) => r.json() as Promise<{ code: number; data: { Id: number; Status?: number } }>);
    const r = (await post(CREATE, { ptype: 312, sid: SID, oid: 1, price: 100 })).data;
    expect((await post(PAY, { sid: SID, pr_id: r.Id, auth_code: CODES.wechat.paid })).code).toBe(40001);
    expect((await post(PAY, { sid: SID, pr_id: r.Id, pay_code: CODES.wechat.paid })).data.Status).toBe(1);
  });
});

describe('pass cards (出门单)', () => {
  it('one card per paid order, none for unpaid ones; status filter; used and voided in the back office', async () => {
    const shop = await newShop({ auth: { type: 'none' } });
    const sid = shop.shopId;
    const list = async (status?: number) => (await sb.raw(CARDS, status === undefined ? { sid } : { sid, status })).json as { code: number; data: Record<string, unknown>[] | null };
    // Go's nil slice: null.
    expect(await list()).toEqual({ code: 0, msg: 'ok', data: null });
    const a = recordOf(await sb.raw(CREATE, { ptype: 312, sid, oid: 10, price: 100 }));
    const b = recordOf(await sb.raw(CREATE, { ptype: 210, sid, oid: 11, price: 200 }));
    recordOf(await sb.raw(CREATE, { ptype: 312, sid, oid: 12, price: 300 })); // never paid
    await sb.raw(PAY, { sid, pr_id: a.Id, auth_code: CODES.wechat.paid });
    await sb.raw(PAY, { sid, pr_id: a.Id, auth_code: CODES.wechat.paid }); // a retry: no second card
    await sb.raw(PAY, { sid, pr_id: b.Id, auth_code: CODES.alipay.paid });
    const all = (await list()).data!;
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ ShopId: sid, OrderId: 10, PayRecordId: a.Id, Desc: '出门单' });
    expect(all[0].Code).toMatch(/^PC\d{10}$/);
    expect(all[0]).not.toHaveProperty('Status'); // 0, omitempty
    expect(all[0]).not.toHaveProperty('UseTime');
    expect((await list(0)).data).toHaveLength(2);
    expect((await list(1)).data).toBeNull();
    const use = await sb.admin(`/pass-cards/${all[0].Id}/use`, { method: 'POST' });
    expect(use.status).toBe(200);
    expect((await sb.admin(`/pass-cards/${all[0].Id}/use`, { method: 'POST' })).status).toBe(409);
    expect((await sb.admin(`/pass-cards/${all[1].Id}/void`, { method: 'POST' })).status).toBe(200);
    expect((await list(1)).data).toEqual([expect.objectContaining({ Id: all[0].Id, Status: 1, UseTime: expect.stringMatching(/^\d{4}-/) })]);
    expect((await list(2)).data).toEqual([expect.objectContaining({ Id: all[1].Id, Status: 2 })]);
    expect((await list(0)).data).toBeNull();
    expect(code(await sb.raw(CARDS, { sid, status: 'used' }))).toBe(40001);
    expect((await sb.admin('/pass-cards/999999/use', { method: 'POST' })).status).toBe(404);
  });
});

describe('back office and faults', () => {
  it('records: list with filters, one, pay and cancel only when pending', async () => {
    const { r } = await create({ price: 777 });
    const one = await sb.adminJson<{ record: Record<string, unknown>; kind: string }>(`/records/${r.Id}`);
    expect(one).toMatchObject({ sandbox: true, kind: 'barcode', record: { Id: r.Id, Price: 777 } });
    expect((await sb.admin('/records/1')).status).toBe(404);
    expect((await sb.admin(`/records/${r.Id}/cancel`, { method: 'POST' })).status).toBe(200);
    expect((await sb.admin(`/records/${r.Id}/pay`, { method: 'POST' })).status).toBe(409);
    expect((await sb.admin(`/records/${r.Id}/cancel`, { method: 'POST' })).status).toBe(409);
    const cancelled = await sb.adminJson<{ records: { record: { Id: number } }[] }>(`/records?sid=${SID}&status=2`);
    expect(cancelled.records.map((x) => x.record.Id)).toContain(r.Id);
    const p = await paid(1);
    const withCode = await sb.adminJson<{ authCodeMasked: string }>(`/records/${p.Id}`);
    expect(withCode.authCodeMasked).toBe('**************0001');
    expect((await sb.admin('/shops')).headers.get('x-sandbox')).toBe('kioskv5');
  });

  it('faults: code (not executed), garbage, 5xx; malformed ones refused', async () => {
    expect((await sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'create', fault: 'code', code: 50010, msg: '系统繁忙' }) })).status).toBe(201);
    const before = Object.keys(sb.sim.state.records).length;
    const oid = oidSeq++;
    expect((await sb.raw(CREATE, { ptype: 312, sid: SID, oid, price: 1 })).json).toEqual({ code: 50010, msg: '系统繁忙', data: null });
    expect(Object.keys(sb.sim.state.records).length).toBe(before);
    await sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'any', fault: 'garbage' }) });
    expect((await sb.raw(CARDS, { sid: SID })).text).toMatch(/^runtime error/);
    await sb.admin('/faults', { method: 'POST', body: JSON.stringify({ op: 'get', fault: '5xx', count: 2 }) });
    expect((await sb.adminJson<{ faults: unknown[] }>('/faults')).faults).toHaveLength(1);
    expect((await sb.raw(GET, { sid: SID, pr_id: 1 })).status).toBe(503);
    expect((await sb.admin('/faults', { method: 'DELETE' })).status).toBe(200);
    expect((await sb.raw(GET, { sid: SID, pr_id: 1 })).status).toBe(200);
    for (const body of [{ op: 'refund', fault: 'hang' }, { op: 'get', fault: 'explode' }, { op: 'get', fault: 'code' }, { op: 'get', fault: 'code', code: 0 }, { op: 'get', fault: 'hang', count: 0 }]) {
      expect((await sb.admin('/faults', { method: 'POST', body: JSON.stringify(body) })).status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('clock and persistence', () => {
  it('an unpaid record closes itself after recordExpireMs', async () => {
    let t = Date.parse('2024-05-01T04:00:00Z');
    const sim = createKioskV5Simulator({ now: () => t, recordExpireMs: 60_000 });
    const post = (path: string, body: Record<string, unknown>) =>
      Promise.resolve(sim.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer kioskv5-sandbox-token-10001' }, body: JSON.stringify(body) })).then((r) => r.json() as Promise<{ data: Record<string, unknown> }>);
    const r = (await post(TERMINAL, { ptype: 312, sid: SID, oid: 1, price: 100 })).data;
    expect(r.CreateTime).toBe('2024-05-01 12:00:00');
    t += 59_000;
    expect((await post(GET, { sid: SID, pr_id: r.Id })).data.Status).toBeUndefined();
    t += 2_000;
    expect((await post(GET, { sid: SID, pr_id: r.Id })).data.Status).toBe(2);
    expect((await sim.app.request(`/_admin/records/${r.Id}/pay`, { method: 'POST' })).status).toBe(409);
  });

  it('stateFile: records, the (sid, oid) index, shops and pass cards survive a restart', async () => {
    const file = join(tmp, 'kioskv5.json');
    const headers = { 'content-type': 'application/json', authorization: 'Bearer kioskv5-sandbox-token-10001' };
    const post = (sim: ReturnType<typeof createKioskV5Simulator>, path: string, body: Record<string, unknown>) =>
      Promise.resolve(sim.app.request(path, { method: 'POST', headers, body: JSON.stringify(body) })).then((r) => r.json() as Promise<{ code: number; data: Record<string, unknown> & Record<string, unknown>[] }>);
    const one = createKioskV5Simulator({ stateFile: file, shops: [{ shopId: 42, auth: { type: 'none' } }] });
    const r = (await post(one, CREATE, { ptype: 312, sid: SID, oid: 7, price: 900 })).data;
    await post(one, PAY, { sid: SID, pr_id: r.Id, auth_code: CODES.wechat.paid });
    const two = createKioskV5Simulator({ stateFile: file });
    expect((await post(two, CREATE, { ptype: 312, sid: SID, oid: 7, price: 900 })).data).toMatchObject({ Id: r.Id, Status: 1 });
    expect((await post(two, CARDS, { sid: SID })).data).toEqual([expect.objectContaining({ OrderId: 7, PayRecordId: r.Id })]);
    expect(((await (await two.app.request('/_admin/shops')).json()) as { shops: { shopId: number }[] }).shops.map((s) => s.shopId).sort((a, b) => a - b)).toEqual([42, SID]);
    // A new record continues the numbering.
    expect((await post(two, CREATE, { ptype: 312, sid: SID, oid: 8, price: 900 })).data.Id).toBe((r.Id as number) + 1);
  });
});
