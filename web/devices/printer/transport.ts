/**
 * One interface for the links a receipt printer hangs on (WebSerial, WebUSB), so the queue
 * and the status reading do not care which one it is.
 */
import { decodeStatus, isStatusByte, statusRequest, type PrinterStatus, type StatusBytes, type StatusQuery } from './status.ts';

export type TransportKind = 'serial' | 'usb';

export interface TransportInfo {
  kind: TransportKind;
  /** For the cashier: "USB 0416:5011", "串口 / Serial port"… */
  label: string;
  usbVendorId?: number;
  usbProductId?: number;
  /** The link carries bytes back from the printer (status answers). */
  canRead: boolean;
}

export interface PrinterTransport {
  readonly info: TransportInfo;
  /** Opens the link; opening an open link does nothing. */
  open(): Promise<void>;
  /** Resolves once the bytes are handed to the link; rejects when the link broke (unplugged…). */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * The bytes the printer has sent since the last read, waiting at most `timeoutMs` for the
   * first one; empty when nothing came. `read(0)` drains what is already there.
   */
  read(timeoutMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A port or device went away while in use: the transport is dead and must be opened again. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
}

/** Asks DLE EOT n and waits for a valid answer byte; null when none came in time. */
export async function askStatus(t: PrinterTransport, n: StatusQuery, timeoutMs: number): Promise<number | null> {
  await t.read(0); // stale bytes (a late answer, XON/XOFF) are not this answer
  await t.write(statusRequest(n));
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) return null;
    const got = await t.read(left);
    for (const b of got) if (isStatusByte(b)) return b;
  }
}

/**
 * The printer's status, or null when it did not answer (switched off, wrong baud rate, or
 * a link that cannot read). Asks the printer status, then the offline cause only when it is
 * offline (and the error cause only when that says error), and the paper sensor every time
 * (paper near end is reported while online).
 */
export async function readStatus(t: PrinterTransport, timeoutMs = 500): Promise<PrinterStatus | null> {
  if (!t.info.canRead) return null;
  const bytes: StatusBytes = {};
  const printer = await askStatus(t, 1, timeoutMs);
  if (printer === null) return null;
  bytes.printer = printer;
  if (printer & 0x08) {
    bytes.offlineCause = (await askStatus(t, 2, timeoutMs)) ?? undefined;
    if (bytes.offlineCause !== undefined && bytes.offlineCause & 0x40) bytes.errorCause = (await askStatus(t, 3, timeoutMs)) ?? undefined;
  }
  bytes.paper = (await askStatus(t, 4, timeoutMs)) ?? undefined;
  return decodeStatus(bytes);
}
