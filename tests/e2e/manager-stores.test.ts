/**
 * A chain of two stores in headless Chromium: a chain manager picks the store the manager screens
 * show (the order list, the day report, reconciliation) and the choice holds across them; "all
 * stores" names each row's store; a reconciliation is run for one store from the screen and listed
 * with its name; a till's pairing code is made for a store from Settings and pairs into it. A
 * store's own manager sees no picker and only its own store's orders.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage } from '../helpers/checkout-page.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;
let page: Page;
let chain: Client;
let shCashier: Client;
let bjCashier: Client;
const sh: string[] = [];
const bj: string[] = [];

const mct1Code = () => '25' + String(Date.now()).slice(-10) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

async function pay(cashier: Client, amountFen: number, authCode: string, into: string[]) {
  const r = await cashier.post('/api/payments', { outNo: newOutNo('ST'), amountFen, authCode });
  expect(r.body.status, JSON.stringify(r.body)).toBe('paid');
  into.push(r.body.outNo);
}

const rows = (p: Page) => p.locator('[data-testid=order-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-out-no')));
const choice = (p: Page, id: string) => p.locator(`[data-testid=store-choice][data-store="${id}"]`);
/** The API's list for the chain manager, newest first, as the screen shows it. */
async function listed(query: string): Promise<string[]> {
  const r = await chain.get(`/api/payments?pageSize=50${query}`);
  expect(r.status).toBe(200);
  return r.body.items.map((p: { outNo: string }) => p.outNo);
}

async function openOrders(p: Page) {
  await p.getByTestId('open-orders').click();
  await p.locator('[data-testid=orders][data-state=ready]').waitFor();
}

beforeAll(async () => {
  store = await startTestStore({
    stores: [
      { id: 'sh01', name: '上海一店', providers: ['weishouyin', 'mct1'] },
      { id: 'bj01', name: '北京一店', providers: ['mct1'] },
    ],
    reconciliation: { carryWindowMs: 1, dailyAt: '' },
  });
  chain = await pair(store, 'manager', '总部');
  shCashier = await pair(store, 'cashier', '上海收银1', 'sh01');
  bjCashier = await pair(store, 'cashier', '北京收银1', 'bj01');
  await pay(shCashier, 1200, freshWechatCode(), sh);
  await pay(shCashier, 3456, freshWechatCode(), sh);
  await pay(bjCashier, 800, mct1Code(), bj);
  await pay(bjCashier, 2025, mct1Code(), bj);
  await pay(bjCashier, 150, mct1Code(), bj);

  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  // The proxy's start-up code pairs a manager of no store: the chain's.
  await pairPage(page, store.url, store.managerPairingCode);
  await openOrders(page);
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

describe('a chain manager', () => {
  it('picks among every store, and "all stores" names each row\'s store', async () => {
    const picker = page.getByTestId('store-picker');
    await picker.waitFor();
    expect(await page.locator('[data-testid=store-choice]').allInnerTexts()).toEqual(['全部门店 / All stores', '上海一店', '北京一店']);
    expect(await choice(page, '').getAttribute('aria-pressed')).toBe('true');

    const all = await listed('');
    expect(new Set(all)).toEqual(new Set([...sh, ...bj]));
    await expect.poll(() => rows(page)).toEqual(all);
    for (const outNo of sh) expect(await page.locator(`[data-testid=order-row][data-out-no="${outNo}"] [data-testid=order-store]`).innerText()).toBe('上海一店');
    for (const outNo of bj) expect(await page.locator(`[data-testid=order-row][data-out-no="${outNo}"] [data-testid=order-store]`).innerText()).toBe('北京一店');

    // The detail names the store too.
    await page.locator(`[data-testid=order-row][data-out-no="${bj[0]}"]`).click();
    expect(await page.getByTestId('field-store').innerText()).toBe('北京一店');
    await page.getByTestId('orders-back').click();
    await page.locator('[data-testid=orders][data-state=ready]').waitFor();
  });

  it('choosing 北京一店 shows only its orders, with no store label', async () => {
    await choice(page, 'bj01').click();
    const want = await listed('&store=bj01');
    expect(new Set(want)).toEqual(new Set(bj));
    await expect.poll(() => rows(page)).toEqual(want);
    expect(await page.getByTestId('order-store').count()).toBe(0);
    expect(await page.getByTestId('orders-sums').innerText()).toContain(`共 3 笔 · 收款 ${yuan(800 + 2025 + 150)}`);
    // Its terminal chips are its own.
    const chips = await page.locator('[data-testid=orders-terminal]').allInnerTexts();
    expect(chips.some((t) => t.includes('北京收银1'))).toBe(true);
    expect(chips.some((t) => t.includes('上海收银1'))).toBe(false);
  });

  it("the day report (the choice kept) shows 北京一店's figures, as the API has them", async () => {
    await page.getByTestId('orders-tab-day').click();
    await page.locator('[data-testid=day-report][data-state=ready]').waitFor();
    expect(await choice(page, 'bj01').getAttribute('aria-pressed')).toBe('true');
    const api = (await chain.get(`/api/reports/day?date=${today()}&store=bj01`)).body;
    expect(api.storeId).toBe('bj01');
    expect(api.totals.paidFen).toBe(800 + 2025 + 150);
    expect(await page.getByTestId('day-paid').innerText()).toBe(yuan(api.totals.paidFen));
    expect(await page.getByTestId('day-net').innerText()).toBe(yuan(api.totals.netFen));
    expect(await page.getByTestId('day-totals').innerText()).toContain(`${api.totals.count} 笔`);

    // All stores: the chain's figures.
    await choice(page, '').click();
    const whole = (await chain.get(`/api/reports/day?date=${today()}`)).body;
    expect(whole.totals.paidFen).toBe(1200 + 3456 + 800 + 2025 + 150);
    await expect.poll(() => page.getByTestId('day-paid').innerText().catch(() => '')).toBe(yuan(whole.totals.paidFen));
  });

  it('asks for a store before reconciling, then runs 北京一店 and lists the run with its name', async () => {
    await page.getByTestId('orders-tab-reconcile').click();
    await page.getByTestId('reconcile').waitFor();
    // "All stores" is on: a run is one store's.
    expect(await page.getByTestId('recon-store-needed').innerText()).toContain('请先在上方选择一个门店');
    await page.getByTestId('recon-run').click();
    expect(await page.getByTestId('recon-run-problem').innerText()).toContain('choose a store above first');

    await choice(page, 'bj01').click();
    await page.locator('[data-testid=recon-provider]').first().waitFor();
    expect(await page.locator('[data-testid=recon-provider]').evaluateAll((els) => els.map((e) => e.getAttribute('data-provider')))).toEqual(['mct1']);
    expect(await page.getByTestId('recon-store').innerText()).toContain('北京一店');
    await page.getByTestId('recon-day').fill(today());
    await page.getByTestId('recon-run').click();
    const run = page.locator('[data-testid=recon-run][data-state=ready]');
    await run.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('recon-count').innerText()).toBe('3');
    expect(await page.getByTestId('recon-total').innerText()).toBe(yuan(800 + 2025 + 150));
    const code = (await run.getAttribute('data-code'))!;

    await page.getByTestId('recon-run-back').click();
    const row = page.locator(`[data-testid=recon-run-row][data-code="${code}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('北京一店');
    expect(await row.innerText()).toContain(today());
    const runs = (await chain.get('/pay/check_record/?store=bj01')).body.data.data as { code: string; merchant__name: string }[];
    expect(runs.find((r) => r.code === code)?.merchant__name).toBe('北京一店');
  });

  it("settlement lists the chosen store's accounts, and names each store's under all stores", async () => {
    await page.getByTestId('orders-tab-settle').click();
    const providers = () => page.locator('[data-testid=settle-account]').evaluateAll((els) => els.map((e) => e.getAttribute('data-provider')));
    await expect.poll(providers).toEqual(['mct1']);
    await choice(page, '').click();
    await expect.poll(async () => (await providers()).length).toBe(3);
    expect((await page.getByTestId('settle-account-store').allInnerTexts()).map((t) => t.replace(/ · $/, '')).sort()).toEqual(['上海一店', '上海一店', '北京一店'].sort());
    // A new account is one store's.
    await page.getByTestId('settle-account-add').click();
    expect(await page.getByTestId('account-problem').innerText()).toContain('请先在上方选择门店');
    await choice(page, 'bj01').click();
    await expect.poll(providers).toEqual(['mct1']);
  });

  it('keeps the choice when the order screen is opened again, and "all stores" shows both again', async () => {
    await page.getByTestId('orders-tab-list').click();
    await page.getByTestId('orders-back').click();
    await openOrders(page);
    expect(await choice(page, 'bj01').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => rows(page)).toEqual(await listed('&store=bj01'));
    await choice(page, '').click();
    await expect.poll(async () => new Set(await rows(page))).toEqual(new Set([...sh, ...bj]));
    await page.getByTestId('orders-back').click();
  });

  it("makes a till's pairing code for 北京一店 in Settings, which pairs into that store", async () => {
    await page.getByTestId('open-settings').click();
    const terminals = page.getByTestId('terminals');
    await terminals.waitFor();
    const terminalRow = (id: string) => page.locator(`[data-testid=terminal-row][data-terminal="${id}"]`);
    const storeOf = async (id: string) => (await terminalRow(id).getByTestId('terminal-store').innerText()).trim();
    await terminalRow(bjCashier.terminalId).waitFor();
    expect(await terminalRow(bjCashier.terminalId).innerText()).toContain('北京收银1');
    expect(await storeOf(bjCashier.terminalId)).toBe('北京一店');
    expect(await storeOf(shCashier.terminalId)).toBe('上海一店');
    expect(await terminalRow(chain.terminalId).innerText()).toContain('总部店长 / Chain manager');
    expect(await storeOf(chain.terminalId)).toBe('全部门店 / All stores');

    expect(await page.locator('[data-testid^=pairing-kind-]').allInnerTexts()).toEqual(['收银台 / Cashier', '门店店长 / Store manager', '总部店长（全部门店） / Chain manager (all stores)']);
    await page.getByTestId('pairing-kind-cashier').click();
    // No store chosen yet ("all stores" was last shown): the manager is asked for one.
    await page.getByTestId('make-pairing-code').click();
    expect(await page.getByTestId('pairing-code-problem').innerText()).toContain('请选择新终端所在的门店');
    await page.locator('[data-testid=pairing-store-choice][data-store=bj01]').click();
    await page.getByTestId('make-pairing-code').click();
    const made = page.getByTestId('pairing-code-made');
    await made.waitFor();
    expect(await made.innerText()).toContain('收银台 / Cashier · 北京一店');
    const code = (await page.getByTestId('pairing-code-value').innerText()).trim();
    expect(code).toMatch(/^\d{8}$/);

    const res = await fetch(`${store.url}/api/terminals/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, name: '北京收银2' }),
    });
    const paired = (await res.json()) as { role: string; storeId?: string; terminalId: string };
    expect(paired).toMatchObject({ role: 'cashier', storeId: 'bj01' });

    await page.getByTestId('terminals-refresh').click();
    await terminalRow(paired.terminalId).waitFor();
    expect(await terminalRow(paired.terminalId).innerText()).toContain('北京收银2');
    expect(await storeOf(paired.terminalId)).toBe('北京一店');
    await page.getByTestId('close-settings').click();
  });
});

describe("a store's own manager", () => {
  it('sees no picker, its store named, and only its own orders', async () => {
    const own = await (await browser.newContext()).newPage();
    await pairPage(own, store.url, store.terminals.createPairingCode('manager', 60_000, 'sh01').code);
    await openOrders(own);
    expect(await own.getByTestId('store-label').innerText()).toContain('上海一店');
    expect(await own.getByTestId('store-picker').count()).toBe(0);
    await expect.poll(async () => new Set(await rows(own))).toEqual(new Set(sh));
    expect(await own.getByTestId('order-store').count()).toBe(0);

    // Settings: the terminals of its store only, and codes for its store.
    await own.getByTestId('orders-back').click();
    await own.getByTestId('open-settings').click();
    await own.locator(`[data-testid=terminal-row][data-terminal="${shCashier.terminalId}"]`).waitFor();
    expect(await own.getByText('北京收银1').count()).toBe(0);
    expect(await own.getByTestId('pairing-store').count()).toBe(0);
    await own.getByTestId('make-pairing-code').click();
    await own.getByTestId('pairing-code-made').waitFor();
    expect(await own.getByTestId('pairing-code-made').innerText()).toContain('上海一店');
    await own.context().close();
  });
});
