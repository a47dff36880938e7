/**
 * The fault matrix (issue 7), the till's side: the real PWA in headless Chromium against a whole
 * store running in a child process (tests/faults/proxy-runner.ts: 微收银 + mct1, a file data
 * directory, a fixed port), so the proxy can be killed with SIGKILL and started again on the same
 * origin. A barcode code goes to 微收银 (the first provider); cash to mct1. Run `npx vite build` first.
 *
 * Every cell ends by checking that IndexedDB (the page's `pos` database), the ledger (the proxy's
 * SQLite file), the provider's books (its sandbox back office) and the screen agree, and that the
 * provider charged once or not at all. Cells:
 *   (a) network cut before the request reaches the proxy: stored in IndexedDB (strict durability,
 *       checked on every payments transaction the page opens), shown "请勿重复收款", nothing at the
 *       proxy; back online → sent once, paid once.
 *   (b)(c) the answer to the POST lost on the way back after the proxy committed (a timeout after
 *       the server committed): the till asks, never sends it twice.
 *   (d) network cut while the customer enters the password, then back: paid once.
 *   tab closed and reopened — while the customer enters the password; while offline with a payment
 *       never sent: resumed from IndexedDB, asked before sent, paid once.
 *   two tabs on one terminal syncing the same offline orders (a barcode payment and cash): each
 *       reaches the proxy exactly once.
 *   the kiosk clock 20 minutes fast: paid, and an offline payment sent once; the clock corrected by
 *       20 minutes while a payment waited offline: closed unsent, "顾客未被扣款", nothing charged.
 *   the proxy killed (SIGKILL) with the pay call in flight (provider hanging) → failed, nothing
 *       charged; and with the provider charged but its answer lost → paid once; both shown on the
 *       tills that took them, after the proxy is started again.
 *   a paid order never turns back: a stale "paying" answer arriving after "paid", then a reload in
 *       the middle of the sync → still paid in IndexedDB and on screen.
 */
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../proxy/ledger/db.ts';
import { Ledger } from '../../proxy/ledger/payments.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage, sell } from '../helpers/checkout-page.ts';
import { recordTransactions, storedPayment, storedSetting, transactionsSeen } from '../helpers/page-indexeddb.ts';
import { freePort, startProxyProcess, type ProxyProcess, type StoreOverrides } from '../helpers/proxy-process.ts';
import { customerPays, injectFault, queuedFaults, readBooks } from '../helpers/sandbox-books.ts';
import { freshWechatCode, tempDataDir, waitFor } from '../helpers/store.ts';

const PASSWORD_FOREVER = '130000000000000006';
const STORE: StoreOverrides = {
  providers: ['weishouyin', 'mct1'],
  // Long enough that a hung provider call is still in flight when the process is killed.
  timing: { pollIntervalMs: 300, payingTimeoutMs: 30_000, requestTimeoutMs: 8_000 },
  sandbox: { hangMs: 30_000 },
};

// Chromium, the proxy process and the other test files share two cores.
vi.setConfig({ testTimeout: 60_000 });

let dataDir: string;
let port: number;
let proc: ProxyProcess | null = null;
let db: Db;
let ledger: Ledger;
let browser: Browser;
let managerToken: string;
let main: { context: BrowserContext; page: Page };

const base = () => `http://127.0.0.1:${port}`;

async function startProxy(): Promise<void> {
  proc = await startProxyProcess({ ...STORE, dataDir, port });
}

/** A fresh cashier pairing code, made by the manager terminal. */
async function cashierCode(): Promise<string> {
  const r = await fetch(`${base()}/api/terminals/pairing-codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${managerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'cashier' }),
  });
  return ((await r.json()) as { code: string }).code;
}

/** A till of its own (its own IndexedDB), paired, on the checkout. */
async function newTill(setup?: (context: BrowserContext) => Promise<void>): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await setup?.(context);
  const page = await context.newPage();
  await pairPage(page, base(), await cashierCode());
  // The payment methods are kept for offline use once read: a till never online since pairing has none.
  await waitFor(async () => ((await storedSetting(page, 'methods')) as unknown[] | undefined)?.length, 15_000);
  return { context, page };
}

const statusEl = (page: Page, outNo?: string, status?: string) =>
  page.locator(`[data-testid=status]${outNo ? `[data-out-no="${outNo}"]` : ''}${status ? `[data-status=${status}]` : ''}`);

/** The outNo of the payment on screen. */
async function onScreen(page: Page): Promise<string> {
  await statusEl(page).waitFor({ timeout: 15_000 });
  return (await statusEl(page).getAttribute('data-out-no'))!;
}

async function shows(page: Page, outNo: string, status: string, text: string | RegExp): Promise<void> {
  await statusEl(page, outNo, status).waitFor({ timeout: 30_000 });
  await expect.poll(() => page.getByTestId('status-title').innerText()).toMatch(text);
}

async function bills(): Promise<Awaited<ReturnType<typeof readBooks>>> {
  return readBooks(base(), 'weishouyin');
}

/**
 * IndexedDB, the ledger and the provider's books agree on a 微收银 payment; charged once or never.
 * `billsBefore`: the provider's bills before the payment was taken.
 */
async function expectAgreement(
  page: Page,
  outNo: string,
  want: { status: string; amountFen: number; charged: 0 | 1 },
  billsBefore: number,
  /** Charges made since `billsBefore` by other payments of the same cell. */
  others = 0,
): Promise<void> {
  await waitFor(async () => (await storedPayment(page, outNo))?.status === want.status, 15_000);
  const local = (await storedPayment(page, outNo))!;
  const rec = ledger.getPayment(outNo);
  const all = await bills();
  const context = `${outNo}: idb ${JSON.stringify(local)} ledger ${JSON.stringify(rec)}`;
  expect(local.status, context).toBe(want.status);
  expect(local.amountFen, context).toBe(want.amountFen);
  expect(local.authCode, context).toBeUndefined(); // a final payment forgets the customer's code
  if (want.status === 'failed' && !rec) {
    // Closed by the till, never sent: nothing at the proxy, nothing at the provider.
    expect(all.length, context).toBe(billsBefore);
    return;
  }
  expect(rec?.status, context).toBe(want.status);
  expect(rec?.amountFen, context).toBe(want.amountFen);
  const mine = all.filter((b) => b.key === rec?.providerRef && b.charged);
  expect(mine, context).toHaveLength(want.charged);
  if (want.charged) expect(mine[0].amountFen, context).toBe(want.amountFen);
  // The provider holds no other charge made by this payment's attempts.
  expect(all.filter((b) => b.charged).length - (await chargedBefore(billsBefore)), context).toBe(want.charged + others);
  expect(ledger.calls(outNo).filter((c) => c.op === 'micropay').length, context).toBeLessThanOrEqual(1);
}

/** How many of the first `n` bills (those that existed before) were charged. */
async function chargedBefore(n: number): Promise<number> {
  return (await bills()).slice(0, n).filter((b) => b.charged).length;
}

async function newSale(page: Page): Promise<void> {
  await page.getByTestId('new-sale').click();
  await page.getByTestId('checkout').waitFor();
}

beforeAll(async () => {
  dataDir = tempDataDir();
  port = await freePort();
  await startProxy();
  db = openDb(dataDir);
  ledger = new Ledger(db);
  const r = await fetch(`${base()}/api/terminals/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: proc!.managerPairingCode }) });
  managerToken = ((await r.json()) as { token: string }).token;
  browser = await launchBrowser();
  main = await newTill(recordTransactions);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await proc?.kill();
  db?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the till through network cuts, closed tabs and a lost answer', () => {
  it('(a) network cut before the request reaches the proxy: kept (strictly durable), sent once when back, paid once', async () => {
    const { context, page } = main;
    const before = (await bills()).length;
    await context.setOffline(true);
    await sell(page, '3.01', freshWechatCode());
    const outNo = await onScreen(page);
    await page.getByTestId('network-banner').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('status-title').innerText()).toContain('请勿重复收款');
    expect(await storedPayment(page, outNo)).toMatchObject({ status: 'pending', amountFen: 301 });
    expect(ledger.getPayment(outNo)).toBeUndefined();
    expect((await bills()).length).toBe(before);

    await context.setOffline(false);
    await shows(page, outNo, 'paid', /支付成功/);
    await expectAgreement(page, outNo, { status: 'paid', amountFen: 301, charged: 1 }, before);

    // Power cut: every transaction that wrote a payment asked the browser for strict durability.
    const writes = (await transactionsSeen(page)).filter((t) => t.db === 'pos' && t.mode === 'readwrite' && t.stores.includes('payments'));
    expect(writes.length).toBeGreaterThan(2);
    expect(writes.filter((t) => t.durability !== 'strict')).toEqual([]);
    await newSale(page);
  });

  it('(b)(c) the answer lost on its way back after the proxy committed: the till asks, never sends twice', async () => {
    const { page } = main;
    const before = (await bills()).length;
    const posts: string[] = [];
    await page.route('**/api/payments', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts.push(route.request().postData() ?? '');
      await route.fetch(); // reaches the proxy, which charges and commits…
      await route.abort('connectionreset'); // …and the answer never reaches the till
    });
    try {
      await sell(page, '3.02', freshWechatCode());
      const outNo = await onScreen(page);
      await shows(page, outNo, 'paid', /支付成功/);
      expect(posts).toHaveLength(1);
      await expectAgreement(page, outNo, { status: 'paid', amountFen: 302, charged: 1 }, before);
      expect(ledger.calls(outNo).filter((c) => c.op === 'micropay')).toHaveLength(1);
    } finally {
      await page.unroute('**/api/payments');
    }
    await newSale(page);
  });

  it('(d) network cut while the customer enters the password: paid once when back', async () => {
    const { context, page } = main;
    const before = (await bills()).length;
    await sell(page, '3.03', PASSWORD_FOREVER);
    const outNo = await onScreen(page);
    await shows(page, outNo, 'paying', /等待顾客输入密码/);
    await context.setOffline(true);
    await page.getByTestId('network-banner').waitFor({ timeout: 15_000 });
    expect(await customerPays(base(), 'weishouyin', ledger.getPayment(outNo)!.providerRef!)).toBe(200);
    await waitFor(() => ledger.getPayment(outNo)?.status === 'paid', 10_000);
    await context.setOffline(false);
    await shows(page, outNo, 'paid', /支付成功/);
    await expectAgreement(page, outNo, { status: 'paid', amountFen: 303, charged: 1 }, before);
    await newSale(page);
  });

  it('the tab closed while the customer enters the password, reopened: resumed from IndexedDB, paid once', async () => {
    const { context } = main;
    const before = (await bills()).length;
    await sell(main.page, '3.04', PASSWORD_FOREVER);
    const outNo = await onScreen(main.page);
    await shows(main.page, outNo, 'paying', /等待顾客输入密码/);
    await main.page.close();
    expect(await customerPays(base(), 'weishouyin', ledger.getPayment(outNo)!.providerRef!)).toBe(200);
    main.page = await context.newPage();
    await main.page.goto(base());
    await shows(main.page, outNo, 'paid', /支付成功/);
    await expectAgreement(main.page, outNo, { status: 'paid', amountFen: 304, charged: 1 }, before);
    await newSale(main.page);
  });

  it('the tab closed while offline with a payment never sent, reopened online: asked, sent once, paid once', async () => {
    const { context } = main;
    const before = (await bills()).length;
    await context.setOffline(true);
    await sell(main.page, '3.05', freshWechatCode());
    const outNo = await onScreen(main.page);
    await waitFor(async () => (await storedPayment(main.page, outNo))?.status === 'pending');
    await main.page.close();
    await context.setOffline(false);
    main.page = await context.newPage();
    const posts: string[] = [];
    main.page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/payments')) posts.push(r.url());
    });
    await main.page.goto(base());
    await shows(main.page, outNo, 'paid', /支付成功/);
    expect(posts).toHaveLength(1);
    await expectAgreement(main.page, outNo, { status: 'paid', amountFen: 305, charged: 1 }, before);
    await newSale(main.page);
  });

  it('a paid order never turns back: a stale "paying" answer after "paid", then a reload mid-sync', async () => {
    const { page } = main;
    const before = (await bills()).length;
    await sell(page, '3.06', PASSWORD_FOREVER);
    const outNo = await onScreen(page);
    await shows(page, outNo, 'paying', /等待顾客输入密码/);
    // Hold the next poll's answer (the proxy says "paying") until after the payment is paid.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let held = false;
    await page.route(`**/api/payments/${outNo}`, async (route) => {
      if (held || route.request().method() !== 'GET') return route.continue();
      held = true;
      const stale = await route.fetch();
      await released;
      await route.fulfill({ response: stale });
    });
    try {
      await waitFor(() => held, 10_000);
      expect(await customerPays(base(), 'weishouyin', ledger.getPayment(outNo)!.providerRef!)).toBe(200);
      await shows(page, outNo, 'paid', /支付成功/); // the server's event
      release();
      await page.waitForTimeout(800); // the stale answer lands
      expect(await storedPayment(page, outNo)).toMatchObject({ status: 'paid' });
      expect(await statusEl(page, outNo).getAttribute('data-status')).toBe('paid');
    } finally {
      release();
      await page.unroute(`**/api/payments/${outNo}`);
    }
    await page.reload();
    await page.getByTestId('checkout').waitFor();
    await page.waitForTimeout(500);
    expect(await page.locator(`[data-testid=open-payment][data-out-no="${outNo}"]`).count()).toBe(0);
    await expectAgreement(page, outNo, { status: 'paid', amountFen: 306, charged: 1 }, before);
  });
});

describe('two tabs on one terminal', () => {
  it('syncing the same offline orders (a scanned code and cash): each reaches the proxy exactly once', async () => {
    const till = await newTill();
    const tabs = [till.page, await till.context.newPage()];
    await tabs[1].goto(base());
    await tabs[1].getByTestId('checkout').waitFor();
    const posts: string[] = [];
    // Every POST the proxy answered (one tried while offline never reached it).
    for (const tab of tabs) {
      tab.on('response', (r) => {
        if (r.request().method() === 'POST' && r.url().endsWith('/api/payments')) posts.push(JSON.parse(r.request().postData() ?? '{}').outNo);
      });
    }
    const before = (await bills()).length;
    await till.context.setOffline(true);
    // A scanner types into the tab in front (a background tab's timers are throttled).
    await tabs[0].bringToFront();
    await sell(tabs[0], '4.01', freshWechatCode());
    const scanned = await onScreen(tabs[0]);
    await tabs[1].bringToFront();
    await tabs[1].getByTestId('amount').fill('4.02');
    await tabs[1].getByTestId('collect').click();
    await tabs[1].getByTestId('cash-mct1:Cash').click();
    await tabs[1].getByTestId('confirm-cash').click();
    const notice = tabs[1].locator('[data-testid=checkout-notice][data-kind=stored]');
    await notice.waitFor({ timeout: 15_000 });
    const cash = (await notice.getAttribute('data-out-no'))!;
    // Both tabs hold both payments, unsent.
    for (const tab of tabs) {
      expect(await storedPayment(tab, scanned)).toMatchObject({ status: 'pending' });
      expect(await storedPayment(tab, cash)).toMatchObject({ status: 'pending', kind: 'cash' });
    }
    expect(ledger.getPayment(scanned)).toBeUndefined();
    expect(ledger.getPayment(cash)).toBeUndefined();

    await till.context.setOffline(false);
    await shows(tabs[0], scanned, 'paid', /支付成功/);
    await tabs[1].locator(`[data-testid=checkout-notice][data-kind=booked][data-out-no="${cash}"]`).waitFor({ timeout: 30_000 });
    await tabs[0].waitForTimeout(2_500); // a poll period: nobody sends anything again
    expect(posts.filter((o) => o === scanned)).toHaveLength(1);
    expect(posts.filter((o) => o === cash)).toHaveLength(1);
    await expectAgreement(tabs[1], scanned, { status: 'paid', amountFen: 401, charged: 1 }, before);
    expect(await storedPayment(tabs[0], cash)).toMatchObject({ status: 'paid' });
    expect(ledger.getPayment(cash)).toMatchObject({ status: 'paid', amountFen: 402 });
    expect(ledger.calls(cash).filter((c) => c.op === 'payorder')).toHaveLength(1);
    const orders = ((await (await fetch(`${base()}/sandbox/mct1/_admin/orders?out_no=${cash}`)).json()) as { orders: { status: number }[] }).orders;
    expect(orders).toMatchObject([{ status: 1 }]);
    await till.context.close();
  });
});

describe('the kiosk clock 20 minutes off', () => {
  it('20 minutes fast: paid, and a payment kept offline is sent once', async () => {
    const till = await newTill((c) => c.clock.install({ time: Date.now() + 20 * 60_000 }));
    const { context, page } = till;
    expect((await page.evaluate(() => Date.now())) - Date.now()).toBeGreaterThan(19 * 60_000);
    let before = (await bills()).length;
    await sell(page, '5.01', freshWechatCode());
    const first = await onScreen(page);
    await shows(page, first, 'paid', /支付成功/);
    await expectAgreement(page, first, { status: 'paid', amountFen: 501, charged: 1 }, before);
    await newSale(page);

    before = (await bills()).length;
    await context.setOffline(true);
    await sell(page, '5.02', freshWechatCode());
    const second = await onScreen(page);
    await waitFor(async () => (await storedPayment(page, second))?.status === 'pending');
    await context.setOffline(false);
    await shows(page, second, 'paid', /支付成功/);
    await expectAgreement(page, second, { status: 'paid', amountFen: 502, charged: 1 }, before);
    await context.close();
  });

  it('the clock corrected by 20 minutes while a payment waited offline: closed unsent, the customer not charged', async () => {
    const till = await newTill((c) => c.clock.install({ time: Date.now() - 20 * 60_000 }));
    const { context, page } = till;
    const before = (await bills()).length;
    await context.setOffline(true);
    await sell(page, '5.03', freshWechatCode());
    const outNo = await onScreen(page);
    await waitFor(async () => (await storedPayment(page, outNo))?.status === 'pending');
    await context.clock.setSystemTime(Date.now()); // NTP puts the clock right: the code now looks 20 minutes old
    await context.setOffline(false);
    await shows(page, outNo, 'failed', /支付失败/);
    expect(await page.getByTestId('status').innerText()).toContain('顾客未被扣款');
    await expectAgreement(page, outNo, { status: 'failed', amountFen: 503, charged: 0 }, before);
    expect(ledger.getPayment(outNo)).toBeUndefined();
    await context.close();
  });
});

describe('the proxy killed (SIGKILL) under two tills, and started again on the same data', () => {
  it('the pay call in flight → failed, nothing charged; the answer lost → paid once; each till shows it', async () => {
    const hung = await newTill();
    const lost = await newTill();
    const before = (await bills()).length;

    await injectFault(base(), 'weishouyin', 'micropay', 'hang');
    await sell(hung.page, '6.01', freshWechatCode());
    const a = await onScreen(hung.page);
    await waitFor(() => ledger.getPayment(a) !== undefined, 10_000);
    await waitFor(async () => (await queuedFaults(base(), 'weishouyin')).length === 0, 10_000);

    await injectFault(base(), 'weishouyin', 'micropay', 'drop');
    await injectFault(base(), 'weishouyin', 'query', 'hang', 20); // the proxy cannot learn it before the kill
    await sell(lost.page, '6.02', freshWechatCode());
    const b = await onScreen(lost.page);
    await shows(lost.page, b, 'unknown', /请勿重复收款/);

    await proc!.kill();
    proc = null;
    for (const till of [hung, lost]) await till.page.locator('[data-testid=net-chip][data-state=offline]').waitFor({ timeout: 20_000 });
    await startProxy();

    await shows(hung.page, a, 'failed', /支付失败/);
    await shows(lost.page, b, 'paid', /支付成功/);
    await expectAgreement(hung.page, a, { status: 'failed', amountFen: 601, charged: 0 }, before, 1);
    await expectAgreement(lost.page, b, { status: 'paid', amountFen: 602, charged: 1 }, before);
    expect((await bills()).filter((x) => x.charged).length - (await chargedBefore(before))).toBe(1);
    await hung.context.close();
    await lost.context.close();
  });
});
