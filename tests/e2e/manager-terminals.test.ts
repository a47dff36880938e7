/**
 * A manager looks after the store's terminals in Settings, in headless Chromium: a till locked out by
 * wrong supervisor passwords shows until when and is unlocked with one press (the owner is at the
 * till); a lost tablet is revoked with two presses and its token stops working at once; the
 * manager's own terminal offers no revoke.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage } from '../helpers/checkout-page.ts';
import { freshWechatCode, newOutNo, pair, startTestStore, type Client } from '../helpers/store.ts';

const SUPERVISOR = 'sup-secret-8841'; // tests/helpers/store.ts

let store: RunningStore;
let browser: Browser;
let page: Page;
let till: Client;
let lost: Client;

const row = (id: string) => page.locator(`[data-testid=terminal-row][data-terminal="${id}"]`);

beforeAll(async () => {
  store = await startTestStore({ security: { supervisor: { maxFailures: 2, windowMs: 60_000, lockMs: 15 * 60_000 } } });
  till = await pair(store, 'cashier', '一号收银台');
  lost = await pair(store, 'cashier', '丢失的平板');
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  await pairPage(page, store.url, store.managerPairingCode);
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

async function refund(supervisorPassword: string) {
  const sale = await till.post('/api/payments', { outNo: newOutNo('TL'), amountFen: 500, authCode: freshWechatCode() });
  expect(sale.body.status).toBe('paid');
  return till.post(`/api/payments/${sale.body.outNo}/refunds`, { refundNo: newOutNo('R'), amountFen: 100, supervisorPassword });
}

describe('terminals in Settings', () => {
  it('shows a locked-out till and unlocks it; the till then refunds with the right password', async () => {
    expect((await refund('wrong-1')).status).toBe(403);
    expect((await refund('wrong-2')).body.error.code).toBe('supervisor_locked');

    await page.getByTestId('open-settings').click();
    await page.getByTestId('terminals').waitFor();
    await row(till.terminalId).getByTestId('terminal-locked').waitFor();
    expect(await row(till.terminalId).getByTestId('terminal-locked').innerText()).toMatch(/^主管密码已锁定至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(await row(lost.terminalId).getByTestId('terminal-locked').count()).toBe(0);

    await row(till.terminalId).getByTestId('terminal-unlock').click();
    await row(till.terminalId).getByTestId('terminal-locked').waitFor({ state: 'detached' });
    expect((await refund(SUPERVISOR)).body.status).toBe('refunded');
  });

  it('revokes a lost terminal with a second press, and offers no revoke for itself', async () => {
    const button = row(lost.terminalId).getByTestId('terminal-revoke');
    await button.click();
    expect(await button.innerText()).toContain('确认停用');
    expect((await lost.get('/api/terminals/me')).status).toBe(200); // one press revokes nothing
    await button.click();
    await row(lost.terminalId).getByText('已停用').waitFor();
    expect((await lost.get('/api/terminals/me')).status).toBe(401);
    expect(await row(lost.terminalId).getByTestId('terminal-revoke').count()).toBe(0);

    const managers = page.locator('[data-testid=terminal-row][data-role=manager]');
    expect(await managers.count()).toBe(1);
    expect(await managers.getByTestId('terminal-revoke').count()).toBe(0);
  });
});
