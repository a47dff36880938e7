/**
 * The proxy on the all-in-one kiosk backend (kioskv5, seed 000) against its simulator over loopback:
 * barcode and QR payments, the fees kept in the ledger, and the pass card after a paid order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { newOutNo, pair, startTestStore, waitFor, type Client } from '../helpers/store.ts';

let store: RunningStore;
let cashier: Client;
let manager: Client;

beforeAll(async () => {
  store = await startTestStore({ providers: ['kioskv5'] });
  cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager');
});
afterAll(() => store?.close());

const code = (n: number) => `13${'0'.repeat(15)}${n}`;
const pay = (authCode: string, amountFen = 2300, outNo = newOutNo()) => cashier.post('/api/payments', { outNo, amountFen, authCode });
const settle = (outNo: string, statuses: string[]) =>
  waitFor(async () => {
    const r = await cashier.get(`/api/payments/${outNo}`);
    return statuses.includes(r.body.status) ? r.body : undefined;
  });

describe('kioskv5 payments', () => {
  it('offers WeChat and Alipay, barcode and QR', async () => {
    const ids = ((await cashier.get('/api/methods')).body as { id: string; kind: string }[]).map((m) => `${m.id}/${m.kind}`);
    expect(ids).toEqual(expect.arrayContaining(['kioskv5:312/barcode', 'kioskv5:210/barcode', 'kioskv5:312:qr/qr', 'kioskv5:210:qr/qr']));
  });

  it('pays a scanned code and keeps the backend\'s fees in the ledger, in fen', async () => {
    const outNo = newOutNo();
    const r = await pay(code(1), 23000, outNo);
    expect(r.body).toMatchObject({ status: 'paid', provider: 'kioskv5', amountFen: 23000 });
    const history = await manager.get(`/api/payments/${outNo}/history`);
    const d = history.body.details as Record<string, number>;
    expect(d.PayPrice).toBe(23000);
    expect(Number.isInteger(d.WithdrawFee) && d.WithdrawFee > 0).toBe(true);
    expect(d.RealPrice).toBe(d.PayPrice - d.WithdrawFee);
  });

  it('follows a pending record to paid, and a lost answer to paid once', async () => {
    const a = newOutNo();
    expect((await pay(code(2), 100, a)).body.status).toBe('paying');
    expect((await settle(a, ['paid'])).status).toBe('paid');
    const b = newOutNo();
    expect((await pay(code(4), 100, b)).body.status).toBe('unknown');
    expect((await settle(b, ['paid'])).status).toBe('paid');
    const records = (await (await fetch(`${store.url}/sandbox/kioskv5/_admin/records`)).json()) as { records: { Desc?: string }[] };
    expect(records.records.filter((x) => JSON.stringify(x).includes(b))).toHaveLength(1);
  });

  it('shows a decline, and a hang ends as not charged', async () => {
    const d = await pay(code(3), 100);
    expect(d.body.status).toBe('failed');
    expect(d.body.message).toContain('余额不足');
    const h = newOutNo();
    expect((await pay(code(5), 100, h)).body.status).toBe('unknown');
    expect((await settle(h, ['failed'])).status).toBe('failed');
  });

  it('QR: the customer scans the kiosk\'s code and pays', async () => {
    const outNo = newOutNo();
    const r = await cashier.post('/api/payments', { outNo, amountFen: 500, method: 'kioskv5:312:qr' });
    expect(r.body).toMatchObject({ status: 'paying', qrCode: expect.stringMatching(/^weixin:\/\//) });
    const id = r.body.providerRef as string;
    expect((await fetch(`${store.url}/sandbox/kioskv5/_admin/records/${id}/pay`, { method: 'POST' })).ok).toBe(true);
    expect((await settle(outNo, ['paid'])).status).toBe('paid');
  });
});

describe('pass cards (出门单)', () => {
  it('a paid order has a pass card, printable; an unpaid one has none', async () => {
    const outNo = newOutNo();
    expect((await pay(code(1), 800, outNo)).body.status).toBe('paid');
    const card = await cashier.get(`/api/payments/${outNo}/passcard`);
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({ code: expect.any(String), status: 'unused', outNo });
    const text = await cashier.get(`/api/payments/${outNo}/passcard/receipt?format=text`);
    expect(text.body).toContain('出门单');
    expect(text.body).toContain(card.body.code);
    const bytes = await cashier.get(`/api/payments/${outNo}/passcard/receipt`);
    expect(new TextDecoder('gb18030').decode(bytes.body as Uint8Array)).toContain('出门单');

    const unpaid = newOutNo();
    expect((await pay(code(6), 800, unpaid)).body.status).toBe('paying');
    expect((await cashier.get(`/api/payments/${unpaid}/passcard`)).status).toBe(404);
  });

  it('lists the shop\'s pass cards by status', async () => {
    const list = await cashier.get('/api/passcards?status=unused');
    expect(list.status).toBe(200);
    expect(list.body.cards.length).toBeGreaterThan(0);
    expect(list.body.cards.every((c: { status: string }) => c.status === 'unused')).toBe(true);
    expect((await cashier.get('/api/passcards?status=bogus')).status).toBe(400);
  });

  it('is unsupported in a store without the kiosk backend', async () => {
    const other = await startTestStore({ providers: ['weishouyin'] });
    try {
      const c = await pair(other);
      expect((await c.get('/api/passcards')).status).toBe(501);
    } finally {
      await other.close();
    }
  });
});
