/**
 * The posmini simulator on its own (app.request, no network): the seed's request samples, the
 * model checks ASP.NET would make, content negotiation, answer shapes, the back office, persistence.
 * The client-side behaviour over HTTP is in client.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptCode } from '../../../../proxy/providers/posmini/crypto.ts';
import { POSMINI_SANDBOX_CODES as CODES, SANDBOX_BILLS, SANDBOX_SESSION, createPosMiniSimulator } from '../../../../proxy/providers/posmini/simulator.ts';

const PAY = '/api/Pos/MiniProgram/Busi/Sell/Pay/WithWechat/Barcode';
const QUERY = '/api/Pos/MiniProgram/Busi/Sell/Pay/Query';
const BILL = '/api/Pos/MiniProgram/Busi/Sell/Bill/Get';
const AUTH = { authorization: `Bearer ${(SANDBOX_SESSION.auth as { token: string }).token}` };
const PARM = 'http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Parm';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/posmini', name), 'utf8');
const cipher = (code: string) => encryptCode(code, SANDBOX_SESSION.loginPassword);
const tmp = mkdtempSync(join(tmpdir(), 'posmini-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Sim = ReturnType<typeof createPosMiniSimulator>;

async function post(sim: Sim, path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return sim.app.request(path, { method: 'POST', headers: { ...AUTH, ...headers }, body });
}
const json = (sim: Sim, path: string, body: object | string, accept = 'application/json') =>
  post(sim, path, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json', accept });
const xml = (sim: Sim, path: string, body: string, accept = 'application/xml') => post(sim, path, body, { 'content-type': 'application/xml', accept });
const payXml = (billnum: string, value: string, code: string) =>
  `<PosSellPayWithWechatBarcodeParm xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="${PARM}"><billnum>${billnum}</billnum><paymentvalue>${value}</paymentvalue><wechatbarcode>${cipher(code)}</wechatbarcode></PosSellPayWithWechatBarcodeParm>`;

describe('posmini simulator: requests as the seed prints them', () => {
  it('the seed\'s JSON and XML request samples are valid requests (their bill does not exist)', async () => {
    const sim = createPosMiniSimulator();
    const j = await json(sim, PAY, fixture('pay-request.json'));
    expect(j.status).toBe(200);
    expect(await j.text()).toBe('{"errcode":-1,"errmsg":"售货单不存在","tag":null}');
    const x = await xml(sim, PAY, fixture('pay-request.xml'));
    expect(x.status).toBe(200);
    expect(x.headers.get('content-type')).toContain('application/xml');
    expect(await x.text()).toBe(
      [
        '<CommonOperationResultWithTagOfPosSellPaymentResultldpHZqFJ xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer">',
        '<errcode>-1</errcode>',
        '<errmsg>售货单不存在</errmsg>',
        '<tag i:nil="true" />',
        '</CommonOperationResultWithTagOfPosSellPaymentResultldpHZqFJ>',
      ].join('\r\n'),
    );
  });

  it('answers in the seed\'s shapes: JSON key order; XML tag children d2p1:, alphabetical like the sample', async () => {
    const sim = createPosMiniSimulator();
    const j = await (await json(sim, PAY, { billnum: 'SB-1003', wechatbarcode: cipher(CODES.paid), paymentvalue: 0.29 })).text();
    expect(j).toMatch(/^\{"errcode":0,"errmsg":"收款成功","tag":\{"billnum":"SB-1003","autoid":1001,"billpaystate":"3"\}\}$/);
    const x = await (await xml(sim, PAY, payXml('SB-1005', '1.35', CODES.paid))).text();
    expect(x).toContain('<tag xmlns:d2p1="http://schemas.datacontract.org/2004/07/DigitalScience.DataTransfer.Tour.V5.Result">\r\n<d2p1:autoid>1002</d2p1:autoid>\r\n<d2p1:billnum>SB-1005</d2p1:billnum>\r\n<d2p1:billpaystate>2</d2p1:billpaystate>\r\n</tag>');
    const q = await (await xml(sim, QUERY, `<PosSellPayQueryParm xmlns="${PARM}"><autoid>1002</autoid><billnum>SB-1005</billnum></PosSellPayQueryParm>`)).text();
    expect(q).toMatch(/^<CommonOperationResultWithTagOfPosSellPayQueryResultldpHZqFJ /);
    expect(q.match(/<d2p1:(\w+)>/g)).toEqual(['<d2p1:autoid>', '<d2p1:billnum>', '<d2p1:billpaid>', '<d2p1:billpaystate>', '<d2p1:billtotal>', '<d2p1:paymentvalue>', '<d2p1:paystate>']);
    expect(q).toContain('<d2p1:billpaid>1.35</d2p1:billpaid>');
    expect(q).toContain('<d2p1:billtotal>4.35</d2p1:billtotal>');
    const b = await (await json(sim, BILL, { billnum: 'SB-1005' })).text();
    expect(b).toBe('{"errcode":0,"errmsg":"","tag":{"billnum":"SB-1005","billtotal":4.35,"billpaid":1.35,"billpaystate":"2"}}');
  });

  it('amounts read exactly: a number or a string, at most two decimals (trailing zeros allowed)', async () => {
    const sim = createPosMiniSimulator();
    let n = 0;
    const pay = (value: string) => json(sim, PAY, `{"billnum":"SB-1004","wechatbarcode":"${cipher(`14${String(++n).padStart(16, '0')}`)}","paymentvalue":${value}}`).then((r) => r.text());
    expect(await pay('4.35')).toMatch(/"errcode":0/);
    expect(await pay('"12.34"')).toMatch(/"errcode":0/);
    expect(await pay('0.290')).toMatch(/"errcode":0/);
    expect(await pay('0.295')).toBe('{"errcode":-1,"errmsg":"支付金额错误","tag":null}');
    expect(await pay('0')).toBe('{"errcode":-1,"errmsg":"支付金额错误","tag":null}');
    expect(await pay('-1.00')).toBe('{"errcode":-1,"errmsg":"支付金额错误","tag":null}');
    const view = (await (await sim.app.request('/_admin/bills/SB-1004')).json()) as { bill: { paidFen: number } };
    expect(view.bill.paidFen).toBe(435 + 1234 + 29);
  });

  it('model errors are HTTP 400 (as ASP.NET), in the format asked for', async () => {
    const sim = createPosMiniSimulator();
    const base = { billnum: 'SB-1001', wechatbarcode: cipher(CODES.paid), paymentvalue: 1 };
    for (const body of [{ ...base, billnum: 'B'.repeat(21) }, { ...base, billnum: undefined }, { ...base, wechatbarcode: 'x'.repeat(257) }, { ...base, paymentvalue: 'abc' }, { ...base, paymentvalue: undefined }]) {
      const res = await json(sim, PAY, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ Message: expect.stringContaining('The request is invalid.') });
    }
    expect((await json(sim, PAY, '{not json')).status).toBe(400);
    // XML: elements out of the contract's order are skipped, so a required one goes missing.
    const swapped = `<PosSellPayWithWechatBarcodeParm xmlns="${PARM}"><paymentvalue>1</paymentvalue><billnum>SB-1001</billnum><wechatbarcode>${cipher(CODES.paid)}</wechatbarcode></PosSellPayWithWechatBarcodeParm>`;
    const res = await xml(sim, PAY, swapped);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^<Error><Message>The request is invalid\. The (billnum|paymentvalue) field is required\.<\/Message><\/Error>$/);
    expect((await xml(sim, PAY, payXml('SB-1001', '1', CODES.paid).replace(PARM, 'http://example.com/other'))).status).toBe(400);
    expect((await xml(sim, PAY, `<!DOCTYPE x [<!ENTITY e "e">]>${payXml('SB-1001', '1', CODES.paid)}`)).status).toBe(400);
    expect((await post(sim, PAY, 'billnum=SB-1001', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect(((await (await sim.app.request('/_admin/bills/SB-1001')).json()) as { payments: unknown[] }).payments).toEqual([]);
  });

  it('content negotiation: Accept first, else the request\'s Content-Type', async () => {
    const sim = createPosMiniSimulator();
    const body = { billnum: 'NOPE' };
    expect(await (await json(sim, BILL, body, 'application/xml')).text()).toMatch(/^<CommonOperationResultWithTagOfPosSellBillResultldpHZqFJ /);
    expect(await (await json(sim, BILL, body, 'text/xml, application/json')).text()).toMatch(/^</);
    expect(await (await json(sim, BILL, body, '*/*')).text()).toMatch(/^\{/);
    const x = `<PosSellBillGetParm xmlns="${PARM}"><billnum>NOPE</billnum></PosSellBillGetParm>`;
    expect(await (await xml(sim, BILL, x, 'application/json')).text()).toBe('{"errcode":-1,"errmsg":"售货单不存在","tag":null}');
    expect(await (await xml(sim, BILL, x, '')).text()).toMatch(/^</);
  });

  it('the session: 401 without it or with another token, in the format asked for', async () => {
    const sim = createPosMiniSimulator();
    const none = await sim.app.request(BILL, { method: 'POST', headers: { 'content-type': 'application/xml', accept: 'application/xml' }, body: '<x/>' });
    expect(none.status).toBe(401);
    expect(await none.text()).toBe('<Error><Message>Authorization has been denied for this request.</Message></Error>');
    const other = await sim.app.request(BILL, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer other' }, body: '{}' });
    expect(other.status).toBe(401);
    expect(await other.json()).toEqual({ Message: 'Authorization has been denied for this request.' });
  });

  it('a code that does not decrypt, or is not a WeChat code: errcode -1, nothing recorded', async () => {
    const sim = createPosMiniSimulator();
    const send = (wechatbarcode: string) => json(sim, PAY, { billnum: 'SB-1001', wechatbarcode, paymentvalue: 1 }).then((r) => r.json());
    expect(await send('130000000000000001')).toEqual({ errcode: -1, errmsg: '付款码解密失败，请使用当前会话的密钥加密', tag: null });
    expect(await send(encryptCode(CODES.paid, 'another password'))).toMatchObject({ errcode: -1, errmsg: expect.stringContaining('解密失败') });
    expect(await send(cipher('280000000000000001'))).toEqual({ errcode: -1, errmsg: '不是有效的微信付款码', tag: null });
    expect(sim.state.payments).toEqual({});
  });

  it('query by code needs the same key; unknown payment, unknown bill, autoid of another bill', async () => {
    const sim = createPosMiniSimulator();
    await json(sim, PAY, { billnum: 'SB-1001', wechatbarcode: cipher(CODES.paid), paymentvalue: 1 });
    const q = (body: object) => json(sim, QUERY, body).then((r) => r.json());
    expect(await q({ billnum: 'SB-1001', wechatbarcode: cipher(CODES.paid) })).toMatchObject({ errcode: 0, tag: { autoid: 1001, paystate: '1' } });
    expect(await q({ billnum: 'SB-1001', wechatbarcode: cipher(CODES.declined) })).toEqual({ errcode: -1, errmsg: '付款记录不存在', tag: null });
    expect(await q({ billnum: 'SB-1002', autoid: 1001 })).toEqual({ errcode: -1, errmsg: '付款记录不存在', tag: null });
    expect(await q({ billnum: 'NOPE', autoid: 1001 })).toEqual({ errcode: -1, errmsg: '售货单不存在', tag: null });
    expect((await json(sim, QUERY, { billnum: 'SB-1001' })).status).toBe(400);
  });
});

describe('posmini simulator: back office, persistence, faults', () => {
  it('bills: create (generated or given number), 400/409/404, sandbox-labelled', async () => {
    const sim = createPosMiniSimulator();
    const create = (body: unknown) => sim.app.request('/_admin/bills', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const made = await create({ totalFen: 999 });
    expect(made.status).toBe(201);
    expect(made.headers.get('x-sandbox')).toBe('posmini');
    expect(await made.json()).toMatchObject({ sandbox: true, bill: { billnum: expect.stringMatching(/^SB-\d+$/), totalFen: 999, balanceFen: 999, billpaystate: '1' } });
    expect((await create({ billnum: 'SB-1001', totalFen: 1 })).status).toBe(409);
    expect((await create({ billnum: 'has space', totalFen: 1 })).status).toBe(400);
    expect((await create({ billnum: 'OK-1', totalFen: 1.5 })).status).toBe(400);
    expect((await create({ billnum: 'OK-1', totalFen: 0 })).status).toBe(400);
    expect((await sim.app.request('/_admin/bills/none')).status).toBe(404);
    expect((await sim.app.request('/_admin/payments/1')).status).toBe(404);
    expect((await sim.app.request('/_admin/payments/1/pay', { method: 'POST' })).status).toBe(404);
    const list = (await (await sim.app.request('/_admin/bills')).json()) as { bills: { billnum: string }[] };
    expect(list.bills.map((b) => b.billnum)).toEqual([...SANDBOX_BILLS.map((b) => b.billnum), expect.any(String)]);
  });

  it('persists to a file (no full payment codes in it), survives a restart, resets', async () => {
    const stateFile = join(tmp, 'state.json');
    const one = createPosMiniSimulator({ stateFile });
    await json(one, PAY, { billnum: 'SB-1002', wechatbarcode: cipher(CODES.paid), paymentvalue: 10 });
    await json(one, PAY, { billnum: 'SB-1002', wechatbarcode: cipher('141234567890123456'), paymentvalue: 5.5 });
    const saved = readFileSync(stateFile, 'utf8');
    expect(saved).not.toContain(CODES.paid);
    expect(saved).not.toContain('141234567890123456');
    expect(saved).toContain('**************3456');

    const two = createPosMiniSimulator({ stateFile });
    expect(await (await json(two, BILL, { billnum: 'SB-1002' })).json()).toMatchObject({ tag: { billpaid: 15.5, billpaystate: '2' } });
    // The same code on the same bill with the same amount: the same payment, after a restart too.
    expect(await (await json(two, PAY, { billnum: 'SB-1002', wechatbarcode: cipher(CODES.paid), paymentvalue: 10 })).json()).toMatchObject({ errcode: 0, tag: { autoid: 1001 } });
    expect(await (await json(two, PAY, { billnum: 'SB-1002', wechatbarcode: cipher(CODES.password), paymentvalue: 1 })).json()).toMatchObject({ errcode: 1, tag: { autoid: 1003 } });
    const reset = await two.app.request('/_admin/reset', { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ nextAutoid: 1001, payments: {} });
  });

  it('faults: validation; drop without a Node socket hangs (then 504); stop() ends hanging requests', async () => {
    const sim = createPosMiniSimulator({ hangMs: 40 });
    const fault = (body: unknown) => sim.app.request('/_admin/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await fault({ op: 'refund', fault: 'hang' })).status).toBe(400);
    expect((await fault({ op: 'pay', fault: 'errcode' })).status).toBe(400);
    expect((await fault({ op: 'pay', fault: 'hang', count: 0 })).status).toBe(400);
    expect((await fault({ op: 'pay', fault: 'drop' })).status).toBe(201);
    const started = Date.now();
    const lost = await json(sim, PAY, { billnum: 'SB-1003', wechatbarcode: cipher(CODES.paid), paymentvalue: 0.29 });
    expect(lost.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    // Executed all the same.
    expect(((await (await sim.app.request('/_admin/bills/SB-1003')).json()) as { bill: { billpaystate: string } }).bill.billpaystate).toBe('3');
    expect((await sim.app.request('/_admin/faults', { method: 'DELETE' })).status).toBe(200);

    const slow = createPosMiniSimulator({ hangMs: 60_000 });
    const pending = json(slow, PAY, { billnum: 'SB-1001', wechatbarcode: cipher(CODES.hang), paymentvalue: 1 });
    await new Promise((r) => setTimeout(r, 20));
    slow.stop();
    expect((await pending).status).toBe(504);
    expect(slow.state.payments).toEqual({});
  });

  it('refuses oversize request bodies', async () => {
    const sim = createPosMiniSimulator();
    const res = await json(sim, PAY, '{"billnum":"' + 'x'.repeat(70 * 1024) + '"}');
    expect(res.status).toBe(413);
  });
});
