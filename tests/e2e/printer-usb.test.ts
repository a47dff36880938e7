/**
 * The receipt printer over WebUSB, through the real page in headless Chromium, against a whole store.
 * `navigator.usb` is replaced at the browser-API boundary by a test bus holding one USB receipt
 * printer (0416:5011, printer class 0x07, bulk OUT endpoint 1 and, when bidirectional, bulk IN
 * endpoint 2), written to behave as the WebUSB spec and Chromium do: methods reject on a closed or
 * unplugged device, transfers only reach endpoints of a claimed interface, closing or releasing
 * cancels a pending transferIn, a replug is a new USBDevice object, permission outlives a reload.
 * The printer answers DLE EOT n on its IN endpoint with window.__usb.status[n]; every other byte
 * it receives is kept in window.__usb.out, the stream a printer would print, decoded here (GB18030,
 * and through the receipt preview's ESC/POS parser) and checked.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStore } from '../../proxy/server.ts';
import { previewText, renderEscPos } from '../../web/devices/escpos-preview.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { pairPage, sell } from '../helpers/checkout-page.ts';
import { CODE, startTestStore } from '../helpers/store.ts';

/** What the test bus exposes to the test (window.__usb). */
interface FakeUsbControl {
  /** Every byte the printer received on its OUT endpoint, status queries excepted. */
  out: number[];
  /** Every transferOut that reached the printer. */
  transfers: { endpoint: number; length: number }[];
  statusQueries: number;
  /** DLE EOT n → the answer byte. */
  status: Record<number, number>;
  /** Some bidirectional printers never answer DLE EOT over USB. */
  answers: boolean;
  /** The options of every requestDevice call. */
  requests: unknown[];
  /** The cable is pulled while the next job's bytes go out: the first half reaches the printer. */
  pullCableMidWrite: boolean;
  unplug(): void;
  replug(): void;
}
type WithUsb = { __usb: FakeUsbControl };

/** Runs in the page before its scripts: the fake WebUSB with one receipt printer on the bus. */
function fakeUsb(opts: { bidirectional: boolean }) {
  const OUT_EP = 1;
  const IN_EP = 2;
  const GRANTS = 'fake-usb-granted';
  const fail = (name: string, message: string) => new DOMException(message, name);
  const disconnected = () => fail('NotFoundError', 'The device was disconnected.');

  interface Endpoint {
    endpointNumber: number;
    direction: 'in' | 'out';
    type: 'bulk';
    packetSize: number;
  }
  interface Alternate {
    alternateSetting: number;
    interfaceClass: number;
    interfaceSubclass: number;
    interfaceProtocol: number;
    interfaceName: string | null;
    endpoints: Endpoint[];
  }
  interface Iface {
    interfaceNumber: number;
    alternate: Alternate;
    alternates: Alternate[];
    claimed: boolean;
  }
  interface Config {
    configurationValue: number;
    configurationName: string | null;
    interfaces: Iface[];
  }
  interface Filter {
    vendorId?: number;
    productId?: number;
    classCode?: number;
    subclassCode?: number;
    protocolCode?: number;
    serialNumber?: string;
  }
  interface PendingIn {
    iface: number;
    length: number;
    resolve(r: { status: 'ok'; data: DataView }): void;
    reject(e: unknown): void;
  }

  const control: FakeUsbControl = {
    out: [],
    transfers: [],
    statusQueries: 0,
    status: { 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 },
    answers: true,
    requests: [],
    pullCableMidWrite: false,
    unplug: () => {},
    replug: () => {},
  };
  (window as unknown as WithUsb).__usb = control;

  /** One connection of the printer: Chromium makes a new USBDevice object for every plug-in. */
  class FakeUsbDevice {
    readonly usbVersionMajor = 2;
    readonly usbVersionMinor = 0;
    readonly usbVersionSubminor = 0;
    // Class 0: the class is given per interface, as printers do.
    readonly deviceClass = 0;
    readonly deviceSubclass = 0;
    readonly deviceProtocol = 0;
    readonly vendorId = 0x0416;
    readonly productId = 0x5011;
    readonly deviceVersionMajor = 1;
    readonly deviceVersionMinor = 0;
    readonly deviceVersionSubminor = 0;
    readonly manufacturerName = 'Winbond';
    readonly productName = 'POS58 Printer';
    readonly serialNumber = 'PRN58-0001';
    readonly configurations: Config[];
    #configuration: Config | null;
    #opened = false;
    #gone = false;
    #inPipe: number[] = [];
    #pendingIn: PendingIn[] = [];

    constructor() {
      const endpoints: Endpoint[] = [{ endpointNumber: OUT_EP, direction: 'out', type: 'bulk', packetSize: 64 }];
      if (opts.bidirectional) endpoints.push({ endpointNumber: IN_EP, direction: 'in', type: 'bulk', packetSize: 64 });
      // USB printer class: subclass 1, protocol 1 unidirectional, 2 bidirectional.
      const alt: Alternate = {
        alternateSetting: 0,
        interfaceClass: 0x07,
        interfaceSubclass: 0x01,
        interfaceProtocol: opts.bidirectional ? 0x02 : 0x01,
        interfaceName: null,
        endpoints,
      };
      const config: Config = { configurationValue: 1, configurationName: null, interfaces: [{ interfaceNumber: 0, alternate: alt, alternates: [alt], claimed: false }] };
      this.configurations = [config];
      // The host configured it when it was plugged in.
      this.#configuration = config;
    }

    get opened() {
      return this.#opened;
    }
    get configuration() {
      return this.#configuration;
    }

    async open() {
      if (this.#gone) throw disconnected();
      this.#opened = true;
    }
    async close() {
      if (this.#gone) throw disconnected();
      if (!this.#opened) return;
      this.#cancelIn(fail('AbortError', 'The transfer was cancelled.'));
      for (const i of this.#configuration?.interfaces ?? []) i.claimed = false;
      this.#opened = false;
    }
    async selectConfiguration(value: number) {
      this.#mustBeOpen();
      const c = this.configurations.find((x) => x.configurationValue === value);
      if (!c) throw fail('NotFoundError', 'The configuration value provided is not supported by the device.');
      this.#configuration = c;
    }
    async claimInterface(n: number) {
      const i = this.#iface(n);
      i.claimed = true;
    }
    async releaseInterface(n: number) {
      const i = this.#iface(n);
      if (!i.claimed) return;
      this.#cancelIn(fail('AbortError', 'The transfer was cancelled.'), n);
      i.claimed = false;
    }
    async selectAlternateInterface(n: number, setting: number) {
      const i = this.#iface(n);
      if (!i.claimed) throw fail('InvalidStateError', 'The interface number provided is not claimed.');
      const alt = i.alternates.find((a) => a.alternateSetting === setting);
      if (!alt) throw fail('NotFoundError', 'The alternate setting provided is not supported by the device in its current configuration.');
      i.alternate = alt;
    }
    async clearHalt(direction: 'in' | 'out', endpointNumber: number) {
      this.#endpoint(direction, endpointNumber);
    }

    async transferOut(endpointNumber: number, data: BufferSource) {
      this.#endpoint('out', endpointNumber);
      const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      const bytes = Array.from(view);
      await new Promise((r) => setTimeout(r, 1)); // on the wire
      if (this.#gone) throw disconnected();
      control.transfers.push({ endpoint: endpointNumber, length: bytes.length });
      if (bytes.length === 3 && bytes[0] === 0x10 && bytes[1] === 0x04 && bytes[2] >= 1 && bytes[2] <= 4) {
        control.statusQueries++;
        if (opts.bidirectional && control.answers) this.#answer(control.status[bytes[2]]);
        return { status: 'ok' as const, bytesWritten: 3 };
      }
      if (control.pullCableMidWrite) {
        control.pullCableMidWrite = false;
        for (const b of bytes.slice(0, bytes.length >> 1)) control.out.push(b);
        control.unplug();
        throw disconnected();
      }
      for (const b of bytes) control.out.push(b);
      return { status: 'ok' as const, bytesWritten: bytes.length };
    }

    /** A bulk IN transfer stays pending until the printer has something to send. */
    transferIn(endpointNumber: number, length: number): Promise<{ status: 'ok'; data: DataView }> {
      try {
        const iface = this.#endpoint('in', endpointNumber);
        return new Promise((resolve, reject) => {
          this.#pendingIn.push({ iface, length, resolve, reject });
          this.#flushIn();
        });
      } catch (err) {
        return Promise.reject(err);
      }
    }

    /** The cable is pulled. */
    gone() {
      this.#gone = true;
      this.#opened = false;
      this.#cancelIn(disconnected());
    }

    #answer(byte: number) {
      this.#inPipe.push(byte);
      this.#flushIn();
    }
    #flushIn() {
      while (this.#pendingIn.length > 0 && this.#inPipe.length > 0) {
        const p = this.#pendingIn.shift()!;
        const chunk = Uint8Array.from(this.#inPipe.splice(0, p.length));
        p.resolve({ status: 'ok', data: new DataView(chunk.buffer) });
      }
    }
    #cancelIn(err: DOMException, iface?: number) {
      const keep: PendingIn[] = [];
      for (const p of this.#pendingIn) (iface === undefined || p.iface === iface ? p.reject(err) : keep.push(p));
      this.#pendingIn = keep;
    }
    #mustBeOpen() {
      if (this.#gone) throw disconnected();
      if (!this.#opened) throw fail('InvalidStateError', 'The device must be opened first.');
    }
    #iface(n: number): Iface {
      this.#mustBeOpen();
      if (!this.#configuration) throw fail('InvalidStateError', 'The device must have a configuration selected.');
      const i = this.#configuration.interfaces.find((x) => x.interfaceNumber === n);
      if (!i) throw fail('NotFoundError', 'The interface number provided is not supported by the device in its current configuration.');
      return i;
    }
    /** Only endpoints of a claimed interface's selected alternate take transfers. Returns the interface number. */
    #endpoint(direction: 'in' | 'out', n: number): number {
      this.#mustBeOpen();
      if (!this.#configuration) throw fail('InvalidStateError', 'The device must have a configuration selected.');
      if (n < 1 || n > 15) throw fail('IndexSizeError', 'The specified endpoint number is out of range.');
      for (const i of this.#configuration.interfaces) {
        if (i.claimed && i.alternate.endpoints.some((e) => e.direction === direction && e.endpointNumber === n)) return i.interfaceNumber;
      }
      throw fail('NotFoundError', 'The specified endpoint is not part of a claimed and selected alternate interface.');
    }
  }

  /** The spec's "matches a device filter": ids, serial number, and a class code of the device or of any interface. */
  const matches = (d: FakeUsbDevice, f: Filter) => {
    if (f.vendorId !== undefined && f.vendorId !== d.vendorId) return false;
    if (f.productId !== undefined && f.productId !== d.productId) return false;
    if (f.serialNumber !== undefined && f.serialNumber !== d.serialNumber) return false;
    if (f.classCode === undefined) return true;
    const classes = [
      { c: d.deviceClass, s: d.deviceSubclass, p: d.deviceProtocol },
      ...d.configurations.flatMap((c) => c.interfaces.flatMap((i) => i.alternates.map((a) => ({ c: a.interfaceClass, s: a.interfaceSubclass, p: a.interfaceProtocol })))),
    ];
    return classes.some((k) => k.c === f.classCode && (f.subclassCode === undefined || k.s === f.subclassCode) && (f.protocolCode === undefined || k.p === f.protocolCode));
  };
  // The browser keeps the origin's permission across reloads; so does this bus.
  const key = (d: FakeUsbDevice) => `${d.vendorId}:${d.productId}:${d.serialNumber}`;
  const granted = (d: FakeUsbDevice) => (JSON.parse(localStorage.getItem(GRANTS) ?? '[]') as string[]).includes(key(d));
  const grant = (d: FakeUsbDevice) => {
    if (!granted(d)) localStorage.setItem(GRANTS, JSON.stringify([...(JSON.parse(localStorage.getItem(GRANTS) ?? '[]') as string[]), key(d)]));
  };
  /**
   * A USBConnectionEvent (the real constructor wants a real USBDevice), queued as a task: a
   * transfer cut off by a pulled cable fails before the page hears of the unplug.
   */
  const fire = (type: 'connect' | 'disconnect', device: FakeUsbDevice) => {
    const e = new Event(type);
    Object.defineProperty(e, 'device', { value: device });
    setTimeout(() => usb.dispatchEvent(e), 0);
  };

  let plugged: FakeUsbDevice | null = new FakeUsbDevice();
  const usb = new EventTarget() as EventTarget & Record<string, unknown>;
  usb.requestDevice = async (options: { filters: Filter[] }) => {
    control.requests.push(options);
    if (!navigator.userActivation.isActive) throw fail('SecurityError', 'Must be handling a user gesture to show a permission request.');
    if (!Array.isArray(options?.filters)) throw new TypeError("Failed to execute 'requestDevice' on 'USB': required member filters is undefined.");
    // The chooser lists the matching devices; the cashier picks the printer.
    const d = plugged && (options.filters.length === 0 || options.filters.some((f) => matches(plugged!, f))) ? plugged : null;
    if (!d) throw fail('NotFoundError', 'No device selected.');
    grant(d);
    return d;
  };
  usb.getDevices = async () => (plugged && granted(plugged) ? [plugged] : []);
  // Events reach the page only for devices it has permission for.
  control.unplug = () => {
    const d = plugged;
    if (!d) return;
    plugged = null;
    d.gone();
    if (granted(d)) fire('disconnect', d);
  };
  control.replug = () => {
    if (plugged) return;
    const d = new FakeUsbDevice();
    plugged = d;
    if (granted(d)) fire('connect', d);
  };
  Object.defineProperty(navigator, 'usb', { value: usb, configurable: true });
}

const OK = { 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 };
const PAPER_OUT = { 1: 0x1a, 2: 0x32, 3: 0x12, 4: 0x72 };

const gb = (b: number[]) => new TextDecoder('gb18030').decode(Uint8Array.from(b));
const receiptText = (b: number[]) => previewText(renderEscPos(Uint8Array.from(b)));
const cuts = (b: number[]) => renderEscPos(Uint8Array.from(b)).lines.filter((l) => l.kind === 'cut').length;
const count = (s: string, part: string) => s.split(part).length - 1;
const hasRun = (b: number[], run: number[]) => b.some((_, i) => run.every((x, j) => b[i + j] === x));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads and drives the test bus of one page. */
function bus(page: () => Page) {
  return {
    state: () =>
      page().evaluate(() => {
        const u = (window as unknown as WithUsb).__usb;
        return { out: u.out.length, transfers: u.transfers, statusQueries: u.statusQueries, requests: u.requests };
      }),
    /** The bytes the printer received since `mark` (a length of `out`). */
    outSince: (mark: number) => page().evaluate((m) => (window as unknown as WithUsb).__usb.out.slice(m), mark),
    outLength: () => page().evaluate(() => (window as unknown as WithUsb).__usb.out.length),
    setStatus: (s: Record<number, number>) => page().evaluate((st) => void Object.assign((window as unknown as WithUsb).__usb.status, st), s),
    setAnswers: (on: boolean) => page().evaluate((v) => void ((window as unknown as WithUsb).__usb.answers = v), on),
    pullCableMidWrite: () => page().evaluate(() => void ((window as unknown as WithUsb).__usb.pullCableMidWrite = true)),
    unplug: () => page().evaluate(() => (window as unknown as WithUsb).__usb.unplug()),
    replug: () => page().evaluate(() => (window as unknown as WithUsb).__usb.replug()),
  };
}

/** The print queue's own database, as the page sees it. */
const printJobs = (page: Page) =>
  page.evaluate(
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

let store: RunningStore;
let browser: Browser;

beforeAll(async () => {
  store = await startTestStore({ timing: { pollIntervalMs: 300, payingTimeoutMs: 20_000 } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await store?.close();
});

describe('receipt printer over WebUSB (bidirectional: status on the IN endpoint)', () => {
  let context: BrowserContext;
  let page: Page;
  const usb = bus(() => page);
  const chip = () => page.getByTestId('printer-chip');
  const chipIn = (state: string, pending?: number) =>
    page.locator(`[data-testid=printer-chip][data-state=${state}]${pending === undefined ? '' : `[data-pending="${pending}"]`}`).waitFor({ timeout: 10_000 });
  /** Waits until `n` whole documents (each ends in a cut) arrived since `mark`; returns their bytes. */
  const documents = async (mark: number, n: number) => {
    await expect.poll(async () => cuts(await usb.outSince(mark)), { timeout: 10_000 }).toBe(n);
    return usb.outSince(mark);
  };
  let lastReceipt: number[] = [];

  beforeAll(async () => {
    context = await browser.newContext();
    await context.addInitScript(fakeUsb, { bidirectional: true });
    page = await context.newPage();
    await pairPage(page, store.url, store.pairingCode);
  });
  afterAll(async () => {
    await context?.close();
  });

  it('is chosen in the settings with a click, and prints the Chinese test page on the OUT endpoint', async () => {
    expect(await chip().getAttribute('data-state')).toBe('none');
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings').waitFor();
    await page.getByTestId('choose-usb-printer').click();
    await chipIn('ready');
    expect(await page.getByTestId('printer-device').innerText()).toContain('USB 0416:5011');
    let s = await usb.state();
    // Asked once, from the click (the fake refuses a call without user activation, as Chrome does).
    expect(s.requests).toHaveLength(1);
    // The status was read over the IN endpoint (ready needs an answer), and nothing printed yet.
    expect(s.statusQueries).toBeGreaterThan(0);
    expect(s.out).toBe(0);

    await page.getByTestId('test-print').click();
    const bytes = await documents(0, 1);
    await expect.poll(() => page.getByTestId('test-print-note').innerText()).toContain('已打印');
    const text = receiptText(bytes);
    expect(text).toContain('打印测试页');
    expect(text).toContain('中文：微信支付 支付宝 收银台');
    expect(text).toContain('连接: USB 0416:5011');
    expect(text).toContain('￥12.34');
    expect(gb(bytes)).toContain('打印正常');
    expect(bytes.slice(0, 2)).toEqual([0x1b, 0x40]); // ESC @
    expect(hasRun(bytes, [0x1c, 0x26])).toBe(true); // FS &: Chinese mode
    expect(bytes.slice(-3)).toEqual([0x1d, 0x56, 0x01]); // GS V 1
    expect(Buffer.from(bytes).includes(Buffer.from('打印测试页', 'utf8'))).toBe(false);
    s = await usb.state();
    expect(s.transfers.every((t) => t.endpoint === 1)).toBe(true);
    await page.getByTestId('close-settings').click();
    await page.getByTestId('checkout').waitFor();
  });

  it('prints the receipt of a paid sale automatically, exactly once', async () => {
    const mark = await usb.outLength();
    await sell(page, '12.34', CODE.paid);
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    const bytes = await documents(mark, 1);
    const text = receiptText(bytes);
    expect(text).toContain('付款回执');
    expect(text).toContain('￥12.34');
    expect(bytes.slice(0, 4)).toEqual([0x1b, 0x40, 0x1c, 0x26]);
    const ref = (await page.getByTestId('provider-ref').innerText()).trim();
    expect(text).toContain(ref);
    // Screen updates (polling, events, the preview) never print it again.
    await sleep(1_000);
    const after = await usb.outSince(mark);
    expect(after).toEqual(bytes);
    expect(count(receiptText(after), '付款回执')).toBe(1);
    await page.getByTestId('new-sale').click();
    await page.getByTestId('checkout').waitFor();
  });

  it('reconnects the remembered printer after a reload, without asking, and prints on it', async () => {
    await page.reload();
    await page.getByTestId('checkout').waitFor();
    await chipIn('ready');
    let s = await usb.state();
    expect(s.requests).toHaveLength(0); // the chooser did not open again
    expect(s.out).toBe(0); // and nothing done before the reload came back

    await sell(page, '8.88', CODE.paid);
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    const text = receiptText(await documents(0, 1));
    expect(text).toContain('付款回执');
    expect(text).toContain('￥8.88');
    s = await usb.state();
    expect(s.requests).toHaveLength(0);
    await page.getByTestId('new-sale').click();
    await page.getByTestId('checkout').waitFor();
  });

  it('shows the printer offline when unplugged, holds the receipt, and prints it once plugged back in', async () => {
    await usb.unplug();
    // At once, from the disconnect event (the idle status check would take up to 3 s).
    await page.locator('[data-testid=printer-chip][data-state=offline]').waitFor({ timeout: 2_000 });
    expect(await chip().innerText()).toContain('打印机离线');

    const mark = await usb.outLength();
    await sell(page, '3.21', CODE.paid);
    await page.locator('[data-testid=status][data-status=paid]').waitFor({ timeout: 15_000 });
    await chipIn('offline', 1);
    expect(await chip().innerText()).toContain('1 张待打印');
    await sleep(500);
    expect(await usb.outLength()).toBe(mark);

    await usb.replug();
    const bytes = await documents(mark, 1);
    await chipIn('ready', 0);
    const text = receiptText(bytes);
    expect(text).toContain('付款回执');
    expect(text).toContain('￥3.21');
    expect(count(text, '付款回执')).toBe(1);
    lastReceipt = bytes;
  });

  it('sends a receipt cut off by a pulled cable again, in full, once plugged back in', async () => {
    const mark = await usb.outLength();
    await usb.pullCableMidWrite();
    await page.getByTestId('print-receipt').click();
    await chipIn('offline', 1);
    const half = await usb.outSince(mark);
    expect(half.length).toBeGreaterThan(0);
    expect(cuts(half)).toBe(0);

    await usb.replug();
    const all = await documents(mark, 1);
    await chipIn('ready', 0);
    // Half a receipt, then the whole of it: the same bytes as the automatic one.
    expect(all.slice(half.length)).toEqual(lastReceipt);
    const reprint = (await printJobs(page)).filter((j) => j.id.startsWith('reprint:'));
    expect(reprint).toHaveLength(1);
    expect(reprint[0]).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('shows paper out on the chip, holds a job, and prints it when the paper is back', async () => {
    await usb.setStatus(PAPER_OUT);
    await chipIn('paper-out');
    expect(await chip().innerText()).toContain('打印机缺纸');
    const mark = await usb.outLength();
    await page.getByTestId('print-receipt').click();
    await expect.poll(() => page.getByTestId('print-note').innerText()).toContain('打印机恢复后自动打印');
    await chipIn('paper-out', 1);
    expect(await chip().innerText()).toContain('1 张待打印');
    await sleep(1_200);
    expect(await usb.outLength()).toBe(mark);

    await usb.setStatus(OK);
    const bytes = await documents(mark, 1);
    await chipIn('ready', 0);
    expect(bytes).toEqual(lastReceipt);
  });

  it('holds jobs while the printer does not answer the status query, until the check is turned off', async () => {
    await usb.setAnswers(false);
    const mark = await usb.outLength();
    await page.getByTestId('print-receipt').click();
    await chipIn('offline', 1);
    expect(await chip().innerText()).toContain('打印机离线 / Printer offline · 1 张待打印');
    await sleep(1_200);
    expect(await usb.outLength()).toBe(mark);

    // "打印前检查纸和盖" off: the job goes out without the check.
    await page.getByTestId('open-settings').click();
    await page.getByTestId('check-status').click();
    const bytes = await documents(mark, 1);
    await chipIn('ready', 0);
    expect(bytes).toEqual(lastReceipt);
    await page.getByTestId('check-status').click();
    await usb.setAnswers(true);
  });
});

describe('receipt printer over WebUSB (unidirectional: no IN endpoint)', () => {
  let context: BrowserContext;
  let page: Page;
  const usb = bus(() => page);

  beforeAll(async () => {
    context = await browser.newContext();
    await context.addInitScript(fakeUsb, { bidirectional: false });
    page = await context.newPage();
    await pairPage(page, store.url, store.terminals.createPairingCode('cashier', 60_000).code);
  });
  afterAll(async () => {
    await context?.close();
  });

  it('prints without asking for status, which it cannot read', async () => {
    await page.getByTestId('open-settings').click();
    await page.getByTestId('choose-usb-printer').click();
    await page.locator('[data-testid=printer-chip][data-state=ready]').waitFor({ timeout: 10_000 });
    await page.getByTestId('test-print').click();
    await expect.poll(async () => cuts(await usb.outSince(0)), { timeout: 10_000 }).toBe(1);
    expect(receiptText(await usb.outSince(0))).toContain('打印测试页');
    expect((await usb.state()).statusQueries).toBe(0);
  });
});
