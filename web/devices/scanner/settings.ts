/**
 * The scanner's settings, one row (`scanner`) in the `settings` table of the `pos` database.
 * Nothing secret: which HID device, and the keyboard-wedge thresholds.
 */

/**
 * A HID POS scanner as far as WebHID lets it be recognised again: WebHID gives no serial number,
 * so every granted device with these ids is taken (two identical scanners both scan).
 */
export interface RememberedHid {
  vendorId: number;
  productId: number;
  productName?: string;
}

export interface ScannerSettings {
  /** The HID POS scanner chosen in the settings; null: keyboard mode only (the default). */
  hid: RememberedHid | null;
  /** Keyboard-wedge scans read on every screen (off: on the scan screen only). */
  keyboard: boolean;
  /** The shortest key burst that is a scan. */
  minLength: number;
  /** The largest average gap between a burst's keys, in ms (scanners: 1–19 ms; people: 80 ms and more). */
  maxAvgGapMs: number;
}

export const SCANNER_DEFAULTS: ScannerSettings = { hid: null, keyboard: true, minLength: 6, maxAvgGapMs: 35 };

declare module '../../data/db.ts' {
  interface SettingsMap {
    scanner: ScannerSettings;
  }
}
