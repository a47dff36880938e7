/**
 * A receipt printer on USB (printer class 0x07), through WebUSB: the bulk OUT endpoint of the
 * printer-class interface takes the ESC/POS bytes; its bulk IN endpoint, where the printer is
 * bidirectional, carries the DLE EOT answers back.
 *
 * On Linux the kernel's `usblp` driver holds that interface and Chrome cannot claim it (see
 * the README's kiosk section for the udev rule); on Windows the device needs the WinUSB
 * driver. A printer that shows up as a COM port instead is a serial printer.
 */
import { Inbox } from './inbox.ts';
import { TransportError, type PrinterTransport, type TransportInfo } from './transport.ts';
import { hex4, type UsbDeviceLike, type UsbEndpointLike } from './web-apis.ts';

export const PRINTER_CLASS = 0x07;
/** Bytes per transferOut: large enough to be quick, small enough for any printer's buffer. */
const CHUNK = 4096;

export function usbLabel(d: UsbDeviceLike): string {
  const name = [d.manufacturerName, d.productName].filter(Boolean).join(' ');
  return `USB ${hex4(d.vendorId)}:${hex4(d.productId)}${name ? ` ${name}` : ''}`;
}

export class UsbTransport implements PrinterTransport {
  readonly device: UsbDeviceLike;
  info: TransportInfo;
  readonly #inbox = new Inbox();
  #iface = -1;
  #out: UsbEndpointLike | null = null;
  #in: UsbEndpointLike | null = null;
  #closing = false;
  #reading: Promise<void> | null = null;

  constructor(device: UsbDeviceLike) {
    this.device = device;
    this.info = { kind: 'usb', label: usbLabel(device), usbVendorId: device.vendorId, usbProductId: device.productId, canRead: false };
  }

  async open(): Promise<void> {
    const d = this.device;
    if (!d.opened) await d.open();
    if (d.configuration === null) await d.selectConfiguration(d.configurations[0]?.configurationValue ?? 1);
    const config = d.configuration;
    if (!config) throw new TransportError('USB 设备没有配置 / The USB device has no configuration');
    for (const iface of config.interfaces) {
      const alt = iface.alternates.find((a) => a.interfaceClass === PRINTER_CLASS && a.endpoints.some((e) => e.direction === 'out' && e.type === 'bulk'));
      if (!alt) continue;
      if (!iface.claimed) await d.claimInterface(iface.interfaceNumber);
      if (alt.alternateSetting !== 0) await d.selectAlternateInterface(iface.interfaceNumber, alt.alternateSetting);
      this.#iface = iface.interfaceNumber;
      this.#out = alt.endpoints.find((e) => e.direction === 'out' && e.type === 'bulk') ?? null;
      this.#in = alt.endpoints.find((e) => e.direction === 'in' && e.type === 'bulk') ?? null;
      break;
    }
    if (!this.#out) throw new TransportError('不是 USB 打印机（没有打印机接口）/ Not a USB printer (no printer-class interface)');
    this.info = { ...this.info, canRead: this.#in !== null };
    this.#closing = false;
    if (this.#in) this.#reading ??= this.#readLoop(this.#in);
  }

  async write(bytes: Uint8Array): Promise<void> {
    const out = this.#out;
    if (!out || !this.device.opened) throw new TransportError('USB 打印机未打开 / The USB printer is not open');
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const chunk = bytes.slice(at, at + CHUNK);
      let res;
      try {
        res = await this.device.transferOut(out.endpointNumber, chunk);
      } catch (err) {
        throw new TransportError(`USB 写入失败 / USB write failed: ${String(err)}`);
      }
      if (res.status === 'stall') {
        await this.device.clearHalt('out', out.endpointNumber).catch(() => {});
        throw new TransportError('USB 打印机拒收 (stall) / The USB printer stalled');
      }
    }
  }

  read(timeoutMs: number): Promise<Uint8Array> {
    return this.#inbox.read(timeoutMs);
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#iface >= 0) await this.device.releaseInterface(this.#iface).catch(() => {});
    await this.device.close().catch(() => {});
    await this.#reading?.catch(() => {});
    this.#reading = null;
  }

  /** One transferIn always pending; closing the device ends it. */
  async #readLoop(ep: UsbEndpointLike): Promise<void> {
    while (!this.#closing && this.device.opened) {
      try {
        const res = await this.device.transferIn(ep.endpointNumber, ep.packetSize || 64);
        if (res.status === 'stall') await this.device.clearHalt('in', ep.endpointNumber);
        if (res.data && res.data.byteLength > 0) {
          this.#inbox.push(new Uint8Array(res.data.buffer, res.data.byteOffset, res.data.byteLength).slice());
        }
      } catch {
        return; // device closed or gone
      }
    }
  }
}
