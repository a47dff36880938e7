/**
 * The HID POS scanner: chosen once with a click (settings), remembered by its USB ids, reopened on
 * load (`getDevices()`) and on replug (`connect`/`disconnect`), its reports decoded (hid-pos.ts)
 * into the scan stream. Also the scanner's settings as the settings screen changes them. Loaded
 * lazily (chip.svelte.ts's `loadScanner`): a store with keyboard-mode scanners never loads it.
 */
import { aimSymbology } from './barcodes.ts';
import { useScannerSettings } from './chip.svelte.ts';
import { BARCODE_PAGE, HidPosReader } from './hid-pos.ts';
import { emitScan } from './scans.ts';
import { SCANNER_DEFAULTS, type ScannerSettings } from './settings.ts';
import { webHid, type HidConnectionEventLike, type HidDeviceLike, type HidInputReportEventLike } from './web-hid.ts';

/** Where the settings live, handed in by start.ts (this module does not import db.ts: see ../printer/chip.svelte.ts). */
export interface ScannerSettingsStore {
  load(): Promise<ScannerSettings | undefined>;
  save(s: ScannerSettings): Promise<void>;
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** A user who closes the browser's chooser is not an error. */
function cancelled(err: unknown): boolean {
  return err instanceof DOMException && (err.name === 'NotFoundError' || err.name === 'AbortError');
}

class Scanner {
  settings = $state.raw<ScannerSettings>({ ...SCANNER_DEFAULTS });
  /** The HID scanners open now, as the cashier sees them. */
  devices = $state.raw<string[]>([]);
  error = $state<string | null>(null);
  readonly hidSupported = webHid() !== null;

  #store: ScannerSettingsStore | null = null;
  /** Open devices, with what stops listening to each. */
  readonly #open = new Map<HidDeviceLike, () => void>();
  #started: Promise<void> | null = null;

  /** Called once by start.ts, before anything else. */
  useSettings(store: ScannerSettingsStore): void {
    this.#store = store;
  }

  /**
   * Reads the settings, listens for replugs, reopens the remembered scanner — once; every call
   * then says again what is open (the entry may have shown the settings it read meanwhile).
   */
  async start(): Promise<void> {
    await (this.#started ??= this.#start());
    this.#publish();
  }

  async #start(): Promise<void> {
    this.settings = { ...SCANNER_DEFAULTS, ...(await this.#store?.load()) };
    const hid = webHid();
    hid?.addEventListener('connect', (e) => void this.#plugged((e as HidConnectionEventLike).device));
    hid?.addEventListener('disconnect', (e) => this.#unplugged((e as HidConnectionEventLike).device));
    await this.#reconnect();
  }

  /** "连接扫码枪": the browser's chooser (HID POS scanners only); must be called from a click. */
  async choose(): Promise<boolean> {
    const hid = webHid();
    if (!hid) {
      this.error = '此浏览器不支持 WebHID / This browser has no WebHID';
      return false;
    }
    let chosen: HidDeviceLike[];
    try {
      chosen = await hid.requestDevice({ filters: [{ usagePage: BARCODE_PAGE }] });
    } catch (err) {
      if (!cancelled(err)) this.error = `无法选择扫码枪 / Cannot choose the scanner: ${String(err)}`;
      return false;
    }
    const d = chosen[0];
    if (!d) return false; // the chooser was closed
    await this.start();
    this.#closeAll();
    await this.#save({ hid: { vendorId: d.vendorId, productId: d.productId, productName: d.productName || undefined } });
    for (const c of chosen) await this.#openDevice(c);
    await this.#reconnect();
    return this.#open.size > 0;
  }

  /** "不用 HID 扫码枪": back to keyboard mode. */
  async forget(): Promise<void> {
    await this.start();
    this.#closeAll();
    await this.#save({ hid: null });
    this.error = null;
  }

  /** The keyboard-mode switch and thresholds. */
  async setOptions(patch: Partial<Omit<ScannerSettings, 'hid'>>): Promise<void> {
    await this.start();
    await this.#save(patch);
  }

  async #save(patch: Partial<ScannerSettings>): Promise<void> {
    this.settings = { ...this.settings, ...patch };
    await this.#store?.save(this.settings);
    this.#publish();
  }

  #publish(): void {
    this.devices = [...this.#open.keys()].map((d) => `${d.productName || 'HID'} (${hex4(d.vendorId)}:${hex4(d.productId)})`);
    useScannerSettings(this.settings, this.#open.size > 0);
  }

  #remembered(d: HidDeviceLike): boolean {
    const h = this.settings.hid;
    return !!h && d.vendorId === h.vendorId && d.productId === h.productId;
  }

  /** Every granted device with the remembered ids (not plugged in: the connect event brings it). */
  async #reconnect(): Promise<void> {
    if (!this.settings.hid) return;
    for (const d of (await webHid()?.getDevices()) ?? []) if (this.#remembered(d)) await this.#openDevice(d);
  }

  async #openDevice(d: HidDeviceLike): Promise<void> {
    if (this.#open.has(d)) return;
    try {
      if (!d.opened) await d.open();
    } catch (err) {
      this.error = `无法打开扫码枪 / Cannot open the scanner: ${String(err)}`;
      return;
    }
    const reader = new HidPosReader(d.collections, (code, aim) =>
      emitScan(aim ? { code, symbology: aimSymbology(aim), source: 'hid' } : { code, source: 'hid' }),
    );
    const onReport = (e: Event) => {
      const r = e as HidInputReportEventLike;
      reader.report(r.reportId, r.data);
    };
    d.addEventListener('inputreport', onReport);
    this.#open.set(d, () => {
      d.removeEventListener('inputreport', onReport);
      reader.reset();
    });
    this.error = null;
    this.#publish();
  }

  async #plugged(d: HidDeviceLike): Promise<void> {
    if (this.#remembered(d)) await this.#openDevice(d);
  }

  #unplugged(d: HidDeviceLike): void {
    const stop = this.#open.get(d);
    if (!stop) return;
    stop();
    this.#open.delete(d);
    this.#publish();
  }

  #closeAll(): void {
    for (const [d, stop] of this.#open) {
      stop();
      void d.close().catch(() => {});
    }
    this.#open.clear();
  }
}

export const scanner = new Scanner();
