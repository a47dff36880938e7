/**
 * The parts of WebHID used here, typed (TypeScript's DOM library has no WebHID). Chromium has it on
 * secure origins; it keeps keyboard collections out of it, which is why a scanner must be switched
 * to HID POS mode (usage page 0x8C) to be seen here at all.
 */
import type { HidCollectionLike } from './hid-pos.ts';

export interface HidDeviceLike extends EventTarget {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly opened: boolean;
  readonly collections: HidCollectionLike[];
  open(): Promise<void>;
  close(): Promise<void>;
}

export interface HidInputReportEventLike extends Event {
  readonly device: HidDeviceLike;
  readonly reportId: number;
  readonly data: DataView;
}

export interface HidConnectionEventLike extends Event {
  readonly device: HidDeviceLike;
}

export interface HidLike extends EventTarget {
  requestDevice(options: { filters: { vendorId?: number; productId?: number; usagePage?: number; usage?: number }[] }): Promise<HidDeviceLike[]>;
  getDevices(): Promise<HidDeviceLike[]>;
}

/** `navigator.hid`, or null where the browser has none (Firefox, Safari, an insecure origin). */
export function webHid(): HidLike | null {
  return typeof navigator !== 'undefined' ? ((navigator as unknown as { hid?: HidLike }).hid ?? null) : null;
}
