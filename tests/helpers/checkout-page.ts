/**
 * Driving the cashier's page in the browser tests: pairing, and a sale. The code goes into the scan
 * screen's field whole, then Enter (taken at once, as a paste is): a typed burst can look like
 * human typing on two busy cores and then waits for the cashier to confirm it. How typed bursts are
 * told apart is tested in tests/e2e/scanner.test.ts and tests/web/keyboard-scans.test.ts.
 */
import type { Page } from 'playwright-core';

/** Opens the store's page and pairs it with `code`; resolves on the checkout screen. */
export async function pairPage(page: Page, url: string, code: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('pairing-code').fill(code);
  await page.getByTestId('pair').click();
  await page.getByTestId('checkout').waitFor();
}

/** On the scan screen: the payment code entered whole, then Enter. */
export async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByTestId('auth-code').fill(code);
  await page.keyboard.press('Enter');
}

/** Keys an amount, 收款, and enters a payment code. */
export async function sell(page: Page, amount: string, code: string): Promise<void> {
  const amountInput = page.getByTestId('amount');
  await amountInput.fill('');
  await amountInput.pressSequentially(amount, { delay: 30 });
  await page.getByTestId('collect').click();
  await enterCode(page, code);
}
