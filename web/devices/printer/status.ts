/**
 * Real-time printer status over the link: `DLE EOT n` (0x10 0x04 n), answered by one byte.
 * The printer answers it even while offline or with a full buffer, which is why it is the
 * way to tell "paper out" from "switched off".
 *
 * @see Epson ESC/POS Application Programming Guide, DLE EOT (transmit real-time status):
 *   n=1 printer status, n=2 offline cause, n=3 error cause, n=4 roll paper sensor.
 *   Every answer has bit 1 and bit 4 set and bits 0 and 7 clear, so it can be told apart
 *   from other bytes on the line (XON/XOFF, ASB).
 */

export const DLE = 0x10;
export const EOT = 0x04;

export type StatusQuery = 1 | 2 | 3 | 4;

/** The three bytes that ask for status `n`. */
export function statusRequest(n: StatusQuery): Uint8Array {
  return Uint8Array.of(DLE, EOT, n);
}

/** An answer byte to DLE EOT (any n) has 0b0xx1xx10 — bits 1 and 4 set, 0 and 7 clear. */
export function isStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

/** What the printer said, decoded. Fields of a query that was not asked are left false. */
export interface PrinterStatus {
  /** n=1 bit 3. */
  offline: boolean;
  /** n=1 bit 2: drawer kick connector pin 3 (open or closed depends on the drawer). */
  drawerPin3: boolean;
  /** n=2 bit 2. */
  coverOpen: boolean;
  /** n=2 bit 3: paper being fed by the FEED button. */
  feeding: boolean;
  /** n=2 bit 5 (printing stopped at paper end) or n=4 bits 5-6 (paper end sensor). */
  paperOut: boolean;
  /** n=4 bits 2-3: paper roll near its end (still printing). */
  paperNearEnd: boolean;
  /** n=2 bit 6 (an error occurred), or any bit of n=3. */
  error: boolean;
  /** n=3 detail: autocutter error (bit 3), unrecoverable (bit 5), auto-recoverable (bit 6). */
  cutterError: boolean;
  unrecoverable: boolean;
}

export interface StatusBytes {
  printer?: number;
  offlineCause?: number;
  errorCause?: number;
  paper?: number;
}

/** Decodes the answers to DLE EOT 1, 2, 3 and 4 (any may be missing). */
export function decodeStatus(b: StatusBytes): PrinterStatus {
  const p = b.printer ?? 0x12;
  const o = b.offlineCause ?? 0x12;
  const e = b.errorCause ?? 0x12;
  const r = b.paper ?? 0x12;
  const cutterError = (e & 0x08) !== 0;
  const unrecoverable = (e & 0x20) !== 0;
  return {
    offline: (p & 0x08) !== 0,
    drawerPin3: (p & 0x04) !== 0,
    coverOpen: (o & 0x04) !== 0,
    feeding: (o & 0x08) !== 0,
    paperOut: (o & 0x20) !== 0 || (r & 0x60) !== 0,
    paperNearEnd: (r & 0x0c) !== 0,
    error: (o & 0x40) !== 0 || cutterError || unrecoverable || (e & 0x40) !== 0,
    cutterError,
    unrecoverable,
  };
}

/** The printer part of the status chip. */
export type PrinterState = 'none' | 'connecting' | 'ready' | 'offline' | 'cover-open' | 'paper-out' | 'error';

/**
 * The one state the cashier sees. A cover opened to change the roll usually reports paper end
 * too; the open cover is the thing to fix first, so it wins.
 */
export function stateOf(s: PrinterStatus): PrinterState {
  if (s.coverOpen) return 'cover-open';
  if (s.paperOut) return 'paper-out';
  if (s.error) return 'error';
  if (s.offline) return 'offline';
  return 'ready';
}

/** Whether a job may be sent now (near end still prints). */
export function canPrint(s: PrinterStatus): boolean {
  return stateOf(s) === 'ready';
}
