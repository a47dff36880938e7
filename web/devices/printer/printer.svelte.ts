/**
 * The receipt printer: which device (chosen once with a click, remembered, reconnected on load
 * and on replug), its link, its queue, and what the settings screen and the status chip show.
 * Loaded lazily (chip.svelte.ts's `loadPrinter`): a store without a printer never loads it.
 */
import { printerChip } from './chip.svelte.ts';
import { DRAWER_KICK, testPage, withCut } from './escpos.ts';
import { DexieJobStore } from './job-store.ts';
import { PrintQueue, type JobKind, type PrintJob } from './queue.ts';
import { SerialTransport, type SerialSettings } from './serial.ts';
import { PRINTER_DEFAULTS, type PrinterSettings } from './settings.ts';
import type { PrinterStatus } from './status.ts';
import type { PrinterTransport } from './transport.ts';
import { PRINTER_CLASS, UsbTransport } from './usb.ts';
import { webSerial, webUsb, type SerialPortInfoLike, type SerialPortLike, type UsbDeviceLike } from './web-apis.ts';

const MAX_RETRY_MS = 30_000;

function sameSerial(a: SerialPortInfoLike, b: SerialPortInfoLike): boolean {
  return a.usbVendorId === b.usbVendorId && a.usbProductId === b.usbProductId;
}

function sameUsb(d: UsbDeviceLike, saved: { vendorId: number; productId: number; serialNumber?: string }): boolean {
  return d.vendorId === saved.vendorId && d.productId === saved.productId && (!saved.serialNumber || d.serialNumber === saved.serialNumber);
}

/**
 * The remembered device among the granted ones that look like it: the only one; or, among
 * several identical ones, the one at its old place while the list is as long as it was;
 * otherwise it is ambiguous and the cashier chooses again (once).
 */
function pick<T>(list: T[], saved: { index: number; count: number }): T | 'ambiguous' | null {
  if (list.length === 1) return list[0];
  if (list.length > 1) return list.length === saved.count && saved.index < list.length ? list[saved.index] : 'ambiguous';
  return null;
}

/** A user who closes the browser's chooser is not an error. */
function cancelled(err: unknown): boolean {
  return err instanceof DOMException && (err.name === 'NotFoundError' || err.name === 'AbortError');
}

/**
 * Where the settings live: the `printer` row of the `pos` database's settings table, handed in
 * by start.ts. This module does not import db.ts itself: a lazy chunk importing it makes
 * Rolldown split Dexie and the Svelte runtime out of the entry chunk (see chip.svelte.ts).
 */
export interface SettingsStore {
  load(): Promise<PrinterSettings | undefined>;
  save(s: PrinterSettings): Promise<void>;
}

function newId(prefix: string): string {
  return `${prefix}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

class Printer {
  /** Replaced whole on every change (raw: a plain object, stored as it is). */
  settings = $state.raw<PrinterSettings>({ ...PRINTER_DEFAULTS });
  /** The last status read (null: not read, or the link cannot read). */
  status = $state<PrinterStatus | null>(null);
  /** The device in use, as the cashier sees it. */
  device = $state<string | null>(null);
  /** The remembered printer cannot be found for sure: choose it again. */
  needsChoice = $state(false);
  error = $state<string | null>(null);
  /** The newest jobs, for the settings screen. */
  jobs = $state.raw<PrintJob[]>([]);
  readonly serialSupported = webSerial() !== null;
  readonly usbSupported = webUsb() !== null;

  readonly #store = new DexieJobStore();
  #settingsStore: SettingsStore | null = null;
  readonly #queue = new PrintQueue(this.#store, {
    onState: (state, status) => {
      printerChip.state = state;
      printerChip.paperLow = status?.paperNearEnd ?? false;
      this.status = status;
    },
    onBroken: (err) => void this.#lost(err),
    onChange: () => void this.#refreshJobs(),
  });
  #transport: PrinterTransport | null = null;
  #started: Promise<void> | null = null;
  #connecting: Promise<void> | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #retryMs = 1_000;
  /** Job ids asked for in this page's life: skips a database round trip on every re-render. */
  readonly #asked = new Set<string>();

  /** Called once by start.ts, before anything else. */
  useSettings(store: SettingsStore): void {
    this.#settingsStore = store;
  }

  /** Reads the settings, listens for replugs, reconnects the remembered printer. Once. */
  start(): Promise<void> {
    return (this.#started ??= this.#start());
  }

  async #start(): Promise<void> {
    this.settings = { ...PRINTER_DEFAULTS, ...(await this.#settingsStore?.load()) };
    this.#publish();
    const serial = webSerial();
    serial?.addEventListener('connect', () => void this.#reconnect());
    serial?.addEventListener('disconnect', (e) => void this.#unplugged(e.target));
    const usb = webUsb();
    usb?.addEventListener('connect', () => void this.#reconnect());
    usb?.addEventListener('disconnect', (e) => void this.#unplugged((e as Event & { device?: unknown }).device));
    this.#queue.start();
    void this.#store.prune().catch(() => {});
    await this.#refreshJobs();
    await this.#reconnect();
  }

  // --- Choosing a printer (each must be called straight from a click) ------------------------

  /** "选择串口打印机": the browser's port chooser, then this port is the printer. */
  async chooseSerial(): Promise<boolean> {
    const serial = webSerial();
    if (!serial) {
      this.error = '此浏览器不支持串口 (WebSerial) / This browser has no WebSerial';
      return false;
    }
    let port: SerialPortLike;
    try {
      port = await serial.requestPort();
    } catch (err) {
      if (!cancelled(err)) this.error = `无法选择串口 / Cannot choose the port: ${String(err)}`;
      return false;
    }
    const info = port.getInfo();
    const same = (await serial.getPorts()).filter((p) => sameSerial(p.getInfo(), info));
    await this.#save({
      transport: 'serial',
      serial: { usbVendorId: info.usbVendorId, usbProductId: info.usbProductId, index: Math.max(0, same.indexOf(port)), count: same.length },
      usb: undefined,
    });
    return this.#switchTo(new SerialTransport(port, this.#serialSettings()));
  }

  /** "选择 USB 打印机": the browser's device chooser, printer-class devices only. */
  async chooseUsb(): Promise<boolean> {
    const usb = webUsb();
    if (!usb) {
      this.error = '此浏览器不支持 WebUSB / This browser has no WebUSB';
      return false;
    }
    let device: UsbDeviceLike;
    try {
      device = await usb.requestDevice({ filters: [{ classCode: PRINTER_CLASS }] });
    } catch (err) {
      if (!cancelled(err)) this.error = `无法选择 USB 设备 / Cannot choose the device: ${String(err)}`;
      return false;
    }
    const saved = { vendorId: device.vendorId, productId: device.productId, serialNumber: device.serialNumber || undefined };
    const same = (await usb.getDevices()).filter((d) => sameUsb(d, saved));
    await this.#save({ transport: 'usb', usb: { ...saved, index: Math.max(0, same.indexOf(device)), count: same.length }, serial: undefined });
    return this.#switchTo(new UsbTransport(device));
  }

  /** "不使用打印机": forgets the device; queued jobs stay stored for the next printer. */
  async forget(): Promise<void> {
    await this.#save({ transport: null, serial: undefined, usb: undefined });
    await this.#drop();
    this.needsChoice = false;
    this.error = null;
  }

  /** Baud rate, flow control: saved, and the serial port reopened with them. */
  async setSerial(s: Partial<SerialSettings>): Promise<void> {
    await this.#save(s);
    const t = this.#transport;
    if (t instanceof SerialTransport) await this.#switchTo(new SerialTransport(t.port, this.#serialSettings()));
  }

  async setOptions(s: Partial<Pick<PrinterSettings, 'autoPrint' | 'columns' | 'checkStatus'>>): Promise<void> {
    await this.#save(s);
  }

  // --- Printing ------------------------------------------------------------------------------

  /**
   * A payment was paid (called on every update of the paid screen; ids make it once): a cash
   * sale opens the drawer, and the receipt prints when "自动打印小票" is on. The drawer opens
   * even with automatic receipts off — the cash has to go in.
   */
  async paid(p: { outNo: string; cash: boolean; bytes: Uint8Array | null }): Promise<void> {
    await this.start();
    if (!this.settings.transport) return;
    if (p.cash) await this.#once({ id: `drawer:${p.outNo}`, kind: 'drawer', label: `钱箱 / Drawer ${p.outNo}`, bytes: DRAWER_KICK });
    if (p.bytes && this.settings.autoPrint) {
      await this.#once({ id: `receipt:${p.outNo}`, kind: 'receipt', label: `小票 / Receipt ${p.outNo}`, bytes: withCut(p.bytes) });
    }
  }

  /** "打印": the cashier asks for the receipt (again): always a new job. Never opens the drawer. */
  async reprint(outNo: string, bytes: Uint8Array): Promise<string> {
    return this.#enqueue({ id: newId(`reprint:${outNo}`), kind: 'reprint', label: `补打 / Reprint ${outNo}`, bytes: withCut(bytes) });
  }

  /** "打印账单": a bill before payment (预结单), as the proxy laid it out. Always a new job. */
  async bill(billNo: string, bytes: Uint8Array): Promise<string> {
    return this.#enqueue({ id: newId(`bill:${billNo}`), kind: 'bill', label: `账单 / Bill ${billNo}`, bytes: withCut(bytes) });
  }

  /** "打印测试页": Chinese text built here (GB18030 from the browser's own decoder). */
  async testPrint(): Promise<string> {
    await this.start();
    const link = this.device ?? (this.settings.transport === 'usb' ? 'USB' : `串口 ${this.settings.baudRate} 8N1`);
    return this.#enqueue({ id: newId('test'), kind: 'test', label: '测试页 / Test page', bytes: testPage({ columns: this.settings.columns, link }) });
  }

  /** What to tell the cashier about a job asked for by hand: from its own state, never "printed" while it is held. */
  jobNote(id: string): string {
    const state = this.jobs.find((j) => j.id === id)?.state ?? 'queued';
    if (state === 'done') return '已打印 / Printed';
    if (state === 'cancelled') return '已取消 / Cancelled';
    if (printerChip.state === 'ready' || printerChip.state === 'connecting') return '正在打印… / Printing…';
    return '打印机恢复后自动打印 / Prints when the printer is back';
  }

  async #enqueue(job: { id: string; kind: JobKind; label: string; bytes: Uint8Array }): Promise<string> {
    await this.start();
    await this.#queue.enqueue(job);
    await this.#refreshJobs();
    return job.id;
  }

  async cancel(id: string): Promise<void> {
    await this.#queue.cancel(id);
  }

  async #once(job: { id: string; kind: JobKind; label: string; bytes: Uint8Array }): Promise<void> {
    if (this.#asked.has(job.id)) return;
    this.#asked.add(job.id);
    try {
      await this.#queue.enqueue(job);
    } catch (err) {
      this.#asked.delete(job.id); // not stored: the next update of the paid screen tries again
      throw err;
    }
  }

  // --- The link ------------------------------------------------------------------------------

  #serialSettings(): SerialSettings {
    return { baudRate: this.settings.baudRate, flowControl: this.settings.flowControl };
  }

  async #save(patch: Partial<PrinterSettings>): Promise<void> {
    this.settings = { ...this.settings, ...patch };
    await this.#settingsStore?.save(this.settings);
    this.#publish();
  }

  #publish(): void {
    const configured = this.settings.transport !== null;
    printerChip.configured = configured;
    printerChip.autoPrint = this.settings.autoPrint;
    this.#queue.configured = configured;
    this.#queue.requireStatus = this.settings.checkStatus;
  }

  /** Finds the remembered device among those this origin may use, and opens it. */
  #reconnect(): Promise<void> {
    if (this.#transport || !this.settings.transport) return Promise.resolve();
    return (this.#connecting ??= this.#findAndOpen().finally(() => (this.#connecting = null)));
  }

  async #findAndOpen(): Promise<void> {
    const s = this.settings;
    let t: PrinterTransport | null = null;
    if (s.transport === 'serial' && s.serial) {
      const saved = s.serial;
      const ports = (await webSerial()?.getPorts()) ?? [];
      const found = pick(ports.filter((p) => sameSerial(p.getInfo(), saved)), saved);
      // A plain RS-232 port has no ids and its permission may not outlive the browser: if it is
      // not among the granted ports, it can only be chosen again.
      this.needsChoice = found === 'ambiguous' || (found === null && saved.usbVendorId === undefined);
      if (found && found !== 'ambiguous') t = new SerialTransport(found, this.#serialSettings());
    } else if (s.transport === 'usb' && s.usb) {
      const saved = s.usb;
      const devices = (await webUsb()?.getDevices()) ?? [];
      const found = pick(devices.filter((d) => sameUsb(d, saved)), saved);
      this.needsChoice = found === 'ambiguous';
      if (found && found !== 'ambiguous') t = new UsbTransport(found);
    }
    // Not plugged in: the connect event brings it back.
    if (t && !this.#transport) await this.#open(t);
  }

  async #switchTo(t: PrinterTransport): Promise<boolean> {
    await this.#connecting;
    await this.#drop();
    this.needsChoice = false;
    return this.#open(t);
  }

  async #open(t: PrinterTransport): Promise<boolean> {
    printerChip.state = 'connecting';
    try {
      await t.open();
    } catch (err) {
      this.error = `无法打开打印机 / Cannot open the printer: ${String(err)}`;
      printerChip.state = 'error';
      await t.close().catch(() => {});
      this.#retryLater();
      return false;
    }
    this.#transport = t;
    this.device = t.info.label;
    this.error = null;
    this.#retryMs = 1_000;
    this.#queue.attach(t);
    return true;
  }

  /** Closes the link in use (if any); the queue holds its jobs. */
  async #drop(): Promise<void> {
    const t = this.#transport;
    this.#transport = null;
    this.device = null;
    this.#queue.detach();
    await t?.close().catch(() => {});
  }

  /** The link failed while printing or reading: close it and open it again a little later. */
  async #lost(err: unknown): Promise<void> {
    this.error = `打印机连接中断 / Printer link lost: ${err instanceof Error ? err.message : String(err)}`;
    await this.#drop();
    this.#retryLater();
  }

  #retryLater(): void {
    if (this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.#reconnect();
    }, this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  /** A `disconnect` event: if it is our device, the link is gone until it is plugged in again. */
  async #unplugged(target: unknown): Promise<void> {
    const t = this.#transport;
    const ours = (t instanceof SerialTransport && t.port === target) || (t instanceof UsbTransport && t.device === target);
    if (ours) await this.#drop();
  }

  async #refreshJobs(): Promise<void> {
    const [recent, pending] = await Promise.all([this.#store.recent(8), this.#store.pending()]);
    this.jobs = recent;
    printerChip.pending = pending.length;
  }
}

export const printer = new Printer();
