/**
 * Two tabs of the POS in one browser (one IndexedDB, one `navigator.locks`): a payment is driven
 * by the tab that holds its Web Lock; the other tab shows it from IndexedDB without calling the
 * proxy for it, and takes over (asking, not re-sending) when the first tab is closed.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { enterCode } from '../helpers/checkout-page.ts';
import { CODE, startTestStore } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  // The customer never confirms by themselves here: the test plays it through the back office.
  store = await startTestStore({ providers: ['mct1'], timing: { pollIntervalMs: 300, payingTimeoutMs: 60_000 } });
  browser = await launchBrowser();
  context = await browser.newContext();
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

/** Every call this page makes about one payment. */
function paymentCalls(page: Page, outNo: () => string | null): string[] {
  const calls: string[] = [];
  page.on('request', (r) => {
    const o = outNo();
    if (o && (r.url().endsWith(`/api/payments/${o}`) || (r.method() === 'POST' && r.url().endsWith('/api/payments')))) {
      calls.push(`${r.method()} ${new URL(r.url()).pathname}`);
    }
  });
  return calls;
}

describe('several tabs', () => {
  it('one payment is driven by one tab; the other follows it and takes over when that tab closes', async () => {
    const a = await context.newPage();
    await a.goto(store.url);
    await a.getByTestId('pairing-code').fill(store.pairingCode);
    await a.getByTestId('pair').click();
    await a.getByTestId('checkout').waitFor();
    await a.getByTestId('amount').fill('6.60');
    await a.getByTestId('collect').click();
    await a.getByTestId('auth-code').waitFor();
    await enterCode(a, CODE.passwordForever);
    await a.locator('[data-testid=status][data-status=paying]').waitFor({ timeout: 15_000 });
    const outNo = (await a.getByTestId('status').getAttribute('data-out-no'))!;

    // A second tab opens on the same terminal: it shows the payment, but A drives it.
    let known: string | null = null;
    const b = await context.newPage();
    const fromB = paymentCalls(b, () => known);
    known = outNo;
    await b.goto(store.url);
    await b.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paying]`).waitFor({ timeout: 15_000 });
    await b.waitForTimeout(2_500); // A polls every 2 s meanwhile
    expect(fromB).toEqual([]);

    // A is closed: its lock is released, B takes over by asking (never by sending it again).
    await a.close();
    await expect.poll(() => fromB.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(fromB[0]).toBe(`GET /api/payments/${outNo}`);
    expect(fromB.filter((c) => c.startsWith('POST'))).toEqual([]);

    // The customer confirms: B follows it to paid.
    expect((await fetch(`${store.url}/sandbox/mct1/_admin/orders/${outNo}/pay`, { method: 'POST' })).ok).toBe(true);
    await b.locator(`[data-testid=status][data-out-no="${outNo}"][data-status=paid]`).waitFor({ timeout: 15_000 });
    expect(store.ledger.calls(outNo).filter((c) => c.op === 'payorder')).toHaveLength(1);
  });
});
