/**
 * The receipt printer through the real page in headless Chromium, against a whole store.
 * `navigator.serial` is replaced at the browser-API boundary by a test device: a SerialPort whose
 * `writable` captures the bytes (window.__printed, one entry per write) and whose `readable`
 * answers DLE EOT n with window.__printerStatus[n]. The captured bytes are decoded (GB18030, and
 * through the receipt preview's ESC/POS parser) and checked.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { previewText, renderEscPos } from '../../web/devices/escpos-preview.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { fakeSerial } from '../helpers/fake-serial.ts';
import { pairPage, sell as sellOnPage } from '../helpers/checkout-page.ts';
import { CODE, startTestStore } from '../helpers/store.ts';

let store: RunningStore;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const OK = { 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 };
const PAPER_OUT = { 1: 0x1a, 2: 0x32, 3: 0x12, 4: 0x72 };


const printed = () => page.evaluate(() => (window as unknown as { __printed: number[][] }).__printed.map((b) => b));
const printedCount = () => page.evaluate(() => (window as unknown as { __printed: number[][] }).__printed.length);
const setStatus = (s: Record<number, number>) =>
  page.evaluate((st) => ((window as unknown as { __printerStatus: Record<number, number> }).__printerStatus = st), s);
const chip = () => page.getByTestId('printer-chip');
const gb = (b: number[]) => new TextDecoder('gb18030').decode(Uint8Array.from(b));
const receiptText = (b: number[]) => previewText(renderEscPos(Uint8Array.from(b)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  store = await startTestStore({ timing: { pollIntervalMs: 300, payingTimeoutMs: 20_000 } });
  browser = await launchBrowser();
  context = await browser.newContext();
  await context.addInitScript(fakeSerial);
  page = await context.newPage();
  await pairPage(page, store.url, store.pairingCode);
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

const sell = (amount: string, code: string) => sellOnPage(page, amount, code);

describe('receipt printer over WebSerial', () => {
  it('has no printer until one is chosen in the settings, then shows it ready', async () => {
    expect(await chip().getAttribute('data-state')).toBe('none');
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings').waitFor();
    await page.getByTestId('choose-serial-printer').click();
    await page.locator('[data-testid=printer-chip][data-state=ready]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('printer-device').innerText()).toContain('0416:5011');
    expect(await page.evaluate(() => (window as unknown as { __serialOptions: unknown }).__serialOptions)).toMatchObject({
      baudRate: 9600,
      dataBits: 8,
      stopBits: 1,
      parity: 'none',
      flowControl: 'none',
    });
    expect(await page.getByTestId('auto-print').getAttribute('aria-checked')).toBe('true');
    // The printer was asked for its status (DLE EOT) and printed nothing yet.
    expect(await page.evaluate(() => (window as unknown as { __statusQueries: number }).__statusQueries)).toBeGreaterThan(0);
    expect(await printedCount()).toBe(0);
    await page.getByTestId('close-settings').click();
    await page.getByTestId('checkout').waitFor();
  });

  it('prints the receipt of a paid payment automatically, exactly once, in GB18030', async () => {
    await sell('12.34', CODE.paid);
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(1);
    const [bytes] = await printed();
    const text = receiptText(bytes);
    expect(text).toContain('付款回执');
    expect(text).toContain('12.34');
    expect(text).toContain('￥12.34'); // the seed's ¥ printed as ￥
    expect(gb(bytes)).toContain('付款回执');
    // Chinese is GB18030 in Chinese mode, never UTF-8.
    expect(bytes.slice(0, 4)).toEqual([0x1b, 0x40, 0x1c, 0x26]);
    expect(Buffer.from(bytes).includes(Buffer.from('付款回执', 'utf8'))).toBe(false);
    // What was printed is what the screen shows.
    const ref = (await page.getByTestId('provider-ref').innerText()).trim();
    expect(text).toContain(ref);
    // Screen updates (polling, events, the receipt preview) never print it again.
    await sleep(2_000);
    expect(await printedCount()).toBe(1);
  });

  it('"打印" prints it again, on request', async () => {
    await page.getByTestId('print-receipt').click();
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(2);
    const [first, second] = await printed();
    expect(second).toEqual(first);
  });

  it('holds a job while the paper is out, and prints it when the paper is back', async () => {
    await setStatus(PAPER_OUT);
    await page.locator('[data-testid=printer-chip][data-state=paper-out]').waitFor({ timeout: 10_000 });
    await page.getByTestId('print-receipt').click();
    await expect.poll(() => page.getByTestId('print-note').innerText()).toContain('打印机恢复后自动打印');
    await page.locator('[data-testid=printer-chip][data-pending="1"]').waitFor();
    await sleep(2_000);
    expect(await printedCount()).toBe(2);

    await setStatus(OK);
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(3);
    await page.locator('[data-testid=printer-chip][data-state=ready]').waitFor();
    expect(receiptText((await printed())[2])).toContain('付款回执');
    await page.getByTestId('new-sale').click();
    await page.getByTestId('checkout').waitFor();
  });

  it('prints a Chinese test page built in the browser', async () => {
    await page.getByTestId('open-settings').click();
    await page.getByTestId('test-print').click();
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(4);
    const page4 = (await printed())[3];
    const text = receiptText(page4);
    expect(text).toContain('打印测试页');
    expect(text).toContain('中文：微信支付 支付宝 收银台');
    expect(text).toContain('￥12.34');
    expect(gb(page4)).toContain('打印正常');
    expect(page4.slice(-3)).toEqual([0x1d, 0x56, 0x01]); // GS V 1
    await page.getByTestId('close-settings').click();
  });

  it('opens the drawer before the receipt of a cash sale', async () => {
    await page.getByTestId('amount').fill('5.00');
    await page.getByTestId('collect').click();
    await page.getByTestId('cash-mct1:Cash').click();
    await page.getByTestId('confirm-cash').click();
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(6);
    const [, , , , kick, receipt] = await printed();
    expect(kick).toEqual([0x1b, 0x70, 0x00, 25, 250]);
    expect(receiptText(receipt)).toContain('5.00');
    await page.getByTestId('new-sale').click();
  });

  it('prints the bill before payment (预结单) for the scanned items, with 微收银\'s qrcode_template under it', async () => {
    await page.getByTestId('checkout').waitFor();
    // Two items from a keyboard-mode scanner: a fast burst ending in Enter.
    for (let i = 0; i < 2; i++) {
      await page.keyboard.type('6902890227670'); // a burst: as fast as the browser takes keys
      await page.keyboard.press('Enter');
    }
    await expect.poll(() => page.getByTestId('cart-total').innerText().catch(() => '')).toBe('¥5.60');
    await page.getByTestId('print-bill').click();
    await expect.poll(printedCount, { timeout: 10_000 }).toBe(7);
    const bill = (await printed())[6];
    const text = receiptText(bill).replace(/[ \t]+/g, ' ');
    expect(text).toContain('预结单');
    expect(text).toContain('双汇王中王80克');
    expect(text).toContain('2 x 2.80 = 5.60');
    expect(text).toContain('￥5.60');
    expect(text).toContain('此单不是付款凭证');
    expect(text).toContain('感谢您的光临');
    expect(gb(bill)).toContain('微信扫一扫');
    await expect.poll(() => page.getByTestId('bill-note').innerText()).toContain('已打印');
    // Nothing was charged: the cart is still there, the amount its total.
    expect(await page.getByTestId('amount').inputValue()).toBe('5.60');
    await page.getByTestId('cart-clear').click();
  });

  it('reconnects the remembered printer after a reload and prints nothing again', async () => {
    await page.reload();
    await page.getByTestId('checkout').waitFor();
    await page.locator('[data-testid=printer-chip][data-state=ready]').waitFor({ timeout: 10_000 });
    await sleep(1_500);
    // A new page: its capture starts empty, and no job done before the reload came back.
    expect(await printedCount()).toBe(0);
    // The queue's own database: every job done, each printed once (a resent job would say attempts 2).
    const jobs = await page.evaluate(
      () =>
        new Promise<{ id: string; state: string; attempts: number }[]>((resolve, reject) => {
          const req = indexedDB.open('pos-printer');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const all = req.result.transaction('jobs').objectStore('jobs').getAll();
            all.onsuccess = () => resolve(all.result);
          };
        }),
    );
    expect(jobs).toHaveLength(7);
    expect(jobs.map((j) => j.id.split(':')[0]).sort()).toEqual(['bill', 'drawer', 'receipt', 'receipt', 'reprint', 'reprint', 'test']);
    for (const j of jobs) expect(j).toMatchObject({ state: 'done', attempts: 1 });
  });
});
