/**
 * The PWA with the proxy stopped, through the real page in headless Chromium: the app shell from
 * the service worker, a payment left unknown and resolved once the proxy is back, and cash taken
 * offline that reaches the ledger exactly once. The proxy is stopped and started again on the
 * same port (same origin, so the same service worker and IndexedDB) and the same data directory
 * (same ledger, terminal token and sandbox books), as a store's machine being restarted.
 */
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { enterCode } from '../helpers/checkout-page.ts';
import { freshWechatCode, startTestStore, tempDataDir, waitFor } from '../helpers/store.ts';

let port: number;
let dataDir: string;
let store: RunningStore | null = null;
let browser: Browser;
let page: Page;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as { port: number };
      srv.close(() => resolve(p));
    });
  });
}

/** mct1 only: barcode, QR and cash all go to it. */
async function startStore(): Promise<RunningStore> {
  store = await startTestStore({ port, dataDir, providers: ['mct1'] });
  return store;
}

async function stopStore(): Promise<void> {
  await store?.close();
  store = null;
}

const chip = () => page.getByTestId('net-chip');

/** A payment record straight from the page's IndexedDB. */
function stored(outNo: string): Promise<Record<string, unknown> | undefined> {
  return page.evaluate(
    (o) =>
      new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
        const req = indexedDB.open('pos');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction('payments').objectStore('payments').get(o);
          get.onsuccess = () => {
            resolve(get.result);
            req.result.close();
          };
        };
      }),
    outNo,
  );
}

async function mct1Orders(outNo: string): Promise<unknown[]> {
  const res = await fetch(`${store!.url}/sandbox/mct1/_admin/orders?out_no=${outNo}`);
  return ((await res.json()) as { orders: unknown[] }).orders;
}

beforeAll(async () => {
  port = await freePort();
  dataDir = tempDataDir();
  await startStore();
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(store!.url);
  await page.getByTestId('pairing-code').fill(store!.pairingCode);
  await page.getByTestId('pair').click();
  await page.getByTestId('checkout').waitFor();
  // The service worker installs on the first load and controls the page from the next one.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.getByTestId('checkout').waitFor();
  await chip().and(page.locator('[data-state=online]')).waitFor({ timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  await stopStore();
});

describe('offline', () => {
  it('the service worker caches the app shell only: no Workbox background sync, nothing of /api', async () => {
    const sw = await (await fetch(`${store!.url}/sw.js`)).text();
    expect(sw).toContain('precacheAndRoute');
    expect(sw).not.toMatch(/BackgroundSync|backgroundSync|bgSync|workbox-background-sync/);
    expect(sw).not.toMatch(/NetworkFirst|StaleWhileRevalidate|CacheFirst|NetworkOnly/);
    expect(sw).toContain('^\\/api');
  });

  it('reloads from the service worker with the proxy stopped: paired, checkout shown, offline', async () => {
    await stopStore();
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.getByTestId('checkout').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('app').getAttribute('data-phase')).toBe('amount');
    await chip().and(page.locator('[data-state=offline]')).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('net-state').innerText()).toContain('离线');
  });

  it('a payment scanned while the proxy is stopped is kept, and resolved (charged once) when it is back', async () => {
    const code = freshWechatCode();
    await page.getByTestId('amount').fill('8.88');
    await page.getByTestId('collect').click();
    await page.getByTestId('auth-code').waitFor();
    // Offline, a QR code cannot be had from the provider; a scan is kept in the outbox.
    const qr = page.getByTestId('qr-mct1:Weixin:qr');
    await qr.waitFor();
    expect(await qr.isDisabled()).toBe(true);
    expect(await qr.innerText()).toContain('离线时无法使用 / Not available offline');
    await enterCode(page, code);
    await page.getByTestId('network-banner').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('status').innerText()).toContain('请勿重复收款');
    const outNo = (await page.getByTestId('status').getAttribute('data-out-no'))!;
    expect(await stored(outNo)).toMatchObject({ status: 'pending', amountFen: 888, authCode: code });

    await startStore();
    await page.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paid]`).waitFor({ timeout: 45_000 });
    expect(store!.ledger.getPayment(outNo)).toMatchObject({ status: 'paid', amountFen: 888 });
    expect(store!.ledger.calls(outNo).filter((c) => c.op === 'payorder')).toHaveLength(1);
    expect(await mct1Orders(outNo)).toHaveLength(1);
    await chip().and(page.locator('[data-state=online]')).waitFor({ timeout: 15_000 });
    await page.getByTestId('new-sale').click();
    await page.getByTestId('checkout').waitFor();
  });

  it('cash taken offline is stored, the cashier goes on, and it reaches the ledger exactly once', async () => {
    await stopStore();
    await chip().and(page.locator('[data-state=offline]')).waitFor({ timeout: 15_000 });
    await page.getByTestId('amount').fill('12.34');
    await page.getByTestId('collect').click();
    await page.getByTestId('cash-mct1:Cash').click();
    await page.getByTestId('confirm-cash').click();

    // Stored in IndexedDB; back to an empty amount screen with a notice, nothing sent yet.
    const notice = page.locator('[data-testid=checkout-notice][data-kind=stored]');
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.innerText()).toContain("联网后自动上传");
    expect(await page.getByTestId('app').getAttribute('data-phase')).toBe('amount');
    expect(await page.getByTestId('amount').inputValue()).toBe('');
    const outNo = (await notice.getAttribute('data-out-no'))!;
    expect(await stored(outNo)).toMatchObject({ status: 'pending', amountFen: 1234, kind: 'cash', method: 'mct1:Cash' });
    await page.locator(`[data-testid=open-payment][data-out-no="${outNo}"]`).waitFor();

    await startStore();
    await page.locator(`[data-testid=checkout-notice][data-kind=booked][data-out-no="${outNo}"]`).waitFor({ timeout: 45_000 });
    await waitFor(async () => (await stored(outNo))?.status === 'paid');
    const cash = store!.ledger.listPayments({ page: 1, pageSize: 100, method: 'mct1:Cash' }).items.filter((p) => p.outNo === outNo);
    expect(cash).toHaveLength(1);
    expect(cash[0]).toMatchObject({ status: 'paid', amountFen: 1234 });
    expect(store!.ledger.calls(outNo).filter((c) => c.op === 'payorder')).toHaveLength(1);
    expect(await mct1Orders(outNo)).toHaveLength(1);
    await page.locator(`[data-testid=open-payment][data-out-no="${outNo}"]`).waitFor({ state: 'detached' });
  });
});
