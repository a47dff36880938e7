/**
 * The audit log over real HTTP: each money-moving action (and each change of who may act) leaves
 * exactly one row with who, which terminal, what, the amount in fen and the outcome; no row holds a
 * secret or a whole payment code; managers read it through GET /api/audit; nothing can change it.
 */
import { inspectRoutes } from 'hono/dev';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../proxy/app.ts';
import type { AuditRow } from '../../proxy/audit/log.ts';
import { configuredSecrets } from '../../proxy/config.ts';
import { EventBus } from '../../proxy/events/bus.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, freshWechatCode, newOutNo, pair, startTestStore, waitFor, type Client } from '../helpers/store.ts';

const SUPERVISOR = 'sup-secret-8841';
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

let store: RunningStore;
let cashier: Client;
let manager: Client;
/** Every token handed out and every payment code used: none may be in the log. */
const tokens: string[] = [];
const codes: string[] = [];

beforeAll(async () => {
  store = await startTestStore();
  cashier = await pair(store, 'cashier', '一号收银台');
  manager = await pair(store, 'manager', '店长平板');
  tokens.push(cashier.token, manager.token);
});
afterAll(() => store?.close());

const lastId = () => store.ledger.db.prepare('SELECT COALESCE(MAX(id), 0) FROM audit_log').pluck().get() as number;

/** The rows written since `after`, as the API shows them. */
async function rowsSince(after: number): Promise<AuditRow[]> {
  const r = await manager.get('/api/audit?pageSize=200');
  expect(r.status).toBe(200);
  return (r.body.items as AuditRow[]).filter((row) => row.id > after).reverse();
}

/** Runs `act` and returns the one row it left. */
async function oneRow(act: () => Promise<unknown>): Promise<AuditRow> {
  const before = lastId();
  await act();
  const rows = await rowsSince(before);
  expect(rows, JSON.stringify(rows)).toHaveLength(1);
  expect(Date.now() - Date.parse(rows[0].at)).toBeLessThan(10_000);
  return rows[0];
}

async function sale(client: Client, authCode: string, amountFen: number, outNo = newOutNo()) {
  codes.push(authCode);
  return client.post('/api/payments', { outNo, amountFen, authCode });
}

describe('one row per action', () => {
  it('pairing code made, terminal paired, terminal revoked', async () => {
    let code = '';
    const made = await oneRow(async () => {
      code = (await manager.post('/api/terminals/pairing-codes', { role: 'cashier' })).body.code;
    });
    expect(made).toMatchObject({ action: 'pairing_code.create', actorId: manager.terminalId, actorName: '店长平板', actorRole: 'manager', outcome: 'ok', detail: { role: 'cashier' } });
    expect(JSON.stringify(made)).not.toContain(code);

    let paired: { terminalId: string; token: string } = { terminalId: '', token: '' };
    const pairRow = await oneRow(async () => {
      const r = await fetch(`${store.url}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, name: '二号收银台' }) });
      paired = await r.json();
    });
    tokens.push(paired.token);
    expect(pairRow).toMatchObject({ action: 'terminal.pair', actorId: paired.terminalId, actorName: '二号收银台', actorRole: 'cashier', terminalId: paired.terminalId, outcome: 'ok', detail: { role: 'cashier', address: expect.any(String) } });

    const revoked = await oneRow(() => manager.post(`/api/terminals/${paired.terminalId}/revoke`));
    expect(revoked).toMatchObject({ action: 'terminal.revoke', actorId: manager.terminalId, actorRole: 'manager', terminalId: paired.terminalId, outcome: 'ok', detail: { name: '二号收银台', role: 'cashier' } });
    const self = await oneRow(() => manager.post(`/api/terminals/${manager.terminalId}/revoke`));
    expect(self).toMatchObject({ action: 'terminal.revoke', terminalId: manager.terminalId, outcome: 'revoke_self' });
  });

  it('payment created (once, however often it is sent), with the code masked', async () => {
    const outNo = newOutNo();
    const code = freshWechatCode();
    const row = await oneRow(() => sale(cashier, code, 1234, outNo));
    expect(row).toMatchObject({
      action: 'payment.create',
      actorId: cashier.terminalId,
      actorName: '一号收银台',
      actorRole: 'cashier',
      terminalId: cashier.terminalId,
      subject: outNo,
      amountFen: 1234,
      outcome: 'paid',
      detail: { provider: 'weishouyin', method: expect.stringContaining('weishouyin'), authCode: `**************${code.slice(-4)}` },
    });
    // The same outNo again is the same payment: no second row.
    const before = lastId();
    expect((await sale(cashier, code, 1234, outNo)).body.status).toBe('paid');
    expect(await rowsSince(before)).toEqual([]);
    // A declined one is recorded with its outcome.
    expect(await oneRow(() => sale(cashier, CODE.declined, 50))).toMatchObject({ action: 'payment.create', amountFen: 50, outcome: 'failed' });
  });

  it('payment cancelled by the cashier', async () => {
    const outNo = newOutNo();
    expect((await sale(cashier, CODE.passwordForever, 120, outNo)).body.status).toBe('paying');
    const row = await oneRow(() => cashier.post(`/api/payments/${outNo}/cancel`));
    expect(row).toMatchObject({ action: 'payment.cancel', actorId: cashier.terminalId, terminalId: cashier.terminalId, subject: outNo, amountFen: 120, outcome: 'failed' });
  });

  it('refund requested: by a manager, by a cashier with the supervisor password, refused — each with its outcome', async () => {
    const outNo = newOutNo();
    expect((await sale(cashier, freshWechatCode(), 1000, outNo)).body.status).toBe('paid');

    const refundNo = newOutNo('R');
    const byManager = await oneRow(() => manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 300, reason: '顾客退货' }));
    expect(byManager).toMatchObject({
      action: 'refund.request',
      actorId: manager.terminalId,
      actorRole: 'manager',
      terminalId: cashier.terminalId,
      subject: outNo,
      refundNo,
      amountFen: 300,
      outcome: 'refunded',
      detail: { authorizedBy: 'manager', reason: '顾客退货' },
    });

    const bySupervisor = await oneRow(() => cashier.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100, supervisorPassword: SUPERVISOR }));
    expect(bySupervisor).toMatchObject({ actorRole: 'cashier', amountFen: 100, outcome: 'refunded', detail: { authorizedBy: 'supervisor_password' } });

    const wrong = await oneRow(() => cashier.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100, supervisorPassword: 'a-wrong-guess' }));
    expect(wrong).toMatchObject({ action: 'refund.request', actorRole: 'cashier', amountFen: 100, outcome: 'supervisor_password_wrong' });
    expect(JSON.stringify(wrong)).not.toContain('a-wrong-guess');

    const over = await oneRow(() => manager.post(`/api/payments/${outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 9999 }));
    expect(over).toMatchObject({ amountFen: 9999, outcome: 'refund_exceeds' });
  });

  it('refund whose answer was lost: requested "unknown", then one row when the proxy confirms it', async () => {
    const outNo = newOutNo();
    expect((await sale(cashier, freshWechatCode(), 500, outNo)).body.status).toBe('paid');
    await fetch(`${store.url}/sandbox/weishouyin/_admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ op: 'refund', fault: 'drop', count: 1 }) });
    const refundNo = newOutNo('R');
    const before = lastId();
    expect((await manager.post(`/api/payments/${outNo}/refunds`, { refundNo, amountFen: 200 })).body.status).toBe('unknown');
    await waitFor(() => store.ledger.getRefund(refundNo)?.status === 'refunded');
    const rows = await rowsSince(before);
    expect(rows).toMatchObject([
      { action: 'refund.request', refundNo, amountFen: 200, outcome: 'unknown', actorRole: 'manager' },
      { action: 'refund.outcome', refundNo, amountFen: 200, outcome: 'refunded', actorRole: 'system', terminalId: cashier.terminalId, subject: outNo, detail: { requestedBy: manager.terminalId } },
    ]);
  });

  it('a late payment reversed by the proxy itself', async () => {
    const outNo = newOutNo();
    expect((await sale(cashier, CODE.passwordForever, 990, outNo)).body.status).toBe('paying');
    const closed = await waitFor(() => {
      const p = store.ledger.getPayment(outNo);
      return p?.status === 'failed' ? p : undefined;
    });
    const before = lastId();
    expect((await fetch(`${store.url}/sandbox/weishouyin/_admin/bills/${closed.providerRef}/pay`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => store.ledger.getPayment(outNo)?.status === 'refunded');
    const rows = await rowsSince(before);
    expect(rows).toMatchObject([{ action: 'refund.reversal', actorRole: 'system', terminalId: cashier.terminalId, subject: outNo, amountFen: 990, outcome: 'refunded' }]);
    expect(rows[0].actorId).toBeUndefined();
  });

  it('reconciliation run and auto flag; account changed; settlement voucher', async () => {
    const outNo = newOutNo();
    expect((await cashier.post('/api/payments', { outNo, amountFen: 777, method: 'mct1:Cash' })).body.status).toBe('paid');

    const run = await oneRow(() => manager.post('/pay/check_record/', { provider: 'mct1', day: today() }));
    expect(run).toMatchObject({ action: 'reconciliation.run', actorId: manager.terminalId, subject: expect.stringMatching(/^[0-9a-f]{32}$/), outcome: 'ok', detail: { provider: 'mct1', day: today(), rows: expect.any(Number) } });
    const future = await oneRow(() => manager.post('/pay/check_record/', { provider: 'mct1', day: '2999-01-01' }));
    expect(future).toMatchObject({ action: 'reconciliation.run', outcome: 'day_in_future' });

    const auto = await oneRow(() => manager.post('/pay/consume_order', { code: outNo, auto: false }));
    expect(auto).toMatchObject({ action: 'reconciliation.auto', subject: outNo, outcome: 'ok', detail: { auto: false } });

    const account = await oneRow(() => manager.post('/pay/account/', { provider: 'mct1', method: 2, name: '微信结算', account: '6222000011113333', period: 1 }));
    expect(account).toMatchObject({ action: 'settlement.account', outcome: 'ok', subject: expect.any(String), detail: { provider: 'mct1', account: '************3333', period: 1 } });

    const pending = (await manager.get('/pay/settlement/?state=1')).body.data.data as { code: string; total: number }[];
    const record = pending.find((s) => s.total > 0)!;
    expect(record).toBeTruthy();
    const form = new FormData();
    form.set('person', '店长');
    form.set('code', record.code);
    form.set('voucher', new Blob([PNG], { type: 'image/png' }), 'v.png');
    const voucher = await oneRow(() => fetch(`${store.url}/pay/settlement/`, { method: 'POST', headers: { authorization: `Bearer ${manager.token}` }, body: form }));
    expect(voucher).toMatchObject({ action: 'settlement.voucher', subject: record.code, amountFen: record.total, outcome: 'settled', detail: { person: '店长', mime: 'image/png', bytes: PNG.byteLength } });
  });
});

describe('what the log holds and who reads it', () => {
  it('holds no secret: no configured secret, no token, no whole payment code', () => {
    const dump = JSON.stringify(store.ledger.db.prepare('SELECT * FROM audit_log').all());
    expect(dump.length).toBeGreaterThan(1000);
    const secrets = [...configuredSecrets(store.config), SUPERVISOR, ...tokens, ...codes, '6222000011113333'];
    expect(secrets.length).toBeGreaterThan(8);
    for (const s of secrets) expect(dump, `found ${s.slice(0, 3)}…`).not.toContain(s);
  });

  it('pages and filters by action, terminal and time, newest first', async () => {
    const all = await manager.get('/api/audit?pageSize=200');
    expect(all.body.total).toBe(all.body.items.length);
    const ids = all.body.items.map((r: AuditRow) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const page2 = await manager.get('/api/audit?pageSize=2&page=2');
    expect(page2.body).toMatchObject({ total: all.body.total, page: 2, pageSize: 2, items: all.body.items.slice(2, 4) });

    const refunds = await manager.get('/api/audit?action=refund.request,refund.outcome');
    expect(refunds.body.total).toBeGreaterThan(3);
    expect(refunds.body.items.every((r: AuditRow) => r.action.startsWith('refund.'))).toBe(true);

    const mine = await manager.get(`/api/audit?terminal=${cashier.terminalId}&action=payment.create`);
    expect(mine.body.items.length).toBeGreaterThan(2);
    expect(mine.body.items.every((r: AuditRow) => r.actorId === cashier.terminalId)).toBe(true);

    expect((await manager.get(`/api/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.total).toBe(0);
    expect((await manager.get(`/api/audit?from=${today()}`)).body.total).toBe(all.body.total);
    expect((await manager.get('/api/audit?action=payment.delete')).body.error).toMatchObject({ code: 'query_invalid', message: expect.stringContaining('action') });
    expect((await manager.get('/api/audit?pageSize=0')).status).toBe(400);
    expect((await cashier.get('/api/audit')).status).toBe(403);
  });

  it('cannot be changed: no route writes it, and the database refuses UPDATE and DELETE', () => {
    const app = createApp({ ...store, bus: new EventBus(), sandbox: store.sandbox });
    const auditRoutes = inspectRoutes(app).filter((r) => !r.isMiddleware && r.path.includes('audit'));
    expect(auditRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/audit']);

    const db = store.ledger.db;
    const count = () => db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get();
    const n = count();
    expect(() => db.prepare("UPDATE audit_log SET outcome = 'ok'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)').run()).toThrow(/append-only/);
    expect(count()).toBe(n);
  });
});
