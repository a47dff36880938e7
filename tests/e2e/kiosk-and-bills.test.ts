/**
 * One payment through the real page on each of the other two backends: the kiosk backend (kioskv5)
 * with its pass card, and the POS mini-program backend (posmini) with a split-tender bill.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { enterCode, pairPage } from '../helpers/checkout-page.ts';
import { freshWechatCode, newOutNo, pair, startTestStore } from '../helpers/store.ts';

let browser: Browser;
const stores: RunningStore[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const s of stores) await s.close();
});

async function openStore(providers: ('kioskv5' | 'posmini')[], role: 'cashier' | 'manager' = 'cashier'): Promise<{ store: RunningStore; page: Page }> {
  const store = await startTestStore({ providers });
  stores.push(store);
  const page = await browser.newPage();
  await pairPage(page, store.url, role === 'manager' ? store.managerPairingCode : store.pairingCode);
  return { store, page };
}

async function scan(page: Page, code: string) {
  await page.getByTestId('collect').click();
  await enterCode(page, code);
}

describe('the kiosk backend in the browser', () => {
  it('pays a scanned code and shows the customer\'s pass card', async () => {
    const { page } = await openStore(['kioskv5']);
    await page.getByTestId('amount').fill('18.80');
    await scan(page, freshWechatCode());
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await page.getByTestId('show-passcard').click();
    const code = page.getByTestId('passcard-code');
    await code.waitFor({ timeout: 15_000 });
    expect((await code.innerText()).trim().length).toBeGreaterThan(3);
    await expect.poll(() => page.getByTestId('passcard-receipt').innerText(), { timeout: 10_000 }).toContain('出门单');
  });
});

describe('the manager\'s order detail', () => {
  it('shows a kiosk payment\'s fees from the backend, in yuan', async () => {
    const { store, page } = await openStore(['kioskv5'], 'manager');
    const cashier = await pair(store, 'cashier');
    const outNo = newOutNo();
    expect((await cashier.post('/api/payments', { outNo, amountFen: 23000, authCode: freshWechatCode() })).body.status).toBe('paid');
    const fees = store.ledger.getPayment(outNo)!.details as Record<string, number>;

    await page.getByTestId('open-orders').click();
    await page.locator(`[data-testid=order-row][data-out-no="${outNo}"]`).click();
    await page.getByTestId('order-detail').waitFor();
    const withdraw = page.getByTestId('detail-WithdrawFee');
    await expect.poll(() => withdraw.innerText()).toContain((fees.WithdrawFee / 100).toFixed(2));
    expect(await page.getByTestId('detail-RealPrice').innerText()).toContain((fees.RealPrice / 100).toFixed(2));
    await expect.poll(() => page.getByTestId('order-events').innerText()).toMatch(/paid|支付成功|已支付/);
  });
});

describe('the POS mini-program backend in the browser', () => {
  it('takes two payments on one bill: the balance after the first, fully paid after the second', async () => {
    const { store, page } = await openStore(['posmini']);
    const res = await fetch(`${store.url}/sandbox/posmini/_admin/bills`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ billnum: 'E2E-1', totalFen: 5000 }),
    });
    expect(res.ok).toBe(true);
    await page.getByTestId('bill-no').fill('E2E-1');
    await page.getByTestId('amount').fill('30.00');
    await scan(page, freshWechatCode());
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('bill-balance').innerText()).toContain('20.00');

    await page.getByTestId('next-payment').click();
    await page.getByTestId('checkout').waitFor();
    expect(await page.getByTestId('bill-no').inputValue()).toBe('E2E-1');
    expect(await page.getByTestId('amount').inputValue()).toBe('20.00');
    await scan(page, freshWechatCode());
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await page.getByTestId('bill-paid').waitFor();
  });
});
