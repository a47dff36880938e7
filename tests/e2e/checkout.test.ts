/**
 * The cashier's checkout through the real page in headless Chromium, against a whole store
 * (proxy + sandbox 微收银) on loopback: pair, key an amount, scan like a keyboard-wedge scanner.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { enterCode, pairPage, sell as sellOnPage } from '../helpers/checkout-page.ts';
import { CODE, freshWechatCode, startTestStore, waitFor } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  store = await startTestStore({ timing: { pollIntervalMs: 300, payingTimeoutMs: 20_000 } });
  browser = await launchBrowser();
  page = await browser.newPage();
  await pairPage(page, store.url, store.pairingCode);
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

const sell = (amount: string, code: string) => sellOnPage(page, amount, code);

async function newSale() {
  await page.getByTestId('new-sale').click();
  await page.getByTestId('checkout').waitFor();
}

describe('checkout in the browser', () => {
  it('takes a scanned payment: paid, the bill number, and a receipt rendered from the ESC/POS bytes', async () => {
    await sell('12.34', CODE.paid);
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('status').innerText()).toContain('支付成功');
    const ref = await page.getByTestId('provider-ref').innerText();
    expect(ref).toMatch(/dm\d+/);
    const receipt = page.getByTestId('receipt');
    await expect.poll(() => receipt.innerText(), { timeout: 10_000 }).toContain('12.34');
    const text = await receipt.innerText();
    expect(text).toMatch(/[\u4e00-\u9fff]{2,}/);
    expect(text).toContain(ref.match(/dm\d+/)![0].slice(2));

    // The ledger agrees with the screen.
    const outNo = await page.getByTestId('status').getAttribute('data-out-no');
    expect(store.ledger.getPayment(outNo!)).toMatchObject({ status: 'paid', amountFen: 1234 });
    // The payment was stored in IndexedDB, and its code dropped once final.
    const stored = await page.evaluate(
      (o) =>
        new Promise<unknown>((resolve, reject) => {
          const req = indexedDB.open('pos');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const get = req.result.transaction('payments').objectStore('payments').get(o);
            get.onsuccess = () => resolve(get.result);
          };
        }),
      outNo!,
    );
    expect(stored).toMatchObject({ outNo, amountFen: 1234, status: 'paid' });
    expect((stored as { authCode?: string }).authCode).toBeUndefined();
    await newSale();
  });

  it('waits for the customer\'s password and turns to paid without the cashier doing anything', async () => {
    await sell('20.00', CODE.password);
    await page.locator('[data-testid=status][data-status=paying]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('status').innerText()).toContain('等待顾客输入密码');
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('status').innerText()).toContain('支付成功');
    await newSale();
  });

  it('shows a decline with its reason', async () => {
    await sell('1.00', CODE.declined);
    await page.locator('[data-testid=status][data-status=failed]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('status').innerText()).toContain('余额不足');
    await newSale();
  });

  it('takes a keyboard-wedge burst on the scan screen as a scan, without confirmation', async () => {
    await page.getByTestId('amount').fill('2.00');
    await page.getByTestId('collect').click();
    await page.getByTestId('auth-code').waitFor();
    await page.keyboard.type(freshWechatCode()); // as fast as the browser takes keys: a scanner's burst
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('confirm-manual').count()).toBe(0);
    await newSale();
  });

  it('does not send slow human typing as a scan without confirmation', async () => {
    const amountInput = page.getByTestId('amount');
    await amountInput.fill('3.00');
    await page.getByTestId('collect').click();
    await page.getByTestId('auth-code').waitFor();
    await page.keyboard.type('134000000000000099', { delay: 90 });
    await page.keyboard.press('Enter');
    await page.getByTestId('confirm-manual').waitFor();
    expect(await page.locator('[data-testid=status]').count()).toBe(0);
    await page.getByTestId('confirm-manual').click();
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await newSale();
  });

  it('refuses an amount with three decimals before anything is sent', async () => {
    const before = store.ledger.listPayments({ page: 1, pageSize: 1 }).total;
    const amountInput = page.getByTestId('amount');
    await amountInput.fill('1.234');
    await page.getByTestId('collect').click();
    await expect.poll(() => page.getByTestId('amount-error').innerText()).toMatch(/[\u4e00-\u9fff]/);
    expect(store.ledger.listPayments({ page: 1, pageSize: 1 }).total).toBe(before);
  });

  it('resumes a payment that is waiting for the password after the page is reloaded', async () => {
    await sell('6.60', CODE.passwordForever);
    await page.locator('[data-testid=status][data-status=paying]').waitFor({ timeout: 15_000 });
    const outNo = (await page.getByTestId('status').getAttribute('data-out-no'))!;
    await page.reload();
    await page.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paying]`).waitFor({ timeout: 15_000 });

    // The customer confirms on the phone; the reloaded page follows it to paid.
    const dmId = store.ledger.getPayment(outNo)!.providerRef!;
    expect((await fetch(`${store.url}/sandbox/weishouyin/_admin/bills/${dmId}/pay`, { method: 'POST' })).ok).toBe(true);
    await page.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paid]`).waitFor({ timeout: 15_000 });
    await newSale();
  });

  it('keeps a payment scanned while the network is down and charges it exactly once when it returns', async () => {
    const code = freshWechatCode();
    const amountInput = page.getByTestId('amount');
    await amountInput.fill('8.88');
    await page.getByTestId('collect').click();
    await page.getByTestId('auth-code').waitFor();
    await page.context().setOffline(true);
    await enterCode(page, code);
    await page.getByTestId('network-banner').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('status').innerText()).toContain('请勿重复收款');
    const outNo = (await page.getByTestId('status').getAttribute('data-out-no'))!;
    expect(store.ledger.getPayment(outNo)).toBeUndefined();

    await page.context().setOffline(false);
    await page.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paid]`).waitFor({ timeout: 30_000 });
    expect(store.ledger.getPayment(outNo)).toMatchObject({ status: 'paid', amountFen: 888 });
    const bills = (await (await fetch(`${store.url}/sandbox/weishouyin/_admin/bills`)).json()) as unknown;
    expect(JSON.stringify(bills).split(code).length - 1).toBe(1);
    await newSale();
  });
});
