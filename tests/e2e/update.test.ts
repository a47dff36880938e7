/**
 * A new release reaching a kiosk through a real service-worker update, in headless Chromium: the
 * store serves a copy of dist/, a new version is published into that copy while the customer is
 * typing the password, and the page's own periodic check finds it. The cashier sees "有新版本" and
 * nothing reloads until the payment is final, the till is back on an empty amount screen, the outbox
 * is empty and nobody has touched it for the quiet time; then the page loads the new version.
 *
 * Time in the page is Playwright's clock (it runs in real time, and jumps where the test says), so
 * the 30-minute check and the quiet minute take no wall time. The service worker runs on real time.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATUSES } from '../../contract/api.ts';
import type { RunningStore } from '../../proxy/server.ts';
import { CHECK_EVERY_MS, IDLE_TICK_MS, QUIET_MS } from '../../web/data/update-policy.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage, sell } from '../helpers/checkout-page.ts';
import { CODE, startTestStore, waitFor } from '../helpers/store.ts';

/** What the new release carries, so the test can tell which version a page runs. */
const NEW_VERSION = 'update-test-2';

let staticDir: string;
let store: RunningStore;
let browser: Browser;
let page: Page;
/** Main-frame navigations (a reload is one). */
let navigations = 0;

/**
 * Publishes a new version into the served copy the way a build would: index.html gets new content
 * and sw.js the precache revision Workbox gives it (the MD5 of the file), so sw.js differs by bytes.
 */
function publishNewVersion(dir: string): void {
  const indexPath = join(dir, 'index.html');
  const oldIndex = readFileSync(indexPath, 'utf8');
  const newIndex = oldIndex.replace('<head>', `<head>\n    <meta name="pos-version" content="${NEW_VERSION}">`);
  expect(newIndex).not.toBe(oldIndex);
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const swPath = join(dir, 'sw.js');
  const oldSw = readFileSync(swPath, 'utf8');
  const entry = `{url:"index.html",revision:"${md5(oldIndex)}"}`;
  expect(oldSw).toContain(entry);
  writeFileSync(indexPath, newIndex);
  writeFileSync(swPath, oldSw.replace(entry, `{url:"index.html",revision:"${md5(newIndex)}"}`));
}

/** The page's service-worker registration as the test reads it. */
function workers(): Promise<{ controlled: boolean; waiting: boolean; installing: boolean }> {
  return page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    return { controlled: navigator.serviceWorker.controller !== null, waiting: !!r?.waiting, installing: !!r?.installing };
  });
}

/** The statuses of the payments in the page's IndexedDB (the outbox is those not final). */
function storedStatuses(): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const req = indexedDB.open('pos');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const all = req.result.transaction('payments').objectStore('payments').getAll();
          all.onsuccess = () => {
            resolve((all.result as { status: string }[]).map((p) => p.status));
            req.result.close();
          };
        };
      }),
  );
}

const version = () => page.evaluate(() => document.querySelector<HTMLMetaElement>('meta[name=pos-version]')?.content ?? null);
const marked = () => page.evaluate(() => (window as { beforeUpdate?: boolean }).beforeUpdate === true);
const phase = () => page.getByTestId('app').getAttribute('data-phase');

/** Lets page time pass: every interval due in that time fires (once), seeing the time at its end. */
async function pageTimePasses(ms: number): Promise<void> {
  await page.clock.fastForward(ms);
}

/**
 * How long a wrongly applied update is given to show: the idle check reads IndexedDB, sends
 * SKIP_WAITING, the worker activates and the page reloads (within this window every time the rule
 * was broken on purpose). Nothing happening is what is asserted, so there is no event to wait for.
 */
const SETTLE_MS = 500;

/** The old version is still on screen, the new one still waiting, and the page never reloaded. */
async function expectNoUpdateYet(navigationsBefore: number): Promise<void> {
  await page.waitForTimeout(SETTLE_MS);
  expect(await workers()).toMatchObject({ controlled: true, waiting: true });
  expect(await marked()).toBe(true);
  expect(navigations).toBe(navigationsBefore);
  expect(await version()).toBeNull();
}

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'pos-dist-'));
  cpSync(resolve('dist'), staticDir, { recursive: true });
  store = await startTestStore({
    staticDir,
    timing: { pollIntervalMs: 200, payingTimeoutMs: 25_000 },
    // The customer takes as long as the test needs: the bill is paid from the sandbox's back office.
    sandbox: { passwordPolls: 1_000_000 },
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.clock.install();
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await pairPage(page, store.url, store.pairingCode);
  // The service worker installs on the first load and controls the page from the next one.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  // The update scheduler starts its timers as it registers the worker, which loads workbox-window.
  const schedulerStarted = page.waitForResponse((r) => r.url().includes('workbox-window'), { timeout: 15_000 });
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.getByTestId('checkout').waitFor();
  await schedulerStarted;
  expect(await version()).toBeNull();
});

afterAll(async () => {
  await browser?.close();
  await store?.close();
  if (staticDir) rmSync(staticDir, { recursive: true, force: true });
});

describe('a new version on a kiosk', () => {
  it('is found by the periodic check during a payment: "update available", and no reload', async () => {
    await sell(page, '20.00', CODE.password);
    const status = page.locator('[data-testid=status][data-status=paying]');
    await status.waitFor({ timeout: 15_000 });
    const outNo = (await status.getAttribute('data-out-no'))!;
    await page.evaluate(() => ((window as { beforeUpdate?: boolean }).beforeUpdate = true));
    const before = navigations;

    publishNewVersion(staticDir);
    await pageTimePasses(CHECK_EVERY_MS);
    const prompt = page.getByTestId('update-prompt');
    await prompt.waitFor({ timeout: 15_000 });
    expect(await prompt.innerText()).toContain('有新版本');
    expect(await workers()).toMatchObject({ controlled: true, waiting: true });
    // The prompt says why it waits, and its button cannot reload in the middle of the payment.
    expect(await prompt.getAttribute('data-hold')).toBe('payment');
    expect(await page.getByTestId('update-hold').innerText()).toContain('交易进行中');
    expect(await page.getByTestId('update-reload').isDisabled()).toBe(true);

    // Long past the quiet time, with the idle check run several times: still the payment.
    for (let i = 0; i < 3; i++) await pageTimePasses(QUIET_MS + IDLE_TICK_MS);
    await expectNoUpdateYet(before);
    expect(await page.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paying]`).count()).toBe(1);

    // The customer confirms: the payment ends, on the same page.
    const dmId = store.ledger.getPayment(outNo)!.providerRef!;
    expect((await fetch(`${store.url}/sandbox/weishouyin/_admin/bills/${dmId}/pay`, { method: 'POST' })).ok).toBe(true);
    await page.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paid]`).waitFor({ timeout: 15_000 });
    expect(await marked()).toBe(true);
    // Final: the button may reload now, but the kiosk does not do it by itself on the payment screen.
    await expect.poll(() => prompt.getAttribute('data-hold')).toBe('');
    expect(await page.getByTestId('update-reload').isDisabled()).toBe(false);
    await pageTimePasses(QUIET_MS + IDLE_TICK_MS);
    await expectNoUpdateYet(before);
  });

  it('loads the new version once the till is idle: empty amount screen, outbox empty, quiet time over', async () => {
    // The prompt floats over the bottom of the page; the cashier can still reach 新交易 / New sale.
    await page.getByTestId('new-sale').click();
    await page.getByTestId('checkout').waitFor();
    expect(await phase()).toBe('amount');
    expect(await page.getByTestId('amount').inputValue()).toBe('');
    const statuses = await storedStatuses();
    expect(statuses).toHaveLength(1);
    expect(statuses.every((s) => (FINAL_STATUSES as readonly string[]).includes(s))).toBe(true);
    const before = navigations;

    // Someone was just at the till: not yet.
    await pageTimePasses(QUIET_MS - IDLE_TICK_MS);
    await expectNoUpdateYet(before);

    // A quiet minute: the waiting worker is activated and the page reloads into the new version.
    await pageTimePasses(2 * IDLE_TICK_MS);
    await waitFor(async () => navigations > before && (await version().catch(() => null)) === NEW_VERSION, 15_000);
    await page.getByTestId('checkout').waitFor();
    expect(await marked()).toBe(false);
    expect(await workers()).toEqual({ controlled: true, waiting: false, installing: false });
    // The page came from the new worker's precache, and the server has the same new release.
    const served = await (await fetch(`${store.url}/index.html`)).text();
    expect(served).toContain(NEW_VERSION);
    expect(await phase()).toBe('amount');
    expect(store.ledger.listPayments({ page: 1, pageSize: 10 }).items.map((p) => p.status)).toEqual(['paid']);
  });
});
