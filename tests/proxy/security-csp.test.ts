/**
 * The Content-Security-Policy in a real browser: the built PWA (run `npx vite build` first) goes
 * through its screens — pairing, a paid sale with its receipt, a QR code, the manager's orders, an
 * order's detail, the day report's charts, reconciliation, settlement, settings — with no violation
 * reported, while an inline script injected into the same page is blocked (so the policy is on).
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage, sell } from '../helpers/checkout-page.ts';
import { CODE, startTestStore } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;

/** Every violation the page reports, and every console line about the policy. */
async function watched(): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const page = await browser.newPage();
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) console.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  return {
    page,
    violations: async () => [...console, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp ?? []))],
  };
}

beforeAll(async () => {
  if (!existsSync('dist/index.html')) throw new Error('The PWA is not built: run `npx vite build` first');
  store = await startTestStore({ timing: { pollIntervalMs: 300, payingTimeoutMs: 20_000 } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

describe('the PWA under its Content-Security-Policy', () => {
  it('the cashier\'s screens: pairing, a paid sale and its receipt, a QR code', async () => {
    const { page, violations } = await watched();
    await pairPage(page, store.url, store.pairingCode);
    await sell(page, '12.34', CODE.paid);
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('receipt').innerText(), { timeout: 10_000 }).toContain('12.34');
    await page.getByTestId('new-sale').click();

    await page.getByTestId('amount').fill('23.00');
    await page.getByTestId('collect').click();
    await page.getByTestId('qr-mct1:Weixin:qr').click();
    await page.locator('[data-testid=qr-code][data-state=ready] svg').waitFor({ timeout: 15_000 });
    await page.getByTestId('open-settings').click();
    await page.waitForTimeout(300);

    expect(await violations()).toEqual([]);

    // The control: an inline script is refused on this very page.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    await expect.poll(violations).toEqual([expect.stringContaining("violates the following Content Security Policy directive 'script-src 'self''"), expect.stringMatching(/^script-src-elem inline/)]);
    await page.close();
  });

  it('the manager\'s screens: orders, an order\'s detail, the day report, reconciliation, settlement', async () => {
    const { page, violations } = await watched();
    await pairPage(page, store.url, store.managerPairingCode);
    await page.getByTestId('open-orders').click();
    await page.locator('[data-testid=orders][data-state=ready]').waitFor();
    await page.getByTestId('order-row').first().click();
    await page.getByTestId('order-detail').waitFor();
    await page.getByTestId('orders-back').click();
    await page.getByTestId('orders-tab-day').click();
    await page.locator('[data-testid=day-methods-chart]').waitFor({ timeout: 10_000 });
    await page.getByTestId('orders-tab-reconcile').click();
    await page.waitForTimeout(500);
    await page.getByTestId('orders-tab-settle').click();
    await page.waitForTimeout(500);
    expect(await violations()).toEqual([]);
    await page.close();
  });
});
