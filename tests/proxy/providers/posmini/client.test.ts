/**
 * The posmini client against the sandbox simulator over real HTTP on loopback (simulator mounted at
 * /sandbox/posmini in a parent Hono app, as the proxy mounts it): every result code and sandbox code,
 * both request formats, split tender, over-payment, idempotency, query after errcode 1, auth, DES
 * variants, and what the call records may show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSMINI_WECHAT, type PosMiniProvider } from '../../../../proxy/providers/posmini/client.ts';
import { encryptCode, sessionKey, type DesOptions } from '../../../../proxy/providers/posmini/crypto.ts';
import { POSMINI_SANDBOX_CODES as CODES, SANDBOX_BILLS, SANDBOX_SESSION } from '../../../../proxy/providers/posmini/simulator.ts';
import type { CallRecord, PaymentRef, ProviderMethod } from '../../../../proxy/providers/types.ts';
import { freshCode, ok, startSandbox, type Sandbox } from './harness.ts';

let sb: Sandbox;
const method: ProviderMethod = { ...POSMINI_WECHAT };
/** Every payment code sent (must appear only masked in a record). */
const usedCodes = new Set<string>();
/** Records of clients of other sandboxes (auth schemes, DES variants), checked with the main ones. */
const otherCalls: CallRecord[] = [];
/** Further secrets configured in some tests. */
const otherSecrets: string[] = ['not-the-password', 'wrong-token-123'];
let seq = 0;

beforeAll(async () => {
  sb = await startSandbox({ passwordPolls: 2, hangMs: 1_000 });
});
afterAll(async () => {
  await sb?.close();
});

function pay(client: PosMiniProvider, billNo: string, amountFen: number, authCode: string) {
  usedCodes.add(authCode);
  return client.pay({ outNo: `PM${++seq}`, amountFen, authCode, method, billNo });
}
function ref(billNo: string, amountFen: number, o: { providerRef?: string }, authCode?: string): PaymentRef {
  return { outNo: 'ref', method, amountFen, billNo, providerRef: o.providerRef, authCode };
}

describe.each(['json', 'xml'] as const)('posmini over HTTP, %s requests', (format) => {
  let client: PosMiniProvider & { calls: CallRecord[] };
  beforeAll(async () => {
    client = sb.client({ format });
    expect(client.info()).toMatchObject({ ready: false });
    const init = ok(await client.init());
    expect(init.methods).toEqual([{ id: 'posmini:wechat', code: 'wechat', name: '微信', kind: 'barcode', codePattern: '^1[0-5]\\d{16}$', needsBill: true }]);
    expect(client.info()).toEqual({ ready: true });
    expect(client.calls).toEqual([]); // init makes no call
  });

  it('sends the format asked for and gets it back', async () => {
    const bill = await sb.newBill(100);
    ok(await pay(client, bill, 100, CODES.paid));
    const rec = client.calls.at(-1)!;
    if (format === 'json') {
      expect(rec.request).toContain(`content-type: application/json; charset=utf-8\n{"billnum":"${bill}","wechatbarcode":"***","paymentvalue":1.00}`);
      expect(rec.response).toMatch(/^HTTP 200\n\{"errcode":0,"errmsg":"收款成功","tag":\{"billnum":"[^"]+","autoid":\d+,"billpaystate":"3"\}\}$/);
    } else {
      expect(rec.request).toContain(
        `<PosSellPayWithWechatBarcodeParm xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Parm"><billnum>${bill}</billnum><paymentvalue>1.00</paymentvalue><wechatbarcode>***</wechatbarcode></PosSellPayWithWechatBarcodeParm>`,
      );
      expect(rec.response).toMatch(/^HTTP 200\n<CommonOperationResultWithTagOfPosSellPaymentResultldpHZqFJ xmlns:i=/);
      expect(rec.response).toContain('<d2p1:billpaystate>3</d2p1:billpaystate>');
    }
    expect(rec.request).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/sandbox\/posmini\/api\/Pos\/MiniProgram\/Busi\/Sell\/Pay\/WithWechat\/Barcode\n/);
    expect(rec.request).toContain('(wechatbarcode = 3DES(**************0001))');
  });

  it('1: paid at once; paying the whole bill → fully paid, balance 0', async () => {
    const bill = await sb.newBill(1234);
    const r = ok(await pay(client, bill, 1234, CODES.paid));
    expect(r).toMatchObject({ state: 'paid', amountFen: 1234, providerCode: '0', message: '收款成功', bill: { billNo: bill, fullyPaid: true, balanceFen: 0, state: '3' } });
    expect(r.providerRef).toMatch(/^\d+$/);
    expect(client.calls.at(-1)).toMatchObject({ provider: 'posmini', op: 'pay', ok: true });
    expect((await sb.bill(bill)).bill).toMatchObject({ paidFen: 1234, balanceFen: 0, billpaystate: '3' });
  });

  it('split tender on one bill: three payments, the balance after each, until billpaystate 3', async () => {
    const bill = await sb.newBill(1000);
    const before = ok(await client.billState(bill));
    expect(before.bill).toEqual({ billNo: bill, fullyPaid: false, balanceFen: 1000, state: '1', totalFen: 1000, paidFen: 0 });
    const steps: [number, number, string][] = [
      [29, 971, '2'],
      [435, 536, '2'],
      [536, 0, '3'],
    ];
    for (const [amountFen, balanceFen, state] of steps) {
      const r = ok(await pay(client, bill, amountFen, freshCode()));
      expect(r.state).toBe('paid');
      expect(r.amountFen).toBe(amountFen);
      expect(r.bill).toEqual({ billNo: bill, fullyPaid: state === '3', balanceFen, state });
    }
    // Each partial payment was followed by a bill read for the balance; the last one needed none.
    expect(client.calls.slice(-5).map((c) => c.op)).toEqual(['pay', 'bill', 'pay', 'bill', 'pay']);
    const view = await sb.bill(bill);
    expect(view.bill).toMatchObject({ totalFen: 1000, paidFen: 1000, balanceFen: 0, billpaystate: '3' });
    expect(view.payments.map((p) => p.amountFen)).toEqual([29, 435, 536]);
    // The bill is closed now.
    const more = ok(await pay(client, bill, 1, freshCode()));
    expect(more).toMatchObject({ state: 'failed', providerCode: '-1', message: '售货单已完成收款' });
  });

  it('over the balance → refused (errcode -1), nothing charged', async () => {
    const bill = await sb.newBill(500);
    ok(await pay(client, bill, 200, freshCode()));
    const r = ok(await pay(client, bill, 301, freshCode()));
    expect(r).toMatchObject({ state: 'failed', providerCode: '-1' });
    expect(r.message).toContain('支付金额超过未付金额（未付 3.00 元）');
    expect(client.calls.at(-1)).toMatchObject({ op: 'pay', ok: false, errorKind: 'declined' });
    expect((await sb.bill(bill)).bill).toMatchObject({ paidFen: 200, balanceFen: 300 });
    expect(ok(await pay(client, bill, 300, freshCode())).bill).toMatchObject({ fullyPaid: true });
  });

  it('unknown bill → failed with the backend\'s words', async () => {
    const r = ok(await pay(client, 'NO-SUCH-BILL', 100, freshCode()));
    expect(r).toMatchObject({ state: 'failed', providerCode: '-1', message: '售货单不存在' });
    expect(r.providerRef).toBeUndefined();
  });

  it('idempotency: the same bill and code again answers the same payment and charges once', async () => {
    const bill = await sb.newBill(1000);
    const code = freshCode();
    const first = ok(await pay(client, bill, 400, code));
    const again = ok(await pay(client, bill, 400, code));
    expect(again).toMatchObject({ state: 'paid', providerRef: first.providerRef, amountFen: 400 });
    expect((await sb.bill(bill)).bill).toMatchObject({ paidFen: 400, payments: [Number(first.providerRef)] });
    // Same code, another amount: refused; a real code on another bill: used already.
    expect(ok(await pay(client, bill, 401, code))).toMatchObject({ state: 'failed', message: '付款码已用于本单的另一笔付款' });
    expect(ok(await pay(client, await sb.newBill(1000), 400, code))).toMatchObject({ state: 'failed', message: '付款码已使用' });
    // Sandbox codes work on any number of bills.
    expect(ok(await pay(client, await sb.newBill(10), 10, CODES.paid)).state).toBe('paid');
  });

  it('2: errcode 1 → paying; the query (never the pay call) resolves it on the passwordPolls-th query', async () => {
    const bill = await sb.newBill(300);
    const r = ok(await pay(client, bill, 300, CODES.password));
    expect(r).toMatchObject({ state: 'paying', providerCode: '1' });
    expect(r.message).toContain('正在查询');
    expect(r.providerRef).toMatch(/^\d+$/);
    expect((await sb.bill(bill)).bill).toMatchObject({ paidFen: 0, pendingFen: 300 });
    const q1 = ok(await client.query(ref(bill, 300, r)));
    expect(q1).toMatchObject({ state: 'paying', providerRef: r.providerRef, providerCode: '0' });
    const q2 = ok(await client.query(ref(bill, 300, r)));
    expect(q2).toMatchObject({ state: 'paid', providerRef: r.providerRef, amountFen: 300, bill: { billNo: bill, fullyPaid: true, balanceFen: 0, state: '3' } });
    const ops = client.calls.slice(-3).map((c) => c.op);
    expect(ops).toEqual(['pay', 'query', 'query']);
    expect(client.calls.at(-1)!.request).toContain(format === 'json' ? `{"billnum":"${bill}","autoid":${r.providerRef}}` : `<autoid>${r.providerRef}</autoid><billnum>${bill}</billnum>`);
  });

  it('2 on a partly paid bill: the query answer carries the balance itself', async () => {
    const bill = await sb.newBill(1000);
    const r = ok(await pay(client, bill, 250, CODES.password));
    ok(await client.query(ref(bill, 250, r)));
    const done = ok(await client.query(ref(bill, 250, r)));
    expect(done.bill).toEqual({ billNo: bill, fullyPaid: false, balanceFen: 750, state: '2' });
    expect(client.calls.at(-1)!.op).toBe('query'); // no extra bill read: billtotal/billpaid were in the answer
  });

  it('3: declined → failed, the errmsg kept', async () => {
    const bill = await sb.newBill(100);
    const r = ok(await pay(client, bill, 100, CODES.declined));
    expect(r).toMatchObject({ state: 'failed', providerCode: '-1', message: '支付失败：用户余额不足' });
    expect(client.calls.at(-1)).toMatchObject({ ok: false, errorKind: 'declined' });
    expect(ok(await client.query(ref(bill, 100, r)))).toMatchObject({ state: 'failed', message: '支付失败：用户余额不足' });
    expect((await sb.bill(bill)).bill).toMatchObject({ paidFen: 0, billpaystate: '1' });
  });

  it('4: charged, answer lost → network error; the query by bill and code finds it paid', async () => {
    const bill = await sb.newBill(800);
    const r = await pay(client, bill, 800, CODES.answerLost);
    expect(!r.ok && r.error).toMatchObject({ kind: 'network', code: 'posmini_network' });
    const q = ok(await client.query(ref(bill, 800, {}, CODES.answerLost)));
    expect(q).toMatchObject({ state: 'paid', amountFen: 800, bill: { fullyPaid: true } });
    expect(q.providerRef).toMatch(/^\d+$/);
    const rec = client.calls.at(-1)!;
    expect(rec.request).toContain(format === 'json' ? '"wechatbarcode":"***"' : '<wechatbarcode>***</wechatbarcode>');
    expect(rec.request).toContain('3DES(**************0004)');
  });

  it('5: hangs → timeout, never charged; the query says no such payment → failed', async () => {
    const quick = sb.client({ format, timeoutMs: 150 });
    ok(await quick.init());
    const bill = await sb.newBill(100);
    const r = await pay(quick, bill, 100, CODES.hang);
    expect(!r.ok && r.error).toMatchObject({ kind: 'timeout', code: 'posmini_timeout' });
    const q = ok(await quick.query(ref(bill, 100, {}, CODES.hang)));
    expect(q).toMatchObject({ state: 'failed', providerCode: '-1' });
    expect(q.message).toContain('付款记录不存在');
    expect((await sb.bill(bill)).payments).toEqual([]);
  });

  it('6: paying until the back office completes it', async () => {
    const bill = await sb.newBill(100);
    const r = ok(await pay(client, bill, 100, CODES.passwordForever));
    expect(r.state).toBe('paying');
    for (let i = 0; i < 3; i++) expect(ok(await client.query(ref(bill, 100, r))).state).toBe('paying');
    expect((await sb.admin(`/payments/${r.providerRef}/pay`, { method: 'POST' })).status).toBe(200);
    expect(ok(await client.query(ref(bill, 100, r)))).toMatchObject({ state: 'paid', bill: { fullyPaid: true } });
    expect((await sb.admin(`/payments/${r.providerRef}/pay`, { method: 'POST' })).status).toBe(409);
  });

  it('6, given up by the customer: the query says failed', async () => {
    const bill = await sb.newBill(100);
    const r = ok(await pay(client, bill, 100, CODES.passwordForever));
    expect((await sb.admin(`/payments/${r.providerRef}/fail`, { method: 'POST' })).status).toBe(200);
    expect(ok(await client.query(ref(bill, 100, r)))).toMatchObject({ state: 'failed', message: '用户取消支付' });
    // The reserved amount is free again.
    expect(ok(await pay(client, bill, 100, freshCode())).state).toBe('paid');
  });

  it('7: HTTP 502 HTML → response (unknown); the query says not charged', async () => {
    const bill = await sb.newBill(100);
    const r = await pay(client, bill, 100, CODES.garbage);
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'posmini_http_status', provider: { code: '502' } });
    expect(client.calls.at(-1)!.response).toContain('502 Bad Gateway');
    expect(ok(await client.query(ref(bill, 100, {}, CODES.garbage))).state).toBe('failed');
  });

  it('bill(ref): the sales bill\'s paid amount; billState of an unknown bill → not_found', async () => {
    const bill = await sb.newBill(900);
    const r = ok(await pay(client, bill, 400, freshCode()));
    expect(ok(await client.bill(ref(bill, 400, r)))).toEqual({ ok: true, providerRef: r.providerRef, amountFen: 400, refundedFen: 0, lines: [] });
    const missing = await client.billState('NOPE-1');
    expect(!missing.ok && missing.error).toMatchObject({ kind: 'not_found', code: 'posmini_bill_not_found' });
  });
});

describe('posmini client: checks before sending (no HTTP call)', () => {
  it('billNo, method, code and amount', async () => {
    const client = sb.client();
    ok(await client.init());
    const base = { outNo: 'X1', amountFen: 100, authCode: CODES.paid, method, billNo: 'SB-1001' };
    const cases: [object, string][] = [
      [{ billNo: undefined }, 'posmini_bill_no_required'],
      [{ billNo: '  ' }, 'posmini_bill_no_required'],
      [{ billNo: 'B'.repeat(21) }, 'posmini_bad_bill_no'],
      [{ billNo: 'B\n1' }, 'posmini_bad_bill_no'],
      [{ authCode: '280000000000000001' }, 'posmini_bad_auth_code'],
      [{ authCode: undefined }, 'posmini_bad_auth_code'],
      [{ amountFen: 0 }, 'posmini_bad_amount'],
      [{ amountFen: 1.5 }, 'posmini_bad_amount'],
      [{ method: { id: 'mct1:Weixin', code: 'Weixin', name: '微信', kind: 'barcode' } }, 'posmini_method_unknown'],
    ];
    for (const [over, code] of cases) {
      const r = await client.pay({ ...base, ...over });
      expect(!r.ok && r.error.code, JSON.stringify(over)).toBe(code);
    }
    const q1 = await client.query({ outNo: 'X1', method, amountFen: 1 });
    expect(!q1.ok && q1.error).toMatchObject({ kind: 'params', code: 'posmini_bill_no_required' });
    const q2 = await client.query({ outNo: 'X1', method, amountFen: 1, billNo: 'SB-1001' });
    expect(!q2.ok && q2.error).toMatchObject({ kind: 'params', code: 'posmini_query_needs_ref' });
    expect(client.calls).toEqual([]);
  });

  it('cancel, refund, refund query and reprint are unsupported', async () => {
    const client = sb.client();
    const r = ref('SB-1001', 1, { providerRef: '1' });
    for (const res of [await client.cancel(r), await client.refund(r, { refundNo: 'R1', amountFen: 1 }), await client.refundQuery(r, 'R1'), await client.reprint(r)]) {
      expect(!res.ok && res.error).toMatchObject({ kind: 'unsupported', code: 'posmini_unsupported' });
      expect(!res.ok && res.error.message).toMatch(/^收银后台没有.+接口 \/ the backend has no .+ call$/);
    }
  });

  it('bad options are programming mistakes', () => {
    expect(() => sb.client({ baseUrl: 'ftp://x' })).toThrow(TypeError);
    expect(() => sb.client({ loginPassword: '' })).toThrow(TypeError);
    expect(() => sb.client({ format: 'yaml' as 'json' })).toThrow(TypeError);
    expect(() => sb.client({ des: { key: 'raw24' as 'raw16' } })).toThrow(TypeError);
  });
});

describe('posmini: session and DES variant', () => {
  it('wrong or missing auth → HTTP 401 → config error, nothing done', async () => {
    const bill = await sb.newBill(100);
    for (const auth of [{ type: 'bearer' as const, token: 'wrong-token-123' }, undefined]) {
      const client = sb.client({ auth });
      const r = await pay(client, bill, 100, freshCode());
      expect(!r.ok && r.error).toMatchObject({ kind: 'config', code: 'posmini_auth_refused', provider: { code: '401', message: 'Authorization has been denied for this request.' } });
      expect(!r.ok && r.error.message).not.toContain('wrong-token-123');
      expect(client.calls[0].request).not.toContain('wrong-token-123');
    }
    expect((await sb.bill(bill)).payments).toEqual([]);
  });

  it('header and query-parameter auth schemes', async () => {
    const variants = [
      { type: 'header' as const, name: 'Cookie', value: 'ASP.NET_SessionId=posmini-cookie-4242' },
      { type: 'param' as const, name: 'token', value: 'posmini-param-token-4242' },
    ];
    for (const auth of variants) {
      otherSecrets.push(auth.value);
      const other = await startSandbox({ auth });
      try {
        const client = other.client({ auth });
        const r = ok(await pay(client, SANDBOX_BILLS[2].billnum, 29, CODES.paid));
        expect(r.bill).toMatchObject({ fullyPaid: true });
        for (const c of client.calls) expect(`${c.request}${c.response}`).not.toContain(auth.value);
        if (auth.type === 'param') expect(client.calls[0].request).toContain('?token=***');
        const wrong = other.client({ auth: { ...auth, value: 'nope-nope' } });
        const w = await pay(wrong, SANDBOX_BILLS[0].billnum, 1, freshCode());
        expect(!w.ok && w.error.code).toBe('posmini_auth_refused');
      } finally {
        otherCalls.push(...other.calls);
        await other.close();
      }
    }
  });

  it('each DES variant works when both sides agree; the sandbox refuses a wrong one (kind decrypt)', async () => {
    const variants: Partial<DesOptions>[] = [
      { key: 'hex24', passwordEncoding: 'utf8', output: 'base64' },
      { key: 'raw16', passwordEncoding: 'utf8', output: 'base64' },
      { key: 'hex24', passwordEncoding: 'utf16le', output: 'hex' },
      { key: 'raw16', passwordEncoding: 'utf16le', output: 'hex' },
    ];
    for (const des of variants) {
      const other = await startSandbox({ des });
      try {
        const right = other.client({ des });
        expect(ok(await pay(right, 'SB-1005', 435, CODES.paid)).bill, JSON.stringify(des)).toMatchObject({ fullyPaid: true });
        const wrong = other.client({ des: { ...des, key: des.key === 'hex24' ? 'raw16' : 'hex24' } });
        const r = await pay(wrong, 'SB-1002', 100, freshCode());
        expect(!r.ok && r.error, JSON.stringify(des)).toMatchObject({ kind: 'decrypt', code: 'posmini_decrypt_refused', provider: { code: '-1' } });
        expect(!r.ok && r.error.message).toContain('请检查登录密码与 3DES 设置');
        const wrongPassword = other.client({ des, loginPassword: 'not-the-password' });
        expect(!(await pay(wrongPassword, 'SB-1002', 100, freshCode())).ok).toBe(true);
        expect((await other.bill('SB-1002')).payments).toEqual([]);
      } finally {
        otherCalls.push(...other.calls);
        await other.close();
      }
    }
  });
});

describe('posmini: faults and odd answers', () => {
  it('5xx, garbage (an ASP.NET page), a cut answer, an unknown errcode → response (unknown); the cut one was executed', async () => {
    const client = sb.client();
    const inject = (body: object) => sb.admin('/faults', { method: 'POST', body: JSON.stringify(body) });
    const bill = await sb.newBill(1000);

    await inject({ op: 'pay', fault: '5xx' });
    let r = await pay(client, bill, 100, freshCode());
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'posmini_http_status' });

    await inject({ op: 'pay', fault: 'garbage' });
    r = await pay(client, bill, 100, freshCode());
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'posmini_malformed_answer' });
    expect(!r.ok && r.error.message).toContain('DOCTYPE');

    await inject({ op: 'pay', fault: 'badbody' });
    const code = freshCode();
    r = await pay(client, bill, 100, code);
    expect(!r.ok && r.error.kind).toBe('response');
    expect((await sb.bill(bill)).bill.paidFen).toBe(100);
    expect(ok(await client.query(ref(bill, 100, {}, code))).state).toBe('paid');

    await inject({ op: 'pay', fault: 'errcode', errcode: 2, errmsg: '系统繁忙' });
    r = await pay(client, bill, 100, freshCode());
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'posmini_unknown_errcode', provider: { code: '2', message: '系统繁忙' } });

    await inject({ op: 'query', fault: 'errcode', errcode: 1, errmsg: '微信系统繁忙' });
    expect(ok(await client.query(ref(bill, 100, {}, code)))).toMatchObject({ state: 'paying', providerCode: '1' });

    await inject({ op: 'query', fault: 'drop' });
    const dropped = await client.query(ref(bill, 100, {}, code));
    expect(!dropped.ok && dropped.error.kind).toBe('network');
  });

  it('a missing bill-read API (404) never spoils a payment, and is not asked again', async () => {
    const client = sb.client({ paths: { bill: 'api/Pos/MiniProgram/Busi/Sell/Bill/NoSuchApi' } });
    const bill = await sb.newBill(1000);
    const first = ok(await pay(client, bill, 100, freshCode()));
    expect(first.bill).toEqual({ billNo: bill, fullyPaid: false, state: '2' });
    expect(client.calls.map((c) => [c.op, c.errorKind])).toEqual([
      ['pay', undefined],
      ['bill', 'config'],
    ]);
    ok(await pay(client, bill, 100, freshCode()));
    expect(client.calls.map((c) => c.op)).toEqual(['pay', 'bill', 'pay']);
    const direct = await client.billState(bill);
    expect(!direct.ok && direct.error).toMatchObject({ kind: 'config', code: 'posmini_path_not_found' });
  });

  it('readBalance: false → no bill read after a partial payment', async () => {
    const client = sb.client({ readBalance: false });
    const bill = await sb.newBill(1000);
    expect(ok(await pay(client, bill, 100, freshCode())).bill).toEqual({ billNo: bill, fullyPaid: false, state: '2' });
    expect(client.calls.map((c) => c.op)).toEqual(['pay']);
  });

  it('a pay answer about another bill is not trusted (→ response: query)', async () => {
    const fetchImpl = (async () => new Response('{"errcode":0,"errmsg":"","tag":{"billnum":"OTHER","autoid":9,"billpaystate":"3"}}')) as unknown as typeof fetch;
    const client = sb.client({ fetch: fetchImpl });
    const r = await pay(client, 'SB-1001', 100, freshCode());
    expect(!r.ok && r.error).toMatchObject({ kind: 'response', code: 'posmini_bill_mismatch' });
  });

  it('a query answer with another amount or payment is not trusted', async () => {
    const answer = (tag: string) => (async () => new Response(`{"errcode":0,"errmsg":"","tag":{${tag}}}`)) as unknown as typeof fetch;
    const amount = sb.client({ fetch: answer('"billnum":"B1","autoid":5,"paystate":1,"paymentvalue":1.01') });
    const r1 = await amount.query(ref('B1', 100, { providerRef: '5' }));
    expect(!r1.ok && r1.error.code).toBe('posmini_amount_mismatch');
    const other = sb.client({ fetch: answer('"billnum":"B1","autoid":6,"paystate":1,"paymentvalue":1.00') });
    const r2 = await other.query(ref('B1', 100, { providerRef: '5' }));
    expect(!r2.ok && r2.error.code).toBe('posmini_payment_mismatch');
    const noState = sb.client({ fetch: answer('"billnum":"B1","autoid":5') });
    const r3 = await noState.query(ref('B1', 100, { providerRef: '5' }));
    expect(!r3.ok && r3.error.code).toBe('posmini_malformed_answer');
  });

  it('the seed\'s own sample answers through the client: errcode 1 → paying, autoid 2', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    for (const name of ['pay-answer.json', 'pay-answer.xml']) {
      const body = readFileSync(join(import.meta.dirname, '../../../fixtures/posmini', name), 'utf8');
      const client = sb.client({ fetch: (async () => new Response(body)) as unknown as typeof fetch });
      // The sample's billnum is "sample string 1": pay for that bill so the answer is about it.
      const r = ok(await pay(client, 'sample string 1', 300, freshCode()));
      expect(r, name).toMatchObject({ state: 'paying', providerRef: '2', providerCode: '1' });
      expect(r.message).toContain('sample string 2');
    }
  });
});

describe('posmini: call records never show a secret', () => {
  it('no login password, session key, auth token, ciphertext or full payment code in any record', () => {
    const calls = [...sb.calls, ...otherCalls];
    expect(sb.calls.length).toBeGreaterThan(40);
    expect(otherCalls.length).toBeGreaterThan(10);
    const forbidden: string[] = [...otherSecrets, (SANDBOX_SESSION.auth as { token: string }).token];
    for (const password of [SANDBOX_SESSION.loginPassword, 'not-the-password']) {
      forbidden.push(password);
      for (const enc of ['utf8', 'utf16le'] as const) {
        const key = sessionKey(password, enc);
        forbidden.push(key, key.toLowerCase(), key.slice(0, 24), key.slice(0, 24).toLowerCase());
      }
      for (const code of usedCodes) {
        forbidden.push(code);
        for (const key of ['hex24', 'raw16'] as const) {
          for (const enc of ['utf8', 'utf16le'] as const) {
            for (const output of ['base64', 'hex'] as const) {
              const cipher = encryptCode(code, password, { key, passwordEncoding: enc, mode: 'ecb', output });
              forbidden.push(cipher, cipher.toLowerCase());
            }
          }
        }
      }
    }
    const all = calls.map((c) => `${c.request}\n${c.response}`).join('\n\n');
    for (const secret of forbidden) expect(all.includes(secret), secret).toBe(false);
    // No header is recorded: the session travels in one.
    for (const c of calls) expect(c.request).not.toMatch(/authorization|bearer|cookie/i);
    // Every pay record names the code by its last four digits only.
    for (const c of calls.filter((x) => x.op === 'pay')) expect(c.request).toMatch(/3DES\(\*{14}\d{4}\)/);
  });
});
