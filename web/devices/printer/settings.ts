/**
 * The printer's settings, one row (`printer`) in the `settings` table of the `pos` database,
 * through db.ts's helpers. Nothing secret: which port, its line settings, the toggles.
 */
import type { FlowControl } from './serial.ts';
import type { TransportKind } from './transport.ts';

/**
 * A serial port as far as it can be recognised again. A USB-serial adapter has USB ids; a
 * plain RS-232 port has none, so among several id-less ports it is known only by its place
 * in `getPorts()` — trusted only while that list has the same length as when it was chosen.
 */
export interface RememberedSerial {
  usbVendorId?: number;
  usbProductId?: number;
  /** Its index among the granted ports with the same ids, and how many there were. */
  index: number;
  count: number;
}

export interface RememberedUsb {
  vendorId: number;
  productId: number;
  serialNumber?: string;
  index: number;
  count: number;
}

export interface PrinterSettings {
  transport: TransportKind | null;
  serial?: RememberedSerial;
  usb?: RememberedUsb;
  baudRate: number;
  flowControl: FlowControl;
  /** "自动打印小票": a paid payment's receipt is printed without asking. */
  autoPrint: boolean;
  /** Font A columns: 32 on 58 mm paper, 48 on 80 mm. */
  columns: 32 | 48;
  /**
   * Hold jobs while the printer does not answer DLE EOT (serial). Off for the rare printer
   * that never answers it: jobs then go out blind.
   */
  checkStatus: boolean;
}

export const PRINTER_DEFAULTS: PrinterSettings = {
  transport: null,
  baudRate: 9600,
  flowControl: 'none',
  autoPrint: true,
  columns: 32,
  checkStatus: true,
};

declare module '../../data/db.ts' {
  interface SettingsMap {
    printer: PrinterSettings;
  }
}
