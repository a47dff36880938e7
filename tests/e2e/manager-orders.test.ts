/**
 * The manager's order list in headless Chromium against a whole store: every filter on screen gives
 * the rows the API gives for the same query, the CSV download holds every page of the filter (BOM,
 * CRLF, yuan from fen), and the day view's figures equal a sum over the ledger's rows.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage } from '../helpers/checkout-page.ts';
import { CODE, freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;
let page: Page;
let a: Client;
let b: Client;
let manager: Client;
const o: Record<string, string> = {};

const mct1Code = () => '25' + String(Date.now()).slice(-10) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');

async function pay(who: Client, name: string, amountFen: number, body: Record<string, unknown>, status = 'paid') {
  const outNo = newOutNo('E');
  const r = await who.post('/api/payments', { outNo, amountFen, ...body });
  expect(r.body.status).toBe(status);
  o[name] = outNo;
}

/** The rows the API lists for `query` (all pages when `all`). */
async function api(query: string, all = false): Promise<string[]> {
  const r = await manager.get(`/api/payments?${query}${query ? '&' : ''}pageSize=${all ? 200 : 50}`);
  expect(r.status).toBe(200);
  return r.body.items.map((p: { outNo: string }) => p.outNo);
}
const rows = () => page.locator('[data-testid=order-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-out-no')));
const shows = async (query: string) => {
  const want = await api(query);
  await expect.poll(rows, { timeout: 10_000 }).toEqual(want);
  return want;
};

beforeAll(async () => {
  store = await startTestStore();
  a = await pair(store, 'cashier', '前台A');
  b = await pair(store, 'cashier', '后台B');
  manager = await pair(store, 'manager');
  await pay(a, 'wx1', 1234, { authCode: freshWechatCode() });
  await pay(a, 'wx2', 5678, { authCode: freshWechatCode() });
  await pay(a, 'declined', 300, { authCode: CODE.declined }, 'failed');
  await pay(a, 'ali', 8800, { authCode: mct1Code() });
  expect((await manager.post(`/api/payments/${o.wx2}/refunds`, { refundNo: newOutNo('R'), amountFen: 678, reason: '部分退货' })).body.status).toBe('refunded');
  // Enough of B's cash sales for a second page.
  for (let i = 0; i < 50; i++) await pay(b, `cash${i}`, 100 + i, { method: 'mct1:Cash' });

  browser = await launchBrowser();
  const context = await browser.newContext({ acceptDownloads: true });
  page = await context.newPage();
  await pairPage(page, store.url, store.managerPairingCode);
  await page.getByTestId('open-orders').click();
  await page.locator('[data-testid=orders][data-state=ready]').waitFor();
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

describe('the order list', () => {
  it('filters by status, method, terminal, amount and number as the API does', async () => {
    const all = await shows('');
    expect(all).toHaveLength(50);
    expect(await page.getByTestId('orders-page').getAttribute('data-total')).toBe('54');

    await page.getByTestId('orders-filter-failed').click();
    expect(await shows('status=failed')).toEqual([o.declined]);
    await page.getByTestId('orders-filter-paid').click();
    await shows('status=paid');
    await page.locator('[data-testid=orders-method][data-method="mct1:Alipay"]').click();
    expect(await shows('status=paid&method=mct1:Alipay')).toEqual([o.ali]);
    await page.getByTestId('orders-method-all').click();
    await page.getByTestId('orders-filter-all').click();

    await page.locator(`[data-testid=orders-terminal][data-terminal="${a.terminalId}"]`).click();
    expect(new Set(await shows(`terminal=${a.terminalId}`))).toEqual(new Set([o.wx1, o.wx2, o.declined, o.ali]));
    expect(await page.locator(`[data-testid=orders-terminal][data-terminal="${a.terminalId}"]`).innerText()).toContain('前台A');

    await page.getByTestId('orders-min').fill('50');
    await page.getByTestId('orders-max').fill('88.00');
    await page.getByTestId('orders-apply').click();
    expect(await shows(`terminal=${a.terminalId}&minFen=5000&maxFen=8800`)).toEqual([o.ali, o.wx2]);
    // The sums are over the filter: 88.00 + 56.78 taken, 6.78 refunded.
    await expect.poll(() => page.getByTestId('orders-sums').getAttribute('data-paid-fen')).toBe(String(8800 + 5678));
    expect(await page.getByTestId('orders-sums').getAttribute('data-refunded-fen')).toBe('678');

    // A wrong amount is refused on screen; the list stays as it was.
    await page.getByTestId('orders-min').fill('1.234');
    await page.getByTestId('orders-apply').click();
    await page.locator('[data-testid=orders-filter-error][data-field=minYuan]').waitFor();
    expect(await page.getByTestId('orders-filter-error').innerText()).toMatch(/^最低金额.* \/ Minimum/);
    expect(await rows()).toEqual([o.ali, o.wx2]);

    await page.getByTestId('orders-clear').click();
    await shows('');
    // A part of a number finds its order (case does not matter).
    await page.getByTestId('orders-q').fill(o.wx1.slice(-7).toUpperCase());
    await page.getByTestId('orders-q').press('Enter');
    expect(await shows(`q=${o.wx1.slice(-7)}`)).toEqual([o.wx1]);
    await page.getByTestId('orders-clear').click();

    await page.getByTestId('orders-range-yesterday').click();
    await page.getByTestId('orders-empty').waitFor();
    await page.getByTestId('orders-range-today').click();
    await expect.poll(async () => (await rows()).length).toBe(50);
    expect(await page.getByTestId('orders-from').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T00:00$/);

    // Page 2 of the whole list.
    await page.getByTestId('orders-next').click();
    await expect.poll(rows).toEqual((await manager.get('/api/payments?page=2&pageSize=50')).body.items.map((p: { outNo: string }) => p.outNo));
    await page.getByTestId('orders-range-all').click();
  });

  it('exports every page of the filter as CSV for Excel', async () => {
    await page.getByTestId('orders-filter-paid').click();
    const want = await api('status=paid', true);
    expect(want.length).toBeGreaterThan(50); // more than the page on screen
    await expect.poll(async () => (await rows()).length).toBe(50);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('orders-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^订单-\d{4}-\d{2}-\d{2}-\d{4}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.split('\r\n').slice(0, -1);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(lines[0].split(',')).toEqual(expect.arrayContaining(['创建时间 / Created', '订单号 / Out no.', '金额(元) / Amount (yuan)']));
    const cells = lines.map((l) => l.split(','));
    const col = (name: string) => cells[0].indexOf(name);
    expect(cells.slice(1).map((c) => c[col('订单号 / Out no.')]).sort()).toEqual([...want].sort());
    const wx2 = cells.find((c) => c[col('订单号 / Out no.')] === o.wx2)!;
    expect([wx2[col('金额(元) / Amount (yuan)')], wx2[col('已退款(元) / Refunded (yuan)')], wx2[col('实收(元) / Net (yuan)')]]).toEqual(['56.78', '6.78', '50.00']);
    expect(wx2[col('终端 / Terminal')]).toBe(`前台A (${a.terminalId})`);
    expect(wx2[col('状态 / Status')]).toBe('已支付 / Paid');
    expect(cells.find((c) => c[col('订单号 / Out no.')] === o.cash0)![col('支付方式 / Method')]).toBe('现金');
    await expect.poll(() => page.getByTestId('orders-export-note').innerText()).toContain(`已导出 ${want.length} 笔`);
    await page.getByTestId('orders-filter-all').click();
  });
});

/** Today's takings summed again from the ledger's rows in JavaScript (China day, UTC+8). */
function ledgerDay(date: string) {
  const day = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  const sum = { count: 0, paidFen: 0, refundedFen: 0 };
  const methods: Record<string, { paidFen: number; refundedFen: number }> = {};
  const hours: Record<number, { paidFen: number; refundedFen: number }> = {};
  const add = (m: string, at: string, k: 'paidFen' | 'refundedFen', fen: number) => {
    (methods[m] ??= { paidFen: 0, refundedFen: 0 })[k] += fen;
    (hours[Number(at.slice(11, 13))] ??= { paidFen: 0, refundedFen: 0 })[k] += fen;
  };
  const payments = store.ledger.db.prepare('SELECT * FROM payments').all() as { out_no: string; method: string; status: string; amount_fen: number; paid_at: string | null; created_at: string }[];
  for (const p of payments) {
    const at = day(p.paid_at ?? p.created_at);
    if ((p.status === 'paid' || p.status === 'refunded') && at.startsWith(date)) (sum.count++, (sum.paidFen += p.amount_fen), add(p.method, at, 'paidFen', p.amount_fen));
  }
  const method = new Map(payments.map((p) => [p.out_no, p.method]));
  for (const r of store.ledger.db.prepare("SELECT * FROM refunds WHERE status = 'refunded'").all() as { out_no: string; amount_fen: number; created_at: string }[]) {
    const at = day(r.created_at);
    if (at.startsWith(date)) ((sum.refundedFen += r.amount_fen), add(method.get(r.out_no)!, at, 'refundedFen', r.amount_fen));
  }
  return { sum, methods, hours };
}

describe('the day view', () => {
  async function figuresMatchLedger() {
    const report = page.locator('[data-testid=day-report][data-state=ready]');
    await report.waitFor();
    const date = (await report.getAttribute('data-date'))!;
    const want = ledgerDay(date);
    const totals = page.getByTestId('day-totals');
    await expect.poll(() => totals.getAttribute('data-paid-fen'), { timeout: 10_000 }).toBe(String(want.sum.paidFen));
    expect(await totals.getAttribute('data-count')).toBe(String(want.sum.count));
    expect(await totals.getAttribute('data-refunded-fen')).toBe(String(want.sum.refundedFen));
    expect(await totals.getAttribute('data-net-fen')).toBe(String(want.sum.paidFen - want.sum.refundedFen));
    const yuan = (fen: number) => `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
    expect(await page.getByTestId('day-paid').innerText()).toBe(yuan(want.sum.paidFen));
    expect(await page.getByTestId('day-net').innerText()).toBe(yuan(want.sum.paidFen - want.sum.refundedFen));
    const methods = await page.locator('[data-testid=day-method]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-method'), { paidFen: Number(e.getAttribute('data-paid-fen')), refundedFen: Number(e.getAttribute('data-refunded-fen')) }])),
    );
    expect(methods).toEqual(want.methods);
    const hours = await page.locator('[data-testid=day-hour-row]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-hour'), { paidFen: Number(e.getAttribute('data-paid-fen')), refundedFen: Number(e.getAttribute('data-refunded-fen')) }])),
    );
    expect(hours).toEqual(want.hours);
    // The charts: 24 hour groups, one bar group per method, carrying the same figures.
    expect(await page.locator('[data-testid=day-hours-chart] [data-testid=day-hour]').count()).toBe(24);
    const bars = await page.locator('[data-testid=day-methods-chart] [data-testid=day-method-bar]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-method'), Number(e.getAttribute('data-paid-fen'))])),
    );
    expect(bars).toEqual(Object.fromEntries(Object.entries(want.methods).map(([m, f]) => [m, f.paidFen])));
    return want;
  }

  it('shows today\'s takings per method and per hour, equal to the ledger to the fen', async () => {
    await page.getByTestId('orders-tab-day').click();
    const want = await figuresMatchLedger();
    expect(want.sum.paidFen).toBe(1234 + 5678 + 8800 + 50 * 100 + (49 * 50) / 2); // the cash sales: 1.00 … 1.49
    expect(want.sum.refundedFen).toBe(678);
    // A sale while the view is open: the figures follow.
    await pay(a, 'late', 999, { authCode: freshWechatCode() });
    await expect.poll(() => page.getByTestId('day-totals').getAttribute('data-paid-fen'), { timeout: 10_000 }).toBe(String(want.sum.paidFen + 999));
    await figuresMatchLedger();
    // The day before: nothing.
    await page.getByTestId('day-prev').click();
    await page.getByTestId('day-empty').waitFor();
    expect(await page.getByTestId('day-totals').getAttribute('data-paid-fen')).toBe('0');
    await page.getByTestId('day-today').click();
    await figuresMatchLedger();
  });
});
