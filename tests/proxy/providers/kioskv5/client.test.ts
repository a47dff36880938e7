/**
 * The kioskv5 client against the sandbox simulator over real HTTP on loopback (simulator mounted at
 * /sandbox/kioskv5 in a parent Hono app, as the proxy mounts it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpAuth } from '../../../../proxy/providers/http-auth.ts';
import { KIOSKV5_SANDBOX_CODES as CODES, SANDBOX_SHOP, createKioskV5Provider } from '../../../../proxy/providers/kioskv5/index.ts';
import type { PaymentRef, ProviderMethod } from '../../../../proxy/providers/types.ts';
import { memoryStore, ok, startSandbox, type Client, type Sandbox } from './harness.ts';

let sb: Sandbox;
let main: Client;
const m: Record<'wx' | 'ali' | 'wxQr' | 'aliQr', ProviderMethod> = {} as never;
/** Every payment code used (must appear only masked in call records). */
const usedCodes = new Set<string>();
/** Every auth secret used (must never appear in a call record or message). */
const secrets = new Set<string>([(SANDBOX_SHOP.auth as { token: string }).token]);
let seq = 0;
const outNo = (p = 'K') => `${p}${Date.now().toString(36)}${++seq}`;

function pay(code: string, amountFen: number, o: { client?: Client; out?: string } = {}) {
  usedCodes.add(code);
  const method = code.startsWith('28') ? m.ali : m.wx;
  return (o.client ?? main).pay({ outNo: o.out ?? outNo(), amountFen, authCode: code, method });
}
async function payRef(code: string, amountFen: number, client = main) {
  const out = outNo();
  const r = ok(await pay(code, amountFen, { out, client }));
  const ref: PaymentRef = { outNo: out, amountFen, method: code.startsWith('28') ? m.ali : m.wx, providerRef: r.providerRef };
  return { r, ref };
}
async function adminRecords(oid: number) {
  return (await sb.adminJson<{ records: { record: { Id: number; Status?: number; Price: number } }[] }>(`/records?sid=${SANDBOX_SHOP.shopId}&oid=${oid}`)).records;
}
async function newShop(body: Record<string, unknown>) {
  const res = await sb.admin('/shops', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { shop: { shopId: number; auth: HttpAuth } }).shop;
}
const fault = (body: Record<string, unknown>) => sb.admin('/faults', { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  sb = await startSandbox({ passwordPolls: 2 });
  main = sb.client();
  ok(await main.init());
  const byId = (id: string) => main.methods().find((x) => x.id === id)!;
  m.wx = byId('kioskv5:312');
  m.ali = byId('kioskv5:210');
  m.wxQr = byId('kioskv5:312:qr');
  m.aliQr = byId('kioskv5:210:qr');
});
afterAll(async () => {
  await sb?.close();
});

describe('init and methods', () => {
  it('methods from configuration; init probes the pass card list with the auth', () => {
    expect(main.methods()).toEqual([
      { id: 'kioskv5:312', code: '312', name: '微信', kind: 'barcode', codePattern: '^1[0-5]\\d{16}$' },
      { id: 'kioskv5:210', code: '210', name: '支付宝', kind: 'barcode', codePattern: '^(2[5-9]|30)\\d{14,22}$' },
      { id: 'kioskv5:312:qr', code: '312', name: '微信 扫码', kind: 'qr' },
      { id: 'kioskv5:210:qr', code: '210', name: '支付宝 扫码', kind: 'qr' },
    ]);
    for (const code of Object.values(CODES.wechat)) expect(new RegExp(m.wx.codePattern!).test(code)).toBe(true);
    for (const code of Object.values(CODES.alipay)) expect(new RegExp(m.ali.codePattern!).test(code)).toBe(true);
    expect(new RegExp(m.wx.codePattern!).test(CODES.alipay.paid)).toBe(false);
    expect(main.info()).toEqual({ ready: true });
    expect(main.calls[0]).toMatchObject({ provider: 'kioskv5', op: 'get_my_pass_card_list', ok: true });
    expect(main.calls[0].request).toBe(`POST ${sb.baseUrl}/v5/passcard/get_my_pass_card_list\nauth: bearer ***\n{"sid":10001,"status":0}`);
  });

  it('a wrong token: init → config (auth refused), not ready; a payment is an error, not a failed outcome', async () => {
    secrets.add('wrong-token-123');
    const c = sb.client({ auth: { type: 'bearer', token: 'wrong-token-123' } });
    const r = await c.init();
    expect(!r.ok && r.error).toMatchObject({ kind: 'config', code: 'kioskv5_auth_refused', provider: { code: '40100' } });
    expect(c.info()).toMatchObject({ ready: false, message: expect.stringContaining('鉴权') });
    const p = await pay(CODES.wechat.paid, 1, { client: c });
    expect(!p.ok && p.error.kind).toBe('config');
    expect(c.calls.at(-1)).toMatchObject({ op: 'create_pay_record', ok: false, errorKind: 'config' });
  });

  it('probe: false is ready without a call; an unreachable backend → network, not ready', async () => {
    const quiet = sb.client({ probe: false });
    expect(quiet.info().ready).toBe(true);
    ok(await quiet.init());
    expect(quiet.calls).toHaveLength(0);
    const down = sb.client({ baseUrl: 'http://127.0.0.1:9' });
    const r = await down.init();
    expect(!r.ok && r.error).toMatchObject({ kind: 'network', code: 'kioskv5_network' });
    expect(down.info().ready).toBe(false);
  });

  it('a transient failure keeps an earlier success', async () => {
    const c = sb.client();
    ok(await c.init());
    await fault({ op: 'passcards', fault: '5xx' });
    const r = await c.init();
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'kioskv5_http_status' });
    expect(c.info().ready).toBe(true);
  });

  it('bad options throw', () => {
    const base = { baseUrl: sb.baseUrl, shopId: 1, store: memoryStore() };
    expect(() => createKioskV5Provider({ ...base, baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => createKioskV5Provider({ ...base, shopId: 0 })).toThrow(/shopId/);
    expect(() => createKioskV5Provider({ ...base, store: undefined as never })).toThrow(/store/i);
    expect(() => createKioskV5Provider({ ...base, auth: { type: 'bearer', token: 'a b' } })).toThrow(/token/);
    expect(() => createKioskV5Provider({ ...base, auth: { type: 'header', name: 'Bad Name', value: 'x' } })).toThrow(/header/);
    expect(() => createKioskV5Provider({ ...base, paths: { get: 'get_pay_record' } })).toThrow(/paths.get/);
    expect(() => createKioskV5Provider({ ...base, authCodeParam: 'auth code' })).toThrow(/authCodeParam/);
    expect(() => createKioskV5Provider({ ...base, methods: [{ ptype: 312, name: '微信' }, { ptype: 312, name: '又是微信' }] })).toThrow(/ptype/);
    expect(() => createKioskV5Provider({ ...base, methods: [{ ptype: 312, name: '微信', codePattern: '(' }] })).toThrow(/codePattern/);
    expect(() => createKioskV5Provider({ ...base, userFeeFen: -1 })).toThrow(/userFeeFen/);
  });

  it('a method list of one ptype, barcode only', () => {
    const c = sb.client({ methods: [{ ptype: 210, name: '支付宝', qr: false }] });
    expect(c.methods()).toEqual([{ id: 'kioskv5:210', code: '210', name: '支付宝', kind: 'barcode' }]);
  });
});

describe('barcode: create_pay_record → pay_pay_record, every sandbox code', () => {
  it('1: paid at once, with the record\'s fees in details (微信 and 支付宝)', async () => {
    const out = outNo();
    const w = ok(await pay(CODES.wechat.paid, 12500, { out }));
    const oid = main.orderIdOf(out)!;
    expect(w).toMatchObject({
      state: 'paid',
      amountFen: 12500,
      providerCode: '1',
      message: '支付成功 / paid',
      details: {
        PayPrice: 12500,
        WithdrawFee: 48,
        RealPrice: 12452,
        TotalPrice: 12452,
        ExUserFee: 0,
        UserFeePrice: 0,
        ActPrice: 0,
        ActFee: 0,
        Refunds: 0,
        UserFeeRatio: 0,
        WithdrawFeeRatio: 0.0038,
        ActFeeRatio: 0,
        BankType: '储蓄卡',
        OrderId: oid,
        PayOrderId: w.tradeNo,
      },
    });
    expect(w.providerRef).toMatch(/^\d+$/);
    expect(w.tradeNo).toMatch(/^4200000\d{21}$/);
    expect(w.paidAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(Math.abs(Date.parse(w.paidAt!) - Date.now())).toBeLessThan(5_000);
    const [create, payCall] = main.calls.slice(-2);
    expect(create).toMatchObject({ op: 'create_pay_record', outNo: out, ok: true });
    expect(create.request).toContain(`{"ptype":312,"sid":10001,"oid":${oid},"price":12500,"user_fee":0,"desc":"${out}"}`);
    expect(payCall).toMatchObject({ op: 'pay_pay_record', ok: true });
    expect(payCall.request).toContain(`{"sid":10001,"pr_id":${w.providerRef},"auth_code":"**************0001"}`);
    expect(payCall.response).toMatch(/^HTTP 200\n\{"code":0,"msg":"ok","data":\{"Id":/);
    const a = ok(await pay(CODES.alipay.paid, 2300));
    expect(a).toMatchObject({ state: 'paid', amountFen: 2300, details: { WithdrawFee: 9, RealPrice: 2291 } });
    expect(a.tradeNo).toMatch(/^\d{8}2100100\d{13}$/);
    expect(a.details).not.toHaveProperty('BankType');
  });

  it('2: pending (Status 0) → paying; paid on the 2nd get_pay_record', async () => {
    const { r, ref } = await payRef(CODES.wechat.password, 201);
    expect(r).toMatchObject({ state: 'paying', providerCode: '0', message: expect.stringContaining('密码') });
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paying' });
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paid', amountFen: 201, providerRef: r.providerRef });
    expect(main.calls.at(-1)!.request).toContain(`{"pr_id":${r.providerRef},"sip":10001,"sid":10001}`);
  });

  it('3: declined → confirmed by get_pay_record → failed with the backend\'s words; then query says cancelled', async () => {
    const { r, ref } = await payRef(CODES.alipay.declined, 301);
    expect(r).toMatchObject({ state: 'failed', providerCode: '50001', message: '支付失败：买家余额不足 / payment failed', providerRef: expect.any(String) });
    expect(main.calls.slice(-3).map((c) => [c.op, c.ok, c.errorKind])).toEqual([
      ['create_pay_record', true, undefined],
      ['pay_pay_record', false, 'declined'],
      ['get_pay_record', true, undefined],
    ]);
    expect(ok(await main.query(ref))).toMatchObject({ state: 'cancelled', providerCode: '2' });
  });

  it('4: charged, answer lost → network; query says paid', async () => {
    const { ref } = { ref: { outNo: outNo(), amountFen: 401, method: m.wx } as PaymentRef };
    const r = await pay(CODES.wechat.answerLost, 401, { out: ref.outNo });
    expect(!r.ok && r.error).toMatchObject({ kind: 'network', code: 'kioskv5_network' });
    // The pr_id was stored when the create answered: found without providerRef.
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paid', amountFen: 401 });
  });

  it('5: hangs → timeout; not charged: the record is still pending', async () => {
    const impatient = sb.client({ timeoutMs: 150 });
    const out = outNo();
    const started = Date.now();
    const r = await pay(CODES.wechat.hang, 501, { client: impatient, out });
    expect(!r.ok && r.error).toMatchObject({ kind: 'timeout', code: 'kioskv5_timeout' });
    expect(Date.now() - started).toBeLessThan(900);
    expect(ok(await impatient.query({ outNo: out, amountFen: 501, method: m.wx }))).toMatchObject({ state: 'paying', providerCode: '0' });
  });

  it('6: pending until the customer completes it in the back office', async () => {
    const { r, ref } = await payRef(CODES.alipay.passwordForever, 601);
    for (let i = 0; i < 3; i++) expect(ok(await main.query(ref)).state).toBe('paying');
    expect((await sb.admin(`/records/${r.providerRef}/pay`, { method: 'POST' })).status).toBe(200);
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paid', amountFen: 601 });
  });

  it('7: HTTP 502 HTML → response, not charged', async () => {
    const out = outNo();
    const r = await pay(CODES.wechat.garbage, 701, { out });
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'kioskv5_http_status', provider: { code: '502' } });
    expect(main.calls.at(-1)!.response).toContain('502 Bad Gateway');
    expect(ok(await main.query({ outNo: out, amountFen: 701, method: m.wx })).state).toBe('paying');
  });

  it('a real-looking code pays once; on another payment it is refused and that record closed', async () => {
    const code = '104455667788990011';
    expect(ok(await pay(code, 5)).state).toBe('paid');
    expect(ok(await pay(code, 6))).toMatchObject({ state: 'failed', providerCode: '50002', message: expect.stringContaining('付款码已使用') });
  });

  it('refuses bad input before sending', async () => {
    const before = main.calls.length;
    const cases: [Parameters<Client['pay']>[0], string][] = [
      [{ outNo: 'bad no!', amountFen: 1, authCode: CODES.wechat.paid, method: m.wx }, 'kioskv5_bad_out_no'],
      [{ outNo: 'A1', amountFen: 0, authCode: CODES.wechat.paid, method: m.wx }, 'kioskv5_bad_amount'],
      [{ outNo: 'A1', amountFen: 1.5, authCode: CODES.wechat.paid, method: m.wx }, 'kioskv5_bad_amount'],
      [{ outNo: 'A1', amountFen: 1, method: m.wx }, 'kioskv5_bad_auth_code'],
      [{ outNo: 'A1', amountFen: 1, authCode: '12ab', method: m.wx }, 'kioskv5_bad_auth_code'],
      [{ outNo: 'A1', amountFen: 1, authCode: CODES.alipay.paid, method: m.wx }, 'kioskv5_bad_auth_code'],
      [{ outNo: 'A1', amountFen: 1, authCode: CODES.wechat.paid, method: { ...m.wx, id: 'kioskv5:999' } }, 'kioskv5_method_unknown'],
    ];
    for (const [req, code] of cases) {
      const r = await main.pay(req);
      expect(!r.ok && r.error.code, JSON.stringify(req)).toBe(code);
    }
    expect(main.calls.length).toBe(before);
    expect(main.orderIdOf('A1')).toBeUndefined();
  });
});

describe('idempotency: outNo → oid → one record, never two charges', () => {
  it('the same outNo twice: the same oid and record; the paid record is not paid again', async () => {
    const out = outNo();
    const first = ok(await pay(CODES.wechat.paid, 900, { out }));
    const oid = main.orderIdOf(out)!;
    const calls = main.calls.length;
    const second = ok(await pay(CODES.wechat.paid, 900, { out }));
    expect(second).toMatchObject({ state: 'paid', providerRef: first.providerRef, tradeNo: first.tradeNo });
    expect(main.orderIdOf(out)).toBe(oid);
    // Only the create went out: no second pay_pay_record.
    expect(main.calls.slice(calls).map((c) => c.op)).toEqual(['create_pay_record']);
    expect(await adminRecords(oid)).toHaveLength(1);
  });

  it('oids: a counter per shop in the store, written before the create is sent', async () => {
    const store = memoryStore();
    const c = sb.client({ store, oidStart: 7_000_000, timeoutMs: 200 });
    await fault({ op: 'create', fault: 'hang' });
    const out = outNo();
    const pending = c.pay({ outNo: out, amountFen: 1, authCode: CODES.wechat.paid, method: m.wx });
    await new Promise((r) => setTimeout(r, 50));
    // Stored before the (hanging) create answered.
    expect(store.get(`oid.${SANDBOX_SHOP.shopId}.${out}`)).toBe('7000000');
    expect(store.get(`oid.next.${SANDBOX_SHOP.shopId}`)).toBe('7000001');
    expect((await pending).ok).toBe(false); // timeout: state unknown, the oid stays taken
    const next = ok(await c.pay({ outNo: outNo(), amountFen: 1, authCode: CODES.wechat.paid, method: m.wx }));
    expect(next.details?.OrderId).toBe(7_000_001);
    // A second client on the same store continues the counter (a restarted proxy).
    const again = sb.client({ store, oidStart: 1 });
    const third = outNo();
    ok(await again.pay({ outNo: third, amountFen: 1, authCode: CODES.wechat.paid, method: m.wx }));
    expect(again.orderIdOf(third)).toBe(7_000_002);
    // Without oidStart the counter starts at the Unix time.
    const fresh = sb.client({ oidStart: undefined });
    const out4 = outNo();
    ok(await fresh.pay({ outNo: out4, amountFen: 1, authCode: CODES.wechat.paid, method: m.wx }));
    expect(Math.abs(fresh.orderIdOf(out4)! - Date.now() / 1000)).toBeLessThan(5);
  });

  it('a lost create answer: query re-runs create with the same oid and recovers the pr_id; no second record', async () => {
    await fault({ op: 'create', fault: 'drop' });
    const out = outNo();
    const r = await pay(CODES.wechat.paid, 1200, { out });
    expect(!r.ok && r.error.kind).toBe('network');
    const oid = main.orderIdOf(out)!;
    expect(await adminRecords(oid)).toHaveLength(1);
    const q = ok(await main.query({ outNo: out, amountFen: 1200, method: m.wx }));
    // pay_pay_record was never sent (no pr_id): nothing charged, the payment failed.
    expect(q).toMatchObject({ state: 'failed', providerCode: '0', message: expect.stringContaining('未被扣款') });
    expect(main.calls.at(-1)).toMatchObject({ op: 'create_pay_record', ok: true });
    expect(await adminRecords(oid)).toHaveLength(1);
    // From now on the pr_id is known: get_pay_record.
    ok(await main.query({ outNo: out, amountFen: 1200, method: m.wx }));
    expect(main.calls.at(-1)!.op).toBe('get_pay_record');
  });

  it('a lost QR create answer: the recovered record still shows its QR', async () => {
    await fault({ op: 'terminal_create', fault: 'drop' });
    const out = outNo();
    expect((await main.pay({ outNo: out, amountFen: 1300, method: m.wxQr })).ok).toBe(false);
    const q = ok(await main.query({ outNo: out, amountFen: 1300, method: m.wxQr }));
    expect(q).toMatchObject({ state: 'paying', qrCode: expect.stringMatching(/^weixin:\/\//) });
    expect(await adminRecords(main.orderIdOf(out)!)).toHaveLength(1);
  });

  it('never sent: query → failed without a call; bill → not_found', async () => {
    const calls = main.calls.length;
    expect(ok(await main.query({ outNo: 'NEVERSENT1', amountFen: 1, method: m.wx }))).toMatchObject({ state: 'failed', providerCode: 'not_sent' });
    const b = await main.bill({ outNo: 'NEVERSENT1', amountFen: 1, method: m.wx });
    expect(!b.ok && b.error).toMatchObject({ kind: 'not_found', code: 'kioskv5_no_such_order' });
    expect(main.calls.length).toBe(calls);
  });

  it('the same outNo with another amount: the backend refuses (40901) → failed, nothing charged', async () => {
    const out = outNo();
    ok(await pay(CODES.wechat.paid, 100, { out }));
    const r = ok(await pay(CODES.wechat.paid, 101, { out }));
    expect(r).toMatchObject({ state: 'failed', providerCode: '40901' });
    expect(await adminRecords(main.orderIdOf(out)!)).toHaveLength(1);
  });

  it('a record that is not ours (an oid taken by another payment) is never taken as this payment', async () => {
    const store = memoryStore();
    const a = sb.client({ store: memoryStore(), oidStart: 8_000_000 });
    ok(await a.pay({ outNo: 'OWNER1', amountFen: 100, authCode: CODES.wechat.paid, method: m.wx }));
    // Another proxy whose counter lands on the same oid, same amount.
    const b = sb.client({ store, oidStart: 8_000_000 });
    const r = await b.pay({ outNo: 'INTRUDER1', amountFen: 100, authCode: CODES.wechat.paid, method: m.wx });
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'kioskv5_record_mismatch' });
    expect(b.calls.map((c) => c.op)).toEqual(['create_pay_record']);
  });

  it('a query whose amount differs from the record\'s Price → amount mismatch', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 400);
    const r = await main.query({ ...ref, amountFen: 401 });
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'kioskv5_amount_mismatch' });
    // Another pr_id than ours → mismatch too.
    const other = await main.query({ ...ref, providerRef: String(Number(ref.providerRef) - 1) });
    expect(!other.ok && other.error.code).toBe('kioskv5_record_mismatch');
  });
});

describe('QR: terminal_create_pay_record → PayOrderId → get_pay_record', () => {
  it('微信: paying with the QR; the customer pays; query says paid with the wallet\'s number', async () => {
    const out = outNo();
    const r = ok(await main.pay({ outNo: out, amountFen: 880, method: m.wxQr }));
    expect(r).toMatchObject({ state: 'paying', providerCode: '0', qrCode: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=\w{7}$/), message: expect.stringContaining('扫码') });
    expect(main.calls.at(-1)).toMatchObject({ op: 'terminal_create_pay_record', ok: true });
    expect(main.calls.at(-1)!.request).toContain('/v5/order/terminal_create_pay_record');
    const ref: PaymentRef = { outNo: out, amountFen: 880, method: m.wxQr, providerRef: r.providerRef };
    expect(ok(await main.query(ref))).toMatchObject({ state: 'paying', qrCode: r.qrCode });
    // A retry of the same outNo shows the same QR (same record).
    expect(ok(await main.pay({ outNo: out, amountFen: 880, method: m.wxQr })).qrCode).toBe(r.qrCode);
    expect((await sb.admin(`/records/${r.providerRef}/pay`, { method: 'POST' })).status).toBe(200);
    const paid = ok(await main.query(ref));
    expect(paid).toMatchObject({ state: 'paid', amountFen: 880 });
    expect(paid.tradeNo).toMatch(/^4200000/);
    expect(paid.qrCode).toBeUndefined();
  });

  it('支付宝: https://qr.alipay.com/…; cancelled in the back office → cancelled', async () => {
    const out = outNo();
    const r = ok(await main.pay({ outNo: out, amountFen: 990, method: m.aliQr }));
    expect(r.qrCode).toMatch(/^https:\/\/qr\.alipay\.com\/[a-z0-9]{18}$/);
    expect(main.calls.at(-1)!.request).toContain('"ptype":210');
    await sb.admin(`/records/${r.providerRef}/cancel`, { method: 'POST' });
    expect(ok(await main.query({ outNo: out, amountFen: 990, method: m.aliQr }))).toMatchObject({ state: 'cancelled', providerCode: '2' });
  });

  it('no QR content in PayOrderId → response (the record exists and is queried), no QR made up', async () => {
    const strip: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const text = (await res.text()).replace(/"PayOrderId":"[^"]*",/, '');
      return new Response(text, { status: res.status, headers: res.headers });
    };
    const c = sb.client({ fetch: strip });
    const r = await c.pay({ outNo: outNo(), amountFen: 10, method: m.wxQr });
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'kioskv5_qrcode_missing' });
  });
});

describe('bill and unsupported operations', () => {
  it('bill of a paid payment: one line, refundedFen 0; of an unpaid one → declined', async () => {
    const { r, ref } = await payRef(CODES.alipay.paid, 1500);
    expect(ok(await main.bill(ref))).toEqual({
      ok: true,
      providerRef: r.providerRef,
      amountFen: 1500,
      refundedFen: 0,
      paidAt: r.paidAt,
      lines: [{ amountFen: 1500, at: r.paidAt, tradeNo: r.tradeNo, methodName: '支付宝' }],
    });
    const { ref: pending } = await payRef(CODES.wechat.passwordForever, 1600);
    const b = await main.bill(pending);
    expect(!b.ok && b.error).toMatchObject({ kind: 'declined', code: 'kioskv5_not_paid' });
  });

  it('cancel, refund, refundQuery and reprint are unsupported (no call)', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 10);
    const calls = main.calls.length;
    const results = [await main.cancel(ref), await main.refund(ref, { refundNo: 'R1', amountFen: 10 }), await main.refundQuery(ref, 'R1'), await main.reprint(ref)];
    for (const r of results) expect(!r.ok && r.error).toMatchObject({ kind: 'unsupported', code: 'kioskv5_unsupported' });
    expect(main.calls.length).toBe(calls);
  });

  it('payRecord(prId): the record as the backend has it; unknown → not_found', async () => {
    const { r } = await payRef(CODES.wechat.paid, 33);
    const rec = ok(await main.payRecord(Number(r.providerRef)));
    expect(rec.record).toMatchObject({ Id: Number(r.providerRef), Status: 1, Price: 33, ShopId: 10001 });
    const none = await main.payRecord(1);
    expect(!none.ok && none.error).toMatchObject({ kind: 'not_found', code: 'kioskv5_not_found', provider: { code: '40401', message: '支付单不存在' } });
    expect(!(await main.payRecord(-1)).ok).toBe(true);
  });
});

describe('pass cards (出门单)', () => {
  it('a paid order has one; an unpaid or declined one has none; status filter; used in the back office', async () => {
    const { r, ref } = await payRef(CODES.wechat.paid, 2000);
    const card = ok(await main.passCardFor(ref.outNo)).card;
    expect(card).toMatchObject({ OrderId: main.orderIdOf(ref.outNo), PayRecordId: Number(r.providerRef), ShopId: 10001, Status: 0, UseTime: '' });
    expect(card.Code).toMatch(/^PC\d{10}$/);
    expect(main.calls.at(-1)!.request).toMatch(/\{"sid":10001\}$/);
    // A retry of the payment does not issue a second card.
    ok(await pay(CODES.wechat.paid, 2000, { out: ref.outNo }));
    const all = ok(await main.passCards()).cards;
    expect(all.filter((c) => c.OrderId === card.OrderId)).toHaveLength(1);
    expect(ok(await main.passCards({ status: 0 })).cards.map((c) => c.Id)).toContain(card.Id);

    const { ref: pending } = await payRef(CODES.wechat.password, 2100);
    const none = await main.passCardFor(pending.outNo);
    expect(!none.ok && none.error).toMatchObject({ kind: 'not_found', code: 'kioskv5_no_pass_card' });
    const { ref: declined } = await payRef(CODES.alipay.declined, 2200);
    expect(!(await main.passCardFor(declined.outNo)).ok).toBe(true);
    const never = await main.passCardFor('NEVERSENT2');
    expect(!never.ok && never.error.code).toBe('kioskv5_no_such_order');
    // Paid after the customer confirmed: the card appears.
    ok(await main.query(pending));
    ok(await main.query(pending));
    expect(ok(await main.passCardFor(pending.outNo)).card.Status).toBe(0);

    expect((await sb.admin(`/pass-cards/${card.Id}/use`, { method: 'POST' })).status).toBe(200);
    expect(ok(await main.passCards({ status: 1 })).cards.map((c) => c.Id)).toContain(card.Id);
    expect(ok(await main.passCards({ status: 0 })).cards.map((c) => c.Id)).not.toContain(card.Id);
    expect(ok(await main.passCardFor(ref.outNo)).card).toMatchObject({ Status: 1, UseTime: expect.stringMatching(/^\d{4}-/) });
    const bad = await main.passCards({ status: -1 });
    expect(!bad.ok && bad.error.code).toBe('kioskv5_bad_status');
  });

  it('a shop without cards: Go\'s null is an empty list', async () => {
    const shop = await newShop({ auth: { type: 'none' } });
    const c = sb.client({ shopId: shop.shopId, auth: undefined });
    expect(ok(await c.passCards())).toEqual({ ok: true, cards: [] });
  });
});

describe('encodings, answer styles and auth schemes', () => {
  it('form encoding', async () => {
    let contentType = '';
    const spy: typeof fetch = (input, init) => {
      contentType = new Headers(init?.headers).get('content-type') ?? '';
      return fetch(input, init);
    };
    const c = sb.client({ encoding: 'form', fetch: spy });
    expect(ok(await pay(CODES.alipay.paid, 77, { client: c })).state).toBe('paid');
    expect(contentType).toBe('application/x-www-form-urlencoded; charset=UTF-8');
  });

  it('a backend answering bare records: every flow works the same', async () => {
    const shop = await newShop({ auth: { type: 'bearer', token: 'bare-token-456' }, answers: 'bare' });
    secrets.add('bare-token-456');
    const c = sb.client({ shopId: shop.shopId, auth: shop.auth });
    ok(await c.init());
    expect(c.calls[0].response).toBe('HTTP 200\nnull');
    expect(ok(await pay(CODES.wechat.paid, 50, { client: c }))).toMatchObject({ state: 'paid', details: { RealPrice: 50 } });
    expect(c.calls.at(-1)!.response).toMatch(/^HTTP 200\n\{"Id":/);
    const { r, ref } = await payRef(CODES.wechat.password, 60, c);
    expect(r.state).toBe('paying');
    ok(await c.query(ref));
    expect(ok(await c.query(ref)).state).toBe('paid');
    const d = ok(await pay(CODES.wechat.declined, 70, { client: c }));
    expect(d).toMatchObject({ state: 'failed', providerCode: '50001' });
    expect(c.calls.find((x) => x.op === 'pay_pay_record' && !x.ok)!.response).toMatch(/^HTTP 400\n/);
    const none = await c.payRecord(1);
    expect(!none.ok && none.error.kind).toBe('not_found');
    expect(ok(await c.passCards()).cards).toHaveLength(2);
  });

  it('a pay answer without the record ({"code":0,"msg":"ok"}) is followed by get_pay_record', async () => {
    const noData: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/pay_pay_record')) return res;
      await res.text();
      return new Response('{"code":0,"msg":"ok"}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const c = sb.client({ fetch: noData });
    expect(ok(await pay(CODES.wechat.paid, 88, { client: c })).state).toBe('paid');
    expect(c.calls.map((x) => x.op)).toEqual(['create_pay_record', 'pay_pay_record', 'get_pay_record']);
  });

  const schemes: [string, HttpAuth, HttpAuth, Record<string, unknown>?][] = [
    ['header', { type: 'header', name: 'X-Kiosk-Key', value: 'hdr-secret-991' }, { type: 'header', name: 'X-Kiosk-Key', value: 'hdr-secret-992' }],
    ['param (body)', { type: 'param', name: 'token', value: 'prm-secret-993' }, { type: 'param', name: 'token', value: 'prm-secret-994' }],
    ['param (query)', { type: 'param', name: 'access_token', value: 'prm-secret-995' }, { type: 'param', name: 'access_token', value: 'prm-secret-996' }, { authParamIn: 'query' }],
    ['bearer', { type: 'bearer', token: 'brr-secret-997' }, { type: 'bearer', token: 'brr-secret-998' }],
  ];
  for (const [name, right, wrong, extra] of schemes) {
    it(`auth scheme ${name}: accepted when right, refused (config) when wrong`, async () => {
      for (const a of [right, wrong]) secrets.add((a as { value?: string; token?: string }).value ?? (a as { token: string }).token);
      const shop = await newShop({ auth: right });
      const good = sb.client({ shopId: shop.shopId, auth: right, ...extra });
      ok(await good.init());
      const paid = ok(await pay(CODES.alipay.paid, 123, { client: good }));
      expect(paid.state).toBe('paid');
      expect(ok(await good.passCardFor(good.calls[1].outNo!)).card.PayRecordId).toBe(Number(paid.providerRef));
      const bad = sb.client({ shopId: shop.shopId, auth: wrong, ...extra });
      const r = await bad.init();
      expect(!r.ok && r.error).toMatchObject({ kind: 'config', code: 'kioskv5_auth_refused' });
      const none = sb.client({ shopId: shop.shopId, auth: undefined });
      expect(!(await none.init()).ok).toBe(true);
    });
  }

  it('configurable paths: a wrong one is an HTTP error (response)', async () => {
    const c = sb.client({ paths: { get: '/v5/order/getPayRecord' } });
    const { ref } = await payRef(CODES.wechat.paid, 5, c);
    const r = await c.query(ref);
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'kioskv5_http_status', provider: { code: '404' } });
  });

  it('the payment code parameter name follows the backend (authCodeParam)', async () => {
    const other = await startSandbox({ authCodeParam: 'pay_code' });
    try {
      const c = other.client({ authCodeParam: 'pay_code' });
      const p = ok(await c.pay({ outNo: 'PC1', amountFen: 9, authCode: CODES.wechat.paid, method: m.wx }));
      expect(p.state).toBe('paid');
      expect(c.calls.at(-1)!.request).toContain('"pay_code":"**************0001"');
      // A client sending auth_code to this backend: refused (40001), the record still pending → paying.
      const d = other.client();
      expect(ok(await d.pay({ outNo: 'PC2', amountFen: 9, authCode: CODES.wechat.paid, method: m.wx }))).toMatchObject({ state: 'paying', message: expect.stringContaining('40001') });
    } finally {
      await other.close();
    }
  });
});

describe('fault injection', () => {
  it('5xx on get_pay_record, then normal again', async () => {
    const { ref } = await payRef(CODES.wechat.paid, 11);
    await fault({ op: 'get', fault: '5xx' });
    const r = await main.query(ref);
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', provider: { code: '503' } });
    expect(ok(await main.query(ref)).state).toBe('paid');
  });

  it('garbage on create (not executed) → response; a refusal code on get → the backend\'s words', async () => {
    await fault({ op: 'create', fault: 'garbage' });
    const out = outNo();
    const r = await pay(CODES.wechat.paid, 12, { out });
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'kioskv5_malformed_answer' });
    expect(await adminRecords(main.orderIdOf(out)!)).toHaveLength(0);
    const { ref } = await payRef(CODES.wechat.paid, 13);
    await fault({ op: 'get', fault: 'code', code: 50010, msg: '系统繁忙' });
    const q = await main.query(ref);
    expect(!q.ok && q.error).toMatchObject({ kind: 'declined', code: 'kioskv5_refused', provider: { code: '50010', message: '系统繁忙' } });
  });

  it('a refusal of pay_pay_record whose confirmation fails → response (state unknown)', async () => {
    await fault({ op: 'pay', fault: 'code', code: 50010, msg: '系统繁忙' });
    await fault({ op: 'get', fault: '5xx' });
    const r = await pay(CODES.wechat.paid, 14);
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'kioskv5_refusal_unconfirmed', provider: { code: '50010' } });
  });

  it('badjson on pay (executed) → response; the query says paid', async () => {
    await fault({ op: 'pay', fault: 'badjson' });
    const out = outNo();
    const r = await pay(CODES.alipay.paid, 15, { out });
    expect(!r.ok && r.error.kind).toBe('response');
    expect(ok(await main.query({ outNo: out, amountFen: 15, method: m.ali })).state).toBe('paid');
  });

  it('hang on the pass card list → timeout', async () => {
    await fault({ op: 'passcards', fault: 'hang' });
    const c = sb.client({ timeoutMs: 100 });
    const r = await c.passCards();
    expect(!r.ok && r.error.kind).toBe('timeout');
  });

  it('a throwing onCall sink does not change an outcome', async () => {
    const c = createKioskV5Provider({
      baseUrl: sb.baseUrl,
      shopId: SANDBOX_SHOP.shopId,
      auth: SANDBOX_SHOP.auth,
      store: memoryStore(),
      oidStart: 9_100_000,
      onCall: () => {
        throw new Error('sink down');
      },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a);
    try {
      expect(ok(await c.pay({ outNo: 'SINK1', amountFen: 1, authCode: CODES.wechat.paid, method: m.wx })).state).toBe('paid');
    } finally {
      console.error = original;
    }
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('call records', () => {
  it('no auth secret and no full payment code in any record; codes masked', () => {
    expect(sb.calls.length).toBeGreaterThan(50);
    for (const c of sb.calls) {
      const text = `${c.request}\n${c.response}`;
      for (const s of secrets) expect(text, `${c.op}: secret`).not.toContain(s);
      for (const code of usedCodes) expect(text, `${c.op}: code`).not.toContain(code);
      expect(c.provider).toBe('kioskv5');
      expect(c.durationMs).toBeGreaterThanOrEqual(0);
    }
    const withCode = sb.calls.filter((c) => c.op === 'pay_pay_record');
    expect(withCode.length).toBeGreaterThan(10);
    for (const c of withCode) expect(c.request).toMatch(/"(auth_code|pay_code)":"\*{14}\d{4}"/);
    expect(sb.calls.some((c) => c.request.includes('auth: param token ***'))).toBe(true);
    expect(sb.calls.some((c) => c.request.includes('auth: header x-kiosk-key ***'))).toBe(true);
  });

  it('a backend echoing the secret or the code in its msg: scrubbed from messages and records', async () => {
    const echo: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/pay_pay_record')) return res;
      await res.text();
      const body = `{"code":123,"msg":"bad token kioskv5-sandbox-token-10001 for code ${CODES.wechat.paid}"}`;
      return new Response(body, { status: 200 });
    };
    const c = sb.client({ fetch: echo });
    usedCodes.add(CODES.wechat.paid);
    const r = await pay(CODES.wechat.paid, 3, { client: c });
    const text = JSON.stringify(r) + c.calls.map((x) => x.request + x.response).join('\n');
    expect(text).not.toContain('kioskv5-sandbox-token-10001');
    expect(text).not.toContain(CODES.wechat.paid);
    expect(text).toContain('**************0001');
  });
});
