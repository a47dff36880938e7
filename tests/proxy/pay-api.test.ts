/**
 * seed 002's back office over real HTTP: reconciliation runs against the sandboxes' day bills with
 * known discrepancies (each classified), repeatable runs, carrying a payment over midnight, the
 * order list with statistics and the auto flag, order details, accounts, settlement with a voucher,
 * the daily job, and the manager role on every path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../proxy/audit/log.ts';
import { flushDeferred } from '../../proxy/ledger/db.ts';
import { DailyReconciliation } from '../../proxy/reconciliation/daily-job.ts';
import { ISSUE } from '../../proxy/reconciliation/match.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { CODE, freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let cashier: Client;
let manager: Client;

beforeAll(async () => {
  store = await startTestStore({ providers: ['weishouyin', 'mct1'], reconciliation: { carryWindowMs: 30 * 60_000, dailyAt: '' } });
  cashier = await pair(store, 'cashier');
  manager = await pair(store, 'manager', '店长');
});
afterAll(() => store?.close());

const DAY_MS = 86_400_000;
const chinaDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const today = () => chinaDay(Date.now());
const yesterday = () => chinaDay(Date.now() - DAY_MS);

async function pay(amountFen: number, method = 'mct1:Weixin', authCode = freshWechatCode()): Promise<{ outNo: string; status: string; providerRef?: string }> {
  const r = await cashier.post('/api/payments', { outNo: newOutNo(), amountFen, method, authCode });
  return r.body;
}
const plant = (provider: string, body: unknown) =>
  fetch(`${store.url}/sandbox/${provider}/_admin/discrepancies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    expect(r.status, await r.clone().text()).toBe(201);
  });
const clearPlants = (provider: string) => fetch(`${store.url}/sandbox/${provider}/_admin/discrepancies`, { method: 'DELETE' });
const reconcile = (provider: string, day: string) => manager.post('/pay/check_record/', { provider, day });
const bills = (code: string) => manager.get(`/pay/check_bills?code=${code}`);
const itemsRows = (code: string) => store.ledger.db.prepare('SELECT COUNT(*) FROM recon_items WHERE odd_id = ?').pluck().get(code) as number;
const reconStatus = (outNo: string) => store.recon.statusOf(outNo)!.status;

describe('the manager role', () => {
  const paths: [string, string][] = [
    ['GET', '/pay/consume_order'],
    ['POST', '/pay/consume_order'],
    ['GET', '/pay/order_details?code=x&pay_way=2'],
    ['GET', '/pay/check_record/'],
    ['POST', '/pay/check_record/'],
    ['GET', '/pay/check_bills?code=x'],
    ['GET', '/pay/account/'],
    ['POST', '/pay/account/'],
    ['GET', '/pay/settlement/'],
    ['POST', '/pay/settlement/'],
    ['GET', '/pay/settlement/voucher?code=x'],
  ];
  it.each(paths)('%s %s: 403 for a cashier, 401 without a token', async (method, path) => {
    const r = method === 'GET' ? await cashier.get(path) : await cashier.post(path, {});
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ error: { code: 'forbidden' } });
    expect((await fetch(`${store.url}${path}`, { method })).status).toBe(401);
  });
});

describe('a reconciliation run of mct1 with known discrepancies', () => {
  const o: Record<string, { outNo: string; status: string; providerRef?: string }> = {};
  let runCode = '';

  beforeAll(async () => {
    for (const [name, fen] of [['normal', 1000], ['dropped', 700], ['offByOne', 1234], ['refundUnknown', 900], ['refunded', 500]] as const) {
      o[name] = await pay(fen);
      expect(o[name].status).toBe('paid');
    }
    o.failed = await pay(300, 'mct1:Weixin', CODE.declined);
    const refund = await manager.post(`/api/payments/${o.refunded.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 200 });
    expect(refund.body.status).toBe('refunded');
    await plant('mct1', {
      reset: true,
      drop: [o.dropped.outNo],
      amountOff: [{ outNo: o.offByOne.outNo, deltaFen: 1 }],
      unrecordedRefund: [{ outNo: o.refundUnknown.outNo, amountFen: 100 }],
      extra: [{ amountFen: 777, outNo: 'STRANGER1' }],
    });
    const r = await reconcile('mct1', today());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    runCode = r.body.data.code;
  });
  afterAll(() => clearPlants('mct1'));

  it('classifies each order, in plain words, with the seed\'s issue codes', async () => {
    const { body } = await bills(runCode);
    expect(body).toMatchObject({ code: 200, state: 0 });
    const grid = body.data.grid as { out_trade_no: string; issue: number; note: string; pay_money: number }[];
    const issue = (outNo: string) => grid.find((g) => g.out_trade_no === outNo)?.issue;
    expect(issue(o.normal.outNo)).toBe(ISSUE.normal);
    expect(issue(o.dropped.outNo)).toBe(ISSUE.short);
    expect(issue(o.offByOne.outNo)).toBe(ISSUE.abnormal);
    expect(issue(o.refundUnknown.outNo)).toBe(ISSUE.abnormal);
    expect(issue(o.refunded.outNo)).toBe(ISSUE.refunded);
    expect(issue('STRANGER1')).toBe(ISSUE.long);
    expect(issue(o.failed.outNo)).toBeUndefined();
    const note = (outNo: string) => grid.find((g) => g.out_trade_no === outNo)!.note;
    expect(note(o.dropped.outNo)).toContain('短款');
    expect(note(o.offByOne.outNo)).toContain('¥12.35');
    expect(note('STRANGER1')).toContain('长款');
    // Orders get their reconciliation_status.
    expect(reconStatus(o.normal.outNo)).toBe(1);
    expect(reconStatus(o.refunded.outNo)).toBe(1);
    expect(reconStatus(o.dropped.outNo)).toBe(3);
    expect(reconStatus(o.offByOne.outNo)).toBe(3);
    expect(reconStatus(o.failed.outNo)).toBe(2);
  });

  it('has header figures that add up to the fen', async () => {
    const { body } = await bills(runCode);
    const [h] = body.data.header;
    const grid = body.data.grid as { issue: number; pay_money: number }[];
    const good = grid.filter((g) => [ISSUE.normal, ISSUE.refunded, ISSUE.reversed].includes(g.issue as 4));
    expect(h.always_singular).toBe(grid.length);
    expect(h.total).toBe(grid.reduce((s, g) => s + g.pay_money, 0));
    expect(h.singular_success).toBe(good.length);
    expect(h.singular_amount).toBe(good.reduce((s, g) => s + g.pay_money, 0));
    expect(h.abnormal_singular + h.singular_success).toBe(h.always_singular);
    expect(h.abnormal_amount + h.singular_amount).toBe(h.total);
    expect(h.person).toBe('店长');
    expect(h.start_time).toBe(`${today()}T00:00:00.000000`);
  });

  it('gives the same result and no duplicate rows when the day is run again', async () => {
    const before = (await bills(runCode)).body.data.grid.map((g: { code: string; issue: number }) => [g.code, g.issue]);
    const rows = itemsRows(runCode);
    const again = await reconcile('mct1', today());
    expect(again.body.data.code).toBe(runCode);
    expect(itemsRows(runCode)).toBe(rows);
    const after = (await bills(runCode)).body.data.grid.map((g: { code: string; issue: number }) => [g.code, g.issue]);
    expect(after.sort()).toEqual(before.sort());
    const records = (await manager.get('/pay/check_record/')).body.data.data.filter((r: { code: string }) => r.code === runCode);
    expect(records).toHaveLength(1);
  });

  it('order details: our bill, the provider\'s line and the note', async () => {
    const r = await manager.get(`/pay/order_details?code=${o.offByOne.outNo}&pay_way=2`);
    expect(r.status).toBe(200);
    const { bill_data, third_bill, bill_info } = r.body.data;
    expect(bill_data[0]).toMatchObject({ code: o.offByOne.outNo, total_fee: 1234, reconciliation_status: 3, pay_method: 2, status: 2, platform_code: o.offByOne.providerRef });
    expect(third_bill).toMatchObject({ total_money: 1235, out_trade_no: o.offByOne.providerRef });
    expect(bill_info).toMatchObject({ odd_id: runCode, issue: ISSUE.abnormal, admin: '店长' });
    expect((await manager.get(`/pay/order_details?code=${o.offByOne.outNo}&pay_way=3`)).status).toBe(404);
    expect((await manager.get(`/pay/order_details?code=${o.offByOne.outNo}`)).status).toBe(400);
  });

  it('the order list: statistics, filters, the auto toggle', async () => {
    const all = await manager.get('/pay/consume_order?page_size=500');
    expect(all.body.code).toBe(200);
    const { statistics, order } = all.body.data;
    const rows = store.ledger.db.prepare('SELECT amount_fen, reconciliation_status FROM payments').all() as { amount_fen: number; reconciliation_status: number }[];
    expect(statistics.order_num).toBe(rows.length);
    expect(statistics.count_price.total_fee__sum).toBe(rows.reduce((s, r) => s + r.amount_fen, 0));
    expect(statistics.success_bill).toBe(rows.filter((r) => r.reconciliation_status === 1).length);
    expect(statistics.fail_bill).toBe(rows.filter((r) => r.reconciliation_status === 3).length);
    expect(order.num).toBe(rows.length);

    const abnormal = await manager.get('/pay/consume_order?reconciliation_status=3');
    expect(abnormal.body.data.order.data.map((x: { code: string }) => x.code).sort()).toEqual([o.dropped.outNo, o.offByOne.outNo, o.refundUnknown.outNo].sort());
    const range = await manager.get('/pay/consume_order?total_fee__gte=1000&total_fee__lte=1234');
    expect(range.body.data.order.data.every((x: { total_fee: number }) => x.total_fee >= 1000 && x.total_fee <= 1234)).toBe(true);
    const byCode = await manager.get(`/pay/consume_order?code=${o.normal.outNo}`);
    expect(byCode.body.data.order.data).toEqual([
      expect.objectContaining({ code: o.normal.outNo, total_fee: 1000, pay_method: 2, reconciliation_status: 1, auto: true, merchant__name: store.config.storeName }),
    ]);
    expect((await manager.get(`/pay/consume_order?pay_method=1&code=${o.failed.outNo}`)).body.data.order.num).toBe(1);
    expect((await manager.get('/pay/consume_order?merchant__name=别家')).body.data.order.num).toBe(0);
    expect((await manager.get('/pay/consume_order?reconciliation_status=9')).status).toBe(400);

    const off = await manager.post('/pay/consume_order', { code: o.normal.outNo, auto: false });
    expect(off.body).toMatchObject({ code: 200, data: { auto: false } });
    expect((await manager.get(`/pay/consume_order?code=${o.normal.outNo}`)).body.data.order.data[0].auto).toBe(false);
    expect((await manager.post('/pay/consume_order', { code: 'NOSUCH', auto: true })).status).toBe(404);
    expect((await manager.post('/pay/consume_order', { code: o.normal.outNo, auto: 'maybe' })).status).toBe(400);
    await manager.post('/pay/consume_order', { code: o.normal.outNo, auto: true });
  });
});

describe('微收银 (no day list): what can be read is reconciled', () => {
  it('a missing bill is short, an amount off is abnormal; an extra cannot show', async () => {
    const a = await pay(1100, 'weishouyin:o2o_dm_code_wxpaysub');
    const b = await pay(1200, 'weishouyin:o2o_dm_code_wxpaysub');
    const c = await pay(1300, 'weishouyin:o2o_dm_code_wxpaysub');
    await plant('weishouyin', { reset: true, drop: [b.providerRef], amountOff: [{ dmId: c.providerRef, deltaFen: 1 }] });
    try {
      const r = await reconcile('weishouyin', today());
      expect(r.body.data.complete).toBe(false);
      const grid = (await bills(r.body.data.code)).body.data.grid as { out_trade_no: string; issue: number }[];
      const issue = (outNo: string) => grid.find((g) => g.out_trade_no === outNo)?.issue;
      expect(issue(a.outNo)).toBe(ISSUE.normal);
      expect(issue(b.outNo)).toBe(ISSUE.short);
      expect(issue(c.outNo)).toBe(ISSUE.abnormal);
    } finally {
      await clearPlants('weishouyin');
    }
  });
});

describe('a payment just before midnight that the provider books the next day', () => {
  it('is carried to the next day\'s run, not a discrepancy, and reconciled there', async () => {
    const late = await pay(4200);
    // Our books: paid at 23:50 yesterday (China time); the provider booked it today.
    const b = Date.parse(`${today()}T00:00:00+08:00`);
    store.ledger.db.prepare('UPDATE payments SET paid_at = ?, created_at = ? WHERE out_no = ?').run(new Date(b - 10 * 60_000).toISOString(), new Date(b - 11 * 60_000).toISOString(), late.outNo);

    const y = await reconcile('mct1', yesterday());
    expect(y.status, JSON.stringify(y.body)).toBe(200);
    expect(y.body.data.carried).toBe(1);
    const yGrid = (await bills(y.body.data.code)).body.data.grid as { out_trade_no: string }[];
    expect(yGrid.map((g) => g.out_trade_no)).not.toContain(late.outNo);
    expect(reconStatus(late.outNo)).toBe(2);

    const t = await reconcile('mct1', today());
    const tGrid = (await bills(t.body.data.code)).body.data.grid as { out_trade_no: string; issue: number }[];
    expect(tGrid.find((g) => g.out_trade_no === late.outNo)?.issue).toBe(ISSUE.normal);
    expect(reconStatus(late.outNo)).toBe(1);
    // Yesterday run again: still carried, never short.
    const y2 = await reconcile('mct1', yesterday());
    expect((await bills(y2.body.data.code)).body.data.grid.map((g: { out_trade_no: string }) => g.out_trade_no)).not.toContain(late.outNo);
  });

  it('refuses a day that has not come, and a malformed day', async () => {
    expect((await reconcile('mct1', chinaDay(Date.now() + 2 * DAY_MS))).body).toMatchObject({ error: { code: 'day_in_future' } });
    expect((await reconcile('mct1', '2026-02-30')).body).toMatchObject({ error: { code: 'day_invalid' } });
    expect((await reconcile('kioskv5', today())).status).toBe(404);
  });
});

describe('accounts and settlement', () => {
  const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const upload = (fields: Record<string, string>, file?: { bytes: Uint8Array<ArrayBuffer>; name: string; type: string }) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    if (file) form.set('voucher', new Blob([file.bytes], { type: file.type }), file.name);
    return fetch(`${store.url}/pay/settlement/`, { method: 'POST', headers: { authorization: `Bearer ${manager.token}` }, body: form });
  };

  it('has a daily account per provider, and takes a new one', async () => {
    const list = (await manager.get('/pay/account/')).body.data;
    expect(list.data.map((a: { provider: string }) => a.provider).sort()).toEqual(['mct1', 'weishouyin']);
    expect(list.data.every((a: { period: number }) => a.period === 1)).toBe(true);
    const added = await manager.post('/pay/account/', { provider: 'mct1', method: 3, name: '支付宝结算', account: '6222000011112222', period: 3 });
    expect(added.body.code).toBe(200);
    expect((await manager.get('/pay/account/?account=6222000011112222')).body.data.data[0]).toMatchObject({ method: 3, period: 3, name: '支付宝结算' });
    expect((await manager.post('/pay/account/', { provider: 'nosuch', method: 1, name: 'x', account: 'y', period: 1 })).status).toBe(400);
  });

  it('a run makes a pending settlement from the reconciled totals; the voucher settles it, once', async () => {
    await reconcile('mct1', today());
    const accounts = (await manager.get('/pay/account/')).body.data.data as { code: string; provider: string; period: number }[];
    const mct1Daily = accounts.find((a) => a.provider === 'mct1' && a.period === 1)!;
    const pending = (await manager.get('/pay/settlement/?state=1')).body.data.data as { code: string; account_code: string; num: number; total: number; start_time: string }[];
    const daily = pending.find((s) => s.start_time === `${today()}T00:00:00.000000` && s.account_code === mct1Daily.code)!;
    expect(daily).toBeTruthy();
    const expected = store.ledger.db
      .prepare(
        `SELECT COUNT(*) AS num, SUM(amount_fen - refunded_fen) AS total FROM payments WHERE provider = 'mct1' AND reconciliation_status = 1 AND paid_at >= ?`,
      )
      .get(new Date(Date.parse(`${today()}T00:00:00+08:00`)).toISOString()) as { num: number; total: number };
    expect({ num: daily.num, total: daily.total }).toEqual(expected);

    expect((await upload({ person: '店长', code: daily.code }, { bytes: new TextEncoder().encode('not an image'), name: 'x.png', type: 'image/png' })).status).toBe(415);
    expect((await upload({ person: '店长', code: daily.code })).status).toBe(400);
    const ok = await upload({ person: '店长', code: daily.code, remark: '已到账' }, { bytes: PNG, name: '凭证.png', type: 'image/png' });
    expect(ok.status).toBe(200);
    const settled = (await manager.get(`/pay/settlement/?code=${daily.code}`)).body.data.data[0];
    expect(settled).toMatchObject({ state: 2, person: '店长', remark: '已到账', voucher_img: `/pay/settlement/voucher?code=${daily.code}` });
    const img = await fetch(`${store.url}${settled.voucher_img}`, { headers: { authorization: `Bearer ${manager.token}` } });
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await img.arrayBuffer())).toEqual(PNG);
    expect((await upload({ person: '店长', code: daily.code }, { bytes: PNG, name: 'again.png', type: 'image/png' })).status).toBe(409);
    // Frozen once settled: another run does not change it.
    await pay(5000);
    await reconcile('mct1', today());
    expect((await manager.get(`/pay/settlement/?code=${daily.code}`)).body.data.data[0]).toMatchObject({ num: daily.num, total: daily.total, state: 2 });
  });
});

describe('the daily job', () => {
  it('reconciles yesterday as "auto" once, and leaves orders whose auto flag is off for a person', async () => {
    const quiet = await startTestStore({ providers: ['mct1'], reconciliation: { carryWindowMs: 30 * 60_000, dailyAt: '' } });
    try {
      const till = await pair(quiet, 'cashier');
      const boss = await pair(quiet, 'manager');
      const a = (await till.post('/api/payments', { outNo: newOutNo(), amountFen: 100, method: 'mct1:Weixin', authCode: freshWechatCode() })).body;
      const b = (await till.post('/api/payments', { outNo: newOutNo(), amountFen: 200, method: 'mct1:Weixin', authCode: freshWechatCode() })).body;
      await boss.post('/pay/consume_order', { code: b.outNo, auto: false });
      // Tomorrow at 03:30 China time, the job's clock: "yesterday" is today.
      const tomorrow330 = Date.parse(`${chinaDay(Date.now() + DAY_MS)}T03:30:00+08:00`);
      const job = new DailyReconciliation({ reconciler: quiet.reconciler, recon: quiet.recon, settlements: quiet.settlements, dailyAt: '03:00', now: () => tomorrow330, audit: new AuditLog(quiet.ledger.db) });
      expect(await job.tick()).toEqual([`mct1|${today()}`]);
      expect(await job.tick()).toEqual([]); // once
      expect(quiet.recon.statusOf(a.outNo)!.status).toBe(1);
      expect(quiet.recon.statusOf(b.outNo)!.status).toBe(2);
      const [run] = quiet.recon.runs({ provider: 'mct1' });
      expect(run).toMatchObject({ person: 'auto', day: today() });
      flushDeferred(quiet.ledger.db); // audit rows ride on the ledger's next commit
      const audited = quiet.ledger.db.prepare("SELECT actor_role, subject, outcome FROM audit_log WHERE action = 'reconciliation.run'").all();
      expect(audited).toEqual([{ actor_role: 'system', subject: run.code, outcome: 'ok' }]);
      // Before 03:00 nothing runs.
      const early = new DailyReconciliation({ reconciler: quiet.reconciler, recon: quiet.recon, settlements: quiet.settlements, dailyAt: '03:00', now: () => tomorrow330 - 3600_000 });
      expect(await early.tick()).toEqual([]);
      // A manager's run of the same day writes every order's status.
      await boss.post('/pay/check_record/', { provider: 'mct1', day: today() });
      expect(quiet.recon.statusOf(b.outNo)!.status).toBe(1);
    } finally {
      await quiet.close();
    }
  });
});
