/**
 * The proxy against the 微收银 simulator (the only provider of this store), over real HTTP on loopback: every sandbox code's path,
 * idempotency, refunds, bad input, and what a cashier's terminal sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, freshWechatCode, newOutNo, pair, startTestStore, waitFor, type Client } from '../helpers/store.ts';

let store: RunningStore;
let cashier: Client;
let manager: Client;

beforeAll(async () => {
  store = await startTestStore({ providers: ['weishouyin'] });
  cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager');
});
afterAll(() => store?.close());

async function simBills(): Promise<{ dm_id?: string; dmId?: string; authcode?: string; status?: string; totalFen?: number }[]> {
  const res = await fetch(`${store.url}/sandbox/weishouyin/_admin/bills`);
  const body = (await res.json()) as unknown;
  return (Array.isArray(body) ? body : (body as { bills: [] }).bills) as never;
}
async function billsFor(code: string) {
  return (await simBills()).filter((b) => JSON.stringify(b).includes(code));
}
const pay = (code: string, amountFen = 1234, outNo = newOutNo()) => cashier.post('/api/payments', { outNo, amountFen, authCode: code });
const settle = (outNo: string, statuses: string[], timeoutMs = 10_000) =>
  waitFor(async () => {
    const r = await cashier.get(`/api/payments/${outNo}`);
    return statuses.includes(r.body.status) ? r.body : undefined;
  }, timeoutMs);

describe('the store', () => {
  it('answers health without a token and shows the sandbox provider ready', async () => {
    const r = await fetch(`${store.url}/api/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, mode: 'sandbox', providers: [{ id: 'weishouyin', ready: true }] });
  });

  it('refuses an unpaired terminal with a JSON error', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-real-token-at-all-xxxxxxxx' }] as Record<string, string>[]) {
      const r = await fetch(`${store.url}/api/methods`, { headers });
      expect(r.status).toBe(401);
      expect(await r.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('pairs with a code once only', async () => {
    const { code } = store.terminals.createPairingCode('cashier', 60_000);
    const post = () =>
      fetch(`${store.url}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    const first = await post();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ terminalId: expect.any(String), token: expect.any(String), role: 'cashier' });
    const again = await post();
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ error: { code: 'pairing_code_invalid' } });
  });

  it('refuses an expired pairing code', async () => {
    const { code } = store.terminals.createPairingCode('cashier', -1);
    const r = await fetch(`${store.url}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(r.status).toBe(401);
    expect((await r.json()).error.code).toBe('pairing_code_expired');
  });

  it('lists the methods of the pay config with their code patterns', async () => {
    const r = await cashier.get('/api/methods');
    expect(r.status).toBe(200);
    const names = r.body.map((m: { name: string }) => m.name);
    expect(names).toEqual(expect.arrayContaining(['微信', '支付宝']));
    const wx = r.body.find((m: { name: string }) => m.name === '微信');
    expect(new RegExp(wx.codePattern).test(CODE.paid)).toBe(true);
    expect(new RegExp(wx.codePattern).test(CODE.alipayPaid)).toBe(false);
  });
});

describe('barcode payments through the sandbox codes', () => {
  it('pays at once, with the bill number and the wallet transaction number', async () => {
    const r = await pay(CODE.paid, 1234);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'paid', amountFen: 1234, provider: 'weishouyin', providerRef: expect.stringMatching(/^dm\d+$/) });
    expect(r.body.tradeNo).toBeTruthy();
    expect(r.body.paidAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(r.body.authCodeMasked).toBe('**************0001');
  });

  it('routes an Alipay code to Alipay', async () => {
    const r = await pay(CODE.alipayPaid, 50);
    expect(r.body).toMatchObject({ status: 'paid', method: expect.stringContaining('alipay') });
  });

  it('never charges twice for the same outNo, and refuses the same outNo with another amount', async () => {
    const code = freshWechatCode();
    const outNo = newOutNo();
    const [a, b] = await Promise.all([pay(code, 777, outNo), pay(code, 777, outNo)]);
    const c = await pay(code, 777, outNo);
    for (const r of [a, b, c]) expect(r.body).toMatchObject({ outNo, status: 'paid', amountFen: 777 });
    expect(new Set([a.body.providerRef, b.body.providerRef, c.body.providerRef]).size).toBe(1);
    expect(await billsFor(code)).toHaveLength(1);

    const conflict = await pay(code, 778, outNo);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('out_no_conflict');
  });

  it('waits for the password, polls, and turns to paid on its own (with an event)', async () => {
    const events: string[] = [];
    const ac = new AbortController();
    const stream = fetch(`${store.url}/api/events`, { headers: { authorization: `Bearer ${cashier.token}` }, signal: ac.signal }).then(async (res) => {
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        events.push(dec.decode(value));
      }
    }).catch(() => undefined);

    const outNo = newOutNo();
    const r = await pay(CODE.password, 2000, outNo);
    expect(r.body.status).toBe('paying');
    expect(r.body.message).toContain('密码');
    const done = await settle(outNo, ['paid']);
    expect(done.providerRef).toMatch(/^dm\d+$/);
    await waitFor(() => events.join('').includes(`"outNo":"${outNo}","status":"paid"`));
    ac.abort();
    await stream;
  });

  it('shows a decline with the provider\'s reason', async () => {
    const r = await pay(CODE.declined, 100);
    expect(r.body.status).toBe('failed');
    expect(r.body.message).toContain('余额不足');
  });

  it('resolves a charge whose answer was lost by querying: paid, once', async () => {
    const outNo = newOutNo();
    const r = await pay(CODE.lost, 4321, outNo);
    expect(r.body.status).toBe('unknown');
    expect(r.body.message).toContain('请勿重复收款');
    const done = await settle(outNo, ['paid']);
    expect(done.amountFen).toBe(4321);
    expect(await billsFor(CODE.lost)).toHaveLength(1);
  });

  it('treats a provider that hangs as unknown, then as not charged once the provider says so', async () => {
    const outNo = newOutNo();
    const r = await pay(CODE.hang, 300, outNo);
    expect(r.body.status).toBe('unknown');
    const done = await settle(outNo, ['failed']);
    expect(done.message).toMatch(/订单不存在|未被扣款/);
  });

  it('treats a garbage answer as unknown and resolves it', async () => {
    const outNo = newOutNo();
    const r = await pay(CODE.garbage, 300, outNo);
    expect(r.body.status).toBe('unknown');
    expect((await settle(outNo, ['failed'])).status).toBe('failed');
  });

  it('gives up on a customer who never enters the password, and refunds a payment made afterwards', async () => {
    const outNo = newOutNo();
    const r = await pay(CODE.passwordForever, 990, outNo);
    expect(r.body.status).toBe('paying');
    const closed = await settle(outNo, ['failed', 'cancelled']);
    expect(closed.message).toContain('自动退款');

    // The customer confirms on the phone after we gave up: the watch sees it and gives the money back.
    const bill = closed.providerRef as string;
    const late = await fetch(`${store.url}/sandbox/weishouyin/_admin/bills/${bill}/pay`, { method: 'POST' });
    expect(late.status).toBe(200);
    const reversed = await settle(outNo, ['refunded']);
    expect(reversed.refundedFen).toBe(990);
    const history = await manager.get(`/api/payments/${outNo}/history`);
    expect(history.body.refunds).toMatchObject([{ amountFen: 990, status: 'refunded' }]);
  });

  it('lets the cashier stop waiting; the provider cannot cancel so the sale is voided and watched', async () => {
    const outNo = newOutNo();
    expect((await pay(CODE.passwordForever, 120, outNo)).body.status).toBe('paying');
    const r = await cashier.post(`/api/payments/${outNo}/cancel`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('failed');
    expect(r.body.message).toContain('收银员已取消');
  });

  it('refuses to cancel a paid payment', async () => {
    const outNo = newOutNo();
    await pay(freshWechatCode(), 100, outNo);
    const r = await cashier.post(`/api/payments/${outNo}/cancel`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('already_paid');
  });
});

describe('bad input gets a clear error and loses nothing', () => {
  it.each([
    [12.345, 'amount_invalid'],
    [0, 'amount_invalid'],
    [-100, 'amount_invalid'],
    ['12.34', 'amount_invalid'],
    [50_000_01, 'amount_too_large'],
    [Number.MAX_SAFE_INTEGER + 2, 'amount_too_large'],
  ])('amount %j → %s', async (amountFen, code) => {
    const outNo = newOutNo();
    const r = await cashier.post('/api/payments', { outNo, amountFen, authCode: freshWechatCode() });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect((await cashier.get(`/api/payments/${outNo}`)).status).toBe(404);
  });

  it.each([
    ['12345', 'auth_code_invalid'],
    ['13000000000000000x!', 'auth_code_invalid'],
    ['190000000000000001', 'auth_code_unrecognized'],
    ['2800000000000', 'auth_code_unrecognized'],
  ])('payment code %j → %s', async (authCode, code) => {
    const r = await cashier.post('/api/payments', { outNo: newOutNo(), amountFen: 100, authCode });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(code);
  });

  it('refuses a WeChat code sent as Alipay', async () => {
    const methods = (await cashier.get('/api/methods')).body as { id: string; name: string }[];
    const alipay = methods.find((m) => m.name === '支付宝')!;
    const r = await cashier.post('/api/payments', { outNo: newOutNo(), amountFen: 100, authCode: freshWechatCode(), method: alipay.id });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('auth_code_mismatch');
  });

  it('refuses a body that is not JSON', async () => {
    const r = await fetch(`${store.url}/api/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cashier.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outNo=x&amountFen=1',
    });
    expect(r.status).toBe(415);
    expect((await r.json()).error.code).toBe('json_required');
  });
});

describe('refunds', () => {
  it('need a manager or the supervisor password, add up, and stop at what was paid', async () => {
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 1000, outNo)).body.status).toBe('paid');

    const denied = await cashier.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100 });
    expect(denied.status).toBe(403);
    const wrong = await cashier.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100, supervisorPassword: 'nope' });
    expect(wrong.status).toBe(403);

    const first = await cashier.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 300, supervisorPassword: 'sup-secret-8841' });
    expect(first.body).toMatchObject({ status: 'refunded', amountFen: 300, refundableFen: 700 });
    const refundNo = newOutNo('R');
    const second = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 600 });
    expect(second.body).toMatchObject({ status: 'refunded', refundableFen: 100 });
    const repeat = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 600 });
    expect(repeat.body).toMatchObject({ refundNo, status: 'refunded', refundableFen: 100 });

    const over = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 101 });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('refund_exceeds');

    const last = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100 });
    expect(last.body.refundableFen).toBe(0);
    expect((await cashier.get(`/api/payments/${outNo}`)).body).toMatchObject({ status: 'refunded', refundedFen: 1000 });
  });
});

describe('receipts and the ledger', () => {
  it('serves the receipt as GB18030 ESC/POS bytes, and as readable text', async () => {
    const outNo = newOutNo();
    await pay(freshWechatCode(), 1234, outNo);
    const bytes = await cashier.get(`/api/payments/${outNo}/receipt`);
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    const buf = bytes.body as Uint8Array;
    expect([...buf.slice(0, 4)]).toEqual([0x1b, 0x40, 0x1c, 0x26]); // ESC @, FS & (Chinese mode)
    const decoded = new TextDecoder('gb18030').decode(buf);
    expect(decoded).toContain('12.34');
    expect(decoded).toMatch(/[\u4e00-\u9fff]{2,}/);
    expect(decoded).not.toContain('\u00a5'); // ¥ is not in GBK; only ￥
    const text = await cashier.get(`/api/payments/${outNo}/receipt?format=text`);
    expect(text.body).toContain('12.34');
    expect(text.body).not.toMatch(/[\x00-\x08\x1b\x1c\x1d]/);
  });

  it('records every provider call without a secret in it', async () => {
    const outNo = newOutNo();
    const code = freshWechatCode();
    await pay(code, 55, outNo);
    const history = await manager.get(`/api/payments/${outNo}/history`);
    expect(history.body.calls.length).toBeGreaterThan(0);
    expect(history.body.events.map((e: { to: string }) => e.to)).toEqual(['unknown', 'paid']);
    const all = JSON.stringify(store.ledger.db.prepare('SELECT * FROM provider_calls').all());
    const key = store.ledger.stateStore('weishouyin').get('key')!;
    expect(key.length).toBeGreaterThan(4);
    expect(all).not.toContain(key);
    expect(all).not.toContain('24901320180424');
    expect(all).not.toContain(code);
    expect(JSON.stringify(history.body)).not.toContain(key);
  });

  it('keeps cashiers to their own terminal\'s payments', async () => {
    const outNo = newOutNo();
    await pay(freshWechatCode(), 10, outNo);
    const other = await pair(store, 'cashier');
    expect((await other.get(`/api/payments/${outNo}`)).status).toBe(404);
    expect((await manager.get(`/api/payments/${outNo}`)).status).toBe(200);
    const list = await other.get('/api/payments');
    expect(list.body.total).toBe(0);
    expect((await other.get(`/api/payments/${outNo}/history`)).status).toBe(403);
  });
});

describe('faults at the provider', () => {
  const inject = (op: string, fault: string) =>
    fetch(`${store.url}/sandbox/weishouyin/_admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ op, fault, count: 1 }),
    }).then((r) => expect(r.ok).toBe(true));

  it('a charge answered with broken XML is unknown, then resolved to paid by query', async () => {
    await inject('micropay', 'badxml');
    const outNo = newOutNo();
    const code = freshWechatCode();
    const r = await pay(code, 650, outNo);
    expect(r.body.status).toBe('unknown');
    expect((await settle(outNo, ['paid'])).amountFen).toBe(650);
    expect(await billsFor(code)).toHaveLength(1);
  });

  it('a refund whose answer was lost is confirmed from the provider\'s bill, not sent again', async () => {
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 500, outNo)).body.status).toBe('paid');
    await inject('refund', 'drop');
    const refundNo = newOutNo('R');
    const r = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 200 });
    expect(r.body).toMatchObject({ refundNo, status: 'unknown', refundableFen: 300 });
    await waitFor(() => store.ledger.getRefund(refundNo)?.status === 'refunded');
    expect((await cashier.get(`/api/payments/${outNo}`)).body.refundedFen).toBe(200);
    const ref = (await cashier.get(`/api/payments/${outNo}`)).body.providerRef as string;
    const bill = (await simBills()).find((b) => JSON.stringify(b).includes(`"${ref}"`)) as { refundedFen?: number };
    expect(bill.refundedFen).toBe(200);
  });

  it('a refund the provider never got is marked failed once its bill shows no such refund', async () => {
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 500, outNo)).body.status).toBe('paid');
    await inject('refund', 'hang');
    const refundNo = newOutNo('R');
    const r = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 500 });
    expect(r.body.status).toBe('unknown');
    await waitFor(() => store.ledger.getRefund(refundNo)?.status === 'failed');
    const p = (await cashier.get(`/api/payments/${outNo}`)).body;
    expect(p).toMatchObject({ status: 'paid', refundedFen: 0 });
    // The money is refundable again.
    const again = await manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 500 });
    expect(again.body).toMatchObject({ status: 'refunded', refundableFen: 0 });
  });
});

describe('reprint', () => {
  it('asks the provider\'s reprint interface for a paid payment\'s receipt', async () => {
    const outNo = newOutNo();
    const paid = (await pay(freshWechatCode(), 1234, outNo)).body;
    const r = await cashier.get(`/api/payments/${outNo}/receipt?reprint=1&format=text`);
    expect(r.status).toBe(200);
    expect(r.body).toContain(paid.providerRef.replace(/^dm/, ''));
    expect(r.body).toContain('12.34');
    const calls = store.ledger.calls(outNo).map((c) => c.op);
    expect(calls).toContain('reprint');
  });
});

describe('refund receipts', () => {
  it('prints the provider\'s own refund voucher (退款凭证) as it sent it', async () => {
    const outNo = newOutNo();
    expect((await pay(freshWechatCode(), 500, outNo)).body.status).toBe('paid');
    const refundNo = newOutNo('R');
    expect((await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 100 })).body.status).toBe('refunded');
    expect(store.ledger.getRefund(refundNo)!.printinfo).toBeTruthy();
    const text = (await cashier.get(`/api/payments/${outNo}/refunds/${refundNo}/receipt?format=text`)).body as string;
    expect(text).toContain('退款凭证');
    expect(text).toContain('-1.00');
    const bytes = (await cashier.get(`/api/payments/${outNo}/refunds/${refundNo}/receipt`)).body as Uint8Array;
    expect(new TextDecoder('gb18030').decode(bytes)).not.toContain('\u00a5');
  });
});
