/**
 * A HID POS barcode scanner as WebHID describes it (`device.collections`), and the input reports it
 * sends, built byte by byte per the HID POS usage tables (usage page 0x8C). The descriptor is the
 * Scanned Data Report of Honeywell's HID POS interface (report ID 2): Byte Count (Generic Desktop
 * 0x3B), Symbology Identifier 1–3 (0x8C:FB–FD), 56 bytes of Decoded Data (0x8C:FE), two vendor
 * bytes (page 0xFF66), and eight one-bit Decode Data Continued flags (0x8C:FF).
 * Shared by the unit tests and the browser test's fake `navigator.hid`.
 */
import type { HidCollectionLike } from '../../web/devices/scanner/hid-pos.ts';

export const HONEYWELL_IDS = { vendorId: 0x0c2e, productId: 0x0b6a, productName: 'Honeywell 1900 (HID POS)' };

export const HONEYWELL_COLLECTIONS: HidCollectionLike[] = [
  {
    usagePage: 0x8c,
    usage: 0x02, // Bar Code Scanner
    inputReports: [],
    children: [
      {
        usagePage: 0x8c,
        usage: 0x12, // Scanned Data Report
        inputReports: [
          {
            reportId: 2,
            items: [
              { usages: [0x0001_003b], reportSize: 8, reportCount: 1 },
              { usages: [0x008c_00fb, 0x008c_00fc, 0x008c_00fd], reportSize: 8, reportCount: 3 },
              { usages: [0x008c_00fe], reportSize: 8, reportCount: 56 },
              { usages: [0xff66_0004, 0xff66_0000], reportSize: 8, reportCount: 2 },
              { usages: [0x008c_00ff], reportSize: 1, reportCount: 8 },
            ],
          },
        ],
        children: [],
      },
    ],
  },
];

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * The Scanned Data Reports (63 bytes each, after the report ID) for one code: the data in pieces
 * of `perReport` bytes, every report but the last with Decode Data Continued set.
 */
export function scannedDataReports(code: string | number[], aim = ']E0', opts: { perReport?: number; vendor?: [number, number] } = {}): number[][] {
  const bytes = typeof code === 'string' ? [...new TextEncoder().encode(code)] : code;
  const per = opts.perReport ?? 56;
  const reports: number[][] = [];
  for (let at = 0; at < bytes.length || reports.length === 0; at += per) {
    const part = bytes.slice(at, at + per);
    const more = at + per < bytes.length;
    const r = new Array<number>(63).fill(0);
    r[0] = part.length;
    ascii(aim).forEach((b, i) => (r[1 + i] = b));
    part.forEach((b, i) => (r[4 + i] = b));
    r[60] = opts.vendor?.[0] ?? 0x64; // Honeywell code ID 'd' (EAN-13); not read
    r[61] = opts.vendor?.[1] ?? 0;
    r[62] = more ? 0x01 : 0x00;
    reports.push(r);
  }
  return reports;
}
