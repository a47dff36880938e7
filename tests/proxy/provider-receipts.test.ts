/**
 * 微收银's print templates over real HTTP against the simulator: with `noremind` the answers carry
 * no printinfo, so the paid receipt is the config's payremind_template filled by the proxy; and a
 * bill before payment (POST /api/bills/receipt) ends with the config's qrcode_template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { qrCommand } from '../../proxy/receipt/escpos.ts';
import { CODE, freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let till: Client;

beforeAll(async () => {
  store = await startTestStore({ providers: ['weishouyin'], weishouyin: { ver: 'V1.01', noremind: true } });
  till = await pair(store, 'cashier', '1号收银台');
});
afterAll(() => store?.close());

describe('the provider receipt from payremind_template (微收银, noremind)', () => {
  it('prints the 微信支付凭证 filled by the proxy: 凭证号, 账单号, 操作员, time and amount', async () => {
    const outNo = newOutNo();
    const paid = await till.post('/api/payments', { outNo, amountFen: 2350, authCode: freshWechatCode() });
    expect(paid.body).toMatchObject({ status: 'paid' });
    // The answers carried no printinfo (the simulator honours noremind).
    const stored = store.ledger.getPayment(outNo)!;
    expect(stored.printinfo).toBeUndefined();

    const text = (await till.get(`/api/payments/${outNo}/receipt?format=text`)).body as string;
    const lines = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toContain('微信支付凭证');
    expect(lines).toContain(`凭 证 号: ${stored.providerRef!.replace(/^dm/, '')}`);
    expect(lines).toContain(`账 单 号: ${outNo}`);
    expect(lines).toContain('操 作 员: 1号收银台');
    expect(lines).toContain('消费金额: ￥23.50');
    expect(lines.some((l) => l.startsWith('就餐桌台'))).toBe(false);
    expect(lines.find((l) => l.startsWith('付款时间'))).toMatch(/^付款时间: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const bytes = (await till.get(`/api/payments/${outNo}/receipt`)).body as Uint8Array;
    const decoded = new TextDecoder('gb18030').decode(bytes);
    expect(decoded).toContain('微信支付凭证');
    expect(decoded).not.toContain('\u00a5');
    expect([...bytes.slice(0, 4)]).toEqual([0x1b, 0x40, 0x1c, 0x26]);
  });

  it('a payment that did not go through gets our own receipt, not a payment voucher', async () => {
    const outNo = newOutNo();
    const failed = await till.post('/api/payments', { outNo, amountFen: 100, authCode: CODE.declined });
    expect(failed.body).toMatchObject({ status: 'failed' });
    const text = (await till.get(`/api/payments/${outNo}/receipt?format=text`)).body as string;
    expect(text).not.toContain('微信支付凭证');
    expect(text).toContain('支付失败');
  });
});

describe('a bill before payment (POST /api/bills/receipt)', () => {
  const items = [
    { name: '双汇王中王80克', barcode: '6902890227670', unitFen: 280, quantity: 2 },
    { name: '可口可乐330毫升', barcode: '6945678901232', unitFen: 300, quantity: 1 },
  ];

  it("lists the lines and the total, says it is not a receipt, and ends with 微收银's qrcode_template", async () => {
    const res = await till.post('/api/bills/receipt?format=text', { amountFen: 860, items });
    expect(res.status).toBe(200);
    const text = (res.body as string).replace(/[ \t]+/g, ' ');
    expect(text).toContain('预结单');
    expect(text).toContain('双汇王中王80克');
    expect(text).toContain('2 x 2.80 = 5.60');
    expect(text).toContain('合 计: ￥8.60');
    expect(text).toContain('此单不是付款凭证');
    expect(text).toContain('感谢您的光临');
    expect(text).toContain('微信扫一扫');
    const billNo = /账单编号: ?(YJ\d{14}\w{4})/.exec(text)?.[1];
    expect(billNo).toBeTruthy();

    const bytes = await till.post('/api/bills/receipt', { amountFen: 860, items });
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    const no = bytes.headers.get('x-bill-no')!;
    const decoded = new TextDecoder('gb18030').decode(bytes.body as Uint8Array);
    expect(decoded).toContain(qrCommand(no));
    expect(decoded).toContain('￥ 8.60'.replace(' ', ''));
  });

  it('refuses an amount that is not the total of the lines, and a bad amount', async () => {
    expect((await till.post('/api/bills/receipt', { amountFen: 861, items })).body).toMatchObject({ error: { code: 'amount_mismatch' } });
    expect((await till.post('/api/bills/receipt', { amountFen: 0 })).status).toBe(400);
    expect((await till.post('/api/bills/receipt', { amountFen: 1.5 })).status).toBe(400);
    expect((await till.post('/api/bills/receipt', { items: [{ name: '', unitFen: 1, quantity: 1 }] })).body).toMatchObject({ error: { code: 'items_invalid' } });
  });

  it('needs a paired terminal', async () => {
    const res = await fetch(`${store.url}/api/bills/receipt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amountFen":100}' });
    expect(res.status).toBe(401);
  });
});
