/**
 * The barcode scanner through the real page in headless Chromium, against a whole store.
 * `navigator.hid` is replaced at the browser-API boundary by a test device: a HIDDevice with a HID
 * POS report descriptor (tests/web/hid-fixtures.ts) that emits `inputreport` events replaying
 * Scanned Data Reports built per the usage tables, and `connect`/`disconnect` events on replug.
 * Keyboard-wedge bursts are typed with Playwright's keyboard (a few ms per key, like a scanner).
 * The camera path uses a fake BarcodeDetector and a canvas as the camera.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { CODE, freshWechatCode, startTestStore } from '../helpers/store.ts';
import type { HidCollectionLike } from '../../web/devices/scanner/hid-pos.ts';
import { HONEYWELL_COLLECTIONS, HONEYWELL_IDS, scannedDataReports } from '../web/hid-fixtures.ts';

let store: RunningStore;
let browser: Browser;
let context: BrowserContext;
let page: Page;

interface FakeHidSetup {
  collections: HidCollectionLike[];
  ids: { vendorId: number; productId: number; productName: string };
}

/** Runs in the page before its scripts: the fake WebHID (`window.__hid` drives it). */
function fakeHid({ collections, ids }: FakeHidSetup) {
  class FakeHidDevice extends EventTarget {
    vendorId = ids.vendorId;
    productId = ids.productId;
    productName = ids.productName;
    collections = collections;
    opened = false;
    async open() {
      this.opened = true;
    }
    async close() {
      this.opened = false;
    }
  }
  const withDevice = (type: string, device: FakeHidDevice, more: Record<string, unknown> = {}) => {
    const ev = new Event(type);
    for (const [k, v] of Object.entries({ device, ...more })) Object.defineProperty(ev, k, { value: v });
    return ev;
  };
  let device = new FakeHidDevice();
  let plugged = true;
  const hid = new EventTarget() as EventTarget & Record<string, unknown>;
  // The browser remembers the permission across reloads; so does this device.
  hid.requestDevice = async (options: unknown) => {
    localStorage.setItem('fake-hid-granted', '1');
    localStorage.setItem('fake-hid-requests', String(Number(localStorage.getItem('fake-hid-requests') ?? 0) + 1));
    (window as unknown as Record<string, unknown>).__hidRequestOptions = options;
    return [device];
  };
  hid.getDevices = async () => (localStorage.getItem('fake-hid-granted') && plugged ? [device] : []);
  Object.defineProperty(navigator, 'hid', { value: hid, configurable: true });
  (window as unknown as Record<string, unknown>).__hid = {
    /** Each report's bytes (without the report ID), as the scanner sends them; only while open. */
    send(reports: number[][], reportId = 2) {
      if (!device.opened) throw new Error('the page has not opened the scanner');
      for (const r of reports) device.dispatchEvent(withDevice('inputreport', device, { reportId, data: new DataView(Uint8Array.from(r).buffer) }));
    },
    unplug() {
      plugged = false;
      device.opened = false;
      hid.dispatchEvent(withDevice('disconnect', device));
    },
    replug() {
      device = new FakeHidDevice(); // a replugged device is a new HIDDevice object
      plugged = true;
      hid.dispatchEvent(withDevice('connect', device));
    },
  };
}

const SHUANGHUI = '6902890227670'; // 双汇王中王80克, 2.80
const COLA_GS1 = '0106945678901232\x1d10BATCH-2026-11-23-A\x1d21SERIAL000000000000000000000000012345'; // 可口可乐, two reports
const WANGWANG = '6934567890122'; // 旺旺雪饼84克, 6.50

const hidScan = (code: string, aim = ']E0') => page.evaluate((reports) => (window as any).__hid.send(reports), scannedDataReports(code, aim));
const chip = () => page.getByTestId('scanner-chip');
const chipState = (state: string) => page.locator(`[data-testid=scanner-chip][data-state=${state}]`).waitFor({ timeout: 10_000 });
const amountValue = () => page.getByTestId('amount').inputValue();
const lines = () =>
  page.getByTestId('cart-line').evaluateAll((els) => els.map((e) => [e.getAttribute('data-barcode'), Number(e.getAttribute('data-quantity'))]));

async function pairPage(p: Page, code: string) {
  await p.goto(store.url);
  await p.getByTestId('pairing-code').fill(code);
  await p.getByTestId('pair').click();
  await p.getByTestId('checkout').waitFor();
}

beforeAll(async () => {
  store = await startTestStore({ timing: { pollIntervalMs: 300, payingTimeoutMs: 20_000 } });
  browser = await launchBrowser();
  context = await browser.newContext();
  await context.addInitScript(fakeHid, { collections: HONEYWELL_COLLECTIONS, ids: HONEYWELL_IDS });
  page = await context.newPage();
  await pairPage(page, store.pairingCode);
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

describe('barcode scanner', () => {
  it('is in keyboard mode until a HID POS scanner is connected in the settings, then shows it ready', async () => {
    expect(await chip().getAttribute('data-state')).toBe('wedge');
    await page.getByTestId('open-settings').click();
    await page.getByTestId('choose-hid-scanner').click();
    await chipState('ready');
    expect(await page.evaluate(() => (window as any).__hidRequestOptions)).toEqual({ filters: [{ usagePage: 0x8c }] });
    expect(await page.getByTestId('scanner-device').innerText()).toContain('0c2e:0b6a');
    // While the settings are open a scan goes nowhere: not into the cart, not into a field.
    await hidScan(SHUANGHUI);
    await page.getByTestId('close-settings').click();
    await page.getByTestId('checkout').waitFor();
    expect(await page.getByTestId('cart-line').count()).toBe(0);
  });

  it('a keyboard-wedge burst on the amount screen never types into the amount input', async () => {
    const amount = page.getByTestId('amount');
    await amount.focus();
    await page.evaluate(() => {
      const w = window as any;
      w.__amountInputs = [];
      document.querySelector('[data-testid=amount]')!.addEventListener('input', (e) => w.__amountInputs.push((e.target as HTMLInputElement).value));
    });
    const inputs = () => page.evaluate(() => (window as any).__amountInputs as string[]);

    // Not a code anyone knows: a message, and the amount untouched.
    await page.keyboard.type('QWERTY123456', { delay: 5 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('cart-message').innerText().catch(() => '')).toContain('无法识别的条码');
    expect(await amountValue()).toBe('');
    // An item barcode typed by a keyboard-mode scanner into the focused amount field: into the cart.
    await page.keyboard.type(WANGWANG, { delay: 5 });
    await page.keyboard.press('Enter');
    await expect.poll(lines).toEqual([[WANGWANG, 1]]);
    expect(await amountValue()).toBe('6.50');
    expect(await inputs()).toEqual([]); // not one key of either burst reached the field
    expect(await page.getByTestId('app').getAttribute('data-phase')).toBe('amount'); // and its Enter did not collect

    // A person's typing still arrives (the cart emptied first: its total is the amount meanwhile).
    await page.getByTestId('cart-clear').click();
    expect(await amountValue()).toBe('');
    await amount.pressSequentially('3.21', { delay: 80 });
    await expect.poll(amountValue).toBe('3.21');
    await page.getByTestId('key-clear').click();
    expect(await amountValue()).toBe('');
  });

  it('a burst typed through a Chinese IME (keys as Process / 229, the IME inserting text) is read whole and leaves no character', async () => {
    const amount = page.getByTestId('amount');
    await amount.focus();
    await page.evaluate(() => ((window as any).__amountInputs = []));
    const cdp = await context.newCDPSession(page);
    const imeKey = (code: string) =>
      cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Process', code, windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229 });
    // Sent back to back without awaiting each round trip: a scanner's keys come 1–19 ms apart, and
    // awaiting every CDP answer on a loaded 2-core machine can stretch the gaps past a human's.
    const sent: Promise<unknown>[] = [];
    for (const [i, d] of [...WANGWANG].entries()) {
      sent.push(imeKey(i % 2 ? `Numpad${d}` : `Digit${d}`));
      sent.push(cdp.send('Input.insertText', { text: d })); // what the IME commits for a digit key
    }
    sent.push(imeKey('Enter'));
    await Promise.all(sent);
    await expect.poll(lines).toEqual([[WANGWANG, 1]]);
    expect(await amountValue()).toBe('6.50');
    expect(await page.evaluate(() => (window as any).__amountInputs)).toEqual([]);
    await cdp.detach();
    await page.getByTestId('cart-clear').click();
    expect(await amountValue()).toBe('');
  });

  it('a HID scan of an item adds it to the cart, twice makes quantity 2, and the amount is the cart total', async () => {
    await hidScan(SHUANGHUI);
    await expect.poll(lines).toEqual([[SHUANGHUI, 1]]);
    expect(await amountValue()).toBe('2.80');
    await hidScan(SHUANGHUI);
    await expect.poll(lines).toEqual([[SHUANGHUI, 2]]);
    expect(await amountValue()).toBe('5.60');
    expect(await page.getByTestId('cart-total').innerText()).toBe('¥5.60');

    // A GS1-128 code longer than one report: two reports, joined.
    expect(scannedDataReports(COLA_GS1, ']C1').length).toBe(2);
    await hidScan(COLA_GS1, ']C1');
    await expect.poll(lines).toEqual([
      [SHUANGHUI, 2],
      ['6945678901232', 1],
    ]);
    expect(await amountValue()).toBe('8.60');
    expect(await page.getByTestId('cart-line').nth(1).innerText()).toContain('可口可乐330毫升');

    // A barcode not in the catalogue asks for its price.
    await hidScan('6956789012342');
    await page.getByTestId('cart-price').fill('1.50');
    await page.getByTestId('cart-price-add').click();
    await expect.poll(() => amountValue()).toBe('10.10');

    // Remove buttons, one per line.
    await page.getByTestId('cart-remove').nth(2).click();
    await page.getByTestId('cart-remove').nth(1).click();
    await expect.poll(lines).toEqual([[SHUANGHUI, 2]]);
    expect(await amountValue()).toBe('5.60');
    // The keypad does not change an amount that is the cart's total.
    await page.getByTestId('key-9').click();
    expect(await amountValue()).toBe('5.60');
  });

  it('keeps the cart across a reload (a crash mid-basket loses nothing)', async () => {
    await page.reload();
    await page.getByTestId('checkout').waitFor();
    await expect.poll(lines).toEqual([[SHUANGHUI, 2]]);
    expect(await amountValue()).toBe('5.60');
    await chipState('ready');
  });

  it('collects, and a HID scan of the sandbox payment code pays with the cart\'s items', async () => {
    await page.getByTestId('collect').click();
    await page.getByTestId('auth-code').waitFor();
    expect(await page.getByTestId('scan-amount').innerText()).toBe('¥5.60');
    // An item scanned here is refused: the amount was agreed.
    await hidScan(SHUANGHUI);
    await expect.poll(() => page.getByTestId('scan-error').innerText().catch(() => '')).toContain('商品条码');
    await hidScan(CODE.paid, ']C0');
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    const outNo = (await page.getByTestId('status').getAttribute('data-out-no'))!;
    const paid = store.ledger.getPayment(outNo)!;
    expect(paid).toMatchObject({ status: 'paid', amountFen: 560 });
    expect(paid.items).toEqual([{ name: '双汇王中王80克', barcode: SHUANGHUI, unitFen: 280, quantity: 2 }]);
    await page.getByTestId('new-sale').click();
    await page.getByTestId('checkout').waitFor();
    expect(await page.getByTestId('cart').count()).toBe(0);
    expect(await amountValue()).toBe('');
  });

  it('a reload after the payment took the cart brings back nothing', async () => {
    expect(await page.evaluate(() => localStorage.getItem('pos.cart'))).toBeNull();
    await page.reload();
    await page.getByTestId('checkout').waitFor();
    await chipState('ready');
    // A code that is nothing: its message proves the router (which restores a saved cart) has run.
    await hidScan('12345', ']C0');
    await expect.poll(() => page.getByTestId('cart-message').innerText().catch(() => '')).toContain('无法识别的条码');
    expect(await page.getByTestId('cart-line').count()).toBe(0);
    expect(await amountValue()).toBe('');
    // A scale label (flag 21, PLU 10001, ¥6.12) twice: two packages, two lines, never merged.
    await hidScan('2110001006128');
    await hidScan('2110001006128');
    await expect.poll(lines).toEqual([
      ['2110001006128', 1],
      ['2110001006128', 1],
    ]);
    expect(await page.getByTestId('cart-line').first().innerText()).toContain('散装苹果');
    expect(await amountValue()).toBe('12.24');
    await page.getByTestId('cart-clear').click();
  });

  it('a payment code scanned on the amount screen collects at once, wherever the focus is', async () => {
    await page.getByTestId('key-1').click();
    await page.getByTestId('key-dot').click();
    await page.getByTestId('key-2').click();
    await page.getByTestId('key-5').click();
    await page.getByTestId('key-clear').focus(); // focus on a button, not the field
    await page.keyboard.type(freshWechatCode(), { delay: 4 });
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    const outNo = (await page.getByTestId('status').getAttribute('data-out-no'))!;
    expect(store.ledger.getPayment(outNo)).toMatchObject({ status: 'paid', amountFen: 125 });
    expect(store.ledger.getPayment(outNo)!.items).toBeUndefined();
    await page.getByTestId('new-sale').click();
    await page.getByTestId('checkout').waitFor();
  });

  it('shows the scanner disconnected when it is unplugged, and ready again when it is plugged back in', async () => {
    await chipState('ready');
    await page.evaluate(() => (window as any).__hid.unplug());
    await chipState('disconnected');
    expect(await chip().innerText()).toContain('扫码枪未连接');
    await page.evaluate(() => (window as any).__hid.replug());
    await chipState('ready');
    // The replugged device (a new HIDDevice) is the one listened to.
    await hidScan(SHUANGHUI);
    await expect.poll(lines).toEqual([[SHUANGHUI, 1]]);
    await page.getByTestId('cart-clear').click();
  });

  it('reconnects the remembered scanner after a reload without asking again', async () => {
    await page.reload();
    await page.getByTestId('checkout').waitFor();
    await chipState('ready');
    expect(await page.evaluate(() => localStorage.getItem('fake-hid-requests'))).toBe('1');
    await hidScan(SHUANGHUI);
    await expect.poll(lines).toEqual([[SHUANGHUI, 1]]);
    await page.getByTestId('cart-clear').click();
  });

  it('offers the camera only where the browser has BarcodeDetector', async () => {
    const hasDetector = await page.evaluate(() => 'BarcodeDetector' in window);
    await page.getByTestId('key-1').click();
    await page.getByTestId('collect').click();
    await page.getByTestId('auth-code').waitFor();
    expect(await page.getByTestId('camera-scan').count()).toBe(hasDetector && (await chip().getAttribute('data-state')) !== 'ready' ? 1 : 0);
    await page.getByTestId('scan-back').click();
    await page.getByTestId('key-clear').click();
  });
});

/** Runs in the page: BarcodeDetector reading `window.__cameraCode`, and a canvas as the camera. */
function fakeCamera() {
  const w = window as any;
  w.__cameraCode = null;
  w.BarcodeDetector = class {
    static async getSupportedFormats() {
      return ['qr_code', 'code_128', 'ean_13'];
    }
    async detect() {
      return w.__cameraCode ? [{ rawValue: w.__cameraCode, format: 'code_128' }] : [];
    }
  };
  navigator.mediaDevices.getUserMedia = async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const ctx = canvas.getContext('2d')!;
    let n = 0;
    setInterval(() => {
      ctx.fillStyle = n++ % 2 ? '#333' : '#ccc';
      ctx.fillRect(0, 0, 64, 48);
    }, 40);
    return canvas.captureStream(25);
  };
}

describe('camera fallback', () => {
  it('reads a payment code through BarcodeDetector into the same scan stream', async () => {
    const ctx = await browser.newContext();
    await ctx.addInitScript(fakeCamera);
    const p = await ctx.newPage();
    await pairPage(p, store.terminals.createPairingCode('cashier', 60_000).code);
    await p.getByTestId('amount').fill('2.00');
    await p.getByTestId('collect').click();
    await p.getByTestId('camera-scan').click();
    await p.getByTestId('camera-view').waitFor();
    const code = freshWechatCode();
    await p.evaluate((c) => ((window as any).__cameraCode = c), code);
    await p.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    const outNo = (await p.getByTestId('status').getAttribute('data-out-no'))!;
    expect(store.ledger.getPayment(outNo)).toMatchObject({ status: 'paid', amountFen: 200 });
    await ctx.close();
  });
});
