/** A receipt printer for unit tests: answers DLE EOT from `status`, records what it printed. */
import { TransportError, type PrinterTransport, type TransportInfo } from '../../web/devices/printer/transport.ts';

export const STATUS = {
  ok: { 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 },
  paperOut: { 1: 0x1a, 2: 0x32, 3: 0x12, 4: 0x72 },
  coverOpen: { 1: 0x1a, 2: 0x16, 3: 0x12, 4: 0x12 },
  offline: { 1: 0x1a, 2: 0x12, 3: 0x12, 4: 0x12 },
} satisfies Record<string, Record<1 | 2 | 3 | 4, number>>;

export class FakePrinter implements PrinterTransport {
  info: TransportInfo = { kind: 'serial', label: 'fake', canRead: true };
  status: Record<number, number> = { ...STATUS.ok };
  /** Answers DLE EOT at all (false: switched off). */
  answers = true;
  /** Bytes sent before each answer (XON, ASB…). */
  noise: number[] = [];
  /** Every job's bytes as written (status queries excluded). */
  printed: Uint8Array[] = [];
  asked: number[] = [];
  /** The next job write fails as if the cable were pulled. */
  unplugOnNextWrite = false;
  closed = false;
  #inbox: number[] = [];

  async open(): Promise<void> {}

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new TransportError('closed');
    if (bytes.length === 3 && bytes[0] === 0x10 && bytes[1] === 0x04) {
      this.asked.push(bytes[2]);
      if (this.answers) this.#inbox.push(...this.noise, this.status[bytes[2]]);
      return;
    }
    if (this.unplugOnNextWrite) {
      this.unplugOnNextWrite = false;
      this.closed = true;
      throw new TransportError('unplugged mid-write');
    }
    this.printed.push(bytes.slice());
  }

  async read(timeoutMs: number): Promise<Uint8Array> {
    if (this.#inbox.length === 0 && timeoutMs > 0) await new Promise((r) => setTimeout(r, Math.min(timeoutMs, 5)));
    const out = Uint8Array.from(this.#inbox);
    this.#inbox = [];
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
