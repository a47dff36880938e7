/** Driving the cashier's page in the browser tests: pairing, and a sale scanned like a keyboard-wedge scanner. */
import type { Page } from 'playwright-core';

/** Opens the store's page and pairs it with `code`; resolves on the checkout screen. */
export async function pairPage(page: Page, url: string, code: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('pairing-code').fill(code);
  await page.getByTestId('pair').click();
  await page.getByTestId('checkout').waitFor();
}

/** Keys an amount and "scans" a code: its digits 5 ms apart, then Enter, as a wedge scanner types. */
export async function sell(page: Page, amount: string, code: string): Promise<void> {
  const amountInput = page.getByTestId('amount');
  await amountInput.fill('');
  await amountInput.pressSequentially(amount, { delay: 30 });
  await page.getByTestId('collect').click();
  await page.getByTestId('auth-code').waitFor();
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press('Enter');
}
