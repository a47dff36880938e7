/**
 * A receipt printer on WebSerial for browser tests, installed with `context.addInitScript(fakeSerial)`:
 * `navigator.serial` is replaced at the browser-API boundary by a SerialPort whose `writable`
 * captures the bytes (window.__printed, one entry per write) and whose `readable` answers DLE EOT n
 * with window.__printerStatus[n]. The permission is remembered across reloads, as Chrome does.
 */
export function fakeSerial() {
  const w = window as unknown as Record<string, unknown> & { __printed: number[][]; __printerStatus: Record<number, number> };
  w.__printed = [];
  w.__printerStatus = { 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 };
  w.__statusQueries = 0;
  class FakePort extends EventTarget {
    readable: ReadableStream<Uint8Array> | null = null;
    writable: WritableStream<Uint8Array> | null = null;
    #ctrl: ReadableStreamDefaultController<Uint8Array> | null = null;
    getInfo() {
      return { usbVendorId: 0x0416, usbProductId: 0x5011 };
    }
    async open(options: unknown) {
      if (this.writable) throw new DOMException('The port is already open.', 'InvalidStateError');
      w.__serialOptions = options;
      this.readable = new ReadableStream<Uint8Array>({ start: (c) => void (this.#ctrl = c) });
      this.writable = new WritableStream<Uint8Array>({
        write: (chunk) => {
          const b = Array.from(chunk);
          if (b.length === 3 && b[0] === 0x10 && b[1] === 0x04) {
            (w.__statusQueries as number)++;
            this.#ctrl?.enqueue(Uint8Array.of(w.__printerStatus[b[2]]));
            return;
          }
          w.__printed.push(b);
        },
      });
    }
    async close() {
      try {
        this.#ctrl?.close();
      } catch {
        // already cancelled by the reader
      }
      this.readable = null;
      this.writable = null;
    }
  }
  const port = new FakePort();
  const serial = new EventTarget() as EventTarget & Record<string, unknown>;
  // The browser remembers the permission across reloads; so does this device.
  serial.requestPort = async () => {
    localStorage.setItem('fake-serial-granted', '1');
    return port;
  };
  serial.getPorts = async () => (localStorage.getItem('fake-serial-granted') ? [port] : []);
  Object.defineProperty(navigator, 'serial', { value: serial, configurable: true });
}
