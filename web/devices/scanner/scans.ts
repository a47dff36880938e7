/**
 * The one stream of scans. Every way a code arrives — a HID POS scanner, a keyboard-wedge burst,
 * a paste, the camera — ends here as a `Scan`; one listener (web/checkout/route-scan.ts, through
 * start.ts) decides whether it is an item or a payment code and where it goes.
 */

export type ScanSource = 'hid' | 'wedge' | 'paste' | 'camera';

export interface Scan {
  code: string;
  /** As the device said (HID POS symbology identifier, BarcodeDetector format): 'ean_13', 'qr_code', 'gs1_128'… */
  symbology?: string;
  source: ScanSource;
}

const listeners = new Set<(scan: Scan) => void>();

export function onScan(fn: (scan: Scan) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function emitScan(scan: Scan): void {
  for (const fn of listeners) fn(scan);
}
