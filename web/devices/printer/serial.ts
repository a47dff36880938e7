/**
 * A receipt printer on a serial line (RS-232, or a USB-serial adapter / a printer that shows
 * up as a virtual COM port), through WebSerial.
 *
 * Defaults 9600 baud, 8N1, no flow control: what most 58 mm printers sold in China ship with
 * (their self-test page prints the setting). A receipt of a few KB goes out in a few seconds at
 * 9600, slower than the printer prints text, so its buffer does not overflow; a printer set to
 * RTS/CTS (or a fast baud rate with logos) needs "hardware" flow control here too.
 */
import { Inbox } from './inbox.ts';
import { TransportError, type PrinterTransport, type TransportInfo } from './transport.ts';
import { hex4, type SerialPortLike } from './web-apis.ts';

export type FlowControl = 'none' | 'hardware';

export interface SerialSettings {
  baudRate: number;
  flowControl: FlowControl;
}

export const SERIAL_DEFAULTS: SerialSettings = { baudRate: 9600, flowControl: 'none' };
export const BAUD_RATES = [9600, 19200, 38400, 57600, 115200] as const;

export function serialLabel(port: SerialPortLike): string {
  const { usbVendorId, usbProductId } = port.getInfo();
  return usbVendorId === undefined ? '串口 / Serial port' : `USB 串口 / USB serial ${hex4(usbVendorId)}:${hex4(usbProductId)}`;
}

export class SerialTransport implements PrinterTransport {
  readonly info: TransportInfo;
  readonly port: SerialPortLike;
  readonly #settings: SerialSettings;
  readonly #inbox = new Inbox();
  #reading: Promise<void> | null = null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #closing = false;

  constructor(port: SerialPortLike, settings: SerialSettings = SERIAL_DEFAULTS) {
    this.port = port;
    this.#settings = settings;
    const { usbVendorId, usbProductId } = port.getInfo();
    this.info = {
      kind: 'serial',
      label: `${serialLabel(port)} · ${settings.baudRate} 8N1${settings.flowControl === 'hardware' ? ' RTS/CTS' : ''}`,
      usbVendorId,
      usbProductId,
      canRead: true,
    };
  }

  async open(): Promise<void> {
    // A port is open when it has streams (another transport of ours left it open: reuse).
    if (!this.port.writable) {
      await this.port.open({
        baudRate: this.#settings.baudRate,
        dataBits: 8,
        stopBits: 1,
        parity: 'none',
        flowControl: this.#settings.flowControl,
      });
    }
    this.#closing = false;
    this.#reading ??= this.#readLoop();
  }

  async write(bytes: Uint8Array): Promise<void> {
    const writable = this.port.writable;
    if (!writable) throw new TransportError('串口未打开 / The serial port is not open');
    const writer = writable.getWriter();
    try {
      await writer.write(bytes);
    } catch (err) {
      throw new TransportError(`串口写入失败 / Serial write failed: ${String(err)}`);
    } finally {
      writer.releaseLock();
    }
  }

  read(timeoutMs: number): Promise<Uint8Array> {
    return this.#inbox.read(timeoutMs);
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#reader?.cancel().catch(() => {});
    await this.#reading;
    this.#reading = null;
    await this.port.close().catch(() => {});
  }

  /**
   * Everything the printer sends goes to the inbox. A framing or parity error ends one
   * `readable` and the port offers a new one: keep reading. The port gone ends it for good.
   */
  async #readLoop(): Promise<void> {
    let stream = this.port.readable;
    while (!this.#closing && stream) {
      const reader = stream.getReader();
      this.#reader = reader;
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return; // cancelled by close(), or the stream ended
          if (value) this.#inbox.push(value);
        }
      } catch {
        // A line error (a new readable follows) or the device lost (readable becomes null).
      } finally {
        reader.releaseLock();
        this.#reader = null;
      }
      const next = this.port.readable;
      stream = next !== stream ? next : null;
    }
  }
}
