/**
 * The other tenders through the real page: a C扫B payment whose QR code is shown and which the
 * provider's callback turns to paid (the proxy never polls the provider in this test's time), and cash.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage } from '../helpers/checkout-page.ts';
import { startTestStore } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  store = await startTestStore({ providers: ['mct1'], timing: { pollIntervalMs: 120_000, qrTimeoutMs: 120_000 } });
  browser = await launchBrowser();
  page = await browser.newPage();
  await pairPage(page, store.url, store.pairingCode);
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

async function collect(amount: string) {
  await page.getByTestId('amount').fill(amount);
  await page.getByTestId('collect').click();
  await page.getByTestId('auth-code').waitFor();
}

describe('QR and cash in the browser', () => {
  it('shows the QR code, and the provider\'s callback turns the page to paid', async () => {
    await collect('23.00');
    await page.getByTestId('qr-mct1:Weixin:qr').click();
    const qr = page.getByTestId('qr-code');
    await qr.waitFor({ timeout: 15_000 });
    const data = await qr.getAttribute('data-qr');
    expect(data).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    await page.locator('[data-testid=qr-code][data-state=ready] svg').waitFor();
    const outNo = (await page.getByTestId('status').getAttribute('data-out-no'))!;
    expect(store.ledger.getPayment(outNo)).toMatchObject({ status: 'paying', qrCode: data });

    // The customer scans and pays: the provider's back office marks it paid and calls our notify URL.
    const before = store.ledger.calls(outNo).length;
    expect((await fetch(`${store.url}/sandbox/mct1/_admin/orders/${outNo}/pay`, { method: 'POST' })).ok).toBe(true);
    await page.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paid]`).waitFor({ timeout: 15_000 });
    expect(store.ledger.callbacks(outNo).map((c) => c.outcome)).toContain('accepted');
    // The proxy asked the provider exactly once after the callback (to confirm it), not by polling.
    expect(store.ledger.calls(outNo).slice(before).map((c) => c.op)).toEqual(['paystatus']);
    await page.getByTestId('new-sale').click();
  });

  it('takes cash only after the cashier confirms it', async () => {
    await collect('12.34');
    await page.getByTestId('cash-mct1:Cash').click();
    await page.getByTestId('confirm-cash').waitFor();
    expect(await page.getByTestId('confirm-cash').innerText()).toContain('12.34');
    expect(store.ledger.listPayments({ page: 1, pageSize: 100, method: 'mct1:Cash' }).total).toBe(0);
    await page.getByTestId('confirm-cash').click();
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    expect(store.ledger.listPayments({ page: 1, pageSize: 100, method: 'mct1:Cash' }).items[0]).toMatchObject({ amountFen: 1234, status: 'paid' });
  });
});
