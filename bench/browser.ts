/**
 * Browser figures for `npm run bench` (headless Chromium, the store on loopback with the sandbox
 * answering at once): scan-to-paid through the real page vs the same payment posted directly to the
 * proxy, and a cold start from the service-worker cache (offline) vs a reload online.
 */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../tests/helpers/browser.ts';
import { startStore, type RunningStore } from '../proxy/server.ts';
import { defaultConfig, mergeConfig } from '../proxy/config.ts';

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
let seq = 0;
const code = () => `134${String(process.pid % 1000).padStart(3, '0')}9${String(seq++).padStart(11, '0')}`;

async function paired(store: RunningStore, browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(store.url);
  await page.getByTestId('pairing-code').fill(store.pairingCode);
  await page.getByTestId('pair').click();
  await page.getByTestId('checkout').waitFor();
  return page;
}

async function scanToPaid(store: RunningStore, page: Page, n: number) {
  const viaPage: number[] = [];
  for (let i = 0; i < n; i++) {
    await page.getByTestId('amount').fill('0.01');
    await page.getByTestId('collect').click();
    await page.getByTestId('auth-code').waitFor();
    await page.keyboard.type(code(), { delay: 2 });
    const t = performance.now();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=status][data-status=paid]').waitFor();
    viaPage.push(performance.now() - t);
    await page.getByTestId('new-sale').click();
    await page.getByTestId('checkout').waitFor();
  }
  const { code: pairing } = store.terminals.createPairingCode('cashier', 60_000);
  const { token } = (await (await fetch(`${store.url}/api/terminals/pair`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: pairing }),
  })).json()) as { token: string };
  const direct: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(`${store.url}/api/payments`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ outNo: `BB${Date.now().toString(36)}${seq++}`, amountFen: 1, authCode: code() }),
    });
    if (((await r.json()) as { status: string }).status !== 'paid') throw new Error('direct payment not paid');
    direct.push(performance.now() - t);
  }
  console.log(JSON.stringify({
    name: 'scan_to_paid_ms', unit: 'ms', n, p50: round3(p50(viaPage)),
    what: 'Enter of a wedge scan to the paid screen, in the page (IndexedDB write, POST, render)',
    baseline: 'the same payment POSTed directly to the proxy', baseline_p50: round3(p50(direct)),
  }));
}

async function coldStart(page: Page, n: number) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const online: number[] = [];
  const offline: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await page.reload();
    await page.getByTestId('checkout').waitFor();
    online.push(performance.now() - t);
    await page.context().setOffline(true);
    t = performance.now();
    await page.reload();
    await page.getByTestId('checkout').waitFor();
    offline.push(performance.now() - t);
    await page.context().setOffline(false);
  }
  console.log(JSON.stringify({
    name: 'cold_start_offline_ms', unit: 'ms', n, p50: round3(p50(offline)),
    what: 'reload to the checkout screen with the network down (app shell from the service-worker cache)',
    baseline: 'the same reload online', baseline_p50: round3(p50(online)),
  }));
}

export async function browserBench(n = 20): Promise<void> {
  const store = await startStore(mergeConfig(defaultConfig(), { port: 0, host: '127.0.0.1', dataDir: ':memory:', providers: ['weishouyin'] }));
  const browser = await launchBrowser();
  try {
    const page = await paired(store, browser);
    await scanToPaid(store, page, n);
    await coldStart(page, Math.max(5, Math.floor(n / 2)));
  } finally {
    await browser.close();
    await store.close();
  }
}
